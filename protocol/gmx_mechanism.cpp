#include "protocol/gmx_mechanism.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {

namespace {

struct GmxPosition {
  GmxUsd collateral;  // equity less PnL, at least 0
  GmxUsd size;        // |size| x mark
  GmxUsd pnl;         // size x mark - open notional (signed)
};

// The account's position in m as GMX sees it, in micro-dollars.
GmxPosition gmx_position(const ClearingHouse& ch, AccountId a, MarketId m) {
  const Position& p = ch.ledger().position(a, m);
  const Price mark = ch.mark(m);
  const __int128 value = __int128(p.size.raw()) * mark.raw() / kQuantityScale;  // signed, toward zero
  const GmxUsd pnl = value - p.open_notional.raw();
  const GmxUsd equity = ch.equity(a).raw();
  return GmxPosition{std::max<GmxUsd>(0, equity - pnl), value < 0 ? -value : value, pnl};
}

}  // namespace

GmxV1Liquidation::GmxV1Liquidation(GmxMechanismParams params, ClearingHouse& ch, Recorder& recorder)
    : params_(params), ch_(ch), recorder_(recorder) {}

GmxV1Params GmxV1Liquidation::formula_params() const {
  GmxV1Params p;
  p.margin_fee_basis_points = params_.margin_fee_basis_points;
  p.liquidation_fee_usd = params_.liquidation_fee.raw();  // micro-dollars, like the values passed
  p.max_leverage = params_.max_leverage;
  return p;
}

GmxV1LiquidationCheck GmxV1Liquidation::check(AccountId a, MarketId m) const {
  const GmxPosition g = gmx_position(ch_, a, m);
  return gmx_v1_validate_liquidation(g.collateral, g.size, g.pnl, 0, formula_params());
}

GmxV1LiquidationState GmxV1Liquidation::state(AccountId a, MarketId m) const {
  if (ch_.ledger().position(a, m).size.raw() == 0) return GmxV1LiquidationState::Healthy;
  return check(a, m).state;
}

bool GmxV1Liquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  host.publish_opportunity(a);  // Vault.liquidatePosition by a position keeper
  return true;
}

KeeperTakeover GmxV1Liquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                const TxIntent& intent) {
  KeeperTakeover out;
  const std::optional<MarketId> market = pool_liquidation_market(ch_, a, intent);
  if (!market) return out;
  const MarketId m = *market;
  Ledger& ledger = ch_.ledger();
  const GmxV1LiquidationCheck terms = check(a, m);
  if (terms.state == GmxV1LiquidationState::Healthy) return out;
  const AccountId pool = place_account(Place::BackstopVault);
  // The position goes back to the pool at the mark (the oracle).
  out = close_against_pool(ch_, recorder_, keeper, a, m, pool, host.trigger_for(a));
  // The margin fees, at most what the account still holds, to the fee pool.
  const Amount balance = ledger.account(a).balance;
  ledger.pay_fee(a, std::clamp(Amount(int64_t(terms.margin_fees)), Amount(0), std::max(balance, Amount(0))));
  if (terms.state == GmxV1LiquidationState::Liquidate && !ledger.has_position(a)) {
    // The collateral left is the pool's; a loss beyond it is the pool's too; the pool pays the keeper.
    settle_against_pool(ledger, a, pool, pool);
    ledger.transfer(pool, keeper, params_.liquidation_fee);
  }
  absorb_shortfall(ch_, a);
  return out;
}

}  // namespace liqsim
