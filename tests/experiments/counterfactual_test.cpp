// The impact-free counterfactual: liquidation.execution = "impact_free" and a run measured against its
// twin (experiments/counterfactual.h).
#include "experiments/counterfactual.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "analysis/cascade.h"
#include "analysis/run_file.h"
#include "experiments/hdf5_sink.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

Scenario load_small(const std::vector<ScenarioOverride>& overrides) {
  ScenarioResult r = load_preset("small", overrides);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

// The small preset with a thin book and a fast fall: 3,000 traders against makers quoting 0.2 coin a
// level, the 18% fall in 5 s, whole positions closed at once and the mark at the last trade, so that
// liquidations' orders move the mark.
Scenario thin_book() {
  return load_small({{"markets[0].mark.method", "\"last\""},
                     {"market_makers.level_size", "0.2"},
                     {"traders.count", "3000"},
                     {"markets[0].shock.duration_seconds", "5"},
                     {"liquidation.engine.step_fraction", "1"}});
}

// A smaller crash for the per-event conservation checks (their cost grows with the accounts).
Scenario small_crash(const std::string& mechanism) {
  return load_small({{"traders.count", "300"},
                     {"duration_seconds", "5400"},
                     {"liquidation.mechanism", "\"" + mechanism + "\""},
                     {"liquidation.execution", "\"impact_free\""},
                     {"market_makers.level_size", "0.5"}});
}

RunResult run(const Scenario& s, const RunOptions& options = {}) { return run_simulation(s, "", options); }

TEST(Counterfactual, ThinBookAmplifiesTheFallAgainstItsImpactFreeTwin) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "outcomes of whole runs: the release phase checks them";
  const Scenario s = thin_book();
  ASSERT_EQ(s.liquidation.execution, "market");
  const TwinRun twin = run_impact_free_twin(s, {});
  RunOptions options;
  options.impact_free_twin = twin.reference;
  RunResult measured = run(s, options);
  apply_amplification(measured.summary, twin.summary);

  // The twin again, on its own with every record kept: the same summary as the witnessed twin.
  const RunResult alone = run(impact_free_twin(s));
  const RunSummary& f = measured.summary;
  const RunSummary& c = alone.summary;
  EXPECT_EQ(twin.summary.liquidation_count, c.liquidation_count);
  EXPECT_EQ(twin.summary.mark_min, c.mark_min);
  EXPECT_EQ(twin.summary.protocol_loss, c.protocol_loss);

  // Without liquidations' impact: fewer liquidations and a higher trough of the mark.
  EXPECT_LT(c.liquidation_count, f.liquidation_count);
  EXPECT_GT(c.mark_min, f.mark_min);
  EXPECT_EQ(f.initial_price, c.initial_price);
  EXPECT_EQ(f.counterfactual, CounterfactualKind::ImpactFree);
  EXPECT_EQ(c.counterfactual, CounterfactualKind::None);
  const double initial = to_double(c.initial_price);
  const double mark_pp = 100.0 * (to_double(c.mark_min) - to_double(f.mark_min)) / initial;
  EXPECT_GT(f.amplification_mark_trough_pp, 0.0);
  EXPECT_DOUBLE_EQ(f.amplification_mark_trough_pp, mark_pp);
  EXPECT_DOUBLE_EQ(f.amplification_index_trough_pp,
                   100.0 * (to_double(c.index_min) - to_double(f.index_min)) / initial);
  EXPECT_EQ(f.amplification_liquidations, int64_t(f.liquidation_count) - int64_t(c.liquidation_count));
  EXPECT_EQ(f.amplification_liquidated_notional, f.liquidated_notional - c.liquidated_notional);
  EXPECT_EQ(f.amplification_protocol_loss, f.protocol_loss - c.protocol_loss);
  EXPECT_EQ(f.amplification_bad_debt, f.bad_debt - c.bad_debt);

  // Each liquidation's tag, from the twin's own records: endogenous iff the twin liquidates its account
  // only later, or never.
  std::map<uint32_t, Time> first;
  for (const LiquidationRecord& r : alone.log.liquidations) first.try_emplace(r.account, r.time);
  uint64_t endogenous = 0;
  for (const LiquidationRecord& r : measured.log.liquidations) {
    const auto it = first.find(r.account);
    const bool expected = it == first.end() || it->second > r.time;
    EXPECT_EQ(r.endogenous, expected ? Endogeneity::Endogenous : Endogeneity::Exogenous) << r.id;
    endogenous += expected ? 1 : 0;
  }
  EXPECT_GT(endogenous, 0u);
  EXPECT_LT(endogenous, f.liquidation_count);
  EXPECT_EQ(f.endogenous_liquidations, endogenous);
  // Cascades on the causal basis: only endogenous liquidations are children.
  const CascadeStats cascades = analyze_cascades(measured.log.liquidations);
  EXPECT_EQ(cascades.branching_ratio, f.branching_ratio);
  EXPECT_EQ(cascades.generations, f.cascade_generations);
  for (const LiquidationRecord& r : measured.log.liquidations) {
    if (r.endogenous == Endogeneity::Exogenous) {
      EXPECT_EQ(cascades.generation[size_t(r.id)], 0u) << r.id;
    }
  }
  EXPECT_LE(double(f.liquidation_count - f.cascade_count), double(endogenous));
}

// In an impact-free run no liquidation order reaches the book: no trade names a liquidation, the
// backstop_vault place carries what was closed, and every unit stays accounted for after every event.
void expect_impact_free_run(const std::string& mechanism) {
  const Scenario s = small_crash(mechanism);
  RunOptions options;
  options.check_every_event = true;  // conservation (money and positions) after every event
  const RunResult r = run(s, options);
  ASSERT_GT(r.log.liquidations.size(), 0u) << mechanism;
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  for (const TradeRecord& t : r.log.trades) ASSERT_EQ(t.liquidation, kNoId) << mechanism;
  for (const LiquidationRecord& l : r.log.liquidations) {
    EXPECT_EQ(l.endogenous, Endogeneity::Exogenous);
    EXPECT_GE(l.account, kPlaceCount) << "a place was liquidated";
  }
  for (const AdlRecord& a : r.log.adl) EXPECT_GE(a.account, kPlaceCount) << "a place was deleveraged";
  EXPECT_EQ(r.summary.branching_ratio, 0.0);
  const AccountFinal& backstop = r.log.accounts[place_account(Place::BackstopVault).raw()];
  EXPECT_EQ(backstop.liquidations, 0u);
  if (mechanism == "engine") {
    // The engine sold the liquidated longs' coins (and bought the shorts') to the backstop at the mark.
    EXPECT_NE(backstop.position, Quantity(0));
    for (const LiquidationRecord& l : r.log.liquidations) EXPECT_GT(l.price.raw(), 0);
  }
}

TEST(Counterfactual, ImpactFreeEngineRunTradesNothingOnTheBookAndConserves) {
  expect_impact_free_run("engine");
}

TEST(Counterfactual, ImpactFreeKeeperRunUnwindsOffTheBookAndConserves) {
  expect_impact_free_run("keeper");
  // The keepers' unwinds were filled at the mark: they end with what they did not unwind only.
  const RunResult r = run(small_crash("keeper"));
  const AccountFinal& backstop = r.log.accounts[place_account(Place::BackstopVault).raw()];
  EXPECT_NE(backstop.position, Quantity(0)) << "keepers' unwinds never reached the backstop";
}

TEST(Counterfactual, MeasuredRunFileIsDeterministic) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "determinism over whole runs: the release phase checks it";
  const Scenario s = load_small({{"traders.count", "300"}, {"duration_seconds", "5400"}});
  const std::filesystem::path folder =
      std::filesystem::path(::testing::TempDir()) / ("liqsim_counterfactual_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  std::string digests[2];
  for (int i = 0; i < 2; ++i) {
    const TwinRun twin = run_impact_free_twin(s, {});
    RunOptions options;
    options.impact_free_twin = twin.reference;
    Simulation simulation(s, options);
    RunResult r = simulation.result(to_toml(s));
    apply_amplification(r.summary, twin.summary);
    const std::string path = (folder / ("run" + std::to_string(i) + ".h5")).string();
    ASSERT_EQ(write_run_file(path, r.metadata, r.log, r.summary, true, {}, &twin.summary), std::nullopt);
    const auto digest = dataset_digest(path);
    ASSERT_EQ(digest.index(), 0u);
    digests[i] = std::get<0>(digest);
    const auto back = read_run_file(path);
    ASSERT_EQ(back.index(), 0u);
    ASSERT_TRUE(std::get<RunFile>(back).counterfactual_summary.has_value());
    EXPECT_EQ(std::get<RunFile>(back).counterfactual_summary->liquidation_count,
              twin.summary.liquidation_count);
  }
  EXPECT_EQ(digests[0], digests[1]);
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace liqsim
