// How one player of a repeated game learns over its finite strategy set {0, ..., K - 1}: best response,
// fictitious play, Hedge or EXP3. A Learner holds one player's state; the episode loop that feeds it payoffs
// is experiments/equilibrium_search. Deterministic: its only randomness is the Rng passed to play().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"

namespace liqsim {

enum class LearningRule : uint8_t { BestResponse, FictitiousPlay, Hedge, Exp3 };

std::string_view learning_rule_name(
    LearningRule rule);  // "best_response", "fictitious_play", "hedge", "exp3"
std::optional<LearningRule> parse_learning_rule(std::string_view name);

struct LearningParams {
  LearningRule rule = LearningRule::BestResponse;
  double learning_rate = 0.1;  // (0, 1]: Hedge's and EXP3's step eta
  double exploration = 0.1;    // (0, 1]: EXP3's uniform mixing gamma
  double tolerance = 0;     // $ >= 0: BR/FP switch only when the best strategy beats the current one by more
  double payoff_scale = 1;  // $ > 0: Hedge/EXP3 learn from clamp(0.5 + payoff / (2 * payoff_scale), 0, 1)
};

// Every problem of `params`, as "<prefix>.learning_rate = 1.5: must be in (0, 1]".
std::vector<std::string> validate(const LearningParams& params, std::string_view prefix);

// The message of a value out of its range: "<key> = <shortest round-trip value>: must be <allowed>".
std::string range_error(std::string_view key, double value, std::string_view allowed);

// One player's learner: the current strategy (BR/FP) or the weights (Hedge/EXP3), and the record of what it
// played, from which the time-averaged mixed strategy (what Hedge/EXP3's convergence is judged on) follows.
class Learner {
 public:
  // `params` must validate; 1 <= strategies, 0 <= initial_strategy < strategies (BR/FP start there).
  Learner(const LearningParams& params, int strategies, int initial_strategy = 0);

  LearningRule rule() const { return params_.rule; }
  int strategies() const { return int(counts_.size()); }
  // BR/FP: the strategy it plays next; Hedge/EXP3: the one play() drew last.
  int current() const { return current_; }
  // Hedge/EXP3: log w (all 0 at the start; kept in log space so long runs never overflow exp()).
  const std::vector<double>& log_weights() const { return log_weights_; }

  // The mixed strategy it would play now: a point mass on current() (BR/FP); p = w / sum w (Hedge);
  // p = (1 - gamma) w / sum w + gamma / K (EXP3).
  std::vector<double> mixed() const;
  // Plays one episode: adds mixed() to the time average and returns the strategy drawn from it (inverse
  // CDF on one rng.uniform01(); BR/FP draw nothing and play current()).
  int play(Rng& rng);
  // The mixed strategy of the last play() (empty before the first).
  const std::vector<double>& last_mixed() const { return last_mixed_; }

  // BR/FP: values[s] of each own strategy (its payoff against the others' current strategies, or its mean
  // payoff against their history); moves to the best one (the lowest index among ties) only when it beats
  // the current one by more than the tolerance, so ties and small gains never cause churn. True if it moved.
  bool respond(const std::vector<double>& values);
  // Hedge (Freund & Schapire 1997), full information: the payoff of every own strategy against what the
  // others played; w_s *= exp(eta * r_s).
  void observe_all(const std::vector<double>& payoffs);
  // EXP3 (bandit): the payoff of the strategy the last play() returned, the only one it sees; that weight
  // alone moves, by its importance-weighted reward r / p (see learning_rules.cpp for the variant).
  void observe_played(double payoff);
  // The reward in [0, 1] that Hedge and EXP3 learn from (their regret bounds assume rewards in [0, 1]).
  double reward(double payoff) const;

  int episodes() const { return episodes_; }
  std::vector<double> average() const;    // mean of the mixed strategies played (uniform before any play)
  std::vector<double> frequency() const;  // share of episodes each strategy was played (ditto)

 private:
  LearningParams params_;
  int current_ = 0;
  std::vector<double> log_weights_;
  std::vector<double> last_mixed_;
  std::vector<double> mixed_sum_;
  std::vector<int> counts_;
  int episodes_ = 0;
};

}  // namespace liqsim
