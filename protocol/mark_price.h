// Mark price methods (Binance, Hyperliquid) as pure functions, and the basis averagers they sample.
//
// The mark is not an account-side quantity (a higher mark favours shorts, a lower one longs), so no
// rounding direction favours the protocol: every division here rounds to the NEAREST raw unit, ties
// toward +infinity, which is deterministic and unbiased to within one unit.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string_view>

#include "core/units.h"

namespace liqsim {

// How a venue marks positions. Names are the scenario-file spellings.
// Oracle: the oracle's published price (heartbeat, deviation, delay), as lending protocols value
// collateral (Aave, Compound, Maker behind its one-hour OSM); liquidation detection then moves only
// when the oracle publishes. BitmexFairPrice: BitMEX's perpetual Fair Price, Index x (1 + FundingBasis)
// (funding_basis_price below).
enum class MarkMethod {
  Index,
  Last,
  IndexPlusBasis,
  BinanceMedian,
  HyperliquidMedian,
  Oracle,
  BitmexFairPrice
};

// "index", "last", "index_plus_basis", "binance_median", "hyperliquid_median", "oracle", "bitmex_fair_price".
std::string_view mark_method_name(MarkMethod method);
std::optional<MarkMethod> mark_method_from_string(std::string_view name);

// Median of three prices.
Price median_of_three(Price a, Price b, Price c);

// Binance's "contract price" kept inside the book: median(bid, ask, last) when both sides exist, i.e.
// last clamped into [bid, ask]. With one side missing, that side is taken as unbounded: max(last, bid)
// with only a bid, min(last, ask) with only an ask; last with an empty book.
Price clamp_to_book(Price last, std::optional<Price> bid, std::optional<Price> ask);

// Binance USDⓈ-M mark (https://www.binance.com/en/support/faq/fff6ec1b3f5845d19f1fb924644a0877):
//   median(Price1, Price2, ContractPrice)
//   Price1 = Index * (1 + LastFundingRate * TimeUntilFunding / FundingInterval)   (rounded to nearest)
//   Price2 = Index + MovingAverage(basis)   (passed in as ma_basis_price; see BasisMovingAverage)
// `contract_price` is the last price, usually after clamp_to_book. funding_interval > 0. Vector #11.
Price binance_mark(Price index, Ratio last_funding_rate, Time until_funding, Time funding_interval,
                   Price ma_basis_price, Price contract_price);

// Price1 alone (also BitMEX's perpetual Fair Price, Index * (1 + FundingBasis); protocols.md 1.2).
Price funding_basis_price(Price index, Ratio last_funding_rate, Time until_funding, Time funding_interval);

// Hyperliquid mark (https://hyperliquid.gitbook.io/hyperliquid-docs/trading/robust-price-indices):
// the median of (1) oracle + 150 s EMA of (mid - oracle), (2) median(best bid, best ask, last trade),
// (3) the weighted median of external CEX perp mids. "If exactly two out of the three inputs exist, the
// 30 second EMA of the median of best bid, best ask, and last trade is also added to the median
// inputs": with (2) or (3) missing the result is median(available two, local_median_ema30). With only
// (1) available the result is (1) (not specified by the venue; our choice). Vector #24.
Price hyperliquid_mark(Price oracle_plus_basis_ema, std::optional<Price> local_median,
                       std::optional<Price> external_perp_median, Price local_median_ema30);

// Simple moving average of the basis (mid - index) sampled on a fixed grid, Binance's MA(basis)
// (COIN-M: 30 samples 5 s apart = 2.5 min; USDⓈ-M reportedly 30 s since 2025-09; window is a parameter).
// Contract: at most one sample per grid point; the grid starts at the first observation; grid points
// that pass without an observation are filled with the next observed basis (the latest state seen).
class BasisMovingAverage {
 public:
  // sample_interval > 0, window_samples > 0.
  BasisMovingAverage(Time sample_interval, size_t window_samples);

  // Offers the basis (mid - index, a signed Price) seen at `now` (non-decreasing across calls). Records
  // it once for every grid point due by `now`; returns how many grid points were sampled (0 if none).
  size_t observe(Time now, Price basis);
  // Mean of the last window_samples samples (fewer at the start), rounded to nearest; empty before the
  // first sample.
  std::optional<Price> average() const;
  size_t size() const { return samples_.size(); }

 private:
  Time interval_;
  size_t window_;
  std::deque<Price> samples_;
  __int128 sum_ = 0;  // sum of samples_ raw values
  std::optional<Time> next_due_;
};

// Hyperliquid's time-decayed EMA (robust-price-indices page): for a sample observed t after the last
// update, num <- num * exp(-t / tau) + sample * t, den <- den * exp(-t / tau) + t, ema = num / den.
// A double inside (a statistic), returned as a Price rounded to nearest. Used with tau = 150 s on
// (mid - oracle) and tau = 30 s on the local median.
class BasisEma {
 public:
  explicit BasisEma(Time tau);  // tau > 0

  // `now` non-decreasing across calls. The first sample only starts the clock (t = 0, weight 0).
  void observe(Time now, Price sample);
  // num / den; the latest sample while no time has elapsed (den = 0); empty before any sample.
  std::optional<Price> value() const;

 private:
  double tau_seconds_;
  double numerator_ = 0.0;    // raw price units * seconds
  double denominator_ = 0.0;  // seconds
  std::optional<Time> last_time_;
  Price last_sample_;
};

}  // namespace liqsim
