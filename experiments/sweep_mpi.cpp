#include "experiments/sweep_mpi.h"

// The C interface only: the deprecated C++ bindings need a library the C target does not link.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <utility>

namespace liqsim {
namespace {

// How long a waiting rank sleeps between looks at its messages: short against a run (tens of ms and
// more), long enough that waiting costs no CPU (MPI's own blocking calls spin).
constexpr auto kPollInterval = std::chrono::milliseconds(1);

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string("MPI: ") + what + ": " + std::string(text, size_t(length)));
}

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

}  // namespace

struct SweepCluster::PendingSend {
  std::string bytes;
  MPI_Request request = MPI_REQUEST_NULL;
};

std::unique_ptr<SweepCluster> SweepCluster::join_if_launched() {
  if (!launched_by_mpi()) return nullptr;
  return std::unique_ptr<SweepCluster>(new SweepCluster());
}

SweepCluster::SweepCluster() {
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "starting");
  // Errors come back as codes (turned into exceptions here) instead of aborting the job.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "size");
  MPI_Comm here = MPI_COMM_NULL;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &here),
        "ranks on this machine");
  check(MPI_Comm_size(here, &ranks_here_), "ranks on this machine");
  MPI_Comm_free(&here);
}

SweepCluster::~SweepCluster() {
  try {
    complete_sends();
  } catch (const std::exception&) {
    // Finalising anyway: the job ends.
  }
  MPI_Finalize();
}

std::vector<int> SweepCluster::all_gather(int value) {
  std::vector<int> out(size_t(size_), 0);
  check(MPI_Allgather(&value, 1, MPI_INT, out.data(), 1, MPI_INT, MPI_COMM_WORLD), "gathering");
  return out;
}

std::string SweepCluster::broadcast(const std::string& text) {
  if (text.size() > size_t(INT_MAX)) throw std::runtime_error("MPI: broadcast of more than 2 GiB");
  int length = int(text.size());
  check(MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD), "broadcasting");
  std::string out = rank_ == 0 ? text : std::string(size_t(length), '\0');
  check(MPI_Bcast(out.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD), "broadcasting");
  return out;
}

void SweepCluster::send(int to, int tag, std::string bytes) {
  if (bytes.size() > size_t(INT_MAX)) {
    throw std::runtime_error("MPI: a message of " + std::to_string(bytes.size()) +
                             " bytes; allowed: at most 2 GiB per run");
  }
  auto pending = std::make_unique<PendingSend>();
  pending->bytes = std::move(bytes);
  check(MPI_Isend(pending->bytes.data(), int(pending->bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD,
                  &pending->request),
        "sending");
  sends_.push_back(std::move(pending));
}

void SweepCluster::progress_sends() {
  for (size_t k = 0; k < sends_.size();) {
    int done = 0;
    check(MPI_Test(&sends_[k]->request, &done, MPI_STATUS_IGNORE), "sending");
    if (done != 0) {
      sends_.erase(sends_.begin() + std::ptrdiff_t(k));
    } else {
      ++k;
    }
  }
}

std::optional<ClusterMessage> SweepCluster::poll() {
  progress_sends();
  int arrived = 0;
  MPI_Status status;
  check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status), "receiving");
  if (arrived == 0) return std::nullopt;
  int count = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &count), "receiving");
  ClusterMessage message;
  message.source = status.MPI_SOURCE;
  message.tag = status.MPI_TAG;
  message.bytes.resize(size_t(count));
  check(MPI_Recv(message.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE),
        "receiving");
  return message;
}

ClusterMessage SweepCluster::wait_for(int from, int tag) {
  for (;;) {
    progress_sends();
    int arrived = 0;
    MPI_Status status;
    check(MPI_Iprobe(from, tag, MPI_COMM_WORLD, &arrived, &status), "receiving");
    if (arrived != 0) {
      int count = 0;
      check(MPI_Get_count(&status, MPI_BYTE, &count), "receiving");
      ClusterMessage message;
      message.source = from;
      message.tag = tag;
      message.bytes.resize(size_t(count));
      check(MPI_Recv(message.bytes.data(), count, MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
            "receiving");
      return message;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void SweepCluster::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // not reached: MPI_Abort does not return
}

void SweepCluster::complete_sends() {
  while (!sends_.empty()) {
    progress_sends();
    if (!sends_.empty()) std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace liqsim
