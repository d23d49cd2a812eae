// EngineLiquidation: the protocol's liquidation engine closes a liquidatable account's position into
// the order book with reduce-only IOC orders, in the sequence of a named venue. In every sequence a
// partial close executes at market: the account keeps what is left, and liquidation stops as soon as
// it is compliant again (equity >= maintenance margin at the marks). Only a final take-over moves the
// rest of the position at the bankruptcy price, to a protocol place (the insurance fund, or
// Hyperliquid's liquidator vault) that unwinds it into the book (PlaceUnwinder); auto-deleveraging
// against opposite positions ranked by profit x leverage runs only when the book and that place have
// both failed.
//
// - Binance USDⓈ-M (binance.com/en/support/faq "Liquidation", protocols.md 1.1): IOC steps of
//   step_fraction (the whole position at or below full_close_below), a clearance fee on each executed
//   step paid to the insurance fund (at most what the account still holds); when the book cannot
//   absorb a step, or the account is beyond bankruptcy, the insurance fund takes the position over at
//   the bankruptcy price if its value covers the loss at the mark, otherwise ADL.
// - Hyperliquid (hyperliquid-docs trading/liquidations, protocols.md 2.2): market orders of 20% of a
//   position above $100k, the whole position below; for `cooldown` (30 s) after a liquidation every
//   liquidation order is for the whole position; no clearance fee, the user keeps the rest. When the
//   book has not made the account compliant and its equity is below 2/3 of the maintenance margin, the
//   liquidator vault (the `backstop_vault` place) takes the positions and margin (vector #27);
//   an account with negative equity is auto-deleveraged.
// - BitMEX (bitmex.com/app/liquidation, protocols.md 1.2): above the lowest risk limit the position is
//   stepped down to the next lower tier (MarginModel::lower_tier_size) with IOCs, one tier per step; in the
//   lowest tier, or when a step cannot be filled, the engine (insurance fund) takes the position over
//   at the bankruptcy price; a depleted fund means ADL.
// - dYdX v4 (x/clob/keeper/liquidations.go, protocols.md 2.1; formulas in protocol/dydx_liquidation.h):
//   one protocol IOC per block (`cooldown` is the block interval) of at most the block limit's notional
//   (max(min notional, 10% of the position), at most $100,000 per subaccount), its worst price the
//   fillable price (PNNV - ABR x SMMR x PMMR) / PS; each filled order settles with the insurance fund at
//   the bankruptcy quote: above it the account pays the difference as a fee, at most 1.5% of the quote;
//   below it the fund pays the loss, at most `max_insurance_lost_per_block` per block (beyond it no
//   liquidation order is sent until the next block). No take-over: an account with negative equity that
//   the fund cannot cover is deleveraged against opposite positions at its bankruptcy price (dYdX
//   iterates them from a random start; ours are ranked by profit x leverage, as on BitMEX).
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/check.h"
#include "core/recorder.h"
#include "protocol/clearing_house.h"
#include "protocol/dydx_liquidation.h"
#include "protocol/liquidation.h"
#include "protocol/liquidation_mechanism.h"

namespace liqsim {

enum class EngineSequence : uint8_t { Binance, Hyperliquid, Bitmex, Dydx };

// "binance", "hyperliquid", "bitmex", "dydx".
std::string_view engine_sequence_name(EngineSequence sequence);

struct EngineLiquidationParams {
  EngineSequence sequence = EngineSequence::Binance;
  Ratio step_fraction;      // Binance / Hyperliquid: share of the position one step sends
  Amount full_close_below;  // Binance / Hyperliquid: positions at or below this notional go whole
  // Binance / BitMEX: time between steps on one account; Hyperliquid: the window after a liquidation
  // in which every liquidation order is for the whole position.
  Time cooldown;
  Ratio max_slippage;              // IOC limit = mark * (1 -/+ max_slippage)
  Ratio clearance_fee = Ratio(0);  // Binance: share of each executed step's value paid to the fund
  // Delay before retrying a step that closed nothing, and Hyperliquid's next check: at least one mark
  // interval, so the retry sees a new mark and a book that had time to refill. Must be > 0.
  Time no_progress_retry = seconds(1);
  // dYdX: the liquidations config (genesis.sh defaults) and the most the insurance fund may lose in one
  // block ($1,000,000 in genesis.sh).
  DydxLiquidationsConfig dydx;
  Amount dydx_max_insurance_lost_per_block = Amount(1'000'000'000'000);
  // The order of ADL's counterparties, and the run's seed for dYdX's random start.
  AdlRanking adl_ranking = AdlRanking::ProfitLeverage;
  uint64_t adl_seed = 0;
};

// The quantity one book step sends for a position of `abs_size` at `mark` (0: no book step, the
// sequence goes to its take-over). Binance and Hyperliquid: step_fraction of it rounded up, all of it at
// or below full_close_below of notional (Hyperliquid vector #28: $250,000 -> $50,000) or, for
// Hyperliquid, inside the whole-position window. BitMEX: down to the largest size of the tier below
// the position's (MarginModel::lower_tier_size); 0 in the lowest tier. dYdX: the block limit's
// notional (dydx_max_liquidatable_notional, vector #34) over the mark, rounded down, the whole position
// when the limit covers it.
Quantity engine_step_quantity(const EngineLiquidationParams& params, const MarginModel& model,
                              Quantity abs_size, Price mark, bool whole_position_window);

// Hyperliquid's backstop rule: equity < 2/3 x maintenance margin (vector #27: MM 1,250, equity 900 goes
// to the book, 800 to the vault), compared exactly.
bool hyperliquid_backstop(Amount equity, Amount maintenance);

// Binance's clearance fee on a step that executed `executed_value`: rate x value rounded down, at most
// the account's equity after the step (never below 0): the fee never makes a deficit.
Amount clearance_fee(Ratio rate, Amount executed_value, Amount equity_after);

class EngineLiquidation final : public LiquidationMechanism {
 public:
  EngineLiquidation(EngineLiquidationParams params, ClearingHouse& ch, ExecutionVenue& venue,
                    Recorder& recorder);

  // One step on account a. Returns the time of the next step, or nullopt when the account is compliant
  // again or has nothing left to close (it is then re-armed). Take-overs ask for unwinding rounds of
  // the taking place (take_pending_timers).
  std::optional<Time> step(AccountId a, const LiquidationTrigger& trigger);
  // One unwinding round of a place that took over positions.
  void unwind_round(AccountId place, Time now) { unwinder_.on_timer(place, now); }
  std::vector<std::pair<AccountId, Time>> take_pending_timers() { return unwinder_.take_pending_timers(); }

  // LiquidationMechanism: detection hands the account to a step now or, for Binance and BitMEX, when
  // its cool-down ends (the cool-down holds between any two steps on an account, also across
  // episodes); each step's next step is a timer, and so is each unwinding round of a place.
  std::string_view name() const override { return "engine"; }
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  void on_timer(MechanismHost& host, AccountId a) override;
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;

  const EngineLiquidationParams& params() const { return params_; }
  uint64_t adl_events() const { return adl_events_; }
  uint64_t takeovers() const { return takeovers_; }

 private:
  // The place that takes over what the book does not: Hyperliquid's liquidator vault, else the fund.
  AccountId taker() const;
  // The rest of a's position in m goes to the taker at the bankruptcy price if it can bear it, else it
  // is auto-deleveraged; one LiquidationRecord when something moved. False when nothing could (ADL found
  // no counterparty): the step made no progress and is not retried at the same instant.
  bool take_over_or_deleverage(AccountId a, MarketId m, const LiquidationTrigger& trigger);
  // Auto-deleverages a's position in m, recorded with `rec` (its id is set here); false when no
  // counterparty took anything (nothing recorded).
  bool deleverage(AccountId a, MarketId m, const LiquidationTrigger& trigger, LiquidationRecord rec);
  // dYdX's block: one IOC at the fillable price, the insurance-fund settlement, deleveraging.
  std::optional<Time> dydx_step(AccountId a, const LiquidationTrigger& trigger);
  void schedule_unwinds(MechanismHost& host);

  EngineLiquidationParams params_;
  ClearingHouse& ch_;
  ExecutionVenue& venue_;
  Recorder& recorder_;
  PlaceUnwinder unwinder_;
  uint64_t adl_events_ = 0;
  uint64_t takeovers_ = 0;
  int64_t block_ = -1;         // dYdX: the block the fund's losses below are counted in
  Amount fund_lost_in_block_;  // dYdX: what the insurance fund paid for liquidations in that block
};

}  // namespace liqsim
