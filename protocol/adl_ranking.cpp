#include "protocol/adl_ranking.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace liqsim {

double bitmex_adl_score(double mark_value, double avg_entry_value, double bankrupt_value) {
  if (avg_entry_value == 0.0) return 0.0;
  const double pnl_fraction = (mark_value - avg_entry_value) / std::fabs(avg_entry_value);
  if (pnl_fraction == 0.0) return 0.0;
  const double cushion = mark_value - bankrupt_value;
  if (cushion <= 0.0) return pnl_fraction > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
  const double effective_leverage = std::fabs(mark_value) / cushion;
  return pnl_fraction > 0.0 ? pnl_fraction * effective_leverage : pnl_fraction / effective_leverage;
}

double bitmex_adl_score(Quantity size, Price mark, Price entry, Amount wallet_balance) {
  const double q = to_double(size);
  const double entry_value = q * to_double(entry);
  return bitmex_adl_score(q * to_double(mark), entry_value, entry_value - to_double(wallet_balance));
}

double hyperliquid_adl_index(Price mark, Price entry, Amount notional_position, Amount account_value) {
  if (account_value <= Amount(0)) return std::numeric_limits<double>::infinity();
  if (entry <= Price(0)) return 0.0;
  return (to_double(mark) / to_double(entry)) * (to_double(notional_position) / to_double(account_value));
}

std::vector<std::pair<AccountId, Quantity>> allocate_adl(std::span<const AdlCandidate> candidates,
                                                         Quantity needed) {
  // Ranking: numbers before NaN, higher score first, then lower account id, then input position. Only
  // the first few ranks are usually needed, so candidates are popped from a heap (O(N + k log N))
  // instead of sorting all of them.
  std::vector<const AdlCandidate*> heap;
  heap.reserve(candidates.size());
  for (const AdlCandidate& c : candidates) {
    if (c.available > Quantity(0)) heap.push_back(&c);
  }
  const auto ranks_before = [](const AdlCandidate* a, const AdlCandidate* b) {
    const bool a_nan = std::isnan(a->score);
    const bool b_nan = std::isnan(b->score);
    if (a_nan != b_nan) return b_nan;
    if (!a_nan && a->score != b->score) return a->score > b->score;
    if (a->account != b->account) return a->account < b->account;
    return a < b;
  };
  const auto heap_less = [&](const AdlCandidate* a, const AdlCandidate* b) { return ranks_before(b, a); };
  std::make_heap(heap.begin(), heap.end(), heap_less);
  std::vector<std::pair<AccountId, Quantity>> fills;
  Quantity remaining = needed;
  while (remaining > Quantity(0) && !heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), heap_less);
    const AdlCandidate* c = heap.back();
    heap.pop_back();
    const Quantity take = std::min(c->available, remaining);
    fills.emplace_back(c->account, take);
    remaining -= take;
  }
  return fills;
}

double adl_score_upper_bound(double pnl_max, double abs_mark_value_max, double equity_min) {
  constexpr double kRelative = 1e-9;
  if (pnl_max > 0.0) {
    if (equity_min <= 0.0) return std::numeric_limits<double>::infinity();
    return pnl_max * abs_mark_value_max / equity_min * (1.0 + kRelative);
  }
  // PNL% <= 0: the score is PNL% / leverage = PNL% * equity / |MarkValue| <= 0, closest to 0 at the
  // smallest equity and the largest value; -1e300 (equity <= 0) is below any of these.
  if (equity_min <= 0.0) return 0.0;
  return pnl_max * equity_min / abs_mark_value_max * (1.0 - kRelative);
}

namespace {
// Heap order: true when a should pop after b (std:: heaps put the "largest" first).
bool pops_after(const AdlEntry& a, const AdlEntry& b) {
  if (a.key != b.key) return a.key < b.key;
  if (a.account != b.account) return a.account > b.account;
  return a.version_exact < b.version_exact;
}
}  // namespace

void AdlQueues::push(MarketId market, bool is_long, AdlEntry e) {
  auto& h = heap(market, is_long);
  h.push_back(e);
  std::push_heap(h.begin(), h.end(), pops_after);
}

AdlEntry AdlQueues::pop(MarketId market, bool is_long) {
  auto& h = heap(market, is_long);
  std::pop_heap(h.begin(), h.end(), pops_after);
  const AdlEntry e = h.back();
  h.pop_back();
  return e;
}

void AdlQueues::clear() {
  for (auto& h : heaps_) h.clear();
}

void AdlQueues::release() {
  for (auto& h : heaps_) std::vector<AdlEntry>().swap(h);
}

void AdlQueues::fit_capacity(std::vector<AdlEntry>& h) {
  const size_t room = 2 * h.size() + 1024;
  if (h.capacity() >= room && h.capacity() <= room + room / 4) return;
  std::vector<AdlEntry> fitted;
  fitted.reserve(room);
  fitted.assign(h.begin(), h.end());
  h.swap(fitted);
}

void AdlQueues::heapify(std::vector<AdlEntry>& h) { std::make_heap(h.begin(), h.end(), pops_after); }

size_t AdlQueues::size() const {
  size_t n = 0;
  for (const auto& h : heaps_) n += h.size();
  return n;
}

size_t AdlQueues::memory_bytes() const {
  size_t n = 0;
  for (const auto& h : heaps_) n += h.capacity() * sizeof(AdlEntry);
  return n;
}

}  // namespace liqsim
