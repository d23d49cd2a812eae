// GMX v2's position liquidation as a mechanism of the kernel (`gmx_v2`): the protocol's own liquidation
// keepers close positions against the market's pool (GM) at the oracle price, unpaid by the trader. The
// decision and the fees come from gmx-io/gmx-synthetics:
//   - PositionUtils.isPositionLiquidatable: remaining = collateral + pnl + price impact - the close's
//     position fee; liquidatable when remaining < minCollateralUsd ($1), <= 0, or < size x
//     minCollateralFactor (config/markets.ts ETH/USD: 0.5%). The negative price impact counted is capped at
//     size x maxPositionImpactFactorForLiquidations, 0 on every market of config/markets.ts, and a positive
//     one counts as 0: the check counts no impact, and the close applies none (see below).
//   - LiquidationUtils.createLiquidationOrder: the order's executionFee is 0 and only LIQUIDATION_KEEPER
//     roles execute it (LiquidationHandler.executeLiquidation, onlyLiquidationKeeper): GMX runs its keepers,
//     the trader pays them nothing. Here they act `keeper_delay` after detection flags the account.
//   - PositionPricingUtils.getPositionFees with isLiquidation: the position fee (positionFeeFactor x size,
//     the negative-impact factor 0.06%, rounded down to the collateral token's unit) and the liquidation fee
//     (liquidationFeeFactor x size, 0.20%, rounded UP to the unit); of each, applyFactor(fee,
//     feeReceiverFactor) (37%, config/general.ts) goes to the fee receiver (the fee_pool place), the rest to
//     the pool.
//   - DecreasePositionCollateralUtils: costs are paid from the collateral in the order pnl, then fees; when
//     the collateral cannot pay the fees in full, what it pays is credited to the pool entirely; a loss
//     beyond the collateral is never paid (an insolvent close: the pool bears it, no insurance fund). What
//     is left after the costs goes back to the account (the order's receiver is the position's owner).
// Collateral is the quote (USDC: 6 decimals, the ledger's micro-dollars, so token amounts are Amounts),
// the collateral value is the account's equity less the position's PnL (size x mark - open notional).
// The formula compares and multiplies only, so it runs on micro-dollars ($1 = 1e6 here; factors stay 1e30).
//
// Not modelled: price impact on the close (the pool's open-interest imbalance; capped at 0 in the check),
// borrowing and funding fees, the open-interest scaling of minCollateralFactor, referral discounts; a cross
// account with several positions is closed one position per keeper order, largest first.
#pragma once

#include "core/recorder.h"
#include "protocol/gmx_liquidation.h"
#include "protocol/liquidation.h"

namespace liqsim {

struct GmxV2MechanismParams {
  GmxV2LiquidationParams check{kGmxFloatPrecision / 200, kGmxFloatPrecision, 0};  // 0.5%, $1 (in 1e30)
  GmxFactor position_fee_factor = kGmxFloatPrecision * 6 / 10'000;                // 0.06%
  GmxFactor liquidation_fee_factor = kGmxFloatPrecision * 20 / 10'000;            // 0.20%
  GmxFactor fee_receiver_factor = kGmxFloatPrecision * 37 / 100;                  // 37%
  Time keeper_delay = seconds(1);
};

// The costs of closing one position, in micro-dollars (Amount).
struct GmxV2CloseFees {
  Amount position_fee;     // applyFactor(size, positionFeeFactor), rounded down
  Amount liquidation_fee;  // applyFactor(size, liquidationFeeFactor), rounded up
};

class GmxV2Liquidation final : public LiquidationMechanism {
 public:
  GmxV2Liquidation(GmxV2MechanismParams params, ClearingHouse& ch, Recorder& recorder);
  std::string_view name() const override { return "gmx_v2"; }
  // The keepers' order for a flagged account executes keeper_delay later, one at a time per account (the
  // account's in_liquidation flag marks an order pending).
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  // LiquidationHandler.executeLiquidation on the account's largest position, when isPositionLiquidatable.
  void on_timer(MechanismHost& host, AccountId a) override;
  // Nobody else may liquidate: outside keepers' transactions move nothing.
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  // isPositionLiquidatable for account a's position in m (not empty) at the mark.
  GmxV2LiquidationCheck check(AccountId a, MarketId m) const;
  // The position and liquidation fees of closing a position of this size ($, micro-dollars).
  GmxV2CloseFees close_fees(Amount size) const;

 private:
  GmxV2MechanismParams params_;
  GmxV2LiquidationParams check_micro_;  // the check's dollar thresholds in micro-dollars
  ClearingHouse& ch_;
  Recorder& recorder_;
};

}  // namespace liqsim
