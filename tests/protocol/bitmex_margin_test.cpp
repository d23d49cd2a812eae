// BitMEX risk limits against bitmex.com/app/riskLimitsExamples ("XBTUSD Risk Limit Calculation and Trade
// Example"): base maintenance 0.50%, base initial 1.00%, base risk limit 200 XBT, step 150 XBT; "the new
// maintenance margin becomes 0.50% + (# of Steps * 0.50%) and the new initial margin becomes 1.00% + (# of
// Steps * 0.50%)". Linear here: the limits are in coins of the position's asset.
#include "protocol/bitmex_margin.h"

#include <gtest/gtest.h>

#include "protocol/engine_liquidation.h"

namespace liqsim {
namespace {

constexpr const char* kRiskLimitsDoc = "https://www.bitmex.com/app/riskLimitsExamples";

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }

BitmexRiskLimits xbtusd(int64_t max_steps = 10) {
  return {coins(200), coins(150), rate(0.005), rate(0.01), max_steps};
}

// The documented table: < 200 XBT 0.50% / 1.00%, < 350 XBT 1.00% / 1.50%, < 500 XBT 1.50% / 2.00%,
// < 650 XBT 2.00% / 2.50%; at a boundary the position is already in the next step (230 XBT is "1 step
// above the Base Risk Limit of 200 XBT").
TEST(BitmexRiskLimitMargin, RatesFollowTheDocumentedTable) {
  const BitmexRiskLimitMargin model(xbtusd());
  const struct {
    double size, maintenance, initial;
    int64_t steps;
  } rows[] = {{180, 0.005, 0.01, 0}, {199.99999999, 0.005, 0.01, 0}, {200, 0.01, 0.015, 1},
              {230, 0.01, 0.015, 1}, {349.99999999, 0.01, 0.015, 1}, {350, 0.015, 0.02, 2},
              {499, 0.015, 0.02, 2}, {500, 0.02, 0.025, 3},          {649, 0.02, 0.025, 3}};
  for (const auto& r : rows) {
    EXPECT_EQ(model.steps(coins(r.size)), r.steps) << r.size << " " << kRiskLimitsDoc;
    EXPECT_EQ(model.maintenance_rate(coins(r.size)), rate(r.maintenance)) << r.size;
    EXPECT_EQ(model.initial_rate(coins(r.size), px(10'000)), rate(r.initial)) << r.size;
  }
}

// "A trader has a XBTUSD position worth 180 XBT. The current maintenance margin requirement is 0.50% (0.90
// XBT)": 180 BTC at $10,000 need $9,000 (0.90 BTC); at 230 BTC (one step) the whole position pays 1.00%:
// $23,000, not 0.5% of the first 200 and 1% of the rest.
TEST(BitmexRiskLimitMargin, RequirementOfTheWholePositionJumpsAtEachStep) {
  const BitmexRiskLimitMargin model(xbtusd());
  EXPECT_EQ(model.maintenance(coins(180), px(10'000)), dollars(9'000)) << kRiskLimitsDoc;
  EXPECT_EQ(model.maintenance(coins(-180), px(10'000)), dollars(9'000));
  EXPECT_EQ(model.maintenance(coins(230), px(10'000)), dollars(23'000));
  // The jump at the base limit: 0.5% of $1,999,999.9999 rounded up, then 1% of $2,000,000.
  EXPECT_EQ(model.maintenance(coins(199.99999999), px(10'000)), dollars(9'999.99999995));
  EXPECT_EQ(model.maintenance(coins(200), px(10'000)), dollars(20'000));
  EXPECT_EQ(model.initial_margin_at_max_leverage(coins(230), px(10'000)), dollars(34'500));
  EXPECT_EQ(model.min_maintenance_rate(), rate(0.005));
  EXPECT_EQ(model.max_maintenance_rate(), rate(0.055));  // 0.5% x (1 + 10 steps)
}

// Beyond the highest risk limit the position pays that limit's rates.
TEST(BitmexRiskLimitMargin, PositionsBeyondTheHighestLimitPayItsRates) {
  const BitmexRiskLimitMargin model(xbtusd(3));
  EXPECT_EQ(model.steps(coins(10'000)), 3);
  EXPECT_EQ(model.maintenance(coins(10'000), px(1)), dollars(200));  // 2% of $10,000
  EXPECT_EQ(model.lower_tier_size(coins(10'000), px(1)), coins(499.99999999));
}

// The liquidation engine steps a position down one risk limit at a time (bitmex.com/app/liquidation):
// 400 BTC (step 2, < 500) keep 349.99999999; from 230 to 199.99999999; below the base limit nothing (the
// engine takes the position over). The mark does not move the step.
TEST(BitmexRiskLimitMargin, EngineStepsDownOneRiskLimit) {
  const BitmexRiskLimitMargin model(xbtusd());
  EXPECT_EQ(model.lower_tier_size(coins(400), px(10'000)), coins(349.99999999));
  EXPECT_EQ(model.lower_tier_size(coins(230), px(1)), coins(199.99999999));
  EXPECT_EQ(model.lower_tier_size(coins(199), px(10'000)), std::nullopt);
  EngineLiquidationParams p;
  p.sequence = EngineSequence::Bitmex;
  EXPECT_EQ(engine_step_quantity(p, model, coins(400), px(10'000), false), coins(50.00000001));
  EXPECT_EQ(engine_step_quantity(p, model, coins(199), px(10'000), false), Quantity(0));
}

// One position's requirement is linear in the mark, so its trigger is the root of equity = |S| x p x rate:
// a long of 230 BTC bought at 10,000 with $100,000 of equity (1% rate): 100,000 + 230 (p - 10,000) =
// 2.3 p -> p = 2,200,000 / 227.7 = 9,661.835..., less the rounding allowance, rounded up. Just above it
// the account is safe, at it the requirement is met or missed by no more than the allowance.
TEST(BitmexRiskLimitMargin, TriggerIsTheRootAtThePositionsRate) {
  const BitmexRiskLimitMargin model(xbtusd());
  const std::optional<Price> t = model.trigger(coins(230), px(10'000), dollars(100'000));
  ASSERT_TRUE(t.has_value());
  EXPECT_NEAR(to_double(*t), 2'200'000.0 / 227.7, 1e-5);
  const auto equity_at = [](Price p) {
    return dollars(100'000) + notional(p, coins(230), Round::Down) - dollars(2'300'000);
  };
  const Price above(t->raw() + 1);
  EXPECT_GE(equity_at(above), model.maintenance(coins(230), above));
  // A short of 230 at 10,000 with the same equity: 100,000 - 230 (p - 10,000) = 2.3 p -> p = 2,400,000 /
  // 232.3.
  const std::optional<Price> s = model.trigger(coins(-230), px(10'000), dollars(100'000));
  ASSERT_TRUE(s.has_value());
  EXPECT_NEAR(to_double(*s), 2'400'000.0 / 232.3, 1e-5);
}

// The scaled model (traders' alerts at k x MM) multiplies every step's rate.
TEST(BitmexRiskLimitMargin, ScaledModelMultipliesEveryStep) {
  const BitmexRiskLimitMargin model(xbtusd());
  const auto scaled = model.scaled(rate(1.5));
  EXPECT_EQ(scaled->maintenance(coins(180), px(10'000)), dollars(13'500));  // 0.75%
  EXPECT_EQ(scaled->maintenance(coins(400), px(10'000)), dollars(90'000));  // 2.25%
}

// Limits BitMEX could not publish are refused with the rule they break.
TEST(BitmexRiskLimitMargin, ValidationNamesTheRule) {
  BitmexRiskLimits l = xbtusd();
  EXPECT_FALSE(BitmexRiskLimitMargin::validate(l).has_value());
  l.risk_step = Quantity(0);
  EXPECT_NE(BitmexRiskLimitMargin::validate(l)->find("risk step"), std::string::npos);
  l = xbtusd();
  l.base_initial = rate(0.004);
  EXPECT_NE(BitmexRiskLimitMargin::validate(l)->find("at least the base maintenance"), std::string::npos);
  l = xbtusd(199);  // 0.5% x 200 = 100%
  EXPECT_NE(BitmexRiskLimitMargin::validate(l)->find("below 1"), std::string::npos);
  l = xbtusd(198);  // maintenance 99.5%, initial 1% + 198 x 0.5% = 100%
  EXPECT_FALSE(BitmexRiskLimitMargin::validate(l).has_value());
}

}  // namespace
}  // namespace liqsim
