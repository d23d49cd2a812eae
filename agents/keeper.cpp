#include "agents/keeper.h"

#include <algorithm>

namespace liqsim {

Keepers::Keepers(KeeperParams params, std::vector<AccountId> accounts, uint64_t master_seed)
    : params_(params) {
  for (uint32_t i = 0; i < accounts.size(); ++i) {
    Rng rng(master_seed, StreamKind::Keeper, i);
    // Each keeper bids one priority fee, drawn once: its place in the priority-gas auction.
    const int64_t lo = params.priority_fee_min.raw(), hi = params.priority_fee_max.raw();
    const Amount fee = Amount(rng.uniform_int(lo, hi));
    keepers_.push_back(Keeper{accounts[i], std::move(rng), fee, {}, {}});
  }
}

std::optional<Keepers::Expected> Keepers::expected_take(const KeeperParams& params, const ClearingHouse& ch,
                                                        AccountId target) {
  const MarketId m = largest_exposure(ch, target);
  const Quantity size = ch.ledger().position(target, m).size;
  if (size.raw() == 0) return std::nullopt;
  const KeeperTakeTerms terms = keeper_take_terms(params.liquidation, size, ch.mark(m), ch.health(target));
  return Expected{m, terms, notional(ch.mark(m), terms.take, Round::Down)};
}

void Keepers::on_opportunity(AgentContext& ctx, AccountId target) {
  const ClearingHouse& ch = ctx.clearing();
  const std::optional<Expected> expected = expected_take(params_, ch, target);
  if (!expected) return;
  const MarketId m = expected->market;
  const Amount value = expected->value;
  const Amount reward = expected->terms.reward;
  const Amount base_fee = ctx.base_fee();
  for (Keeper& k : keepers_) {
    if (k.pending.contains(target)) continue;
    Amount fee = k.priority_fee;
    if (params_.bidding == KeeperBidding::Adaptive) {
      const std::optional<Amount> bid = adaptive_bid(params_, k.priority_fee, reward, base_fee);
      if (!bid) continue;
      fee = *bid;
    }
    const Amount cost = base_fee + fee;
    if (reward - cost < params_.min_profit) continue;
    // Capital: the keeper must be able to post initial margin at max leverage on the seized notional.
    const Amount needed =
        ch.maintenance(k.account) + ch.market(m).margin->initial_margin_at_max_leverage(value);
    if (ch.equity(k.account) - cost < needed) continue;
    const double jitter = k.rng.uniform01() * double(params_.latency_jitter.raw());
    k.pending.insert(target);
    ctx.send_liquidation_tx(k.account, target, ctx.now() + params_.latency + Time(int64_t(jitter)), fee);
  }
}

Amount Keepers::next_bid_level(const KeeperParams& params, Amount level, bool won) {
  const Amount next =
      won ? apply(level, params.bid_decay, Round::Down) : apply(level, params.bid_raise, Round::Up);
  return std::clamp(next, params.priority_fee_min, params.priority_fee_max);
}

std::optional<Amount> Keepers::adaptive_bid(const KeeperParams& params, Amount level, Amount reward,
                                            Amount base_fee) {
  const Amount bid = std::min(level, reward - base_fee - params.min_profit);
  if (bid < params.priority_fee_min) return std::nullopt;
  return bid;
}

void Keepers::on_transaction_result(AgentContext& ctx, uint32_t i, AccountId target,
                                    const KeeperTakeover& result) {
  Keeper& k = keepers_[i];
  k.pending.erase(target);
  // A lost race: the account was no longer liquidatable when the transaction ran (someone else was
  // first, or, rarely, the account recovered: the keeper cannot tell them apart either).
  if (params_.bidding == KeeperBidding::Adaptive &&
      result.outcome != KeeperOutcome::KeeperUndercollateralised)
    k.priority_fee = next_bid_level(params_, k.priority_fee, result.outcome == KeeperOutcome::Liquidated);
  if (result.outcome != KeeperOutcome::Liquidated) return;
  const int slices = params_.twap ? std::max(1, params_.twap_slices) : 1;
  Unwind u{result.market, result.quantity, Quantity(0), *result.liquidation};
  const Quantity abs_q = result.quantity.raw() < 0 ? -result.quantity : result.quantity;
  u.slice = Quantity((abs_q.raw() + slices - 1) / slices);
  k.unwinds.push_back(u);
  unwind_slice(ctx, k, k.unwinds.back());
  if (k.unwinds.back().remaining.raw() == 0) {
    k.unwinds.pop_back();
  } else {
    const Time step = Time(params_.twap_horizon.raw() / slices);
    ctx.wake(ctx.now() + step, i, result.liquidation->raw());  // the wake-up carries the raw id
  }
}

void Keepers::on_wake(AgentContext& ctx, uint32_t i, int64_t arg) {
  const LiquidationId liquidation(arg);
  Keeper& k = keepers_[i];
  auto it = std::find_if(k.unwinds.begin(), k.unwinds.end(),
                         [&](const Unwind& u) { return u.liquidation == liquidation; });
  if (it == k.unwinds.end()) return;
  unwind_slice(ctx, k, *it);
  if (it->remaining.raw() == 0) {
    k.unwinds.erase(it);
  } else {
    const int slices = std::max(1, params_.twap_slices);
    ctx.wake(ctx.now() + Time(params_.twap_horizon.raw() / slices), i, arg);
  }
}

void Keepers::unwind_slice(AgentContext& ctx, Keeper& k, Unwind& u) {
  const bool sell = u.remaining.raw() > 0;
  const Quantity abs_rem = sell ? u.remaining : -u.remaining;
  // The unwind only reduces what the keeper still holds in the market.
  const Quantity held = ctx.clearing().ledger().position(k.account, u.market).size;
  Quantity q = std::min(u.slice, abs_rem);
  const Quantity reducible = (held.raw() > 0) == sell ? (held.raw() < 0 ? -held : held) : Quantity(0);
  q = std::min(q, reducible);
  if (q.raw() > 0) {
    OrderRequest order{
        k.account,          sell ? Side::Sell : Side::Buy, OrderType::Market, std::nullopt, q, true,
        u.liquidation.raw()};  // the order tag carries the raw id
    const SubmitResult r = ctx.submit(u.market, order);
    q = r.filled;
  }
  // Whatever did not fill (an empty book side) is carried by the keeper: stop tracking it.
  u.remaining = q.raw() > 0 && abs_rem > q ? (sell ? abs_rem - q : -(abs_rem - q)) : Quantity(0);
}

}  // namespace liqsim
