#include "market/oracle.h"

#include "core/check.h"

namespace liqsim {

Oracle::Oracle(OracleConfig config, Price initial) : config_(config), published_(initial), visible_(initial) {
  LIQSIM_CHECK(initial > Price::zero(), "oracle initial price must be positive");
  LIQSIM_CHECK(config_.heartbeat > Time::zero(), "oracle heartbeat must be positive");
  LIQSIM_CHECK(config_.deviation >= Ratio::zero(), "oracle deviation threshold must be non-negative");
  LIQSIM_CHECK(config_.delay >= Time::zero(), "oracle delay must be non-negative");
}

bool Oracle::observe(Time now, Price source) {
  LIQSIM_CHECK(now >= released_through_, "oracle observed backwards in time");
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
  Price visible = visible_;
  for (const auto& [visible_at, price] : pending_) {
    if (visible_at > now) break;
    visible = price;
  }
  return visible;
}

}  // namespace liqsim
