// dYdX v4's margin model against its documentation (docs.dydx.exchange/concepts-trading/margin) and the
// liquidity tiers of reference/protocols.md 2.1 (dydxprotocol/v4-chain testing genesis).
#include "protocol/dydx_margin.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

constexpr const char* kMarginDoc = "https://docs.dydx.exchange/concepts-trading/margin";

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// Large-Cap: IMF 2%, maintenance fraction 60%: MMF 1.2%. Maintenance Margin Requirement = abs(S x P x M):
// 2 BTC at 50,000 -> 1,200 (long or short); initial 2% -> 2,000.
TEST(DydxMargin, LargeCapRequirementIsAbsSizeTimesPriceTimesMmf) {
  const DydxMargin model({20'000, 600'000});
  EXPECT_EQ(model.maintenance(coins(2), px(50'000)), dollars(1'200)) << kMarginDoc;
  EXPECT_EQ(model.maintenance(coins(-2), px(50'000)), dollars(1'200)) << kMarginDoc;
  EXPECT_EQ(model.initial_margin_at_max_leverage(coins(100'000), px(1)), dollars(2'000));
  EXPECT_EQ(model.maintenance_fraction().num * 1'000, model.maintenance_fraction().den * 12);  // 1.2%
  EXPECT_EQ(model.max_maintenance_rate(), ratio_from_double(0.012));
}

// The same fraction for every position size (no tiers), rounded up to the micro-dollar.
TEST(DydxMargin, FractionIsTheSameForEveryPositionSize) {
  const DydxMargin model({100'000, 500'000});  // Small-Cap: 10% x 50% = 5%
  EXPECT_EQ(model.maintenance(coins(1), px(10)), dollars(0.5));
  EXPECT_EQ(model.maintenance(coins(1'000'000), px(10)), dollars(500'000));
  EXPECT_EQ(model.maintenance(Quantity(1), px(10)), Amount(1));  // 1e-7 $ x 5%, rounded up
}

// The trigger is the root of TNC = TMMR: long 1 at 50,000 with equity 5,000 and MMF 1.2%:
// 5,000 + (p - 50,000) = 0.012 p -> p = 45,000 / 0.988 = 45,546.5587..., less the rounding allowance
// (5 micro-dollars of equity, 0.000005 / 0.988 in price), rounded up.
TEST(DydxMargin, TriggerIsTheRootOfCollateralEqualsRequirement) {
  const DydxMargin model({20'000, 600'000});
  const std::optional<Price> t = model.trigger(coins(1), px(50'000), dollars(5'000));
  ASSERT_TRUE(t.has_value());
  EXPECT_NEAR(to_double(*t), 45'000 / 0.988, 1e-5);
  const std::optional<Price> exact = exact_rate_liquidation_price(coins(1), px(50'000), dollars(5'000),
                                                                  model.maintenance_fraction(), Amount(0));
  EXPECT_EQ(*exact, Price(45'546'558'705));  // 45,546.558704453..., rounded up
}

TEST(DydxMargin, ValidateRefusesFractionsOutsideThePpmRange) {
  EXPECT_EQ(DydxMargin::validate({20'000, 600'000}), std::nullopt);
  EXPECT_TRUE(DydxMargin::validate({0, 600'000}).has_value());
  EXPECT_TRUE(DydxMargin::validate({20'000, 1'000'001}).has_value());
  EXPECT_TRUE(DydxMargin::validate({1'000'000, 1'000'000}).has_value());  // MMF 100%: never safe
}

}  // namespace
}  // namespace liqsim
