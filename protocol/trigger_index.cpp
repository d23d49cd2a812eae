#include "protocol/trigger_index.h"

#include <algorithm>

namespace liqsim {
namespace {
struct LowerTrigger {  // max-heap
  bool operator()(const TriggerEntry& a, const TriggerEntry& b) const {
    if (a.trigger != b.trigger) return a.trigger < b.trigger;
    return a.account > b.account;  // deterministic order among equal triggers: lower id first
  }
};
struct HigherTrigger {  // min-heap
  bool operator()(const TriggerEntry& a, const TriggerEntry& b) const {
    if (a.trigger != b.trigger) return a.trigger > b.trigger;
    return a.account > b.account;
  }
};
}  // namespace

void TriggerIndex::add(uint32_t market, bool is_long, Price trigger, uint32_t account, uint32_t version,
                       TriggerKind kind) {
  TriggerEntry e{trigger.raw(), account, (version << 1) | static_cast<uint32_t>(kind)};
  if (is_long) {
    auto& h = longs_[market];
    h.push_back(e);
    std::push_heap(h.begin(), h.end(), LowerTrigger{});
  } else {
    auto& h = shorts_[market];
    h.push_back(e);
    std::push_heap(h.begin(), h.end(), HigherTrigger{});
  }
}

void TriggerIndex::collect(uint32_t market, Price mark, std::vector<TriggerEntry>& out) {
  auto& l = longs_[market];
  while (!l.empty() && l.front().trigger >= mark.raw()) {
    std::pop_heap(l.begin(), l.end(), LowerTrigger{});
    out.push_back(l.back());
    l.pop_back();
  }
  auto& s = shorts_[market];
  while (!s.empty() && s.front().trigger <= mark.raw()) {
    std::pop_heap(s.begin(), s.end(), HigherTrigger{});
    out.push_back(s.back());
    s.pop_back();
  }
}

void TriggerIndex::compact(const std::function<bool(const TriggerEntry&)>& live) {
  for (auto& h : longs_) {
    std::erase_if(h, [&](const TriggerEntry& e) { return !live(e); });
    std::make_heap(h.begin(), h.end(), LowerTrigger{});
  }
  for (auto& h : shorts_) {
    std::erase_if(h, [&](const TriggerEntry& e) { return !live(e); });
    std::make_heap(h.begin(), h.end(), HigherTrigger{});
  }
}

void TriggerIndex::clear(uint32_t market) {
  longs_[market].clear();
  shorts_[market].clear();
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
