#include "core/ray.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/checked.h"

namespace liqsim {
namespace {

const Ray kOne = Ray::one();

TEST(Ray, MulAndDivRoundAsNamed) {
  const Ray third = ray_div(kOne, Ray(3 * kRayScale), Round::Down);  // 0.333...
  EXPECT_EQ(third.raw(), kRayScale / 3);
  EXPECT_EQ(ray_div(kOne, Ray(3 * kRayScale), Round::Up).raw(), kRayScale / 3 + 1);
  // 1/3 * 3 rounds to 1 - 1e-27 down and exactly 1 - 1e-27 up too (the product is exact).
  EXPECT_EQ(ray_mul(third, Ray(3 * kRayScale), Round::Down).raw(), kRayScale - 1);
  // Half up: 0.5e-27 rounds to 1e-27.
  EXPECT_EQ(ray_mul_half_up(Ray(1), Ray(kRayScale / 2)).raw(), 1);
  EXPECT_EQ(ray_mul(Ray(1), Ray(kRayScale / 2), Round::Down).raw(), 0);
  EXPECT_EQ(ray_mul(Ray(1), Ray(kRayScale / 2), Round::Up).raw(), 1);
  // Negative values round toward -infinity (Down) and +infinity (Up).
  EXPECT_EQ(ray_mul(Ray(-1), Ray(kRayScale / 2), Round::Down).raw(), -1);
  EXPECT_EQ(ray_mul(Ray(-1), Ray(kRayScale / 2), Round::Up).raw(), 0);
}

TEST(Ray, ApplyAndUnapplyUseA256BitIntermediate) {
  // 9e18 base units times an index of 1.5: the product (1.35e46) exceeds int128, the result fits.
  const Ray index = ray_from_double(1.5);
  EXPECT_EQ(ray_apply(6'000'000'000'000'000'000, index, Round::Down), 9'000'000'000'000'000'000);
  EXPECT_EQ(ray_unapply(9'000'000'000'000'000'000, index, Round::Down), 6'000'000'000'000'000'000);
  EXPECT_EQ(ray_unapply(10, Ray(3 * kRayScale), Round::Down), 3);
  EXPECT_EQ(ray_unapply(10, Ray(3 * kRayScale), Round::Up), 4);
}

TEST(Ray, OutOfRangeResultsAreErrorsNamingTheOperands) {
  try {
    ray_apply(9'000'000'000'000'000'000, Ray(2 * kRayScale), Round::Down);
    FAIL() << "no error";
  } catch (const ArithmeticError& e) {
    EXPECT_NE(std::string(e.what()).find("ray_apply: 9000000000000000000, 2000000000000000000000000000"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ray_from_double(10.0), ArithmeticError);
  EXPECT_THROW(ray_from_double(std::nan("")), ArithmeticError);
}

TEST(Ray, FromDoubleIsExactToTheEighteenthDecimal) {
  EXPECT_EQ(format_ray(ray_from_double(0.05)), "50000000000000000000000000");
  EXPECT_EQ(format_ray(ray_from_double(1.0)), "1000000000000000000000000000");
  EXPECT_DOUBLE_EQ(to_double(ray_from_double(1.25)), 1.25);
}

}  // namespace
}  // namespace liqsim
