#include "protocol/liquidation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <set>
#include <vector>

#include "core/check.h"
#include "core/rng.h"
#include "market/order_book.h"
#include "protocol/tiered_margin.h"
#include "tests/protocol/liquidation_fixture.h"

namespace liqsim {
namespace {

using namespace liquidation_test;

// ---------------------------------------------------------------------------------------------------
// EngineLiquidation

TEST(EngineLiquidation, RecordCarriesMarkAveragePriceQuantityAndMechanism) {
  World w;
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(0.5));
  w.venue.rest(w.maker, Side::Buy, px(9'030), coins(0.5));
  w.ch.set_mark(MarketId(0), px(9'040));
  engine.step(w.trader, at(5, 17, LiquidationId(3)));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  const LiquidationRecord& r = w.log.liquidations[0];
  EXPECT_EQ(r.id, 0);
  EXPECT_EQ(r.time, seconds(5));
  EXPECT_EQ(r.account, w.trader.raw());
  EXPECT_EQ(r.market, 0u);
  EXPECT_EQ(r.quantity, coins(-1));  // the signed change of the position
  EXPECT_EQ(r.mark, px(9'040));
  EXPECT_EQ(r.price, px(9'035));  // average fill
  EXPECT_EQ(r.mechanism, LiquidationMechanismKind::Engine);
  EXPECT_EQ(r.keeper, kNoId);
  EXPECT_EQ(r.reward, Amount(0));
  EXPECT_EQ(r.mark_update, 17);
  EXPECT_EQ(r.cause, 3);
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.ch.liquidation_count(), 1);
  EXPECT_TRUE(w.log.adl.empty());
}

// Filled at 8,900 against the bankruptcy value 9,000 (mark 9,040, equity 40 >= 0: no ADL): the fund
// pays 100 and the account ends at 0.
TEST(EngineLiquidation, FundPaysTheShortfallWhenTheBookFillsBelowBankruptcy) {
  World w(dollars(1'000));
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(8'900), coins(1));
  w.ch.set_mark(MarketId(0), px(9'040));
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(900));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  EXPECT_EQ(w.ch.ledger().bad_debt(), Amount(0));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].price, px(8'900));
}

// The same fill with a fund of 30: the fund pays 30 and the other 70 is recorded as bad debt.
TEST(EngineLiquidation, ShortfallBeyondAnExhaustedFundIsRecordedAsBadDebt) {
  World w(dollars(30));
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(8'900), coins(1));
  w.ch.set_mark(MarketId(0), px(9'040));
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), Amount(0));
  EXPECT_EQ(w.ch.ledger().bad_debt(), dollars(70));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
}

// Short mirror: short 1 at 10,000 with 1,000 (bankruptcy 11,000, LP 10945.27), mark 10,960, asks at
// 10,950: the account pays 10,950 and keeps the other 50 of its 11,000 (no clearance fee).
TEST(EngineLiquidation, ShortIsClosedByBuyingAndTheUserKeepsWhatIsLeft) {
  World w(dollars(1'000), /*trader_long=*/false);
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Sell, px(10'950), coins(1));
  w.ch.set_mark(MarketId(0), px(10'960));
  ASSERT_TRUE(w.ch.liquidatable(w.trader));
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000));
  EXPECT_EQ(w.balance(w.trader), dollars(50));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].quantity, coins(1));
  EXPECT_EQ(w.log.liquidations[0].price, px(10'950));
  ASSERT_EQ(w.venue.orders.size(), 1u);
  EXPECT_EQ(w.venue.orders[0].side, Side::Buy);
}

// Mark 9,040, max slippage 1.23 %: the IOC limit 9,040 x 0.9877 = 8,928.808 is rounded up to the 0.01
// grid (toward the mark): 8,928.81. The order is a reduce-only IOC sell of the first slice, tagged with
// the liquidation id it will get.
TEST(EngineLiquidation, SendsAReduceOnlyIocWithinMaxSlippageOfTheMark) {
  World w;
  EngineLiquidationParams params = engine_params(0.25, 0);
  params.max_slippage = rate(0.0123);
  EngineLiquidation engine(params, w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'000), coins(1));
  w.ch.set_mark(MarketId(0), px(9'040));
  engine.step(w.trader, at(5));
  ASSERT_EQ(w.venue.orders.size(), 1u);
  const ExecutionRequest& o = w.venue.orders[0];
  EXPECT_EQ(o.owner, w.trader);
  EXPECT_EQ(o.side, Side::Sell);
  EXPECT_TRUE(o.reduce_only);
  EXPECT_EQ(o.quantity, coins(0.25));
  EXPECT_EQ(o.worst, px(8'928.81));
  EXPECT_EQ(o.tag, 0);
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.size(w.trader), coins(0.75));
}

// Hyperliquid's sequence (no take-over above 2/3 of maintenance): the unfilled order is retried at the
// next mark interval (1 s).
TEST(EngineLiquidation, BidsBeyondTheSlippageLimitAreNotHit) {
  World w;
  EngineLiquidationParams params = engine_params(0.25, 0, EngineSequence::Hyperliquid);
  params.max_slippage = rate(0.01);
  EngineLiquidation engine(params, w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(8'949.59), coins(1));  // limit 9,040 * 0.99 = 8,949.60
  w.ch.set_mark(MarketId(0), px(9'040));
  const Snapshot before = snapshot(w.ch);
  const std::optional<Time> next = engine.step(w.trader, at(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, seconds(6));
  EXPECT_EQ(snapshot(w.ch), before);
  EXPECT_TRUE(w.log.liquidations.empty());
  ASSERT_EQ(w.venue.orders.size(), 1u);
  EXPECT_EQ(w.venue.orders[0].worst, px(8'949.60));
}

// An empty book fills nothing (Hyperliquid, equity above 2/3 of maintenance: no backstop): no record,
// no id consumed, nothing moves, and the engine retries at the next mark interval; the retry against a
// refilled book gets liquidation id 0.
TEST(EngineLiquidation, NoFillMeansNoRecordAndARetryLater) {
  World w;
  EngineLiquidation engine(engine_params(0.25, 1e9, EngineSequence::Hyperliquid), w.ch, w.venue, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  const Snapshot before = snapshot(w.ch);
  const std::optional<Time> next = engine.step(w.trader, at(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, seconds(6));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(snapshot(w.ch), before);
  EXPECT_TRUE(w.log.liquidations.empty());
  EXPECT_EQ(w.ch.liquidation_count(), 0);
  EXPECT_TRUE(w.ch.ledger().account(w.trader).in_liquidation);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(1));
  EXPECT_FALSE(engine.step(w.trader, at(6)).has_value());
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].id, 0);
  EXPECT_EQ(w.size(w.trader), Quantity(0));
}

// With a cool-down of 0, a step that fills nothing must not be due again at the same instant: nothing it
// depends on can change before another event runs, so it would repeat forever. It waits for the
// no-progress retry (one mark interval); a step that fills is followed at once.
TEST(EngineLiquidation, AnUnfilledStepWithoutCooldownIsRetriedAfterTheNoProgressDelay) {
  World w;
  EngineLiquidationParams params = engine_params(0.25, 0, EngineSequence::Hyperliquid);
  params.cooldown = Time(0);
  params.no_progress_retry = seconds(1);
  EngineLiquidation engine(params, w.ch, w.venue, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  const std::optional<Time> next = engine.step(w.trader, at(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, seconds(6));
  EXPECT_TRUE(w.log.liquidations.empty());
  // Binance with a cool-down of 0: a step that fills (0.25 at 9,000, still liquidatable) is followed at
  // once.
  World b;
  EngineLiquidationParams binance = engine_params(0.25, 0);
  binance.cooldown = Time(0);
  EngineLiquidation other(binance, b.ch, b.venue, b.log);
  b.ch.set_mark(MarketId(0), px(9'040));
  b.venue.rest(b.maker, Side::Buy, px(9'000), coins(1));
  const std::optional<Time> after_fill = other.step(b.trader, at(6));
  EXPECT_TRUE(conserved(b.ch));
  ASSERT_EQ(b.log.liquidations.size(), 1u);
  EXPECT_TRUE(conserved(w.ch));
  ASSERT_TRUE(after_fill.has_value());
  EXPECT_EQ(*after_fill, seconds(6));
}

// After one 25 % slice at 9,000 (equity 30 < MM 33.90: still liquidatable) the mark recovers to 9,100
// (above the unchanged LP 9045.23: selling at the bankruptcy price keeps it): the next step does nothing,
// ends the liquidation and re-arms the account, whose trigger fires again below LP.
TEST(EngineLiquidation, AnAccountThatBecomesHealthyBetweenStepsStopsBeingLiquidated) {
  World w;
  EngineLiquidation engine(engine_params(0.25, 0), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'000), coins(1));
  w.ch.set_mark(MarketId(0), px(9'040));
  ASSERT_TRUE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  ASSERT_EQ(w.size(w.trader), coins(0.75));
  w.ch.set_mark(MarketId(0), px(9'100));
  ASSERT_FALSE(w.ch.liquidatable(w.trader));
  const size_t orders = w.venue.orders.size();
  const Snapshot before = snapshot(w.ch);
  EXPECT_FALSE(engine.step(w.trader, at(35)).has_value());
  EXPECT_EQ(snapshot(w.ch), before);
  EXPECT_EQ(w.venue.orders.size(), orders);
  EXPECT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_FALSE(w.ch.ledger().account(w.trader).in_liquidation);
  w.ch.set_mark(MarketId(0), px(9'045.22));
  std::vector<TriggerHit> hits;
  w.ch.detect(MarketId(0), hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].account, w.trader);
}

TEST(EngineLiquidation, CancelsTheAccountsOpenOrdersBeforeClosing) {
  World w;
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  const OrderId ask = w.venue.rest(w.trader, Side::Sell, px(11'000), coins(1));
  const OrderId other = w.venue.rest(w.counterparty, Side::Sell, px(11'000), coins(1));
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(1));
  w.ch.set_mark(MarketId(0), px(9'040));
  engine.step(w.trader, at(5));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.venue.cancel_calls, 1);
  EXPECT_FALSE(w.venue.book().order(ask).has_value());
  EXPECT_TRUE(w.venue.book().order(other).has_value());
}

// Long 1 at 10,000 with 1,000 (bankruptcy 9,000) at mark 8,800: equity -200 exceeds the fund of 50, so
// the whole position is deleveraged at 9,000 against the shorts ranked by BitMEX score (protocols.md 1.2,
// https://bitmex.com/app/autoDeleveraging). Shorts at mark 8,800:
//   S1 -0.5, entry value -5,000, equity 1,600: PNL% 0.12 x leverage 4,400/1,600 = 0.33
//   S2 -0.3, entry value -3,000, equity 5,360: 0.12 x 2,640/5,360 = 0.0591
//   S3 -0.6, entry value -5,800, equity 2,520: (520/5,800) x 5,280/2,520 = 0.1878
// so S1 gives 0.5 and S3 the remaining 0.5, each at 9,000 (4,500 cash); S2 is untouched.
TEST(EngineLiquidation, BeyondBankruptcyWithASmallFundAutoDeleveragesInBitmexScoreOrder) {
  RunLog log;
  ClearingHouse ch(
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.005)), rate(0.0004), rate(0.0002), px(10'000)}});
  BookVenue venue(ch, px(0.01));
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(1'000));
  const AccountId s1 = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(1'000));
  const AccountId s2 = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(5'000));
  const AccountId s3 = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(2'000));
  const AccountId l = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(100'000));
  Ledger& ledger = ch.ledger();
  ledger.seed_insurance_fund(dollars(50));
  ledger.trade(a, s1, MarketId(0), coins(0.5), dollars(5'000));
  ledger.trade(a, s2, MarketId(0), coins(0.3), dollars(3'000));
  ledger.trade(a, s3, MarketId(0), coins(0.2), dollars(2'000));
  ledger.trade(l, s3, MarketId(0), coins(0.4), dollars(3'800));
  for (AccountId x(0); x.raw() < ledger.account_count(); ++x) ch.arm(x);
  ASSERT_TRUE(conserved(ch));
  ch.set_mark(MarketId(0), px(8'800));
  ASSERT_EQ(ch.equity(a), dollars(-200));
  EngineLiquidation engine(engine_params(0.25, 0), ch, venue, log);
  EXPECT_FALSE(engine.step(a, at(9)).has_value());
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(engine.adl_events(), 1u);
  // The deleveraged account ends flat and at exactly 0; the fund is untouched.
  EXPECT_EQ(ledger.position(a, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(ledger.account(a).balance, Amount(0));
  EXPECT_EQ(ledger.insurance_fund(), dollars(50));
  EXPECT_EQ(ledger.bad_debt(), Amount(0));
  // Counterparties: S1 closed, S3 reduced to -0.1 (entry cost kept pro rata, toward zero), S2 untouched.
  EXPECT_EQ(ledger.position(s1, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(ledger.account(s1).balance, dollars(6'000 - 4'500));
  EXPECT_EQ(ledger.position(s3, MarketId(0)).size, coins(-0.1));
  EXPECT_EQ(ledger.position(s3, MarketId(0)).open_notional, dollars(-966.666666));
  EXPECT_EQ(ledger.account(s3).balance, dollars(7'800 - 4'500));
  EXPECT_EQ(ledger.position(s2, MarketId(0)).size, coins(-0.3));
  EXPECT_EQ(ledger.account(s2).balance, dollars(8'000));
  EXPECT_EQ(ledger.position(l, MarketId(0)).size, coins(0.4));
  ASSERT_EQ(log.adl.size(), 2u);
  EXPECT_EQ(log.adl[0].account, s1.raw());
  EXPECT_EQ(log.adl[0].quantity, coins(0.5));  // signed change of the short counterparty
  EXPECT_EQ(log.adl[0].price, px(9'000));
  EXPECT_EQ(log.adl[0].liquidation, 0);
  EXPECT_EQ(log.adl[0].time, seconds(9));
  EXPECT_NEAR(log.adl[0].rank_score, 0.33, 1e-9);
  EXPECT_EQ(log.adl[1].account, s3.raw());
  EXPECT_EQ(log.adl[1].quantity, coins(0.5));
  EXPECT_EQ(log.adl[1].price, px(9'000));
  EXPECT_NEAR(log.adl[1].rank_score, (520.0 / 5'800.0) * (5'280.0 / 2'520.0), 1e-9);
  ASSERT_EQ(log.liquidations.size(), 1u);
  EXPECT_EQ(log.liquidations[0].quantity, coins(-1));
  EXPECT_EQ(log.liquidations[0].price, px(9'000));
  EXPECT_EQ(log.liquidations[0].mark, px(8'800));
  EXPECT_EQ(log.liquidations[0].mechanism, LiquidationMechanismKind::Engine);
  EXPECT_TRUE(venue.orders.empty());  // nothing went to the book
}

// The same bankrupt long (1 coin, bankruptcy 9,000, mark 8,800) against four shorts, deleveraged in the
// order of each selectable ranking (protocols.md, loss absorption). At 8,800:
//   S1 0.5 @ 10,000, equity 1,600: BitMEX 0.12 x 4,400/1,600 = 0.33;   Hyperliquid 0.88 x 2.75 = 2.42
//   S2 0.3 @ 10,000, equity 5,360: 0.12 x 0.49 = 0.059;                 0.88 x 0.49 = 0.43
//   S3 0.6 @ 9,666.67, equity 2,520: 0.0897 x 2.10 = 0.188;             0.910 x 2.10 = 1.91
//   S4 0.5 @ 9,000, equity 700: 0.0222 x 6.29 = 0.140;                  0.978 x 6.29 = 6.15
// BitMEX / Bybit closes S1 then S3; Hyperliquid's index puts the most leveraged first: S4 then S1.
struct RankingFixture {
  RunLog log;
  ClearingHouse ch{
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.005)), rate(0.0004), rate(0.0002), px(10'000)}}};
  BookVenue venue{ch, px(0.01)};
  AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(1'000));
  AccountId s1 = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(1'000));
  AccountId s2 = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(5'000));
  AccountId s3 = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(2'000));
  AccountId s4 = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(600));
  AccountId l = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(100'000));
  RankingFixture() {
    Ledger& ledger = ch.ledger();
    ledger.seed_insurance_fund(dollars(50));
    ledger.trade(a, s1, MarketId(0), coins(0.5), dollars(5'000));
    ledger.trade(a, s2, MarketId(0), coins(0.3), dollars(3'000));
    ledger.trade(a, s3, MarketId(0), coins(0.2), dollars(2'000));
    ledger.trade(l, s3, MarketId(0), coins(0.4), dollars(3'800));
    ledger.trade(l, s4, MarketId(0), coins(0.5), dollars(4'500));
    for (AccountId x(0); x.raw() < ledger.account_count(); ++x) ch.arm(x);
    ch.set_mark(MarketId(0), px(8'800));
  }
  std::vector<uint32_t> deleveraged(AdlRanking ranking, uint64_t seed = 0) {
    EngineLiquidationParams p = engine_params(0.25, 0);
    p.adl_ranking = ranking;
    p.adl_seed = seed;
    EngineLiquidation engine(p, ch, venue, log);
    EXPECT_FALSE(engine.step(a, at(9)).has_value());
    EXPECT_TRUE(conserved(ch));
    EXPECT_EQ(ch.ledger().position(a, MarketId(0)).size, Quantity(0));
    std::vector<uint32_t> out;
    Quantity total;
    for (const AdlRecord& r : log.adl) {
      out.push_back(r.account);
      total += r.quantity;
      EXPECT_EQ(r.price, px(9'000));  // every ranking closes at the bankruptcy price
    }
    EXPECT_EQ(total, coins(1));
    return out;
  }
};

TEST(EngineLiquidation, AdlRankingsOrderTheCounterpartiesEachTheirWay) {
  {
    RankingFixture f;
    EXPECT_EQ(f.deleveraged(AdlRanking::ProfitLeverage), (std::vector<uint32_t>{f.s1.raw(), f.s3.raw()}));
    EXPECT_NEAR(f.log.adl[0].rank_score, 0.33, 1e-9);
  }
  RankingFixture f;
  EXPECT_EQ(f.deleveraged(AdlRanking::Hyperliquid), (std::vector<uint32_t>{f.s4.raw(), f.s1.raw()}));
  EXPECT_NEAR(f.log.adl[0].rank_score, (8'800.0 / 9'000.0) * (4'400.0 / 700.0), 1e-9);
  EXPECT_NEAR(f.log.adl[1].rank_score, 0.88 * 4'400.0 / 1'600.0, 1e-9);
}

// dYdX: the offsetting positions (S1-S4 in account order; places and longs never) from a random start
// onwards, wrapping around: consecutive in that cyclic order, the same for the same seed, and the start
// varies with the seed.
TEST(EngineLiquidation, RandomStartDeleveragesInCyclicAccountOrderFromASeededStart) {
  std::set<uint32_t> starts;
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    RankingFixture f;
    const std::vector<uint32_t> order = f.deleveraged(AdlRanking::RandomStart, seed);
    const std::vector<uint32_t> shorts = {f.s1.raw(), f.s2.raw(), f.s3.raw(), f.s4.raw()};
    ASSERT_FALSE(order.empty());
    const size_t first = size_t(std::find(shorts.begin(), shorts.end(), order[0]) - shorts.begin());
    ASSERT_LT(first, shorts.size());
    for (size_t k = 0; k < order.size(); ++k) {
      EXPECT_EQ(order[k], shorts[(first + k) % shorts.size()]) << "seed " << seed;
      EXPECT_EQ(f.log.adl[k].rank_score, double(k));
    }
    starts.insert(order[0]);
    RankingFixture again;
    EXPECT_EQ(again.deleveraged(AdlRanking::RandomStart, seed), order) << "seed " << seed;
  }
  EXPECT_GE(starts.size(), 3u) << "the start should vary with the seed";
}

// Short mirror: short 1 at 10,000 with 1,000 (bankruptcy 11,000), mark 11,200, empty fund. Longs:
//   L1 0.6, entry 6,000, equity 1,220: 0.12 x 6,720/1,220 = 0.661;  L2 0.4, equity 5,480: 0.098.
// The account buys 0.6 from L1 and 0.4 from L2 at 11,000.
TEST(EngineLiquidation, BankruptShortIsDeleveragedAgainstTheBestRankedLongs) {
  RunLog log;
  ClearingHouse ch(
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.005)), Ratio(0), Ratio(0), px(10'000)}});
  BookVenue venue(ch, px(0.01));
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(1'000));
  const AccountId l2 = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(5'000));
  const AccountId l1 = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(500));
  Ledger& ledger = ch.ledger();
  ledger.trade(l1, a, MarketId(0), coins(0.6), dollars(6'000));
  ledger.trade(l2, a, MarketId(0), coins(0.4), dollars(4'000));
  for (AccountId x(0); x.raw() < ledger.account_count(); ++x) ch.arm(x);
  ASSERT_TRUE(conserved(ch));
  ch.set_mark(MarketId(0), px(11'200));
  EngineLiquidation engine(engine_params(0.25, 0), ch, venue, log);
  EXPECT_FALSE(engine.step(a, at(9)).has_value());
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(ledger.position(a, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(ledger.account(a).balance, Amount(0));
  EXPECT_EQ(ledger.account(l1).balance, dollars(-5'500 + 6'600));
  EXPECT_EQ(ledger.account(l2).balance, dollars(1'000 + 4'400));
  ASSERT_EQ(log.adl.size(), 2u);
  EXPECT_EQ(log.adl[0].account, l1.raw());
  EXPECT_EQ(log.adl[0].quantity, coins(-0.6));
  EXPECT_EQ(log.adl[1].account, l2.raw());
  EXPECT_EQ(log.adl[1].quantity, coins(-0.4));
  EXPECT_EQ(log.adl[0].price, px(11'000));
  ASSERT_EQ(log.liquidations.size(), 1u);
  EXPECT_EQ(log.liquidations[0].quantity, coins(1));
  EXPECT_EQ(log.liquidations[0].price, px(11'000));
}

// A short whose balance was drained below zero (funding, or an earlier ADL far from the mark) has a
// negative bankruptcy price: short 1 at 10,000 with 1,000, then 12,000 of funding paid leaves a balance
// of -1,000, so its bankruptcy price is -1,000 and its equity at mark 10,000 is -11,000 (fund 300). The
// ADL settles at one tick (0.01) per coin: the long hands over its position for 0.01, and the rest of the
// loss, 1,000.01, is booked by the waterfall: the fund's 300, then 700.01 of bad debt.
TEST(EngineLiquidation, AdlAtANegativeBankruptcyPriceSettlesAtOneTickAndTheWaterfallTakesTheRest) {
  RunLog log;
  ClearingHouse ch(
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.005)), Ratio(0), Ratio(0), px(10'000)}});
  BookVenue venue(ch, px(0.01));
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(1'000));
  const AccountId l = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(20'000));
  Ledger& ledger = ch.ledger();
  ledger.seed_insurance_fund(dollars(300));
  ledger.trade(l, a, MarketId(0), coins(1), dollars(10'000));
  ledger.pool_collect(a, dollars(12'000));
  for (AccountId x(0); x.raw() < ledger.account_count(); ++x) ch.arm(x);
  ASSERT_TRUE(conserved(ch));
  ASSERT_EQ(ch.equity(a), dollars(-11'000));
  EngineLiquidation engine(engine_params(0.25, 0), ch, venue, log);
  EXPECT_FALSE(engine.step(a, at(9)).has_value());
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(engine.adl_events(), 1u);
  EXPECT_EQ(ledger.position(a, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(ledger.position(l, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(ledger.account(a).balance, Amount(0));
  EXPECT_EQ(ledger.account(l).balance, dollars(10'000.01));
  EXPECT_EQ(ledger.insurance_fund(), Amount(0));
  EXPECT_EQ(ledger.bad_debt(), dollars(700.01));
  ASSERT_EQ(log.adl.size(), 1u);
  EXPECT_EQ(log.adl[0].account, l.raw());
  EXPECT_EQ(log.adl[0].quantity, coins(-1));
  EXPECT_EQ(log.adl[0].price, px(0.01));
  ASSERT_EQ(log.liquidations.size(), 1u);
  EXPECT_EQ(log.liquidations[0].quantity, coins(1));
  EXPECT_EQ(log.liquidations[0].price, px(0.01));
}

// When the fund can cover the loss at the mark, it takes the position over at the bankruptcy price 9,000
// and unwinds it into the book at 8,800 instead of deleveraging: it pays the 200 below bankruptcy. ADL
// comes only after the book and the fund.
TEST(EngineLiquidation, BeyondBankruptcyWithAFundLargeEnoughIsTakenOverAndUnwound) {
  World w(dollars(1'000));
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(8'800), coins(1));
  w.ch.set_mark(MarketId(0), px(8'800));  // equity -200, fund 1,000
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(engine.adl_events(), 0u);
  EXPECT_TRUE(w.log.adl.empty());
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(800));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
}

TEST(EngineLiquidation, AHealthyAccountIsLeftAlone) {
  World w;
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'100), coins(1));
  w.ch.set_mark(MarketId(0), px(9'100));
  const Snapshot before = snapshot(w.ch);
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_EQ(snapshot(w.ch), before);
  EXPECT_TRUE(w.venue.orders.empty());
  EXPECT_TRUE(w.log.liquidations.empty());
}

// ---------------------------------------------------------------------------------------------------
// Shared steps of the waterfall

TEST(LiquidationWaterfall, LargestExposureIsTheMarketWithTheLargestMaintenance) {
  ClearingHouse ch(
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.005)), Ratio(0), Ratio(0), px(10'000)},
       ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.02)), Ratio(0), Ratio(0), px(1'000)}});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(10'000));
  const AccountId b = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(10'000));
  ch.ledger().trade(a, b, MarketId(0), coins(1), dollars(10'000));  // MM 50
  ch.ledger().trade(b, a, MarketId(1), coins(3),
                    dollars(3'000));  // MM 60: larger despite the smaller notional
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(largest_exposure(ch, a), MarketId(1));
  ch.set_mark(MarketId(1), px(800));  // MM 48
  EXPECT_EQ(largest_exposure(ch, a), MarketId(0));
}

TEST(LiquidationWaterfall, AbsorbShortfallPaysANegativeBalanceOnlyWithoutPositions) {
  ClearingHouse ch(
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.005)), Ratio(0), Ratio(0), px(10'000)}});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(0));
  const AccountId b = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(0));
  ch.ledger().seed_insurance_fund(dollars(100));
  ch.ledger().trade(a, b, MarketId(0), coins(1), dollars(10'000));
  absorb_shortfall(ch, a);  // a holds a position: its negative cash balance is not a shortfall
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(ch.ledger().insurance_fund(), dollars(100));
  ch.ledger().trade(b, a, MarketId(0), coins(1), dollars(9'850));
  absorb_shortfall(ch, a);  // flat at -150: the fund pays 100, 50 is bad debt
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(ch.ledger().account(a).balance, Amount(0));
  EXPECT_EQ(ch.ledger().insurance_fund(), Amount(0));
  EXPECT_EQ(ch.ledger().bad_debt(), dollars(50));
}

// ---------------------------------------------------------------------------------------------------
// KeeperLiquidation

struct KeeperWorld : World {
  AccountId keeper;
  explicit KeeperWorld(Amount keeper_deposit = dollars(10'000), Amount fund = dollars(1'000),
                       bool trader_long = true)
      : World(fund, trader_long) {
    keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, keeper_deposit);
  }
};

// Close factor 50 %, bonus 0.25 % (half the 0.5 % maintenance rate, so the bonus fits in the margin at
// the liquidation point), mark 9,040: the keeper buys 0.5 at 9,040 x 0.9975 = 9,017.40 for 4,508.70;
// reward = 0.25 % of 0.5 x 9,040 = 11.30, within the account's equity of 40.
TEST(KeeperLiquidation, KeeperTakesTheCloseFactorOfALongBelowTheMarkByTheBonus) {
  KeeperWorld w;
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.0025), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7, 21, std::nullopt));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.liquidation, LiquidationId(0));
  EXPECT_EQ(out.market, MarketId(0));
  EXPECT_EQ(out.quantity, coins(0.5));
  EXPECT_EQ(out.price, px(9'017.40));
  EXPECT_EQ(out.reward, dollars(11.30));
  EXPECT_EQ(w.size(w.trader), coins(0.5));
  EXPECT_EQ(w.size(w.keeper), coins(0.5));
  EXPECT_EQ(w.balance(w.trader), dollars(-9'000 + 4'508.70));
  EXPECT_EQ(w.balance(w.keeper), dollars(10'000 - 4'508.70));
  EXPECT_EQ(w.ch.equity(w.trader), dollars(40 - 11.30));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000));  // the account still holds a position
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  const LiquidationRecord& r = w.log.liquidations[0];
  EXPECT_EQ(r.id, 0);
  EXPECT_EQ(r.time, seconds(7));
  EXPECT_EQ(r.account, w.trader.raw());
  EXPECT_EQ(r.quantity, coins(-0.5));
  EXPECT_EQ(r.mark, px(9'040));
  EXPECT_EQ(r.price, px(9'017.40));
  EXPECT_EQ(r.mechanism, LiquidationMechanismKind::Keeper);
  EXPECT_EQ(r.keeper, int64_t(w.keeper.raw()));
  EXPECT_EQ(r.reward, dollars(11.30));
  EXPECT_EQ(r.mark_update, 21);
  EXPECT_EQ(r.cause, kNoId);
  EXPECT_EQ(w.ch.ledger().account(w.trader).liquidations, 1);
}

// The bonus is paid out of the account's equity and never more than it holds. At mark 9,040 the long
// has equity -9,000 + 9,040 = 40; a 2.5 % bonus on 0.5 x 9,040 would be 113, so the keeper gets 40: it
// pays 4,520 - 40 = 4,480 (8,960 a coin) and the account is left at equity exactly 0, the fund untouched.
// Aave caps the seized collateral at the borrower's balance (LiquidationLogic.
// _calculateAvailableCollateralToLiquidate) and configures liquidation threshold x bonus <= 100%
// (PoolConfigurator.configureReserveAsCollateral) so the bonus is the borrower's own money.
// Aave v3's liquidationProtocolFee (reference vector #53: the treasury takes fee x the bonus part of the
// seized collateral): with a 10% fee the same take as above moves the same cash and position, the account
// loses the same 11.30 of equity, the keeper keeps 10.17 and the fund receives 1.13.
TEST(KeeperLiquidation, ProtocolFeeTakesItsShareOfTheBonusFromTheKeeper) {
  KeeperWorld w;
  KeeperLiquidationParams params{rate(0.5), rate(0.0025), Amount(0)};
  params.protocol_fee = rate(0.1);
  KeeperLiquidation keeper(params, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7, 21, std::nullopt));
  EXPECT_TRUE(conserved(w.ch));
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.price, px(9'017.40));
  EXPECT_EQ(out.reward, dollars(10.17));
  EXPECT_EQ(w.ch.equity(w.trader), dollars(40 - 11.30));
  EXPECT_EQ(w.balance(w.keeper), dollars(10'000 - 4'508.70 - 1.13));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000 + 1.13));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].reward, dollars(10.17));
  const KeeperTakeTerms terms =
      keeper_take_terms(params, coins(1), px(9'040), Health{dollars(40), dollars(45.20)});
  EXPECT_EQ(terms.reward, dollars(11.30));
  EXPECT_EQ(terms.protocol_fee, dollars(1.13));
}

TEST(KeeperLiquidation, BonusIsCappedAtTheAccountsEquity) {
  KeeperWorld w;
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.025), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  ASSERT_EQ(w.ch.equity(w.trader), dollars(40));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.quantity, coins(0.5));
  EXPECT_EQ(out.reward, dollars(40));
  EXPECT_EQ(out.price, px(8'960));
  EXPECT_EQ(w.balance(w.trader), dollars(-9'000 + 4'480));
  EXPECT_EQ(w.ch.equity(w.trader), Amount(0));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000));
  EXPECT_EQ(w.ch.ledger().bad_debt(), Amount(0));
}

// The same cap for a short: short 1 at 10,000 with 1,000 at mark 10,960 has equity 40; the 2.5 % bonus
// (137) is capped at 40, so the account pays 5,480 + 40 = 5,520 (11,040 a coin) and keeps equity 0.
TEST(KeeperLiquidation, BonusOnAShortIsCappedAtTheAccountsEquity) {
  KeeperWorld w(dollars(10'000), dollars(1'000), /*trader_long=*/false);
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.025), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(10'960));
  ASSERT_EQ(w.ch.equity(w.trader), dollars(40));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.quantity, coins(-0.5));
  EXPECT_EQ(out.reward, dollars(40));
  EXPECT_EQ(out.price, px(11'040));
  EXPECT_EQ(w.balance(w.trader), dollars(11'000 - 5'520));
  EXPECT_EQ(w.ch.equity(w.trader), Amount(0));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000));
}

// An account already underwater pays no bonus: the keeper takes the slice at its value at the mark and
// the slice is settled at the account's bankruptcy price, the fund paying its share of the negative
// equity and the deficit (bad debt) the rest, as Aave v3.3 books uncovered debt into the reserve deficit.
// Mark 8,000: equity -1,000. The keeper buys 0.5 for 4,000; at bankruptcy (9,000) the slice is worth
// 4,500, so 500 is owed: the fund (300) pays 300 and 200 is recorded as bad debt. The remaining half
// carries half of the negative equity (-500).
TEST(KeeperLiquidation, UnderwaterAccountPaysNoBonusAndItsSlicesDeficitIsRecorded) {
  KeeperWorld w(dollars(10'000), dollars(300));
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.0025), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(8'000));
  ASSERT_EQ(w.ch.equity(w.trader), dollars(-1'000));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.quantity, coins(0.5));
  EXPECT_EQ(out.reward, Amount(0));
  EXPECT_EQ(out.price, px(8'000));
  EXPECT_EQ(w.balance(w.keeper), dollars(10'000 - 4'000));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), Amount(0));
  EXPECT_EQ(w.ch.ledger().bad_debt(), dollars(200));
  EXPECT_EQ(w.balance(w.trader), dollars(-9'000 + 4'000 + 500));
  EXPECT_EQ(w.ch.equity(w.trader), dollars(-500));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].reward, Amount(0));
}

// Reward never exceeds the account's equity before the take, over random marks below the liquidation
// price (healthy margin left, a little, none, deeply underwater), bonuses up to 10 %, both sides and
// close factors from 1 % to 100 %: reward <= max(equity before, 0); an account with equity loses exactly
// the reward, one without keeps its (negative) equity scaled to the part of the position left, and money
// and positions are conserved.
TEST(KeeperLiquidation, RewardNeverExceedsTheAccountsEquity) {
  Rng rng(0x6b'0001ull);
  int capped = 0, bankrupt = 0, paid = 0;
  for (int trial = 0; trial < 2'000; ++trial) {
    const bool is_long = rng.bernoulli(0.5);
    KeeperWorld w(dollars(1'000'000), dollars(1'000), is_long);
    const double cf = 0.01 + 0.99 * rng.uniform01();
    const double bonus = 0.1 * rng.uniform01();
    KeeperLiquidation keeper(KeeperLiquidationParams{rate(cf), rate(bonus), Amount(0)}, w.ch, w.log);
    // Liquidation price about 9,045.23 (long) / 10,945.27 (short); bankruptcy 9,000 / 11,000.
    // Half of the trials between the liquidation and the bankruptcy price (some equity left), half
    // anywhere down to 1,300 beyond the liquidation price.
    const double move = (rng.bernoulli(0.5) ? 45 : 1'300) * rng.uniform01();
    w.ch.set_mark(MarketId(0), px(is_long ? 9'045 - move : 10'946 + move));
    if (!w.ch.liquidatable(w.trader)) continue;
    const Amount before = w.ch.equity(w.trader);
    const Quantity size_before = w.size(w.trader);
    const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
    ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated) << "trial " << trial;
    ASSERT_TRUE(conserved(w.ch)) << "trial " << trial;
    ASSERT_GE(out.reward, Amount(0));
    ASSERT_LE(out.reward, std::max(before, Amount(0))) << "trial " << trial;
    if (before > Amount(0)) {
      ASSERT_EQ(w.ch.equity(w.trader), before - out.reward) << "trial " << trial;
      ++paid;
      if (out.reward == before) ++capped;
    } else {
      ++bankrupt;
      // The slice took its share of the loss to the waterfall: what is left carries the rest (to a few
      // micro-dollars of rounding against the account).
      const long double kept = (long double)w.size(w.trader).raw() / (long double)size_before.raw();
      const long double expected = kept * (long double)before.raw();
      ASSERT_NEAR((long double)w.ch.equity(w.trader).raw(), expected, 3.0L) << "trial " << trial;
    }
  }
  EXPECT_GT(paid, 100);
  EXPECT_GT(capped, 10);
  EXPECT_GT(bankrupt, 100);
}
// Aave v3.3 (aave-dao/aave-v3-origin LiquidationLogic, protocols.md 3.x "Close factor, v3.3+"): below
// MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD ($2,000) the whole position goes. The trader holds 1 coin at a
// mark of 9,040 ($9,040): with the threshold at $10,000 the keeper takes all of it despite the 50%
// close factor.
TEST(KeeperLiquidation, PositionBelowTheFullCloseThresholdIsTakenWhole) {
  KeeperWorld w;
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.025), dollars(10'000)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7, 21, std::nullopt));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.quantity, coins(1));
  EXPECT_EQ(w.size(w.trader), coins(0));
}

// The dust rule (MIN_LEFTOVER_BASE = half the threshold). Threshold $4,000, position $9,040: a 50% take
// leaves $4,520 >= $2,000, so the close factor applies; an 80% take would leave $1,808 < $2,000, so the
// keeper takes everything instead.
TEST(KeeperLiquidation, DustRuleTakesEverythingWhenTheLeftoverWouldBeTooSmall) {
  {
    KeeperWorld w;
    KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.025), dollars(4'000)}, w.ch, w.log);
    w.ch.set_mark(MarketId(0), px(9'040));
    EXPECT_EQ(keeper.execute(w.keeper, w.trader, at(7, 21, std::nullopt)).quantity, coins(0.5));
  }
  {
    KeeperWorld w;
    KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.8), rate(0.025), dollars(4'000)}, w.ch, w.log);
    w.ch.set_mark(MarketId(0), px(9'040));
    EXPECT_EQ(keeper.execute(w.keeper, w.trader, at(7, 21, std::nullopt)).quantity, coins(1));
    EXPECT_TRUE(conserved(w.ch));
  }
}

// Short 1 at 10,000 with 1,000 at mark 10,960 (LP 10945.27, equity 40): the keeper takes over 0.5 short
// at 10,960 x 1.0025 = 10,987.40 (the account pays 5,493.70); reward 0.25 % of 5,480 = 13.70.
TEST(KeeperLiquidation, KeeperTakesOverAShortAboveTheMarkByTheBonus) {
  KeeperWorld w(dollars(10'000), dollars(1'000), /*trader_long=*/false);
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.0025), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(10'960));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.quantity, coins(-0.5));
  EXPECT_EQ(out.price, px(10'987.40));
  EXPECT_EQ(out.reward, dollars(13.70));
  EXPECT_EQ(w.size(w.trader), coins(-0.5));
  EXPECT_EQ(w.size(w.keeper), coins(-0.5));
  EXPECT_EQ(w.balance(w.trader), dollars(11'000 - 5'493.70));
  EXPECT_EQ(w.balance(w.keeper), dollars(10'000 + 5'493.70));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].quantity, coins(0.5));
}

TEST(KeeperLiquidation, NotLiquidatableMovesNothing) {
  KeeperWorld w;
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.025), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(9'100));
  const Snapshot before = snapshot(w.ch);
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_EQ(out.outcome, KeeperOutcome::NotLiquidatable);
  EXPECT_EQ(out.liquidation, std::nullopt);
  EXPECT_EQ(snapshot(w.ch), before);
  EXPECT_TRUE(w.log.liquidations.empty());
}

// Bonus 0.1 %: the keeper with 10 of margin would hold 0.5 at 9,030.96 with equity 10 + 4.52 = 14.52 <
// MM 22.6, so the transaction reverts and every balance, position and entry cost is exactly as before.
TEST(KeeperLiquidation, KeeperThatCannotCarryThePositionRevertsExactly) {
  KeeperWorld w(dollars(10));
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.001), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  const Snapshot before = snapshot(w.ch);
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_EQ(out.outcome, KeeperOutcome::KeeperUndercollateralised);
  EXPECT_EQ(out.liquidation, std::nullopt);
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(snapshot(w.ch), before);
  EXPECT_EQ(w.ch.ledger().position(w.trader, MarketId(0)).open_notional, dollars(10'000));
  EXPECT_TRUE(w.log.liquidations.empty());
  EXPECT_TRUE(w.ch.liquidatable(w.trader));
}

// Mark 8,000, close factor 100 %, bonus 5 %: the account (equity -1,000) pays no bonus; the keeper takes
// the whole long at 8,000 and the account's loss below bankruptcy (1,000) is paid by the fund (5,000).
TEST(KeeperLiquidation, ShortfallOfAFlatAccountIsPaidByTheFund) {
  KeeperWorld w(dollars(10'000), dollars(5'000));
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(1.0), rate(0.05), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(8'000));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.reward, Amount(0));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.balance(w.keeper), dollars(10'000 - 8'000));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(4'000));
  EXPECT_EQ(w.ch.ledger().bad_debt(), Amount(0));
}

TEST(KeeperLiquidation, ShortfallBeyondTheFundIsBadDebt) {
  KeeperWorld w(dollars(10'000), dollars(600));
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(1.0), rate(0.05), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(8'000));
  keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), Amount(0));
  EXPECT_EQ(w.ch.ledger().bad_debt(), dollars(400));
}

// Health factor of a perp account: equity / maintenance requirement (Aave's HF = sum(collateral x LT) /
// debt; both are liquidatable below 1). Compared exactly.
TEST(KeeperLiquidation, HealthFactorThresholdIsInclusiveAndExact) {
  EXPECT_TRUE(health_at_or_below(Health{dollars(95), dollars(100)}, rate(0.95)));
  EXPECT_FALSE(health_at_or_below(Health{Amount(95'000'001), dollars(100)}, rate(0.95)));
  EXPECT_FALSE(health_at_or_below(Health{dollars(96), dollars(100)}, rate(0.95)));
  EXPECT_TRUE(health_at_or_below(Health{dollars(-1), dollars(100)}, rate(0.95)));
  EXPECT_TRUE(health_at_or_below(Health{dollars(-1), Amount(0)}, rate(0.95)));
}

// A trader long `coins` at 10,000 (mark 10,000, flat 0.5 % MMR) whose equity is `equity`: HF = equity /
// (0.005 x notional).
struct HealthWorld : KeeperWorld {
  AccountId holder;
  HealthWorld(double quantity, double equity) {
    holder = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(equity));
    ch.ledger().trade(holder, counterparty, MarketId(0), coins(quantity), dollars(10'000 * quantity));
    ch.arm(holder);
  }
};

// Aave v3 LiquidationLogic (v3.0-3.2 _calculateDebt; aave-v3-core): closeFactor = healthFactor >
// CLOSE_FACTOR_HF_THRESHOLD (0.95e18) ? DEFAULT_LIQUIDATION_CLOSE_FACTOR (0.5e4) :
// MAX_LIQUIDATION_CLOSE_FACTOR (1e4). 1 coin at 10,000 (MM 50): equity 47.50 is HF 0.95 exactly and the
// keeper takes everything; equity 48 is HF 0.96 and the keeper takes the close factor.
TEST(KeeperLiquidation, HealthFactorAtOrBelowTheThresholdClosesTheWholePosition) {
  const KeeperLiquidationParams params{rate(0.5), rate(0.001), Amount(0), rate(0.95)};
  {
    HealthWorld w(1, 47.50);
    ASSERT_TRUE(w.ch.liquidatable(w.holder));
    KeeperLiquidation keeper(params, w.ch, w.log);
    EXPECT_EQ(keeper.execute(w.keeper, w.holder, at(7)).quantity, coins(1));
    EXPECT_EQ(w.size(w.holder), Quantity(0));
    EXPECT_TRUE(conserved(w.ch));
  }
  {
    HealthWorld w(1, 48);
    KeeperLiquidation keeper(params, w.ch, w.log);
    EXPECT_EQ(keeper.execute(w.keeper, w.holder, at(7)).quantity, coins(0.5));
    EXPECT_TRUE(conserved(w.ch));
  }
  {
    // The key off (0): HF 0.95 takes only the close factor.
    HealthWorld w(1, 47.50);
    KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.001), Amount(0)}, w.ch, w.log);
    EXPECT_EQ(keeper.execute(w.keeper, w.holder, at(7)).quantity, coins(0.5));
  }
}

// protocol_vectors.json #52 (Aave v3.0-3.2, aave-v3-core LiquidationLogic _calculateDebt,
// CLOSE_FACTOR_HF_THRESHOLD 0.95): total debt 15,000 at HF 0.99 and 0.935 -> max liquidatable 7,500 and
// 15,000. The perp form: a position of $15,000 of notional (1.5 coin at 10,000, MM 75) at HF 0.99
// (equity 74.25) and 0.935 (equity 70.125) -> the keeper takes $7,500 and $15,000 of it.
TEST(KeeperLiquidation, AaveCloseFactorVector52) {
  const KeeperLiquidationParams params{rate(0.5), rate(0.001), Amount(0), rate(0.95)};
  const double hf_cases[] = {0.99, 0.935};
  const double expected[] = {7'500.0, 15'000.0};
  for (int k = 0; k < 2; ++k) {
    HealthWorld w(1.5, hf_cases[k] * 75);
    ASSERT_TRUE(w.ch.liquidatable(w.holder));
    KeeperLiquidation keeper(params, w.ch, w.log);
    const KeeperTakeover out = keeper.execute(w.keeper, w.holder, at(7));
    EXPECT_EQ(notional(px(10'000), out.quantity, Round::Down), dollars(expected[k])) << "HF " << hf_cases[k];
    EXPECT_TRUE(conserved(w.ch));
  }
}

// The take-over quantity is the close factor rounded up: 30 % of 0.33333333 coin = 0.099999999 -> 0.1.
TEST(KeeperLiquidation, CloseFactorRoundsUpToAWholeQuantityUnit) {
  KeeperWorld w;
  // The trader sells 0.66666667 back, keeping 0.33333333 coin (balance -2,333.3333).
  w.ch.ledger().trade(w.counterparty, w.trader, MarketId(0), coins(0.66666667), dollars(6'666.6667));
  w.ch.arm(w.trader);
  EXPECT_TRUE(conserved(w.ch));
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.3), rate(0.025), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(7'000));
  ASSERT_TRUE(w.ch.liquidatable(w.trader));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.quantity, coins(0.1));
  EXPECT_EQ(w.size(w.trader), coins(0.23333333));
}

}  // namespace
}  // namespace liqsim
