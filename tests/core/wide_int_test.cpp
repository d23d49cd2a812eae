// 256-bit intermediates: products beyond 128 bits, sums, and each rounding of the division.
#include "core/wide_int.h"

#include <gtest/gtest.h>

#include "core/rng.h"

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

// The native product against the division (Boost.Multiprecision's): (a x b) / b = a exactly for every
// sign and magnitude, the product commutes and distributes, and the extremes fit (2^254).
TEST(WideInt, ProductIsExactOverTheWholeRange) {
  Rng rng(21);
  const auto draw = [&rng] {
    const __int128 magnitude = (__int128(rng.next_u64() >> 1) << 63) | __int128(rng.next_u64() >> 1);
    const int shift = int(rng.uniform_int(0, 125));
    const __int128 x = magnitude >> shift;
    return rng.bernoulli(0.5) ? -x : x;
  };
  for (int k = 0; k < 20'000; ++k) {
    const __int128 a = draw(), b = draw(), c = draw() >> 2;
    if (b == 0) continue;
    const Int256 ab = wide_mul(a, b);
    ASSERT_TRUE(wide_div(b > 0 ? ab : -ab, b > 0 ? b : -b, Round::Down) == a) << k;
    ASSERT_TRUE(ab == wide_mul(b, a)) << k;
    const __int128 b4 = b >> 2;
    ASSERT_TRUE(wide_mul(a, b4) + wide_mul(a, c) == wide_mul(a, b4 + c)) << k;
  }
  // The extremes: -2^127 (whose negation does not fit in __int128, so it is never negated here).
  const __int128 min = static_cast<__int128>(static_cast<unsigned __int128>(1) << 127);
  const Int256 top = wide_mul(min, min);  // 2^254
  EXPECT_FALSE(is_negative(top));
  EXPECT_TRUE(top.hi == (static_cast<unsigned __int128>(1) << 126) && top.lo == 0);
  EXPECT_TRUE(wide_mul(min, 1) == wide(min));
  EXPECT_TRUE(wide_mul(min, -1) == -wide(min));
  EXPECT_FALSE(is_negative(wide_mul(min, -1)));
  EXPECT_TRUE(wide_mul(3, -5) == wide(-15));
  EXPECT_TRUE(wide_mul(0, min) == wide(0));
}

}  // namespace
}  // namespace liqsim
