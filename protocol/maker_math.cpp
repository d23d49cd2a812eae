#include "protocol/maker_math.h"

#include <boost/multiprecision/cpp_int.hpp>

#include "core/checked.h"

namespace liqsim::maker {
namespace {

// Products of two 256-bit words need 512 bits before they are checked against uint256.
using Wide = boost::multiprecision::uint512_t;

Wide widen(const Uint256& x) {
  // Assembled from 64-bit limbs: not every Boost version constructs from unsigned __int128.
  const unsigned __int128 halves[2] = {x.high(), x.low()};
  Wide w = 0;
  for (unsigned __int128 half : halves) {
    w <<= 64;
    w |= Wide(static_cast<uint64_t>(half >> 64));
    w <<= 64;
    w |= Wide(static_cast<uint64_t>(half));
  }
  return w;
}

Uint256 narrow(const Wide& w, const char* what, const Uint256& a, const Uint256& b) {
  if (w > widen(Uint256::max()))
    throw ArithmeticError(std::string(what) + ": " + a.to_string() + ", " + b.to_string() +
                          " overflows uint256");
  const Wide mask = (Wide(1) << 64) - 1;
  auto limb = [&](int shift) {
    return static_cast<unsigned __int128>(static_cast<uint64_t>((w >> shift) & mask));
  };
  return Uint256::from_parts((limb(192) << 64) | limb(128), (limb(64) << 64) | limb(0));
}

void require_nonzero_divisor(const Uint256& b, const char* what, const Uint256& a) {
  if (b.is_zero()) throw ArithmeticError(std::string(what) + ": " + a.to_string() + " divided by zero");
}

}  // namespace

Uint256 Uint256::from_string(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 80 ||
      decimal.find_first_not_of("0123456789") != std::string_view::npos)
    throw ArithmeticError("Uint256::from_string: '" + std::string(decimal) + "' is not a decimal integer");
  Wide w = 0;
  for (char c : decimal) w = w * 10 + unsigned(c - '0');
  return narrow(w, "Uint256::from_string", Uint256(), Uint256());
}

std::string Uint256::to_string() const {
  // Digit by digit rather than Boost's str(), which trips a GCC 12 -Wrestrict false positive.
  Wide w = widen(*this);
  std::string digits;
  do {
    digits.push_back(char('0' + static_cast<unsigned>(w % 10)));
    w /= 10;
  } while (w != 0);
  return std::string(digits.rbegin(), digits.rend());
}

Uint256 operator+(const Uint256& a, const Uint256& b) {
  return narrow(widen(a) + widen(b), "uint256 add", a, b);
}

Uint256 operator-(const Uint256& a, const Uint256& b) {
  if (b > a) throw ArithmeticError("uint256 sub: " + a.to_string() + ", " + b.to_string() + " underflows");
  return narrow(widen(a) - widen(b), "uint256 sub", a, b);
}

Uint256 operator*(const Uint256& a, const Uint256& b) {
  return narrow(widen(a) * widen(b), "uint256 mul", a, b);
}

Uint256 operator/(const Uint256& a, const Uint256& b) {
  require_nonzero_divisor(b, "uint256 div", a);
  return narrow(widen(a) / widen(b), "uint256 div", a, b);
}

Uint256 operator%(const Uint256& a, const Uint256& b) {
  require_nonzero_divisor(b, "uint256 mod", a);
  return narrow(widen(a) % widen(b), "uint256 mod", a, b);
}

Uint256 wmul(const Uint256& x, const Uint256& y) { return x * y / kWad; }

Uint256 rmul(const Uint256& x, const Uint256& y) { return x * y / kRay; }

Uint256 rdiv(const Uint256& x, const Uint256& y) { return x * kRay / y; }

Uint256 rpow(const Uint256& x, uint64_t n, const Uint256& base) {
  if (n == 0) return base;
  if (x.is_zero()) return Uint256();
  const Uint256 half = base / Uint256(2);
  Uint256 z = (n % 2 == 1) ? x : base;
  Uint256 square = x;
  for (n /= 2; n != 0; n /= 2) {
    // dss reverts when x >= 2^128 (its x * x would not fit); the checked product throws in that case.
    square = (square * square + half) / base;
    if (n % 2 == 1) z = (z * square + half) / base;
  }
  return z;
}

}  // namespace liqsim::maker
