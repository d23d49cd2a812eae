#include "experiments/keeper_entry_game.h"

#include <algorithm>

#include "core/check.h"
#include "core/rng.h"
#include "experiments/simulation.h"

namespace liqsim {

KeeperEntryGameResult play_keeper_entry(const KeeperEntryGameParams& params, uint64_t base_seed,
                                        const KeeperEpisodeRunner& run) {
  LIQSIM_CHECK(params.max_keepers >= 1 && params.initial_keepers >= 0 &&
                   params.initial_keepers <= params.max_keepers && params.max_episodes >= 1 &&
                   params.stable_episodes >= 1 && params.entry_cost >= 0,
               "invalid keeper entry game (validate it first)");
  KeeperEntryGameResult result;
  int n = params.initial_keepers;
  int unchanged = 0;  // episodes in a row that ended without a move
  for (int e = 0; e < params.max_episodes; ++e) {
    // Fresh seeds come from their own stream of the base seed (episode e's seed), never from the clock.
    const uint64_t seed =
        params.fresh_seeds ? stream_seed(base_seed, StreamKind::Episode, uint64_t(e)) : base_seed;
    KeeperEpisode episode = run(n, seed);
    episode.episode = e;
    episode.seed = seed;
    episode.active = n;
    LIQSIM_CHECK(episode.profits.size() == size_t(n), "one profit per active keeper");
    double sum = 0;
    for (double p : episode.profits) sum += p;
    episode.mean_profit = n > 0 ? sum / n : 0;
    result.episodes.push_back(episode);
    const bool exit =
        n > 0 && *std::min_element(episode.profits.begin(), episode.profits.end()) < params.entry_cost;
    const bool enter = !exit && n < params.max_keepers && (n == 0 || episode.mean_profit > params.entry_cost);
    const int next = exit ? n - 1 : enter ? n + 1 : n;
    unchanged = next == n ? unchanged + 1 : 0;
    if (unchanged >= params.stable_episodes) {
      result.converged = true;
      result.criterion = "rest";
      result.equilibrium_keepers = n;
      return result;
    }
    // A cycle: the last four episodes alternated n, n + 1, n, n + 1 (entry, then exit) on the same day.
    const size_t k = result.episodes.size();
    if (!params.fresh_seeds && k >= 4) {
      const int a = result.episodes[k - 4].active, b = result.episodes[k - 3].active;
      if (b == a + 1 && result.episodes[k - 2].active == a && result.episodes[k - 1].active == b &&
          next == a) {
        result.converged = true;
        result.criterion = "cycle";
        result.equilibrium_keepers = a;
        return result;
      }
    }
    n = next;
  }
  result.equilibrium_keepers = n;
  return result;
}

KeeperEpisodeRunner scenario_episode_runner(const Scenario& base) {
  return [base](int keepers, uint64_t seed) {
    Scenario s = base;
    s.keepers.count = keepers;
    s.seed = seed;
    const RunResult r = run_simulation(s, "", {});
    KeeperEpisode episode;
    for (const AccountFinal& a : r.log.accounts)
      if (a.role == uint8_t(AgentRole::Keeper)) episode.profits.push_back(to_double(a.equity - a.deposits));
    episode.liquidations = r.summary.liquidation_count;
    episode.mean_delay_seconds = r.summary.liquidation_delay_mean_seconds;
    episode.protocol_loss = to_double(r.summary.protocol_loss);
    episode.bad_debt = to_double(r.summary.bad_debt);
    return episode;
  };
}

}  // namespace liqsim
