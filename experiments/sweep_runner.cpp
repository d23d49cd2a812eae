#include "experiments/sweep_runner.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "core/units.h"
#include "experiments/simulation.h"

namespace liqsim {

namespace {

// A sink that keeps nothing: the summary of a run never reads its records back.
class DiscardRecords final : public Recorder {
 public:
  void on_trade(const TradeRecord&) override {}
  void on_liquidation(const LiquidationRecord&) override {}
  void on_funding(const FundingRecord&) override {}
  void on_adl(const AdlRecord&) override {}
  void on_keeper_tx(const KeeperTxRecord&) override {}
  void on_keeper_tx_queue(const KeeperTxQueueRecord&) override {}
  void on_block(const BlockRecord&) override {}
  void on_timeseries(const TimeseriesRow&) override {}
  void on_mark_update(const MarkUpdateRecord&) override {}
  void on_cascade_size(const CascadeSizeRecord&) override {}
  void on_asset(const AssetFinal&) override {}
  void on_holding(const HoldingFinal&) override {}
  void on_account(const AccountFinal&) override {}
};

}  // namespace

RunSummary simulate_for_summary(Scenario scenario) {
  DiscardRecords discard;
  Simulation simulation(std::move(scenario), RunOptions{}, discard);
  simulation.finish();
  return simulation.summary();
}

SweepOutcome execute_sweep_run(const SweepPlan& plan, uint64_t run, const SweepRunFunction& run_function) {
  SweepOutcome outcome;
  outcome.run = run;
  outcome.status = SweepRunStatus::Failed;
  try {
    ScenarioResult loaded = plan.scenario(plan.run(run));
    if (auto* errors = std::get_if<std::vector<ScenarioError>>(&loaded)) {
      outcome.error = "scenario: " + (errors->empty() ? std::string("invalid") : errors->front().message());
      return outcome;
    }
    outcome.summary = run_function(std::get<Scenario>(std::move(loaded)));
    if (outcome.summary.conservation_residual != Amount::zero()) {
      outcome.error = "conservation violated: residual $" +
                      format_amount(outcome.summary.conservation_residual) + " (must be 0)";
      return outcome;
    }
    outcome.status = SweepRunStatus::Ok;
  } catch (const std::exception& e) {
    outcome.error = e.what();
  } catch (...) {
    outcome.error = "unknown exception";
  }
  return outcome;
}

SweepRunner::SweepRunner(const SweepPlan& plan, std::vector<uint64_t> runs, unsigned jobs,
                         SweepRunFunction run_function)
    : plan_(plan), runs_(std::move(runs)), run_function_(std::move(run_function)) {
  const size_t workers = std::min<size_t>(std::max(jobs, 1u), runs_.size());
  for (size_t w = 0; w < workers; ++w) threads_.emplace_back([this] { work(); });
}

SweepRunner::~SweepRunner() {
  stop();
  for (std::thread& t : threads_) t.join();
}

void SweepRunner::work() {
  while (true) {
    size_t k = 0;
    {
      // Taking a run and counting it busy is one step, so finished() never misses a run about to start.
      std::lock_guard lock(mutex_);
      if (stopping_.load() || next_ >= runs_.size()) break;
      k = next_++;
      ++busy_;
    }
    SweepOutcome outcome = execute_sweep_run(plan_, runs_[k], run_function_);
    {
      std::lock_guard lock(mutex_);
      --busy_;
      outcomes_.push_back(std::move(outcome));
    }
    ready_.notify_all();
  }
  ready_.notify_all();
}

std::vector<SweepOutcome> SweepRunner::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [&] { return !outcomes_.empty(); });
  std::vector<SweepOutcome> out(std::make_move_iterator(outcomes_.begin()),
                                std::make_move_iterator(outcomes_.end()));
  outcomes_.clear();
  delivered_ += out.size();
  return out;
}

bool SweepRunner::finished() {
  std::lock_guard lock(mutex_);
  if (delivered_ == runs_.size()) return true;
  return stopping_.load() && busy_ == 0 && outcomes_.empty();
}

void SweepRunner::stop() { stopping_.store(true); }

}  // namespace liqsim
