// The mark price of one market: one MarkMethod formula (protocol/mark_price.h) over the market's
// quotes, index and oracle, with the state the formulas keep between updates (Binance's basis moving
// average, Hyperliquid's two EMAs). Called once per mark update, in time order. Contract: the result
// is never below one tick.
#pragma once

#include <memory>
#include <optional>

#include "core/units.h"
#include "protocol/mark_price.h"

namespace liqsim {

// What a mark update sees of its market, read by the caller at the update's instant.
struct MarkInputs {
  Time now;
  std::optional<Price> bid, ask, mid, last_trade;
  Price index;
  Price oracle;  // the oracle's published value at `now` (after its delay)
  Price tick;
  Time until_funding;  // to the next funding settlement (Binance's time-decayed funding basis)
  Time funding_interval;
  Ratio last_funding_rate;
};

class MarkEngine {
 public:
  // The basis moving average samples every `basis_sample_interval` over `basis_window_samples`.
  MarkEngine(MarkMethod method, Time basis_sample_interval, size_t basis_window_samples);

  Price update(const MarkInputs& in);
  MarkMethod method() const { return method_; }

 private:
  MarkMethod method_;
  BasisMovingAverage basis_ma_;
  BasisEma oracle_basis_ema_;  // Hyperliquid: EMA(mid - oracle), tau 150 s
  BasisEma local_median_ema_;  // Hyperliquid: EMA of median(bid, ask, last), tau 30 s
};

}  // namespace liqsim
