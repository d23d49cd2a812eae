#include "market/venue_index.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/check.h"

namespace liqsim {

namespace {

Price floor_mean(Price a, Price b) {
  return Price(div_round(static_cast<__int128>(a.raw()) + b.raw(), 2, Round::Down));
}

// |quote - median| > threshold * median, exactly in integers.
bool deviates(Price quote, Price median, Ratio threshold) {
  const __int128 gap = static_cast<__int128>(quote.raw()) - median.raw();
  const __int128 magnitude = gap < 0 ? -gap : gap;
  return magnitude * kRatioScale > static_cast<__int128>(threshold.raw()) * median.raw();
}

}  // namespace

Price median_price(std::span<const Price> values) {
  LIQSIM_CHECK(!values.empty(), "median of no values");
  std::vector<Price> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  if (n % 2 == 1) return sorted[n / 2];
  return floor_mean(sorted[n / 2 - 1], sorted[n / 2]);
}

Price weighted_median_price(std::span<const Price> values, std::span<const uint32_t> weights) {
  LIQSIM_CHECK(values.size() == weights.size(), "weighted median needs one weight per value");
  std::vector<std::pair<Price, uint32_t>> sorted;
  sorted.reserve(values.size());
  uint64_t total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (weights[i] == 0) continue;
    sorted.emplace_back(values[i], weights[i]);
    total += weights[i];
  }
  LIQSIM_CHECK(total > 0, "weighted median with no positive weight");
  std::sort(sorted.begin(), sorted.end());
  uint64_t cumulative = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    cumulative += sorted[i].second;
    if (2 * cumulative < total) continue;
    // Exactly half the weight at or below this value: the median lies between it and the next one.
    if (2 * cumulative == total && i + 1 < sorted.size())
      return floor_mean(sorted[i].first, sorted[i + 1].first);
    return sorted[i].first;
  }
  return sorted.back().first;  // unreachable: the loop reaches the total
}

VenueIndex::VenueIndex(VenueIndexConfig config, uint64_t master_seed) : config_(std::move(config)) {
  LIQSIM_CHECK(!config_.venues.empty(), "VenueIndex needs at least one venue");
  LIQSIM_CHECK(config_.update_interval > Time::zero(), "VenueIndex update interval must be positive");
  LIQSIM_CHECK(config_.outlier_threshold >= Ratio::zero() && config_.outlier_threshold < Ratio(kRatioScale),
               "VenueIndex outlier threshold must be in [0, 1)");
  const size_t k = config_.venues.size();
  rngs_.reserve(k);
  for (size_t id = 0; id < k; ++id) {
    const VenueConfig& venue = config_.venues[id];
    LIQSIM_CHECK(venue.weight > 0, "venue weight must be positive");
    LIQSIM_CHECK(venue.noise_stdev >= 0.0, "venue noise stdev must be non-negative");
    LIQSIM_CHECK(venue.noise_half_life > Time::zero(), "venue noise half-life must be positive");
    LIQSIM_CHECK(venue.stale_probability >= 0.0 && venue.stale_probability <= 1.0,
                 "venue stale probability must be in [0, 1]");
    rngs_.emplace_back(master_seed, StreamKind::VenueQuoteNoise, id);
    // Half-life h: the expected deviation halves every h, so phi = 2^(-dt/h) per grid step.
    persistence_.push_back(
        std::exp2(-double(config_.update_interval.raw()) / double(venue.noise_half_life.raw())));
    weights_.push_back(venue.weight);
  }
  noise_.assign(k, 0.0);
  quotes_.assign(k, Price::zero());
}

void VenueIndex::step_grid(Price reference, bool first) {
  for (size_t id = 0; id < config_.venues.size(); ++id) {
    const VenueConfig& venue = config_.venues[id];
    Rng& rng = rngs_[id];
    // Both draws happen every step, whatever the parameters, so a venue's stream stays aligned to
    // the grid when its staleness or noise settings change.
    const double z = rng.normal();
    const bool stale = rng.bernoulli(venue.stale_probability);
    if (first) {
      noise_[id] = venue.noise_stdev * z;  // stationary N(0, sigma^2)
    } else {
      // Exact OU transition over one grid step: stationary variance sigma^2 is preserved.
      const double phi = persistence_[id];
      noise_[id] = phi * noise_[id] + venue.noise_stdev * std::sqrt(1.0 - phi * phi) * z;
    }
    if (first || !stale)
      quotes_[id] = clamped_price_from_double(to_double(reference) * std::exp(noise_[id]), Price(1),
                                              Price(kMaxModelPriceRaw));
  }
}

Price VenueIndex::update(Time now, Price reference) {
  LIQSIM_CHECK(now >= last_, "VenueIndex updated backwards in time");
  LIQSIM_CHECK(reference > Price::zero(), "VenueIndex reference must be positive");
  last_ = now;
  const int64_t target = now.raw() / config_.update_interval.raw();
  if (!started_) {
    step_grid(reference, true);
    started_ = true;
    grid_ = target;
    index_ = aggregate(quotes_);
    return index_;
  }
  if (target == grid_) return index_;
  for (; grid_ < target; ++grid_) step_grid(reference, false);
  index_ = aggregate(quotes_);
  return index_;
}

Price VenueIndex::index() const {
  LIQSIM_CHECK(started_, "VenueIndex read before its first update");
  return index_;
}

Price VenueIndex::aggregate(std::span<const Price> quotes) const {
  LIQSIM_CHECK(quotes.size() == config_.venues.size(), "VenueIndex::aggregate needs one quote per venue");
  std::vector<Price> adjusted(quotes.begin(), quotes.end());
  std::vector<uint32_t> weights = weights_;
  if (config_.aggregation == IndexAggregation::Median) std::fill(weights.begin(), weights.end(), 1u);
  if (config_.outlier_rule != OutlierRule::None) {
    const Price median = median_price(quotes);
    const Ratio threshold = config_.outlier_threshold;
    if (config_.outlier_rule == OutlierRule::ClampToBand) {
      // Round both band edges inward so a clamped quote never lies outside the band.
      const Price upper = apply(median, Ratio(kRatioScale) + threshold, Round::Down);
      const Price lower = apply(median, Ratio(kRatioScale) - threshold, Round::Up);
      for (Price& q : adjusted)
        if (deviates(q, median, threshold)) q = std::clamp(q, lower, upper);
    } else {
      size_t deviating = 0;
      size_t which = 0;
      for (size_t i = 0; i < adjusted.size(); ++i)
        if (deviates(adjusted[i], median, threshold)) ++deviating, which = i;
      if (deviating > 1) return median;
      if (deviating == 1) weights[which] = 0;
    }
  }
  return weighted_median_price(adjusted, weights);
}

}  // namespace liqsim
