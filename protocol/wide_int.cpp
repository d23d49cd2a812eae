#include "protocol/wide_int.h"

#include <cstdint>

#include "core/check.h"

namespace liqsim {
namespace {

using U128 = unsigned __int128;
constexpr U128 kTopBit = U128(1) << 127;

U128 magnitude(__int128 x) { return x < 0 ? U128(0) - U128(x) : U128(x); }

// Full 128 x 128 -> 256-bit unsigned product from 64-bit limbs.
Int256 unsigned_mul(U128 a, U128 b) {
  const U128 mask = (U128(1) << 64) - 1;
  const U128 a_lo = a & mask, a_hi = a >> 64;
  const U128 b_lo = b & mask, b_hi = b >> 64;
  const U128 lo_lo = a_lo * b_lo;
  const U128 hi_lo = a_hi * b_lo;
  const U128 lo_hi = a_lo * b_hi;
  const U128 hi_hi = a_hi * b_hi;
  const U128 middle = (lo_lo >> 64) + (hi_lo & mask) + (lo_hi & mask);
  Int256 r;
  r.lo = (middle << 64) | (lo_lo & mask);
  r.hi = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (middle >> 64);
  return r;
}

// Quotient and remainder of an unsigned 256-bit n by d > 0, bit by bit; the quotient must fit 128 bits.
U128 unsigned_div(Int256 n, U128 d, U128& remainder) {
  LIQSIM_CHECK(n.hi < d, "256-bit quotient does not fit in 128 bits");
  U128 rem = n.hi;
  U128 quotient = 0;
  for (int bit = 127; bit >= 0; --bit) {
    const bool carry = (rem & kTopBit) != 0;
    rem = (rem << 1) | ((n.lo >> bit) & 1);
    quotient <<= 1;
    if (carry || rem >= d) {
      rem -= d;  // wraps correctly when carry is set: the true value 2^128 + rem - d is below d
      quotient |= 1;
    }
  }
  remainder = rem;
  return quotient;
}

// Signed quotient of n / d (d > 0) with the rounding rule for inexact negative and positive results.
__int128 signed_div(Int256 n, __int128 d, bool round_up_positive, bool round_down_negative) {
  LIQSIM_CHECK(d > 0, "division by a non-positive divisor");
  const bool negative = is_negative(n);
  const Int256 mag = negative ? -n : n;
  U128 rem = 0;
  U128 q = unsigned_div(mag, U128(d), rem);
  if (rem != 0 && ((negative && round_down_negative) || (!negative && round_up_positive))) ++q;
  LIQSIM_CHECK(q <= (negative ? kTopBit : kTopBit - 1), "quotient does not fit in __int128");
  return negative ? __int128(U128(0) - q) : __int128(q);
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
  const Int256 product = unsigned_mul(magnitude(a), magnitude(b));
  return (a < 0) != (b < 0) ? -product : product;
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
