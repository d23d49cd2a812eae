#include "protocol/clearing_house.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.h"

namespace liqsim {

ClearingHouse::ClearingHouse(std::vector<ProtocolMarket> markets)
    : ledger_(static_cast<uint32_t>(markets.size())),
      markets_(std::move(markets)),
      alert_multiple_(ledger_.account_count()),  // rows for the places, which the ledger opened
      emode_(ledger_.account_count()),
      triggers_(static_cast<uint32_t>(markets_.size())),
      adl_(static_cast<uint32_t>(markets_.size())),
      adl_version_(ledger_.account_count()) {}

AccountId ClearingHouse::open_account(AgentRole role, MarginMode mode, Amount deposit) {
  const AccountId a = ledger_.open_account(role, mode);
  alert_multiple_.push_back(Ratio(0));
  emode_.push_back(0);
  adl_version_.push_back(0);
  if (deposit.raw() > 0) ledger_.deposit(a, deposit);
  return a;
}

void ClearingHouse::deposit(AccountId a, Amount amount) {
  ledger_.deposit(a, amount);
  arm(a);
}

void ClearingHouse::set_alert(AccountId a, std::optional<Ratio> multiple) {
  alert_multiple_[a.raw()] = multiple.value_or(Ratio(0));
}

void ClearingHouse::set_emode(AccountId a, bool on) {
  LIQSIM_CHECK(!ledger_.has_position(a), "e-mode switched on an account holding positions");
  emode_[a.raw()] = on ? 1 : 0;
}

void ClearingHouse::apply_fill(MarketId m, const Fill& fill, bool taker_fee_waived) {
  const bool taker_buys = fill.taker_side == Side::Buy;
  const AccountId buyer = taker_buys ? fill.taker_owner : fill.maker_owner;
  const AccountId seller = taker_buys ? fill.maker_owner : fill.taker_owner;
  // Trade cash is floor(price * quantity); the same amount leaves the buyer and reaches the seller.
  const Amount cash = notional(fill.price, fill.quantity, Round::Down);
  ledger_.trade(buyer, seller, m, fill.quantity, cash);
  const ProtocolMarket& pm = markets_[m.raw()];
  if (!taker_fee_waived && pm.taker_fee.raw() != 0)
    ledger_.pay_fee(fill.taker_owner, apply(cash, pm.taker_fee, Round::Up));
  if (pm.maker_fee.raw() > 0) {
    ledger_.pay_fee(fill.maker_owner, apply(cash, pm.maker_fee, Round::Up));
  } else if (pm.maker_fee.raw() < 0) {
    ledger_.pay_fee(fill.maker_owner, -apply(cash, -pm.maker_fee, Round::Down));  // rebate rounds down
  }
  arm(buyer);
  if (seller != buyer) arm(seller);
}

void ClearingHouse::apply_spot_fill(AssetId base, const Fill& fill, Ratio taker_fee, Ratio maker_fee) {
  const bool taker_buys = fill.taker_side == Side::Buy;
  const AccountId buyer = taker_buys ? fill.taker_owner : fill.maker_owner;
  const AccountId seller = taker_buys ? fill.maker_owner : fill.taker_owner;
  const Amount cash = notional(fill.price, fill.quantity, Round::Down);
  ledger_.transfer(buyer, seller, cash);
  ledger_.move(seller, buyer, base, AssetAmount(fill.quantity.raw()));
  if (taker_fee.raw() != 0) ledger_.pay_fee(fill.taker_owner, apply(cash, taker_fee, Round::Up));
  if (maker_fee.raw() > 0) {
    ledger_.pay_fee(fill.maker_owner, apply(cash, maker_fee, Round::Up));
  } else if (maker_fee.raw() < 0) {
    ledger_.pay_fee(fill.maker_owner, -apply(cash, -maker_fee, Round::Down));
  }
  if (ledger_.has_position(buyer)) arm(buyer);
  if (seller != buyer && ledger_.has_position(seller)) arm(seller);
}

Amount ClearingHouse::equity(AccountId a) const {
  Amount e = ledger_.account(a).balance;
  for (MarketId m(0); m.raw() < market_count(); ++m) {
    const Quantity s = ledger_.position(a, m).size;
    if (s.raw() != 0) e += notional(markets_[m.raw()].mark, s, Round::Down);
  }
  return e;
}

Amount ClearingHouse::equity_excluding(AccountId a, MarketId excluded) const {
  Amount e = ledger_.account(a).balance;
  for (MarketId m(0); m.raw() < market_count(); ++m) {
    const Quantity s = ledger_.position(a, m).size;
    if (m != excluded && s.raw() != 0) e += notional(markets_[m.raw()].mark, s, Round::Down);
  }
  return e;
}

Amount ClearingHouse::maintenance(AccountId a) const {
  Amount mm;
  for (MarketId m(0); m.raw() < market_count(); ++m) {
    const Quantity s = ledger_.position(a, m).size;
    if (s.raw() != 0) mm += margin_model(a, m).maintenance(s, markets_[m.raw()].mark);
  }
  return mm;
}

Health ClearingHouse::health(AccountId a) const {
  Health h{ledger_.account(a).balance, Amount(0)};
  for (MarketId m(0); m.raw() < market_count(); ++m) {
    const Quantity s = ledger_.position(a, m).size;
    if (s.raw() == 0) continue;
    h.value += notional(markets_[m.raw()].mark, s, Round::Down);
    h.requirement += margin_model(a, m).maintenance(s, markets_[m.raw()].mark);
  }
  return h;
}

bool ClearingHouse::liquidatable_at(AccountId a, MarketId which, Price mark) const {
  if (!ledger_.has_position(a)) return false;
  Amount equity = ledger_.account(a).balance;
  Amount mm;
  for (MarketId m(0); m.raw() < market_count(); ++m) {
    const Quantity s = ledger_.position(a, m).size;
    if (s.raw() == 0) continue;
    const Price p = m == which ? mark : markets_[m.raw()].mark;
    equity += notional(p, s, Round::Down);
    mm += margin_model(a, m).maintenance(s, p);
  }
  return equity < mm;
}

bool ClearingHouse::liquidatable(AccountId a) const {
  return ledger_.has_position(a) && health(a).below_requirement();
}

const MarginModel& ClearingHouse::scaled_model(AccountId a, MarketId m, Ratio multiple) {
  if (scaled_models_.size() < 2 * markets_.size()) scaled_models_.resize(2 * markets_.size());
  const MarginModel& base = margin_model(a, m);
  auto& cache = scaled_models_[2 * m.raw() + (&base == markets_[m.raw()].margin.get() ? 0 : 1)];
  for (const auto& [k, model] : cache)
    if (k == multiple) return *model;
  cache.emplace_back(multiple, base.scaled(multiple));
  return *cache.back().second;
}

std::optional<Price> ClearingHouse::single_position_trigger(AccountId a, MarketId m, Ratio multiple) {
  // The model's trigger for an account holding only this position, from its exact equity at the mark
  // (the model absorbs the rounding of the test equity < MM).
  const Quantity s = ledger_.position(a, m).size;
  const Price mark = markets_[m.raw()].mark;
  const Amount equity_at_mark = ledger_.account(a).balance + notional(mark, s, Round::Down);
  const MarginModel& model =
      multiple == Ratio(kRatioScale) ? margin_model(a, m) : scaled_model(a, m, multiple);
  return model.trigger(s, mark, equity_at_mark);
}

void ClearingHouse::arm_market_position(AccountId a, MarketId m, uint32_t version, Amount buffer,
                                        Amount total_notional, TriggerKind kind) {
  // Conservative bound for several positions sharing one balance: give market m the share of the
  // buffer (equity - k * MM) proportional to its notional; a move of the mark smaller than
  // share / (|s| * (1 + k * max MMR)) cannot consume that share, so while no market crosses its
  // trigger the account cannot have become liquidatable.
  const Quantity s = ledger_.position(a, m).size;
  const Quantity abs_size = s.raw() < 0 ? -s : s;
  const Price mark = markets_[m.raw()].mark;
  const Amount abs_notional = notional(mark, abs_size, Round::Up);
  Price trigger = mark;
  if (buffer.raw() > 0 && total_notional.raw() > 0) {
    const Amount share = Amount(mul_div(buffer.raw(), abs_notional.raw(), total_notional.raw(), Round::Down));
    const Ratio multiple = kind == TriggerKind::Liquidation ? Ratio(kRatioScale) : alert_multiple_[a.raw()];
    const Ratio slope =
        Ratio(kRatioScale) + apply(margin_model(a, m).max_maintenance_rate(), multiple, Round::Up);
    // move = floor(floor(share * 1e8 / |s|) * 1e9 / slope) = floor(share * 1e17 / (|s| * slope)), in 128
    // bits: a dust position with a large buffer share moves further than any representable price.
    using Wide = __int128;
    const Wide move = Wide(share.raw()) * kQuantityScale * kRatioScale / (Wide(abs_size.raw()) * slope.raw());
    // A trigger beyond the price range means no representable mark of this market can consume its share
    // of the buffer: there is no trigger in range and no entry (as for a single position whose
    // liquidation price is out of range).
    const Wide target = s.raw() > 0 ? Wide(mark.raw()) - move : Wide(mark.raw()) + move;
    if (target < 0 || target > Wide(Price::max().raw())) return;
    trigger = Price(static_cast<int64_t>(target));
  }
  triggers_.add(m, s.raw() > 0, trigger, a, version, kind);
}

void ClearingHouse::arm(AccountId a) {
  // The protocol's places are never margin-checked: the backstop_vault place carries the positions of
  // impact-free liquidation fills, the outside world's balance is minus the deposits.
  if (Ledger::is_place(a)) return;
  AccountState& st = ledger_.account(a);
  const uint32_t version = ++st.trigger_version & 0x7fffffffu;
  st.trigger_version = version;
  // The protocol's places (an insurance fund or backstop vault holding a taken-over position) are never
  // liquidated nor deleveraged: they are the protocol's own book.
  if (Ledger::is_place(a)) return;
  push_adl(a);  // also when the account is flat: its old ADL entries go stale
  MarketId only(0);
  int count = 0;
  Amount total_notional;
  for (MarketId m(0); m.raw() < market_count(); ++m) {
    const Quantity s = ledger_.position(a, m).size;
    if (s.raw() == 0) continue;
    only = m;
    ++count;
    total_notional += notional(markets_[m.raw()].mark, s.raw() < 0 ? -s : s, Round::Up);
  }
  if (count == 0) return;
  const Ratio alert = alert_multiple_[a.raw()];
  if (count == 1) {
    const bool is_long = ledger_.position(a, only).size.raw() > 0;
    if (auto lp = single_position_trigger(a, only, Ratio(kRatioScale)))
      triggers_.add(only, is_long, *lp, a, version, TriggerKind::Liquidation);
    if (alert.raw() > 0)
      if (auto ap = single_position_trigger(a, only, alert))
        triggers_.add(only, is_long, *ap, a, version, TriggerKind::Alert);
  } else {
    const Health h = health(a);
    const Amount eq = h.value, mm = h.requirement;
    for (MarketId m(0); m.raw() < market_count(); ++m) {
      if (ledger_.position(a, m).size.raw() == 0) continue;
      arm_market_position(a, m, version, eq - mm, total_notional, TriggerKind::Liquidation);
      if (alert.raw() > 0)
        arm_market_position(a, m, version, eq - apply(mm, alert, Round::Up), total_notional,
                            TriggerKind::Alert);
    }
  }
  if (triggers_.size() > trigger_compact_at_) {
    triggers_.compact(
        [this](const TriggerEntry& e) { return e.version() == ledger_.account(e.account).trigger_version; });
    trigger_compact_at_ = 2 * triggers_.size() + 4096;  // as many stale entries as live ones at most
  }
}

double ClearingHouse::adl_score(AccountId c, MarketId m) const {
  const Position& p = ledger_.position(c, m);
  const double mark_value = to_double(notional(markets_[m.raw()].mark, p.size, Round::Down));
  const double equity = to_double(this->equity(c));
  return equity > 0 ? bitmex_adl_score(mark_value, to_double(p.open_notional), mark_value - equity) : -1e300;
}

double ClearingHouse::adl_bound(AccountId c, MarketId m) const {
  // Over the box of marks [adl_low_, adl_high_]: the largest PNL% and |MarkValue| and the smallest
  // equity, each widened for the rounding of the exact score (notionals floor to 1e-6 $, and
  // mark_value - (mark_value - equity) in doubles loses up to a few ulps of mark_value).
  const Position& p = ledger_.position(c, m);
  const double entry_value = to_double(p.open_notional);
  if (entry_value == 0.0) return 0.0;  // bitmex_adl_score is 0 (or -1e300)
  double equity_min = to_double(ledger_.account(c).balance) - 1e-5;
  for (MarketId j(0); j.raw() < market_count(); ++j) {
    const double q = to_double(ledger_.position(c, j).size);
    if (q == 0.0) continue;
    const double low = q * to_double(adl_low_[j.raw()]), high = q * to_double(adl_high_[j.raw()]);
    equity_min += std::min(low, high) - 1e-6 - 1e-12 * std::max(std::fabs(low), std::fabs(high));
  }
  const double q = to_double(p.size);
  const double low = q * to_double(adl_low_[m.raw()]), high = q * to_double(adl_high_[m.raw()]);
  const double widen = 1e-6 + 1e-12 * std::max(std::fabs(low), std::fabs(high));
  const double abs_value_max = std::max(std::fabs(low), std::fabs(high)) + widen;
  double pnl_max = (std::max(low, high) + widen - entry_value) / std::fabs(entry_value);
  pnl_max += 1e-9 * std::fabs(pnl_max) + 1e-15;
  return adl_score_upper_bound(pnl_max, abs_value_max, equity_min);
}

void ClearingHouse::push_adl(AccountId a) {
  if (adl_low_.empty()) return;     // not built yet: the first query builds from the ledger
  if (Ledger::is_place(a)) return;  // places are never deleveraged
  const uint32_t version = ++adl_version_[a.raw()] & 0x7fffffffu;
  adl_version_[a.raw()] = version;
  for (MarketId m(0); m.raw() < market_count(); ++m) {
    const Quantity s = ledger_.position(a, m).size;
    if (s.raw() == 0) continue;
    adl_.push(m, s.raw() > 0, AdlEntry{adl_bound(a, m), a, version << 1});
  }
  if (adl_.size() > adl_compact_at_) {
    adl_.compact([this](const AdlEntry& e) { return e.version() == adl_version_[e.account.raw()]; });
    adl_compact_at_ = 2 * adl_.size() + 4096;  // stale entries at most about the live ones: O(1) amortised
  }
}

void ClearingHouse::release_indexes() {
  triggers_.release();
  trigger_compact_at_ = 4096;
  adl_.release();
  adl_low_.clear();
  adl_high_.clear();
  adl_evaluated_.clear();
  adl_compact_at_ = 4096;
}

void ClearingHouse::rebuild_adl() {
  adl_low_.resize(market_count());
  adl_high_.resize(market_count());
  const Ratio one(kRatioScale), band = ratio_from_double(kAdlBand);
  for (MarketId m(0); m.raw() < market_count(); ++m) {
    adl_low_[m.raw()] = apply(markets_[m.raw()].mark, one - band, Round::Down);
    adl_high_[m.raw()] = apply(markets_[m.raw()].mark, one + band, Round::Up);
  }
  adl_.clear();
  adl_evaluated_.clear();
  adl_epoch_ = mark_epoch_;
  for (AccountId a(kPlaceCount); a.raw() < ledger_.account_count(); ++a)
    if (ledger_.has_position(a)) push_adl(a);
}

std::vector<AdlFill> ClearingHouse::adl_counterparties(MarketId m, bool bankrupt_is_long, AccountId exclude,
                                                       Quantity needed) {
  bool in_band = !adl_low_.empty();
  for (MarketId j(0); in_band && j.raw() < market_count(); ++j)
    in_band = adl_low_[j.raw()] <= markets_[j.raw()].mark && markets_[j.raw()].mark <= adl_high_[j.raw()];
  if (!in_band) rebuild_adl();
  if (adl_epoch_ != mark_epoch_) {
    // Exact keys of earlier marks are no longer bounds: those accounts get fresh bounds (a new version).
    for (const AccountId a : adl_evaluated_) push_adl(a);
    adl_evaluated_.clear();
    adl_epoch_ = mark_epoch_;
  }
  const bool side = !bankrupt_is_long;
  std::vector<AdlFill> fills;
  Quantity remaining = needed;
  // Every key in the heap bounds its account's current score from above, so an exact score on top is
  // the best remaining one (ties: the lower account id pops first, as in allocate_adl).
  while (remaining > Quantity(0) && !adl_.empty(m, side)) {
    const AdlEntry e = adl_.pop(m, side);
    if (e.version() != adl_version_[e.account.raw()]) continue;
    const Quantity size = ledger_.position(e.account, m).size;
    LIQSIM_CHECK(size.raw() != 0 && (size.raw() > 0) == side, "ADL entry of a position that changed unarmed");
    if (e.account == exclude) {
      adl_skipped_.push_back(e);
      continue;
    }
    if (e.exact()) {
      const Quantity available = side ? size : -size;
      const Quantity take = std::min(available, remaining);
      fills.push_back(AdlFill{e.account, take, e.key});
      remaining -= take;
      adl_skipped_.push_back(e);  // still exact until the caller trades and re-arms the account
      continue;
    }
    adl_evaluated_.push_back(e.account);
    double score = adl_score(e.account, m);
    if (std::isnan(score)) score = -std::numeric_limits<double>::infinity();  // NaN ranks last
    adl_.push(m, side, AdlEntry{score, e.account, e.version_exact | 1u});
  }
  // Exact keys stay for the next query at these marks (the chosen accounts' too, until they are re-armed);
  // `exclude` keeps its bound.
  for (const AdlEntry& e : adl_skipped_) adl_.push(m, side, e);
  adl_skipped_.clear();
  return fills;
}

void ClearingHouse::detect(MarketId m, std::vector<TriggerHit>& out) {
  scratch_.clear();
  triggers_.collect(m, markets_[m.raw()].mark, scratch_);
  // The popped accounts are scattered in memory: fetch their rows (state, position, alert) together
  // before the version checks and the callers' exact checks and re-arming touch them one by one.
  for (const TriggerEntry& e : scratch_) {
    __builtin_prefetch(&ledger_.account(e.account));
    __builtin_prefetch(&ledger_.position(e.account, m));
    __builtin_prefetch(&alert_multiple_[e.account.raw()]);
  }
  for (const TriggerEntry& e : scratch_) {
    if (e.version() != ledger_.account(e.account).trigger_version) continue;
    out.push_back(TriggerHit{e.account, m, e.kind()});
  }
}

void ClearingHouse::rearm_market(MarketId m) {
  for (AccountId a(0); a.raw() < ledger_.account_count(); ++a)
    if (ledger_.position(a, m).size.raw() != 0) arm(a);
}

std::pair<Amount, Amount> ClearingHouse::settle_funding(MarketId m, Ratio rate) {
  const Price mark = markets_[m.raw()].mark;
  const bool longs_pay = rate.raw() > 0;
  const Ratio magnitude = rate.raw() < 0 ? -rate : rate;
  Amount collected, paid, paid_by_longs;
  if (magnitude.raw() == 0) return {Amount(0), Amount(0)};
  for (AccountId a(0); a.raw() < ledger_.account_count(); ++a) {
    const Quantity s = ledger_.position(a, m).size;
    if (s.raw() == 0 || Ledger::holds_coins_not_exposure(a)) continue;
    const Quantity q = s.raw() < 0 ? -s : s;
    const bool pays = (s.raw() > 0) == longs_pay;
    if (pays) {
      const Amount amount = apply(notional(mark, q, Round::Up), magnitude, Round::Up);
      ledger_.pool_collect(a, amount);
      collected += amount;
      if (s.raw() > 0) paid_by_longs += amount;
    } else {
      const Amount amount = apply(notional(mark, q, Round::Down), magnitude, Round::Down);
      ledger_.pool_pay(a, amount);
      paid += amount;
      if (s.raw() > 0) paid_by_longs -= amount;
    }
  }
  LIQSIM_CHECK(collected >= paid, "funding paid out more than it collected");
  rearm_market(m);
  return {paid_by_longs, collected - paid};
}

}  // namespace liqsim
