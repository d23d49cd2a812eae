// Drift v2 perp liquidation arithmetic against vectors #35-#41 (reference/protocol_vectors.json), the
// crate's own tests and hand-computed cases from drift-labs/protocol-v2
// programs/drift/src/math/liquidation.rs.
#include "protocol/drift_liquidation.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

constexpr const char* kLiquidationRs =
    "github.com/drift-labs/protocol-v2 programs/drift/src/math/liquidation.rs";
constexpr const char* kLiquidationTestsRs =
    "github.com/drift-labs/protocol-v2 programs/drift/src/math/liquidation/tests.rs";

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
constexpr int64_t kBase = kDriftBasePrecision;  // one coin in Drift's 1e-9 base units

// Vector #35 (protocol_vectors.json), copied from tests.rs zero_percent_liquidation_fee: $10 shortage,
// margin ratio 10% (1,000 in 1e-4), no fees, oracle $100: 10 / (100 * 0.1) = 1 base. Tolerance abs 1e-9.
TEST(DriftLiquidation, Vector35BaseToCoverShortageWithoutFees) {
  EXPECT_EQ(drift_base_to_cover_margin_shortage(dollars(10), 1'000, 0, 0, px(100), px(1)), kBase)
      << kLiquidationTestsRs;
}

// Vector #36 (protocol_vectors.json), copied from tests.rs one_percent_liquidation_fee: liquidator fee 1%:
// 10 / (100 * (10% - 1%)) = 10/9 base = 1.111111111 (1e-9 units, rounded down). Tolerance abs 1e-9.
TEST(DriftLiquidation, Vector36BaseToCoverShortageWithLiquidatorFee) {
  EXPECT_EQ(drift_base_to_cover_margin_shortage(dollars(10), 1'000, 10'000, 0, px(100), px(1)), 1'111'111'111)
      << kLiquidationTestsRs;
}

// Vector #37 (protocol_vectors.json), copied from tests.rs
// one_percent_liquidation_fee_and_one_percent_if_liquidation_fee: 10 / (100 * 9% - 100 * 1%) = 1.25 base.
TEST(DriftLiquidation, Vector37BaseToCoverShortageWithLiquidatorAndInsuranceFees) {
  EXPECT_EQ(drift_base_to_cover_margin_shortage(dollars(10), 1'000, 10'000, 10'000, px(100), px(1)),
            1'250'000'000)
      << kLiquidationTestsRs;
}

// The quote oracle scales the price (tests.rs usdc_not_one, copied): USDC at 0.99 -> 10 / 9.9 =
// 1.010101010 base; at 1.01 -> 0.990099009. Hand-computed: shortage $25, margin ratio 5% (500), liquidator
// fee 1.5%, IF fee 0.5%, oracle $2,000: denominator 2,000 * 3.5% - 2,000 * 0.5% = 70 - 10 = $60 per base,
// 25 / 60 = 0.416666666 base (rounded down).
TEST(DriftLiquidation, BaseToCoverShortageWithQuotePriceAndOwnExample) {
  EXPECT_EQ(drift_base_to_cover_margin_shortage(dollars(10), 1'000, 0, 0, px(100), px(0.99)), 1'010'101'010);
  EXPECT_EQ(drift_base_to_cover_margin_shortage(dollars(10), 1'000, 0, 0, px(100), px(1.01)), 990'099'009);
  EXPECT_EQ(drift_base_to_cover_margin_shortage(dollars(25), 500, 15'000, 5'000, px(2'000), px(1)),
            416'666'666);
}

// No base amount covers the shortage when the liquidator fee eats the margin ratio (Drift: u64::MAX), the
// oracle is 0, or the insurance fee leaves nothing freed per base (2% - 1% - 1% = 0).
TEST(DriftLiquidation, BaseToCoverShortageIsEmptyWhenNothingIsFreed) {
  EXPECT_EQ(drift_base_to_cover_margin_shortage(dollars(10), 100, 10'000, 0, px(100), px(1)), std::nullopt);
  EXPECT_EQ(drift_base_to_cover_margin_shortage(dollars(10), 1'000, 0, 0, Price(0), px(1)), std::nullopt);
  EXPECT_EQ(drift_base_to_cover_margin_shortage(dollars(10), 200, 10'000, 10'000, px(100), px(1)),
            std::nullopt);
}

// Vector #38 (protocol_vectors.json), copied from tests.rs mod calculate_perp_if_fee: 10 base at $100,
// margin ratio 5%, liquidator fee 1%, max IF fee 5%: shortage $20 -> (5% - 1% - 20/1,000) * 0.95 = 1.9% =
// 19,000 ppm; shortage $1 -> (5% - 1% - 0.1%) * 0.95 = 37,050 ppm. Exact.
TEST(DriftLiquidation, Vector38PerpInsuranceFundFee) {
  EXPECT_EQ(drift_perp_if_fee(dollars(20), 10 * kBase, 500, 10'000, px(100), px(1), 50'000), 19'000)
      << kLiquidationTestsRs;
  EXPECT_EQ(drift_perp_if_fee(dollars(1), 10 * kBase, 500, 10'000, px(100), px(1), 50'000), 37'050)
      << kLiquidationTestsRs;
}

// The same test's zero cases (copied): a $1,000 shortage, a 10% liquidator fee, a zero oracle, quote price
// or base all give 0. Hand-computed: $5 shortage on 2 base at $50, margin ratio 10%, liquidator fee 2%:
// share 5 / 100 = 5%, (10% - 2% - 5%) * 0.95 = 2.85% = 28,500 ppm; a $0.01 shortage implies
// (8% - 0.01%) * 0.95 = 7.5905%, capped at the 5% maximum. A short's base counts by magnitude.
TEST(DriftLiquidation, PerpInsuranceFundFeeZeroCasesAndCap) {
  EXPECT_EQ(drift_perp_if_fee(dollars(1'000), 10 * kBase, 500, 10'000, px(100), px(1), 50'000), 0);
  EXPECT_EQ(drift_perp_if_fee(dollars(20), 10 * kBase, 500, 100'000, px(100), px(1), 50'000), 0);
  EXPECT_EQ(drift_perp_if_fee(dollars(20), 10 * kBase, 500, 10'000, Price(0), px(1), 50'000), 0);
  EXPECT_EQ(drift_perp_if_fee(dollars(20), 10 * kBase, 500, 10'000, px(100), Price(0), 50'000), 0);
  EXPECT_EQ(drift_perp_if_fee(dollars(20), 0, 500, 10'000, px(100), px(1), 50'000), 0);
  EXPECT_EQ(drift_perp_if_fee(dollars(5), 2 * kBase, 1'000, 20'000, px(50), px(1), 50'000), 28'500);
  EXPECT_EQ(drift_perp_if_fee(dollars(5), -2 * kBase, 1'000, 20'000, px(50), px(1), 50'000), 28'500);
  EXPECT_EQ(drift_perp_if_fee(dollars(0.01), 2 * kBase, 1'000, 20'000, px(50), px(1), 50'000), 50'000);
}

// Vector #39 (protocol_vectors.json), get_liquidation_fee in liquidation.rs: base 1%, max 5%, 2,000 slots
// since the user was last active (past the 1,500-slot grace): 10,000 + 2,000 * 1 = 12,000 ppm. Exact.
TEST(DriftLiquidation, Vector39LiquidatorFeeEscalatesAfterTheGracePeriod) {
  EXPECT_EQ(drift_liquidation_fee(10'000, 50'000, 2'000), 12'000) << kLiquidationRs;
}

// tests.rs mod get_liquidation_fee (copied): base 2%, max 5%: 100,000 slots -> 5%, 10 slots -> 2%,
// 10,000 slots -> 3%. At the grace edge: 1,499 slots keep the base fee; at 1,500 every elapsed slot counts:
// 10,000 + 1,500 = 11,500.
TEST(DriftLiquidation, LiquidatorFeeGraceEdgeAndCap) {
  EXPECT_EQ(drift_liquidation_fee(20'000, 50'000, 100'000), 50'000);
  EXPECT_EQ(drift_liquidation_fee(20'000, 50'000, 10), 20'000);
  EXPECT_EQ(drift_liquidation_fee(20'000, 50'000, 10'000), 30'000);
  EXPECT_EQ(drift_liquidation_fee(10'000, 50'000, 1'499), 10'000);
  EXPECT_EQ(drift_liquidation_fee(10'000, 50'000, 1'500), 11'500);
}

// Vector #40 (protocol_vectors.json), calculate_max_pct_to_liquidate in liquidation.rs: shortage $1,000
// (>= $50), initial 10%, duration 150 slots, 30 elapsed, nothing freed: min(30/150 + 10%, 100%) = 30% =
// 3,000 in 1e-4. Tolerance abs 1e-12 (exact).
TEST(DriftLiquidation, Vector40MaxPercentToLiquidate) {
  EXPECT_EQ(drift_max_pct_to_liquidate(dollars(1'000), Amount(0), 30, 1'000, 150), 3'000) << kLiquidationRs;
}

// tests.rs (copied): a $49 shortage may be liquidated in full. Hand-computed: $300 of a $1,000 shortage
// already freed, 60 slots elapsed: pct = 60/150 + 10% = 50% of the $1,000 total = $500, $200 more of the
// remaining $700: 200 * 1e4 / 700 = 2,857 (rounded down). Duration 0 or a long wait: the whole remainder.
TEST(DriftLiquidation, MaxPercentToLiquidateRampsOverCumulativeMarginFreed) {
  EXPECT_EQ(drift_max_pct_to_liquidate(dollars(49), Amount(0), 0, 1'000, 150), 10'000);
  EXPECT_EQ(drift_max_pct_to_liquidate(dollars(700), dollars(300), 60, 1'000, 150), 2'857);
  EXPECT_EQ(drift_max_pct_to_liquidate(dollars(700), dollars(300), 0, 1'000, 0), 10'000);
  EXPECT_EQ(drift_max_pct_to_liquidate(dollars(700), dollars(300), 10'000, 1'000, 150), 10'000);
  EXPECT_EQ(drift_max_pct_to_liquidate(dollars(700), dollars(300), 0, 1'000, 150), 0);  // 10% < 30% freed
}

// Vector #41 (protocol_vectors.json), calculate_funding_rate_deltas_to_resolve_bankruptcy in
// liquidation.rs: loss $1,000 over 300 long + 200 short base: 1,000 / 500 = $2 per base = 2.0 in
// FUNDING_RATE_PRECISION (1e9). Tolerance abs 1e-12 (exact).
TEST(DriftLiquidation, Vector41SocialisedLossThroughCumulativeFunding) {
  EXPECT_EQ(drift_funding_delta_to_resolve_bankruptcy(dollars(1'000), 300 * kBase, -200 * kBase),
            2 * kDriftFundingRatePrecision)
      << kLiquidationRs;
  EXPECT_EQ(drift_funding_delta_to_resolve_bankruptcy(dollars(-1'000), 300 * kBase, 200 * kBase),
            2 * kDriftFundingRatePrecision);
}

// Rounded up so the positions cover the loss: $1 over 3 base is ceil(333,333.33) = 333,334 quote units per
// 1e9 base, times 1e3 -> 333,334,000; 3 base then pay 3 * 0.333334 = $1.000002 >= $1. No open base: empty.
TEST(DriftLiquidation, SocialisedLossRoundsUpAndNeedsOpenBase) {
  EXPECT_EQ(drift_funding_delta_to_resolve_bankruptcy(dollars(1), 2 * kBase, -kBase), 333'334'000);
  EXPECT_EQ(drift_funding_delta_to_resolve_bankruptcy(dollars(1), 0, 0), std::nullopt);
}

TEST(DriftLiquidation, ValidateRefusesFeesTheAdminHandlerRefuses) {
  EXPECT_EQ(drift_validate_perp_liquidation_fees(10'000, 10'000), std::nullopt);
  EXPECT_TRUE(drift_validate_perp_liquidation_fees(990'000, 10'000).has_value());  // total 100%
  EXPECT_TRUE(drift_validate_perp_liquidation_fees(0, 1'000'000).has_value());
  EXPECT_TRUE(drift_validate_perp_liquidation_fees(-1, 0).has_value());
}

}  // namespace
}  // namespace liqsim
