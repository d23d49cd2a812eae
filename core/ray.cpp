#include "core/ray.h"

#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>

#include "core/check.h"
#include "core/checked.h"

namespace liqsim {
namespace {

using Wide = boost::multiprecision::int256_t;

Wide wide(__int128 x) {
  // int256_t has no __int128 constructor on every Boost version: assemble from two 64-bit halves.
  const bool negative = x < 0;
  const unsigned __int128 u =
      negative ? -static_cast<unsigned __int128>(x) : static_cast<unsigned __int128>(x);
  Wide w = Wide(static_cast<uint64_t>(u >> 64));
  w <<= 64;
  w += Wide(static_cast<uint64_t>(u));
  return negative ? Wide(-w) : w;
}

std::string text(__int128 x) {
  if (x == 0) return "0";
  const bool negative = x < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(x) : static_cast<unsigned __int128>(x);
  std::string s;
  while (u > 0) {
    s.insert(s.begin(), char('0' + int(u % 10)));
    u /= 10;
  }
  return negative ? "-" + s : s;
}

// floor or ceil of n / d, d > 0.
Wide divide(const Wide& n, const Wide& d, Round round) {
  Wide q = n / d;
  const Wide r = n - q * d;
  if (r != 0) {
    if (round == Round::Down && n < 0) q -= 1;
    if (round == Round::Up && n > 0) q += 1;
  }
  return q;
}

__int128 narrow128(const Wide& x, const char* what, __int128 a, __int128 b) {
  static const Wide lo = wide(static_cast<__int128>(static_cast<unsigned __int128>(1) << 127));
  static const Wide hi = -(lo + 1);
  if (x < lo || x > hi)
    throw ArithmeticError(std::string(what) + ": " + text(a) + ", " + text(b) + " overflows int128");
  __int128 out = 0;
  Wide u = x < 0 ? Wide(-x) : x;
  const Wide mask = (Wide(1) << 64) - 1;
  out = static_cast<__int128>(static_cast<uint64_t>(u >> 64)) << 64;
  out |= static_cast<__int128>(static_cast<uint64_t>(u & mask));
  return x < 0 ? -out : out;
}

int64_t narrow64(const Wide& x, const char* what, __int128 a, __int128 b) {
  if (x < Wide(std::numeric_limits<int64_t>::min()) || x > Wide(std::numeric_limits<int64_t>::max()))
    throw ArithmeticError(std::string(what) + ": " + text(a) + ", " + text(b) + " overflows int64");
  return static_cast<int64_t>(x);
}

}  // namespace

Ray ray_mul(Ray a, Ray b, Round round) {
  return Ray(
      narrow128(divide(wide(a.raw()) * wide(b.raw()), wide(kRayScale), round), "ray_mul", a.raw(), b.raw()));
}

Ray ray_mul_half_up(Ray a, Ray b) {
  LIQSIM_CHECK(a.raw() >= 0 && b.raw() >= 0, "ray_mul_half_up on a negative operand");
  const Wide n = wide(a.raw()) * wide(b.raw()) + wide(kRayScale / 2);
  return Ray(narrow128(n / wide(kRayScale), "ray_mul_half_up", a.raw(), b.raw()));
}

Ray ray_div(Ray a, Ray b, Round round) {
  LIQSIM_CHECK(b.raw() > 0, "ray_div by a non-positive ray");
  return Ray(
      narrow128(divide(wide(a.raw()) * wide(kRayScale), wide(b.raw()), round), "ray_div", a.raw(), b.raw()));
}

int64_t ray_apply(int64_t amount, Ray index, Round round) {
  return narrow64(divide(Wide(amount) * wide(index.raw()), wide(kRayScale), round), "ray_apply", amount,
                  index.raw());
}

int64_t ray_unapply(int64_t amount, Ray index, Round round) {
  LIQSIM_CHECK(index.raw() > 0, "ray_unapply by a non-positive index");
  return narrow64(divide(Wide(amount) * wide(kRayScale), wide(index.raw()), round), "ray_unapply", amount,
                  index.raw());
}

Ray ray_from_double(double x) {
  // Through 1e-18 steps in IEEE double arithmetic (the same on every platform), then exact scaling.
  const double scaled = std::nearbyint(x * 1e18);
  if (!std::isfinite(scaled) || std::fabs(scaled) >= 9.2e18)
    throw ArithmeticError("ray_from_double: " + std::to_string(x) + " is outside [-9.2, 9.2]");
  return Ray(static_cast<__int128>(static_cast<int64_t>(scaled)) * 1'000'000'000);
}

double to_double(Ray r) {
  const __int128 whole = r.raw() / kRayScale;
  const __int128 part = r.raw() % kRayScale;
  return static_cast<double>(whole) + static_cast<double>(part) / 1e27;
}

std::string format_ray(Ray r) { return text(r.raw()); }

}  // namespace liqsim
