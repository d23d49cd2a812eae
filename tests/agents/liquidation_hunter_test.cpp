#include "agents/liquidation_hunter.h"

#include <gtest/gtest.h>

#include "tests/agents/fake_context.h"

namespace liqsim {
namespace {

constexpr Price kTick(10'000);  // 0.01 $
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
Amount usd(double x) { return amount_from_double(x); }

// A market at 100 where a crowd holds 100 coins long (open interest 100), read through a map that
// assumes 10x positions: their liquidation level is centred at 90.49. The hunter decides every second.
struct HunterFixture {
  explicit HunterFixture(double max_position, double min_edge = 0.0)
      : ctx(1, kTick, px(100),
            TieredMaintenanceMargin::flat(ratio_from_double(0.005), ratio_from_double(0.01))),
        lp(ctx.open_account(AgentRole::MarketMaker, usd(1e9))),
        crowd(ctx.open_account(AgentRole::Trader, usd(1e6))),
        hunter(ctx.open_account(AgentRole::Hunter, usd(1e6))),
        hunters(make(max_position, min_edge), {0}, {hunter}, heatmap(), 7) {
    quotes = {ctx.place_limit(m, lp, Side::Sell, px(100), coins(1e6)).id};
    ctx.place_limit(m, crowd, Side::Buy, px(100), coins(100));
    ctx.set_mark(m, px(100));
    hunters.start(ctx);
    step();  // the first decision: the map sees the open interest at 100
  }
  static std::vector<LiquidationHunterParams> make(double max_position, double min_edge) {
    LiquidationHunterParams p;
    p.market = MarketId(0);
    p.max_position = coins(max_position);
    p.min_edge = min_edge;
    p.approach = 0.05;
    p.depth_band = 0.02;
    p.taker_fee = 0.0005;
    p.cover_slippage = 0.05;
    p.interval = seconds(1);
    p.hold = seconds(10);
    p.cooldown = seconds(60);
    return {p};
  }
  static LiquidationHeatmapParams heatmap() {
    LiquidationHeatmapParams h;
    h.leverages = {10};
    h.weights = {1};
    h.initial_spread = 0;
    h.bucket = 0.001;
    return h;
  }
  // The book falls to 95: 5 coins bid at each of 94.99, 93 and 90.50 (15 coins down to the cluster's
  // level), the asks deep at 95.
  void thin_book_at_95() {
    for (const OrderId id : quotes) ctx.withdraw(m, id);
    quotes = {ctx.place_limit(m, lp, Side::Buy, px(94.99), coins(5)).id,
              ctx.place_limit(m, lp, Side::Buy, px(93), coins(5)).id,
              ctx.place_limit(m, lp, Side::Buy, px(90.5), coins(5)).id,
              ctx.place_limit(m, lp, Side::Sell, px(95), coins(1e6)).id};
    ctx.set_mark(m, px(95));
  }
  void step() {
    const auto w = ctx.pop_wake();
    LIQSIM_CHECK(w.has_value(), "no pending wake-up");
    hunters.on_wake(ctx, w->target, w->arg);
  }
  Quantity position() const { return ctx.clearing().ledger().position(hunter, m).size; }

  MarketId m{0};
  FakeContext ctx;
  AccountId lp, crowd, hunter;
  LiquidationHunters hunters;
  std::vector<OrderId> quotes;
};

// Selling the 15 coins down to 90.49 sets off the cluster's 100 coins into 5 coins of bids within 2 %:
// the expected cascade ends far below (the estimate's bound, 50 %), so the edge is large.
TEST(LiquidationHunters, PushesThePriceIntoTheClusterWhenTheCascadePaysForIt) {
  HunterFixture f(30);
  f.thin_book_at_95();
  f.step();
  EXPECT_EQ(f.hunters.hunts(), 1u);
  ASSERT_FALSE(f.ctx.submissions.empty());
  const OrderRequest& o = f.ctx.submissions.back().order;
  EXPECT_EQ(o.side, Side::Sell);
  EXPECT_EQ(o.type, OrderType::ImmediateOrCancel);
  EXPECT_EQ(o.quantity, coins(15)) << "what rests down to the cluster";
  EXPECT_EQ(o.limit, px(90.49)) << "the cluster's level, rounded down to the tick";
  EXPECT_EQ(f.position(), -coins(15));
  EXPECT_EQ(f.ctx.book(f.m).best_bid(), std::nullopt);
}

TEST(LiquidationHunters, CoversWithReduceOnlyOrdersAfterTheHoldAndThenRests) {
  HunterFixture f(30);
  f.thin_book_at_95();
  f.step();
  const Time pushed = f.ctx.now();
  f.step();  // the hold is over
  EXPECT_EQ(f.ctx.now(), pushed + seconds(10));
  const OrderRequest& o = f.ctx.submissions.back().order;
  EXPECT_EQ(o.side, Side::Buy);
  EXPECT_TRUE(o.reduce_only);
  EXPECT_EQ(o.quantity, coins(15));
  EXPECT_EQ(f.position(), Quantity(0));
  f.step();  // rested: the next decision is a cooldown later
  EXPECT_EQ(f.ctx.now(), pushed + seconds(70));
  EXPECT_EQ(f.hunters.hunts(), 1u) << "no cluster within reach any more: the book has no bids";
}

TEST(LiquidationHunters, NoHuntWhenThePushNeedsMoreThanItsPosition) {
  HunterFixture f(10);  // 15 coins rest down to the cluster
  f.thin_book_at_95();
  f.step();
  EXPECT_EQ(f.hunters.hunts(), 0u);
  EXPECT_EQ(f.position(), Quantity(0));
  EXPECT_TRUE(f.ctx.submissions.empty());
}

TEST(LiquidationHunters, NoHuntBelowTheRequiredEdge) {
  HunterFixture f(30, 0.6);  // the expected edge is about 0.41
  f.thin_book_at_95();
  f.step();
  EXPECT_EQ(f.hunters.hunts(), 0u);
  HunterFixture g(30, 0.3);
  g.thin_book_at_95();
  g.step();
  EXPECT_EQ(g.hunters.hunts(), 1u);
}

// A book that ends at 93: selling all of it leaves the last trade 2.7 % above the cluster.
TEST(LiquidationHunters, NoHuntWhenTheBookEndsShortOfTheCluster) {
  HunterFixture f(30);
  f.thin_book_at_95();
  f.ctx.withdraw(f.m, f.quotes[2]);  // the 5 coins at 90.50
  f.step();
  EXPECT_EQ(f.hunters.hunts(), 0u);
  EXPECT_TRUE(f.ctx.submissions.empty());
}

TEST(LiquidationHunters, NoHuntWithoutAClusterWithinTheApproach) {
  HunterFixture f(30);
  // The book is thin but the mark is still 100: the cluster at 90.49 is 9.5 % away.
  for (const OrderId id : f.quotes) f.ctx.withdraw(f.m, id);
  f.ctx.place_limit(f.m, f.lp, Side::Buy, px(99.99), coins(5));
  f.ctx.place_limit(f.m, f.lp, Side::Sell, px(100), coins(1e6));
  f.step();
  EXPECT_EQ(f.hunters.hunts(), 0u);
}

}  // namespace
}  // namespace liqsim
