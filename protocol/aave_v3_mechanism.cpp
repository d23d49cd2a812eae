#include "protocol/aave_v3_mechanism.h"

#include <limits>

#include "core/check.h"
#include "protocol/maker_math.h"

namespace liqsim {

namespace {
// The borrowable reserve: a $1 stablecoin priced at $1 by the oracle. Its balances are Aave token units of
// 8 decimals (Quantity), 100 per micro-dollar of the quote balance.
constexpr Price kDebtPrice = Price(kPriceScale);
constexpr int64_t kDebtUnitsPerAmount = kQuantityScale / kAmountScale;
static_assert(kQuantityScale % kAmountScale == 0);

Quantity debt_units(Amount debt) { return Quantity(debt.raw() * kDebtUnitsPerAmount); }
// Debt units to the quote's micro-dollars, rounded UP (the liquidator pays at least what Aave burns).
Amount debt_amount(Quantity units) {
  return Amount((units.raw() + kDebtUnitsPerAmount - 1) / kDebtUnitsPerAmount);
}
}  // namespace

AaveV3Liquidation::AaveV3Liquidation(AaveV3MechanismParams params, ClearingHouse& ch, Recorder& recorder,
                                     ExecutionVenue& venue)
    : params_(std::move(params)),
      borrow_index_(params_.borrow_rate, Time(0)),
      ch_(ch),
      recorder_(recorder),
      venue_(venue),
      unwinder_(ch, venue, ratio_from_double(0.05), seconds(1)) {
  LIQSIM_CHECK(params_.reserves.size() == ch.market_count(), "one Aave reserve configuration per market");
  LIQSIM_CHECK(params_.borrow_rate.raw() >= 0 && params_.accrual_interval > Time(0),
               "a negative borrow rate or a non-positive accrual interval");
  for (const AaveReserveConfig& r : params_.reserves) {
    LIQSIM_CHECK(validate_aave_collateral_config(0, r.liquidation_threshold_bps, r.liquidation_bonus_bps,
                                                 r.protocol_fee_bps)
                     .empty(),
                 "invalid Aave reserve configuration (validate the scenario first)");
    if (r.emode_liquidation_threshold_bps != 0)
      LIQSIM_CHECK(validate_aave_collateral_config(0, r.emode_liquidation_threshold_bps,
                                                   r.emode_liquidation_bonus_bps, r.protocol_fee_bps)
                       .empty(),
                   "invalid Aave e-mode configuration (validate the scenario first)");
  }
}

bool AaveV3Liquidation::in_category(AccountId a, MarketId m) const {
  return ch_.in_emode(a) && reserve(m).emode_liquidation_threshold_bps != 0;
}

int64_t AaveV3Liquidation::threshold_bps(AccountId a, MarketId m) const {
  return in_category(a, m) ? reserve(m).emode_liquidation_threshold_bps
                           : reserve(m).liquidation_threshold_bps;
}

int64_t AaveV3Liquidation::bonus_bps(AccountId a, MarketId m) const {
  return in_category(a, m) ? reserve(m).emode_liquidation_bonus_bps : reserve(m).liquidation_bonus_bps;
}

AaveV3Liquidation::AccountData AaveV3Liquidation::account_data(AccountId a) const {
  // GenericLogic.calculateUserAccountData over the account's collaterals and its one debt.
  const Ledger& ledger = ch_.ledger();
  std::vector<AaveCollateral> collateral;
  AccountData d;
  for (MarketId m(0); m.raw() < ledger.market_count(); ++m) {
    const Quantity size = ledger.position(a, m).size;
    if (size.raw() <= 0) continue;
    collateral.push_back({size, ch_.mark(m), threshold_bps(a, m)});
    d.collateral_value += aave_collateral_value(size, ch_.mark(m));
  }
  d.debt = std::max(Amount(0), -ledger.account(a).balance);
  d.health_factor = aave_health_factor(collateral, d.debt);
  return d;
}

AaveWad AaveV3Liquidation::health_factor(AccountId a) const { return account_data(a).health_factor; }

AaveCall AaveV3Liquidation::call(AccountId a, MarketId collateral) const {
  return call(a, collateral, account_data(a));
}

AaveCall AaveV3Liquidation::call(AccountId a, MarketId collateral, const AccountData& data) const {
  const Amount debt = data.debt;
  const Amount total_collateral_value = data.collateral_value;
  const AaveWad hf = data.health_factor;
  const Quantity held = std::max(Quantity(0), ch_.ledger().position(a, collateral).size);
  const Price price = ch_.mark(collateral);
  AaveCall c;
  c.market = collateral;
  if (params_.rules == AaveRules::V33) {
    // The liquidator passes type(uint256).max: the close factor decides (LiquidationLogic).
    AaveV33LiquidationInput in;
    in.debt_to_cover = debt_units(debt);
    in.reserve_debt = debt_units(debt);
    in.debt_price = kDebtPrice;
    in.user_collateral = held;
    in.collateral_price = price;
    in.liquidation_bonus_bps = bonus_bps(a, collateral);
    in.protocol_fee_bps = reserve(collateral).protocol_fee_bps;
    in.total_collateral_value = total_collateral_value;
    in.total_debt_value = debt;
    in.health_factor = hf;
    c.result = aave_v33_liquidation(in);
    if (c.result.outcome == AaveLiquidationOutcome::MustNotLeaveDust) {
      // The whole amount would leave less than $1,000 of this collateral: a liquidator passes the largest
      // amount that leaves $1,000 of it, (value - $1,000) / bonus of debt (the dust rule does not revert
      // what it leaves), and the call is tried once more.
      const Amount reserve_value = aave_collateral_value(held, price);
      const Amount spare = reserve_value - kAaveMinLeftoverBase - Amount(1);
      if (spare.raw() > 0) {
        in.debt_to_cover = Quantity(aave_percent_div(debt_units(spare).raw(), in.liquidation_bonus_bps));
        c.result = aave_v33_liquidation(in);
      }
    }
  } else if (hf < kAaveLiquidationHfThreshold && debt.raw() > 0 && held.raw() > 0) {
    // aave-v3-core: _calculateDebt with the 50% / 100% close factor, then the same seizure; no dust rule
    // and no deficit.
    const Quantity max_debt = aave_v30_max_liquidatable_debt(debt_units(debt), hf);
    c.result.seizure = aave_collateral_to_liquidate(
        max_debt, kDebtPrice, price, held, bonus_bps(a, collateral), reserve(collateral).protocol_fee_bps);
    c.result.outcome = AaveLiquidationOutcome::Liquidated;
  }
  if (c.result.outcome == AaveLiquidationOutcome::Liquidated) {
    c.repaid = debt_amount(c.result.seizure.debt_repaid);
    c.fee_cash = aave_collateral_value(c.result.seizure.protocol_fee, price);
    c.seized_value = aave_collateral_value(c.result.seizure.total_collateral(), price);
  }
  return c;
}

std::optional<AaveCall> AaveV3Liquidation::best_call(AccountId a) const {
  if (!is_lending_borrower(ch_, a) || !ch_.liquidatable(a)) return std::nullopt;
  const AccountData data = account_data(a);
  if (data.health_factor >= kAaveLiquidationHfThreshold) return std::nullopt;
  std::optional<AaveCall> best;
  for (MarketId m(0); m.raw() < ch_.market_count(); ++m) {
    if (ch_.ledger().position(a, m).size.raw() <= 0) continue;
    AaveCall c = call(a, m, data);
    if (c.result.outcome != AaveLiquidationOutcome::Liquidated) continue;
    if (c.result.seizure.total_collateral().raw() <= 0) continue;
    if (!best || c.gain() > best->gain()) best = c;
  }
  return best;
}

bool AaveV3Liquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  if (!is_lending_borrower(ch_, a)) {
    absorb_into_fund_now(host, ch_, recorder_, unwinder_, venue_, a);
    return ch_.liquidatable(a);
  }
  host.publish_opportunity(a);  // liquidationCall is permissionless
  return true;
}

void AaveV3Liquidation::on_start(MechanismHost& host) {
  if (params_.borrow_rate.raw() > 0)
    host.schedule_timer(place_account(Place::LendingPool), host.now() + params_.accrual_interval);
}

void AaveV3Liquidation::accrue_interest(Time now) {
  const Ray before = borrow_index_.value();
  borrow_index_.accrue(now);
  const Ray after = borrow_index_.value();
  if (after == before) return;
  Ledger& ledger = ch_.ledger();
  using Wide = unsigned __int128;
  for (AccountId a(kPlaceCount); a.raw() < ledger.account_count(); ++a) {
    if (!is_lending_borrower(ch_, a)) continue;
    const Amount debt = -ledger.account(a).balance;
    // debt x after / before, rounded up, in 256 bits (a debt times a ray does not fit 128).
    const maker::Uint256 scaled = maker::Uint256(Wide(debt.raw())) * maker::Uint256(Wide(after.raw()));
    const maker::Uint256 divisor(Wide(before.raw()));
    maker::Uint256 grown = scaled / divisor;
    if (!(scaled % divisor).is_zero()) grown = grown + maker::Uint256(1);
    const maker::Uint256 interest = grown - maker::Uint256(Wide(debt.raw()));
    if (interest.is_zero()) continue;
    LIQSIM_CHECK(interest < maker::Uint256(Wide(std::numeric_limits<int64_t>::max())),
                 "interest beyond Amount");
    ledger.transfer(a, place_account(Place::LendingPool), Amount(int64_t(interest.low())));
    ch_.arm(a);
  }
}

void AaveV3Liquidation::on_timer(MechanismHost& host, AccountId a) {
  if (a == place_account(Place::LendingPool)) {
    accrue_interest(host.now());
    host.schedule_timer(a, host.now() + params_.accrual_interval);
    return;
  }
  if (Ledger::is_place(a)) unwinder_.on_timer(host, a);
}

KeeperTakeover AaveV3Liquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                 const TxIntent& intent) {
  KeeperTakeover out;
  if (intent.action != TxAction::Liquidate) return out;
  const std::optional<AaveCall> c = best_call(a);
  if (!c) return out;
  Ledger& ledger = ch_.ledger();
  const MarketId m = c->market;
  const Price mark = ch_.mark(m);
  const Quantity seized = c->result.seizure.total_collateral();
  // One transaction: the keeper repays, receives the collateral and pays the treasury its fee; it reverts
  // when the keeper cannot carry what it received.
  Ledger::Transaction tx(ledger);
  ledger.trade(keeper, a, m, seized, c->repaid);
  if (c->fee_cash.raw() > 0) ledger.fund_credit(keeper, c->fee_cash);
  if (ch_.liquidatable(keeper)) {
    tx.revert();
    out.outcome = KeeperOutcome::KeeperUndercollateralised;
    return out;
  }
  // v3.3 _burnBadDebt: the call took all the collateral, so every debt left is burned into the reserve
  // deficit; v3.0-3.2 leave it unpaid on an account that holds nothing, recorded here as bad debt too.
  const Amount left = ledger.account(a).balance;
  if (left.raw() < 0 && (c->result.no_collateral_left || !ledger.has_position(a))) ledger.write_off(a, -left);
  tx.commit();
  out.outcome = KeeperOutcome::Liquidated;
  out.liquidation = ch_.next_liquidation_id();
  out.market = m;
  out.quantity = seized;
  out.price = price_for(c->repaid, seized, Round::Down);
  out.reward = c->gain();
  LiquidationRecord rec =
      liquidation_record(a, m, mark, LiquidationMechanismKind::Keeper, host.trigger_for(a));
  rec.id = out.liquidation->raw();
  rec.quantity = -seized;
  rec.price = out.price;
  rec.keeper = keeper.raw();
  rec.reward = std::max(Amount(0), out.reward);
  commit_liquidation(ch_, recorder_, rec);
  ch_.arm(a);
  ch_.arm(keeper);
  return out;
}

std::optional<LiquidationQuote> AaveV3Liquidation::quote(AccountId a, Time) const {
  const std::optional<AaveCall> c = best_call(a);
  if (!c) return std::nullopt;
  LiquidationQuote q;
  q.market = c->market;
  q.take = c->result.seizure.total_collateral();
  q.value = c->seized_value;
  q.reward = c->gain();
  return q;
}

}  // namespace liqsim
