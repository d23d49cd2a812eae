// Executes the runs of a sweep plan on worker threads: each worker builds its own scenario and its own
// Simulation for one run at a time, so runs share nothing mutable; outcomes come back to the calling
// thread (the only one that writes the sweep file) in the order they finish. A run that throws is an
// outcome with status failed and the exception's message; the others go on.
//
// The runs are a list given up front (a sweep on threads) or handed over while the runner works
// (add(), then no_more_runs(): a rank of an MPI sweep gets its runs one request at a time).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/recorder.h"
#include "experiments/scenario.h"
#include "experiments/sweep_file.h"
#include "experiments/sweep_plan.h"

namespace liqsim {

// What a run gives the sweep: its summary, and the root attributes of its run file (for the file of
// its kept tables; scenario_toml is filled in by the caller).
struct SweepRunResult {
  RunSummary summary;
  RunMetadata metadata;
};

// What a run computes from its scenario, its records going to `sink`; tests substitute their own.
using SweepRunFunction = std::function<SweepRunResult(Scenario, Recorder& sink)>;

// The real thing: a Simulation of `scenario` run to the end, its records sent to `sink`.
SweepRunResult simulate_run(Scenario scenario, Recorder& sink);
// The same with a sink that keeps nothing (the summary never reads the records back), so a run holds
// only its world in memory.
RunSummary simulate_for_summary(Scenario scenario);

// One run of a resolved plan, on the calling thread: never throws. Failed: the scenario does not load
// (a replay file removed since validation), `run_function` throws, or money is not conserved. When the
// plan keeps tables (`keep`) and `kept_folder` is not empty, the kept records of an ok run are written,
// as a run file holding only those tables, to kept_run_path(kept_folder, run), created atomically
// (temporary file, then rename) before the outcome is returned; a failure to write it is the outcome's
// kept_error (the run is not recorded: an I/O problem of this machine, not of the run).
SweepOutcome execute_sweep_run(const SweepPlan& plan, uint64_t run, const SweepRunFunction& run_function,
                               const std::string& kept_folder = {});

class SweepRunner {
 public:
  // Starts min(jobs, runs) workers over `runs` (run indices, taken in this order).
  SweepRunner(const SweepPlan& plan, std::vector<uint64_t> runs, unsigned jobs,
              SweepRunFunction run_function = simulate_run, std::string kept_folder = {});
  // Starts `jobs` workers with no run yet: add() hands runs over, no_more_runs() ends the list.
  SweepRunner(const SweepPlan& plan, unsigned jobs, SweepRunFunction run_function = simulate_run,
              std::string kept_folder = {});
  ~SweepRunner();  // stop(), then waits for the runs in progress
  SweepRunner(const SweepRunner&) = delete;
  SweepRunner& operator=(const SweepRunner&) = delete;

  // Appends a run to the list (before no_more_runs()).
  void add(uint64_t run);
  // The list is complete: finished() can become true.
  void no_more_runs();
  // Runs added whose outcome was not yet returned by wait().
  size_t unfinished();

  // The outcomes that finished since the last call, waiting up to `timeout` for at least one.
  std::vector<SweepOutcome> wait(std::chrono::milliseconds timeout);
  // Every run's outcome was returned by wait() and the list is complete (or stop() was called and the
  // workers are idle).
  bool finished();
  // No further run starts; runs in progress finish and are still returned by wait().
  void stop();
  unsigned workers() const { return unsigned(threads_.size()); }

 private:
  void start(unsigned workers);
  void work();

  const SweepPlan& plan_;
  const SweepRunFunction run_function_;
  const std::string kept_folder_;
  std::deque<uint64_t> queue_;  // guarded by mutex_: runs not started yet
  size_t added_ = 0;
  bool complete_ = false;  // no_more_runs() was called
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable ready_;     // an outcome is there
  std::condition_variable runnable_;  // a run was added, the list completed or the runner stops
  std::deque<SweepOutcome> outcomes_;
  size_t delivered_ = 0;
  unsigned busy_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace liqsim
