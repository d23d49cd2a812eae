#include "protocol/liquidation.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {
namespace {

Quantity abs_quantity(Quantity q) { return q.raw() < 0 ? -q : q; }

// Cash the account receives (long; negative: pays, short) for closing `closed` of `size` at its
// bankruptcy price, where equity_other = equity without this market's position:
// -equity_other * closed / |size|, rounded against the account.
Amount bankruptcy_cash(Amount equity_other, Quantity closed, Quantity size) {
  return Amount(
      mul_div(-equity_other.raw(), abs_quantity(closed).raw(), abs_quantity(size).raw(), Round::Down));
}

// What the long side of an ADL trade receives for `closed` of the bankrupt position `size`: the
// bankrupt account's bankruptcy value (bankruptcy_cash; for a short the amount it pays, rounded up)
// with its price per coin clamped into [tick, Price::max()], the clamp rounded against the bankrupt
// account too. Non-decreasing in `closed`, so slices of a cumulative split are never negative.
Amount adl_long_receipt(Amount equity_other, Quantity closed, Quantity size, Price tick) {
  using Wide = __int128;
  const bool bankrupt_long = size.raw() > 0;
  const Wide k = abs_quantity(closed).raw();
  const Wide n = abs_quantity(size).raw();
  const Wide value = Wide(-equity_other.raw()) * k;  // bankrupt long receives value / n (floor)
  const auto floor_div = [](Wide x, Wide d) { return x >= 0 ? x / d : -((-x + d - 1) / d); };
  const Wide raw = bankrupt_long ? floor_div(value, n) : -floor_div(value, n);
  const Wide at_tick = Wide(tick.raw()) * k;
  const Wide lowest =
      bankrupt_long ? at_tick / kQuantityScale : (at_tick + kQuantityScale - 1) / kQuantityScale;
  const Wide highest = std::min<Wide>(Wide(Price::max().raw()) * k / kQuantityScale, Amount::max().raw());
  return Amount(static_cast<int64_t>(std::clamp(raw, lowest, highest)));
}

}  // namespace

MarketId largest_exposure(const ClearingHouse& ch, AccountId a) {
  MarketId best(0);
  Amount best_mm = Amount(-1);
  for (MarketId m(0); m.raw() < ch.market_count(); ++m) {
    const Quantity s = ch.ledger().position(a, m).size;
    if (s.raw() == 0) continue;
    const Amount mm = ch.market(m).margin->maintenance(s, ch.mark(m));
    if (mm > best_mm) {
      best_mm = mm;
      best = m;
    }
  }
  return best;
}

void absorb_shortfall(ClearingHouse& ch, AccountId a) {
  Ledger& ledger = ch.ledger();
  if (ledger.has_position(a)) return;
  const Amount balance = ledger.account(a).balance;
  if (balance.raw() < 0) ledger.fund_debit(a, -balance);
}

Quantity auto_deleverage(ClearingHouse& ch, Recorder& recorder, AccountId a, MarketId m,
                         LiquidationId liquidation, Time now, Price tick) {
  Ledger& ledger = ch.ledger();
  const Quantity size = ledger.position(a, m).size;
  const bool is_long = size.raw() > 0;
  const Amount equity_other = ch.equity_excluding(a, m);
  const Quantity needed = abs_quantity(size);
  const Amount total_cash = adl_long_receipt(equity_other, needed, size, tick);
  Quantity closed;
  Amount moved;
  // Counterparties ranked by profit x leverage at the current marks (ClearingHouse::adl_counterparties:
  // the order of allocate_adl over every opposite position, without scanning them).
  for (const auto& [c, quantity, score] : ch.adl_counterparties(m, is_long, a, needed)) {
    // Cumulative amounts, so the last slice takes the exact remainder of the whole value.
    const Quantity after = closed + quantity;
    const Amount cash_so_far = adl_long_receipt(equity_other, after, size, tick);
    // Both sides trade at a's (clamped) bankruptcy price; trade_cash is the long side's receipt.
    const Amount trade_cash = cash_so_far - moved;
    LIQSIM_CHECK(trade_cash.raw() >= 0, "ADL slice with negative cash");
    if (is_long)
      ledger.trade(c, a, m, quantity, trade_cash);
    else
      ledger.trade(a, c, m, quantity, trade_cash);
    moved = cash_so_far;
    closed = after;
    AdlRecord r;
    r.time = now;
    r.liquidation = liquidation.raw();
    r.account = c.raw();
    r.market = m.raw();
    r.quantity = is_long ? quantity : -quantity;
    r.price = price_for(total_cash, needed, Round::Down);
    r.rank_score = score;
    recorder.on_adl(r);
    ch.arm(c);
  }
  return closed;
}

std::optional<Time> EngineLiquidation::step(AccountId a, const LiquidationTrigger& trigger) {
  Ledger& ledger = ch_.ledger();
  AccountState& st = ledger.account(a);
  if (!ch_.liquidatable(a)) {
    st.in_liquidation = false;
    ch_.arm(a);
    return std::nullopt;
  }
  st.in_liquidation = true;
  const MarketId m = largest_exposure(ch_, a);
  const Quantity size = ledger.position(a, m).size;
  const bool is_long = size.raw() > 0;
  const Price mark = ch_.mark(m);
  const Amount equity = ch_.equity(a);
  const Amount equity_other = ch_.equity_excluding(a, m);
  venue_.cancel_orders(a, m);

  LiquidationRecord rec;
  rec.time = trigger.now;
  rec.account = a.raw();
  rec.market = m.raw();
  rec.mark = mark;
  rec.mechanism = LiquidationMechanismKind::Engine;
  rec.mark_update = trigger.mark_update;
  rec.cause = record_liquidation(trigger.cause);

  bool progress = false;
  if (equity.raw() < 0 && ledger.insurance_fund() < -equity) {
    // Beyond bankruptcy and the fund cannot cover the loss at the mark: auto-deleverage.
    const LiquidationId id = ch_.next_liquidation_id();
    rec.id = id.raw();
    const Amount before = ledger.account(a).balance;
    const Quantity closed = auto_deleverage(ch_, recorder_, a, m, id, trigger.now, venue_.tick_size(m));
    progress = closed.raw() > 0;
    ++adl_events_;
    rec.quantity = is_long ? -closed : closed;
    const Amount cash = ledger.account(a).balance - before;
    rec.price = closed.raw() > 0 ? price_for(cash.raw() < 0 ? -cash : cash, closed, Round::Down) : mark;
    ++st.liquidations;
    recorder_.on_liquidation(rec);
  } else {
    const Quantity abs_size = abs_quantity(size);
    const Amount abs_notional = notional(mark, abs_size, Round::Up);
    Quantity slice = abs_notional <= params_.full_close_below
                         ? abs_size
                         : apply(abs_size, params_.step_fraction, Round::Up);
    if (slice > abs_size) slice = abs_size;
    const Price tick = venue_.tick_size(m);
    // Worst price no worse than max_slippage from the mark, on the tick grid (the venue keeps it there).
    const Ratio one = Ratio(kRatioScale);
    Price worst = is_long ? apply(mark, one - params_.max_slippage, Round::Up)
                          : apply(mark, one + params_.max_slippage, Round::Down);
    worst = is_long ? round_up_to_tick(worst, tick) : round_down_to_tick(worst, tick);
    if (worst.raw() <= 0) worst = tick;
    const int64_t id = ch_.liquidation_count();  // committed only if something fills
    const ExecutionRequest request{a, is_long ? Side::Sell : Side::Buy, slice, worst, /*reduce_only=*/true,
                                   id};
    const Amount before = ledger.account(a).balance;
    const Execution result = venue_.execute(m, request, /*taker_fee_waived=*/true);
    if (result.filled.raw() > 0) {
      progress = true;
      rec.id = ch_.next_liquidation_id().raw();
      LIQSIM_CHECK(rec.id == id, "liquidation ids must be dense");
      const Amount received = ledger.account(a).balance - before;  // + for sells, - for buys
      // Settle the closed slice at the bankruptcy price: the rest is the insurance fund's.
      const Amount target = bankruptcy_cash(equity_other, result.filled, size);
      const Amount surplus = received - target;
      if (surplus.raw() > 0)
        ledger.fund_credit(a, surplus);
      else if (surplus.raw() < 0)
        ledger.fund_debit(a, -surplus);
      rec.quantity = is_long ? -result.filled : result.filled;
      rec.price = price_for(received.raw() < 0 ? -received : received, result.filled, Round::Down);
      ++st.liquidations;
      recorder_.on_liquidation(rec);
    }
  }
  absorb_shortfall(ch_, a);
  st.last_liquidation_step = trigger.now;
  if (!ledger.has_position(a) || !ch_.liquidatable(a)) {
    st.in_liquidation = false;
    ch_.arm(a);
    return std::nullopt;
  }
  ch_.arm(a);
  // A step that closed nothing is not retried at the same instant: nothing it depends on (marks, the
  // book) can change before another event runs, so with a cool-down of 0 it would repeat forever. Real
  // engines re-check liquidations on mark-price updates (Binance: mark every 1 s; Hyperliquid: every
  // oracle update), so the retry waits at least one mark interval; meanwhile the loss, if it grows past
  // what the fund covers, goes to auto-deleveraging at that retry.
  if (!progress) return trigger.now + std::max(params_.cooldown, params_.no_progress_retry);
  return trigger.now + params_.cooldown;
}

KeeperTakeover KeeperLiquidation::execute(AccountId keeper, AccountId a, const LiquidationTrigger& trigger) {
  KeeperTakeover out;
  if (!ch_.liquidatable(a)) return out;
  Ledger& ledger = ch_.ledger();
  const MarketId m = largest_exposure(ch_, a);
  const Quantity size = ledger.position(a, m).size;
  const bool is_long = size.raw() > 0;
  const Price mark = ch_.mark(m);
  const Quantity abs_size = abs_quantity(size);
  Quantity take = apply(abs_size, params_.close_factor, Round::Up);
  if (take > abs_size) take = abs_size;
  if (params_.full_close_below.raw() > 0) {
    const Amount whole = notional(mark, abs_size, Round::Down);
    const Amount left = notional(mark, abs_size - take, Round::Down);
    if (whole <= params_.full_close_below || left + left < params_.full_close_below) take = abs_size;
  }
  const Ratio one = Ratio(kRatioScale);
  // The keeper buys a long below the mark and sells (takes over) a short above it: rounded against the
  // liquidated account.
  const Price price =
      is_long ? apply(mark, one - params_.bonus, Round::Down) : apply(mark, one + params_.bonus, Round::Up);
  const Amount cash = notional(price, take, is_long ? Round::Down : Round::Up);
  // The keeper's transaction is one ledger transaction: it reverts as a whole when the keeper cannot
  // carry the position it took over.
  Ledger::Transaction tx(ledger);
  if (is_long)
    ledger.trade(keeper, a, m, take, cash);
  else
    ledger.trade(a, keeper, m, take, cash);
  if (ch_.liquidatable(keeper)) {
    tx.revert();
    out.outcome = KeeperOutcome::KeeperUndercollateralised;
    return out;
  }
  tx.commit();
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = ch_.next_liquidation_id();
  out.market = m;
  out.quantity = is_long ? take : -take;
  out.price = price;
  out.reward = apply(notional(mark, take, Round::Down), params_.bonus, Round::Down);
  LiquidationRecord rec;
  rec.id = out.liquidation->raw();
  rec.time = trigger.now;
  rec.account = a.raw();
  rec.market = m.raw();
  rec.quantity = is_long ? -take : take;
  rec.mark = mark;
  rec.price = price;
  rec.mechanism = LiquidationMechanismKind::Keeper;
  rec.keeper = keeper.raw();
  rec.reward = out.reward;
  rec.mark_update = trigger.mark_update;
  rec.cause = record_liquidation(trigger.cause);
  ++ledger.account(a).liquidations;
  recorder_.on_liquidation(rec);
  absorb_shortfall(ch_, a);
  ch_.arm(a);
  ch_.arm(keeper);
  return out;
}

}  // namespace liqsim

namespace liqsim {

bool EngineLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  AccountState& st = ch_.ledger().account(a);
  if (st.in_liquidation) return false;  // a step is already due
  st.in_liquidation = true;
  const Time now = host.now();
  const Time due = st.liquidations > 0 ? std::max(now, st.last_liquidation_step + params_.cooldown) : now;
  host.schedule_timer(a, due);
  return false;
}

void EngineLiquidation::on_timer(MechanismHost& host, AccountId a) {
  const auto next = step(a, host.trigger_for(a));
  if (next) host.schedule_timer(a, *next);
}

KeeperTakeover EngineLiquidation::on_transaction(MechanismHost&, AccountId, AccountId) { return {}; }

bool KeeperLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  host.publish_opportunity(a);
  return true;  // fires again at the next mark update while still liquidatable
}

KeeperTakeover KeeperLiquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a) {
  return execute(keeper, a, host.trigger_for(a));
}

}  // namespace liqsim
