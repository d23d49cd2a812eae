// Option and portfolio margin against vectors #78-#82 (reference/protocol_vectors.json), Black-76
// against put-call parity and a textbook value, and cases computed by hand from the cited formulas.
#include "protocol/portfolio_margin.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace liqsim {
namespace {

Price px(double x) { return price_from_double(x); }
Quantity btc(double x) { return quantity_from_double(x); }
Amount dollars(double x) { return amount_from_double(x); }

// Hull, Options, Futures, and Other Derivatives, futures options and Black's model, worked example: a
// European put on a futures contract, F = K = 20, r = 9%, sigma = 25%, T = 4 months: 1.12 (to the cent).
TEST(PortfolioMargin, Black76TextbookPutOnAFuture) {
  EXPECT_NEAR(black76_price(OptionType::Put, 20.0, 20.0, 0.25, 4.0 / 12.0, 0.09), 1.12, 0.005);
}

// At the money with r = 0, C = F (2 N(sigma sqrt(T) / 2) - 1): F = 100, sigma = 20%, T = 1 gives
// 100 * (2 * 0.5398278372770 - 1) = 7.96556745541.
TEST(PortfolioMargin, Black76AtTheMoneyCall) {
  EXPECT_NEAR(black76_price(OptionType::Call, 100.0, 100.0, 0.2, 1.0), 7.96556745541, 1e-9);
}

// Put-call parity on a forward: C - P = e^{-rT} (F - K), for in-, at- and out-of-the-money strikes.
TEST(PortfolioMargin, Black76PutCallParity) {
  for (double strike : {80.0, 100.0, 130.0}) {
    const double call = black76_price(OptionType::Call, 100.0, strike, 0.6, 0.5, 0.03);
    const double put = black76_price(OptionType::Put, 100.0, strike, 0.6, 0.5, 0.03);
    EXPECT_NEAR(call - put, std::exp(-0.03 * 0.5) * (100.0 - strike), 1e-9) << "strike " << strike;
  }
}

// At expiry (or zero volatility) the price is the discounted intrinsic value.
TEST(PortfolioMargin, Black76AtExpiryIsIntrinsic) {
  EXPECT_DOUBLE_EQ(black76_price(OptionType::Call, 120.0, 100.0, 0.5, 0.0), 20.0);
  EXPECT_DOUBLE_EQ(black76_price(OptionType::Put, 120.0, 100.0, 0.5, 0.0), 0.0);
}

// protocol_vectors.json #78, source: Deribit standard (inverse) option margin as reproduced at
// doc.tslab.pro "Deribit Margin Requirements Calculation" (and Aevo's docs). Underlying 100,000, per 1
// BTC contract:
//   call K 110,000, mark 0.02: OTM 10,000: IM = max(0.15 - 0.10, 0.10) + 0.02 = 0.12, MM = 0.095;
//   put K 95,000, mark 0.01: OTM 5,000: IM = max(0.10, 0.10) + 0.01 = 0.11, MM = max(0.075, 0.00075)
//   + 0.01 = 0.085, IM = max(0.11, 0.085) = 0.11;
//   call K 90,000 (in the money), mark 0.12: IM = 0.15 + 0.12 = 0.27, MM = 0.195. Tolerance 1e-9 BTC.
TEST(PortfolioMargin, Vector78DeribitStandardMarginOfShortOptions) {
  const Price underlying = px(100'000);
  const OptionMargin otm_call =
      deribit_short_option_margin(OptionType::Call, px(110'000), underlying, btc(0.02));
  const OptionMargin otm_put =
      deribit_short_option_margin(OptionType::Put, px(95'000), underlying, btc(0.01));
  const OptionMargin itm_call =
      deribit_short_option_margin(OptionType::Call, px(90'000), underlying, btc(0.12));
  EXPECT_EQ(otm_call.initial, btc(0.12));
  EXPECT_EQ(otm_call.maintenance, btc(0.095));
  EXPECT_EQ(otm_put.initial, btc(0.11));
  EXPECT_EQ(otm_put.maintenance, btc(0.085));
  EXPECT_EQ(itm_call.initial, btc(0.27));
  EXPECT_EQ(itm_call.maintenance, btc(0.195));
}

// A put 3% out of the money (K 97,000), mark 0.015: IM = max(0.15 - 0.03, 0.10) + 0.015 = 0.135,
// MM = 0.075 + 0.015 = 0.09. OTM / U rounds down: a call 1e-6 $ out of the money at U = 3 $ has
// OTM / U = 1e-6 / 3 BTC = 33.33 satoshis -> 33, so IM = 15,000,000 - 33 = 14,999,967 satoshis, above
// the exact 14,999,966.67 (up, against the account).
TEST(PortfolioMargin, DeribitStandardMarginOfAPutAndTheRounding) {
  const OptionMargin put = deribit_short_option_margin(OptionType::Put, px(97'000), px(100'000), btc(0.015));
  EXPECT_EQ(put.initial, btc(0.135));
  EXPECT_EQ(put.maintenance, btc(0.09));
  const OptionMargin call =
      deribit_short_option_margin(OptionType::Call, px(3) + Price(1), px(3), Quantity(0));
  EXPECT_EQ(call.initial, Quantity(14'999'967));
}

// Shock parameters (docs.oreome.com, reported BTC values): at 30 days (30/30)^0.13 = 1, so iv 60% goes
// to max(0.6 * 1.5, 0.5) = 0.9 and 0.6 * 0.75 = 0.45. At 7.5 days (30/7.5)^0.3 = 4^0.3 = 1.5157166:
// up 0.6 * (1 + 0.5 * 1.5157166) = 1.05471497, down 0.6 * (1 - 0.25 * 1.5157166) = 0.37264252. A low iv
// of 20% at 30 days is lifted to the 50% floor.
TEST(PortfolioMargin, DeribitVolatilityShocks) {
  EXPECT_NEAR(pm_vol_shock_up(0.6, 30.0), 0.9, 1e-12);
  EXPECT_NEAR(pm_vol_shock_down(0.6, 30.0), 0.45, 1e-12);
  EXPECT_NEAR(pm_vol_shock_up(0.6, 7.5), 1.05471497, 1e-8);
  EXPECT_NEAR(pm_vol_shock_down(0.6, 7.5), 0.37264252, 1e-8);
  EXPECT_DOUBLE_EQ(pm_vol_shock_up(0.2, 30.0), 0.5);
}

TEST(PortfolioMargin, PriceMovesAreEvenlySpaced) {
  const std::vector<double> moves = pm_price_moves(0.16, 9);
  ASSERT_EQ(moves.size(), 9u);
  for (size_t i = 0; i < moves.size(); ++i) EXPECT_NEAR(moves[i], -0.16 + 0.04 * double(i), 1e-15);
}

// protocol_vectors.json #79, source support.deribit.com/hc/en-us/articles/25944756247837 (grid) with the
// shock parameters of docs.oreome.com: short 1 call K 110,000 on F 100,000, iv 60%, 30 days (T = 30/365),
// moves -16%..+16% in 9 buckets, vol up 0.9 / unchanged 0.6 / down 0.45, Black-76 at r = 0 and no time
// decay. Now 3,270.2605; at +16% (F 116,000) with vol 0.9 the call is worth 14,843.0018, a loss of
// 11,572.7413 (tolerance 0.01), the worst cell.
TEST(PortfolioMargin, Vector79WorstScenarioLossOfAShortCall) {
  PmPortfolio portfolio;
  portfolio.options.push_back({OptionType::Call, 110'000.0, -1.0, 0.6, 30.0});
  const std::vector<double> moves = pm_price_moves(0.16, 9);
  const auto grid = pm_scenario_grid(portfolio, 100'000.0, moves);
  EXPECT_NEAR(pm_worst_scenario_loss(grid), 11'572.7413, 0.01);
  EXPECT_NEAR(grid[8][0], -11'572.7413, 0.01);  // +16%, VolShock::Up
}

// protocol_vectors.json #80, source support.deribit.com/hc/en-us/articles/25944756247837: long 10 BTC
// perpetual at 100,000, max move 16%: worst loss 10 * 100,000 * 0.16 = 160,000 USD (tolerance 1e-6).
// The short's worst is the +16% row, the same size.
TEST(PortfolioMargin, Vector80WorstScenarioLossOfALinearFuture) {
  const std::vector<double> moves = pm_price_moves(0.16, 9);
  const PmPortfolio long_future{10.0, {}};
  const PmPortfolio short_future{-10.0, {}};
  EXPECT_NEAR(pm_worst_scenario_loss(pm_scenario_grid(long_future, 100'000.0, moves)), 160'000.0, 1e-6);
  EXPECT_NEAR(pm_worst_scenario_loss(pm_scenario_grid(short_future, 100'000.0, moves)), 160'000.0, 1e-6);
}

// Covered call: long 1 perpetual + short 1 call K 110,000 (as #79). The future caps the upside loss; the
// worst cell is -16% with vol up: -16,000 on the future, and the call at F 84,000, vol 0.9 is worth
// 1,885.7535, so the short call loses 1,885.7535 - 3,270.2605 = -1,384.5070: total -14,614.5069.
TEST(PortfolioMargin, CoveredCallWorstLossIsTheDownMoveWithVolUp) {
  PmPortfolio portfolio{1.0, {{OptionType::Call, 110'000.0, -1.0, 0.6, 30.0}}};
  const std::vector<double> moves = pm_price_moves(0.16, 9);
  const auto grid = pm_scenario_grid(portfolio, 100'000.0, moves);
  EXPECT_NEAR(pm_worst_scenario_loss(grid), 14'614.5069, 0.001);
  EXPECT_NEAR(grid[0][0], -14'614.5069, 0.001);
}

// McMillan's arrays (protocol_vectors.json #81), profit positive, per one long contract.
SpanRiskArray mcmillan_array(const std::array<double, kSpanScenarios>& values) {
  SpanRiskArray array{};
  for (int i = 0; i < kSpanScenarios; ++i) array[i] = dollars(values[i]);
  return array;
}
const SpanRiskArray kLongFuture = mcmillan_array(
    {0, 0, 3330, 3330, -3330, -3330, 6670, 6670, -6670, -6670, 10000, 10000, -10000, -10000, 7000, -7000});
const SpanRiskArray kLongDec410Call = mcmillan_array(
    {460, -610, 2640, 1730, -1270, -2340, 5210, 4540, -2540, -3430, 8060, 7640, -3380, -3990, 3130, -1500});

// protocol_vectors.json #81, source McMillan, Options as a Strategic Investment, ch. 34 (SPAN examples):
// long future: worst -10,000 (scenario 13); long call: worst -3,990 (scenario 14); covered write (long
// future, short call): worst -10,000 + 3,380 = -6,620 (scenario 13). Exact.
TEST(PortfolioMargin, Vector81SpanRiskArrayWorstLoss) {
  const std::vector<SpanPosition> future{{1, kLongFuture}};
  const std::vector<SpanPosition> call{{1, kLongDec410Call}};
  const std::vector<SpanPosition> covered_write{{1, kLongFuture}, {-1, kLongDec410Call}};
  EXPECT_EQ(span_scan_risk(future), dollars(10'000));
  EXPECT_EQ(span_scan_risk(call), dollars(3'990));
  EXPECT_EQ(span_scan_risk(covered_write), dollars(6'620));
}

// Two short futures lose 2 * 10,000 in scenario 11; a portfolio that gains in every scenario needs 0.
TEST(PortfolioMargin, SpanScanRiskScalesWithLotsAndIsFlooredAtZero) {
  const std::vector<SpanPosition> short_futures{{-2, kLongFuture}};
  EXPECT_EQ(span_scan_risk(short_futures), dollars(20'000));
  SpanRiskArray gains{};
  gains.fill(dollars(5));
  const std::vector<SpanPosition> always_gains{{3, gains}};
  EXPECT_EQ(span_scan_risk(always_gains), Amount(0));
}

// protocol_vectors.json #82, source: SPAN 16-scenario table (2x PSR, 35%) in NSE/LPU course notes
// eslm.lpude.in page 193; CME's multiplier is exchange-set (3x commonly cited). Long future, price scan
// range 10,000: extreme 2 x 10,000 x 35% = 7,000 < 10,000, so scan risk 10,000; extreme 3 x 10,000 x 35%
// = 10,500, which becomes the scan risk. Tolerance 1e-9.
TEST(PortfolioMargin, Vector82SpanExtremeScenarioWeighting) {
  const SpanRiskArray two = span_future_risk_array(dollars(10'000), 2);
  const SpanRiskArray three = span_future_risk_array(dollars(10'000), 3);
  EXPECT_EQ(-two[15], dollars(7'000));
  EXPECT_EQ(-three[15], dollars(10'500));
  EXPECT_EQ(span_scan_risk(std::vector<SpanPosition>{{1, two}}), dollars(10'000));
  EXPECT_EQ(span_scan_risk(std::vector<SpanPosition>{{1, three}}), dollars(10'500));
  EXPECT_EQ(span_extreme_scenario_pnl(dollars(-30'000), Ratio(350'000'000)), dollars(-10'500));
}

// The generated array has McMillan's shape; thirds round toward -infinity: +3,333.333333 and
// -3,333.333334. Range 6,000 with 3x and 50% covered: extreme 9,000 exceeds the range (scan 9,000).
TEST(PortfolioMargin, SpanFutureRiskArrayShapeAndRounding) {
  const SpanRiskArray array = span_future_risk_array(dollars(10'000), 2);
  EXPECT_EQ(array[0], Amount(0));
  EXPECT_EQ(array[1], Amount(0));
  EXPECT_EQ(array[2], Amount(3'333'333'333));
  EXPECT_EQ(array[4], Amount(-3'333'333'334));
  EXPECT_EQ(array[10], dollars(10'000));
  EXPECT_EQ(array[13], dollars(-10'000));
  EXPECT_EQ(array[14], dollars(7'000));
  const SpanRiskArray wide = span_future_risk_array(dollars(6'000), 3, Ratio(500'000'000));
  EXPECT_EQ(span_scan_risk(std::vector<SpanPosition>{{1, wide}}), dollars(9'000));
}

}  // namespace
}  // namespace liqsim
