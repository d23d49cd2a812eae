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

std::vector<std::pair<uint32_t, Quantity>> allocate_adl(std::span<const AdlCandidate> candidates,
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
  std::vector<std::pair<uint32_t, Quantity>> fills;
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

}  // namespace liqsim
