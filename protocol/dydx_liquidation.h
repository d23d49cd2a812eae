// dYdX v4's liquidation arithmetic: the worst price a protocol liquidation order may fill at, the
// bankruptcy quote of a position delta, the insurance-fund delta with the liquidation fee, the per-block
// cap on liquidated notional, and the funding-rate clamp.
//
// Sources: dydxprotocol/v4-chain protocol/x/clob/keeper/liquidations.go (GetFillablePrice,
// ConvertFillablePriceToSubticks, GetBankruptcyPriceInQuoteQuantums, GetLiquidationInsuranceFundDelta,
// GetMaxAndMinPositionNotionalLiquidatable, GetSubaccountMaxNotionalLiquidatable),
// protocol/x/clob/types/liquidations_config.go (Validate), protocol/x/perpetuals/types/liquidity_tier.go
// (GetMaintenanceMarginPpm, GetMaxAbsFundingClampPpm), protocol/x/perpetuals/keeper/perpetual.go (the
// clamp of the funding rate) and protocol/lib/big_math.go (BigIntMulPpm rounds toward -infinity);
// parameters in protocol/testing/genesis.sh; summarised in reference/protocols.md 2.1.
//
// Units: dYdX's quote quantums are 1e-6 USDC, the scale of Amount, so TNC, TMMR, PNNV, PMMR and quotes
// are Amounts with no conversion. Position sizes are Quantity (1e-8 coin) and prices Price (1e-6 $ per
// coin) in place of the chain's base quantums and subticks. Fractions are parts per million as the chain
// stores them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/units.h"

namespace liqsim {

inline constexpr int64_t kDydxPpm = 1'000'000;

// The liquidations config fields these functions read (x/clob LiquidationsConfig).
struct DydxLiquidationsConfig {
  int64_t max_liquidation_fee_ppm = 15'000;                    // genesis.sh: 1.5%
  int64_t bankruptcy_adjustment_ppm = 1'000'000;               // FillablePriceConfig, genesis 100%
  int64_t spread_to_maintenance_margin_ratio_ppm = 1'500'000;  // FillablePriceConfig, genesis 150%
  Amount min_position_notional_liquidated{1'000'000'000};      // PositionBlockLimits, $1,000
  int64_t max_position_portion_liquidated_ppm = 100'000;       // PositionBlockLimits, 10%
  Amount subaccount_max_notional_liquidated{100'000'000'000};  // SubaccountBlockLimits, $100,000
};

// The first problem LiquidationsConfig.Validate reports, or nullopt: bankruptcy adjustment >= 1e6,
// spread-to-MMR > 0, max fee in (0, 1e6], max position portion in (0, 1e6], subaccount block limit > 0
// (the minimum position notional is deliberately not validated by the chain).
std::optional<std::string> dydx_validate_liquidations_config(const DydxLiquidationsConfig& config);

// Adjusted bankruptcy rating ABR = clamp(BA * (1 - TNC / TMMR), 0, 1), for reports only: rounded to the
// nearest Ratio unit (the fillable price below uses the exact rational, as the chain's big.Rat does).
// tmmr > 0.
Ratio dydx_adjusted_bankruptcy_rating(Amount tnc, Amount tmmr, int64_t bankruptcy_adjustment_ppm);

// Fillable price of the liquidation order closing `position` (PS, signed):
//   (PNNV - ABR * SMMR * PMMR) / PS, ABR = clamp(BA * (1 - TNC / TMMR), 0, 1).
// pnnv is the position's signed net notional at the oracle, pmmr its maintenance requirement, tnc and
// tmmr the subaccount totals (tmmr > 0, position != 0). Evaluated exactly and rounded once, as
// ConvertFillablePriceToSubticks does: UP for a long (the order sells), DOWN for a short (it buys).
// Bounded below by one price unit, as the chain bounds the subticks below by one tick.
Price dydx_fillable_price(Quantity position, Amount pnnv, Amount pmmr, Amount tnc, Amount tmmr,
                          int64_t bankruptcy_adjustment_ppm, int64_t spread_to_mmr_ppm);

// Quote quantums at which closing a position delta leaves the subaccount exactly bankrupt:
//   -DNNV - TNC * |DMMR| / TMMR,
// with DNNV the change of the position's net notional (-PNNV for a full close) and DMMR <= 0 the change
// of its maintenance requirement. The one division rounds DOWN (Go big.Int Div is Euclidean and TMMR > 0)
// so the result rounds toward +infinity: closing at it never needs the insurance fund.
Amount dydx_bankruptcy_quote(Amount delta_nnv, Amount delta_mmr, Amount tnc, Amount tmmr);

// Net payment from the liquidated subaccount to the insurance fund for one fill, positive when the
// subaccount pays a fee, negative when the fund covers a loss:
//   delta = quote_received - bankruptcy_quote; delta <= 0 -> delta;
//   else min(delta, |quote_received| * max_liquidation_fee_ppm / 1e6) (the product rounded DOWN,
//   BigIntMulPpm). quote_received is signed (positive when the liquidation order sells).
Amount dydx_insurance_fund_delta(Amount quote_received, Amount bankruptcy_quote,
                                 int64_t max_liquidation_fee_ppm);

// Largest notional of one position the protocol may liquidate in this block:
//   min(max(min(min_notional, |N|), |N| * portion_ppm / 1e6), subaccount_limit - already_liquidated),
// the ppm product rounded DOWN (BigIntMulPpm). already_liquidated <= subaccount_limit (the chain panics
// otherwise). When the result covers |N| the chain closes the whole position.
Amount dydx_max_liquidatable_notional(Amount position_notional, const DydxLiquidationsConfig& config,
                                      Amount already_liquidated_this_block);

// Maintenance margin fraction in ppm: IMF * maintenance_fraction / 1e6, rounded DOWN (BigIntMulPpm).
int64_t dydx_maintenance_margin_ppm(int64_t initial_margin_ppm, int64_t maintenance_fraction_ppm);

// Funding rate of one tick in ppm per 8 h: premium + default funding, clamped to
// |R| <= clamp_factor * (IMF - MMF) / 1e6 (the bound rounded DOWN, BigIntMulPpm). Genesis clamp factor
// 600% (6e6 ppm).
int64_t dydx_funding_rate_ppm(int64_t premium_ppm, int64_t default_funding_ppm, int64_t initial_margin_ppm,
                              int64_t maintenance_fraction_ppm, int64_t clamp_factor_ppm);

}  // namespace liqsim
