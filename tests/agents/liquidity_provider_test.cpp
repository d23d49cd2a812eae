#include "agents/liquidity_provider.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

#include "tests/agents/fake_context.h"

namespace liqsim {
namespace {

constexpr uint64_t kSeed = 20'261'203;
constexpr Price kTick(10'000);  // 0.01 $
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// Three levels per side at 0.25%, 1% and 4% (log-spaced: ratio 4 between neighbours), linear depth
// D(d) = 10 coins * d / 1%, shared by two providers per venue.
LiquidityParams params() {
  LiquidityParams p;
  p.depth_at_1pct = 10;
  p.depth_exponent = 1.0;
  p.min_distance = 0.0025;
  p.max_distance = 0.04;
  p.levels = 3;
  p.refill_half_life = seconds(20);
  p.anchor_half_life = seconds(30);
  p.refresh = seconds(1);
  p.max_inventory = coins(20);
  p.inventory_skew = 0.03;
  return p;
}

// One provider (of two sharing the venue's depth) on one spot venue; `held` coins in its account
// against an `endowment` of 50.
struct Fixture {
  explicit Fixture(LiquidityParams p = params(), double index = 100, double held = 50, uint64_t seed = kSeed)
      : ctx(1, kTick, px(index), TieredMaintenanceMargin::flat(ratio_from_double(0.005))),
        venue(ctx.add_spot_venue(MarketId(0))),
        lp(ctx.open_account(AgentRole::MarketMaker, amount_from_double(1e7))),
        other(ctx.open_account(AgentRole::NoiseTrader, amount_from_double(1e7))),
        providers(p, {lp}, {venue}, {coins(50)}, 2, seed) {
    const AssetId base = ctx.venues()[venue.raw()].base;
    ctx.ch().ledger().deposit_asset(lp, base, AssetAmount(coins(held).raw()));
    ctx.ch().ledger().deposit_asset(other, base, AssetAmount(coins(1000).raw()));
  }
  void start() { providers.start(ctx); }
  // Delivers the next refresh; returns its time.
  Time refresh() {
    const auto w = ctx.pop_wake();
    EXPECT_TRUE(w.has_value());
    providers.on_wake(ctx, w->target, w->arg);
    return w->at;
  }
  // The provider's resting orders on one side, (price, quantity), best first.
  std::vector<std::pair<Price, Quantity>> ladder(Side side) const {
    std::vector<std::pair<Price, Quantity>> out;
    for (const auto& s : ctx.submissions) {
      if (s.order.owner != lp || s.order.side != side) continue;
      if (const auto o = ctx.book_at(venue).order(s.id)) out.emplace_back(o->price, o->remaining);
    }
    std::sort(out.begin(), out.end());
    if (side == Side::Buy) std::reverse(out.begin(), out.end());
    return out;
  }
  // An outside taker order at the venue.
  SubmitResult take(Side side, Price limit, double quantity) {
    return ctx.place_at(
        venue, OrderRequest{other, side, OrderType::ImmediateOrCancel, limit, coins(quantity), false, -1});
  }
  double holdings() const {
    return to_double(Quantity(ctx.clearing().ledger().balance(lp, ctx.venues()[venue.raw()].base).raw()));
  }

  FakeContext ctx;
  VenueId venue;
  AccountId lp, other;
  LiquidityProviders providers;
};

using Levels = std::vector<std::pair<Price, Quantity>>;

// D(d) = depth_at_1pct * (d / 1%)^exponent (liquidity_provider.h). Linear depth: D = 2.5, 10, 40 coins
// at 0.25%, 1%, 4%; level k holds D(d_k) - D(d_{k-1}) split over 2 providers: 1.25, 3.75, 15.
TEST(LadderShape, LinearDepthSplitOverProviders) {
  const LadderShape s = ladder_shape(params(), 2);
  ASSERT_EQ(s.distance.size(), 3u);
  ASSERT_EQ(s.quantity.size(), 3u);
  const double distances[] = {0.0025, 0.01, 0.04};
  const double quantities[] = {1.25, 3.75, 15};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(s.distance[k], distances[k], 1e-15) << k;
    EXPECT_NEAR(s.quantity[k], quantities[k], 1e-12) << k;
  }
}

// Square-root depth (exponent 0.5): D = 10 * sqrt(d / 1%) = 5, 10, 20 coins; one provider holds it all.
TEST(LadderShape, PowerLawCumulativeDepth) {
  LiquidityParams p = params();
  p.depth_exponent = 0.5;
  const LadderShape s = ladder_shape(p, 1);
  const double quantities[] = {5, 5, 10};
  for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(s.quantity[k], quantities[k], 1e-12) << k;
  // Cumulative depth at every level is the power law, whatever the number of levels.
  p.levels = 7;
  const LadderShape fine = ladder_shape(p, 4);
  double cumulative = 0;
  for (size_t k = 0; k < fine.distance.size(); ++k) {
    cumulative += fine.quantity[k] * 4;
    EXPECT_NEAR(cumulative, 10 * std::sqrt(fine.distance[k] / 0.01), 1e-12) << k;
    if (k > 0) {
      EXPECT_NEAR(fine.distance[k] / fine.distance[k - 1], std::pow(16.0, 1.0 / 6.0), 1e-12) << k;
    }
  }
  EXPECT_NEAR(fine.distance.front(), 0.0025, 1e-15);
  EXPECT_NEAR(fine.distance.back(), 0.04, 1e-15);
}

// Anchor = index 100.003: bids 100.003 * (1 - d) = 99.75299, 99.00297, 96.00288 rounded down to the
// 0.01 grid, asks 100.25300, 101.00303, 104.00312 rounded up; quantities 1.25, 3.75, 15.
TEST(LiquidityProviders, FirstRefreshPlacesTheLadderOnTheTickGrid) {
  Fixture f(params(), 100.003);
  f.start();
  EXPECT_EQ(f.ladder(Side::Buy),
            (Levels{{px(99.75), coins(1.25)}, {px(99.00), coins(3.75)}, {px(96.00), coins(15)}}));
  EXPECT_EQ(f.ladder(Side::Sell),
            (Levels{{px(100.26), coins(1.25)}, {px(101.01), coins(3.75)}, {px(104.01), coins(15)}}));
  EXPECT_NEAR(f.providers.anchor(0), 100.003, 1e-12);
}

// The anchor barely moves (a consumed level moves the mid) and inventory does not skew the centre: the
// ladder stays at its first prices.
LiquidityParams steady_anchor() {
  LiquidityParams p = params();
  p.anchor_half_life = seconds(1'000'000'000);
  p.inventory_skew = 0;
  return p;
}

// Resilience (Obizhaeva & Wang 2013): a level consumed at time t0 holds
// target - (target - remaining) * 2^(-(t - t0) / refill_half_life) at a later refresh t, less at most
// the 5% of its target that waits for the next order message.
void expect_refill(Fixture& f, Price level, Time consumed_at, double remaining, double seconds_to_follow) {
  const double target = 1.25;
  const Time end = consumed_at + time_from_seconds(seconds_to_follow);
  int refreshes = 0;
  while (f.ctx.pending().front().at <= end) {
    const Time t = f.refresh();
    ++refreshes;
    const double formula = target - (target - remaining) * std::exp2(-to_seconds(t - consumed_at) / 20.0);
    const Levels asks = f.ladder(Side::Sell);
    ASSERT_FALSE(asks.empty());
    ASSERT_EQ(asks.front().first, level);
    const double resting = to_double(asks.front().second);
    EXPECT_LE(resting, formula + 1e-8) << "at " << to_seconds(t);
    EXPECT_GT(resting, formula - 0.05 * target - 1e-8) << "at " << to_seconds(t);
  }
  EXPECT_GE(refreshes, int(seconds_to_follow) - 1);
}

TEST(LiquidityProviders, ConsumedDepthRefillsWithTheHalfLife) {
  Fixture f(steady_anchor());
  f.start();
  // Take 1 of the 1.25 coins at the nearest ask right after the first placement.
  const Price nearest = f.ladder(Side::Sell).front().first;
  ASSERT_EQ(f.take(Side::Buy, nearest, 1).filled, coins(1));
  expect_refill(f, nearest, f.ctx.now(), 0.25, 60);
  // Three half-lives on: 1.25 - 1 * 2^-3 = 1.125, less at most the 5% threshold.
  EXPECT_GE(to_double(f.ladder(Side::Sell).front().second), 1.125 - 0.0625);
}

// The refill clock starts when the depth is consumed, not when the level was placed: a level that rested
// untouched for minutes is not back at once after a sweep.
TEST(LiquidityProviders, DepthConsumedAfterAQuietSpellRefillsWithTheHalfLife) {
  Fixture f(steady_anchor());
  f.start();
  const auto nearest = f.ladder(Side::Sell).front();
  ASSERT_EQ(nearest.second, coins(1.25));
  Time t;
  do t = f.refresh();
  while (t < seconds(120));
  ASSERT_EQ(f.ladder(Side::Sell).front(), nearest);
  ASSERT_EQ(f.take(Side::Buy, nearest.first, 1.25).filled, coins(1.25));
  expect_refill(f, nearest.first, f.ctx.now(), 0.0, 30);
}

// anchor(t) = mid + (anchor(0) - mid) * 2^(-t / anchor_half_life) for a constant mid, whatever the
// refresh times (the exponential moving average compounds exactly).
TEST(LiquidityProviders, AnchorFollowsTheMidWithItsHalfLife) {
  Fixture f;
  // Outside quotes inside the provider's nearest levels: mid 100.10.
  f.ctx.place_at(f.venue,
                 OrderRequest{f.other, Side::Buy, OrderType::Limit, px(100.09), coins(1), false, -1});
  f.ctx.place_at(f.venue,
                 OrderRequest{f.other, Side::Sell, OrderType::Limit, px(100.11), coins(1), false, -1});
  f.start();
  EXPECT_NEAR(f.providers.anchor(0), 100.0, 1e-12);  // the index at the start
  int checked = 0;
  while (f.ctx.pending().front().at <= seconds(90)) {
    const Time t = f.refresh();
    EXPECT_NEAR(f.providers.anchor(0), 100.10 - 0.10 * std::exp2(-to_seconds(t) / 30.0), 1e-9);
    ++checked;
  }
  EXPECT_GE(checked, 89);
  EXPECT_NEAR(f.providers.anchor(0), 100.10 - 0.10 * 0.125, 0.01);  // three half-lives
}

TEST(LiquidityProviders, ZeroAnchorHalfLifeTakesTheMidAtOnce) {
  LiquidityParams p = params();
  p.anchor_half_life = Time(0);
  Fixture f(p);
  f.ctx.place_at(f.venue,
                 OrderRequest{f.other, Side::Buy, OrderType::Limit, px(100.09), coins(1), false, -1});
  f.ctx.place_at(f.venue,
                 OrderRequest{f.other, Side::Sell, OrderType::Limit, px(100.11), coins(1), false, -1});
  f.start();
  f.refresh();
  EXPECT_NEAR(f.providers.anchor(0), 100.10, 1e-12);
}

// Spot inventory = holdings - endowment: 60 - 50 = +10 coins, half of max_inventory 20, so the centre is
// 100 * (1 - 0.03 * 10 / 20) = 98.5: bids 98.5 * 0.9975 = 98.25375 -> 98.25, asks 98.74625 -> 98.75.
TEST(LiquidityProviders, LongInventoryShiftsTheLadderDown) {
  Fixture f(params(), 100, 60);
  f.start();
  EXPECT_NEAR(f.providers.inventory(0), 10.0, 1e-12);
  ASSERT_FALSE(f.ladder(Side::Buy).empty());
  ASSERT_FALSE(f.ladder(Side::Sell).empty());
  EXPECT_EQ(f.ladder(Side::Buy).front().first, px(98.25));
  EXPECT_EQ(f.ladder(Side::Sell).front().first, px(98.75));
}

// 40 held against 50 endowed: inventory -10, centre 101.5: bids 101.24625 -> 101.24, asks 101.75375 ->
// 101.76.
TEST(LiquidityProviders, ShortInventoryShiftsTheLadderUp) {
  Fixture f(params(), 100, 40);
  f.start();
  EXPECT_NEAR(f.providers.inventory(0), -10.0, 1e-12);
  EXPECT_EQ(f.ladder(Side::Buy).front().first, px(101.24));
  EXPECT_EQ(f.ladder(Side::Sell).front().first, px(101.76));
}

TEST(LiquidityProviders, NoBidsAtTheLongInventoryLimit) {
  Fixture f(params(), 100, 70);  // inventory +20 = max_inventory
  f.start();
  EXPECT_TRUE(f.ladder(Side::Buy).empty());
  EXPECT_EQ(f.ladder(Side::Sell).size(), 3u);
}

TEST(LiquidityProviders, NoAsksAtTheShortInventoryLimit) {
  Fixture f(params(), 100, 30);  // inventory -20
  f.start();
  EXPECT_TRUE(f.ladder(Side::Sell).empty());
  EXPECT_EQ(f.ladder(Side::Buy).size(), 3u);
}

// Resting bids are withdrawn once fills take the inventory to the limit.
TEST(LiquidityProviders, BidsAreWithdrawnWhenFillsReachTheLimit) {
  Fixture f(params(), 100, 65);  // inventory +15
  f.start();
  ASSERT_EQ(f.ladder(Side::Buy).size(), 3u);
  // Sell 5 coins into the provider's bids: inventory +20.
  ASSERT_EQ(f.take(Side::Sell, px(90), 5).filled, coins(5));
  EXPECT_NEAR(f.holdings(), 70.0, 1e-12);
  f.refresh();
  EXPECT_NEAR(f.providers.inventory(0), 20.0, 1e-12);
  EXPECT_TRUE(f.ladder(Side::Buy).empty());
  EXPECT_FALSE(f.ladder(Side::Sell).empty());
}

// Same seed, same orders at the same times; another seed staggers the refreshes differently.
// Withdrawal under stress (stress_vol 0.001 per sqrt(s), stress_depth 0.2, volatility half-life 10 s):
// an outside mid alternating between 100.10 and 99.90 every second (log returns of 0.2 %, realised
// volatility about 0.002 per sqrt(s)) cuts every level to a fifth of its target; when the mid stops,
// the volatility decays below the threshold and the levels refill with the refill half-life.
TEST(LiquidityProviders, FastMidCutsEveryLevelToTheStressDepthThenItRefills) {
  LiquidityParams p = steady_anchor();
  p.stress_vol = 0.001;
  p.stress_depth = 0.2;
  p.vol_half_life = seconds(10);
  Fixture f(p);
  f.start();
  const Levels full = f.ladder(Side::Sell);
  ASSERT_EQ(full.size(), 3u);
  EXPECT_EQ(full[0].second, coins(1.25));
  const auto expect_levels = [&](double share, double slack, const char* when) {
    for (const Side side : {Side::Buy, Side::Sell}) {
      const Levels now = f.ladder(side);
      ASSERT_EQ(now.size(), 3u) << when;
      const double targets[] = {1.25, 3.75, 15};
      for (size_t k = 0; k < 3; ++k) {
        EXPECT_LE(to_double(now[k].second), targets[k] * share + 1e-8) << when << ", level " << k;
        EXPECT_GE(to_double(now[k].second), targets[k] * (share - slack) - 1e-8) << when << ", level " << k;
      }
    }
  };
  // Outside quotes one cent around the mid, inside the provider's nearest levels (0.25 % away).
  std::vector<OrderId> outside;
  const auto quote_mid = [&](double mid) {
    for (const OrderId id : outside) f.ctx.cancel_at(f.venue, id);
    outside = {f.ctx
                   .place_at(f.venue, OrderRequest{f.other, Side::Buy, OrderType::Limit, px(mid - 0.01),
                                                   coins(1), false, -1})
                   .id,
               f.ctx
                   .place_at(f.venue, OrderRequest{f.other, Side::Sell, OrderType::Limit, px(mid + 0.01),
                                                   coins(1), false, -1})
                   .id};
  };
  quote_mid(100.10);
  for (int i = 0; i < 5; ++i) f.refresh();
  EXPECT_FALSE(f.providers.stressed(0)) << "a steady mid";
  expect_levels(1.0, 0.0, "steady");
  bool up = false;
  while (f.ctx.pending().front().at <= seconds(40)) {
    quote_mid(up ? 100.10 : 99.90);
    up = !up;
    f.refresh();
  }
  EXPECT_TRUE(f.providers.stressed(0));
  EXPECT_GT(f.providers.volatility(0), 0.001);
  expect_levels(0.2, 0.0, "stressed");
  // Calm again: the variance halves every 10 s; once it is below 1e-6 the levels refill from a fifth.
  while (f.providers.stressed(0)) f.refresh();
  const Time calm = f.ctx.now();
  EXPECT_LT(to_seconds(calm), 40 + 10 * std::log2(0.002 * 0.002 / 1e-6) + 2);
  while (f.ctx.pending().front().at <= calm + seconds(60)) f.refresh();
  // Three refill half-lives: target - 0.8 target / 8 = 0.9 target, less at most the 5 % top-up threshold.
  expect_levels(1.0, 0.1 + 0.05, "refilled");
}

TEST(LiquidityProviders, SameSeedSameOrders) {
  const auto run = [](uint64_t seed) {
    Fixture f(params(), 100, 50, seed);
    f.start();
    for (int k = 0; k < 30; ++k) {
      f.refresh();
      if (k % 7 == 3) f.take(k % 2 ? Side::Buy : Side::Sell, k % 2 ? px(101) : px(99), 2);
    }
    std::vector<std::tuple<int64_t, int, int64_t, int64_t>> out;
    for (const auto& s : f.ctx.submissions)
      out.emplace_back(s.at.raw(), int(s.order.side), s.order.limit->raw(), s.order.quantity.raw());
    return out;
  };
  const auto a = run(kSeed), b = run(kSeed), c = run(kSeed + 1);
  EXPECT_GT(a.size(), 6u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace liqsim
