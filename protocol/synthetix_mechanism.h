// Synthetix Perps v2's liquidation as a mechanism of the kernel (`synthetix`): a keeper flags a position
// that canLiquidate and liquidates it (PerpsV2MarketLiquidate flagPosition + liquidatePosition; one
// transaction here, the flagger being the liquidator), closing it against the debt pool at the oracle
// price. Amounts come from the formula module protocol/synthetix_liquidation.h (PerpsV2MarketBase.sol).
//
// The debt pool (stakers) is every trader's counterparty: the `backstop_vault` place, which holds the
// other side of the positions opened at time 0. At the keeper's transaction, at the mark (the oracle):
// margin + PnL = the account's equity (PnL = size x mark - open notional), and canLiquidate compares the
// remaining margin less the liquidation premium (|size| / skewScale x |notional| x multiplier) with the
// liquidation margin (|notional| x buffer + the flag fee + the liquidator fee). If it holds:
// - the position goes back to the pool at the mark;
// - the flag fee (|notional| x feeRatio within [minKeeperFee, maxKeeperFee]) and the liquidator fee
//   (keeperLiquidationFee) are minted to the keeper (from the `outside` place);
// - what is left of the margin goes to the fee pool (the stakers'); a loss beyond it is the debt pool's.
// Nothing reaches a book. The keeper's fees are minted, not the account's money: the LiquidationRecord
// carries reward 0 (as Maker's Vow-paid incentives); keepers' balances show them.
//
// Not modelled: the two steps as separate transactions (flag and liquidate race separately on chain),
// the maxLiquidationDelta / maxPD limits and endorsed liquidators, funding, the premium's effect on the
// fill price (it is charged to the margin, which the stakers receive either way).
#pragma once

#include "core/recorder.h"
#include "protocol/liquidation.h"
#include "protocol/synthetix_liquidation.h"

namespace liqsim {

class SynthetixLiquidation final : public LiquidationMechanism {
 public:
  SynthetixLiquidation(SynthetixLiquidationParams params, ClearingHouse& ch, Recorder& recorder);
  std::string_view name() const override { return "synthetix"; }
  // A liquidatable account is an opportunity for keepers, published at every mark update while it lasts.
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  void on_timer(MechanismHost&, AccountId) override {}
  // Liquidate or Bark: flag and liquidate the account's largest position.
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  // _canLiquidate for account a's position in m at the mark.
  bool can_liquidate(AccountId a, MarketId m) const;

 private:
  SynthetixLiquidationParams params_;
  ClearingHouse& ch_;
  Recorder& recorder_;
};

}  // namespace liqsim
