// Exact 256-bit intermediates for venue formulas whose products outgrow 128 bits: the AMM pool's swaps, GMX's
// 1e30 USD and factors, Synthetix's 1e18 decimals (uint256 on chain) and dYdX's exact rationals (big.Rat).
//
// Contract: Int256 is a two's-complement 256-bit integer holding a product of two 128-bit values or a
// sum of such products; every division by a positive 128-bit divisor names its rounding (Round::Down
// toward -infinity, Round::Up toward +infinity, or toward zero as Solidity's signed `/` does) and the
// quotient is range-checked back into __int128.
#pragma once

#include <compare>

#include "core/units.h"

namespace liqsim {

struct Int256 {
  unsigned __int128 hi = 0;
  unsigned __int128 lo = 0;

  friend Int256 operator+(Int256 a, Int256 b);
  friend Int256 operator-(Int256 a, Int256 b);
  friend Int256 operator-(Int256 a);
  friend std::strong_ordering operator<=>(Int256 a, Int256 b);
  friend bool operator==(Int256 a, Int256 b) = default;
};

Int256 wide(__int128 x);
// a * b, exact.
Int256 wide_mul(__int128 a, __int128 b);
bool is_negative(Int256 x);

// floor / ceil of n / d, d > 0; the quotient must fit in __int128 (checked).
__int128 wide_div(Int256 n, __int128 d, Round round);
// n / d truncated toward zero (Solidity's signed division), d > 0; checked like wide_div.
__int128 wide_div_toward_zero(Int256 n, __int128 d);

// (a * b) / d with the 256-bit product.
__int128 mul_div_wide(__int128 a, __int128 b, __int128 d, Round round);
__int128 mul_div_toward_zero(__int128 a, __int128 b, __int128 d);

}  // namespace liqsim
