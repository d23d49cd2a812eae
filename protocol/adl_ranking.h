// Auto-deleveraging: who is closed first when the insurance fund cannot absorb a bankrupt position.
//
// Scores are statistics used only for ordering, so they are doubles; the allocation of quantity is
// exact. Sources: BitMEX https://bitmex.com/app/autoDeleveraging (score) and
// https://testnet.bitmex.com/app/autoDeleveragingExamples (allocation); Hyperliquid
// https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging (sorting index).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/units.h"

namespace liqsim {

// BitMEX ranking from position values at mark, average entry and bankruptcy price, in quote money, signed
// like the position (shorts negative):
//   PNL% = (MarkValue - AvgEntryValue) / |AvgEntryValue|
//   EffectiveLeverage = |MarkValue| / (MarkValue - BankruptValue)
//   score = PNL% * EffectiveLeverage if PNL% > 0, PNL% / EffectiveLeverage if PNL% < 0, 0 if PNL% = 0.
// Edge cases (not specified by BitMEX; our choice): MarkValue - BankruptValue <= 0 (at or past
// bankruptcy) counts as infinite leverage, giving +infinity for a profit and 0 for a loss;
// AvgEntryValue = 0 gives 0. Vectors #12, #13, #14.
double bitmex_adl_score(double mark_value, double avg_entry_value, double bankrupt_value);

// The same score for a linear position: values are size * price (size signed), and the bankrupt value is
// size * EP - wallet_balance (size * bankruptcy price without the clamp at 0), wallet_balance being the
// margin backing the position (isolated margin, or the cross WB' of margin_model.h).
double bitmex_adl_score(Quantity size, Price mark, Price entry, Amount wallet_balance);

// Hyperliquid sorting index (mark_price / entry_price) * (notional_position / account_value), applied as
// published for both sides (the venue gives no mirrored form for shorts). notional_position is the
// absolute position value at mark. account_value <= 0 ranks first (+infinity; our choice). Vector #26.
double hyperliquid_adl_index(Price mark, Price entry, Amount notional_position, Amount account_value);

// How ADL orders the opposite positions (protocols.md, loss absorption): BitMEX / Bybit's profit x
// effective leverage (bitmex_adl_score), Hyperliquid's sorting index (hyperliquid_adl_index), or dYdX's
// iteration over the offsetting subaccounts from a random start (x/clob/keeper/deleveraging.go: no
// ranking).
enum class AdlRanking : uint8_t { ProfitLeverage, Hyperliquid, RandomStart };

// An opposite-side position that ADL may close. `available` is the absolute quantity it holds.
struct AdlCandidate {
  AccountId account;
  Quantity available;
  double score;  // higher is deleveraged first
};

// Fills `needed` (absolute quantity) from the highest score down, ties by account id ascending, taking
// min(available, remaining) from each; NaN scores rank last. Returns (account, quantity) fills in order;
// their sum is less than `needed` only when the candidates hold too little. All fills execute at the
// bankrupt position's bankruptcy price on BitMEX (the caller's concern). Vector #15.
std::vector<std::pair<AccountId, Quantity>> allocate_adl(std::span<const AdlCandidate> candidates,
                                                         Quantity needed);

// An upper bound of bitmex_adl_score (with -1e300 for equity <= 0, as the clearing house ranks) over
// every state in which PNL% <= pnl_max, |MarkValue| <= abs_mark_value_max and equity >= equity_min.
// The caller widens its inputs for the rounding of the exact score; the result is widened by a relative
// 1e-9 for the floating-point error of the score itself. +infinity when the equity may reach 0 in profit.
double adl_score_upper_bound(double pnl_max, double abs_mark_value_max, double equity_min);

// One entry of an ADL queue: a score key (an upper bound, or the exact score during one query), the
// account and the version of the account's entries when it was pushed.
struct AdlEntry {
  double key;
  AccountId account;
  uint32_t version_exact;  // version << 1 | exact
  uint32_t version() const { return version_exact >> 1; }
  bool exact() const { return (version_exact & 1u) != 0; }
};

// Per market and side, a max-heap of AdlEntry ordered like allocate_adl: higher key first, then lower
// account id (keys are never NaN: the owner maps a NaN score to -infinity, ranked last). Entries are never
// updated in place: a new version is pushed and stale ones are skipped when popped and dropped by compact().
class AdlQueues {
 public:
  explicit AdlQueues(uint32_t market_count) : heaps_(2 * size_t(market_count)) {}
  void push(MarketId market, bool is_long, AdlEntry e);
  bool empty(MarketId market, bool is_long) const { return heap(market, is_long).empty(); }
  AdlEntry pop(MarketId market, bool is_long);
  void clear();
  // Removes every entry and frees the memory.
  void release();
  // Drops the entries for which `live` is false and re-heapifies.
  template <class Live>
  void compact(Live live) {
    for (auto& h : heaps_) {
      std::erase_if(h, [&](const AdlEntry& e) { return !live(e); });
      heapify(h);
      fit_capacity(h);
    }
  }
  size_t size() const;
  size_t memory_bytes() const;

 private:
  std::vector<AdlEntry>& heap(MarketId market, bool is_long) {
    return heaps_[2 * size_t(market.raw()) + is_long];
  }
  const std::vector<AdlEntry>& heap(MarketId market, bool is_long) const {
    return heaps_[2 * size_t(market.raw()) + is_long];
  }
  static void heapify(std::vector<AdlEntry>& h);
  // After a compaction: room for the live entries twice over (the owner compacts again when the
  // entries reach about twice the live ones), so that the heap neither keeps the capacity of a larger
  // past nor doubles past that bound before the next compaction. Memory only: the entries and their
  // order are unchanged.
  static void fit_capacity(std::vector<AdlEntry>& h);
  std::vector<std::vector<AdlEntry>> heaps_;
};

}  // namespace liqsim
