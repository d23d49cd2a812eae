// Liquidation mechanisms: pure algorithms over the clearing house, one per real mechanism.
//
// EngineLiquidation (Binance/BitMEX/Bybit/Hyperliquid): the protocol closes the position into the
// order book with reduce-only IOC orders in partial steps (fraction and cool-down, Hyperliquid's 20%
// / 30 s) and settles the account at its bankruptcy price: the difference between execution and
// bankruptcy goes to the insurance fund (surplus) or is paid by it (shortfall); a fund that runs dry
// records the rest as bad debt. When the account is beyond bankruptcy and the fund cannot cover the
// loss at the mark, the position is auto-deleveraged against opposite positions ranked by profit x
// leverage (BitMEX) at the bankruptcy price.
//
// KeeperLiquidation (Drift perp liquidation / Aave collateral bonus): a keeper takes over up to the
// close factor of the position at the mark improved by the bonus, in a block transaction; the keeper
// then unwinds it into the book itself (agents/keeper). A shortfall left on an account without
// positions is paid by the insurance fund, then recorded as bad debt.
#pragma once

#include <optional>

#include "core/check.h"
#include "core/recorder.h"
#include "market/venue.h"
#include "protocol/clearing_house.h"
#include "protocol/liquidation_mechanism.h"

namespace liqsim {

// How liquidation orders reach a market: implemented by the composition root, which executes the
// request on the market's Venue (market/venue.h) and applies every fill to the ledger before returning.
class ExecutionVenue {
 public:
  virtual ~ExecutionVenue() = default;
  virtual Execution execute(MarketId m, const ExecutionRequest& request, bool taker_fee_waived) = 0;
  virtual void cancel_orders(AccountId a, MarketId m) = 0;
  virtual Price tick_size(MarketId m) const = 0;
};

// The market whose position carries the largest maintenance margin (the one liquidated first).
MarketId largest_exposure(const ClearingHouse& ch, AccountId a);

// Pays a negative balance of an account that holds no position from the insurance fund (bad debt
// beyond the fund). The last step of the loss waterfall for both mechanisms.
void absorb_shortfall(ClearingHouse& ch, AccountId a);

// Auto-deleverages account a's whole position in market m against the best-ranked opposite positions
// at a's bankruptcy price, clamped into [tick, Price::max()]. The bankruptcy price of a cross account's
// position is -equity_other / size: for a short whose other equity is negative (a drained or already
// deleveraged balance) it is <= 0, and no counterparty can be made to pay to hand over its long. At the
// clamp the counterparties give up their positions for one tick per coin and the rest of a's loss stays
// on a's balance, where the waterfall books it (insurance fund, then bad debt) once a is flat. Returns
// the quantity closed. Records AdlRecords with `liquidation`.
Quantity auto_deleverage(ClearingHouse& ch, Recorder& recorder, AccountId a, MarketId m,
                         LiquidationId liquidation, Time now, Price tick);

struct EngineLiquidationParams {
  Ratio step_fraction;      // share of the position closed per step
  Amount full_close_below;  // positions at or below this notional close in one step
  Time cooldown;            // between steps on one account
  Ratio max_slippage;       // IOC limit = mark * (1 -/+ max_slippage)
  // Delay before retrying a step that closed nothing (the IOC found no liquidity within its limit):
  // at least one mark interval, so the retry sees a new mark and a book that had time to refill. A
  // zero-progress step is never retried at the same instant, whatever the cool-down (which may be 0).
  // Must be > 0.
  Time no_progress_retry = seconds(1);
};

class EngineLiquidation final : public LiquidationMechanism {
 public:
  EngineLiquidation(EngineLiquidationParams params, ClearingHouse& ch, ExecutionVenue& venue,
                    Recorder& recorder)
      : params_(params), ch_(ch), venue_(venue), recorder_(recorder) {
    LIQSIM_CHECK(params_.no_progress_retry > Time(0), "the retry delay of an unfilled step must be positive");
  }

  // One step on account a. Returns the time of the next step, or nullopt when the account is healthy
  // again or has nothing left to close (it is then re-armed). The next step is due after the cool-down
  // when this one closed something, and after max(cool-down, no_progress_retry) when it closed nothing.
  std::optional<Time> step(AccountId a, const LiquidationTrigger& trigger);

  // LiquidationMechanism: detection hands the account to a step now, or when its cool-down ends (the
  // cool-down holds between any two steps on an account, also across liquidation episodes); each
  // step's next step is a timer.
  std::string_view name() const override { return "engine"; }
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  void on_timer(MechanismHost& host, AccountId a) override;
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a) override;
  uint64_t adl_events() const { return adl_events_; }

 private:
  EngineLiquidationParams params_;
  ClearingHouse& ch_;
  ExecutionVenue& venue_;
  Recorder& recorder_;
  uint64_t adl_events_ = 0;
};

struct KeeperLiquidationParams {
  Ratio close_factor;  // share of the position a keeper may take per transaction
  Ratio bonus;         // take-over price = mark * (1 - bonus) for a long, (1 + bonus) for a short
  // Aave v3.3: a position at or below this notional is taken whole, and so is one whose remainder
  // after the close factor would fall below half of it (the dust rule). Amount(0) disables both.
  Amount full_close_below;
};

class KeeperLiquidation final : public LiquidationMechanism {
 public:
  KeeperLiquidation(KeeperLiquidationParams params, ClearingHouse& ch, Recorder& recorder)
      : params_(params), ch_(ch), recorder_(recorder) {}

  // Executes keeper k's liquidation transaction against account a at the current marks.
  KeeperTakeover execute(AccountId keeper, AccountId a, const LiquidationTrigger& trigger);

  // LiquidationMechanism: a liquidatable account is an opportunity for keepers, published again at
  // every mark update while it lasts; their transactions execute().
  std::string_view name() const override { return "keeper"; }
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  void on_timer(MechanismHost&, AccountId) override {}
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a) override;
  const KeeperLiquidationParams& params() const { return params_; }

 private:
  KeeperLiquidationParams params_;
  ClearingHouse& ch_;
  Recorder& recorder_;
};

}  // namespace liqsim
