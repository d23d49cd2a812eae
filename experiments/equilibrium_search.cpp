#include "experiments/equilibrium_search.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <exception>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "core/check.h"
#include "core/rng.h"

namespace liqsim {

namespace {

using Profile = std::vector<int>;

// Episode days use the entities 0 .. max_episodes - 1 of the base seed's Episode stream; player i's sampling
// stream is entity 2^40 + i (never a day), re-keyed by the salt. One stream per player: a player's draws do
// not depend on how many others there are or on the order they draw in.
constexpr uint64_t kLearnerEntity = uint64_t(1) << 40;

uint64_t learner_seed(uint64_t base_seed, uint64_t salt, size_t player) {
  return stream_seed(stream_seed(base_seed, StreamKind::Episode, kLearnerEntity + player),
                     StreamKind::Episode, salt);
}

Profile with(Profile p, size_t player, int strategy) {
  p[player] = strategy;
  return p;
}

// `p` itself, then every unilateral deviation from it, player by player, strategy by strategy.
std::vector<Profile> deviations(const Profile& p, const GameShape& shape) {
  std::vector<Profile> out{p};
  for (size_t i = 0; i < p.size(); ++i)
    for (int s = 0; s < shape.strategies[i]; ++s)
      if (s != p[i]) out.push_back(with(p, i, s));
  return out;
}

// Payoffs per (profile, day), each computed once: a repeated profile on the same day is never run again.
class PayoffCache {
 public:
  PayoffCache(const ProfilePayoffs& payoffs, size_t players, int jobs)
      : payoffs_(payoffs), players_(players), jobs_(size_t(jobs)) {}

  // Computes every profile of `batch` not cached for day `seed`, concurrently on up to `jobs` threads (each
  // result in its own slot, inserted in batch order: the cache is the same at any job count); rethrows the
  // first failure in batch order. Returns how many it computed.
  int evaluate(const std::vector<Profile>& batch, uint64_t seed) {
    std::vector<const Profile*> missing;
    std::set<Profile> pending;
    for (const Profile& p : batch)
      if (!cache_.contains({p, seed}) && pending.insert(p).second) missing.push_back(&p);
    std::vector<std::vector<double>> out(missing.size());
    const size_t threads = std::min(jobs_, missing.size());
    std::vector<std::exception_ptr> errors(threads);
    const auto work = [&](size_t t) {
      try {
        for (size_t k = t; k < missing.size(); k += threads) out[k] = payoffs_(*missing[k], seed);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    };
    if (threads == 1) {
      work(0);
    } else if (threads > 1) {
      std::vector<std::jthread> pool;
      for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
      work(0);
    }  // the jthreads join here
    for (const std::exception_ptr& e : errors)
      if (e) std::rethrow_exception(e);
    for (size_t k = 0; k < missing.size(); ++k) {
      LIQSIM_CHECK(out[k].size() == players_, "the payoff oracle returns one payoff per player");
      cache_.emplace(std::make_pair(*missing[k], seed), std::move(out[k]));
    }
    return int(missing.size());
  }

  const std::vector<double>& at(const Profile& p, uint64_t seed) const { return cache_.at({p, seed}); }
  int size() const { return int(cache_.size()); }

 private:
  const ProfilePayoffs& payoffs_;
  size_t players_;
  size_t jobs_;
  std::map<std::pair<Profile, uint64_t>, std::vector<double>> cache_;
};

}  // namespace

std::vector<std::string> validate(const EquilibriumSearchParams& params, const GameShape& shape,
                                  std::string_view prefix) {
  std::vector<std::string> errors = validate(params.learning, prefix);
  const auto key = [&](std::string_view name) { return std::string(prefix) + "." + std::string(name); };
  if (!(params.max_episodes >= 1 && params.max_episodes <= 100'000))
    errors.push_back(range_error(key("max_episodes"), params.max_episodes, "in [1, 100000]"));
  if (!(params.stable_episodes >= 1 && params.stable_episodes <= params.max_episodes))
    errors.push_back(range_error(key("stable_episodes"), params.stable_episodes, "in [1, max_episodes]"));
  if (!(params.convergence_tolerance > 0 && params.convergence_tolerance <= 1))
    errors.push_back(range_error(key("convergence_tolerance"), params.convergence_tolerance, "in (0, 1]"));
  if (!(params.jobs >= 1 && params.jobs <= 256))
    errors.push_back(range_error(key("jobs"), params.jobs, "in [1, 256]"));
  const size_t n = shape.strategies.size();
  if (n == 0) errors.push_back(key("strategies") + ": the game has no player");
  for (size_t i = 0; i < n; ++i)
    if (shape.strategies[i] < 1)
      errors.push_back(key("strategies") + ": player " + std::to_string(i) + " has no strategy");
  const Profile& initial = params.initial_profile;
  if (!initial.empty() && initial.size() != n) {
    errors.push_back(key("initial_profile") + ": " + std::to_string(initial.size()) + " strategies for " +
                     std::to_string(n) + " players: must be empty or one per player");
  } else {
    for (size_t i = 0; i < initial.size(); ++i)
      if (!(initial[i] >= 0 && initial[i] < shape.strategies[i]))
        errors.push_back(range_error(key("initial_profile[" + std::to_string(i) + "]"), initial[i],
                                     "in [0, " + std::to_string(shape.strategies[i] - 1) + "] (player " +
                                         std::to_string(i) + "'s strategies)"));
  }
  return errors;
}

// One episode: every player plays (Hedge/EXP3 draw from their mixed strategies, BR/FP play their current
// strategy) on the episode's day, then learns:
//   - BestResponse, Gauss-Seidel (round robin): players in index order each evaluate all their strategies
//     against the others' current strategies, including the switches made before them in this episode,
//     and switch by Learner::respond. Simultaneous (Jacobi) revision cycles in coordination games (from
//     (0, 1) both switch to (1, 0) and back); one-at-a-time revision is the better-reply dynamics that
//     reaches a pure equilibrium of any finite potential game (Monderer & Shapley 1996).
//   - FictitiousPlay (Brown 1951), simultaneous: each player adds the payoff of each own strategy against the
//     others' play of this episode (on its day) to its history, and best-responds to the history's mean.
//   - Hedge: the played profile and every unilateral deviation from it are evaluated (full information);
//     every player updates all its weights.
//   - Exp3: only the played profile is evaluated; each player updates the weight of what it played.
// The evaluations an update needs are independent of each other and run as one batch (for BR, one batch
// per player, as each player sees the previous one's switch).
EquilibriumResult search_equilibrium(const GameShape& shape, const EquilibriumSearchParams& params,
                                     uint64_t base_seed, const ProfilePayoffs& payoffs) {
  LIQSIM_CHECK(validate(params, shape, "game").empty(), "invalid equilibrium search (validate it first)");
  const size_t n = shape.strategies.size();
  const LearningRule rule = params.learning.rule;
  const bool pure = rule == LearningRule::BestResponse || rule == LearningRule::FictitiousPlay;
  std::vector<Learner> learners;
  std::vector<Rng> rngs;
  std::vector<std::vector<double>> history(n);  // FP: per own strategy, the sum of its payoffs so far
  for (size_t i = 0; i < n; ++i) {
    learners.emplace_back(params.learning, shape.strategies[i],
                          params.initial_profile.empty() ? 0 : params.initial_profile[i]);
    rngs.emplace_back(learner_seed(base_seed, params.learner_seed_salt, i));
    history[i].assign(size_t(shape.strategies[i]), 0.0);
  }
  PayoffCache cache(payoffs, n, params.jobs);
  EquilibriumResult result;
  int quiet = 0;                             // BR/FP: episodes in a row in which nobody switched
  std::deque<std::vector<double>> averages;  // Hedge/EXP3: the last 2 * stable_episodes time averages
  const size_t window = size_t(params.stable_episodes);

  for (int e = 0; e < params.max_episodes; ++e) {
    GameEpisode ep;
    ep.episode = e;
    ep.seed = params.fresh_seeds ? stream_seed(base_seed, StreamKind::Episode, uint64_t(e)) : base_seed;
    for (size_t i = 0; i < n; ++i) {
      ep.profile.push_back(learners[i].play(rngs[i]));
      ep.mixed.push_back(learners[i].last_mixed());
    }
    const Profile& played = ep.profile;
    const bool full_information = rule == LearningRule::FictitiousPlay || rule == LearningRule::Hedge;
    ep.evaluations =
        cache.evaluate(full_information ? deviations(played, shape) : std::vector<Profile>{played}, ep.seed);
    ep.payoffs = cache.at(played, ep.seed);
    bool unsettled = false;  // someone switched (FP: or could gain by deviating)
    Profile current = played;
    for (size_t i = 0; i < n; ++i) {
      if (rule == LearningRule::Exp3) {
        learners[i].observe_played(ep.payoffs[i]);
        continue;
      }
      std::vector<Profile> own;  // player i's strategies against the others' current (BR) or played ones
      for (int s = 0; s < shape.strategies[i]; ++s) own.push_back(with(current, i, s));
      if (rule == LearningRule::BestResponse) ep.evaluations += cache.evaluate(own, ep.seed);
      std::vector<double> values;
      for (const Profile& p : own) values.push_back(cache.at(p, ep.seed)[i]);
      if (rule == LearningRule::Hedge) {
        learners[i].observe_all(values);
      } else if (rule == LearningRule::BestResponse) {
        unsettled |= learners[i].respond(values);
        current[i] = learners[i].current();
      } else {
        // FP. Nobody switching is not enough (in rock-paper-scissors play holds for ever longer runs): the
        // played profile must also leave nobody a deviation gaining more than the tolerance on this day.
        unsettled |=
            *std::max_element(values.begin(), values.end()) > ep.payoffs[i] + params.learning.tolerance;
        for (size_t s = 0; s < values.size(); ++s) values[s] = (history[i][s] += values[s]) / (e + 1);
        unsettled |= learners[i].respond(values);
      }
    }
    result.episodes.push_back(std::move(ep));

    if (pure) {
      quiet = unsettled ? 0 : quiet + 1;
      // BR: one quiet episode evaluated every deviation from a profile nobody left; FP's history still moves
      // after a quiet episode, so it must stay quiet for stable_episodes.
      if (quiet >= (rule == LearningRule::BestResponse ? 1 : params.stable_episodes)) {
        result.converged = true;
        result.criterion = "no_improving_deviation";
        break;
      }
      continue;
    }
    // Hedge/EXP3: for each of the last stable_episodes episodes, the time averages (L-infinity over every
    // player's probabilities) moved by less than the tolerance since stable_episodes episodes before it.
    std::vector<double> flat;
    for (const Learner& l : learners)
      for (double x : l.average()) flat.push_back(x);
    averages.push_back(std::move(flat));
    if (averages.size() > 2 * window) averages.pop_front();
    bool stable = averages.size() == 2 * window;
    for (size_t j = window; stable && j < 2 * window; ++j)
      for (size_t k = 0; stable && k < averages[j].size(); ++k)
        stable = std::abs(averages[j][k] - averages[j - window][k]) < params.convergence_tolerance;
    if (stable) {
      result.converged = true;
      result.criterion = "mixed_stable";
      break;
    }
  }

  for (const Learner& l : learners) {
    result.average.push_back(l.average());
    const std::vector<double>& a = result.average.back();
    result.profile.push_back(pure ? l.current() : int(std::max_element(a.begin(), a.end()) - a.begin()));
  }
  const uint64_t day = result.episodes.back().seed;
  const std::vector<Profile> final_deviations = deviations(result.profile, shape);
  cache.evaluate(final_deviations, day);
  result.payoffs = cache.at(result.profile, day);
  for (size_t k = 1; k < final_deviations.size(); ++k) {
    // The deviating player is the one whose strategy differs from the profile.
    const Profile& d = final_deviations[k];
    const size_t i = size_t(std::mismatch(d.begin(), d.end(), result.profile.begin()).first - d.begin());
    result.max_regret = std::max(result.max_regret, cache.at(d, day)[i] - result.payoffs[i]);
  }
  result.evaluations = cache.size();
  return result;
}

}  // namespace liqsim
