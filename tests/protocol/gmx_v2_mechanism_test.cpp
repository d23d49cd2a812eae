// GMX v2's liquidation on the ledger (protocol/gmx_v2_mechanism.h) on reference vectors #44 and #45
// (gmx-synthetics PositionUtils.isPositionLiquidatable, PositionPricingUtils.getLiquidationFees): a $10,000
// position with $200 of collateral, $10 of position fee (0.1%), a 1% minimum collateral factor and a 0.20%
// liquidation fee. The vector's -$10 of price impact is not counted: maxPositionImpactFactorForLiquidations
// is 0 on every market of config/markets.ts, which caps the negative impact the check counts at 0, so a
// loss of $90 leaves exactly the $100 minimum (not liquidatable) and $91 leaves $99 (liquidatable), the
// vector's two cases shifted by its impact. Fees split 37% to the fee receiver (config/general.ts).
#include "protocol/gmx_v2_mechanism.h"

#include <gtest/gtest.h>

#include "protocol/tiered_margin.h"
#include "tests/protocol/fake_mechanism_host.h"

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

GmxV2MechanismParams vector_params() {
  GmxV2MechanismParams p;
  p.check.min_collateral_factor = kGmxFloatPrecision / 100;  // 1%
  p.position_fee_factor = kGmxFloatPrecision / 1000;         // 0.1%: $10 on $10,000
  return p;
}

// 100 coins at a mark of $100 ($10,000 of size) bought for 10,000 + loss with $200 of collateral; the
// market's margin model flags the account at the same point as the contract (1% + the 0.1% fee).
struct Fixture {
  RunLog log;
  testing_support::RecordingHost host;
  ClearingHouse ch{
      {ProtocolMarket{TieredMaintenanceMargin::flat(ratio_from_double(0.011)), Ratio(0), Ratio(0), px(100)}}};
  AccountId trader = ch.open_account(AgentRole::Trader, MarginMode::Isolated, usd(200));
  AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1'000));
  const AccountId pool = place_account(Place::BackstopVault);
  GmxV2Liquidation gmx{vector_params(), ch, log};

  explicit Fixture(double loss) {
    ch.ledger().trade(trader, pool, MarketId(0), coins(100), usd(10'000 + loss));
    ch.arm(trader);
  }
  Amount balance(AccountId a) const { return ch.ledger().account(a).balance; }
  Quantity size(AccountId a) const { return ch.ledger().position(a, MarketId(0)).size; }
  bool conserved() const {
    return ch.ledger().conservation_residual() == Amount(0) &&
           ch.ledger().position_residual(MarketId(0)) == Quantity(0);
  }
  // Detection flags the account; the protocol's keepers execute their order keeper_delay later.
  void flag_and_execute() {
    gmx.on_liquidatable(host, trader);
    ASSERT_EQ(host.timers.size(), 1u);
    host.t = host.timers.begin()->first;
    host.timers.clear();
    gmx.on_timer(host, trader);
  }
};

TEST(GmxV2Mechanism, RemainingCollateralFollowsVector44WithoutImpact) {
  Fixture healthy(90), liquidatable(91);
  EXPECT_EQ(healthy.gmx.check(healthy.trader, MarketId(0)).remaining_collateral_usd, usd(100).raw());
  EXPECT_FALSE(healthy.gmx.check(healthy.trader, MarketId(0)).liquidatable);
  EXPECT_EQ(liquidatable.gmx.check(liquidatable.trader, MarketId(0)).remaining_collateral_usd, usd(99).raw());
  EXPECT_TRUE(liquidatable.gmx.check(liquidatable.trader, MarketId(0)).liquidatable);
}

// Vector #45: 0.20% of $10,000 is $20. The position fee rounds down to the collateral token's unit (USDC,
// 1e-6) and the liquidation fee up (Calc.roundUpDivision).
TEST(GmxV2Mechanism, CloseFeesFollowVector45AndRoundAsTheContract) {
  Fixture f(0);
  const GmxV2CloseFees fees = f.gmx.close_fees(usd(10'000));
  EXPECT_EQ(fees.liquidation_fee, usd(20));
  EXPECT_EQ(fees.position_fee, usd(10));
  const GmxV2CloseFees odd = f.gmx.close_fees(Amount(10'000'000'001));  // $10,000.000001
  EXPECT_EQ(odd.position_fee, Amount(10'000'000));                      // 10.000000001 down
  EXPECT_EQ(odd.liquidation_fee, Amount(20'000'001));                   // 20.000000002 up
}

// Loss $91: closed against the pool at 100; of the $109 left, $10 + $20 of fees (37% = $11.10 to the fee
// receiver, $18.90 to the pool); the trader keeps $79. The keepers are the protocol's: nobody is paid.
TEST(GmxV2Mechanism, LiquidationPaysBothFeesSplitsThemAndReturnsTheRest) {
  Fixture f(91);
  const Amount pool_before = f.balance(f.pool);
  f.flag_and_execute();
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.size(f.trader), Quantity(0));
  EXPECT_EQ(f.size(f.pool), Quantity(0));
  EXPECT_EQ(f.balance(f.trader), usd(79));
  EXPECT_EQ(f.ch.ledger().fee_pool(), usd(11.10));
  EXPECT_EQ(f.balance(f.pool), pool_before - usd(10'000) + usd(18.90));
  EXPECT_EQ(f.balance(f.keeper), usd(1'000));
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  const LiquidationRecord& rec = f.log.liquidations[0];
  EXPECT_EQ(rec.price, px(100));
  EXPECT_EQ(rec.quantity, -coins(100));
  EXPECT_EQ(rec.reward, Amount(0));
  EXPECT_EQ(rec.keeper, kNoId);
  EXPECT_EQ(rec.mechanism, LiquidationMechanismKind::Engine);
  EXPECT_FALSE(f.ch.ledger().account(f.trader).in_liquidation);
}

// Loss $185: $15 left, below the $30 of fees: all of it is credited to the pool, none to the fee receiver.
TEST(GmxV2Mechanism, CollateralShortOfTheFeesGoesToThePoolEntirely) {
  Fixture f(185);
  const Amount pool_before = f.balance(f.pool);
  f.flag_and_execute();
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.balance(f.trader), Amount(0));
  EXPECT_EQ(f.ch.ledger().fee_pool(), Amount(0));
  EXPECT_EQ(f.balance(f.pool), pool_before - usd(10'000) + usd(15));
}

// Loss $250: an insolvent close; the $50 beyond the collateral is never paid, the pool bears it.
TEST(GmxV2Mechanism, LossBeyondTheCollateralIsThePools) {
  Fixture f(250);
  const Amount pool_before = f.balance(f.pool);
  f.flag_and_execute();
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.balance(f.trader), Amount(0));
  EXPECT_EQ(f.balance(f.pool), pool_before - usd(10'000) - usd(50));
  EXPECT_EQ(f.ch.ledger().bad_debt(), Amount(0));
  EXPECT_EQ(f.ch.ledger().insurance_fund(), Amount(0));
}

// One order at a time: a second flag before the first executes schedules nothing; the order executes
// keeper_delay (1 s) after detection.
TEST(GmxV2Mechanism, OneOrderPerAccountAfterTheKeeperDelay) {
  Fixture f(91);
  const Time flagged = f.host.t;
  EXPECT_FALSE(f.gmx.on_liquidatable(f.host, f.trader));
  EXPECT_FALSE(f.gmx.on_liquidatable(f.host, f.trader));
  ASSERT_EQ(f.host.timers.size(), 1u);
  EXPECT_EQ(f.host.timers.begin()->first, flagged + seconds(1));
  EXPECT_TRUE(f.ch.ledger().account(f.trader).in_liquidation);
}

// The account recovered before the order executed: nothing moves.
TEST(GmxV2Mechanism, HealthyAtExecutionIsLeftAlone) {
  Fixture f(90);
  f.flag_and_execute();
  EXPECT_EQ(f.size(f.trader), coins(100));
  EXPECT_TRUE(f.log.liquidations.empty());
}

// Outside keepers cannot liquidate (LiquidationHandler: onlyLiquidationKeeper).
TEST(GmxV2Mechanism, OutsideKeepersTransactionsMoveNothing) {
  Fixture f(91);
  EXPECT_EQ(f.gmx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::NotLiquidatable);
  EXPECT_EQ(f.size(f.trader), coins(100));
}

}  // namespace
}  // namespace liqsim
