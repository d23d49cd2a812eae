// Liquidation mechanisms' shared steps (the loss waterfall, take-overs by protocol places, their
// unwinding into the book) and the keeper mechanism; the engine's venue sequences are in
// protocol/engine_liquidation.h.
//
// KeeperLiquidation (Drift perp liquidation / Aave collateral bonus): a keeper takes over up to the
// close factor of the position at the mark improved by the bonus, in a block transaction; the keeper
// then unwinds it into the book itself (agents/keeper). The bonus is paid out of the account's equity
// and never more than it holds (Aave's seizure is capped by the borrower's collateral); an account
// without equity gives no bonus, and its slice's loss is settled at the bankruptcy price by the
// insurance fund, then recorded as bad debt (Aave v3.3's reserve deficit). An account found without
// equity is absorbed by the fund (Compound v3's absorb). A shortfall left on an account without
// positions is paid the same way.
#pragma once

#include <optional>
#include <utility>
#include <vector>

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

// The record of a liquidation of account a's position in m at `mark` by a mechanism of kind `kind`, set
// off by `trigger` (its mark update and cause); the caller sets the id, quantity, price, keeper and reward.
LiquidationRecord liquidation_record(AccountId a, MarketId m, Price mark, LiquidationMechanismKind kind,
                                     const LiquidationTrigger& trigger);
// Counts the liquidation on its account and hands the record to the recorder.
void commit_liquidation(ClearingHouse& ch, Recorder& recorder, const LiquidationRecord& rec);

// A lending borrower: not a place, a negative quote balance (its debt) and long positions only, at least
// one (its collateral). Lending mechanisms (Aave, Comet) seize or absorb only such accounts.
bool is_lending_borrower(const ClearingHouse& ch, AccountId a);

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
// the quantity closed. Records AdlRecords with `liquidation`. The counterparties come in the order of
// `ranking`: profit x leverage from the clearing house's ADL queues (without scanning positions); the
// Hyperliquid index or dYdX's random start (drawn from the stream (seed, Deleveraging, liquidation)) by a
// scan of the market's opposite positions, places excluded.
Quantity auto_deleverage(ClearingHouse& ch, Recorder& recorder, AccountId a, MarketId m,
                         LiquidationId liquidation, Time now, Price tick,
                         AdlRanking ranking = AdlRanking::ProfitLeverage, uint64_t seed = 0);

// Sends a reduce-only IOC for `quantity` of `owner`'s position in market m (a sell for a long) with
// its worst price `max_slippage` from the mark, on the tick grid toward the mark (one tick at least),
// tagged `tag`, the taker fee waived (a liquidation order). Returns the venue's execution.
Execution close_into_book(ClearingHouse& ch, ExecutionVenue& venue, AccountId owner, MarketId m,
                          Quantity quantity, Ratio max_slippage, int64_t tag);

// A take-over at the bankruptcy price: the quantity moved and the price per coin (cash / quantity).
struct Takeover {
  Quantity quantity;  // absolute, the whole position
  Price price;
};

// Moves account a's whole position in market m to the protocol place `taker` at a's bankruptcy price
// -equity_other / size, clamped into [tick, Price::max()] and rounded against a as auto_deleverage's
// price: a's equity at the marks becomes 0 (a clamped rest stays on a's balance, for the waterfall once
// a is flat), and the taker receives the position together with a's remaining margin, or its loss.
// BitMEX and Binance: "the engine takes over the position at the bankruptcy price" (bitmex.com/app/
// liquidation; Binance's insurance fund takes over what the book cannot absorb); Hyperliquid: the
// liquidator vault "takes the positions and margin" (hyperliquid-docs trading/liquidations); Compound
// v3's absorb (Comet.absorbInternal) is the lending form. The taker is never armed or deleveraged.
Takeover take_over_at_bankruptcy(ClearingHouse& ch, AccountId a, MarketId m, AccountId taker, Price tick);

// Unwinds what protocol places took over into the book: at every call, one reduce-only IOC per market
// for the place's whole position within max_slippage of the mark, its fills tagged with the take-over's
// liquidation id (they are liquidation flow for cause attribution); what does not fill is retried one
// `retry` later, until the place is flat. The place's balance takes the proceeds: the surplus or the
// shortfall against the bankruptcy price it paid is the fund's (the vault's).
class PlaceUnwinder {
 public:
  PlaceUnwinder(ClearingHouse& ch, ExecutionVenue& venue, Ratio max_slippage, Time retry);
  // `place` took over a position in market m for liquidation `id`: unwind what the book takes now and
  // ask for a timer at `now + retry` if something is left (take_pending_timers()). A place left flat
  // with a negative balance (it lost more unwinding than it held) is made whole from the deficit place:
  // recorded bad debt. A backstop vault keeps its result (its depositors' gain or loss).
  void took_over(AccountId place, MarketId m, LiquidationId id, Time now);
  // A timer of `place`: one unwinding round.
  void on_timer(AccountId place, Time now);
  // Timers this unwinder wants scheduled (place, time), handed over once each: the mechanism passes
  // them to its host.
  std::vector<std::pair<AccountId, Time>> take_pending_timers() { return std::exchange(pending_, {}); }
  // Hands the pending timers to the mechanism's host.
  void schedule_pending(MechanismHost& host);
  // A timer of `place` delivered by the host: one unwinding round now, its next timers to the host.
  void on_timer(MechanismHost& host, AccountId place);

 private:
  void unwind(AccountId place, Time now);

  ClearingHouse& ch_;
  ExecutionVenue& venue_;
  Ratio max_slippage_;
  Time retry_;
  std::vector<int64_t> tag_;        // per place x market: the liquidation its fills belong to
  std::vector<uint8_t> scheduled_;  // per place: a timer is pending
  std::vector<std::pair<AccountId, Time>> pending_;
};

// The insurance fund takes over account a's largest position at its bankruptcy price (Compound v3's
// absorb): records an engine-driven liquidation without keeper or reward, books a flat account's
// shortfall through the waterfall and starts unwinding the position with `unwinder` (its pending timers
// are the caller's to schedule). Nothing, and no id, when a is not liquidatable or holds no position.
std::optional<LiquidationId> absorb_into_fund(ClearingHouse& ch, Recorder& recorder, PlaceUnwinder& unwinder,
                                              Price tick, AccountId a, const LiquidationTrigger& trigger);

// The same for a mechanism that cannot handle account a its own way (a short under a lending mechanism:
// no collateral to sell): when a is liquidatable, the fund absorbs its largest position now, at the
// venue's tick, and the unwinding timers go to the host. True when something was absorbed.
bool absorb_into_fund_now(MechanismHost& host, ClearingHouse& ch, Recorder& recorder, PlaceUnwinder& unwinder,
                          ExecutionVenue& venue, AccountId a);

// Oracle-priced venues whose pool is every trader's counterparty (GMX's GLP and GM pools, Synthetix's debt
// pool): keeper k's transaction closes account a's whole position in m against `pool` at the mark, rounded
// against a, and records a keeper-driven liquidation at the mark with reward 0 (the venue pays its keeper
// from the pool or mints the fee: not the account's money). Without a keeper (GMX v2's permissioned
// liquidation keepers, which the protocol runs and does not pay) the record is engine-driven. Returns the
// KeeperTakeover (the keeper receives no position). The caller settles the account's margin and the
// keeper's fee afterwards.
KeeperTakeover close_against_pool(ClearingHouse& ch, Recorder& recorder, std::optional<AccountId> keeper,
                                  AccountId a, MarketId m, AccountId pool, const LiquidationTrigger& trigger);

// The market whose position a keeper's Liquidate (or Bark) transaction against account a closes at such a
// venue: a's largest exposure; nothing for another action, a place or an account without a position.
std::optional<MarketId> pool_liquidation_market(const ClearingHouse& ch, AccountId a, const TxIntent& intent);

// What is left on an account closed against a pool: a positive balance goes to `to` (the pool, or the
// stakers' fee pool), a negative one is paid by `pool` (it bears losses beyond the collateral).
void settle_against_pool(Ledger& ledger, AccountId a, AccountId pool, AccountId to);

struct KeeperLiquidationParams {
  Ratio close_factor;  // share of the position a keeper may take per transaction
  Ratio bonus;         // take-over price = mark * (1 - bonus) for a long, (1 + bonus) for a short
  // Aave v3.3: a position at or below this notional is taken whole, and so is one whose remainder
  // after the close factor would fall below half of it (the dust rule). Amount(0) disables both.
  Amount full_close_below;
  // Aave v3.0-3.3 (LiquidationLogic: CLOSE_FACTOR_HF_THRESHOLD = 0.95e18, MAX_LIQUIDATION_CLOSE_FACTOR =
  // 1e4): at a health factor (equity / maintenance requirement) at or below this the close factor is
  // 100%. Ratio(0) disables it.
  Ratio full_close_below_health = Ratio(0);
  // Share of the bonus the protocol takes from the keeper (Aave v3 liquidationProtocolFee, 10% on WETH:
  // bonusPart x fee to the treasury; Compound v2's protocolSeizeShare of 2.8% of the seized collateral is
  // 2.8% x incentive / (incentive - 1) of the bonus: 0.378 at 1.08). Paid to the insurance fund (the
  // treasury / reserves), rounded down (Compound truncates; Aave's percentMul rounds half up).
  Ratio protocol_fee = Ratio(0);
};

// Where a keeper mechanism sends accounts that can no longer pay any bonus (equity <= 0 at the marks):
// the insurance fund absorbs them at their bankruptcy price, as Compound v3's absorb does (the protocol
// takes over collateral and debt, its reserves take the loss), and unwinds the position into the book.
// Without it (no venue) such accounts wait for a keeper willing to work for nothing.
struct KeeperAbsorb {
  ExecutionVenue* venue = nullptr;
  Ratio max_slippage;  // of the fund's unwinding orders
  Time retry = seconds(1);
};

// How much a keeper takes and at what cash, decided from the account's state before the take (pure:
// nothing moves). `cash` is what the keeper pays for a long (the account receives it) or receives for a
// short (the account pays it); `reward` is what the take removes from the account's equity at the
// marks: at most max(equity before, 0), so the account's remaining equity never goes below zero because
// of the bonus. `bankrupt`: the account had no equity, so there is no bonus (the keeper pays the slice's
// value at the mark) and the slice is settled at the bankruptcy price by the waterfall.
struct KeeperTakeTerms {
  Quantity take;        // absolute quantity taken over, > 0
  Amount cash;          // >= 0
  Price price;          // per coin: mark x (1 -/+ bonus), or cash / take when the bonus was capped or absent
  Amount reward;        // >= 0: what the take removes from the account's equity at the mark (the whole bonus)
  Amount protocol_fee;  // the protocol's share of the reward: reward x protocol_fee, down; the keeper keeps
                        // reward - protocol_fee
  bool bankrupt = false;
};

// Health factor of a perp account, the analogue of Aave's HF (sum(collateral x LT) / debt, liquidatable
// below 1): equity / maintenance requirement at the marks, liquidatable below 1. True when
// equity <= threshold x requirement, compared exactly (a negative equity is below any threshold).
bool health_at_or_below(const Health& health, Ratio threshold);

// The terms of a keeper's take-over of account a's position `size` (non-zero) in market m at `mark`,
// where `health` is the account's health at the marks (liquidatable). The take is close_factor of the
// position rounded up; the whole position at a health factor <= full_close_below_health, at or below
// full_close_below of notional, or when the remainder would be dust (below half of it). The keeper pays
// mark x (1 - bonus) for a long (cash rounded down) and receives mark x (1 + bonus) for a short (rounded
// up), unless that bonus exceeds the account's equity: then the cash is moved so the reward is exactly
// the equity.
KeeperTakeTerms keeper_take_terms(const KeeperLiquidationParams& params, Quantity size, Price mark,
                                  const Health& health);

class KeeperLiquidation final : public LiquidationMechanism {
 public:
  KeeperLiquidation(KeeperLiquidationParams params, ClearingHouse& ch, Recorder& recorder,
                    KeeperAbsorb absorb = {});

  // Executes keeper k's liquidation transaction against account a at the current marks
  // (keeper_take_terms). An account without equity is settled at its bankruptcy price: the fund pays
  // the slice's share of the negative equity (recorded bad debt beyond the fund), as the engine settles
  // its slices.
  KeeperTakeover execute(AccountId keeper, AccountId a, const LiquidationTrigger& trigger);

  // The fund absorbs account a (equity <= 0, liquidatable) at its bankruptcy price and starts unwinding
  // the position; records a liquidation without keeper or reward. False (nothing moves) when a is not
  // liquidatable, still has equity, or no absorb venue was given.
  bool absorb(AccountId a, const LiquidationTrigger& trigger);

  // LiquidationMechanism: a liquidatable account is an opportunity for keepers, published again at
  // every mark update while it lasts; their transactions execute(). One without equity is absorbed.
  std::string_view name() const override { return "keeper"; }
  bool on_liquidatable(MechanismHost& host, AccountId a) override;
  void on_timer(MechanismHost& host, AccountId a) override;
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
  // execute()'s terms now: the largest exposure's take, its value at the mark and the keeper's part of
  // the bonus (reward less the protocol fee); none when a is not liquidatable.
  std::optional<LiquidationQuote> quote(AccountId a, Time now) const override;
  const KeeperLiquidationParams& params() const { return params_; }

 private:
  void schedule_unwinds(MechanismHost& host);

  KeeperLiquidationParams params_;
  ClearingHouse& ch_;
  Recorder& recorder_;
  ExecutionVenue* absorb_venue_ = nullptr;
  std::optional<PlaceUnwinder> unwinder_;
};

}  // namespace liqsim
