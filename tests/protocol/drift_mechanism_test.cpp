// Drift v2's perp liquidation on the ledger (protocol/drift_mechanism.h), worked from
// drift-labs/protocol-v2 controller/liquidation.rs (liquidate_perp, resolve_perp_bankruptcy) and
// math/liquidation.rs, with the registry's defaults (liquidator fee 1% to 5%, IF fee <= 1%, buffer 2%, 10%
// at once and 100% after 150 slots of 0.4 s, tier A insurance claim).
//
// The fixture: 100 coins long at a mark of $100 ($10,000), a flat 5% maintenance ratio, equity $400:
// below maintenance ($500) and short of maintenance + buffer ($700) by $300 (at least $50, so the gradual
// schedule applies). By hand from the sources:
//   margin ratio with buffer = 500 + 200 = 700 (1e-4);
//   IF fee = min(1%, 0.95 x (7% - 1% - 300 / (100 x 100))) = min(10,000, 28,500) ppm = 1%
//   (calculate_perp_if_fee); base to cover = 300 / (100 x (7% - 1%) - 100 x 1%) = 60 coins
//   (calculate_base_asset_amount_to_cover_margin_shortage);
//   at once 10% of it (calculate_max_pct_to_liquidate): 6 coins, value $600, liquidator fee $6, IF fee $6.
#include "protocol/drift_mechanism.h"

#include <gtest/gtest.h>

#include "protocol/tiered_margin.h"
#include "tests/protocol/fake_mechanism_host.h"

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

struct Fixture {
  RunLog log;
  testing_support::RecordingHost host;
  ClearingHouse ch{
      {ProtocolMarket{TieredMaintenanceMargin::flat(ratio_from_double(0.05)), Ratio(0), Ratio(0), px(100)}}};
  AccountId counterparty = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, usd(1'000'000));
  AccountId trader = ch.open_account(AgentRole::Trader, MarginMode::Isolated, usd(400));
  AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(100'000));
  DriftLiquidation drift;

  explicit Fixture(DriftMechanismParams p = {}, double equity = 400) : drift(p, ch, log) {
    ch.ledger().seed_insurance_fund(usd(1'000'000));
    ch.ledger().trade(trader, counterparty, MarketId(0), coins(100), usd(10'000 + 400 - equity));
    ch.arm(trader);
  }
  Amount balance(AccountId a) const { return ch.ledger().account(a).balance; }
  Quantity size(AccountId a) const { return ch.ledger().position(a, MarketId(0)).size; }
  bool conserved() const {
    return ch.ledger().conservation_residual() == Amount(0) &&
           ch.ledger().position_residual(MarketId(0)) == Quantity(0);
  }
  KeeperTakeover liquidate() {
    return drift.on_transaction(host, keeper, trader, TxIntent{TxAction::Liquidate});
  }
};

TEST(DriftMechanism, FirstTakeIsTheInitialShareOfTheBaseThatCoversTheShortage) {
  Fixture f;
  ASSERT_TRUE(f.ch.liquidatable(f.trader));
  const Amount fund_before = f.ch.ledger().insurance_fund();
  const std::optional<DriftTakeTerms> t = f.drift.terms(f.trader, f.host.now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->shortage, usd(300));
  EXPECT_EQ(t->take, coins(6));
  EXPECT_EQ(t->value, usd(600));
  EXPECT_EQ(t->liquidator_fee, usd(6));
  EXPECT_EQ(t->if_fee, usd(6));
  EXPECT_FALSE(t->ends_liquidation);
  const KeeperTakeover out = f.liquidate();
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.size(f.trader), coins(94));
  EXPECT_EQ(f.size(f.keeper), coins(6));
  // The keeper paid $600 at the oracle and received its $6 fee; the fund its $6.
  EXPECT_EQ(f.balance(f.keeper), usd(100'000 - 600 + 6));
  EXPECT_EQ(f.ch.ledger().insurance_fund(), fund_before + usd(6));
  EXPECT_EQ(f.ch.equity(f.trader), usd(400 - 12));
  EXPECT_EQ(out.reward, usd(6));
  EXPECT_EQ(out.price, px(99));  // (600 - 6) / 6 per coin
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  EXPECT_EQ(f.log.liquidations[0].quantity, -coins(6));
  EXPECT_EQ(f.log.liquidations[0].reward, usd(6));
  EXPECT_TRUE(f.drift.in_liquidation(f.trader));
}

// calculate_max_pct_to_liquidate: the share grows with the slots since the liquidation began (vector #40:
// 10% + 30 / 150 = 30% at 30 slots) and applies to the margin freed so far; after 150 slots all of the
// remaining cover may go, and a take that covers the shortage ends the liquidation.
TEST(DriftMechanism, GradualScheduleOpensOverSlotsAndEndsAtTheBuffer) {
  Fixture f;
  ASSERT_TRUE(f.drift.on_liquidatable(f.host, f.trader));
  ASSERT_EQ(f.liquidate().outcome, KeeperOutcome::Liquidated);
  // Nothing more at the same slot: 10% of the shortage is freed already.
  EXPECT_FALSE(f.drift.terms(f.trader, f.host.now()));
  f.host.t += millis(400) * 30;
  const std::optional<DriftTakeTerms> at30 = f.drift.terms(f.trader, f.host.now());
  ASSERT_TRUE(at30);
  EXPECT_GT(at30->take, Quantity(0));
  EXPECT_FALSE(at30->ends_liquidation);
  f.host.t += millis(400) * 150;
  const std::optional<DriftTakeTerms> all = f.drift.terms(f.trader, f.host.now());
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->ends_liquidation);
  ASSERT_EQ(f.liquidate().outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_FALSE(f.drift.in_liquidation(f.trader));
  // Out of liquidation at maintenance + buffer (less a rounding unit of the base): not liquidatable.
  EXPECT_FALSE(f.ch.liquidatable(f.trader));
  const Health h = f.ch.health(f.trader);
  EXPECT_GE(h.value, h.requirement + usd(0.02 * to_double(notional(px(100), f.size(f.trader), Round::Up))) -
                         usd(0.01));
}

// Once in liquidation, an account above maintenance but short of the buffer is still liquidated (Drift
// exits only on can_exit_liquidation); one that is not in liquidation is not, and one that recovers past
// the buffer leaves liquidation without a take.
TEST(DriftMechanism, LiquidationLastsUntilTheBuffer) {
  DriftMechanismParams p;
  p.initial_pct_to_liquidate = 10'000;  // all at once: the first take reaches the buffer
  {
    Fixture f(p, 550);  // above maintenance (500), short of the buffer (700)
    ASSERT_FALSE(f.ch.liquidatable(f.trader));
    EXPECT_EQ(f.liquidate().outcome, KeeperOutcome::NotLiquidatable);
    EXPECT_TRUE(f.log.liquidations.empty());
  }
  Fixture f(p, 400);
  ASSERT_TRUE(f.drift.on_liquidatable(f.host, f.trader));
  f.ch.set_mark(MarketId(0), px(101.6));  // equity 560: above maintenance (508), in the buffer
  ASSERT_FALSE(f.ch.liquidatable(f.trader));
  ASSERT_EQ(f.liquidate().outcome, KeeperOutcome::Liquidated);
  EXPECT_FALSE(f.drift.in_liquidation(f.trader));
  EXPECT_EQ(f.liquidate().outcome, KeeperOutcome::NotLiquidatable);
  // Recovery past the buffer: the timer takes it out of liquidation, nothing published.
  Fixture g(p, 400);
  ASSERT_TRUE(g.drift.on_liquidatable(g.host, g.trader));
  g.ch.set_mark(MarketId(0), px(104));  // equity 800 > 100 x 104 x 7% = 728
  g.host.published.clear();
  g.drift.on_timer(g.host, g.trader);
  EXPECT_FALSE(g.drift.in_liquidation(g.trader));
  EXPECT_TRUE(g.host.published.empty());
}

// get_liquidation_fee: the base fee through the 1,500-slot grace, then +1 ppm per slot since the
// liquidation began (vector #39: 2,000 slots give 1.2%), capped at the maximum (5%).
TEST(DriftMechanism, LiquidatorFeeEscalatesWithSlotsInLiquidation) {
  Fixture f;
  ASSERT_TRUE(f.drift.on_liquidatable(f.host, f.trader));
  f.host.t += millis(400) * 2'000;
  const std::optional<DriftTakeTerms> t = f.drift.terms(f.trader, f.host.now());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->liquidator_fee, Amount(mul_div(t->value.raw(), 12'000, 1'000'000, Round::Down)));
  f.host.t += millis(400) * 100'000;
  const std::optional<DriftTakeTerms> capped = f.drift.terms(f.trader, f.host.now());
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->liquidator_fee, Amount(mul_div(capped->value.raw(), 50'000, 1'000'000, Round::Down)));
}

// resolve_perp_bankruptcy: the account is taken over whole (100% at once), left flat at -$1,000 (equity
// -$900 less the $100 liquidator fee; no IF fee past bankruptcy). With no insurance claim left the loss
// moves both sides' cumulative funding by 1,000 / 500 open coins = $2 per coin (vector #41's rule): the
// keeper's 100 coins, another long's 150 and the 250-coin short pay $200, $300 and $500.
TEST(DriftMechanism, BankruptcyIsSocialisedThroughTheFundingIndex) {
  DriftMechanismParams p;
  p.initial_pct_to_liquidate = 10'000;
  p.max_insurance_claim = Amount(0);
  Fixture f(p, -900);
  const AccountId other = f.ch.open_account(AgentRole::Trader, MarginMode::Cross, usd(10'000));
  f.ch.ledger().trade(other, f.counterparty, MarketId(0), coins(150), usd(15'000));
  const Amount fund_before = f.ch.ledger().insurance_fund();
  const Amount other_before = f.balance(other), counterparty_before = f.balance(f.counterparty);
  const KeeperTakeover out = f.liquidate();
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.reward, usd(100));
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.size(f.trader), Quantity(0));
  EXPECT_EQ(f.balance(f.trader), Amount(0));
  ASSERT_EQ(f.log.social_losses.size(), 1u);
  const SocialLossRecord& r = f.log.social_losses[0];
  EXPECT_EQ(r.loss, usd(1'000));
  EXPECT_EQ(r.fund_paid, Amount(0));
  EXPECT_EQ(r.socialised, usd(1'000));
  EXPECT_EQ(r.per_coin, px(2));
  EXPECT_EQ(r.open_base, coins(500));
  EXPECT_EQ(r.liquidation, out.liquidation->raw());
  EXPECT_EQ(f.balance(other), other_before - usd(300));
  EXPECT_EQ(f.balance(f.counterparty), counterparty_before - usd(500));
  EXPECT_EQ(f.balance(f.keeper), usd(100'000 - 10'000 + 100 - 200));
  EXPECT_EQ(f.ch.ledger().insurance_fund(), fund_before);
  EXPECT_EQ(f.ch.ledger().bad_debt(), Amount(0));
}

// The fund pays first, up to the market's claim (quote_max_insurance - quote_settled_insurance), and the
// claim is used up across bankruptcies; the per-coin charge rounds up and its excess goes to the fund.
TEST(DriftMechanism, FundPaysUpToTheInsuranceClaimThenRoundingGoesToTheFund) {
  DriftMechanismParams p;
  p.initial_pct_to_liquidate = 10'000;
  p.max_insurance_claim = usd(400);
  Fixture f(p, -900);
  const Amount fund_before = f.ch.ledger().insurance_fund();
  ASSERT_EQ(f.liquidate().outcome, KeeperOutcome::Liquidated);
  ASSERT_EQ(f.log.social_losses.size(), 1u);
  const SocialLossRecord& r = f.log.social_losses[0];
  EXPECT_EQ(r.fund_paid, usd(400));
  EXPECT_EQ(f.drift.insurance_claimed(MarketId(0)), usd(400));
  // $600 over 200 open coins (the keeper's 100 long, the counterparty's 100 short): $3 per coin, exact.
  EXPECT_EQ(r.per_coin, px(3));
  EXPECT_EQ(r.socialised, usd(600));
  EXPECT_EQ(f.ch.ledger().insurance_fund(), fund_before - usd(400));
  EXPECT_TRUE(f.conserved());
  // A second bankruptcy finds the claim spent: all of it is socialised.
  const AccountId second = f.ch.open_account(AgentRole::Trader, MarginMode::Isolated, Amount(0));
  f.ch.ledger().trade(second, f.counterparty, MarketId(0), coins(3), usd(400));  // equity -100 at 100
  f.ch.arm(second);
  ASSERT_EQ(f.drift.on_transaction(f.host, f.keeper, second, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::Liquidated);
  ASSERT_EQ(f.log.social_losses.size(), 2u);
  EXPECT_EQ(f.log.social_losses[1].fund_paid, Amount(0));
  EXPECT_EQ(f.log.social_losses[1].loss, usd(103));  // 100 + the 1% fee on $300
  // 103 over 206 coins: ceil(103 x 1e9 / 206e9) per base unit, rounded up per position: the excess is the
  // fund's.
  EXPECT_GE(f.log.social_losses[1].socialised, usd(103));
  EXPECT_EQ(f.ch.ledger().insurance_fund(),
            fund_before - usd(400) + f.log.social_losses[1].socialised - usd(103));
  EXPECT_TRUE(f.conserved());
}

// Nobody else holds a position: the rest is recorded bad debt after the fund's claim.
TEST(DriftMechanism, NoOpenPositionLeavesBadDebt) {
  DriftMechanismParams p;
  p.initial_pct_to_liquidate = 10'000;
  p.max_insurance_claim = Amount(0);
  Fixture f(p, -900);
  // The counterparty closes against the keeper first, so the keeper's take leaves every account flat.
  f.ch.ledger().trade(f.counterparty, f.keeper, MarketId(0), coins(100), usd(10'000));  // keeper short 100
  const KeeperTakeover out = f.liquidate();
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_TRUE(f.log.social_losses.empty());
  EXPECT_EQ(f.ch.ledger().bad_debt(), usd(1'000));
  EXPECT_EQ(f.balance(f.trader), Amount(0));
}

TEST(DriftMechanism, KeeperThatCannotCarryThePositionRevertsEverything) {
  Fixture f;
  const AccountId poor = f.ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1));
  const Amount before = f.balance(f.trader);
  EXPECT_EQ(f.drift.on_transaction(f.host, poor, f.trader, TxIntent{TxAction::Liquidate}).outcome,
            KeeperOutcome::KeeperUndercollateralised);
  EXPECT_EQ(f.balance(f.trader), before);
  EXPECT_EQ(f.size(f.trader), coins(100));
  EXPECT_TRUE(f.log.liquidations.empty());
  EXPECT_TRUE(f.conserved());
}

// A keeper bot's estimate is the call itself: the quote equals the terms and the take-over it then gets.
TEST(DriftMechanism, QuoteIsWhatTheTransactionGives) {
  Fixture f;
  const std::optional<LiquidationQuote> q = f.drift.quote(f.trader, f.host.now());
  ASSERT_TRUE(q);
  const KeeperTakeover out = f.liquidate();
  EXPECT_EQ(q->take, out.quantity);
  EXPECT_EQ(q->reward, out.reward);
  EXPECT_EQ(q->value, usd(600));
}

}  // namespace
}  // namespace liqsim
