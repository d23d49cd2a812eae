// Ray: fixed point at scale 1e27 (Aave's and Maker's "ray"), for interest indexes and per-second rates
// that the 1e-9 Ratio cannot hold (a 5% yearly rate is 1.6e-9 per second).
//
// Contract: products and quotients go through a 256-bit intermediate (Boost.Multiprecision), so no
// intermediate overflows; every function states its rounding; a result outside the target type's range
// throws ArithmeticError naming the operation and the operands (core/checked.h).
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "core/units.h"

namespace liqsim {

struct Ray {
  __int128 v = 0;
  constexpr Ray() = default;
  constexpr explicit Ray(__int128 raw) : v(raw) {}
  constexpr __int128 raw() const { return v; }
  friend constexpr auto operator<=>(Ray, Ray) = default;
  static constexpr Ray one() { return Ray(__int128(1'000'000'000) * 1'000'000'000 * 1'000'000'000); }
};

constexpr __int128 kRayScale = Ray::one().raw();

// a * b / 1e27, rounded as named; ray_mul_half_up rounds half up as Aave's WadRayMath.rayMul.
Ray ray_mul(Ray a, Ray b, Round round);
Ray ray_mul_half_up(Ray a, Ray b);
// a * 1e27 / b (b > 0), rounded as named.
Ray ray_div(Ray a, Ray b, Round round);
// Base units times an index: amount * index / 1e27 (a scaled balance to its current value).
int64_t ray_apply(int64_t amount, Ray index, Round round);
// Base units divided by an index: amount * 1e27 / index (a current value to its scaled balance).
int64_t ray_unapply(int64_t amount, Ray index, Round round);
// A double (configuration input: yearly rates) to the nearest 1e-18, then to ray; |x| < 9.2, else
// throws ArithmeticError.
Ray ray_from_double(double x);
double to_double(Ray r);
std::string format_ray(Ray r);  // the exact integer, e.g. "1000000000000000000000000000"

}  // namespace liqsim
