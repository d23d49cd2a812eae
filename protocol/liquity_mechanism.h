// Liquity v1's liquidation as a mechanism of the kernel (`liquity`): a trove (a long position and a
// debt, the market's margin model being the 110% MCR: `collateral_ratio` 1.1) below its minimum
// collateral ratio is liquidated by a keeper's transaction, in Normal Mode (TroveManager.
// _liquidateNormalMode, computed by protocol/liquity_liquidation.h): the liquidator receives 0.5% of the
// collateral and 200 LUSD from the gas pool; the Stability Pool offsets as much of the debt as it holds
// LUSD and receives that share of the collateral; the rest of the debt and collateral is redistributed
// to every other active trove in proportion to its collateral (Liquity's stakes, applied at once here
// rather than through the L_ETH / L_LUSDDebt accumulators: the same amounts, O(troves) per
// redistribution). The pool's depositors' accounting (product P, sums S) is the formula module's
// liquity_sp_offset, kept for the pool as a whole.
//
// Ledger mapping: the `stability_pool` place holds the depositors' LUSD (seeded from outside when the
// run is built) and the ETH it gains (a long position it keeps, as depositors do); the gas pool's 200
// LUSD per trove were minted when the trove was opened, before the run, so they come from the `outside`
// place when paid. The liquidator's reward in the LiquidationRecord is the collateral compensation at the
// mark, up to the trove's equity before (the part that is the trove's own money; below it the other
// troves pay the rest through the redistribution); the 200 LUSD are counted in gas_compensation_paid().
//
// Recovery Mode (TroveManager._liquidateRecoveryMode, when the market's TCR, computed over its troves at
// each liquidation, is below CCR 150%; formula module liquity_liquidate_recovery_mode): a trove at ICR <=
// 100% is redistributed without the pool; 100% < ICR < MCR as in Normal Mode; MCR <= ICR < TCR, when the
// pool holds the whole debt, is offset whole against collateral capped at debt x 110% / price, and the rest
// of its collateral stays with the borrower (Liquity's claimable surplus: here the account keeps it as
// its position, owing nothing). Troves above MCR are not found by detection (the margin model is the
// MCR): every `recovery_check` the mechanism computes each market's TCR and, in Recovery Mode, publishes
// the troves between the MCR and the TCR whose debt the pool covers (those a liquidation takes now),
// lowest ICR first (Liquity's SortedTroves), O(troves) per check.
//
// Not modelled: redemptions, the borrowing fee, depositors as agents, Recovery Mode's ban on
// withdrawals that lower the TCR. A trove with no other trove to redistribute to, or a short position (no
// collateral to offset), is absorbed by the insurance fund at its bankruptcy price and unwound into the
// book.
#pragma once

#include <optional>

#include "core/recorder.h"
#include "protocol/liquidation.h"
#include "protocol/liquity_liquidation.h"

namespace liqsim {

struct LiquityParams {
  Amount gas_compensation = Amount(200'000'000);  // LUSD_GAS_COMPENSATION: 200 LUSD
  bool recovery_mode = true;                      // false: Normal Mode always (a counterfactual)
  Time recovery_check = seconds(60);              // how often troves below the TCR are looked for
};

class LiquityMechanism final : public LiquidationMechanism {
 public:
  LiquityMechanism(LiquityParams params, ClearingHouse& ch, Recorder& recorder, ExecutionVenue& venue);
  std::string_view name() const override { return "liquity"; }
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  void on_timer(MechanismHost& host, AccountId a) override;
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  // The pool's accounting (deposits, ETH, P, S) after the offsets so far.
  const LiquityStabilityPool& pool() const { return pool_; }
  Amount gas_compensation_paid() const { return gas_paid_; }
  // Deposits `amount` of LUSD into the Stability Pool from outside (the run's builder).
  void seed_pool(Amount amount);

 private:
  // A trove: a non-place account whose largest exposure is a long, with a debt. Its market.
  std::optional<MarketId> trove_market(AccountId a) const;
  // The market's TCR over its troves at the mark (_getTCR), O(troves).
  LiquityDecimal tcr(MarketId m) const;
  // Recovery Mode's check: publishes, per market in Recovery Mode, the troves below its TCR.
  void check_recovery(MechanismHost& host);
  void ensure_check(MechanismHost& host);

  LiquityParams params_;
  ClearingHouse& ch_;
  Recorder& recorder_;
  ExecutionVenue& venue_;
  PlaceUnwinder unwinder_;
  LiquityStabilityPool pool_;
  Amount gas_paid_;
  bool checking_ = false;  // a Recovery Mode check is scheduled
};

}  // namespace liqsim
