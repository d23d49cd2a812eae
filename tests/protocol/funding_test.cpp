#include "protocol/funding.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

constexpr const char* kBinanceFundingFaq = "https://www.binance.com/en/support/faq/360033525031";

Price px(double x) { return price_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }
constexpr Time kHour = seconds(3600);

// Vector #7, copied FAQ example (2020-08-28 08:00 UTC): P = 0.0429%, I = 0.01%, clamp 0.05% -> F = 0.0100%.
// Source kBinanceFundingFaq (as quoted in a public repo doc), tolerance abs 1e-12 (exact in Ratio).
TEST(Funding, Vector7InsideTheDeadZone) {
  EXPECT_EQ(funding_rate(rate(0.000429), rate(0.0001), rate(0.0005)), rate(0.0001)) << kBinanceFundingFaq;
  EXPECT_EQ(funding_rate(rate(0.000429), kDefaultInterestRate8h, kDefaultFundingClamp), rate(0.0001));
}

// Vector #8, outside the dead zone: P = 0.1% -> F = 0.1% + clamp(-0.09%) = 0.05%. Source
// kBinanceFundingFaq, tolerance abs 1e-12.
TEST(Funding, Vector8OutsideTheDeadZone) {
  EXPECT_EQ(funding_rate(rate(0.001), rate(0.0001), rate(0.0005)), rate(0.0005));
  EXPECT_EQ(funding_rate(rate(-0.001), rate(0.0001), rate(0.0005)), rate(-0.0005));
}

// Vector #9, cap: raw 0.45% with MMR at max leverage 0.4% -> cap 0.75 * 0.4% = 0.3%. Source Binance
// funding FAQ (cap = +-0.75 * MMR at max leverage; BTCUSDT +-0.3%), via a public repo doc; abs 1e-12.
TEST(Funding, Vector9CapFromMaintenanceRate) {
  const Ratio cap = funding_cap_from_mmr(rate(0.004));
  EXPECT_EQ(cap, rate(0.003));
  EXPECT_EQ(cap_funding(rate(0.0045), cap), rate(0.003));
  EXPECT_EQ(cap_funding(rate(-0.0045), cap), rate(-0.003));
  EXPECT_EQ(cap_funding(rate(0.001), cap), rate(0.001));
}

// Vector #10, time-weighted average of 0.01%, 0.02%, 0.03%, 0.04% with weights 1..4 -> 0.03%. Source
// kBinanceFundingFaq (Average P = (1*P1 + ... + n*Pn) / (1 + ... + n)), tolerance abs 1e-12.
TEST(Funding, Vector10TimeWeightedPremiumAverage) {
  PremiumAverager averager(PremiumWeighting::TimeWeighted);
  EXPECT_EQ(averager.average(), std::nullopt);
  for (double p : {0.0001, 0.0002, 0.0003, 0.0004}) averager.add(rate(p));
  EXPECT_EQ(averager.count(), 4u);
  EXPECT_EQ(averager.average(), rate(0.0003));
  averager.reset();
  EXPECT_EQ(averager.average(), std::nullopt);
  averager.add(rate(0.0005));
  EXPECT_EQ(averager.average(), rate(0.0005));  // weights restart at 1
}

TEST(Funding, EqualWeightPremiumAverage) {
  PremiumAverager averager(PremiumWeighting::Equal);
  for (double p : {0.0001, 0.0002, 0.0003, 0.0004}) averager.add(rate(p));
  EXPECT_EQ(averager.average(), rate(0.00025));
}

TEST(Funding, PremiumIndexIsZeroInsideTheImpactSpread) {
  EXPECT_EQ(premium_index(px(9995), px(10005), px(10000)), Ratio(0));
  EXPECT_EQ(premium_index(px(10010), px(10020), px(10000)), rate(0.001));
  EXPECT_EQ(premium_index(px(9980), px(9990), px(10000)), rate(-0.001));
  EXPECT_EQ(premium_index(Price(1), Price(1), Price(3)), Ratio(-666666667));  // -2/3, nearest
}

// Vector #22, Hyperliquid: impact bid 10,100 vs oracle 10,000 -> premium 1%; F_8h = 1% + clamp(0.01% - 1%,
// +-0.05%) = 0.95%; paid hourly at 1/8: 0.11875%. Source
// https://hyperliquid.gitbook.io/hyperliquid-docs/trading/funding (example as transcribed at
// cortex-vigil.com/wiki/funding-rates), tolerance abs 1e-12.
TEST(Funding, Vector22HyperliquidRateFromOraclePremium) {
  const Ratio premium = premium_index(px(10100), px(10100), px(10000));
  EXPECT_EQ(premium, rate(0.01));
  const Ratio f8h = funding_rate(premium, rate(0.0001), rate(0.0005));
  EXPECT_EQ(f8h, rate(0.0095));
  EXPECT_EQ(hyperliquid_hourly_rate(f8h), rate(0.0011875));
  EXPECT_EQ(hyperliquid_hourly_rate(rate(0.5)), rate(0.04));  // 6.25%/h capped at 4%/h
}

// Vector #23, Hyperliquid hourly payment: 10 coins * oracle 10,000 * 0.95%/8 = 118.75. Source
// https://hyperliquid.gitbook.io/hyperliquid-docs/trading/funding, tolerance abs 1e-8 (exact here).
TEST(Funding, Vector23HyperliquidHourlyPayment) {
  const Ratio hourly = hyperliquid_hourly_rate(rate(0.0095));
  EXPECT_EQ(funding_payment(quantity_from_double(10), px(10000), hourly), amount_from_double(118.75));
  EXPECT_EQ(funding_payment(quantity_from_double(-10), px(10000), hourly), amount_from_double(-118.75));
}

TEST(Funding, IntervalScaling) {
  // Binance F_N = F / (8/N): 0.01% per 8 h is 0.005% per 4 h and 0.00125% per hour.
  EXPECT_EQ(scale_funding_rate(rate(0.0001), kHour * 4, kHour * 8), rate(0.00005));
  EXPECT_EQ(scale_funding_rate(rate(0.0001), kHour, kHour * 8), rate(0.0000125));
  EXPECT_EQ(scale_funding_rate(Ratio(-1), kHour, kHour * 8), Ratio(0));   // -0.125 -> 0
  EXPECT_EQ(scale_funding_rate(Ratio(-5), kHour, kHour * 8), Ratio(-1));  // -0.625 -> -1
}

TEST(Funding, LongsPayShortsWhenTheRateIsPositive) {
  const Amount long_pays = funding_payment(quantity_from_double(2), px(10000), rate(0.0001));
  EXPECT_EQ(long_pays, amount_from_double(2.0));
  EXPECT_EQ(funding_payment(quantity_from_double(-2), px(10000), rate(0.0001)), amount_from_double(-2.0));
  EXPECT_EQ(funding_payment(quantity_from_double(2), px(10000), rate(-0.0001)), amount_from_double(-2.0));
}

TEST(Funding, PaymentRoundingFavoursTheProtocolOnBothSides) {
  // 1 satoshi at 1 $ and a rate of 1e-9: the exact payment is 1e-17 $.
  const Quantity one_sat(1);
  const Price one_dollar = px(1);
  const Ratio tiny(1);
  EXPECT_EQ(funding_payment(one_sat, one_dollar, tiny), Amount(1));   // payer pays a whole micro-dollar
  EXPECT_EQ(funding_payment(-one_sat, one_dollar, tiny), Amount(0));  // receiver gets nothing
  EXPECT_EQ(funding_payment(one_sat, one_dollar, tiny, Round::Down), Amount(0));
  EXPECT_EQ(funding_payment(-one_sat, one_dollar, tiny, Round::Down), Amount(-1));
  // Payments of matched long and short positions never sum below zero: the residual goes to the pool.
  const Quantity q(123'456'789);
  const Price mark(98'765'432'101);
  const Ratio f(33'333);
  const Amount net = funding_payment(q, mark, f) + funding_payment(-q, mark, f);
  EXPECT_GE(net, Amount(0));
  EXPECT_LE(net, Amount(1));
}

}  // namespace
}  // namespace liqsim
