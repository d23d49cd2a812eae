#include "protocol/dydx_imf.h"

#include "core/check.h"
#include "protocol/dydx_liquidation.h"

namespace liqsim {

int64_t dydx_adjusted_initial_margin_ppm(int64_t base_imf_ppm, Amount open_interest_lower_cap,
                                         Amount open_interest_upper_cap, Amount open_notional) {
  LIQSIM_CHECK(base_imf_ppm >= 0 && base_imf_ppm <= kDydxPpm, "base IMF must be within [0, 1e6] ppm");
  if (open_interest_upper_cap == Amount(0) || open_notional <= open_interest_lower_cap) return base_imf_ppm;
  if (open_notional >= open_interest_upper_cap) return kDydxPpm;
  // Here lower_cap < open_notional < upper_cap, so the scaling factor is strictly inside (0, 1).
  const int64_t increase = mul_div(kDydxPpm - base_imf_ppm, (open_notional - open_interest_lower_cap).raw(),
                                   (open_interest_upper_cap - open_interest_lower_cap).raw(), Round::Down);
  return base_imf_ppm + increase;
}

Amount dydx_initial_margin_requirement(Amount position_notional, int64_t imf_ppm) {
  LIQSIM_CHECK(imf_ppm >= 0, "IMF cannot be negative");
  const int64_t abs_notional =
      position_notional < Amount(0) ? -position_notional.raw() : position_notional.raw();
  return Amount(mul_div(abs_notional, imf_ppm, kDydxPpm, Round::Up));
}

}  // namespace liqsim
