// Synthetix Perps v2's two-step liquidation on the ledger (protocol/synthetix_mechanism.h) on reference
// vectors #47-#49 (PerpsV2MarketBase.sol): 10 ETH at $2,000 with a margin of 500: the flag fee is
// max(min(20,000 x 2 bps, 100), 4) = 4, the liquidation margin 150 + 4 + 2 = 156, the premium 0.3125; with a
// PnL of -340 the remaining 159.6875 is above it (not liquidatable), with -345 it is 154.6875 (liquidatable).
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
  // flagPosition reverts: nothing flagged, nothing moves.
  EXPECT_EQ(g.snx.on_transaction(g.host, g.keeper, g.trader, TxIntent{TxAction::Bark}).outcome,
            KeeperOutcome::NotLiquidatable);
  EXPECT_FALSE(g.snx.frozen(g.trader));
  EXPECT_TRUE(g.log.liquidations.empty());
}

// PerpsV2MarketLiquidate.sol: flagPosition moves nothing, freezes the position and is published to keepers
// (and again every flag poll while it waits); liquidatePosition, by another keeper, closes it: the flag fee
// (4) is minted to the flagger, the liquidator fee (2) to the liquidator, and the stakers (the fee pool)
// receive remainingMargin - totalFees = 155 - 6 = 149.
TEST(SynthetixMechanism, FlagThenLiquidatePaysFlaggerAndLiquidatorAndTheStakersTheRest) {
  Fixture f(-345);
  const AccountId liquidator = f.ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1'000));
  const Amount outside_before = f.balance(place_account(Place::Outside));
  // liquidatePosition on an unflagged position reverts (the flagged modifier).
  EXPECT_EQ(f.snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::NotLiquidatable);
  const KeeperTakeover flag = f.snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::Bark});
  ASSERT_EQ(flag.outcome, KeeperOutcome::Liquidated);
  EXPECT_FALSE(flag.liquidation.has_value());
  EXPECT_EQ(flag.quantity, Quantity(0));
  EXPECT_TRUE(f.snx.frozen(f.trader));
  EXPECT_EQ(f.snx.flagged(), 1u);
  EXPECT_TRUE(f.log.liquidations.empty());
  EXPECT_EQ(f.ch.ledger().position(f.trader, MarketId(0)).size, eth(10));
  ASSERT_EQ(f.host.published, std::vector<AccountId>{f.trader});
  ASSERT_EQ(f.host.timers.size(), 1u);
  EXPECT_EQ(f.host.timers.begin()->first, f.host.t + seconds(60));
  f.snx.on_timer(f.host, f.trader);  // still flagged: published again
  EXPECT_EQ(f.host.published.size(), 2u);
  // A second flag reverts (notFlagged).
  EXPECT_EQ(f.snx.on_transaction(f.host, liquidator, f.trader, TxIntent{TxAction::Bark}).outcome,
            KeeperOutcome::NotLiquidatable);

  // The quotes: the liquidator's fee for anyone, the flag fee on top for the flagger.
  const std::optional<LiquidationQuote> q = f.snx.quote(f.trader, f.host.t);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->reward, usd(2));
  EXPECT_EQ(q->beneficiary, std::optional<AccountId>(f.keeper));
  EXPECT_EQ(q->beneficiary_reward, usd(4));
  EXPECT_EQ(q->value, Amount(0));
  EXPECT_EQ(q->action, TxAction::Liquidate);

  const KeeperTakeover out =
      f.snx.on_transaction(f.host, liquidator, f.trader, TxIntent{TxAction::Liquidate});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  ASSERT_TRUE(out.liquidation.has_value());
  EXPECT_TRUE(f.conserved());
  EXPECT_FALSE(f.snx.frozen(f.trader));
  EXPECT_EQ(f.ch.ledger().position(f.trader, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(f.balance(f.trader), Amount(0));
  EXPECT_EQ(f.ch.ledger().fee_pool(), usd(149));
  EXPECT_EQ(f.balance(f.keeper), usd(1'004));
  EXPECT_EQ(f.balance(liquidator), usd(1'002));
  // Minted 6, of which the margin's 6 came back: the outside world is even.
  EXPECT_EQ(f.balance(place_account(Place::Outside)), outside_before);
  EXPECT_EQ(f.ch.ledger().position(f.pool, MarketId(0)).size, Quantity(0));
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  EXPECT_EQ(f.log.liquidations[0].reward, Amount(0));
  // The timer of a liquidated flag publishes nothing more.
  f.snx.on_timer(f.host, f.trader);
  EXPECT_EQ(f.host.published.size(), 2u);
}

// liquidatePosition does not check canLiquidate again: a flagged position whose price recovered is still
// liquidated.
TEST(SynthetixMechanism, FlaggedPositionIsLiquidatedEvenAfterARecovery) {
  Fixture f(-345);
  ASSERT_EQ(f.snx.quote(f.trader, f.host.t)->action, TxAction::Bark);
  ASSERT_EQ(f.snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::Bark}).outcome,
            KeeperOutcome::Liquidated);
  f.ch.set_mark(MarketId(0), px(2'100));  // +1,000 of PnL
  ASSERT_FALSE(f.snx.can_liquidate(f.trader, MarketId(0)));
  ASSERT_EQ(f.snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.ch.ledger().position(f.trader, MarketId(0)).size, Quantity(0));
  // Margin 155 + 1,000 at 2,100, less the flag fee max(min(21,000 x 2 bps, 100), 4) = 4.2 and 2.
  EXPECT_EQ(f.ch.ledger().fee_pool(), usd(1'155 - 6.2));
  EXPECT_EQ(f.balance(f.keeper), usd(1'006.2));
}

// A loss beyond the margin (PnL -600 on a margin of 500) is the debt pool's: the account ends at 0 and the
// stakers receive nothing; the fees are minted.
TEST(SynthetixMechanism, LossBeyondTheMarginIsTheDebtPools) {
  Fixture f(-600);
  const Amount pool_before = f.balance(f.pool);
  const Amount outside_before = f.balance(place_account(Place::Outside));
  for (const TxAction step : {TxAction::Bark, TxAction::Liquidate})
    ASSERT_EQ(f.snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{step}).outcome,
              KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.balance(f.trader), Amount(0));
  EXPECT_EQ(f.ch.ledger().fee_pool(), Amount(0));
  EXPECT_EQ(f.balance(f.pool), pool_before - usd(20'000) - usd(100));
  EXPECT_EQ(f.balance(place_account(Place::Outside)), outside_before - usd(6));
  EXPECT_EQ(f.ch.ledger().bad_debt(), Amount(0));
}

// The limits of liquidatePosition (sETH-PERP: maxLiquidationDelta 0.0008, maxPD 0.0016, skew scale 1e6):
// 10 ETH is 1e-5 of the scale and passes; with a skew scale of 10,000 it is 0.001 > 0.0008 and reverts,
// leaving the position flagged and frozen; at exactly the limit it reverts too (the check is strict).
TEST(SynthetixMechanism, LiquidationLimitsRevertAndLeaveThePositionFlagged) {
  SynthetixLiquidationParams limits;
  limits.max_liquidation_delta = kSynthetixUnit * 8 / 10'000;
  limits.max_pd = kSynthetixUnit * 16 / 10'000;
  EXPECT_TRUE(synthetix_within_liquidation_limits(10 * kSynthetixUnit, 10 * kSynthetixUnit, limits));
  limits.skew_scale = 12'500 * kSynthetixUnit;  // 10 / 12,500 = 0.0008: not below the limit
  EXPECT_FALSE(synthetix_within_liquidation_limits(10 * kSynthetixUnit, 0, limits));
  limits.skew_scale = 12'501 * kSynthetixUnit;
  EXPECT_TRUE(synthetix_within_liquidation_limits(10 * kSynthetixUnit, 0, limits));
  EXPECT_FALSE(synthetix_within_liquidation_limits(10 * kSynthetixUnit, 21 * kSynthetixUnit, limits));  // PD
  limits.skew_scale = 10'000 * kSynthetixUnit;
  limits.max_pd = 0;  // no PD limit

  Fixture f(-345);
  SynthetixLiquidation snx(limits, f.ch, f.log);
  ASSERT_EQ(snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::Bark}).outcome,
            KeeperOutcome::Liquidated);  // the flag
  EXPECT_FALSE(snx.within_limits(f.trader, MarketId(0)));
  // A keeper's simulation of liquidatePosition fails: the quote is forceLiquidatePosition, paying no
  // liquidator fee (the flag fee still goes to the flagger).
  const std::optional<LiquidationQuote> q = snx.quote(f.trader, f.host.t);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->action, TxAction::ForceLiquidate);
  EXPECT_EQ(q->reward, Amount(0));
  EXPECT_GT(q->beneficiary_reward, Amount(0));
  EXPECT_EQ(q->beneficiary, f.keeper);
  EXPECT_EQ(snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::NotLiquidatable);
  EXPECT_TRUE(snx.frozen(f.trader));
  EXPECT_TRUE(f.log.liquidations.empty());
  EXPECT_TRUE(f.conserved());

  // forceLiquidatePosition (PerpsV2MarketLiquidate.sol): "address not endorsed" reverts; an endorsed
  // sender liquidates without the limits and is paid nothing (liquidatorFee 0), the flagger its fee.
  const AccountId endorsed = f.ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1'000));
  EXPECT_EQ(snx.on_transaction(f.host, f.keeper, f.trader, TxIntent{TxAction::ForceLiquidate}).outcome,
            KeeperOutcome::NotLiquidatable);
  snx.endorse(endorsed);
  const Amount flagger_before = f.balance(f.keeper);
  const KeeperTakeover forced =
      snx.on_transaction(f.host, endorsed, f.trader, TxIntent{TxAction::ForceLiquidate});
  ASSERT_EQ(forced.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(f.balance(endorsed), usd(1'000));
  EXPECT_EQ(f.balance(f.keeper) - flagger_before, q->beneficiary_reward);
  EXPECT_FALSE(snx.frozen(f.trader));
  EXPECT_EQ(f.ch.ledger().position(f.trader, MarketId(0)).size, Quantity(0));
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  EXPECT_EQ(f.log.liquidations[0].keeper, int64_t(endorsed.raw()));
  EXPECT_TRUE(f.conserved());
  // Nothing is left to force.
  EXPECT_EQ(snx.on_transaction(f.host, endorsed, f.trader, TxIntent{TxAction::ForceLiquidate}).outcome,
            KeeperOutcome::NotLiquidatable);
}

}  // namespace
}  // namespace liqsim
