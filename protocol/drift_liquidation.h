// Drift protocol v2's perp liquidation arithmetic: the base amount a liquidator takes over to cover a
// margin shortage, the insurance-fund fee scaled by that shortage, the liquidator fee's escalation over
// slots, the share of the shortage that may be liquidated so far, and the cumulative-funding delta that
// socialises a bankrupt position's loss.
//
// Sources: drift-labs/protocol-v2 programs/drift/src/math/liquidation.rs
// (calculate_base_asset_amount_to_cover_margin_shortage, calculate_perp_if_fee, get_liquidation_fee,
// calculate_max_pct_to_liquidate, calculate_funding_rate_deltas_to_resolve_bankruptcy), its tests
// (math/liquidation/tests.rs), math/constants.rs (precisions) and instructions/admin.rs
// (handle_update_perp_liquidation_fee); summarised in reference/protocols.md 2.4.
//
// Units are Drift's own fixed point: QUOTE_PRECISION 1e6 (the scale of Amount), PRICE_PRECISION 1e6
// (the scale of Price), BASE_PRECISION 1e9 (base amounts are plain int64 in 1e-9 coin),
// MARGIN_PRECISION 1e4 (margin ratios), LIQUIDATION_FEE_PRECISION 1e6 (fees, ppm),
// LIQUIDATION_PCT_PRECISION 1e4 and FUNDING_RATE_PRECISION 1e9 (quote per base). Every division
// truncates (Rust u128 `/`, i.e. rounds DOWN on these non-negative values) unless stated otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/units.h"

namespace liqsim {

inline constexpr int64_t kDriftBasePrecision = 1'000'000'000;
inline constexpr int64_t kDriftMarginPrecision = 10'000;
inline constexpr int64_t kDriftLiquidationFeePrecision = 1'000'000;
inline constexpr int64_t kDriftLiquidationPctPrecision = 10'000;
inline constexpr int64_t kDriftFundingRatePrecision = 1'000'000'000;
// The liquidator fee starts rising after 1,500 slots (~10 min) since the user was last active, by 1 ppm
// per slot elapsed (get_liquidation_fee; the crate's own test: 2% + 10,000 slots = 3%).
inline constexpr int64_t kDriftLiquidationFeeGraceSlots = 1'500;
inline constexpr int64_t kDriftLiquidationFeeIncreasePerSlot = 1;
// Below a $50 shortage the whole position may be liquidated at once (calculate_max_pct_to_liquidate).
inline constexpr Amount kDriftFullLiquidationShortage{50'000'000};

// The first problem handle_update_perp_liquidation_fee refuses, or nullopt: liquidator fee + insurance
// fee below 100%, and the insurance fee below 100% (both ppm, non-negative).
std::optional<std::string> drift_validate_perp_liquidation_fees(int64_t liquidator_fee_ppm,
                                                                int64_t if_fee_ppm);

// Base amount (1e-9 coin) whose transfer frees `margin_shortage`:
//   shortage * 1e9 / ( floor(floor(oracle * quote_oracle / 1e6) * (mr * 100 - lf) / 1e6)
//                      - floor(oracle * if_fee / 1e6) ),
// i.e. shortage / (P * (mr - lf) - P * if_fee). margin_ratio in 1e-4 (the maintenance ratio plus the
// liquidation buffer when the caller liquidates to the buffer), fees in ppm, quote_oracle the quote
// asset's price (1 for USDC). Each division rounds DOWN. Empty where Drift returns u64::MAX (oracle 0 or
// mr <= lf: no base amount covers the shortage) or fails (the denominator is not positive).
std::optional<int64_t> drift_base_to_cover_margin_shortage(Amount margin_shortage, int64_t margin_ratio,
                                                           int64_t liquidator_fee_ppm, int64_t if_fee_ppm,
                                                           Price oracle, Price quote_oracle);

// Insurance-fund fee (ppm) charged to the liquidated user:
//   min(max_if_fee, 95% * (mr * 100 - lf - shortage / (|base| * P))),
// with shortage / (|base| * P) = floor(floor(shortage * 1e9 / |base|) * 1e6 / P) (capped at u32::MAX),
// P = floor(oracle * quote_oracle / 1e6), the subtractions saturating at 0 and 95% = * 19 / 20 rounded
// DOWN. 0 when oracle, quote oracle or base is 0 or mr * 100 <= lf.
int64_t drift_perp_if_fee(Amount margin_shortage, int64_t base_asset_amount, int64_t margin_ratio,
                          int64_t liquidator_fee_ppm, Price oracle, Price quote_oracle,
                          int64_t max_if_fee_ppm);

// Liquidator fee (ppm) after `slots_since_last_active` slots: the base fee inside the 1,500-slot grace
// period, then base + slots * 1 ppm (all elapsed slots, not only those past the grace), capped at max.
int64_t drift_liquidation_fee(int64_t base_liquidator_fee_ppm, int64_t max_liquidator_fee_ppm,
                              int64_t slots_since_last_active);

// Share of the current shortage that may be freed now, in 1e-4 (10,000 = 100%):
//   100% when shortage < $50; else pct = min(elapsed * 1e4 / duration + initial_pct, 1e4) (100% when
//   duration is 0), max_freed = (shortage + freed) * pct / 1e4, result = (max_freed - freed, floored at 0)
//   * 1e4 / shortage; each division rounds DOWN. The gradual schedule applies to the cumulative margin
//   freed since the liquidation began. shortage > 0.
int64_t drift_max_pct_to_liquidate(Amount margin_shortage, Amount margin_freed_so_far, int64_t slots_elapsed,
                                   int64_t initial_pct, int64_t liquidation_duration_slots);

// Change of the cumulative funding rate (FUNDING_RATE_PRECISION, quote per base, both sides) that
// spreads a loss left after the insurance fund over all open base:
//   ceil(|loss| * 1e9 / (|base_long| + |base_short|)) * 1e3,
// rounded UP (safe_div_ceil) so the positions together cover at least the loss. Empty when no base is
// open (Drift refuses with CantResolvePerpBankruptcy). Bases in 1e-9 coin.
std::optional<int64_t> drift_funding_delta_to_resolve_bankruptcy(Amount loss, int64_t base_long,
                                                                 int64_t base_short);

}  // namespace liqsim
