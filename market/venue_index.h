// A spot index built from K noisy venue quotes around a reference price, the way perpetual exchanges
// compute the index that feeds their mark price (Binance "Price Index" FAQ,
// binance.com/en/support/faq/547ba48141474ab3bddc5d7898f97928; Hyperliquid oracle docs, weighted median
// of CEX spot prices).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.h"
#include "core/units.h"

namespace liqsim {

enum class IndexAggregation : uint8_t {
  Median,          // plain median; for even K the mean of the two middle quotes, rounded down
  WeightedMedian,  // weighted median with VenueConfig::weight (see weighted_median_price)
};

// How quotes far from the median of all quotes are treated before aggregation. "Far" means
// |quote - median| > threshold * median, with median the plain median of all quotes.
enum class OutlierRule : uint8_t {
  None,
  // Clamp the quote to median * (1 +/- threshold), the rule published by several perpetual venues
  // (e.g. Pionex and Coinlocally index docs, 3%).
  ClampToBand,
  // Binance's 2020 FAQ rule (5%): a single deviating venue gets weight zero; if more than one deviates,
  // the index is the plain median of all quotes.
  ZeroWeight,
};

struct VenueConfig {
  // Relative integer weight (> 0) in the weighted median; integers keep the half-weight tie exact.
  uint32_t weight = 1;
  // Stationary standard deviation of the venue's log basis noise (e.g. 0.0005 = 5 bp).
  double noise_stdev = 0.0;
  // Half-life of the basis noise's mean reversion (> 0).
  Time noise_half_life = seconds(60);
  // Probability that the venue misses a grid update and keeps its previous quote.
  double stale_probability = 0.0;
};

struct VenueIndexConfig {
  std::vector<VenueConfig> venues;  // venue id = position; at least one venue
  Time update_interval = seconds(1);
  IndexAggregation aggregation = IndexAggregation::Median;
  OutlierRule outlier_rule = OutlierRule::None;
  Ratio outlier_threshold = ratio_from_double(0.05);
};

// Median of non-empty values; for an even count the mean of the two middle values rounded toward
// -infinity, so the result is always a representable Price and never above the true midpoint.
Price median_price(std::span<const Price> values);
// Weighted median: sort by price and take the first value whose cumulative weight reaches half of the
// total. When the cumulative weight equals exactly half, the median lies between that value and the
// next one, and their mean (rounded down) is returned, so equal weights reproduce median_price.
// Entries with weight 0 are ignored; at least one weight must be positive.
Price weighted_median_price(std::span<const Price> values, std::span<const uint32_t> weights);

// The venue quotes and the index on a fixed update grid (k * update_interval). Contract: update() is
// called with non-decreasing times; quotes and index change only at grid points and are constant in
// between. Venue k's noise is the exact AR(1) discretisation of an Ornstein-Uhlenbeck process, drawn
// from its own stream stream_seed(master, VenueQuoteNoise, k), so adding a venue changes no other.
class VenueIndex {
 public:
  VenueIndex(VenueIndexConfig config, uint64_t master_seed);

  // Advances through every grid point up to `now` and returns the index. The reference is taken as
  // constant since the previous call, so callers should call at least once per update_interval. The
  // first call initialises the noise from its stationary distribution and never marks a quote stale.
  Price update(Time now, Price reference);
  Price index() const;
  std::span<const Price> quotes() const { return quotes_; }
  // Current log basis noise per venue: a fresh quote is reference * exp(noise).
  std::span<const double> noise() const { return noise_; }
  // The index of the given quotes (one per venue) under this configuration: outlier rule, then
  // aggregation. Pure; update() uses it, and tests inject hand-made quotes through it.
  Price aggregate(std::span<const Price> quotes) const;
  const VenueIndexConfig& config() const { return config_; }

 private:
  void step_grid(Price reference, bool first);

  VenueIndexConfig config_;
  std::vector<Rng> rngs_;
  std::vector<double> persistence_;  // AR(1) coefficient per venue: 2^(-interval / half-life)
  std::vector<double> noise_;
  std::vector<Price> quotes_;
  std::vector<uint32_t> weights_;
  Price index_;
  int64_t grid_ = 0;  // last grid point processed
  bool started_ = false;
  Time last_{0};
};

}  // namespace liqsim
