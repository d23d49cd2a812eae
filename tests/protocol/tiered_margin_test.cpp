#include "protocol/tiered_margin.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"

namespace liqsim {
namespace {

constexpr const char* kBinanceLiquidationFaq =
    "https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93";
constexpr const char* kBinanceCoinMBracketFaq =
    "https://www.binance.com/en/support/faq/ceccfcfb4e3a45e3b48b0b1bb1a8ae46";

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }

// Legacy BTCUSDT bracket table of vectors #4 and #6 (public repo bradkyle/Qenv, illustrative only).
std::vector<MarginBracketSpec> legacy_btcusdt_specs() {
  return {
      {dollars(0), dollars(50'000), rate(0.004), std::nullopt},
      {dollars(50'000), dollars(250'000), rate(0.005), std::nullopt},
      {dollars(250'000), dollars(1'000'000), rate(0.01), std::nullopt},
      {dollars(1'000'000), dollars(5'000'000), rate(0.025), std::nullopt},
      {dollars(5'000'000), dollars(20'000'000), rate(0.05), std::nullopt},
  };
}
TieredMaintenanceMargin legacy_btcusdt() { return TieredMaintenanceMargin(legacy_btcusdt_specs()); }

// Vector #1, cross LP with the FAQ's own inputs; source kBinanceLiquidationFaq (inputs as transcribed
// in public repo code). Expected 1153.2565, tolerance abs 0.01.
TEST(LiquidationPrice, Vector1CrossOneWayFromFaqInputs) {
  const Amount wb = dollars(1535443.01);
  const Amount tmm_other = dollars(71200.81144);
  const Amount upnl_other = dollars(-56354.57);
  const std::optional<Price> lp = liquidation_price(coins(3683.979), px(1456.84), wb - tmm_other + upnl_other,
                                                    rate(0.1), dollars(135365.0));
  ASSERT_TRUE(lp.has_value()) << kBinanceLiquidationFaq;
  EXPECT_NEAR(to_double(*lp), 1153.2565, 0.01);
  // Exact root 1153.2564646963...; a long's LP rounds UP.
  EXPECT_EQ(*lp, Price(1153256465));
}

// Vector #2, isolated long 1 BTC @ 10,000, 10x (WB 1,000), MMR 0.5%, cum 0; source
// kBinanceLiquidationFaq. Expected 9045.2261, tolerance abs 0.01 (the shortcut EP*(1-1/L+MMR) = 9050 is
// not the exchange formula).
TEST(LiquidationPrice, Vector2IsolatedLong) {
  const std::optional<Price> lp =
      liquidation_price(coins(1), px(10000), dollars(1000), rate(0.005), Amount(0));
  ASSERT_TRUE(lp.has_value());
  EXPECT_NEAR(to_double(*lp), 9045.2261, 0.01);
  EXPECT_EQ(*lp, Price(9045226131));  // 9045.226130653..., rounded up
}

// Vector #3, isolated short, same inputs; source kBinanceLiquidationFaq. Expected 10945.2736, abs 0.01.
TEST(LiquidationPrice, Vector3IsolatedShort) {
  const std::optional<Price> lp =
      liquidation_price(coins(-1), px(10000), dollars(1000), rate(0.005), Amount(0));
  ASSERT_TRUE(lp.has_value());
  EXPECT_NEAR(to_double(*lp), 10945.2736, 0.01);
  EXPECT_EQ(*lp, Price(10945273631));  // 10945.273631840..., rounded down
}

// Vector #4, cum per tier by cum_k = cum_{k-1} + floor_k*(MMR_k - MMR_{k-1}); source
// kBinanceCoinMBracketFaq (recursion) and repo bradkyle/Qenv qenv/engine/logic/binance.q (table).
// Expected 0, 50, 1300, 16300, 141300, tolerance abs 1e-6 (= exact in Amount).
TEST(TieredMaintenanceMargin, Vector4CumPerTier) {
  const TieredMaintenanceMargin table = legacy_btcusdt();
  const std::vector<double> expected = {0.0, 50.0, 1300.0, 16300.0, 141300.0};
  ASSERT_EQ(table.brackets().size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(table.brackets()[k].maintenance_amount, dollars(expected[k])) << "tier " << k + 1;
  }
}

// Vector #5, COIN-M maintenance amount of level 5: 50 BTC * (5% - 2.5%) + 0.56 BTC = 1.81 BTC; source
// kBinanceCoinMBracketFaq (copied). Tolerance abs 1e-9; the recursion is exact here. Amount carries
// the coin-denominated value (scale 1e-6 suffices for 1.81).
TEST(TieredMaintenanceMargin, Vector5CoinMLevel5MaintenanceAmount) {
  EXPECT_EQ(
      next_maintenance_amount(amount_from_double(0.56), amount_from_double(50), rate(0.025), rate(0.05)),
      amount_from_double(1.81));
}

// Vector #6, tier reselection: long 101 BTC @ 10,000, 20x (WB 50,500): the entry notional 1.01M is in
// tier 4 but LP*Q = 967,879 is in tier 3 (MMR 1%, cum 1300). Source kBinanceLiquidationFaq (use the
// bracket at the liquidation price). Expected LP 9582.9583, tolerance abs 0.01.
TEST(LiquidationPrice, Vector6TierReselection) {
  const TieredMaintenanceMargin table = legacy_btcusdt();
  const Quantity q = coins(101);
  const std::optional<Price> lp = isolated_liquidation_price(q, px(10000), dollars(50500), table);
  ASSERT_TRUE(lp.has_value());
  EXPECT_NEAR(to_double(*lp), 9582.9583, 0.01);
  const MarginBracket& used = table.bracket_for(notional(*lp, q, Round::Up));
  EXPECT_EQ(used.maintenance_rate, rate(0.01));
  EXPECT_EQ(used.maintenance_amount, dollars(1300));
  // The documented procedure: only tier 3's own LP lands inside tier 3's notional range.
  int containing = 0;
  for (const MarginBracket& b : table.brackets()) {
    const std::optional<Price> lp_k =
        liquidation_price(q, px(10000), dollars(50500), b.maintenance_rate, b.maintenance_amount);
    ASSERT_TRUE(lp_k.has_value());
    const Amount n = notional(*lp_k, q, Round::Up);
    if (n >= b.notional_floor && n < b.notional_cap) {
      ++containing;
      EXPECT_EQ(*lp_k, *lp);
    }
  }
  EXPECT_EQ(containing, 1);
}

TEST(LiquidationPrice, ShortReselectsAHigherTierWhenLiquidationNotionalGrows) {
  // Short 24 BTC @ 10,000 (entry notional 240k, tier 2), WB 24,000: the LP notional exceeds 250k, so
  // tier 3 (MMR 1%, cum 1300) applies: LP = (240000 + 24000 + 1300) / (24 * 1.01) = 10944.7194...
  const TieredMaintenanceMargin table = legacy_btcusdt();
  const std::optional<Price> lp = isolated_liquidation_price(coins(-24), px(10000), dollars(24000), table);
  ASSERT_TRUE(lp.has_value());
  EXPECT_EQ(*lp, Price(10944719471));  // 10944.719471947..., rounded down for a short
  EXPECT_EQ(table.bracket_for(notional(*lp, coins(24), Round::Up)).maintenance_rate, rate(0.01));
}

TEST(LiquidationPrice, FullyCollateralisedLongIsNeverLiquidated) {
  // 1x long: the exact root is -cum / (Q(1-MMR)) <= 0, no positive mark triggers.
  EXPECT_FALSE(liquidation_price(coins(1), px(10000), dollars(10000), rate(0.005), Amount(0)).has_value());
  EXPECT_FALSE(isolated_liquidation_price(coins(2), px(10000), dollars(20000), legacy_btcusdt()).has_value());
}

TEST(LiquidationPrice, DeeplyNegativeCrossBalanceMakesAShortLiquidatableAtAnyPrice) {
  EXPECT_EQ(liquidation_price(coins(-1), px(10000), dollars(-20000), rate(0.005), Amount(0)), Price(0));
}

TEST(LiquidationPrice, EmptyPositionHasNone) {
  EXPECT_FALSE(liquidation_price(Quantity(0), px(10000), dollars(1000), rate(0.005), Amount(0)).has_value());
  EXPECT_FALSE(liquidation_price(Quantity(0), px(10000), dollars(1000), legacy_btcusdt()).has_value());
}

TEST(LiquidationPrice, ZeroMarginLongLiquidatesAtEntryAndRoundsUp) {
  // WB = 0, MMR 0: root is exactly EP. 3 coins, WB 1000 -> 10000 - 333.3333.. = 9666.66666666..
  EXPECT_EQ(liquidation_price(coins(1), px(10000), Amount(0), Ratio(0), Amount(0)), px(10000));
  EXPECT_EQ(liquidation_price(coins(3), px(10000), dollars(1000), Ratio(0), Amount(0)), Price(9666666667));
  EXPECT_EQ(liquidation_price(coins(-3), px(10000), dollars(1000), Ratio(0), Amount(0)), Price(10333333333));
}

TEST(BankruptcyPrice, MarginZeroRoundedAgainstTheAccount) {
  EXPECT_EQ(bankruptcy_price(coins(1), px(10000), dollars(1000)), px(9000));
  EXPECT_EQ(bankruptcy_price(coins(-1), px(10000), dollars(1000)), px(11000));
  EXPECT_EQ(bankruptcy_price(coins(3), px(10000), dollars(1000)), Price(9666666667));    // up for a long
  EXPECT_EQ(bankruptcy_price(coins(-3), px(10000), dollars(1000)), Price(10333333333));  // down for a short
}

TEST(BankruptcyPrice, FullyCollateralisedLongIsClampedToZero) {
  EXPECT_EQ(bankruptcy_price(coins(1), px(10000), dollars(15000)), Price(0));
}

TEST(TieredMaintenanceMargin, MaintenanceMarginUsesTheBracketAndRoundsUp) {
  const TieredMaintenanceMargin table = legacy_btcusdt();
  EXPECT_EQ(table.maintenance_margin(dollars(10'000)), dollars(40));             // 0.4%
  EXPECT_EQ(table.maintenance_margin(dollars(100'000)), dollars(450));           // 0.5% - 50
  EXPECT_EQ(table.maintenance_margin(dollars(2'000'000)), dollars(33'700));      // 2.5% - 16300
  EXPECT_EQ(table.maintenance_margin(dollars(30'000'000)), dollars(1'358'700));  // beyond the last cap
  EXPECT_EQ(table.maintenance_margin(Amount(1)), Amount(1));                     // 0.004 micro-$ -> 1 up
  EXPECT_EQ(table.maintenance_margin(Amount(0)), Amount(0));
}

TEST(TieredMaintenanceMargin, BracketForIsFloorInclusiveCapExclusive) {
  const TieredMaintenanceMargin table = legacy_btcusdt();
  EXPECT_EQ(table.bracket_for(dollars(49'999.999999)).maintenance_rate, rate(0.004));
  EXPECT_EQ(table.bracket_for(dollars(50'000)).maintenance_rate, rate(0.005));
  EXPECT_EQ(table.bracket_for(dollars(19'999'999)).maintenance_rate, rate(0.05));
  EXPECT_EQ(table.bracket_for(dollars(1e9)).maintenance_rate, rate(0.05));
  EXPECT_EQ(table.max_rate(), rate(0.05));
  EXPECT_EQ(table.rate_at_max_leverage(), rate(0.004));
}

TEST(TieredMaintenanceMargin, MaintenanceMarginIsContinuousAtBracketBoundaries) {
  const TieredMaintenanceMargin table = legacy_btcusdt();
  const auto brackets = table.brackets();
  for (size_t k = 1; k < brackets.size(); ++k) {
    const Amount floor = brackets[k].notional_floor;
    const MarginBracket& below = brackets[k - 1];
    // The previous bracket's line evaluated at the boundary equals the new bracket's MM there.
    const Amount from_below = apply(floor, below.maintenance_rate, Round::Up) - below.maintenance_amount;
    EXPECT_EQ(table.maintenance_margin(floor), from_below) << "boundary " << k;
    // One micro-dollar below the boundary MM moves by at most one unit (slope < 1, rounding up).
    const Amount just_below = table.maintenance_margin(floor - Amount(1));
    EXPECT_LE(table.maintenance_margin(floor) - just_below, Amount(1)) << "boundary " << k;
    EXPECT_GE(table.maintenance_margin(floor) - just_below, Amount(0)) << "boundary " << k;
  }
}

TEST(TieredMaintenanceMargin, InitialRateDefaultsToTwiceMaintenance) {
  const TieredMaintenanceMargin table = legacy_btcusdt();
  EXPECT_EQ(table.brackets()[0].initial_rate, rate(0.008));  // 125x
  EXPECT_EQ(table.initial_margin_at_max_leverage(coins(10'000), px(1)), dollars(80));
  EXPECT_EQ(initial_margin(dollars(-10'000), rate(0.1)), dollars(1000));
  EXPECT_EQ(initial_margin(Amount(3), rate(0.5)), Amount(2));  // 1.5 -> rounded up
}

TEST(TieredMaintenanceMargin, MaintenanceForPositionUsesAbsoluteNotional) {
  const TieredMaintenanceMargin table = legacy_btcusdt();
  EXPECT_EQ(maintenance_for_position(coins(-10), px(10000), table), dollars(450));
  EXPECT_EQ(maintenance_for_position(coins(10), px(10000), table), dollars(450));
}

TEST(TieredMaintenanceMargin, ValidateAcceptsTheLegacyTable) {
  EXPECT_EQ(TieredMaintenanceMargin::validate(legacy_btcusdt_specs()), std::nullopt);
}

TEST(TieredMaintenanceMargin, ValidateReportsEveryProblem) {
  std::vector<MarginBracketSpec> specs = legacy_btcusdt_specs();
  specs[0].notional_floor = dollars(1);        // not starting at 0
  specs[2].notional_floor = dollars(260'000);  // gap after bracket 2
  specs[3].maintenance_rate = rate(0.001);     // decreasing
  specs[4].initial_rate = rate(0.01);          // below its own MMR
  const std::optional<std::string> problems = TieredMaintenanceMargin::validate(specs);
  ASSERT_TRUE(problems.has_value());
  EXPECT_NE(problems->find("bracket 1: first notional floor must be 0"), std::string::npos) << *problems;
  EXPECT_NE(problems->find("bracket 3: notional floor must equal"), std::string::npos) << *problems;
  EXPECT_NE(problems->find("bracket 4: maintenance rate decreases"), std::string::npos) << *problems;
  EXPECT_NE(problems->find("bracket 5: initial rate must be in"), std::string::npos) << *problems;
  EXPECT_TRUE(TieredMaintenanceMargin::validate(std::vector<MarginBracketSpec>{}).has_value());
  const std::vector<MarginBracketSpec> full_rate = {
      {Amount(0), dollars(10), Ratio(kRatioScale), std::nullopt}};
  EXPECT_TRUE(TieredMaintenanceMargin::validate(full_rate).has_value());
}

TEST(TieredMaintenanceMarginDeathTest, ConstructingAnInvalidTableAborts) {
  const std::vector<MarginBracketSpec> specs = {{dollars(5), dollars(10), rate(0.01), std::nullopt}};
  EXPECT_DEATH(TieredMaintenanceMargin{specs}, "invalid margin table");
}

TEST(TieredMaintenanceMargin, FlatTableHasOneUnboundedBracket) {
  const TieredMaintenanceMargin table = TieredMaintenanceMargin::flat(rate(0.0125), rate(0.025));
  ASSERT_EQ(table.brackets().size(), 1u);
  EXPECT_EQ(table.maintenance_margin(dollars(1e9)), dollars(12.5e6));
  // Hyperliquid vector #25 has the same shape (10,000 margin on 1 BTC @ 100,000, MMR 1.25%): 91,139.24.
  // https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations, tolerance abs 0.01.
  const std::optional<Price> lp = isolated_liquidation_price(coins(1), px(100000), dollars(10000), table);
  ASSERT_TRUE(lp.has_value());
  EXPECT_NEAR(to_double(*lp), 91139.2405, 0.01);
}

// Margin balance minus maintenance margin at mark p, exact, in units of 1e-23 $ (1e-14 $ * Ratio 1e-9),
// with MM from the bracket containing the exact notional |s| * p.
__int128 exact_surplus(Quantity s, Price entry, Amount wallet, Price p,
                       const TieredMaintenanceMargin& table) {
  using Wide = __int128;
  const Wide abs_s = s.raw() < 0 ? -Wide(s.raw()) : Wide(s.raw());
  const Wide notional14 = abs_s * p.raw();  // 1e-14 $
  const MarginBracket* bracket = &table.brackets().front();
  for (const MarginBracket& b : table.brackets()) {
    if (notional14 >= Wide(b.notional_floor.raw()) * kQuantityScale) bracket = &b;
  }
  const Wide equity =
      (Wide(wallet.raw()) * kQuantityScale + Wide(s.raw()) * (p.raw() - entry.raw())) * kRatioScale;
  const Wide mm = notional14 * bracket->maintenance_rate.raw() -
                  Wide(bracket->maintenance_amount.raw()) * kQuantityScale * kRatioScale;
  return equity - mm;
}

// Property: at the computed LP the margin balance equals MM within one price tick, and the rounding is
// against the account: a long's LP is the smallest price at which surplus >= 0 fails to hold one tick
// lower; a short's the largest one tick higher.
TEST(LiquidationPrice, EquityAtLiquidationPriceEqualsMaintenanceWithinRounding) {
  const uint64_t seed = 20240611;
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  Rng rng(seed);
  const TieredMaintenanceMargin table = legacy_btcusdt();
  int checked = 0;
  for (int i = 0; i < 2000; ++i) {
    const int64_t abs_q = rng.uniform_int(100'000, 50'000'000'000);  // 0.001 .. 500 coins
    const Quantity s(rng.bernoulli(0.5) ? abs_q : -abs_q);
    const Price entry(rng.uniform_int(100'000'000, 100'000'000'000));  // 100 .. 100,000
    const int64_t leverage = rng.uniform_int(1, 100);
    const Amount wallet =
        Amount(notional(entry, Quantity(abs_q), Round::Down).raw() / leverage + rng.uniform_int(-1000, 1000));
    const std::optional<Price> lp = liquidation_price(s, entry, wallet, table);
    if (!lp.has_value()) {
      ASSERT_GT(s.raw(), 0) << "only a long can be out of reach, case " << i;
      ASSERT_GE(exact_surplus(s, entry, wallet, Price(1), table), 0) << "case " << i;
      continue;
    }
    ASSERT_GE(lp->raw(), 1) << "case " << i;
    ++checked;
    const Price next = s.raw() > 0 ? *lp - Price(1) : *lp + Price(1);
    EXPECT_GE(exact_surplus(s, entry, wallet, *lp, table), 0) << "case " << i;
    EXPECT_LT(exact_surplus(s, entry, wallet, next, table), 0) << "case " << i;
    // The same through the Amount API: |equity - MM| within one tick of notional plus rounding units.
    const Amount equity = wallet + notional(*lp, s, Round::Down) - notional(entry, s, Round::Down);
    const Amount mm = maintenance_for_position(s, *lp, table);
    const Amount tolerance = notional(Price(2), Quantity(abs_q), Round::Up) + Amount(3);
    EXPECT_LE((equity - mm).raw(), tolerance.raw()) << "case " << i;
    EXPECT_GE((equity - mm).raw(), -tolerance.raw()) << "case " << i;
  }
  EXPECT_GT(checked, 1500);
}

}  // namespace
}  // namespace liqsim
