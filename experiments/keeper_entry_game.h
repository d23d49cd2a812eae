// The keeper free-entry game: how many keepers a reward scheme attracts at equilibrium. A pool of
// potential keepers (identical but for their own random streams) decides episode by episode, on realised
// profit, whether to keep liquidating: the same day is played again (the same seed, or a fresh seed per
// episode) with the keepers currently active, and
//   - exit: when the least profitable active keeper earned less than the per-episode entry cost, it
//     leaves (one keeper per episode: the last one in, so a keeper's identity does not depend on who
//     left);
//   - entry: otherwise, when the active keepers' mean profit exceeds the entry cost, one more enters;
//   - else nobody moves.
// Free entry settles where a further entrant would not cover its cost: the search stops when the active
// count has not changed for `stable_episodes` episodes (a rest point: every active keeper covers its
// cost and the mean does not invite entry), or when it alternates between n and n + 1 (entry at n,
// exit at n + 1: n is the equilibrium, as n + 1 keepers do not all cover the cost), or after
// `max_episodes` (not converged). Deterministic given the base scenario's seed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "experiments/scenario.h"

namespace liqsim {

struct KeeperEntryGameParams {
  int initial_keepers = 1;     // [0, max_keepers]: active in the first episode
  int max_keepers = 20;        // [1, 10000]: the pool of potential keepers
  double entry_cost = 10'000;  // $ >= 0 per keeper and episode (capital's opportunity cost, servers, ...)
  int max_episodes = 50;       // [1, 100000]
  int stable_episodes = 3;     // [1, max_episodes]: unchanged this long is a rest point
  bool fresh_seeds = false;    // each episode new seeds drawn from the base seed (else the same days again)
  // [1, 1000]: days played per episode, a keeper's profit their mean (an expected payoff rather than one
  // path's): the base seed alone when 1 and not fresh_seeds, else seeds of the base seed's episode stream
  // (the same ones every episode unless fresh_seeds: common random numbers across keeper counts)
  int seeds_per_episode = 1;
};

// What one episode gave: each active keeper's profit net of gas ($, in keeper order) and the outcome, the
// means over its days.
struct KeeperEpisode {
  int episode = 0;
  uint64_t seed = 0;  // its first day's seed
  int active = 0;
  std::vector<double> profits;  // per active keeper, $ net of gas (equity minus deposits at the end)
  double mean_profit = 0;
  uint64_t liquidations = 0;
  double mean_delay_seconds = 0;
  double protocol_loss = 0;
  double bad_debt = 0;
};

struct KeeperEntryGameResult {
  std::vector<KeeperEpisode> episodes;
  bool converged = false;
  std::string criterion;        // "rest" (unchanged for stable_episodes), "cycle" (n <-> n + 1) or "" (not)
  int equilibrium_keepers = 0;  // the active count at convergence (the lower of a cycle)
};

// Plays one episode with `keepers` active and returns it (the run, or a stand-in in tests).
using KeeperEpisodeRunner = std::function<KeeperEpisode(int keepers, uint64_t seed)>;

// The free-entry search over episodes played by `run`, seeds from `base_seed`.
KeeperEntryGameResult play_keeper_entry(const KeeperEntryGameParams& params, uint64_t base_seed,
                                        const KeeperEpisodeRunner& run);

// The runner of the real game: the base scenario with keepers.count = keepers and that seed, each active
// keeper's profit read from its account.
KeeperEpisodeRunner scenario_episode_runner(const Scenario& base);

}  // namespace liqsim
