#include "protocol/liquity_liquidation.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

constexpr const char* kTroveManager =
    "github.com/liquity/dev packages/contracts/contracts/TroveManager.sol, Dependencies/LiquityBase.sol";
constexpr const char* kStabilityPool =
    "github.com/liquity/dev packages/contracts/contracts/StabilityPool.sol (_computeRewardsPerUnitStaked, "
    "_updateRewardSumAndProduct)";

// Whole units (ETH, LUSD, $ per ETH, 1.0 ratios) in Liquity's 18-decimal fixed point.
LiquityDecimal units(int64_t whole) { return LiquityDecimal(whole) * kLiquityDecimalPrecision; }
double dec(LiquityDecimal x) { return double(x) / 1e18; }

TEST(LiquityLiquidation, ConversionsFromAndToStrongTypes) {
  EXPECT_EQ(liquity_from_quantity(quantity_from_double(1.5)), units(3) / 2);
  EXPECT_EQ(liquity_from_amount(amount_from_double(200)), kLiquityLusdGasCompensation);
  EXPECT_EQ(liquity_from_price(price_from_double(1'500)), units(1'500));
  EXPECT_EQ(liquity_to_quantity(6'633'333'333'333'333'333ULL, Round::Down), Quantity(663'333'333));
  EXPECT_EQ(liquity_to_quantity(6'633'333'333'333'333'333ULL, Round::Up), Quantity(663'333'334));
  EXPECT_EQ(liquity_to_amount(units(2'000) - 4'000, Round::Down), Amount(1'999'999'999));
}

// protocol_vectors.json #75, source kTroveManager (_liquidateNormalMode, _getOffsetAndRedistributionVals):
// 10 ETH at $1,500 against 15,000 LUSD, 10,000 LUSD in the Stability Pool. ICR = 15,000 / 15,000 = 100% <
// MCR; the liquidator gets 200 LUSD and 10 / 200 = 0.05 ETH; the pool offsets 10,000 and gets 9.95 x
// 10,000 / 15,000 = 6.6333333333 ETH; 5,000 LUSD and 3.3166666667 ETH are redistributed. Tolerance abs
// 1e-9. In wei: collToSP = 9.95e18 x 1e4 / 1.5e4 = 6633333333333333333 (down), redistributed = 9.95e18 -
// that = 3316666666666666667.
TEST(LiquityLiquidation, Vector75NormalModeOffsetAndRedistribution) {
  const LiquityDecimal coll = units(10), debt = units(15'000), price = units(1'500);
  EXPECT_EQ(liquity_collateral_ratio(coll, debt, price), kLiquityDecimalPrecision) << kTroveManager;
  const LiquityLiquidation out = liquity_liquidate_normal_mode(coll, debt, price, units(10'000));
  ASSERT_EQ(out.kind, LiquityLiquidationKind::OffsetAndRedistribute);
  EXPECT_EQ(out.coll_gas_compensation, units(5) / 100);
  EXPECT_EQ(out.lusd_gas_compensation, units(200));
  EXPECT_EQ(out.debt_to_offset, units(10'000));
  EXPECT_EQ(out.coll_to_sp, LiquityDecimal(6'633'333'333'333'333'333ULL));
  EXPECT_EQ(out.debt_to_redistribute, units(5'000));
  EXPECT_EQ(out.coll_to_redistribute, LiquityDecimal(3'316'666'666'666'666'667ULL));
  EXPECT_NEAR(dec(out.coll_to_sp), 6.6333333333, 1e-9);
  EXPECT_NEAR(dec(out.coll_to_redistribute), 3.3166666667, 1e-9);
  // Nothing is lost: gas compensation + pool + redistribution = the trove's collateral.
  EXPECT_EQ(out.coll_gas_compensation + out.coll_to_sp + out.coll_to_redistribute, coll);
}

// Own examples. MCR is strict: 11 ETH at $1,500 against 15,000 is exactly 110% and stays; 10.99 ETH (ICR
// 109.9%) is liquidated. A pool larger than the debt absorbs everything (2 ETH at $2,000 vs 4,000 LUSD:
// gas 0.01 ETH, 1.99 ETH to the pool); an empty pool leaves everything to redistribution.
TEST(LiquityLiquidation, NormalModeBoundaryAndPoolSizes) {
  EXPECT_EQ(liquity_liquidate_normal_mode(units(11), units(15'000), units(1'500), units(10'000)).kind,
            LiquityLiquidationKind::NotLiquidated);
  EXPECT_EQ(liquity_collateral_ratio(units(1'099) / 100, units(15'000), units(1'500)),
            LiquityDecimal(1'099'000'000'000'000'000ULL));
  EXPECT_EQ(
      liquity_liquidate_normal_mode(units(1'099) / 100, units(15'000), units(1'500), units(10'000)).kind,
      LiquityLiquidationKind::OffsetAndRedistribute);
  const LiquityLiquidation full =
      liquity_liquidate_normal_mode(units(2), units(4'000), units(2'000), units(50'000));
  EXPECT_EQ(full.coll_gas_compensation, units(1) / 100);
  EXPECT_EQ(full.coll_to_sp, units(199) / 100);
  EXPECT_EQ(full.debt_to_offset, units(4'000));
  EXPECT_EQ(full.debt_to_redistribute, LiquityDecimal(0));
  const LiquityLiquidation none = liquity_liquidate_normal_mode(units(2), units(4'000), units(2'000), 0);
  EXPECT_EQ(none.coll_to_sp, LiquityDecimal(0));
  EXPECT_EQ(none.debt_to_redistribute, units(4'000));
  EXPECT_EQ(none.coll_to_redistribute, units(199) / 100);
}

TEST(LiquityLiquidation, TotalCollateralRatioAndRecoveryMode) {
  // System: 1,000 ETH at $1,500 against 1,000,000 LUSD -> TCR 150% (not Recovery Mode); at $1,499 it is.
  EXPECT_FALSE(liquity_recovery_mode(liquity_collateral_ratio(units(1'000), units(1'000'000), units(1'500))));
  EXPECT_TRUE(liquity_recovery_mode(liquity_collateral_ratio(units(1'000), units(1'000'000), units(1'499))));
  EXPECT_EQ(liquity_collateral_ratio(units(1), 0, units(1'500)), kLiquityInfiniteCr);
}

// protocol_vectors.json #76, source kTroveManager (_liquidateRecoveryMode, _getCappedOffsetVals): 8 ETH at
// $1,500 against 10,000 LUSD (ICR 120%), TCR 140% < 150%, 20,000 LUSD in the pool. MCR <= ICR < TCR and
// the pool covers the debt: collateral capped at 10,000 x 1.1 / 1,500 = 7.3333333333 ETH, gas
// compensation 0.5% of it = 0.0366666667, 7.2966666667 to the pool, 0.6666666667 ETH surplus claimable.
// Tolerance abs 1e-9. In wei: capped 7333333333333333333, gas 36666666666666666 (down), surplus
// 666666666666666667.
TEST(LiquityLiquidation, Vector76RecoveryModeCappedLiquidation) {
  const LiquityDecimal coll = units(8), debt = units(10'000), price = units(1'500);
  const LiquityDecimal tcr = units(14) / 10;
  EXPECT_TRUE(liquity_recovery_mode(tcr));
  EXPECT_EQ(liquity_collateral_ratio(coll, debt, price), units(12) / 10) << kTroveManager;
  const LiquityLiquidation out = liquity_liquidate_recovery_mode(coll, debt, price, units(20'000), tcr);
  ASSERT_EQ(out.kind, LiquityLiquidationKind::Capped);
  EXPECT_EQ(out.coll_gas_compensation, LiquityDecimal(36'666'666'666'666'666ULL));
  EXPECT_EQ(out.coll_to_sp, LiquityDecimal(7'296'666'666'666'666'667ULL));
  EXPECT_EQ(out.coll_surplus, LiquityDecimal(666'666'666'666'666'667ULL));
  EXPECT_EQ(out.debt_to_offset, debt);
  EXPECT_EQ(out.debt_to_redistribute, LiquityDecimal(0));
  EXPECT_NEAR(dec(out.coll_gas_compensation + out.coll_to_sp), 7.3333333333, 1e-9);
  EXPECT_NEAR(dec(out.coll_gas_compensation), 0.0366666667, 1e-9);
  EXPECT_NEAR(dec(out.coll_to_sp), 7.2966666667, 1e-9);
  EXPECT_NEAR(dec(out.coll_surplus), 0.6666666667, 1e-9);
}

// Own examples of the other Recovery-mode branches (TCR 140%, $1,500): ICR 120% >= TCR 115% or a pool
// too small (5,000 < 10,000) -> not liquidated; 6 ETH vs 10,000 (ICR 90%) -> pure redistribution of
// 10,000 LUSD and 6 - 0.03 = 5.97 ETH; 7 ETH vs 10,000 (ICR 105%) -> as in Normal Mode.
TEST(LiquityLiquidation, RecoveryModeOtherBranches) {
  const LiquityDecimal price = units(1'500), tcr = units(14) / 10;
  EXPECT_EQ(
      liquity_liquidate_recovery_mode(units(8), units(10'000), price, units(20'000), units(115) / 100).kind,
      LiquityLiquidationKind::NotLiquidated);
  EXPECT_EQ(liquity_liquidate_recovery_mode(units(8), units(10'000), price, units(5'000), tcr).kind,
            LiquityLiquidationKind::NotLiquidated);
  const LiquityLiquidation bad =
      liquity_liquidate_recovery_mode(units(6), units(10'000), price, units(20'000), tcr);
  EXPECT_EQ(bad.kind, LiquityLiquidationKind::RedistributeOnly);
  EXPECT_EQ(bad.coll_gas_compensation, units(3) / 100);
  EXPECT_EQ(bad.coll_to_redistribute, units(597) / 100);
  EXPECT_EQ(bad.debt_to_redistribute, units(10'000));
  EXPECT_EQ(bad.debt_to_offset, LiquityDecimal(0));
  const LiquityLiquidation mid =
      liquity_liquidate_recovery_mode(units(7), units(10'000), price, units(20'000), tcr);
  EXPECT_EQ(mid.kind, LiquityLiquidationKind::OffsetAndRedistribute);
  EXPECT_EQ(mid.coll_to_sp, units(7) - units(7) / 200);
  EXPECT_EQ(mid.coll_surplus, LiquityDecimal(0));
}

// protocol_vectors.json #77, source kStabilityPool: 20,000 LUSD deposited, one depositor with 4,000; an
// offset of 10,000 LUSD bringing 6.6333333333 ETH (vector #75's collToSP, 6633333333333333333 wei).
// P = 1 - 10,000 / 20,000 = 0.5, the deposit compounds to 2,000 LUSD and gains 4,000 / 20,000 x 6.6333 =
// 1.3266666667 ETH (tolerance abs 1e-8). In wei: the loss per unit staked is rounded up by 1 (5e17 + 1),
// so P = 5e17 - 1 and the deposit is 2000e18 - 4000; the gain per unit is 6633333333333333333e18 / 2e22 =
// 331666666666666 (down), so the gain is 4000 x 331666666666666 = 1326666666666664000.
TEST(LiquityLiquidation, Vector77StabilityPoolProRataLossAndGain) {
  LiquityStabilityPool pool;
  pool.total_deposits = units(20'000);
  const LiquityDepositSnapshot snap = liquity_sp_snapshot(pool, units(4'000));
  pool = liquity_sp_offset(pool, units(10'000), 6'633'333'333'333'333'333ULL);
  EXPECT_EQ(pool.p, units(1) / 2 - 1) << kStabilityPool;
  EXPECT_NEAR(dec(pool.p), 0.5, 1e-8);
  const LiquityDecimal deposit = liquity_sp_compounded_deposit(pool, snap);
  EXPECT_EQ(deposit, units(2'000) - 4'000);
  EXPECT_NEAR(dec(deposit), 2'000.0, 1e-8);
  const LiquityDecimal gain = liquity_sp_eth_gain(pool, snap);
  EXPECT_EQ(gain, LiquityDecimal(1'326'666'666'666'664'000ULL));
  EXPECT_NEAR(dec(gain), 1.3266666667, 1e-8);
  EXPECT_EQ(pool.total_deposits, units(10'000));
  EXPECT_EQ(pool.eth, LiquityDecimal(6'633'333'333'333'333'333ULL));
}

// Own example: depositors A (4,000) and B (16,000); offsets of 10,000 LUSD with 6.6333 ETH, then the
// remaining 10,000 LUSD with 5 ETH, which empties the pool (new epoch, P back to 1). A held 20% of the pool
// both times: gain 0.2 x 6.6333 + 0.2 x 5 = 2.3266666667 ETH, B 4 times that; both deposits are gone.
// The protocol never pays out more than it holds.
TEST(LiquityLiquidation, StabilityPoolEmptiedStartsANewEpoch) {
  LiquityStabilityPool pool;
  pool.total_deposits = units(20'000);
  const LiquityDepositSnapshot a = liquity_sp_snapshot(pool, units(4'000));
  const LiquityDepositSnapshot b = liquity_sp_snapshot(pool, units(16'000));
  pool = liquity_sp_offset(pool, units(10'000), 6'633'333'333'333'333'333ULL);
  pool = liquity_sp_offset(pool, units(10'000), units(5));
  EXPECT_EQ(pool.epoch, 1u);
  EXPECT_EQ(pool.p, kLiquityDecimalPrecision);
  EXPECT_EQ(pool.total_deposits, LiquityDecimal(0));
  EXPECT_EQ(liquity_sp_compounded_deposit(pool, a), LiquityDecimal(0));
  EXPECT_EQ(liquity_sp_compounded_deposit(pool, b), LiquityDecimal(0));
  const LiquityDecimal gain_a = liquity_sp_eth_gain(pool, a);
  const LiquityDecimal gain_b = liquity_sp_eth_gain(pool, b);
  EXPECT_NEAR(dec(gain_a), 2.3266666667, 1e-9);
  EXPECT_NEAR(dec(gain_b), 9.3066666667, 1e-9);
  EXPECT_LE(gain_a + gain_b, pool.eth);
  // A deposit made in the new epoch starts clean.
  const LiquityDepositSnapshot c = liquity_sp_snapshot(pool, units(1'000));
  EXPECT_EQ(liquity_sp_eth_gain(pool, c), LiquityDecimal(0));
}

TEST(LiquityLiquidation, StabilityPoolOffsetOfNothingChangesNothing) {
  LiquityStabilityPool pool;
  pool.total_deposits = units(1'000);
  const LiquityStabilityPool same = liquity_sp_offset(pool, 0, units(1));
  EXPECT_EQ(same.p, pool.p);
  EXPECT_EQ(same.eth, LiquityDecimal(0));
}

}  // namespace
}  // namespace liqsim
