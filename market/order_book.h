// The limit order book of one instrument: price-time priority matching of limit, market, IOC, FOK and
// post-only orders, reduce-only orders against an external position source, O(1) cancel by id.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/units.h"
#include "market/order_book_ladder.h"

namespace liqsim {

enum class Side : uint8_t { Buy, Sell };

constexpr Side opposite(Side side) { return side == Side::Buy ? Side::Sell : Side::Buy; }

// Limit: matches up to its limit, then rests the remainder. Market: no limit (request.limit must be
// empty), takes any price, never rests. ImmediateOrCancel: matches up to its limit (or without bound if
// the limit is empty), the remainder is cancelled. FillOrKill: fills its whole quantity at or better than
// its limit (or at any price if the limit is empty) or does nothing. PostOnly: rests only; rejected if
// it would cross.
enum class OrderType : uint8_t { Limit, Market, ImmediateOrCancel, FillOrKill, PostOnly };

// Assigned by the book: (generation << 32) | pool slot, generation >= 1, so ids are never 0 and an id
// of an order that left the book is recognised as stale even after its slot is reused.
using OrderId = uint64_t;

struct OrderRequest {
  AccountId owner;  // account id
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  std::optional<Price> limit;  // on the tick grid, > 0; required for Limit and PostOnly, absent for Market
  Quantity quantity;           // > 0
  bool reduce_only = false;
  int64_t tag = -1;  // opaque to the book, carried into fills (the simulator's liquidation id)
};

// One execution between a resting (maker) order and an incoming (taker) order, at the maker's price.
struct Fill {
  OrderId maker_order = 0;
  OrderId taker_order = 0;
  AccountId maker_owner;
  AccountId taker_owner;
  Side taker_side = Side::Buy;
  Price price;
  Quantity quantity;
  int64_t maker_tag = -1;
  int64_t taker_tag = -1;
  bool maker_done = false;  // the maker left the book with this fill (filled, or reduce-only exhausted)
};

enum class RejectReason : uint8_t {
  None,
  InvalidQuantity,
  InvalidPrice,  // limit <= 0, a limit missing (Limit, PostOnly) or given to a Market order
  PriceNotOnTick,
  PostOnlyWouldCross,
  FillOrKillUnfillable,
  ReduceOnlyWouldIncrease,
  NoLiquidity,  // Market order with nothing on the other side
  UnknownOrder,
  PriceOutOfRange,  // live prices would span more than 2^30 ticks (see PriceLadder)
  AccountFrozen,    // the protocol froze the owner's account (a Synthetix flag); set by the run, not the book
};

// Outcome of submit/modify. The spans point into the book and stay valid until its next mutating call.
struct SubmitResult {
  OrderId id = 0;  // submit: the new order (0 if rejected); modify: the modified order
  RejectReason reject = RejectReason::None;
  Quantity filled;   // executed by this call
  Quantity resting;  // left in the book by this call (0 if the order is gone)
  std::span<const Fill> fills;
  // Resting reduce-only orders removed unfilled during matching because their owner had nothing left
  // to reduce (a maker capped to 0); makers removed with a fill are reported by Fill::maker_done.
  std::span<const OrderId> cancelled;
  bool accepted() const { return reject == RejectReason::None; }
};

struct OrderView {
  AccountId owner;
  Side side = Side::Buy;
  Price price;
  Quantity remaining;
  int64_t tag = -1;
  bool reduce_only = false;
  bool post_only = false;
};

// Where reduce-only orders read positions: signed, long > 0, in the instrument's base units.
class PositionSource {
 public:
  virtual ~PositionSource() = default;
  virtual Quantity position(AccountId owner) const = 0;
};

// Price-time priority book. Prices are on the grid k * tick_size, k >= 1; every refusal is a returned
// RejectReason. Fills are produced only after matching finished (no callbacks), in execution order.
//
// Costs: cancel and a non-crossing submit or modify are O(1) (a level that empties costs a bitset
// search for the next best price: a few words inside its 1024-tick page, else the page directory's
// two-level bitset); matching adds O(1) per fill and per emptied level. No heap allocation once the
// order pool, fill buffer and page cache have reached their peak. Memory: 48 B per order slot (the pool
// keeps its peak size), 16 KiB per 1024-tick page that holds a resting order (16 spare pages kept), and
// 8 B per page of the live price range for the directory (at most 8 MiB: live prices must lie within
// 2^30 ticks of each other, else PriceOutOfRange).
//
// Reduce-only: an incoming reduce-only order is rejected (ReduceOnlyWouldIncrease) when the owner's
// position is 0 or on the order's side, and its quantity is capped at |position|. A resting reduce-only
// order reached as a maker fills at most the owner's reducible quantity at that moment: the position
// from the PositionSource plus what the owner already traded in the same call, on the reducing side
// (sells reduce a long). When that reaches 0 the maker is removed: with its fill (maker_done) or, if
// nothing was left to reduce, listed in SubmitResult::cancelled. Without a PositionSource every
// position reads 0, so reduce-only orders are rejected and resting ones are removed when reached.
// Self-trades are not prevented.
//
// Modify keeps the id. A lower quantity at the same price keeps time priority; a new price or a higher
// quantity is a cancel plus re-place (same owner, tag, flags) at the back of the new level, which can
// match like a Limit order; a PostOnly order that would cross is rejected and left unchanged.
// Quantities given to modify are the new remaining quantity.
class OrderBook {
 public:
  explicit OrderBook(Price tick_size);

  SubmitResult submit(const OrderRequest& request);
  // Removes a resting order; false if the id is unknown or the order already left the book. O(1).
  bool cancel(OrderId id);
  SubmitResult modify(OrderId id, std::optional<Price> new_price, std::optional<Quantity> new_quantity);

  // The source must outlive the book or be replaced; nullptr means every position is 0.
  void set_position_source(const PositionSource* source) { positions_ = source; }
  // Pre-sizes the order pool and the fill buffer, so the first operations do not allocate either.
  void reserve(size_t orders, size_t fills_per_call);

  std::optional<Price> best_bid() const {
    if (best_bid_ == book_detail::kNoTickBelow) return std::nullopt;
    return price_of(best_bid_);
  }
  std::optional<Price> best_ask() const {
    if (best_ask_ == book_detail::kNoTickAbove) return std::nullopt;
    return price_of(best_ask_);
  }
  // (best bid + best ask) / 2, rounded down to a Price unit; empty unless both sides have orders.
  std::optional<Price> mid() const;
  // Resting quantity of the side at exactly `price` (0 off the grid or if the level is the other side's).
  Quantity quantity_at(Side side, Price price) const;
  // Resting quantity of the side at prices at least as good as `bound` (bids >= bound, asks <= bound).
  Quantity depth_within(Side side, Price bound) const;
  // depth_within for several bounds in one walk of the side: out[i] = depth_within(side, bounds[i]).
  // The bounds go from the nearest to the mid outwards (bids descending, asks ascending).
  void depth_within(Side side, std::span<const Price> bounds, std::span<Quantity> out) const;
  // Replaces `out` with up to `levels` (price, quantity) levels of the side, best first.
  void depth(Side side, size_t levels, std::vector<std::pair<Price, Quantity>>& out) const;
  size_t order_count() const { return order_count_; }
  std::optional<OrderView> order(OrderId id) const {
    uint32_t slot;
    if (!find_slot(id, slot)) return std::nullopt;
    const OrderNode& n = node(slot);
    return OrderView{n.owner, n.side, price_of(n.tick), n.remaining, n.tag, n.reduce_only, n.post_only};
  }
  Price tick_size() const { return Price(tick_); }

 private:
  // A pool slot: a resting order (live) or a free-list entry (next links the free list).
  struct OrderNode {
    Quantity remaining;
    int64_t tick = 0;
    int64_t tag = -1;
    uint32_t prev = book_detail::kNil;
    uint32_t next = book_detail::kNil;
    AccountId owner;
    uint32_t generation = 0;
    Side side = Side::Buy;
    bool live = false;
    bool reduce_only = false;
    bool post_only = false;
  };

  Price price_of(int64_t tick) const { return Price(tick * tick_); }
  OrderNode& node(uint32_t slot) { return chunks_[slot >> kChunkBits][slot & kChunkMask]; }
  const OrderNode& node(uint32_t slot) const { return chunks_[slot >> kChunkBits][slot & kChunkMask]; }
  OrderId id_of(uint32_t slot) const { return (uint64_t(node(slot).generation) << 32) | slot; }
  bool find_slot(OrderId id, uint32_t& slot) const {
    slot = uint32_t(id);
    if (slot >= slot_count_) return false;
    const OrderNode& n = node(slot);
    return n.live && n.generation == uint32_t(id >> 32);
  }
  RejectReason check_limit(Price limit, int64_t& tick) const;
  bool crosses(Side side, int64_t tick) const {
    return side == Side::Buy ? best_ask_ <= tick : best_bid_ >= tick;
  }
  Quantity position(AccountId owner) const;
  Quantity reducible(AccountId owner, Side side, std::span<const Fill> so_far) const;
  bool fill_or_kill_fillable(Side side, int64_t limit_tick, Quantity quantity, AccountId owner);

  uint32_t allocate();
  void release(uint32_t slot);
  void rest(uint32_t slot);
  void unlink(uint32_t slot);
  template <Side kTakerSide>
  Quantity match(uint32_t taker, int64_t limit_tick);
  Quantity match(uint32_t taker, int64_t limit_tick) {
    return node(taker).side == Side::Buy ? match<Side::Buy>(taker, limit_tick)
                                         : match<Side::Sell>(taker, limit_tick);
  }
  SubmitResult rejected(OrderId id, RejectReason reason) const {
    return SubmitResult{id, reason, Quantity::zero(), Quantity::zero(), {}, {}};
  }

  int64_t tick_;
  book_detail::PriceLadder ladder_;
  int64_t best_bid_ = book_detail::kNoTickBelow;  // ticks; the book is never crossed: bid < ask
  int64_t best_ask_ = book_detail::kNoTickAbove;
  // The order pool grows by fixed chunks, so growing never moves orders (no copy, no latency spike).
  static constexpr int kChunkBits = 12;
  static constexpr uint32_t kChunkMask = (uint32_t{1} << kChunkBits) - 1;
  std::vector<std::unique_ptr<OrderNode[]>> chunks_;
  uint32_t slot_count_ = 0;  // slots handed out so far (live or on the free list)
  uint32_t free_head_ = book_detail::kNil;
  size_t order_count_ = 0;
  size_t reduce_only_resting_[2] = {0, 0};  // per side, lets FOK skip the exact walk when zero
  std::vector<Fill> fills_;
  std::vector<OrderId> cancelled_;
  std::vector<Fill> scratch_fills_;
  const PositionSource* positions_ = nullptr;
};

}  // namespace liqsim
