// The equilibrium search (experiments/equilibrium_search.h) on stand-in games with known equilibria: pure
// ones found by best response and fictitious play, mixed ones approached by the time averages of Hedge,
// EXP3 and fictitious play; payoffs cached per (profile, day), days drawn from the base seed, and results
// identical at any job count.
#include "experiments/equilibrium_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/rng.h"

namespace liqsim {
namespace {

// A two-player game from its table: cell[row][column] = {row player's payoff, column player's payoff}.
using Table = std::vector<std::vector<std::vector<double>>>;
ProfilePayoffs two_player(Table table) {
  return [table](const std::vector<int>& p, uint64_t) { return table[size_t(p[0])][size_t(p[1])]; };
}

EquilibriumSearchParams search_params(LearningRule rule, std::vector<int> initial = {}) {
  EquilibriumSearchParams p;
  p.learning.rule = rule;
  p.initial_profile = std::move(initial);
  return p;
}

// Cooperate = 0, defect = 1: defecting strictly dominates, (defect, defect) is the only equilibrium.
const Table kPrisonersDilemma = {{{3, 3}, {0, 5}}, {{5, 0}, {1, 1}}};
const Table kMatchingPennies = {{{1, -1}, {-1, 1}}, {{-1, 1}, {1, -1}}};  // the row player matches
const Table kRockPaperScissors = {
    {{0, 0}, {-1, 1}, {1, -1}}, {{1, -1}, {0, 0}, {-1, 1}}, {{-1, 1}, {1, -1}, {0, 0}}};
// For the column player the middle column is strictly dominated by the right one; without it the top row
// dominates the others, and against the top row the left column is best: (top, left) is the unique pure
// equilibrium, reached by iterated elimination of strictly dominated strategies.
const Table kDominanceSolvable = {
    {{4, 3}, {5, 1}, {6, 2}}, {{2, 1}, {8, 4}, {3, 6}}, {{3, 0}, {9, 6}, {2, 8}}};

TEST(EquilibriumSearch, PrisonersDilemmaEndsInMutualDefection) {
  for (LearningRule rule : {LearningRule::BestResponse, LearningRule::FictitiousPlay}) {
    const EquilibriumResult r =
        search_equilibrium({{2, 2}}, search_params(rule, {0, 0}), 7, two_player(kPrisonersDilemma));
    ASSERT_TRUE(r.converged) << learning_rule_name(rule);
    EXPECT_EQ(r.criterion, "no_improving_deviation");
    EXPECT_EQ(r.profile, (std::vector<int>{1, 1}));
    EXPECT_EQ(r.payoffs, (std::vector<double>{1, 1}));
    EXPECT_EQ(r.max_regret, 0);
    EXPECT_EQ(r.episodes.front().profile, (std::vector<int>{0, 0}));
  }
}

// Simultaneous revision from (0, 1) would flip to (1, 0) and back forever; one player at a time, player 0
// moves to 1 (payoff 1 > 0) and player 1 then stays: the equilibrium (1, 1) after one episode.
TEST(EquilibriumSearch, BestResponseSettlesACoordinationGame) {
  const Table coordination = {{{2, 2}, {0, 0}}, {{0, 0}, {1, 1}}};
  const EquilibriumResult r = search_equilibrium({{2, 2}}, search_params(LearningRule::BestResponse, {0, 1}),
                                                 7, two_player(coordination));
  ASSERT_TRUE(r.converged);
  EXPECT_TRUE(r.profile == (std::vector<int>{0, 0}) || r.profile == (std::vector<int>{1, 1}));
  EXPECT_EQ(r.profile, (std::vector<int>{1, 1}));  // the one Gauss-Seidel reaches
  EXPECT_EQ(r.max_regret, 0);
  EXPECT_EQ(r.episodes.size(), 2u);  // a switching episode, then a quiet one
}

// Four players enter (1) or stay out (0); an entrant earns 100 / entrants - 30. Three entrants earn 3.33
// each and a fourth would earn -5: the pure equilibria have exactly three entrants.
TEST(EquilibriumSearch, BestResponseFindsTheFreeEntryCountOfASymmetricEntryGame) {
  const ProfilePayoffs entry = [](const std::vector<int>& p, uint64_t) {
    int entrants = 0;
    for (int s : p) entrants += s;
    std::vector<double> out;
    for (int s : p) out.push_back(s == 1 ? 100.0 / entrants - 30 : 0.0);
    return out;
  };
  const EquilibriumResult r =
      search_equilibrium({{2, 2, 2, 2}}, search_params(LearningRule::BestResponse), 7, entry);
  ASSERT_TRUE(r.converged);
  int entrants = 0;
  for (int s : r.profile) entrants += s;
  EXPECT_EQ(entrants, 3);
  EXPECT_EQ(r.max_regret, 0);
}

// From (bottom, right), the farthest cell, both rules reach (top, left).
TEST(EquilibriumSearch, BestResponseAndFictitiousPlayFindTheDominanceSolution) {
  for (LearningRule rule : {LearningRule::BestResponse, LearningRule::FictitiousPlay}) {
    const EquilibriumResult r =
        search_equilibrium({{3, 3}}, search_params(rule, {2, 2}), 7, two_player(kDominanceSolvable));
    ASSERT_TRUE(r.converged) << learning_rule_name(rule);
    EXPECT_EQ(r.profile, (std::vector<int>{0, 0})) << learning_rule_name(rule);
    EXPECT_EQ(r.max_regret, 0);
  }
}

// Matching pennies has no pure equilibrium: best response chases itself around the four cells for ever,
// while Hedge's time averages settle near the mixed equilibrium (1/2, 1/2) as its play keeps changing.
TEST(EquilibriumSearch, HedgeApproachesTheMixedEquilibriumOfMatchingPennies) {
  EquilibriumSearchParams br = search_params(LearningRule::BestResponse);
  br.max_episodes = 200;
  const EquilibriumResult cycling = search_equilibrium({{2, 2}}, br, 7, two_player(kMatchingPennies));
  EXPECT_FALSE(cycling.converged);
  EXPECT_EQ(cycling.criterion, "");
  EXPECT_EQ(cycling.episodes.size(), 200u);

  EquilibriumSearchParams p = search_params(LearningRule::Hedge);
  p.max_episodes = 10000;
  p.stable_episodes = 500;  // over 200 base seeds this settles in 1400 to 4700 episodes, within 0.032 of 1/2
  p.convergence_tolerance = 0.02;
  const EquilibriumResult r = search_equilibrium({{2, 2}}, p, 7, two_player(kMatchingPennies));
  ASSERT_TRUE(r.converged);
  EXPECT_EQ(r.criterion, "mixed_stable");
  EXPECT_GE(r.episodes.size(), 1000u);
  for (const std::vector<double>& a : r.average) EXPECT_NEAR(a[0], 0.5, 0.05);
  std::set<std::vector<int>> played;
  for (const GameEpisode& e : r.episodes) played.insert(e.profile);
  EXPECT_EQ(played.size(), 4u);
  EXPECT_GT(r.max_regret, 0);  // a pure profile of matching pennies is never an equilibrium
}

// Fictitious play in a zero-sum game: the empirical frequencies converge to the equilibrium (Robinson
// 1951), here rock-paper-scissors' uniform one.
TEST(EquilibriumSearch, FictitiousPlayFrequenciesApproachUniformInRockPaperScissors) {
  EquilibriumSearchParams p = search_params(LearningRule::FictitiousPlay);
  p.max_episodes = 5000;
  const EquilibriumResult r = search_equilibrium({{3, 3}}, p, 7, two_player(kRockPaperScissors));
  EXPECT_FALSE(r.converged);
  for (const std::vector<double>& a : r.average)
    for (double x : a) EXPECT_NEAR(x, 1.0 / 3, 0.05);
  EXPECT_EQ(r.evaluations, 9);  // the same day every episode: each cell once
}

// Strategy 0 earns $1 whatever the other does, strategy 1 loses $1: EXP3, seeing only what it plays, puts
// almost all its time-averaged probability on strategy 0 (its floor gamma / K leaves 0.025 to strategy 1).
TEST(EquilibriumSearch, Exp3LearnsAStrictlyDominantStrategy) {
  EquilibriumSearchParams p = search_params(LearningRule::Exp3);
  p.learning.exploration = 0.05;
  p.max_episodes = 2000;
  p.stable_episodes = 1000;
  p.convergence_tolerance = 0.001;
  const EquilibriumResult r =
      search_equilibrium({{2, 2}}, p, 7, two_player({{{1, 1}, {1, -1}}, {{-1, 1}, {-1, -1}}}));
  EXPECT_EQ(r.episodes.size(), 2000u);
  for (const std::vector<double>& a : r.average) EXPECT_GT(a[0], 0.9);
  EXPECT_EQ(r.profile, (std::vector<int>{0, 0}));
  for (const GameEpisode& e : r.episodes) EXPECT_LE(e.evaluations, 1);  // bandit: the played profile only
}

// A day-dependent 3-player game (payoffs shift with the seed) on fresh seeds: the same result at jobs 1
// and 3, and on a second run.
TEST(EquilibriumSearch, ResultsAreIdenticalAtAnyJobCountAndOnEveryRun) {
  const ProfilePayoffs game = [](const std::vector<int>& p, uint64_t seed) {
    std::vector<double> out;
    for (size_t i = 0; i < p.size(); ++i)
      out.push_back(double((seed >> (4 * i)) % 7) * (p[i] == p[(i + 1) % 3] ? 1 : -1) + p[i] - 1.0);
    return out;
  };
  for (LearningRule rule :
       {LearningRule::BestResponse, LearningRule::FictitiousPlay, LearningRule::Hedge, LearningRule::Exp3}) {
    EquilibriumSearchParams p = search_params(rule);
    p.fresh_seeds = true;
    p.max_episodes = 60;
    p.learning.payoff_scale = 8;
    std::vector<EquilibriumResult> runs;
    for (int jobs : {1, 3, 3}) {
      p.jobs = jobs;
      runs.push_back(search_equilibrium({{3, 3, 3}}, p, 99, game));
    }
    for (size_t k = 1; k < runs.size(); ++k) {
      const EquilibriumResult &a = runs[0], &b = runs[k];
      ASSERT_EQ(a.episodes.size(), b.episodes.size()) << learning_rule_name(rule);
      for (size_t e = 0; e < a.episodes.size(); ++e) {
        EXPECT_EQ(a.episodes[e].profile, b.episodes[e].profile);
        EXPECT_EQ(a.episodes[e].payoffs, b.episodes[e].payoffs);
        EXPECT_EQ(a.episodes[e].mixed, b.episodes[e].mixed);
        EXPECT_EQ(a.episodes[e].evaluations, b.episodes[e].evaluations);
      }
      EXPECT_EQ(a.profile, b.profile);
      EXPECT_EQ(a.average, b.average);
      EXPECT_EQ(a.max_regret, b.max_regret);
      EXPECT_EQ(a.evaluations, b.evaluations);
    }
  }
}

// On one day, best response asks the oracle for each distinct profile once, however often it revisits it.
TEST(EquilibriumSearch, TheCacheEvaluatesEachProfileOncePerDay) {
  std::mutex m;
  std::map<std::vector<int>, int> calls;
  const ProfilePayoffs inner = two_player(kDominanceSolvable);
  const ProfilePayoffs counting = [&](const std::vector<int>& p, uint64_t seed) {
    {
      std::lock_guard<std::mutex> lock(m);
      ++calls[p];
    }
    return inner(p, seed);
  };
  EquilibriumSearchParams p = search_params(LearningRule::BestResponse, {2, 2});
  p.jobs = 2;
  const EquilibriumResult r = search_equilibrium({{3, 3}}, p, 7, counting);
  ASSERT_TRUE(r.converged);
  int total = 0;
  for (const auto& [profile, n] : calls) {
    EXPECT_EQ(n, 1);
    total += n;
  }
  EXPECT_EQ(total, r.evaluations);
  int per_episode = 0;
  for (const GameEpisode& e : r.episodes) per_episode += e.evaluations;
  EXPECT_EQ(per_episode, r.evaluations);  // the final regret check found every deviation cached
}

// Fresh seeds: episode e plays the day stream_seed(base, Episode, e), whatever the rule or the budget;
// otherwise every episode replays the base seed's day.
TEST(EquilibriumSearch, FreshSeedsArePerEpisodeAndAFunctionOfTheBaseSeed) {
  EquilibriumSearchParams p = search_params(LearningRule::Hedge);
  p.fresh_seeds = true;
  p.max_episodes = 6;
  p.stable_episodes = 4;  // Hedge cannot settle in 6 episodes (it needs 2 * 4)
  const EquilibriumResult a = search_equilibrium({{2, 2}}, p, 42, two_player(kMatchingPennies));
  p.learning.rule = LearningRule::BestResponse;
  p.max_episodes = 4;
  const EquilibriumResult b = search_equilibrium({{2, 2}}, p, 42, two_player(kMatchingPennies));
  std::set<uint64_t> seeds;
  for (const GameEpisode& e : a.episodes) {
    EXPECT_EQ(e.seed, stream_seed(42, StreamKind::Episode, uint64_t(e.episode)));
    seeds.insert(e.seed);
  }
  EXPECT_EQ(seeds.size(), 6u);
  for (const GameEpisode& e : b.episodes) EXPECT_EQ(e.seed, a.episodes[size_t(e.episode)].seed);
  p.fresh_seeds = false;
  for (const GameEpisode& e : search_equilibrium({{2, 2}}, p, 42, two_player(kMatchingPennies)).episodes)
    EXPECT_EQ(e.seed, 42u);
}

TEST(EquilibriumSearch, ValidateNamesKeyValueAndRange) {
  EXPECT_TRUE(validate(EquilibriumSearchParams{}, {{2, 3}}, "game").empty());
  const auto errors_of = [](const EquilibriumSearchParams& p, const GameShape& shape) {
    const std::vector<std::string> errors = validate(p, shape, "game");
    std::string all;
    for (const std::string& e : errors) all += e + "\n";
    return all;
  };
  EXPECT_EQ(errors_of({}, {{2, 3, 0}}), "game.strategies: player 2 has no strategy\n");
  EXPECT_EQ(errors_of({}, {{}}), "game.strategies: the game has no player\n");
  EquilibriumSearchParams p;
  p.initial_profile = {0};
  EXPECT_EQ(errors_of(p, {{2, 3}}),
            "game.initial_profile: 1 strategies for 2 players: must be empty or one per player\n");
  p.initial_profile = {1, 3};
  EXPECT_EQ(errors_of(p, {{2, 3}}),
            "game.initial_profile[1] = 3: must be in [0, 2] (player 1's strategies)\n");
  p = EquilibriumSearchParams{};
  p.learning.learning_rate = 2;
  p.max_episodes = 0;
  p.jobs = 300;
  p.convergence_tolerance = 0;
  EXPECT_EQ(errors_of(p, {{2, 2}}),
            "game.learning_rate = 2: must be in (0, 1]\n"
            "game.max_episodes = 0: must be in [1, 100000]\n"
            "game.stable_episodes = 5: must be in [1, max_episodes]\n"
            "game.convergence_tolerance = 0: must be in (0, 1]\n"
            "game.jobs = 300: must be in [1, 256]\n");
}

}  // namespace
}  // namespace liqsim
