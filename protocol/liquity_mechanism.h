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
// Not modelled: Recovery Mode (TCR < 150%: the formula module has it; the system's TCR needs totals the
// kernel does not keep yet), redemptions, the borrowing fee, depositors as agents. A trove with no other
// trove to redistribute to, or a short position (no collateral to offset), is absorbed by the insurance
// fund at its bankruptcy price and unwound into the book.
#pragma once

#include <optional>

#include "core/recorder.h"
#include "protocol/liquidation.h"
#include "protocol/liquity_liquidation.h"

namespace liqsim {

struct LiquityParams {
  Amount gas_compensation = Amount(200'000'000);  // LUSD_GAS_COMPENSATION: 200 LUSD
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

  LiquityParams params_;
  ClearingHouse& ch_;
  Recorder& recorder_;
  ExecutionVenue& venue_;
  PlaceUnwinder unwinder_;
  LiquityStabilityPool pool_;
  Amount gas_paid_;
};

}  // namespace liqsim
