// An AMM pool as a Venue: what the run and the agents read of a pool beyond the execution contract (the
// constant-product pool of Uniswap v2, market/amm_pool.h, and the concentrated-liquidity pool of Uniswap
// v3, market/concentrated_pool.h). Reserves are the tokens the pool holds in the ledger's units (the
// run checks them against the ledger's amm_pool place after every event in tests).
#pragma once

#include "market/venue.h"

namespace liqsim {

// What a swap would do, without doing it: the quantity it fills and the quote that changes hands, summed
// over its fills as the run books them (each fill's price x quantity, rounded down).
struct SwapPreview {
  Quantity filled;
  Amount quote;
};

// The preview of an execution's fills (their spans may point into the venue that made them).
inline SwapPreview summarize_swap(const Execution& x) {
  SwapPreview p;
  for (const Fill& f : x.fills) {
    p.filled += f.quantity;
    p.quote += notional(f.price, f.quantity, Round::Down);
  }
  return p;
}

class AmmVenue : public Venue {
 public:
  // The execution of `request` on a copy of the pool: exactly what execute() would fill now, the pool
  // unchanged (a flash-loan liquidator's atomic pre-check of its sale).
  virtual SwapPreview preview(const ExecutionRequest& request) const = 0;
  // The pool's price before fees (quote per coin), rounded down.
  virtual Price price() const = 0;
  virtual Quantity base_reserve() const = 0;
  virtual Amount quote_reserve() const = 0;
  // Coins a trader would sell (Side::Sell) or buy into the pool to bring its marginal price to `target`: a
  // decision aid for arbitrage sizing and depth samples (double), 0 when the pool is already at or beyond
  // it or has no liquidity that way.
  virtual double quantity_to(Side side, double target) const = 0;
};

}  // namespace liqsim
