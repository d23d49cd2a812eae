// `liqsim game` over real days: a one-player hunting game's best response is the strategy that a plain
// run of each shows to pay more, and its payoff is that run's hunter profit (the oracle reads the right
// accounts); the search is the same at any job count.
#include "experiments/game_command.h"

#include <gtest/gtest.h>

#include "experiments/keeper_entry_game.h"
#include "experiments/presets.h"
#include "experiments/simulation.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

const char* kGame = R"(base = "small"
[set]
duration_seconds = 5400
hunters = [{count = 1, min_edge = 0.0}]
[game]
rule = "best_response"
players = ["hunters[0]"]
[[game.strategies]]
max_position = 0
[[game.strategies]]
max_position = 30
)";

double hunter_profit_of_plain_run(const char* max_position) {
  ScenarioResult r = load_preset(
      "small",
      {{"duration_seconds", "5400"},
       {"hunters", std::string("[{count = 1, min_edge = 0.0, max_position = ") + max_position + "}]"}});
  return to_double(run_simulation(std::get<Scenario>(r), "", {}).summary.hunter_profit);
}

TEST(GameCommand, AOnePlayerGamesBestResponseIsTheBetterPlainRun) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "equal results of two paths over whole runs: the release phase checks them";
  auto parsed = parse_game(kGame, ".");
  ASSERT_TRUE(std::holds_alternative<GameSpec>(parsed)) << std::get<std::vector<std::string>>(parsed)[0];
  const std::vector<GameSweepPoint> points = play_game(std::get<GameSpec>(parsed));
  ASSERT_EQ(points.size(), 1u);
  const EquilibriumResult& r = points[0].result;
  EXPECT_TRUE(r.converged);
  const double idle = hunter_profit_of_plain_run("0"), hunting = hunter_profit_of_plain_run("30");
  EXPECT_EQ(idle, 0.0);
  ASSERT_NE(hunting, 0.0);
  EXPECT_EQ(r.profile[0], hunting > 0 ? 1 : 0);
  EXPECT_DOUBLE_EQ(r.payoffs[0], hunting > 0 ? hunting : 0.0);
  EXPECT_DOUBLE_EQ(points[0].outcome.hunter_profit, r.payoffs[0]);
  EXPECT_EQ(r.max_regret, 0.0);
}

TEST(GameCommand, TheSameAtAnyJobCount) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "equal results of two paths over whole runs: the release phase checks them";
  auto one = std::get<GameSpec>(parse_game(kGame, "."));
  auto two = one;
  two.search.jobs = 2;
  const auto a = play_game(one), b = play_game(two);
  EXPECT_EQ(a[0].result.profile, b[0].result.profile);
  EXPECT_EQ(a[0].result.payoffs, b[0].result.payoffs);
  EXPECT_EQ(a[0].outcome.liquidations, b[0].outcome.liquidations);
}

// The keeper free-entry kind plays experiments/keeper_entry_game.h on the scenario of each sweep value.
TEST(GameCommand, TheKeeperEntryKindIsTheFreeEntryGameAtEachSweepValue) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "equal results of two paths over whole runs: the release phase checks them";
  auto parsed = parse_game(R"(base = "keeper"
[set]
"traders.count" = 400
"traders.entry_end_seconds" = 1800
"markets[0].shock.start_seconds" = 3600
duration_seconds = 7200
[game]
kind = "keeper_entry"
entry_cost = 200
max_keepers = 4
max_episodes = 12
[sweep]
key = "liquidation.keeper.bonus"
values = [0.001, 0.004]
)",
                           ".");
  ASSERT_TRUE(std::holds_alternative<GameSpec>(parsed)) << std::get<std::vector<std::string>>(parsed)[0];
  const GameSpec& spec = std::get<GameSpec>(parsed);
  const auto points = play_game(spec);
  ASSERT_EQ(points.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    ScenarioResult r = load_preset("keeper", {{"traders.count", "400"},
                                              {"traders.entry_end_seconds", "1800"},
                                              {"markets[0].shock.start_seconds", "3600"},
                                              {"duration_seconds", "7200"},
                                              {"liquidation.keeper.bonus", k == 0 ? "0.001" : "0.004"}});
    const KeeperEntryGameResult direct =
        play_keeper_entry(spec.entry, spec.seed, scenario_episode_runner(std::get<Scenario>(r)));
    ASSERT_TRUE(points[k].entry.has_value());
    EXPECT_EQ(points[k].entry->equilibrium_keepers, direct.equilibrium_keepers);
    EXPECT_EQ(points[k].entry->episodes.size(), direct.episodes.size());
    EXPECT_EQ(points[k].entry->criterion, direct.criterion);
  }
}

TEST(GameCommand, BadKeeperEntryGamesNameTheKey) {
  const auto problems = std::get<std::vector<std::string>>(parse_game(R"(base = "keeper"
[game]
kind = "keeper_entry"
entry_cost = -5
players = ["hunters[0]"]
)",
                                                                      "."));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("game.players: unknown key"), std::string::npos);
  EXPECT_NE(problems[1].find("game.entry_cost = -5: must be in [0, 1e12] $"), std::string::npos);
}

TEST(GameCommand, BadGamesNameTheKeyAndTheValue) {
  const auto problems = std::get<std::vector<std::string>>(parse_game(R"(base = "small"
[game]
rule = "fictitious"
players = ["hunters[0]"]
strategies = []
)",
                                                                      "."));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("game.rule = \"fictitious\": not one of the choices"), std::string::npos);
  EXPECT_NE(problems[1].find("game.strategies = []: the strategy set is empty"), std::string::npos);
}

// Keepers as players: a [[keeper_groups]] group's payoff is its members' profit (the keepers after the
// [keepers] table's), so a one-player priority-fee game's best response is the fee whose plain run pays
// the group more, with that run's profit as its payoff. Two ordinary keepers compete with the group,
// blocks ordered by priority fee.
const char* kKeeperGame = R"(base = "keeper"
[set]
"traders.count" = 1500
duration_seconds = 28800
same_time_order = "priority_fee"
"keepers.count" = 2
"keepers.flash_loan" = true
keeper_groups = [{count = 1, flash_loan = true}]
[game]
rule = "best_response"
players = ["keeper_groups[0]"]
[[game.strategies]]
priority_fee = 0.5
[[game.strategies]]
priority_fee = 40
)";

double keeper_group_profit_of_plain_run(const char* priority_fee) {
  ScenarioResult r = load_preset("keeper", {{"traders.count", "1500"},
                                            {"duration_seconds", "28800"},
                                            {"same_time_order", "priority_fee"},
                                            {"keepers.count", "2"},
                                            {"keepers.flash_loan", "true"},
                                            {"keeper_groups", std::string("[{count = 1, flash_loan = true, "
                                                                          "priority_fee = ") +
                                                                  priority_fee + "}]"}});
  const RunResult run = run_simulation(std::get<Scenario>(r), "", {});
  // The group's keeper is the last keeper account.
  double profit = 0;
  int keepers = 0;
  for (const AccountFinal& a : run.log.accounts)
    if (a.role == uint8_t(AgentRole::Keeper)) {
      profit = to_double(a.equity - a.deposits);
      ++keepers;
    }
  EXPECT_EQ(keepers, 3);
  return profit;
}

TEST(GameCommand, AKeeperGroupsPayoffIsItsMembersProfit) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "equal results of two paths over whole runs: the release phase checks them";
  auto parsed = parse_game(kKeeperGame, ".");
  ASSERT_TRUE(std::holds_alternative<GameSpec>(parsed)) << std::get<std::vector<std::string>>(parsed)[0];
  const std::vector<GameSweepPoint> points = play_game(std::get<GameSpec>(parsed));
  ASSERT_EQ(points.size(), 1u);
  const EquilibriumResult& r = points[0].result;
  EXPECT_TRUE(r.converged);
  const double low = keeper_group_profit_of_plain_run("0.5"), high = keeper_group_profit_of_plain_run("40");
  ASSERT_NE(low, high);
  EXPECT_EQ(r.profile[0], high > low ? 1 : 0);
  EXPECT_DOUBLE_EQ(r.payoffs[0], std::max(low, high));
  EXPECT_EQ(r.max_regret, 0.0);
}

// Traders as players: a [[trader_groups]] group (the last traders) is paid its members' mean profit.
const char* kTraderGame = R"(base = "small"
[set]
trader_groups = [{count = 200}]
[game]
rule = "best_response"
players = ["trader_groups[0]"]
tolerance = 0
[[game.strategies]]
preemptive = false
[[game.strategies]]
preemptive = true
risk_aversion = 3
)";

double trader_group_profit_of_plain_run(bool preemptive) {
  ScenarioResult r = load_preset(
      "small", {{"trader_groups", preemptive ? "[{count = 200, preemptive = true, risk_aversion = 3}]"
                                             : "[{count = 200, preemptive = false}]"}});
  const Scenario& s = std::get<Scenario>(r);
  const RunResult run = run_simulation(s, "", {});
  double profit = 0;
  int trader = 0;
  for (const AccountFinal& a : run.log.accounts)
    if (a.role == uint8_t(AgentRole::Trader) && trader++ >= s.traders.count - 200)
      profit += to_double(a.equity - a.deposits) / 200;
  EXPECT_EQ(trader, s.traders.count);
  return profit;
}

TEST(GameCommand, ATraderGroupsPayoffIsItsMembersProfit) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "equal results of two paths over whole runs: the release phase checks them";
  auto parsed = parse_game(kTraderGame, ".");
  ASSERT_TRUE(std::holds_alternative<GameSpec>(parsed)) << std::get<std::vector<std::string>>(parsed)[0];
  const EquilibriumResult r = play_game(std::get<GameSpec>(parsed))[0].result;
  const double naive = trader_group_profit_of_plain_run(false),
               preemptive = trader_group_profit_of_plain_run(true);
  ASSERT_NE(naive, preemptive);
  EXPECT_EQ(r.profile[0], preemptive > naive ? 1 : 0);
  EXPECT_NEAR(r.payoffs[0], std::max(naive, preemptive), 1e-6);
}

TEST(GameCommand, APlayerMustBeAGroupOfTheScenario) {
  auto problems = std::get<std::vector<std::string>>(parse_game(R"(base = "small"
[game]
players = ["keeper_groups[1]"]
[[game.strategies]]
priority_fee = 1
)",
                                                                "."));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("game.players[0] = \"keeper_groups[1]\": the scenario has 0 [[keeper_groups]]"),
            std::string::npos)
      << problems[0];
  problems = std::get<std::vector<std::string>>(parse_game(R"(base = "small"
[game]
players = ["keepers"]
[[game.strategies]]
priority_fee = 1
)",
                                                           "."));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("allowed: \"hunters[i]\", \"keeper_groups[i]\" or \"trader_groups[i]\""),
            std::string::npos)
      << problems[0];
}

}  // namespace
}  // namespace liqsim
