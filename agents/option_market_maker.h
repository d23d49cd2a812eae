// Option market makers' quotes: bid and ask ladders around the model price of a series, a spread in
// volatility points that widens, and depth that is withdrawn, as the underlying's recent move grows, with
// the quotes leaned against the maker's inventory. A pure rule; the run places and cancels the orders.
// Defaults are illustrative, not calibrated.
#pragma once

#include <vector>

#include "core/units.h"
#include "protocol/vol_surface.h"

namespace liqsim {

struct OptionQuoteParams {
  double vol_spread = 0.02;       // (0, 1]: half-spread in volatility (0.02 = 2 vol points) at calm
  double level_vol_step = 0.01;   // [0, 1]: each further level this much volatility further out
  int levels = 3;                 // [1, 20] per side
  double level_contracts = 5;     // (0, 1e6]: contracts per level at calm
  double min_half_spread = 0.02;  // [0, 1]: the half-spread is at least this fraction of the price
  double stress_widen = 10;       // [0, 1000]: spread multiple 1 + stress_widen x |recent log move|
  double stress_withdraw = 5;     // [0, 1000]: depth multiple max(min_depth, 1 - withdraw x |move|)
  double min_depth = 0.1;         // [0, 1]
  double inventory_skew = 0.5;    // [0, 10]: shifts both sides by this x half-spread x inventory / limit
  double inventory_limit = 200;   // (0, 1e9] contracts: the inventory of full skew
};

struct OptionQuote {
  bool bid = true;
  double price = 0.0;
  double contracts = 0.0;
};

// The ladder for one series: levels per side at Black-76 prices of the surface's vol -/+ the half-spread
// (bids floored at volatility 1 %), both sides moved down by the skew when the maker is long (inventory
// > 0, relative to its starting inventory) and up when short. Bids at or below zero are left out.
// `recent_move` is |ln(F_now / F_window_ago)|.
std::vector<OptionQuote> option_quotes(const OptionQuoteParams& params, const VolSurface& surface,
                                       OptionType type, double forward, double strike, double years,
                                       double recent_move, double inventory);

}  // namespace liqsim
