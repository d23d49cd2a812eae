// GMX v1's liquidation on the ledger (protocol/gmx_mechanism.h) on reference vector #42 (gmx-contracts
// VaultUtils.validateLiquidation: collateral $100, size $1,000, 10 bps margin fee, $5 liquidation fee,
// 50x): a loss of 110 or 95 is state 1 (liquidated, the keeper paid $5 by the pool, the rest of the
// collateral the pool's), 85 is state 2 (closed, the user keeps the rest), 70 is healthy. Positions go
// back to the pool (the backstop_vault place) at the mark: nothing reaches a book.
#include "protocol/gmx_mechanism.h"

#include <gtest/gtest.h>

#include "protocol/tiered_margin.h"
#include "tests/protocol/fake_mechanism_host.h"

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// 10 coins at a mark of $100 ($1,000 of size) bought for 1,000 + loss with $100 of collateral.
struct Fixture {
  RunLog log;
  testing_support::RecordingHost host;
  ClearingHouse ch{
      {ProtocolMarket{TieredMaintenanceMargin::flat(ratio_from_double(0.02)), Ratio(0), Ratio(0), px(100)}}};
  AccountId trader = ch.open_account(AgentRole::Trader, MarginMode::Isolated, usd(100));
  AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1'000));
  const AccountId pool = place_account(Place::BackstopVault);
  GmxV1Liquidation gmx{GmxMechanismParams{}, ch, log};

  explicit Fixture(double loss) {
    ch.ledger().trade(trader, pool, MarketId(0), coins(10), usd(1'000 + loss));
    ch.arm(trader);
  }
  Amount balance(AccountId a) const { return ch.ledger().account(a).balance; }
  Quantity size(AccountId a) const { return ch.ledger().position(a, MarketId(0)).size; }
  bool conserved() const {
    return ch.ledger().conservation_residual() == Amount(0) &&
           ch.ledger().position_residual(MarketId(0)) == Quantity(0);
  }
  KeeperTakeover liquidate() {
    return gmx.on_transaction(host, keeper, trader, TxIntent{TxAction::Liquidate});
  }
};

TEST(GmxV1Mechanism, StatesFollowVector42) {
  for (const auto& [loss, expected] : {std::pair{110.0, GmxV1LiquidationState::Liquidate},
                                       {95.0, GmxV1LiquidationState::Liquidate},
                                       {85.0, GmxV1LiquidationState::MaxLeverageExceeded},
                                       {70.0, GmxV1LiquidationState::Healthy}}) {
    Fixture f(loss);
    EXPECT_EQ(f.gmx.state(f.trader, MarketId(0)), expected) << "loss " << loss;
  }
}

// State 1: the position goes back to the pool at 100, the $1 margin fee to the fee pool, the $4 left to
// the pool, which pays the keeper $5.
TEST(GmxV1Mechanism, StateOneGivesTheCollateralToThePoolWhichPaysTheKeeper) {
  Fixture f(95);
  const Amount pool_before = f.balance(f.pool);
  const KeeperTakeover out = f.liquidate();
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.size(f.trader), Quantity(0));
  EXPECT_EQ(f.balance(f.trader), Amount(0));
  EXPECT_EQ(f.size(f.pool), Quantity(0));  // the pool's side of the position is closed
  EXPECT_EQ(f.balance(f.pool), pool_before - usd(1'000) + usd(4) - usd(5));
  EXPECT_EQ(f.ch.ledger().fee_pool(), usd(1));
  EXPECT_EQ(f.balance(f.keeper), usd(1'005));
  EXPECT_EQ(out.quantity, Quantity(0)) << "the keeper receives no position";
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  EXPECT_EQ(f.log.liquidations[0].price, px(100));
  EXPECT_EQ(f.log.liquidations[0].reward, Amount(0));
}

// State 1 with a loss beyond the collateral: no fee can be paid; the pool bears the $10 of bad debt.
TEST(GmxV1Mechanism, LossBeyondTheCollateralIsThePools) {
  Fixture f(110);
  const Amount pool_before = f.balance(f.pool);
  ASSERT_EQ(f.liquidate().outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.balance(f.trader), Amount(0));
  EXPECT_EQ(f.balance(f.pool), pool_before - usd(1'000) - usd(10) - usd(5));
  EXPECT_EQ(f.ch.ledger().fee_pool(), Amount(0));
  EXPECT_EQ(f.ch.ledger().bad_debt(), Amount(0)) << "GLP absorbs it";
}

// State 2: closed against the pool, the $1 fee paid, the user keeps $14; no liquidation fee.
TEST(GmxV1Mechanism, StateTwoClosesAndTheUserKeepsTheRest) {
  Fixture f(85);
  ASSERT_EQ(f.liquidate().outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.size(f.trader), Quantity(0));
  EXPECT_EQ(f.balance(f.trader), usd(14));
  EXPECT_EQ(f.balance(f.keeper), usd(1'000));
}

TEST(GmxV1Mechanism, HealthyPositionIsLeftAlone) {
  Fixture f(70);
  EXPECT_EQ(f.liquidate().outcome, KeeperOutcome::NotLiquidatable);
  EXPECT_EQ(f.size(f.trader), coins(10));
  EXPECT_TRUE(f.log.liquidations.empty());
}

}  // namespace
}  // namespace liqsim
