// Synthetix Perps v2 liquidation arithmetic against vectors #47-#50 (reference/protocol_vectors.json) and
// hand-computed cases from Synthetixio/synthetix contracts/PerpsV2MarketBase.sol.
#include "protocol/synthetix_liquidation.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

constexpr const char* kMarketBase = "github.com/Synthetixio/synthetix contracts/PerpsV2MarketBase.sol";
constexpr SynthetixDecimal kUnit = kSynthetixUnit;

constexpr SynthetixDecimal dec(int64_t whole) { return whole * kUnit; }
// value / 10^places, e.g. frac(3125, 4) = 0.3125.
constexpr SynthetixDecimal frac(int64_t value, int places) {
  SynthetixDecimal d = 1;
  for (int i = 0; i < places; ++i) d *= 10;
  return value * kUnit / d;
}
double to_double(SynthetixDecimal x) { return double(x) / double(kUnit); }

// Vector #47 (protocol_vectors.json), _liquidationFee with mainnet-ovm params.json (ratio 2 bps, min 4,
// max 100 sUSD) at price 2,000: size 10 -> 4 (= the minimum), 100 -> 40, 5,000 -> 2,000 capped at 100.
// Tolerance abs 1e-9 (exact).
TEST(SynthetixLiquidation, Vector47FlaggerFeeWithMinAndMax) {
  const SynthetixLiquidationParams params;
  EXPECT_TRUE(synthetix_liquidation_fee(dec(10), dec(2'000), params) == dec(4)) << kMarketBase;
  EXPECT_TRUE(synthetix_liquidation_fee(dec(100), dec(2'000), params) == dec(40)) << kMarketBase;
  EXPECT_TRUE(synthetix_liquidation_fee(dec(5'000), dec(2'000), params) == dec(100)) << kMarketBase;
}

// A short pays on |size|: -250 at 1,800 * 2 bps = 90; below the minimum 3 * 1,500 * 2 bps = 0.9 -> 4.
TEST(SynthetixLiquidation, FlaggerFeeUsesTheAbsoluteSize) {
  const SynthetixLiquidationParams params;
  EXPECT_TRUE(synthetix_liquidation_fee(dec(-250), dec(1'800), params) == dec(90));
  EXPECT_TRUE(synthetix_liquidation_fee(dec(3), dec(1'500), params) == dec(4));
}

// Vector #48 (protocol_vectors.json), _liquidationMargin with sETH-PERP buffer 0.75% and index.js keeper
// liquidation fee 2: 10 * 2,000 * 0.0075 + 4 + 2 = 156. Tolerance abs 1e-9 (exact).
TEST(SynthetixLiquidation, Vector48LiquidationMargin) {
  EXPECT_TRUE(synthetix_liquidation_margin(dec(10), dec(2'000), SynthetixLiquidationParams{}) == dec(156))
      << kMarketBase;
}

// Library defaults (index.js): buffer 25 bps: short 3 at 1,500 -> 11.25 + 4 + 2 = 17.25.
TEST(SynthetixLiquidation, LiquidationMarginWithLibraryBuffer) {
  SynthetixLiquidationParams params;
  params.liquidation_buffer_ratio = frac(25, 4);
  EXPECT_TRUE(synthetix_liquidation_margin(dec(-3), dec(1'500), params) == frac(1725, 2));
}

// Vector #49 (protocol_vectors.json), _liquidationPremium / _canLiquidate with sETH-PERP skew scale 1e6 and
// multiplier 1.5625: premium = 10 / 1e6 * 20,000 * 1.5625 = 0.3125; margin 500: pnl -340 -> 159.6875 > 156
// -> false; pnl -345 -> 154.6875 <= 156 -> true. Tolerance abs 1e-9 (exact).
TEST(SynthetixLiquidation, Vector49PremiumAndCanLiquidate) {
  const SynthetixLiquidationParams params;
  const SynthetixDecimal premium = synthetix_liquidation_premium(dec(10), dec(2'000), params);
  EXPECT_TRUE(premium == frac(3125, 4)) << kMarketBase;
  EXPECT_TRUE(synthetix_remaining_liquidatable_margin(dec(500), dec(-340), 0, premium) == frac(1596875, 4));
  EXPECT_TRUE(synthetix_remaining_liquidatable_margin(dec(500), dec(-345), 0, premium) == frac(1546875, 4));
  EXPECT_FALSE(synthetix_can_liquidate(dec(10), dec(2'000), dec(500), dec(-340), 0, params)) << kMarketBase;
  EXPECT_TRUE(synthetix_can_liquidate(dec(10), dec(2'000), dec(500), dec(-345), 0, params)) << kMarketBase;
}

// The contract's own comment example (copied): size -100 at 1,200, skew scale 1M, multiplier 1 -> 12.
// Truncation: size 1 at price 3, skew scale 3: 1/3 = 0.333333333333333333 * 3 = 0.999999999999999999.
// Accrued funding counts: pnl -340 with funding -4 leaves 155.6875 <= 156 -> true. No size: false.
TEST(SynthetixLiquidation, PremiumTruncatesAndFundingCountsTowardLiquidation) {
  SynthetixLiquidationParams params;
  params.liquidation_premium_multiplier = kUnit;
  EXPECT_TRUE(synthetix_liquidation_premium(dec(-100), dec(1'200), params) == dec(12));
  params.skew_scale = dec(3);
  EXPECT_TRUE(synthetix_liquidation_premium(dec(1), dec(3), params) == kUnit - 1);
  const SynthetixLiquidationParams eth;
  EXPECT_TRUE(synthetix_can_liquidate(dec(10), dec(2'000), dec(500), dec(-340), dec(-4), eth));
  EXPECT_FALSE(synthetix_can_liquidate(0, dec(2'000), 0, dec(-1'000), 0, eth));
  EXPECT_TRUE(synthetix_remaining_liquidatable_margin(dec(100), dec(-400), 0, 0) == 0);  // floored at 0
}

// Vector #50 (protocol_vectors.json), the _currentFundingRate comment example (copied): previous rate 0,
// velocity 0.0025, 29,000 s: 0.0025 * 29,000 / 86,400 = 0.00083912 (0.000839120370370370 after the two
// truncations). Tolerance abs 1e-8.
TEST(SynthetixLiquidation, Vector50FundingRateVelocityExample) {
  const SynthetixDecimal rate = synthetix_current_funding_rate(0, frac(25, 4), 29'000);
  EXPECT_TRUE(rate == SynthetixDecimal(839'120'370'370'370)) << kMarketBase;
  EXPECT_NEAR(to_double(rate), 0.00083912, 1e-8);
}

// Velocity = clamp(skew / skew_scale, -1, 1) * max velocity: skew -300 of 10,000 at max 2.5%/day ->
// -0.00075/day; one day from 0.1% -> 0.025%. A skew beyond the scale clamps to the max velocity. Signed
// truncation is toward zero: velocity -1e-18 over half a day moves the rate by -0.5e-18 -> 0.
TEST(SynthetixLiquidation, FundingVelocityFromSkewClampsAndTruncatesTowardZero) {
  const SynthetixDecimal velocity = synthetix_funding_velocity(dec(-300), dec(10'000), frac(25, 3));
  EXPECT_TRUE(velocity == -frac(75, 5));
  EXPECT_TRUE(synthetix_current_funding_rate(frac(1, 3), velocity, 86'400) == frac(25, 5));
  EXPECT_TRUE(synthetix_funding_velocity(dec(20'000), dec(10'000), frac(25, 3)) == frac(25, 3));
  EXPECT_TRUE(synthetix_funding_velocity(dec(-20'000), dec(10'000), frac(25, 3)) == -frac(25, 3));
  EXPECT_TRUE(synthetix_current_funding_rate(dec(0), -1, 43'200) == 0);
}

TEST(SynthetixLiquidation, ValidateRefusesKeeperFeesTheSettingsRefuse) {
  SynthetixLiquidationParams params;
  EXPECT_EQ(synthetix_validate_liquidation_params(params), std::nullopt);
  params.min_keeper_fee = dec(101);
  EXPECT_TRUE(synthetix_validate_liquidation_params(params).has_value());
  params = {};
  params.skew_scale = 0;
  EXPECT_TRUE(synthetix_validate_liquidation_params(params).has_value());
  params = {};
  params.liquidation_buffer_ratio = -1;
  EXPECT_TRUE(synthetix_validate_liquidation_params(params).has_value());
}

}  // namespace
}  // namespace liqsim
