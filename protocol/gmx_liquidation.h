// GMX's liquidation arithmetic. v1 (GLP vault): validateLiquidation's three outcomes, the position and
// funding ("borrow") fees it charges and the funding rate per interval. v2 (GM markets): the remaining
// collateral and isPositionLiquidatable, the liquidation fee, and the kinked borrowing factor.
//
// Sources: gmx-io/gmx-contracts contracts/core/VaultUtils.sol (validateLiquidation, getFundingFee),
// contracts/core/Vault.sol (getPositionFee, getNextFundingRate, setFees / setFundingRate / setMaxLeverage
// bounds, maxLeverage 50x) and scripts/core/setFees.js (liquidationFeeUsd $5); gmx-io/gmx-synthetics
// contracts/position/PositionUtils.sol (isPositionLiquidatable), contracts/pricing/PositionPricingUtils.sol
// (getLiquidationFees), contracts/market/MarketUtils.sol (getKinkBorrowingFactor),
// contracts/utils/Precision.sol (applyFactor = mulDiv(value, factor, 1e30), rounding down) and
// config/markets.ts; summarised in reference/protocols.md 2.3.
//
// Units are GMX's own: USD values and factors are 1e30 fixed point (FLOAT_PRECISION; $1 = 1e30, 100% =
// 1e30), held in signed 128-bit integers (GmxUsd, GmxFactor: up to $1.7e8 per value) with 256-bit
// intermediates for products; v1 funding rates are FUNDING_RATE_PRECISION 1e6, fees basis points and
// leverage basis points (10,000 = 1x). Solidity's uint256 `/` truncates: on these non-negative values
// every division rounds DOWN unless stated otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/units.h"

namespace liqsim {

using GmxUsd = __int128;     // 1e30 = $1
using GmxFactor = __int128;  // 1e30 = 1 (100%)
inline constexpr __int128 kGmxFloatPrecision = __int128(1'000'000'000'000'000) * 1'000'000'000'000'000;
inline constexpr int64_t kGmxBasisPointsDivisor = 10'000;
inline constexpr int64_t kGmxV1FundingRatePrecision = 1'000'000;
inline constexpr int64_t kGmxSecondsPerYear = 31'536'000;

// ---- v1 ----

// Vault bounds: margin fee <= 500 bps, liquidation fee <= $100, max leverage > 1x (10,000 bps), funding
// interval >= 1 h, funding rate factor <= 10,000 (1% per interval).
struct GmxV1Params {
  int64_t margin_fee_basis_points = 10;                 // 0.1% of size
  GmxUsd liquidation_fee_usd = 5 * kGmxFloatPrecision;  // setFees.js
  int64_t max_leverage = 50 * kGmxBasisPointsDivisor;   // 50x
  int64_t funding_interval_seconds = 3'600;
  int64_t funding_rate_factor = 100;  // 0.01% per interval at full utilisation
};
std::optional<std::string> gmx_v1_validate_params(const GmxV1Params& params);

enum class GmxV1LiquidationState {
  Healthy = 0,              // validateLiquidation returns 0
  Liquidate = 1,            // losses or fees exceed collateral: liquidated, the keeper is paid from the pool
  MaxLeverageExceeded = 2,  // the whole position is decreased and the remainder returned to the user
};

struct GmxV1LiquidationCheck {
  GmxV1LiquidationState state;
  GmxUsd margin_fees;  // funding fee + position fee, capped at the remaining collateral when fees exceed it
};

// Position fee on a size: size - size * (10,000 - bps) / 10,000, i.e. the fee rounds UP.
GmxUsd gmx_v1_position_fee(GmxUsd size, int64_t margin_fee_basis_points);
// Funding fee: size * (cumulative_rate - entry_rate) / 1e6, rounded DOWN. Rates in 1e-6.
GmxUsd gmx_v1_funding_fee(GmxUsd size, int64_t cumulative_funding_rate, int64_t entry_funding_rate);

// validateLiquidation: pnl is the position's signed delta (a profit is not added to the collateral);
// state 1 when the loss exceeds the collateral, the remaining collateral is below the margin fees, or
// below margin fees + liquidation fee; state 2 when remaining * max_leverage < size * 10,000; else 0.
GmxV1LiquidationCheck gmx_v1_validate_liquidation(GmxUsd collateral, GmxUsd size, GmxUsd pnl,
                                                  GmxUsd funding_fee, const GmxV1Params& params);

// getNextFundingRate: 0 until a whole interval has passed or with an empty pool, else
//   funding_rate_factor * reserved * intervals / pool (1e-6 per interval, rounded DOWN),
// intervals = floor(elapsed / interval). reserved and pool are token amounts in the same units.
int64_t gmx_v1_next_funding_rate(int64_t funding_rate_factor, __int128 reserved_amount, __int128 pool_amount,
                                 int64_t seconds_since_last_funding, int64_t funding_interval_seconds);

// ---- v2 ----

// Precision.applyFactor: value * factor / 1e30, rounded DOWN (toward -infinity for a negative value).
GmxUsd gmx_apply_factor(GmxUsd value, GmxFactor factor);

struct GmxV2LiquidationParams {
  GmxFactor min_collateral_factor = kGmxFloatPrecision / 100;  // 1%: 100x
  GmxUsd min_collateral_usd = kGmxFloatPrecision;              // $1
  GmxFactor max_position_impact_factor_for_liquidations = 0;   // cap on the negative impact counted
};

struct GmxV2LiquidationCheck {
  GmxUsd remaining_collateral_usd;
  bool liquidatable;
};

// isPositionLiquidatable (with shouldValidateMinCollateralUsd): a positive price impact counts as 0, a
// negative one at most size * max_position_impact_factor_for_liquidations;
//   remaining = collateral + pnl + impact - collateral_cost (the position's fees in USD);
//   liquidatable iff remaining < min_collateral_usd, remaining <= 0, or remaining < size * min factor
//   (applyFactor, rounded DOWN).
GmxV2LiquidationCheck gmx_v2_is_position_liquidatable(GmxUsd size_usd, GmxUsd collateral_usd, GmxUsd pnl_usd,
                                                      GmxUsd price_impact_usd, GmxUsd collateral_cost_usd,
                                                      const GmxV2LiquidationParams& params);

// getLiquidationFees: size * liquidationFeeFactor (applyFactor, rounded DOWN); 0.20% in config/markets.ts.
GmxUsd gmx_v2_liquidation_fee_usd(GmxUsd size_usd, GmxFactor liquidation_fee_factor);

// getKinkBorrowingFactor: usage * base (applyFactor) plus, above the optimal usage,
//   max(0, above_optimal - base) * (usage - optimal) / (1 - optimal) (rounded DOWN).
// The factors are per second on chain (an annual rate / 31,536,000); the formula is linear in them, so
// annual factors give the annual rate.
GmxFactor gmx_v2_kink_borrowing_factor(GmxFactor usage_factor, GmxFactor optimal_usage_factor,
                                       GmxFactor base_borrowing_factor,
                                       GmxFactor above_optimal_usage_borrowing_factor);

// An annual factor stated per second as config/markets.ts does: annual / 31,536,000, rounded DOWN.
GmxFactor gmx_per_second_factor(GmxFactor annual_factor);

}  // namespace liqsim
