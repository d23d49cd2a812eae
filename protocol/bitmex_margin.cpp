#include "protocol/bitmex_margin.h"

#include <algorithm>
#include <limits>

#include "core/check.h"

namespace liqsim {
namespace {

using Wide = __int128;

Ratio saturated_ratio(Wide r) {
  return r > std::numeric_limits<int64_t>::max() ? Ratio::max() : Ratio(static_cast<int64_t>(r));
}

}  // namespace

std::optional<std::string> BitmexRiskLimitMargin::validate(const BitmexRiskLimits& limits) {
  if (limits.base_risk_limit.raw() <= 0) return std::string("the base risk limit must be positive");
  if (limits.risk_step.raw() <= 0) return std::string("the risk step must be positive");
  if (limits.base_maintenance.raw() <= 0) return std::string("the base maintenance rate must be positive");
  if (limits.base_initial < limits.base_maintenance)
    return std::string("the base initial rate must be at least the base maintenance rate");
  if (limits.max_steps < 0 || limits.max_steps > 1'000'000)
    return std::string("max_steps must be in [0, 1000000]");
  const Wide top_maintenance = Wide(limits.base_maintenance.raw()) * (limits.max_steps + 1);
  if (top_maintenance >= kRatioScale)
    return std::string(
        "the maintenance rate at the highest risk limit, base x (1 + max_steps), must be below 1");
  if (Wide(limits.base_initial.raw()) + Wide(limits.base_maintenance.raw()) * limits.max_steps > kRatioScale)
    return std::string(
        "the initial rate at the highest risk limit, base initial + max_steps x base maintenance, must be at "
        "most "
        "1");
  return std::nullopt;
}

BitmexRiskLimitMargin::BitmexRiskLimitMargin(const BitmexRiskLimits& limits) : limits_(limits) {
  LIQSIM_CHECK(!validate(limits).has_value(),
               "invalid risk limits (call BitmexRiskLimitMargin::validate first)");
}

int64_t BitmexRiskLimitMargin::steps(Quantity abs_size) const {
  if (abs_size < limits_.base_risk_limit) return 0;
  const int64_t above = (abs_size - limits_.base_risk_limit).raw() / limits_.risk_step.raw();
  return std::min(limits_.max_steps, above + 1);
}

Ratio BitmexRiskLimitMargin::maintenance_rate(Quantity abs_size) const {
  return saturated_ratio(Wide(limits_.base_maintenance.raw()) * (steps(abs_size) + 1));
}

Ratio BitmexRiskLimitMargin::initial_rate_of(Quantity abs_size) const {
  const Wide r = Wide(limits_.base_initial.raw()) + Wide(limits_.base_maintenance.raw()) * steps(abs_size);
  return saturated_ratio(std::min<Wide>(r, kRatioScale));
}

Amount BitmexRiskLimitMargin::maintenance(Quantity size, Price mark) const {
  const Quantity abs_size = abs_quantity(size);
  const Wide n = notional(mark, abs_size, Round::Up).raw();
  const Wide mm = (n * maintenance_rate(abs_size).raw() + kRatioScale - 1) / kRatioScale;  // ceil, n >= 0
  return mm > std::numeric_limits<int64_t>::max() ? Amount::max() : Amount(static_cast<int64_t>(mm));
}

Ratio BitmexRiskLimitMargin::max_maintenance_rate() const {
  return saturated_ratio(Wide(limits_.base_maintenance.raw()) * (limits_.max_steps + 1));
}

Ratio BitmexRiskLimitMargin::min_maintenance_rate() const { return limits_.base_maintenance; }

Ratio BitmexRiskLimitMargin::initial_rate(Quantity abs_size, Price) const {
  return initial_rate_of(abs_size);
}

std::optional<Quantity> BitmexRiskLimitMargin::lower_tier_size(Quantity abs_size, Price) const {
  const int64_t k = steps(abs_size);
  if (k == 0) return std::nullopt;
  // Step k starts at base + (k - 1) x step; the largest size below it is one unit less.
  const Wide start = Wide(limits_.base_risk_limit.raw()) + Wide(limits_.risk_step.raw()) * (k - 1);
  const Wide keep = std::min<Wide>(start - 1, abs_size.raw());
  return Quantity(static_cast<int64_t>(keep));
}

std::optional<Price> BitmexRiskLimitMargin::trigger(Quantity size, Price mark, Amount equity_at_mark) const {
  const Ratio rate = maintenance_rate(abs_quantity(size));
  if (rate.raw() >= kRatioScale) return size.raw() > 0 ? Price::max() : Price(0);  // a scaled rate >= 1
  return exact_rate_liquidation_price(size, mark, equity_at_mark - kRoundingAllowance,
                                      ExactRate{rate.raw(), kRatioScale}, Amount(0));
}

std::shared_ptr<const MarginModel> BitmexRiskLimitMargin::scaled(Ratio multiple) const {
  LIQSIM_CHECK(multiple.raw() > 0 && multiple.raw() <= 1'000'000 * kRatioScale, "multiple outside (0, 1e6]");
  BitmexRiskLimits limits = limits_;
  const Wide base = (Wide(limits_.base_maintenance.raw()) * multiple.raw() + kRatioScale - 1) / kRatioScale;
  limits.base_maintenance = saturated_ratio(base);
  limits.base_initial = std::max(limits.base_initial, limits.base_maintenance);
  return std::shared_ptr<const MarginModel>(new BitmexRiskLimitMargin(limits, Unchecked{}));
}

}  // namespace liqsim
