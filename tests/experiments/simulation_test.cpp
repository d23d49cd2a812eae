// Whole-run scenario tests: tiny fixed-seed runs and the behaviour they must show.
#include "experiments/simulation.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "analysis/cascade.h"
#include "analysis/run_file.h"
#include "experiments/hdf5_sink.h"
#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
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

Scenario preset(std::string_view name) { return load(find_preset(name)->toml); }

RunResult run(const Scenario& s, bool check_every_event = false) {
  RunOptions options;
  options.check_every_event = check_every_event;
  return run_simulation(s, to_toml(s), options);
}

Amount notional_of(const LiquidationRecord& l) {
  return notional(l.mark, l.quantity.raw() < 0 ? -l.quantity : l.quantity, Round::Down);
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / (name + "-" + std::to_string(::getpid()) + ".h5"))
      .string();
}

std::string digest_of(const RunResult& r, const std::string& name) {
  const std::string path = temp_path(name);
  std::filesystem::remove(path);
  const auto error = write_run_file(path, r.metadata, r.log, r.summary, false);
  EXPECT_FALSE(error.has_value()) << *error;
  auto d = dataset_digest(path);
  std::filesystem::remove(path);
  EXPECT_EQ(d.index(), 0u);
  return d.index() == 0 ? std::get<0>(d) : std::string();
}

// The CLI's way: records streamed to the run file during the run (in small chunks here). Same content as
// the in-memory run written at the end, and the same summary.
TEST(Simulation, StreamingToTheRunFileEqualsTheInMemoryRun) {
  const Scenario s = load(kTinyCrash);
  const RunResult in_memory = run(s);
  const std::string path = temp_path("streamed");
  std::filesystem::remove(path);
  RunFileOptions options;
  options.chunk_rows = 100;
  options.max_pending_chunks = 2;
  auto opened = RunFileWriter::open(path, options);
  ASSERT_EQ(opened.index(), 0u) << std::get<1>(opened);
  RunFileWriter& writer = *std::get<0>(opened);
  Simulation simulation(s, {}, writer);
  simulation.run_until(Time(simulation.end().raw() / 3));
  simulation.finish();
  const RunSummary summary = simulation.summary();
  ASSERT_EQ(writer.finish(simulation.metadata(to_toml(s)), summary, false), std::nullopt);
  EXPECT_GT(writer.stats().chunks_written, 10u);
  EXPECT_LE(writer.stats().peak_pending_rows, 200u);

  auto streamed = dataset_digest(path);
  std::filesystem::remove(path);
  ASSERT_EQ(streamed.index(), 0u);
  EXPECT_EQ(std::get<0>(streamed), digest_of(in_memory, "in-memory"));
  EXPECT_EQ(summary.liquidation_count, in_memory.summary.liquidation_count);
  EXPECT_EQ(summary.cascade_generations, in_memory.summary.cascade_generations);
  EXPECT_EQ(summary.mean_slippage, in_memory.summary.mean_slippage);
}

// The summary's record figures are kept as the records arrive; they equal what the records give.
TEST(Simulation, SummaryFiguresFollowTheRecords) {
  for (const Scenario& s : {load(kTinyCrash), preset("small")}) {
    const RunResult r = run(s);
    const RunLog& log = r.log;
    ASSERT_GT(log.liquidations.size(), 0u) << s.name;
    uint64_t engine = 0;
    Amount notional;
    Amount rewards;
    double slippage = 0;
    for (const LiquidationRecord& l : log.liquidations) {
      engine += l.mechanism == LiquidationMechanismKind::Engine ? 1 : 0;
      notional += notional_of(l);
      rewards += l.reward;
      slippage += std::fabs(to_double(l.price - l.mark)) / to_double(l.mark);
    }
    Quantity adl;
    for (const AdlRecord& a : log.adl) adl += a.quantity.raw() < 0 ? -a.quantity : a.quantity;
    const CascadeStats cascades = analyze_cascades(log.liquidations);
    EXPECT_EQ(r.summary.liquidation_count, log.liquidations.size()) << s.name;
    EXPECT_EQ(r.summary.engine_liquidations, engine) << s.name;
    EXPECT_EQ(r.summary.keeper_liquidations, log.liquidations.size() - engine) << s.name;
    EXPECT_EQ(r.summary.liquidated_notional, notional) << s.name;
    EXPECT_EQ(r.summary.keeper_rewards, rewards) << s.name;
    EXPECT_EQ(r.summary.mean_slippage, slippage / double(log.liquidations.size())) << s.name;
    EXPECT_EQ(r.summary.cascade_generations, cascades.generations) << s.name;
    EXPECT_EQ(r.summary.largest_cascade, cascades.largest_cascade) << s.name;
    EXPECT_EQ(r.summary.branching_ratio, cascades.branching_ratio) << s.name;
    EXPECT_EQ(r.summary.adl_count, log.adl.size()) << s.name;
    EXPECT_EQ(r.summary.adl_quantity, adl) << s.name;
    EXPECT_EQ(r.summary.accounts + kPlaceCount, log.accounts.size()) << s.name;  // places are accounts too
  }
}

TEST(SimulationDeathTest, LogIsTheInMemorySinkOnly) {
  RunLog sink;
  Simulation simulation(load(kTinyCrash), {}, sink);
  simulation.run_until(seconds(60));
  EXPECT_GT(sink.timeseries.size(), 0u);
  EXPECT_DEATH((void)simulation.log(), "in-memory log");
}

TEST(Simulation, ConservationHoldsAfterEveryEvent) {
  // run() aborts through LIQSIM_CHECK if money or positions are not conserved after any event.
  const RunResult r = run(load(kTinyCrash), /*check_every_event=*/true);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  EXPECT_GT(r.summary.liquidation_count, 0u);
}

TEST(Simulation, KeeperRunConservesAfterEveryEvent) {
  Scenario s = load(kTinyCrash);
  s.liquidation.mechanism = "keeper";
  const RunResult r = run(s, /*check_every_event=*/true);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  EXPECT_GT(r.summary.keeper_liquidations, 0u);
}

TEST(Simulation, SameSeedGivesIdenticalDatasets) {
  const Scenario s = load(kTinyCrash);
  EXPECT_EQ(digest_of(run(s), "a"), digest_of(run(s), "b"));
}

TEST(Simulation, DifferentSeedGivesDifferentDatasets) {
  Scenario s = load(kTinyCrash);
  const std::string first = digest_of(run(s), "c");
  s.seed = 8;
  EXPECT_NE(first, digest_of(run(s), "d"));
}

TEST(Simulation, ShockProducesAMultiGenerationSpiral) {
  const RunResult r = run(preset("small"));
  EXPECT_GT(r.summary.liquidation_count, 50u);
  EXPECT_GE(r.summary.cascade_generations, 3u);
  // Some liquidations were caused by earlier ones (the index alone would not have triggered them),
  // and they chain into a cascade of several liquidations.
  EXPECT_GT(r.summary.branching_ratio, 0.0);
  EXPECT_GE(r.summary.largest_cascade, 5u);
  // Every liquidation's cause is an earlier liquidation of another account (or none).
  for (const auto& l : r.log.liquidations) {
    ASSERT_LT(l.cause, l.id);
    if (l.cause >= 0) {
      EXPECT_NE(r.log.liquidations[size_t(l.cause)].account, l.account);
    }
  }
}

TEST(Simulation, NoShockNoCascade) {
  Scenario s = load(kTinyCrash);
  s.markets[0].shock.enabled = false;
  s.markets[0].price.vol_per_year = 0.2;
  const RunResult r = run(s);
  EXPECT_LT(r.summary.liquidation_count, 5u);
  EXPECT_LE(r.summary.cascade_generations, 1u);
}

TEST(Simulation, EngineLiquidationsAreSlicedAndCooledDown) {
  Scenario s = load(kTinyCrash);
  s.liquidation.get<EngineLiquidationSpec>().full_close_below_notional = 0;  // always partial steps
  s.liquidation.get<EngineLiquidationSpec>().step_fraction = 0.25;
  s.liquidation.get<EngineLiquidationSpec>().cooldown_seconds = 20;
  const RunResult r = run(s);
  std::map<uint32_t, std::vector<Time>> steps;
  for (const auto& l : r.log.liquidations) steps[l.account].push_back(l.time);
  bool saw_multi_step = false;
  for (const auto& [account, times] : steps) {
    for (size_t k = 1; k < times.size(); ++k) EXPECT_GE(times[k] - times[k - 1], seconds(20));
    saw_multi_step |= times.size() > 1;
  }
  EXPECT_TRUE(saw_multi_step);
}

TEST(Simulation, KeepersRaceAndLosersStillPayGas) {
  Scenario s = load(kTinyCrash);
  s.liquidation.mechanism = "keeper";
  s.keepers.count = 6;
  s.keepers.latency_jitter_seconds = 0.1;
  s.liquidation.get<KeeperLiquidationSpec>().close_factor =
      1.0;  // the first keeper in a block takes everything
  const RunResult r = run(s);
  uint64_t failed = 0, succeeded = 0;
  Amount gas;
  for (const auto& tx : r.log.keeper_txs) {
    (tx.succeeded ? succeeded : failed)++;
    gas += tx.gas_paid;
  }
  EXPECT_GT(succeeded, 0u);
  EXPECT_GT(failed, 0u);  // several keepers raced for the same accounts
  EXPECT_EQ(gas, r.summary.keeper_gas);
  EXPECT_EQ(succeeded, r.summary.keeper_liquidations);
  for (const auto& l : r.log.liquidations) {
    if (l.mechanism == LiquidationMechanismKind::Engine) {  // the fund absorbed an account without equity
      EXPECT_EQ(l.keeper, kNoId);
      EXPECT_EQ(l.reward, Amount(0));
      continue;
    }
    EXPECT_GE(l.keeper, 0);
    EXPECT_GT(l.reward.raw(), 0);
  }
}

TEST(Simulation, PriorityFeeOrderingLetsTheHighestBidderWin) {
  Scenario s = load(kTinyCrash);
  s.liquidation.mechanism = "keeper";
  s.keepers.count = 6;
  s.keepers.latency_seconds = 0;
  s.keepers.latency_jitter_seconds = 0;  // every keeper lands in the same block
  s.same_time_order = "priority_fee";
  const RunResult r = run(s);
  // Within each block, transactions execute in descending fee order.
  std::map<int64_t, std::vector<uint64_t>> fees_by_block;
  for (const auto& tx : r.log.keeper_txs) fees_by_block[tx.executed.raw()].push_back(tx.priority_fee);
  ASSERT_FALSE(fees_by_block.empty());
  for (const auto& [block, fees] : fees_by_block)
    for (size_t k = 1; k < fees.size(); ++k) EXPECT_GE(fees[k - 1], fees[k]);
  Scenario fifo = s;
  fifo.same_time_order = "fifo";
  EXPECT_NE(digest_of(r, "fee"), digest_of(run(fifo), "fifo"));
}

TEST(Simulation, TimeseriesAndSummaryAreConsistent) {
  const RunResult r = run(load(kTinyCrash));
  ASSERT_EQ(r.log.timeseries.size(), 2400u / 10u + 1u);
  EXPECT_EQ(r.log.timeseries.back().bad_debt, r.summary.bad_debt);
  EXPECT_EQ(r.summary.liquidation_count, r.log.liquidations.size());
  const CascadeStats stats = analyze_cascades(r.log.liquidations);
  EXPECT_EQ(r.summary.cascade_generations, stats.generations);
  // The summary counts agents; /accounts also holds the protocol places (accounts 0 .. kPlaceCount-1).
  ASSERT_EQ(r.summary.accounts + kPlaceCount, r.log.accounts.size());
  for (uint32_t a = 0; a < kPlaceCount; ++a) EXPECT_EQ(r.log.accounts[a].role, uint8_t(AgentRole::Protocol));
  EXPECT_EQ(r.log.accounts[place_account(Place::InsuranceFund).raw()].balance,
            r.summary.insurance_fund_final);
  EXPECT_EQ(r.log.accounts[place_account(Place::Deficit).raw()].balance, -r.summary.bad_debt);
  // Units per asset: the quote only, brought in by the deposits, conserved exactly; no other holdings.
  ASSERT_EQ(r.log.assets.size(), 1u);
  EXPECT_EQ(r.log.assets[0].decimals, 6);
  EXPECT_EQ(r.log.assets[0].brought_in, r.summary.total_deposits.raw());
  EXPECT_EQ(r.log.assets[0].residual, 0);
  EXPECT_EQ(r.metadata.asset_symbols, "USD");
  EXPECT_TRUE(r.log.holdings.empty());
}

// Golden digest (STYLE rule 28): the text summary of a fixed-seed run, refreshed only with
// LIQSIM_UPDATE_GOLDEN=1. A change here means the model's output changed: review it, then refresh.
TEST(Simulation, GoldenDigestOfTinyCrash) {
  const RunResult r = run(load(kTinyCrash));
  std::ostringstream text;
  text << "liquidations " << r.summary.liquidation_count << "\n"
       << "generations " << r.summary.cascade_generations << "\n"
       << "largest_cascade " << r.summary.largest_cascade << "\n"
       << "trades " << r.log.trades.size() << "\n"
       << "adl " << r.summary.adl_count << "\n"
       << "bad_debt " << format_amount(r.summary.bad_debt) << "\n"
       << "insurance_fund_final " << format_amount(r.summary.insurance_fund_final) << "\n"
       << "mark_min " << format_price(r.summary.mark_min) << "\n"
       << "events " << r.summary.events_processed << "\n";
  const std::string golden = std::string(LIQSIM_TEST_DATA) + "/golden/tiny_crash.txt";
  if (std::getenv("LIQSIM_UPDATE_GOLDEN")) {
    std::filesystem::create_directories(std::filesystem::path(golden).parent_path());
    std::ofstream(golden) << text.str();
  }
  std::ifstream in(golden);
  ASSERT_TRUE(in.good()) << "missing " << golden << " (run with LIQSIM_UPDATE_GOLDEN=1 to create it)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(text.str(), expected.str());
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// Every registered margin model (experiments/margin_models.h) runs the crash with its default keys:
// money conserved after every event, and liquidations happen.
TEST(Simulation, EveryMarginModelRunsTheCrashConserved) {
  for (const MarginModelEntry& model : margin_models()) {
    SCOPED_TRACE(std::string(model.name));
    Scenario s = load(kTinyCrash);
    s.markets[0].margin.model = std::string(model.name);
    // Aave's defaults open at LTV 80% under a threshold of 82.5%: with outside capital the traders top
    // up through the 18% fall (0 liquidations), without it they are liquidated.
    if (model.name == AaveV3ReserveMarginSpec::kModel) s.traders.outside_capital = 0;
    ASSERT_TRUE(validate_scenario(s).empty());
    const RunResult r = run(s, /*check_every_event=*/true);
    EXPECT_EQ(r.summary.conservation_residual, Amount(0));
    EXPECT_GT(r.summary.liquidation_count, 0u);
  }
}

// The model changes who is liquidated and when: Hyperliquid's BTC table (MM 1.25% at 40x) requires more
// than Binance's legacy brackets (0.4% below $50k) and caps leverage at 40x, so the same crash runs
// differently; a dYdX tier with IMF 100% caps leverage at 1x, and without the shock nobody is liquidated.
TEST(Simulation, MarginModelChangesTheRun) {
  const Scenario binance = load(kTinyCrash);
  Scenario hyperliquid = binance;
  hyperliquid.markets[0].margin.model = "hyperliquid";
  const RunResult a = run(binance), b = run(hyperliquid);
  EXPECT_NE(a.summary.liquidation_count, b.summary.liquidation_count);
  Scenario dydx = binance;
  dydx.markets[0].margin.model = "dydx_v4";
  dydx.markets[0].margin.get<DydxMarginSpec>() = {1'000'000, 500'000};  // IMF 100%, MMF 50%
  dydx.markets[0].shock.enabled = false;
  const RunResult c = run(dydx);
  EXPECT_EQ(c.summary.conservation_residual, Amount(0));
  // Equity starts at the notional and MM is half of it: only a fall of about 50% liquidates.
  EXPECT_EQ(c.summary.liquidation_count, 0u);
}

TEST(Simulation, NoneMechanismLeavesLiquidatableAccountsAlone) {
  // The `none` counterfactual: the same crash, no liquidation of any kind, money still conserved, and
  // accounts end the run underwater instead of being closed.
  Scenario s = load(kTinyCrash);
  s.liquidation.mechanism = "none";
  const RunResult r = run(s, /*check_every_event=*/true);
  EXPECT_EQ(r.summary.liquidation_count, 0u);
  EXPECT_EQ(r.summary.adl_count, 0u);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  size_t underwater = 0;
  for (const AccountFinal& a : r.log.accounts) underwater += a.equity.raw() < 0 ? 1 : 0;
  EXPECT_GT(underwater, 0u);
  // The engine run of the same seed closes those accounts.
  const RunResult engine = run(load(kTinyCrash));
  EXPECT_GT(engine.summary.liquidation_count, 0u);
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

TEST(Simulation, OracleMarkPutsTheOracleDelayOnTheLiquidationPath) {
  // Marked by the oracle, an hour of oracle delay (Maker's OSM) moves every liquidation an hour later
  // than with an undelayed oracle; with the Binance mark the delay changes nothing about liquidations.
  Scenario prompt = load(kTinyCrash);
  prompt.duration_seconds = 6000;
  prompt.markets[0].mark.method = "oracle";
  prompt.markets[0].oracle.deviation = 0.001;
  Scenario delayed = prompt;
  delayed.markets[0].oracle.delay_seconds = 3600;
  const RunResult a = run(prompt, /*check_every_event=*/true);
  const RunResult b = run(delayed, /*check_every_event=*/true);
  ASSERT_GT(a.log.liquidations.size(), 0u);
  ASSERT_GT(b.log.liquidations.size(), 0u);
  const double first_a = to_seconds(a.log.liquidations.front().time);
  const double first_b = to_seconds(b.log.liquidations.front().time);
  EXPECT_GE(first_a, 1200);  // the crash starts at 1,200 s
  EXPECT_GE(first_b, first_a + 3600 - 60) << first_a << " vs " << first_b;
  // The run's mark follows the oracle: the recorded mark equals the recorded oracle at every row.
  for (const TimeseriesRow& row : a.log.timeseries) {
    if (row.time > Time(0)) {
      EXPECT_EQ(row.mark, row.oracle) << to_seconds(row.time);
    }
  }
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

TEST(Simulation, EveryLiquidationsMarkUpdateResolves) {
  // Each liquidation names (market, mark_update): that row exists in the mark-update table, at or
  // before the liquidation, and its mark is the one the liquidation recorded as its trigger's.
  const RunResult r = run(load(kTinyCrash));
  ASSERT_GT(r.log.liquidations.size(), 0u);
  std::map<std::pair<uint32_t, int64_t>, const MarkUpdateRecord*> rows;
  for (const MarkUpdateRecord& u : r.log.mark_updates) rows[{u.market, u.sequence}] = &u;
  for (const LiquidationRecord& l : r.log.liquidations) {
    const auto it = rows.find({l.market, l.mark_update});
    ASSERT_NE(it, rows.end()) << "liquidation " << l.id << " points to a missing mark update";
    EXPECT_LE(it->second->time, l.time) << l.id;
  }
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

TEST(Simulation, SteppingInChunksGivesTheOneShotRun) {
  const Scenario s = load(kTinyCrash);
  const std::string one_shot = digest_of(run(s), "one-shot");
  Simulation stepped(s);
  Time reached;
  for (int k = 1; !stepped.finished() && k < 1000; ++k) {
    reached = stepped.run_until(seconds(97 * k));  // chunks that fall between events
    EXPECT_LE(stepped.now(), reached);
    if (reached >= stepped.end()) stepped.finish();
    // Read-only views while stepping: the ledger conserves money at every stop.
    EXPECT_EQ(stepped.clearing_house().ledger().conservation_residual(), Amount(0));
  }
  ASSERT_TRUE(stepped.finished());
  EXPECT_EQ(digest_of(stepped.result(to_toml(s)), "stepped"), one_shot);
}

TEST(Simulation, ResetReplaysTheSameRun) {
  const Scenario s = load(kTinyCrash);
  Simulation simulation(s);
  simulation.run_until(seconds(1500));
  const size_t liquidations_midway = simulation.log().liquidations.size();
  EXPECT_GT(liquidations_midway, 0u);
  simulation.reset();
  EXPECT_EQ(simulation.now(), Time(0));
  EXPECT_EQ(simulation.log().liquidations.size(), 0u);
  simulation.run_until(seconds(1500));
  EXPECT_EQ(simulation.log().liquidations.size(), liquidations_midway);
  EXPECT_EQ(digest_of(simulation.result(to_toml(s)), "reset"), digest_of(run(s), "fresh"));
}

}  // namespace
}  // namespace liqsim
