// The summary's run metrics (experiments/run_metrics.h), each checked on a small run against a value
// computed independently: from the records of the same run, from /accounts, from the clearing house
// stepped to the window's start, or by a brute force that checks every account's margin at every mark
// update.
#include "experiments/run_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string_view>
#include <vector>

#include "analysis/cascade.h"
#include "analysis/run_file.h"
#include "experiments/hdf5_sink.h"
#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "tests/experiments/tiny_crash.h"

namespace liqsim {
namespace {

Scenario load(std::string_view text) {
  ScenarioResult r = load_scenario_text(text, "test", "");
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

Scenario keeper_crash() {
  Scenario s = load(kTinyCrash);
  s.liquidation.mechanism = "keeper";
  s.keepers.count = 6;
  s.keepers.latency_jitter_seconds = 0.1;
  return s;
}

// The p-th nearest-rank percentile of a sorted sample, written out here on its own.
template <class T>
T rank_percentile(const std::vector<T>& sorted, uint64_t p) {
  if (sorted.empty()) return T{};
  uint64_t rank = (p * sorted.size()) / 100;
  if (rank * 100 < p * sorted.size()) ++rank;  // ceil
  return sorted[rank - 1];
}

// The brute force of liquidatable episodes: a sink that keeps every record and, at every mark update
// (whose record comes after the new mark is set and before detection looks at it), checks the margin
// of every agent account; right after each liquidation it checks the liquidated account. An episode
// runs from the first check that finds the account liquidatable to the first that does not; its delay
// is from its start to its first liquidation. No trigger index, no episode bookkeeping of the run's.
class EpisodeBruteForce final : public Recorder {
 public:
  explicit EpisodeBruteForce(Time measure_from) : measure_from_(measure_from) {}
  void attach(const ClearingHouse& ch) { ch_ = &ch; }

  RunLog log;
  std::vector<int64_t> delays;  // of the episodes whose first liquidation is at or after measure_from

  // Episodes never liquidated whose account is liquidatable at the end.
  uint64_t unliquidated_at_end() const {
    uint64_t n = 0;
    for (const auto& [account, episode] : open_)
      if (!episode.liquidated && ch_->liquidatable(AccountId(account))) ++n;
    return n;
  }

  void on_mark_update(const MarkUpdateRecord& r) override {
    log.on_mark_update(r);
    const Ledger& ledger = ch_->ledger();
    for (AccountId a(kPlaceCount); a.raw() < ledger.account_count(); ++a) {
      const bool liquidatable = ch_->liquidatable(a);
      const auto it = open_.find(a.raw());
      if (liquidatable && it == open_.end())
        open_.emplace(a.raw(), Episode{r.time, false});
      else if (!liquidatable && it != open_.end())
        open_.erase(it);
    }
  }
  void on_liquidation(const LiquidationRecord& r) override {
    log.on_liquidation(r);
    auto it = open_.find(r.account);
    if (it == open_.end()) it = open_.emplace(r.account, Episode{r.time, false}).first;
    if (!it->second.liquidated) {
      it->second.liquidated = true;
      if (r.time >= measure_from_) delays.push_back((r.time - it->second.start).raw());
    }
    if (!ch_->liquidatable(AccountId(r.account))) open_.erase(it);
  }
  void on_trade(const TradeRecord& r) override { log.on_trade(r); }
  void on_funding(const FundingRecord& r) override { log.on_funding(r); }
  void on_adl(const AdlRecord& r) override { log.on_adl(r); }
  void on_social_loss(const SocialLossRecord& r) override { log.on_social_loss(r); }
  void on_keeper_tx(const KeeperTxRecord& r) override { log.on_keeper_tx(r); }
  void on_keeper_tx_queue(const KeeperTxQueueRecord& r) override { log.on_keeper_tx_queue(r); }
  void on_block(const BlockRecord& r) override { log.on_block(r); }
  void on_auction(const AuctionRecord& r) override { log.on_auction(r); }
  void on_timeseries(const TimeseriesRow& r) override { log.on_timeseries(r); }
  void on_cascade_size(const CascadeSizeRecord& r) override { log.on_cascade_size(r); }
  void on_venue_sample(const VenueSampleRecord& r) override { log.on_venue_sample(r); }
  void on_asset(const AssetFinal& r) override { log.on_asset(r); }
  void on_holding(const HoldingFinal& r) override { log.on_holding(r); }
  void on_account(const AccountFinal& r) override { log.on_account(r); }

 private:
  struct Episode {
    Time start;
    bool liquidated = false;
  };
  Time measure_from_;
  const ClearingHouse* ch_ = nullptr;
  std::map<uint32_t, Episode> open_;
};

struct CheckedRun {
  RunSummary summary;
  std::vector<int64_t> delays;  // the brute force's, sorted
  uint64_t unliquidated_episodes = 0;
  RunLog log;
};

CheckedRun run_with_brute_force(const Scenario& s) {
  EpisodeBruteForce brute(time_from_seconds(s.measure_from_seconds));
  Simulation simulation(s, RunOptions{}, brute);
  brute.attach(simulation.clearing_house());
  simulation.finish();
  CheckedRun out;
  out.summary = simulation.summary();
  out.unliquidated_episodes = brute.unliquidated_at_end();
  out.delays = brute.delays;
  std::sort(out.delays.begin(), out.delays.end());
  out.log = std::move(brute.log);
  return out;
}

void expect_delays_as_brute_force(const CheckedRun& r) {
  const RunSummary& s = r.summary;
  const std::vector<int64_t>& d = r.delays;
  EXPECT_EQ(s.liquidated_episodes, d.size());
  __int128 total = 0;
  for (int64_t x : d) total += x;
  EXPECT_EQ(s.liquidation_delay_mean_seconds, d.empty() ? 0.0 : double(total) / double(d.size()) / 1e9);
  EXPECT_EQ(s.liquidation_delay_p50_seconds, double(rank_percentile(d, 50)) / 1e9);
  EXPECT_EQ(s.liquidation_delay_p99_seconds, double(rank_percentile(d, 99)) / 1e9);
  EXPECT_EQ(s.liquidation_delay_max_seconds, d.empty() ? 0.0 : double(d.back()) / 1e9);
  EXPECT_EQ(s.unliquidated_episodes, r.unliquidated_episodes);
}

// Engine liquidation: detection hands the account to a step at once, which liquidates it then (delay
// 0) unless its reduce-only IOC finds no liquidity within max_slippage of the mark: it is retried after
// max(cool-down, one mark interval), and with a tight max_slippage many accounts wait. The delays equal
// the brute force's.
TEST(RunMetrics, EngineDelaysEqualABruteForceOverEveryAccount) {
  Scenario s = load(kTinyCrash);
  s.liquidation.get<EngineLiquidationSpec>().max_slippage = 0.0005;
  const CheckedRun r = run_with_brute_force(s);
  ASSERT_GT(r.delays.size(), 20u);
  EXPECT_EQ(r.delays.front(), 0) << "most engine liquidations start at the mark update that finds them";
  EXPECT_GT(r.delays.back(), 0) << "some wait for their cool-down";
  expect_delays_as_brute_force(r);
}

// Keepers: a transaction lands after the keeper's latency and the next block; partial take-overs
// (close factor) keep the episode going. The delays equal the brute force's.
TEST(RunMetrics, KeeperDelaysEqualABruteForceOverEveryAccount) {
  const CheckedRun r = run_with_brute_force(keeper_crash());
  ASSERT_GT(r.delays.size(), 20u);
  EXPECT_GT(r.delays[r.delays.size() / 2], 0) << "a keeper's transaction takes its latency and a block";
  EXPECT_LT(r.summary.liquidated_episodes, r.summary.liquidation_count) << "partial take-overs";
  expect_delays_as_brute_force(r);
}

// The `small` preset (500 traders, two hours) with each mechanism and a window from its first half
// hour: the delays and the episodes left at the end equal the brute force's.
TEST(RunMetrics, EveryMechanismAgreesWithTheBruteForceOnTheSmallPreset) {
  for (const char* mechanism : {"engine", "keeper", "none"}) {
    SCOPED_TRACE(mechanism);
    Scenario s = load(find_preset("small")->toml);
    s.liquidation.mechanism = mechanism;
    s.measure_from_seconds = 1800;
    ASSERT_TRUE(validate_scenario(s).empty());
    const CheckedRun r = run_with_brute_force(s);
    if (std::string_view(mechanism) != "none") {
      EXPECT_GT(r.delays.size(), 20u);
    }
    expect_delays_as_brute_force(r);
  }
}

// Keepers that find nothing worth liquidating (min_profit far above any reward): nothing is liquidated,
// and every account that ends underwater is left to the protocol. The figures equal sums over /accounts
// and a check of every account at the final marks.
TEST(RunMetrics, UnliquidatedAccountsAreSumsOverTheFinalAccounts) {
  Scenario s = keeper_crash();
  s.keepers.min_profit = 1e9;
  s.liquidation.get<KeeperLiquidationSpec>().absorb_bankrupt = false;  // nobody steps in
  const CheckedRun r = run_with_brute_force(s);
  const RunSummary& m = r.summary;
  EXPECT_EQ(m.liquidation_count, 0u);
  EXPECT_TRUE(r.log.keeper_txs.empty());

  uint64_t underwater = 0;
  Amount deficit;
  for (const AccountFinal& a : r.log.accounts) {
    if (a.role == uint8_t(AgentRole::Protocol) || a.equity.raw() >= 0) continue;
    ++underwater;
    deficit -= a.equity;
  }
  ASSERT_GT(underwater, 5u);
  EXPECT_EQ(m.unliquidated_underwater_accounts, underwater);
  EXPECT_EQ(m.unliquidated_deficit, deficit);
  EXPECT_EQ(m.insurance_fund_drawdown, Amount(0));
  EXPECT_EQ(m.bad_debt, Amount(0));
  EXPECT_EQ(m.bad_debt_in_window, Amount(0));
  EXPECT_EQ(m.protocol_loss, deficit);

  // Liquidatable at the final marks: every underwater account with a position, and more. Notional from
  // /accounts' positions at the last mark update's mark (one market).
  const Scenario again = s;
  Simulation simulation(again);
  simulation.finish();
  const ClearingHouse& ch = simulation.clearing_house();
  const Price final_mark = simulation.log().mark_updates.back().mark;
  uint64_t liquidatable = 0;
  Amount notional_total;
  for (const AccountFinal& a : simulation.log().accounts) {
    if (a.role == uint8_t(AgentRole::Protocol) || !ch.liquidatable(AccountId(a.account))) continue;
    ++liquidatable;
    notional_total += notional(final_mark, abs_quantity(a.position), Round::Down);
  }
  EXPECT_GE(liquidatable, underwater);
  EXPECT_EQ(m.liquidatable_unliquidated_accounts, liquidatable);
  EXPECT_EQ(m.liquidatable_unliquidated_notional, notional_total);
  // Every one of them was found by detection and is an episode never liquidated.
  EXPECT_EQ(m.unliquidated_episodes, liquidatable);
  EXPECT_EQ(r.unliquidated_episodes, liquidatable);
  EXPECT_EQ(m.liquidated_episodes, 0u);
}

// `none`: the same figures without keepers at all; the protocol loss is the deficit alone.
TEST(RunMetrics, NoneMechanismLeavesEveryUnderwaterAccountToTheProtocol) {
  Scenario s = load(kTinyCrash);
  s.liquidation.mechanism = "none";
  const CheckedRun r = run_with_brute_force(s);
  const RunSummary& m = r.summary;
  uint64_t underwater = 0;
  Amount deficit;
  for (const AccountFinal& a : r.log.accounts) {
    if (a.role == uint8_t(AgentRole::Protocol) || a.equity.raw() >= 0) continue;
    ++underwater;
    deficit -= a.equity;
  }
  ASSERT_GT(underwater, 5u);
  EXPECT_EQ(m.liquidation_count, 0u);
  EXPECT_EQ(m.unliquidated_underwater_accounts, underwater);
  EXPECT_EQ(m.unliquidated_deficit, deficit);
  EXPECT_EQ(m.protocol_loss, deficit);
  EXPECT_GE(m.liquidatable_unliquidated_accounts, underwater);
  EXPECT_EQ(m.cascade_count, 0u);
  EXPECT_TRUE(r.log.cascade_sizes.empty());
  // `none` leaves detected accounts unwatched: their episodes last to the end, and those liquidatable
  // then are counted; the brute force, which checks every account at every mark update, agrees.
  EXPECT_EQ(m.unliquidated_episodes, r.unliquidated_episodes);
}

// The window's liquidations rebased to ids from 0, causes before the window cut off (roots).
std::vector<LiquidationRecord> window_forest(const std::vector<LiquidationRecord>& all, Time from) {
  std::vector<LiquidationRecord> out;
  int64_t first = -1;
  for (const LiquidationRecord& l : all) {
    if (l.time < from) continue;
    if (first < 0) first = l.id;
    LiquidationRecord r = l;
    r.id = l.id - first;
    r.cause = l.cause < first ? kNoId : l.cause - first;
    out.push_back(r);
  }
  return out;
}

// Tree sizes of a forest by following each liquidation's causes to its root, in increasing size.
std::vector<uint64_t> tree_sizes(const std::vector<LiquidationRecord>& forest) {
  std::map<int64_t, uint64_t> size_of_root;
  for (const LiquidationRecord& l : forest) {
    int64_t root = l.id;
    while (forest[size_t(root)].cause != kNoId) root = forest[size_t(root)].cause;
    ++size_of_root[root];
  }
  std::vector<uint64_t> sizes;
  for (const auto& [root, size] : size_of_root) sizes.push_back(size);
  std::sort(sizes.begin(), sizes.end());
  return sizes;
}

std::string digest_of_tables(const RunResult& run, RunLog log, const std::string& name) {
  log.cascade_sizes.clear();  // derived from the window; every other table holds the run's records
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / (name + "-" + std::to_string(::getpid()) + ".h5"))
          .string();
  std::filesystem::remove(path);
  EXPECT_EQ(write_run_file(path, run.metadata, log, run.summary, false), std::nullopt);
  const auto digest = dataset_digest(path);
  std::filesystem::remove(path);
  return digest.index() == 0 ? std::get<0>(digest) : std::get<1>(digest);
}

// The window's liquidation figures equal those of the records at or after measure_from; the records,
// the prices and the end state are the whole run's, unchanged by the window.
void expect_window_figures(const RunResult& whole, const RunResult& windowed) {
  const RunSummary& w = windowed.summary;
  const Time from = w.measure_from;
  const std::vector<LiquidationRecord>& all = windowed.log.liquidations;
  EXPECT_EQ(digest_of_tables(whole, windowed.log, "windowed"), digest_of_tables(whole, whole.log, "whole"));

  uint64_t count = 0, engine = 0;
  Amount liquidated, rewards;
  double slippage = 0;
  for (const LiquidationRecord& l : all) {
    if (l.time < from) continue;
    ++count;
    engine += l.mechanism == LiquidationMechanismKind::Engine ? 1 : 0;
    liquidated += notional(l.mark, abs_quantity(l.quantity), Round::Down);
    rewards += l.reward;
    slippage += std::fabs(to_double(l.price - l.mark)) / to_double(l.mark);
  }
  EXPECT_EQ(w.liquidation_count, count);
  EXPECT_EQ(w.engine_liquidations, engine);
  EXPECT_EQ(w.keeper_liquidations, count - engine);
  EXPECT_EQ(w.liquidated_notional, liquidated);
  EXPECT_EQ(w.keeper_rewards, rewards);
  EXPECT_EQ(w.mean_slippage, count == 0 ? 0.0 : slippage / double(count));
  uint64_t adl = 0;
  Quantity adl_quantity;
  for (const AdlRecord& a : windowed.log.adl) {
    if (a.time < from) continue;
    ++adl;
    adl_quantity += abs_quantity(a.quantity);
  }
  EXPECT_EQ(w.adl_count, adl);
  EXPECT_EQ(w.adl_quantity, adl_quantity);

  // Cascades of the window: Boost.Graph's analysis of the cut forest, and its tree sizes.
  const std::vector<LiquidationRecord> forest = window_forest(all, from);
  const CascadeStats stats = analyze_cascades(forest);
  EXPECT_EQ(w.cascade_generations, stats.generations);
  EXPECT_EQ(w.largest_cascade, stats.largest_cascade);
  EXPECT_EQ(w.branching_ratio, stats.branching_ratio);
  EXPECT_EQ(w.cascade_count, stats.roots);
  const std::vector<uint64_t> sizes = tree_sizes(forest);
  EXPECT_EQ(w.cascade_size_mean, sizes.empty() ? 0.0 : double(count) / double(sizes.size()));
  EXPECT_EQ(w.cascade_size_p50, rank_percentile(sizes, 50));
  EXPECT_EQ(w.cascade_size_p99, rank_percentile(sizes, 99));
  std::vector<CascadeSizeRecord> distribution;
  for (uint64_t size : sizes) {
    if (distribution.empty() || distribution.back().size != size)
      distribution.push_back({size, 1});
    else
      ++distribution.back().trees;
  }
  ASSERT_EQ(windowed.log.cascade_sizes.size(), distribution.size());
  for (size_t i = 0; i < distribution.size(); ++i) {
    EXPECT_EQ(windowed.log.cascade_sizes[i].size, distribution[i].size) << i;
    EXPECT_EQ(windowed.log.cascade_sizes[i].trees, distribution[i].trees) << i;
  }

  // Whole-run and end figures do not depend on the window.
  const RunSummary& r = whole.summary;
  EXPECT_EQ(w.events_processed, r.events_processed);
  EXPECT_EQ(w.mark_min, r.mark_min);
  EXPECT_EQ(w.mark_max, r.mark_max);
  EXPECT_EQ(w.insurance_fund_initial, r.insurance_fund_initial);
  EXPECT_EQ(w.insurance_fund_min, r.insurance_fund_min);
  EXPECT_EQ(w.insurance_fund_final, r.insurance_fund_final);
  EXPECT_EQ(w.bad_debt, r.bad_debt);
  EXPECT_EQ(w.unliquidated_underwater_accounts, r.unliquidated_underwater_accounts);
  EXPECT_EQ(w.unliquidated_deficit, r.unliquidated_deficit);
  EXPECT_EQ(w.liquidatable_unliquidated_accounts, r.liquidatable_unliquidated_accounts);
  EXPECT_EQ(w.protocol_loss, w.insurance_fund_drawdown + w.bad_debt_in_window + w.unliquidated_deficit);
}

RunResult run_from(Scenario s, double measure_from_seconds) {
  s.measure_from_seconds = measure_from_seconds;
  EXPECT_TRUE(validate_scenario(s).empty());
  return run_simulation(s, to_toml(s), RunOptions{});
}

// A window that starts just after the run's first liquidation leaves exactly that one out (and any at
// the same instant); one that starts in the middle of the crash cuts cascades, whose liquidations in
// the window become roots of the window's forest.
TEST(RunMetrics, TheWindowLeavesOutTheLiquidationsBeforeIt) {
  const Scenario s = load(kTinyCrash);
  const RunResult whole = run_from(s, 0);
  const std::vector<LiquidationRecord>& all = whole.log.liquidations;
  ASSERT_GT(all.size(), 50u);
  EXPECT_EQ(whole.summary.measure_from, Time(0));
  EXPECT_EQ(whole.summary.liquidation_count, all.size());
  EXPECT_EQ(whole.summary.cascade_count, analyze_cascades(all).roots);

  // Just after the first liquidation.
  const Time first = all.front().time;
  const auto next = std::find_if(all.begin(), all.end(), [&](const auto& l) { return l.time > first; });
  ASSERT_NE(next, all.end());
  const RunResult after_first = run_from(s, (to_seconds(first) + to_seconds(next->time)) / 2);
  ASSERT_GT(after_first.summary.measure_from, first);
  ASSERT_LE(after_first.summary.measure_from, next->time);
  EXPECT_EQ(after_first.summary.liquidation_count, all.size() - size_t(next - all.begin()));
  expect_window_figures(whole, after_first);

  // In the middle of the crash.
  const Time middle = all[all.size() / 2].time;
  const RunResult cut = run_from(s, to_seconds(middle));
  const std::vector<LiquidationRecord> forest = window_forest(cut.log.liquidations, cut.summary.measure_from);
  size_t caused_from_before = 0;
  for (size_t i = 0; i < forest.size(); ++i) {
    const LiquidationRecord& original = all[all.size() - forest.size() + i];
    caused_from_before += forest[i].cause == kNoId && original.cause != kNoId ? 1 : 0;
  }
  EXPECT_GT(caused_from_before, 0u) << "the window cuts at least one cascade";
  EXPECT_LT(cut.summary.liquidation_count, whole.summary.liquidation_count);
  expect_window_figures(whole, cut);
}

// Keepers' figures of a window: gas, failed transactions, rewards from the records at or after it; the
// profit from the keepers' equity net of deposits at the end (/accounts) minus the same at the window's
// start (the clearing house stepped to just before it); the fund's drawdown and the window's bad debt
// from the fund and the deficit at that moment.
TEST(RunMetrics, KeeperFiguresOfTheWindow) {
  Scenario s = keeper_crash();
  const RunResult whole = run_from(s, 0);
  ASSERT_GT(whole.log.keeper_txs.size(), 20u);
  // With the window at 0 the keepers' profit is their whole-run equity net of deposits, net of all gas.
  Amount net_end;
  for (const AccountFinal& a : whole.log.accounts)
    if (a.role == uint8_t(AgentRole::Keeper)) net_end += a.equity - a.deposits;
  EXPECT_EQ(whole.summary.keeper_profit, net_end);
  Amount all_gas;
  for (const KeeperTxRecord& tx : whole.log.keeper_txs) all_gas += tx.gas_paid;
  EXPECT_EQ(whole.summary.keeper_gas, all_gas);

  const Time from = whole.log.keeper_txs[whole.log.keeper_txs.size() / 2].executed;
  s.measure_from_seconds = to_seconds(from);
  Simulation simulation(s);
  simulation.run_until(from - Time(1));
  const ClearingHouse& ch = simulation.clearing_house();
  const Ledger& ledger = ch.ledger();
  Amount net_start;
  for (AccountId a(kPlaceCount); a.raw() < ledger.account_count(); ++a)
    if (ledger.account(a).role == AgentRole::Keeper) net_start += ch.equity(a) - ledger.account(a).deposits;
  const Amount fund_start = ledger.insurance_fund();
  const Amount bad_debt_start = ledger.bad_debt();
  simulation.finish();
  const RunSummary m = simulation.summary();
  const RunLog& log = simulation.log();
  ASSERT_EQ(m.measure_from, from);

  Amount gas, failed_gas, rewards;
  uint64_t failed = 0, liquidations = 0;
  for (const KeeperTxRecord& tx : log.keeper_txs) {
    if (tx.executed < from) continue;
    gas += tx.gas_paid;
    if (tx.succeeded == 0) {
      ++failed;
      failed_gas += tx.gas_paid;
    }
  }
  for (const LiquidationRecord& l : log.liquidations) {
    if (l.time < from || l.mechanism != LiquidationMechanismKind::Keeper)
      continue;  // not the fund's absorptions
    ++liquidations;
    rewards += l.reward;
  }
  ASSERT_GT(failed, 0u) << "keepers raced for the same accounts";
  EXPECT_LT(gas, all_gas);
  EXPECT_EQ(m.keeper_gas, gas);
  EXPECT_EQ(m.keeper_failed_txs, failed);
  EXPECT_EQ(m.keeper_failed_gas, failed_gas);
  EXPECT_EQ(m.keeper_rewards, rewards);
  EXPECT_EQ(m.keeper_liquidations, liquidations);
  Amount net_final;
  for (const AccountFinal& a : log.accounts)
    if (a.role == uint8_t(AgentRole::Keeper)) net_final += a.equity - a.deposits;
  EXPECT_EQ(m.keeper_profit, net_final - net_start);
  EXPECT_EQ(m.bad_debt_in_window, m.bad_debt - bad_debt_start);
  // The fund's lowest balance is taken after every event: at most the lowest time-series sample.
  Amount sampled_min = m.insurance_fund_final;
  for (const TimeseriesRow& row : log.timeseries)
    if (row.time >= from) sampled_min = std::min(sampled_min, row.insurance_fund);
  EXPECT_GE(m.insurance_fund_drawdown, fund_start - sampled_min);
  EXPECT_LE(m.insurance_fund_drawdown, fund_start - m.insurance_fund_min);
  EXPECT_EQ(m.protocol_loss, m.insurance_fund_drawdown + m.bad_debt_in_window + m.unliquidated_deficit);
}

}  // namespace
}  // namespace liqsim
