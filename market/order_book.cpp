#include "market/order_book.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {

using book_detail::kNil;
using book_detail::kNoTickAbove;
using book_detail::kNoTickBelow;
using book_detail::Level;
using book_detail::PriceLadder;

namespace {

// Division rounding toward -infinity / +infinity, for b > 0 (no negation, so safe at INT64_MIN).
int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b < 0); }
int64_t ceil_div(int64_t a, int64_t b) { return a / b + (a % b > 0); }

// Limit ticks standing for "no price bound": beyond every tick a resting order can have (1..kMaxTick).
constexpr int64_t kUnboundedBuy = PriceLadder::kMaxTick;
constexpr int64_t kUnboundedSell = 0;

}  // namespace

OrderBook::OrderBook(Price tick_size) : tick_(tick_size.raw()) {
  LIQSIM_CHECK(tick_ > 0, "tick size must be positive");
}

void OrderBook::reserve(size_t orders, size_t fills_per_call) {
  while (chunks_.size() << kChunkBits < orders)
    chunks_.push_back(std::make_unique<OrderNode[]>(kChunkMask + 1));
  fills_.reserve(fills_per_call);
  scratch_fills_.reserve(fills_per_call);
  cancelled_.reserve(fills_per_call);
}

RejectReason OrderBook::check_limit(Price limit, int64_t& tick) const {
  if (limit <= Price::zero()) return RejectReason::InvalidPrice;
  if (limit.raw() % tick_ != 0) return RejectReason::PriceNotOnTick;
  tick = limit.raw() / tick_;
  return RejectReason::None;
}

Quantity OrderBook::position(AccountId owner) const {
  return positions_ ? positions_->position(owner) : Quantity::zero();
}

Quantity OrderBook::reducible(AccountId owner, Side side, std::span<const Fill> so_far) const {
  Quantity pos = position(owner);
  for (const Fill& f : so_far) {
    const Quantity taker_delta = f.taker_side == Side::Buy ? f.quantity : -f.quantity;
    if (f.taker_owner == owner) pos += taker_delta;
    if (f.maker_owner == owner) pos -= taker_delta;
  }
  const Quantity reducing = side == Side::Sell ? pos : -pos;
  return std::max(reducing, Quantity::zero());
}

uint32_t OrderBook::allocate() {
  uint32_t slot;
  if (free_head_ != kNil) {
    slot = free_head_;
    free_head_ = node(slot).next;
  } else {
    LIQSIM_CHECK(slot_count_ < kNil, "order pool exhausted");
    slot = slot_count_++;
    if (slot >> kChunkBits == chunks_.size())
      chunks_.push_back(std::make_unique<OrderNode[]>(kChunkMask + 1));
  }
  OrderNode& n = node(slot);
  n.generation = n.generation + 1 == 0 ? 1 : n.generation + 1;
  n.live = true;
  return slot;
}

void OrderBook::release(uint32_t slot) {
  OrderNode& n = node(slot);
  n.live = false;
  n.next = free_head_;
  free_head_ = slot;
}

void OrderBook::rest(uint32_t slot) {
  OrderNode& n = node(slot);
  Level& level = ladder_.acquire(n.tick);
  n.prev = level.tail;
  n.next = kNil;
  if (level.tail != kNil) {
    node(level.tail).next = slot;
  } else {
    level.head = slot;
    ladder_.set(n.tick);
  }
  level.tail = slot;
  level.total += n.remaining;
  if (n.side == Side::Buy) {
    best_bid_ = std::max(best_bid_, n.tick);
  } else {
    best_ask_ = std::min(best_ask_, n.tick);
  }
  ++order_count_;
  if (n.reduce_only) ++reduce_only_resting_[size_t(n.side)];
}

void OrderBook::unlink(uint32_t slot) {
  OrderNode& n = node(slot);
  Level& level = ladder_.at(n.tick);
  if (n.prev != kNil) {
    node(n.prev).next = n.next;
  } else {
    level.head = n.next;
  }
  if (n.next != kNil) {
    node(n.next).prev = n.prev;
  } else {
    level.tail = n.prev;
  }
  level.total -= n.remaining;
  if (level.head == kNil) {
    ladder_.clear(n.tick);
    if (n.tick == best_bid_) {
      best_bid_ = ladder_.next_at_or_below(n.tick - 1);
    } else if (n.tick == best_ask_) {
      best_ask_ = ladder_.next_at_or_above(n.tick + 1);
    }
  }
  --order_count_;
  if (n.reduce_only) --reduce_only_resting_[size_t(n.side)];
}

template <Side kTakerSide>
Quantity OrderBook::match(uint32_t taker, int64_t limit_tick) {
  constexpr bool kBuy = kTakerSide == Side::Buy;
  OrderNode& t = node(taker);
  const OrderId taker_id = id_of(taker);
  const Quantity start = t.remaining;
  while (t.remaining > Quantity::zero()) {
    const int64_t best = kBuy ? best_ask_ : best_bid_;
    if (kBuy ? best > limit_tick : best < limit_tick) break;
    Level& level = ladder_.at(best);
    const Price price = price_of(best);
    do {
      const uint32_t maker = level.head;
      OrderNode& m = node(maker);
      Quantity q = std::min(t.remaining, m.remaining);
      bool done = q == m.remaining;
      bool cancelled = false;
      if (m.reduce_only) [[unlikely]] {
        const Quantity r = reducible(m.owner, m.side, fills_);
        if (r <= Quantity::zero()) {
          cancelled = true;
        } else if (r <= q) {
          q = r;
          done = true;
        }
      }
      if (cancelled) {
        cancelled_.push_back(id_of(maker));
      } else {
        fills_.push_back(
            Fill{id_of(maker), taker_id, m.owner, t.owner, kTakerSide, price, q, m.tag, t.tag, done});
        t.remaining -= q;
        if (!done) {
          m.remaining -= q;
          level.total -= q;
          break;  // the taker is exhausted, since q < maker's remaining
        }
      }
      level.total -= m.remaining;
      level.head = m.next;
      if (m.next != kNil) {
        node(m.next).prev = kNil;
      } else {
        level.tail = kNil;
      }
      --order_count_;
      if (m.reduce_only) --reduce_only_resting_[size_t(m.side)];
      release(maker);
    } while (t.remaining > Quantity::zero() && level.head != kNil);
    if (level.head != kNil) break;
    ladder_.clear(best);
    if constexpr (kBuy) {
      best_ask_ = ladder_.next_at_or_above(best + 1);
    } else {
      best_bid_ = ladder_.next_at_or_below(best - 1);
    }
  }
  return start - t.remaining;
}

bool OrderBook::fill_or_kill_fillable(Side side, int64_t limit_tick, Quantity quantity, AccountId owner) {
  const bool buy = side == Side::Buy;
  auto within = [&](int64_t tick) { return buy ? tick <= limit_tick : tick >= limit_tick; };
  auto next = [&](int64_t tick) {
    return buy ? ladder_.next_at_or_above(tick + 1) : ladder_.next_at_or_below(tick - 1);
  };
  Quantity remaining = quantity;
  if (reduce_only_resting_[size_t(opposite(side))] == 0) {
    for (int64_t t = buy ? best_ask_ : best_bid_; within(t); t = next(t)) {
      remaining -= ladder_.at(t).total;
      if (remaining <= Quantity::zero()) return true;
    }
    return false;
  }
  // Reduce-only makers may fill less than they show: replay match() without changing the book.
  scratch_fills_.clear();
  for (int64_t t = buy ? best_ask_ : best_bid_; within(t); t = next(t)) {
    for (uint32_t s = ladder_.at(t).head; s != kNil; s = node(s).next) {
      const OrderNode& m = node(s);
      Quantity q = std::min(remaining, m.remaining);
      if (m.reduce_only) {
        const Quantity r = reducible(m.owner, m.side, scratch_fills_);
        if (r <= Quantity::zero()) continue;
        q = std::min(q, r);
      }
      Fill f;
      f.maker_owner = m.owner;
      f.taker_owner = owner;
      f.taker_side = side;
      f.quantity = q;
      scratch_fills_.push_back(f);
      remaining -= q;
      if (remaining <= Quantity::zero()) return true;
    }
  }
  return false;
}

SubmitResult OrderBook::submit(const OrderRequest& request) {
  fills_.clear();
  cancelled_.clear();
  if (request.quantity <= Quantity::zero()) return rejected(0, RejectReason::InvalidQuantity);
  const bool may_rest = request.type == OrderType::Limit || request.type == OrderType::PostOnly;
  int64_t limit_tick = request.side == Side::Buy ? kUnboundedBuy : kUnboundedSell;
  if (request.type == OrderType::Market) {
    if (request.limit) return rejected(0, RejectReason::InvalidPrice);
  } else if (request.limit) {
    const RejectReason r = check_limit(*request.limit, limit_tick);
    if (r != RejectReason::None) return rejected(0, r);
    if (may_rest && !ladder_.can_hold(limit_tick)) return rejected(0, RejectReason::PriceOutOfRange);
    // No resting tick exceeds kUnboundedBuy, and the empty-side marker kNoTickAbove must stay above.
    limit_tick = std::min(limit_tick, kUnboundedBuy);
  } else if (may_rest) {
    return rejected(0, RejectReason::InvalidPrice);
  }

  Quantity quantity = request.quantity;
  if (request.reduce_only) {
    const Quantity allowed = reducible(request.owner, request.side, {});
    if (allowed <= Quantity::zero()) return rejected(0, RejectReason::ReduceOnlyWouldIncrease);
    quantity = std::min(quantity, allowed);
  }
  switch (request.type) {
    case OrderType::PostOnly:
      if (crosses(request.side, limit_tick)) return rejected(0, RejectReason::PostOnlyWouldCross);
      break;
    case OrderType::Market:
      if (request.side == Side::Buy ? best_ask_ == kNoTickAbove : best_bid_ == kNoTickBelow) {
        return rejected(0, RejectReason::NoLiquidity);
      }
      break;
    case OrderType::FillOrKill:
      if (!fill_or_kill_fillable(request.side, limit_tick, quantity, request.owner)) {
        return rejected(0, RejectReason::FillOrKillUnfillable);
      }
      break;
    case OrderType::Limit:
    case OrderType::ImmediateOrCancel:
      break;
  }

  const uint32_t slot = allocate();
  OrderNode& n = node(slot);
  n.remaining = quantity;
  n.tick = limit_tick;
  n.tag = request.tag;
  n.owner = request.owner;
  n.side = request.side;
  n.reduce_only = request.reduce_only;
  n.post_only = request.type == OrderType::PostOnly;
  const OrderId id = id_of(slot);
  const Quantity filled = match(slot, limit_tick);
  Quantity resting = Quantity::zero();
  if (may_rest && n.remaining > Quantity::zero()) {
    resting = n.remaining;
    rest(slot);
  } else {
    release(slot);
  }
  return SubmitResult{id, RejectReason::None, filled, resting, fills_, cancelled_};
}

bool OrderBook::cancel(OrderId id) {
  uint32_t slot;
  if (!find_slot(id, slot)) return false;
  unlink(slot);
  release(slot);
  return true;
}

SubmitResult OrderBook::modify(OrderId id, std::optional<Price> new_price,
                               std::optional<Quantity> new_quantity) {
  fills_.clear();
  cancelled_.clear();
  uint32_t slot;
  if (!find_slot(id, slot)) return rejected(id, RejectReason::UnknownOrder);
  OrderNode& n = node(slot);
  if (new_quantity && *new_quantity <= Quantity::zero()) return rejected(id, RejectReason::InvalidQuantity);
  int64_t tick = n.tick;
  if (new_price) {
    const RejectReason r = check_limit(*new_price, tick);
    if (r != RejectReason::None) return rejected(id, r);
    if (!ladder_.can_hold(tick)) return rejected(id, RejectReason::PriceOutOfRange);
  }
  Quantity quantity = new_quantity.value_or(n.remaining);
  if (n.reduce_only && (tick != n.tick || quantity > n.remaining)) {
    const Quantity allowed = reducible(n.owner, n.side, {});
    if (allowed <= Quantity::zero()) return rejected(id, RejectReason::ReduceOnlyWouldIncrease);
    quantity = std::min(quantity, allowed);
  }
  if (tick == n.tick && quantity <= n.remaining) {
    ladder_.at(tick).total -= n.remaining - quantity;
    n.remaining = quantity;
    return SubmitResult{id, RejectReason::None, Quantity::zero(), quantity, fills_, cancelled_};
  }
  if (n.post_only && crosses(n.side, tick)) return rejected(id, RejectReason::PostOnlyWouldCross);

  unlink(slot);
  n.tick = tick;
  n.remaining = quantity;
  const Quantity filled = match(slot, tick);
  Quantity resting = Quantity::zero();
  if (n.remaining > Quantity::zero()) {
    resting = n.remaining;
    rest(slot);
  } else {
    release(slot);
  }
  return SubmitResult{id, RejectReason::None, filled, resting, fills_, cancelled_};
}

std::optional<Price> OrderBook::mid() const {
  if (best_bid_ == kNoTickBelow || best_ask_ == kNoTickAbove) return std::nullopt;
  const int64_t bid = price_of(best_bid_).raw();
  const int64_t ask = price_of(best_ask_).raw();
  return Price(bid + (ask - bid) / 2);  // ask > bid, so this is the floor and cannot overflow
}

Quantity OrderBook::quantity_at(Side side, Price price) const {
  if (price <= Price::zero() || price.raw() % tick_ != 0) return Quantity::zero();
  const int64_t tick = price.raw() / tick_;
  if (side == Side::Buy ? tick > best_bid_ : tick < best_ask_) return Quantity::zero();
  const Level* level = ladder_.find(tick);
  return level ? level->total : Quantity::zero();
}

Quantity OrderBook::depth_within(Side side, Price bound) const {
  Quantity total;
  depth_within(side, std::span<const Price>(&bound, 1), std::span<Quantity>(&total, 1));
  return total;
}

void OrderBook::depth_within(Side side, std::span<const Price> bounds, std::span<Quantity> out) const {
  LIQSIM_CHECK(bounds.size() == out.size(), "one depth per bound");
  Quantity total;
  size_t b = 0;
  if (side == Side::Buy) {
    for (int64_t t = best_bid_; t != kNoTickBelow && b < bounds.size(); t = ladder_.next_at_or_below(t - 1)) {
      for (; b < bounds.size() && t < ceil_div(bounds[b].raw(), tick_); ++b) out[b] = total;
      if (b < bounds.size()) total += ladder_.find(t)->total;
    }
  } else {
    for (int64_t t = best_ask_; t != kNoTickAbove && b < bounds.size(); t = ladder_.next_at_or_above(t + 1)) {
      for (; b < bounds.size() && t > floor_div(bounds[b].raw(), tick_); ++b) out[b] = total;
      if (b < bounds.size()) total += ladder_.find(t)->total;
    }
  }
  for (; b < bounds.size(); ++b) out[b] = total;
}

void OrderBook::depth(Side side, size_t levels, std::vector<std::pair<Price, Quantity>>& out) const {
  out.clear();
  if (side == Side::Buy) {
    for (int64_t t = best_bid_; t != kNoTickBelow && out.size() < levels;
         t = ladder_.next_at_or_below(t - 1)) {
      out.emplace_back(price_of(t), ladder_.find(t)->total);
    }
  } else {
    for (int64_t t = best_ask_; t != kNoTickAbove && out.size() < levels;
         t = ladder_.next_at_or_above(t + 1)) {
      out.emplace_back(price_of(t), ladder_.find(t)->total);
    }
  }
}

}  // namespace liqsim
