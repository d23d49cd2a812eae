#include "protocol/mark_price.h"

#include <gtest/gtest.h>

#include <cmath>

#include "protocol/mark_engine.h"

namespace liqsim {
namespace {

Price px(double x) { return price_from_double(x); }
constexpr Time kHour = seconds(3600);

TEST(MarkPrice, MedianOfThreeIsOrderIndependent) {
  const Price a = px(1), b = px(2), c = px(3);
  EXPECT_EQ(median_of_three(a, b, c), b);
  EXPECT_EQ(median_of_three(a, c, b), b);
  EXPECT_EQ(median_of_three(b, a, c), b);
  EXPECT_EQ(median_of_three(b, c, a), b);
  EXPECT_EQ(median_of_three(c, a, b), b);
  EXPECT_EQ(median_of_three(c, b, a), b);
  EXPECT_EQ(median_of_three(a, a, c), a);
}

TEST(MarkPrice, ClampToBookKeepsLastInsideTheSpread) {
  EXPECT_EQ(clamp_to_book(px(105), px(100), px(104)), px(104));
  EXPECT_EQ(clamp_to_book(px(99), px(100), px(104)), px(100));
  EXPECT_EQ(clamp_to_book(px(102), px(100), px(104)), px(102));
  EXPECT_EQ(clamp_to_book(px(99), px(100), std::nullopt), px(100));
  EXPECT_EQ(clamp_to_book(px(101), px(100), std::nullopt), px(101));
  EXPECT_EQ(clamp_to_book(px(105), std::nullopt, px(104)), px(104));
  EXPECT_EQ(clamp_to_book(px(103), std::nullopt, px(104)), px(103));
  EXPECT_EQ(clamp_to_book(px(103), std::nullopt, std::nullopt), px(103));
}

// Vector #11, Binance mark = median(Price1, Price2, ContractPrice): index 10,000, last funding 0.01%,
// 4 h of an 8 h interval left, MA basis 3, last 10,010 -> Price1 10000.5, Price2 10003, mark 10003.
// Source https://www.binance.com/en/support/faq/fff6ec1b3f5845d19f1fb924644a0877, tolerance abs 1e-6.
TEST(MarkPrice, Vector11BinanceMedian) {
  const Price index = px(10000);
  const Ratio rate = ratio_from_double(0.0001);
  EXPECT_NEAR(to_double(funding_basis_price(index, rate, kHour * 4, kHour * 8)), 10000.5, 1e-6);
  const Price mark = binance_mark(index, rate, kHour * 4, kHour * 8, index + px(3.0), px(10010));
  EXPECT_NEAR(to_double(mark), 10003.0, 1e-6);
}

// Vector #17, BitMEX perpetual Fair Price = Index * (1 + FundingRate * TimeUntilFunding / Interval) =
// 10000.5. Source https://www.bitmex.com/app/fairPriceMarking, tolerance abs 1e-6.
TEST(MarkPrice, Vector17BitmexFairPrice) {
  EXPECT_EQ(funding_basis_price(px(10000), ratio_from_double(0.0001), kHour * 4, kHour * 8), px(10000.5));
}

// The same vector through a market's mark engine (`mark.method = "bitmex_fair_price"`): the book and the
// last trade do not enter BitMEX's Fair Price.
TEST(MarkPrice, Vector17ThroughTheMarkEngine) {
  MarkEngine engine(MarkMethod::BitmexFairPrice, seconds(5), 6);
  MarkInputs in;
  in.now = seconds(10);
  in.bid = px(10'100);
  in.ask = px(10'102);
  in.mid = px(10'101);
  in.last_trade = px(10'120);
  in.index = px(10'000);
  in.oracle = px(9'990);
  in.tick = px(0.5);
  in.until_funding = kHour * 4;
  in.funding_interval = kHour * 8;
  in.last_funding_rate = ratio_from_double(0.0001);
  EXPECT_EQ(engine.update(in), px(10000.5));
}

TEST(MarkPrice, FundingBasisPriceRoundsToNearest) {
  // 1 $ * (1 + 0.5 * 1/3) = 1.1666666.. -> 1.166667; negative rate 1 - 0.5/3 = 0.8333333.. -> 0.833333.
  EXPECT_EQ(funding_basis_price(px(1), ratio_from_double(0.5), seconds(1), seconds(3)), Price(1166667));
  EXPECT_EQ(funding_basis_price(px(1), ratio_from_double(-0.5), seconds(1), seconds(3)), Price(833333));
}

// Vector #24, Hyperliquid mark = median(oracle + EMA150(mid - oracle) = 10,020, median(bid 10,005,
// ask 10,015, last 10,010) = 10,010, CEX perp median 9,995) = 10,010. Source
// https://hyperliquid.gitbook.io/hyperliquid-docs/trading/robust-price-indices, tolerance abs 1e-9.
TEST(MarkPrice, Vector24HyperliquidMedian) {
  const Price oracle = px(10000);
  const Price local = median_of_three(px(10005), px(10015), px(10010));
  EXPECT_EQ(local, px(10010));
  const Price ema30 = px(1);  // unused with three inputs present
  EXPECT_EQ(hyperliquid_mark(oracle + px(20), local, px(9995), ema30), px(10010));
}

TEST(MarkPrice, HyperliquidAddsTheLocalMedianEmaWhenOnlyTwoInputsExist) {
  // External missing: median(10020, 10010, ema30 10000) = 10010; with ema30 10030 -> 10020.
  EXPECT_EQ(hyperliquid_mark(px(10020), px(10010), std::nullopt, px(10000)), px(10010));
  EXPECT_EQ(hyperliquid_mark(px(10020), px(10010), std::nullopt, px(10030)), px(10020));
  // Empty book: median(10020, external 9995, ema30 10005) = 10005.
  EXPECT_EQ(hyperliquid_mark(px(10020), std::nullopt, px(9995), px(10005)), px(10005));
  // Only the oracle-based price: it is the mark.
  EXPECT_EQ(hyperliquid_mark(px(10020), std::nullopt, std::nullopt, px(1)), px(10020));
}

TEST(MarkMethod, NamesRoundTrip) {
  for (MarkMethod m :
       {MarkMethod::Index, MarkMethod::Last, MarkMethod::IndexPlusBasis, MarkMethod::BinanceMedian,
        MarkMethod::HyperliquidMedian, MarkMethod::Oracle, MarkMethod::BitmexFairPrice}) {
    EXPECT_EQ(mark_method_from_string(mark_method_name(m)), m);
  }
  EXPECT_EQ(mark_method_name(MarkMethod::IndexPlusBasis), "index_plus_basis");
  EXPECT_EQ(mark_method_from_string("hyperliquid_median"), MarkMethod::HyperliquidMedian);
  EXPECT_EQ(mark_method_from_string("Binance_Median"), std::nullopt);
  EXPECT_EQ(mark_method_from_string(""), std::nullopt);
}

TEST(BasisMovingAverage, EmptyBeforeTheFirstSample) {
  const BasisMovingAverage ma(seconds(5), 3);
  EXPECT_EQ(ma.average(), std::nullopt);
}

TEST(BasisMovingAverage, SamplesOncePerGridPointAndKeepsTheLastWindow) {
  BasisMovingAverage ma(seconds(5), 3);
  EXPECT_EQ(ma.observe(seconds(0), px(1)), 1u);
  EXPECT_EQ(ma.observe(seconds(2), px(100)), 0u);  // not due: ignored
  EXPECT_EQ(ma.observe(seconds(5), px(2)), 1u);
  EXPECT_EQ(ma.average(), px(1.5));
  EXPECT_EQ(ma.observe(seconds(10), px(3)), 1u);
  EXPECT_EQ(ma.average(), px(2));
  EXPECT_EQ(ma.observe(seconds(15), px(7)), 1u);  // window now 2, 3, 7
  EXPECT_EQ(ma.size(), 3u);
  EXPECT_EQ(ma.average(), px(4));
}

TEST(BasisMovingAverage, LateObservationFillsTheMissedGridPoints) {
  BasisMovingAverage ma(seconds(5), 4);
  ma.observe(seconds(0), px(0));
  ma.observe(seconds(5), px(4));
  // Grid points 10 and 15 were missed; the observation at 17 s fills both.
  EXPECT_EQ(ma.observe(seconds(17), px(8)), 2u);
  EXPECT_EQ(ma.average(), px(5));                   // (0 + 4 + 8 + 8) / 4
  EXPECT_EQ(ma.observe(seconds(19), px(100)), 0u);  // next due at 20 s
  EXPECT_EQ(ma.observe(seconds(20), px(-4)), 1u);
  EXPECT_EQ(ma.average(), px(4));  // (4 + 8 + 8 - 4) / 4
  // A gap longer than the window replaces every sample.
  EXPECT_EQ(ma.observe(seconds(100), px(-2)), 16u);
  EXPECT_EQ(ma.size(), 4u);
  EXPECT_EQ(ma.average(), px(-2));
}

TEST(BasisMovingAverage, AverageRoundsToNearestTiesUp) {
  BasisMovingAverage ma(seconds(1), 2);
  ma.observe(seconds(0), Price(1));
  ma.observe(seconds(1), Price(2));
  EXPECT_EQ(ma.average(), Price(2));  // 1.5 -> 2
  BasisMovingAverage neg(seconds(1), 2);
  neg.observe(seconds(0), Price(-1));
  neg.observe(seconds(1), Price(-2));
  EXPECT_EQ(neg.average(), Price(-1));  // -1.5 -> -1
  BasisMovingAverage thirds(seconds(1), 3);
  thirds.observe(seconds(0), Price(1));
  thirds.observe(seconds(1), Price(0));
  thirds.observe(seconds(2), Price(0));
  EXPECT_EQ(thirds.average(), Price(0));  // 0.333 -> 0
}

TEST(BasisEma, FollowsTheHyperliquidUpdate) {
  BasisEma ema(seconds(150));
  EXPECT_EQ(ema.value(), std::nullopt);
  ema.observe(seconds(0), px(100));
  EXPECT_EQ(ema.value(), px(100));  // no time elapsed yet: the latest sample
  ema.observe(seconds(10), px(200));
  EXPECT_EQ(ema.value(), px(200));  // the first sample has weight 0
  ema.observe(seconds(20), px(100));
  const double d = std::exp(-10.0 / 150.0);
  const double expected = (200.0 * 10.0 * d + 100.0 * 10.0) / (10.0 * d + 10.0);
  EXPECT_NEAR(to_double(*ema.value()), expected, 1e-6);
  EXPECT_LT(*ema.value(), px(150));  // the older sample is decayed, so the newer one weighs more
}

TEST(BasisEma, ConstantInputGivesConstantOutput) {
  BasisEma ema(seconds(30));
  for (int i = 0; i <= 100; ++i) ema.observe(seconds(3 * i), px(-12.5));
  EXPECT_EQ(ema.value(), px(-12.5));
}

}  // namespace
}  // namespace liqsim
