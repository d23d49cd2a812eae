// GMX v1 and v2 liquidation arithmetic against vectors #42-#46 (reference/protocol_vectors.json) and
// hand-computed cases from gmx-io/gmx-contracts (v1) and gmx-io/gmx-synthetics (v2).
#include "protocol/gmx_liquidation.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

constexpr const char* kVaultUtils = "github.com/gmx-io/gmx-contracts contracts/core/VaultUtils.sol";
constexpr const char* kPositionUtils =
    "github.com/gmx-io/gmx-synthetics contracts/position/PositionUtils.sol";
constexpr GmxUsd kUsd = kGmxFloatPrecision;  // $1 (and a factor of 100%)

// A whole-dollar or whole-percent amount in GMX's 1e30 units; cents via x * kUsd / 100.
constexpr GmxUsd usd(int64_t dollars) { return dollars * kUsd; }
constexpr GmxFactor percent(int64_t p) { return p * kUsd / 100; }

// Vector #42 (protocol_vectors.json), VaultUtils.sol validateLiquidation with Vault.sol maxLeverage 50x,
// margin fee 10 bps and setFees.js liquidationFeeUsd $5: collateral 100, size 1,000, no funding fee
// (margin fees = 0.1% * 1,000 = 1):
//   loss 110 > collateral -> 1; loss 95 -> remaining 5 < 1 + 5 -> 1;
//   loss 85 -> remaining 15, 15 * 50 = 750 < 1,000 -> 2; loss 70 -> 30 * 50 = 1,500 >= 1,000 -> 0.
TEST(GmxLiquidation, Vector42V1LiquidationStates) {
  const GmxV1Params params;
  const auto check = [&](int64_t loss) {
    return gmx_v1_validate_liquidation(usd(100), usd(1'000), -usd(loss), 0, params);
  };
  EXPECT_EQ(check(110).state, GmxV1LiquidationState::Liquidate) << kVaultUtils;
  EXPECT_EQ(check(95).state, GmxV1LiquidationState::Liquidate) << kVaultUtils;
  EXPECT_EQ(check(85).state, GmxV1LiquidationState::MaxLeverageExceeded) << kVaultUtils;
  EXPECT_EQ(check(70).state, GmxV1LiquidationState::Healthy) << kVaultUtils;
  EXPECT_TRUE(check(70).margin_fees == usd(1));
}

// Fees above the remaining collateral are capped to it: loss 99.5 leaves 0.5 < 1 -> state 1, fees 0.5.
// A profit is not counted: collateral 100, profit 500, size 10,000 (fee 10): 100 * 50 = 5,000 < 10,000 ->
// state 2. A funding fee joins the margin fees: size 1,000, cumulative rate 150 vs entry 100 (1e-6) ->
// 1,000 * 50 / 1e6 = 0.05; collateral 100, loss 94 leaves 6 < 1.05 + 5 -> state 1, where without the
// funding fee 6 >= 1 + 5 and 6 * 50 = 300 < 1,000 -> state 2; loss 93.9 leaves 6.1 >= 6.05 -> state 2.
TEST(GmxLiquidation, V1FeesCappedProfitIgnoredAndFundingCounted) {
  const GmxV1Params params;
  const GmxV1LiquidationCheck capped =
      gmx_v1_validate_liquidation(usd(100), usd(1'000), -(usd(99) + kUsd / 2), 0, params);
  EXPECT_EQ(capped.state, GmxV1LiquidationState::Liquidate);
  EXPECT_TRUE(capped.margin_fees == kUsd / 2);
  EXPECT_EQ(gmx_v1_validate_liquidation(usd(100), usd(10'000), usd(500), 0, params).state,
            GmxV1LiquidationState::MaxLeverageExceeded);
  const GmxUsd funding = gmx_v1_funding_fee(usd(1'000), 150, 100);
  EXPECT_TRUE(funding == 5 * kUsd / 100);
  const GmxV1LiquidationCheck with_funding =
      gmx_v1_validate_liquidation(usd(100), usd(1'000), -usd(94), funding, params);
  EXPECT_EQ(with_funding.state, GmxV1LiquidationState::Liquidate);
  EXPECT_TRUE(with_funding.margin_fees == usd(1) + funding);
  EXPECT_EQ(gmx_v1_validate_liquidation(usd(100), usd(1'000), -usd(94), 0, params).state,
            GmxV1LiquidationState::MaxLeverageExceeded);
  EXPECT_EQ(
      gmx_v1_validate_liquidation(usd(100), usd(1'000), -(usd(93) + 9 * kUsd / 10), funding, params).state,
      GmxV1LiquidationState::MaxLeverageExceeded);
  EXPECT_EQ(gmx_v1_validate_liquidation(usd(1'000), usd(1'000), -usd(94), funding, params).state,
            GmxV1LiquidationState::Healthy);
}

// The position fee is size minus the rounded-down remainder, so it rounds UP: 1e-30 $ at 10 bps pays 1e-30.
TEST(GmxLiquidation, V1PositionFeeRoundsUp) {
  EXPECT_TRUE(gmx_v1_position_fee(usd(1'000), 10) == usd(1));
  EXPECT_TRUE(gmx_v1_position_fee(1, 10) == 1);
  EXPECT_TRUE(gmx_v1_position_fee(0, 10) == 0);
}

// Vector #43 (protocol_vectors.json), Vault.sol getNextFundingRate: factor 100, reserved 50 of a pool of
// 100, one interval: 100 * 50 * 1 / 100 = 50 (5e-5 per interval). Tolerance abs 1e-12 (exact).
TEST(GmxLiquidation, Vector43V1FundingRatePerInterval) {
  EXPECT_EQ(gmx_v1_next_funding_rate(100, 50, 100, 3'600, 3'600), 50)
      << "github.com/gmx-io/gmx-contracts contracts/core/Vault.sol";
}

// Whole intervals only: 2.5 h at a 1 h interval is 2 intervals -> 100; 59 min -> 0; an empty pool -> 0;
// reserved 1 of 3 -> 100 / 3 = 33 (rounded down).
TEST(GmxLiquidation, V1FundingRateCountsWholeIntervals) {
  EXPECT_EQ(gmx_v1_next_funding_rate(100, 50, 100, 9'000, 3'600), 100);
  EXPECT_EQ(gmx_v1_next_funding_rate(100, 50, 100, 3'540, 3'600), 0);
  EXPECT_EQ(gmx_v1_next_funding_rate(100, 50, 0, 3'600, 3'600), 0);
  EXPECT_EQ(gmx_v1_next_funding_rate(100, 1, 3, 3'600, 3'600), 33);
}

TEST(GmxLiquidation, V1ValidateRefusesWhatTheVaultRefuses) {
  GmxV1Params params;
  EXPECT_EQ(gmx_v1_validate_params(params), std::nullopt);
  params.margin_fee_basis_points = 501;
  EXPECT_TRUE(gmx_v1_validate_params(params).has_value());
  params = {};
  params.liquidation_fee_usd = usd(100) + 1;
  EXPECT_TRUE(gmx_v1_validate_params(params).has_value());
  params = {};
  params.max_leverage = kGmxBasisPointsDivisor;  // 1x
  EXPECT_TRUE(gmx_v1_validate_params(params).has_value());
  params = {};
  params.funding_interval_seconds = 3'599;
  EXPECT_TRUE(gmx_v1_validate_params(params).has_value());
  params = {};
  params.funding_rate_factor = 10'001;
  EXPECT_TRUE(gmx_v1_validate_params(params).has_value());
}

// Vector #44 (protocol_vectors.json), PositionUtils.sol isPositionLiquidatable with config/markets.ts
// minCollateralFactor 1% and minCollateralUsd $1: size 10,000, collateral 200, price impact -10, fees 10:
// pnl -80 -> remaining 100, not below 1% * 10,000 = 100 -> false; pnl -81 -> 99 -> true. Exact.
// Reading: the vector counts the whole -10 impact, i.e. the market's cap on negative impact for
// liquidations (maxPositionImpactFactorForLiquidations) does not bind; 1% here caps it at $100.
TEST(GmxLiquidation, Vector44V2IsPositionLiquidatable) {
  GmxV2LiquidationParams params;
  params.max_position_impact_factor_for_liquidations = percent(1);
  const GmxV2LiquidationCheck at_80 =
      gmx_v2_is_position_liquidatable(usd(10'000), usd(200), -usd(80), -usd(10), usd(10), params);
  EXPECT_TRUE(at_80.remaining_collateral_usd == usd(100));
  EXPECT_FALSE(at_80.liquidatable) << kPositionUtils;
  const GmxV2LiquidationCheck at_81 =
      gmx_v2_is_position_liquidatable(usd(10'000), usd(200), -usd(81), -usd(10), usd(10), params);
  EXPECT_TRUE(at_81.remaining_collateral_usd == usd(99));
  EXPECT_TRUE(at_81.liquidatable) << kPositionUtils;
}

// Price impact: a positive impact counts as 0 (200 - 80 + 0 - 10 = 110); a cap of 0.05% counts at most
// -5 of the -10 (105); with a zero cap the impact is ignored. The $1 floor binds on a tiny position: size
// 50 (1% = 0.5), remaining 0.9 < $1 -> true; remaining exactly 0 -> true even with no size.
TEST(GmxLiquidation, V2PriceImpactCapAndMinimumCollateralUsd) {
  GmxV2LiquidationParams params;
  params.max_position_impact_factor_for_liquidations = percent(1);
  EXPECT_TRUE(gmx_v2_is_position_liquidatable(usd(10'000), usd(200), -usd(80), usd(30), usd(10), params)
                  .remaining_collateral_usd == usd(110));
  params.max_position_impact_factor_for_liquidations = percent(1) / 20;  // 0.05%
  EXPECT_TRUE(gmx_v2_is_position_liquidatable(usd(10'000), usd(200), -usd(80), -usd(10), usd(10), params)
                  .remaining_collateral_usd == usd(105));
  params.max_position_impact_factor_for_liquidations = 0;
  EXPECT_TRUE(gmx_v2_is_position_liquidatable(usd(10'000), usd(200), -usd(80), -usd(10), usd(10), params)
                  .remaining_collateral_usd == usd(110));
  EXPECT_TRUE(gmx_v2_is_position_liquidatable(usd(50), usd(1), -usd(1) / 10, 0, 0, params).liquidatable);
  EXPECT_FALSE(gmx_v2_is_position_liquidatable(usd(50), usd(2), 0, 0, 0, params).liquidatable);
  GmxV2LiquidationParams no_floor;
  no_floor.min_collateral_usd = 0;
  EXPECT_TRUE(gmx_v2_is_position_liquidatable(0, usd(1), -usd(1), 0, 0, no_floor).liquidatable);
}

// Vector #45 (protocol_vectors.json), PositionPricingUtils.getLiquidationFees with config/markets.ts
// liquidationFeeFactor 0.20%: 10,000 * 0.2% = 20. Tolerance abs 1e-9 (exact). Hand-computed: 12,345.67 at
// 0.30% (single-token markets) = 37.03701; 1e-30 $ at 0.2% rounds down to 0.
TEST(GmxLiquidation, Vector45V2LiquidationFee) {
  EXPECT_TRUE(gmx_v2_liquidation_fee_usd(usd(10'000), percent(2) / 10) == usd(20))
      << "github.com/gmx-io/gmx-synthetics contracts/pricing/PositionPricingUtils.sol";
  EXPECT_TRUE(gmx_v2_liquidation_fee_usd(usd(1'234'567) / 100, percent(3) / 10) == usd(3'703'701) / 100'000);
  EXPECT_TRUE(gmx_v2_liquidation_fee_usd(1, percent(2) / 10) == 0);
}

// Vector #46 (protocol_vectors.json), MarketUtils.sol getKinkBorrowingFactor: usage 90%, optimal 75%, base
// 50%/yr, above-optimal 100%/yr: 0.9 * 0.5 + (1 - 0.5) * 0.15 / 0.25 = 0.45 + 0.30 = 0.75/yr. Tolerance
// abs 1e-12. Exact with annual factors; on chain the factors are per second (annual / 31,536,000, rounded
// down): base 15854895991882293252156, above 31709791983764586504312 -> 23782343987823439878233 per second,
// which is 0.749999999999999999999955888 per year.
TEST(GmxLiquidation, Vector46V2KinkBorrowingRate) {
  EXPECT_TRUE(gmx_v2_kink_borrowing_factor(percent(90), percent(75), percent(50), percent(100)) ==
              percent(75))
      << "github.com/gmx-io/gmx-synthetics contracts/market/MarketUtils.sol";
  const GmxFactor base = gmx_per_second_factor(percent(50));
  const GmxFactor above = gmx_per_second_factor(percent(100));
  EXPECT_TRUE(base == GmxFactor(15854895991882293252ULL) * 1000 + 156);
  const GmxFactor per_second = gmx_v2_kink_borrowing_factor(percent(90), percent(75), base, above);
  EXPECT_TRUE(per_second == GmxFactor(23782343987823439) * 1000000 + 878233);
  const double annual = double(per_second * kGmxSecondsPerYear) / double(kGmxFloatPrecision);
  EXPECT_NEAR(annual, 0.75, 1e-12);
}

// Below the kink only the base applies (50% usage -> 0.25/yr); an above-optimal factor below the base adds
// nothing (0.45); an optimal usage of 100% has no kink.
TEST(GmxLiquidation, V2KinkOnlyAboveOptimalUsage) {
  EXPECT_TRUE(gmx_v2_kink_borrowing_factor(percent(50), percent(75), percent(50), percent(100)) ==
              percent(25));
  EXPECT_TRUE(gmx_v2_kink_borrowing_factor(percent(90), percent(75), percent(50), percent(40)) ==
              percent(45));
  EXPECT_TRUE(gmx_v2_kink_borrowing_factor(percent(100), percent(100), percent(50), percent(100)) ==
              percent(50));
}

}  // namespace
}  // namespace liqsim
