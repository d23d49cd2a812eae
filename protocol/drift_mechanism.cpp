#include "protocol/drift_mechanism.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {

namespace {

// Drift's BASE_PRECISION is 1e9, liqsim's Quantity 1e8.
constexpr int64_t kBasePerQuantity = kDriftBasePrecision / kQuantityScale;
// The quote asset (USDC) at $1 in PRICE_PRECISION.
constexpr Price kQuoteOracle{kPriceScale};
// FUNDING_RATE_PRECISION x BASE_PRECISION / QUOTE_PRECISION: a cumulative-funding delta times a base
// amount, divided by this, is quote (1e-6 USD).
constexpr int64_t kFundingTimesBasePerQuote =
    kDriftFundingRatePrecision * (kDriftBasePrecision / kAmountScale);

int64_t fee_of(Amount value, int64_t ppm) {
  return mul_div(value.raw(), ppm, kDriftLiquidationFeePrecision, Round::Down);
}

}  // namespace

DriftLiquidation::DriftLiquidation(DriftMechanismParams params, ClearingHouse& ch, Recorder& recorder)
    : params_(params), ch_(ch), recorder_(recorder), claimed_(ch.market_count()) {
  LIQSIM_CHECK(params_.slot.raw() > 0, "a Drift slot lasts some time");
  LIQSIM_CHECK(params_.max_liquidator_fee_ppm >= params_.liquidator_fee_ppm, "the fee cap is above the fee");
}

Amount DriftLiquidation::shortage(AccountId a) const {
  // MarginContext::liquidation: every position's maintenance requirement plus the buffer ratio of its value.
  const Health h = ch_.health(a);
  Amount requirement = h.requirement;
  for (MarketId m(0); m.raw() < ch_.market_count(); ++m) {
    const Quantity s = ch_.ledger().position(a, m).size;
    if (s.raw() == 0) continue;
    const Amount value = notional(ch_.mark(m), abs_quantity(s), Round::Up);
    requirement +=
        Amount(mul_div(value.raw(), params_.margin_buffer_ratio, kDriftMarginPrecision, Round::Up));
  }
  return requirement - h.value;
}

std::optional<DriftTakeTerms> DriftLiquidation::terms(AccountId a, Time now) const {
  if (Ledger::is_place(a)) return std::nullopt;
  const auto it = state_.find(a.raw());
  if (it == state_.end() && !ch_.liquidatable(a)) return std::nullopt;
  const InLiquidation in = it == state_.end() ? InLiquidation{now, Amount(0), false} : it->second;
  const MarketId m = largest_exposure(ch_, a);
  const Quantity size = ch_.ledger().position(a, m).size;
  if (size.raw() == 0) return std::nullopt;
  const Amount short_by = shortage(a);
  if (short_by.raw() <= 0) return std::nullopt;
  const Price mark = ch_.mark(m);
  const Quantity held = abs_quantity(size);
  const int64_t base = held.raw() * kBasePerQuantity;
  // The market's maintenance ratio for this position (get_margin_ratio), in 1e-4 rounded up, plus the buffer.
  const Amount value_held = notional(mark, held, Round::Up);
  if (value_held.raw() <= 0) return std::nullopt;
  const Amount maintenance = ch_.margin_model(a, m).maintenance(size, mark);
  const int64_t ratio = mul_div(maintenance.raw(), kDriftMarginPrecision, value_held.raw(), Round::Up) +
                        params_.margin_buffer_ratio;
  const int64_t slots = (now - in.start).raw() / params_.slot.raw();
  const int64_t liquidator_fee =
      drift_liquidation_fee(params_.liquidator_fee_ppm, params_.max_liquidator_fee_ppm, slots);
  const int64_t if_fee = drift_perp_if_fee(short_by, base, ratio, liquidator_fee, mark, kQuoteOracle,
                                           params_.if_liquidation_fee_ppm);
  // No base amount covers the shortage (the account is past saving at these fees): all of it may go.
  const std::optional<int64_t> cover_base =
      drift_base_to_cover_margin_shortage(short_by, ratio, liquidator_fee, if_fee, mark, kQuoteOracle);
  const int64_t cover_raw = cover_base ? (*cover_base + kBasePerQuantity - 1) / kBasePerQuantity : held.raw();
  const Quantity cover(std::max<int64_t>(cover_raw, 1));
  const int64_t pct = drift_max_pct_to_liquidate(short_by, in.freed, slots, params_.initial_pct_to_liquidate,
                                                 params_.liquidation_duration_slots);
  const Quantity allowed(mul_div(cover.raw(), pct, kDriftLiquidationPctPrecision, Round::Down));
  // A position worth at most $50 may be taken whole.
  const Quantity floor = value_held <= kDriftFullLiquidationShortage ? held : Quantity(0);
  const Quantity take = std::min(held, std::max(allowed, floor));
  if (take.raw() <= 0) return std::nullopt;
  DriftTakeTerms t;
  t.market = m;
  t.take = take;
  t.value = notional(mark, take, Round::Down);
  t.liquidator_fee = Amount(fee_of(t.value, liquidator_fee));
  t.if_fee = Amount(fee_of(t.value, if_fee));
  t.shortage = short_by;
  t.ends_liquidation = take >= cover;
  return t;
}

std::optional<LiquidationQuote> DriftLiquidation::quote(AccountId a, Time now) const {
  const std::optional<DriftTakeTerms> t = terms(a, now);
  if (!t) return std::nullopt;
  LiquidationQuote q;
  q.market = t->market;
  q.take = t->take;
  q.value = t->value;
  q.reward = t->liquidator_fee;
  return q;
}

Time DriftLiquidation::republish_after() const {
  // The time for the gradual schedule to open one more initial share; at least one slot and min_republish.
  const int64_t slots = mul_div(params_.liquidation_duration_slots, params_.initial_pct_to_liquidate,
                                kDriftLiquidationPctPrecision, Round::Up);
  const __int128 after = __int128(params_.slot.raw()) * std::max<int64_t>(slots, 1);
  return std::max(params_.min_republish, Time(int64_t(std::min<__int128>(after, seconds(86'400).raw()))));
}

bool DriftLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  if (Ledger::is_place(a)) return false;
  state_.try_emplace(a.raw(), InLiquidation{host.now(), Amount(0), false});
  host.publish_opportunity(a);
  return true;  // fires again at the next mark update while still liquidatable
}

void DriftLiquidation::on_timer(MechanismHost& host, AccountId a) {
  const auto it = state_.find(a.raw());
  if (it == state_.end()) return;
  it->second.timer = false;
  if (!ch_.ledger().has_position(a) || shortage(a).raw() <= 0) {
    state_.erase(it);  // can_exit_liquidation
    return;
  }
  if (ch_.liquidatable(a)) return;  // detection publishes it at every mark update
  host.publish_opportunity(a);
  schedule_republication(host, a);
}

void DriftLiquidation::schedule_republication(MechanismHost& host, AccountId a) {
  const auto it = state_.find(a.raw());
  if (it == state_.end() || it->second.timer) return;
  it->second.timer = true;
  host.schedule_timer(a, host.now() + republish_after());
}

KeeperTakeover DriftLiquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                const TxIntent& intent) {
  KeeperTakeover out;
  if (intent.action != TxAction::Liquidate) return out;
  const Time now = host.now();
  const std::optional<DriftTakeTerms> t = terms(a, now);
  if (!t) {
    if (state_.contains(a.raw()) && shortage(a).raw() <= 0) state_.erase(a.raw());
    return out;
  }
  Ledger& ledger = ch_.ledger();
  const MarketId m = t->market;
  const Quantity size = ledger.position(a, m).size;
  const bool is_long = size.raw() > 0;
  const Price mark = ch_.mark(m);
  // One transaction: the keeper takes the base at its value, the account pays both fees; it reverts as a
  // whole when the keeper cannot carry what it took.
  Ledger::Transaction tx(ledger);
  if (is_long)
    ledger.trade(keeper, a, m, t->take, t->value);
  else
    ledger.trade(a, keeper, m, t->take, t->value);
  ledger.transfer(a, keeper, t->liquidator_fee);
  if (t->if_fee.raw() > 0) ledger.fund_credit(a, t->if_fee);
  if (ch_.liquidatable(keeper)) {
    tx.revert();
    out.outcome = KeeperOutcome::KeeperUndercollateralised;
    return out;
  }
  tx.commit();
  const LiquidationTrigger trigger = host.trigger_for(a);
  InLiquidation& in = state_.try_emplace(a.raw(), InLiquidation{now, Amount(0), false}).first->second;
  in.freed += std::max(Amount(0), t->shortage - shortage(a));
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = ch_.next_liquidation_id();
  out.market = m;
  out.quantity = is_long ? t->take : -t->take;
  // The keeper's price per coin net of its fee: it pays value - fee for a long, receives value + fee.
  out.price = price_for(is_long ? t->value - t->liquidator_fee : t->value + t->liquidator_fee, t->take,
                        is_long ? Round::Down : Round::Up);
  out.reward = t->liquidator_fee;
  LiquidationRecord rec = liquidation_record(a, m, mark, LiquidationMechanismKind::Keeper, trigger);
  rec.id = out.liquidation->raw();
  rec.quantity = is_long ? -t->take : t->take;
  rec.price = out.price;
  rec.keeper = keeper.raw();
  rec.reward = out.reward;
  commit_liquidation(ch_, recorder_, rec);
  if (t->ends_liquidation) state_.erase(a.raw());
  if (!ledger.has_position(a)) {
    state_.erase(a.raw());
    if (ledger.account(a).balance.raw() < 0) resolve_bankruptcy(a, m, *out.liquidation, now);
  }
  ch_.arm(a);
  ch_.arm(keeper);
  // Left in liquidation above maintenance: detection will not find it, keepers poll for it.
  if (state_.contains(a.raw()) && !ch_.liquidatable(a)) schedule_republication(host, a);
  return out;
}

void DriftLiquidation::resolve_bankruptcy(AccountId a, MarketId m, LiquidationId id, Time now) {
  Ledger& ledger = ch_.ledger();
  SocialLossRecord rec;
  rec.time = now;
  rec.liquidation = id.raw();
  rec.account = a.raw();
  rec.market = m.raw();
  rec.loss = -ledger.account(a).balance;
  // The fund pays first: at most what it holds less one unit, and what is left of the market's claim.
  const AccountId fund = place_account(Place::InsuranceFund);
  Amount payment = std::min(rec.loss, std::max(Amount(0), ledger.insurance_fund() - Amount(1)));
  payment = std::min(payment, std::max(Amount(0), params_.max_insurance_claim - claimed_[m.raw()]));
  if (payment.raw() > 0) {
    ledger.transfer(fund, a, payment);
    claimed_[m.raw()] += payment;
  }
  rec.fund_paid = payment;
  const Amount rest = rec.loss - payment;
  if (rest.raw() <= 0) return;
  int64_t longs = 0, shorts = 0;
  for (AccountId c(0); c.raw() < ledger.account_count(); ++c) {
    if (Ledger::holds_coins_not_exposure(c)) continue;
    const Quantity s = ledger.position(c, m).size;
    (s.raw() > 0 ? longs : shorts) += abs_quantity(s).raw();
  }
  const std::optional<int64_t> delta =
      drift_funding_delta_to_resolve_bankruptcy(rest, longs * kBasePerQuantity, shorts * kBasePerQuantity);
  if (!delta) {
    ledger.write_off(a, rest);  // nobody to socialise it to: recorded bad debt, the fund's claim spent
    return;
  }
  // Both sides' cumulative funding moves by delta: every position pays delta x its base, rounded up.
  Amount collected;
  for (AccountId c(0); c.raw() < ledger.account_count(); ++c) {
    const Quantity s = ledger.position(c, m).size;
    if (s.raw() == 0 || Ledger::holds_coins_not_exposure(c)) continue;
    const Amount share(
        mul_div(*delta, abs_quantity(s).raw() * kBasePerQuantity, kFundingTimesBasePerQuote, Round::Up));
    ledger.transfer(c, a, share);
    collected += share;
  }
  LIQSIM_CHECK(collected >= rest, "the socialised loss covers the rest");
  // The rounding's excess goes to the fund; the account ends at zero.
  ledger.transfer(a, fund, collected - rest);
  rec.socialised = collected;
  rec.per_coin = Price(mul_div(*delta, kPriceScale, kDriftFundingRatePrecision, Round::Up));
  rec.open_base = Quantity(longs + shorts);
  recorder_.on_social_loss(rec);
  ch_.rearm_market(m);
}

}  // namespace liqsim
