// Synthetix Perps v2's liquidation on the ledger (protocol/synthetix_mechanism.h) on reference vectors
// #47-#49 (PerpsV2MarketBase.sol): 10 ETH at $2,000 with a margin of 500: the flag fee is max(min(20,000
// x 2 bps, 100), 4) = 4, the liquidation margin 150 + 4 + 2 = 156, the premium 0.3125; with a PnL of -340
// the remaining 159.6875 is above it (not liquidatable), with -345 it is 154.6875 (liquidatable).
#include "protocol/synthetix_mechanism.h"

#include <gtest/gtest.h>

#include "protocol/tiered_margin.h"
#include "tests/protocol/fake_mechanism_host.h"

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity eth(double x) { return quantity_from_double(x); }

// 10 ETH bought from the debt pool for 20,000 - pnl with a margin of 500, the mark at 2,000.
struct Fixture {
  RunLog log;
  testing_support::RecordingHost host;
  ClearingHouse ch{{ProtocolMarket{TieredMaintenanceMargin::flat(ratio_from_double(0.0075)), Ratio(0),
                                   Ratio(0), px(2'000)}}};
  AccountId trader = ch.open_account(AgentRole::Trader, MarginMode::Isolated, usd(500));
  AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1'000));
  const AccountId pool = place_account(Place::BackstopVault);
  SynthetixLiquidation snx{SynthetixLiquidationParams{}, ch, log};

  explicit Fixture(double pnl) {
    ch.ledger().trade(trader, pool, MarketId(0), eth(10), usd(20'000 - pnl));
    ch.arm(trader);
  }
  Amount balance(AccountId a) const { return ch.ledger().account(a).balance; }
  bool conserved() const {
    return ch.ledger().conservation_residual() == Amount(0) &&
           ch.ledger().position_residual(MarketId(0)) == Quantity(0);
  }
};

TEST(SynthetixMechanism, CanLiquidateFollowsVector49) {
  Fixture f(-345);
  EXPECT_TRUE(f.snx.can_liquidate(f.trader, MarketId(0)));
  Fixture g(-340);
  EXPECT_FALSE(g.snx.can_liquidate(g.trader, MarketId(0)));
  EXPECT_EQ(g.snx.on_transaction(g.host, g.keeper, g.trader, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::NotLiquidatable);
  EXPECT_TRUE(g.log.liquidations.empty());
}

// Liquidated: the position back to the pool at 2,000; the keeper minted 4 + 2; the 155 left of the margin
// to the stakers (the fee pool).
TEST(SynthetixMechanism, LiquidationMintsTheKeeperFeesAndTheStakersKeepTheMargin) {
  Fixture f(-345);
  const Amount outside_before = f.balance(place_account(Place::Outside));
  const KeeperTakeover out = f.snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::Bark});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.ch.ledger().position(f.trader, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(f.balance(f.trader), Amount(0));
  EXPECT_EQ(f.ch.ledger().fee_pool(), usd(155));
  EXPECT_EQ(f.balance(f.keeper), usd(1'006));
  EXPECT_EQ(f.balance(place_account(Place::Outside)), outside_before - usd(6));
  EXPECT_EQ(f.ch.ledger().position(f.pool, MarketId(0)).size, Quantity(0));
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  EXPECT_EQ(f.log.liquidations[0].reward, Amount(0));
}

// A loss beyond the margin (PnL -600 on a margin of 500) is the debt pool's: the account ends at 0.
TEST(SynthetixMechanism, LossBeyondTheMarginIsTheDebtPools) {
  Fixture f(-600);
  const Amount pool_before = f.balance(f.pool);
  ASSERT_EQ(f.snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.balance(f.trader), Amount(0));
  EXPECT_EQ(f.ch.ledger().fee_pool(), Amount(0));
  EXPECT_EQ(f.balance(f.pool), pool_before - usd(20'000) - usd(100));
  EXPECT_EQ(f.ch.ledger().bad_debt(), Amount(0));
}

}  // namespace
}  // namespace liqsim
