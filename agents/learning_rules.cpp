#include "agents/learning_rules.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/check.h"

namespace liqsim {

namespace {

constexpr LearningRule kRules[] = {LearningRule::BestResponse, LearningRule::FictitiousPlay,
                                   LearningRule::Hedge, LearningRule::Exp3};

// exp(log_weights) normalised, shifted by the largest so that the largest weight is exp(0) = 1.
std::vector<double> softmax(const std::vector<double>& log_weights) {
  const double top = *std::max_element(log_weights.begin(), log_weights.end());
  std::vector<double> p(log_weights.size());
  double sum = 0;
  for (size_t s = 0; s < p.size(); ++s) sum += p[s] = std::exp(log_weights[s] - top);
  for (double& x : p) x /= sum;
  return p;
}

}  // namespace

std::string_view learning_rule_name(LearningRule rule) {
  switch (rule) {
    case LearningRule::BestResponse:
      return "best_response";
    case LearningRule::FictitiousPlay:
      return "fictitious_play";
    case LearningRule::Hedge:
      return "hedge";
    case LearningRule::Exp3:
      return "exp3";
  }
  return "unknown";
}

std::optional<LearningRule> parse_learning_rule(std::string_view name) {
  for (LearningRule r : kRules)
    if (learning_rule_name(r) == name) return r;
  return std::nullopt;
}

std::string range_error(std::string_view key, double value, std::string_view allowed) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;  // shortest round trip; "nan", "inf"
  return std::string(key) + " = " + std::string(buf, end) + ": must be " + std::string(allowed);
}

std::vector<std::string> validate(const LearningParams& params, std::string_view prefix) {
  std::vector<std::string> errors;
  const auto key = [&](std::string_view name) { return std::string(prefix) + "." + std::string(name); };
  if (learning_rule_name(params.rule) == "unknown")
    errors.push_back(
        range_error(key("rule"), double(params.rule), "one of best_response, fictitious_play, hedge, exp3"));
  // Written as !(in range) so that NaN fails every check.
  if (!(params.learning_rate > 0 && params.learning_rate <= 1))
    errors.push_back(range_error(key("learning_rate"), params.learning_rate, "in (0, 1]"));
  if (!(params.exploration > 0 && params.exploration <= 1))
    errors.push_back(range_error(key("exploration"), params.exploration, "in (0, 1]"));
  if (!(params.tolerance >= 0 && std::isfinite(params.tolerance)))
    errors.push_back(range_error(key("tolerance"), params.tolerance, "finite and >= 0 ($)"));
  if (!(params.payoff_scale > 0 && std::isfinite(params.payoff_scale)))
    errors.push_back(range_error(key("payoff_scale"), params.payoff_scale, "finite and > 0 ($)"));
  return errors;
}

Learner::Learner(const LearningParams& params, int strategies, int initial_strategy)
    : params_(params),
      current_(initial_strategy),
      log_weights_(size_t(strategies), 0.0),
      mixed_sum_(size_t(strategies), 0.0),
      counts_(size_t(strategies), 0) {
  LIQSIM_CHECK(validate(params, "learner").empty(), "invalid learning parameters (validate them first)");
  LIQSIM_CHECK(strategies >= 1 && initial_strategy >= 0 && initial_strategy < strategies,
               "a learner needs a strategy and a valid initial one");
}

std::vector<double> Learner::mixed() const {
  switch (params_.rule) {
    case LearningRule::BestResponse:
    case LearningRule::FictitiousPlay: {
      std::vector<double> p(log_weights_.size(), 0.0);
      p[size_t(current_)] = 1;
      return p;
    }
    case LearningRule::Hedge:
      return softmax(log_weights_);
    case LearningRule::Exp3: {
      // Auer et al. 2002, Exp3 step 1: the uniform share gamma / K bounds every probability from below,
      // which bounds the importance weight 1 / p of the update.
      std::vector<double> p = softmax(log_weights_);
      const double gamma = params_.exploration, k = double(p.size());
      for (double& x : p) x = (1 - gamma) * x + gamma / k;
      return p;
    }
  }
  return {};
}

int Learner::play(Rng& rng) {
  last_mixed_ = mixed();
  if (params_.rule == LearningRule::Hedge || params_.rule == LearningRule::Exp3) {
    const double u = rng.uniform01();
    double cumulative = 0;
    current_ = -1;
    for (size_t s = 0; s < last_mixed_.size() && current_ < 0; ++s)
      if (u < (cumulative += last_mixed_[s])) current_ = int(s);
    // Rounding can leave the cumulative sum just below u: take the last strategy with positive mass.
    for (size_t s = last_mixed_.size(); current_ < 0 && s-- > 0;)
      if (last_mixed_[s] > 0) current_ = int(s);
  }
  for (size_t s = 0; s < last_mixed_.size(); ++s) mixed_sum_[s] += last_mixed_[s];
  ++counts_[size_t(current_)];
  ++episodes_;
  return current_;
}

bool Learner::respond(const std::vector<double>& values) {
  LIQSIM_CHECK(params_.rule == LearningRule::BestResponse || params_.rule == LearningRule::FictitiousPlay,
               "respond() is the best-response / fictitious-play update");
  LIQSIM_CHECK(values.size() == counts_.size(), "one value per strategy");
  const size_t best = size_t(std::max_element(values.begin(), values.end()) - values.begin());  // first max
  if (!(values[best] > values[size_t(current_)] + params_.tolerance)) return false;
  current_ = int(best);
  return true;
}

double Learner::reward(double payoff) const {
  return std::clamp(0.5 + payoff / (2 * params_.payoff_scale), 0.0, 1.0);
}

void Learner::observe_all(const std::vector<double>& payoffs) {
  LIQSIM_CHECK(params_.rule == LearningRule::Hedge, "observe_all() is the Hedge update");
  LIQSIM_CHECK(payoffs.size() == log_weights_.size(), "one payoff per strategy");
  for (size_t s = 0; s < payoffs.size(); ++s) log_weights_[s] += params_.learning_rate * reward(payoffs[s]);
}

// Exp3 of Auer, Cesa-Bianchi, Freund & Schapire (2002, SIAM J. Comput. 32(1), Fig. 1): mixing as in
// mixed(), estimate xhat = x / p_played for the played strategy (0 for the others, so an unbiased estimate
// of every reward), and w_played *= exp(eta * xhat). The paper's step is eta = gamma / K; here eta is
// learning_rate, so both parameters mean something on their own (gamma: exploration and the bound on
// 1 / p; eta: how far one estimate moves the weights). learning_rate = exploration / K is the paper's Exp3.
void Learner::observe_played(double payoff) {
  LIQSIM_CHECK(params_.rule == LearningRule::Exp3, "observe_played() is the EXP3 update");
  LIQSIM_CHECK(!last_mixed_.empty(), "observe_played() follows play()");
  const size_t s = size_t(current_);
  log_weights_[s] += params_.learning_rate * reward(payoff) / last_mixed_[s];
}

std::vector<double> Learner::average() const {
  std::vector<double> a(mixed_sum_.size(), 1.0 / double(mixed_sum_.size()));
  if (episodes_ > 0)
    for (size_t s = 0; s < a.size(); ++s) a[s] = mixed_sum_[s] / episodes_;
  return a;
}

std::vector<double> Learner::frequency() const {
  std::vector<double> f(counts_.size(), 1.0 / double(counts_.size()));
  if (episodes_ > 0)
    for (size_t s = 0; s < f.size(); ++s) f[s] = double(counts_[s]) / episodes_;
  return f;
}

}  // namespace liqsim
