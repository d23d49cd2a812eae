// GMX v1's position liquidation as a mechanism of the kernel (`gmx_v1`): keepers close positions against
// the pool at the oracle price, with no order book. Amounts and the decision come from the formula module
// protocol/gmx_liquidation.h (gmx-io/gmx-contracts VaultUtils.validateLiquidation, Vault.liquidatePosition).
//
// The pool (GLP) is every trader's counterparty: the `backstop_vault` place, which holds the other side of
// the positions opened at time 0. A keeper's transaction asks for validateLiquidation at the mark (the
// oracle): collateral = the account's equity less its position's PnL, size = |size| x mark, PnL = size x
// mark - the position's open notional (the formula compares and multiplies only, so it runs on
// micro-dollars; the liquidation fee is given in them).
// - State 1 (the loss or the fees exceed the collateral, or it is below fees + liquidationFeeUsd): the
//   position goes back to the pool at the mark, the margin fees (0.1% of the size, at most what is left)
//   go to the fee pool, the rest of the collateral to the pool, which also bears a loss beyond it (GLP
//   absorbs bad debt), and the pool pays the keeper liquidationFeeUsd ($5, setFees.js).
// - State 2 (leverage above maxLeverage, 50x): the whole position is closed against the pool, the margin
//   fees paid, the user keeps the rest; no liquidation fee.
// - State 0: not liquidatable, nothing moves.
// Nothing reaches the book: a GMX liquidation moves no price (the object of comparison with book venues).
// The keeper's fee is the pool's money, not the account's: the LiquidationRecord carries reward 0 (as
// Maker's Vow-paid incentives); keepers' balances show it.
//
// Not modelled: funding (borrow) fees, the pool's own liquidity limits, several collateral tokens, the
// keeper's execution fee; a cross account with several positions is closed one position per transaction,
// largest first.
#pragma once

#include "core/recorder.h"
#include "protocol/gmx_liquidation.h"
#include "protocol/liquidation.h"

namespace liqsim {

struct GmxMechanismParams {
  int64_t margin_fee_basis_points = 10;                // 0.1% of size (Vault.marginFeeBasisPoints)
  Amount liquidation_fee = Amount(5'000'000);          // liquidationFeeUsd: $5 (setFees.js), <= $100
  int64_t max_leverage = 50 * kGmxBasisPointsDivisor;  // 50x, in basis points
};

class GmxV1Liquidation final : public LiquidationMechanism {
 public:
  GmxV1Liquidation(GmxMechanismParams params, ClearingHouse& ch, Recorder& recorder);
  std::string_view name() const override { return "gmx_v1"; }
  // A liquidatable account is an opportunity for keepers, published at every mark update while it lasts.
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  void on_timer(MechanismHost&, AccountId) override {}
  // Liquidate or Bark: Vault.liquidatePosition on the account's largest position.
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  // validateLiquidation for account a's position in m at the mark (State 0, 1 or 2).
  GmxV1LiquidationState state(AccountId a, MarketId m) const;

 private:
  GmxV1Params formula_params() const;
  // validateLiquidation for a's position in m (not empty) at the mark.
  GmxV1LiquidationCheck check(AccountId a, MarketId m) const;

  GmxMechanismParams params_;
  ClearingHouse& ch_;
  Recorder& recorder_;
};

}  // namespace liqsim
