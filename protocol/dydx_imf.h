// dYdX v4 open-interest-scaled initial margin (OIMF): the initial margin fraction of a market rises
// linearly from the liquidity tier's base IMF at the lower open-interest cap to 100% at the upper cap,
// and the initial margin requirement of a position is its notional times that fraction.
//
// Sources: dydxprotocol/v4-chain protocol/x/perpetuals/types/liquidity_tier.go
// (GetAdjustedInitialMarginPpm, GetInitialMarginQuoteQuantums, Validate) and protocol/lib
// (BigMulPpm with rounding up); summarised in reference/protocols.md 2.1.
//
// Units: open interest caps and notionals are quote quantums (1e-6 USDC), the scale of Amount;
// fractions are parts per million as the chain stores them.
#pragma once

#include <cstdint>

#include "core/units.h"

namespace liqsim {

// Effective IMF in ppm at the market's open notional (open interest times oracle price):
//   upper_cap == 0 (OIMF disabled) or open_notional <= lower_cap -> base;
//   open_notional >= upper_cap -> 1e6;
//   else base + (1e6 - base) * (open_notional - lower_cap) / (upper_cap - lower_cap),
// the division rounded DOWN (big.Int Div of non-negative values). base_imf_ppm in [0, 1e6]; the
// liquidity tier's Validate guarantees lower_cap <= upper_cap.
int64_t dydx_adjusted_initial_margin_ppm(int64_t base_imf_ppm, Amount open_interest_lower_cap,
                                         Amount open_interest_upper_cap, Amount open_notional);

// Initial margin requirement of a position: |notional| * imf_ppm / 1e6, rounded UP (BigMulPpm with
// roundUp = true).
Amount dydx_initial_margin_requirement(Amount position_notional, int64_t imf_ppm);

}  // namespace liqsim
