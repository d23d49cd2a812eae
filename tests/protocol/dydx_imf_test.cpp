// dYdX v4 open-interest-scaled initial margin against vector #33 (reference/protocol_vectors.json) and
// cases computed by hand from GetAdjustedInitialMarginPpm in dydxprotocol/v4-chain
// protocol/x/perpetuals/types/liquidity_tier.go.
#include "protocol/dydx_imf.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

Amount dollars(double x) { return amount_from_double(x); }

// protocol_vectors.json #33, source github.com/dydxprotocol/v4-chain
// protocol/x/perpetuals/types/liquidity_tier.go GetAdjustedInitialMarginPpm: base IMF 10%, caps $20M and
// $50M, open notional $35M: 0.1 + (35 - 20) / (50 - 20) * (1 - 0.1) = 0.1 + 0.5 * 0.9 = 0.55.
TEST(DydxImf, Vector33OpenInterestScaledImf) {
  EXPECT_EQ(dydx_adjusted_initial_margin_ppm(100'000, dollars(20e6), dollars(50e6), dollars(35e6)), 550'000);
}

// The increase floors: base 20%, caps 1,000,000 and 2,000,000 quantums, open notional 1,234,567:
// 800,000 * 234,567 / 1,000,000 = 187,653.6 -> 187,653, IMF 387,653 ppm.
TEST(DydxImf, ScaledIncreaseRoundsDown) {
  EXPECT_EQ(
      dydx_adjusted_initial_margin_ppm(200'000, Amount(1'000'000), Amount(2'000'000), Amount(1'234'567)),
      387'653);
}

// Base IMF at or below the lower cap and when OIMF is disabled (upper cap 0); 100% at or above the upper
// cap.
TEST(DydxImf, BaseBelowTheLowerCapAndFullAboveTheUpperCap) {
  const Amount lower = dollars(20e6), upper = dollars(50e6);
  EXPECT_EQ(dydx_adjusted_initial_margin_ppm(100'000, lower, upper, dollars(0)), 100'000);
  EXPECT_EQ(dydx_adjusted_initial_margin_ppm(100'000, lower, upper, lower), 100'000);
  EXPECT_EQ(dydx_adjusted_initial_margin_ppm(100'000, lower, upper, upper), 1'000'000);
  EXPECT_EQ(dydx_adjusted_initial_margin_ppm(100'000, lower, upper, dollars(80e6)), 1'000'000);
  EXPECT_EQ(dydx_adjusted_initial_margin_ppm(100'000, Amount(0), Amount(0), dollars(80e6)), 100'000);
}

// IMR = |notional| * IMF: $10,000 at 55% is $5,500; 3 quantums at 50% is 1.5, rounded up to 2, for a
// long or a short.
TEST(DydxImf, InitialMarginRequirementRoundsUp) {
  EXPECT_EQ(dydx_initial_margin_requirement(dollars(10'000), 550'000), dollars(5'500));
  EXPECT_EQ(dydx_initial_margin_requirement(Amount(3), 500'000), Amount(2));
  EXPECT_EQ(dydx_initial_margin_requirement(Amount(-3), 500'000), Amount(2));
}

}  // namespace
}  // namespace liqsim
