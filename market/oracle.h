// An on-chain price oracle: Chainlink-style push updates (publish on deviation or heartbeat) seen
// through an optional Maker OSM-style delay (a published value becomes usable only `delay` later); or
// a recorded oracle replayed: the values a protocol read, at the times it read them (Maker's OSM
// LogValue events: the value `poke` made current, usable from then on).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/units.h"

namespace liqsim {

struct OracleConfig {
  // Publish when this long has passed since the last publication (Chainlink "heartbeat"), > 0.
  Time heartbeat = seconds(3600);
  // Publish when |source - last published| >= deviation * last published (Chainlink "deviation
  // threshold", e.g. 0.5%). Zero publishes on every observation.
  Ratio deviation = ratio_from_double(0.005);
  // A value published at t becomes the visible value at t + delay (Maker OSM: one hour). Zero makes
  // publications visible immediately.
  Time delay = Time(0);
};

// Publishes sampled source prices by the Chainlink trigger rule and exposes them after a delay.
// Contract: observe() and value() are called with non-decreasing times; the initial price counts as
// published and visible at time 0. Pending publications are at most those of the last `delay`.
class Oracle {
 public:
  Oracle(OracleConfig config, Price initial);
  // A replayed oracle: `recorded` (time, value) in strictly increasing time from time 0, values > 0.
  // observe() publishes every recorded value whose time has come (its source argument unused); value(now)
  // is the last recorded value at or before now. The config's rules do not apply.
  explicit Oracle(std::vector<std::pair<Time, Price>> recorded);
  bool replayed() const { return !recorded_.empty(); }

  // Samples the source at `now`; returns true when this observation is published.
  bool observe(Time now, Price source);
  // The value a protocol reading the oracle sees at `now` (not before the last observe()).
  Price value(Time now) const;
  // The most recent published value, visible or not.
  Price last_published() const { return published_; }
  // Time of the most recent publication (0 for the initial value).
  Time last_update() const { return last_update_; }
  // Publications so far, not counting the initial value.
  uint64_t publications() const { return publications_; }
  // Published values not yet visible.
  size_t pending() const { return pending_.size(); }
  const OracleConfig& config() const { return config_; }

 private:
  OracleConfig config_;
  Price published_;
  Time last_update_{0};
  Price visible_;
  Time released_through_{0};                    // pending entries visible by this time were released
  std::deque<std::pair<Time, Price>> pending_;  // (visible at, price), visible-at increasing
  uint64_t publications_ = 0;
  std::vector<std::pair<Time, Price>> recorded_;  // a replayed oracle's values
  size_t next_recorded_ = 1;                      // the first recorded value not yet published
};

// A recorded oracle from a CSV file (market/time_value_csv: header row, times re-based so the first row
// is time 0, strictly increasing): its (time, value) rows, values in $ per coin > 0 and at most
// kMaxModelPriceRaw once in Price, or the first error (naming the file, the line and the column).
std::variant<std::vector<std::pair<Time, Price>>, std::string> load_oracle_csv(
    const std::string& path, const std::string& time_column, const std::string& value_column,
    double time_unit_seconds);

}  // namespace liqsim
