#include "protocol/inverse_contracts.h"

#include <algorithm>
#include <boost/multiprecision/cpp_int.hpp>
#include <limits>

#include "core/check.h"

namespace liqsim {
namespace {

using Big = boost::multiprecision::cpp_int;

// floor / ceil of num / den (den != 0), narrowed to int64 with a range check.
int64_t rounded_div(Big num, Big den, Round round) {
  LIQSIM_CHECK(den != 0, "division by zero in an inverse-contract formula");
  if (den < 0) {
    num = -num;
    den = -den;
  }
  Big quotient = num / den;  // truncates toward zero
  const Big remainder = num - quotient * den;
  if (remainder != 0) {
    if (round == Round::Down && num < 0) quotient -= 1;
    if (round == Round::Up && num > 0) quotient += 1;
  }
  LIQSIM_CHECK(quotient >= Big(std::numeric_limits<int64_t>::min()) &&
                   quotient <= Big(std::numeric_limits<int64_t>::max()),
               "result does not fit in int64");
  return static_cast<int64_t>(quotient);
}

// Satoshis per BTC times micro-dollars per dollar: |Q| / entry in satoshis is |Q| * 1e14 / entry raw.
const Big kSatMicro = Big(kQuantityScale) * kPriceScale;

// The Bybit inverse cross-margin price with maintenance rate `mmr` (0 for the bankruptcy price), in
// raw units (see the header for the closed forms):
//   long  1e14 |Q| (S + f) E S / (|Q| 1e14 (S^2 - m (S + f)) + W E S^2),
//   short 1e14 |Q| (S - f) E S / (|Q| 1e14 (S^2 + m (S - f)) - W E S^2),
// S = 1e9 the Ratio scale, E the entry raw, W the available balance in satoshis.
std::optional<Price> inverse_cross_price(UsdContracts contracts, Price entry, Quantity available, Ratio mmr,
                                         Ratio taker_fee) {
  LIQSIM_CHECK(contracts != UsdContracts(0), "an inverse price needs a non-zero position");
  LIQSIM_CHECK(entry > Price(0), "an inverse price needs a positive entry price");
  const bool is_long = contracts > UsdContracts(0);
  const Big q = is_long ? contracts.raw() : -contracts.raw();
  const Big s = kRatioScale;
  const Big e = entry.raw();
  const Big m = mmr.raw();
  const Big fee_factor = is_long ? Big(s + taker_fee.raw()) : Big(s - taker_fee.raw());
  const Big numerator = kSatMicro * q * fee_factor * e * s;
  const Big balance_term = Big(available.raw()) * e * s * s;
  const Big denominator = is_long ? Big(q * kSatMicro * (s * s - m * fee_factor) + balance_term)
                                  : Big(q * kSatMicro * (s * s + m * fee_factor) - balance_term);
  if (denominator <= 0 || numerator <= 0) return std::nullopt;
  return Price(rounded_div(numerator, denominator, is_long ? Round::Up : Round::Down));
}

}  // namespace

Quantity inverse_position_value(UsdContracts contracts, Price price) {
  LIQSIM_CHECK(price > Price(0), "an inverse value needs a positive price");
  return Quantity(rounded_div(Big(contracts.raw()) * kSatMicro, price.raw(), Round::Down));
}

Quantity inverse_pnl(UsdContracts contracts, Price entry, Price exit) {
  LIQSIM_CHECK(entry > Price(0) && exit > Price(0), "inverse PnL needs positive prices");
  const Big numerator = Big(contracts.raw()) * kSatMicro * (Big(exit.raw()) - entry.raw());
  return Quantity(rounded_div(numerator, Big(entry.raw()) * exit.raw(), Round::Down));
}

Ratio bitmex_interest_rate(Ratio quote_rate_daily, Ratio base_rate_daily, int64_t intervals_per_day) {
  LIQSIM_CHECK(intervals_per_day > 0, "funding needs at least one interval per day");
  return Ratio(div_nearest(__int128(quote_rate_daily.raw()) - base_rate_daily.raw(), intervals_per_day));
}

Ratio bitmex_funding_rate(Ratio premium_index, Ratio interest_rate, Ratio dead_band) {
  LIQSIM_CHECK(dead_band >= Ratio(0), "the funding dead band cannot be negative");
  return premium_index + std::clamp(interest_rate - premium_index, -dead_band, dead_band);
}

Quantity bitmex_funding_payment(Quantity position_value_btc, Ratio funding_rate) {
  return Quantity(mul_div(position_value_btc.raw(), funding_rate.raw(), kRatioScale, Round::Up));
}

std::optional<Price> inverse_isolated_bankruptcy_price(UsdContracts contracts, Price entry, Ratio leverage) {
  LIQSIM_CHECK(contracts != UsdContracts(0), "a bankruptcy price needs a non-zero position");
  LIQSIM_CHECK(leverage > Ratio(0), "leverage must be positive");
  const Big l = leverage.raw();
  if (contracts > UsdContracts(0))
    return Price(rounded_div(Big(entry.raw()) * l, l + kRatioScale, Round::Up));
  if (leverage <= Ratio(kRatioScale)) return std::nullopt;
  return Price(rounded_div(Big(entry.raw()) * l, l - kRatioScale, Round::Down));
}

Price bybit_linear_isolated_liquidation_price(Quantity size, Price entry, Ratio leverage, Ratio mmr,
                                              Amount mm_deduction, Amount extra_margin) {
  LIQSIM_CHECK(size != Quantity(0), "a liquidation price needs a non-zero position");
  LIQSIM_CHECK(leverage > Ratio(0), "leverage must be positive");
  const bool is_long = size > Quantity(0);
  const Big q = is_long ? size.raw() : -size.raw();
  const Big s = kRatioScale;
  const Big e = entry.raw();
  const Big l = leverage.raw();
  // Over the common denominator S L |q|: (IM - MM) / |q| = E / L - E mmr + mm_deduction / |q|, and an
  // Amount over a Quantity is a Price after * 1e8 (price_for).
  const Big margin_above_mm = e * s * s * q - e * Big(mmr.raw()) * l * q +
                              (Big(mm_deduction.raw()) + extra_margin.raw()) * kQuantityScale * s * l;
  const Big denominator = s * l * q;
  const Big numerator = e * denominator + (is_long ? Big(-margin_above_mm) : margin_above_mm);
  return Price(rounded_div(numerator, denominator, is_long ? Round::Up : Round::Down));
}

std::optional<Price> bybit_inverse_cross_bankruptcy_price(UsdContracts contracts, Price entry,
                                                          Quantity account_balance, Quantity order_margin,
                                                          Ratio taker_fee) {
  return inverse_cross_price(contracts, entry, account_balance - order_margin, Ratio(0), taker_fee);
}

std::optional<Price> bybit_inverse_cross_liquidation_price(UsdContracts contracts, Price entry,
                                                           Quantity account_balance, Quantity order_margin,
                                                           Ratio mmr, Ratio taker_fee) {
  return inverse_cross_price(contracts, entry, account_balance - order_margin, mmr, taker_fee);
}

}  // namespace liqsim
