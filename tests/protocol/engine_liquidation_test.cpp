// EngineLiquidation in each venue's sequence (protocol/engine_liquidation.h): scenario tests on one
// book (a tiny world and the expected events) and the sequences' rules against the reference vectors of
// /work/shared/reference/protocol_vectors.json (#27, #28 Hyperliquid; #4 bracket table for BitMEX).
#include "protocol/engine_liquidation.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "protocol/tiered_margin.h"
#include "tests/protocol/liquidation_fixture.h"

namespace liqsim {
namespace {

using namespace liquidation_test;

// Binance sequence, step 25 %, cool-down 30 s, no clearance fee. At mark 9,040 (equity 40 < MM 45.20)
// the engine sells 0.25 at 9,040: the account keeps its equity of 40 against MM 33.90 and is compliant,
// so liquidation stops there and the user keeps the remaining 0.75 coin and its margin.
TEST(EngineLiquidation, PartialCloseThatMakesTheAccountCompliantStopsAndTheUserKeepsTheRest) {
  World w;
  EngineLiquidation engine(engine_params(0.25, 5'000), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(2));
  w.ch.set_mark(MarketId(0), px(9'040));
  ASSERT_TRUE(w.ch.liquidatable(w.trader));
  EXPECT_FALSE(engine.step(w.trader, at(100)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.size(w.trader), coins(0.75));
  EXPECT_EQ(w.balance(w.trader), dollars(-9'000 + 2'260));
  EXPECT_EQ(w.ch.equity(w.trader), dollars(40));
  EXPECT_FALSE(w.ch.liquidatable(w.trader));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].quantity, coins(-0.25));
  EXPECT_EQ(w.log.liquidations[0].price, px(9'040));
  EXPECT_FALSE(w.ch.ledger().account(w.trader).in_liquidation);
}

// The same step with Binance's clearance fee of 0.5 % (protocols.md 1.1, "0.3-0.5 % on the liquidated
// amount"): 0.5 % of the executed 2,260 = 11.30 goes to the insurance fund, leaving equity 28.70 < MM
// 33.90, so the next 25 % step follows after the cool-down. A whole close at 9,035 (fills 0.5 @ 9,040
// and 0.5 @ 9,030) would owe 45.175 but the account holds only 35: the fee takes 35 and no more.
TEST(EngineLiquidation, BinanceClearanceFeeGoesToTheFundAndNeverExceedsWhatTheAccountHolds) {
  {
    World w;
    EngineLiquidation engine(engine_params(0.25, 5'000, EngineSequence::Binance, 0.005), w.ch, w.venue,
                             w.log);
    w.venue.rest(w.maker, Side::Buy, px(9'040), coins(2));
    w.ch.set_mark(MarketId(0), px(9'040));
    const std::optional<Time> next = engine.step(w.trader, at(100));
    EXPECT_TRUE(conserved(w.ch));
    EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'011.30));
    EXPECT_EQ(w.ch.equity(w.trader), dollars(28.70));
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(*next, seconds(130));
    EXPECT_TRUE(w.ch.ledger().account(w.trader).in_liquidation);
  }
  {
    World w(dollars(1'000));
    EngineLiquidation engine(engine_params(0.25, 1e9, EngineSequence::Binance, 0.005), w.ch, w.venue, w.log);
    w.venue.rest(w.maker, Side::Buy, px(9'040), coins(0.5));
    w.venue.rest(w.maker, Side::Buy, px(9'030), coins(0.5));
    w.ch.set_mark(MarketId(0), px(9'040));
    EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
    EXPECT_TRUE(conserved(w.ch));
    EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'035));
    EXPECT_EQ(w.balance(w.trader), Amount(0));
    EXPECT_EQ(w.ch.ledger().bad_debt(), Amount(0));
  }
}

// Hyperliquid charges no clearance fee: the same whole close leaves the account its 35 (9,035 received
// against a balance of -9,000); the fund is untouched. The maker pays its 0.02 % fee (1.807).
TEST(EngineLiquidation, HyperliquidCloseChargesNoFeeAndTheUserKeepsTheLeftover) {
  World w(dollars(1'000));
  EngineLiquidation engine(engine_params(0.25, 1e9, EngineSequence::Hyperliquid), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(0.5));
  w.venue.rest(w.maker, Side::Buy, px(9'030), coins(0.5));
  w.ch.set_mark(MarketId(0), px(9'040));
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000));
  EXPECT_EQ(w.balance(w.trader), dollars(35));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  EXPECT_EQ(w.ch.ledger().fee_pool(), dollars(1.807));
}

// Binance: the book takes only 0.1 of a 0.25 step at 9,040, so the insurance fund takes over the other
// 0.9 at the bankruptcy price: the account's balance -8,096 against 0.9 coin, 8,096 / 0.9 = 8,995.555555
// per coin (rounded down, against the account). The account ends at 0; the fund holds 0.9 coin it paid
// 8,096 for (worth 8,136 at the mark: it gained the account's 40 of margin) and unwinds it into the book
// when bids come back, a mark interval later: 0.9 at 9,000 = 8,100, so the fund ends at 1,004.
// A bankrupt account whose only counterparty is a protocol place (never auto-deleveraged), with an empty
// fund and an empty book, under a zero cool-down: ADL finds nobody, nothing moves, nothing is recorded,
// and the step is retried later rather than at the same instant (a random scenario once looped here,
// recording empty liquidations until memory ran out).
TEST(EngineLiquidation, AdlWithoutCounterpartiesRecordsNothingAndWaits) {
  RunLog log;
  ClearingHouse ch{
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.005)), rate(0.0004), rate(0.0002), px(10'000)}}};
  BookVenue venue{ch, px(0.01)};
  const AccountId trader = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(1'000));
  ch.ledger().trade(trader, place_account(Place::BackstopVault), MarketId(0), coins(1), dollars(10'000));
  ch.arm(trader);
  EngineLiquidationParams params = engine_params(0.25, 0, EngineSequence::Bitmex);
  params.cooldown = Time(0);
  EngineLiquidation engine(params, ch, venue, log);
  ch.set_mark(MarketId(0), px(8'900));  // equity 1,000 - 1,100 < 0
  ASSERT_TRUE(ch.liquidatable(trader));
  const std::optional<Time> next = engine.step(trader, at(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_GT(*next, seconds(5));
  EXPECT_TRUE(log.liquidations.empty());
  EXPECT_EQ(engine.adl_events(), 0u);
  EXPECT_EQ(ch.ledger().position(trader, MarketId(0)).size, coins(1));
  EXPECT_TRUE(conserved(ch));
}

TEST(EngineLiquidation, BinanceFundTakesOverAtTheBankruptcyPriceWhatTheBookCannotAbsorb) {
  World w(dollars(1'000));
  EngineLiquidation engine(engine_params(0.25, 0), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(0.1));
  w.ch.set_mark(MarketId(0), px(9'040));
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(engine.takeovers(), 1u);
  EXPECT_EQ(engine.adl_events(), 0u);
  const AccountId fund = place_account(Place::InsuranceFund);
  EXPECT_EQ(w.size(fund), coins(0.9));
  EXPECT_EQ(w.ch.place_value(Place::InsuranceFund), dollars(1'040));
  ASSERT_EQ(w.log.liquidations.size(), 2u);
  EXPECT_EQ(w.log.liquidations[0].quantity, coins(-0.1));
  EXPECT_EQ(w.log.liquidations[0].price, px(9'040));
  EXPECT_EQ(w.log.liquidations[1].quantity, coins(-0.9));
  EXPECT_EQ(w.log.liquidations[1].price, px(8'995.555555));
  const auto timers = engine.take_pending_timers();
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0], std::make_pair(fund, seconds(6)));
  w.venue.rest(w.maker, Side::Buy, px(9'000), coins(1));
  engine.unwind_round(fund, seconds(6));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.size(fund), Quantity(0));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'004));
  // The fund's orders are liquidation flow of the take-over (cause attribution sees them).
  ASSERT_EQ(w.venue.orders.size(), 3u);
  EXPECT_EQ(w.venue.orders.back().owner, fund);
  EXPECT_EQ(w.venue.orders.back().tag, 1);
  EXPECT_TRUE(w.venue.orders.back().reduce_only);
  EXPECT_TRUE(engine.take_pending_timers().empty());
}

// Hyperliquid (vector #28's rule: 20 % of a position above the threshold, then, for 30 s after a
// liquidation, orders for the whole position). Threshold 0 so 1 coin is "large"; bids at 9,020. The
// first order is 0.2: equity 40 - 0.2 x 20 = 36 < MM 36.16, still liquidatable but above 2/3 of it, so
// the engine checks again at the next mark interval (1 s), inside the window: the order is the whole
// 0.8. The account ends flat with 20 of its margin.
TEST(EngineLiquidation, HyperliquidOrdersAreForTheWholePositionInTheWindowAfterALiquidation) {
  World w(dollars(1'000));
  EngineLiquidation engine(engine_params(0.2, 0, EngineSequence::Hyperliquid), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'020), coins(5));
  w.ch.set_mark(MarketId(0), px(9'040));
  const std::optional<Time> next = engine.step(w.trader, at(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, seconds(6));
  EXPECT_EQ(w.size(w.trader), coins(0.8));
  EXPECT_TRUE(w.ch.liquidatable(w.trader));
  EXPECT_FALSE(engine.step(w.trader, at(6)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  ASSERT_EQ(w.venue.orders.size(), 2u);
  EXPECT_EQ(w.venue.orders[0].quantity, coins(0.2));
  EXPECT_EQ(w.venue.orders[1].quantity, coins(0.8));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  EXPECT_EQ(w.balance(w.trader), dollars(20));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000));
}

// Outside the window the 20 % rule applies again: a step 31 s after the last one sends 20 % of what is
// left (0.16 of 0.8).
TEST(EngineLiquidation, HyperliquidWindowEndsAfterTheCooldown) {
  World w(dollars(1'000));
  EngineLiquidation engine(engine_params(0.2, 0, EngineSequence::Hyperliquid), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'020), coins(5));
  w.ch.set_mark(MarketId(0), px(9'040));
  ASSERT_TRUE(engine.step(w.trader, at(5)).has_value());
  engine.step(w.trader, at(36));
  ASSERT_EQ(w.venue.orders.size(), 2u);
  EXPECT_EQ(w.venue.orders[1].quantity, coins(0.16));
  EXPECT_TRUE(conserved(w.ch));
}

// Hyperliquid's backstop (vector #27: below 2/3 of maintenance margin, after the book failed): mark
// 9,030 gives equity 30 < 2/3 x MM 45.15 = 30.10 and the book is empty, so the liquidator vault (the
// backstop_vault place) takes the position and the margin at the bankruptcy price 9,000: the account ends
// at 0, the vault holds 1 coin worth its 30 of margin. The insurance fund is not touched.
TEST(EngineLiquidation, HyperliquidVaultTakesOverBelowTwoThirdsOfMaintenance) {
  World w(dollars(1'000));
  EngineLiquidation engine(engine_params(0.2, 0, EngineSequence::Hyperliquid), w.ch, w.venue, w.log);
  w.ch.set_mark(MarketId(0), px(9'030));
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  const AccountId vault = place_account(Place::BackstopVault);
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.size(vault), coins(1));
  EXPECT_EQ(w.ch.place_value(Place::BackstopVault), dollars(30));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].price, px(9'000));
  // At 9,040 (equity 40 >= 30.13) the same empty book only means a retry: no take-over.
  World v(dollars(1'000));
  EngineLiquidation other(engine_params(0.2, 0, EngineSequence::Hyperliquid), v.ch, v.venue, v.log);
  v.ch.set_mark(MarketId(0), px(9'040));
  EXPECT_TRUE(other.step(v.trader, at(5)).has_value());
  EXPECT_EQ(v.size(v.trader), coins(1));
  EXPECT_TRUE(v.log.liquidations.empty());
}

// Vector #27 (protocol_vectors.json, Hyperliquid backstop trigger): MM 1,250, threshold 833.333333;
// equity 900 stays with the book, 800 goes to the vault. The comparison is exact at the boundary.
TEST(EngineLiquidation, HyperliquidBackstopRuleMatchesVector27) {
  EXPECT_FALSE(hyperliquid_backstop(dollars(900), dollars(1'250)));
  EXPECT_TRUE(hyperliquid_backstop(dollars(800), dollars(1'250)));
  EXPECT_TRUE(hyperliquid_backstop(dollars(833.333333), dollars(1'250)));
  EXPECT_FALSE(hyperliquid_backstop(dollars(833.333334), dollars(1'250)));
}

// Vector #28 (Hyperliquid partial liquidation size): a $250,000 position with the $100,000 threshold
// sends 20 %, $50,000; inside the window, or at or below the threshold, the whole position.
TEST(EngineLiquidation, HyperliquidStepSizeMatchesVector28) {
  const EngineLiquidationParams p = engine_params(0.2, 100'000, EngineSequence::Hyperliquid);
  const TieredMaintenanceMargin model = TieredMaintenanceMargin::flat(rate(0.0125));
  EXPECT_EQ(notional(px(50'000), engine_step_quantity(p, model, coins(5), px(50'000), false), Round::Down),
            dollars(50'000));
  EXPECT_EQ(engine_step_quantity(p, model, coins(5), px(50'000), true), coins(5));
  EXPECT_EQ(engine_step_quantity(p, model, coins(2), px(50'000), false), coins(2));
}

// BitMEX steps a position down its risk limits one tier at a time (bitmex.com/app/liquidation), here
// with the legacy bracket table of vector #4 (floors 0, 50k, 250k, 1M, 5M): 30 coins at 10,000
// ($300,000, tier 3) are stepped to the largest quantity below $250,000, 24.99999999 coins; from there
// to below $50,000; in the first tier there is no step (the engine takes over).
TEST(EngineLiquidation, BitmexStepsThePositionDownOneRiskTier) {
  const std::vector<MarginBracketSpec> brackets{
      {dollars(0), dollars(50'000), rate(0.004), std::nullopt},
      {dollars(50'000), dollars(250'000), rate(0.005), std::nullopt},
      {dollars(250'000), dollars(1'000'000), rate(0.01), std::nullopt},
      {dollars(1'000'000), dollars(5'000'000), rate(0.025), std::nullopt},
      {dollars(5'000'000), dollars(20'000'000), rate(0.05), std::nullopt}};
  const TieredMaintenanceMargin model(brackets);
  const EngineLiquidationParams p = engine_params(0.2, 0, EngineSequence::Bitmex);
  EXPECT_EQ(engine_step_quantity(p, model, coins(30), px(10'000), false), coins(5.00000001));
  EXPECT_EQ(engine_step_quantity(p, model, coins(24.99999999), px(10'000), false), coins(20));
  EXPECT_EQ(engine_step_quantity(p, model, coins(4.99999999), px(10'000), false), Quantity(0));
}

// BitMEX in the lowest tier: no order from the account, the engine (insurance fund) takes the position
// over at the bankruptcy price 9,000 and closes it into the book at once: 1 coin at 9,040, so the surplus
// of 40 above bankruptcy is the fund's and the account ends at 0.
TEST(EngineLiquidation, BitmexLowestTierIsTakenOverAtTheBankruptcyPrice) {
  World w(dollars(1'000));
  EngineLiquidation engine(engine_params(0.2, 0, EngineSequence::Bitmex), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(1));
  w.ch.set_mark(MarketId(0), px(9'040));
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  EXPECT_EQ(w.size(place_account(Place::InsuranceFund)), Quantity(0));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'040));
  ASSERT_EQ(w.venue.orders.size(), 1u);
  EXPECT_EQ(w.venue.orders[0].owner, place_account(Place::InsuranceFund));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].price, px(9'000));
  EXPECT_TRUE(engine.take_pending_timers().empty());
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

using namespace liquidation_test;

// dYdX v4 on reference vectors #29-#31 (protocols.md 2.1): 1 coin long at an oracle (mark) of 50,000
// with a 3% maintenance margin (PMMR = TMMR = 1,500) and TNC 1,000. The fillable price is 49,250 (ABR
// 1/3, SMMR 1.5); the bankruptcy quote of the full close 49,000; filled at 49,250 the account pays the
// insurance fund min(250, 1.5% of 49,250) = 250 and ends flat with nothing.
struct DydxWorld {
  RunLog log;
  ClearingHouse ch{
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.03)), rate(0.0004), rate(0.0002), px(50'000)}}};
  BookVenue venue{ch, px(0.01)};
  AccountId maker = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(10'000'000));

  explicit DydxWorld(Amount fund = Amount(0)) { ch.ledger().seed_insurance_fund(fund); }
  // A long of 1 coin with `equity` at the mark.
  AccountId trader(double equity) {
    const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(equity));
    ch.ledger().trade(a, place_account(Place::BackstopVault), MarketId(0), coins(1), dollars(50'000));
    ch.arm(a);
    return a;
  }
  Quantity size(AccountId a) const { return ch.ledger().position(a, MarketId(0)).size; }
  Amount balance(AccountId a) const { return ch.ledger().account(a).balance; }
};

EngineLiquidationParams dydx_params(double portion = 1.0) {
  EngineLiquidationParams p = engine_params(0.25, 0, EngineSequence::Dydx);
  p.cooldown = seconds(1);  // the block time
  p.dydx.max_position_portion_liquidated_ppm = int64_t(portion * kDydxPpm);
  p.dydx.subaccount_max_notional_liquidated = dollars(1'000'000);
  return p;
}

TEST(EngineLiquidationDydx, OrderAtTheFillablePriceAndTheFeeToTheFundMatchVectors29To31) {
  DydxWorld w;
  const AccountId t = w.trader(1'000);
  ASSERT_TRUE(w.ch.liquidatable(t));
  w.venue.rest(w.maker, Side::Buy, px(49'250), coins(1));
  w.venue.rest(w.maker, Side::Buy, px(49'249.99), coins(5));
  EngineLiquidation engine(dydx_params(), w.ch, w.venue, w.log);
  EXPECT_FALSE(engine.step(t, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  ASSERT_FALSE(w.venue.orders.empty());
  EXPECT_EQ(w.venue.orders.back().worst, px(49'250));
  EXPECT_EQ(w.size(t), Quantity(0));
  EXPECT_EQ(w.balance(t), Amount(0));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(250));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].price, px(49'250));
  EXPECT_EQ(w.log.liquidations[0].quantity, coins(-1));
}

// The block limit (vector #34's rule): max(min($1,000, |N|), 10% of |N|) = $5,000 of a $50,000
// position, 0.1 coin, per block; the fee on it is capped at 1.5% of the quote (4,990 x 1.5% = 74.85, below
// the 90 above the bankruptcy quote of 4,900). The next order waits for the next block.
TEST(EngineLiquidationDydx, OneBlockLiquidatesAtMostTheBlockLimit) {
  DydxWorld w;
  const AccountId t = w.trader(1'000);
  w.venue.rest(w.maker, Side::Buy, px(49'900), coins(5));
  EngineLiquidation engine(dydx_params(0.1), w.ch, w.venue, w.log);
  const std::optional<Time> next = engine.step(t, at(5));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.size(t), coins(0.9));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(74.85));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, seconds(6));
}

// Below the bankruptcy quote the insurance fund pays the loss, at most max_insurance_lost_per_block per
// block: TNC 100 gives a fillable price of 47,900 (ABR 14/15); filled at 48,000 against a bankruptcy
// quote of 49,900 the fund pays 1,900, above the $1,000 cap, so a second account in the same block gets
// no order; in the next block it does.
TEST(EngineLiquidationDydx, FundLossesAreCappedPerBlock) {
  DydxWorld w(dollars(100'000));
  const AccountId first = w.trader(100);
  const AccountId second = w.trader(100);
  w.venue.rest(w.maker, Side::Buy, px(48'000), coins(2));
  EngineLiquidationParams p = dydx_params();
  p.dydx_max_insurance_lost_per_block = dollars(1'000);
  EngineLiquidation engine(p, w.ch, w.venue, w.log);
  EXPECT_FALSE(engine.step(first, at(5)).has_value());
  EXPECT_EQ(w.venue.orders.back().worst, px(47'900));
  EXPECT_EQ(w.size(first), Quantity(0));
  EXPECT_EQ(w.balance(first), Amount(0));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(100'000 - 1'900));
  const size_t orders = w.venue.orders.size();
  const std::optional<Time> retry = engine.step(second, at(5));
  EXPECT_EQ(w.venue.orders.size(), orders) << "the fund's loss cap for this block is spent";
  EXPECT_EQ(w.size(second), coins(1));
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(*retry, seconds(5));
  EXPECT_FALSE(engine.step(second, at(6)).has_value());
  EXPECT_EQ(w.size(second), Quantity(0));
  EXPECT_TRUE(conserved(w.ch));
}

}  // namespace
}  // namespace liqsim
