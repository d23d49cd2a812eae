#include "protocol/liquity_mechanism.h"

#include <algorithm>
#include <vector>

#include "core/check.h"

namespace liqsim {

LiquityMechanism::LiquityMechanism(LiquityParams params, ClearingHouse& ch, Recorder& recorder,
                                   ExecutionVenue& venue)
    : params_(params),
      ch_(ch),
      recorder_(recorder),
      venue_(venue),
      unwinder_(ch, venue, ratio_from_double(0.05), seconds(1)) {}

void LiquityMechanism::seed_pool(Amount amount) {
  if (amount.raw() <= 0) return;
  ch_.ledger().deposit(place_account(Place::StabilityPool), amount);
  pool_.total_deposits += liquity_from_amount(amount);
}

std::optional<MarketId> LiquityMechanism::trove_market(AccountId a) const {
  if (Ledger::is_place(a)) return std::nullopt;
  const MarketId m = largest_exposure(ch_, a);
  const Ledger& ledger = ch_.ledger();
  if (ledger.position(a, m).size.raw() <= 0 || ledger.account(a).balance.raw() >= 0) return std::nullopt;
  return m;
}

bool LiquityMechanism::on_liquidatable(MechanismHost& host, AccountId a) {
  if (!trove_market(a)) {
    absorb_into_fund_now(host, ch_, recorder_, unwinder_, venue_, a);
    return ch_.liquidatable(a);
  }
  host.publish_opportunity(a);  // TroveManager.liquidate is permissionless and pays its caller
  return true;
}

void LiquityMechanism::on_timer(MechanismHost& host, AccountId a) {
  if (!Ledger::is_place(a)) return;
  unwinder_.on_timer(a, host.now());
  unwinder_.schedule_pending(host);
}

KeeperTakeover LiquityMechanism::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                const TxIntent& intent) {
  KeeperTakeover out;
  if (intent.action != TxAction::Liquidate || !ch_.liquidatable(a)) return out;
  const std::optional<MarketId> market = trove_market(a);
  if (!market) return out;
  const MarketId m = *market;
  Ledger& ledger = ch_.ledger();
  const AccountId pool = place_account(Place::StabilityPool);
  const Quantity coll = ledger.position(a, m).size;
  const Amount debt = -ledger.account(a).balance;
  const Price mark = ch_.mark(m);
  // TroveManager._liquidateNormalMode over the trove's collateral and debt and the pool's LUSD.
  const LiquityLiquidation terms = liquity_liquidate_normal_mode(
      liquity_from_quantity(coll), liquity_from_amount(debt), liquity_from_price(mark),
      liquity_from_amount(std::max(Amount(0), ledger.account(pool).balance)));
  if (terms.kind == LiquityLiquidationKind::NotLiquidated) return out;  // ICR >= MCR by Liquity's own rule
  // Ledger units: what the liquidator and the pool get, rounded down; the redistribution takes exactly the
  // rest of the collateral and of the debt, so the trove ends flat with nothing owed.
  const Quantity coll_gas = std::min(coll, liquity_to_quantity(terms.coll_gas_compensation, Round::Down));
  const Quantity coll_sp = std::min(coll - coll_gas, liquity_to_quantity(terms.coll_to_sp, Round::Down));
  const Amount offset = std::min(debt, liquity_to_amount(terms.debt_to_offset, Round::Down));
  const Quantity coll_rest = coll - coll_gas - coll_sp;
  const Amount debt_rest = debt - offset;
  // The other active troves of this market and their stakes (their collateral), for a redistribution.
  std::vector<std::pair<AccountId, Quantity>> others;
  __int128 stakes = 0;
  if (coll_rest.raw() > 0 || debt_rest.raw() > 0) {
    for (AccountId j(kPlaceCount); j.raw() < ledger.account_count(); ++j) {
      if (j == a || trove_market(j) != m) continue;
      const Quantity s = ledger.position(j, m).size;
      others.emplace_back(j, s);
      stakes += s.raw();
    }
    // Liquity refuses to liquidate the last trove; here it goes to the insurance fund.
    if (others.empty()) {
      absorb_into_fund_now(host, ch_, recorder_, unwinder_, venue_, a);
      return out;
    }
  }
  const LiquidationTrigger trigger = host.trigger_for(a);
  const Amount equity_before = ch_.equity(a);
  if (coll_gas.raw() > 0) ledger.trade(keeper, a, m, coll_gas, Amount(0));
  ledger.transfer(place_account(Place::Outside), keeper,
                  params_.gas_compensation);  // the gas pool's 200 LUSD
  gas_paid_ += params_.gas_compensation;
  if (coll_sp.raw() > 0)
    ledger.trade(pool, a, m, coll_sp, offset);
  else if (offset.raw() > 0)
    ledger.transfer(pool, a, offset);
  if (terms.debt_to_offset > 0) pool_ = liquity_sp_offset(pool_, terms.debt_to_offset, terms.coll_to_sp);
  // Redistribution in proportion to collateral, rounded down; the last trove takes what rounding left.
  Quantity coll_left = coll_rest;
  Amount debt_left = debt_rest;
  for (size_t k = 0; k < others.size(); ++k) {
    const auto [j, stake] = others[k];
    const bool last = k + 1 == others.size();
    const Quantity cj =
        last ? coll_left : Quantity(int64_t(__int128(coll_rest.raw()) * stake.raw() / stakes));
    const Amount dj = last ? debt_left : Amount(int64_t(__int128(debt_rest.raw()) * stake.raw() / stakes));
    if (cj.raw() > 0)
      ledger.trade(j, a, m, cj, dj);
    else if (dj.raw() > 0)
      ledger.transfer(j, a, dj);
    coll_left -= cj;
    debt_left -= dj;
    if (cj.raw() > 0 || dj.raw() > 0) ch_.arm(j);
  }
  LIQSIM_CHECK(ledger.position(a, m).size.raw() == 0, "a liquidated trove keeps collateral");
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = ch_.next_liquidation_id();
  out.market = m;
  out.quantity = coll_gas;
  out.price = Price(0);
  out.reward = std::min(notional(mark, coll_gas, Round::Down), std::max(Amount(0), equity_before));
  LiquidationRecord rec;
  rec.id = out.liquidation->raw();
  rec.time = trigger.now;
  rec.account = a.raw();
  rec.market = m.raw();
  rec.quantity = -coll;
  rec.mark = mark;
  rec.price = price_for(debt, coll, Round::Down);  // the debt per coin the trove gave up
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
