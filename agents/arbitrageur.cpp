#include "agents/arbitrageur.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace liqsim {

namespace {
constexpr int kMaxTradesPerDecision = 20;  // a decision ends sooner once no edge is left
}

Arbitrageurs::Arbitrageurs(ArbitrageurParams params, std::vector<AccountId> accounts,
                           std::vector<std::vector<VenueId>> venues, Quantity endowment, uint64_t master_seed)
    : params_(params), endowment_(endowment) {
  LIQSIM_CHECK(accounts.size() == venues.size(), "one venue list per arbitrageur");
  for (uint32_t i = 0; i < accounts.size(); ++i) {
    LIQSIM_CHECK(venues[i].size() >= 2, "arbitrage needs two venues");
    members_.push_back(
        Member{accounts[i], std::move(venues[i]), Rng(master_seed, StreamKind::Arbitrageur, i)});
  }
}

Time Arbitrageurs::next_delay(Member& mb) {
  return params_.interval + Time(int64_t(mb.rng.uniform01() * double(params_.latency_jitter.raw())));
}

void Arbitrageurs::start(AgentContext& ctx) {
  for (uint32_t i = 0; i < members_.size(); ++i) ctx.wake(ctx.now() + next_delay(members_[i]), i, 0);
}

void Arbitrageurs::on_wake(AgentContext& ctx, uint32_t i, int64_t) {
  Member& mb = members_[i];
  for (int k = 0; k < kMaxTradesPerDecision && trade_once(ctx, mb); ++k) {
  }
  ctx.wake(ctx.now() + next_delay(mb), i, 0);
}

double Arbitrageurs::room(AgentContext& ctx, const Member& mb, VenueId v, bool buy) const {
  const VenueInfo& info = ctx.venue(v);
  const Ledger& ledger = ctx.clearing().ledger();
  const double limit = to_double(params_.max_inventory);
  if (info.kind != VenueKind::Spot) {  // a perpetual book or the market's pool: the market's position
    const double position = to_double(ledger.position(mb.account, info.market).size);
    return buy ? limit - position : limit + position;
  }
  const double held = to_double(Quantity(ledger.balance(mb.account, info.base).raw()));
  const double inventory = held - to_double(endowment_);
  return buy ? limit - inventory : std::min(held, limit + inventory);
}

bool Arbitrageurs::trade_once(AgentContext& ctx, Member& mb) {
  // The best net bid and the best net ask over the member's venues (a pool's marginal prices carry its
  // fee already).
  std::optional<VenueId> sell_at, buy_at;
  double best_bid = 0, best_ask = 0;
  for (const VenueId v : mb.venues) {
    const AmmVenue* pool = ctx.pool_at(v);
    const VenueInfo& info = ctx.venue(v);
    const auto bid = pool ? pool->best_bid() : ctx.book_at(v).best_bid();
    const auto ask = pool ? pool->best_ask() : ctx.book_at(v).best_ask();
    if (bid) {
      const double net = to_double(*bid) * (1.0 - to_double(info.taker_fee));
      if (!sell_at || net > best_bid) sell_at = v, best_bid = net;
    }
    if (ask) {
      const double net = to_double(*ask) * (1.0 + to_double(info.taker_fee));
      if (!buy_at || net < best_ask) buy_at = v, best_ask = net;
    }
  }
  if (!sell_at || !buy_at || *sell_at == *buy_at || best_bid <= best_ask * (1.0 + params_.min_edge))
    return false;
  // A book leg takes its top level at its best price; a pool leg swaps until its marginal price meets the
  // other venue's net price less the edge (its limit).
  const AmmVenue* sell_pool = ctx.pool_at(*sell_at);
  const AmmVenue* buy_pool = ctx.pool_at(*buy_at);
  const double sell_floor = best_ask * (1.0 + params_.min_edge);  // a pool sold into stops here
  const double buy_cap = best_bid / (1.0 + params_.min_edge);     // a pool bought from stops here
  const Price bid =
      sell_pool ? Price(int64_t(std::ceil(sell_floor * kPriceScale))) : *ctx.book_at(*sell_at).best_bid();
  const Price ask =
      buy_pool ? Price(int64_t(std::floor(buy_cap * kPriceScale))) : *ctx.book_at(*buy_at).best_ask();
  const double sell_size = sell_pool ? sell_pool->quantity_to(Side::Sell, sell_floor)
                                     : to_double(ctx.book_at(*sell_at).quantity_at(Side::Buy, bid));
  const double buy_size = buy_pool ? buy_pool->quantity_to(Side::Buy, buy_cap)
                                   : to_double(ctx.book_at(*buy_at).quantity_at(Side::Sell, ask));
  const double size = std::min({sell_size, buy_size, to_double(params_.max_order),
                                room(ctx, mb, *buy_at, true), room(ctx, mb, *sell_at, false)});
  const Quantity quantity = quantity_from_double(size);
  if (quantity.raw() <= 0 || bid.raw() <= 0 || ask.raw() <= 0) return false;
  const SubmitResult bought = ctx.submit_at(
      *buy_at, OrderRequest{mb.account, Side::Buy, OrderType::ImmediateOrCancel, ask, quantity, false, -1});
  if (bought.filled.raw() <= 0) return false;
  ctx.submit_at(*sell_at, OrderRequest{mb.account, Side::Sell, OrderType::ImmediateOrCancel, bid,
                                       bought.filled, false, -1});
  ++mb.trades;
  return true;
}

}  // namespace liqsim
