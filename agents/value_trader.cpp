#include "agents/value_trader.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace liqsim {

ValueTraders::ValueTraders(ValueTraderParams params, std::vector<AccountId> accounts,
                           std::vector<MarketId> markets, std::vector<std::vector<VenueId>> venues,
                           Quantity endowment, uint64_t master_seed)
    : params_(params), endowment_(endowment) {
  LIQSIM_CHECK(accounts.size() == markets.size() && markets.size() == venues.size(),
               "one market and venue list per value trader");
  for (uint32_t i = 0; i < accounts.size(); ++i) {
    LIQSIM_CHECK(!venues[i].empty(), "a value trader needs a venue");
    members_.push_back(
        Member{accounts[i], markets[i], std::move(venues[i]), Rng(master_seed, StreamKind::ValueTrader, i)});
    members_.back().peak = params_.capital;
  }
}

void ValueTraders::start(AgentContext& ctx) {
  for (uint32_t i = 0; i < members_.size(); ++i) {
    Member& mb = members_[i];
    mb.error = params_.noise_stdev * mb.rng.normal();  // from the stationary distribution
    mb.last = ctx.now();
    ctx.wake(ctx.now() + time_from_seconds(mb.rng.exponential(1.0 / to_seconds(params_.mean_interval))), i,
             0);
  }
}

void ValueTraders::on_wake(AgentContext& ctx, uint32_t i, int64_t) {
  Member& mb = members_[i];
  decide(ctx, mb);
  ctx.wake(ctx.now() + time_from_seconds(mb.rng.exponential(1.0 / to_seconds(params_.mean_interval))), i, 0);
}

double ValueTraders::spot_inventory(AgentContext& ctx, const Member& mb) const {
  for (const VenueId v : mb.venues) {
    const VenueInfo& info = ctx.venue(v);
    // Every spot venue of the market trades the same asset: the first one tells the holdings.
    if (info.kind == VenueKind::Spot)
      return to_double(
          Quantity(ctx.clearing().ledger().balance(mb.account, info.base).raw() - endowment_.raw()));
  }
  return 0;
}

double ValueTraders::inventory(AgentContext& ctx, uint32_t i) const {
  const Member& mb = members_[i];
  return to_double(ctx.clearing().ledger().position(mb.account, mb.market).size) + spot_inventory(ctx, mb);
}

void ValueTraders::decide(AgentContext& ctx, Member& mb) {
  const Time now = ctx.now();
  // Exact AR(1) step of the Ornstein-Uhlenbeck error over the time since the last decision.
  const double rho = std::exp2(-to_seconds(now - *mb.last) / to_seconds(params_.noise_half_life));
  mb.error =
      mb.error * rho + params_.noise_stdev * std::sqrt(std::max(0.0, 1.0 - rho * rho)) * mb.rng.normal();
  mb.last = now;
  const VenueId venue = mb.venues[mb.rng.uniform_below(mb.venues.size())];
  const OrderBook& book = ctx.book_at(venue);
  const auto bid = book.best_bid();
  const auto ask = book.best_ask();
  const double value = to_double(ctx.view(mb.market).fundamental) * std::exp(mb.error);
  const double inv = inventory(ctx, uint32_t(&mb - members_.data()));
  if (params_.max_drawdown > 0) {
    const auto mid = book.mid();
    if (check_patience(ctx, mb, mid ? to_double(*mid) : value)) {
      unwind(ctx, mb, venue, inv);
      return;
    }
  }
  const double limit = to_double(params_.max_position);
  // Buy when the ask is below value, sell when the bid is above it, toward the target position.
  Side side;
  double price_limit, target;
  if (ask && std::log(value / to_double(*ask)) > params_.threshold) {
    side = Side::Buy;
    target = std::min(limit, params_.aggression * std::log(value / to_double(*ask)));
    price_limit = value * (1.0 - params_.threshold);
    if (target <= inv) return;
  } else if (bid && std::log(to_double(*bid) / value) > params_.threshold) {
    side = Side::Sell;
    target = std::max(-limit, -params_.aggression * std::log(to_double(*bid) / value));
    price_limit = value * (1.0 + params_.threshold);
    if (target >= inv) return;
  } else {
    return;
  }
  const double coins = std::min(std::fabs(target - inv), to_double(params_.max_order));
  const Quantity quantity = quantity_from_double(coins);
  const auto raw = try_price_from_double(price_limit);
  if (quantity.raw() <= 0 || !raw || raw->raw() <= 0 || raw->raw() >= kMaxModelPriceRaw) return;
  const Price tick = ctx.venue(venue).tick;
  const Price limit_price = side == Side::Buy ? round_down_to_tick(*raw, tick) : round_up_to_tick(*raw, tick);
  if (limit_price.raw() <= 0) return;
  // Spot sales are bounded by the coins held (no short selling of the asset).
  Quantity q = quantity;
  if (side == Side::Sell && ctx.venue(venue).kind == VenueKind::Spot) {
    q = std::min(q, Quantity(ctx.clearing().ledger().balance(mb.account, ctx.venue(venue).base).raw()));
    if (q.raw() <= 0) return;
  }
  ctx.submit_at(venue,
                OrderRequest{mb.account, side, OrderType::ImmediateOrCancel, limit_price, q, false, -1});
}

bool ValueTraders::check_patience(AgentContext& ctx, Member& mb, double mid) {
  const Time now = ctx.now();
  const double wealth = to_double(ctx.clearing().equity(mb.account)) + spot_inventory(ctx, mb) * mid;
  if (mb.paused_until && now >= *mb.paused_until) {
    mb.paused_until.reset();
    mb.peak = wealth;
  }
  if (mb.paused_until) return true;
  mb.peak = std::max(mb.peak, wealth);
  if (mb.peak - wealth <= params_.max_drawdown * params_.capital) return false;
  mb.paused_until = now + params_.patience;
  ++mb.capitulations;
  return true;
}

void ValueTraders::unwind(AgentContext& ctx, Member& mb, VenueId venue, double inventory) {
  const OrderBook& book = ctx.book_at(venue);
  const VenueInfo& info = ctx.venue(venue);
  const bool sell = inventory > 0;
  const auto touch = sell ? book.best_bid() : book.best_ask();
  Quantity q = quantity_from_double(std::min(std::fabs(inventory), to_double(params_.max_order)));
  if (!touch || q.raw() <= 0) return;
  // A capitulation takes what the book offers within 2 % of the touch.
  const Price limit = sell
                          ? round_down_to_tick(apply(*touch, ratio_from_double(0.98), Round::Down), info.tick)
                          : round_up_to_tick(apply(*touch, ratio_from_double(1.02), Round::Up), info.tick);
  if (limit.raw() <= 0) return;
  if (sell && info.kind == VenueKind::Spot) {
    q = std::min(q, Quantity(ctx.clearing().ledger().balance(mb.account, info.base).raw()));
    if (q.raw() <= 0) return;
  }
  ctx.submit_at(venue, OrderRequest{mb.account, sell ? Side::Sell : Side::Buy, OrderType::ImmediateOrCancel,
                                    limit, q, false, -1});
}

}  // namespace liqsim
