// Executes the runs of a sweep plan on worker threads: each worker builds its own scenario and its own
// Simulation for one run at a time, so runs share nothing mutable; outcomes come back to the calling
// thread (the only one that writes the sweep file) in the order they finish. A run that throws is an
// outcome with status failed and the exception's message; the others go on.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/recorder.h"
#include "experiments/scenario.h"
#include "experiments/sweep_file.h"
#include "experiments/sweep_plan.h"

namespace liqsim {

// What a run computes from its scenario; tests substitute their own.
using SweepRunFunction = std::function<RunSummary(Scenario)>;

// The real thing: a Simulation of `scenario` run to the end, and its summary. Its records go to a sink
// that keeps none (the summary never reads them back), so a run holds only its world in memory.
RunSummary simulate_for_summary(Scenario scenario);

// One run of a resolved plan, on the calling thread: never throws. Failed: the scenario does not load
// (a replay file removed since validation), `run_function` throws, or money is not conserved.
SweepOutcome execute_sweep_run(const SweepPlan& plan, uint64_t run, const SweepRunFunction& run_function);

class SweepRunner {
 public:
  // Starts min(jobs, runs) workers over `runs` (run indices, taken in this order).
  SweepRunner(const SweepPlan& plan, std::vector<uint64_t> runs, unsigned jobs,
              SweepRunFunction run_function = simulate_for_summary);
  ~SweepRunner();  // stop(), then waits for the runs in progress
  SweepRunner(const SweepRunner&) = delete;
  SweepRunner& operator=(const SweepRunner&) = delete;

  // The outcomes that finished since the last call, waiting up to `timeout` for at least one.
  std::vector<SweepOutcome> wait(std::chrono::milliseconds timeout);
  // Every run's outcome was returned by wait() (or stop() was called and the workers are idle).
  bool finished();
  // No further run starts; runs in progress finish and are still returned by wait().
  void stop();
  unsigned workers() const { return unsigned(threads_.size()); }

 private:
  void work();

  const SweepPlan& plan_;
  const std::vector<uint64_t> runs_;
  const SweepRunFunction run_function_;
  size_t next_ = 0;  // guarded by mutex_
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<SweepOutcome> outcomes_;
  size_t delivered_ = 0;
  unsigned busy_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace liqsim
