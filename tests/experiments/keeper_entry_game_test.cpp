// The keeper free-entry game (experiments/keeper_entry_game.h): the search finds the known equilibrium
// of a game whose profits are given (n keepers share a reward pool R: each earns R / n; free entry stops
// at the largest n with R / n >= the entry cost), and on real runs the equilibrium number of keepers
// rises with the keepers' bonus.
#include "experiments/keeper_entry_game.h"

#include <gtest/gtest.h>

#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

// n keepers split `pool` dollars equally.
KeeperEpisodeRunner shared_pool(double pool, int* calls = nullptr) {
  return [pool, calls](int n, uint64_t) {
    if (calls != nullptr) ++*calls;
    KeeperEpisode e;
    e.profits.assign(size_t(n), n > 0 ? pool / n : 0.0);
    return e;
  };
}

// R = 100,000, cost 12,000: R / 8 = 12,500 covers it, R / 9 = 11,111 does not. From one keeper the count
// rises to 9, where the marginal keeper loses and leaves, and alternates 8 <-> 9: the equilibrium is 8.
TEST(KeeperEntryGame, FindsTheFreeEntryEquilibriumOfASharedPool) {
  KeeperEntryGameParams p;
  p.entry_cost = 12'000;
  const KeeperEntryGameResult r = play_keeper_entry(p, 7, shared_pool(100'000));
  ASSERT_TRUE(r.converged);
  EXPECT_EQ(r.criterion, "cycle");
  EXPECT_EQ(r.equilibrium_keepers, 8);
  EXPECT_EQ(r.episodes.front().active, 1);
  EXPECT_EQ(r.episodes[7].active, 8);
  EXPECT_EQ(r.episodes[8].active, 9);
  EXPECT_DOUBLE_EQ(r.episodes[8].mean_profit, 100'000.0 / 9);
}

// Exactly covering the cost is a rest point: at 10 keepers each earns 10,000 = the cost, nobody enters or
// leaves, and after three unchanged episodes the search stops there.
TEST(KeeperEntryGame, ARestPointIsReachedWhenNobodyMoves) {
  KeeperEntryGameParams p;
  p.entry_cost = 10'000;
  p.initial_keepers = 12;
  const KeeperEntryGameResult r = play_keeper_entry(p, 7, shared_pool(100'000));
  ASSERT_TRUE(r.converged);
  EXPECT_EQ(r.criterion, "rest");
  EXPECT_EQ(r.equilibrium_keepers, 10);
  EXPECT_EQ(r.episodes.size(), 2u + 3u);  // 12 -> 11 -> 10, then three episodes at 10
}

// A pool too small for one keeper: nobody stays (0 <-> 1); the pool capped at max_keepers; a budget of
// episodes too short to settle is reported as not converged.
TEST(KeeperEntryGame, EdgesOfThePool) {
  KeeperEntryGameParams p;
  p.entry_cost = 12'000;
  EXPECT_EQ(play_keeper_entry(p, 7, shared_pool(5'000)).equilibrium_keepers, 0);
  p.max_keepers = 4;
  const KeeperEntryGameResult capped = play_keeper_entry(p, 7, shared_pool(100'000));
  EXPECT_EQ(capped.criterion, "rest");
  EXPECT_EQ(capped.equilibrium_keepers, 4);
  p.max_keepers = 20;
  p.max_episodes = 5;
  int calls = 0;
  const KeeperEntryGameResult short_budget = play_keeper_entry(p, 7, shared_pool(100'000, &calls));
  EXPECT_FALSE(short_budget.converged);
  EXPECT_EQ(calls, 5);
}

// Fresh seeds: each episode's seed comes from the base seed's episode stream, the same on every call.
TEST(KeeperEntryGame, FreshSeedsAreDrawnFromTheBaseSeed) {
  KeeperEntryGameParams p;
  p.fresh_seeds = true;
  p.max_episodes = 4;
  const KeeperEntryGameResult a = play_keeper_entry(p, 42, shared_pool(100'000));
  const KeeperEntryGameResult b = play_keeper_entry(p, 42, shared_pool(100'000));
  ASSERT_EQ(a.episodes.size(), 4u);
  for (size_t i = 0; i < a.episodes.size(); ++i) EXPECT_EQ(a.episodes[i].seed, b.episodes[i].seed);
  EXPECT_NE(a.episodes[0].seed, a.episodes[1].seed);
  EXPECT_NE(a.episodes[0].seed, 42u);
}

// Several days per episode: a keeper's profit is its mean over them, on the same seeds every episode
// (common random numbers) unless fresh_seeds.
TEST(KeeperEntryGame, ProfitsAreMeansOverTheEpisodesDays) {
  KeeperEntryGameParams p;
  p.seeds_per_episode = 3;
  p.max_episodes = 2;
  std::vector<uint64_t> seeds;
  const KeeperEntryGameResult r = play_keeper_entry(p, 42, [&](int n, uint64_t seed) {
    seeds.push_back(seed);
    KeeperEpisode e;
    e.profits.assign(size_t(n), double(seeds.size()));  // 1, 2, 3 on the first episode's days
    return e;
  });
  ASSERT_EQ(seeds.size(), 6u);
  EXPECT_DOUBLE_EQ(r.episodes[0].profits[0], 2.0);
  for (int j = 0; j < 3; ++j) EXPECT_EQ(seeds[size_t(j)], seeds[size_t(j) + 3]);  // the same days again
  EXPECT_NE(seeds[0], seeds[1]);
}

// On real runs (the keeper preset cut to 800 traders and 8 hours, the fall at 6 h; entry cost $500 an
// episode): a larger bonus attracts more keepers at equilibrium. At a 0.1% bonus one keeper loses money
// (gas, and inventory sold into the fall) and nobody stays; at 0.4% two cover the cost, a third loses
// the priority race and leaves.
TEST(KeeperEntryGame, MoreKeepersEnterForALargerBonus) {
  if (testing_support::kSanitizedBuild) GTEST_SKIP() << "ten runs: release build only";
  const auto equilibrium = [](const std::string& bonus) {
    ScenarioResult loaded = load_preset(
        "keeper",
        {{"traders.count", "800"}, {"duration_seconds", "28800"}, {"liquidation.keeper.bonus", bonus}});
    if (const auto* errors = std::get_if<std::vector<ScenarioError>>(&loaded))
      for (const auto& e : *errors) ADD_FAILURE() << e.message();
    const Scenario* s = std::get_if<Scenario>(&loaded);
    if (s == nullptr) return -1;
    KeeperEntryGameParams p;
    p.entry_cost = 500;
    p.max_keepers = 12;
    p.max_episodes = 30;
    const KeeperEntryGameResult r = play_keeper_entry(p, s->seed, scenario_episode_runner(*s));
    EXPECT_TRUE(r.converged) << bonus;
    return r.equilibrium_keepers;
  };
  const int low = equilibrium("0.001");
  const int high = equilibrium("0.004");
  EXPECT_EQ(low, 0);
  EXPECT_GE(high, 2);
}

}  // namespace
}  // namespace liqsim
