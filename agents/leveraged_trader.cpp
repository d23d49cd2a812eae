#include "agents/leveraged_trader.h"

#include <algorithm>
#include <cmath>

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
  for (uint32_t i = 0; i < n; ++i) {
    Rng rng(master_seed, StreamKind::LeveragedTrader, i);
    const double span = double((params_.entry_end - params_.entry_start).raw());
    entry_time_[i] = params_.entry_start + Time(int64_t(rng.uniform01() * span));
    leverage_[i] = float(params_.leverage.draw(rng));
    margin_[i] = amount_from_double(params_.margin.draw(rng));
    is_long_[i] = rng.bernoulli(params_.long_fraction) ? 1 : 0;
    outside_left_[i] = amount_from_double(to_double(margin_[i]) * params_.outside_capital);
  }
  entry_order_.resize(n);
  for (uint32_t i = 0; i < n; ++i) entry_order_[i] = i;
  std::sort(entry_order_.begin(), entry_order_.end(), [&](uint32_t a, uint32_t b) {
    return entry_time_[a] != entry_time_[b] ? entry_time_[a] < entry_time_[b] : a < b;
  });
}

void LeveragedTraders::start(AgentContext& ctx) {
  // Entries are chained: only the next one is in the event queue at any time.
  if (!entry_order_.empty())
    ctx.wake(std::max(ctx.now(), entry_time_[entry_order_[0]]), entry_order_[0], kEntry);
}

void LeveragedTraders::on_wake(AgentContext& ctx, uint32_t i, int64_t arg) {
  if (arg == kAlertReady) {
    if (outside_left_[i].raw() > 0) ctx.set_alert(accounts_[i], ratio_from_double(params_.topup_trigger));
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
      open_position(ctx, i, m, 1.0 / double(ctx.market_count()));
  } else {
    open_position(ctx, i, markets_[i], 1.0);
  }
  ++entries_;
}

void LeveragedTraders::open_position(AgentContext& ctx, uint32_t i, MarketId m, double margin_share) {
  const AccountId a = accounts_[i];
  const MarketView v = ctx.view(m);
  const ProtocolMarket& pm = ctx.clearing().market(m);
  const double margin = to_double(margin_[i]) * margin_share;
  // Leverage is capped by the bracket's maximum (1 / initial rate) at the intended notional.
  double leverage = leverage_[i];
  const double intended = margin * leverage;
  const double max_leverage = 1.0 / to_double(pm.margin->initial_rate(amount_from_double(intended)));
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
  if (outside_left_[i].raw() <= 0 || !ch.ledger().has_position(a)) return;
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

}  // namespace liqsim
