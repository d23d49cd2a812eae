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
                   params.stable_episodes >= 1 && params.entry_cost >= 0 && params.seeds_per_episode >= 1,
               "invalid keeper entry game (validate it first)");
  KeeperEntryGameResult result;
  int n = params.initial_keepers;
  int unchanged = 0;  // episodes in a row that ended without a move
  for (int e = 0; e < params.max_episodes; ++e) {
    // Seeds come from their own stream of the base seed (day j of episode e), never from the clock.
    const int days = params.seeds_per_episode;
    const auto seed_of = [&](int j) {
      if (days == 1 && !params.fresh_seeds) return base_seed;
      const uint64_t day = params.fresh_seeds ? uint64_t(e) * uint64_t(days) + uint64_t(j) : uint64_t(j);
      return stream_seed(base_seed, StreamKind::Episode, day);
    };
    KeeperEpisode episode;
    episode.profits.assign(size_t(n), 0.0);
    for (int j = 0; j < days; ++j) {
      const KeeperEpisode day = run(n, seed_of(j));
      LIQSIM_CHECK(day.profits.size() == size_t(n), "one profit per active keeper");
      for (int i = 0; i < n; ++i) episode.profits[size_t(i)] += day.profits[size_t(i)] / days;
      episode.liquidations += day.liquidations;
      episode.mean_delay_seconds += day.mean_delay_seconds / days;
      episode.protocol_loss += day.protocol_loss / days;
      episode.bad_debt += day.bad_debt / days;
    }
    episode.liquidations /= uint64_t(days);
    episode.episode = e;
    episode.seed = seed_of(0);
    episode.active = n;
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
    // A cycle: the last four episodes alternated n, n + 1, n, n + 1 (entry, then exit) on the same days.
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
