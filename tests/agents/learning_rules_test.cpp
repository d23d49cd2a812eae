// One player's learning rules (agents/learning_rules.h): Hedge's and EXP3's weights follow the published
// updates by hand, EXP3's mixing floors every probability, best response holds on ties and small gains, and
// validate() names the key, the value and the allowed range.
#include "agents/learning_rules.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace liqsim {
namespace {

LearningParams rule_params(LearningRule rule) {
  LearningParams p;
  p.rule = rule;
  return p;
}

bool has_message(const std::vector<std::string>& errors, const std::string& message) {
  for (const std::string& e : errors)
    if (e == message) return true;
  return false;
}

TEST(LearningRules, NamesRoundTrip) {
  for (LearningRule r :
       {LearningRule::BestResponse, LearningRule::FictitiousPlay, LearningRule::Hedge, LearningRule::Exp3})
    EXPECT_EQ(parse_learning_rule(learning_rule_name(r)), r);
  EXPECT_EQ(learning_rule_name(LearningRule::FictitiousPlay), "fictitious_play");
  EXPECT_FALSE(parse_learning_rule("Hedge").has_value());
}

// eta = 0.5, payoff scale $10: payoffs (10, 0, -4) are rewards (1, 0.5, 0.3), twice: log w = 2 eta r and
// p_s = exp(2 eta r_s) / sum over the strategies.
TEST(LearningRules, HedgeWeightsFollowTheMultiplicativeUpdate) {
  LearningParams p = rule_params(LearningRule::Hedge);
  p.learning_rate = 0.5;
  p.payoff_scale = 10;
  Learner hedge(p, 3);
  hedge.observe_all({10, 0, -4});
  hedge.observe_all({10, 0, -4});
  const double r[] = {1.0, 0.5, 0.3};
  double sum = 0;
  for (double x : r) sum += std::exp(2 * 0.5 * x);
  for (size_t s = 0; s < 3; ++s) {
    EXPECT_DOUBLE_EQ(hedge.log_weights()[s], 2 * 0.5 * r[s]);
    EXPECT_NEAR(hedge.mixed()[s], std::exp(2 * 0.5 * r[s]) / sum, 1e-15);
  }
}

// Rewards beyond the payoff scale are clamped to [0, 1].
TEST(LearningRules, RewardsAreClampedToTheUnitInterval) {
  Learner hedge(rule_params(LearningRule::Hedge), 2);
  EXPECT_DOUBLE_EQ(hedge.reward(0), 0.5);
  EXPECT_DOUBLE_EQ(hedge.reward(0.5), 0.75);
  EXPECT_DOUBLE_EQ(hedge.reward(7), 1.0);
  EXPECT_DOUBLE_EQ(hedge.reward(-7), 0.0);
}

// gamma = 0.3 over 3 strategies: however strongly strategy 0 is rewarded, the others keep gamma / K = 0.1.
TEST(LearningRules, Exp3KeepsTheExplorationFloor) {
  LearningParams p = rule_params(LearningRule::Exp3);
  p.exploration = 0.3;
  p.learning_rate = 1;
  Learner exp3(p, 3);
  Rng rng(5);
  for (int t = 0; t < 2000; ++t) exp3.observe_played(exp3.play(rng) == 0 ? 1.0 : -1.0);
  const std::vector<double> mixed = exp3.mixed();
  EXPECT_GT(mixed[0], 0.79);
  for (size_t s = 1; s < 3; ++s) {
    EXPECT_GE(mixed[s], p.exploration / 3);
    EXPECT_NEAR(mixed[s], 0.1, 1e-9);
  }
}

// One bandit step: only the played strategy's log weight moves, by eta * reward / p_played.
TEST(LearningRules, Exp3ImportanceWeightsOnlyThePlayedStrategy) {
  LearningParams p = rule_params(LearningRule::Exp3);
  p.exploration = 0.2;
  p.learning_rate = 0.3;
  Learner exp3(p, 4);
  Rng rng(11);
  const int played = exp3.play(rng);
  EXPECT_DOUBLE_EQ(exp3.last_mixed()[size_t(played)], 0.25);  // uniform weights: p = 1 / K
  exp3.observe_played(0.5);                                   // reward 0.75
  for (int s = 0; s < 4; ++s)
    EXPECT_DOUBLE_EQ(exp3.log_weights()[size_t(s)], s == played ? 0.3 * 0.75 / 0.25 : 0.0) << s;
}

// Best response with tolerance $1: a tie and a gain of $0.5 leave it where it is; a gain of $2 moves it, to
// the lowest index among the best.
TEST(LearningRules, BestResponseHoldsOnTiesAndSmallGains) {
  LearningParams p = rule_params(LearningRule::BestResponse);
  p.tolerance = 1;
  Learner br(p, 4, 2);
  EXPECT_FALSE(br.respond({5, 0, 5, 0}));
  EXPECT_FALSE(br.respond({5.5, 0, 5, 5.5}));
  EXPECT_EQ(br.current(), 2);
  EXPECT_TRUE(br.respond({0, 7, 5, 7}));
  EXPECT_EQ(br.current(), 1);
}

// BR/FP play a point mass; the time average and the frequencies count the episodes played.
TEST(LearningRules, TimeAverageOfPointMasses) {
  Learner br(rule_params(LearningRule::BestResponse), 3);
  Rng rng(1);
  br.play(rng);
  br.respond({0, 0, 1});
  br.play(rng);
  br.play(rng);
  EXPECT_EQ(br.average(), (std::vector<double>{1.0 / 3, 0, 2.0 / 3}));
  EXPECT_EQ(br.frequency(), br.average());
}

TEST(LearningRules, ValidateNamesKeyValueAndRange) {
  LearningParams p;
  EXPECT_TRUE(validate(p, "game").empty());
  p.learning_rate = 0;
  EXPECT_TRUE(has_message(validate(p, "game"), "game.learning_rate = 0: must be in (0, 1]"));
  p.learning_rate = 1.5;
  EXPECT_TRUE(has_message(validate(p, "game"), "game.learning_rate = 1.5: must be in (0, 1]"));
  p.learning_rate = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(has_message(validate(p, "game"), "game.learning_rate = nan: must be in (0, 1]"));
  p.learning_rate = 1;
  p.exploration = 0;
  p.payoff_scale = -2;
  p.tolerance = -0.5;
  const std::vector<std::string> errors = validate(p, "game");
  EXPECT_EQ(errors.size(), 3u);
  EXPECT_TRUE(has_message(errors, "game.exploration = 0: must be in (0, 1]"));
  EXPECT_TRUE(has_message(errors, "game.payoff_scale = -2: must be finite and > 0 ($)"));
  EXPECT_TRUE(has_message(errors, "game.tolerance = -0.5: must be finite and >= 0 ($)"));
  p = LearningParams{};
  p.payoff_scale = 0;
  EXPECT_TRUE(has_message(validate(p, "x"), "x.payoff_scale = 0: must be finite and > 0 ($)"));
}

}  // namespace
}  // namespace liqsim
