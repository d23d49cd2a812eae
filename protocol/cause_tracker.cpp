#include "protocol/cause_tracker.h"

#include <algorithm>

#include "core/check.h"
#include "core/recorder.h"

namespace liqsim {

void CauseTracker::note_liquidation(LiquidationId id, AccountId account) {
  LIQSIM_CHECK(id.raw() == int64_t(liquidated_.size()), "liquidation ids must be dense");
  liquidated_.push_back(account);
}

void CauseTracker::on_liquidation_fill(Time time, LiquidationId liquidation, Side side, Quantity quantity) {
  fills_.push_back({time, liquidation, side, quantity});
}

void CauseTracker::on_mark(Time now, Price basis) {
  basis_history_.emplace_back(now, basis);
  while (basis_history_.size() > 1 && basis_history_[1].first <= now - window_) basis_history_.pop_front();
}

std::optional<LiquidationId> CauseTracker::cause(Time now, AccountId a, bool is_long, Price index_now,
                                                 Price tick,
                                                 const std::function<bool(Price)>& liquidatable_at) {
  const Time window_start = now - window_;
  while (!fills_.empty() && fills_.front().time < window_start) fills_.pop_front();
  if (basis_history_.empty()) return std::nullopt;
  const Price basis_then = basis_history_.front().second;
  if (liquidatable_at(std::max(index_now + basis_then, tick))) return std::nullopt;
  const Side adverse = is_long ? Side::Sell : Side::Buy;
  std::vector<std::pair<int64_t, int64_t>> totals;  // (liquidation, quantity): few entries
  for (const Fill& f : fills_) {
    if (f.side != adverse || liquidated_[size_t(f.liquidation.raw())] == a) continue;
    auto it = std::find_if(totals.begin(), totals.end(),
                           [&](const auto& t) { return t.first == f.liquidation.raw(); });
    if (it == totals.end())
      totals.emplace_back(f.liquidation.raw(), f.quantity.raw());
    else
      it->second += f.quantity.raw();
  }
  int64_t best = kNoId;  // raw ids here; kNoId until a candidate is found
  int64_t best_quantity = 0;
  for (const auto& [id, q] : totals)
    if (q > best_quantity || (q == best_quantity && id < best)) {
      best = id;
      best_quantity = q;
    }
  return liquidation_from_record(best);
}

}  // namespace liqsim
