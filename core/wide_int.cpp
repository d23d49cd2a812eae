#include "core/wide_int.h"

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>

#include "core/check.h"

namespace liqsim {
namespace {

// The arithmetic is Boost.Multiprecision's; Int256 only stores the two's-complement bits, so the
// header stays free of Boost.
using U128 = unsigned __int128;
using Big = boost::multiprecision::int512_t;  // holds any Int256 and any product of two of them
constexpr U128 kTopBit = U128(1) << 127;

Big from_u128(U128 x) {
  Big r = Big(static_cast<uint64_t>(x >> 64));
  r <<= 64;
  r += Big(static_cast<uint64_t>(x));
  return r;
}

Big to_big(Int256 x) {
  Big r = from_u128(x.hi);
  r <<= 128;
  r += from_u128(x.lo);
  if (is_negative(x)) r -= Big(1) << 256;
  return r;
}

Big to_big(__int128 x) { return x < 0 ? -from_u128(U128(0) - U128(x)) : from_u128(U128(x)); }

U128 low_u128(const Big& nonnegative) {
  const Big mask64 = (Big(1) << 64) - 1;
  return (U128(static_cast<uint64_t>((nonnegative >> 64) & mask64)) << 64) |
         U128(static_cast<uint64_t>(nonnegative & mask64));
}

// The 256-bit two's-complement bits of x (x within [-2^255, 2^255)).
Int256 from_big(Big x) {
  if (x < 0) x += Big(1) << 256;
  Int256 r;
  r.lo = low_u128(x);
  r.hi = low_u128(x >> 128);
  return r;
}

__int128 to_int128(const Big& q) {
  LIQSIM_CHECK(q >= to_big(__int128(-kTopBit)) && q <= to_big(__int128(kTopBit - 1)),
               "quotient does not fit in __int128");
  return q < 0 ? __int128(U128(0) - low_u128(-q)) : __int128(low_u128(q));
}

// n / d (d > 0) with the rounding rule for inexact negative and positive results.
__int128 signed_div(Int256 n, __int128 d, bool round_up_positive, bool round_down_negative) {
  LIQSIM_CHECK(d > 0, "division by a non-positive divisor");
  const Big numerator = to_big(n);
  const Big divisor = to_big(d);
  Big q = numerator / divisor;  // truncates toward zero
  if (numerator % divisor != 0) {
    if (numerator < 0 && round_down_negative) q -= 1;
    if (numerator > 0 && round_up_positive) q += 1;
  }
  return to_int128(q);
}

}  // namespace

Int256 operator+(Int256 a, Int256 b) {
  Int256 r;
  r.lo = a.lo + b.lo;
  r.hi = a.hi + b.hi + (r.lo < a.lo ? 1 : 0);
  return r;
}

Int256 operator-(Int256 a) {
  Int256 r;
  r.lo = ~a.lo + 1;
  r.hi = ~a.hi + (r.lo == 0 ? 1 : 0);
  return r;
}

Int256 operator-(Int256 a, Int256 b) { return a + (-b); }

std::strong_ordering operator<=>(Int256 a, Int256 b) {
  const __int128 a_hi = __int128(a.hi), b_hi = __int128(b.hi);
  if (a_hi != b_hi) return a_hi <=> b_hi;
  return a.lo <=> b.lo;
}

bool is_negative(Int256 x) { return (x.hi & kTopBit) != 0; }

Int256 wide(__int128 x) {
  Int256 r;
  r.lo = U128(x);
  r.hi = x < 0 ? ~U128(0) : 0;
  return r;
}

Int256 wide_mul(__int128 a, __int128 b) {
  // Schoolbook on the magnitudes' 64-bit halves (the product of two magnitudes <= 2^127 fits in 254
  // bits), then the sign: the hot path of the AMM pool's swaps, without Boost's conversions.
  const U128 ua = a < 0 ? U128(0) - U128(a) : U128(a);
  const U128 ub = b < 0 ? U128(0) - U128(b) : U128(b);
  const U128 a0 = uint64_t(ua), a1 = ua >> 64, b0 = uint64_t(ub), b1 = ub >> 64;
  const U128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const U128 mid = (p00 >> 64) + uint64_t(p01) + uint64_t(p10);  // < 3 x 2^64
  Int256 r;
  r.lo = (mid << 64) | uint64_t(p00);
  r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
  return (a < 0) != (b < 0) ? -r : r;
}

__int128 wide_div(Int256 n, __int128 d, Round round) {
  return signed_div(n, d, round == Round::Up, round == Round::Down);
}

__int128 wide_div_toward_zero(Int256 n, __int128 d) { return signed_div(n, d, false, false); }

__int128 mul_div_wide(__int128 a, __int128 b, __int128 d, Round round) {
  return wide_div(wide_mul(a, b), d, round);
}

__int128 mul_div_toward_zero(__int128 a, __int128 b, __int128 d) {
  return wide_div_toward_zero(wide_mul(a, b), d);
}

}  // namespace liqsim
