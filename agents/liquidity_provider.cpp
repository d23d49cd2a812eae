#include "agents/liquidity_provider.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace liqsim {

LadderShape ladder_shape(const LiquidityParams& p, int providers) {
  LIQSIM_CHECK(p.levels >= 1 && providers >= 1 && p.min_distance > 0 && p.max_distance > p.min_distance,
               "ladder shape needs levels, providers and min_distance < max_distance");
  LadderShape shape;
  const auto cumulative = [&](double d) { return p.depth_at_1pct * std::pow(d / 0.01, p.depth_exponent); };
  double below = 0;
  for (int k = 0; k < p.levels; ++k) {
    const double d = p.levels == 1 ? p.min_distance
                                   : p.min_distance * std::pow(p.max_distance / p.min_distance,
                                                               double(k) / double(p.levels - 1));
    const double total = cumulative(d);
    shape.distance.push_back(d);
    shape.quantity.push_back((total - below) / providers);
    below = total;
  }
  return shape;
}

LiquidityProviders::LiquidityProviders(LiquidityParams params, std::vector<AccountId> accounts,
                                       std::vector<VenueId> venues, std::vector<Quantity> endowment,
                                       int providers_per_venue, uint64_t master_seed)
    : params_(params), shape_(ladder_shape(params, std::max(1, providers_per_venue))) {
  LIQSIM_CHECK(accounts.size() == venues.size() && venues.size() == endowment.size(),
               "one venue and endowment per provider");
  for (uint32_t i = 0; i < accounts.size(); ++i) {
    Member mb{accounts[i], venues[i], endowment[i], Rng(master_seed, StreamKind::LiquidityProvider, i),
              {},          {}};
    mb.bids.resize(size_t(params_.levels));
    mb.asks.resize(size_t(params_.levels));
    members_.push_back(std::move(mb));
  }
}

void LiquidityProviders::start(AgentContext& ctx) {
  for (uint32_t i = 0; i < members_.size(); ++i) {
    Member& mb = members_[i];
    mb.anchor = to_double(ctx.view(ctx.venue(mb.venue).market).index);
    refresh(ctx, mb);
    // Later refreshes are staggered inside the first interval, so providers do not move in lockstep.
    const Time offset = Time(int64_t(mb.rng.uniform01() * double(params_.refresh.raw())));
    ctx.wake(ctx.now() + offset + Time(1), i, 0);
  }
}

void LiquidityProviders::on_wake(AgentContext& ctx, uint32_t i, int64_t) {
  refresh(ctx, members_[i]);
  ctx.wake(ctx.now() + params_.refresh, i, 0);
}

void LiquidityProviders::refresh(AgentContext& ctx, Member& mb) {
  const VenueInfo& info = ctx.venue(mb.venue);
  const OrderBook& book = ctx.book_at(mb.venue);
  const Time now = ctx.now();
  const double dt = mb.last ? to_seconds(now - *mb.last) : 0.0;
  mb.last = now;
  // The anchor follows the mid (the last trade while a side is empty).
  std::optional<double> observed;
  if (const auto mid = book.mid()) {
    observed = to_double(*mid);
    if (mb.last_mid > 0 && dt > 0) {
      const double r = std::log(*observed / mb.last_mid);
      const double keep = std::exp2(-dt / to_seconds(params_.vol_half_life));
      mb.variance = mb.variance * keep + (1.0 - keep) * r * r / dt;
    }
    mb.last_mid = *observed;
  } else if (const auto bid = book.best_bid()) {
    observed = std::max(mb.anchor, to_double(*bid));
  } else if (const auto ask = book.best_ask()) {
    observed = std::min(mb.anchor, to_double(*ask));
  }
  if (observed) {
    const double keep =
        params_.anchor_half_life.raw() > 0 ? std::exp2(-dt / to_seconds(params_.anchor_half_life)) : 0.0;
    mb.anchor = *observed + (mb.anchor - *observed) * keep;
  }
  const Ledger& ledger = ctx.clearing().ledger();
  mb.inventory = info.kind == VenueKind::Spot
                     ? to_double(Quantity(ledger.balance(mb.account, info.base).raw() - mb.endowment.raw()))
                     : to_double(ledger.position(mb.account, info.market).size);
  const double limit = to_double(params_.max_inventory);
  const double centre =
      mb.anchor * (1.0 - params_.inventory_skew * std::clamp(mb.inventory / limit, -1.0, 1.0));
  const bool recentre = mb.placed_anchor <= 0 ||
                        std::fabs(centre - mb.placed_anchor) > 0.5 * shape_.distance[0] * mb.placed_anchor;
  if (recentre) mb.placed_anchor = centre;
  mb.stressed = params_.stress_vol > 0 && mb.variance > params_.stress_vol * params_.stress_vol;
  const double scale = mb.stressed ? params_.stress_depth : 1.0;
  refill_side(ctx, mb, mb.bids, Side::Buy, mb.inventory < limit, recentre, scale);
  refill_side(ctx, mb, mb.asks, Side::Sell, mb.inventory > -limit, recentre, scale);
}

void LiquidityProviders::refill_side(AgentContext& ctx, Member& mb, std::vector<Level>& side, Side s,
                                     bool quote, bool recentre, double scale) {
  const OrderBook& book = ctx.book_at(mb.venue);
  const Price tick = ctx.venue(mb.venue).tick;
  const Time now = ctx.now();
  for (size_t k = 0; k < side.size(); ++k) {
    Level& level = side[k];
    std::optional<OrderView> resting;
    if (level.id) resting = book.order(*level.id);
    if (!resting) level.id.reset();
    if (!quote) {
      if (level.id) ctx.cancel_at(mb.venue, *level.id);
      level.id.reset();
      continue;
    }
    const double target = shape_.quantity[k] * scale;
    const double remaining = resting ? to_double(resting->remaining) : 0.0;
    // Withdrawal: a level holding more than its (stress-reduced) target is cut back to it now. Without
    // stress no level exceeds its target (each is placed at most full).
    const bool excess = resting && remaining > 1.05 * target;
    // A full level has nothing to refill: its refill clock restarts at every refresh that finds it full,
    // so depth consumed later refills from then, not from the level's (possibly old) placement. Unless
    // the ladder is recentred it stays as it is (the common case, so skipped before any arithmetic).
    if (!excess && resting && resting->remaining >= quantity_from_double(target)) {
      level.placed = now;
      if (!recentre) continue;
    }
    // A level placed for the first time starts full; a consumed one refills from its last placement.
    const double keep = std::exp2(-to_seconds(now - level.placed) / to_seconds(params_.refill_half_life));
    const double wanted = excess || !level.price.raw() ? target : target - (target - remaining) * keep;
    Price price = level.price;
    if (recentre || !level.price.raw()) {
      const double d = shape_.distance[k];
      const auto raw = try_price_from_double(mb.placed_anchor * (s == Side::Buy ? 1.0 - d : 1.0 + d));
      if (!raw || raw->raw() <= 0 || raw->raw() >= kMaxModelPriceRaw) continue;
      price = s == Side::Buy ? round_down_to_tick(*raw, tick) : round_up_to_tick(*raw, tick);
      if (price.raw() <= 0) continue;
    }
    const bool moved = price != level.price;
    // Small top-ups are left for later: an order message only when the level moved or refilled by at
    // least a twentieth of its target.
    if (!moved && resting && !excess && wanted - remaining < 0.05 * target) continue;
    const Quantity quantity = quantity_from_double(wanted);
    if (quantity.raw() <= 0 && !excess) continue;
    if (level.id) ctx.cancel_at(mb.venue, *level.id);
    level.id.reset();
    level.placed = now;
    if (quantity.raw() <= 0) continue;  // withdrawn whole (stress_depth 0)
    level.price = price;
    const OrderRequest order{mb.account, s, OrderType::Limit, price, quantity, false, -1};
    const SubmitResult r = ctx.submit_at(mb.venue, order);
    if (r.accepted() && r.resting.raw() > 0) level.id = r.id;
  }
}

}  // namespace liqsim
