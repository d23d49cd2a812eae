#include "agents/market_maker.h"

#include <algorithm>
#include <cmath>

namespace liqsim {

namespace {
constexpr Quantity kMinHedge{100'000};  // 0.001 coin: smaller hedge adjustments wait
}

MarketMakers::MarketMakers(MarketMakerParams params, std::vector<AccountId> accounts, uint32_t markets,
                           uint64_t master_seed)
    : params_(params) {
  for (uint32_t i = 0; i < accounts.size(); ++i) {
    Maker mk{accounts[i], Rng(master_seed, StreamKind::MarketMaker, i), {}};
    mk.books.resize(markets);
    for (auto& q : mk.books) {
      q.bids.resize(params.levels);
      q.asks.resize(params.levels);
    }
    makers_.push_back(std::move(mk));
  }
}

void MarketMakers::start(AgentContext& ctx) {
  for (uint32_t i = 0; i < makers_.size(); ++i) {
    // Stagger the makers inside the first interval so they do not requote in lockstep.
    const Time offset = Time(int64_t(makers_[i].rng.uniform01() * double(params_.requote_interval.raw())));
    ctx.wake(ctx.now() + offset, i, 0);
  }
}

void MarketMakers::on_wake(AgentContext& ctx, uint32_t i, int64_t) {
  Maker& mk = makers_[i];
  for (MarketId m(0); m.raw() < mk.books.size(); ++m) requote(ctx, mk, m);
  ctx.wake(ctx.now() + params_.requote_interval, i, 0);
}

void MarketMakers::place(AgentContext& ctx, Maker& mk, MarketId m, std::optional<OrderId>& slot, Side side,
                         std::optional<Price> price) {
  if (slot && !ctx.book(m).order(*slot)) slot.reset();  // filled since the last requote
  if (!price) {
    if (slot) ctx.cancel(m, *slot);
    slot.reset();
    return;
  }
  if (slot) {
    const auto current = ctx.book(m).order(*slot);
    if (current->price == *price && current->remaining == params_.level_size[m.raw()]) return;
    ctx.cancel(m, *slot);
    slot.reset();
  }
  // A plain limit: a quote that crosses stale orders trades against them (the maker arbitrages the
  // book back to its fair value), the rest rests.
  OrderRequest order{mk.account, side, OrderType::Limit, *price, params_.level_size[m.raw()], false, kNoId};
  const SubmitResult r = ctx.submit(m, order);
  if (r.accepted() && r.resting.raw() > 0) slot = r.id;
}

double MarketMakers::hedge_on_spot(AgentContext& ctx, Maker& mk, MarketId m, double desired) {
  const std::vector<VenueId>& venues = params_.hedge_venues[m.raw()];
  const AssetId base = ctx.venue(venues.front()).base;
  const Ledger& ledger = ctx.clearing().ledger();
  const auto held = [&] { return to_double(Quantity(ledger.balance(mk.account, base).raw())); };
  const double hedge = to_double(params_.endowment[m.raw()]) - held();
  // A long position is hedged by selling coins; the hedge never sells more than the maker holds.
  const double delta = std::min(desired - hedge, held());
  const Quantity quantity = quantity_from_double(std::fabs(delta));
  if (quantity.raw() < kMinHedge.raw()) return hedge;
  const Side side = delta > 0 ? Side::Sell : Side::Buy;
  std::optional<VenueId> best;
  for (const VenueId v : venues) {
    const auto price = side == Side::Sell ? ctx.book_at(v).best_bid() : ctx.book_at(v).best_ask();
    if (!price) continue;
    const auto current =
        best ? (side == Side::Sell ? ctx.book_at(*best).best_bid() : ctx.book_at(*best).best_ask())
             : std::nullopt;
    if (!current || (side == Side::Sell ? *price > *current : *price < *current)) best = v;
  }
  if (!best) return hedge;
  const double index = to_double(ctx.view(m).index);
  const auto raw = try_price_from_double(
      index * (side == Side::Sell ? 1.0 - params_.hedge_max_slippage : 1.0 + params_.hedge_max_slippage));
  if (!raw || raw->raw() <= 0 || raw->raw() >= kMaxModelPriceRaw) return hedge;
  const Price tick = ctx.venue(*best).tick;
  const Price limit = side == Side::Sell ? round_up_to_tick(*raw, tick) : round_down_to_tick(*raw, tick);
  if (limit.raw() <= 0) return hedge;
  ctx.submit_at(*best,
                OrderRequest{mk.account, side, OrderType::ImmediateOrCancel, limit, quantity, false, -1});
  return to_double(params_.endowment[m.raw()]) - held();
}

// RMS of successive log returns in the window, per sqrt(second): drift counts as volatility, since a
// maker cannot tell a crash from noise in real time.
static double rms_vol(VolWindow& w, Time now, double sample, Time window) {
  constexpr double kUnits = 1e30;  // squared returns in units of 1e-30
  if (!w.samples.empty()) {
    const double r = sample - w.samples.back().second;
    const double squared = std::min(r * r * kUnits, 1e36);  // a log return above 1e3 is capped
    w.squared_returns.push_back(static_cast<__int128>(squared));
    w.sum += w.squared_returns.back();
  }
  w.samples.emplace_back(now, sample);
  while (!w.samples.empty() && w.samples.front().first < now - window) {
    w.samples.pop_front();
    if (!w.squared_returns.empty()) {
      w.sum -= w.squared_returns.front();
      w.squared_returns.pop_front();
    }
  }
  const double span = to_seconds(w.samples.back().first - w.samples.front().first);
  return span > 0 ? std::sqrt(double(w.sum) / kUnits / span) : 0.0;
}

void MarketMakers::requote(AgentContext& ctx, Maker& mk, MarketId m) {
  Quotes& q = mk.books[m.raw()];
  const MarketView v = ctx.view(m);
  const Time now = ctx.now();
  const auto mid = ctx.book(m).mid();
  q.vol = rms_vol(q.mid_log, now, std::log(to_double(mid.value_or(v.index))), params_.vol_window);
  q.index_vol = rms_vol(q.index_log, now, std::log(to_double(v.index)), params_.vol_window);
  q.pulled = q.index_vol > params_.stress_vol;

  const double position = to_double(ctx.clearing().ledger().position(mk.account, m).size);
  if (params_.hedge_half_life.raw() > 0) {
    // Exact exponential approach of the hedge to the position over the time since the last requote.
    const double dt = q.last_hedge ? to_seconds(now - *q.last_hedge) : 0.0;
    const double desired =
        q.hedge + (position - q.hedge) * (1.0 - std::exp2(-dt / to_seconds(params_.hedge_half_life)));
    q.hedge = m.raw() < params_.hedge_venues.size() && !params_.hedge_venues[m.raw()].empty()
                  ? hedge_on_spot(ctx, mk, m, desired)
                  : desired;
    q.last_hedge = now;
  }
  const double inventory = position - q.hedge;
  // Quotes far from the index (a large skew beyond max_inventory) are refused by the venue's price
  // band (experiments/simulation) or not placed when not representable.
  const double max_inventory = to_double(params_.max_inventory[m.raw()]);
  const double fair = to_double(v.index) * (1.0 - params_.inventory_skew * inventory / max_inventory);
  const double half = params_.half_spread + params_.vol_widening * std::max(q.vol, q.index_vol);
  const bool quote_bids = !q.pulled && inventory < max_inventory;
  const bool quote_asks = !q.pulled && inventory > -max_inventory;
  std::vector<std::optional<Price>> bids(params_.levels), asks(params_.levels);
  for (int k = 0; k < params_.levels; ++k) {
    const double offset = half + params_.level_spacing * k;
    // A quote whose price is not representable (an extreme skew or widening) is not placed.
    if (quote_bids) {
      if (const auto bid = try_price_from_double(fair * (1.0 - offset)))
        bids[k] = round_down_to_tick(*bid, v.tick);
    }
    if (quote_asks) {
      const auto ask = try_price_from_double(fair * (1.0 + offset));
      if (ask && ask->raw() > 0 && ask->raw() < kMaxModelPriceRaw) asks[k] = round_up_to_tick(*ask, v.tick);
    }
    if (bids[k] && bids[k]->raw() <= 0) bids[k].reset();
  }
  // Withdraw every quote that moves before placing any new one: otherwise, after a move larger than the
  // ladder, a new quote trades against the maker's own stale quotes (a wash trade that only pays fees
  // and prints a false last price).
  const auto withdraw_if_moved = [&](std::optional<OrderId>& slot, std::optional<Price> price) {
    if (!slot) return;
    const auto current = ctx.book(m).order(*slot);
    if (current && price && current->price == *price && current->remaining == params_.level_size[m.raw()])
      return;
    if (current) ctx.cancel(m, *slot);
    slot.reset();
  };
  for (int k = 0; k < params_.levels; ++k) {
    withdraw_if_moved(q.bids[k], bids[k]);
    withdraw_if_moved(q.asks[k], asks[k]);
  }
  for (int k = 0; k < params_.levels; ++k) {
    place(ctx, mk, m, q.bids[k], Side::Buy, bids[k]);
    place(ctx, mk, m, q.asks[k], Side::Sell, asks[k]);
  }
}

}  // namespace liqsim
