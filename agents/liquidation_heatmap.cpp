#include "agents/liquidation_heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/check.h"

namespace liqsim {
namespace {

std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

// Entries the first observation spreads the open interest over (uniform within +-initial_spread).
constexpr int kInitialEntries = 21;

}  // namespace

std::vector<std::string> validate(const LiquidationHeatmapParams& p, const std::string& prefix) {
  std::vector<std::string> out;
  const auto bad = [&](const std::string& key, const std::string& value, const char* allowed) {
    out.push_back(prefix + "." + key + " = " + value + ": " + allowed);
  };
  if (p.leverages.empty() || p.leverages.size() > 64)
    bad("leverages", std::to_string(p.leverages.size()) + " values", "1 to 64 leverages");
  for (size_t i = 0; i < p.leverages.size(); ++i)
    if (!(p.leverages[i] > 1 && p.leverages[i] <= 1000))
      bad("leverages[" + std::to_string(i) + "]", number(p.leverages[i]), "must be in (1, 1000]");
  if (p.weights.size() != p.leverages.size())
    bad("weights", std::to_string(p.weights.size()) + " values", "one weight per leverage");
  double total = 0;
  for (size_t i = 0; i < p.weights.size(); ++i) {
    if (!(p.weights[i] >= 0 && p.weights[i] <= 1e6))
      bad("weights[" + std::to_string(i) + "]", number(p.weights[i]), "must be in [0, 1e6]");
    else
      total += p.weights[i];
  }
  if (!p.weights.empty() && !(total > 0)) bad("weights", "all 0", "at least one weight above 0");
  if (!(p.maintenance_rate >= 0 && p.maintenance_rate < 0.5))
    bad("maintenance_rate", number(p.maintenance_rate), "must be in [0, 0.5)");
  if (!(p.bucket >= 1e-5 && p.bucket <= 0.1)) bad("bucket", number(p.bucket), "must be in [1e-5, 0.1]");
  if (!(p.initial_spread >= 0 && p.initial_spread <= 0.5))
    bad("initial_spread", number(p.initial_spread), "must be in [0, 0.5]");
  return out;
}

LiquidationHeatmap::LiquidationHeatmap(LiquidationHeatmapParams params) : params_(std::move(params)) {
  LIQSIM_CHECK(validate(params_, "heatmap").empty(), "liquidation heatmap parameters must be validated");
  double total = 0;
  for (double w : params_.weights) total += w;
  for (double& w : params_.weights) w /= total;
  log_step_ = std::log1p(params_.bucket);
}

int64_t LiquidationHeatmap::bucket_of(double price) const {
  return int64_t(std::floor(std::log(price) / log_step_));
}

double LiquidationHeatmap::price_of(int64_t bucket) const {
  return std::exp((double(bucket) + 0.5) * log_step_);
}

void LiquidationHeatmap::open_at(double entry, double long_coins, double short_coins) {
  // Liquidation prices of the isolated position at `leverage` entered at `entry` (margin = 1/leverage
  // of the notional): long at entry (1 - 1/L + m), short at entry (1 + 1/L - m).
  for (size_t i = 0; i < params_.leverages.size(); ++i) {
    const double inverse = 1.0 / params_.leverages[i];
    const double long_level = entry * (1.0 - inverse + params_.maintenance_rate);
    if (long_coins > 0 && long_level > 0) longs_[bucket_of(long_level)] += long_coins * params_.weights[i];
    if (short_coins > 0)
      shorts_[bucket_of(entry * (1.0 + inverse - params_.maintenance_rate))] +=
          short_coins * params_.weights[i];
  }
}

void LiquidationHeatmap::scale_to(std::map<int64_t, double>& side, double target) {
  double sum = 0;
  for (const auto& [bucket, coins] : side) sum += coins;
  if (sum <= target || sum <= 0) return;
  const double factor = target / sum;
  for (auto& [bucket, coins] : side) coins *= factor;
}

void LiquidationHeatmap::observe(double mark, double open_interest) {
  LIQSIM_CHECK(mark > 0 && open_interest >= 0, "a heatmap observation needs a positive mark");
  if (!last_open_interest_) {
    for (int k = 0; k < kInitialEntries; ++k) {
      const double offset = params_.initial_spread * (2.0 * k / (kInitialEntries - 1) - 1.0);
      open_at(mark * (1.0 + offset), open_interest / kInitialEntries, open_interest / kInitialEntries);
    }
  }
  // Levels the mark has reached are gone: longs at or above it, shorts at or below it.
  const int64_t here = bucket_of(mark);
  longs_.erase(longs_.lower_bound(here), longs_.end());
  shorts_.erase(shorts_.begin(), shorts_.upper_bound(here));
  // Each side holds the open interest: excess closed pro rata, a shortfall opened at the mark.
  scale_to(longs_, open_interest);
  scale_to(shorts_, open_interest);
  open_at(mark, std::max(0.0, open_interest - total_long()), std::max(0.0, open_interest - total_short()));
  last_open_interest_ = open_interest;
}

double LiquidationHeatmap::long_mass(double lo, double hi) const {
  double sum = 0;
  for (auto it = longs_.lower_bound(bucket_of(lo)); it != longs_.end() && it->first <= bucket_of(hi); ++it)
    sum += it->second;
  return sum;
}

double LiquidationHeatmap::short_mass(double lo, double hi) const {
  double sum = 0;
  for (auto it = shorts_.lower_bound(bucket_of(lo)); it != shorts_.end() && it->first <= bucket_of(hi); ++it)
    sum += it->second;
  return sum;
}

double LiquidationHeatmap::total_long() const {
  double sum = 0;
  for (const auto& [bucket, coins] : longs_) sum += coins;
  return sum;
}

double LiquidationHeatmap::total_short() const {
  double sum = 0;
  for (const auto& [bucket, coins] : shorts_) sum += coins;
  return sum;
}

std::optional<CascadeEstimate> LiquidationHeatmap::cascade(double mark, bool down, double depth,
                                                           double approach, double amplifier,
                                                           double max_move) const {
  LIQSIM_CHECK(mark > 0 && depth > 0 && amplifier >= 1 && max_move > 0 && max_move < 1,
               "cascade estimate arguments out of range");
  // Levels in the order the price would reach them, from the nearest one past the mark.
  std::vector<std::pair<double, double>> levels;  // (price, coins)
  if (down) {
    for (auto it = longs_.rbegin(); it != longs_.rend(); ++it) {
      const double p = price_of(it->first);
      if (p < mark) levels.emplace_back(p, it->second);
    }
  } else {
    for (const auto& [bucket, coins] : shorts_) {
      const double p = price_of(bucket);
      if (p > mark) levels.emplace_back(p, coins);
    }
  }
  if (levels.empty()) return std::nullopt;
  const double sign = down ? -1.0 : 1.0;
  const double first = levels.front().first;
  if (std::abs(first / mark - 1.0) > approach) return std::nullopt;
  const double limit = mark * (1.0 + sign * max_move);
  // Past the price q in the cascade's direction: below q going down, above it going up.
  const auto reached = [&](double p, double q) { return down ? p >= q : p <= q; };
  CascadeEstimate out{first, first, 0};
  size_t next = 0;
  for (;;) {
    while (next < levels.size() && reached(levels[next].first, out.end))
      out.mass += amplifier * levels[next++].second;
    const double moved = first * (1.0 + sign * out.mass / depth);
    const double bounded = down ? std::max(limit, moved) : std::min(limit, moved);
    out.end = down ? std::min(out.end, bounded) : std::max(out.end, bounded);
    if (next >= levels.size() || !reached(levels[next].first, out.end)) break;
  }
  return out;
}

}  // namespace liqsim
