#include "protocol/gmx_v2_mechanism.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {

namespace {

// $1 in GMX's 1e30 USD as micro-dollars (exact for the thresholds the registry gives: whole micro-dollars).
GmxUsd micro_dollars(GmxUsd usd30) { return usd30 / (kGmxFloatPrecision / 1'000'000); }

struct GmxV2Position {
  GmxUsd collateral;  // equity less PnL, at least 0
  GmxUsd size;        // |size| x mark
  GmxUsd pnl;         // size x mark - open notional (signed)
};

GmxV2Position gmx_v2_position(const ClearingHouse& ch, AccountId a, MarketId m) {
  const Position& p = ch.ledger().position(a, m);
  const __int128 value = __int128(p.size.raw()) * ch.mark(m).raw() / kQuantityScale;  // signed, toward zero
  const GmxUsd pnl = value - p.open_notional.raw();
  return GmxV2Position{std::max<GmxUsd>(0, ch.equity(a).raw() - pnl), value < 0 ? -value : value, pnl};
}

// applyFactor rounded up: -floor(-x f / 1e30).
GmxUsd apply_factor_up(GmxUsd value, GmxFactor factor) { return -gmx_apply_factor(-value, factor); }

}  // namespace

GmxV2Liquidation::GmxV2Liquidation(GmxV2MechanismParams params, ClearingHouse& ch, Recorder& recorder)
    : params_(params), ch_(ch), recorder_(recorder) {
  check_micro_ = params_.check;
  check_micro_.min_collateral_usd = micro_dollars(params_.check.min_collateral_usd);
}

GmxV2LiquidationCheck GmxV2Liquidation::check(AccountId a, MarketId m) const {
  const GmxV2Position g = gmx_v2_position(ch_, a, m);
  const GmxUsd position_fee = gmx_apply_factor(g.size, params_.position_fee_factor);
  return gmx_v2_is_position_liquidatable(g.size, g.collateral, g.pnl, 0, position_fee, check_micro_);
}

GmxV2CloseFees GmxV2Liquidation::close_fees(Amount size) const {
  // The collateral token is USDC: 6 decimals, one unit per micro-dollar; the position fee is
  // applyFactor(size, factor) / price (rounded down), the liquidation fee Calc.roundUpDivision of it.
  return GmxV2CloseFees{Amount(int64_t(gmx_apply_factor(size.raw(), params_.position_fee_factor))),
                        Amount(int64_t(apply_factor_up(size.raw(), params_.liquidation_fee_factor)))};
}

bool GmxV2Liquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  AccountState& st = ch_.ledger().account(a);
  if (st.in_liquidation) return false;  // an order is already pending
  st.in_liquidation = true;
  host.schedule_timer(a, host.now() + params_.keeper_delay);
  return false;
}

void GmxV2Liquidation::on_timer(MechanismHost& host, AccountId a) {
  Ledger& ledger = ch_.ledger();
  ledger.account(a).in_liquidation = false;
  // The keepers' order reverts unless the contract finds the position liquidatable; it is sent for
  // accounts the market's margin model finds below maintenance.
  const MarketId m = largest_exposure(ch_, a);
  if (!ledger.has_position(a) || !ch_.liquidatable(a) || !check(a, m).liquidatable) {
    ch_.arm(a);  // detection watches it again
    return;
  }
  const AccountId pool = place_account(Place::BackstopVault);
  const Amount size = notional(ch_.mark(m), abs_quantity(ledger.position(a, m).size), Round::Down);
  const GmxV2CloseFees fees = close_fees(size);
  // The pnl is settled against the pool at the mark (the position goes back to it).
  close_against_pool(ch_, recorder_, std::nullopt, a, m, pool, host.trigger_for(a));
  const Amount collateral = std::max(ledger.account(a).balance, Amount(0));
  const Amount total = fees.position_fee + fees.liquidation_fee;
  if (collateral >= total) {
    // Paid in full: the fee receiver's share of each fee, the rest to the pool.
    const auto receiver_share = [this](Amount fee) {
      return Amount(int64_t(gmx_apply_factor(fee.raw(), params_.fee_receiver_factor)));
    };
    const Amount to_receiver = receiver_share(fees.position_fee) + receiver_share(fees.liquidation_fee);
    ledger.pay_fee(a, to_receiver);
    ledger.transfer(a, pool, total - to_receiver);
  } else {
    ledger.transfer(a, pool, collateral);  // what the collateral pays is credited to the pool entirely
  }
  // A loss beyond the collateral is never paid: the pool bears it.
  if (!ledger.has_position(a) && ledger.account(a).balance.raw() < 0)
    ledger.transfer(pool, a, -ledger.account(a).balance);
  ch_.arm(a);
  // Another position of a cross account: the keepers' next order.
  if (ledger.has_position(a) && ch_.liquidatable(a)) on_liquidatable(host, a);
}

KeeperTakeover GmxV2Liquidation::on_transaction(MechanismHost&, AccountId, AccountId, const TxIntent&) {
  return {};
}

}  // namespace liqsim
