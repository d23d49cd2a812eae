#include "agents/option_market_maker.h"

#include <algorithm>
#include <cmath>

namespace liqsim {

std::vector<OptionQuote> option_quotes(const OptionQuoteParams& p, const VolSurface& surface, OptionType type,
                                       double forward, double strike, double years, double recent_move,
                                       double inventory) {
  std::vector<OptionQuote> out;
  if (years <= 0.0 || forward <= 0.0 || strike <= 0.0) return out;
  const double vol = surface.implied_vol(strike, forward, years);
  const double mid = black76_price(type, forward, strike, vol, years);
  const double widen = 1.0 + p.stress_widen * recent_move;
  const double depth = std::max(p.min_depth, 1.0 - p.stress_withdraw * recent_move) * p.level_contracts;
  if (depth <= 0.0) return out;
  const double half = p.vol_spread * widen;
  const double lean = std::clamp(inventory / p.inventory_limit, -1.0, 1.0) * p.inventory_skew;
  for (int level = 0; level < p.levels; ++level) {
    const double out_vol = half + p.level_vol_step * level;
    const double floor_spread = p.min_half_spread * mid * (1.0 + level);
    double ask = std::max(black76_price(type, forward, strike, vol + out_vol, years), mid + floor_spread);
    double bid = std::min(black76_price(type, forward, strike, std::max(0.01, vol - out_vol), years),
                          mid - floor_spread);
    // Leaning against inventory: a long maker sells cheaper and buys cheaper.
    const double shift = lean * (ask - bid) * 0.5;
    ask -= shift;
    bid -= shift;
    ask = std::max(ask, mid * 1e-3);
    if (bid > 0.0) out.push_back(OptionQuote{true, bid, depth});
    out.push_back(OptionQuote{false, ask, depth});
  }
  return out;
}

}  // namespace liqsim
