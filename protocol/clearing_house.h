// The clearing house: the protocol's margin engine over the ledger. It applies fills and funding,
// values accounts at the mark (equity, maintenance margin), arms and fires liquidation triggers, and
// owns the per-market protocol state (mark, fees, margin model).
//
// Contract: an account is liquidatable when it holds a position and equity < maintenance margin, both
// at the current marks (mark-to-model: execution prices never enter the test); each market's margin
// model (protocol/margin_model.h) gives its positions' requirement and triggers. Every account with a
// position is armed in the trigger index after each change to its balance or positions, so
// detect() finds every account that became liquidatable without scanning the others. The protocol's
// places (Ledger::is_place) are never armed nor ranked for ADL, whatever they hold.
//
// Auto-deleveraging ranks opposite positions by BitMEX's profit x leverage score at the current marks
// and balances (adl_score), without scanning accounts either: per market and side a heap holds an upper
// bound of each position's score valid while every mark stays within +-kAdlBand of the marks of the last
// build. A query pops the best bound, replaces it by the exact score and takes an entry once its exact
// score is on top, so the order is exactly that of allocate_adl over all candidates. Exact keys stay in
// the heaps for later queries while no mark changes and the account is not re-armed (the score depends
// only on those), and are turned back into bounds at the first query after a mark moved. Entries are
// pushed by arm() (every change to a balance or position); the heaps are rebuilt (one pass over the
// positions) only when a query finds a mark outside the band, and not built at all before the first ADL.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "market/order_book.h"
#include "protocol/adl_ranking.h"
#include "protocol/ledger.h"
#include "protocol/margin_model.h"
#include "protocol/trigger_index.h"

namespace liqsim {

struct ProtocolMarket {
  MarginModelRef margin;
  Ratio taker_fee;
  Ratio maker_fee;
  Price mark;
  // The model of accounts in the market's efficiency-mode category (Aave v3 e-mode: the category's LTV and
  // liquidation threshold replace the reserve's for an account that opted in); none: e-mode accounts use
  // `margin` too.
  std::optional<MarginModelRef> emode_margin = std::nullopt;
};

struct TriggerHit {
  AccountId account;
  MarketId market;
  TriggerKind kind;
};

// An opposite position chosen by auto-deleveraging: the quantity (absolute) it gives up and its score.
struct AdlFill {
  AccountId account;
  Quantity quantity;
  double score;
};

class ClearingHouse {
 public:
  explicit ClearingHouse(std::vector<ProtocolMarket> markets);

  Ledger& ledger() { return ledger_; }
  const Ledger& ledger() const { return ledger_; }
  uint32_t market_count() const { return static_cast<uint32_t>(markets_.size()); }
  const ProtocolMarket& market(MarketId m) const { return markets_[m.raw()]; }
  Price mark(MarketId m) const { return markets_[m.raw()].mark; }
  void set_mark(MarketId m, Price mark) {
    if (markets_[m.raw()].mark != mark) ++mark_epoch_;
    markets_[m.raw()].mark = mark;
  }

  AccountId open_account(AgentRole role, MarginMode mode, Amount deposit);
  void deposit(AccountId a, Amount amount);
  // Trader top-up alert: fires when equity may have fallen below multiple * maintenance margin.
  void set_alert(AccountId a, std::optional<Ratio> multiple);
  // Aave v3 setUserEMode: the account's positions are valued with each market's e-mode model where it
  // has one. Only while the account holds no position (a switch would need Aave's health check).
  void set_emode(AccountId a, bool on);
  bool in_emode(AccountId a) const { return emode_[a.raw()] != 0; }
  // The model that values account a's position in market m: the e-mode one when a is in e-mode and m has
  // one, else the market's.
  const MarginModel& margin_model(AccountId a, MarketId m) const {
    const ProtocolMarket& pm = markets_[m.raw()];
    return emode_[a.raw()] != 0 && pm.emode_margin ? **pm.emode_margin : *pm.margin;
  }

  // Applies one book fill: cash and positions move, maker and taker fees go to the fee pool (the
  // taker fee is waived when `taker_fee_waived`, used for engine liquidation orders).
  void apply_fill(MarketId m, const Fill& fill, bool taker_fee_waived);
  // Applies one fill of a spot venue trading `base` against the quote: floor(price * quantity) of quote
  // from buyer to seller, the quantity of `base` (same scale as Quantity) from seller to buyer, fees
  // (rounded up; a maker rebate rounded down) to the fee pool. Balances that back perpetual positions
  // change, so both accounts are re-armed when they hold one.
  void apply_spot_fill(AssetId base, const Fill& fill, Ratio taker_fee, Ratio maker_fee);

  // Equity at current marks: balance + sum(size * mark), each notional rounded down (against the account).
  Amount equity(AccountId a) const;
  // Maintenance margin at current marks, rounded up: the sum of each market's model requirement.
  Amount maintenance(AccountId a) const;
  // Equity and maintenance margin together (one pass over the account's positions).
  Health health(AccountId a) const;
  bool liquidatable(AccountId a) const;
  // Would the account be liquidatable if market m's mark were `mark` (other marks unchanged)?
  bool liquidatable_at(AccountId a, MarketId m, Price mark) const;
  // What a protocol place is worth at the marks: its balance and any position it took over (the
  // insurance fund or backstop vault holding a liquidated position until it is unwound).
  Amount place_value(Place p) const { return equity(place_account(p)); }
  // Equity of the account without market m's position (for bankruptcy settlement of m).
  Amount equity_excluding(AccountId a, MarketId m) const;

  // Invalidates the account's triggers and pushes fresh ones for its current state.
  void arm(AccountId a);
  // Pops the triggers crossed by market m's current mark, keeps the live ones (one hit per account and
  // kind) and appends them to `out`. The caller re-arms accounts that turn out to be safe.
  void detect(MarketId m, std::vector<TriggerHit>& out);
  // Re-arms every account holding a position in market m (after funding changed all balances).
  void rearm_market(MarketId m);
  // Frees the trigger index and the ADL heaps once no event can follow (the end of a run): detection
  // finds nothing afterwards, and ADL rebuilds its heaps if it runs again.
  void release_indexes();
  size_t trigger_entries() const { return triggers_.size(); }
  size_t trigger_memory_bytes() const { return triggers_.memory_bytes(); }

  // BitMEX profit x leverage score of account c's position in market m at the current marks and balance
  // (bitmex_adl_score of the mark value and average entry value, with the account's equity as cushion);
  // -1e300 when the account's equity is <= 0, so an underwater counterparty is deleveraged last.
  double adl_score(AccountId c, MarketId m) const;
  // The counterparties of a bankrupt position in market m (long when `bankrupt_is_long`): opposite
  // positions in allocate_adl's order of adl_score (higher first, ties by lower account id), taking
  // min(|size|, remaining) from each until `needed` is filled or none is left. `exclude` is never chosen.
  std::vector<AdlFill> adl_counterparties(MarketId m, bool bankrupt_is_long, AccountId exclude,
                                          Quantity needed);
  size_t adl_entries() const { return adl_.size(); }

  // Funding settlement at `rate` for market m at its mark: longs pay shorts when rate > 0. Payers'
  // amounts round up, receivers' down, the residue stays in the fee pool. Returns (paid by longs, residue).
  std::pair<Amount, Amount> settle_funding(MarketId m, Ratio rate);

  LiquidationId next_liquidation_id() { return LiquidationId(next_liquidation_id_++); }
  int64_t liquidation_count() const { return next_liquidation_id_; }

 private:
  void arm_market_position(AccountId a, MarketId m, uint32_t version, Amount buffer, Amount total_notional,
                           TriggerKind kind);
  std::optional<Price> single_position_trigger(AccountId a, MarketId m, Ratio multiple);
  // Account a's model of market m (margin_model) scaled by `multiple` (MarginModel::scaled: alerts at
  // multiple x MM are its triggers), built once per distinct multiple and model.
  const MarginModel& scaled_model(AccountId a, MarketId m, Ratio multiple);

  Ledger ledger_;
  std::vector<ProtocolMarket> markets_;
  std::vector<Ratio> alert_multiple_;  // per account; 0 = no alert
  std::vector<uint8_t> emode_;         // per account; 1 = in e-mode
  std::vector<std::vector<std::pair<Ratio, std::shared_ptr<const MarginModel>>>>
      scaled_models_;  // per market x {reserve model, e-mode model}
  // ADL ranking (see the class comment).
  static constexpr double kAdlBand = 0.005;
  double adl_bound(AccountId c, MarketId m) const;
  void push_adl(AccountId a);
  void rebuild_adl();

  TriggerIndex triggers_;
  AdlQueues adl_;
  std::vector<uint32_t> adl_version_;      // per account; entries of older versions are stale
  std::vector<Price> adl_low_, adl_high_;  // per market, the band of the last build; empty: not built
  uint64_t mark_epoch_ = 0;                // bumped by every change of a mark
  uint64_t adl_epoch_ = 0;                 // the marks at which the exact keys in the heaps were computed
  std::vector<AccountId> adl_evaluated_;   // accounts with exact keys in the heaps (at adl_epoch_)
  std::vector<AdlEntry> adl_skipped_;
  std::vector<TriggerEntry> scratch_;
  size_t trigger_compact_at_ = 4096;  // compaction thresholds (entries, live and stale)
  size_t adl_compact_at_ = 4096;
  int64_t next_liquidation_id_ = 0;
};

}  // namespace liqsim
