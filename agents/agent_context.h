// What an agent may do and see: the only door from agents to the world (STYLE rule 8). Agents never
// hold pointers to other agents or to the book; they schedule their own wake-ups, send orders,
// deposit outside capital and (keepers) send liquidation transactions through this context.
#pragma once

#include <optional>

#include "core/units.h"
#include "market/order_book.h"
#include "protocol/clearing_house.h"

namespace liqsim {

// Public market data of one market at the current time.
struct MarketView {
  Price index;
  Price oracle;
  Price mark;
  Price last;
  Price tick;
  std::optional<Price> best_bid;
  std::optional<Price> best_ask;
};

class AgentContext {
 public:
  virtual ~AgentContext() = default;
  virtual Time now() const = 0;
  // Wakes the calling population at `at` with (target, arg), delivered to its on_wake().
  virtual void wake(Time at, uint32_t target, int64_t arg) = 0;
  // Sends an order; every fill is applied to the ledger before this returns.
  virtual SubmitResult submit(MarketId m, const OrderRequest& order) = 0;
  virtual bool cancel(MarketId m, OrderId id) = 0;
  virtual SubmitResult modify(MarketId m, OrderId id, std::optional<Price> price,
                              std::optional<Quantity> quantity) = 0;
  virtual const OrderBook& book(MarketId m) const = 0;
  virtual MarketView view(MarketId m) const = 0;
  virtual const ClearingHouse& clearing() const = 0;
  virtual void deposit(AccountId a, Amount amount) = 0;
  // Sets (or clears) the protocol's top-up alert for an account: equity below multiple * MM.
  virtual void set_alert(AccountId a, std::optional<Ratio> multiple) = 0;
  // Keepers: a liquidation transaction landing in the first block at or after `ready`, ordered in the
  // block by the scenario's same-time rule (priority_fee uses `priority_fee`, micro-dollars).
  virtual void send_liquidation_tx(AccountId keeper, AccountId target, Time ready, Amount priority_fee) = 0;
  // Keepers: the chain's base fee per liquidation transaction now (micro-dollars), as a keeper reads the
  // current block's base fee; the block that includes a transaction charges its own.
  virtual Amount base_fee() const = 0;
  virtual uint32_t market_count() const = 0;
};

}  // namespace liqsim
