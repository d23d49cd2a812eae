#include "protocol/interest_index.h"

#include <gtest/gtest.h>

#include "core/checked.h"

namespace liqsim {
namespace {

// Expected values computed independently with Python integers from Aave v3's
// MathUtils.calculateCompoundedInterest (aave-v3-core, contracts/protocol/libraries/math/MathUtils.sol:
// RAY + rate*exp/SECONDS_PER_YEAR + exp*(exp-1)*basePowerTwo/2 + exp*(exp-1)*(exp-2)*basePowerThree/6,
// basePowerTwo = rayMul(rate, rate)/SECONDS_PER_YEAR^2, basePowerThree = rayMul(basePowerTwo, rate)/
// SECONDS_PER_YEAR, rayMul half up) at a 5% yearly rate (5e25 ray).
const Ray kFivePercent(__int128(50'000'000) * 1'000'000'000 * 1'000'000'000);

TEST(InterestIndex, CompoundedInterestMatchesAaveMathUtils) {
  EXPECT_EQ(format_ray(compounded_interest(kFivePercent, 0)), "1000000000000000000000000000");
  EXPECT_EQ(format_ray(compounded_interest(kFivePercent, 1)), "1000000001585489599188229325");
  EXPECT_EQ(format_ray(compounded_interest(kFivePercent, 2)), "1000000003170979200890235919");
  EXPECT_EQ(format_ray(compounded_interest(kFivePercent, 3)), "1000000004756468805106019785");
  EXPECT_EQ(format_ray(compounded_interest(kFivePercent, 86400 * 30)), "1004118042106000198784926904");
  EXPECT_EQ(format_ray(compounded_interest(kFivePercent, kAaveSecondsPerYear)),
            "1051265681539063650421944000");
  EXPECT_EQ(format_ray(linear_interest(kFivePercent, kAaveSecondsPerYear)), "1050000000000000000000000000");
}

TEST(InterestIndex, AccrualCompoundsTheIndexInWholeSeconds) {
  InterestIndex index(kFivePercent, Time(0));
  index.accrue(seconds(86400 * 30) + millis(999));  // the 0.999 s remainder carries over
  EXPECT_EQ(format_ray(index.value()), "1004118042106000198784926904");
  EXPECT_EQ(index.updated(), seconds(86400 * 30));
  index.accrue(seconds(86400 * 30 + kAaveSecondsPerYear));
  // index.rayMul(factor) with the half-up rayMul of ReserveLogic._updateIndexes.
  EXPECT_EQ(format_ray(index.value()), "1055594837880234510393967291");
}

TEST(InterestIndex, ARateChangeAccruesAtTheOldRateFirst) {
  InterestIndex a(kFivePercent, Time(0));
  a.set_rate(Ray(0), seconds(100));
  a.accrue(seconds(100 + kAaveSecondsPerYear));
  EXPECT_EQ(a.value(), compounded_interest(kFivePercent, 100));
}

TEST(InterestIndex, RatesBeyondTheSupportedRangeAreErrors) {
  EXPECT_THROW(compounded_interest(Ray(kRayScale * 101), 10), ArithmeticError);
  EXPECT_THROW(compounded_interest(kFivePercent, 2'000'000'000), ArithmeticError);
}

}  // namespace
}  // namespace liqsim
