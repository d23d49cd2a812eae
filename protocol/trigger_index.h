// Price-trigger index for liquidation detection without scanning accounts (DESIGN non-negotiable 3).
//
// Each armed account has, per market where it holds a position, a trigger price: for a long the mark
// at or below which it may have become liquidatable (or needs an alert), for a short the mark at or
// above which. Triggers are conservative: an account cannot become liquidatable without its trigger
// being crossed. A mark update pops only the crossed entries (O(crossed * log N)); untouched accounts
// cost nothing. Entries are never updated in place: re-arming pushes a new entry with the account's
// new version, and stale entries are skipped when popped and dropped by compact().
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/ids.h"
#include "core/units.h"

namespace liqsim {

enum class TriggerKind : uint8_t { Liquidation = 0, Alert = 1 };

struct TriggerEntry {
  int64_t trigger;  // Price raw value
  AccountId account;
  uint32_t version_kind;  // version << 1 | kind
  uint32_t version() const { return version_kind >> 1; }
  TriggerKind kind() const { return static_cast<TriggerKind>(version_kind & 1u); }
};

class TriggerIndex {
 public:
  explicit TriggerIndex(uint32_t market_count) : longs_(market_count), shorts_(market_count) {}

  // is_long: the entry fires when mark <= trigger; otherwise when mark >= trigger.
  void add(MarketId market, bool is_long, Price trigger, AccountId account, uint32_t version,
           TriggerKind kind);
  // Removes every entry crossed by `mark` and appends it to `out` (stale ones too: check versions).
  void collect(MarketId market, Price mark, std::vector<TriggerEntry>& out);
  // Drops entries for which `live` is false and re-heapifies (called when stale entries pile up).
  void compact(const std::function<bool(const TriggerEntry&)>& live);
  void clear(MarketId market);
  // Removes every entry and frees the memory.
  void release();
  size_t size() const;
  size_t memory_bytes() const;

 private:
  // Per market, 4-ary heaps: longs_ pops the highest trigger first, shorts_ the lowest.
  std::vector<std::vector<TriggerEntry>> longs_;
  std::vector<std::vector<TriggerEntry>> shorts_;
};

}  // namespace liqsim
