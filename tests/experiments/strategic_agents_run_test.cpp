// Strategic populations in whole runs: liquidation hunters ([[hunters]], agents/liquidation_hunter.h) and
// pre-emptive deleveragers (traders.preemptive_share), both reading the public liquidation map
// (agents/liquidation_heatmap.h). Money stays conserved after every event; hunters that may not trade
// change nothing; the information sets refuse private state.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

Scenario small(const std::vector<ScenarioOverride>& overrides) {
  ScenarioResult r = load_preset("small", overrides);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

std::vector<ScenarioError> errors_of(const std::vector<ScenarioOverride>& overrides) {
  ScenarioResult r = load_preset("small", overrides);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) return *errors;
  return {};
}

TEST(StrategicAgentsRun, HuntersAndPreemptiveTradersConserveMoneyAfterEveryEvent) {
  RunOptions options;
  options.check_every_event = true;
  const RunResult r = run_simulation(small({{"hunters", "[{count = 3, max_position = 30, min_edge = 0}]"},
                                            {"traders.preemptive_share", "0.5"},
                                            {"duration_seconds", "5400"}}),
                                     "", options);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  EXPECT_NE(r.summary.hunter_profit, Amount(0)) << "the hunters traded";
  int hunters = 0;
  for (const AccountFinal& a : r.log.accounts) hunters += a.role == uint8_t(AgentRole::Hunter);
  EXPECT_EQ(hunters, 3);
}

// Hunters that may not take a position only observe: every other agent acts as without them.
TEST(StrategicAgentsRun, HuntersWithoutAPositionLimitChangeNothing) {
  const RunResult without = run_simulation(small({}), "", {});
  const RunResult idle = run_simulation(small({{"hunters", "[{count = 2, max_position = 0}]"}}), "", {});
  EXPECT_EQ(idle.summary.liquidation_count, without.summary.liquidation_count);
  EXPECT_EQ(idle.summary.mark_min, without.summary.mark_min);
  EXPECT_EQ(idle.summary.hunter_profit, Amount(0));
}

// Pre-emptive traders act on the map: with every trader pre-emptive the run differs from the naive one.
TEST(StrategicAgentsRun, PreemptiveTradersChangeTheRun) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "outcomes of whole runs: the release phase checks them";
  const RunResult naive = run_simulation(small({}), "", {});
  const RunResult strategic = run_simulation(small({{"traders.preemptive_share", "1"}}), "", {});
  EXPECT_NE(strategic.summary.liquidation_count, naive.summary.liquidation_count);
}

// Keepers that hold what they seize by a risk rule (keepers.sell_rule = "hold") keep money conserved, and
// on the keeper preset's fall they do worse than keepers that sell at once: they are stopped out lower.
TEST(StrategicAgentsRun, KeepersHoldingByARiskRuleConserveMoneyAndLoseInTheFall) {
  const auto keeper_day = [](const char* rule, bool every_event) {
    ScenarioResult r = load_preset(
        "keeper", {{"traders.count", "400"}, {"duration_seconds", "28800"}, {"keepers.sell_rule", rule}});
    RunOptions options;
    options.check_every_event = every_event;
    return run_simulation(std::get<Scenario>(r), "", options).summary;
  };
  const RunSummary hold = keeper_day("\"hold\"", true);
  EXPECT_EQ(hold.conservation_residual, Amount(0));
  EXPECT_GT(hold.keeper_liquidations, 0u);
  EXPECT_LT(hold.keeper_profit, keeper_day("\"immediate\"", false).keeper_profit);
}

TEST(StrategicAgentsRun, AnInformationSetThatAsksForPrivateStateIsRefused) {
  const auto errors = errors_of({{"hunters", "[{count = 1, information = \"mark,book,positions\"}]"}});
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].key, "hunters[0].information");
  EXPECT_NE(errors[0].problem.find("\"positions\" is other accounts' private state"), std::string::npos);
  EXPECT_NE(errors[1].problem.find("the rule reads open_interest"), std::string::npos);
  EXPECT_NE(errors[2].problem.find("the rule reads own_account"), std::string::npos);
  const auto trader_errors = errors_of(
      {{"traders.preemptive_share", "0.5"},
       {"traders.preemptive_information", "\"mark,open_interest,book,own_account,liquidation_prices\""}});
  ASSERT_EQ(trader_errors.size(), 1u);
  EXPECT_EQ(trader_errors[0].key, "traders.preemptive_information");
  EXPECT_NE(trader_errors[0].problem.find("private state"), std::string::npos);
}

TEST(StrategicAgentsRun, BadHunterAndMapKeysNameTheKey) {
  const auto errors =
      errors_of({{"hunters", "[{count = 1, market = 3}]"}, {"liquidation_map.weights", "[1, 2]"}});
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].key, "hunters[0].market");
  EXPECT_EQ(errors[1].key, "liquidation_map.weights");
}

}  // namespace
}  // namespace liqsim
