#include "protocol/funding.h"

#include <algorithm>
#include <limits>

#include "core/check.h"

namespace liqsim {
using Wide = __int128;

Ratio premium_index(Price impact_bid, Price impact_ask, Price index) {
  LIQSIM_CHECK(index > Price(0), "premium index needs a positive index price");
  const int64_t above = std::max<int64_t>(0, (impact_bid - index).raw());
  const int64_t below = std::max<int64_t>(0, (index - impact_ask).raw());
  return Ratio(div_nearest(Wide(above - below) * kRatioScale, index.raw()));
}

void PremiumAverager::add(Ratio premium) {
  ++count_;
  const Wide weight = weighting_ == PremiumWeighting::TimeWeighted ? Wide(count_) : Wide(1);
  weighted_sum_ += weight * premium.raw();
  weight_total_ += weight;
}

std::optional<Ratio> PremiumAverager::average() const {
  if (count_ == 0) return std::nullopt;
  return Ratio(div_nearest(weighted_sum_, weight_total_));
}

void PremiumAverager::reset() {
  count_ = 0;
  weighted_sum_ = 0;
  weight_total_ = 0;
}

Ratio funding_rate(Ratio average_premium, Ratio interest, Ratio clamp) {
  LIQSIM_CHECK(clamp >= Ratio(0), "funding clamp must be non-negative");
  return average_premium + std::clamp(interest - average_premium, -clamp, clamp);
}

Ratio cap_funding(Ratio rate, Ratio cap) {
  LIQSIM_CHECK(cap >= Ratio(0), "funding cap must be non-negative");
  return std::clamp(rate, -cap, cap);
}

Ratio funding_cap_from_mmr(Ratio mmr_at_max_leverage, Ratio multiplier) {
  return Ratio(mul_div(mmr_at_max_leverage.raw(), multiplier.raw(), kRatioScale, Round::Down));
}

Ratio scale_funding_rate(Ratio rate, Time interval, Time reference) {
  LIQSIM_CHECK(reference > Time(0), "funding reference interval must be positive");
  return Ratio(div_nearest(Wide(rate.raw()) * interval.raw(), reference.raw()));
}

Ratio hyperliquid_hourly_rate(Ratio rate_8h, Ratio hourly_cap) {
  return cap_funding(scale_funding_rate(rate_8h, seconds(3600), seconds(8 * 3600)), hourly_cap);
}

Amount funding_payment(Quantity size, Price mark, Ratio rate, Round round) {
  // (1e-8 coin) * (1e-6 $/coin) * (1e-9) = 1e-23 $; Amount is 1e-6 $, so divide by 1e17 once.
  const Wide raw = Wide(size.raw()) * mark.raw() * rate.raw();
  return Amount(div_round(raw, kQuantityScale * kRatioScale, round));
}

}  // namespace liqsim
