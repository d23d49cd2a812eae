// Option market makers' quote rule (agents/option_market_maker.h): ladders at Black-76 prices of the
// surface's vol -/+ a spread in vol points, widened and thinned by the recent move, leaned by inventory.
#include "agents/option_market_maker.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

constexpr double kF = 60'000, kK = 54'000, kT = 7.0 / 365.0;

VolSurface flat(double vol) {
  return VolSurface({SviSlice{30.0 / 365.0, vol * vol * 30.0 / 365.0, 0, 0, 0, 0.1}});
}

TEST(OptionQuotes, CalmQuotesStraddleTheModelPriceAtTheVolSpread) {
  OptionQuoteParams p;
  p.min_half_spread = 0;
  const auto q = option_quotes(p, flat(0.6), OptionType::Put, kF, kK, kT, 0.0, 0.0);
  ASSERT_EQ(q.size(), 6u);  // 3 levels a side
  const double mid = black76_price(OptionType::Put, kF, kK, 0.6, kT);
  EXPECT_TRUE(q[0].bid);
  EXPECT_NEAR(q[0].price, black76_price(OptionType::Put, kF, kK, 0.58, kT), 1e-9);
  EXPECT_FALSE(q[1].bid);
  EXPECT_NEAR(q[1].price, black76_price(OptionType::Put, kF, kK, 0.62, kT), 1e-9);
  EXPECT_LT(q[0].price, mid);
  EXPECT_GT(q[1].price, mid);
  // Deeper levels a further vol point out.
  EXPECT_NEAR(q[5].price, black76_price(OptionType::Put, kF, kK, 0.64, kT), 1e-9);
  EXPECT_DOUBLE_EQ(q[0].contracts, 5.0);
}

TEST(OptionQuotes, ARecentMoveWidensTheSpreadAndWithdrawsDepth) {
  OptionQuoteParams p;
  const auto calm = option_quotes(p, flat(0.6), OptionType::Put, kF, kK, kT, 0.0, 0.0);
  const auto stressed = option_quotes(p, flat(0.6), OptionType::Put, kF, kK, kT, 0.1, 0.0);
  // 10 % move: spread x (1 + 10 x 0.1) = 2, depth x max(0.1, 1 - 5 x 0.1) = 0.5.
  EXPECT_GT(stressed[1].price - stressed[0].price, 1.9 * (calm[1].price - calm[0].price));
  EXPECT_DOUBLE_EQ(stressed[0].contracts, 2.5);
  const auto crash = option_quotes(p, flat(0.6), OptionType::Put, kF, kK, kT, 0.5, 0.0);
  EXPECT_DOUBLE_EQ(crash[0].contracts, 0.5);  // floored at min_depth
}

TEST(OptionQuotes, ALongMakerLeansItsQuotesDown) {
  OptionQuoteParams p;
  const auto flat_book = option_quotes(p, flat(0.6), OptionType::Put, kF, kK, kT, 0.0, 0.0);
  const auto long_book = option_quotes(p, flat(0.6), OptionType::Put, kF, kK, kT, 0.0, 200.0);
  EXPECT_LT(long_book[0].price, flat_book[0].price);
  EXPECT_LT(long_book[1].price, flat_book[1].price);
  const auto short_book = option_quotes(p, flat(0.6), OptionType::Put, kF, kK, kT, 0.0, -200.0);
  EXPECT_GT(short_book[1].price, flat_book[1].price);
}

TEST(OptionQuotes, ExpiredOrDegenerateSeriesAreNotQuoted) {
  EXPECT_TRUE(option_quotes({}, flat(0.6), OptionType::Call, kF, kK, 0.0, 0.0, 0.0).empty());
  EXPECT_TRUE(option_quotes({}, flat(0.6), OptionType::Call, 0.0, kK, kT, 0.0, 0.0).empty());
}

}  // namespace
}  // namespace liqsim
