#include "agents/leveraged_trader.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace liqsim {

double DistributionParams::draw(Rng& rng) const {
  double x = mean;
  switch (kind) {
    case Kind::Fixed:
      return mean;
    case Kind::Uniform:
      return min + (max - min) * rng.uniform01();
    case Kind::LogNormal: {
      // Parameterised by the distribution's own mean and stdev.
      const double s2 = std::log(1.0 + (stdev * stdev) / (mean * mean));
      x = rng.lognormal(std::log(mean) - 0.5 * s2, std::sqrt(s2));
      break;
    }
  }
  return std::clamp(x, min, max);
}

LeveragedTraders::LeveragedTraders(LeveragedTraderParams params, std::vector<AccountId> accounts,
                                   std::vector<MarketId> markets, std::vector<uint8_t> spread,
                                   uint64_t master_seed)
    : params_(params),
      accounts_(std::move(accounts)),
      markets_(std::move(markets)),
      spread_(std::move(spread)) {
  const size_t n = accounts_.size();
  entry_time_.resize(n);
  leverage_.resize(n);
  margin_.resize(n);
  outside_left_.resize(n);
  last_topup_.assign(n, Time(-1));
  is_long_.resize(n);
  stop_distance_.assign(n, 0.0f);
  take_distance_.assign(n, 0.0f);
  version_.assign(n, 0);
  reentries_left_.assign(n, 0);
  master_seed_ = master_seed;
  uint32_t market_slots = 1;
  for (const MarketId m : markets_) market_slots = std::max(market_slots, m.raw() + 1);
  exits_.resize(std::max<size_t>(market_slots, params_.lookback_vol_per_year.size()));
  for (uint32_t i = 0; i < n; ++i) {
    Rng rng(master_seed, StreamKind::LeveragedTrader, i);
    const double span = double((params_.entry_end - params_.entry_start).raw());
    entry_time_[i] = params_.entry_start + Time(int64_t(rng.uniform01() * span));
    leverage_[i] = float(params_.leverage.draw(rng));
    margin_[i] = amount_from_double(params_.margin.draw(rng));
    is_long_[i] = rng.bernoulli(params_.long_fraction) ? 1 : 0;
    outside_left_[i] = amount_from_double(to_double(margin_[i]) * params_.outside_capital);
    // Voluntary rules are drawn after the entry's draws, so turning them on changes no entry.
    if (params_.stop_loss_probability > 0 && rng.bernoulli(params_.stop_loss_probability))
      stop_distance_[i] = float(params_.stop_loss.draw(rng));
    if (params_.take_profit_probability > 0 && rng.bernoulli(params_.take_profit_probability))
      take_distance_[i] = float(params_.take_profit.draw(rng));
    if (params_.deleverage_probability > 0 && rng.bernoulli(params_.deleverage_probability)) {
      const float drop = float(params_.deleverage_drop.draw(rng));
      MarketExits& e = exits_[markets_[i].raw()];
      (is_long_[i] ? e.long_drops : e.short_drops).emplace_back(drop, i);
    }
    reentries_left_[i] = uint16_t(std::clamp(params_.max_reentries, 0, 65535));
  }
  preemptive_.assign(n, 0);
  if (params_.preemptive_probability > 0) {
    // Their own stream: choosing who deleverages pre-emptively changes no other draw.
    for (uint32_t i = 0; i < n; ++i)
      preemptive_[i] =
          Rng(master_seed, StreamKind::PreemptiveTrader, i).bernoulli(params_.preemptive_probability) ? 1 : 0;
  }
  // Strategy 0 is the population's; the groups' members are the last traders.
  strategies_.push_back(
      {0, true, params_.risk_aversion, params_.preemptive_approach, params_.preemptive_fraction});
  size_t grouped = 0;
  for (const auto& g : params_.groups) grouped += g.count;
  LIQSIM_CHECK(grouped <= n, "more grouped traders than traders");
  size_t i = n - grouped;
  for (const auto& g : params_.groups) {
    strategies_.push_back(g);
    for (uint32_t k = 0; k < g.count; ++k, ++i)
      preemptive_[i] = g.preemptive ? uint16_t(strategies_.size()) : 0;  // its strategy s + 1
  }
  for (const uint16_t s : preemptive_) any_preemptive_ = any_preemptive_ || s != 0;
  preempt_.resize(exits_.size());
  for (MarketExits& e : exits_) {
    std::sort(e.long_drops.begin(), e.long_drops.end());
    std::sort(e.short_drops.begin(), e.short_drops.end());
  }
  entry_order_.resize(n);
  for (uint32_t i = 0; i < n; ++i) entry_order_[i] = i;
  std::sort(entry_order_.begin(), entry_order_.end(), [&](uint32_t a, uint32_t b) {
    return entry_time_[a] != entry_time_[b] ? entry_time_[a] < entry_time_[b] : a < b;
  });
}

bool LeveragedTraders::voluntary() const {
  return params_.stop_loss_probability > 0 || params_.take_profit_probability > 0 ||
         params_.deleverage_probability > 0 || any_preemptive_;
}

void LeveragedTraders::start(AgentContext& ctx) {
  if (exits_.size() < ctx.market_count()) exits_.resize(ctx.market_count());
  if (preempt_.size() < exits_.size()) preempt_.resize(exits_.size());
  if (params_.open_at_start) {
    // The opening book is already in the ledger: every trader has entered.
    entries_ = accounts_.size();
    next_entry_ = uint32_t(entry_order_.size());
    for (uint32_t i = 0; i < size(); ++i) arm_exits(ctx, i);
  } else if (!entry_order_.empty()) {
    // Entries are chained: only the next one is in the event queue at any time.
    ctx.wake(std::max(ctx.now(), entry_time_[entry_order_[0]]), entry_order_[0], kEntry);
  }
  if (voluntary() && size() > 0) ctx.wake(ctx.now() + params_.check_interval, 0, kCheck);
}

void LeveragedTraders::on_wake(AgentContext& ctx, uint32_t i, int64_t arg) {
  if (arg == kAlertReady) {
    if (outside_left_[i].raw() > 0) ctx.set_alert(accounts_[i], ratio_from_double(params_.topup_trigger));
    return;
  }
  if (arg == kCheck) {
    check(ctx);
    ctx.wake(ctx.now() + params_.check_interval, 0, kCheck);
    return;
  }
  if (arg == kReentry) {
    // Re-enters with what the account holds now (no new deposit), at its drawn leverage.
    const ClearingHouse& ch = ctx.clearing();
    if (ch.ledger().has_position(accounts_[i])) return;
    const Amount equity = ch.equity(accounts_[i]);
    if (equity.raw() <= 0) return;
    ++reentries_;
    open_position(ctx, i, markets_[i], to_double(equity));
    arm_exits(ctx, i);
    return;
  }
  ++next_entry_;
  if (next_entry_ < entry_order_.size()) {
    const uint32_t j = entry_order_[next_entry_];
    ctx.wake(std::max(ctx.now(), entry_time_[j]), j, kEntry);
  }
  ctx.deposit(accounts_[i], margin_[i]);
  if (spread_[i] && ctx.market_count() > 1) {
    for (MarketId m(0); m.raw() < ctx.market_count(); ++m)
      open_position(ctx, i, m, to_double(margin_[i]) / double(ctx.market_count()));
  } else {
    open_position(ctx, i, markets_[i], to_double(margin_[i]));
  }
  ++entries_;
  arm_exits(ctx, i);
}

void LeveragedTraders::open_position(AgentContext& ctx, uint32_t i, MarketId m, double margin) {
  const AccountId a = accounts_[i];
  const MarketView v = ctx.view(m);
  // Leverage is capped by the bracket's maximum (1 / initial rate) at the intended notional.
  double leverage = leverage_[i];
  const double intended = margin * leverage;
  const double max_leverage = 1.0 / to_double(ctx.clearing().margin_model(a, m).initial_rate(
                                        quantity_from_double(intended / to_double(v.mark)), v.mark));
  leverage = std::min(leverage, max_leverage);
  const double coins = margin * leverage / to_double(v.mark);
  if (!(coins < 1e10)) return;  // not representable as a Quantity (1e-8 coins): no entry (also NaN)
  const Quantity quantity = Quantity(int64_t(coins * 1e4) * (kQuantityScale / 10000));  // lots of 1e-4 coin
  if (quantity.raw() <= 0) return;
  const bool buy = is_long_[i] != 0;
  const double limit =
      to_double(v.mark) * (buy ? 1.0 + params_.entry_slippage : 1.0 - params_.entry_slippage);
  OrderRequest order;
  order.owner = a;
  order.side = buy ? Side::Buy : Side::Sell;
  order.type = OrderType::ImmediateOrCancel;
  const auto limit_price = try_price_from_double(limit);
  if (!limit_price) return;
  order.limit = buy ? round_down_to_tick(*limit_price, v.tick) : round_up_to_tick(*limit_price, v.tick);
  order.quantity = quantity;
  ctx.submit(m, order);
}

void LeveragedTraders::on_alert(AgentContext& ctx, uint32_t i) {
  if (params_.topup_trigger <= 0) return;
  const AccountId a = accounts_[i];
  const ClearingHouse& ch = ctx.clearing();
  if (outside_left_[i].raw() <= 0 || !ch.ledger().has_position(a) || ctx.frozen(a)) return;
  if (last_topup_[i].raw() >= 0 && ctx.now() - last_topup_[i] < params_.topup_cooldown) {
    // Silence the alert until the cool-down ends instead of hearing it at every mark update.
    ctx.set_alert(a, std::nullopt);
    ctx.wake(last_topup_[i] + params_.topup_cooldown, i, kAlertReady);
    return;
  }
  const double equity = to_double(ch.equity(a));
  const double mm = to_double(ch.maintenance(a));
  if (equity >= params_.topup_trigger * mm) return;
  Amount amount = amount_from_double(to_double(margin_[i]) * params_.topup_fraction);
  if (amount > outside_left_[i]) amount = outside_left_[i];
  outside_left_[i] -= amount;
  last_topup_[i] = ctx.now();
  ++topups_;
  if (outside_left_[i].raw() <= 0) ctx.set_alert(a, std::nullopt);  // nothing left to add
  ctx.deposit(a, amount);
}

// ---- Positions open at time 0 ----

namespace {

constexpr int kLookbackSteps = 2048;
constexpr int kAgeDraws = 32;
// Entity ids of the opening book's streams, beside the traders' own (ids below 2^32): each trader's
// ages, each market's look-back path.
constexpr uint64_t kAgeEntities = uint64_t(1) << 32;
constexpr uint64_t kPathEntities = uint64_t(2) << 32;

// Lots of 1e-4 coin, as orders are sized.
Quantity lots(double coins) { return Quantity(int64_t(coins * 1e4) * (kQuantityScale / 10000)); }

}  // namespace

std::vector<OpeningPosition> LeveragedTraders::opening_book(const ClearingHouse& ch) const {
  const uint32_t markets = ch.market_count();
  // Each market's look-back path, index 0 = now, k = k steps back, and its running extremes from now.
  struct Path {
    std::vector<double> price, low, high;
  };
  std::vector<Path> paths(markets);
  const double years = to_seconds(params_.lookback) / (365.0 * 86400.0);
  const double dt = years / kLookbackSteps;
  for (uint32_t m = 0; m < markets; ++m) {
    const double vol = m < params_.lookback_vol_per_year.size() ? params_.lookback_vol_per_year[m] : 0.0;
    const double drift =
        m < params_.lookback_drift_per_year.size() ? params_.lookback_drift_per_year[m] : 0.0;
    Rng rng(master_seed_, StreamKind::LeveragedTrader, kPathEntities + m);
    Path& p = paths[m];
    p.price.resize(kLookbackSteps + 1);
    p.price[0] = to_double(ch.mark(MarketId(m)));
    // Backward GBM: log P(t - dt) = log P(t) - (mu - sigma^2 / 2) dt - sigma sqrt(dt) Z.
    // Kept within kLookbackRange of the current price either way: entries below initial_price / 4 would
    // let positions hold more coins than validation bounds (it divides by that lowest entry), and no
    // market modelled here moved 4x in its look-back window.
    const double lo = p.price[0] / kLookbackRange, hi = p.price[0] * kLookbackRange;
    for (int k = 1; k <= kLookbackSteps; ++k)
      p.price[k] = std::clamp(
          p.price[k - 1] * std::exp(-(drift - 0.5 * vol * vol) * dt - vol * std::sqrt(dt) * rng.normal()), lo,
          hi);
    p.low = p.price;
    p.high = p.price;
    for (int k = 1; k <= kLookbackSteps; ++k) {
      p.low[k] = std::min(p.low[k - 1], p.price[k]);
      p.high[k] = std::max(p.high[k - 1], p.price[k]);
    }
  }
  std::vector<OpeningPosition> book;
  for (uint32_t i = 0; i < size(); ++i) {
    const bool spread = spread_[i] && markets > 1;
    const double share = spread ? 1.0 / double(markets) : 1.0;
    const bool is_long = is_long_[i] != 0;
    // The trader's age draws, from a stream of its own beside its entry's.
    Rng rng(master_seed_, StreamKind::LeveragedTrader, kAgeEntities + i);
    for (MarketId m(0); m.raw() < markets; ++m) {
      if (!spread && m != markets_[i]) continue;
      const Path& path = paths[m.raw()];
      const MarginModel& model = ch.margin_model(accounts_[i], m);
      const double margin = to_double(margin_[i]) * share;
      std::optional<OpeningPosition> chosen;
      for (int attempt = 0; attempt <= kAgeDraws && !chosen; ++attempt) {
        // The last attempt is age 0: an entry at the current mark always survives.
        const int k = attempt == kAgeDraws ? 0 : 1 + int(rng.uniform_below(kLookbackSteps));
        const auto entry = try_price_from_double(path.price[k]);
        if (!entry || entry->raw() <= 0) continue;
        const double intended = margin * leverage_[i];
        const double leverage = std::min(
            double(leverage_[i]),
            1.0 / to_double(model.initial_rate(quantity_from_double(intended / to_double(*entry)), *entry)));
        const double coins = margin * leverage / to_double(*entry);
        if (!(coins < 1e10)) continue;
        const Quantity q = lots(coins);
        if (q.raw() <= 0) continue;
        const Quantity size = is_long ? q : -q;
        const Amount cash = notional(*entry, q, Round::Down);
        // Liquidation price of the position as it stood at entry (equity = margin at the entry mark).
        const auto trigger = model.trigger(size, *entry, amount_from_double(margin));
        if (k > 0 && trigger) {
          const double liq = to_double(*trigger);
          if (is_long ? path.low[k] <= liq : path.high[k] >= liq) continue;  // already liquidated
        }
        chosen = OpeningPosition{i, m, size, *entry, cash, margin_[i]};
      }
      if (chosen) book.push_back(*chosen);
    }
  }
  return book;
}

// ---- Voluntary exits ----

void LeveragedTraders::arm_exits(AgentContext& ctx, uint32_t i) {
  ++version_[i];
  if (spread_[i] && ctx.market_count() > 1) return;  // the rules follow one market's position
  arm_preemptive(ctx, i);
  if (stop_distance_[i] <= 0 && take_distance_[i] <= 0) return;
  const MarketId m = markets_[i];
  const Position& pos = ctx.clearing().ledger().position(accounts_[i], m);
  if (pos.size.raw() == 0) return;
  const double entry = to_double(pos.open_notional) / to_double(pos.size);
  const bool is_long = pos.size.raw() > 0;
  MarketExits& e = exits_[m.raw()];
  const auto push = [&](double price, bool stop) {
    const auto p = try_price_from_double(price);
    if (!p || p->raw() <= 0) return;
    const bool below = is_long == stop;  // a long's stop and a short's take-profit fire below
    std::vector<Level>& heap = below ? e.below : e.above;
    heap.push_back(Level{p->raw(), i, version_[i], stop});
    if (below)
      std::push_heap(heap.begin(), heap.end(),
                     [](const Level& a, const Level& b) { return a.price < b.price; });
    else
      std::push_heap(heap.begin(), heap.end(),
                     [](const Level& a, const Level& b) { return a.price > b.price; });
  };
  const double sign = is_long ? 1.0 : -1.0;
  if (stop_distance_[i] > 0) push(entry * (1.0 - sign * stop_distance_[i]), true);
  if (take_distance_[i] > 0) push(entry * (1.0 + sign * take_distance_[i]), false);
}

bool LeveragedTraders::reduce(AgentContext& ctx, uint32_t i, double fraction) {
  const AccountId a = accounts_[i];
  const MarketId m = markets_[i];
  const Position& pos = ctx.clearing().ledger().position(a, m);
  if (pos.size.raw() == 0) return true;
  const bool is_long = pos.size.raw() > 0;
  const int64_t whole = std::abs(pos.size.raw());
  const int64_t part = fraction >= 1.0 ? whole : lots(to_double(Quantity(whole)) * fraction).raw();
  if (part <= 0) return false;
  const MarketView v = ctx.view(m);
  const double limit =
      to_double(v.mark) * (is_long ? 1.0 - params_.exit_slippage : 1.0 + params_.exit_slippage);
  const auto limit_price = try_price_from_double(limit);
  if (!limit_price || limit_price->raw() <= 0) return false;
  OrderRequest order;
  order.owner = a;
  order.side = is_long ? Side::Sell : Side::Buy;
  order.type = OrderType::ImmediateOrCancel;
  order.reduce_only = true;
  const Price rounded =
      is_long ? round_up_to_tick(*limit_price, v.tick) : round_down_to_tick(*limit_price, v.tick);
  if (rounded.raw() <= 0) return false;
  order.limit = rounded;
  order.quantity = Quantity(part);
  ctx.submit(m, order);
  return ctx.clearing().ledger().position(a, m).size.raw() == 0;
}

void LeveragedTraders::after_exit(AgentContext& ctx, uint32_t i) {
  ++version_[i];  // the position's other level is stale
  if (params_.reentry_delay.raw() <= 0 || reentries_left_[i] == 0) return;
  --reentries_left_[i];
  Rng rng(stream_seed(master_seed_, StreamKind::LeveragedTrader, i) + 1 + reentries_left_[i]);
  const double delay = rng.exponential(1.0 / to_seconds(params_.reentry_delay));
  ctx.wake(ctx.now() + time_from_seconds(std::min(delay, 3.2e7)), i, kReentry);
}

std::optional<double> LeveragedTraders::own_key(AgentContext& ctx, uint32_t i) const {
  const ClearingHouse& ch = ctx.clearing();
  const AccountId a = accounts_[i];
  const MarketId m = markets_[i];
  const Quantity size = ch.ledger().position(a, m).size;
  if (size.raw() == 0) return std::nullopt;
  if (params_.preemptive_rule == PreemptiveRule::ExpectedLoss) {
    // The price at which its equity would be zero, mark - equity / size: equity(p) = size x (p - that),
    // so it stays put while the mark moves (a top-up or a trade moves it).
    return to_double(ch.mark(m)) - to_double(ch.equity(a)) / to_double(size);
  }
  const auto trigger = ch.margin_model(a, m).trigger(size, ch.mark(m), ch.equity(a));
  if (!trigger) return std::nullopt;
  return to_double(*trigger);
}

namespace {
const auto kHigherFirst = [](const auto& a, const auto& b) { return a.price < b.price; };
const auto kLowerFirst = [](const auto& a, const auto& b) { return a.price > b.price; };
int64_t key_units(double key) { return int64_t(std::llround(key * 1e6)); }
}  // namespace

void LeveragedTraders::arm_preemptive(AgentContext& ctx, uint32_t i) {
  if (!preemptive_[i]) return;
  const auto key = own_key(ctx, i);
  if (!key) return;
  Preemptive& p = preempt_[markets_[i].raw()];
  if (p.heaps.size() < strategies_.size()) p.heaps.resize(strategies_.size());
  PreemptiveHeaps& heaps = p.heaps[preemptive_[i] - 1];
  const bool is_long = ctx.clearing().ledger().position(accounts_[i], markets_[i]).size.raw() > 0;
  std::vector<Level>& heap = is_long ? heaps.longs : heaps.shorts;
  heap.push_back(Level{key_units(*key), i, version_[i], false});
  if (is_long)
    std::push_heap(heap.begin(), heap.end(), kHigherFirst);
  else
    std::push_heap(heap.begin(), heap.end(), kLowerFirst);
}

void LeveragedTraders::check_preemptive(AgentContext& ctx, MarketId m) {
  Preemptive& p = preempt_[m.raw()];
  if (!p.heatmap) p.heatmap.emplace(params_.heatmap);
  const MarketView v = ctx.view(m);
  const double mark = to_double(v.mark);
  p.heatmap->observe(mark, to_double(v.open_interest));
  const OrderBook& book = ctx.book(m);
  const auto mid = book.mid();
  const double centre = mid ? to_double(*mid) : mark;
  const double band = params_.preemptive_depth_band;
  const bool by_loss = params_.preemptive_rule == PreemptiveRule::ExpectedLoss;
  for (size_t s = 0; s < p.heaps.size(); ++s) {
    const LeveragedTraderParams::Strategy& strategy = strategies_[s];
    for (const bool down : {true, false}) {
      std::vector<Level>& heap = down ? p.heaps[s].longs : p.heaps[s].shorts;
      if (heap.empty()) continue;
      const auto bound = try_price_from_double(centre * (down ? 1 - band : 1 + band));
      const double density =
          bound ? to_double(book.depth_within(down ? Side::Buy : Side::Sell, *bound)) / band : 0;
      // An empty side: any cascade runs to the estimate's bound.
      const auto cascade = p.heatmap->cascade(mark, down, std::max(density, 1e-9), strategy.approach,
                                              1.0 + strategy.risk_aversion);
      if (!cascade) continue;
      // Who acts: by liquidation price, those the cascade's end S reaches; by expected loss, those who would
      // lose max_loss of their equity at S: |size| |p - S| >= max_loss x equity(p), with equity(p) =
      // size x (p - z), z the zero-equity price: a long when z >= p + (S - p) / max_loss, a short when
      // z <= it.
      const double end = cascade->end;
      const int64_t reach = key_units(by_loss ? mark + (end - mark) / params_.preemptive_max_loss : end);
      const auto order = [&](const Level& a, const Level& b) {
        return down ? kHigherFirst(a, b) : kLowerFirst(a, b);
      };
      const auto reached = [&](int64_t key) { return down ? key >= reach : key <= reach; };
      std::vector<Level> later;  // acted on in this check, or moved: back into the heap afterwards
      while (!heap.empty() && reached(heap.front().price)) {
        std::pop_heap(heap.begin(), heap.end(), order);
        Level level = heap.back();
        heap.pop_back();
        const uint32_t i = level.trader;
        if (level.version != version_[i]) continue;  // closed or re-entered since
        const auto key = own_key(ctx, i);
        if (!key) continue;
        level.price = key_units(*key);
        if (reached(level.price)) {
          ++preemptive_exits_;
          if (reduce(ctx, i, strategy.fraction)) {
            after_exit(ctx, i);
            continue;
          }
          if (const auto after = own_key(ctx, i)) level.price = key_units(*after);
        }
        later.push_back(level);
      }
      for (const Level& level : later) {
        heap.push_back(level);
        std::push_heap(heap.begin(), heap.end(), order);
      }
    }
  }
}

void LeveragedTraders::check(AgentContext& ctx) {
  const Time now = ctx.now();
  for (MarketId m(0); m.raw() < std::min<size_t>(exits_.size(), ctx.market_count()); ++m) {
    if (any_preemptive_) check_preemptive(ctx, m);
    MarketExits& e = exits_[m.raw()];
    const int64_t mark = ctx.view(m).mark.raw();
    const auto fire = [&](const Level& level) {
      if (level.version != version_[level.trader]) return;
      if (!reduce(ctx, level.trader, 1.0)) return;  // not filled: the level is gone, the position stays
      (level.stop ? stop_losses_ : take_profits_) += 1;
      after_exit(ctx, level.trader);
    };
    const auto max_first = [](const Level& a, const Level& b) { return a.price < b.price; };
    const auto min_first = [](const Level& a, const Level& b) { return a.price > b.price; };
    while (!e.below.empty() && e.below.front().price >= mark) {
      std::pop_heap(e.below.begin(), e.below.end(), max_first);
      const Level level = e.below.back();
      e.below.pop_back();
      fire(level);
    }
    while (!e.above.empty() && e.above.front().price <= mark) {
      std::pop_heap(e.above.begin(), e.above.end(), min_first);
      const Level level = e.above.back();
      e.above.pop_back();
      fire(level);
    }
    if (e.long_drops.empty() && e.short_drops.empty()) continue;
    // The window's high and low marks (monotone deques over the marks of the checks).
    const Time from = now - params_.deleverage_window;
    const auto push = [&](std::vector<std::pair<Time, int64_t>>& q, size_t& head, bool keep_high) {
      while (q.size() > head && (keep_high ? q.back().second <= mark : q.back().second >= mark)) q.pop_back();
      q.emplace_back(now, mark);
      while (q[head].first < from) ++head;
      if (head > 1024 && head * 2 > q.size()) {
        q.erase(q.begin(), q.begin() + std::ptrdiff_t(head));
        head = 0;
      }
    };
    push(e.highs, e.high_head, true);
    push(e.lows, e.low_head, false);
    const double drawdown = 1.0 - double(mark) / double(e.highs[e.high_head].second);
    const double rise = double(mark) / double(e.lows[e.low_head].second) - 1.0;
    const auto delever = [&](std::vector<std::pair<float, uint32_t>>& drops, size_t& next, double move,
                             bool is_long) {
      while (next < drops.size() && double(drops[next].first) <= move) {
        const uint32_t i = drops[next++].second;
        const Quantity size = ctx.clearing().ledger().position(accounts_[i], m).size;
        if (size.raw() == 0 || (size.raw() > 0) != is_long) continue;
        ++deleverages_;
        if (reduce(ctx, i, params_.deleverage_reduce)) after_exit(ctx, i);
      }
    };
    delever(e.long_drops, e.next_long, drawdown, true);
    delever(e.short_drops, e.next_short, rise, false);
  }
}

}  // namespace liqsim
