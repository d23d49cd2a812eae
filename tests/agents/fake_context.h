// A test double for AgentContext over real parts: one OrderBook per market and a real ClearingHouse.
// The test owns the clock: wake-ups are recorded and popped in (time, call order), market data (index,
// oracle, mark) is set by hand, and every door an agent uses is logged so tests can check what it did.
//
// Contract: submit/modify route to the market's book and apply every fill with ClearingHouse::apply_fill
// before returning, as the simulation's World does; reduce-only orders read positions from the ledger.
// Time never goes backwards (a test that tries aborts with LIQSIM_CHECK).
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "agents/agent_context.h"
#include "core/check.h"
#include "protocol/tiered_margin.h"

namespace liqsim {

// Strong units print as their raw integers in test failures (GoogleTest finds this by ADL).
template <class Tag>
void PrintTo(StrongInt<Tag> v, std::ostream* os) {
  *os << v.raw();
}

class FakeContext final : public AgentContext, public PositionSource {
 public:
  // A wake-up an agent asked for. `population` is the caller tag set with set_population(), so one
  // context can serve several populations (the World's event kinds play this role).
  struct Wake {
    Time at;
    uint32_t target = 0;
    int64_t arg = 0;
    uint32_t population = 0;
    Time requested;  // the clock when wake() was called
    uint64_t seq = 0;
  };
  // An order an agent sent, with the public market state just before it reached the book.
  struct Submission {
    Time at;
    MarketId market;
    std::optional<VenueId> venue;  // a spot venue (perpetual orders: `market`)
    OrderRequest order;
    std::optional<Price> best_bid, best_ask;
    Price mark;
    OrderId id = 0;
    RejectReason reject = RejectReason::None;
    Quantity filled, resting;
  };
  struct Cancellation {
    Time at;
    MarketId market;
    OrderId id = 0;
    bool found = false;
    std::optional<VenueId> venue;  // a spot venue (perpetual cancels: `market`)
  };
  struct Deposit {
    Time at;
    AccountId account;
    Amount amount;
  };
  struct Alert {
    Time at;
    AccountId account;
    std::optional<Ratio> multiple;
  };
  struct LiquidationTx {
    Time sent;
    AccountId keeper;
    AccountId target;
    Time ready;
    Amount priority_fee;
    TxIntent intent;
  };
  std::map<AccountId, std::vector<AuctionView>> auction_views;  // what auctions() shows
  std::map<AccountId, LiquidationQuote> quotes;                 // what liquidation_quote() shows
  struct ExecutedFill {
    Time at;
    MarketId market;
    Fill fill;
    std::optional<VenueId> venue;  // a spot venue's fill
  };

  // `markets` markets sharing one tick size and margin table, fee-free unless fees are given; index,
  // oracle and mark all start at `price`.
  FakeContext(uint32_t markets, Price tick, Price price, const TieredMaintenanceMargin& margin,
              Ratio taker_fee = Ratio(0), Ratio maker_fee = Ratio(0))
      : tick_(tick), index_(markets, price), oracle_(markets, price) {
    std::vector<ProtocolMarket> protocol;
    for (uint32_t m = 0; m < markets; ++m)
      protocol.push_back(ProtocolMarket{margin, taker_fee, maker_fee, price});
    ch_ = std::make_unique<ClearingHouse>(std::move(protocol));
    for (uint32_t m = 0; m < markets; ++m) {
      books_.push_back(std::make_unique<OrderBook>(tick));
      books_.back()->set_position_source(this);
      venues_.push_back(
          VenueInfo{VenueKind::Perpetual, MarketId(m), kQuoteAsset, tick, taker_fee, maker_fee});
    }
  }
  // Adds a spot venue trading market m's asset (registered in the ledger at the first call for m);
  // returns its id. Fills settle with ClearingHouse::apply_spot_fill, as in the World.
  VenueId add_spot_venue(MarketId m, Ratio taker_fee = Ratio(0), Ratio maker_fee = Ratio(0)) {
    LIQSIM_CHECK(pools_.empty(), "spot venues come before the AMM pools, as in the World");
    AssetId base;
    bool found = false;
    for (const VenueInfo& v : venues_)
      if (v.kind == VenueKind::Spot && v.market == m) base = v.base, found = true;
    if (!found)
      base = ch_->ledger().add_asset(AssetSpec{"COIN" + std::to_string(m.raw()), 8, AssetKind::Coin, {}});
    venues_.push_back(VenueInfo{VenueKind::Spot, m, base, tick_, taker_fee, maker_fee});
    spot_books_.push_back(std::make_unique<OrderBook>(tick_));
    return VenueId(uint32_t(venues_.size() - 1));
  }
  // Adds market m's constant-product pool (after every spot venue, as in the World): the amm_pool place
  // holds `coins` bought from the outside place at quote / coins and `quote` beside them.
  VenueId add_amm(MarketId m, Quantity coins, Amount quote, Ratio fee) {
    const AccountId place = place_account(Place::AmmPool);
    ch_->ledger().transfer(place_account(Place::Outside), place, quote + quote);
    ch_->ledger().trade(place, place_account(Place::Outside), m, coins, quote);
    venues_.push_back(VenueInfo{VenueKind::Amm, m, kQuoteAsset, Price(1), Ratio(0), Ratio(0)});
    pools_.push_back({VenueId(uint32_t(venues_.size() - 1)),
                      std::make_unique<ConstantProductPool>(place, coins, quote, fee)});
    return pools_.back().first;
  }
  std::span<const VenueInfo> venues() const { return venues_; }
  void set_fundamental(MarketId m, Price p) {
    if (fundamental_.size() <= m.raw()) fundamental_.resize(m.raw() + 1);
    fundamental_[m.raw()] = p;
  }
  // An order from outside the agents under test at any venue: routed and settled, not logged.
  SubmitResult place_at(VenueId v, const OrderRequest& order) { return route_at(v, order); }

  // ---- AgentContext ----
  Time now() const override { return now_; }
  void wake(Time at, uint32_t target, int64_t arg) override {
    LIQSIM_CHECK(at >= now_, "wake-up in the past");
    const Wake w{at, target, arg, population_, now_, next_seq_++};
    wakes.push_back(w);
    pending_.push_back(w);
    std::push_heap(pending_.begin(), pending_.end(), later);
  }
  SubmitResult submit(MarketId m, const OrderRequest& order) override {
    Submission s;
    s.at = now_;
    s.market = m;
    s.order = order;
    s.best_bid = books_[m.raw()]->best_bid();
    s.best_ask = books_[m.raw()]->best_ask();
    s.mark = ch_->mark(m);
    const SubmitResult r = route(m, order);
    s.id = r.id;
    s.reject = r.reject;
    s.filled = r.filled;
    s.resting = r.resting;
    submissions.push_back(s);
    return r;
  }
  bool cancel(MarketId m, OrderId id) override {
    const bool found = books_[m.raw()]->cancel(id);
    cancellations.push_back(Cancellation{now_, m, id, found, std::nullopt});
    return found;
  }
  SubmitResult modify(MarketId m, OrderId id, std::optional<Price> price,
                      std::optional<Quantity> quantity) override {
    current_market_ = m;
    const SubmitResult r = books_[m.raw()]->modify(id, price, quantity);
    apply_fills(m, r);
    return r;
  }
  const OrderBook& book(MarketId m) const override { return *books_[m.raw()]; }
  MarketView view(MarketId m) const override {
    MarketView v;
    v.fundamental =
        fundamental_.size() > m.raw() && fundamental_[m.raw()] ? *fundamental_[m.raw()] : index_[m.raw()];
    v.index = index_[m.raw()];
    v.oracle = oracle_[m.raw()];
    v.mark = ch_->mark(m);
    v.last = last_trade_.size() > m.raw() && last_trade_[m.raw()] ? *last_trade_[m.raw()] : v.mark;
    v.tick = tick_;
    v.best_bid = books_[m.raw()]->best_bid();
    v.best_ask = books_[m.raw()]->best_ask();
    v.open_interest = ch_->ledger().open_interest(m);
    return v;
  }
  const ClearingHouse& clearing() const override { return *ch_; }
  void deposit(AccountId a, Amount amount) override {
    deposits.push_back(Deposit{now_, a, amount});
    ch_->deposit(a, amount);
  }
  // Like the World: the new alert level takes effect through a re-arm of the account's triggers.
  void set_alert(AccountId a, std::optional<Ratio> multiple) override {
    alerts.push_back(Alert{now_, a, multiple});
    ch_->set_alert(a, multiple);
    ch_->arm(a);
  }
  void send_liquidation_tx(AccountId keeper, AccountId target, Time ready, Amount priority_fee,
                           const TxIntent& intent) override {
    liquidation_txs.push_back(LiquidationTx{now_, keeper, target, ready, priority_fee, intent});
  }
  std::vector<AuctionView> auctions(AccountId target) const override {
    const auto it = auction_views.find(target);
    return it == auction_views.end() ? std::vector<AuctionView>{} : it->second;
  }
  std::optional<LiquidationQuote> liquidation_quote(AccountId target) const override {
    const auto it = quotes.find(target);
    if (it == quotes.end()) return std::nullopt;
    return it->second;
  }
  Amount base_fee() const override { return base_fee_; }
  uint32_t market_count() const override { return uint32_t(books_.size()); }
  uint32_t venue_count() const override { return uint32_t(venues_.size()); }
  const VenueInfo& venue(VenueId v) const override { return venues_[v.raw()]; }
  SubmitResult submit_at(VenueId v, const OrderRequest& order) override {
    if (venues_[v.raw()].kind == VenueKind::Perpetual) return submit(venues_[v.raw()].market, order);
    Submission s;
    s.at = now_;
    s.venue = v;
    s.order = order;
    const AmmVenue* pool = pool_at(v);
    s.best_bid = pool ? pool->best_bid() : book_at(v).best_bid();
    s.best_ask = pool ? pool->best_ask() : book_at(v).best_ask();
    const SubmitResult r = route_at(v, order);
    s.id = r.id;
    s.reject = r.reject;
    s.filled = r.filled;
    s.resting = r.resting;
    submissions.push_back(s);
    return r;
  }
  bool cancel_at(VenueId v, OrderId id) override {
    if (venues_[v.raw()].kind == VenueKind::Perpetual) return cancel(venues_[v.raw()].market, id);
    const bool found = spot_books_[v.raw() - books_.size()]->cancel(id);
    cancellations.push_back(Cancellation{now_, venues_[v.raw()].market, id, found, v});
    return found;
  }
  const OrderBook& book_at(VenueId v) const override {
    LIQSIM_CHECK(venues_[v.raw()].kind != VenueKind::Amm, "an AMM venue has no book");
    return venues_[v.raw()].kind == VenueKind::Perpetual ? *books_[v.raw()]
                                                         : *spot_books_[v.raw() - books_.size()];
  }
  const AmmVenue* pool_at(VenueId v) const override {
    for (const auto& [id, pool] : pools_)
      if (id == v) return pool.get();
    return nullptr;
  }
  std::optional<VenueId> amm_of(MarketId m) const override {
    for (const auto& [id, pool] : pools_)
      if (venues_[id.raw()].market == m) return id;
    return std::nullopt;
  }

  // ---- PositionSource (reduce-only orders read the ledger of the market being traded) ----
  Quantity position(AccountId owner) const override {
    return ch_->ledger().position(owner, current_market_).size;
  }

  // ---- Test controls ----
  ClearingHouse& ch() { return *ch_; }
  AccountId open_account(AgentRole role, Amount capital) {
    return ch_->open_account(role, MarginMode::Cross, capital);
  }
  void set_index(MarketId m, Price p) { index_[m.raw()] = p; }
  void set_oracle(MarketId m, Price p) { oracle_[m.raw()] = p; }
  void set_mark(MarketId m, Price p) { ch_->set_mark(m, p); }
  void set_base_fee(Amount fee) { base_fee_ = fee; }
  // Tags the wake-ups requested from now on (the population about to be called).
  void set_population(uint32_t population) { population_ = population; }
  // An order from outside the agents under test (a liquidity provider, a stale order): routed and
  // settled like any order, but not logged in `submissions`.
  SubmitResult place(MarketId m, const OrderRequest& order) { return route(m, order); }
  SubmitResult place_limit(MarketId m, AccountId owner, Side side, Price price, Quantity quantity) {
    return route(m, OrderRequest{owner, side, OrderType::Limit, price, quantity, false, -1});
  }

  // Cancels an outside order, unlogged.
  bool withdraw(MarketId m, OrderId id) { return books_[m.raw()]->cancel(id); }
  bool withdraw_at(VenueId v, OrderId id) {
    return venues_[v.raw()].kind == VenueKind::Perpetual ? withdraw(venues_[v.raw()].market, id)
                                                         : spot_books_[v.raw() - books_.size()]->cancel(id);
  }

  size_t pending_wakes() const { return pending_.size(); }
  // Wake-ups still pending, earliest first.
  std::vector<Wake> pending() const {
    std::vector<Wake> out = pending_;
    std::sort(out.begin(), out.end(), [](const Wake& a, const Wake& b) { return later(b, a); });
    return out;
  }
  // Removes the earliest pending wake-up (ties in call order) and moves the clock to its time.
  std::optional<Wake> pop_wake() {
    if (pending_.empty()) return std::nullopt;
    std::pop_heap(pending_.begin(), pending_.end(), later);
    const Wake w = pending_.back();
    pending_.pop_back();
    now_ = w.at;
    return w;
  }
  // Delivers every wake-up due at or before `end` in time order (including those requested meanwhile),
  // then moves the clock to `end`.
  void run_until(Time end, const std::function<void(const Wake&)>& deliver) {
    while (!pending_.empty() && earliest().at <= end) deliver(*pop_wake());
    advance_to(end);
  }
  // Moves the clock without delivering anything; pending wake-ups must not be skipped.
  void advance_to(Time t) {
    LIQSIM_CHECK(t >= now_, "time goes backwards");
    LIQSIM_CHECK(pending_.empty() || earliest().at >= t, "advance_to would skip a pending wake-up");
    now_ = t;
  }

  // What the agents did, in call order.
  std::vector<Wake> wakes;
  std::vector<Submission> submissions;
  std::vector<Cancellation> cancellations;
  std::vector<Deposit> deposits;
  std::vector<Alert> alerts;
  std::vector<LiquidationTx> liquidation_txs;
  std::vector<ExecutedFill> fills;  // every fill applied, agents' and outside orders'

 private:
  // Heap order: the earliest (time, seq) on top.
  static bool later(const Wake& a, const Wake& b) { return a.at != b.at ? a.at > b.at : a.seq > b.seq; }
  const Wake& earliest() const { return pending_.front(); }

  // A swap at a pool, settled as the World settles it (World::route_amm).
  SubmitResult swap(VenueId v, const OrderRequest& order) {
    const MarketId m = venues_[v.raw()].market;
    ConstantProductPool* found = nullptr;
    for (auto& [id, p] : pools_)
      if (id == v) found = p.get();
    ConstantProductPool& pool = *found;
    Quantity q = order.quantity;
    if (order.reduce_only) {
      const Quantity held = ch_->ledger().position(order.owner, m).size;
      q = std::min(q, order.side == Side::Sell ? std::max(held, Quantity(0)) : std::max(-held, Quantity(0)));
    }
    SubmitResult r;
    if (q.raw() <= 0) return r;
    const Price worst = order.limit.value_or(order.side == Side::Sell ? Price(1) : Price::max());
    const Execution x = pool.execute(ExecutionRequest{order.owner, order.side, q, worst, false, order.tag});
    r.reject = x.reject;
    r.filled = x.filled;
    r.fills = x.fills;
    for (const Fill& f : x.fills) {
      const bool taker_buys = f.taker_side == Side::Buy;
      ch_->ledger().trade(taker_buys ? f.taker_owner : f.maker_owner,
                          taker_buys ? f.maker_owner : f.taker_owner, m, f.quantity,
                          notional(f.price, f.quantity, Round::Down));
      ch_->arm(f.taker_owner);
      fills.push_back(ExecutedFill{now_, m, f, v});
    }
    return r;
  }
  SubmitResult route(MarketId m, const OrderRequest& order) {
    current_market_ = m;
    const SubmitResult r = books_[m.raw()]->submit(order);
    apply_fills(m, r);
    return r;
  }
  SubmitResult route_at(VenueId v, const OrderRequest& order) {
    const VenueInfo& info = venues_[v.raw()];
    if (info.kind == VenueKind::Perpetual) return route(info.market, order);
    if (info.kind == VenueKind::Amm) return swap(v, order);
    const SubmitResult r = spot_books_[v.raw() - books_.size()]->submit(order);
    for (const Fill& f : r.fills) {
      ch_->apply_spot_fill(info.base, f, info.taker_fee, info.maker_fee);
      fills.push_back(ExecutedFill{now_, info.market, f, v});
    }
    return r;
  }
  void apply_fills(MarketId m, const SubmitResult& r) {
    if (last_trade_.size() <= m.raw()) last_trade_.resize(m.raw() + 1);
    for (const Fill& f : r.fills) {
      ch_->apply_fill(m, f, false);
      fills.push_back(ExecutedFill{now_, m, f, std::nullopt});
      last_trade_[m.raw()] = f.price;
    }
  }

  Price tick_;
  std::vector<Price> index_, oracle_;
  std::vector<std::optional<Price>> last_trade_;
  std::unique_ptr<ClearingHouse> ch_;
  std::vector<std::unique_ptr<OrderBook>> books_;
  std::vector<std::unique_ptr<OrderBook>> spot_books_;
  std::vector<std::pair<VenueId, std::unique_ptr<ConstantProductPool>>> pools_;
  std::vector<VenueInfo> venues_;
  std::vector<std::optional<Price>> fundamental_;
  Time now_{0};
  Amount base_fee_;
  uint32_t population_ = 0;
  uint64_t next_seq_ = 0;
  MarketId current_market_;
  std::vector<Wake> pending_;
};

}  // namespace liqsim
