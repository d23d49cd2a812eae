#include "agents/liquidation_heatmap.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

// One leverage (10x), no spread: every unit of open interest seen at 100 is a long liquidated at
// 100 x (1 - 0.1 + 0.005) = 90.5 and a short at 109.5.
LiquidationHeatmapParams ten_x() {
  LiquidationHeatmapParams p;
  p.leverages = {10};
  p.weights = {1};
  p.initial_spread = 0;
  p.bucket = 0.001;
  return p;
}

TEST(LiquidationHeatmap, OpenInterestIsPlacedAtTheLeveragesLiquidationPrices) {
  LiquidationHeatmap map(ten_x());
  map.observe(100, 50);
  EXPECT_DOUBLE_EQ(map.total_long(), 50);
  EXPECT_DOUBLE_EQ(map.total_short(), 50);
  EXPECT_DOUBLE_EQ(map.long_mass(90.4, 90.6), 50);
  EXPECT_DOUBLE_EQ(map.long_mass(91, 99), 0);
  EXPECT_DOUBLE_EQ(map.short_mass(109.4, 109.6), 50);
}

TEST(LiquidationHeatmap, NewOpenInterestEntersAtTheCurrentMark) {
  LiquidationHeatmap map(ten_x());
  map.observe(100, 50);
  map.observe(95, 80);  // 30 more at 95: longs at 85.975, shorts at 104.025
  EXPECT_NEAR(map.long_mass(85.9, 86.1), 30, 1e-9);
  EXPECT_NEAR(map.long_mass(90.4, 90.6), 50, 1e-9);
  EXPECT_NEAR(map.short_mass(103.9, 104.1), 30, 1e-9);
  EXPECT_NEAR(map.total_long(), 80, 1e-9);
}

TEST(LiquidationHeatmap, AMarkThatReachesALevelRemovesItAndTheRestFollowsTheOpenInterest) {
  LiquidationHeatmap map(ten_x());
  map.observe(100, 50);
  map.observe(95, 80);
  // The mark falls through 90.5: those longs are gone; the open interest fell by only 20, so 30 of
  // the 50 removed are taken as re-opened at 90 (longs at 81.45).
  map.observe(90, 60);
  EXPECT_DOUBLE_EQ(map.long_mass(90.4, 90.6), 0);
  EXPECT_NEAR(map.long_mass(85.9, 86.1), 30, 1e-9);
  EXPECT_NEAR(map.long_mass(81.4, 81.5), 30, 1e-9);
  // Shorts did not move: 80 of them scaled to the open interest of 60.
  EXPECT_NEAR(map.total_short(), 60, 1e-9);
  EXPECT_NEAR(map.short_mass(109.4, 109.6), 50 * 0.75, 1e-9);
}

TEST(LiquidationHeatmap, ACascadeRunsThroughEveryLevelItsOwnSalesReach) {
  LiquidationHeatmap map(ten_x());
  map.observe(100, 100);  // 100 coins of longs at 90.5
  map.observe(96, 150);   // 50 more at 86.88
  // Depth 1000 coins per unit of relative move: the 100 coins at 90.5 take it 10 % down to about
  // 81.5, past the 50 at 86.88, which take it another 5 %: to 90.5 x (1 - 0.15).
  const auto c = map.cascade(96, true, 1000, 0.1);
  ASSERT_TRUE(c);
  EXPECT_NEAR(c->first, 90.5, 0.05);
  EXPECT_NEAR(c->mass, 150, 1e-9);
  EXPECT_NEAR(c->end, c->first * 0.85, 1e-9);
  // Deep books stop it at the first level: 100 coins into 10,000 per unit move 1 %, short of 86.9.
  const auto deep = map.cascade(96, true, 10'000, 0.1);
  ASSERT_TRUE(deep);
  EXPECT_NEAR(deep->mass, 100, 1e-9);
  EXPECT_NEAR(deep->end, deep->first * 0.99, 1e-9);
}

TEST(LiquidationHeatmap, NoCascadeWithoutALevelWithinTheApproachDistance) {
  LiquidationHeatmap map(ten_x());
  map.observe(100, 100);
  EXPECT_FALSE(map.cascade(100, true, 1000, 0.05));  // 90.5 is 9.5 % away
  EXPECT_TRUE(map.cascade(100, true, 1000, 0.1));
  EXPECT_FALSE(map.cascade(100, false, 1000, 0.05));
  EXPECT_TRUE(map.cascade(100, false, 1000, 0.1));
}

TEST(LiquidationHeatmap, RiskAversionAmplifiesTheMoveAndTheMaximumBoundsIt) {
  LiquidationHeatmap map(ten_x());
  map.observe(100, 100);
  const auto plain = map.cascade(100, true, 2000, 0.1);
  const auto averse = map.cascade(100, true, 2000, 0.1, 2.0);
  ASSERT_TRUE(plain && averse);
  EXPECT_NEAR(1 - plain->end / plain->first, 0.05, 1e-12);
  EXPECT_NEAR(1 - averse->end / averse->first, 0.10, 1e-12);
  const auto bounded = map.cascade(100, true, 10, 0.1, 1.0, 0.2);
  ASSERT_TRUE(bounded);
  EXPECT_DOUBLE_EQ(bounded->end, 80);
  const auto up = map.cascade(100, false, 2000, 0.1);
  ASSERT_TRUE(up);
  EXPECT_NEAR(up->end / up->first - 1, 0.05, 1e-12);
}

TEST(LiquidationHeatmap, TheFirstObservationSpreadsOverTheInitialBand) {
  LiquidationHeatmapParams p = ten_x();
  p.initial_spread = 0.05;
  LiquidationHeatmap map(p);
  map.observe(100, 210);
  // 21 entries from 95 to 105, 10 coins each: long levels from 85.975 to 95.025.
  EXPECT_NEAR(map.long_mass(85.9, 95.1), 210, 1e-9);
  EXPECT_NEAR(map.long_mass(85.9, 89.8), 10 * 9, 1e-9);  // entries 95.0 .. 99.0 (levels up to 89.6)
}

TEST(LiquidationHeatmap, BadParametersNameTheKeyTheValueAndTheRange) {
  LiquidationHeatmapParams p;
  p.leverages = {1, 10};
  p.weights = {1};
  p.bucket = 0;
  const auto errors = validate(p, "liquidation_map");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "liquidation_map.leverages[0] = 1: must be in (1, 1000]");
  EXPECT_EQ(errors[1], "liquidation_map.weights = 1 values: one weight per leverage");
  EXPECT_EQ(errors[2], "liquidation_map.bucket = 0: must be in [1e-5, 0.1]");
  EXPECT_TRUE(validate(LiquidationHeatmapParams{}, "x").empty());
}

}  // namespace
}  // namespace liqsim
