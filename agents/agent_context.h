// What an agent may do and see: the only door from agents to the world (STYLE rule 8). Agents never
// hold pointers to other agents or to the book; they schedule their own wake-ups, send orders,
// deposit outside capital and (keepers) send liquidation transactions through this context.
#pragma once

#include <optional>

#include "core/units.h"
#include "market/amm_pool.h"
#include "market/order_book.h"
#include "protocol/clearing_house.h"
#include "protocol/liquidation_mechanism.h"

namespace liqsim {

// Public market data of one market at the current time. `fundamental` is the exogenous value process
// (GBM, jumps, shock or replay): only informed populations read it, each through its own noise (their
// documented information sets); every other price here is made by the venues.
struct MarketView {
  Price fundamental;
  Price index;
  Price oracle;
  Price mark;
  Price last;
  Price tick;
  std::optional<Price> best_bid;
  std::optional<Price> best_ask;
  Quantity open_interest;  // coins long (= short) in the market, as exchanges publish it
};

enum class VenueKind : uint8_t { Perpetual = 0, Spot = 1, Amm = 2 };

// A trading venue: the perpetual market m's book is VenueId(m); spot venues trade the asset of a
// market (`base`, at the Quantity scale) against the quote, settled in the ledger; an AMM venue is market
// m's constant-product pool, where the market's instrument trades against the pool's reserves (the
// amm_pool place), its fee in its prices (taker and maker fees 0).
struct VenueInfo {
  VenueKind kind = VenueKind::Perpetual;
  MarketId market;
  AssetId base;  // spot: the traded asset; perpetual: the quote asset (unused)
  Price tick;
  Ratio taker_fee;
  Ratio maker_fee;
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
  // Adds margin to an account that is not frozen (see frozen()).
  virtual void deposit(AccountId a, Amount amount) = 0;
  // The protocol froze account a: its orders are rejected (RejectReason::AccountFrozen) and it takes no
  // deposit (Synthetix's flagged positions, LiquidationMechanism::frozen).
  virtual bool frozen(AccountId /*a*/) const { return false; }
  // Sets (or clears) the protocol's top-up alert for an account: equity below multiple * MM.
  virtual void set_alert(AccountId a, std::optional<Ratio> multiple) = 0;
  // Keepers: a liquidation transaction landing in the first block at or after `ready`, ordered in the
  // block by the scenario's same-time rule (priority_fee uses `priority_fee`, micro-dollars).
  // `intent` says what the transaction asks for (a keeper take-over by default; an auction's bid).
  virtual void send_liquidation_tx(AccountId keeper, AccountId target, Time ready, Amount priority_fee,
                                   const TxIntent& intent = {}) = 0;
  // Keepers: the running auctions of `target`'s collateral, as the chain shows them now.
  virtual std::vector<AuctionView> auctions(AccountId target) const = 0;
  // Keepers: what a liquidation transaction against `target` would give them now, by the mechanism's own
  // rules (LiquidationMechanism::quote); none where they estimate it from the keeper parameters.
  virtual std::optional<LiquidationQuote> liquidation_quote(AccountId target) const = 0;
  // Keepers: the chain's base fee per liquidation transaction now (micro-dollars), as a keeper reads the
  // current block's base fee; the block that includes a transaction charges its own.
  virtual Amount base_fee() const = 0;
  virtual uint32_t market_count() const = 0;

  // Every venue, perpetual books first (VenueId(m) is market m's book), then the spot venues. Orders
  // at a perpetual venue are exactly submit(MarketId); at a spot venue every fill is settled in the
  // ledger (quote and base asset) before this returns.
  virtual uint32_t venue_count() const = 0;
  virtual const VenueInfo& venue(VenueId v) const = 0;
  virtual SubmitResult submit_at(VenueId v, const OrderRequest& order) = 0;
  virtual bool cancel_at(VenueId v, OrderId id) = 0;
  // The book of a perpetual or spot venue (an AMM venue has none: pool_at).
  virtual const OrderBook& book_at(VenueId v) const = 0;
  // The pool of an AMM venue, nullptr for a book. Orders at it (submit_at) are swaps: an IOC or market
  // order, its limit the worst marginal price (market/amm_venue.h: a constant-product or concentrated pool).
  virtual const AmmVenue* pool_at(VenueId v) const = 0;
  // Market m's AMM venue, if it has a pool.
  virtual std::optional<VenueId> amm_of(MarketId m) const = 0;
};

}  // namespace liqsim
