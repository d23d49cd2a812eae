#include "core/units.h"

#include <cmath>
#include <cstdio>

#include "core/check.h"

namespace liqsim {

int64_t div_round(__int128 n, int64_t d, Round round) {
  LIQSIM_CHECK(d > 0, "division by a non-positive scale");
  __int128 q = n / d;
  __int128 r = n % d;
  if (r != 0) {
    if (round == Round::Down && n < 0) q -= 1;
    if (round == Round::Up && n > 0) q += 1;
  }
  LIQSIM_CHECK(q <= std::numeric_limits<int64_t>::max() && q >= std::numeric_limits<int64_t>::min(),
               "fixed-point result out of int64 range");
  return static_cast<int64_t>(q);
}

int64_t div_nearest(__int128 n, __int128 d) {
  LIQSIM_CHECK(d > 0, "division by a non-positive denominator");
  // floor((2n + d) / 2d)
  const __int128 num = 2 * n + d;
  const __int128 den = 2 * d;
  __int128 q = num / den;
  if (num % den != 0 && num < 0) q -= 1;
  LIQSIM_CHECK(q <= std::numeric_limits<int64_t>::max() && q >= std::numeric_limits<int64_t>::min(),
               "fixed-point result out of int64 range");
  return static_cast<int64_t>(q);
}

int64_t mul_div(int64_t a, int64_t b, int64_t d, Round round) {
  int64_t product;
  if (!__builtin_mul_overflow(a, b, &product)) {
    // Fast path: the product fits in 64 bits (the common case), same rounding as div_round.
    LIQSIM_CHECK(d > 0, "division by a non-positive scale");
    int64_t q = product / d;
    const int64_t r = product % d;
    if (r != 0) {
      if (round == Round::Down && product < 0) q -= 1;
      if (round == Round::Up && product > 0) q += 1;
    }
    return q;
  }
  return div_round(static_cast<__int128>(a) * b, d, round);
}

Amount notional(Price p, Quantity q, Round round) {
  // (1e-6 $/coin) * (1e-8 coin) = 1e-14 $; Amount is 1e-6 $, so divide by 1e8.
  return Amount(mul_div(p.raw(), q.raw(), kQuantityScale, round));
}

Price price_for(Amount a, Quantity q, Round round) {
  LIQSIM_CHECK(q.raw() != 0, "price_for with zero quantity");
  __int128 n = static_cast<__int128>(a.raw()) * kQuantityScale;
  int64_t d = q.raw();
  if (d < 0) {
    n = -n;
    d = -d;
  }
  return Price(div_round(n, d, round));
}

Amount apply(Amount a, Ratio r, Round round) { return Amount(mul_div(a.raw(), r.raw(), kRatioScale, round)); }
Price apply(Price p, Ratio r, Round round) { return Price(mul_div(p.raw(), r.raw(), kRatioScale, round)); }
Ratio apply(Ratio a, Ratio r, Round round) { return Ratio(mul_div(a.raw(), r.raw(), kRatioScale, round)); }
Quantity apply(Quantity q, Ratio r, Round round) {
  return Quantity(mul_div(q.raw(), r.raw(), kRatioScale, round));
}

Price round_down_to_tick(Price p, Price tick) {
  LIQSIM_CHECK(tick.raw() > 0, "tick size must be positive");
  const int64_t t = tick.raw();
  int64_t q = p.raw() / t;
  if (p.raw() < 0 && p.raw() % t != 0) --q;
  return Price(q * t);
}

Price round_up_to_tick(Price p, Price tick) {
  const Price down = round_down_to_tick(p, tick);
  return down == p ? p : down + tick;
}

static int64_t nearest(double x, int64_t scale) {
  double scaled = std::round(x * double(scale));
  LIQSIM_CHECK(std::isfinite(scaled) && std::fabs(scaled) < 9.2e18, "value out of fixed-point range");
  return static_cast<int64_t>(scaled);
}
Price price_from_double(double x) { return Price(nearest(x, kPriceScale)); }
Quantity quantity_from_double(double x) { return Quantity(nearest(x, kQuantityScale)); }
Amount amount_from_double(double x) { return Amount(nearest(x, kAmountScale)); }
Ratio ratio_from_double(double x) { return Ratio(nearest(x, kRatioScale)); }

Time time_from_seconds(double s) { return Time(int64_t(std::llround(s * 1e9))); }

std::optional<Price> try_price_from_double(double x) {
  const double scaled = std::round(x * double(kPriceScale));
  if (!std::isfinite(scaled) || std::fabs(scaled) >= 9.2e18) return std::nullopt;
  return Price(static_cast<int64_t>(scaled));
}

Price clamped_price_from_double(double x, Price lo, Price hi) {
  const double scaled = std::round(x * double(kPriceScale));
  if (!(scaled >= double(lo.raw()))) return lo;  // also NaN
  if (scaled >= double(hi.raw())) return hi;
  return Price(static_cast<int64_t>(scaled));
}

static std::string format_fixed(int64_t v, int64_t scale, int digits) {
  char buf[64];
  const char* sign = v < 0 ? "-" : "";
  uint64_t mag = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
  std::snprintf(buf, sizeof buf, "%s%llu.%0*llu", sign, (unsigned long long)(mag / uint64_t(scale)), digits,
                (unsigned long long)(mag % uint64_t(scale)));
  return buf;
}
std::string format_amount(Amount a) { return format_fixed(a.raw(), kAmountScale, 6); }
std::string format_price(Price p) { return format_fixed(p.raw(), kPriceScale, 6); }

}  // namespace liqsim
