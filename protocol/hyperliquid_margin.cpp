#include "protocol/hyperliquid_margin.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "core/check.h"

namespace liqsim {
namespace {

using Wide = __int128;

constexpr Wide kMaxRaw = std::numeric_limits<int64_t>::max();

// floor/ceil of n / d for d > 0.
Wide div_wide(Wide n, Wide d, Round round) {
  LIQSIM_CHECK(d > 0, "division by a non-positive denominator");
  Wide q = n / d;
  if (n % d != 0) {
    if (round == Round::Down && n < 0) q -= 1;
    if (round == Round::Up && n > 0) q += 1;
  }
  return q;
}

// The ends of MarginModel::trigger's range: liquidatable at every mark.
Price fires_at_once(bool is_long) { return is_long ? Price::max() : Price(0); }

}  // namespace

std::optional<std::string> HyperliquidMargin::validate(std::span<const HyperliquidMarginTier> tiers) {
  std::string problems;
  auto problem = [&problems](size_t n, const std::string& what) {
    if (!problems.empty()) problems += "; ";
    problems += "tier " + std::to_string(n + 1) + ": " + what;
  };
  if (tiers.empty()) return std::string("margin table has no tiers");
  for (size_t n = 0; n < tiers.size(); ++n) {
    const HyperliquidMarginTier& t = tiers[n];
    if (n == 0 && t.lower_bound != Amount(0)) problem(n, "first lower bound must be 0");
    if (n > 0 && t.lower_bound <= tiers[n - 1].lower_bound)
      problem(n, "lower bound must exceed the previous tier's");
    if (t.max_leverage < 1 || t.max_leverage > kMaxLeverage)
      problem(n, "max leverage must be in [1, " + std::to_string(kMaxLeverage) + "]");
    if (n > 0 && t.max_leverage > tiers[n - 1].max_leverage) problem(n, "max leverage increases");
  }
  if (problems.empty()) return std::nullopt;
  return problems;
}

HyperliquidMargin::HyperliquidMargin(std::span<const HyperliquidMarginTier> tiers)
    : HyperliquidMargin(tiers, Ratio(kRatioScale)) {}

HyperliquidMargin::HyperliquidMargin(std::span<const HyperliquidMarginTier> tiers, Ratio multiple)
    : multiple_(multiple) {
  LIQSIM_CHECK(!validate(tiers).has_value(), "invalid margin tiers (call HyperliquidMargin::validate first)");
  // Up to a multiple of 1e6 every product below fits in 128 bits (lower bounds < 2^63, leverage <= 100).
  LIQSIM_CHECK(multiple.raw() > 0 && multiple.raw() <= 1'000'000 * kRatioScale, "multiple outside (0, 1e6]");
  const Wide m = multiple.raw();
  tiers_.reserve(tiers.size());
  for (size_t n = 0; n < tiers.size(); ++n) {
    const HyperliquidMarginTier& t = tiers[n];
    const int64_t den = 2 * t.max_leverage * kRatioScale;
    const int64_t g = std::gcd(multiple.raw(), den);
    Amount deduction;
    if (n > 0) {
      // deduction_n = deduction_{n-1} + lower_bound_n * (rate_n - rate_{n-1}), rate = m / (2 L 1e9):
      // lower_bound * m * (L_{n-1} - L_n) / (2 L_n L_{n-1} 1e9), rounded DOWN (MM rounds up).
      const Tier& before = tiers_.back();
      const Wide step = div_wide(Wide(t.lower_bound.raw()) * m * (before.max_leverage - t.max_leverage),
                                 Wide(2) * t.max_leverage * before.max_leverage * kRatioScale, Round::Down);
      const Wide total = Wide(before.deduction.raw()) + step;
      LIQSIM_CHECK(total <= kMaxRaw, "maintenance deduction out of range");
      deduction = Amount(static_cast<int64_t>(total));
    }
    tiers_.push_back(Tier{t.lower_bound, t.max_leverage, multiple.raw() / g, den / g, deduction});
    if (multiple.raw() >= den) saturated_ = true;  // rate >= 1
  }
}

HyperliquidMargin HyperliquidMargin::single_tier(int64_t max_leverage) {
  const HyperliquidMarginTier tier{Amount(0), max_leverage};
  return HyperliquidMargin(std::span<const HyperliquidMarginTier>(&tier, 1));
}

size_t HyperliquidMargin::tier_for(Amount abs_notional) const {
  LIQSIM_CHECK(abs_notional >= Amount(0), "tier_for needs an absolute notional");
  auto it = std::upper_bound(tiers_.begin(), tiers_.end(), abs_notional,
                             [](Amount x, const Tier& t) { return x < t.lower_bound; });
  return size_t(it - tiers_.begin()) - 1;
}

Amount HyperliquidMargin::maintenance_margin(Amount abs_notional) const {
  const Tier& t = tiers_[tier_for(abs_notional)];
  const Wide mm = div_wide(Wide(abs_notional.raw()) * t.rate_num, t.rate_den, Round::Up) - t.deduction.raw();
  return mm > kMaxRaw ? Amount::max() : Amount(static_cast<int64_t>(std::max<Wide>(mm, 0)));
}

Amount HyperliquidMargin::maintenance(Quantity size, Price mark) const {
  const Quantity abs_size = size < Quantity(0) ? -size : size;
  return maintenance_margin(notional(mark, abs_size, Round::Up));
}

Ratio HyperliquidMargin::max_maintenance_rate() const {
  // Max leverage never increases from tier to tier, so the last tier has the highest rate.
  const Tier& t = tiers_.back();
  const Wide rate = div_wide(Wide(t.rate_num) * kRatioScale, t.rate_den, Round::Up);
  return rate > kMaxRaw ? Ratio::max() : Ratio(static_cast<int64_t>(rate));
}

Ratio HyperliquidMargin::min_maintenance_rate() const {
  // The deductions are derived so that MM is continuous, so MM = the integral of the tier rates from 0,
  // each at least the first tier's.
  const Tier& t = tiers_.front();
  const Wide rate = div_wide(Wide(t.rate_num) * kRatioScale, t.rate_den, Round::Down);
  return rate > kMaxRaw ? Ratio::max() : Ratio(static_cast<int64_t>(rate));
}

Ratio HyperliquidMargin::initial_rate(Quantity abs_size, Price mark) const {
  const Amount abs_notional = notional(mark, abs_size, Round::Up);
  return Ratio(div_round(kRatioScale, tiers_[tier_for(abs_notional)].max_leverage, Round::Up));
}

std::optional<Price> HyperliquidMargin::liquidation_price(Quantity size, Price price,
                                                          Amount account_value) const {
  LIQSIM_CHECK(size.raw() != 0, "liquidation price of an empty position");
  const bool is_long = size.raw() > 0;
  if (saturated_) return fires_at_once(is_long);
  // Equity minus MM increases with the notional for a long (slope 1 - rate > 0) and decreases for a
  // short, so the root lies in the last tier whose lower bound is on the safe side of it (long: surplus
  // <= 0 there; short: >= 0), each tier's line evaluated at its own lower bound.
  size_t chosen = 0;
  for (size_t n = 0; n < tiers_.size(); ++n) {
    const Tier& t = tiers_[n];
    const std::optional<int> sign = exact_rate_surplus_sign(size, price, account_value, t.lower_bound,
                                                            ExactRate{t.rate_num, t.rate_den}, t.deduction);
    if (!sign.has_value()) return fires_at_once(is_long);
    if (is_long ? *sign <= 0 : *sign >= 0)
      chosen = n;
    else
      break;
  }
  const Tier& t = tiers_[chosen];
  return exact_rate_liquidation_price(size, price, account_value, ExactRate{t.rate_num, t.rate_den},
                                      t.deduction);
}

std::optional<Price> HyperliquidMargin::trigger(Quantity size, Price mark, Amount equity_at_mark) const {
  return liquidation_price(size, mark, equity_at_mark - kRoundingAllowance);
}

std::shared_ptr<const MarginModel> HyperliquidMargin::scaled(Ratio multiple) const {
  // Rates multiple_ * multiple / (2 L), the product of multiples rounded UP.
  std::vector<HyperliquidMarginTier> tiers;
  tiers.reserve(tiers_.size());
  for (const Tier& t : tiers_) tiers.push_back(HyperliquidMarginTier{t.lower_bound, t.max_leverage});
  return std::shared_ptr<const MarginModel>(
      new HyperliquidMargin(tiers, apply(multiple_, multiple, Round::Up)));
}

}  // namespace liqsim
