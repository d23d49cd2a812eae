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
                                           Recorder& recorder, Time flag_poll)
    : params_(params), ch_(ch), recorder_(recorder), flag_poll_(flag_poll) {
  LIQSIM_CHECK(!synthetix_validate_liquidation_params(params_), "invalid Synthetix liquidation parameters");
  LIQSIM_CHECK(flag_poll_ > Time(0), "the flag poll must be positive");
}

bool SynthetixLiquidation::can_liquidate(AccountId a, MarketId m) const {
  const SynthetixPosition s = synthetix_position(ch_, a, m);
  return synthetix_can_liquidate(s.size, s.price, s.margin, s.pnl, 0, params_);
}

bool SynthetixLiquidation::within_limits(AccountId a, MarketId m) const {
  const Ledger& ledger = ch_.ledger();
  // The market skew: the traders' net position, the debt pool holding the other side.
  const Quantity skew = -ledger.position(place_account(Place::BackstopVault), m).size;
  return synthetix_within_liquidation_limits(decimal_of(ledger.position(a, m).size), decimal_of(skew),
                                             params_);
}

bool SynthetixLiquidation::on_liquidatable(MechanismHost& host, AccountId a) {
  host.publish_opportunity(a);  // flagPosition is permissionless (and liquidatePosition, once flagged)
  return true;
}

void SynthetixLiquidation::on_timer(MechanismHost& host, AccountId a) {
  if (!flags_.contains(a.raw())) return;
  host.publish_opportunity(a);
  host.schedule_timer(a, host.now() + flag_poll_);
}

std::optional<LiquidationQuote> SynthetixLiquidation::quote(AccountId a, Time) const {
  LiquidationQuote q;
  if (const auto it = flags_.find(a.raw()); it != flags_.end()) {
    const Flag& flag = it->second;
    q.market = flag.market;
    q.beneficiary = flag.flagger;
    q.beneficiary_reward = amount_down(synthetix_liquidation_fee(
        decimal_of(ch_.ledger().position(a, flag.market).size), decimal_of(ch_.mark(flag.market)), params_));
    // A liquidation the limits would revert: only forceLiquidatePosition goes through, paying the
    // liquidator nothing.
    if (!within_limits(a, flag.market)) {
      q.action = TxAction::ForceLiquidate;
      return q;
    }
    q.reward = amount_down(params_.keeper_liquidation_fee);
    return q;
  }
  const std::optional<MarketId> market = pool_liquidation_market(ch_, a, TxIntent{});
  if (!market) return std::nullopt;
  q.action = TxAction::Bark;  // flagPosition
  q.market = *market;
  q.reward = amount_down(synthetix_liquidation_fee(decimal_of(ch_.ledger().position(a, *market).size),
                                                   decimal_of(ch_.mark(*market)), params_));
  return q;
}

KeeperTakeover SynthetixLiquidation::on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                                    const TxIntent& intent) {
  KeeperTakeover out;
  const auto it = flags_.find(a.raw());
  if (intent.action == TxAction::Liquidate) {
    // liquidatePosition: reverts unless flagged.
    return it != flags_.end() ? liquidate(host, keeper, a, it->second, false) : out;
  }
  if (intent.action == TxAction::ForceLiquidate) {
    // forceLiquidatePosition: flagged(account), and the sender endorsed.
    return it != flags_.end() && endorsed(keeper) ? liquidate(host, keeper, a, it->second, true) : out;
  }
  // flagPosition (Bark): reverts on a flagged position (notFlagged) or unless canLiquidate.
  if (intent.action != TxAction::Bark || it != flags_.end()) return out;
  const std::optional<MarketId> market = pool_liquidation_market(ch_, a, intent);
  if (!market || !can_liquidate(a, *market)) return out;
  flags_.emplace(a.raw(), Flag{keeper, *market});
  out.outcome = KeeperOutcome::Liquidated;  // the flag succeeded; nothing moved
  out.market = *market;
  host.publish_opportunity(a);
  host.schedule_timer(a, host.now() + flag_poll_);
  return out;
}

KeeperTakeover SynthetixLiquidation::liquidate(MechanismHost& host, AccountId keeper, AccountId a,
                                               const Flag& flag, bool forced) {
  KeeperTakeover out;
  const MarketId m = flag.market;
  Ledger& ledger = ch_.ledger();
  const Quantity size = ledger.position(a, m).size;
  if (size.raw() == 0 || (!forced && !within_limits(a, m))) return out;  // reverts: it stays flagged
  const AccountId flagger = flag.flagger;
  flags_.erase(a.raw());
  const Price mark = ch_.mark(m);
  const Amount flag_fee = amount_down(synthetix_liquidation_fee(decimal_of(size), decimal_of(mark), params_));
  const Amount liquidator_fee = forced ? Amount(0) : amount_down(params_.keeper_liquidation_fee);
  const AccountId pool = place_account(Place::BackstopVault);
  const AccountId outside = place_account(Place::Outside);
  out = close_against_pool(ch_, recorder_, keeper, a, m, pool, host.trigger_for(a));
  if (!ledger.has_position(a)) {
    // remainingMargin - totalFees (floored at 0) to the stakers; a loss beyond the margin is the pool's.
    const Amount remaining = ledger.account(a).balance;
    if (remaining > Amount(0)) ledger.transfer(a, outside, std::min(remaining, flag_fee + liquidator_fee));
    settle_against_pool(ledger, a, pool, place_account(Place::FeePool));
  }
  ledger.transfer(outside, flagger, flag_fee);  // minted
  ledger.transfer(outside, keeper, liquidator_fee);
  absorb_shortfall(ch_, a);
  return out;
}

}  // namespace liqsim
