#include "protocol/aave_v3_liquidation.h"

#include <gtest/gtest.h>

#include <vector>

namespace liqsim {
namespace {

constexpr const char* kAaveV3Core =
    "github.com/aave/aave-v3-core contracts/protocol/libraries/logic/LiquidationLogic.sol & GenericLogic.sol";
constexpr const char* kAaveV3Origin =
    "github.com/aave-dao/aave-v3-origin src/contracts/protocol/libraries/logic/LiquidationLogic.sol";
constexpr const char* kAaveV33Features = "github.com/aave-dao/aave-v3-origin docs/3.3/Aave-v3.3-features.md";

Price px(double x) { return price_from_double(x); }
Quantity tokens(double x) { return quantity_from_double(x); }
Amount usd(double x) { return amount_from_double(x); }
AaveWad wad(double x) { return AaveWad(static_cast<int64_t>(x * 1e9 + 0.5)) * 1'000'000'000ULL; }
double to_double(AaveWad w) { return double(w) / 1e18; }

// protocol_vectors.json #51, source kAaveV3Core (GenericLogic.calculateUserAccountData): 10 WETH with
// LT 82.5% against $15,000 of debt; at $2,000, $1,800, $1,700 HF = 1.1, 0.99, 0.935. Tolerance abs 1e-9;
// exact in WAD here.
TEST(AaveV3Liquidation, Vector51HealthFactor) {
  const double prices[] = {2'000, 1'800, 1'700};
  const double expected[] = {1.1, 0.99, 0.935};
  for (int k = 0; k < 3; ++k) {
    const AaveCollateral weth{tokens(10), px(prices[k]), 8'250};
    const AaveWad hf = aave_health_factor(std::span(&weth, 1), usd(15'000));
    EXPECT_EQ(hf, wad(expected[k])) << kAaveV3Core;
    EXPECT_NEAR(to_double(hf), expected[k], 1e-9);
  }
}

// Own example over two collaterals (sum of value x LT over the debt): 2 WBTC at $30,000 with LT 78% and
// 10,000 USDC at $1 with LT 87% against $50,000: (60,000 x 0.78 + 10,000 x 0.87) / 50,000 = 55,500 / 50,000
// = 1.11.
TEST(AaveV3Liquidation, HealthFactorSumsEveryCollateral) {
  const std::vector<AaveCollateral> collateral{{tokens(2), px(30'000), 7'800},
                                               {tokens(10'000), px(1), 8'700}};
  EXPECT_EQ(aave_health_factor(collateral, usd(50'000)), wad(1.11));
  EXPECT_EQ(aave_health_factor(collateral, Amount(0)), kAaveHealthFactorNoDebt);
}

// Rounding: $1 at LT 80% over $3 of debt. wadDiv(1e6 x 8000, 3e6) = (8e27 + 1.5e6) / 3e6 rounds half up to
// 2666666666666666666667, then / 10000 DOWN gives 0.266666666666666666.
TEST(AaveV3Liquidation, HealthFactorRoundsLikeWadDivThenDown) {
  const AaveCollateral one{tokens(1), px(1), 8'000};
  EXPECT_EQ(aave_health_factor(std::span(&one, 1), usd(3)), AaveWad(266'666'666'666'666'666ULL));
}

// Collateral value rounds down, debt value up: 1e-8 token at 1e-6 $ is 1e-14 $.
TEST(AaveV3Liquidation, CollateralValueRoundsDownDebtValueUp) {
  EXPECT_EQ(aave_collateral_value(Quantity(1), Price(1)), Amount(0));
  EXPECT_EQ(aave_debt_value(Quantity(1), Price(1)), Amount(1));
  EXPECT_EQ(aave_collateral_value(tokens(10), px(1'800)), usd(18'000));
}

// protocol_vectors.json #52, source kAaveV3Core _calculateDebt (CLOSE_FACTOR_HF_THRESHOLD 0.95e18):
// $15,000 of debt at HF 0.99 -> 7,500 (50%), at HF 0.935 -> 15,000 (100%). Tolerance abs 1e-9; exact.
// The threshold is inclusive: at HF exactly 0.95 the whole debt is liquidatable ("below (inclusive)").
TEST(AaveV3Liquidation, Vector52CloseFactorV30) {
  EXPECT_EQ(aave_v30_max_liquidatable_debt(tokens(15'000), wad(0.99)), tokens(7'500)) << kAaveV3Core;
  EXPECT_EQ(aave_v30_max_liquidatable_debt(tokens(15'000), wad(0.935)), tokens(15'000));
  EXPECT_EQ(aave_v30_max_liquidatable_debt(tokens(15'000), kAaveCloseFactorHfThreshold), tokens(15'000));
  EXPECT_EQ(aave_v30_max_liquidatable_debt(tokens(15'000), kAaveCloseFactorHfThreshold + 1), tokens(7'500));
}

// percentMul rounds half up: 50% of 3 raw units is 1.5 -> 2 ((3 x 5000 + 5000) / 10000).
TEST(AaveV3Liquidation, CloseFactorRoundsHalfUp) {
  EXPECT_EQ(aave_v30_max_liquidatable_debt(Quantity(3), wad(0.99)), Quantity(2));
  EXPECT_EQ(
      aave_v30_max_liquidatable_debt(Quantity(3), wad(0.99), {3'000, 10'000, kAaveCloseFactorHfThreshold}),
      Quantity(1));  // (9000 + 5000) / 10000 = 1
}

TEST(AaveV3Liquidation, CloseFactorParametersAreValidated) {
  EXPECT_TRUE(validate_aave_close_factor({}).empty());
  EXPECT_EQ(validate_aave_close_factor({10'001, 10'000, kAaveCloseFactorHfThreshold}).size(),
            2u);  // > 100%, > max
  EXPECT_EQ(validate_aave_close_factor({-1, 10'000, kAaveCloseFactorHfThreshold}).size(), 1u);
  EXPECT_EQ(validate_aave_close_factor({5'000, 4'000, kAaveCloseFactorHfThreshold}).size(), 1u);
}

// protocol_vectors.json #55, source kAaveV3Origin executeLiquidationCall: HF 0.99, total debt $15,000.
// Reserve debt $15,000 and collateral $18,000 (both >= $2,000) -> 50% of the total = 7,500; reserve debt
// $1,800 (< $2,000) -> the whole 1,800. Tolerance abs 1e-9; exact. Debt token at $1.
TEST(AaveV3Liquidation, Vector55CloseFactorV33) {
  AaveV33CloseFactorInput in{tokens(15'000), px(1), tokens(10), px(1'800), usd(15'000), wad(0.99)};
  EXPECT_EQ(aave_v33_max_liquidatable_debt(in), tokens(7'500)) << kAaveV3Origin;
  in.reserve_debt = tokens(1'800);
  EXPECT_EQ(aave_v33_max_liquidatable_debt(in), tokens(1'800));
  // HF <= 0.95 lifts the cap whatever the sizes.
  in.reserve_debt = tokens(15'000);
  in.health_factor = kAaveCloseFactorHfThreshold;
  EXPECT_EQ(aave_v33_max_liquidatable_debt(in), tokens(15'000));
}

// Own examples of the v3.3 rule. (a) The cap applies only when the reserve debt exceeds half the total:
// $6,000 of a $15,000 total (half = $7,500) stays fully liquidatable. (b) A debt token at $2,000: 5 WETH
// ($10,000) of a $15,000 total -> half = $7,500 -> 7,500 / 2,000 = 3.75 WETH.
TEST(AaveV3Liquidation, CloseFactorV33CapsOnlyTheDominantDebt) {
  AaveV33CloseFactorInput in{tokens(6'000), px(1), tokens(10), px(1'800), usd(15'000), wad(0.99)};
  EXPECT_EQ(aave_v33_max_liquidatable_debt(in), tokens(6'000));
  in = {tokens(5), px(2'000), tokens(20'000), px(1), usd(15'000), wad(0.99)};
  EXPECT_EQ(aave_v33_max_liquidatable_debt(in), tokens(3.75));
  // Collateral worth $1,999.99 (< $2,000) lifts the cap.
  in.reserve_collateral = tokens(1'999.99);
  EXPECT_EQ(aave_v33_max_liquidatable_debt(in), tokens(5));
}

// protocol_vectors.json #58, copied from kAaveV33Features section 2.2 (the doc uses a $1,000 threshold
// for illustration; the deployed constant is $2,000): collateral A $1,200, debt B $900, HF 0.96 -> the
// whole $900 in v3.3; the old system allowed $450. Exact.
TEST(AaveV3Liquidation, Vector58SmallPositionCloseFactor) {
  const AaveV33CloseFactorInput in{tokens(900), px(1), tokens(1'200), px(1), usd(900), wad(0.96)};
  EXPECT_EQ(aave_v33_max_liquidatable_debt(in, usd(1'000)), tokens(900)) << kAaveV33Features;
  EXPECT_EQ(aave_v30_max_liquidatable_debt(tokens(900), wad(0.96)), tokens(450));
  // With the deployed $2,000 threshold the answer is the same (both values are below it).
  EXPECT_EQ(aave_v33_max_liquidatable_debt(in), tokens(900));
}

// protocol_vectors.json #53, source kAaveV3Core / kAaveV3Origin _calculateAvailableCollateralToLiquidate:
// repay 7,500 ($1 debt) for collateral at $1,800, bonus 105%, protocol fee 10% of the bonus. Expected
// total 4.375, bonus 0.2083333333, fee 0.0208333333, liquidator 4.3541666667 (tolerance abs 1e-8).
// In 1e-8 units: base = 7,500 / 1,800 = 4.16666666 (down); total = percentMul(416666666, 10500) =
// 437499999 (half up of 437499999.3); bonus = 437499999 - percentDiv(437499999, 10500) = 437499999 -
// 416666666 = 20833333; fee = percentMul(20833333, 1000) = 2083333; liquidator = 435416666.
TEST(AaveV3Liquidation, Vector53BonusAndProtocolFee) {
  const AaveSeizure s =
      aave_collateral_to_liquidate(tokens(7'500), px(1), px(1'800), tokens(10), 10'500, 1'000);
  EXPECT_EQ(s.total_collateral(), Quantity(437'499'999)) << kAaveV3Core;
  EXPECT_EQ(s.bonus_collateral, Quantity(20'833'333));
  EXPECT_EQ(s.protocol_fee, Quantity(2'083'333));
  EXPECT_EQ(s.collateral_to_liquidator, Quantity(435'416'666));
  EXPECT_EQ(s.debt_repaid, tokens(7'500));
  EXPECT_NEAR(to_double(s.total_collateral()), 4.375, 1e-8);
  EXPECT_NEAR(to_double(s.bonus_collateral), 0.2083333333, 1e-8);
  EXPECT_NEAR(to_double(s.protocol_fee), 0.0208333333, 1e-8);
  EXPECT_NEAR(to_double(s.collateral_to_liquidator), 4.3541666667, 1e-8);
}

// Own example: repay 1,000 USDC for WBTC at $25,000, bonus 108%, fee 20% of the bonus. base = 1,000 /
// 25,000 = 0.04 BTC; total = 0.0432; bonus = 0.0432 - 0.0432 / 1.08 = 0.0032; fee = 0.00064; liquidator
// 0.04256 BTC; value $1,080.
TEST(AaveV3Liquidation, SeizureWithAnotherBonusAndFee) {
  const AaveSeizure s =
      aave_collateral_to_liquidate(tokens(1'000), px(1), px(25'000), tokens(1), 10'800, 2'000);
  EXPECT_EQ(s.total_collateral(), tokens(0.0432));
  EXPECT_EQ(s.bonus_collateral, tokens(0.0032));
  EXPECT_EQ(s.protocol_fee, tokens(0.00064));
  EXPECT_EQ(s.collateral_to_liquidator, tokens(0.04256));
  EXPECT_EQ(s.collateral_value, usd(1'080));
}

// protocol_vectors.json #54, source kAaveV3Core: repay 7,500 for collateral at $1,800 with bonus 105% but
// only 3 tokens held -> all 3 seized, debt = 3 x 1,800 / 1.05 = 5142.857142857 (percentDiv half up on
// 1e-8 units: 514285714285.71 -> 514285714286). Expected 5142.85714286, tolerance abs 1e-6.
TEST(AaveV3Liquidation, Vector54CappedByCollateralBalance) {
  const AaveSeizure s = aave_collateral_to_liquidate(tokens(7'500), px(1), px(1'800), tokens(3), 10'500, 0);
  EXPECT_EQ(s.total_collateral(), tokens(3)) << kAaveV3Core;
  EXPECT_EQ(s.protocol_fee, Quantity(0));
  EXPECT_EQ(s.debt_repaid, Quantity(514'285'714'286));
  EXPECT_NEAR(to_double(s.debt_repaid), 5142.85714286, 1e-6);
}

// A collapsed collateral price: debtPrice x debtToCover / collPrice is far beyond 64 bits (Solidity's
// uint256 holds it); the seizure is capped by the balance as any other (a random scenario's GARCH path at
// a micro-dollar aborted here).
TEST(AaveV3Liquidation, CollapsedCollateralPriceIsCappedByTheBalance) {
  const AaveSeizure s =
      aave_collateral_to_liquidate(Quantity(int64_t(9e17)), px(1), Price(1), tokens(3), 10'500, 1'000);
  EXPECT_EQ(s.total_collateral(), tokens(3));
  // 3 tokens at $0.000001 are worth 3 micro-dollars of debt tokens (3e-6 x 1e8 = 300 units), / 1.05.
  EXPECT_EQ(s.debt_repaid, Quantity(286));
  // A base just below the balance whose bonus product passes 64 bits.
  const AaveSeizure t = aave_collateral_to_liquidate(Quantity(int64_t(9e18)), px(1), px(1),
                                                     Quantity(int64_t(9.1e18)), 10'500, 0);
  EXPECT_EQ(t.total_collateral(), Quantity(int64_t(9.1e18)));
}

// protocol_vectors.json #56, source kAaveV3Origin (MUST_NOT_LEAVE_DUST): HF 0.9, $5,000 of debt, 8 tokens
// at $1,000, bonus 105%; repaying 4,500 leaves $500 < $1,000 of debt while collateral remains -> revert.
TEST(AaveV3Liquidation, Vector56MustNotLeaveDust) {
  AaveV33LiquidationInput in{tokens(4'500), tokens(5'000), px(1),   tokens(8), px(1'000), 10'500, 0,
                             usd(8'000),    usd(5'000),    wad(0.9)};
  EXPECT_EQ(aave_v33_liquidation(in).outcome, AaveLiquidationOutcome::MustNotLeaveDust) << kAaveV3Origin;
  const AaveSeizure s = aave_collateral_to_liquidate(tokens(4'500), px(1), px(1'000), tokens(8), 10'500, 0);
  EXPECT_EQ(s.total_collateral(), tokens(4.725));
  EXPECT_TRUE(aave_v33_leaves_dust(tokens(5'000), px(1), tokens(8), px(1'000), s));
  // Own continuation: repaying 4,000 leaves exactly $1,000 of debt and 8 - 4.2 = 3.8 tokens ($3,800):
  // allowed.
  in.debt_to_cover = tokens(4'000);
  const AaveV33Liquidation ok = aave_v33_liquidation(in);
  EXPECT_EQ(ok.outcome, AaveLiquidationOutcome::Liquidated);
  EXPECT_EQ(ok.seizure.total_collateral(), tokens(4.2));
  EXPECT_FALSE(ok.no_collateral_left);
  EXPECT_EQ(ok.deficit, Quantity(0));
  // Repaying the whole debt is always allowed.
  in.debt_to_cover = tokens(5'000);
  EXPECT_EQ(aave_v33_liquidation(in).outcome, AaveLiquidationOutcome::Liquidated);
}

// protocol_vectors.json #57, source kAaveV3Origin _burnDebtTokens: 1 token at $1,000 is all the collateral,
// $1,200 of debt, bonus 105%, no fee, cover 1,200 -> all collateral seized, repaid 1,000 / 1.05 =
// 952.380952, deficit 1,200 - 952.380952 = 247.619048 (tolerance abs 1e-5). In 1e-8 units: repaid
// percentDiv(1000e8, 10500) = 95238095238, deficit 120000000000 - 95238095238 = 24761904762.
TEST(AaveV3Liquidation, Vector57BadDebtDeficit) {
  const AaveV33LiquidationInput in{tokens(1'200), tokens(1'200), px(1),     tokens(1), px(1'000), 10'500, 0,
                                   usd(1'000),    usd(1'200),    wad(0.875)};
  const AaveV33Liquidation out = aave_v33_liquidation(in);
  ASSERT_EQ(out.outcome, AaveLiquidationOutcome::Liquidated) << kAaveV3Origin;
  EXPECT_EQ(out.seizure.total_collateral(), tokens(1));
  EXPECT_EQ(out.seizure.debt_repaid, Quantity(95'238'095'238));
  EXPECT_TRUE(out.no_collateral_left);
  EXPECT_EQ(out.deficit, Quantity(24'761'904'762));
  EXPECT_NEAR(to_double(out.seizure.debt_repaid), 952.380952, 1e-5);
  EXPECT_NEAR(to_double(out.deficit), 247.619048, 1e-5);
}

// Own example: the same account with a second collateral worth $500 elsewhere keeps collateral after the
// seizure, so no deficit is booked and the remaining debt stays with the account.
TEST(AaveV3Liquidation, NoDeficitWhileOtherCollateralRemains) {
  const AaveV33LiquidationInput in{tokens(1'200), tokens(1'200), px(1),   tokens(1), px(1'000), 10'500, 0,
                                   usd(1'500),    usd(1'200),    wad(0.9)};
  const AaveV33Liquidation out = aave_v33_liquidation(in);
  ASSERT_EQ(out.outcome, AaveLiquidationOutcome::Liquidated);
  EXPECT_FALSE(out.no_collateral_left);
  EXPECT_EQ(out.deficit, Quantity(0));
}

TEST(AaveV3Liquidation, HealthyAccountIsNotLiquidatable) {
  const AaveV33LiquidationInput in{tokens(100), tokens(1'000), px(1),      tokens(1), px(2'000), 10'500,
                                   0,           usd(2'000),    usd(1'000), kAaveWad};
  EXPECT_EQ(aave_v33_liquidation(in).outcome, AaveLiquidationOutcome::NotLiquidatable);
}

// protocol_vectors.json #59, copied from kAaveV33Features section 2.3 (doc values: $1,000 close-factor
// threshold, $500 minimum leftover): collateral A $400, B $1,000; debt A $900, B $400; HF 0.94. Allowed:
// 100% of debt B; 100% of collateral A; up to 400 of debt A (leaving $500) or all of it; up to 500 of
// collateral B (leaving $500) or all of it. Our reading: each clause is one side of MustNotLeaveDust, so
// each is checked with the other side comfortably above the minimum (tokens at $1, no bonus, no fee).
TEST(AaveV3Liquidation, Vector59ForcedCleanupDocExample) {
  const Amount leftover = usd(500);
  auto seizure = [](double debt_repaid, double collateral) {
    AaveSeizure s;
    s.debt_repaid = tokens(debt_repaid);
    s.collateral_to_liquidator = tokens(collateral);
    return s;
  };
  // Debt A (900) against collateral B (1,000): 400 leaves $500 (allowed), 401 leaves $499 (dust), 900 all.
  EXPECT_FALSE(aave_v33_leaves_dust(tokens(900), px(1), tokens(1'000), px(1), seizure(400, 400), leftover))
      << kAaveV33Features;
  EXPECT_TRUE(aave_v33_leaves_dust(tokens(900), px(1), tokens(1'000), px(1), seizure(401, 401), leftover));
  EXPECT_FALSE(aave_v33_leaves_dust(tokens(900), px(1), tokens(1'000), px(1), seizure(900, 900), leftover));
  // Collateral B (1,000) against debt A with $500 of debt left: seizing 500 leaves $500 (allowed), 501 dust,
  // all 1,000 allowed.
  EXPECT_FALSE(aave_v33_leaves_dust(tokens(1'900), px(1), tokens(1'000), px(1), seizure(500, 500), leftover));
  EXPECT_TRUE(aave_v33_leaves_dust(tokens(1'900), px(1), tokens(1'000), px(1), seizure(501, 501), leftover));
  EXPECT_FALSE(
      aave_v33_leaves_dust(tokens(1'900), px(1), tokens(1'000), px(1), seizure(1'000, 1'000), leftover));
  // Debt B (400, below $500 whatever is repaid): only the full 400 passes.
  EXPECT_TRUE(aave_v33_leaves_dust(tokens(400), px(1), tokens(1'000), px(1), seizure(200, 200), leftover));
  EXPECT_FALSE(aave_v33_leaves_dust(tokens(400), px(1), tokens(1'000), px(1), seizure(400, 400), leftover));
  // Collateral A (400): seizing all of it passes, part of it does not.
  EXPECT_TRUE(aave_v33_leaves_dust(tokens(900), px(1), tokens(400), px(1), seizure(200, 200), leftover));
  EXPECT_FALSE(aave_v33_leaves_dust(tokens(900), px(1), tokens(400), px(1), seizure(400, 400), leftover));
  // And HF 0.94 < 0.95 lets the whole of debt B be taken.
  const AaveV33CloseFactorInput b{tokens(400), px(1), tokens(1'000), px(1), usd(1'300), wad(0.94)};
  EXPECT_EQ(aave_v33_max_liquidatable_debt(b, usd(1'000)), tokens(400));
}

// PoolConfigurator.configureReserveAsCollateral: threshold.percentMul(bonus) <= 100%. 82.5% x 105% =
// 86.63% passes; 95% x 105% = 99.75% passes; 96% x 105% = 100.8% fails.
TEST(AaveV3Liquidation, CollateralConfigRules) {
  EXPECT_TRUE(validate_aave_collateral_config(8'000, 8'250, 10'500, 1'000).empty());
  EXPECT_TRUE(validate_aave_collateral_config(9'300, 9'500, 10'500, 1'000).empty());
  EXPECT_EQ(validate_aave_collateral_config(9'300, 9'600, 10'500, 1'000).size(), 1u);
  EXPECT_EQ(validate_aave_collateral_config(8'500, 8'250, 10'500, 1'000).size(), 1u);  // ltv > threshold
  EXPECT_EQ(validate_aave_collateral_config(8'000, 8'250, 10'000, 1'000).size(), 1u);  // bonus not > 100%
  EXPECT_EQ(validate_aave_collateral_config(0, 0, 10'500, 1'000).size(), 1u);  // bonus without threshold
  EXPECT_TRUE(validate_aave_collateral_config(0, 0, 0, 0).empty());
  EXPECT_EQ(validate_aave_collateral_config(8'000, 8'250, 10'500, 10'001).size(), 1u);  // fee > 100%
}

}  // namespace
}  // namespace liqsim
