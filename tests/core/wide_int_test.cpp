// 256-bit intermediates: products beyond 128 bits, sums, and each rounding of the division.
#include "core/wide_int.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

constexpr __int128 kE18 = 1'000'000'000'000'000'000;
constexpr __int128 kE30 = kE18 * 1'000'000'000'000;

TEST(WideInt, ProductBeyond128BitsDividesBackExactly) {
  // (1e30 * 1e30) / 1e30 = 1e30: the product 1e60 needs 200 bits.
  EXPECT_TRUE(mul_div_wide(kE30, kE30, kE30, Round::Down) == kE30);
  EXPECT_TRUE(mul_div_wide(-kE30, kE30, kE30, Round::Down) == -kE30);
  // 1e38 * 3 / 7 = 42857142857142857142857142857142857142.857...
  const __int128 big = kE30 * 100'000'000;
  const __int128 q = big / 7 * 3 + (big % 7) * 3 / 7;
  EXPECT_TRUE(mul_div_wide(big, 3, 7, Round::Down) == q);
  EXPECT_TRUE(mul_div_wide(big, 3, 7, Round::Up) == q + 1);
}

TEST(WideInt, RoundingOfNegativeQuotients) {
  EXPECT_TRUE(mul_div_wide(-7, 1, 2, Round::Down) == -4);
  EXPECT_TRUE(mul_div_wide(-7, 1, 2, Round::Up) == -3);
  EXPECT_TRUE(mul_div_toward_zero(-7, 1, 2) == -3);
  EXPECT_TRUE(mul_div_toward_zero(7, 1, 2) == 3);
  EXPECT_TRUE(mul_div_wide(-8, 1, 2, Round::Down) == -4);  // exact: no adjustment
}

TEST(WideInt, SumsAndOrderingOfWideValues) {
  const Int256 a = wide_mul(kE30, kE30);
  const Int256 b = wide_mul(kE30, kE30 - 1);
  EXPECT_TRUE(a - b == wide(kE30));
  EXPECT_TRUE(b < a);
  EXPECT_TRUE(-a < wide(0));
  EXPECT_TRUE(is_negative(b - a));
  EXPECT_TRUE(wide_div(b - a, kE30, Round::Down) == -1);
  EXPECT_TRUE(wide(-5) + wide(3) == wide(-2));
}

}  // namespace
}  // namespace liqsim
