// Synthetix Perps v2's liquidation as a mechanism of the kernel (`synthetix`): two keeper transactions,
// as on chain (PerpsV2MarketLiquidate.sol). flagPosition: a keeper flags a position that canLiquidate at
// the mark (the oracle); the position is frozen (its owner can no longer trade it or add margin) and the
// flag is published to keepers. liquidatePosition: any keeper liquidates a flagged position, without
// checking canLiquidate again, unless the liquidation limits revert it (maxLiquidationDelta > |size| /
// skewScale, maxPD > |market skew| / skewScale; the skew is every trader's net position, the opposite of
// the debt pool's). Amounts come from the formula module protocol/synthetix_liquidation.h
// (PerpsV2MarketBase.sol).
//
// The debt pool (stakers) is every trader's counterparty: the `backstop_vault` place, which holds the
// other side of the positions opened at time 0. canLiquidate at the mark: margin + PnL = the account's
// equity (PnL = size x mark - open notional), and the remaining margin less the liquidation premium
// (|size| / skewScale x |notional| x multiplier) is compared with the liquidation margin (|notional| x
// buffer + the flag fee + the liquidator fee). At liquidatePosition, at the mark then:
// - the position goes back to the pool at the mark;
// - the flag fee (|notional| x feeRatio within [minKeeperFee, maxKeeperFee]) is minted to the flagger and
//   the liquidator fee (keeperLiquidationFee) to the liquidating keeper, from the `outside` place;
// - the margin left less both fees goes to the fee pool (the stakers'; `remainingMargin - totalFees`,
//   floored at 0); the part of the margin the fees took goes back to `outside` (what the mint cost the
//   system); a loss beyond the margin is the debt pool's.
// Nothing reaches a book. The keepers' fees are minted, not the account's money: the LiquidationRecord
// carries reward 0 (as Maker's Vow-paid incentives); keepers' balances show them. A flagged position
// whose liquidation the limits revert stays flagged until they allow it or an endorsed liquidator (the
// keepers given to endorse()) calls forceLiquidatePosition: no limit checks and no liquidator fee (the
// flagger is still paid). Flagged positions are published again every `flag_poll` while they wait.
//
// Not modelled: funding, the premium's effect on the fill price (it is charged to the margin, which the
// stakers receive either way), delayed orders cancelled at the flag.
#pragma once

#include <map>
#include <set>

#include "core/recorder.h"
#include "protocol/liquidation.h"
#include "protocol/synthetix_liquidation.h"

namespace liqsim {

class SynthetixLiquidation final : public LiquidationMechanism {
 public:
  // flag_poll > 0: how often a flagged position is published again while it waits for its liquidation.
  SynthetixLiquidation(SynthetixLiquidationParams params, ClearingHouse& ch, Recorder& recorder,
                       Time flag_poll = seconds(60));
  std::string_view name() const override { return "synthetix"; }
  // A liquidatable account is an opportunity for keepers, published at every mark update while it lasts.
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  // A flagged position still waiting: published again.
  void on_timer(MechanismHost& host, AccountId a) override;
  // Bark: flagPosition (the account's largest position; reverts on a flagged one); Liquidate:
  // liquidatePosition (reverts on an unflagged one); ForceLiquidate: forceLiquidatePosition (reverts on an
  // unflagged one or from an account that is not endorsed). Any other action reverts.
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  // Unflagged: Bark, for the flag fee paid to the flagger when the position is liquidated; flagged:
  // Liquidate, for the liquidator fee, and the flag fee to the flagger if it liquidates; flagged but held
  // by the limits: ForceLiquidate, for nothing but the flag fee to the flagger (only endorsed accounts
  // may send it). Nothing is received: take and value 0.
  std::optional<LiquidationQuote> quote(AccountId a, Time now) const override;
  bool frozen(AccountId a) const override { return flags_.contains(a.raw()); }
  // PerpsV2MarketSettings' endorsed addresses (FuturesMarketManager.isEndorsed): may forceLiquidate.
  void endorse(AccountId a) { endorsed_.insert(a.raw()); }
  bool endorsed(AccountId a) const { return endorsed_.contains(a.raw()); }
  // _canLiquidate for account a's position in m at the mark.
  bool can_liquidate(AccountId a, MarketId m) const;
  // liquidatePosition's limits for account a's position in m now.
  bool within_limits(AccountId a, MarketId m) const;
  size_t flagged() const { return flags_.size(); }

 private:
  struct Flag {
    AccountId flagger;
    MarketId market;
  };
  // liquidatePosition, or forceLiquidatePosition when `forced` (no limits, no liquidator fee).
  KeeperTakeover liquidate(MechanismHost& host, AccountId keeper, AccountId a, const Flag& flag, bool forced);

  SynthetixLiquidationParams params_;
  ClearingHouse& ch_;
  Recorder& recorder_;
  Time flag_poll_;
  std::map<uint32_t, Flag> flags_;  // flagged accounts (by raw id)
  std::set<uint32_t> endorsed_;     // endorsed liquidators (by raw id)
};

}  // namespace liqsim
