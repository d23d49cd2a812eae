#include "core/units.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

TEST(Units, MulDivRoundsInTheStatedDirection) {
  EXPECT_EQ(mul_div(7, 1, 2, Round::Down), 3);
  EXPECT_EQ(mul_div(7, 1, 2, Round::Up), 4);
  EXPECT_EQ(mul_div(-7, 1, 2, Round::Down), -4);
  EXPECT_EQ(mul_div(-7, 1, 2, Round::Up), -3);
  EXPECT_EQ(mul_div(6, 1, 2, Round::Up), 3);
}

TEST(Units, DivNearestRoundsHalfUp) {
  EXPECT_EQ(div_nearest(7, 2), 4);    // 3.5 -> 4
  EXPECT_EQ(div_nearest(-7, 2), -3);  // -3.5 -> -3 (ties toward +infinity)
  EXPECT_EQ(div_nearest(10, 4), 3);   // 2.5 -> 3
  EXPECT_EQ(div_nearest(9, 4), 2);    // 2.25 -> 2
  EXPECT_EQ(div_nearest(-9, 4), -2);  // -2.25 -> -2
}

TEST(Units, WideProductsDoNotOverflow) {
  // 100,000 $/coin times 1,000,000 coins: the raw product is 1e11 * 1e14 = 1e25, beyond int64.
  const Price p = price_from_double(100000.0);
  const Quantity q = quantity_from_double(1000000.0);
  EXPECT_EQ(notional(p, q, Round::Down), amount_from_double(1e11));
}

TEST(Units, NotionalIsSignedLikeTheQuantity) {
  const Price p = price_from_double(10000.0);
  EXPECT_EQ(notional(p, quantity_from_double(-0.5), Round::Down), amount_from_double(-5000.0));
  // 1 satoshi at 1.000001 $ = 1.000001e-8 $: rounds down to 0 and up to 1 micro-dollar.
  EXPECT_EQ(notional(Price(1000001), Quantity(1), Round::Down), Amount(0));
  EXPECT_EQ(notional(Price(1000001), Quantity(1), Round::Up), Amount(1));
}

TEST(Units, PriceForInvertsNotional) {
  const Quantity q = quantity_from_double(-2.0);
  EXPECT_EQ(price_for(amount_from_double(-20000.0), q, Round::Down), price_from_double(10000.0));
  EXPECT_EQ(price_for(Amount(1), Quantity(3 * kQuantityScale), Round::Up), Price(1));
}

TEST(Units, RatiosApplyWithRounding) {
  EXPECT_EQ(apply(amount_from_double(1000.0), ratio_from_double(0.005), Round::Down),
            amount_from_double(5.0));
  EXPECT_EQ(apply(Amount(3), ratio_from_double(0.5), Round::Down), Amount(1));
  EXPECT_EQ(apply(Amount(3), ratio_from_double(0.5), Round::Up), Amount(2));
}

TEST(Units, RoundsPricesToTheTickGrid) {
  const Price tick = price_from_double(0.1);
  EXPECT_EQ(round_down_to_tick(price_from_double(100.17), tick), price_from_double(100.1));
  EXPECT_EQ(round_up_to_tick(price_from_double(100.11), tick), price_from_double(100.2));
  EXPECT_EQ(round_up_to_tick(price_from_double(100.1), tick), price_from_double(100.1));  // on the grid
  EXPECT_EQ(round_down_to_tick(Price(-1), tick), -tick);  // toward -infinity below zero
}

TEST(Units, FormatsFixedPoint) {
  EXPECT_EQ(format_amount(Amount(-1500000)), "-1.500000");
  EXPECT_EQ(format_price(price_from_double(9045.226131)), "9045.226131");
}

TEST(UnitsDeathTest, OutOfRangeResultAborts) {
  EXPECT_DEATH(mul_div(INT64_MAX, 4, 1, Round::Down), "out of int64 range");
}

}  // namespace
}  // namespace liqsim
