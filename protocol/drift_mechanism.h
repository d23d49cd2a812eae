// Drift protocol v2's perp liquidation as a mechanism of the kernel (`drift`): keepers take over the
// position at the oracle price in steps, paid a liquidator fee that grows the longer the account waits, the
// account pays the insurance fund a fee scaled by how far it is from bankruptcy, and a loss beyond the
// account's money is paid by the fund up to the market's insurance claim, the rest socialised over every
// open position of the market through the cumulative funding rate. Amounts come from the formula module
// protocol/drift_liquidation.h; the sequence follows drift-labs/protocol-v2 controller/liquidation.rs
// (liquidate_perp, resolve_perp_bankruptcy), protocols.md 2.4.
//
// A keeper's transaction (liquidate_perp), at the mark (Drift's oracle):
// - the account enters liquidation when it is below its maintenance requirement and stays in it until its
//   equity covers the maintenance requirement plus the liquidation buffer (margin_buffer_ratio x notional,
//   MarginContext::liquidation): the shortage is measured against that;
// - the take is the base that covers the shortage (calculate_base_asset_amount_to_cover_margin_shortage,
//   with the market's maintenance ratio plus the buffer), at most the share the gradual schedule allows
//   (calculate_max_pct_to_liquidate: initial_pct, growing to 100% over liquidation_duration slots since
//   the liquidation began, applied to the margin freed so far), all of a position worth at most $50;
// - the keeper receives the base at its value at the mark (truncated), the account pays the keeper
//   value x liquidator fee (get_liquidation_fee: the base fee, then +1 ppm per slot since the liquidation
//   began after a 1,500-slot grace, capped at max_liquidator_fee) and the insurance fund value x IF fee
//   (calculate_perp_if_fee), both truncated;
// - a take that covers the whole shortage ends the liquidation; an account left flat with a negative
//   balance is bankrupt and resolved at once (resolve_perp_bankruptcy: the fund pays min(loss, fund - 1,
//   max_insurance_claim - claimed so far), the rest is charged to every open position of the market,
//   ceil(rest x 1e9 / open base) per coin, each position's share rounded up, the rounding excess to the
//   fund; with no open position the rest is recorded bad debt, the fund paying no more than its claim).
// The liquidator fee is charged even to an account without equity: its cost then reaches the fund and the
// socialised loss, as on Drift (the record's reward is the fee).
//
// Not modelled: the AMM fee pool's share of a bankruptcy (Drift pays from it between the fund and the
// socialisation), the liquidator's limit price and maximum base, order-step rounding, oracle guard rails,
// spot and PnL liquidations (one quote asset, USD).
#pragma once

#include <optional>
#include <unordered_map>
#include <vector>

#include "core/recorder.h"
#include "protocol/drift_liquidation.h"
#include "protocol/liquidation.h"

namespace liqsim {

struct DriftMechanismParams {
  int64_t liquidator_fee_ppm = 10'000;       // base liquidator fee (ppm of the value taken over)
  int64_t max_liquidator_fee_ppm = 50'000;   // the escalation's cap (= base: no escalation)
  int64_t if_liquidation_fee_ppm = 10'000;   // the insurance fund fee's cap (ppm)
  int64_t margin_buffer_ratio = 200;         // liquidation buffer over maintenance, 1e-4 (2%)
  int64_t initial_pct_to_liquidate = 1'000;  // 1e-4: share allowed at once (10%)
  int64_t liquidation_duration_slots = 150;  // slots for the share to reach 100% (~1 min)
  Time slot = millis(400);                   // Solana's slot
  // An account left in liquidation above maintenance (in the buffer, where detection does not fire) is
  // published to keepers again no more often than this (the run's shortest mark interval): keepers'
  // polling, without timers at slot rate for accounts nobody will take.
  Time min_republish = seconds(1);
  // Per market: the most the fund pays for bankruptcies (quote_max_insurance: $100M for contract tier A,
  // $10k B, $1k C, 0 speculative).
  Amount max_insurance_claim = Amount(100'000'000 * kAmountScale);
};

// What a liquidate_perp would do to account a now, without doing it (a keeper bot's simulation).
struct DriftTakeTerms {
  MarketId market;
  Quantity take;          // absolute base taken over, > 0
  Amount value;           // take x mark, truncated: what the keeper pays for a long, receives for a short
  Amount liquidator_fee;  // value x liquidator fee, from the account to the keeper
  Amount if_fee;          // value x IF fee, from the account to the insurance fund
  Amount shortage;        // maintenance + buffer - equity before the take, > 0
  bool ends_liquidation = false;  // the take covers the whole shortage
};

class DriftLiquidation final : public LiquidationMechanism {
 public:
  DriftLiquidation(DriftMechanismParams params, ClearingHouse& ch, Recorder& recorder);
  std::string_view name() const override { return "drift"; }
  // A liquidatable account enters liquidation (its clock starts) and is an opportunity for keepers, published
  // at every mark update while it lasts.
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  // An account still in liquidation in the buffer (above maintenance: detection does not fire) is
  // published again once the schedule has opened another initial share, at least min_republish later; one
  // whose shortage is gone leaves liquidation. A liquidatable one is left to detection.
  void on_timer(MechanismHost& host, AccountId a) override;
  // Liquidate: liquidate_perp on the account's largest exposure.
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  std::optional<LiquidationQuote> quote(AccountId a, Time now) const override;

  // The terms of a liquidate_perp against a at `now`: none when a is not in liquidation and not
  // liquidatable, has no shortage against maintenance + buffer, holds no position, or the schedule allows
  // nothing yet.
  std::optional<DriftTakeTerms> terms(AccountId a, Time now) const;
  bool in_liquidation(AccountId a) const { return state_.contains(a.raw()); }
  // Insurance paid so far for bankruptcies in market m (Drift's quote_settled_insurance).
  Amount insurance_claimed(MarketId m) const { return claimed_[m.raw()]; }

 private:
  struct InLiquidation {
    Time start;          // the slot the liquidation began (Drift's last_active_slot)
    Amount freed;        // margin freed since (Drift's liquidation_margin_freed)
    bool timer = false;  // a republication timer is pending
  };
  Amount shortage(AccountId a) const;  // maintenance + buffer - equity at the marks
  void resolve_bankruptcy(AccountId a, MarketId m, LiquidationId id, Time now);
  Time republish_after() const;
  void schedule_republication(MechanismHost& host, AccountId a);

  DriftMechanismParams params_;
  ClearingHouse& ch_;
  Recorder& recorder_;
  std::unordered_map<uint32_t, InLiquidation> state_;  // accounts in liquidation; looked up, never iterated
  std::vector<Amount> claimed_;                        // per market
};

}  // namespace liqsim
