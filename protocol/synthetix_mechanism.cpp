#include "protocol/synthetix_mechanism.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {

namespace {

// The ledger's fixed point in Synthetix's 18 decimals (exact: 1e-8 coin = 1e10, 1e-6 $ = 1e12).
SynthetixDecimal decimal_of(Quantity q) { return SynthetixDecimal(q.raw()) * 10'000'000'000LL; }
SynthetixDecimal decimal_of(Price p) { return SynthetixDecimal(p.raw()) * 1'000'000'000'000LL; }
SynthetixDecimal decimal_of(Amount a) { return SynthetixDecimal(a.raw()) * 1'000'000'000'000LL; }
// sUSD down to micro-dollars, rounded down (fees paid to the keeper).
Amount amount_down(SynthetixDecimal x) { return Amount(int64_t(x / 1'000'000'000'000LL)); }

struct SynthetixPosition {
  SynthetixDecimal size;    // signed, base units
  SynthetixDecimal price;   // the mark
  SynthetixDecimal margin;  // equity less PnL
  SynthetixDecimal pnl;     // size x mark - open notional
};

SynthetixPosition synthetix_position(const ClearingHouse& ch, AccountId a, MarketId m) {
  const Position& p = ch.ledger().position(a, m);
  const Price mark = ch.mark(m);
  const Amount value(int64_t(__int128(p.size.raw()) * mark.raw() / kQuantityScale));
  const Amount pnl = value - p.open_notional;
  return SynthetixPosition{decimal_of(p.size), decimal_of(mark), decimal_of(ch.equity(a) - pnl),
                           decimal_of(pnl)};
}

}  // namespace

SynthetixLiquidation::SynthetixLiquidation(SynthetixLiquidationParams params, ClearingHouse& ch,
                                           Recorder& recorder)
    : params_(params), ch_(ch), recorder_(recorder) {
  LIQSIM_CHECK(!synthetix_validate_liquidation_params(params_), "invalid Synthetix liquidation parameters");
}

bool SynthetixLiquidation::can_liquidate(AccountId a, MarketId m) const {
  const SynthetixPosition s = synthetix_position(ch_, a, m);
  return synthetix_can_liquidate(s.size, s.price, s.margin, s.pnl, 0, params_);
}

bool SynthetixLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  host.publish_opportunity(a);  // flagPosition is permissionless
  return true;
}

KeeperTakeover SynthetixLiquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                    const TxIntent& intent) {
  KeeperTakeover out;
  const std::optional<MarketId> market = pool_liquidation_market(ch_, a, intent);
  if (!market || !can_liquidate(a, *market)) return out;
  const MarketId m = *market;
  Ledger& ledger = ch_.ledger();
  const Quantity size = ledger.position(a, m).size;
  const Price mark = ch_.mark(m);
  const AccountId pool = place_account(Place::BackstopVault);
  const Amount fees = amount_down(synthetix_liquidation_fee(decimal_of(size), decimal_of(mark), params_)) +
                      amount_down(params_.keeper_liquidation_fee);
  out = close_against_pool(ch_, recorder_, keeper, a, m, pool, host.trigger_for(a));
  // The margin left is the stakers' (the fee pool); a loss beyond it is the debt pool's.
  if (!ledger.has_position(a)) settle_against_pool(ledger, a, pool, place_account(Place::FeePool));
  ledger.transfer(place_account(Place::Outside), keeper, fees);  // minted to the flagger-liquidator
  absorb_shortfall(ch_, a);
  return out;
}

}  // namespace liqsim
