// Internals of OrderBook (market/order_book.h): the tick-indexed price ladder. Not a public API.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "core/check.h"
#include "core/units.h"

namespace liqsim::book_detail {

inline constexpr uint32_t kNil = std::numeric_limits<uint32_t>::max();
// Results of the ladder searches when no level qualifies; never stored in a level or returned publicly.
inline constexpr int64_t kNoTickAbove = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kNoTickBelow = std::numeric_limits<int64_t>::min();

// One price level: a FIFO of resting orders (an intrusive list through the order pool) and its total.
// An empty level has head == tail == kNil and total == 0.
struct Level {
  uint32_t head = kNil;
  uint32_t tail = kNil;
  Quantity total;
};

// A set of bits with a summary word per 64 words, so the next set bit in either direction is found with
// a few word scans even across long empty stretches.
class TwoLevelBitset {
 public:
  void assign(size_t bits) {
    words_.assign((bits + 63) / 64, 0);
    summary_.assign((words_.size() + 63) / 64, 0);
  }
  size_t size() const { return words_.size() * 64; }
  void set(size_t i) {
    uint64_t& w = words_[i >> 6];
    if (w == 0) summary_[i >> 12] |= uint64_t{1} << ((i >> 6) & 63);
    w |= uint64_t{1} << (i & 63);
  }
  void reset(size_t i) {
    uint64_t& w = words_[i >> 6];
    w &= ~(uint64_t{1} << (i & 63));
    if (w == 0) summary_[i >> 12] &= ~(uint64_t{1} << ((i >> 6) & 63));
  }
  // Smallest set index >= i, or -1.
  int64_t next_at_or_above(int64_t i) const {
    if (i < 0) i = 0;
    size_t w = size_t(i) >> 6;
    if (w >= words_.size()) return -1;
    const uint64_t m = words_[w] & (~uint64_t{0} << (i & 63));
    if (m) return int64_t(w * 64 + std::countr_zero(m));
    const size_t v = w + 1;
    size_t s = v >> 6;
    if (s >= summary_.size()) return -1;
    uint64_t sm = summary_[s] & (~uint64_t{0} << (v & 63));
    while (sm == 0) {
      if (++s >= summary_.size()) return -1;
      sm = summary_[s];
    }
    const size_t w2 = s * 64 + std::countr_zero(sm);
    return int64_t(w2 * 64 + std::countr_zero(words_[w2]));
  }
  // Largest set index <= i, or -1.
  int64_t next_at_or_below(int64_t i) const {
    if (i < 0 || words_.empty()) return -1;
    if (size_t(i) >= size()) i = int64_t(size()) - 1;
    const size_t w = size_t(i) >> 6;
    const uint64_t m = words_[w] & (~uint64_t{0} >> (63 - (i & 63)));
    if (m) return int64_t(w * 64 + 63 - std::countl_zero(m));
    if (w == 0) return -1;
    const size_t v = w - 1;
    size_t s = v >> 6;
    uint64_t sm = summary_[s] & (~uint64_t{0} >> (63 - (v & 63)));
    while (sm == 0) {
      if (s == 0) return -1;
      sm = summary_[--s];
    }
    const size_t w2 = s * 64 + 63 - std::countl_zero(sm);
    return int64_t(w2 * 64 + 63 - std::countl_zero(words_[w2]));
  }

 private:
  std::vector<uint64_t> words_;
  std::vector<uint64_t> summary_;
};

// Sparse array of price levels indexed by tick (price / tick size) with the set of non-empty ticks.
// Ticks are grouped in pages of 1024 levels (16 KiB) that exist only while one of their levels is
// non-empty; a directory of page pointers with a bitset of live pages covers the live page range and
// is rebuilt (recentred) when a tick falls outside it. Because a book is never crossed, bids and asks
// share one ladder: from the best bid downward every non-empty level is a bid, and likewise for asks.
// Contract: acquire(t) is followed by set(t) before any other call; clear(t) when the level empties.
class PriceLadder {
 public:
  static constexpr int kPageBits = 10;
  static constexpr int64_t kPageSize = int64_t{1} << kPageBits;
  static constexpr int64_t kWordsPerPage = kPageSize / 64;
  // The live ticks must fit in 2^30 ticks (e.g. 0 to 107 M$ at a 0.1 $ tick); the directory then costs
  // at most 8 MiB of pointers plus 136 KiB of bits.
  static constexpr int64_t kMaxPages = int64_t{1} << 20;
  static constexpr int64_t kMaxTick = (int64_t{1} << 62) - 1;
  // Empty pages kept for reuse, so a book oscillating across a page boundary does not allocate.
  static constexpr size_t kMaxSparePages = 16;

  // True if a level at `tick` can be created without the live range exceeding kMaxPages.
  bool can_hold(int64_t tick) const {
    if (tick < 0 || tick > kMaxTick) return false;
    const int64_t page = tick >> kPageBits;
    if (uint64_t(page - base_) < dir_.size()) return true;
    int64_t lo = page, hi = page;
    widen_to_live_pages(lo, hi);
    return hi - lo < kMaxPages;
  }

  // The level of a tick whose page is live (the tick of a resting order).
  Level& at(int64_t tick) { return dir_[size_t((tick >> kPageBits) - base_)]->levels[tick & kMask]; }

  const Level* find(int64_t tick) const {
    const uint64_t i = uint64_t((tick >> kPageBits) - base_);
    if (i >= dir_.size() || !dir_[i]) return nullptr;
    return &dir_[i]->levels[tick & kMask];
  }

  // The level at `tick`, attaching its page first if needed. Requires can_hold(tick).
  Level& acquire(int64_t tick) {
    const int64_t page = tick >> kPageBits;
    if (uint64_t(page - base_) >= dir_.size()) recentre(page);
    const size_t i = size_t(page - base_);
    if (!dir_[i]) attach(i);
    return dir_[i]->levels[tick & kMask];
  }

  // Marks the level at `tick` (page live) non-empty.
  void set(int64_t tick) {
    Page& p = *dir_[size_t((tick >> kPageBits) - base_)];
    const int64_t slot = tick & kMask;
    p.bits[slot >> 6] |= uint64_t{1} << (slot & 63);
    p.summary |= uint64_t{1} << (slot >> 6);
  }

  // Marks the level at `tick` empty; the page is recycled when it was its last non-empty level.
  void clear(int64_t tick) {
    const size_t i = size_t((tick >> kPageBits) - base_);
    Page& p = *dir_[i];
    const int64_t slot = tick & kMask;
    uint64_t& w = p.bits[slot >> 6];
    w &= ~(uint64_t{1} << (slot & 63));
    if (w == 0) {
      p.summary &= ~(uint64_t{1} << (slot >> 6));
      if (p.summary == 0) detach(i);
    }
  }

  // Smallest non-empty tick >= tick, or kNoTickAbove.
  int64_t next_at_or_above(int64_t tick) const {
    int64_t di = (tick >> kPageBits) - base_;
    if (di >= int64_t(dir_.size())) return kNoTickAbove;
    if (di >= 0) {
      if (const Page* p = dir_[size_t(di)].get()) {
        const int64_t s = p->next_at_or_above(tick & kMask);
        if (s >= 0) return ((base_ + di) << kPageBits) | s;
      }
      ++di;
    }
    const int64_t next = live_.next_at_or_above(di);
    if (next < 0 || next >= int64_t(dir_.size())) return kNoTickAbove;
    return ((base_ + next) << kPageBits) | dir_[size_t(next)]->next_at_or_above(0);
  }

  // Largest non-empty tick <= tick, or kNoTickBelow.
  int64_t next_at_or_below(int64_t tick) const {
    int64_t di = (tick >> kPageBits) - base_;
    if (di < 0) return kNoTickBelow;
    if (di < int64_t(dir_.size())) {
      if (const Page* p = dir_[size_t(di)].get()) {
        const int64_t s = p->next_at_or_below(tick & kMask);
        if (s >= 0) return ((base_ + di) << kPageBits) | s;
      }
      --di;
    }
    const int64_t next = live_.next_at_or_below(std::min<int64_t>(di, int64_t(dir_.size()) - 1));
    if (next < 0) return kNoTickBelow;
    return ((base_ + next) << kPageBits) | dir_[size_t(next)]->next_at_or_below(kPageSize - 1);
  }

  size_t live_pages() const { return live_count_; }
  size_t directory_pages() const { return dir_.size(); }

 private:
  static constexpr int64_t kMask = kPageSize - 1;
  static constexpr int64_t kMinDirectoryPages = 64;

  struct Page {
    uint64_t summary = 0;  // bit w: bits[w] != 0
    uint64_t bits[kWordsPerPage] = {};
    Level levels[kPageSize];

    int64_t next_at_or_above(int64_t slot) const {
      const int64_t w = slot >> 6;
      const uint64_t m = bits[w] & (~uint64_t{0} << (slot & 63));
      if (m) return w * 64 + std::countr_zero(m);
      const uint64_t s = w + 1 < kWordsPerPage ? summary & (~uint64_t{0} << (w + 1)) : 0;
      if (!s) return -1;
      const int w2 = std::countr_zero(s);
      return w2 * 64 + std::countr_zero(bits[w2]);
    }
    int64_t next_at_or_below(int64_t slot) const {
      const int64_t w = slot >> 6;
      const uint64_t m = bits[w] & (~uint64_t{0} >> (63 - (slot & 63)));
      if (m) return w * 64 + 63 - std::countl_zero(m);
      const uint64_t s = summary & ((uint64_t{1} << w) - 1);
      if (!s) return -1;
      const int w2 = 63 - std::countl_zero(s);
      return w2 * 64 + 63 - std::countl_zero(bits[w2]);
    }
  };
  static_assert(kWordsPerPage <= 64, "a page's summary is one word");

  void attach(size_t i) {
    if (spare_.empty()) {
      dir_[i] = std::make_unique<Page>();
    } else {
      dir_[i] = std::move(spare_.back());
      spare_.pop_back();
    }
    live_.set(i);
    ++live_count_;
  }

  // A detached page is clean (all levels empty, all bits zero), so reuse needs no clearing.
  void detach(size_t i) {
    live_.reset(i);
    --live_count_;
    if (spare_.size() < kMaxSparePages) spare_.push_back(std::move(dir_[i]));
    dir_[i].reset();
  }

  void widen_to_live_pages(int64_t& lo, int64_t& hi) const {
    if (live_count_ == 0) return;
    lo = std::min(lo, base_ + live_.next_at_or_above(0));
    hi = std::max(hi, base_ + live_.next_at_or_below(int64_t(live_.size()) - 1));
  }

  // Rebuilds the directory around the live pages and `page`, with as much slack again on the sides, so
  // a drifting price recentres it only after it moved by a multiple of the live range.
  void recentre(int64_t page) {
    int64_t lo = page, hi = page;
    widen_to_live_pages(lo, hi);
    const int64_t need = hi - lo + 1;
    LIQSIM_CHECK(need <= kMaxPages, "price ladder span exceeded (can_hold not checked)");
    const int64_t size = std::min(kMaxPages, std::max(kMinDirectoryPages, 2 * need));
    const int64_t base = lo - (size - need) / 2;
    std::vector<std::unique_ptr<Page>> dir(static_cast<size_t>(size));
    TwoLevelBitset live;
    live.assign(size_t(size));
    for (size_t i = 0; i < dir_.size(); ++i) {
      if (!dir_[i]) continue;
      const size_t j = size_t(base_ + int64_t(i) - base);
      dir[j] = std::move(dir_[i]);
      live.set(j);
    }
    dir_ = std::move(dir);
    live_ = std::move(live);
    base_ = base;
  }

  std::vector<std::unique_ptr<Page>> dir_;  // dir_[i] is page number base_ + i, or null
  int64_t base_ = 0;
  TwoLevelBitset live_;  // bit i: dir_[i] is live
  size_t live_count_ = 0;
  std::vector<std::unique_ptr<Page>> spare_;
};

}  // namespace liqsim::book_detail
