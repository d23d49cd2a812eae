#include "protocol/compound_liquidation.h"

#include <gtest/gtest.h>

#include <vector>

namespace liqsim {
namespace {

constexpr const char* kComptroller =
    "github.com/compound-finance/compound-protocol contracts/Comptroller.sol (liquidateBorrowAllowed, "
    "liquidateCalculateSeizeTokens), CToken.sol seizeInternal";
constexpr const char* kComet = "github.com/compound-finance/comet contracts/Comet.sol";
constexpr const char* kCometQuoteTest = "github.com/compound-finance/comet test/quote-collateral-test.ts";

Price px(double x) { return price_from_double(x); }
Quantity tokens(double x) { return quantity_from_double(x); }
Amount usd(double x) { return amount_from_double(x); }
int64_t mantissa(double x) { return static_cast<int64_t>(x * 1e9 + 0.5) * 1'000'000'000; }

// ---- Compound v2 ----

// protocol_vectors.json #60, source kComptroller liquidateBorrowAllowed: borrow 10,000 with close factor 0.5
// -> maxClose 5,000. Tolerance abs 1e-9; exact.
TEST(CompoundV2Liquidation, Vector60MaxClose) {
  EXPECT_EQ(compound_v2_max_close(tokens(10'000), mantissa(0.5)), tokens(5'000)) << kComptroller;
}

// Own examples: 0.9 x 1,234.5678 = 1,111.11102 exactly; mul_ScalarTruncate rounds DOWN, so 0.5 x 3 raw
// units is 1 (where Aave's percentMul would give 2).
TEST(CompoundV2Liquidation, MaxCloseTruncates) {
  EXPECT_EQ(compound_v2_max_close(tokens(1'234.5678), mantissa(0.9)), tokens(1'111.11102));
  EXPECT_EQ(compound_v2_max_close(Quantity(3), mantissa(0.5)), Quantity(1));
}

// protocol_vectors.json #61, source kComptroller: repay 1,000 at $1, collateral at $2,000, incentive 1.08,
// exchange rate 0.02 -> seizeTokens = 1,000 x 1.08 x 1 / (2,000 x 0.02) = 27; protocol 2.8% = 0.756;
// liquidator 26.244. Tolerance abs 1e-9; exact. The reserves gain 0.756 x 0.02 = 0.01512 underlying.
TEST(CompoundV2Liquidation, Vector61SeizeTokens) {
  const CompoundV2Seizure s =
      compound_v2_seize_tokens(tokens(1'000), px(1), px(2'000), mantissa(1.08), mantissa(0.02));
  EXPECT_EQ(s.seize_tokens, tokens(27)) << kComptroller;
  EXPECT_EQ(s.protocol_tokens, tokens(0.756));
  EXPECT_EQ(s.liquidator_tokens, tokens(26.244));
  EXPECT_EQ(s.protocol_underlying, tokens(0.01512));
}

// Own example: repay 500 USDC against cWBTC (WBTC $40,000, exchange rate 0.02, incentive 1.1):
// 500 x 1.1 / (40,000 x 0.02) = 550 / 800 = 0.6875 cWBTC; protocol 0.6875 x 0.028 = 0.01925; liquidator
// 0.66825.
TEST(CompoundV2Liquidation, SeizeTokensOtherMarket) {
  const CompoundV2Seizure s =
      compound_v2_seize_tokens(tokens(500), px(1), px(40'000), mantissa(1.1), mantissa(0.02));
  EXPECT_EQ(s.seize_tokens, tokens(0.6875));
  EXPECT_EQ(s.protocol_tokens, tokens(0.01925));
  EXPECT_EQ(s.liquidator_tokens, tokens(0.66825));
}

// Truncation: collateral at $3, incentive 1, exchange rate 1 -> ratio = 1e18 x 1e18 / 3e18 =
// 333333333333333333 (down), seizeTokens = ratio x 1e8 / 1e18 = 33333333.3 -> 33333333 raw.
TEST(CompoundV2Liquidation, SeizeTokensTruncate) {
  const CompoundV2Seizure s = compound_v2_seize_tokens(tokens(1), px(1), px(3), mantissa(1), mantissa(1), 0);
  EXPECT_EQ(s.seize_tokens, Quantity(33'333'333));
  EXPECT_EQ(s.protocol_tokens, Quantity(0));
}

TEST(CompoundV2Liquidation, ParametersAreValidated) {
  EXPECT_TRUE(
      validate_compound_v2_params(mantissa(0.5), mantissa(1.08), kCompoundProtocolSeizeShare).empty());
  EXPECT_EQ(validate_compound_v2_params(mantissa(1.1), mantissa(0.9), -1).size(), 3u);
}

// ---- Compound v3 (Comet) ----

// protocol_vectors.json #62, copied from kCometQuoteTest (Comet.quoteCollateral): storeFrontPriceFactor
// 0.5, liquidationFactor 0.6 -> discount 0.5 x 0.4 = 0.2; COMP at $200 sells at $160; 200 USDC buys 1.25
// COMP. Tolerance abs 1e-12; exact.
TEST(CometLiquidation, Vector62QuoteCollateral) {
  EXPECT_EQ(comet_store_front_discount(mantissa(0.5), mantissa(0.6)), mantissa(0.2));
  EXPECT_EQ(comet_quote_collateral(usd(200), px(200), px(1), mantissa(0.5), mantissa(0.6)), tokens(1.25))
      << kCometQuoteTest;
}

// protocol_vectors.json #63, source kComet (isLiquidatable, absorbInternal, quoteCollateral): 1,000 USDC
// borrowed against 1 ETH at $1,100, liquidateCF 0.9, liquidationFactor 0.93, storeFrontPriceFactor 0.5.
// Liquidity -1,000 + 990 = -10 -> liquidatable; absorb credits 1,100 x 0.93 = 1,023, the account ends
// with +23 and reserves pay 1,023; discount 0.5 x 0.07 = 0.035, so 1 ETH costs 1,100 x 0.965 = 1,061.5.
// Tolerance abs 1e-6; exact.
TEST(CometLiquidation, Vector63AbsorbAndBuyCollateral) {
  const std::vector<CometCollateral> eth{{tokens(1), px(1'100), mantissa(0.9), mantissa(0.93)}};
  EXPECT_EQ(comet_liquidation_liquidity(usd(-1'000), px(1), eth), usd(-10)) << kComet;
  EXPECT_TRUE(comet_is_liquidatable(usd(-1'000), px(1), eth));
  const CometAbsorb a = comet_absorb(usd(-1'000), px(1), eth);
  ASSERT_EQ(a.outcome, CometAbsorbOutcome::Absorbed);
  EXPECT_EQ(a.credited, usd(1'023));
  EXPECT_EQ(a.new_balance, usd(23));
  EXPECT_EQ(a.paid_by_reserves, usd(1'023));
  EXPECT_EQ(a.collateral_value, usd(1'100));
  EXPECT_EQ(comet_store_front_discount(mantissa(0.5), mantissa(0.93)), mantissa(0.035));
  EXPECT_EQ(comet_quote_collateral(usd(1'061.5), px(1'100), px(1), mantissa(0.5), mantissa(0.93)), tokens(1));
  // Selling the absorbed ETH: reserves go from -1,023 to -1,023 + 1,061.5 = +38.5.
  const CometBuy buy = comet_buy_collateral(usd(1'061.5), tokens(0.99), px(1'100), px(1), mantissa(0.5),
                                            mantissa(0.93), -a.paid_by_reserves, usd(5'000), tokens(1));
  EXPECT_EQ(buy.outcome, CometBuyOutcome::Bought);
  EXPECT_EQ(buy.collateral, tokens(1));
  EXPECT_EQ(-a.paid_by_reserves + usd(1'061.5), usd(38.5));
}

// Own example: 1,000 USDC buys 1,000 / 1,061.5 = 0.942063118... ETH, truncated to 0.94206311.
TEST(CometLiquidation, QuoteCollateralTruncates) {
  EXPECT_EQ(comet_quote_collateral(usd(1'000), px(1'100), px(1), mantissa(0.5), mantissa(0.93)),
            Quantity(94'206'311));
}

// Own example, underwater: -1,000 against 1 ETH at $900 (liquidity -1,000 + 810 = -190). Credit 900 x 0.93
// = 837 < 1,000, so the balance is floored at 0 and reserves absorb the whole 1,000 (163 of bad debt).
TEST(CometLiquidation, AbsorbFloorsTheBalanceAtZero) {
  const std::vector<CometCollateral> eth{{tokens(1), px(900), mantissa(0.9), mantissa(0.93)}};
  const CometAbsorb a = comet_absorb(usd(-1'000), px(1), eth);
  ASSERT_EQ(a.outcome, CometAbsorbOutcome::Absorbed);
  EXPECT_EQ(a.credited, usd(837));
  EXPECT_EQ(a.new_balance, Amount(0));
  EXPECT_EQ(a.paid_by_reserves, usd(1'000));
}

// Own example over two collaterals: -5,000 USDC; 1 ETH at $2,000 (liquidateCF 0.85, LF 0.9) and 0.1 WBTC at
// $30,000 (liquidateCF 0.8, LF 0.88). Liquidity -5,000 + 1,700 + 2,400 = -900; credit 1,800 + 2,640 = 4,440.
TEST(CometLiquidation, AbsorbSumsEveryCollateral) {
  const std::vector<CometCollateral> c{{tokens(1), px(2'000), mantissa(0.85), mantissa(0.9)},
                                       {tokens(0.1), px(30'000), mantissa(0.8), mantissa(0.88)}};
  EXPECT_EQ(comet_liquidation_liquidity(usd(-5'000), px(1), c), usd(-900));
  const CometAbsorb a = comet_absorb(usd(-5'000), px(1), c);
  EXPECT_EQ(a.credited, usd(4'440));
  EXPECT_EQ(a.new_balance, Amount(0));
  EXPECT_EQ(a.paid_by_reserves, usd(5'000));
  EXPECT_EQ(a.collateral_value, usd(5'000));
}

TEST(CometLiquidation, HealthyOrSupplyingAccountsAreNotAbsorbed) {
  const std::vector<CometCollateral> eth{{tokens(1), px(1'200), mantissa(0.9), mantissa(0.93)}};
  EXPECT_FALSE(comet_is_liquidatable(usd(-1'000), px(1), eth));  // 1,080 >= 1,000
  EXPECT_EQ(comet_absorb(usd(-1'000), px(1), eth).outcome, CometAbsorbOutcome::NotLiquidatable);
  EXPECT_FALSE(comet_is_liquidatable(usd(10), px(1), {}));
}

TEST(CometLiquidation, BuyCollateralRefusals) {
  auto buy = [](Amount reserves, Quantity min_amount, Quantity collateral_reserves) {
    return comet_buy_collateral(usd(1'061.5), min_amount, px(1'100), px(1), mantissa(0.5), mantissa(0.93),
                                reserves, usd(5'000), collateral_reserves)
        .outcome;
  };
  EXPECT_EQ(buy(usd(5'000), tokens(0), tokens(1)), CometBuyOutcome::NotForSale);
  EXPECT_EQ(buy(usd(4'999), tokens(1.01), tokens(1)), CometBuyOutcome::TooMuchSlippage);
  EXPECT_EQ(buy(usd(4'999), tokens(0), tokens(0.5)), CometBuyOutcome::InsufficientReserves);
  EXPECT_EQ(buy(usd(4'999), tokens(1), tokens(1)), CometBuyOutcome::Bought);
}

TEST(CometLiquidation, CollateralConfigRules) {
  EXPECT_TRUE(
      validate_comet_collateral(mantissa(0.8), mantissa(0.85), mantissa(0.93), mantissa(0.5)).empty());
  EXPECT_EQ(validate_comet_collateral(mantissa(0.85), mantissa(0.85), mantissa(0.93), mantissa(0.5)).size(),
            1u);
  EXPECT_EQ(validate_comet_collateral(mantissa(0.8), mantissa(1.1), mantissa(0.93), mantissa(0.5)).size(),
            1u);
  EXPECT_EQ(validate_comet_collateral(mantissa(0.8), mantissa(0.85), mantissa(1.2), mantissa(1.5)).size(),
            2u);
}

}  // namespace
}  // namespace liqsim
