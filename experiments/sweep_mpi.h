// The processes of a sweep started by an MPI launcher (`mpirun -np N liqsim sweep ...`,
// docs/sweeps.md "MPI"): which rank this process is, a few collectives, and byte messages between the
// ranks. The only place that includes MPI: the sweep's protocol (experiments/sweep_command.cpp) sees
// plain strings and integers.
//
// Only the thread that joined calls it (MPI_THREAD_FUNNELED). Sends never block: each message is
// handed to MPI with its own buffer and completed by later calls, so two ranks sending to each other
// at once cannot wait on each other.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace liqsim {

// A message received from another rank.
struct ClusterMessage {
  int source = 0;
  int tag = 0;
  std::string bytes;
};

class SweepCluster {
 public:
  // Starts MPI when this process was started by an MPI launcher (Open MPI's mpirun sets
  // OMPI_COMM_WORLD_SIZE; PMI and PMIx launchers set PMI_SIZE or PMIX_RANK); nothing otherwise: a
  // process started alone never initialises MPI and sweeps on its threads exactly as without MPI.
  // Throws std::runtime_error when MPI cannot start.
  static std::unique_ptr<SweepCluster> join_if_launched();
  ~SweepCluster();  // completes the sends, then MPI_Finalize
  SweepCluster(const SweepCluster&) = delete;
  SweepCluster& operator=(const SweepCluster&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ranks on this machine (MPI_COMM_TYPE_SHARED), this one included.
  int ranks_here() const { return ranks_here_; }

  // Collectives: every rank calls them in the same order.
  std::vector<int> all_gather(int value);
  std::string broadcast(const std::string& text);  // rank 0's text, on every rank

  // Hands `bytes` to MPI for rank `to`; never waits for the receiver.
  void send(int to, int tag, std::string bytes);
  // A message that has arrived from any rank, or nothing; also moves the sends in flight on.
  std::optional<ClusterMessage> poll();
  // Waits (sleeping between looks, not spinning) for a message with `tag` from rank `from`.
  ClusterMessage wait_for(int from, int tag);
  // Waits for every send in flight to complete.
  void complete_sends();
  // Ends every rank of the job (MPI_Abort): for a rank that cannot go on, which the others would
  // otherwise wait for.
  [[noreturn]] void abort(int code);

 private:
  SweepCluster();
  void progress_sends();

  int rank_ = 0;
  int size_ = 1;
  int ranks_here_ = 1;
  struct PendingSend;
  std::vector<std::unique_ptr<PendingSend>> sends_;
};

}  // namespace liqsim
