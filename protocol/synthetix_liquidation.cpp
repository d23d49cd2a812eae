#include "protocol/synthetix_liquidation.h"

#include <algorithm>

#include "core/check.h"
#include "core/wide_int.h"

namespace liqsim {
namespace {

SynthetixDecimal abs_decimal(SynthetixDecimal x) { return x < 0 ? -x : x; }

// SafeDecimalMath / SignedSafeDecimalMath: Solidity's `/` truncates toward zero for both.
SynthetixDecimal multiply_decimal(SynthetixDecimal x, SynthetixDecimal y) {
  return mul_div_toward_zero(x, y, kSynthetixUnit);
}

SynthetixDecimal divide_decimal(SynthetixDecimal x, SynthetixDecimal y) {
  LIQSIM_CHECK(y != 0, "divideDecimal by zero");
  return y > 0 ? mul_div_toward_zero(x, kSynthetixUnit, y) : mul_div_toward_zero(-x, kSynthetixUnit, -y);
}

}  // namespace

std::optional<std::string> synthetix_validate_liquidation_params(const SynthetixLiquidationParams& params) {
  if (params.min_keeper_fee < 0 || params.max_keeper_fee < 0 || params.keeper_liquidation_fee < 0)
    return std::string("keeper fees must be non-negative");
  if (params.min_keeper_fee > params.max_keeper_fee) return std::string("max keeper fee < min keeper fee");
  if (params.liquidation_fee_ratio < 0 || params.liquidation_buffer_ratio < 0 ||
      params.liquidation_premium_multiplier < 0)
    return std::string("liquidation ratios must be non-negative");
  if (params.skew_scale <= 0) return std::string("skew scale must be positive");
  if (params.max_liquidation_delta < 0 || params.max_pd < 0)
    return std::string("liquidation limits must be non-negative");
  return std::nullopt;
}

bool synthetix_within_liquidation_limits(SynthetixDecimal size, SynthetixDecimal skew,
                                         const SynthetixLiquidationParams& params) {
  if (params.max_liquidation_delta > 0 &&
      !(params.max_liquidation_delta > divide_decimal(abs_decimal(size), params.skew_scale)))
    return false;
  return params.max_pd == 0 || params.max_pd > divide_decimal(abs_decimal(skew), params.skew_scale);
}

SynthetixDecimal synthetix_liquidation_fee(SynthetixDecimal size, SynthetixDecimal price,
                                           const SynthetixLiquidationParams& params) {
  LIQSIM_CHECK(price >= 0, "prices are unsigned");
  const SynthetixDecimal proportional =
      multiply_decimal(multiply_decimal(abs_decimal(size), price), params.liquidation_fee_ratio);
  const SynthetixDecimal capped = std::min(proportional, params.max_keeper_fee);
  return std::max(capped, params.min_keeper_fee);
}

SynthetixDecimal synthetix_liquidation_margin(SynthetixDecimal size, SynthetixDecimal price,
                                              const SynthetixLiquidationParams& params) {
  const SynthetixDecimal buffer =
      multiply_decimal(multiply_decimal(abs_decimal(size), price), params.liquidation_buffer_ratio);
  return buffer + synthetix_liquidation_fee(size, price, params) + params.keeper_liquidation_fee;
}

SynthetixDecimal synthetix_liquidation_premium(SynthetixDecimal size, SynthetixDecimal price,
                                               const SynthetixLiquidationParams& params) {
  LIQSIM_CHECK(price >= 0, "prices are unsigned");
  if (size == 0) return 0;
  const SynthetixDecimal notional = abs_decimal(multiply_decimal(size, price));
  const SynthetixDecimal share = divide_decimal(abs_decimal(size), params.skew_scale);
  return multiply_decimal(multiply_decimal(share, notional), params.liquidation_premium_multiplier);
}

SynthetixDecimal synthetix_remaining_liquidatable_margin(SynthetixDecimal margin, SynthetixDecimal pnl,
                                                         SynthetixDecimal accrued_funding,
                                                         SynthetixDecimal premium) {
  return std::max<SynthetixDecimal>(0, margin + pnl + accrued_funding - premium);
}

bool synthetix_can_liquidate(SynthetixDecimal size, SynthetixDecimal price, SynthetixDecimal margin,
                             SynthetixDecimal pnl, SynthetixDecimal accrued_funding,
                             const SynthetixLiquidationParams& params) {
  if (size == 0) return false;
  const SynthetixDecimal remaining = synthetix_remaining_liquidatable_margin(
      margin, pnl, accrued_funding, synthetix_liquidation_premium(size, price, params));
  return remaining <= synthetix_liquidation_margin(size, price, params);
}

SynthetixDecimal synthetix_funding_velocity(SynthetixDecimal skew, SynthetixDecimal skew_scale,
                                            SynthetixDecimal max_funding_velocity) {
  const SynthetixDecimal proportional_skew =
      std::clamp(divide_decimal(skew, skew_scale), -kSynthetixUnit, kSynthetixUnit);
  return multiply_decimal(proportional_skew, max_funding_velocity);
}

SynthetixDecimal synthetix_current_funding_rate(SynthetixDecimal last_funding_rate, SynthetixDecimal velocity,
                                                int64_t elapsed_seconds) {
  LIQSIM_CHECK(elapsed_seconds >= 0, "funding cannot be recomputed in the past");
  const SynthetixDecimal elapsed_days =
      divide_decimal(SynthetixDecimal(elapsed_seconds), SynthetixDecimal(kSynthetixSecondsPerDay));
  return last_funding_rate + multiply_decimal(velocity, elapsed_days);
}

}  // namespace liqsim
