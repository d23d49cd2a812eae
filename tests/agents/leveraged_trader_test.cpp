#include "agents/leveraged_trader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include "tests/agents/fake_context.h"

namespace liqsim {
namespace {

constexpr uint64_t kSeed = 20'240'613;
constexpr Price kTick(10'000);  // 0.01 $
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
Amount usd(double x) { return amount_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }

DistributionParams fixed(double x) {
  DistributionParams d;
  d.kind = DistributionParams::Kind::Fixed;
  d.mean = x;
  return d;
}

// Margin 1000 $ at 10x, long, entering at t = 10 s (a zero-width window).
LeveragedTraderParams base_params() {
  LeveragedTraderParams p;
  p.long_fraction = 1.0;
  p.leverage = fixed(10);
  p.margin = fixed(1000);
  p.entry_start = seconds(10);
  p.entry_end = seconds(10);
  p.entry_slippage = 0.01;
  return p;
}

// A market at 100 $ (MMR 0.5%, IMR 1%: 100x max) with deep outside liquidity at 99.99 / 100.00.
struct Fixture {
  explicit Fixture(uint32_t markets = 1,
                   const TieredMaintenanceMargin& margin = TieredMaintenanceMargin::flat(rate(0.005),
                                                                                         rate(0.01)))
      : ctx(markets, kTick, px(100), margin), lp(ctx.open_account(AgentRole::MarketMaker, usd(1e9))) {
    for (MarketId m(0); m.raw() < markets; ++m) {
      quotes.push_back(ctx.place_limit(m, lp, Side::Buy, px(99.99), coins(1e6)).id);
      quotes.push_back(ctx.place_limit(m, lp, Side::Sell, px(100.00), coins(1e6)).id);
    }
  }
  // Moves market 0's outside liquidity to price - 0.01 / price and sets the mark to price.
  void move_market(double price) {
    for (const OrderId id : quotes) ctx.withdraw(MarketId(0), id);
    quotes = {ctx.place_limit(MarketId(0), lp, Side::Buy, px(price - 0.01), coins(1e6)).id,
              ctx.place_limit(MarketId(0), lp, Side::Sell, px(price), coins(1e6)).id};
    ctx.set_mark(MarketId(0), px(price));
  }
  std::vector<AccountId> open_traders(int n) {
    std::vector<AccountId> ids;
    for (int i = 0; i < n; ++i) ids.push_back(ctx.open_account(AgentRole::Trader, Amount(0)));
    return ids;
  }
  // Runs every entry; returns the entry times delivered, in delivery order, with the trader index.
  std::vector<std::pair<Time, uint32_t>> enter_all(LeveragedTraders& traders) {
    std::vector<std::pair<Time, uint32_t>> entries;
    traders.start(ctx);
    while (const auto w = ctx.pop_wake()) {
      if (w->arg == LeveragedTraders::kEntry) entries.emplace_back(w->at, w->target);
      traders.on_wake(ctx, w->target, w->arg);
    }
    return entries;
  }
  const Position& position(AccountId a, MarketId m = MarketId(0)) const {
    return ctx.clearing().ledger().position(a, m);
  }

  FakeContext ctx;
  AccountId lp;
  std::vector<OrderId> quotes;
};

LeveragedTraders make_traders(const LeveragedTraderParams& p, const std::vector<AccountId>& accounts,
                              uint64_t seed = kSeed) {
  return LeveragedTraders(p, accounts, std::vector<MarketId>(accounts.size(), MarketId(0)),
                          std::vector<uint8_t>(accounts.size(), 0), seed);
}

// ---- Entry schedule ----

// Kolmogorov-Smirnov against U[start, end]: D < 1.95 / sqrt(n) (significance 0.001).
TEST(LeveragedTraders, EntryTimesAreUniformOverTheEntryWindow) {
  SCOPED_TRACE(testing::Message() << "seed " << kSeed);
  LeveragedTraderParams p = base_params();
  p.entry_start = seconds(100);
  p.entry_end = seconds(1100);
  Fixture f;
  const int n = 2000;
  auto traders = make_traders(p, f.open_traders(n));
  const auto entries = f.enter_all(traders);
  ASSERT_EQ(entries.size(), size_t(n));
  std::vector<double> u;
  std::vector<int> seen(n, 0);
  for (const auto& [t, i] : entries) {
    EXPECT_GE(t, p.entry_start);
    EXPECT_LE(t, p.entry_end);
    ++seen[i];
    u.push_back(to_seconds(t - p.entry_start) / to_seconds(p.entry_end - p.entry_start));
  }
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }))
      << "each trader enters once";
  EXPECT_TRUE(std::is_sorted(u.begin(), u.end())) << "entries are delivered in time order";
  double d = 0;
  for (size_t k = 0; k < u.size(); ++k) d = std::max({d, double(k + 1) / n - u[k], u[k] - double(k) / n});
  EXPECT_LT(d, 1.95 / std::sqrt(double(n)));
}

TEST(LeveragedTraders, EntriesAreChainedOneWakeAtATime) {
  LeveragedTraderParams p = base_params();
  p.entry_start = seconds(0);
  p.entry_end = seconds(100);
  Fixture f;
  auto traders = make_traders(p, f.open_traders(50));
  traders.start(f.ctx);
  EXPECT_EQ(f.ctx.pending_wakes(), 1u);
  int delivered = 0;
  while (const auto w = f.ctx.pop_wake()) {
    EXPECT_EQ(f.ctx.pending_wakes(), 0u);
    traders.on_wake(f.ctx, w->target, w->arg);
    ++delivered;
    EXPECT_LE(f.ctx.pending_wakes(), 1u);
    // The next entry is requested during this one, never earlier than now.
    if (f.ctx.pending_wakes() == 1) {
      EXPECT_GE(f.ctx.pending()[0].at, f.ctx.now());
    }
  }
  EXPECT_EQ(delivered, 50);
  EXPECT_EQ(traders.entries(), 50u);
}

// ---- Entry order ----

// 1000 $ at 10x at a mark of 100 $: 100 coins, IOC buy limited to mark * 1.01.
TEST(LeveragedTraders, EntryDepositsMarginAndBuysMarginTimesLeverage) {
  Fixture f;
  const auto accounts = f.open_traders(1);
  auto traders = make_traders(base_params(), accounts);
  f.enter_all(traders);
  ASSERT_EQ(f.ctx.deposits.size(), 1u);
  EXPECT_EQ(f.ctx.deposits[0].account, accounts[0]);
  EXPECT_EQ(f.ctx.deposits[0].amount, usd(1000));
  EXPECT_EQ(f.ctx.deposits[0].at, seconds(10));
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  const OrderRequest& o = f.ctx.submissions[0].order;
  EXPECT_EQ(o.owner, accounts[0]);
  EXPECT_EQ(o.side, Side::Buy);
  EXPECT_EQ(o.type, OrderType::ImmediateOrCancel);
  EXPECT_EQ(o.quantity, coins(100));
  EXPECT_EQ(o.limit, px(101.00));
  EXPECT_EQ(f.position(accounts[0]).size, coins(100));
  EXPECT_EQ(f.ctx.clearing().ledger().account(accounts[0]).deposits, usd(1000));
}

TEST(LeveragedTraders, ShortEntrySellsMarginTimesLeverage) {
  LeveragedTraderParams p = base_params();
  p.long_fraction = 0.0;
  Fixture f;
  const auto accounts = f.open_traders(1);
  auto traders = make_traders(p, accounts);
  f.enter_all(traders);
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  EXPECT_EQ(f.ctx.submissions[0].order.side, Side::Sell);
  EXPECT_EQ(f.ctx.submissions[0].order.limit, px(99.00));
  EXPECT_EQ(f.position(accounts[0]).size, -coins(100));
}

TEST(LeveragedTraders, LongFractionIsRespected) {
  SCOPED_TRACE(testing::Message() << "seed " << kSeed);
  LeveragedTraderParams p = base_params();
  p.long_fraction = 0.3;
  p.margin = fixed(10);
  p.entry_end = seconds(1000);
  Fixture f;
  const int n = 4000;
  auto traders = make_traders(p, f.open_traders(n));
  f.enter_all(traders);
  ASSERT_EQ(f.ctx.submissions.size(), size_t(n));
  int longs = 0;
  for (const auto& s : f.ctx.submissions) longs += s.order.side == Side::Buy ? 1 : 0;
  // Binomial: within 4 standard deviations of n * 0.3.
  EXPECT_NEAR(double(longs), n * 0.3, 4 * std::sqrt(n * 0.3 * 0.7));
}

// Flat table with IMR 5%: at most 20x, so 50x on 1000 $ becomes 20 000 $ = 200 coins.
TEST(LeveragedTraders, LeverageIsClampedToTheBracketMaximum) {
  LeveragedTraderParams p = base_params();
  p.leverage = fixed(50);
  Fixture f(1, TieredMaintenanceMargin::flat(rate(0.01), rate(0.05)));
  const auto accounts = f.open_traders(1);
  auto traders = make_traders(p, accounts);
  f.enter_all(traders);
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  EXPECT_EQ(f.ctx.submissions[0].order.quantity, coins(200));
}

// Two brackets: below 10 000 $ up to 50x (IMR 2%), above it up to 10x (IMR 10%). The bracket is the one
// of the intended notional: 30x on 1000 $ (30 000 $) is capped at 10x; 30x on 100 $ (3000 $) is not.
TEST(LeveragedTraders, LeverageCapComesFromTheBracketOfTheIntendedNotional) {
  const std::vector<MarginBracketSpec> specs{{usd(0), usd(10'000), rate(0.01), rate(0.02)},
                                             {usd(10'000), usd(1e12), rate(0.05), rate(0.10)}};
  ASSERT_EQ(TieredMaintenanceMargin::validate(specs), std::nullopt);
  LeveragedTraderParams p = base_params();
  p.leverage = fixed(30);
  for (const auto& [margin, expected] : {std::pair{1000.0, coins(100)}, std::pair{100.0, coins(30)}}) {
    p.margin = fixed(margin);
    Fixture f(1, TieredMaintenanceMargin(specs));
    auto traders = make_traders(p, f.open_traders(1));
    f.enter_all(traders);
    ASSERT_EQ(f.ctx.submissions.size(), 1u);
    EXPECT_EQ(f.ctx.submissions[0].order.quantity, expected) << "margin " << margin;
  }
}

// A cross trader flagged `spread` splits 1000 $ x 10 equally over both markets: 50 coins each.
TEST(LeveragedTraders, SpreadTraderSplitsNotionalOverEveryMarket) {
  Fixture f(2);
  const auto accounts = f.open_traders(1);
  LeveragedTraders traders(base_params(), accounts, {MarketId(0)}, {1}, kSeed);
  f.enter_all(traders);
  EXPECT_EQ(f.ctx.deposits.size(), 1u);
  EXPECT_EQ(f.position(accounts[0], MarketId(0)).size, coins(50));
  EXPECT_EQ(f.position(accounts[0], MarketId(1)).size, coins(50));
}

TEST(LeveragedTraders, AddingTradersDoesNotChangeAnyonesDraws) {
  LeveragedTraderParams p = base_params();
  p.long_fraction = 0.5;
  p.entry_end = seconds(1000);
  p.margin.kind = DistributionParams::Kind::Uniform;
  p.margin.min = 100;
  p.margin.max = 1000;
  // (entry time, side, quantity) per account, for the first 20 accounts.
  const auto draws = [&](int n) {
    Fixture f;
    const auto accounts = f.open_traders(n);
    auto traders = make_traders(p, accounts);
    f.enter_all(traders);
    std::map<AccountId, std::tuple<int64_t, int, int64_t>> out;
    for (const auto& s : f.ctx.submissions)
      if (s.order.owner < AccountId(accounts[0].raw() + 20))
        out[s.order.owner] = {s.at.raw(), int(s.order.side), s.order.quantity.raw()};
    return out;
  };
  const auto alone = draws(20);
  ASSERT_EQ(alone.size(), 20u);
  EXPECT_EQ(alone, draws(60));
}

// ---- Positions open at time 0 ----

// Books the opening positions against the backstop place, as the composition root does.
void book(FakeContext& ctx, const LeveragedTraders& traders) {
  const AccountId vault = place_account(Place::BackstopVault);
  std::optional<uint32_t> deposited;
  for (const OpeningPosition& o : traders.opening_book(ctx.clearing())) {
    const AccountId a = traders.account(o.trader);
    if (deposited != o.trader) ctx.ch().deposit(a, o.margin);
    deposited = o.trader;
    const Quantity q(std::abs(o.size.raw()));
    if (o.size.raw() > 0)
      ctx.ch().ledger().trade(a, vault, o.market, q, o.cash);
    else
      ctx.ch().ledger().trade(vault, a, o.market, q, o.cash);
    ctx.ch().arm(a);
  }
}

LeveragedTraderParams opening_params(double leverage, double vol_per_year) {
  LeveragedTraderParams p = base_params();
  p.long_fraction = 0.5;
  p.leverage = fixed(leverage);
  p.open_at_start = true;
  p.lookback = seconds(7 * 86400);
  p.lookback_vol_per_year = {vol_per_year};
  p.lookback_drift_per_year = {0.0};
  return p;
}

// Relative distances |entry / mark - 1| of every opening position.
std::vector<double> entry_offsets(const std::vector<OpeningPosition>& book) {
  std::vector<double> out;
  for (const OpeningPosition& o : book) out.push_back(std::abs(to_double(o.entry) / 100.0 - 1.0));
  std::sort(out.begin(), out.end());
  return out;
}

// 2x positions over a 7-day look-back at 60 % a year (sigma sqrt(7/365) = 8.3 %): entries spread on
// both sides of the mark, none liquidatable at time 0, and the ledger conserves money and positions.
TEST(LeveragedTraders, OpeningBookSpreadsEntriesOverTheLookback) {
  SCOPED_TRACE(testing::Message() << "seed " << kSeed);
  Fixture f;
  const int n = 1000;
  const auto accounts = f.open_traders(n);
  auto traders = make_traders(opening_params(2, 0.6), accounts);
  const auto rows = traders.opening_book(f.ctx.clearing());
  ASSERT_EQ(rows.size(), size_t(n));
  int above = 0, below = 0;
  for (const OpeningPosition& o : rows) (o.entry > px(100) ? above : below) += 1;
  EXPECT_GT(above, n / 10);
  EXPECT_GT(below, n / 10);
  const auto offsets = entry_offsets(rows);
  EXPECT_GT(offsets[n / 2], 0.01) << "median distance of entries from the mark";
  EXPECT_LT(offsets[n / 2], 0.2);
  book(f.ctx, traders);
  for (const AccountId a : accounts) {
    ASSERT_TRUE(f.ctx.clearing().ledger().has_position(a));
    EXPECT_FALSE(f.ctx.clearing().liquidatable(a));
    EXPECT_EQ(f.ctx.clearing().ledger().account(a).deposits, usd(1000));
  }
  EXPECT_EQ(f.ctx.clearing().ledger().position_residual(MarketId(0)), Quantity(0));
  EXPECT_EQ(f.ctx.clearing().ledger().conservation_residual(), Amount(0));
  EXPECT_TRUE(f.ctx.submissions.empty()) << "no order reaches the book";
}

// Without volatility the look-back path is flat: every entry is at the mark, 1000 $ x 2 = 20 coins.
TEST(LeveragedTraders, OpeningBookWithoutVolatilityEntersAtTheMark) {
  Fixture f;
  auto traders = make_traders(opening_params(2, 0.0), f.open_traders(20));
  for (const OpeningPosition& o : traders.opening_book(f.ctx.clearing())) {
    EXPECT_EQ(o.entry, px(100));
    EXPECT_EQ(std::abs(o.size.raw()), coins(20).raw());
    EXPECT_EQ(o.cash, usd(2000));
  }
}

// A 50x position (IMR 1 %, MMR 0.5 %) is liquidated by a 1.5 % adverse move. The mark is the end of the
// look-back path, so a surviving 50x long entered below 100 / 0.985 = 101.52 and a short above
// 100 x 0.985 (entries further on the losing side were liquidated on the way); 2x positions survive
// losses of several percent.
TEST(LeveragedTraders, OpeningBookKeepsOnlyPositionsTheLookbackLeftAlive) {
  const auto worst_loss = [](double leverage) {
    Fixture f;
    auto traders = make_traders(opening_params(leverage, 0.6), f.open_traders(500));
    double worst = 0;  // the largest adverse distance of an entry from the mark
    for (const OpeningPosition& o : traders.opening_book(f.ctx.clearing())) {
      const double move = to_double(o.entry) / 100.0 - 1.0;
      worst = std::max(worst, o.size.raw() > 0 ? move : -move);
    }
    return worst;
  };
  EXPECT_LT(worst_loss(50), 0.0152);
  EXPECT_GT(worst_loss(2), 0.05);
}

TEST(LeveragedTraders, OpeningBookDrawsDoNotDependOnPopulationSize) {
  const auto rows = [](int n) {
    Fixture f;
    auto traders = make_traders(opening_params(3, 0.6), f.open_traders(n));
    auto book = traders.opening_book(f.ctx.clearing());
    book.resize(10);
    std::vector<std::pair<int64_t, int64_t>> out;
    for (const auto& o : book) out.emplace_back(o.entry.raw(), o.size.raw());
    return out;
  };
  EXPECT_EQ(rows(10), rows(40));
}

// With open_at_start the population sends no entry: start() arms the exits of the booked positions.
TEST(LeveragedTraders, OpenAtStartSendsNoEntry) {
  Fixture f;
  auto traders = make_traders(opening_params(2, 0.6), f.open_traders(5));
  book(f.ctx, traders);
  traders.start(f.ctx);
  EXPECT_EQ(f.ctx.pending_wakes(), 0u);
  EXPECT_EQ(traders.entries(), 5u);
  EXPECT_TRUE(f.ctx.submissions.empty());
}

// ---- Voluntary exits ----

// One long of 100 coins bought at 100.00 with a stop 10 % and a take-profit 20 % from entry.
struct ExitFixture : Fixture {
  static LeveragedTraderParams params() {
    LeveragedTraderParams p = base_params();
    p.leverage = fixed(10);
    p.stop_loss_probability = 1;
    p.stop_loss = fixed(0.1);
    p.take_profit_probability = 1;
    p.take_profit = fixed(0.2);
    p.check_interval = seconds(1);
    return p;
  }
  explicit ExitFixture(LeveragedTraderParams p = params())
      : account(open_traders(1)[0]), traders(make_traders(p, {account})) {
    traders.start(ctx);
    while (traders.entries() == 0) next();
  }
  // Delivers the next wake-up; returns its arg.
  int64_t next() {
    const auto w = ctx.pop_wake();
    LIQSIM_CHECK(w.has_value(), "no pending wake-up");
    traders.on_wake(ctx, w->target, w->arg);
    return w->arg;
  }
  // Moves the market and runs wake-ups up to and including the next check.
  void check_at(double mark) {
    move_market(mark);
    while (next() != LeveragedTraders::kCheck) {
    }
  }
  Quantity size() const { return position(account).size; }
  AccountId account;
  LeveragedTraders traders;
};

// Entry at 100.00: the stop is at 90, the take-profit at 120.
TEST(LeveragedTraders, StopLossClosesTheLongWhenTheMarkReachesIt) {
  ExitFixture f;
  ASSERT_EQ(f.size(), coins(100));
  f.check_at(90.5);
  EXPECT_EQ(f.size(), coins(100)) << "above the stop";
  const size_t sent = f.ctx.submissions.size();
  f.check_at(90.0);
  EXPECT_EQ(f.size(), Quantity(0));
  ASSERT_EQ(f.ctx.submissions.size(), sent + 1);
  const OrderRequest& o = f.ctx.submissions.back().order;
  EXPECT_EQ(o.side, Side::Sell);
  EXPECT_TRUE(o.reduce_only);
  EXPECT_EQ(o.type, OrderType::ImmediateOrCancel);
  EXPECT_EQ(o.quantity, coins(100));
  EXPECT_EQ(o.limit, px(81.00)) << "10 % below the mark";
  EXPECT_EQ(f.traders.stop_losses(), 1u);
  f.check_at(130);
  EXPECT_EQ(f.traders.take_profits(), 0u) << "the take-profit of a closed position is stale";
  EXPECT_EQ(f.ctx.submissions.size(), sent + 1);
}

TEST(LeveragedTraders, TakeProfitClosesTheLongAboveItsLevel) {
  ExitFixture f;
  f.check_at(119.9);
  EXPECT_EQ(f.size(), coins(100));
  f.check_at(121);
  EXPECT_EQ(f.size(), Quantity(0));
  EXPECT_EQ(f.traders.take_profits(), 1u);
  EXPECT_EQ(f.ctx.submissions.back().order.side, Side::Sell);
}

// A short entered at 99.99: its stop is 10 % above (109.989), its take-profit 20 % below (79.992).
TEST(LeveragedTraders, ShortStopFiresAboveAndTakeProfitBelow) {
  LeveragedTraderParams p = ExitFixture::params();
  p.long_fraction = 0;
  {
    ExitFixture f(p);
    ASSERT_EQ(f.size(), -coins(100));
    f.check_at(109.9);
    EXPECT_EQ(f.size(), -coins(100));
    f.check_at(110);
    EXPECT_EQ(f.size(), Quantity(0));
    EXPECT_EQ(f.ctx.submissions.back().order.side, Side::Buy);
    EXPECT_EQ(f.traders.stop_losses(), 1u);
  }
  {
    ExitFixture f(p);
    f.check_at(80.1);
    EXPECT_EQ(f.size(), -coins(100));
    f.check_at(79.9);
    EXPECT_EQ(f.size(), Quantity(0));
    EXPECT_EQ(f.traders.take_profits(), 1u);
  }
}

TEST(LeveragedTraders, NoExitLevelsAndNoChecksWhenTheRulesAreOff) {
  Fixture f;
  auto traders = make_traders(base_params(), f.open_traders(1));
  f.enter_all(traders);
  for (const auto& w : f.ctx.wakes) EXPECT_NE(w.arg, LeveragedTraders::kCheck);
}

// Deleveraging at a 5 % drawdown from the high of a 60 s window, closing half of the position once.
struct DeleverageFixture : ExitFixture {
  static LeveragedTraderParams params() {
    LeveragedTraderParams p = base_params();
    p.deleverage_probability = 1;
    p.deleverage_drop = fixed(0.05);
    p.deleverage_window = seconds(60);
    p.deleverage_reduce = 0.5;
    return p;
  }
  DeleverageFixture() : ExitFixture(params()) {}
};

TEST(LeveragedTraders, DeleveragesHalfOnceTheDrawdownReachesItsThreshold) {
  DeleverageFixture f;
  f.check_at(104);
  f.check_at(99);  // 4.8 % below the window's high
  EXPECT_EQ(f.size(), coins(100));
  f.check_at(98.7);  // 5.1 %
  EXPECT_EQ(f.size(), coins(50));
  EXPECT_EQ(f.traders.deleverages(), 1u);
  f.check_at(90);
  EXPECT_EQ(f.size(), coins(50)) << "once per trader";
}

// A slow fall of 1 % a minute never makes a 5 % drawdown inside a 60 s window.
TEST(LeveragedTraders, NoDeleveragingWhenTheFallIsSlowerThanTheWindow) {
  DeleverageFixture f;
  double mark = 100;
  for (int k = 0; k < 600; ++k) f.check_at(mark *= 0.99983);  // -1 % per 60 checks
  EXPECT_LT(mark, 91);
  EXPECT_EQ(f.size(), coins(100));
  EXPECT_EQ(f.traders.deleverages(), 0u);
}

// ---- Pre-emptive deleveraging (the strategic liquidation reflex) ----

// One long of 100 coins at 10x entered at 100.00 (liquidated at 9000 / 99.5 = 90.452), reading a map
// that assumes 10x positions (levels of 0.1 %: the long level of 100 is centred at 90.4908).
struct PreemptiveFixture : ExitFixture {
  static LeveragedTraderParams params(double risk_aversion, double approach, double probability) {
    LeveragedTraderParams p = base_params();
    p.preemptive_probability = probability;
    if (probability == 0) {  // checks still run, for a deleveraging threshold no move here reaches
      p.deleverage_probability = 1;
      p.deleverage_drop = fixed(0.9);
      p.deleverage_window = seconds(60);
    }
    p.risk_aversion = risk_aversion;
    p.preemptive_approach = approach;
    p.preemptive_fraction = 1;
    p.preemptive_depth_band = 0.02;
    p.heatmap.leverages = {10};
    p.heatmap.weights = {1};
    p.heatmap.initial_spread = 0;
    p.heatmap.bucket = 0.001;
    return p;
  }
  PreemptiveFixture(double risk_aversion, double approach, double probability = 1)
      : PreemptiveFixture(params(risk_aversion, approach, probability)) {}
  explicit PreemptiveFixture(const LeveragedTraderParams& p) : ExitFixture(p) {
    check_at(100);  // the map's first observation: the open interest entered at 100
  }
  // The book at `mark` with `bid_coins` on the bid (asks deep), then the next check.
  void book_at(double mark, double bid_coins) {
    for (const OrderId id : quotes) ctx.withdraw(MarketId(0), id);
    quotes = {ctx.place_limit(MarketId(0), lp, Side::Buy, px(mark - 0.01), coins(bid_coins)).id,
              ctx.place_limit(MarketId(0), lp, Side::Sell, px(mark), coins(1e6)).id};
    ctx.set_mark(MarketId(0), px(mark));
    while (next() != LeveragedTraders::kCheck) {
    }
  }
};

// 20 coins of bids within 2 %: the 100 coins of the cluster at 90.49 (counted twice) would take the
// price 20 % lower, through the trader's own liquidation price, so it sells what the book takes.
TEST(LeveragedTraders, SellsAheadOfAClusterWhoseCascadeWouldReachItsLiquidation) {
  PreemptiveFixture f(1, 0.05);
  f.book_at(95, 20);
  EXPECT_EQ(f.traders.preemptive_exits(), 1u);
  EXPECT_EQ(f.size(), coins(80));
  const OrderRequest& o = f.ctx.submissions.back().order;
  EXPECT_EQ(o.side, Side::Sell);
  EXPECT_TRUE(o.reduce_only);
  EXPECT_EQ(o.quantity, coins(100));
}

TEST(LeveragedTraders, NoPreemptiveExitWhileTheClusterIsBeyondTheApproachDistance) {
  PreemptiveFixture f(1, 0.03);  // 90.49 is 4.7 % below 95
  f.book_at(95, 20);
  EXPECT_EQ(f.traders.preemptive_exits(), 0u);
  EXPECT_EQ(f.size(), coins(100));
}

// 50,000 coins of bids: the cluster alone moves the price 0.004 %, short of the trader's liquidation
// 0.043 % under the level; counted 21 times (risk aversion 20) it moves it 0.084 %.
TEST(LeveragedTraders, RiskAversionDecidesWhetherADeepBookIsEnough) {
  {
    PreemptiveFixture f(0, 0.05);
    f.book_at(95, 50'000);
    EXPECT_EQ(f.traders.preemptive_exits(), 0u);
    EXPECT_EQ(f.size(), coins(100));
  }
  {
    PreemptiveFixture f(20, 0.05);
    f.book_at(95, 50'000);
    EXPECT_EQ(f.traders.preemptive_exits(), 1u);
    EXPECT_EQ(f.size(), Quantity(0));
  }
}

// By expected loss: at 95 the trader's leverage is 9,500 / 500 = 19; the cluster alone (no risk aversion,
// 50,000 coins of bids) predicts a fall to about 90.49, 4.75 % below the mark: a loss of 90 % of its
// equity, though the fall stops short of its liquidation at 90.452.
TEST(LeveragedTraders, ExpectedLossRuleExitsWithoutReachingItsLiquidation) {
  LeveragedTraderParams p = PreemptiveFixture::params(0, 0.05, 1);
  p.preemptive_rule = PreemptiveRule::ExpectedLoss;
  p.preemptive_max_loss = 0.5;
  {
    PreemptiveFixture f(p);
    f.book_at(95, 50'000);
    EXPECT_EQ(f.traders.preemptive_exits(), 1u);
    EXPECT_EQ(f.size(), Quantity(0));
  }
  p.preemptive_max_loss = 1.0;  // a 90 % loss is within what it accepts
  {
    PreemptiveFixture f(p);
    f.book_at(95, 50'000);
    EXPECT_EQ(f.traders.preemptive_exits(), 0u);
    EXPECT_EQ(f.size(), coins(100));
  }
}

// Trader groups (LeveragedTraderParams::groups): the trader is the last one, so a group of one decides
// whether it is pre-emptive (not the population's share) and with which risk aversion: with 50,000 coins
// of bids only a risk aversion of 20 sells (the test above).
TEST(LeveragedTraders, AGroupsStrategyReplacesThePopulationsForItsMembers) {
  const auto exits = [](double share, double population_aversion, bool group_preemptive,
                        double group_aversion) {
    LeveragedTraderParams p = PreemptiveFixture::params(population_aversion, 0.05, share);
    p.groups = {{1, group_preemptive, group_aversion, 0.05, 1.0}};
    // Checks run whoever is pre-emptive: a deleveraging threshold no move here reaches.
    p.deleverage_probability = 1;
    p.deleverage_drop = fixed(0.9);
    p.deleverage_window = seconds(60);
    PreemptiveFixture f(p);
    f.book_at(95, 50'000);
    return f.traders.preemptive_exits();
  };
  EXPECT_EQ(exits(0, 0, true, 20), 1u);    // naive population, pre-emptive group
  EXPECT_EQ(exits(1, 20, false, 20), 0u);  // pre-emptive population, naive group
  EXPECT_EQ(exits(1, 20, true, 0), 0u);    // the group's risk aversion, not the population's
  EXPECT_EQ(exits(1, 0, true, 20), 1u);
}

TEST(LeveragedTraders, NaiveTradersDoNotSellAhead) {
  PreemptiveFixture f(1, 0.05, 0);
  f.book_at(95, 20);
  EXPECT_EQ(f.traders.preemptive_exits(), 0u);
  EXPECT_EQ(f.size(), coins(100));
}

// After a stop the trader re-enters once after its delay, with its equity at its leverage.
TEST(LeveragedTraders, ReentersAfterTheDelayWithItsEquity) {
  LeveragedTraderParams p = ExitFixture::params();
  p.stop_loss = fixed(0.05);
  p.reentry_delay = seconds(30);
  p.max_reentries = 1;
  ExitFixture f(p);
  f.check_at(95);  // sold 100 coins at 94.99 (the book's bid): equity 499 $
  ASSERT_EQ(f.size(), Quantity(0));
  const Amount equity = f.ctx.clearing().equity(f.account);
  const auto pending = f.ctx.pending();
  const auto reentry = std::find_if(pending.begin(), pending.end(), [](const FakeContext::Wake& w) {
    return w.arg == LeveragedTraders::kReentry;
  });
  ASSERT_NE(reentry, pending.end());
  EXPECT_GT(reentry->at, f.ctx.now());
  f.move_market(100);
  while (f.next() != LeveragedTraders::kReentry) {
  }
  EXPECT_EQ(f.traders.reentries(), 1u);
  EXPECT_EQ(f.size(), quantity_from_double(std::floor(to_double(equity) * 10 / 100.0 * 1e4) / 1e4));
  EXPECT_EQ(f.ctx.deposits.size(), 1u) << "no new deposit";
  // Its new stop is 5 % below the new entry: a second stop fires, with no second re-entry.
  f.check_at(94);
  EXPECT_EQ(f.size(), Quantity(0));
  EXPECT_EQ(f.traders.stop_losses(), 2u);
  for (const auto& w : f.ctx.pending()) EXPECT_NE(w.arg, LeveragedTraders::kReentry);
}

// ---- DistributionParams ----

TEST(DistributionParams, LogNormalHasTheConfiguredMeanAndStdev) {
  SCOPED_TRACE(testing::Message() << "seed " << kSeed);
  DistributionParams d;
  d.kind = DistributionParams::Kind::LogNormal;
  d.mean = 10;
  d.stdev = 4;
  d.min = 0;
  d.max = 1e9;
  Rng rng(kSeed);
  const int n = 200'000;
  double sum = 0, sum_sq = 0;
  for (int k = 0; k < n; ++k) {
    const double x = d.draw(rng);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  const double sd = std::sqrt(sum_sq / n - mean * mean);
  // Standard errors: 4 / sqrt(n) = 0.009 for the mean; ~0.01 for the stdev (lognormal kurtosis ~6).
  EXPECT_NEAR(mean, 10.0, 0.04);
  EXPECT_NEAR(sd, 4.0, 0.05);
}

TEST(DistributionParams, LogNormalIsClippedToMinAndMax) {
  DistributionParams d;
  d.kind = DistributionParams::Kind::LogNormal;
  d.mean = 10;
  d.stdev = 4;
  d.min = 8;
  d.max = 12;
  Rng rng(kSeed);
  int at_min = 0, at_max = 0;
  for (int k = 0; k < 10'000; ++k) {
    const double x = d.draw(rng);
    ASSERT_GE(x, 8.0);
    ASSERT_LE(x, 12.0);
    at_min += x == 8.0 ? 1 : 0;
    at_max += x == 12.0 ? 1 : 0;
  }
  EXPECT_GT(at_min, 1000);  // P(X < 8) ~ 0.34
  EXPECT_GT(at_max, 1000);  // P(X > 12) ~ 0.27
}

TEST(DistributionParams, UniformDrawsOverMinToMax) {
  DistributionParams d;
  d.kind = DistributionParams::Kind::Uniform;
  d.min = 2;
  d.max = 5;
  Rng rng(kSeed);
  const int n = 100'000;
  double sum = 0, sum_sq = 0;
  for (int k = 0; k < n; ++k) {
    const double x = d.draw(rng);
    ASSERT_GE(x, 2.0);
    ASSERT_LT(x, 5.0);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, 3.5, 4 * 0.866 / std::sqrt(double(n)));  // sd = 3 / sqrt(12)
  EXPECT_NEAR(sum_sq / n - mean * mean, 0.75, 0.02);
}

TEST(DistributionParams, FixedReturnsTheMeanWithoutDrawing) {
  DistributionParams d = fixed(7.5);
  Rng rng(kSeed), untouched(kSeed);
  for (int k = 0; k < 10; ++k) EXPECT_EQ(d.draw(rng), 7.5);
  EXPECT_EQ(rng.next_u64(), untouched.next_u64());
}

// ---- Top-up ----

// After entry (100 coins bought at 100.00, balance -9000 $), a mark of 90.5 gives equity 50 $ against
// MM = 9050 * 0.5% = 45.25 $, below trigger 2 x MM = 90.5 $.
struct TopUpFixture : Fixture {
  static LeveragedTraderParams params() {
    LeveragedTraderParams p = base_params();
    p.topup_trigger = 2.0;
    p.topup_fraction = 0.5;   // 500 $
    p.outside_capital = 0.8;  // 800 $ in all
    p.topup_cooldown = seconds(60);
    return p;
  }
  explicit TopUpFixture(LeveragedTraderParams p = params())
      : account(open_traders(1)[0]), traders(make_traders(p, {account})) {
    enter_all(traders);
  }
  Amount deposited() const { return ctx.clearing().ledger().account(account).deposits; }
  AccountId account;
  LeveragedTraders traders;
};

TEST(LeveragedTraders, TopUpAddsFractionOfMarginBelowTheTrigger) {
  TopUpFixture f;
  ASSERT_EQ(f.position(f.account).size, coins(100));
  f.ctx.set_mark(MarketId(0), px(90.5));
  ASSERT_LT(f.ctx.clearing().equity(f.account), f.ctx.clearing().maintenance(f.account) * 2);
  f.traders.on_alert(f.ctx, 0);
  ASSERT_EQ(f.ctx.deposits.size(), 2u);  // the margin, then the top-up
  EXPECT_EQ(f.ctx.deposits[1].account, f.account);
  EXPECT_EQ(f.ctx.deposits[1].amount, usd(500));
  EXPECT_EQ(f.deposited(), usd(1500));
  EXPECT_EQ(f.traders.topups(), 1u);
}

// Mark 92: equity 200 $ against 2 x MM = 92 $.
TEST(LeveragedTraders, NoTopUpAboveTheTrigger) {
  TopUpFixture f;
  f.ctx.set_mark(MarketId(0), px(92));
  f.traders.on_alert(f.ctx, 0);
  EXPECT_EQ(f.ctx.deposits.size(), 1u);
  EXPECT_EQ(f.traders.topups(), 0u);
}

TEST(LeveragedTraders, NoTopUpWhenTheTriggerIsZero) {
  LeveragedTraderParams p = TopUpFixture::params();
  p.topup_trigger = 0;
  TopUpFixture f(p);
  f.ctx.set_mark(MarketId(0), px(90.5));
  f.traders.on_alert(f.ctx, 0);
  EXPECT_EQ(f.ctx.deposits.size(), 1u);
}

// 800 $ of outside capital: 500 $, then the 300 $ left (after the cool-down), then nothing; the alert is
// cleared once nothing is left.
TEST(LeveragedTraders, TopUpsStopAtTheOutsideCapital) {
  TopUpFixture f;
  f.ctx.set_mark(MarketId(0), px(90.5));
  f.traders.on_alert(f.ctx, 0);
  f.ctx.advance_to(f.ctx.now() + seconds(61));
  f.ctx.set_mark(MarketId(0), px(85.5));  // balance -8500 $: equity 50 $ < 2 x 42.75 $
  f.traders.on_alert(f.ctx, 0);
  ASSERT_EQ(f.ctx.deposits.size(), 3u);
  EXPECT_EQ(f.ctx.deposits[2].amount, usd(300));
  ASSERT_FALSE(f.ctx.alerts.empty());
  EXPECT_EQ(f.ctx.alerts.back().account, f.account);
  EXPECT_EQ(f.ctx.alerts.back().multiple, std::nullopt);
  f.ctx.advance_to(f.ctx.now() + seconds(61));
  f.ctx.set_mark(MarketId(0), px(80));
  f.traders.on_alert(f.ctx, 0);
  EXPECT_EQ(f.ctx.deposits.size(), 3u);
  EXPECT_EQ(f.deposited(), usd(1800));
  EXPECT_EQ(f.traders.topups(), 2u);
}

TEST(LeveragedTraders, AlertInsideTheCooldownIsSilencedUntilItEnds) {
  TopUpFixture f;
  f.ctx.set_mark(MarketId(0), px(90.5));
  f.traders.on_alert(f.ctx, 0);
  const Time first = f.ctx.now();
  const size_t alerts_before = f.ctx.alerts.size();
  f.ctx.advance_to(first + seconds(10));
  f.ctx.set_mark(MarketId(0), px(85));  // still below the trigger
  f.traders.on_alert(f.ctx, 0);
  EXPECT_EQ(f.ctx.deposits.size(), 2u) << "no second top-up inside the cool-down";
  ASSERT_EQ(f.ctx.alerts.size(), alerts_before + 1);
  EXPECT_EQ(f.ctx.alerts.back().account, f.account);
  EXPECT_EQ(f.ctx.alerts.back().multiple, std::nullopt);
  ASSERT_EQ(f.ctx.pending_wakes(), 1u);
  const FakeContext::Wake w = f.ctx.pending()[0];
  EXPECT_EQ(w.at, first + seconds(60));
  EXPECT_EQ(w.target, 0u);
  EXPECT_EQ(w.arg, LeveragedTraders::kAlertReady);
}

TEST(LeveragedTraders, AlertIsReenabledAndTopUpResumesAfterTheCooldown) {
  TopUpFixture f;
  f.ctx.set_mark(MarketId(0), px(90.5));
  f.traders.on_alert(f.ctx, 0);
  f.ctx.advance_to(f.ctx.now() + seconds(10));
  f.ctx.set_mark(MarketId(0), px(85));
  f.traders.on_alert(f.ctx, 0);
  const auto w = f.ctx.pop_wake();
  ASSERT_TRUE(w.has_value());
  f.traders.on_wake(f.ctx, w->target, w->arg);
  ASSERT_FALSE(f.ctx.alerts.empty());
  EXPECT_EQ(f.ctx.alerts.back().account, f.account);
  EXPECT_EQ(f.ctx.alerts.back().multiple, rate(2.0));
  f.traders.on_alert(f.ctx, 0);  // balance -8500 $ at 85: equity 0 < 2 x 42.5 $
  ASSERT_EQ(f.ctx.deposits.size(), 3u);
  EXPECT_EQ(f.ctx.deposits[2].amount, usd(300));
  EXPECT_EQ(f.ctx.deposits[2].at, w->at);
}

}  // namespace
}  // namespace liqsim
