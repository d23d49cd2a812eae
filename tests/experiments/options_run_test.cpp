// The options venue in whole runs ([options], experiments/options_venue.h): option writers margined by
// portfolio margin and liquidated into books quoted by option market makers off the surface. Money and
// contracts stay conserved after every event; the mark-to-execution gap of option liquidations is
// measured against the perpetual liquidations of the same shock; thin, withdrawn books make it larger;
// a surface with arbitrage and expiries inside the run are refused with the key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

Scenario options_preset(const std::vector<ScenarioOverride>& overrides) {
  ScenarioResult r = load_preset("options", overrides);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

std::vector<ScenarioError> errors_of(const std::vector<ScenarioOverride>& overrides) {
  ScenarioResult r = load_preset("options", overrides);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) return *errors;
  return {};
}

// The preset cut to the fall and its first five minutes after it, with 100 writers and 300 traders (the
// sanitizer build runs these too).
const std::vector<ScenarioOverride> kShort = {
    {"options.writers", "100"}, {"traders.count", "300"}, {"duration_seconds", "4500"}};

bool names(const std::vector<ScenarioError>& errors, const std::string& key) {
  for (const ScenarioError& e : errors)
    if (e.key == key) return true;
  return false;
}

TEST(OptionsRun, MoneyAndContractsAreConservedAfterEveryEvent) {
  RunOptions options;
  options.check_every_event = true;
  const RunResult r = run_simulation(
      options_preset({{"options.writers", "40"}, {"traders.count", "200"}, {"duration_seconds", "4500"}}), "",
      options);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  EXPECT_GT(r.summary.option_liquidations, 0u);
  // Every liquidation's fills sum to the contracts it closed.
  for (const OptionLiquidationRecord& l : r.log.option_liquidations) {
    Quantity filled;
    for (const OptionFillRecord& f : r.log.option_fills)
      if (f.liquidation == l.id) filled += f.quantity;
    EXPECT_EQ(filled, l.contracts) << l.id;
  }
}

// The target of the options stress scenario: on the same 20 % fall, option liquidations execute much
// further from their model marks than perpetual liquidations from theirs.
TEST(OptionsRun, OptionLiquidationsExecuteFurtherFromTheMarkThanPerpetualOnes) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "outcomes of whole runs: the release phase checks them; the every-event test runs here";
  const RunResult r = run_simulation(options_preset(kShort), "", {});
  ASSERT_GT(r.summary.option_liquidations, 10u);
  ASSERT_GT(r.summary.liquidation_count, 10u);
  EXPECT_GT(r.summary.option_gap_p50, 10 * r.summary.slippage_p50);
  EXPECT_GT(r.summary.option_gap, Amount(0));
  EXPECT_GT(r.summary.option_gap_loss_share, 0.0);
  EXPECT_LE(r.summary.option_gap_loss_share, 1.0);
  // Every writer's opening trade, and the writers on the tape are the liquidated.
  size_t opens = 0;
  for (const OptionFillRecord& f : r.log.option_fills) opens += f.liquidation == kNoId;
  EXPECT_GE(opens, 100u);
}

// The gap is the book's: makers who neither widen nor withdraw under stress, with ten times the depth,
// leave a smaller gap on the same shock.
TEST(OptionsRun, DeepStableOptionBooksShrinkTheGap) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "outcomes of whole runs: the release phase checks them; the every-event test runs here";
  const RunResult thin = run_simulation(options_preset(kShort), "", {});
  auto deep_overrides = kShort;
  deep_overrides.insert(
      deep_overrides.end(),
      {{"options.stress_widen", "0"}, {"options.stress_withdraw", "0"}, {"options.level_contracts", "50"}});
  const RunResult deep = run_simulation(options_preset(deep_overrides), "", {});
  ASSERT_GT(deep.summary.option_liquidations, 0u);
  EXPECT_LT(deep.summary.option_gap_p50, thin.summary.option_gap_p50);
}

TEST(OptionsRun, SameSeedSameTapeAndADifferentSeedAnother) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "outcomes of whole runs: the release phase checks them; the every-event test runs here";
  const std::vector<ScenarioOverride> small = {
      {"options.writers", "60"}, {"traders.count", "300"}, {"duration_seconds", "4500"}};
  const RunResult a = run_simulation(options_preset(small), "", {});
  const RunResult b = run_simulation(options_preset(small), "", {});
  auto other = options_preset(small);
  other.seed = 7;
  const RunResult c = run_simulation(other, "", {});
  ASSERT_EQ(a.log.option_fills.size(), b.log.option_fills.size());
  for (size_t i = 0; i < a.log.option_fills.size(); ++i) {
    EXPECT_EQ(a.log.option_fills[i].price, b.log.option_fills[i].price) << i;
    EXPECT_EQ(a.log.option_fills[i].quantity, b.log.option_fills[i].quantity) << i;
  }
  bool differs = a.log.option_fills.size() != c.log.option_fills.size();
  for (size_t i = 0; !differs && i < a.log.option_fills.size(); ++i)
    differs = a.log.option_fills[i].quantity != c.log.option_fills[i].quantity;
  EXPECT_TRUE(differs);
}

// Delta hedging: makers hold the opening hedge from time 0 and trade the perpetual as deltas move; without
// hedging they never hold a perpetual position.
TEST(OptionsRun, HedgingMakersTradeThePerpetualAndUnhedgedOnesDoNot) {
  const std::vector<ScenarioOverride> small = {
      {"options.writers", "60"}, {"traders.count", "300"}, {"duration_seconds", "4500"}};
  auto hedged_overrides = small;
  const RunResult hedged = run_simulation(options_preset(hedged_overrides), "", {});
  auto unhedged_overrides = small;
  unhedged_overrides.push_back({"options.hedge", "false"});
  const RunResult unhedged = run_simulation(options_preset(unhedged_overrides), "", {});
  const auto maker_trades = [](const RunResult& r) {
    size_t n = 0;
    for (const AccountFinal& a : r.log.accounts) {
      if (a.role != uint8_t(AgentRole::OptionMaker)) continue;
      for (const TradeRecord& t : r.log.trades) n += t.buyer == a.account || t.seller == a.account;
    }
    return n;
  };
  EXPECT_GT(maker_trades(hedged), 0u);
  EXPECT_EQ(maker_trades(unhedged), 0u);
  for (const AccountFinal& a : unhedged.log.accounts)
    if (a.role == uint8_t(AgentRole::OptionMaker)) EXPECT_EQ(a.position, Quantity(0));
}

TEST(OptionsRun, DisabledOptionsRecordNothing) {
  const RunResult r = run_simulation(
      options_preset(
          {{"options.enabled", "false"}, {"markets[0].shock.enabled", "false"}, {"duration_seconds", "600"}}),
      "", {});
  EXPECT_TRUE(r.log.option_fills.empty());
  EXPECT_EQ(r.summary.option_liquidations, 0u);
}

// Bad input: the surface's static arbitrage (Gatheral-Jacquier 2014 Example 3.1, Vogt's slice, has a
// negative butterfly density), a calendar spread of negative price, expiries inside the run.
TEST(OptionsRun, ASurfaceWithArbitrageIsRefusedWithTheKey) {
  const auto butterfly =
      errors_of({{"options.slices",
                  "[{days = 365, a = -0.0410, b = 0.1331, rho = 0.3060, m = 0.3586, sigma = 0.4153}]"},
                 {"options.expiries_days", "[400]"}});
  ASSERT_TRUE(names(butterfly, "options.slices"));
  bool says_butterfly = false;
  for (const ScenarioError& e : butterfly)
    says_butterfly = says_butterfly || e.message().find("butterfly") != std::string::npos;
  EXPECT_TRUE(says_butterfly);
  // The later slice below the earlier one: total variance falls with expiry.
  const auto calendar = errors_of({{"options.slices",
                                    "[{days = 7, a = 0.02, b = 0.04, rho = -0.4, m = 0, sigma = 0.1}, "
                                    "{days = 30, a = 0.005, b = 0.04, rho = -0.4, m = 0, sigma = 0.1}]"}});
  ASSERT_TRUE(names(calendar, "options.slices"));
  EXPECT_TRUE(errors_of({}).empty()) << "the preset's surface is free of arbitrage";
}

TEST(OptionsRun, BadOptionsKeysAreRefusedWithTheKeyValueAndWhy) {
  EXPECT_TRUE(names(errors_of({{"options.expiries_days", "[0.01]"}}), "options.expiries_days[0]"));
  EXPECT_TRUE(names(errors_of({{"options.strategy_weights", "[1, 1]"}}), "options.strategy_weights"));
  EXPECT_TRUE(names(errors_of({{"options.strategy_weights", "[0, 0, 0, 0]"}}), "options.strategy_weights"));
  EXPECT_TRUE(
      names(errors_of({{"options.usage_min", "0.9"}, {"options.usage_max", "0.5"}}), "options.usage_max"));
  EXPECT_TRUE(names(errors_of({{"options.market", "3"}}), "options.market"));
  EXPECT_TRUE(names(errors_of({{"options.slices", "[{days = 7, b = -1}]"}}), "options.slices[0].b"));
}

}  // namespace
}  // namespace liqsim
