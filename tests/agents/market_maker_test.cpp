#include "agents/market_maker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "tests/agents/fake_context.h"

namespace liqsim {
namespace {

constexpr uint64_t kSeed = 20'240'612;
constexpr Price kTick(10'000);  // 0.01 $
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// Three levels each side: half-spread 0.1%, 0.05% between levels, 1 coin per level, requote every second.
MarketMakerParams params() {
  MarketMakerParams p;
  p.half_spread = 0.001;
  p.levels = 3;
  p.level_spacing = 0.0005;
  p.level_size = {coins(1)};
  p.requote_interval = seconds(1);
  p.inventory_skew = 0.05;  // 5% at the 5-coin limit: 1% per coin
  p.max_inventory = {coins(5)};
  p.vol_window = seconds(30);
  p.vol_widening = 0;
  p.stress_vol = 0.02;
  return p;
}

struct Fixture {
  explicit Fixture(MarketMakerParams p = params(), double index = 100)
      : ctx(1, kTick, px(index), TieredMaintenanceMargin::flat(ratio_from_double(0.005))),
        maker(ctx.open_account(AgentRole::MarketMaker, amount_from_double(1e6))),
        other(ctx.open_account(AgentRole::NoiseTrader, amount_from_double(1e6))),
        makers(p, {maker}, 1, kSeed) {
    makers.start(ctx);
  }
  // Delivers the next requote.
  void requote() {
    const auto w = ctx.pop_wake();
    ASSERT_TRUE(w.has_value());
    makers.on_wake(ctx, w->target, w->arg);
  }
  // Gives the maker a position of `size` coins (positive long) at 100 $, traded with `other`.
  void give_inventory(double size) {
    const Quantity q = coins(std::abs(size));
    const Amount cash = notional(px(100), q, Round::Down);
    if (size > 0)
      ctx.ch().ledger().trade(maker, other, MarketId(0), q, cash);
    else
      ctx.ch().ledger().trade(other, maker, MarketId(0), q, cash);
  }
  // The maker's resting quotes on one side, (price, quantity), best first.
  std::vector<std::pair<Price, Quantity>> quotes(Side side) const {
    std::vector<std::pair<Price, Quantity>> out;
    for (const auto& s : ctx.submissions) {
      if (s.order.owner != maker || s.order.side != side) continue;
      if (const auto o = ctx.book(MarketId(0)).order(s.id)) out.emplace_back(o->price, o->remaining);
    }
    std::sort(out.begin(), out.end());
    if (side == Side::Buy) std::reverse(out.begin(), out.end());
    return out;
  }
  size_t maker_orders() const { return quotes(Side::Buy).size() + quotes(Side::Sell).size(); }

  FakeContext ctx;
  AccountId maker, other;
  MarketMakers makers;
};

using Levels = std::vector<std::pair<Price, Quantity>>;

// fair = index = 100.003: bids fair * (1 - 0.001 - 0.0005 k) = 99.902997, 99.852996, 99.802994 rounded
// down to the 0.01 grid, asks fair * (1 + ...) = 100.103003, 100.153005, 100.203006 rounded up.
TEST(MarketMakers, QuotesConfiguredLevelsAroundTheIndexOnTheTickGrid) {
  Fixture f(params(), 100.003);
  f.requote();
  EXPECT_EQ(f.quotes(Side::Buy),
            (Levels{{px(99.90), coins(1)}, {px(99.85), coins(1)}, {px(99.80), coins(1)}}));
  EXPECT_EQ(f.quotes(Side::Sell),
            (Levels{{px(100.11), coins(1)}, {px(100.16), coins(1)}, {px(100.21), coins(1)}}));
}

// Long 2 coins, skew 5% at 5 coins: fair = 100 * (1 - 0.05 * 2 / 5) = 98.
TEST(MarketMakers, LongInventoryShiftsQuotesDown) {
  Fixture f;
  f.give_inventory(2);
  f.requote();
  EXPECT_EQ(f.quotes(Side::Buy),
            (Levels{{px(97.90), coins(1)}, {px(97.85), coins(1)}, {px(97.80), coins(1)}}));
  EXPECT_EQ(f.quotes(Side::Sell),
            (Levels{{px(98.10), coins(1)}, {px(98.15), coins(1)}, {px(98.20), coins(1)}}));
}

// Short 2 coins: fair = 102, every quote above the flat maker's.
TEST(MarketMakers, ShortInventoryShiftsQuotesUp) {
  Fixture flat, short_maker;
  flat.requote();
  short_maker.give_inventory(-2);
  short_maker.requote();
  const Levels flat_bids = flat.quotes(Side::Buy), flat_asks = flat.quotes(Side::Sell);
  const Levels bids = short_maker.quotes(Side::Buy), asks = short_maker.quotes(Side::Sell);
  ASSERT_EQ(flat_bids.size(), 3u);
  ASSERT_EQ(flat_asks.size(), 3u);
  ASSERT_EQ(bids.size(), 3u);
  ASSERT_EQ(asks.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_GT(bids[k].first, flat_bids[k].first);
    EXPECT_GT(asks[k].first, flat_asks[k].first);
  }
  EXPECT_EQ(bids[0].first, px(101.89));  // 102 * 0.999 = 101.898, rounded down
  EXPECT_EQ(asks[0].first, px(102.11));  // 102 * 1.001 = 102.102, rounded up
}

TEST(MarketMakers, NoBidsAtTheLongInventoryLimit) {
  Fixture f;
  f.give_inventory(5);  // = max_inventory
  f.requote();
  EXPECT_TRUE(f.quotes(Side::Buy).empty());
  EXPECT_EQ(f.quotes(Side::Sell).size(), 3u);
}

TEST(MarketMakers, NoAsksAtTheShortInventoryLimit) {
  Fixture f;
  f.give_inventory(-5);
  f.requote();
  EXPECT_EQ(f.quotes(Side::Buy).size(), 3u);
  EXPECT_TRUE(f.quotes(Side::Sell).empty());
}

// The index jumps 4% at every requote: successive log returns of ~0.039 per 1 s interval give an index
// vol of ~0.039 per sqrt(s), above stress_vol = 0.02.
TEST(MarketMakers, IndexVolAboveStressPullsEveryQuote) {
  Fixture f;
  for (int k = 0; k < 8; ++k) {
    f.ctx.set_index(MarketId(0), px(k % 2 == 0 ? 100 : 104));
    f.requote();
  }
  EXPECT_GT(f.makers.index_vol(0, MarketId(0)), params().stress_vol);
  EXPECT_TRUE(f.makers.pulled(0, MarketId(0)));
  EXPECT_EQ(f.maker_orders(), 0u);
  EXPECT_EQ(f.ctx.book(MarketId(0)).order_count(), 0u);
}

TEST(MarketMakers, QuotesReturnOnceTheVolWindowIsCalm) {
  Fixture f;
  for (int k = 0; k < 8; ++k) {
    f.ctx.set_index(MarketId(0), px(k % 2 == 0 ? 100 : 104));
    f.requote();
  }
  ASSERT_TRUE(f.makers.pulled(0, MarketId(0)));
  // Constant index for longer than the 30 s window.
  for (int k = 0; k < 32; ++k) f.requote();
  EXPECT_FALSE(f.makers.pulled(0, MarketId(0)));
  EXPECT_EQ(f.makers.index_vol(0, MarketId(0)), 0.0);
  EXPECT_EQ(f.maker_orders(), 6u);
}

TEST(MarketMakers, CalmMarketIsNotPulled) {
  Fixture f;
  for (int k = 0; k < 5; ++k) f.requote();
  EXPECT_FALSE(f.makers.pulled(0, MarketId(0)));
  EXPECT_EQ(f.maker_orders(), 6u);
}

// half-spread = base + vol_widening * max(book mid vol, index vol), measured at this requote.
TEST(MarketMakers, RealisedVolWidensTheSpread) {
  MarketMakerParams p = params();
  p.vol_widening = 0.5;
  p.stress_vol = 1.0;  // never pulled here
  Fixture f(p);
  for (int k = 0; k < 6; ++k) {
    f.ctx.set_index(MarketId(0), px(k % 2 == 0 ? 100 : 101));
    f.requote();
  }
  const double vol = std::max(f.makers.realised_vol(0, MarketId(0)), f.makers.index_vol(0, MarketId(0)));
  ASSERT_GT(vol, 0.005);
  const double fair = 101;  // the last requote's index, flat inventory
  const double half = p.half_spread + p.vol_widening * vol;
  const auto bids = f.quotes(Side::Buy);
  const auto asks = f.quotes(Side::Sell);
  ASSERT_FALSE(bids.empty());
  ASSERT_FALSE(asks.empty());
  EXPECT_EQ(bids[0].first, round_down_to_tick(px(fair * (1 - half)), kTick));
  EXPECT_EQ(asks[0].first, round_up_to_tick(px(fair * (1 + half)), kTick));
  EXPECT_LT(bids[0].first, px(fair * (1 - p.half_spread)) - kTick);  // wider than the calm quote
}

// The index stays at 100 while an outside bid inside the maker's spread comes and goes, moving the
// book's mid: the maker widens on its own book's volatility but keeps quoting (only the index's
// volatility pulls quotes).
TEST(MarketMakers, BookMidVolWidensButDoesNotPull) {
  MarketMakerParams p = params();
  p.vol_widening = 1.0;
  p.stress_vol = 0.0002;
  Fixture f(p);
  f.requote();
  for (int k = 0; k < 6; ++k) {
    std::optional<OrderId> inside;
    if (k % 2 == 0) inside = f.ctx.place_limit(MarketId(0), f.other, Side::Buy, px(100.09), coins(1)).id;
    f.requote();
    if (inside) f.ctx.withdraw(MarketId(0), *inside);
  }
  EXPECT_EQ(f.makers.index_vol(0, MarketId(0)), 0.0);
  EXPECT_GT(f.makers.realised_vol(0, MarketId(0)), p.stress_vol);
  EXPECT_FALSE(f.makers.pulled(0, MarketId(0)));
  const auto bids = f.quotes(Side::Buy);
  ASSERT_EQ(bids.size(), 3u);
  EXPECT_EQ(bids[0].first,
            round_down_to_tick(px(100 * (1 - p.half_spread - f.makers.realised_vol(0, MarketId(0)))), kTick));
  EXPECT_LT(bids[0].first, px(99.90));
}

// A stale ask at 99.50 sits below the maker's fair bid of 99.90: the bid takes it at the resting price.
TEST(MarketMakers, QuoteCrossingAStaleOrderTradesAgainstIt) {
  Fixture f;
  const SubmitResult stale = f.ctx.place_limit(MarketId(0), f.other, Side::Sell, px(99.50), coins(0.5));
  ASSERT_GT(stale.resting.raw(), 0);
  f.requote();
  ASSERT_EQ(f.ctx.fills.size(), 1u);
  const Fill& fill = f.ctx.fills[0].fill;
  EXPECT_EQ(fill.maker_owner, f.other);
  EXPECT_EQ(fill.taker_owner, f.maker);
  EXPECT_EQ(fill.price, px(99.50));
  EXPECT_EQ(fill.quantity, coins(0.5));
  EXPECT_FALSE(f.ctx.book(MarketId(0)).order(stale.id).has_value());
  EXPECT_EQ(f.ctx.clearing().ledger().position(f.maker, MarketId(0)).size, coins(0.5));
}

// A jump larger than the ladder must not make new quotes trade with the maker's own older quotes: such
// a wash trade changes nothing but pays fees and prints a false trade.
TEST(MarketMakers, RequoteNeverTradesAgainstItsOwnStaleQuotes) {
  MarketMakerParams p = params();
  p.stress_vol = 1.0;  // the jumps must not pull the quotes here
  Fixture f(p);
  f.requote();
  f.ctx.set_index(MarketId(0), px(104));
  f.requote();
  f.ctx.set_index(MarketId(0), px(99));
  f.requote();
  for (const auto& e : f.ctx.fills)
    EXPECT_FALSE(e.fill.maker_owner == f.maker && e.fill.taker_owner == f.maker)
        << "self-trade at " << e.at.raw();
  EXPECT_EQ(f.quotes(Side::Sell).size(), 3u);
  const auto bids = f.quotes(Side::Buy);
  ASSERT_EQ(bids.size(), 3u);
  EXPECT_EQ(bids[0].first, px(98.90));  // 99 * 0.999 = 98.901, rounded down
}

TEST(MarketMakers, UnchangedQuotesKeepTheirOrders) {
  Fixture f;
  f.requote();
  const size_t submitted = f.ctx.submissions.size();
  f.requote();
  EXPECT_EQ(f.ctx.submissions.size(), submitted);
  EXPECT_TRUE(f.ctx.cancellations.empty());
}

TEST(MarketMakers, RequotesEveryIntervalAfterAStaggeredStart) {
  const MarketMakerParams p = params();
  FakeContext ctx(1, kTick, px(100), TieredMaintenanceMargin::flat(ratio_from_double(0.005)));
  std::vector<AccountId> accounts;
  for (int i = 0; i < 4; ++i)
    accounts.push_back(ctx.open_account(AgentRole::MarketMaker, amount_from_double(1e6)));
  MarketMakers makers(p, accounts, 1, kSeed);
  makers.start(ctx);
  ASSERT_EQ(ctx.wakes.size(), 4u);
  std::vector<Time> first(4);
  for (const auto& w : ctx.wakes) {
    EXPECT_GE(w.at, Time(0));
    EXPECT_LT(w.at, p.requote_interval);
    first[w.target] = w.at;
  }
  EXPECT_NE(first[0], first[1]);  // staggered, not in lockstep
  ctx.run_until(seconds(20), [&](const FakeContext::Wake& w) { makers.on_wake(ctx, w.target, w.arg); });
  // Each maker's wake-ups: its first, then exactly one interval apart.
  for (uint32_t i = 0; i < 4; ++i) {
    std::vector<Time> times;
    for (const auto& w : ctx.wakes)
      if (w.target == i) times.push_back(w.at);
    ASSERT_GE(times.size(), 20u);
    EXPECT_EQ(times[0], first[i]);
    for (size_t k = 1; k < times.size(); ++k) EXPECT_EQ(times[k] - times[k - 1], p.requote_interval);
  }
}

TEST(MarketMakers, NewIndexIsQuotedOnlyAtTheNextRequote) {
  MarketMakerParams p = params();
  p.stress_vol = 1.0;  // a 10% step must not pull the quotes here
  Fixture f(p);
  f.requote();
  f.ctx.set_index(MarketId(0), px(110));
  const auto before = f.quotes(Side::Buy);
  ASSERT_EQ(before.size(), 3u);
  EXPECT_EQ(before[0].first, px(99.90));
  f.requote();
  const auto after = f.quotes(Side::Buy);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].first, px(109.89));  // 110 * 0.999 = 109.89
}

// Spot hedging (MarketMakerParams::hedge_venues): one maker holding 10 coins on two spot venues of the
// market's asset, hedge half-life = the requote interval (1 s), so each requote closes half the gap.
struct HedgeFixture {
  explicit HedgeFixture(bool on_spot = true)
      : ctx(1, kTick, px(100), TieredMaintenanceMargin::flat(ratio_from_double(0.005))),
        v1(ctx.add_spot_venue(MarketId(0), ratio_from_double(0.001))),
        v2(ctx.add_spot_venue(MarketId(0), ratio_from_double(0.001))),
        maker(ctx.open_account(AgentRole::MarketMaker, amount_from_double(1e6))),
        other(ctx.open_account(AgentRole::NoiseTrader, amount_from_double(1e6))),
        base(ctx.venues()[v1.raw()].base) {
    MarketMakerParams p = params();
    p.hedge_half_life = seconds(1);
    if (on_spot) p.hedge_venues = {{v1, v2}};
    p.hedge_max_slippage = 0.005;
    p.endowment = {coins(10)};
    ctx.ch().ledger().deposit_asset(maker, base, AssetAmount(coins(10).raw()));
    ctx.ch().ledger().deposit_asset(other, base, AssetAmount(coins(1000).raw()));
    makers = std::make_unique<MarketMakers>(p, std::vector<AccountId>{maker}, 1, kSeed);
    makers->start(ctx);
  }
  void requote() {
    const auto w = ctx.pop_wake();
    ASSERT_TRUE(w.has_value());
    makers->on_wake(ctx, w->target, w->arg);
  }
  void give_position(double size) {
    const Quantity q = coins(std::abs(size));
    const Amount cash = notional(px(100), q, Round::Down);
    if (size > 0)
      ctx.ch().ledger().trade(maker, other, MarketId(0), q, cash);
    else
      ctx.ch().ledger().trade(other, maker, MarketId(0), q, cash);
  }
  void quote(VenueId v, Side side, double price, double quantity) {
    ctx.place_at(v, OrderRequest{other, side, OrderType::Limit, px(price), coins(quantity), false, -1});
  }
  double holdings() const { return to_double(Quantity(ctx.clearing().ledger().balance(maker, base).raw())); }
  std::vector<FakeContext::Submission> spot_orders() const {
    std::vector<FakeContext::Submission> out;
    for (const auto& s : ctx.submissions)
      if (s.venue) out.push_back(s);
    return out;
  }

  FakeContext ctx;
  VenueId v1, v2;
  AccountId maker, other;
  AssetId base;
  std::unique_ptr<MarketMakers> makers;
};

// Long 2 coins: the desired hedge after one half-life is 1 coin, sold at the venue with the best bid
// (v2, 99.95) with a limit of 100 * (1 - 0.005) = 99.50; the hedge is endowment - holdings = 1. The next
// requote closes half the rest: 1.5.
TEST(MarketMakers, LongPositionIsHedgedBySellingCoinsAtTheBestBid) {
  HedgeFixture f;
  f.quote(f.v1, Side::Buy, 99.90, 5);
  f.quote(f.v2, Side::Buy, 99.95, 5);
  f.give_position(2);
  f.requote();  // no time has passed: no hedge yet
  EXPECT_TRUE(f.spot_orders().empty());
  f.requote();
  ASSERT_EQ(f.spot_orders().size(), 1u);
  const auto s = f.spot_orders()[0];
  EXPECT_EQ(s.venue, std::optional(f.v2));
  EXPECT_EQ(s.order.side, Side::Sell);
  EXPECT_EQ(s.order.type, OrderType::ImmediateOrCancel);
  EXPECT_EQ(s.order.limit, px(99.50));
  EXPECT_EQ(s.order.quantity, coins(1));
  EXPECT_EQ(s.filled, coins(1));
  EXPECT_NEAR(f.holdings(), 9.0, 1e-12);
  EXPECT_NEAR(f.makers->hedge(0, MarketId(0)), 1.0, 1e-12);
  // Unhedged inventory 2 - 1 = 1 coin: fair = 100 * (1 - 0.05 * 1 / 5) = 99, best bid 99 * 0.999 = 98.901.
  EXPECT_EQ(f.ctx.book(MarketId(0)).best_bid(), px(98.90));
  f.requote();
  EXPECT_NEAR(f.makers->hedge(0, MarketId(0)), 1.5, 1e-12);
  EXPECT_NEAR(f.holdings(), 8.5, 1e-12);
}

// Short 2 coins: the hedge buys 1 coin at the venue with the best ask (v1, 100.04), limit 100.50.
TEST(MarketMakers, ShortPositionIsHedgedByBuyingCoinsAtTheBestAsk) {
  HedgeFixture f;
  f.quote(f.v1, Side::Sell, 100.04, 5);
  f.quote(f.v2, Side::Sell, 100.08, 5);
  f.give_position(-2);
  f.requote();
  f.requote();
  ASSERT_EQ(f.spot_orders().size(), 1u);
  const auto s = f.spot_orders()[0];
  EXPECT_EQ(s.venue, std::optional(f.v1));
  EXPECT_EQ(s.order.side, Side::Buy);
  EXPECT_EQ(s.order.limit, px(100.50));
  EXPECT_NEAR(f.holdings(), 11.0, 1e-12);
  EXPECT_NEAR(f.makers->hedge(0, MarketId(0)), -1.0, 1e-12);
}

// The hedge never sells below index * (1 - hedge_max_slippage): of bids at 99.60 (0.3 coins) and 99.40,
// only the first fills; the hedge is what was sold, 0.3.
TEST(MarketMakers, HedgeIsNoWorseThanTheSlippageLimit) {
  HedgeFixture f;
  f.quote(f.v1, Side::Buy, 99.60, 0.3);
  f.quote(f.v1, Side::Buy, 99.40, 5);
  f.give_position(2);
  f.requote();
  f.requote();
  ASSERT_EQ(f.spot_orders().size(), 1u);
  EXPECT_GE(to_double(*f.spot_orders()[0].order.limit), 100 * (1 - 0.005));
  EXPECT_EQ(f.spot_orders()[0].filled, coins(0.3));
  EXPECT_NEAR(f.makers->hedge(0, MarketId(0)), 0.3, 1e-12);
  EXPECT_NEAR(f.holdings(), 9.7, 1e-12);
}

// Without hedge venues the hedge is held outside: it follows the position with the half-life exactly
// (2 * (1 - 2^-1) = 1 after one second), and nothing trades on the spot venues.
TEST(MarketMakers, OutsideHedgeMovesNoCoins) {
  HedgeFixture f(false);
  f.quote(f.v1, Side::Buy, 99.95, 5);
  f.give_position(2);
  f.requote();
  f.requote();
  EXPECT_NEAR(f.makers->hedge(0, MarketId(0)), 1.0, 1e-12);
  EXPECT_EQ(f.ctx.book(MarketId(0)).best_bid(), px(98.90));  // the same unhedged inventory, 1 coin
  f.requote();
  EXPECT_NEAR(f.makers->hedge(0, MarketId(0)), 1.5, 1e-12);
  EXPECT_TRUE(f.spot_orders().empty());
  EXPECT_NEAR(f.holdings(), 10.0, 1e-12);
}

}  // namespace
}  // namespace liqsim
