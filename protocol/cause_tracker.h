// Cause attribution by counterfactual, with its own state (it never reads the run's records).
//
// The mark moved since the start of the attribution window for two reasons: the index (exogenous) and
// the basis mark - index (the book). If an account would be liquidatable at index_now + basis_then,
// the index alone explains its liquidation: a root (kNoId). Otherwise the book's move was needed, and
// the cause is the liquidation of another account whose orders traded the most on the side that
// pushes this position toward liquidation (sells for a long, buys for a short) within the window;
// kNoId when no liquidation traded there (makers withdrew, noise flow). Ties go to the lower id.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "core/units.h"
#include "market/order_book.h"
#include "protocol/ledger.h"

namespace liqsim {

class CauseTracker {
 public:
  explicit CauseTracker(Time window) : window_(window) {}

  // Liquidation `id` (dense, from 0) closes positions of `account`.
  void note_liquidation(LiquidationId id, AccountId account);
  // A fill of an order tagged with liquidation `liquidation` (an engine close or a keeper unwind).
  void on_liquidation_fill(Time time, LiquidationId liquidation, Side side, Quantity quantity);
  // One mark update's basis (mark - index).
  void on_mark(Time now, Price basis);

  // The cause of account a's liquidation now (none for a root). `liquidatable_at(price)` answers
  // whether the account is liquidatable at that mark.
  std::optional<LiquidationId> cause(Time now, AccountId a, bool is_long, Price index_now, Price tick,
                                     const std::function<bool(Price)>& liquidatable_at);

 private:
  struct Fill {
    Time time;
    LiquidationId liquidation;
    Side side;
    Quantity quantity;
  };
  Time window_;
  std::deque<Fill> fills_;
  std::deque<std::pair<Time, Price>> basis_history_;  // (time, mark - index) within the window
  std::vector<AccountId> liquidated_;                 // account of each liquidation id
};

}  // namespace liqsim
