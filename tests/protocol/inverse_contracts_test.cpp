// BitMEX and Bybit margin arithmetic against vectors #16, #18-#21 (reference/protocol_vectors.json) and
// cases computed by hand from the venues' published formulas.
#include "protocol/inverse_contracts.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

Price px(double x) { return price_from_double(x); }
Quantity btc(double x) { return quantity_from_double(x); }
Amount dollars(double x) { return amount_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }
Ratio leverage(int64_t x) { return Ratio(x * kRatioScale); }

// protocol_vectors.json #16, source https://bitmex.com/app/perpetualContractsGuideExamples: quote rate
// 1.00%/day, base rate 0.25%/day, 3 intervals: I = (1.00% - 0.25%) / 3 = 0.25%; funding on a mark value
// of 20 XBT is 20 * 0.25% = 0.05 XBT, paid by the long. Reading: the example "does not consider
// Premium"; in F = P + clamp(I - P, +-0.05%) that is a premium within 0.05% of I, where F = I.
TEST(InverseContracts, Vector16BitmexFundingIsTheInterestRateInsideTheDeadBand) {
  const Ratio interest = bitmex_interest_rate(rate(0.01), rate(0.0025), 3);
  EXPECT_EQ(interest, rate(0.0025));
  EXPECT_EQ(bitmex_funding_rate(interest, interest), rate(0.0025));
  EXPECT_EQ(bitmex_funding_rate(rate(0.0022), interest), rate(0.0025));  // |I - P| = 0.03% < 0.05%
  EXPECT_EQ(bitmex_funding_payment(btc(20), rate(0.0025)), btc(0.05));
  EXPECT_EQ(bitmex_funding_payment(btc(-20), rate(0.0025)), btc(-0.05));  // the short receives
}

// Outside the dead band the premium leads: P = 0 gives 0 + clamp(0.25%) = 0.05%; P = 0.40% gives
// 0.40% + clamp(-0.15%) = 0.35%.
TEST(InverseContracts, BitmexFundingFollowsThePremiumOutsideTheDeadBand) {
  EXPECT_EQ(bitmex_funding_rate(Ratio(0), rate(0.0025)), rate(0.0005));
  EXPECT_EQ(bitmex_funding_rate(rate(0.004), rate(0.0025)), rate(0.0035));
}

// One satoshi of value at 0.25%: the payer pays ceil(0.0025) = 1 satoshi, the receiver gets
// ceil(-0.0025) = 0.
TEST(InverseContracts, BitmexFundingPaymentRoundsAgainstTheAccount) {
  EXPECT_EQ(bitmex_funding_payment(Quantity(1), rate(0.0025)), Quantity(1));
  EXPECT_EQ(bitmex_funding_payment(Quantity(-1), rate(0.0025)), Quantity(0));
}

// The same BitMEX guide: 15,000 XBTUSD at 750 is worth 15,000 / 750 = 20 XBT; closing at 800 earns
// 15,000 * (1/750 - 1/800) = 1.25 XBT.
TEST(InverseContracts, InverseValueAndPnlOfTheBitmexGuideExample) {
  EXPECT_EQ(inverse_position_value(UsdContracts(15'000), px(750)), btc(20));
  EXPECT_EQ(inverse_pnl(UsdContracts(15'000), px(750), px(800)), btc(1.25));
  EXPECT_EQ(inverse_pnl(UsdContracts(-15'000), px(750), px(800)), btc(-1.25));
  // 1 contract from 3 to 7: 1/3 - 1/7 = 0.19047619047... BTC floors to 19,047,619 satoshis.
  EXPECT_EQ(inverse_pnl(UsdContracts(1), px(3), px(7)), Quantity(19'047'619));
}

// protocol_vectors.json #18, derived from BitMEX's inverse PnL contracts * (1/entry - 1/exit)
// (bitmex.com/app/perpetualContractsGuideExamples): a long at 10,000 with 100x leverage, fees ignored,
// goes bankrupt at 10,000 * 100 / 101 = 9,900.990099..., rounded up to 9,900.990100 (tolerance 0.01).
TEST(InverseContracts, Vector18BitmexInverseBankruptcyOfAnIsolatedLong) {
  const std::optional<Price> bankruptcy =
      inverse_isolated_bankruptcy_price(UsdContracts(1'000), px(10'000), leverage(100));
  ASSERT_TRUE(bankruptcy.has_value());
  EXPECT_EQ(*bankruptcy, Price(9'900'990'100));
  EXPECT_NEAR(to_double(*bankruptcy), 9'900.9901, 0.01);
}

// protocol_vectors.json #20, source
// https://help.bybit.com/hc/en-us/articles/900000031623-What-is-Auto-Deleveraging-ADL-: a long at
// 7,890.08 with 50x goes bankrupt at 7,890.08 * 50 / 51 = 7,735.3725490196...; the page prints
// 7,735.372549 (truncated), this module rounds the long's price up to 7,735.372550 (tolerance 1e-5).
TEST(InverseContracts, Vector20BybitInverseBankruptcyOfALong) {
  const std::optional<Price> bankruptcy =
      inverse_isolated_bankruptcy_price(UsdContracts(1), px(7'890.08), leverage(50));
  ASSERT_TRUE(bankruptcy.has_value());
  EXPECT_EQ(*bankruptcy, Price(7'735'372'550));
  EXPECT_NEAR(to_double(*bankruptcy), 7'735.372549, 1e-5);
}

// A short at 10,000 with 100x: 10,000 * 100 / 99 = 10,101.010101... rounded down; at 1x a short's
// margin covers any rise, so there is no bankruptcy price.
TEST(InverseContracts, IsolatedShortBankruptcyAboveTheEntry) {
  EXPECT_EQ(inverse_isolated_bankruptcy_price(UsdContracts(-1'000), px(10'000), leverage(100)),
            Price(10'101'010'101));
  EXPECT_EQ(inverse_isolated_bankruptcy_price(UsdContracts(-1'000), px(10'000), leverage(1)), std::nullopt);
}

// protocol_vectors.json #19, source
// https://testnet.bybit.com/en-US/help-center/s/article/Liquidation-Price-USDT-Contract: 1 BTC long at
// 20,000, 50x, MMR 0.5%: IM = 400, MM = 100, LP = 20,000 - (400 - 100) = 19,700 (tolerance 1e-9).
TEST(InverseContracts, Vector19BybitUsdtIsolatedLongLiquidationPrice) {
  EXPECT_EQ(bybit_linear_isolated_liquidation_price(btc(1), px(20'000), leverage(50), rate(0.005), Amount(0),
                                                    Amount(0)),
            px(19'700));
}

// The short mirror: 20,000 + (400 - 100) = 20,300. A long of 2 BTC at 30,000, 10x, MMR 1%, deduction
// $60, extra margin $1,000: IM = 6,000, MM = 600 - 60 = 540, LP = 30,000 - 5,460/2 - 1,000/2 = 26,770.
TEST(InverseContracts, BybitUsdtIsolatedShortAndDeductionAndExtraMargin) {
  EXPECT_EQ(bybit_linear_isolated_liquidation_price(btc(-1), px(20'000), leverage(50), rate(0.005), Amount(0),
                                                    Amount(0)),
            px(20'300));
  EXPECT_EQ(bybit_linear_isolated_liquidation_price(btc(2), px(30'000), leverage(10), rate(0.01), dollars(60),
                                                    dollars(1'000)),
            px(26'770));
}

// protocol_vectors.json #21, source
// https://help.bybit.com/hc/en-us/articles/360039261334-How-to-calculate-Liquidation-Price-Inverse-Contract-:
// 10,000 contracts long at 8,000, balance 0.5 BTC, no orders, MMR 0.5%, taker fee 0.075%.
// Bankruptcy = 1.00075 * 10,000 / (10,000/8,000 + 0.5) = 5,718.571428... (page: 5,718.57, tolerance
// 0.01). Liquidation: 10,007.5 / (1.25 * (1 - 0.005 * 1.00075) + 0.5) = 5,739.0835...; the page prints
// 5,739.50 although its own equation gives 5,739.08 (tolerance 0.5). Reading: the fee term uses the
// exact bankruptcy price, not the printed 5,718.57.
TEST(InverseContracts, Vector21BybitInverseCrossBankruptcyAndLiquidationOfALong) {
  const std::optional<Price> bankruptcy = bybit_inverse_cross_bankruptcy_price(
      UsdContracts(10'000), px(8'000), btc(0.5), Quantity(0), rate(0.00075));
  const std::optional<Price> liquidation = bybit_inverse_cross_liquidation_price(
      UsdContracts(10'000), px(8'000), btc(0.5), Quantity(0), rate(0.005), rate(0.00075));
  ASSERT_TRUE(bankruptcy.has_value());
  ASSERT_TRUE(liquidation.has_value());
  EXPECT_EQ(*bankruptcy, Price(5'718'571'429));
  EXPECT_NEAR(to_double(*bankruptcy), 5'718.57, 0.01);
  EXPECT_EQ(*liquidation, Price(5'739'083'529));
  EXPECT_NEAR(to_double(*liquidation), 5'739.50, 0.5);
}

// The short mirror of #21: bankruptcy 10,000 * (1 - 0.00075) / (1.25 - 0.5) = 9,992.5 / 0.75 =
// 13,323.333333...; liquidation 9,992.5 / (1.25 * (1 + 0.005 * 0.99925) - 0.5) = 9,992.5 / 0.7562453125 =
// 13,213.305041...; both rounded down. With 2 BTC the balance covers the 1.25 BTC position: no price.
TEST(InverseContracts, BybitInverseCrossShortAndAFullyCoveredShort) {
  EXPECT_EQ(bybit_inverse_cross_bankruptcy_price(UsdContracts(-10'000), px(8'000), btc(0.5), Quantity(0),
                                                 rate(0.00075)),
            Price(13'323'333'333));
  EXPECT_EQ(bybit_inverse_cross_liquidation_price(UsdContracts(-10'000), px(8'000), btc(0.5), Quantity(0),
                                                  rate(0.005), rate(0.00075)),
            Price(13'213'305'041));
  EXPECT_EQ(bybit_inverse_cross_bankruptcy_price(UsdContracts(-10'000), px(8'000), btc(2), Quantity(0),
                                                 rate(0.00075)),
            std::nullopt);
}

// With no fee, the cross bankruptcy price of a long whose available balance equals the isolated margin
// value / L is the isolated one: 8,000 contracts at 8,000, 50x -> margin 0.02 BTC; both give
// 8,000 * 50 / 51 = 7,843.137254..., rounded up. Order margin reduces the available balance:
// balance 0.05 with 0.03 in orders is the same 0.02.
TEST(InverseContracts, CrossBankruptcyWithoutFeesMatchesTheIsolatedFormula) {
  const Price isolated = *inverse_isolated_bankruptcy_price(UsdContracts(8'000), px(8'000), leverage(50));
  EXPECT_EQ(isolated, Price(7'843'137'255));
  EXPECT_EQ(
      bybit_inverse_cross_bankruptcy_price(UsdContracts(8'000), px(8'000), btc(0.02), Quantity(0), Ratio(0)),
      isolated);
  EXPECT_EQ(
      bybit_inverse_cross_bankruptcy_price(UsdContracts(8'000), px(8'000), btc(0.05), btc(0.03), Ratio(0)),
      isolated);
}

}  // namespace
}  // namespace liqsim
