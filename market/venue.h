// A venue where one instrument trades, as liquidation engines, keepers' unwinds and arbitrageurs need
// it: a buy or sell of a quantity with a worst acceptable price, executed at once, the rest cancelled.
// The order book (OrderBookVenue) is the first implementation; an AMM pool is the next.
//
// Contract (tests/market/venue_contract_test.cpp runs it against every implementation): no fill is
// worse than the worst price (a buy at or below it, a sell at or above); `filled` is at most the
// request and equals the sum of the fills, each of which names the requester as taker with the
// request's side and tag; a request with a non-positive quantity or worst price is refused and
// changes nothing; an execution never leaves the venue crossed (best bid < best ask).
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "market/order_book.h"

namespace liqsim {

struct ExecutionRequest {
  AccountId owner;  // account id
  Side side = Side::Buy;
  Quantity quantity;  // > 0
  Price worst;        // > 0: the highest price a buy pays, the lowest a sell accepts
  bool reduce_only = false;
  int64_t tag = -1;  // carried into the fills (the simulator's liquidation id)
};

// The spans point into the venue and stay valid until its next mutating call.
struct Execution {
  RejectReason reject = RejectReason::None;
  Quantity filled;
  std::span<const Fill> fills;
  bool accepted() const { return reject == RejectReason::None; }
};

// What every venue refuses before it looks at its liquidity: a quantity <= 0 (InvalidQuantity) or a worst
// price <= 0 (InvalidPrice); an accepted Execution with nothing filled otherwise.
Execution check_request(const ExecutionRequest& request);

class Venue {
 public:
  virtual ~Venue() = default;
  virtual std::string_view kind() const = 0;
  virtual Execution execute(const ExecutionRequest& request) = 0;
  virtual std::optional<Price> best_bid() const = 0;
  virtual std::optional<Price> best_ask() const = 0;
  virtual Price tick_size() const = 0;
};

// The order book as a venue: an immediate-or-cancel order at the worst price, moved onto the tick grid
// on the requester's safe side (a buy's limit rounded down, a sell's up), so no fill is worse.
class OrderBookVenue final : public Venue {
 public:
  explicit OrderBookVenue(OrderBook& book) : book_(book) {}
  std::string_view kind() const override { return "order_book"; }
  Execution execute(const ExecutionRequest& request) override;
  std::optional<Price> best_bid() const override { return book_.best_bid(); }
  std::optional<Price> best_ask() const override { return book_.best_ask(); }
  Price tick_size() const override { return book_.tick_size(); }

 private:
  OrderBook& book_;
};

}  // namespace liqsim
