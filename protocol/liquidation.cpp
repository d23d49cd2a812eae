#include "protocol/liquidation.h"

#include <algorithm>

#include "core/check.h"
#include "core/rng.h"

namespace liqsim {
namespace {

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

LiquidationRecord liquidation_record(AccountId a, MarketId m, Price mark, LiquidationMechanismKind kind,
                                     const LiquidationTrigger& trigger) {
  LiquidationRecord rec;
  rec.time = trigger.now;
  rec.account = a.raw();
  rec.market = m.raw();
  rec.mark = mark;
  rec.mechanism = kind;
  rec.mark_update = trigger.mark_update;
  rec.cause = record_liquidation(trigger.cause);
  return rec;
}

void commit_liquidation(ClearingHouse& ch, Recorder& recorder, const LiquidationRecord& rec) {
  ++ch.ledger().account(AccountId(rec.account)).liquidations;
  recorder.on_liquidation(rec);
}

bool is_lending_borrower(const ClearingHouse& ch, AccountId a) {
  if (Ledger::is_place(a)) return false;
  const Ledger& ledger = ch.ledger();
  if (ledger.account(a).balance.raw() >= 0) return false;
  bool any = false;
  for (MarketId m(0); m.raw() < ledger.market_count(); ++m) {
    const Quantity size = ledger.position(a, m).size;
    if (size.raw() < 0) return false;
    any = any || size.raw() > 0;
  }
  return any;
}

MarketId largest_exposure(const ClearingHouse& ch, AccountId a) {
  MarketId best(0);
  Amount best_mm = Amount(-1);
  for (MarketId m(0); m.raw() < ch.market_count(); ++m) {
    const Quantity s = ch.ledger().position(a, m).size;
    if (s.raw() == 0) continue;
    const Amount mm = ch.margin_model(a, m).maintenance(s, ch.mark(m));
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

namespace {

// The opposite positions of market m (longs when the bankrupt account is short), places and `exclude`
// left out, in account order, with their Hyperliquid sorting index.
std::vector<AdlCandidate> opposite_positions(const ClearingHouse& ch, MarketId m, bool bankrupt_is_long,
                                             AccountId exclude) {
  const Ledger& ledger = ch.ledger();
  const Price mark = ch.mark(m);
  std::vector<AdlCandidate> out;
  for (AccountId c(kPlaceCount); c.raw() < ledger.account_count(); ++c) {
    const Position& p = ledger.position(c, m);
    if (c == exclude || p.size.raw() == 0 || (p.size.raw() > 0) == bankrupt_is_long) continue;
    const Quantity held = abs_quantity(p.size);
    const Price entry = price_for(p.open_notional, p.size, Round::Down);
    out.push_back(AdlCandidate{
        c, held, hyperliquid_adl_index(mark, entry, notional(mark, held, Round::Down), ch.equity(c))});
  }
  return out;
}

// The counterparties of an ADL of `needed` in the order `ranking` gives them.
std::vector<AdlFill> adl_fills(ClearingHouse& ch, MarketId m, bool bankrupt_is_long, AccountId exclude,
                               Quantity needed, AdlRanking ranking, uint64_t seed,
                               LiquidationId liquidation) {
  if (ranking == AdlRanking::ProfitLeverage)
    return ch.adl_counterparties(m, bankrupt_is_long, exclude, needed);
  const std::vector<AdlCandidate> candidates = opposite_positions(ch, m, bankrupt_is_long, exclude);
  std::vector<AdlFill> fills;
  if (candidates.empty()) return fills;
  if (ranking == AdlRanking::Hyperliquid) {
    // The candidates are in account order: each fill's score by binary search, no per-account table.
    for (const auto& [c, q] : allocate_adl(candidates, needed)) {
      const auto it = std::lower_bound(candidates.begin(), candidates.end(), c,
                                       [](const AdlCandidate& x, AccountId id) { return x.account < id; });
      fills.push_back(AdlFill{c, q, it->score});
    }
    return fills;
  }
  // dYdX: from a random offsetting subaccount onwards, wrapping around; the score is the position in that
  // order.
  Rng rng(seed, StreamKind::Deleveraging, uint64_t(liquidation.raw()));
  const size_t start = size_t(rng.uniform_below(candidates.size()));
  Quantity remaining = needed;
  for (size_t k = 0; k < candidates.size() && remaining > Quantity(0); ++k) {
    const AdlCandidate& c = candidates[(start + k) % candidates.size()];
    const Quantity take = std::min(c.available, remaining);
    fills.push_back(AdlFill{c.account, take, double(k)});
    remaining -= take;
  }
  return fills;
}

}  // namespace

Quantity auto_deleverage(ClearingHouse& ch, Recorder& recorder, AccountId a, MarketId m,
                         LiquidationId liquidation, Time now, Price tick, AdlRanking ranking, uint64_t seed) {
  Ledger& ledger = ch.ledger();
  const Quantity size = ledger.position(a, m).size;
  const bool is_long = size.raw() > 0;
  const Amount equity_other = ch.equity_excluding(a, m);
  const Quantity needed = abs_quantity(size);
  const Amount total_cash = adl_long_receipt(equity_other, needed, size, tick);
  Quantity closed;
  Amount moved;
  // Counterparties in the ranking's order (profit x leverage: ClearingHouse::adl_counterparties, the order
  // of allocate_adl over every opposite position, without scanning them).
  for (const auto& [c, quantity, score] : adl_fills(ch, m, is_long, a, needed, ranking, seed, liquidation)) {
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

Execution close_into_book(ClearingHouse& ch, ExecutionVenue& venue, AccountId owner, MarketId m,
                          Quantity quantity, Ratio max_slippage, int64_t tag) {
  const bool is_long = ch.ledger().position(owner, m).size.raw() > 0;
  const Price mark = ch.mark(m);
  const Price tick = venue.tick_size(m);
  // Worst price no worse than max_slippage from the mark, on the tick grid (the venue keeps it there).
  const Ratio one = Ratio(kRatioScale);
  Price worst =
      is_long ? apply(mark, one - max_slippage, Round::Up) : apply(mark, one + max_slippage, Round::Down);
  worst = is_long ? round_up_to_tick(worst, tick) : round_down_to_tick(worst, tick);
  if (worst.raw() <= 0) worst = tick;
  const ExecutionRequest request{
      owner, is_long ? Side::Sell : Side::Buy, quantity, worst, /*reduce_only=*/true, tag};
  return venue.execute(m, request, /*taker_fee_waived=*/true);
}

Takeover take_over_at_bankruptcy(ClearingHouse& ch, AccountId a, MarketId m, AccountId taker, Price tick) {
  Ledger& ledger = ch.ledger();
  const Quantity size = ledger.position(a, m).size;
  LIQSIM_CHECK(size.raw() != 0, "a take-over of an empty position");
  LIQSIM_CHECK(Ledger::is_place(taker), "only a protocol place takes over a liquidated position");
  const Quantity q = abs_quantity(size);
  // The long side's receipt at the (clamped) bankruptcy price: a receives it for a long, pays it for a
  // short.
  const Amount cash = adl_long_receipt(ch.equity_excluding(a, m), q, size, tick);
  if (size.raw() > 0)
    ledger.trade(taker, a, m, q, cash);
  else
    ledger.trade(a, taker, m, q, cash);
  ch.arm(a);
  return Takeover{q, price_for(cash, q, size.raw() > 0 ? Round::Down : Round::Up)};
}

PlaceUnwinder::PlaceUnwinder(ClearingHouse& ch, ExecutionVenue& venue, Ratio max_slippage, Time retry)
    : ch_(ch),
      venue_(venue),
      max_slippage_(max_slippage),
      retry_(retry),
      tag_(size_t(kPlaceCount) * ch.market_count(), kNoId),
      scheduled_(kPlaceCount, 0) {
  LIQSIM_CHECK(retry_ > Time(0), "the retry delay of an unwinding round must be positive");
}

void PlaceUnwinder::took_over(AccountId place, MarketId m, LiquidationId id, Time now) {
  tag_[size_t(place.raw()) * ch_.market_count() + m.raw()] = id.raw();
  if (!scheduled_[place.raw()]) unwind(place, now);
}

void PlaceUnwinder::on_timer(AccountId place, Time now) {
  scheduled_[place.raw()] = 0;
  unwind(place, now);
}

void PlaceUnwinder::unwind(AccountId place, Time now) {
  bool left = false;
  for (MarketId m(0); m.raw() < ch_.market_count(); ++m) {
    const Quantity size = ch_.ledger().position(place, m).size;
    if (size.raw() == 0) continue;
    close_into_book(ch_, venue_, place, m, abs_quantity(size), max_slippage_,
                    tag_[size_t(place.raw()) * ch_.market_count() + m.raw()]);
    left = left || ch_.ledger().position(place, m).size.raw() != 0;
  }
  // An insurance fund left flat below zero lost more unwinding than it had: the rest is recorded as bad
  // debt. A backstop vault's result is its depositors' (Hyperliquid's HLP), gain or loss.
  const Amount balance = ch_.ledger().account(place).balance;
  if (!left && balance.raw() < 0 && place == place_account(Place::InsuranceFund))
    ch_.ledger().write_off(place, -balance);
  if (left && !scheduled_[place.raw()]) {
    scheduled_[place.raw()] = 1;
    pending_.emplace_back(place, now + retry_);
  }
}

bool health_at_or_below(const Health& health, Ratio threshold) {
  // equity / requirement <= threshold  <=>  equity * 1e9 <= threshold * requirement (requirement >= 0).
  return __int128(health.value.raw()) * kRatioScale <= __int128(threshold.raw()) * health.requirement.raw();
}

KeeperTakeTerms keeper_take_terms(const KeeperLiquidationParams& params, Quantity size, Price mark,
                                  const Health& health) {
  LIQSIM_CHECK(size.raw() != 0, "a keeper take-over of an empty position");
  const bool is_long = size.raw() > 0;
  const Quantity abs_size = abs_quantity(size);
  KeeperTakeTerms t;
  t.take = apply(abs_size, params.close_factor, Round::Up);
  if (t.take > abs_size) t.take = abs_size;
  // Aave v3 LiquidationLogic._calculateDebt: closeFactor = healthFactor > CLOSE_FACTOR_HF_THRESHOLD ?
  // DEFAULT_LIQUIDATION_CLOSE_FACTOR : MAX_LIQUIDATION_CLOSE_FACTOR (100%), i.e. whole at HF <= 0.95.
  if (params.full_close_below_health.raw() > 0 && health_at_or_below(health, params.full_close_below_health))
    t.take = abs_size;
  if (params.full_close_below.raw() > 0) {
    const Amount whole = notional(mark, abs_size, Round::Down);
    const Amount left = notional(mark, abs_size - t.take, Round::Down);
    if (whole <= params.full_close_below || left + left < params.full_close_below) t.take = abs_size;
  }
  // What the slice is worth in the account's equity at the mark (equity floors each signed notional,
  // ClearingHouse::equity): positive for a long (it gives up that value), negative for a short (closing
  // costs that much). The account's equity changes by cash_in - given_up, where cash_in is +cash for a
  // long and -cash for a short, so reward = given_up - cash_in exactly.
  const Quantity after = is_long ? size - t.take : size + t.take;
  const Amount given_up = notional(mark, size, Round::Down) - notional(mark, after, Round::Down);
  const Amount equity = health.value;
  if (equity.raw() <= 0) {
    // Nothing left to pay a bonus with: the keeper takes the slice at its value at the mark, and the
    // waterfall settles the account's slice at the bankruptcy price (execute()).
    t.bankrupt = true;
    t.cash = is_long ? given_up : -given_up;
    t.price = price_for(t.cash, t.take, is_long ? Round::Down : Round::Up);
    t.reward = Amount(0);
    return t;
  }
  const Ratio one = Ratio(kRatioScale);
  // The keeper buys a long below the mark and takes over a short above it, rounded against the account.
  const Price price =
      is_long ? apply(mark, one - params.bonus, Round::Down) : apply(mark, one + params.bonus, Round::Up);
  const Amount bonus_cash = notional(price, t.take, is_long ? Round::Down : Round::Up);
  const Amount bonus_reward = is_long ? given_up - bonus_cash : bonus_cash + given_up;
  if (bonus_reward <= equity) {
    t.cash = bonus_cash;
    t.price = price;
    t.reward = bonus_reward;
  } else {
    // The bonus is capped at the account's equity: Aave's seizure never exceeds the borrower's
    // collateral (LiquidationLogic._calculateAvailableCollateralToLiquidate caps the collateral at the
    // user's balance), and a configuration with liquidationThreshold x liquidationBonus <= 100%
    // (PoolConfigurator.configureReserveAsCollateral) keeps the bonus inside the borrower's own money at
    // the liquidation point. The remaining equity is exactly zero.
    t.cash = is_long ? given_up - equity : equity - given_up;
    t.price = price_for(t.cash, t.take, is_long ? Round::Down : Round::Up);
    t.reward = equity;
  }
  t.protocol_fee = apply(t.reward, params.protocol_fee, Round::Down);
  return t;
}

KeeperTakeover KeeperLiquidation::execute(AccountId keeper, AccountId a, const LiquidationTrigger& trigger) {
  KeeperTakeover out;
  if (!ch_.liquidatable(a)) return out;
  Ledger& ledger = ch_.ledger();
  const MarketId m = largest_exposure(ch_, a);
  const Quantity size = ledger.position(a, m).size;
  const bool is_long = size.raw() > 0;
  const Price mark = ch_.mark(m);
  const Amount equity_other = ch_.equity_excluding(a, m);
  const KeeperTakeTerms terms = keeper_take_terms(params_, size, mark, ch_.health(a));
  // The keeper's transaction is one ledger transaction: it reverts as a whole when the keeper cannot
  // carry the position it took over.
  Ledger::Transaction tx(ledger);
  if (is_long)
    ledger.trade(keeper, a, m, terms.take, terms.cash);
  else
    ledger.trade(a, keeper, m, terms.take, terms.cash);
  // The protocol's share of the bonus, from the keeper to the treasury (the insurance fund).
  if (terms.protocol_fee.raw() > 0) ledger.fund_credit(keeper, terms.protocol_fee);
  if (ch_.liquidatable(keeper)) {
    tx.revert();
    out.outcome = KeeperOutcome::KeeperUndercollateralised;
    return out;
  }
  if (terms.bankrupt) {
    // Settle the account's slice at its bankruptcy price, as EngineLiquidation settles a filled slice:
    // the fund pays the slice's share of the negative equity, recorded as bad debt (the Deficit place)
    // beyond the fund, as Aave v3.3 books the debt no collateral covers into the reserve's deficit.
    const Amount received = is_long ? terms.cash : -terms.cash;
    const Amount shortfall = bankruptcy_cash(equity_other, terms.take, size) - received;
    if (shortfall.raw() > 0)
      ledger.fund_debit(a, shortfall);
    else if (shortfall.raw() < 0)
      ledger.fund_credit(a, -shortfall);
  }
  tx.commit();
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = ch_.next_liquidation_id();
  out.market = m;
  out.quantity = is_long ? terms.take : -terms.take;
  out.price = terms.price;
  out.reward = terms.reward - terms.protocol_fee;  // the keeper's part of the bonus
  LiquidationRecord rec = liquidation_record(a, m, mark, LiquidationMechanismKind::Keeper, trigger);
  rec.id = out.liquidation->raw();
  rec.quantity = is_long ? -terms.take : terms.take;
  rec.price = out.price;
  rec.keeper = keeper.raw();
  rec.reward = out.reward;
  commit_liquidation(ch_, recorder_, rec);
  absorb_shortfall(ch_, a);
  ch_.arm(a);
  ch_.arm(keeper);
  return out;
}

}  // namespace liqsim

namespace liqsim {

KeeperLiquidation::KeeperLiquidation(KeeperLiquidationParams params, ClearingHouse& ch, Recorder& recorder,
                                     KeeperAbsorb absorb)
    : params_(params), ch_(ch), recorder_(recorder) {
  absorb_venue_ = absorb.venue;
  if (absorb.venue != nullptr) unwinder_.emplace(ch, *absorb.venue, absorb.max_slippage, absorb.retry);
}

std::optional<LiquidationId> absorb_into_fund(ClearingHouse& ch, Recorder& recorder, PlaceUnwinder& unwinder,
                                              Price tick, AccountId a, const LiquidationTrigger& trigger) {
  if (!ch.liquidatable(a)) return std::nullopt;
  Ledger& ledger = ch.ledger();
  const MarketId m = largest_exposure(ch, a);
  const Quantity size = ledger.position(a, m).size;
  if (size.raw() == 0) return std::nullopt;
  const AccountId fund = place_account(Place::InsuranceFund);
  const Takeover t = take_over_at_bankruptcy(ch, a, m, fund, tick);
  const LiquidationId id = ch.next_liquidation_id();
  // Protocol-driven, as the engine's take-overs: no keeper, no reward.
  LiquidationRecord rec = liquidation_record(a, m, ch.mark(m), LiquidationMechanismKind::Engine, trigger);
  rec.id = id.raw();
  rec.quantity = size.raw() > 0 ? -t.quantity : t.quantity;
  rec.price = t.price;
  commit_liquidation(ch, recorder, rec);
  // An account with other positions keeps them (its equity is 0 now); a flat one's clamped rest is the
  // waterfall's.
  absorb_shortfall(ch, a);
  ch.arm(a);
  unwinder.took_over(fund, m, id, trigger.now);
  return id;
}

KeeperTakeover close_against_pool(ClearingHouse& ch, Recorder& recorder, std::optional<AccountId> keeper,
                                  AccountId a, MarketId m, AccountId pool,
                                  const LiquidationTrigger& trigger) {
  Ledger& ledger = ch.ledger();
  const Quantity size = ledger.position(a, m).size;
  LIQSIM_CHECK(size.raw() != 0, "closing an empty position against a pool");
  const Price mark = ch.mark(m);
  const Quantity q = abs_quantity(size);
  if (size.raw() > 0)
    ledger.trade(pool, a, m, q, notional(mark, q, Round::Down));
  else
    ledger.trade(a, pool, m, q, notional(mark, q, Round::Up));
  ch.arm(a);
  if (keeper) ch.arm(*keeper);
  KeeperTakeover out;
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = ch.next_liquidation_id();
  out.market = m;
  out.price = mark;
  LiquidationRecord rec = liquidation_record(
      a, m, mark, keeper ? LiquidationMechanismKind::Keeper : LiquidationMechanismKind::Engine, trigger);
  rec.id = out.liquidation->raw();
  rec.quantity = -size;
  rec.price = mark;
  rec.keeper = keeper ? keeper->raw() : kNoId;
  commit_liquidation(ch, recorder, rec);
  return out;
}

std::optional<MarketId> pool_liquidation_market(const ClearingHouse& ch, AccountId a,
                                                const TxIntent& intent) {
  if ((intent.action != TxAction::Liquidate && intent.action != TxAction::Bark) || Ledger::is_place(a))
    return std::nullopt;
  const MarketId m = largest_exposure(ch, a);
  if (ch.ledger().position(a, m).size.raw() == 0) return std::nullopt;
  return m;
}

void settle_against_pool(Ledger& ledger, AccountId a, AccountId pool, AccountId to) {
  const Amount left = ledger.account(a).balance;
  if (left.raw() >= 0)
    ledger.transfer(a, to, left);
  else
    ledger.transfer(pool, a, -left);
}

bool absorb_into_fund_now(MechanismHost& host, ClearingHouse& ch, Recorder& recorder, PlaceUnwinder& unwinder,
                          ExecutionVenue& venue, AccountId a) {
  if (!ch.liquidatable(a)) return false;
  const Price tick = venue.tick_size(largest_exposure(ch, a));
  if (!absorb_into_fund(ch, recorder, unwinder, tick, a, host.trigger_for(a))) return false;
  unwinder.schedule_pending(host);
  return true;
}

void PlaceUnwinder::on_timer(MechanismHost& host, AccountId place) {
  on_timer(place, host.now());
  schedule_pending(host);
}

void PlaceUnwinder::schedule_pending(MechanismHost& host) {
  for (const auto& [place, at] : take_pending_timers()) host.schedule_timer(place, at);
}

bool KeeperLiquidation::absorb(AccountId a, const LiquidationTrigger& trigger) {
  if (!unwinder_ || !ch_.liquidatable(a)) return false;
  if (ch_.health(a).value.raw() > 0) return false;
  const MarketId m = largest_exposure(ch_, a);
  return absorb_into_fund(ch_, recorder_, *unwinder_, absorb_venue_->tick_size(m), a, trigger).has_value();
}

void KeeperLiquidation::schedule_unwinds(MechanismHost& host) {
  if (unwinder_) unwinder_->schedule_pending(host);
}

bool KeeperLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  if (absorb(a, host.trigger_for(a))) {
    schedule_unwinds(host);
    return ch_.liquidatable(a);  // a cross account may hold more: watch it again
  }
  host.publish_opportunity(a);
  return true;  // fires again at the next mark update while still liquidatable
}

void KeeperLiquidation::on_timer(MechanismHost& host, AccountId a) {
  if (!unwinder_ || !Ledger::is_place(a)) return;
  unwinder_->on_timer(host, a);
}

std::optional<LiquidationQuote> KeeperLiquidation::quote(AccountId a, Time) const {
  if (Ledger::is_place(a) || !ch_.liquidatable(a)) return std::nullopt;
  const MarketId m = largest_exposure(ch_, a);
  const Quantity size = ch_.ledger().position(a, m).size;
  if (size.raw() == 0) return std::nullopt;
  const Price mark = ch_.mark(m);
  const KeeperTakeTerms terms = keeper_take_terms(params_, size, mark, ch_.health(a));
  LiquidationQuote q;
  q.market = m;
  q.take = terms.take;
  q.value = notional(mark, terms.take, Round::Down);
  q.reward = terms.reward - terms.protocol_fee;
  return q;
}

KeeperTakeover KeeperLiquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                 const TxIntent& intent) {
  if (intent.action != TxAction::Liquidate) return {};
  return execute(keeper, a, host.trigger_for(a));
}

}  // namespace liqsim
