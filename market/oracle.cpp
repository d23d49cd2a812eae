#include "market/oracle.h"

#include <algorithm>
#include <iterator>

#include "core/check.h"
#include "market/time_value_csv.h"

namespace liqsim {

Oracle::Oracle(OracleConfig config, Price initial) : config_(config), published_(initial), visible_(initial) {
  LIQSIM_CHECK(initial > Price::zero(), "oracle initial price must be positive");
  LIQSIM_CHECK(config_.heartbeat > Time::zero(), "oracle heartbeat must be positive");
  LIQSIM_CHECK(config_.deviation >= Ratio::zero(), "oracle deviation threshold must be non-negative");
  LIQSIM_CHECK(config_.delay >= Time::zero(), "oracle delay must be non-negative");
}

Oracle::Oracle(std::vector<std::pair<Time, Price>> recorded)
    : published_(recorded.empty() ? Price(1) : recorded.front().second),
      visible_(published_),
      recorded_(std::move(recorded)) {
  LIQSIM_CHECK(!recorded_.empty() && recorded_.front().first == Time(0),
               "a replayed oracle starts at time 0");
  for (size_t k = 0; k < recorded_.size(); ++k) {
    LIQSIM_CHECK(recorded_[k].second > Price::zero(), "a replayed oracle value must be positive");
    LIQSIM_CHECK(k == 0 || recorded_[k].first > recorded_[k - 1].first,
                 "replayed oracle times must increase");
  }
}

bool Oracle::observe(Time now, Price source) {
  LIQSIM_CHECK(now >= released_through_, "oracle observed backwards in time");
  if (replayed()) {
    released_through_ = now;
    const size_t before = next_recorded_;
    for (; next_recorded_ < recorded_.size() && recorded_[next_recorded_].first <= now; ++next_recorded_) {
      published_ = visible_ = recorded_[next_recorded_].second;
      last_update_ = recorded_[next_recorded_].first;
      ++publications_;
    }
    return next_recorded_ > before;
  }
  LIQSIM_CHECK(source > Price::zero(), "oracle source price must be positive");
  // Release what became visible, so pending_ holds only publications of the last `delay`.
  released_through_ = now;
  while (!pending_.empty() && pending_.front().first <= now) {
    visible_ = pending_.front().second;
    pending_.pop_front();
  }

  const __int128 gap = static_cast<__int128>(source.raw()) - published_.raw();
  const __int128 magnitude = gap < 0 ? -gap : gap;
  const bool deviated =
      magnitude * kRatioScale >= static_cast<__int128>(config_.deviation.raw()) * published_.raw();
  const bool heartbeat_due = now - last_update_ >= config_.heartbeat;
  if (!deviated && !heartbeat_due) return false;

  published_ = source;
  last_update_ = now;
  ++publications_;
  if (config_.delay == Time::zero()) {
    visible_ = source;
  } else {
    pending_.emplace_back(now + config_.delay, source);
  }
  return true;
}

Price Oracle::value(Time now) const {
  LIQSIM_CHECK(now >= released_through_, "oracle read before its last observation");
  if (replayed()) {
    const auto after = std::upper_bound(recorded_.begin(), recorded_.end(), now,
                                        [](Time t, const std::pair<Time, Price>& r) { return t < r.first; });
    return std::prev(after)->second;
  }
  Price visible = visible_;
  for (const auto& [visible_at, price] : pending_) {
    if (visible_at > now) break;
    visible = price;
  }
  return visible;
}

std::variant<std::vector<std::pair<Time, Price>>, std::string> load_oracle_csv(
    const std::string& path, const std::string& time_column, const std::string& value_column,
    double time_unit_seconds) {
  TimeValueCsvSpec spec;
  spec.time_column = time_column;
  spec.value_column = value_column;
  spec.time_unit_seconds = time_unit_seconds;
  spec.value_rule = CsvValueRule::Positive;
  spec.value_name = "an oracle value";
  spec.check = [](double v) -> std::optional<std::string> {
    if (v * kPriceScale > double(kMaxModelPriceRaw)) return "above $1e12 per coin";
    if (price_from_double(v).raw() <= 0) return "below one micro-dollar";
    return std::nullopt;
  };
  auto rows = read_time_value_csv(path, spec);
  if (const auto* error = std::get_if<std::string>(&rows)) return *error;
  std::vector<std::pair<Time, Price>> out;
  for (const TimeValueRow& r : std::get<TimeValueRows>(rows))
    out.emplace_back(r.time, price_from_double(r.value));
  return out;
}

}  // namespace liqsim
