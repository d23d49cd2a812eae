// dYdX v4 liquidation arithmetic against vectors #29-#32 and #34 (reference/protocol_vectors.json) and
// hand-computed cases from the formulas in dydxprotocol/v4-chain protocol/x/clob/keeper/liquidations.go.
#include "protocol/dydx_liquidation.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

constexpr const char* kLiquidationsGo =
    "github.com/dydxprotocol/v4-chain protocol/x/clob/keeper/liquidations.go";

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// Genesis fillable-price config: BA 100%, SMMR 150% (protocol/testing/genesis.sh).
constexpr int64_t kBa = 1'000'000;
constexpr int64_t kSmmr = 1'500'000;

// Vector #29 (protocol_vectors.json), GetFillablePrice in liquidations.go with genesis.sh parameters:
// long 1 at oracle 50,000, PMMR 1,500, TNC 1,000, TMMR 1,500: ABR = 1 - 1000/1500 = 1/3;
// fillable = (50,000 - 1/3 * 1.5 * 1,500) / 1 = 49,250. Tolerance abs 1e-6 (exact here).
TEST(DydxLiquidation, Vector29FillablePriceOfALong) {
  EXPECT_EQ(dydx_adjusted_bankruptcy_rating(dollars(1'000), dollars(1'500), kBa), Ratio(333'333'333));
  EXPECT_EQ(dydx_fillable_price(coins(1), dollars(50'000), dollars(1'500), dollars(1'000), dollars(1'500),
                                kBa, kSmmr),
            px(49'250))
      << kLiquidationsGo;
}

// The short mirror: PS = -1, PNNV = -50,000: (-50,000 - 750) / -1 = 50,750, above the oracle.
TEST(DydxLiquidation, FillablePriceOfAShortIsAboveTheOracle) {
  EXPECT_EQ(dydx_fillable_price(coins(-1), dollars(-50'000), dollars(1'500), dollars(1'000), dollars(1'500),
                                kBa, kSmmr),
            px(50'750));
}

// ABR is clamped into [0, 1]: TNC <= 0 gives ABR = 1, the full spread 1.5 * 1,500 = 2,250 -> 47,750;
// TNC >= TMMR gives ABR = 0, the oracle price. BA 200% doubles the rating before the clamp:
// 2 * (1 - 1,200/1,500) = 0.4 -> 50,000 - 0.4 * 2,250 = 49,100.
TEST(DydxLiquidation, AdjustedBankruptcyRatingIsClampedToTheUnitInterval) {
  const Amount pnnv = dollars(50'000), pmmr = dollars(1'500), tmmr = dollars(1'500);
  EXPECT_EQ(dydx_fillable_price(coins(1), pnnv, pmmr, dollars(0), tmmr, kBa, kSmmr), px(47'750));
  EXPECT_EQ(dydx_fillable_price(coins(1), pnnv, pmmr, dollars(-300), tmmr, kBa, kSmmr), px(47'750));
  EXPECT_EQ(dydx_fillable_price(coins(1), pnnv, pmmr, dollars(1'600), tmmr, kBa, kSmmr), px(50'000));
  EXPECT_EQ(dydx_adjusted_bankruptcy_rating(dollars(-300), tmmr, kBa), ratio_from_double(1.0));
  EXPECT_EQ(dydx_adjusted_bankruptcy_rating(dollars(1'600), tmmr, kBa), Ratio(0));
  EXPECT_EQ(dydx_fillable_price(coins(1), pnnv, pmmr, dollars(1'200), tmmr, 2'000'000, kSmmr), px(49'100));
}

// One rounding at the end, away from the book (ConvertFillablePriceToSubticks): 100 / 3 coins =
// 33.3333333... is 33.333334 for the long's sell order and 33.333333 for the short's buy order.
TEST(DydxLiquidation, FillablePriceRoundsUpForSellsAndDownForBuys) {
  EXPECT_EQ(dydx_fillable_price(coins(3), dollars(100), Amount(0), dollars(1), dollars(2), kBa, kSmmr),
            Price(33'333'334));
  EXPECT_EQ(dydx_fillable_price(coins(-3), dollars(-100), Amount(0), dollars(1), dollars(2), kBa, kSmmr),
            Price(33'333'333));
}

// Vector #30 (protocol_vectors.json), GetBankruptcyPriceInQuoteQuantums in liquidations.go: full close
// of PNNV 50,000 (DNNV = -50,000), DMMR -1,500, TNC 1,000, TMMR 1,500: 50,000 - 1,000 * 1,500/1,500 =
// 49,000. Tolerance abs 1e-6 (exact here).
TEST(DydxLiquidation, Vector30BankruptcyQuoteForAFullClose) {
  EXPECT_EQ(dydx_bankruptcy_quote(dollars(-50'000), dollars(-1'500), dollars(1'000), dollars(1'500)),
            dollars(49'000))
      << kLiquidationsGo;
}

// Half of the same position: DNNV -25,000, DMMR -750: 25,000 - 1,000 * 750 / 1,500 = 24,500. The one
// division floors, so the quote rounds toward +infinity: TNC = 1e-6, |DMMR| = 1e-6, TMMR = 3e-6 gives
// floor(1/3) = 0 and TNC = -1e-6 gives floor(-1/3) = -1 (one more quantum).
TEST(DydxLiquidation, BankruptcyQuoteOfAPartialCloseRoundsTowardPlusInfinity) {
  EXPECT_EQ(dydx_bankruptcy_quote(dollars(-25'000), dollars(-750), dollars(1'000), dollars(1'500)),
            dollars(24'500));
  EXPECT_EQ(dydx_bankruptcy_quote(dollars(-25'000), Amount(-1), Amount(1), Amount(3)), dollars(25'000));
  EXPECT_EQ(dydx_bankruptcy_quote(dollars(-25'000), Amount(-1), Amount(-1), Amount(3)),
            dollars(25'000) + Amount(1));
}

// Vector #31 (protocol_vectors.json), GetLiquidationInsuranceFundDelta in liquidations.go: fill 49,250
// against bankruptcy 49,000: delta 250 > 0, fee = min(250, 1.5% * 49,250 = 738.75) = 250. Tolerance
// abs 1e-6 (exact here).
TEST(DydxLiquidation, Vector31InsuranceFundTakesTheFeeUpToTheMaximum) {
  EXPECT_EQ(dydx_insurance_fund_delta(dollars(49'250), dollars(49'000), 15'000), dollars(250))
      << kLiquidationsGo;
}

// The cap binds when the fill is far above bankruptcy: 49,250 - 40,000 = 9,250 > 738.75 -> 738.75. A fill
// below bankruptcy is a payout by the fund: 48,500 - 49,000 = -500. A short's liquidation buys: quote
// -50,750 against bankruptcy -51,000 (-DNNV - TNC = -50,000 - 1,000): delta 250, cap 1.5% * 50,750.
TEST(DydxLiquidation, InsuranceFundDeltaCapsTheFeeAndPaysLosses) {
  EXPECT_EQ(dydx_insurance_fund_delta(dollars(49'250), dollars(40'000), 15'000), dollars(738.75));
  EXPECT_EQ(dydx_insurance_fund_delta(dollars(48'500), dollars(49'000), 15'000), dollars(-500));
  EXPECT_EQ(dydx_insurance_fund_delta(dollars(-50'750), dollars(-51'000), 15'000), dollars(250));
  EXPECT_EQ(dydx_insurance_fund_delta(dollars(-50'750), dollars(-52'000), 15'000), dollars(761.25));
}

// Vector #32 (protocol_vectors.json), liquidity_tier.go GetMaxAbsFundingClampPpm and perpetual.go, clamp
// factor 600% from genesis.sh: premium 5%, default 0, IMF 2%, MMF 60% of IM: |R| <= 6 * (2% - 1.2%) =
// 4.8%. A pure clamp. Tolerance abs 1e-12 (exact in ppm).
TEST(DydxLiquidation, Vector32FundingRateClamp) {
  EXPECT_EQ(dydx_funding_rate_ppm(50'000, 0, 20'000, 600'000, 6'000'000), 48'000)
      << "github.com/dydxprotocol/v4-chain protocol/x/perpetuals/types/liquidity_tier.go";
  EXPECT_EQ(dydx_funding_rate_ppm(-50'000, 0, 20'000, 600'000, 6'000'000), -48'000);
}

// Inside the bound the rate is premium + default funding: 1% + 100 ppm = 10,100 ppm. The chain's own
// test case (liquidity_tier_test.go): clamp 600%, IMF 15%, fraction 80% -> bound 6 * (15% - 12%) = 18%.
TEST(DydxLiquidation, FundingRateInsideTheClampIsPremiumPlusDefault) {
  EXPECT_EQ(dydx_funding_rate_ppm(10'000, 100, 20'000, 600'000, 6'000'000), 10'100);
  EXPECT_EQ(dydx_funding_rate_ppm(1'000'000, 0, 150'000, 800'000, 6'000'000), 180'000);
  EXPECT_EQ(dydx_maintenance_margin_ppm(20'000, 600'000), 12'000);
  EXPECT_EQ(dydx_maintenance_margin_ppm(3, 500'000), 1);  // 1.5 ppm rounded down
}

// Vector #34 (protocol_vectors.json), GetMaxAndMinPositionNotionalLiquidatable and
// GetSubaccountMaxNotionalLiquidatable in liquidations.go: notional 500,000, portion 10%, min 1,000,
// subaccount limit 100,000, nothing yet: min(max(1,000, 50,000), 100,000) = 50,000. Tolerance abs 1e-9.
TEST(DydxLiquidation, Vector34LiquidatableNotionalPerBlock) {
  const DydxLiquidationsConfig genesis;
  EXPECT_EQ(dydx_max_liquidatable_notional(dollars(500'000), genesis, Amount(0)), dollars(50'000))
      << kLiquidationsGo;
  EXPECT_EQ(dydx_max_liquidatable_notional(dollars(-500'000), genesis, Amount(0)), dollars(50'000));
}

// Small positions: notional 5,000 -> max(min(1,000, 5,000), 500) = 1,000; notional 600 -> 600 (the whole
// position). The subaccount limit binds after 99,500 liquidated: min(1,000, 500) = 500.
TEST(DydxLiquidation, MinimumNotionalAndSubaccountLimitBind) {
  const DydxLiquidationsConfig genesis;
  EXPECT_EQ(dydx_max_liquidatable_notional(dollars(5'000), genesis, Amount(0)), dollars(1'000));
  EXPECT_EQ(dydx_max_liquidatable_notional(dollars(600), genesis, Amount(0)), dollars(600));
  EXPECT_EQ(dydx_max_liquidatable_notional(dollars(5'000), genesis, dollars(99'500)), dollars(500));
  EXPECT_EQ(dydx_max_liquidatable_notional(dollars(5'000), genesis, dollars(100'000)), Amount(0));
}

TEST(DydxLiquidation, ValidateRefusesConfigsTheChainRefuses) {
  DydxLiquidationsConfig config;
  EXPECT_EQ(dydx_validate_liquidations_config(config), std::nullopt);
  config.bankruptcy_adjustment_ppm = 999'999;
  EXPECT_TRUE(dydx_validate_liquidations_config(config).has_value());
  config = {};
  config.spread_to_maintenance_margin_ratio_ppm = 0;
  EXPECT_TRUE(dydx_validate_liquidations_config(config).has_value());
  config = {};
  config.max_liquidation_fee_ppm = 0;
  EXPECT_TRUE(dydx_validate_liquidations_config(config).has_value());
  config.max_liquidation_fee_ppm = 1'000'001;
  EXPECT_TRUE(dydx_validate_liquidations_config(config).has_value());
  config = {};
  config.max_position_portion_liquidated_ppm = 1'000'001;
  EXPECT_TRUE(dydx_validate_liquidations_config(config).has_value());
  config = {};
  config.subaccount_max_notional_liquidated = Amount(0);
  EXPECT_TRUE(dydx_validate_liquidations_config(config).has_value());
  config = {};
  config.min_position_notional_liquidated = Amount(0);  // not validated by the chain
  EXPECT_EQ(dydx_validate_liquidations_config(config), std::nullopt);
}

}  // namespace
}  // namespace liqsim
