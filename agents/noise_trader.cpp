#include "agents/noise_trader.h"

#include <algorithm>

namespace liqsim {

NoiseTraders::NoiseTraders(NoiseTraderParams params, std::vector<AccountId> accounts, uint64_t master_seed)
    : params_(params) {
  traders_.reserve(accounts.size());
  for (uint32_t i = 0; i < accounts.size(); ++i)
    traders_.push_back(Trader{accounts[i], Rng(master_seed, StreamKind::NoiseTrader, i), {}});
}

size_t NoiseTraders::resting_orders() const {
  size_t n = 0;
  for (const auto& t : traders_) n += t.resting.size();
  return n;
}

void NoiseTraders::start(AgentContext& ctx) {
  for (uint32_t i = 0; i < traders_.size(); ++i) schedule_next(ctx, i);
}

void NoiseTraders::schedule_next(AgentContext& ctx, uint32_t i) {
  Trader& t = traders_[i];
  const double rate =
      params_.limit_rate + params_.market_rate + params_.cancel_rate * double(t.resting.size());
  if (rate <= 0) return;
  const double dt = t.rng.exponential(rate);
  ctx.wake(ctx.now() + Time(int64_t(dt * 1e9) + 1), i, 0);
}

void NoiseTraders::on_wake(AgentContext& ctx, uint32_t i, int64_t) {
  Trader& t = traders_[i];
  // Forget orders filled by others, every 16th wake-up (the cancel rate counts a few filled orders in
  // between; a cancel that finds its order gone just drops it).
  // A long list (a high limit rate with a low cancel rate) is pruned only once it has doubled since
  // the last pruning, so the cost stays amortised O(1) per wake-up instead of O(resting).
  if (++t.wakes % 16 == 0 && (t.resting.size() <= 1024 || t.resting.size() >= 2 * t.pruned_size)) {
    std::erase_if(t.resting, [&](const auto& r) { return !ctx.book(r.first).order(r.second).has_value(); });
    t.pruned_size = t.resting.size();
  }
  const double cancel_total = params_.cancel_rate * double(t.resting.size());
  const double total = params_.limit_rate + params_.market_rate + cancel_total;
  const double u = t.rng.uniform01() * total;
  const MarketId m =
      ctx.market_count() == 1 ? MarketId(0) : MarketId(t.rng.uniform_below(ctx.market_count()));
  if (u < cancel_total && !t.resting.empty()) {
    const size_t k = t.rng.uniform_below(t.resting.size());
    ctx.cancel(t.resting[k].first, t.resting[k].second);
    t.resting[k] = t.resting.back();
    t.resting.pop_back();
  } else {
    const bool buy = t.rng.bernoulli(0.5);
    const MarketView v = ctx.view(m);
    OrderRequest order;
    order.owner = t.account;
    order.side = buy ? Side::Buy : Side::Sell;
    order.quantity = params_.order_size;
    // Finite capital (drawn orders are checked after every draw, so the stream does not depend on it):
    // below twice its maintenance margin a trader only reduces its position, and with no equity left
    // it sends nothing. Without this, a wiped-out account keeps trading on credit and is liquidated
    // again and again in a long fall.
    const auto affordable = [&] {
      const ClearingHouse& ch = ctx.clearing();
      const Amount equity = ch.equity(t.account);
      if (equity.raw() <= 0) return false;
      if (equity.raw() / 2 >= ch.maintenance(t.account).raw()) return true;
      const int64_t size = ch.ledger().position(t.account, m).size.raw();
      order.reduce_only = true;
      return buy ? size < 0 : size > 0;
    };
    if (u < cancel_total + params_.limit_rate) {
      // Uniform over the ticks beyond the opposite best quote (the mark when that side is empty).
      const Price anchor = buy ? v.best_ask.value_or(v.mark) : v.best_bid.value_or(v.mark);
      // Offsets beyond the anchor's own size (a sell above twice the anchor) are cut there: prices
      // and notionals stay in range for any tick and range (the draw itself is unchanged).
      const int64_t offset = std::min(t.rng.uniform_int(1, params_.price_range_ticks),
                                      std::max<int64_t>(1, anchor.raw() / v.tick.raw()));
      Price price = buy ? round_down_to_tick(anchor, v.tick) - v.tick * offset
                        : round_up_to_tick(anchor, v.tick) + v.tick * offset;
      if (price.raw() <= 0) price = v.tick;
      if (t.resting.size() >= kMaxOpenOrders) {
        std::erase_if(t.resting,
                      [&](const auto& r) { return !ctx.book(r.first).order(r.second).has_value(); });
        t.pruned_size = t.resting.size();
      }
      if (t.resting.size() < kMaxOpenOrders && affordable()) {
        order.type = OrderType::Limit;
        order.limit = price;
        const SubmitResult r = ctx.submit(m, order);
        if (r.accepted() && r.resting.raw() > 0) t.resting.emplace_back(m, r.id);
      }
    } else {
      order.type = OrderType::Market;
      if (affordable()) ctx.submit(m, order);
    }
  }
  schedule_next(ctx, i);
}

}  // namespace liqsim
