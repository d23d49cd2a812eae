#include "agents/liquidation_hunter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/check.h"
#include "core/rng.h"

namespace liqsim {

LiquidationHunters::LiquidationHunters(std::vector<LiquidationHunterParams> groups,
                                       std::vector<uint32_t> group_of, std::vector<AccountId> accounts,
                                       LiquidationHeatmapParams heatmap, uint64_t master_seed)
    : groups_(std::move(groups)),
      group_of_(std::move(group_of)),
      accounts_(std::move(accounts)),
      state_(accounts_.size(), State::Idle),
      heatmap_params_(std::move(heatmap)),
      master_seed_(master_seed) {
  LIQSIM_CHECK(group_of_.size() == accounts_.size(), "one group per hunter");
  for (uint32_t g : group_of_) LIQSIM_CHECK(g < groups_.size(), "a hunter's group must exist");
}

LiquidationHeatmap& LiquidationHunters::heatmap(MarketId m) {
  if (heatmaps_.size() <= m.raw()) heatmaps_.resize(m.raw() + 1);
  if (!heatmaps_[m.raw()]) heatmaps_[m.raw()].emplace(heatmap_params_);
  return *heatmaps_[m.raw()];
}

void LiquidationHunters::start(AgentContext& ctx) {
  // First decisions spread over one interval, each hunter's offset from its own stream.
  for (uint32_t i = 0; i < size(); ++i) {
    Rng rng(master_seed_, StreamKind::Hunter, accounts_[i].raw());
    const double offset = to_seconds(params(i).interval) * (1.0 + rng.uniform01());
    ctx.wake(ctx.now() + time_from_seconds(offset), i, 0);
  }
}

void LiquidationHunters::on_wake(AgentContext& ctx, uint32_t i, int64_t) {
  switch (state_[i]) {
    case State::Holding:
      state_[i] = State::Covering;
      [[fallthrough]];
    case State::Covering:
      cover(ctx, i);
      return;
    case State::Resting:
      state_[i] = State::Idle;
      [[fallthrough]];
    case State::Idle:
      decide(ctx, i);
      return;
  }
}

void LiquidationHunters::decide(AgentContext& ctx, uint32_t i) {
  const LiquidationHunterParams& p = params(i);
  const MarketView v = ctx.view(p.market);
  heatmap(p.market).observe(to_double(v.mark), to_double(v.open_interest));
  if (p.max_position.raw() > 0 && !ctx.frozen(accounts_[i])) {
    if (p.hunt_longs && try_hunt(ctx, i, true)) return;
    if (p.hunt_shorts && try_hunt(ctx, i, false)) return;
  }
  ctx.wake(ctx.now() + p.interval, i, 0);
}

bool LiquidationHunters::try_hunt(AgentContext& ctx, uint32_t i, bool down) {
  const LiquidationHunterParams& p = params(i);
  const MarketId m = p.market;
  const OrderBook& book = ctx.book(m);
  const MarketView v = ctx.view(m);
  const double mark = to_double(v.mark);
  const auto mid = book.mid();
  const double centre = mid ? to_double(*mid) : mark;
  // Depth densities (coins per unit of relative move) of both sides near the mid.
  const auto density = [&](Side side) {
    const auto bound =
        try_price_from_double(centre * (side == Side::Buy ? 1 - p.depth_band : 1 + p.depth_band));
    return bound ? to_double(book.depth_within(side, *bound)) / p.depth_band : 0.0;
  };
  const Side hit = down ? Side::Buy : Side::Sell;  // the side the push trades against
  const double hit_density = density(hit), back_density = density(down ? Side::Sell : Side::Buy);
  if (hit_density <= 0 || back_density <= 0) return false;
  const auto cascade = heatmap(m).cascade(mark, down, hit_density, p.approach);
  if (!cascade) return false;
  const auto target = try_price_from_double(cascade->first);
  if (!target) return false;
  const Price limit = down ? round_down_to_tick(*target, v.tick) : round_up_to_tick(*target, v.tick);
  if (limit.raw() <= 0) return false;
  const Quantity push = book.depth_within(hit, limit);
  if (push.raw() <= 0 || push > p.max_position) return false;
  // The push's average price, walking the levels it takes.
  book.depth(hit, 4096, levels_);
  double coins = 0, cost = 0;
  size_t walked = 0;
  for (const auto& [price, quantity] : levels_) {
    if (down ? price < limit : price > limit) break;
    coins += to_double(quantity);
    cost += to_double(price) * to_double(quantity);
    ++walked;
  }
  if (coins <= 0) return false;
  // The push prints at the cluster only if the book reaches it: a sale that empties the book above the
  // level leaves the last trade (and any mark made of it) short of the cluster.
  const double reached = to_double(levels_[walked - 1].first);
  if (down ? reached > cascade->first * (1 + heatmap_params_.bucket)
           : reached < cascade->first * (1 - heatmap_params_.bucket))
    return false;
  const double average = cost / coins;
  // Covering the push into the other side after the cascade: half its own impact on average.
  const double sign = down ? 1.0 : -1.0;
  const double cover = cascade->end * (1.0 + sign * coins / (2.0 * back_density));
  const double edge = sign * (average - cover) / average - 2.0 * p.taker_fee;
  if (edge < p.min_edge) return false;
  OrderRequest order;
  order.owner = accounts_[i];
  order.side = down ? Side::Sell : Side::Buy;
  order.type = OrderType::ImmediateOrCancel;
  order.limit = limit;
  order.quantity = push;
  const SubmitResult r = ctx.submit(m, order);
  if (r.filled.raw() <= 0) return false;
  ++hunts_;
  state_[i] = State::Holding;
  ctx.wake(ctx.now() + p.hold, i, 0);
  return true;
}

void LiquidationHunters::cover(AgentContext& ctx, uint32_t i) {
  const LiquidationHunterParams& p = params(i);
  const MarketId m = p.market;
  const AccountId a = accounts_[i];
  const Quantity size = ctx.clearing().ledger().position(a, m).size;
  if (size.raw() != 0 && !ctx.frozen(a)) {
    const MarketView v = ctx.view(m);
    const bool buy = size.raw() < 0;
    const auto bound =
        try_price_from_double(to_double(v.mark) * (buy ? 1 + p.cover_slippage : 1 - p.cover_slippage));
    if (bound && bound->raw() > 0) {
      OrderRequest order;
      order.owner = a;
      order.side = buy ? Side::Buy : Side::Sell;
      order.type = OrderType::ImmediateOrCancel;
      order.limit = buy ? round_down_to_tick(*bound, v.tick) : round_up_to_tick(*bound, v.tick);
      order.quantity = Quantity(std::abs(size.raw()));
      order.reduce_only = true;
      if (order.limit->raw() > 0) ctx.submit(m, order);
    }
  }
  if (ctx.clearing().ledger().position(a, m).size.raw() == 0) {
    state_[i] = State::Resting;
    ctx.wake(ctx.now() + p.cooldown, i, 0);
  } else {
    ctx.wake(ctx.now() + p.interval, i, 0);
  }
}

}  // namespace liqsim
