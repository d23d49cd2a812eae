// TextbookOrderBook: the plain textbook price-time book, the speed reference for liqsim's OrderBook in
// bench/order_book_bench.cpp. Per side a std::map from price to a std::list of resting orders in
// arrival order, and an unordered_map from order id to its list position for O(1) cancel. Same
// contract as OrderBook on the operations the benchmarks use: limit, market and immediate-or-cancel
// orders fill at the resting order's price, best price first and oldest first within a price; fills
// are reported once matching is done; a move keeps the id, and a new price re-places the order at the
// back of its new level (where it can match). Prices and quantities are plain integers (ticks, lots).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <list>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace liqsim::bench {

class TextbookOrderBook {
 public:
  enum class Type { Limit, Market, ImmediateOrCancel };

  struct Fill {
    uint64_t maker = 0;
    int64_t price = 0;
    int64_t quantity = 0;
  };

  struct Resting {
    bool is_buy = false;
    int64_t price = 0;
    int64_t quantity = 0;
  };

  // Matches against the other side up to `price` (any price for Market); a Limit remainder rests.
  // Returns the new id; the fills are in fills() until the next call.
  uint64_t submit(bool is_buy, Type type, int64_t price, int64_t quantity) {
    const uint64_t id = next_id_++;
    fills_.clear();
    place(id, is_buy, type, price, quantity);
    return id;
  }

  // Removes a resting order; false if the id is unknown or the order already left the book.
  bool cancel(uint64_t id) {
    const auto where = where_.find(id);
    if (where == where_.end()) return false;
    remove(where);
    return true;
  }

  // The same price leaves the order where it is; a new price is a cancel plus a re-place under the same
  // id, which can match. False if the id is unknown.
  bool move(uint64_t id, int64_t price) {
    fills_.clear();
    const auto where = where_.find(id);
    if (where == where_.end()) return false;
    const Order order = *where->second;
    if (order.price == price) return true;
    remove(where);
    place(id, order.is_buy, Type::Limit, price, order.quantity);
    return true;
  }

  std::optional<Resting> order(uint64_t id) const {
    const auto where = where_.find(id);
    if (where == where_.end()) return std::nullopt;
    const Order& order = *where->second;
    return Resting{order.is_buy, order.price, order.quantity};
  }

  const std::vector<Fill>& fills() const { return fills_; }
  std::optional<int64_t> best_bid() const {
    return bids_.empty() ? std::nullopt : std::optional<int64_t>(bids_.begin()->first);
  }
  std::optional<int64_t> best_ask() const {
    return asks_.empty() ? std::nullopt : std::optional<int64_t>(asks_.begin()->first);
  }
  size_t order_count() const { return where_.size(); }

 private:
  struct Order {
    uint64_t id = 0;
    int64_t price = 0;
    int64_t quantity = 0;
    bool is_buy = false;
  };
  using Level = std::list<Order>;
  using Bids = std::map<int64_t, Level, std::greater<>>;  // best (highest) first
  using Asks = std::map<int64_t, Level>;                  // best (lowest) first

  void place(uint64_t id, bool is_buy, Type type, int64_t price, int64_t quantity) {
    const bool limited = type != Type::Market;
    if (is_buy) {
      match(asks_, true, limited, price, quantity);
      if (quantity > 0 && type == Type::Limit) rest(bids_, Order{id, price, quantity, true});
    } else {
      match(bids_, false, limited, price, quantity);
      if (quantity > 0 && type == Type::Limit) rest(asks_, Order{id, price, quantity, false});
    }
  }

  // Fills `quantity` against `side` (the opposite side of the incoming order), best price first.
  template <class Side>
  void match(Side& side, bool is_buy, bool limited, int64_t price, int64_t& quantity) {
    while (quantity > 0 && !side.empty()) {
      const auto best = side.begin();
      if (limited && (is_buy ? best->first > price : best->first < price)) break;
      Level& level = best->second;
      while (quantity > 0 && !level.empty()) {
        Order& maker = level.front();
        const int64_t traded = std::min(quantity, maker.quantity);
        fills_.push_back(Fill{maker.id, maker.price, traded});
        quantity -= traded;
        maker.quantity -= traded;
        if (maker.quantity == 0) {
          where_.erase(maker.id);
          level.pop_front();
        }
      }
      if (level.empty()) side.erase(best);
    }
  }

  template <class Side>
  void rest(Side& side, const Order& order) {
    Level& level = side[order.price];
    level.push_back(order);
    where_[order.id] = std::prev(level.end());
  }

  void remove(std::unordered_map<uint64_t, Level::iterator>::iterator where) {
    const Order& order = *where->second;
    if (order.is_buy) {
      erase_from(bids_, order.price, where->second);
    } else {
      erase_from(asks_, order.price, where->second);
    }
    where_.erase(where);
  }

  template <class Side>
  static void erase_from(Side& side, int64_t price, Level::iterator position) {
    const auto level = side.find(price);
    level->second.erase(position);
    if (level->second.empty()) side.erase(level);
  }

  Bids bids_;
  Asks asks_;
  std::unordered_map<uint64_t, Level::iterator> where_;
  std::vector<Fill> fills_;
  uint64_t next_id_ = 1;
};

}  // namespace liqsim::bench
