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

LiquityDecimal LiquityMechanism::tcr(MarketId m) const {
  const Ledger& ledger = ch_.ledger();
  LiquityDecimal coll = 0, debt = 0;
  for (AccountId j(kPlaceCount); j.raw() < ledger.account_count(); ++j) {
    if (trove_market(j) != m) continue;
    coll += liquity_from_quantity(ledger.position(j, m).size);
    debt += liquity_from_amount(-ledger.account(j).balance);
  }
  return liquity_collateral_ratio(coll, debt, liquity_from_price(ch_.mark(m)));
}

void LiquityMechanism::ensure_check(MechanismHost& host) {
  if (checking_ || !params_.recovery_mode) return;
  checking_ = true;
  host.schedule_timer(place_account(Place::StabilityPool), host.now() + params_.recovery_check);
}

void LiquityMechanism::check_recovery(MechanismHost& host) {
  const Ledger& ledger = ch_.ledger();
  for (MarketId m(0); m.raw() < ledger.market_count(); ++m) {
    const LiquityDecimal price = liquity_from_price(ch_.mark(m));
    LiquityDecimal system_coll = 0, system_debt = 0;
    std::vector<std::pair<LiquityDecimal, AccountId>> troves;  // (ICR, trove)
    for (AccountId j(kPlaceCount); j.raw() < ledger.account_count(); ++j) {
      if (trove_market(j) != m) continue;
      const LiquityDecimal coll = liquity_from_quantity(ledger.position(j, m).size);
      const LiquityDecimal debt = liquity_from_amount(-ledger.account(j).balance);
      system_coll += coll;
      system_debt += debt;
      troves.emplace_back(liquity_collateral_ratio(coll, debt, price), j);
    }
    if (!liquity_recovery_mode(liquity_collateral_ratio(system_coll, system_debt, price))) continue;
    // TroveManager._getTotalsFromLiquidateTrovesSequence_RecoveryMode: from the lowest ICR up, each trove
    // the sequence would liquidate leaves the system's totals (and its debt the pool), until the TCR is
    // back above 150%. Troves below the MCR are detection's (the margin model's); published here are the
    // capped ones Recovery Mode adds, which a keeper's bot would find liquidatable when it simulates the
    // sequence.
    std::sort(troves.begin(), troves.end());
    LiquityDecimal lusd_in_sp =
        liquity_from_amount(std::max(Amount(0), ledger.account(place_account(Place::StabilityPool)).balance));
    for (const auto& [icr, j] : troves) {
      const LiquityDecimal system = liquity_collateral_ratio(system_coll, system_debt, price);
      if (!liquity_recovery_mode(system) || icr >= system) break;
      const LiquityDecimal coll = liquity_from_quantity(ledger.position(j, m).size);
      const LiquityDecimal debt = liquity_from_amount(-ledger.account(j).balance);
      const LiquityLiquidation t = liquity_liquidate_recovery_mode(coll, debt, price, lusd_in_sp, system);
      if (t.kind == LiquityLiquidationKind::NotLiquidated) break;  // Liquity's sequence stops here too
      if (t.kind == LiquityLiquidationKind::Capped) host.publish_opportunity(j);
      // What leaves the system: the offset debt; the collateral sent to the pool, the gas compensation and
      // the surplus (the redistributed rest stays with the other troves).
      system_debt -= std::min(system_debt, t.debt_to_offset);
      system_coll -= std::min(system_coll, t.coll_to_sp + t.coll_gas_compensation + t.coll_surplus);
      lusd_in_sp -= std::min(lusd_in_sp, t.debt_to_offset);
    }
  }
}

bool LiquityMechanism::on_liquidatable(MechanismHost& host, AccountId a) {
  ensure_check(host);
  if (!trove_market(a)) {
    absorb_into_fund_now(host, ch_, recorder_, unwinder_, venue_, a);
    return ch_.liquidatable(a);
  }
  host.publish_opportunity(a);  // TroveManager.liquidate is permissionless and pays its caller
  return true;
}

void LiquityMechanism::on_timer(MechanismHost& host, AccountId a) {
  if (a == place_account(Place::StabilityPool)) {
    checking_ = false;
    check_recovery(host);
    ensure_check(host);
    return;
  }
  if (!Ledger::is_place(a)) return;
  unwinder_.on_timer(host, a);
}

KeeperTakeover LiquityMechanism::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                const TxIntent& intent) {
  KeeperTakeover out;
  if (intent.action != TxAction::Liquidate) return out;
  const std::optional<MarketId> market = trove_market(a);
  if (!market) return out;
  const MarketId m = *market;
  Ledger& ledger = ch_.ledger();
  const AccountId pool = place_account(Place::StabilityPool);
  const Quantity coll = ledger.position(a, m).size;
  const Amount debt = -ledger.account(a).balance;
  const Price mark = ch_.mark(m);
  // TroveManager.liquidate: _liquidateRecoveryMode when the system's TCR is below 150%, else
  // _liquidateNormalMode, over the trove's collateral and debt and the pool's LUSD.
  const LiquityDecimal lusd_in_sp = liquity_from_amount(std::max(Amount(0), ledger.account(pool).balance));
  const LiquityDecimal system = params_.recovery_mode ? tcr(m) : kLiquityInfiniteCr;
  const bool recovery = liquity_recovery_mode(system);
  if (!recovery && !ch_.liquidatable(a)) return out;
  const LiquityLiquidation terms =
      recovery ? liquity_liquidate_recovery_mode(liquity_from_quantity(coll), liquity_from_amount(debt),
                                                 liquity_from_price(mark), lusd_in_sp, system)
               : liquity_liquidate_normal_mode(liquity_from_quantity(coll), liquity_from_amount(debt),
                                               liquity_from_price(mark), lusd_in_sp);
  if (terms.kind == LiquityLiquidationKind::NotLiquidated) return out;  // by Liquity's own rule
  // Ledger units: what the liquidator and the pool get, rounded down; the redistribution takes exactly the
  // rest of the collateral and of the debt, so the trove ends flat with nothing owed, or (capped in
  // Recovery Mode) with its surplus collateral and no debt.
  const bool capped = terms.kind == LiquityLiquidationKind::Capped;
  const Quantity coll_gas = std::min(coll, liquity_to_quantity(terms.coll_gas_compensation, Round::Down));
  const Quantity coll_sp = std::min(coll - coll_gas, liquity_to_quantity(terms.coll_to_sp, Round::Down));
  const Amount offset = std::min(debt, liquity_to_amount(terms.debt_to_offset, Round::Down));
  const Quantity surplus = capped ? coll - coll_gas - coll_sp : Quantity(0);
  const Quantity coll_rest = capped ? Quantity(0) : coll - coll_gas - coll_sp;
  const Amount debt_rest = debt - offset;
  LIQSIM_CHECK(!capped || debt_rest.raw() == 0, "a capped liquidation offsets the whole debt");
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
  LIQSIM_CHECK(ledger.position(a, m).size == surplus, "a liquidated trove keeps only its surplus");
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = ch_.next_liquidation_id();
  out.market = m;
  out.quantity = coll_gas;
  out.price = Price(0);
  out.reward = std::min(notional(mark, coll_gas, Round::Down), std::max(Amount(0), equity_before));
  LiquidationRecord rec = liquidation_record(a, m, mark, LiquidationMechanismKind::Keeper, trigger);
  rec.id = out.liquidation->raw();
  rec.quantity = -(coll - surplus);
  rec.price = price_for(debt, coll - surplus, Round::Down);  // the debt per coin the trove gave up
  rec.keeper = keeper.raw();
  rec.reward = out.reward;
  commit_liquidation(ch_, recorder_, rec);
  absorb_shortfall(ch_, a);
  ch_.arm(a);
  ch_.arm(keeper);
  return out;
}

}  // namespace liqsim
