#include "protocol/liquidation.h"

#include <gtest/gtest.h>

#include <ostream>
#include <vector>

#include "core/check.h"
#include "market/order_book.h"
#include "protocol/tiered_margin.h"

namespace liqsim {
namespace {

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }

::testing::AssertionResult conserved(const ClearingHouse& ch) {
  const Ledger& ledger = ch.ledger();
  if (ledger.conservation_residual() != Amount(0))
    return ::testing::AssertionFailure()
           << "money residual " << format_amount(ledger.conservation_residual());
  for (MarketId m(0); m.raw() < ledger.market_count(); ++m)
    if (ledger.position_residual(m) != Quantity(0))
      return ::testing::AssertionFailure()
             << "market " << m << " position residual " << ledger.position_residual(m).raw();
  return ::testing::AssertionSuccess();
}

// Everything a liquidation may move, for "nothing moved" checks.
struct Snapshot {
  std::vector<int64_t> values;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};
void PrintTo(const Snapshot& s, std::ostream* os) {
  for (int64_t v : s.values) *os << v << ' ';
}
Snapshot snapshot(const ClearingHouse& ch) {
  const Ledger& l = ch.ledger();
  Snapshot s;
  for (AccountId a(0); a.raw() < l.account_count(); ++a) {
    s.values.push_back(l.account(a).balance.raw());
    s.values.push_back(l.account(a).deposits.raw());
    s.values.push_back(l.account(a).liquidations);
    for (MarketId m(0); m.raw() < l.market_count(); ++m) {
      s.values.push_back(l.position(a, m).size.raw());
      s.values.push_back(l.position(a, m).open_notional.raw());
    }
  }
  for (MarketId m(0); m.raw() < l.market_count(); ++m) s.values.push_back(l.open_interest(m).raw());
  for (Amount x : {l.insurance_fund(), l.fee_pool(), l.gas_paid(), l.bad_debt(), l.external_deposits()})
    s.values.push_back(x.raw());
  s.values.push_back(ch.liquidation_count());
  return s;
}

// The composition root's part, faked as the simulator does it (experiments/simulation.cpp World::route):
// one real OrderBook for market 0, every fill applied to the ledger through ClearingHouse::apply_fill
// before execute() returns, positions for reduce-only orders read from the ledger.
class BookVenue final : public ExecutionVenue, public PositionSource {
 public:
  BookVenue(ClearingHouse& ch, Price tick) : ch_(ch), book_(tick) { book_.set_position_source(this); }

  Execution execute(MarketId m, const ExecutionRequest& request, bool taker_fee_waived) override {
    LIQSIM_CHECK(m == MarketId(0), "the fake venue has one market");
    orders.push_back(request);
    const Execution x = venue_.execute(request);
    for (const Fill& f : x.fills) ch_.apply_fill(m, f, taker_fee_waived);
    return x;
  }
  void cancel_orders(AccountId a, MarketId m) override {
    ++cancel_calls;
    for (auto& [owner, id] : resting_)
      if (owner == a && m == MarketId(0)) book_.cancel(id);
  }
  Price tick_size(MarketId) const override { return book_.tick_size(); }
  Quantity position(AccountId owner) const override { return ch_.ledger().position(owner, MarketId(0)).size; }

  // A maker's resting limit order.
  OrderId rest(AccountId owner, Side side, Price price, Quantity quantity) {
    const SubmitResult r =
        route(MarketId(0), OrderRequest{owner, side, OrderType::Limit, price, quantity, false, -1}, false);
    LIQSIM_CHECK(r.accepted() && r.filled == Quantity(0), "test quote must rest");
    return r.id;
  }
  const OrderBook& book() const { return book_; }

  std::vector<ExecutionRequest> orders;  // liquidation requests received through execute()
  int cancel_calls = 0;

 private:
  SubmitResult route(MarketId m, const OrderRequest& order, bool taker_fee_waived) {
    LIQSIM_CHECK(m == MarketId(0), "the fake venue has one market");
    const SubmitResult r = book_.submit(order);
    if (r.accepted() && r.resting > Quantity(0)) resting_.emplace_back(order.owner, r.id);
    for (const Fill& f : r.fills) ch_.apply_fill(m, f, taker_fee_waived);
    return r;
  }

  ClearingHouse& ch_;
  OrderBook book_;
  OrderBookVenue venue_{book_};
  std::vector<std::pair<AccountId, OrderId>> resting_;
};

// One market with Binance-like fees (taker 0.04 %, maker 0.02 %) and a flat 0.5 % MMR, mark 10,000; the
// trader holds the position of vector #2 (protocol_vectors.json): long 1 BTC at 10,000 with 1,000, so
// its bankruptcy price is 9,000 and its liquidation price 9045.23.
struct World {
  RunLog log;
  ClearingHouse ch{
      {ProtocolMarket{TieredMaintenanceMargin::flat(rate(0.005)), rate(0.0004), rate(0.0002), px(10'000)}}};
  BookVenue venue{ch, px(0.01)};
  AccountId counterparty = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1'000'000));
  AccountId maker = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1'000'000));
  AccountId trader = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(1'000));

  explicit World(Amount fund = dollars(1'000), bool trader_long = true) {
    ch.ledger().seed_insurance_fund(fund);
    if (trader_long)
      ch.ledger().trade(trader, counterparty, MarketId(0), coins(1), dollars(10'000));
    else
      ch.ledger().trade(counterparty, trader, MarketId(0), coins(1), dollars(10'000));
    ch.arm(trader);
    ch.arm(counterparty);
    EXPECT_TRUE(conserved(ch));
  }
  Amount balance(AccountId a) const { return ch.ledger().account(a).balance; }
  Quantity size(AccountId a) const { return ch.ledger().position(a, MarketId(0)).size; }
};

EngineLiquidationParams engine_params(double step_fraction, double full_close_below) {
  return EngineLiquidationParams{rate(step_fraction), dollars(full_close_below), seconds(30), rate(0.05)};
}

LiquidationTrigger at(int64_t s, int64_t mark_update = 17,
                      std::optional<LiquidationId> cause = LiquidationId(3)) {
  return LiquidationTrigger{seconds(s), mark_update, cause};
}

// ---------------------------------------------------------------------------------------------------
// EngineLiquidation

// Step fraction 25 %, whole close at or below 5,000 of notional, cool-down 30 s. At mark 9,040 the
// account stays liquidatable after every slice settled at bankruptcy (equity scales with the position),
// so the slices are ceil(25 % of what is left): 0.25, 0.1875, 0.140625, then 0.421875 (3,813.75 <= 5,000).
TEST(EngineLiquidation, ClosesALiquidatableLongInStepsWithTheCooldownBetweenThem) {
  World w;
  EngineLiquidation engine(engine_params(0.25, 5'000), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(2));
  w.ch.set_mark(MarketId(0), px(9'040));
  ASSERT_TRUE(w.ch.liquidatable(w.trader));
  const double slices[] = {0.25, 0.1875, 0.140625, 0.421875};
  double closed = 0;
  for (int k = 0; k < 4; ++k) {
    const std::optional<Time> next = engine.step(w.trader, at(100 + 30 * k));
    closed += slices[k];
    EXPECT_TRUE(conserved(w.ch));
    EXPECT_EQ(w.size(w.trader), coins(1 - closed)) << "step " << k;
    // Each slice settles at bankruptcy 9,000 and the 40 per coin above it goes to the fund.
    EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000 + 40 * closed)) << "step " << k;
    ASSERT_EQ(w.log.liquidations.size(), size_t(k + 1));
    EXPECT_EQ(w.log.liquidations[k].id, k);
    EXPECT_EQ(w.log.liquidations[k].quantity, coins(-slices[k]));
    EXPECT_EQ(w.log.liquidations[k].time, seconds(100 + 30 * k));
    if (k < 3) {
      ASSERT_TRUE(next.has_value());
      EXPECT_EQ(*next, seconds(100 + 30 * k) + seconds(30));
      EXPECT_TRUE(w.ch.ledger().account(w.trader).in_liquidation);
    } else {
      EXPECT_FALSE(next.has_value());
    }
  }
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.ch.ledger().account(w.trader).liquidations, 4);
  EXPECT_FALSE(w.ch.ledger().account(w.trader).in_liquidation);
  EXPECT_EQ(w.ch.ledger().account(w.trader).last_liquidation_step, seconds(190));
}

// Fills 0.5 at 9,040 and 0.5 at 9,030 receive 9,035 against the bankruptcy value 9,000: the fund gets 35,
// the account ends at 0. The engine's taker fee is waived; the maker pays 0.02 % of 9,035 = 1.807.
TEST(EngineLiquidation, SurplusAboveBankruptcyGoesToTheInsuranceFund) {
  World w(dollars(1'000));
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(0.5));
  w.venue.rest(w.maker, Side::Buy, px(9'030), coins(0.5));
  w.ch.set_mark(MarketId(0), px(9'040));
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'035));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  EXPECT_EQ(w.ch.ledger().fee_pool(), dollars(1.807));
  EXPECT_EQ(w.size(w.maker), coins(1));
  EXPECT_EQ(w.ch.ledger().bad_debt(), Amount(0));
}

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
// 10,950: the account pays 10,950 against the bankruptcy value 11,000, the fund gets 50.
TEST(EngineLiquidation, ShortIsClosedByBuyingAndItsSurplusGoesToTheFund) {
  World w(dollars(1'000), /*trader_long=*/false);
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Sell, px(10'950), coins(1));
  w.ch.set_mark(MarketId(0), px(10'960));
  ASSERT_TRUE(w.ch.liquidatable(w.trader));
  EXPECT_FALSE(engine.step(w.trader, at(5)).has_value());
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'050));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
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
  EngineLiquidation engine(EngineLiquidationParams{rate(0.25), Amount(0), seconds(30), rate(0.0123)}, w.ch,
                           w.venue, w.log);
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

TEST(EngineLiquidation, BidsBeyondTheSlippageLimitAreNotHit) {
  World w;
  EngineLiquidation engine(EngineLiquidationParams{rate(0.25), Amount(0), seconds(30), rate(0.01)}, w.ch,
                           w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(8'949.59), coins(1));  // limit 9,040 * 0.99 = 8,949.60
  w.ch.set_mark(MarketId(0), px(9'040));
  const Snapshot before = snapshot(w.ch);
  const std::optional<Time> next = engine.step(w.trader, at(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, seconds(35));
  EXPECT_EQ(snapshot(w.ch), before);
  EXPECT_TRUE(w.log.liquidations.empty());
  ASSERT_EQ(w.venue.orders.size(), 1u);
  EXPECT_EQ(w.venue.orders[0].worst, px(8'949.60));
}

// An empty book fills nothing: no record, no id consumed, nothing moves, and the engine asks to retry
// after the cool-down; the retry against a refilled book gets liquidation id 0.
TEST(EngineLiquidation, NoFillMeansNoRecordAndARetryLater) {
  World w;
  EngineLiquidation engine(engine_params(0.25, 1e9), w.ch, w.venue, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  const Snapshot before = snapshot(w.ch);
  const std::optional<Time> next = engine.step(w.trader, at(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, seconds(35));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(snapshot(w.ch), before);
  EXPECT_TRUE(w.log.liquidations.empty());
  EXPECT_EQ(w.ch.liquidation_count(), 0);
  EXPECT_TRUE(w.ch.ledger().account(w.trader).in_liquidation);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(1));
  EXPECT_FALSE(engine.step(w.trader, at(35)).has_value());
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  EXPECT_EQ(w.log.liquidations[0].id, 0);
  EXPECT_EQ(w.size(w.trader), Quantity(0));
}

// With a cool-down of 0, a step that fills nothing must not be due again at the same instant: nothing it
// depends on can change before another event runs, so it would repeat forever. It waits for the
// no-progress retry (one mark interval); a step that fills is followed at once.
TEST(EngineLiquidation, AnUnfilledStepWithoutCooldownIsRetriedAfterTheNoProgressDelay) {
  World w;
  EngineLiquidationParams params = engine_params(0.25, 0);
  params.cooldown = Time(0);
  params.no_progress_retry = seconds(1);
  EngineLiquidation engine(params, w.ch, w.venue, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  const std::optional<Time> next = engine.step(w.trader, at(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, seconds(6));
  EXPECT_TRUE(w.log.liquidations.empty());
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(1));
  const std::optional<Time> after_fill = engine.step(w.trader, at(6));
  EXPECT_TRUE(conserved(w.ch));
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  ASSERT_TRUE(after_fill.has_value());
  EXPECT_EQ(*after_fill, seconds(6));
}

// After one 25 % slice at 9,040 the mark recovers to 9,100 (above the unchanged LP 9045.23): the next
// step does nothing, ends the liquidation and re-arms the account, whose trigger fires again below LP.
TEST(EngineLiquidation, AnAccountThatBecomesHealthyBetweenStepsStopsBeingLiquidated) {
  World w;
  EngineLiquidation engine(engine_params(0.25, 0), w.ch, w.venue, w.log);
  w.venue.rest(w.maker, Side::Buy, px(9'040), coins(1));
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

// When the fund can cover the loss at the mark, the engine closes into the book instead of deleveraging.
TEST(EngineLiquidation, BeyondBankruptcyWithAFundLargeEnoughGoesToTheBook) {
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

// Close factor 50 %, bonus 2.5 % (Drift/Aave-style take-over), mark 9,040: the keeper buys 0.5 at
// 9,040 x 0.975 = 8,814 for 4,407; reward = 2.5 % of 0.5 x 9,040 = 113.
TEST(KeeperLiquidation, KeeperTakesTheCloseFactorOfALongBelowTheMarkByTheBonus) {
  KeeperWorld w;
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.025), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(9'040));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7, 21, std::nullopt));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.liquidation, LiquidationId(0));
  EXPECT_EQ(out.market, MarketId(0));
  EXPECT_EQ(out.quantity, coins(0.5));
  EXPECT_EQ(out.price, px(8'814));
  EXPECT_EQ(out.reward, dollars(113));
  EXPECT_EQ(w.size(w.trader), coins(0.5));
  EXPECT_EQ(w.size(w.keeper), coins(0.5));
  EXPECT_EQ(w.balance(w.trader), dollars(-9'000 + 4'407));
  EXPECT_EQ(w.balance(w.keeper), dollars(10'000 - 4'407));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(1'000));  // the account still holds a position
  ASSERT_EQ(w.log.liquidations.size(), 1u);
  const LiquidationRecord& r = w.log.liquidations[0];
  EXPECT_EQ(r.id, 0);
  EXPECT_EQ(r.time, seconds(7));
  EXPECT_EQ(r.account, w.trader.raw());
  EXPECT_EQ(r.quantity, coins(-0.5));
  EXPECT_EQ(r.mark, px(9'040));
  EXPECT_EQ(r.price, px(8'814));
  EXPECT_EQ(r.mechanism, LiquidationMechanismKind::Keeper);
  EXPECT_EQ(r.keeper, int64_t(w.keeper.raw()));
  EXPECT_EQ(r.reward, dollars(113));
  EXPECT_EQ(r.mark_update, 21);
  EXPECT_EQ(r.cause, kNoId);
  EXPECT_EQ(w.ch.ledger().account(w.trader).liquidations, 1);
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

// Short 1 at 10,000 with 1,000 at mark 10,960 (LP 10945.27): the keeper takes over 0.5 short at
// 10,960 x 1.025 = 11,234 (the account pays 5,617); reward 2.5 % of 5,480 = 137.
TEST(KeeperLiquidation, KeeperTakesOverAShortAboveTheMarkByTheBonus) {
  KeeperWorld w(dollars(10'000), dollars(1'000), /*trader_long=*/false);
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(0.5), rate(0.025), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(10'960));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.quantity, coins(-0.5));
  EXPECT_EQ(out.price, px(11'234));
  EXPECT_EQ(out.reward, dollars(137));
  EXPECT_EQ(w.size(w.trader), coins(-0.5));
  EXPECT_EQ(w.size(w.keeper), coins(-0.5));
  EXPECT_EQ(w.balance(w.trader), dollars(11'000 - 5'617));
  EXPECT_EQ(w.balance(w.keeper), dollars(10'000 + 5'617));
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

// Mark 8,000, close factor 100 %, bonus 5 %: the keeper takes the whole long at 7,600, leaving the flat
// account at -9,000 + 7,600 = -1,400, which the fund (5,000) pays.
TEST(KeeperLiquidation, ShortfallOfAFlatAccountIsPaidByTheFund) {
  KeeperWorld w(dollars(10'000), dollars(5'000));
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(1.0), rate(0.05), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(8'000));
  const KeeperTakeover out = keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.reward, dollars(400));
  EXPECT_EQ(w.size(w.trader), Quantity(0));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), dollars(3'600));
  EXPECT_EQ(w.ch.ledger().bad_debt(), Amount(0));
}

TEST(KeeperLiquidation, ShortfallBeyondTheFundIsBadDebt) {
  KeeperWorld w(dollars(10'000), dollars(1'000));
  KeeperLiquidation keeper(KeeperLiquidationParams{rate(1.0), rate(0.05), Amount(0)}, w.ch, w.log);
  w.ch.set_mark(MarketId(0), px(8'000));
  keeper.execute(w.keeper, w.trader, at(7));
  EXPECT_TRUE(conserved(w.ch));
  EXPECT_EQ(w.balance(w.trader), Amount(0));
  EXPECT_EQ(w.ch.ledger().insurance_fund(), Amount(0));
  EXPECT_EQ(w.ch.ledger().bad_debt(), dollars(400));
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
