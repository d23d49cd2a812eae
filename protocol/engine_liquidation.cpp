#include "protocol/engine_liquidation.h"

#include <algorithm>

namespace liqsim {
namespace {}  // namespace

std::string_view engine_sequence_name(EngineSequence sequence) {
  switch (sequence) {
    case EngineSequence::Binance:
      return "binance";
    case EngineSequence::Hyperliquid:
      return "hyperliquid";
    case EngineSequence::Bitmex:
      return "bitmex";
    case EngineSequence::Dydx:
      return "dydx";
  }
  return "binance";
}

Quantity engine_step_quantity(const EngineLiquidationParams& params, const MarginModel& model,
                              Quantity abs_size, Price mark, bool whole_position_window) {
  if (params.sequence == EngineSequence::Bitmex) {
    const std::optional<Quantity> keep = model.lower_tier_size(abs_size, mark);
    if (!keep) return Quantity(0);
    return *keep < abs_size ? abs_size - *keep : abs_size;
  }
  if (params.sequence == EngineSequence::Dydx) {
    const Amount position = notional(mark, abs_size, Round::Down);
    const Amount limit = dydx_max_liquidatable_notional(position, params.dydx, Amount(0));
    if (limit >= position) return abs_size;
    return std::min(abs_size, Quantity(mul_div(limit.raw(), kQuantityScale, mark.raw(), Round::Down)));
  }
  if (whole_position_window || notional(mark, abs_size, Round::Up) <= params.full_close_below)
    return abs_size;
  const Quantity slice = apply(abs_size, params.step_fraction, Round::Up);
  return std::min(slice, abs_size);
}

bool hyperliquid_backstop(Amount equity, Amount maintenance) {
  return __int128(equity.raw()) * 3 < __int128(maintenance.raw()) * 2;
}

Amount clearance_fee(Ratio rate, Amount executed_value, Amount equity_after) {
  const Amount fee = apply(executed_value, rate, Round::Down);
  return std::clamp(fee, Amount(0), std::max(equity_after, Amount(0)));
}

EngineLiquidation::EngineLiquidation(EngineLiquidationParams params, ClearingHouse& ch, ExecutionVenue& venue,
                                     Recorder& recorder)
    : params_(params),
      ch_(ch),
      venue_(venue),
      recorder_(recorder),
      unwinder_(ch, venue, params.max_slippage, params.no_progress_retry) {
  LIQSIM_CHECK(params_.no_progress_retry > Time(0), "the retry delay of an unfilled step must be positive");
}

AccountId EngineLiquidation::taker() const {
  return place_account(params_.sequence == EngineSequence::Hyperliquid ? Place::BackstopVault
                                                                       : Place::InsuranceFund);
}

bool EngineLiquidation::take_over_or_deleverage(AccountId a, MarketId m, const LiquidationTrigger& trigger) {
  Ledger& ledger = ch_.ledger();
  const Quantity size = ledger.position(a, m).size;
  const bool is_long = size.raw() > 0;
  const Amount equity = ch_.equity(a);
  LiquidationRecord rec = liquidation_record(a, m, ch_.mark(m), LiquidationMechanismKind::Engine, trigger);
  // Hyperliquid's vault takes accounts that still hold margin; an account below zero goes to ADL
  // (hyperliquid-docs trading/auto-deleveraging). Binance and BitMEX: the fund takes the position if
  // its value at the marks covers the loss at the mark, ADL when it is depleted.
  const bool taker_can_bear = params_.sequence == EngineSequence::Hyperliquid
                                  ? equity.raw() >= 0
                                  : ch_.place_value(Place::InsuranceFund) >= std::max(-equity, Amount(0));
  if (taker_can_bear) {
    const LiquidationId id = ch_.next_liquidation_id();
    rec.id = id.raw();
    const Takeover t = take_over_at_bankruptcy(ch_, a, m, taker(), venue_.tick_size(m));
    rec.quantity = is_long ? -t.quantity : t.quantity;
    rec.price = t.price;
    ++takeovers_;
    commit_liquidation(ch_, recorder_, rec);
    unwinder_.took_over(taker(), m, id, trigger.now);
    return true;
  }
  return deleverage(a, m, trigger, rec);
}

bool EngineLiquidation::deleverage(AccountId a, MarketId m, const LiquidationTrigger& trigger,
                                   LiquidationRecord rec) {
  Ledger& ledger = ch_.ledger();
  const bool is_long = ledger.position(a, m).size.raw() > 0;
  // The id is committed only if a counterparty took something: without one (every opposite position is
  // gone) nothing moved and nothing is recorded.
  const LiquidationId id(ch_.liquidation_count());
  const Amount before = ledger.account(a).balance;
  const Quantity closed = auto_deleverage(ch_, recorder_, a, m, id, trigger.now, venue_.tick_size(m),
                                          params_.adl_ranking, params_.adl_seed);
  if (closed.raw() == 0) return false;
  rec.id = ch_.next_liquidation_id().raw();
  LIQSIM_CHECK(rec.id == id.raw(), "liquidation ids must be dense");
  ++adl_events_;
  rec.quantity = is_long ? -closed : closed;
  const Amount cash = ledger.account(a).balance - before;
  rec.price = price_for(cash.raw() < 0 ? -cash : cash, closed, Round::Down);
  commit_liquidation(ch_, recorder_, rec);
  return true;
}

std::optional<Time> EngineLiquidation::step(AccountId a, const LiquidationTrigger& trigger) {
  Ledger& ledger = ch_.ledger();
  AccountState& st = ledger.account(a);
  if (!ch_.liquidatable(a)) {
    st.in_liquidation = false;
    ch_.arm(a);
    return std::nullopt;
  }
  if (params_.sequence == EngineSequence::Dydx) return dydx_step(a, trigger);
  const bool hyperliquid = params_.sequence == EngineSequence::Hyperliquid;
  const bool window =
      hyperliquid && st.liquidations > 0 && trigger.now < st.last_liquidation_step + params_.cooldown;
  st.in_liquidation = true;
  const MarketId m = largest_exposure(ch_, a);
  const Quantity size = ledger.position(a, m).size;
  const bool is_long = size.raw() > 0;
  const Price mark = ch_.mark(m);
  venue_.cancel_orders(a, m);

  bool progress = false;
  // Beyond bankruptcy no close at market can make the account compliant: straight to the take-over.
  const Quantity order = ch_.equity(a).raw() < 0 ? Quantity(0)
                                                 : engine_step_quantity(params_, *ch_.market(m).margin,
                                                                        abs_quantity(size), mark, window);
  bool book_failed = order.raw() == 0;
  if (order.raw() > 0) {
    const int64_t id = ch_.liquidation_count();  // committed only if something fills
    const Amount before = ledger.account(a).balance;
    const Execution result = close_into_book(ch_, venue_, a, m, order, params_.max_slippage, id);
    book_failed = result.filled < order;
    if (result.filled.raw() > 0) {
      progress = true;
      LiquidationRecord rec = liquidation_record(a, m, mark, LiquidationMechanismKind::Engine, trigger);
      rec.id = ch_.next_liquidation_id().raw();
      LIQSIM_CHECK(rec.id == id, "liquidation ids must be dense");
      const Amount received = ledger.account(a).balance - before;  // + for sells, - for buys
      const Amount executed = received.raw() < 0 ? -received : received;
      // Binance's clearance fee goes to the insurance fund; the rest of the account is the user's.
      const Amount fee = clearance_fee(params_.clearance_fee, executed, ch_.equity(a));
      if (fee.raw() > 0) ledger.fund_credit(a, fee);
      rec.quantity = is_long ? -result.filled : result.filled;
      rec.price = price_for(executed, result.filled, Round::Down);
      commit_liquidation(ch_, recorder_, rec);
    }
  }
  absorb_shortfall(ch_, a);
  if (ledger.position(a, m).size.raw() != 0 && ch_.liquidatable(a)) {
    const Health health = ch_.health(a);
    const bool take_over = hyperliquid ? hyperliquid_backstop(health.value, health.requirement) : book_failed;
    if (take_over) {
      progress = take_over_or_deleverage(a, m, trigger) || progress;
      absorb_shortfall(ch_, a);
    }
  }
  st.last_liquidation_step = trigger.now;
  if (!ledger.has_position(a) || !ch_.liquidatable(a)) {
    st.in_liquidation = false;
    ch_.arm(a);
    return std::nullopt;
  }
  ch_.arm(a);
  // A step that closed nothing is not retried at the same instant: nothing it depends on (marks, the
  // book) can change before another event runs. Real engines re-check liquidations on mark-price updates
  // (Binance: mark every 1 s; Hyperliquid: every oracle update), so the retry waits at least one mark
  // interval. Hyperliquid checks again at the next update, inside its whole-position window.
  if (hyperliquid) return trigger.now + params_.no_progress_retry;
  if (!progress) return trigger.now + std::max(params_.cooldown, params_.no_progress_retry);
  return trigger.now + params_.cooldown;
}

std::optional<Time> EngineLiquidation::dydx_step(AccountId a, const LiquidationTrigger& trigger) {
  Ledger& ledger = ch_.ledger();
  AccountState& st = ledger.account(a);
  st.in_liquidation = true;
  const int64_t block = trigger.now.raw() / std::max<int64_t>(params_.cooldown.raw(), 1);
  if (block != block_) {
    block_ = block;
    fund_lost_in_block_ = Amount(0);
  }
  const MarketId m = largest_exposure(ch_, a);
  const Quantity size = ledger.position(a, m).size;
  const bool is_long = size.raw() > 0;
  const Price mark = ch_.mark(m);
  const MarginModel& model = ch_.margin_model(a, m);
  venue_.cancel_orders(a, m);
  LiquidationRecord rec = liquidation_record(a, m, mark, LiquidationMechanismKind::Engine, trigger);
  bool progress = false;
  const Amount tnc = ch_.equity(a);
  const Amount tmmr = ch_.maintenance(a);
  const bool fund_spent = fund_lost_in_block_ >= params_.dydx_max_insurance_lost_per_block;
  if (tnc.raw() < 0 && (fund_spent || ch_.place_value(Place::InsuranceFund) < -tnc)) {
    // x/clob deleveraging.go: negative TNC that the insurance fund cannot cover.
    progress = deleverage(a, m, trigger, rec);
  } else if (!fund_spent && tmmr.raw() > 0) {
    const Quantity order = engine_step_quantity(params_, model, abs_quantity(size), mark, false);
    const Amount pnnv(mul_div(size.raw(), mark.raw(), kQuantityScale, Round::Down));
    const Amount pmmr = model.maintenance(size, mark);
    const Price tick = venue_.tick_size(m);
    Price worst = dydx_fillable_price(size, pnnv, pmmr, tnc, tmmr, params_.dydx.bankruptcy_adjustment_ppm,
                                      params_.dydx.spread_to_maintenance_margin_ratio_ppm);
    // On the tick grid toward the mark (the order never fills worse than the fillable price).
    worst = is_long ? round_up_to_tick(worst, tick) : round_down_to_tick(worst, tick);
    if (worst.raw() <= 0) worst = tick;
    const int64_t id = ch_.liquidation_count();  // committed only if something fills
    const Amount before = ledger.account(a).balance;
    const Execution result = order.raw() > 0
                                 ? venue_.execute(m,
                                                  ExecutionRequest{a, is_long ? Side::Sell : Side::Buy, order,
                                                                   worst, /*reduce_only=*/true, id},
                                                  /*taker_fee_waived=*/true)
                                 : Execution{};
    if (result.filled.raw() > 0) {
      progress = true;
      const Amount received = ledger.account(a).balance - before;  // signed: + when the order sold
      const Quantity after = is_long ? size - result.filled : size + result.filled;
      const Amount delta_nnv = Amount(mul_div(after.raw(), mark.raw(), kQuantityScale, Round::Down)) - pnnv;
      const Amount delta_mmr = model.maintenance(after, mark) - pmmr;
      const Amount bankruptcy = dydx_bankruptcy_quote(delta_nnv, delta_mmr, tnc, tmmr);
      const Amount to_fund =
          dydx_insurance_fund_delta(received, bankruptcy, params_.dydx.max_liquidation_fee_ppm);
      if (to_fund.raw() > 0) {
        ledger.fund_credit(a, to_fund);
      } else if (to_fund.raw() < 0) {
        fund_lost_in_block_ += ledger.fund_debit(a, -to_fund);
      }
      rec.id = ch_.next_liquidation_id().raw();
      LIQSIM_CHECK(rec.id == id, "liquidation ids must be dense");
      rec.quantity = is_long ? -result.filled : result.filled;
      rec.price = price_for(received.raw() < 0 ? -received : received, result.filled, Round::Down);
      commit_liquidation(ch_, recorder_, rec);
    }
  }
  absorb_shortfall(ch_, a);
  st.last_liquidation_step = trigger.now;
  ch_.arm(a);
  if (!ledger.has_position(a) || !ch_.liquidatable(a)) {
    st.in_liquidation = false;
    return std::nullopt;
  }
  // The next block; a block that closed nothing waits at least a mark interval.
  return trigger.now + (progress ? params_.cooldown : std::max(params_.cooldown, params_.no_progress_retry));
}

void EngineLiquidation::schedule_unwinds(MechanismHost& host) { unwinder_.schedule_pending(host); }

bool EngineLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  AccountState& st = ch_.ledger().account(a);
  if (st.in_liquidation) return false;  // a step is already due
  st.in_liquidation = true;
  const Time now = host.now();
  const bool wait = params_.sequence != EngineSequence::Hyperliquid && st.liquidations > 0;
  host.schedule_timer(a, wait ? std::max(now, st.last_liquidation_step + params_.cooldown) : now);
  return false;
}

void EngineLiquidation::on_timer(MechanismHost& host, AccountId a) {
  if (Ledger::is_place(a)) {
    unwinder_.on_timer(a, host.now());
  } else if (const auto next = step(a, host.trigger_for(a))) {
    host.schedule_timer(a, *next);
  }
  schedule_unwinds(host);
}

KeeperTakeover EngineLiquidation::on_transaction(MechanismHost&, AccountId, AccountId, const TxIntent&) {
  return {};
}

}  // namespace liqsim
