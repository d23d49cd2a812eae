#include "protocol/margin_model.h"

#include <limits>

#include "core/check.h"

namespace liqsim {
namespace {

using Wide = __int128;

constexpr Wide kMaxRaw = std::numeric_limits<int64_t>::max();

// floor/ceil of n / d for d > 0, both 128-bit (core's div_round takes a 64-bit divisor).
Wide div_wide(Wide n, Wide d, Round round) {
  LIQSIM_CHECK(d > 0, "division by a non-positive denominator");
  Wide q = n / d;
  if (n % d != 0) {
    if (round == Round::Down && n < 0) q -= 1;
    if (round == Round::Up && n > 0) q += 1;
  }
  return q;
}

// Checked 128-bit arithmetic: false when the exact result does not fit.
bool mul(Wide a, Wide b, Wide& out) { return !__builtin_mul_overflow(a, b, &out); }
bool add(Wide a, Wide b, Wide& out) { return !__builtin_add_overflow(a, b, &out); }
bool sub(Wide a, Wide b, Wide& out) { return !__builtin_sub_overflow(a, b, &out); }

}  // namespace

MarginModelRef::MarginModelRef(std::shared_ptr<const MarginModel> model) : model_(std::move(model)) {
  LIQSIM_CHECK(model_ != nullptr, "a market needs a margin model");
}

Amount MarginModel::initial_margin_at_max_leverage(Quantity abs_size, Price mark) const {
  return initial_margin(notional(mark, abs_size, Round::Up), initial_rate(abs_size, mark));
}

std::optional<Quantity> size_below_notional(Amount tier_floor, Price mark, Quantity abs_size) {
  if (tier_floor.raw() <= 0) return std::nullopt;
  // floor((floor - 1 micro-dollar) / mark) coins: its notional rounded up is at most floor - 1.
  const Quantity keep(mul_div(tier_floor.raw() - 1, kQuantityScale, mark.raw(), Round::Down));
  return std::min(keep, abs_size);
}

Amount initial_margin(Amount notional, Ratio imr) {
  const Amount abs_notional = notional < Amount(0) ? -notional : notional;
  return apply(abs_notional, imr, Round::Up);
}

std::optional<Price> liquidation_price(Quantity size, Price entry, Amount adjusted_wallet_balance, Ratio mmr,
                                       Amount cum) {
  LIQSIM_CHECK(mmr >= Ratio(0) && mmr < Ratio(kRatioScale), "maintenance rate outside [0, 1)");
  if (size.raw() == 0) return std::nullopt;
  const bool is_long = size.raw() > 0;
  const Wide s = size.raw();
  const Wide abs_s = is_long ? s : -s;
  // In raw units: LP_raw = (S*E - (W + C)*1e8) * 1e9 / (S*1e9 - |S|*M); see the header for the formula.
  Wide numerator =
      (s * entry.raw() - (Wide(adjusted_wallet_balance.raw()) + cum.raw()) * kQuantityScale) * kRatioScale;
  Wide denominator = s * kRatioScale - abs_s * mmr.raw();
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const Wide lp = div_wide(numerator, denominator, is_long ? Round::Up : Round::Down);
  if (is_long) {
    if (lp <= 0) return std::nullopt;  // no positive mark is low enough
    return lp > kMaxRaw ? Price::max() : Price(static_cast<int64_t>(lp));
  }
  if (lp > kMaxRaw) return std::nullopt;  // no representable mark is high enough
  return lp < 0 ? Price(0) : Price(static_cast<int64_t>(lp));
}

std::optional<Price> exact_rate_liquidation_price(Quantity size, Price price, Amount value, ExactRate rate,
                                                  Amount deduction) {
  LIQSIM_CHECK(size.raw() != 0, "liquidation price of an empty position");
  LIQSIM_CHECK(rate.den > 0 && rate.num >= 0 && rate.num < rate.den, "maintenance rate outside [0, 1)");
  const bool is_long = size.raw() > 0;
  const Wide side = is_long ? 1 : -1;
  const Wide q = is_long ? Wide(size.raw()) : -Wide(size.raw());
  const Wide p = price.raw();
  // margin_available * den * 1e8 = (value + deduction) * den * 1e8 - |s| * P * num (1e-14 $ units), and
  // liq = P - side * margin_available / |s| / (1 - side * num / den)
  //     = P - side * (margin_available * den * 1e8) / (|s| * (den - side * num)).
  // A long's price rounds UP: P - floor(A / B); a short's DOWN: P + floor(A / B).
  Wide a, b;
  if (!add(value.raw(), deduction.raw(), a) || !mul(a, Wide(rate.den) * kQuantityScale, a) ||
      !mul(q * p, rate.num, b) || !sub(a, b, a))
    return is_long ? Price::max() : Price(0);
  const Wide denominator = q * (rate.den - side * rate.num);  // > 0: the rate is below 1
  const Wide liq = p - side * div_wide(a, denominator, Round::Down);
  if (is_long) {
    if (liq <= 0) return std::nullopt;  // no positive mark is low enough
    return liq > kMaxRaw ? Price::max() : Price(static_cast<int64_t>(liq));
  }
  if (liq > kMaxRaw) return std::nullopt;  // no representable mark is high enough
  return liq < 0 ? Price(0) : Price(static_cast<int64_t>(liq));
}

std::optional<int> exact_rate_surplus_sign(Quantity size, Price price, Amount value, Amount x, ExactRate rate,
                                           Amount deduction) {
  // Times den * 1e8: (value + D) * den * 1e8 - s * P * den + sign(s) * x * den * 1e8 - x * num * 1e8.
  const Wide side = size.raw() > 0 ? 1 : -1;
  const Wide scale = Wide(rate.den) * kQuantityScale;
  Wide a, b, c, d, e;
  if (!add(value.raw(), deduction.raw(), a) || !mul(a, scale, a) ||
      !mul(Wide(size.raw()) * price.raw(), rate.den, b) || !mul(x.raw(), scale, c) ||
      !mul(x.raw(), Wide(rate.num) * kQuantityScale, d) || !sub(a, b, e) || !add(e, side * c, e) ||
      !sub(e, d, e))
    return std::nullopt;
  return e > 0 ? 1 : (e < 0 ? -1 : 0);
}

Price bankruptcy_price(Quantity size, Price entry, Amount wallet_balance) {
  LIQSIM_CHECK(size.raw() != 0, "bankruptcy price of an empty position");
  const std::optional<Price> p = liquidation_price(size, entry, wallet_balance, Ratio(0), Amount(0));
  if (p.has_value()) return *p;
  return size.raw() > 0 ? Price(0) : Price::max();
}

}  // namespace liqsim
