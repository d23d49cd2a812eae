#include "agents/arbitrageur.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/agents/fake_context.h"

namespace liqsim {
namespace {

constexpr uint64_t kSeed = 20'130'512;
constexpr Price kTick(10'000);  // 0.01 $
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
const Ratio kSpotFee = ratio_from_double(0.001);  // taker fee of both spot venues

ArbitrageurParams params() {
  ArbitrageurParams p;
  p.min_edge = 0.0005;
  p.max_inventory = coins(10);
  p.max_order = coins(10);
  p.interval = seconds(1);
  p.latency_jitter = seconds(1);
  return p;
}

// One arbitrageur on the perpetual book (venue 0, fee-free) and two spot venues (taker fee 0.1%), holding
// `held` coins against an endowment of `endowment`.
struct Fixture {
  explicit Fixture(ArbitrageurParams p = params(), double held = 10, double endowment = 10,
                   bool with_perpetual = false)
      : ctx(1, kTick, px(100), TieredMaintenanceMargin::flat(ratio_from_double(0.005))),
        a(ctx.add_spot_venue(MarketId(0), kSpotFee)),
        b(ctx.add_spot_venue(MarketId(0), kSpotFee)),
        arb(ctx.open_account(AgentRole::MarketMaker, amount_from_double(1e7))),
        other(ctx.open_account(AgentRole::NoiseTrader, amount_from_double(1e9))) {
    base = ctx.venues()[a.raw()].base;
    if (held > 0) ctx.ch().ledger().deposit_asset(arb, base, AssetAmount(coins(held).raw()));
    ctx.ch().ledger().deposit_asset(other, base, AssetAmount(coins(1e6).raw()));
    std::vector<VenueId> venues{a, b};
    if (with_perpetual) venues = {VenueId(0), a};
    arbs = std::make_unique<Arbitrageurs>(p, std::vector<AccountId>{arb},
                                          std::vector<std::vector<VenueId>>{venues}, coins(endowment), kSeed);
    arbs->start(ctx);
  }
  OrderId quote(VenueId v, Side side, double price, double quantity) {
    return ctx.place_at(v, OrderRequest{other, side, OrderType::Limit, px(price), coins(quantity), false, -1})
        .id;
  }
  void decide() {
    const auto w = ctx.pop_wake();
    ASSERT_TRUE(w.has_value());
    arbs->on_wake(ctx, w->target, w->arg);
  }
  double holdings() const { return to_double(Quantity(ctx.clearing().ledger().balance(arb, base).raw())); }
  double position() const { return to_double(ctx.clearing().ledger().position(arb, MarketId(0)).size); }
  // Best net bid over best net ask of two venues, minus 1 (the arbitrageur's edge, arbitrageur.h).
  double edge(VenueId sell, Ratio sell_fee, VenueId buy, Ratio buy_fee) const {
    const auto bid = ctx.book_at(sell).best_bid();
    const auto ask = ctx.book_at(buy).best_ask();
    if (!bid || !ask) return -1;
    return to_double(*bid) * (1 - to_double(sell_fee)) / (to_double(*ask) * (1 + to_double(buy_fee))) - 1;
  }

  FakeContext ctx;
  VenueId a, b;
  AccountId arb, other;
  AssetId base;
  std::unique_ptr<Arbitrageurs> arbs;
};

// Ask 99 at a, bid 100 at b: net 100 * 0.999 = 99.9 against 99 * 1.001 = 99.099, an edge of 0.81%.
// The next pair (99.50 at a, 99.80 at b) still has 99.7002 / 99.5995 - 1 = 0.10% > 0.05%; the third
// (99.95, 99.70) is crossed the wrong way. Two trades of 1 coin, then no edge is left.
TEST(Arbitrageurs, BuysCheapSellsDearUntilTheEdgeIsGone) {
  Fixture f;
  for (const double ask : {99.00, 99.50, 99.95}) f.quote(f.a, Side::Sell, ask, 1);
  for (const double bid : {100.00, 99.80, 99.70}) f.quote(f.b, Side::Buy, bid, 1);
  const Amount cash = f.ctx.clearing().ledger().account(f.arb).balance;
  f.decide();
  EXPECT_EQ(f.arbs->trades(0), 2u);
  ASSERT_EQ(f.ctx.submissions.size(), 4u);
  const Price limits[] = {px(99.00), px(100.00), px(99.50), px(99.80)};
  for (size_t k = 0; k < 4; ++k) {
    const auto& s = f.ctx.submissions[k];
    EXPECT_EQ(s.venue, k % 2 == 0 ? std::optional(f.a) : std::optional(f.b)) << k;
    EXPECT_EQ(s.order.side, k % 2 == 0 ? Side::Buy : Side::Sell) << k;
    EXPECT_EQ(s.order.type, OrderType::ImmediateOrCancel) << k;
    EXPECT_EQ(s.order.limit, limits[k]) << k;
    EXPECT_EQ(s.filled, coins(1)) << k;
  }
  EXPECT_LE(f.edge(f.b, kSpotFee, f.a, kSpotFee), 0.0005);
  EXPECT_NEAR(f.holdings(), 10.0, 1e-12);  // coins bought = coins sold
  // Cash: (100 + 99.80) sold less (99 + 99.50) bought, less 0.1% taker fees on all four legs (rounded up).
  const double expected = (100 + 99.80) - (99 + 99.50) - 0.001 * (100 + 99.80 + 99 + 99.50);
  EXPECT_NEAR(to_double(f.ctx.clearing().ledger().account(f.arb).balance - cash), expected, 4e-6);
}

// Gross edge 100 / 99.78 - 1 = 0.22% beats the 0.2% of fees but not fees + min_edge:
// 99.9 / (99.78 * 1.001) - 1 = 0.02% < 0.05%. Without min_edge it trades.
TEST(Arbitrageurs, NoTradeWhenTheEdgeIsBelowFeesPlusMinEdge) {
  for (const double min_edge : {0.0005, 0.0}) {
    ArbitrageurParams p = params();
    p.min_edge = min_edge;
    Fixture f(p);
    f.quote(f.a, Side::Sell, 99.78, 1);
    f.quote(f.b, Side::Buy, 100.00, 1);
    f.decide();
    EXPECT_EQ(f.arbs->trades(0), min_edge > 0 ? 0u : 1u) << min_edge;
    EXPECT_EQ(f.ctx.submissions.size(), min_edge > 0 ? 0u : 2u) << min_edge;
  }
}

// Perpetual bid 101 (fee-free), spot ask 100 (0.1%): buy spot, sell the perpetual (a basis position:
// long spot, short perpetual). When the basis turns (perpetual ask 99, spot bid 100), it trades back.
TEST(Arbitrageurs, BasisTradeAndItsUnwind) {
  Fixture f(params(), 10, 10, true);
  f.quote(VenueId(0), Side::Buy, 101, 3);
  f.quote(f.a, Side::Sell, 100, 3);
  f.decide();
  EXPECT_NEAR(f.position(), -3.0, 1e-12);
  EXPECT_NEAR(f.holdings(), 13.0, 1e-12);
  f.quote(VenueId(0), Side::Sell, 99, 3);
  f.quote(f.a, Side::Buy, 100, 3);
  f.decide();
  EXPECT_NEAR(f.position(), 0.0, 1e-12);
  EXPECT_NEAR(f.holdings(), 10.0, 1e-12);
  EXPECT_EQ(f.arbs->trades(0), 2u);
}

// max_inventory 1.5 per instrument: the basis trade stops at a perpetual position of -1.5 and a spot
// inventory of +1.5, with the edge still there; the next decision adds nothing.
TEST(Arbitrageurs, InventoryIsLimitedPerInstrument) {
  ArbitrageurParams p = params();
  p.max_inventory = coins(1.5);
  Fixture f(p, 10, 10, true);
  f.quote(VenueId(0), Side::Buy, 101, 5);
  f.quote(f.a, Side::Sell, 100, 5);
  f.decide();
  f.decide();
  EXPECT_NEAR(f.position(), -1.5, 1e-12);
  EXPECT_NEAR(f.holdings() - 10, 1.5, 1e-12);
  EXPECT_EQ(f.arbs->trades(0), 1u);
}

// Holding 0.4 coins (its whole endowment): the reverse basis trade (buy the perpetual at 99, sell spot
// at 100) sells at most the 0.4 coins held, although the limit (10) leaves room for more.
TEST(Arbitrageurs, SpotSalesNeverExceedHoldings) {
  Fixture f(params(), 0.4, 0.4, true);
  f.quote(VenueId(0), Side::Sell, 99, 5);
  f.quote(f.a, Side::Buy, 100, 5);
  for (int k = 0; k < 3; ++k) f.decide();
  EXPECT_NEAR(f.holdings(), 0.0, 1e-12);
  EXPECT_NEAR(f.position(), 0.4, 1e-12);
  for (const auto& s : f.ctx.submissions) {
    if (s.venue && s.order.side == Side::Sell) {
      EXPECT_LE(s.order.quantity, coins(0.4));
    }
  }
}

// Decisions every interval plus a jitter in [0, latency_jitter).
TEST(Arbitrageurs, DecidesEveryIntervalPlusJitter) {
  Fixture f;
  Time last = f.ctx.now();
  for (int k = 0; k < 20; ++k) {
    f.decide();
    const Time gap = f.ctx.now() - last;
    EXPECT_GE(gap, seconds(1)) << k;
    EXPECT_LT(gap, seconds(2)) << k;
    last = f.ctx.now();
  }
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// The perpetual book bids 102 for 100 coins while the market's pool (100 coins / $10,000, 0.3% fee)
// offers at about 100.3: the arbitrageur swaps coins out of the pool until its marginal ask reaches
// 102 / (1 + min_edge), limit that price, and sells what it bought on the book at 102 in the same
// decision; its position is flat again and the pool's ask has risen to the book's bid less the edge.
TEST(Arbitrageurs, BuysFromAPoolBelowTheBookUntilItsMarginalPriceMeetsIt) {
  FakeContext ctx(1, kTick, px(100), TieredMaintenanceMargin::flat(ratio_from_double(0.005)));
  const VenueId pool =
      ctx.add_amm(MarketId(0), coins(100), amount_from_double(10'000), ratio_from_double(0.003));
  const AccountId arb = ctx.open_account(AgentRole::MarketMaker, amount_from_double(1e7));
  const AccountId other = ctx.open_account(AgentRole::NoiseTrader, amount_from_double(1e9));
  ctx.place(MarketId(0), OrderRequest{other, Side::Buy, OrderType::Limit, px(102), coins(100), false, -1});
  ArbitrageurParams p = params();
  p.max_order = coins(100);
  p.max_inventory = coins(100);
  Arbitrageurs arbs(p, {arb}, {{VenueId(0), pool}}, Quantity(0), kSeed);
  arbs.start(ctx);
  const auto w = ctx.pop_wake();
  ASSERT_TRUE(w.has_value());
  arbs.on_wake(ctx, w->target, w->arg);
  ASSERT_GE(ctx.submissions.size(), 2u);
  const auto& buy = ctx.submissions[0];
  EXPECT_EQ(buy.venue, std::optional(pool));
  EXPECT_EQ(buy.order.side, Side::Buy);
  EXPECT_EQ(buy.order.limit, px(102 / 1.0005));
  const auto& sell = ctx.submissions[1];
  EXPECT_EQ(sell.order.side, Side::Sell);
  EXPECT_EQ(sell.order.limit, px(102));
  EXPECT_EQ(sell.filled, buy.filled);
  // About 100 (1 - sqrt(100.3 / 101.95)) = 0.81 coins bought from the pool.
  EXPECT_NEAR(to_double(buy.filled), 100 * (1 - std::sqrt(100 / 0.997 / (102 / 1.0005))), 0.01);
  EXPECT_EQ(ctx.clearing().ledger().position(arb, MarketId(0)).size, Quantity(0));
  EXPECT_NEAR(to_double(*ctx.pool_at(pool)->best_ask()), 102 / 1.0005, 0.01);
}

}  // namespace
}  // namespace liqsim
