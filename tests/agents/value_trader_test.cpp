#include "agents/value_trader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>
#include <vector>

#include "tests/agents/fake_context.h"

namespace liqsim {
namespace {

constexpr uint64_t kSeed = 19'920'301;
constexpr Price kTick(10'000);  // 0.01 $
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// Exact observation (no noise) unless a test sets it: value = fundamental.
ValueTraderParams params() {
  ValueTraderParams p;
  p.noise_stdev = 0;
  p.noise_half_life = seconds(3600);
  p.aggression = 100;  // coins per unit of log mispricing
  p.threshold = 0.001;
  p.max_position = coins(5);
  p.max_order = coins(2);
  p.mean_interval = seconds(1);
  return p;
}

// Value traders on one spot venue (or the perpetual book); fundamental 100; each holds `held` coins
// against an endowment of 10.
struct Fixture {
  explicit Fixture(ValueTraderParams p = params(), uint32_t members = 1, double held = 10, bool spot = true,
                   uint64_t seed = kSeed)
      : ctx(1, kTick, px(100), TieredMaintenanceMargin::flat(ratio_from_double(0.005))),
        venue(spot ? ctx.add_spot_venue(MarketId(0)) : VenueId(0)),
        other(ctx.open_account(AgentRole::NoiseTrader, amount_from_double(1e9))) {
    ctx.set_fundamental(MarketId(0), px(100));
    const AssetId base = spot ? ctx.venues()[venue.raw()].base : AssetId(1);
    std::vector<AccountId> accounts;
    for (uint32_t i = 0; i < members; ++i) {
      accounts.push_back(ctx.open_account(AgentRole::NoiseTrader, amount_from_double(1e7)));
      if (spot && held > 0)
        ctx.ch().ledger().deposit_asset(accounts.back(), base, AssetAmount(coins(held).raw()));
    }
    if (spot) ctx.ch().ledger().deposit_asset(other, base, AssetAmount(coins(1e6).raw()));
    traders =
        std::make_unique<ValueTraders>(p, accounts, std::vector<MarketId>(members, MarketId(0)),
                                       std::vector<std::vector<VenueId>>(members, {venue}), coins(10), seed);
    traders->start(ctx);
  }
  void quote(Side side, double price, double quantity = 100) {
    ctx.place_at(venue, OrderRequest{other, side, OrderType::Limit, px(price), coins(quantity), false, -1});
  }
  // Delivers the next decision.
  void decide() {
    const auto w = ctx.pop_wake();
    ASSERT_TRUE(w.has_value());
    traders->on_wake(ctx, w->target, w->arg);
  }
  AccountId account(uint32_t i = 0) const { return traders->account(i); }

  FakeContext ctx;
  VenueId venue;
  AccountId other;
  std::unique_ptr<ValueTraders> traders;
};

// Value 100, ask 99: log mispricing ln(100/99) = 0.01005 > threshold 0.001. Target position
// aggression * ln(100/99) = 1.005 coins (value_trader.h); limit 100 * (1 - 0.001) = 99.90.
TEST(ValueTraders, BuysTowardTheTargetWhenTheAskIsBelowValue) {
  Fixture f;
  f.quote(Side::Sell, 99);
  f.quote(Side::Buy, 98);
  f.decide();
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  const auto& s = f.ctx.submissions[0];
  EXPECT_EQ(s.order.side, Side::Buy);
  EXPECT_EQ(s.order.type, OrderType::ImmediateOrCancel);
  EXPECT_EQ(s.order.limit, px(99.90));
  EXPECT_EQ(s.order.quantity, coins(100 * std::log(100.0 / 99.0)));
  EXPECT_EQ(s.filled, s.order.quantity);
  EXPECT_NEAR(f.traders->inventory(f.ctx, 0), 100 * std::log(100.0 / 99.0), 1e-8);
}

// Already long 0.6 coins: the order is the rest of the way to the target, 1.005 - 0.6.
TEST(ValueTraders, OrdersTheDistanceToTheTarget) {
  Fixture f(params(), 1, 10.6);
  f.quote(Side::Sell, 99);
  f.decide();
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  EXPECT_EQ(f.ctx.submissions[0].order.quantity, coins(100 * std::log(100.0 / 99.0) - 0.6));
}

// Value 100, bid 101: sell toward -aggression * ln(101/100) = -0.995, limit 100 * 1.001 = 100.10.
TEST(ValueTraders, SellsWhenTheBidIsAboveValue) {
  Fixture f;
  f.quote(Side::Buy, 101);
  f.quote(Side::Sell, 102);
  f.decide();
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  const auto& s = f.ctx.submissions[0];
  EXPECT_EQ(s.order.side, Side::Sell);
  EXPECT_EQ(s.order.limit, px(100.10));
  EXPECT_EQ(s.order.quantity, coins(100 * std::log(101.0 / 100.0)));
}

// ln(100 / 99.95) = 0.0005 and ln(100.05 / 100) = 0.0005: inside the 0.001 threshold either way; a
// threshold of 0.0004 trades both.
TEST(ValueTraders, NoTradeInsideTheThreshold) {
  for (const double threshold : {0.001, 0.0004}) {
    ValueTraderParams p = params();
    p.threshold = threshold;
    Fixture cheap(p), dear(p);
    cheap.quote(Side::Sell, 99.95);
    cheap.quote(Side::Buy, 99.00);
    dear.quote(Side::Buy, 100.05);
    dear.quote(Side::Sell, 101.00);
    cheap.decide();
    dear.decide();
    EXPECT_EQ(cheap.ctx.submissions.size(), threshold < 0.0005 ? 1u : 0u) << threshold;
    EXPECT_EQ(dear.ctx.submissions.size(), threshold < 0.0005 ? 1u : 0u) << threshold;
  }
}

// Target clipped to max_position 5 (ln 2 * 100 = 69 coins), orders clipped to max_order 2.
TEST(ValueTraders, PositionAndOrderSizeAreBounded) {
  Fixture f;
  f.quote(Side::Sell, 50, 1000);
  for (int k = 0; k < 10; ++k) f.decide();
  ASSERT_EQ(f.ctx.submissions.size(), 3u);  // 2 + 2 + 1 coins, then at the limit
  EXPECT_EQ(f.ctx.submissions[0].order.quantity, coins(2));
  EXPECT_EQ(f.ctx.submissions[1].order.quantity, coins(2));
  EXPECT_EQ(f.ctx.submissions[2].order.quantity, coins(1));
  EXPECT_NEAR(f.traders->inventory(f.ctx, 0), 5.0, 1e-12);
}

// 10.3 coins held against an endowment of 10 (inventory +0.3), target -20: five sales of max_order 2,
// then the last 0.3 coins held, then nothing: no short sale of the asset, although the inventory (-10)
// is still above the -20 limit.
TEST(ValueTraders, SpotSalesNeverExceedHoldings) {
  ValueTraderParams p = params();
  p.max_position = coins(20);
  Fixture f(p, 1, 10.3);
  f.quote(Side::Buy, 150, 1000);  // target -20: sell 2 per decision up to the holdings
  for (int k = 0; k < 20; ++k) f.decide();
  const AssetId base = f.ctx.venues()[f.venue.raw()].base;
  EXPECT_EQ(f.ctx.clearing().ledger().balance(f.account(), base), AssetAmount(0));
  ASSERT_FALSE(f.ctx.submissions.empty());
  ASSERT_EQ(f.ctx.submissions.size(), 6u);
  EXPECT_EQ(f.ctx.submissions.back().order.quantity, coins(0.3));
  for (const auto& s : f.ctx.submissions) EXPECT_LE(s.order.quantity, coins(2));
}

// Patience: 15 coins held against an endowment of 10 (inventory +5), capital scale $10,000,
// max_drawdown 2 % ($200), patience 10 s. At mid 100 the wealth from trading is 1e7 + 5 x 100 (the
// peak); at mid 50 it is 1e7 + 250, $250 below: the trader capitulates. Although value (100) is far
// above the ask (51), where it would buy, it sells its inventory (2 coins per decision, IOC at
// 49 x 0.98 = 48.02) and trades no view until 10 s have passed; then it buys again.
TEST(ValueTraders, ADrawdownBeyondTheLimitUnwindsAndSitsOutThePatience) {
  ValueTraderParams p = params();
  p.capital = 10'000;
  p.max_drawdown = 0.02;
  p.patience = seconds(10);
  Fixture f(p, 1, 15);
  const OrderId ask = f.ctx
                          .place_at(f.venue, OrderRequest{f.other, Side::Sell, OrderType::Limit, px(101),
                                                          coins(100), false, -1})
                          .id;
  const OrderId bid = f.ctx
                          .place_at(f.venue, OrderRequest{f.other, Side::Buy, OrderType::Limit, px(99),
                                                          coins(100), false, -1})
                          .id;
  f.decide();  // inside the threshold both ways: no trade, the peak is set
  EXPECT_TRUE(f.ctx.submissions.empty());
  EXPECT_FALSE(f.traders->capitulated(0));
  f.ctx.cancel_at(f.venue, ask);
  f.ctx.cancel_at(f.venue, bid);
  f.quote(Side::Sell, 51);
  f.quote(Side::Buy, 49);
  f.decide();
  EXPECT_TRUE(f.traders->capitulated(0));
  EXPECT_EQ(f.traders->capitulations(0), 1u);
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  EXPECT_EQ(f.ctx.submissions[0].order.side, Side::Sell);
  EXPECT_EQ(f.ctx.submissions[0].order.quantity, coins(2));
  EXPECT_EQ(f.ctx.submissions[0].order.limit, px(48.02));
  // Unwinds the rest (2, then 1 coin), then waits with no inventory until the patience has passed.
  while (f.ctx.pending().front().at < seconds(10) + f.ctx.submissions[0].at) f.decide();
  EXPECT_NEAR(f.traders->inventory(f.ctx, 0), 0.0, 1e-12);
  for (const auto& s : f.ctx.submissions) EXPECT_EQ(s.order.side, Side::Sell);
  EXPECT_EQ(f.ctx.submissions.size(), 3u);
  f.decide();
  EXPECT_FALSE(f.traders->capitulated(0));
  EXPECT_EQ(f.ctx.submissions.back().order.side, Side::Buy);  // value 100 against an ask of 51
}

// On a perpetual book a sale is a short position, bounded only by max_position.
TEST(ValueTraders, PerpetualSalesGoShortToTheLimit) {
  Fixture f(params(), 1, 0, false);
  f.quote(Side::Buy, 150, 1000);
  for (int k = 0; k < 10; ++k) f.decide();
  EXPECT_EQ(f.ctx.clearing().ledger().position(f.account(), MarketId(0)).size, coins(-5));
}

// With noise, every order respects the noisy value: a buy only when ln(value / ask) > threshold, at a
// limit at most value * (1 - threshold); a sell only when ln(bid / value) > threshold, at a limit at
// least value * (1 + threshold); and when the condition holds with room to the target, it trades. The
// limit is the tick-grid price beyond the fixed-point value of that bound, which is rounded to the
// nearest micro-dollar first: half a micro-dollar of tolerance.
TEST(ValueTraders, OrdersRespectTheNoisyValue) {
  ValueTraderParams p = params();
  p.noise_stdev = 0.01;
  p.noise_half_life = seconds(5);
  p.max_position = coins(1000);
  Fixture f(p, 20);
  Rng rng(kSeed, StreamKind::ValueTrader, 1000);
  int buys = 0, sells = 0;
  constexpr double kResolution = 0.5e-6 + 1e-9;
  for (int k = 0; k < 2000; ++k) {
    // A fresh two-sided quote around the fundamental each decision.
    const double bid = std::round(100 * (1 + 0.02 * (rng.uniform01() - 0.6)) * 100) / 100;
    const double ask = bid + 0.01 + std::round(rng.uniform01() * 100) / 100;
    const auto b = f.ctx.place_at(
        f.venue, OrderRequest{f.other, Side::Buy, OrderType::Limit, px(bid), coins(0.01), false, -1});
    const auto a = f.ctx.place_at(
        f.venue, OrderRequest{f.other, Side::Sell, OrderType::Limit, px(ask), coins(0.01), false, -1});
    const auto w = f.ctx.pop_wake();
    ASSERT_TRUE(w.has_value());
    const size_t before = f.ctx.submissions.size();
    const double inventory = f.traders->inventory(f.ctx, w->target);
    f.traders->on_wake(f.ctx, w->target, w->arg);
    const double value = 100 * std::exp(f.traders->error(w->target));
    const bool cheap = std::log(value / ask) > p.threshold;
    const bool dear = std::log(bid / value) > p.threshold;
    // The target position: aggression * log mispricing (max_position is far away here).
    const bool room = cheap ? 100 * std::log(value / ask) - inventory > 1e-8
                            : dear && inventory + 100 * std::log(bid / value) > 1e-8;
    ASSERT_EQ(f.ctx.submissions.size() > before, (cheap || dear) && room) << k;
    if (f.ctx.submissions.size() > before) {
      const auto& s = f.ctx.submissions.back();
      EXPECT_EQ(s.order.owner, f.account(w->target));
      if (s.order.side == Side::Buy) {
        ++buys;
        EXPECT_TRUE(cheap) << k;
        EXPECT_LE(to_double(*s.order.limit), value * (1 - p.threshold) + kResolution) << k;
      } else {
        ++sells;
        EXPECT_TRUE(dear) << k;
        EXPECT_GE(to_double(*s.order.limit), value * (1 + p.threshold) - kResolution) << k;
      }
    }
    f.ctx.withdraw_at(f.venue, b.id);
    f.ctx.withdraw_at(f.venue, a.id);
  }
  EXPECT_GT(buys, 100);
  EXPECT_GT(sells, 100);
}

// Samples every member's error at fixed times lag apart (on_wake called by hand; the scheduled wake-ups
// are dropped), on an empty venue so that nobody trades.
std::vector<std::vector<double>> sample_errors(const ValueTraderParams& p, uint32_t members, int samples,
                                               Time lag) {
  Fixture f(p, members);
  std::vector<std::vector<double>> out(members);
  for (int k = 0; k < samples; ++k) {
    f.ctx.run_until(lag * (k + 1), [](const FakeContext::Wake&) {});
    for (uint32_t i = 0; i < members; ++i) {
      f.traders->on_wake(f.ctx, i, 0);
      out[i].push_back(f.traders->error(i));
    }
  }
  EXPECT_TRUE(f.ctx.submissions.empty());
  return out;
}

// The observation error is an Ornstein-Uhlenbeck log deviation with stationary stdev noise_stdev and
// autocorrelation 2^(-lag / half_life) (exact AR(1) discretisation, e.g. Gillespie 1996, Phys. Rev. E
// 54, 2084). 4000 members x 10 samples: the stdev's standard error is about 0.4%, the
// autocorrelations' about 0.5% (absolute); tolerances are over 5 standard errors.
TEST(ValueTraders, ObservationErrorHasTheStatedStdevAndHalfLife) {
  ValueTraderParams p = params();
  p.noise_stdev = 0.01;
  p.noise_half_life = seconds(60);
  const auto errors = sample_errors(p, 4000, 10, seconds(60));
  double squares = 0, lag1 = 0, lag1_norm = 0, lag2 = 0, lag2_norm = 0;
  size_t n = 0;
  for (const auto& e : errors) {
    for (size_t k = 0; k < e.size(); ++k) {
      squares += e[k] * e[k];
      ++n;
      if (k >= 1) lag1 += e[k] * e[k - 1], lag1_norm += e[k - 1] * e[k - 1];
      if (k >= 2) lag2 += e[k] * e[k - 2], lag2_norm += e[k - 2] * e[k - 2];
    }
  }
  EXPECT_NEAR(std::sqrt(squares / double(n)), 0.01, 0.01 * 0.03);
  EXPECT_NEAR(lag1 / lag1_norm, 0.5, 0.03);   // one half-life
  EXPECT_NEAR(lag2 / lag2_norm, 0.25, 0.03);  // two half-lives
}

TEST(ValueTraders, SameSeedSameOrders) {
  const auto run = [](uint64_t seed) {
    ValueTraderParams p = params();
    p.noise_stdev = 0.01;
    Fixture f(p, 5, 10, true, seed);
    f.quote(Side::Sell, 100.2, 1000);
    f.quote(Side::Buy, 99.8, 1000);
    for (int k = 0; k < 200; ++k) f.decide();
    std::vector<std::tuple<int64_t, uint32_t, int, int64_t, int64_t>> out;
    for (const auto& s : f.ctx.submissions)
      out.emplace_back(s.at.raw(), s.order.owner.raw(), int(s.order.side), s.order.limit->raw(),
                       s.order.quantity.raw());
    return out;
  };
  const auto a = run(kSeed), b = run(kSeed), c = run(kSeed + 1);
  EXPECT_GT(a.size(), 10u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace liqsim
