#include "protocol/gmx_liquidation.h"

#include <algorithm>
#include <limits>

#include "core/check.h"
#include "core/wide_int.h"

namespace liqsim {
namespace {

constexpr int64_t kMaxFeeBasisPoints = 500;
constexpr GmxUsd kMaxLiquidationFeeUsd = 100 * kGmxFloatPrecision;
constexpr int64_t kMinLeverage = kGmxBasisPointsDivisor;
constexpr int64_t kMinFundingRateInterval = 3'600;
constexpr int64_t kMaxFundingRateFactor = 10'000;

}  // namespace

std::optional<std::string> gmx_v1_validate_params(const GmxV1Params& params) {
  if (params.margin_fee_basis_points < 0 || params.margin_fee_basis_points > kMaxFeeBasisPoints)
    return std::string("margin_fee_basis_points must be in [0, 500]");
  if (params.liquidation_fee_usd < 0 || params.liquidation_fee_usd > kMaxLiquidationFeeUsd)
    return std::string("liquidation_fee_usd must be in [0, $100]");
  if (params.max_leverage <= kMinLeverage) return std::string("max_leverage must exceed 1x (10000)");
  if (params.funding_interval_seconds < kMinFundingRateInterval)
    return std::string("funding_interval_seconds must be at least 3600");
  if (params.funding_rate_factor < 0 || params.funding_rate_factor > kMaxFundingRateFactor)
    return std::string("funding_rate_factor must be in [0, 10000]");
  return std::nullopt;
}

GmxUsd gmx_v1_position_fee(GmxUsd size, int64_t margin_fee_basis_points) {
  LIQSIM_CHECK(size >= 0, "GMX sizes are unsigned");
  if (size == 0) return 0;
  const GmxUsd after_fee = mul_div_wide(size, kGmxBasisPointsDivisor - margin_fee_basis_points,
                                        kGmxBasisPointsDivisor, Round::Down);
  return size - after_fee;
}

GmxUsd gmx_v1_funding_fee(GmxUsd size, int64_t cumulative_funding_rate, int64_t entry_funding_rate) {
  LIQSIM_CHECK(size >= 0 && cumulative_funding_rate >= entry_funding_rate, "GMX v1 funding is unsigned");
  if (size == 0) return 0;
  return mul_div_wide(size, cumulative_funding_rate - entry_funding_rate, kGmxV1FundingRatePrecision,
                      Round::Down);
}

GmxV1LiquidationCheck gmx_v1_validate_liquidation(GmxUsd collateral, GmxUsd size, GmxUsd pnl,
                                                  GmxUsd funding_fee, const GmxV1Params& params) {
  LIQSIM_CHECK(collateral >= 0 && size >= 0 && funding_fee >= 0, "GMX v1 amounts are unsigned");
  const GmxUsd margin_fees = funding_fee + gmx_v1_position_fee(size, params.margin_fee_basis_points);
  const bool has_loss = pnl < 0;
  const GmxUsd loss = has_loss ? -pnl : 0;
  if (has_loss && collateral < loss) return {GmxV1LiquidationState::Liquidate, margin_fees};
  const GmxUsd remaining = collateral - loss;  // a profit is not counted here
  if (remaining < margin_fees) return {GmxV1LiquidationState::Liquidate, remaining};
  if (remaining < margin_fees + params.liquidation_fee_usd)
    return {GmxV1LiquidationState::Liquidate, margin_fees};
  if (wide_mul(remaining, params.max_leverage) < wide_mul(size, kGmxBasisPointsDivisor))
    return {GmxV1LiquidationState::MaxLeverageExceeded, margin_fees};
  return {GmxV1LiquidationState::Healthy, margin_fees};
}

int64_t gmx_v1_next_funding_rate(int64_t funding_rate_factor, __int128 reserved_amount, __int128 pool_amount,
                                 int64_t seconds_since_last_funding, int64_t funding_interval_seconds) {
  LIQSIM_CHECK(funding_interval_seconds > 0, "funding interval must be positive");
  LIQSIM_CHECK(reserved_amount >= 0 && pool_amount >= 0, "GMX v1 pool amounts are unsigned");
  if (seconds_since_last_funding < funding_interval_seconds) return 0;
  if (pool_amount == 0) return 0;
  const int64_t intervals = seconds_since_last_funding / funding_interval_seconds;
  const __int128 rate = wide_div(wide_mul(__int128(funding_rate_factor) * intervals, reserved_amount),
                                 pool_amount, Round::Down);
  LIQSIM_CHECK(rate <= std::numeric_limits<int64_t>::max(), "funding rate does not fit in int64");
  return static_cast<int64_t>(rate);
}

GmxUsd gmx_apply_factor(GmxUsd value, GmxFactor factor) {
  return mul_div_wide(value, factor, kGmxFloatPrecision, Round::Down);
}

GmxV2LiquidationCheck gmx_v2_is_position_liquidatable(GmxUsd size_usd, GmxUsd collateral_usd, GmxUsd pnl_usd,
                                                      GmxUsd price_impact_usd, GmxUsd collateral_cost_usd,
                                                      const GmxV2LiquidationParams& params) {
  LIQSIM_CHECK(size_usd >= 0 && collateral_usd >= 0 && collateral_cost_usd >= 0,
               "GMX v2 amounts are unsigned");
  GmxUsd impact = 0;
  if (price_impact_usd < 0) {
    const GmxUsd max_negative =
        -gmx_apply_factor(size_usd, params.max_position_impact_factor_for_liquidations);
    impact = std::max(price_impact_usd, max_negative);
  }
  const GmxUsd remaining = collateral_usd + pnl_usd + impact - collateral_cost_usd;
  const bool liquidatable = remaining < params.min_collateral_usd || remaining <= 0 ||
                            remaining < gmx_apply_factor(size_usd, params.min_collateral_factor);
  return {remaining, liquidatable};
}

GmxUsd gmx_v2_liquidation_fee_usd(GmxUsd size_usd, GmxFactor liquidation_fee_factor) {
  return gmx_apply_factor(size_usd, liquidation_fee_factor);
}

GmxFactor gmx_v2_kink_borrowing_factor(GmxFactor usage_factor, GmxFactor optimal_usage_factor,
                                       GmxFactor base_borrowing_factor,
                                       GmxFactor above_optimal_usage_borrowing_factor) {
  GmxFactor factor = gmx_apply_factor(usage_factor, base_borrowing_factor);
  if (usage_factor > optimal_usage_factor && kGmxFloatPrecision > optimal_usage_factor) {
    const GmxFactor diff = usage_factor - optimal_usage_factor;
    const GmxFactor additional = above_optimal_usage_borrowing_factor > base_borrowing_factor
                                     ? above_optimal_usage_borrowing_factor - base_borrowing_factor
                                     : 0;
    factor += mul_div_wide(additional, diff, kGmxFloatPrecision - optimal_usage_factor, Round::Down);
  }
  return factor;
}

GmxFactor gmx_per_second_factor(GmxFactor annual_factor) { return annual_factor / kGmxSecondsPerYear; }

}  // namespace liqsim
