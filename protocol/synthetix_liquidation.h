// Synthetix Perps v2 liquidation arithmetic: the flagger's liquidation fee with its min and max, the
// liquidation margin, the liquidation premium and canLiquidate, and the funding rate's drift under the
// funding velocity.
//
// Sources: Synthetixio/synthetix contracts/PerpsV2MarketBase.sol (_liquidationFee, _liquidationMargin,
// _liquidationPremium, _remainingLiquidatableMargin, _canLiquidate, _proportionalSkew,
// _currentFundingVelocity, _currentFundingRate, _proportionalElapsed), contracts/SafeDecimalMath.sol and
// SignedSafeDecimalMath.sol (multiplyDecimal = x * y / 1e18, divideDecimal = x * 1e18 / y, Solidity `/`
// truncating toward zero), contracts/PerpsV2MarketSettings.sol (setMinKeeperFee / setMaxKeeperFee
// require min <= max); parameters publish/deployed/mainnet-ovm/params.json and perpsv2-markets.json,
// index.js; summarised in reference/protocols.md 2.5.
//
// Units are Synthetix's 18-decimal fixed point (1e18 = 1 sUSD, 1 unit of base, or 100%), held in signed
// 128-bit integers (up to 1.7e20 whole units) with 256-bit intermediates for products. Every
// multiplyDecimal / divideDecimal truncates: DOWN on the non-negative values of the fee, margin and
// premium, toward ZERO on signed funding values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/units.h"

namespace liqsim {

using SynthetixDecimal = __int128;  // 1e18 = 1
inline constexpr SynthetixDecimal kSynthetixUnit = 1'000'000'000'000'000'000;
inline constexpr int64_t kSynthetixSecondsPerDay = 86'400;

// A market's liquidation settings (PerpsV2MarketSettings). Defaults: mainnet-ovm params.json (fee ratio
// 2 bps, keeper fee min 4 / max 100 sUSD), sETH-PERP in perpsv2-markets.json (buffer 0.75%, skew scale
// 1e6, premium multiplier 1.5625) and index.js (keeper liquidation fee 2 sUSD).
struct SynthetixLiquidationParams {
  SynthetixDecimal liquidation_fee_ratio = kSynthetixUnit / 5'000;             // 0.02%
  SynthetixDecimal min_keeper_fee = 4 * kSynthetixUnit;                        // sUSD
  SynthetixDecimal max_keeper_fee = 100 * kSynthetixUnit;                      // sUSD
  SynthetixDecimal liquidation_buffer_ratio = kSynthetixUnit * 75 / 10'000;    // 0.75%
  SynthetixDecimal keeper_liquidation_fee = 2 * kSynthetixUnit;                // sUSD, to the liquidator
  SynthetixDecimal skew_scale = 1'000'000 * kSynthetixUnit;                    // base units
  SynthetixDecimal liquidation_premium_multiplier = kSynthetixUnit * 25 / 16;  // 1.5625
  // liquidatePosition's limits (PerpsV2MarketLiquidate.sol): it reverts unless maxLiquidationDelta >
  // |size| / skewScale and maxPD > |market skew| / skewScale; only endorsed liquidators may then force the
  // liquidation. 0 = no limit (sETH-PERP's are 0.0008 and 0.0016: perpsv2-markets.json).
  SynthetixDecimal max_liquidation_delta = 0;
  SynthetixDecimal max_pd = 0;
};

// The problem PerpsV2MarketSettings refuses, or nullopt: min keeper fee <= max keeper fee, non-negative
// fees and ratios, positive skew scale.
std::optional<std::string> synthetix_validate_liquidation_params(const SynthetixLiquidationParams& params);

// Fee minted to the flagger: max(min(|size| * price * fee_ratio, max_keeper_fee), min_keeper_fee), each
// multiplyDecimal rounded DOWN.
SynthetixDecimal synthetix_liquidation_fee(SynthetixDecimal size, SynthetixDecimal price,
                                           const SynthetixLiquidationParams& params);

// Margin at or below which a position can be liquidated:
//   |size| * price * liquidation_buffer_ratio + liquidation fee + keeper liquidation fee (rounded DOWN).
SynthetixDecimal synthetix_liquidation_margin(SynthetixDecimal size, SynthetixDecimal price,
                                              const SynthetixLiquidationParams& params);

// Premium charged on liquidation, the fill-price impact of closing the position against a zero skew:
//   (|size| / skew_scale) * |size * price| * multiplier, each step truncated as on chain. 0 for no size.
SynthetixDecimal synthetix_liquidation_premium(SynthetixDecimal size, SynthetixDecimal price,
                                               const SynthetixLiquidationParams& params);

// max(0, margin + pnl + accrued_funding - premium) (_remainingLiquidatableMargin).
SynthetixDecimal synthetix_remaining_liquidatable_margin(SynthetixDecimal margin, SynthetixDecimal pnl,
                                                         SynthetixDecimal accrued_funding,
                                                         SynthetixDecimal premium);

// _canLiquidate: false for an empty position, else
//   remaining liquidatable margin (with the premium at `price`) <= liquidation margin.
bool synthetix_can_liquidate(SynthetixDecimal size, SynthetixDecimal price, SynthetixDecimal margin,
                             SynthetixDecimal pnl, SynthetixDecimal accrued_funding,
                             const SynthetixLiquidationParams& params);

// liquidatePosition's limits: max_liquidation_delta > |size| / skew_scale and max_pd > |skew| / skew_scale
// (divideDecimal rounded DOWN), each limit skipped when 0.
bool synthetix_within_liquidation_limits(SynthetixDecimal size, SynthetixDecimal skew,
                                         const SynthetixLiquidationParams& params);
// Funding velocity per day: clamp(skew / skew_scale, -1, 1) * max_funding_velocity (toward zero).
SynthetixDecimal synthetix_funding_velocity(SynthetixDecimal skew, SynthetixDecimal skew_scale,
                                            SynthetixDecimal max_funding_velocity);

// _currentFundingRate: last_rate + velocity * (elapsed_seconds / 1 day), the elapsed fraction
// divideDecimal'd and the product multiplyDecimal'd, each truncated toward zero. Rates per day.
SynthetixDecimal synthetix_current_funding_rate(SynthetixDecimal last_funding_rate, SynthetixDecimal velocity,
                                                int64_t elapsed_seconds);

}  // namespace liqsim
