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

}  // namespace

MarginModelRef::MarginModelRef(std::shared_ptr<const MarginModel> model) : model_(std::move(model)) {
  LIQSIM_CHECK(model_ != nullptr, "a market needs a margin model");
}

Amount MarginModel::initial_margin_at_max_leverage(Amount abs_notional) const {
  return initial_margin(abs_notional, initial_rate(abs_notional));
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

Price bankruptcy_price(Quantity size, Price entry, Amount wallet_balance) {
  LIQSIM_CHECK(size.raw() != 0, "bankruptcy price of an empty position");
  const std::optional<Price> p = liquidation_price(size, entry, wallet_balance, Ratio(0), Amount(0));
  if (p.has_value()) return *p;
  return size.raw() > 0 ? Price(0) : Price::max();
}

}  // namespace liqsim
