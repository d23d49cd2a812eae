// Equilibrium search by learning: players with finite strategy sets play a game episode after episode,
// each learning by one rule of agents/learning_rules, over a payoff oracle (a simulated day per profile, or
// a stand-in matrix game in tests). Payoffs are cached per (profile, day), independent evaluations run on
// `jobs` threads, and the result is a pure function of the inputs, the same at any job count.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/learning_rules.h"

namespace liqsim {

struct GameShape {
  std::vector<int> strategies;  // strategies[i]: the size of player i's strategy set (>= 1)
};

// Each player's payoff ($) when they play `profile` (a strategy index per player) on the day `seed`. Must be
// deterministic and thread-safe: it is called concurrently when jobs > 1.
using ProfilePayoffs = std::function<std::vector<double>(const std::vector<int>& profile, uint64_t seed)>;

struct EquilibriumSearchParams {
  LearningParams learning;
  int max_episodes = 100;               // [1, 100000]
  int stable_episodes = 5;              // [1, max_episodes]
  double convergence_tolerance = 0.02;  // (0, 1]: Hedge/EXP3's bound on the change of the time averages
  // Each episode's day from the base seed's episode stream (StreamKind::Episode, entity = episode index),
  // else the base seed's day every episode (common random numbers: BR/FP then cost few evaluations).
  bool fresh_seeds = false;
  int jobs = 1;                      // [1, 256]: threads evaluating an episode's independent profiles
  std::vector<int> initial_profile;  // empty: strategy 0 for everyone; else a valid index per player
  uint64_t learner_seed_salt = 0;    // re-keys the Hedge/EXP3 sampling streams without changing the days
};

// Every problem of the search, as "<prefix>.max_episodes = 0: must be in [1, 100000]" or
// "<prefix>.strategies: player 2 has no strategy" (players are numbered from 0, as in profiles).
std::vector<std::string> validate(const EquilibriumSearchParams& params, const GameShape& shape,
                                  std::string_view prefix);

struct GameEpisode {
  int episode = 0;
  uint64_t seed = 0;
  std::vector<int> profile;                // what each player played
  std::vector<double> payoffs;             // their payoffs ($)
  std::vector<std::vector<double>> mixed;  // each player's mixed strategy this episode (point mass: BR/FP)
  int evaluations = 0;                     // profile payoffs computed this episode (not found in the cache)
};

struct EquilibriumResult {
  std::vector<GameEpisode> episodes;
  bool converged = false;
  // "no_improving_deviation": BR: an episode in which nobody switched, every unilateral deviation evaluated
  // (a pure equilibrium within the tolerance on that day); FP: stable_episodes episodes in which nobody's
  // best response to the history differed from its play and the played profile left nobody a deviation
  // gaining more than the tolerance on its day. "mixed_stable": Hedge/EXP3's time averages moved by less
  // than convergence_tolerance (L-infinity, over every player's probabilities) between each of the last
  // stable_episodes episodes and stable_episodes episodes before it (so after 2 * stable_episodes at the
  // least). "": not converged in max_episodes.
  std::string criterion;
  // BR/FP: the profile the players hold at the end (the one a next episode would play); Hedge/EXP3: each
  // player's most likely strategy of its time average (the lowest index among ties).
  std::vector<int> profile;
  std::vector<double> payoffs;               // that profile's payoffs on the last episode's day
  std::vector<std::vector<double>> average;  // each player's time-averaged mixed strategy
  // The largest gain any player gets from a unilateral deviation from `profile` on the last episode's day
  // (every deviation evaluated): <= tolerance after BR's no_improving_deviation.
  double max_regret = 0;
  int evaluations = 0;  // distinct (profile, day) payoffs computed in all
};

// Plays the game of `shape` by params.learning.rule from `base_seed` (see equilibrium_search.cpp for each
// rule's episode). `params` must validate.
EquilibriumResult search_equilibrium(const GameShape& shape, const EquilibriumSearchParams& params,
                                     uint64_t base_seed, const ProfilePayoffs& payoffs);

}  // namespace liqsim
