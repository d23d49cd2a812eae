#include "experiments/options_venue.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "core/rng.h"

namespace liqsim {

namespace {

OptionQuoteParams quote_params(const OptionsSpec& o) {
  OptionQuoteParams p;
  p.vol_spread = o.vol_spread;
  p.level_vol_step = o.level_vol_step;
  p.levels = o.levels;
  p.level_contracts = o.level_contracts;
  p.min_half_spread = o.min_half_spread;
  p.stress_widen = o.stress_widen;
  p.stress_withdraw = o.stress_withdraw;
  p.min_depth = o.min_depth;
  p.inventory_skew = o.inventory_skew;
  p.inventory_limit = o.inventory_limit;
  return p;
}

enum class WriterStrategy { ShortPut, ShortCall, ShortStrangle, PutSpread };

// Contracts are held in hundredths (0.01 contract): a writer's size is rounded down to that grid.
constexpr int64_t kContractStep = kQuantityScale / 100;

}  // namespace

OptionsMarketParams options_market_params(const Scenario& s) {
  const OptionsSpec& o = s.options;
  OptionsMarketParams p;
  for (const OptionSliceSpec& x : o.slices)
    p.slices.push_back({x.days / 365.0, x.a, x.b, x.rho, x.m, x.sigma});
  p.dynamics = VolDynamics{o.dynamics, o.level_beta, o.skew_beta};
  const double f0 = s.markets[size_t(o.market)].initial_price;
  p.initial_underlying = price_from_double(f0);
  p.tick = price_from_double(o.tick);
  for (double days : o.expiries_days) {
    const Time expiry = time_from_seconds(days * 86400.0);
    for (double moneyness : o.strikes) {
      const Price strike = std::max(p.tick, round_down_to_tick(price_from_double(moneyness * f0), p.tick));
      p.series.push_back(OptionSeries{OptionType::Put, strike, expiry});
      p.series.push_back(OptionSeries{OptionType::Call, strike, expiry});
    }
  }
  p.pm_max_move = o.pm_max_move;
  p.pm_buckets = o.pm_buckets;
  p.vol_shock.range_up = o.pm_vol_range_up;
  p.vol_shock.range_down = o.pm_vol_range_down;
  p.short_option_minimum = o.short_option_minimum;
  p.liquidation_fee = ratio_from_double(o.liquidation_fee);
  p.liquidation_band = o.liquidation_band;
  p.trigger_margin = o.trigger_margin;
  p.liquidation_step = o.liquidation_step;
  return p;
}

OptionsVenue::OptionsVenue(const Scenario& s, ClearingHouse& ch, Recorder& recorder)
    : ch_(ch),
      recorder_(recorder),
      market_(options_market_params(s)),
      quote_(quote_params(s.options)),
      underlying_(MarketId(uint32_t(s.options.market))),
      requote_(time_from_seconds(s.options.requote_seconds)),
      refresh_(time_from_seconds(s.options.refresh_seconds)),
      stress_window_(time_from_seconds(s.options.stress_window_seconds)),
      hedge_(s.options.hedge),
      hedge_band_(s.options.hedge_band) {
  const OptionsSpec& o = s.options;
  for (int j = 0; j < o.makers; ++j) {
    const AccountId a =
        ch_.open_account(AgentRole::OptionMaker, MarginMode::Cross, amount_from_double(o.maker_capital));
    makers_.push_back(market_.add_member(a, false));
  }
  open_writers(s, Time(0));
  for (uint32_t m : makers_) maker_start_.push_back(market_.member(m).contracts);
  quotes_.assign(makers_.size(), std::vector<std::vector<OrderId>>(market_.series_count()));
  for (uint32_t w : writers_) market_.refresh_band(ch_.ledger(), w, Time(0));
  // The makers' hedges of the opening trades, booked at the initial price against the backstop_vault
  // place (docs/ARCHITECTURE.md, "Positions open at time 0").
  if (hedge_) {
    const AccountId vault = place_account(Place::BackstopVault);
    const Price p0 = market_.params().initial_underlying;
    for (size_t j = 0; j < makers_.size(); ++j) {
      const Quantity q = quantity_from_double(-maker_delta(j, Time(0)));
      if (q.raw() == 0) continue;
      const AccountId a = market_.member(makers_[j]).account;
      const Amount cash = notional(p0, abs_quantity(q), Round::Down);
      if (q.raw() > 0)
        ch_.ledger().trade(a, vault, underlying_, q, cash);
      else
        ch_.ledger().trade(vault, a, underlying_, -q, cash);
      ch_.arm(a);
    }
  }
}

double OptionsVenue::maker_delta(size_t j, Time now) const {
  const OptionMember& maker = market_.member(makers_[j]);
  double delta = 0.0;
  for (uint32_t s = 0; s < market_.series_count(); ++s) {
    if (maker.contracts[s].raw() == 0) continue;
    const OptionSeries& os = market_.series(s);
    const double years = market_.years_to(os.expiry, now);
    if (years <= 0.0) continue;
    delta += to_double(maker.contracts[s]) *
             market_.surface().delta(os.type, market_.underlying(), to_double(os.strike), years);
  }
  return delta;
}

std::vector<HedgeOrder> OptionsVenue::hedges(Time now) const {
  std::vector<HedgeOrder> out;
  if (!hedge_) return out;
  for (size_t j = 0; j < makers_.size(); ++j) {
    const AccountId a = market_.member(makers_[j]).account;
    const double held = to_double(ch_.ledger().position(a, underlying_).size);
    const double difference = -maker_delta(j, now) - held;
    if (std::fabs(difference) <= hedge_band_) continue;
    const Quantity q = quantity_from_double(std::fabs(difference));
    if (q.raw() > 0) out.push_back(HedgeOrder{a, difference > 0 ? Side::Buy : Side::Sell, q});
  }
  return out;
}

void OptionsVenue::open_writers(const Scenario& s, Time now) {
  const OptionsSpec& o = s.options;
  const size_t strikes = o.strikes.size();
  // Strikes in increasing order, by index into o.strikes: puts below the money, calls above (at the money
  // when there is none on that side).
  std::vector<size_t> order(strikes);
  for (size_t k = 0; k < strikes; ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return o.strikes[a] < o.strikes[b]; });
  std::vector<size_t> puts, calls;
  for (size_t k : order) {
    if (o.strikes[k] < 1.0) puts.push_back(k);
    if (o.strikes[k] > 1.0) calls.push_back(k);
  }
  if (puts.empty()) puts.push_back(order.front());
  if (calls.empty()) calls.push_back(order.back());
  const auto series_of = [&](size_t expiry, size_t strike, OptionType type) {
    return uint32_t((expiry * strikes + strike) * 2 + (type == OptionType::Put ? 0 : 1));
  };
  double total_weight = 0.0;
  for (double w : o.strategy_weights) total_weight += w;

  Ledger& ledger = ch_.ledger();
  std::vector<Quantity> unit(market_.series_count(), Quantity(0));
  for (int i = 0; i < o.writers; ++i) {
    Rng rng(stream_seed(s.seed, StreamKind::OptionWriter, uint64_t(i)));
    const double capital =
        o.writer_capital * std::min(rng.lognormal(0.0, o.writer_capital_sigma), kOptionWriterCapitalCap);
    double u = rng.uniform01() * total_weight;
    size_t choice = 0;
    while (choice + 1 < o.strategy_weights.size() && u >= o.strategy_weights[choice])
      u -= o.strategy_weights[choice++];
    WriterStrategy strategy = WriterStrategy(choice);
    const size_t expiry = size_t(rng.uniform_below(o.expiries_days.size()));
    const size_t put_pick = size_t(rng.uniform_below(puts.size()));
    const size_t call = calls[size_t(rng.uniform_below(calls.size()))];
    const double usage = o.usage_min + (o.usage_max - o.usage_min) * rng.uniform01();
    if (strategy == WriterStrategy::PutSpread && put_pick == 0 && puts.size() < 2)
      strategy = WriterStrategy::ShortPut;

    // One unit of the strategy (one contract per leg), then the size that makes its requirement
    // usage x capital.
    std::fill(unit.begin(), unit.end(), Quantity(0));
    const Quantity one(kQuantityScale);
    switch (strategy) {
      case WriterStrategy::ShortPut:
        unit[series_of(expiry, puts[put_pick], OptionType::Put)] = -one;
        break;
      case WriterStrategy::ShortCall:
        unit[series_of(expiry, call, OptionType::Call)] = -one;
        break;
      case WriterStrategy::ShortStrangle:
        unit[series_of(expiry, puts[put_pick], OptionType::Put)] = -one;
        unit[series_of(expiry, call, OptionType::Call)] = -one;
        break;
      case WriterStrategy::PutSpread: {
        const size_t upper = std::max<size_t>(put_pick, 1);
        unit[series_of(expiry, puts[upper], OptionType::Put)] = -one;
        unit[series_of(expiry, puts[upper - 1], OptionType::Put)] = one;
        break;
      }
    }
    const double unit_requirement =
        market_.requirement_of(unit, market_.underlying(), market_.surface(), now);
    const double size = unit_requirement > 0.0 ? usage * capital / unit_requirement : 0.0;
    const int64_t steps = int64_t(std::floor(std::min(size, 1e6) * 100.0));
    const AccountId a =
        ch_.open_account(AgentRole::OptionWriter, MarginMode::Cross, amount_from_double(capital));
    const uint32_t w = market_.add_member(a, true);
    writers_.push_back(w);
    if (steps <= 0) continue;
    const uint32_t maker = makers_[size_t(i) % makers_.size()];
    for (uint32_t series = 0; series < unit.size(); ++series) {
      if (unit[series].raw() == 0) continue;
      const Quantity contracts(steps * kContractStep);
      if (unit[series].raw() < 0)
        market_.trade_at_mark(ledger, maker, w, series, contracts, now, recorder_);
      else
        market_.trade_at_mark(ledger, w, maker, series, contracts, now, recorder_);
    }
  }
}

void OptionsVenue::on_underlying(Price mark, Time now) {
  market_.set_underlying(mark);
  market_.due_checks(due_);
  for (uint32_t member : due_) market_.check(ch_.ledger(), member, now, recorder_);
}

void OptionsVenue::requote(Time now) {
  const double f = market_.underlying();
  recent_.emplace_back(now, f);
  while (recent_.size() > 1 && recent_.front().first < now - stress_window_) recent_.pop_front();
  const double recent_move = std::fabs(std::log(f / recent_.front().second));
  for (size_t j = 0; j < makers_.size(); ++j) {
    const OptionMember& maker = market_.member(makers_[j]);
    for (uint32_t s = 0; s < market_.series_count(); ++s) {
      OrderBook& book = market_.book(s);
      for (OrderId id : quotes_[j][s]) book.cancel(id);
      quotes_[j][s].clear();
      const OptionSeries& os = market_.series(s);
      const double years = market_.years_to(os.expiry, now);
      const double inventory = to_double(maker.contracts[s] - maker_start_[j][s]);
      for (const OptionQuote& q : option_quotes(quote_, market_.surface(), os.type, f, to_double(os.strike),
                                                years, recent_move, inventory)) {
        const auto price = try_price_from_double(q.price);
        if (!price) continue;
        const Price tick = market_.params().tick;
        const Price limit = q.bid ? round_down_to_tick(*price, tick) : round_up_to_tick(*price, tick);
        const Quantity size = quantity_from_double(q.contracts);
        if (limit.raw() <= 0 || size.raw() <= 0) continue;
        OrderRequest order;
        order.owner = maker.account;
        order.side = q.bid ? Side::Buy : Side::Sell;
        order.type = OrderType::PostOnly;
        order.limit = limit;
        order.quantity = size;
        const SubmitResult r = book.submit(order);
        LIQSIM_CHECK(r.fills.empty(), "a post-only quote filled");
        if (r.accepted() && r.resting.raw() > 0) quotes_[j][s].push_back(r.id);
      }
    }
  }
}

void OptionsVenue::refresh(Time now) {
  for (uint32_t w : writers_) market_.refresh_band(ch_.ledger(), w, now);
}

}  // namespace liqsim
