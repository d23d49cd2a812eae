#include "protocol/maker_math.h"

#include <gtest/gtest.h>

#include "core/checked.h"
#include "tests/protocol/maker_fixed.h"

namespace liqsim::maker {
namespace {

using namespace testing_units;

TEST(MakerMath, ScalesAreWadRayRad) {
  EXPECT_EQ(kWad.to_string(), "1" + std::string(18, '0'));
  EXPECT_EQ(kRay.to_string(), "1" + std::string(27, '0'));
  EXPECT_EQ(kRad.to_string(), "1" + std::string(45, '0'));  // above 2^128: needs the high half
  EXPECT_EQ(kRad, kRay * kWad);
}

TEST(MakerMath, ProductOfTwo128BitValuesIsExact) {
  const unsigned __int128 top_bit = static_cast<unsigned __int128>(1) << 127;
  EXPECT_EQ(Uint256::product(top_bit, 4), Uint256::from_parts(2, 0));
  const unsigned __int128 all = ~static_cast<unsigned __int128>(0);
  // (2^128 - 1)^2 = 2^256 - 2^129 + 1.
  EXPECT_EQ(Uint256::product(all, all), Uint256::from_parts(all - 1, 1));
}

TEST(MakerMath, DecimalTextRoundTrips) {
  const std::string text = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  EXPECT_EQ(Uint256::from_string(text), Uint256::max());  // 2^256 - 1
  EXPECT_EQ(Uint256::max().to_string(), text);
  EXPECT_THROW(
      Uint256::from_string("115792089237316195423570985008687907853269984665640564039457584007913129639936"),
      ArithmeticError);
  EXPECT_THROW(Uint256::from_string("12a"), ArithmeticError);
}

TEST(MakerMath, SafeMathFailuresThrowWhereDssReverts) {
  EXPECT_THROW(Uint256::max() + Uint256(1), ArithmeticError);
  EXPECT_THROW(Uint256(0) - Uint256(1), ArithmeticError);
  EXPECT_THROW(Uint256::from_parts(1, 0) * Uint256::from_parts(1, 0), ArithmeticError);
  EXPECT_THROW(Uint256(1) / Uint256(0), ArithmeticError);
  EXPECT_THROW(Uint256(1) % Uint256(0), ArithmeticError);
  EXPECT_EQ(Uint256(7) % Uint256(3), Uint256(1));
}

TEST(MakerMath, FixedPointHelpersRoundDown) {
  EXPECT_EQ(rmul(Uint256(1), Uint256(1)), Uint256(0));                        // 1e-54 truncates to 0
  EXPECT_EQ(rdiv(Uint256(1), Uint256(3)).to_string(), std::string(27, '3'));  // 1e-27 / 3e-27 = 0.333.. ray
  // wmul(110 RAD, 0.02 WAD) = 2.2 RAD (Clipper's chip on a 110 DAI tab).
  EXPECT_EQ(wmul(rad("110"), wad("0.02")), rad("2.2"));
  EXPECT_EQ(wmul(Uint256(999), Uint256(1'000'000'000'000'000ull)),
            Uint256(0));  // 999 * 1e-3 / 1 -> 0.999 -> 0
}

// rpow rounds half up at every squaring and product: in base 10, 1.5^2 = 2.25 -> x = (15*15 + 5) / 10 = 23,
// then z = (10 * 23 + 5) / 10 = 23, i.e. 2.3 where truncation would give 2.2.
TEST(MakerMath, RpowRoundsHalfUpAsAbaci) {
  EXPECT_EQ(rpow(Uint256(15), 2, Uint256(10)), Uint256(23));
  // 1.5^3: z = 15; x = 23; z = (15 * 23 + 5) / 10 = 35 (3.45 -> 3.5; exact 3.375).
  EXPECT_EQ(rpow(Uint256(15), 3, Uint256(10)), Uint256(35));
  EXPECT_EQ(rpow(Uint256(0), 0, kRay), kRay);
  EXPECT_EQ(rpow(Uint256(0), 5, kRay), Uint256(0));
  EXPECT_EQ(rpow(ray("0.99"), 1, kRay), ray("0.99"));
  EXPECT_EQ(rpow(ray("0.99"), 2, kRay), ray("0.9801"));
}

TEST(MakerMath, RpowRefusesABaseTooWideToSquare) {
  EXPECT_THROW(rpow(Uint256::from_parts(1, 0), 2, kRay), ArithmeticError);         // x >= 2^128
  EXPECT_EQ(rpow(Uint256::from_parts(1, 0), 1, kRay), Uint256::from_parts(1, 0));  // no squaring needed
}

}  // namespace
}  // namespace liqsim::maker
