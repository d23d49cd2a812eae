#include "experiments/sweep_runner.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "analysis/run_file.h"
#include "core/units.h"
#include "experiments/hdf5_sink.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"

namespace liqsim {

namespace {

// Passes the records of the kept tables on to the run file writer and drops the others: the writer
// then stores the kept tables as a run file does and the others with zero rows.
class KeptRecords final : public Recorder {
 public:
  KeptRecords(Recorder& to, const std::vector<std::string>& keep) : to_(to) {
    const auto kept = [&](const char* name) {
      return std::find(keep.begin(), keep.end(), name) != keep.end();
    };
    timeseries_ = kept("timeseries");
    liquidations_ = kept("liquidations");
    trades_ = kept("trades");
    funding_ = kept("funding");
    mark_updates_ = kept("mark_updates");
    adl_ = kept("adl");
    social_losses_ = kept("social_losses");
    keeper_txs_ = kept("keeper_txs");
    keeper_tx_queue_ = kept("keeper_tx_queue");
    blocks_ = kept("blocks");
    auctions_ = kept("auctions");
    cascade_sizes_ = kept("cascade_sizes");
    venue_timeseries_ = kept("venue_timeseries");
    option_fills_ = kept("option_fills");
    option_liquidations_ = kept("option_liquidations");
    assets_ = kept("assets");
    holdings_ = kept("holdings");
    accounts_ = kept("accounts");
  }
  void on_trade(const TradeRecord& r) override {
    if (trades_) to_.on_trade(r);
  }
  void on_liquidation(const LiquidationRecord& r) override {
    if (liquidations_) to_.on_liquidation(r);
  }
  void on_funding(const FundingRecord& r) override {
    if (funding_) to_.on_funding(r);
  }
  void on_adl(const AdlRecord& r) override {
    if (adl_) to_.on_adl(r);
  }
  void on_social_loss(const SocialLossRecord& r) override {
    if (social_losses_) to_.on_social_loss(r);
  }
  void on_keeper_tx(const KeeperTxRecord& r) override {
    if (keeper_txs_) to_.on_keeper_tx(r);
  }
  void on_keeper_tx_queue(const KeeperTxQueueRecord& r) override {
    if (keeper_tx_queue_) to_.on_keeper_tx_queue(r);
  }
  void on_block(const BlockRecord& r) override {
    if (blocks_) to_.on_block(r);
  }
  void on_auction(const AuctionRecord& r) override {
    if (auctions_) to_.on_auction(r);
  }
  void on_cascade_size(const CascadeSizeRecord& r) override {
    if (cascade_sizes_) to_.on_cascade_size(r);
  }
  void on_timeseries(const TimeseriesRow& r) override {
    if (timeseries_) to_.on_timeseries(r);
  }
  void on_mark_update(const MarkUpdateRecord& r) override {
    if (mark_updates_) to_.on_mark_update(r);
  }
  void on_venue_sample(const VenueSampleRecord& r) override {
    if (venue_timeseries_) to_.on_venue_sample(r);
  }
  void on_asset(const AssetFinal& r) override {
    if (assets_) to_.on_asset(r);
  }
  void on_holding(const HoldingFinal& r) override {
    if (holdings_) to_.on_holding(r);
  }
  void on_account(const AccountFinal& r) override {
    if (accounts_) to_.on_account(r);
  }
  void on_option_fill(const OptionFillRecord& r) override {
    if (option_fills_) to_.on_option_fill(r);
  }
  void on_option_liquidation(const OptionLiquidationRecord& r) override {
    if (option_liquidations_) to_.on_option_liquidation(r);
  }

 private:
  Recorder& to_;
  bool timeseries_ = false, liquidations_ = false, trades_ = false, funding_ = false, mark_updates_ = false,
       adl_ = false, social_losses_ = false, keeper_txs_ = false, keeper_tx_queue_ = false, blocks_ = false,
       auctions_ = false, cascade_sizes_ = false, assets_ = false, holdings_ = false, accounts_ = false,
       venue_timeseries_ = false, option_fills_ = false, option_liquidations_ = false;
};

}  // namespace

SweepRunResult simulate_run(Scenario scenario, Recorder& sink) {
  Simulation simulation(std::move(scenario), RunOptions{}, sink);
  simulation.finish();
  return {simulation.summary(), simulation.metadata("")};
}

RunSummary simulate_for_summary(Scenario scenario) {
  DiscardingRecorder discard;
  return simulate_run(std::move(scenario), discard).summary;
}

SweepOutcome execute_sweep_run(const SweepPlan& plan, uint64_t run, const SweepRunFunction& run_function,
                               const std::string& kept_folder) {
  SweepOutcome outcome;
  outcome.run = run;
  outcome.status = SweepRunStatus::Failed;
  const std::vector<std::string>& keep = plan.spec().keep;
  const bool keeping = !keep.empty() && !kept_folder.empty();
  try {
    ScenarioResult loaded = plan.scenario(plan.run(run));
    if (auto* errors = std::get_if<std::vector<ScenarioError>>(&loaded)) {
      outcome.error = "scenario: " + (errors->empty() ? std::string("invalid") : errors->front().message());
      return outcome;
    }
    Scenario& scenario = std::get<Scenario>(loaded);
    SweepRunResult result;
    if (keeping) {
      // The kept tables go to their own run file as the run goes (written by a background thread of
      // the writer, compressed by one more): the run holds only the chunks in flight.
      const std::string path = kept_run_path(kept_folder, run);
      RunFileOptions options;
      options.encoder_threads = 1;
      options.remove_on_signal = false;  // several at once; the sweep cleans its folder up instead
      auto opened = RunFileWriter::open(path, options);
      if (auto* failure = std::get_if<std::string>(&opened)) {
        outcome.kept_error = *failure;
        return outcome;
      }
      RunFileWriter& writer = *std::get<std::unique_ptr<RunFileWriter>>(opened);
      const std::string scenario_toml = to_toml(scenario);
      KeptRecords kept(writer, keep);
      result = run_function(std::move(scenario), kept);
      if (result.summary.conservation_residual == Amount::zero()) {
        result.metadata.scenario_toml = scenario_toml;
        result.metadata.schema_version = kRunFileSchemaVersion;
        if (auto failure = writer.finish(result.metadata, result.summary, /*overwrite=*/true)) {
          outcome.kept_error = *failure;
          return outcome;
        }
      }
    } else {
      DiscardingRecorder discard;
      result = run_function(std::move(scenario), discard);
    }
    outcome.summary = result.summary;
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
                         SweepRunFunction run_function, std::string kept_folder)
    : plan_(plan), run_function_(std::move(run_function)), kept_folder_(std::move(kept_folder)) {
  queue_.assign(runs.begin(), runs.end());
  added_ = runs.size();
  complete_ = true;
  start(unsigned(std::min<size_t>(std::max(jobs, 1u), runs.size())));
}

SweepRunner::SweepRunner(const SweepPlan& plan, unsigned jobs, SweepRunFunction run_function,
                         std::string kept_folder)
    : plan_(plan), run_function_(std::move(run_function)), kept_folder_(std::move(kept_folder)) {
  start(std::max(jobs, 1u));
}

void SweepRunner::start(unsigned workers) {
  for (unsigned w = 0; w < workers; ++w) threads_.emplace_back([this] { work(); });
}

SweepRunner::~SweepRunner() {
  stop();
  for (std::thread& t : threads_) t.join();
}

void SweepRunner::add(uint64_t run) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(run);
    ++added_;
  }
  runnable_.notify_one();
}

void SweepRunner::no_more_runs() {
  {
    std::lock_guard lock(mutex_);
    complete_ = true;
  }
  runnable_.notify_all();
  ready_.notify_all();
}

size_t SweepRunner::unfinished() {
  std::lock_guard lock(mutex_);
  return added_ - delivered_;
}

void SweepRunner::work() {
  while (true) {
    uint64_t run = 0;
    {
      // Taking a run and counting it busy is one step, so finished() never misses a run about to start.
      std::unique_lock lock(mutex_);
      runnable_.wait(lock, [&] { return stopping_.load() || !queue_.empty() || complete_; });
      if (stopping_.load() || queue_.empty()) break;
      run = queue_.front();
      queue_.pop_front();
      ++busy_;
    }
    SweepOutcome outcome = execute_sweep_run(plan_, run, run_function_, kept_folder_);
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
  if (complete_ && delivered_ == added_) return true;
  return stopping_.load() && busy_ == 0 && outcomes_.empty();
}

void SweepRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  runnable_.notify_all();
}

}  // namespace liqsim
