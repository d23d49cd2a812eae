// Liquity's liquidation on the ledger (protocol/liquity_mechanism.h): with an empty Stability Pool the
// trove's debt and collateral (less the liquidator's 0.5%) go to the other troves in proportion to their
// collateral (TroveManager._redistributeDebtAndColl); with a pool that covers part of it, the pool pays
// that part of the debt for the same share of the collateral (_getOffsetAndRedistributionVals).
#include "protocol/liquity_mechanism.h"

#include <gtest/gtest.h>

#include "protocol/tiered_margin.h"
#include "tests/protocol/fake_mechanism_host.h"

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity eth(double x) { return quantity_from_double(x); }

// Troves at $2,000: A holds 10 ETH against 18,500 LUSD (ICR 108% once ETH is at 2,000: below the 110%
// MCR, whose maintenance rate is 1 - 1/1.1), B 20 ETH and C 30 ETH against 10,000 LUSD each.
struct Fixture {
  RunLog log;
  testing_support::NoFillVenue venue;
  ClearingHouse ch{{ProtocolMarket{TieredMaintenanceMargin::flat(ratio_from_double(1.0 - 1.0 / 1.1)),
                                   Ratio(0), Ratio(0), px(2'000)}}};
  AccountId cp = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, usd(10'000'000));
  AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Isolated, usd(1'500));
  AccountId b = ch.open_account(AgentRole::Trader, MarginMode::Isolated, usd(30'000));
  AccountId c = ch.open_account(AgentRole::Trader, MarginMode::Isolated, usd(50'000));
  AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1'000));
  Fixture() {
    ch.ledger().trade(a, cp, MarketId(0), eth(10), usd(20'000));
    ch.ledger().trade(b, cp, MarketId(0), eth(20), usd(40'000));
    ch.ledger().trade(c, cp, MarketId(0), eth(30), usd(60'000));
    for (AccountId x : {a, b, c}) ch.arm(x);
  }
  bool conserved() const {
    return ch.ledger().conservation_residual() == Amount(0) &&
           ch.ledger().position_residual(MarketId(0)) == Quantity(0);
  }
};

TEST(LiquityMechanism, EmptyPoolRedistributesToTheOtherTrovesByCollateral) {
  Fixture f;
  ASSERT_TRUE(f.ch.liquidatable(f.a));
  ASSERT_FALSE(f.ch.liquidatable(f.b));
  testing_support::RecordingHost host;
  LiquityMechanism liquity(LiquityParams{}, f.ch, f.log, f.venue);
  const KeeperTakeover out = liquity.on_transaction(host, f.keeper, f.a, TxIntent{TxAction::Liquidate});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  const Ledger& l = f.ch.ledger();
  // The liquidator: 0.5% of 10 ETH and 200 LUSD.
  EXPECT_EQ(l.position(f.keeper, MarketId(0)).size, eth(0.05));
  EXPECT_EQ(l.account(f.keeper).balance, usd(1'200));
  EXPECT_EQ(liquity.gas_compensation_paid(), usd(200));
  // A is flat and owes nothing; B and C took 9.95 ETH and 18,500 LUSD in the ratio 20 : 30.
  EXPECT_EQ(l.position(f.a, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(l.account(f.a).balance, Amount(0));
  EXPECT_EQ(l.position(f.b, MarketId(0)).size, eth(20 + 9.95 * 0.4));
  EXPECT_EQ(l.position(f.c, MarketId(0)).size, eth(30 + 9.95 * 0.6));
  EXPECT_EQ(l.account(f.b).balance, usd(30'000 - 40'000 - 18'500 * 0.4));
  EXPECT_EQ(l.account(f.c).balance, usd(50'000 - 60'000 - 18'500 * 0.6));
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  // The reward is the 0.5% at the mark, within A's equity before (20,000 - 18,500).
  EXPECT_EQ(f.log.liquidations[0].reward, usd(100));
}

TEST(LiquityMechanism, PoolOffsetsWhatItHoldsAndTheRestIsRedistributed) {
  Fixture f;
  testing_support::RecordingHost host;
  LiquityMechanism liquity(LiquityParams{}, f.ch, f.log, f.venue);
  liquity.seed_pool(usd(9'250));  // half the debt
  ASSERT_EQ(liquity.on_transaction(host, f.keeper, f.a, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  const Ledger& l = f.ch.ledger();
  const AccountId pool = place_account(Place::StabilityPool);
  // The pool paid its 9,250 LUSD for half of the 9.95 ETH; the other half and 9,250 of debt went to B, C.
  EXPECT_EQ(l.account(pool).balance, Amount(0));
  EXPECT_EQ(l.position(pool, MarketId(0)).size, eth(4.975));
  EXPECT_EQ(l.position(f.b, MarketId(0)).size, eth(20 + 4.975 * 0.4));
  EXPECT_EQ(l.account(f.c).balance, usd(50'000 - 60'000 - 9'250 * 0.6));
  EXPECT_EQ(liquity.pool().total_deposits, LiquityDecimal(0));
}

TEST(LiquityMechanism, ATroveAboveTheMcrIsNotLiquidated) {
  Fixture f;
  testing_support::RecordingHost host;
  LiquityMechanism liquity(LiquityParams{}, f.ch, f.log, f.venue);
  EXPECT_NE(liquity.on_transaction(host, f.keeper, f.b, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.log.liquidations.empty());
}

// Recovery Mode (TroveManager._liquidateRecoveryMode; formula vector #76) at $2,000: A holds 10 ETH
// against 18,500 LUSD (ICR 108.1%), B 10 ETH against 17,000 (117.6%), C 30 ETH against 40,000 (150%):
// TCR = 100,000 / 75,500 = 132.5% < 150%.
struct RecoveryFixture {
  RunLog log;
  testing_support::NoFillVenue venue;
  testing_support::RecordingHost host;
  ClearingHouse ch{{ProtocolMarket{TieredMaintenanceMargin::flat(ratio_from_double(1.0 - 1.0 / 1.1)),
                                   Ratio(0), Ratio(0), px(2'000)}}};
  AccountId cp = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, usd(10'000'000));
  AccountId a = trove(10, 1'500);
  AccountId b = trove(10, 3'000);
  AccountId c = trove(30, 20'000);
  AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1'000));

  AccountId trove(double coins, double deposit) {
    const AccountId t = ch.open_account(AgentRole::Trader, MarginMode::Isolated, usd(deposit));
    ch.ledger().trade(t, cp, MarketId(0), eth(coins), usd(coins * 2'000));
    ch.arm(t);
    return t;
  }
  bool conserved() const {
    return ch.ledger().conservation_residual() == Amount(0) &&
           ch.ledger().position_residual(MarketId(0)) == Quantity(0);
  }
};

// MCR <= ICR < TCR with a pool that covers the debt: the pool pays all 17,000 LUSD for collateral capped
// at 17,000 x 1.1 / 2,000 = 9.35 ETH, of which 0.5% (0.04675 ETH) and 200 LUSD go to the liquidator; the
// 0.65 ETH above the cap stays with the borrower, who owes nothing.
TEST(LiquityMechanism, RecoveryModeOffsetsATroveBelowTheTcrCappedAt110Percent) {
  RecoveryFixture f;
  ASSERT_FALSE(f.ch.liquidatable(f.b)) << "above the MCR: Normal Mode would not liquidate it";
  LiquityMechanism liquity(LiquityParams{}, f.ch, f.log, f.venue);
  liquity.seed_pool(usd(20'000));
  const KeeperTakeover out = liquity.on_transaction(f.host, f.keeper, f.b, TxIntent{TxAction::Liquidate});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  const Ledger& l = f.ch.ledger();
  const AccountId pool = place_account(Place::StabilityPool);
  EXPECT_EQ(l.position(f.b, MarketId(0)).size, eth(0.65));
  EXPECT_EQ(l.account(f.b).balance, Amount(0));
  EXPECT_EQ(l.position(f.keeper, MarketId(0)).size, eth(0.04675));
  EXPECT_EQ(l.account(f.keeper).balance, usd(1'200));
  EXPECT_EQ(l.position(pool, MarketId(0)).size, eth(9.30325));
  EXPECT_EQ(l.account(pool).balance, usd(3'000));
  // Nothing was redistributed.
  EXPECT_EQ(l.position(f.c, MarketId(0)).size, eth(30));
  EXPECT_EQ(l.account(f.c).balance, usd(-40'000));
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  EXPECT_EQ(f.log.liquidations[0].quantity, eth(-9.35));
}

// Without the pool's LUSD for the whole debt, or with Recovery Mode off, that trove is not liquidated.
TEST(LiquityMechanism, RecoveryModeCapNeedsThePoolAndTheMode) {
  {
    RecoveryFixture f;
    LiquityMechanism liquity(LiquityParams{}, f.ch, f.log, f.venue);
    liquity.seed_pool(usd(16'999));
    EXPECT_EQ(liquity.on_transaction(f.host, f.keeper, f.b, TxIntent{TxAction::Liquidate}).outcome,
              KeeperOutcome::NotLiquidatable);
  }
  {
    RecoveryFixture f;
    LiquityParams params;
    params.recovery_mode = false;
    LiquityMechanism liquity(params, f.ch, f.log, f.venue);
    liquity.seed_pool(usd(20'000));
    EXPECT_EQ(liquity.on_transaction(f.host, f.keeper, f.b, TxIntent{TxAction::Liquidate}).outcome,
              KeeperOutcome::NotLiquidatable);
    EXPECT_TRUE(f.log.liquidations.empty());
  }
}

// ICR <= 100% in Recovery Mode: everything but the gas compensation is redistributed, the pool untouched.
TEST(LiquityMechanism, RecoveryModeRedistributesATroveAtOrBelow100Percent) {
  RecoveryFixture f;
  f.ch.ledger().transfer(f.a, f.cp, usd(2'000));  // A: 10 ETH against 20,500 LUSD, ICR 97.6%
  LiquityMechanism liquity(LiquityParams{}, f.ch, f.log, f.venue);
  liquity.seed_pool(usd(100'000));
  ASSERT_EQ(liquity.on_transaction(f.host, f.keeper, f.a, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  const Ledger& l = f.ch.ledger();
  EXPECT_EQ(l.account(place_account(Place::StabilityPool)).balance, usd(100'000));
  EXPECT_EQ(l.position(place_account(Place::StabilityPool), MarketId(0)).size, Quantity(0));
  // B and C share 9.95 ETH and 20,500 LUSD by collateral, 10 : 30.
  EXPECT_EQ(l.position(f.b, MarketId(0)).size, eth(10 + 9.95 * 0.25));
  EXPECT_EQ(l.account(f.c).balance, usd(-40'000 - 20'500 * 0.75));
}

// The check follows Liquity's Recovery Mode sequence (_getTotalsFromLiquidateTrovesSequence_RecoveryMode)
// from the lowest ICR: with A's debt lowered to 16,500 (ICR 121.2%; TCR 136.1%) and a pool of 40,000, B
// (117.6%) is taken capped (the TCR without it: 80,000 / 56,500 = 141.6%), then A; C (150%) is above the
// TCR. With a pool of 17,000 only B: after it the pool is empty and the sequence stops at A.
TEST(LiquityMechanism, RecoveryCheckPublishesTheRecoverySequenceLowestFirst) {
  {
    RecoveryFixture f;
    f.ch.ledger().transfer(f.cp, f.a, usd(2'000));
    LiquityMechanism liquity(LiquityParams{}, f.ch, f.log, f.venue);
    liquity.seed_pool(usd(17'000));
    f.host.t = seconds(1);
    liquity.on_timer(f.host, place_account(Place::StabilityPool));
    ASSERT_EQ(f.host.published.size(), 1u);
    EXPECT_EQ(f.host.published[0], f.b);
  }
  RecoveryFixture f;
  f.ch.ledger().transfer(f.cp, f.a, usd(2'000));
  LiquityMechanism liquity(LiquityParams{}, f.ch, f.log, f.venue);
  liquity.seed_pool(usd(40'000));
  EXPECT_TRUE(liquity.on_liquidatable(f.host, f.a));
  ASSERT_EQ(f.host.timers.size(), 1u);
  const auto [at, place] = *f.host.timers.begin();
  EXPECT_EQ(place, place_account(Place::StabilityPool));
  f.host.published.clear();
  f.host.timers.clear();
  f.host.t = at;
  liquity.on_timer(f.host, place);
  ASSERT_EQ(f.host.published.size(), 2u);
  EXPECT_EQ(f.host.published[0], f.b);
  EXPECT_EQ(f.host.published[1], f.a);
  EXPECT_EQ(f.host.timers.size(), 1u) << "the next check";
}

}  // namespace
}  // namespace liqsim
