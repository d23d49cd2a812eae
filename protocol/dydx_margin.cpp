#include "protocol/dydx_margin.h"

#include <limits>
#include <numeric>

#include "core/check.h"

namespace liqsim {
namespace {

using Wide = __int128;

ExactRate reduced(Wide num, Wide den) {
  const Wide g = std::gcd(static_cast<int64_t>(num), static_cast<int64_t>(den));
  return ExactRate{static_cast<int64_t>(num / g), static_cast<int64_t>(den / g)};
}

}  // namespace

std::optional<std::string> DydxMargin::validate(const DydxLiquidityTier& tier) {
  if (tier.initial_margin_ppm <= 0 || tier.initial_margin_ppm > kPpm)
    return std::string("initial_margin_ppm must be in [1, 1000000]");
  if (tier.maintenance_fraction_ppm <= 0 || tier.maintenance_fraction_ppm > kPpm)
    return std::string("maintenance_fraction_ppm must be in [1, 1000000]");
  if (tier.initial_margin_ppm == kPpm && tier.maintenance_fraction_ppm == kPpm)
    return std::string("the maintenance fraction IMF * fraction must be below 1");
  return std::nullopt;
}

DydxMargin::DydxMargin(const DydxLiquidityTier& tier)
    : DydxMargin(tier,
                 reduced(Wide(tier.initial_margin_ppm) * tier.maintenance_fraction_ppm, Wide(kPpm) * kPpm)) {}

DydxMargin::DydxMargin(const DydxLiquidityTier& tier, ExactRate rate) : tier_(tier), rate_(rate) {
  LIQSIM_CHECK(!validate(tier).has_value(), "invalid liquidity tier (call DydxMargin::validate first)");
  LIQSIM_CHECK(rate_.num > 0 && rate_.den > 0, "non-positive maintenance fraction");
}

Amount DydxMargin::maintenance(Quantity size, Price mark) const {
  const Quantity abs_size = size < Quantity(0) ? -size : size;
  const Amount n = notional(mark, abs_size, Round::Up);
  Wide mm = Wide(n.raw()) * rate_.num / rate_.den;
  if (mm * rate_.den < Wide(n.raw()) * rate_.num) mm += 1;  // ceil (non-negative)
  return mm > std::numeric_limits<int64_t>::max() ? Amount::max() : Amount(static_cast<int64_t>(mm));
}

Ratio DydxMargin::max_maintenance_rate() const {
  const Wide r = (Wide(rate_.num) * kRatioScale + rate_.den - 1) / rate_.den;
  return r > std::numeric_limits<int64_t>::max() ? Ratio::max() : Ratio(static_cast<int64_t>(r));
}

Ratio DydxMargin::min_maintenance_rate() const {
  const Wide r = Wide(rate_.num) * kRatioScale / rate_.den;
  return r > std::numeric_limits<int64_t>::max() ? Ratio::max() : Ratio(static_cast<int64_t>(r));
}

Ratio DydxMargin::initial_rate(Quantity, Price) const {
  return Ratio(tier_.initial_margin_ppm * (kRatioScale / kPpm));
}

std::optional<Price> DydxMargin::trigger(Quantity size, Price mark, Amount equity_at_mark) const {
  if (rate_.num >= rate_.den) return size.raw() > 0 ? Price::max() : Price(0);  // a scaled rate >= 1
  return exact_rate_liquidation_price(size, mark, equity_at_mark - kRoundingAllowance, rate_, Amount(0));
}

std::shared_ptr<const MarginModel> DydxMargin::scaled(Ratio multiple) const {
  LIQSIM_CHECK(multiple.raw() > 0 && multiple.raw() <= 1'000'000 * kRatioScale, "multiple outside (0, 1e6]");
  // MMF * multiple in units of 1e-12, rounded UP: ceil(num * 1e12 * m / (den * 1e9)).
  constexpr Wide kUnit = Wide(kPpm) * kPpm;
  const Wide numerator = Wide(rate_.num) * kUnit * multiple.raw();
  const Wide denominator = Wide(rate_.den) * kRatioScale;
  const Wide scaled_num = (numerator + denominator - 1) / denominator;
  return std::shared_ptr<const MarginModel>(new DydxMargin(tier_, reduced(scaled_num, kUnit)));
}

}  // namespace liqsim
