// Hyperliquid's margin model against its documentation and the reference vectors
// (/work/shared/reference/protocol_vectors.json, Hyperliquid #22-#28: #25 is the margin one; #22-#24 are
// funding and mark, #26-#28 ADL, backstop and partial size).
#include "protocol/hyperliquid_margin.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"
#include "protocol/tiered_margin.h"

namespace liqsim {
namespace {

constexpr const char* kLiquidationsDoc =
    "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations";
constexpr const char* kMarginTiersDoc =
    "https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers";

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// The BTC testnet table of the margin-tiers page: 0-10k 40x, 10-50k 25x, 50-100k 10x, 100k-300k 5x,
// above 300k 3x.
std::vector<HyperliquidMarginTier> testnet_btc() {
  return {{dollars(0), 40},
          {dollars(10'000), 25},
          {dollars(50'000), 10},
          {dollars(100'000), 5},
          {dollars(300'000), 3}};
}

// Vector #25: isolated long 1 BTC at 100,000 with 10,000 of isolated margin, max leverage 40 (MMR 1.25%):
// margin_available = 10,000 - 1,250 = 8,750; liq = 100,000 - 8,750 / 1 / (1 - 0.0125) = 91,139.2405
// (tolerance abs 0.01). Exact: 91,139.240506329..., a long's price rounded UP.
TEST(HyperliquidMargin, Vector25IsolatedLongLiquidationPrice) {
  const HyperliquidMargin model = HyperliquidMargin::single_tier(40);
  const std::optional<Price> liq = model.liquidation_price(coins(1), px(100'000), dollars(10'000));
  ASSERT_TRUE(liq.has_value()) << kLiquidationsDoc;
  EXPECT_NEAR(to_double(*liq), 91'139.2405, 0.01) << kLiquidationsDoc;
  EXPECT_EQ(*liq, Price(91'139'240'507));
  // The vector's check: equity at the liquidation price is 1.25% of the notional (1,139.24).
  EXPECT_NEAR(10'000 - (100'000 - to_double(*liq)), 0.0125 * to_double(*liq), 1e-5);
  EXPECT_EQ(model.maintenance(coins(1), px(100'000)), dollars(1'250));
}

// The same position short: liq = 100,000 + 8,750 / (1 + 0.0125) = 108,641.9753086..., rounded DOWN.
TEST(HyperliquidMargin, IsolatedShortLiquidationPriceMirrorsTheLong) {
  const HyperliquidMargin model = HyperliquidMargin::single_tier(40);
  const std::optional<Price> liq = model.liquidation_price(coins(-1), px(100'000), dollars(10'000));
  ASSERT_TRUE(liq.has_value()) << kLiquidationsDoc;
  EXPECT_EQ(*liq, Price(108'641'975'308));
}

// maintenance_margin_rate(tier n) = 1 / (2 * max leverage) and the deduction recursion of the
// margin-tiers page: for the testnet BTC table the deductions are 0, 10k * (2% - 1.25%) = 75,
// 75 + 50k * (5% - 2%) = 1,575, 1,575 + 100k * (10% - 5%) = 6,575 and 6,575 + 300k * (1/6 - 10%) = 26,575.
TEST(HyperliquidMargin, DeductionsFollowTheDocumentedRecursion) {
  const HyperliquidMargin model(testnet_btc());
  ASSERT_EQ(model.tier_count(), 5u);
  const std::vector<double> expected = {0, 75, 1'575, 6'575, 26'575};
  for (size_t n = 0; n < expected.size(); ++n)
    EXPECT_EQ(model.maintenance_deduction(n), dollars(expected[n]))
        << "tier " << n << ", " << kMarginTiersDoc;
  // MM is continuous at every lower bound (new notional in a tier adds its own rate only).
  EXPECT_EQ(model.maintenance_margin(dollars(10'000)), dollars(125));  // 10k / 80, or 10k / 50 - 75
  EXPECT_EQ(model.maintenance_margin(dollars(50'000)), dollars(925));  // 50k / 50 - 75, or 50k / 20 - 1,575
  EXPECT_EQ(model.maintenance_margin(dollars(300'000)), dollars(23'425));  // 30k - 6,575 = 50k - 26,575
  EXPECT_EQ(model.maintenance_margin(dollars(200'000)), dollars(13'425));  // tier 4 (5x): 20k - 6,575
  // Above 300k the rate is 1/6, exact: ceil(400,000 / 6) - 26,575 = 66,666.666667 - 26,575.
  EXPECT_EQ(model.maintenance_margin(dollars(400'000)), Amount(40'091'666'667));
  EXPECT_EQ(model.tier_for(dollars(9'999.999999)), 0u);
  EXPECT_EQ(model.tier_for(dollars(10'000)), 1u);
  EXPECT_EQ(model.tier_for(dollars(1e9)), 4u);
}

// Mainnet BTC (margin-tiers page): 40x up to 150M, 20x above; the deduction at 150M is
// 150M * (2.5% - 1.25%) = 1,875,000.
TEST(HyperliquidMargin, MainnetBtcTable) {
  const std::vector<HyperliquidMarginTier> tiers = {{dollars(0), 40}, {dollars(150'000'000), 20}};
  const HyperliquidMargin model(tiers);
  EXPECT_EQ(model.maintenance_deduction(1), dollars(1'875'000)) << kMarginTiersDoc;
  EXPECT_EQ(model.maintenance_margin(dollars(200'000'000)), dollars(5'000'000 - 1'875'000));
  EXPECT_EQ(model.initial_rate(coins(1'000), px(1)), ratio_from_double(0.025));
  EXPECT_EQ(model.initial_rate(coins(200'000'000), px(1)), ratio_from_double(0.05));
  EXPECT_EQ(model.max_maintenance_rate(), ratio_from_double(0.025));
}

// The tier at the liquidation price, not at entry: 5 BTC long at 20,000 (notional 100k, the 5x tier) with
// an account value of 20,000. With the 10x tier (5%, deduction 1,575): margin_available =
// 20,000 - (5,000 - 1,575) = 16,575 and liq = 20,000 - 16,575 / 5 / 0.95 = 16,510.526315789..., whose
// notional 82,552.63 is in that tier. The entry tier's line (10%) would give 16,316.67, notional 81,583,
// outside its own tier.
TEST(HyperliquidMargin, LiquidationPriceUsesTheTierAtTheLiquidationPrice) {
  const HyperliquidMargin model(testnet_btc());
  const std::optional<Price> liq = model.liquidation_price(coins(5), px(20'000), dollars(20'000));
  ASSERT_TRUE(liq.has_value());
  EXPECT_EQ(*liq, Price(16'510'526'316));
  EXPECT_EQ(model.tier_for(notional(*liq, coins(5), Round::Up)), 2u);
}

// One tier at max leverage L is a flat MMR of 1 / (2L); at 3x (MMR 1/6, not a decimal) MM is exact.
TEST(HyperliquidMargin, SingleTierIsHalfTheInitialMarginAtMaxLeverage) {
  const HyperliquidMargin model = HyperliquidMargin::single_tier(3);
  EXPECT_EQ(model.maintenance(coins(1), px(600)), dollars(100));
  EXPECT_EQ(model.maintenance(coins(-1), px(600)), dollars(100));
  EXPECT_EQ(model.maintenance(coins(1), px(100)), Amount(16'666'667));  // 16.666667, rounded up
  // Initial rate 1/3 rounded UP to 0.333333334: 600 x that = 200.0000004, rounded up.
  EXPECT_EQ(model.initial_rate(coins(600), px(1)), Ratio(333'333'334));
  EXPECT_EQ(model.initial_margin_at_max_leverage(coins(600), px(1)), Amount(200'000'001));
  EXPECT_EQ(model.maintenance(Quantity(0), px(600)), Amount(0));
}

TEST(HyperliquidMargin, ValidateNamesEveryProblem) {
  EXPECT_EQ(HyperliquidMargin::validate(testnet_btc()), std::nullopt);
  EXPECT_TRUE(HyperliquidMargin::validate({}).has_value());
  const std::vector<HyperliquidMarginTier> bad = {{dollars(5), 0}, {dollars(5), 10}, {dollars(1), 20}};
  const std::optional<std::string> problems = HyperliquidMargin::validate(bad);
  ASSERT_TRUE(problems.has_value());
  EXPECT_NE(problems->find("tier 1: first lower bound must be 0"), std::string::npos) << *problems;
  EXPECT_NE(problems->find("tier 1: max leverage must be in [1, 100]"), std::string::npos) << *problems;
  EXPECT_NE(problems->find("tier 2: lower bound must exceed the previous tier's"), std::string::npos);
  EXPECT_NE(problems->find("tier 3: max leverage increases"), std::string::npos) << *problems;
}

// Hyperliquid's formula and Binance's are the same root when the rates are decimals: with max leverages
// 50/25/20/10 (MMR 1%/2%/2.5%/5%) and whole-dollar bounds, the Binance table with those rates and the
// derived cum gives the same price for random positions and account values, to the micro-dollar.
TEST(HyperliquidMargin, SameRootAsBinanceFormulaWhenRatesAreDecimals) {
  const std::vector<HyperliquidMarginTier> tiers = {
      {dollars(0), 50}, {dollars(20'000), 25}, {dollars(200'000), 20}, {dollars(1'000'000), 10}};
  const std::vector<MarginBracketSpec> brackets = {
      {dollars(0), dollars(20'000), ratio_from_double(0.01), std::nullopt},
      {dollars(20'000), dollars(200'000), ratio_from_double(0.02), std::nullopt},
      {dollars(200'000), dollars(1'000'000), ratio_from_double(0.025), std::nullopt},
      {dollars(1'000'000), dollars(1e9), ratio_from_double(0.05), std::nullopt}};
  const HyperliquidMargin hyperliquid(tiers);
  const TieredMaintenanceMargin binance(brackets);
  Rng rng(0x41'11ull);
  for (int trial = 0; trial < 5'000; ++trial) {
    const Quantity size(rng.uniform_int(1'000, 50 * kQuantityScale) * (rng.bernoulli(0.5) ? 1 : -1));
    const Price price(rng.uniform_int(100, 100'000) * kPriceScale / 10);
    const Amount value(
        rng.uniform_int(0, notional(price, size < Quantity(0) ? -size : size, Round::Up).raw()));
    ASSERT_EQ(hyperliquid.liquidation_price(size, price, value),
              liquidation_price(size, price, value, binance))
        << "trial " << trial;
  }
}

// A scaled model (alerts at a multiple of MM) requires at least the multiple of the documented MM.
TEST(HyperliquidMargin, ScaledModelRequiresAtLeastTheMultiple) {
  const HyperliquidMargin model(testnet_btc());
  const auto scaled = model.scaled(ratio_from_double(1.5));
  for (double n : {1.0, 9'999.0, 10'000.0, 77'777.77, 150'000.0, 1e6}) {
    const Quantity one = coins(1);
    const Price p = px(n);
    const double exact_mm = [&] {
      const size_t t = model.tier_for(dollars(n));
      return n / (2.0 * double(model.max_leverage(t))) - to_double(model.maintenance_deduction(t));
    }();
    EXPECT_GE(to_double(scaled->maintenance(one, p)), 1.5 * exact_mm - 1e-9) << n;
  }
  // A multiple that lifts a rate to 1 (3x tier: 1/6 * 6) saturates: every trigger fires at once.
  const auto saturated = model.scaled(ratio_from_double(6));
  EXPECT_EQ(saturated->trigger(coins(1), px(100), dollars(1e6)), Price::max());
  EXPECT_EQ(saturated->trigger(coins(-1), px(100), dollars(1e6)), Price(0));
}

}  // namespace
}  // namespace liqsim
