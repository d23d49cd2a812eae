#include "protocol/trigger_index.h"

#include <algorithm>

namespace liqsim {
namespace {

// Pop order: longs from the highest trigger, shorts from the lowest; equal triggers by ascending
// account id, so the order is a total order of (trigger, account) and independent of the heap layout.
struct LongFirst {
  bool operator()(const TriggerEntry& a, const TriggerEntry& b) const {
    if (a.trigger != b.trigger) return a.trigger > b.trigger;
    return a.account < b.account;
  }
};
struct ShortFirst {
  bool operator()(const TriggerEntry& a, const TriggerEntry& b) const {
    if (a.trigger != b.trigger) return a.trigger < b.trigger;
    return a.account < b.account;
  }
};

// A 4-ary heap: half the depth of a binary heap, and a node's four 16-byte children share one or two
// cache lines, so a pop from a heap of millions of entries misses the cache about half as often.
constexpr size_t kArity = 4;

template <class First>
void sift_down(std::vector<TriggerEntry>& h, size_t i, First first) {
  const size_t n = h.size();
  const TriggerEntry moving = h[i];
  while (true) {
    const size_t child = kArity * i + 1;
    if (child >= n) break;
    size_t best = child;
    const size_t last = std::min(child + kArity, n);
    for (size_t c = child + 1; c < last; ++c)
      if (first(h[c], h[best])) best = c;
    if (!first(h[best], moving)) break;
    h[i] = h[best];
    i = best;
  }
  h[i] = moving;
}

template <class First>
void push(std::vector<TriggerEntry>& h, const TriggerEntry& e, First first) {
  h.push_back(e);
  size_t i = h.size() - 1;
  while (i > 0) {
    const size_t parent = (i - 1) / kArity;
    if (!first(e, h[parent])) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = e;
}

template <class First>
TriggerEntry pop(std::vector<TriggerEntry>& h, First first) {
  const TriggerEntry top = h.front();
  h.front() = h.back();
  h.pop_back();
  if (!h.empty()) sift_down(h, 0, first);
  return top;
}

template <class First>
void heapify(std::vector<TriggerEntry>& h, First first) {
  if (h.size() < 2) return;
  for (size_t i = (h.size() - 2) / kArity + 1; i-- > 0;) sift_down(h, i, first);
}

}  // namespace

void TriggerIndex::add(MarketId market, bool is_long, Price trigger, AccountId account, uint32_t version,
                       TriggerKind kind) {
  TriggerEntry e{trigger.raw(), account, (version << 1) | static_cast<uint32_t>(kind)};
  if (is_long)
    push(longs_[market.raw()], e, LongFirst{});
  else
    push(shorts_[market.raw()], e, ShortFirst{});
}

void TriggerIndex::collect(MarketId market, Price mark, std::vector<TriggerEntry>& out) {
  auto& l = longs_[market.raw()];
  while (!l.empty() && l.front().trigger >= mark.raw()) out.push_back(pop(l, LongFirst{}));
  auto& s = shorts_[market.raw()];
  while (!s.empty() && s.front().trigger <= mark.raw()) out.push_back(pop(s, ShortFirst{}));
}

// After a compaction: room for the live entries twice over (the owner compacts again when the entries
// reach about twice the live ones), so that a heap neither keeps the capacity of a larger past nor
// doubles past that bound before the next compaction. Memory only: entries and order are unchanged.
static void fit_capacity(std::vector<TriggerEntry>& h) {
  const size_t room = 2 * h.size() + 1024;
  if (h.capacity() >= room && h.capacity() <= room + room / 4) return;
  std::vector<TriggerEntry> fitted;
  fitted.reserve(room);
  fitted.assign(h.begin(), h.end());
  h.swap(fitted);
}

void TriggerIndex::compact(const std::function<bool(const TriggerEntry&)>& live) {
  for (auto& h : longs_) {
    std::erase_if(h, [&](const TriggerEntry& e) { return !live(e); });
    heapify(h, LongFirst{});
    fit_capacity(h);
  }
  for (auto& h : shorts_) {
    std::erase_if(h, [&](const TriggerEntry& e) { return !live(e); });
    heapify(h, ShortFirst{});
    fit_capacity(h);
  }
}

void TriggerIndex::clear(MarketId market) {
  longs_[market.raw()].clear();
  shorts_[market.raw()].clear();
}

void TriggerIndex::release() {
  for (auto& h : longs_) std::vector<TriggerEntry>().swap(h);
  for (auto& h : shorts_) std::vector<TriggerEntry>().swap(h);
}

size_t TriggerIndex::size() const {
  size_t n = 0;
  for (const auto& h : longs_) n += h.size();
  for (const auto& h : shorts_) n += h.size();
  return n;
}

size_t TriggerIndex::memory_bytes() const {
  size_t n = 0;
  for (const auto& h : longs_) n += h.capacity() * sizeof(TriggerEntry);
  for (const auto& h : shorts_) n += h.capacity() * sizeof(TriggerEntry);
  return n;
}

}  // namespace liqsim
