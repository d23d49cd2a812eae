// Maker's on-chain arithmetic: Solidity's uint256 with SafeMath checks, and the dss fixed-point helpers
// (wmul, rmul, rdiv, rpow) that the liquidation contracts compute with.
//
// Source: makerdao/dss at fa4f6630 (protocols.md 3.4): src/clip.sol and src/dog.sol (mul/wmul/rmul/rdiv),
// src/abaci.sol (rpow, "optimized version from dss PR #78").
//
// Units, as dss names them in its comments:
//   WAD = 1e18: collateral amounts (ink, art, lot, slice) and wad fractions (chop, chip, beg);
//   RAY = 1e27: rate, spot, prices (top, price, feed), and ray fractions (buf, cusp, cut);
//   RAD = 1e45: DAI amounts (tab, owe, due, dust, chost, tip, Hole/Dirt, hole/dirt). wad * ray = rad.
// Durations and timestamps are whole seconds (uint64), as block.timestamp.
//
// Contract: Uint256 behaves as uint256 under dss's SafeMath: +, - and * throw ArithmeticError on overflow
// or underflow, and / or % by zero throws, exactly where dss reverts. Division truncates (rounds down)
// as the EVM's DIV. 256 bits are needed: a RAD amount of 110 DAI is 1.1e47 > 2^128.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace liqsim::maker {

class Uint256 {
 public:
  constexpr Uint256() = default;
  constexpr explicit Uint256(unsigned __int128 low) : lo_(low) {}
  static constexpr Uint256 from_parts(unsigned __int128 high, unsigned __int128 low) {
    Uint256 x;
    x.hi_ = high;
    x.lo_ = low;
    return x;
  }
  // The exact 256-bit product of two 128-bit values (never overflows).
  static constexpr Uint256 product(unsigned __int128 a, unsigned __int128 b) {
    constexpr unsigned __int128 mask = ~uint64_t(0);
    const unsigned __int128 a0 = a & mask, a1 = a >> 64, b0 = b & mask, b1 = b >> 64;
    const unsigned __int128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const unsigned __int128 middle = (p00 >> 64) + (p01 & mask) + (p10 & mask);
    return from_parts(p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64), (middle << 64) | (p00 & mask));
  }
  static constexpr Uint256 max() { return from_parts(~(unsigned __int128)0, ~(unsigned __int128)0); }
  // A decimal integer ("2735783211953807380973706855"); throws ArithmeticError if it is not one or it
  // does not fit in 256 bits.
  static Uint256 from_string(std::string_view decimal);

  constexpr unsigned __int128 high() const { return hi_; }
  constexpr unsigned __int128 low() const { return lo_; }
  constexpr bool is_zero() const { return hi_ == 0 && lo_ == 0; }
  std::string to_string() const;

  friend constexpr auto operator<=>(const Uint256&, const Uint256&) = default;
  friend Uint256 operator+(const Uint256& a, const Uint256& b);
  friend Uint256 operator-(const Uint256& a, const Uint256& b);
  friend Uint256 operator*(const Uint256& a, const Uint256& b);
  friend Uint256 operator/(const Uint256& a, const Uint256& b);
  friend Uint256 operator%(const Uint256& a, const Uint256& b);

 private:
  unsigned __int128 hi_ = 0;  // declared first: the defaulted <=> compares the high half first
  unsigned __int128 lo_ = 0;
};

inline constexpr unsigned __int128 kWadRaw = 1'000'000'000'000'000'000ull;
inline constexpr Uint256 kWad{kWadRaw};
inline constexpr Uint256 kRay{kWadRaw * 1'000'000'000ull};
inline constexpr Uint256 kRad = Uint256::product(kWadRaw * 1'000'000'000ull, kWadRaw);
// dss's BLN: a WAD feed value times BLN is a RAY (Clipper.getPrice).
inline constexpr Uint256 kBln{1'000'000'000ull};

inline Uint256 min(const Uint256& a, const Uint256& b) { return b < a ? b : a; }

// x * y / WAD, rounded down (dss wmul: mul(x, y) / WAD).
Uint256 wmul(const Uint256& x, const Uint256& y);
// x * y / RAY, rounded down (dss rmul: mul(x, y) / RAY).
Uint256 rmul(const Uint256& x, const Uint256& y);
// x * RAY / y, rounded down (dss rdiv: mul(x, RAY) / y); y > 0, else ArithmeticError (dss reverts).
Uint256 rdiv(const Uint256& x, const Uint256& y);
// x^n in fixed point of scale `base` by squaring, as dss abaci.sol rpow: rpow(x, 0) = base, rpow(0, n>0)
// = 0; every squaring and every multiplication into the result rounds half up ((p + base/2) / base).
// Throws ArithmeticError where dss reverts (x >= 2^128 when squared, or an overflowing product).
Uint256 rpow(const Uint256& x, uint64_t n, const Uint256& base);

}  // namespace liqsim::maker
