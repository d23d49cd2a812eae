// The test fixture of the liquidation tests: a real order book as the execution venue (fills applied
// to the ledger before execute() returns, as the World does) and one market with a trader in vector #2's
// position.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <utility>
#include <vector>

#include "core/check.h"
#include "market/order_book.h"
#include "protocol/engine_liquidation.h"
#include "protocol/liquidation.h"
#include "protocol/tiered_margin.h"

namespace liqsim::liquidation_test {

inline Amount dollars(double x) { return amount_from_double(x); }
inline Price px(double x) { return price_from_double(x); }
inline Quantity coins(double x) { return quantity_from_double(x); }
inline Ratio rate(double x) { return ratio_from_double(x); }

inline ::testing::AssertionResult conserved(const ClearingHouse& ch) {
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
inline void PrintTo(const Snapshot& s, std::ostream* os) {
  for (int64_t v : s.values) *os << v << ' ';
}
inline Snapshot snapshot(const ClearingHouse& ch) {
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

inline EngineLiquidationParams engine_params(double step_fraction, double full_close_below,
                                             EngineSequence sequence = EngineSequence::Binance,
                                             double fee = 0) {
  EngineLiquidationParams p;
  p.sequence = sequence;
  p.step_fraction = rate(step_fraction);
  p.full_close_below = dollars(full_close_below);
  p.cooldown = seconds(30);
  p.max_slippage = rate(0.05);
  p.clearance_fee = rate(fee);
  return p;
}

inline LiquidationTrigger at(int64_t s, int64_t mark_update = 17,
                             std::optional<LiquidationId> cause = LiquidationId(3)) {
  return LiquidationTrigger{seconds(s), mark_update, cause};
}

}  // namespace liqsim::liquidation_test
