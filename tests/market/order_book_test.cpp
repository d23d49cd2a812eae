#include "market/order_book.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/rng.h"

namespace liqsim {
namespace {

// BTC-like grid: 0.1 $ ticks.
constexpr Price kTick(100'000);
Price px(int64_t ticks) { return Price(ticks * kTick.raw()); }
Quantity qty(int64_t coins) { return Quantity(coins * kQuantityScale); }

OrderRequest limit(uint32_t owner, Side side, int64_t ticks, int64_t coins, int64_t tag = -1) {
  return OrderRequest{AccountId(owner), side, OrderType::Limit, px(ticks), qty(coins), false, tag};
}
OrderRequest typed(OrderType type, Side side, std::optional<int64_t> ticks, int64_t coins,
                   uint32_t owner = 99) {
  std::optional<Price> p;
  if (ticks) p = px(*ticks);
  return OrderRequest{AccountId(owner), side, type, p, qty(coins), false, -1};
}

// Snapshot of one side as (ticks, coins), best first, for compact expectations.
std::vector<std::pair<int64_t, int64_t>> ladder(const OrderBook& book, Side side) {
  std::vector<std::pair<Price, Quantity>> levels;
  book.depth(side, 1'000'000, levels);
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& [p, q] : levels) out.emplace_back(p.raw() / kTick.raw(), q.raw() / kQuantityScale);
  return out;
}

using Levels = std::vector<std::pair<int64_t, int64_t>>;

class FakePositions : public PositionSource {
 public:
  Quantity position(AccountId owner) const override {
    const auto it = positions_.find(owner.raw());
    return it == positions_.end() ? Quantity::zero() : it->second;
  }
  void set(uint32_t owner, Quantity q) { positions_[owner] = q; }

 private:
  std::map<uint32_t, Quantity> positions_;
};

// ---------------------------------------------------------------------------------------------------
// Validation

TEST(OrderBook, RejectsNonPositiveQuantity) {
  OrderBook book(kTick);
  EXPECT_EQ(book.submit(limit(1, Side::Buy, 100, 0)).reject, RejectReason::InvalidQuantity);
  EXPECT_EQ(book.submit(limit(1, Side::Buy, 100, -1)).reject, RejectReason::InvalidQuantity);
  EXPECT_EQ(book.order_count(), 0u);
}

TEST(OrderBook, RejectsPriceOffTheTickGrid) {
  OrderBook book(kTick);
  OrderRequest r = limit(1, Side::Buy, 100, 1);
  r.limit = Price(r.limit->raw() + 1);
  const SubmitResult res = book.submit(r);
  EXPECT_EQ(res.reject, RejectReason::PriceNotOnTick);
  EXPECT_EQ(res.id, 0u);
  EXPECT_FALSE(book.best_bid().has_value());
}

TEST(OrderBook, RejectsNonPositivePrice) {
  OrderBook book(kTick);
  EXPECT_EQ(book.submit(limit(1, Side::Buy, 0, 1)).reject, RejectReason::InvalidPrice);
  EXPECT_EQ(book.submit(limit(1, Side::Sell, -3, 1)).reject, RejectReason::InvalidPrice);
}

TEST(OrderBook, LimitAndPostOnlyRequireALimitPrice) {
  OrderBook book(kTick);
  EXPECT_EQ(book.submit(typed(OrderType::Limit, Side::Buy, std::nullopt, 1)).reject,
            RejectReason::InvalidPrice);
  EXPECT_EQ(book.submit(typed(OrderType::PostOnly, Side::Buy, std::nullopt, 1)).reject,
            RejectReason::InvalidPrice);
}

TEST(OrderBook, MarketOrderWithALimitIsRejected) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Sell, 100, 1));
  EXPECT_EQ(book.submit(typed(OrderType::Market, Side::Buy, 100, 1)).reject, RejectReason::InvalidPrice);
  EXPECT_EQ(book.order_count(), 1u);
}

// ---------------------------------------------------------------------------------------------------
// Resting orders and top of book

TEST(OrderBook, RestingLimitsSetBestBidAndAsk) {
  OrderBook book(kTick);
  const SubmitResult b = book.submit(limit(1, Side::Buy, 99, 2));
  const SubmitResult a = book.submit(limit(2, Side::Sell, 101, 3));
  ASSERT_TRUE(b.accepted());
  ASSERT_TRUE(a.accepted());
  EXPECT_EQ(b.resting, qty(2));
  EXPECT_TRUE(b.fills.empty());
  EXPECT_EQ(book.best_bid(), px(99));
  EXPECT_EQ(book.best_ask(), px(101));
  EXPECT_EQ(book.order_count(), 2u);
}

TEST(OrderBook, MidRoundsDownToAPriceUnit) {
  OrderBook book(Price(3));
  book.submit(OrderRequest{AccountId(1), Side::Buy, OrderType::Limit, Price(3), qty(1)});
  book.submit(OrderRequest{AccountId(1), Side::Sell, OrderType::Limit, Price(6), qty(1)});
  EXPECT_EQ(book.mid(), Price(4));  // 4.5 rounded down
}

TEST(OrderBook, MidIsEmptyWithOneSide) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 99, 1));
  EXPECT_FALSE(book.mid().has_value());
}

TEST(OrderBook, IdsAreNonZeroAndDistinct) {
  OrderBook book(kTick);
  const OrderId a = book.submit(limit(1, Side::Buy, 99, 1)).id;
  const OrderId b = book.submit(limit(1, Side::Buy, 99, 1)).id;
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_NE(a, b);
}

TEST(OrderBook, OrderViewReportsOwnerSidePriceAndRemaining) {
  OrderBook book(kTick);
  const OrderId id = book.submit(limit(7, Side::Sell, 105, 4, 42)).id;
  const std::optional<OrderView> v = book.order(id);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->owner, AccountId(7));
  EXPECT_EQ(v->side, Side::Sell);
  EXPECT_EQ(v->price, px(105));
  EXPECT_EQ(v->remaining, qty(4));
  EXPECT_EQ(v->tag, 42);
}

// ---------------------------------------------------------------------------------------------------
// Matching

TEST(OrderBook, BetterPriceLevelsFillFirst) {
  OrderBook book(kTick);
  const OrderId far = book.submit(limit(1, Side::Sell, 102, 1)).id;
  const OrderId near = book.submit(limit(2, Side::Sell, 101, 1)).id;
  const SubmitResult r = book.submit(limit(3, Side::Buy, 102, 1));
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].maker_order, near);
  EXPECT_EQ(r.fills[0].price, px(101));
  EXPECT_TRUE(book.order(far).has_value());
}

TEST(OrderBook, EarlierOrdersFillFirstWithinALevel) {
  OrderBook book(kTick);
  const OrderId first = book.submit(limit(1, Side::Buy, 100, 1)).id;
  const OrderId second = book.submit(limit(2, Side::Buy, 100, 1)).id;
  const OrderId third = book.submit(limit(3, Side::Buy, 100, 1)).id;
  const SubmitResult r = book.submit(limit(4, Side::Sell, 100, 2));
  ASSERT_EQ(r.fills.size(), 2u);
  EXPECT_EQ(r.fills[0].maker_order, first);
  EXPECT_EQ(r.fills[1].maker_order, second);
  EXPECT_TRUE(book.order(third).has_value());
}

TEST(OrderBook, FillsExecuteAtTheMakerPrice) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 100, 1));
  const SubmitResult r = book.submit(limit(2, Side::Sell, 90, 1));
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].price, px(100));
}

TEST(OrderBook, PartialFillLeavesTheMakerRemainderWithPriority) {
  OrderBook book(kTick);
  const OrderId maker = book.submit(limit(1, Side::Sell, 100, 5)).id;
  book.submit(limit(2, Side::Sell, 100, 5));
  const SubmitResult r = book.submit(limit(3, Side::Buy, 100, 2));
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_FALSE(r.fills[0].maker_done);
  EXPECT_EQ(book.order(maker)->remaining, qty(3));
  EXPECT_EQ(book.quantity_at(Side::Sell, px(100)), qty(8));
  const SubmitResult next = book.submit(limit(3, Side::Buy, 100, 1));
  EXPECT_EQ(next.fills[0].maker_order, maker);
}

TEST(OrderBook, LimitRemainderRestsAfterMatching) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Sell, 100, 2));
  const SubmitResult r = book.submit(limit(2, Side::Buy, 101, 5));
  EXPECT_EQ(r.filled, qty(2));
  EXPECT_EQ(r.resting, qty(3));
  EXPECT_EQ(book.best_bid(), px(101));
  EXPECT_FALSE(book.best_ask().has_value());
}

TEST(OrderBook, FillsCarryOwnersTagsAndSides) {
  OrderBook book(kTick);
  const OrderId maker = book.submit(limit(11, Side::Buy, 100, 1, 500)).id;
  OrderRequest taker = limit(22, Side::Sell, 100, 1, 777);
  const SubmitResult r = book.submit(taker);
  ASSERT_EQ(r.fills.size(), 1u);
  const Fill& f = r.fills[0];
  EXPECT_EQ(f.maker_order, maker);
  EXPECT_EQ(f.taker_order, r.id);
  EXPECT_EQ(f.maker_owner, AccountId(11));
  EXPECT_EQ(f.taker_owner, AccountId(22));
  EXPECT_EQ(f.taker_side, Side::Sell);
  EXPECT_EQ(f.maker_tag, 500);
  EXPECT_EQ(f.taker_tag, 777);
  EXPECT_TRUE(f.maker_done);
  EXPECT_EQ(f.quantity, qty(1));
}

TEST(OrderBook, MarketOrderSweepsSeveralLevels) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Sell, 101, 1));
  book.submit(limit(1, Side::Sell, 102, 2));
  book.submit(limit(1, Side::Sell, 105, 3));
  const SubmitResult r = book.submit(typed(OrderType::Market, Side::Buy, std::nullopt, 4));
  ASSERT_TRUE(r.accepted());
  ASSERT_EQ(r.fills.size(), 3u);
  EXPECT_EQ(r.fills[0].price, px(101));
  EXPECT_EQ(r.fills[1].price, px(102));
  EXPECT_EQ(r.fills[2].price, px(105));
  EXPECT_EQ(r.fills[2].quantity, qty(1));
  EXPECT_EQ(r.filled, qty(4));
  EXPECT_EQ(book.best_ask(), px(105));
  EXPECT_EQ(book.quantity_at(Side::Sell, px(105)), qty(2));
}

TEST(OrderBook, MarketOrderRemainderNeverRests) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 100, 1));
  const SubmitResult r = book.submit(typed(OrderType::Market, Side::Sell, std::nullopt, 3));
  EXPECT_TRUE(r.accepted());
  EXPECT_EQ(r.filled, qty(1));
  EXPECT_EQ(r.resting, Quantity::zero());
  EXPECT_EQ(book.order_count(), 0u);
  EXPECT_FALSE(book.order(r.id).has_value());
}

TEST(OrderBook, MarketOrderAgainstAnEmptySideIsRejected) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 100, 1));
  EXPECT_EQ(book.submit(typed(OrderType::Market, Side::Buy, std::nullopt, 1)).reject,
            RejectReason::NoLiquidity);
}

TEST(OrderBook, ImmediateOrCancelRemainderIsCancelled) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Sell, 100, 1));
  const SubmitResult r = book.submit(typed(OrderType::ImmediateOrCancel, Side::Buy, 100, 3));
  EXPECT_TRUE(r.accepted());
  EXPECT_EQ(r.filled, qty(1));
  EXPECT_EQ(r.resting, Quantity::zero());
  EXPECT_FALSE(book.best_bid().has_value());
  EXPECT_EQ(book.order_count(), 0u);
}

TEST(OrderBook, ImmediateOrCancelStopsAtItsLimit) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Sell, 100, 1));
  book.submit(limit(1, Side::Sell, 101, 1));
  const SubmitResult r = book.submit(typed(OrderType::ImmediateOrCancel, Side::Buy, 100, 2));
  EXPECT_EQ(r.filled, qty(1));
  EXPECT_EQ(book.best_ask(), px(101));
}

TEST(OrderBook, FillOrKillFillsCompletelyAcrossLevels) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 100, 2));
  book.submit(limit(1, Side::Buy, 99, 2));
  const SubmitResult r = book.submit(typed(OrderType::FillOrKill, Side::Sell, 99, 3));
  ASSERT_TRUE(r.accepted());
  EXPECT_EQ(r.filled, qty(3));
  EXPECT_EQ(ladder(book, Side::Buy), (Levels{{99, 1}}));
}

TEST(OrderBook, FillOrKillUnfillableLeavesTheBookUnchanged) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 100, 2));
  book.submit(limit(1, Side::Buy, 98, 5));  // beyond the limit, must not count
  const SubmitResult r = book.submit(typed(OrderType::FillOrKill, Side::Sell, 99, 3));
  EXPECT_EQ(r.reject, RejectReason::FillOrKillUnfillable);
  EXPECT_TRUE(r.fills.empty());
  EXPECT_EQ(ladder(book, Side::Buy), (Levels{{100, 2}, {98, 5}}));
}

TEST(OrderBook, PostOnlyThatWouldCrossIsRejected) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Sell, 100, 1));
  const SubmitResult r = book.submit(typed(OrderType::PostOnly, Side::Buy, 100, 1));
  EXPECT_EQ(r.reject, RejectReason::PostOnlyWouldCross);
  EXPECT_EQ(book.quantity_at(Side::Sell, px(100)), qty(1));
  EXPECT_FALSE(book.best_bid().has_value());
}

TEST(OrderBook, PostOnlyThatDoesNotCrossRests) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Sell, 100, 1));
  const SubmitResult r = book.submit(typed(OrderType::PostOnly, Side::Buy, 99, 1));
  ASSERT_TRUE(r.accepted());
  EXPECT_EQ(r.resting, qty(1));
  EXPECT_EQ(book.best_bid(), px(99));
}

// ---------------------------------------------------------------------------------------------------
// Cancel

TEST(OrderBook, CancelRemovesTheOrderAndItsQuantity) {
  OrderBook book(kTick);
  const OrderId a = book.submit(limit(1, Side::Buy, 100, 1)).id;
  book.submit(limit(1, Side::Buy, 99, 2));
  EXPECT_TRUE(book.cancel(a));
  EXPECT_EQ(book.best_bid(), px(99));
  EXPECT_EQ(book.quantity_at(Side::Buy, px(100)), Quantity::zero());
  EXPECT_EQ(book.order_count(), 1u);
}

TEST(OrderBook, CancelInTheMiddleOfAQueueKeepsTheOthersInOrder) {
  OrderBook book(kTick);
  std::vector<OrderId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(book.submit(limit(1, Side::Sell, 100, 1)).id);
  EXPECT_TRUE(book.cancel(ids[2]));
  const SubmitResult r = book.submit(limit(2, Side::Buy, 100, 4));
  ASSERT_EQ(r.fills.size(), 4u);
  EXPECT_EQ(r.fills[0].maker_order, ids[0]);
  EXPECT_EQ(r.fills[1].maker_order, ids[1]);
  EXPECT_EQ(r.fills[2].maker_order, ids[3]);
  EXPECT_EQ(r.fills[3].maker_order, ids[4]);
}

TEST(OrderBook, CancelOfACancelledOrderReturnsFalse) {
  OrderBook book(kTick);
  const OrderId a = book.submit(limit(1, Side::Buy, 100, 1)).id;
  EXPECT_TRUE(book.cancel(a));
  EXPECT_FALSE(book.cancel(a));
}

TEST(OrderBook, StaleIdIsNotConfusedWithTheOrderReusingItsSlot) {
  OrderBook book(kTick);
  const OrderId old_id = book.submit(limit(1, Side::Buy, 100, 1)).id;
  book.cancel(old_id);
  const OrderId new_id = book.submit(limit(2, Side::Buy, 90, 1)).id;
  EXPECT_NE(new_id, old_id);
  EXPECT_FALSE(book.order(old_id).has_value());
  EXPECT_FALSE(book.cancel(old_id));
  EXPECT_TRUE(book.order(new_id).has_value());
}

TEST(OrderBook, FilledOrderIdBecomesUnknown) {
  OrderBook book(kTick);
  const OrderId maker = book.submit(limit(1, Side::Buy, 100, 1)).id;
  book.submit(limit(2, Side::Sell, 100, 1));
  EXPECT_FALSE(book.cancel(maker));
  EXPECT_EQ(book.modify(maker, px(99), std::nullopt).reject, RejectReason::UnknownOrder);
}

TEST(OrderBook, CancelOfUnknownIdsReturnsFalse) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 100, 1));
  EXPECT_FALSE(book.cancel(0));
  EXPECT_FALSE(book.cancel(12345));
  EXPECT_FALSE(book.cancel(~OrderId{0}));
  EXPECT_EQ(book.order_count(), 1u);
}

// ---------------------------------------------------------------------------------------------------
// Modify

TEST(OrderBook, QuantityDecreaseKeepsTimePriority) {
  OrderBook book(kTick);
  const OrderId first = book.submit(limit(1, Side::Sell, 100, 5)).id;
  book.submit(limit(2, Side::Sell, 100, 5));
  const SubmitResult m = book.modify(first, std::nullopt, qty(2));
  ASSERT_TRUE(m.accepted());
  EXPECT_EQ(m.id, first);
  EXPECT_EQ(m.resting, qty(2));
  EXPECT_EQ(book.quantity_at(Side::Sell, px(100)), qty(7));
  const SubmitResult r = book.submit(limit(3, Side::Buy, 100, 1));
  EXPECT_EQ(r.fills[0].maker_order, first);
}

TEST(OrderBook, QuantityIncreaseLosesTimePriority) {
  OrderBook book(kTick);
  const OrderId first = book.submit(limit(1, Side::Sell, 100, 1)).id;
  const OrderId second = book.submit(limit(2, Side::Sell, 100, 1)).id;
  ASSERT_TRUE(book.modify(first, std::nullopt, qty(3)).accepted());
  EXPECT_EQ(book.quantity_at(Side::Sell, px(100)), qty(4));
  const SubmitResult r = book.submit(limit(3, Side::Buy, 100, 1));
  EXPECT_EQ(r.fills[0].maker_order, second);
}

TEST(OrderBook, PriceChangeLosesPriorityAndKeepsIdOwnerAndTag) {
  OrderBook book(kTick);
  const OrderId moved = book.submit(limit(1, Side::Sell, 101, 1, 9)).id;
  const OrderId other = book.submit(limit(2, Side::Sell, 100, 1)).id;
  const SubmitResult m = book.modify(moved, px(100), std::nullopt);
  ASSERT_TRUE(m.accepted());
  EXPECT_EQ(m.id, moved);
  EXPECT_EQ(book.best_ask(), px(100));
  const std::optional<OrderView> v = book.order(moved);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->owner, AccountId(1));
  EXPECT_EQ(v->tag, 9);
  EXPECT_EQ(v->price, px(100));
  const SubmitResult r = book.submit(limit(3, Side::Buy, 100, 1));
  EXPECT_EQ(r.fills[0].maker_order, other);
}

TEST(OrderBook, PriceChangeThatCrossesMatches) {
  OrderBook book(kTick);
  const OrderId maker = book.submit(limit(1, Side::Sell, 101, 1)).id;
  const OrderId bid = book.submit(limit(2, Side::Buy, 99, 3, 5)).id;
  const SubmitResult m = book.modify(bid, px(101), std::nullopt);
  ASSERT_TRUE(m.accepted());
  ASSERT_EQ(m.fills.size(), 1u);
  EXPECT_EQ(m.fills[0].maker_order, maker);
  EXPECT_EQ(m.fills[0].taker_order, bid);
  EXPECT_EQ(m.fills[0].taker_tag, 5);
  EXPECT_EQ(m.filled, qty(1));
  EXPECT_EQ(m.resting, qty(2));
  EXPECT_EQ(book.best_bid(), px(101));
}

TEST(OrderBook, ModifyOfAnUnknownIdIsRejected) {
  OrderBook book(kTick);
  EXPECT_EQ(book.modify(777, px(100), std::nullopt).reject, RejectReason::UnknownOrder);
}

TEST(OrderBook, ModifyToAnOffTickPriceIsRejectedAndKeepsTheOrder) {
  OrderBook book(kTick);
  const OrderId id = book.submit(limit(1, Side::Buy, 100, 1)).id;
  EXPECT_EQ(book.modify(id, Price(px(99).raw() + 7), std::nullopt).reject, RejectReason::PriceNotOnTick);
  EXPECT_EQ(book.order(id)->price, px(100));
}

TEST(OrderBook, PostOnlyModifyThatWouldCrossIsRejectedAndKeepsTheOrder) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Sell, 101, 1));
  const OrderId id = book.submit(typed(OrderType::PostOnly, Side::Buy, 99, 1)).id;
  EXPECT_EQ(book.modify(id, px(101), std::nullopt).reject, RejectReason::PostOnlyWouldCross);
  EXPECT_EQ(book.order(id)->price, px(99));
  EXPECT_EQ(book.best_ask(), px(101));
}

// ---------------------------------------------------------------------------------------------------
// Reduce-only

TEST(OrderBook, ReduceOnlyIsRejectedWhenItWouldIncreaseThePosition) {
  OrderBook book(kTick);
  FakePositions positions;
  book.set_position_source(&positions);
  positions.set(1, qty(2));  // long
  OrderRequest buy = limit(1, Side::Buy, 100, 1);
  buy.reduce_only = true;
  EXPECT_EQ(book.submit(buy).reject, RejectReason::ReduceOnlyWouldIncrease);
  positions.set(1, Quantity::zero());  // flat
  OrderRequest sell = limit(1, Side::Sell, 100, 1);
  sell.reduce_only = true;
  EXPECT_EQ(book.submit(sell).reject, RejectReason::ReduceOnlyWouldIncrease);
  EXPECT_EQ(book.order_count(), 0u);
}

TEST(OrderBook, ReduceOnlyQuantityIsCappedAtThePosition) {
  OrderBook book(kTick);
  FakePositions positions;
  book.set_position_source(&positions);
  positions.set(1, qty(-3));  // short: buys reduce
  OrderRequest buy = limit(1, Side::Buy, 100, 10);
  buy.reduce_only = true;
  const SubmitResult r = book.submit(buy);
  ASSERT_TRUE(r.accepted());
  EXPECT_EQ(r.resting, qty(3));
  EXPECT_TRUE(book.order(r.id)->reduce_only);
}

TEST(OrderBook, RestingReduceOnlyMakerIsCappedByTheOwnersFillsInTheSameCall) {
  OrderBook book(kTick);
  FakePositions positions;
  book.set_position_source(&positions);
  positions.set(7, qty(5));
  book.submit(limit(7, Side::Sell, 100, 3));  // a plain sell of the same owner, better priced
  OrderRequest ro = limit(7, Side::Sell, 101, 5);
  ro.reduce_only = true;
  const OrderId ro_id = book.submit(ro).id;
  const SubmitResult r = book.submit(limit(8, Side::Buy, 101, 10));
  ASSERT_EQ(r.fills.size(), 2u);
  EXPECT_EQ(r.fills[1].maker_order, ro_id);
  EXPECT_EQ(r.fills[1].quantity, qty(2));  // 5 long - 3 already sold in this call
  EXPECT_TRUE(r.fills[1].maker_done);
  EXPECT_FALSE(book.order(ro_id).has_value());
  EXPECT_EQ(r.resting, qty(5));
}

TEST(OrderBook, RestingReduceOnlyMakerWithNothingToReduceIsCancelled) {
  OrderBook book(kTick);
  FakePositions positions;
  book.set_position_source(&positions);
  positions.set(7, qty(5));
  OrderRequest ro = limit(7, Side::Sell, 100, 5);
  ro.reduce_only = true;
  const OrderId ro_id = book.submit(ro).id;
  const OrderId behind = book.submit(limit(9, Side::Sell, 100, 1)).id;
  positions.set(7, Quantity::zero());  // closed elsewhere
  const SubmitResult r = book.submit(limit(8, Side::Buy, 100, 1));
  ASSERT_EQ(r.cancelled.size(), 1u);
  EXPECT_EQ(r.cancelled[0], ro_id);
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].maker_order, behind);
  EXPECT_EQ(book.order_count(), 0u);
}

TEST(OrderBook, FillOrKillCountsReduceOnlyMakersAtTheirCappedQuantity) {
  OrderBook book(kTick);
  FakePositions positions;
  book.set_position_source(&positions);
  positions.set(7, qty(5));
  OrderRequest ro = limit(7, Side::Sell, 100, 5);
  ro.reduce_only = true;
  book.submit(ro);
  book.submit(limit(9, Side::Sell, 101, 3));
  positions.set(7, qty(2));  // the resting 5 can now only deliver 2
  EXPECT_EQ(book.submit(typed(OrderType::FillOrKill, Side::Buy, 101, 6)).reject,
            RejectReason::FillOrKillUnfillable);
  EXPECT_EQ(ladder(book, Side::Sell), (Levels{{100, 5}, {101, 3}}));
  const SubmitResult r = book.submit(typed(OrderType::FillOrKill, Side::Buy, 101, 5));
  ASSERT_TRUE(r.accepted());
  EXPECT_EQ(r.filled, qty(5));
}

// ---------------------------------------------------------------------------------------------------
// Depth queries

TEST(OrderBook, DepthListsLevelsBestFirstAndAggregatesOrders) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 98, 1));
  book.submit(limit(1, Side::Buy, 100, 2));
  book.submit(limit(2, Side::Buy, 100, 3));
  book.submit(limit(1, Side::Buy, 95, 4));
  book.submit(limit(1, Side::Sell, 103, 5));
  book.submit(limit(1, Side::Sell, 101, 6));
  EXPECT_EQ(ladder(book, Side::Buy), (Levels{{100, 5}, {98, 1}, {95, 4}}));
  EXPECT_EQ(ladder(book, Side::Sell), (Levels{{101, 6}, {103, 5}}));
  std::vector<std::pair<Price, Quantity>> top;
  book.depth(Side::Buy, 2, top);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[1].first, px(98));
}

TEST(OrderBook, DepthWithinCountsLevelsAtLeastAsGoodAsTheBound) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 100, 1));
  book.submit(limit(1, Side::Buy, 98, 2));
  book.submit(limit(1, Side::Buy, 97, 4));
  book.submit(limit(1, Side::Sell, 101, 8));
  book.submit(limit(1, Side::Sell, 103, 16));
  EXPECT_EQ(book.depth_within(Side::Buy, px(98)), qty(3));
  EXPECT_EQ(book.depth_within(Side::Buy, Price(px(97).raw() + 1)), qty(3));  // off-grid bound
  EXPECT_EQ(book.depth_within(Side::Sell, px(102)), qty(8));
  EXPECT_EQ(book.depth_within(Side::Sell, px(103)), qty(24));
  EXPECT_EQ(book.depth_within(Side::Sell, px(100)), Quantity::zero());
  EXPECT_EQ(book.depth_within(Side::Buy, Price::min()), qty(7));
  EXPECT_EQ(book.depth_within(Side::Sell, Price::max()), qty(24));
}

TEST(OrderBook, DepthWithinSeveralBoundsEqualsOneQueryPerBound) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 100, 1));
  book.submit(limit(1, Side::Buy, 98, 2));
  book.submit(limit(1, Side::Buy, 97, 4));
  book.submit(limit(1, Side::Sell, 101, 8));
  book.submit(limit(1, Side::Sell, 103, 16));
  // Nearest first; equal bounds, a bound before the best level, off-grid and past the last level.
  const std::vector<Price> bid_bounds = {px(101), px(100), px(100), Price(px(97).raw() + 1), px(97), px(1)};
  const std::vector<Price> ask_bounds = {px(100), px(101), px(102), px(103), Price::max()};
  std::vector<Quantity> bids(bid_bounds.size()), asks(ask_bounds.size());
  book.depth_within(Side::Buy, bid_bounds, bids);
  book.depth_within(Side::Sell, ask_bounds, asks);
  for (size_t b = 0; b < bid_bounds.size(); ++b)
    EXPECT_EQ(bids[b], book.depth_within(Side::Buy, bid_bounds[b])) << b;
  for (size_t b = 0; b < ask_bounds.size(); ++b)
    EXPECT_EQ(asks[b], book.depth_within(Side::Sell, ask_bounds[b])) << b;
  EXPECT_EQ(bids, (std::vector<Quantity>{qty(0), qty(1), qty(1), qty(3), qty(7), qty(7)}));
  EXPECT_EQ(asks, (std::vector<Quantity>{qty(0), qty(8), qty(8), qty(24), qty(24)}));
}

TEST(OrderBook, QuantityAtIsPerSide) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 100, 2));
  EXPECT_EQ(book.quantity_at(Side::Buy, px(100)), qty(2));
  EXPECT_EQ(book.quantity_at(Side::Sell, px(100)), Quantity::zero());
  EXPECT_EQ(book.quantity_at(Side::Buy, px(99)), Quantity::zero());
}

// ---------------------------------------------------------------------------------------------------
// Wide price ranges

TEST(OrderBook, BestPriceSearchCrossesLadderPages) {
  OrderBook book(kTick);
  book.submit(limit(1, Side::Buy, 3000, 1));
  const OrderId top = book.submit(limit(1, Side::Buy, 1024, 1)).id;  // a page boundary (1024 ticks)
  const OrderId low = book.submit(limit(1, Side::Buy, 1023, 1)).id;
  book.submit(limit(1, Side::Buy, 10, 1));
  book.cancel(book.submit(limit(1, Side::Buy, 3000, 1)).id);
  EXPECT_EQ(book.submit(typed(OrderType::Market, Side::Sell, std::nullopt, 1)).fills[0].price, px(3000));
  EXPECT_EQ(book.best_bid(), px(1024));
  book.cancel(top);
  EXPECT_EQ(book.best_bid(), px(1023));
  book.cancel(low);
  EXPECT_EQ(book.best_bid(), px(10));
}

TEST(OrderBook, PricesThirtyPercentApartWork) {
  // BTC at 60,000 $ with 0.1 $ ticks (600,000 ticks); a 30% crash is 180,000 ticks away.
  OrderBook book(kTick);
  const int64_t high = 600'000;
  const int64_t low = 420'000;
  book.submit(limit(1, Side::Buy, high - 1, 1));
  book.submit(limit(1, Side::Buy, low, 2));
  book.submit(limit(1, Side::Sell, high + 1, 3));
  book.submit(limit(1, Side::Sell, high + 200'000, 4));
  EXPECT_EQ(book.depth_within(Side::Buy, px(low)), qty(3));
  const SubmitResult crash = book.submit(typed(OrderType::Market, Side::Sell, std::nullopt, 3));
  ASSERT_EQ(crash.fills.size(), 2u);
  EXPECT_EQ(crash.fills[1].price, px(low));
  EXPECT_FALSE(book.best_bid().has_value());
  const SubmitResult pump = book.submit(typed(OrderType::ImmediateOrCancel, Side::Buy, std::nullopt, 7));
  EXPECT_EQ(pump.filled, qty(7));
  EXPECT_EQ(pump.fills[1].price, px(high + 200'000));
  EXPECT_EQ(book.order_count(), 0u);
  // The ladder follows the price: a book rebuilt 30% lower works as before.
  book.submit(limit(2, Side::Buy, low - 5, 1));
  book.submit(limit(2, Side::Sell, low + 5, 1));
  EXPECT_EQ(book.mid(), px(low));
}

TEST(OrderBook, PricesSpanningMoreThanTheLadderAreRejected) {
  OrderBook book(Price(1));
  const OrderId a =
      book.submit(OrderRequest{AccountId(1), Side::Buy, OrderType::Limit, Price(10), qty(1)}).id;
  const Price far(int64_t{1} << 31);
  EXPECT_EQ(book.submit(OrderRequest{AccountId(1), Side::Sell, OrderType::Limit, far, qty(1)}).reject,
            RejectReason::PriceOutOfRange);
  book.cancel(a);
  EXPECT_TRUE(book.submit(OrderRequest{AccountId(1), Side::Sell, OrderType::Limit, far, qty(1)}).accepted());
  EXPECT_EQ(book.best_ask(), far);
}

TEST(OrderBook, OrdersThatNeverRestAcceptLimitsBeyondTheLadderSpan) {
  // A liquidation IOC may carry a protective limit far below the book; it is never stored.
  OrderBook book(Price(1));
  book.submit({AccountId(1), Side::Buy, OrderType::Limit, Price(int64_t{1} << 40), qty(2)});
  const SubmitResult ioc =
      book.submit({AccountId(2), Side::Sell, OrderType::ImmediateOrCancel, Price(1), qty(1)});
  EXPECT_TRUE(ioc.accepted());
  EXPECT_EQ(ioc.filled, qty(1));
  const SubmitResult fok = book.submit({AccountId(2), Side::Sell, OrderType::FillOrKill, Price(1), qty(1)});
  EXPECT_TRUE(fok.accepted());
  const SubmitResult top =
      book.submit({AccountId(2), Side::Buy, OrderType::ImmediateOrCancel, Price::max(), qty(1)});
  EXPECT_TRUE(top.accepted());
  EXPECT_EQ(top.filled, Quantity::zero());
}

TEST(OrderBook, BestPricesAreFoundAcrossHundredsOfMillionsOfTicks) {
  // Far more empty pages between the levels than one summary word of the page directory covers.
  OrderBook book(Price(1));
  const int64_t bids[] = {10, 3'000, 50'000'000, 400'000'000};
  const int64_t asks[] = {400'000'001, 700'000'000, 1'000'000'000};
  std::vector<OrderId> bid_ids, ask_ids;
  for (int64_t t : bids)
    bid_ids.push_back(book.submit({AccountId(1), Side::Buy, OrderType::Limit, Price(t), qty(1)}).id);
  for (int64_t t : asks)
    ask_ids.push_back(book.submit({AccountId(1), Side::Sell, OrderType::Limit, Price(t), qty(1)}).id);
  for (int i = 3; i > 0; --i) {
    book.cancel(bid_ids[size_t(i)]);
    EXPECT_EQ(book.best_bid(), Price(bids[i - 1]));
  }
  for (int i = 0; i < 2; ++i) {
    book.cancel(ask_ids[size_t(i)]);
    EXPECT_EQ(book.best_ask(), Price(asks[i + 1]));
  }
}

TEST(PriceLadder, NextNonEmptyTickMatchesASortedSet) {
  constexpr uint64_t kSeed = 77;
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  Rng rng(kSeed);
  book_detail::PriceLadder ladder;
  std::set<int64_t> ref;
  for (int op = 0; op < 20'000; ++op) {
    // Clusters at a few centres far apart, so searches cross pages and directory summary words.
    const int64_t centre = int64_t(rng.uniform_below(4)) * 150'000'000;
    const int64_t tick = centre + rng.uniform_int(0, 5'000);
    if (ref.count(tick)) {
      ladder.clear(tick);
      ref.erase(tick);
    } else {
      ASSERT_TRUE(ladder.can_hold(tick));
      ladder.acquire(tick);
      ladder.set(tick);
      ref.insert(tick);
    }
    const int64_t probe = int64_t(rng.uniform_below(4)) * 150'000'000 + rng.uniform_int(-3'000, 8'000);
    const auto above = ref.lower_bound(probe);
    ASSERT_EQ(ladder.next_at_or_above(probe), above == ref.end() ? book_detail::kNoTickAbove : *above);
    const auto below = ref.upper_bound(probe);
    ASSERT_EQ(ladder.next_at_or_below(probe),
              below == ref.begin() ? book_detail::kNoTickBelow : *std::prev(below));
  }
}

// ---------------------------------------------------------------------------------------------------
// Randomized consistency against a plain std::map reference model.

// The textbook book: std::map of levels, each a deque in time order; O(n) cancel is fine here.
class ReferenceBook {
 public:
  struct Order {
    OrderId id;
    Quantity remaining;
    bool post_only;
  };
  struct Outcome {
    RejectReason reject = RejectReason::None;
    Quantity filled;
    Quantity resting;
    std::vector<std::pair<OrderId, Quantity>> fills;  // (maker, quantity)
    std::vector<int64_t> fill_ticks;
  };

  Outcome submit(Side side, OrderType type, std::optional<int64_t> tick, Quantity q, OrderId id) {
    Outcome out;
    if (type == OrderType::PostOnly && crosses(side, *tick)) {
      out.reject = RejectReason::PostOnlyWouldCross;
      return out;
    }
    if (type == OrderType::Market && (side == Side::Buy ? asks_.empty() : bids_.empty())) {
      out.reject = RejectReason::NoLiquidity;
      return out;
    }
    if (type == OrderType::FillOrKill && available(side, tick) < q) {
      out.reject = RejectReason::FillOrKillUnfillable;
      return out;
    }
    Quantity remaining = q;
    match(side, tick, remaining, out);
    if ((type == OrderType::Limit || type == OrderType::PostOnly) && remaining > Quantity::zero()) {
      rest(side, *tick, Order{id, remaining, type == OrderType::PostOnly});
      out.resting = remaining;
    }
    return out;
  }

  bool cancel(OrderId id) {
    const auto it = where_.find(id);
    if (it == where_.end()) return false;
    take(id);
    return true;
  }

  Outcome modify(OrderId id, std::optional<int64_t> new_tick, std::optional<Quantity> new_q) {
    Outcome out;
    const auto it = where_.find(id);
    if (it == where_.end()) {
      out.reject = RejectReason::UnknownOrder;
      return out;
    }
    const auto [side, tick] = it->second;
    std::deque<Order>& level = side == Side::Buy ? bids_[tick] : asks_[tick];
    auto pos = std::find_if(level.begin(), level.end(), [&](const Order& o) { return o.id == id; });
    const int64_t t = new_tick.value_or(tick);
    const Quantity q = new_q.value_or(pos->remaining);
    if (t == tick && q <= pos->remaining) {
      pos->remaining = q;
      out.resting = q;
      return out;
    }
    if (pos->post_only && crosses(side, t)) {
      out.reject = RejectReason::PostOnlyWouldCross;
      return out;
    }
    const bool post_only = pos->post_only;
    take(id);
    Quantity remaining = q;
    match(side, t, remaining, out);
    if (remaining > Quantity::zero()) {
      rest(side, t, Order{id, remaining, post_only});
      out.resting = remaining;
    }
    return out;
  }

  std::optional<int64_t> best(Side side) const {
    if (side == Side::Buy) return bids_.empty() ? std::nullopt : std::optional(bids_.begin()->first);
    return asks_.empty() ? std::nullopt : std::optional(asks_.begin()->first);
  }
  Levels levels(Side side) const {
    Levels out;
    auto add = [&](const auto& book) {
      for (const auto& [tick, level] : book) {
        Quantity total;
        for (const Order& o : level) total += o.remaining;
        out.emplace_back(tick, total.raw());
      }
    };
    if (side == Side::Buy) {
      add(bids_);
    } else {
      add(asks_);
    }
    return out;
  }
  size_t order_count() const { return where_.size(); }
  bool contains(OrderId id) const { return where_.count(id) != 0; }

 private:
  bool crosses(Side side, int64_t tick) const {
    return side == Side::Buy ? !asks_.empty() && asks_.begin()->first <= tick
                             : !bids_.empty() && bids_.begin()->first >= tick;
  }
  static bool within(Side side, int64_t level_tick, std::optional<int64_t> limit) {
    if (!limit) return true;
    return side == Side::Buy ? level_tick <= *limit : level_tick >= *limit;
  }
  Quantity available(Side side, std::optional<int64_t> limit) const {
    Quantity total;
    auto sum = [&](const auto& book) {
      for (const auto& [tick, level] : book) {
        if (!within(side, tick, limit)) break;
        for (const Order& o : level) total += o.remaining;
      }
    };
    if (side == Side::Buy) {
      sum(asks_);
    } else {
      sum(bids_);
    }
    return total;
  }
  void match(Side side, std::optional<int64_t> limit, Quantity& remaining, Outcome& out) {
    auto run = [&](auto& book) {
      while (remaining > Quantity::zero() && !book.empty() && within(side, book.begin()->first, limit)) {
        std::deque<Order>& level = book.begin()->second;
        while (remaining > Quantity::zero() && !level.empty()) {
          Order& o = level.front();
          const Quantity q = std::min(remaining, o.remaining);
          out.fills.emplace_back(o.id, q);
          out.fill_ticks.push_back(book.begin()->first);
          out.filled += q;
          remaining -= q;
          o.remaining -= q;
          if (o.remaining == Quantity::zero()) {
            where_.erase(o.id);
            level.pop_front();
          }
        }
        if (level.empty()) book.erase(book.begin());
      }
    };
    if (side == Side::Buy) {
      run(asks_);
    } else {
      run(bids_);
    }
  }
  void rest(Side side, int64_t tick, const Order& o) {
    (side == Side::Buy ? bids_[tick] : asks_[tick]).push_back(o);
    where_[o.id] = {side, tick};
  }
  void take(OrderId id) {
    const auto [side, at] = where_.at(id);
    const int64_t tick = at;  // a plain variable: clang 14 cannot capture structured bindings
    auto erase = [&](auto& book) {
      std::deque<Order>& level = book.at(tick);
      level.erase(std::find_if(level.begin(), level.end(), [&](const Order& o) { return o.id == id; }));
      if (level.empty()) book.erase(tick);
    };
    if (side == Side::Buy) {
      erase(bids_);
    } else {
      erase(asks_);
    }
    where_.erase(id);
  }

  std::map<int64_t, std::deque<Order>, std::greater<>> bids_;
  std::map<int64_t, std::deque<Order>> asks_;
  std::unordered_map<OrderId, std::pair<Side, int64_t>> where_;
};

TEST(OrderBook, RandomOperationsMatchTheReferenceModel) {
  constexpr uint64_t kSeed = 20240917;
  constexpr int kOperations = 100'000;
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  ::testing::Test::RecordProperty("seed", std::to_string(kSeed));
  Rng rng(kSeed);
  OrderBook book(Price(1));  // raw ticks, so the reference can work in Price units directly
  ReferenceBook ref;
  std::vector<OrderId> ids;  // may hold ids that already left the book
  int64_t mid = 1'000'000;
  Quantity total_book_fills, total_ref_fills;
  int64_t fill_count = 0;
  for (int op = 0; op < kOperations; ++op) {
    SCOPED_TRACE("operation " + std::to_string(op));
    // Occasional large jumps exercise page changes and ladder recentring.
    if (rng.uniform_below(2000) == 0) mid += rng.uniform_int(-300'000, 300'000);
    if (mid < 200'000) mid = 200'000;
    mid += rng.uniform_int(-2, 2);
    const uint64_t kind = rng.uniform_below(100);
    auto draw_tick = [&] { return mid + rng.uniform_int(-40, 40); };
    if (kind < 45 || ids.empty()) {
      static constexpr OrderType kTypes[] = {OrderType::Limit,      OrderType::Limit,
                                             OrderType::Limit,      OrderType::Limit,
                                             OrderType::PostOnly,   OrderType::ImmediateOrCancel,
                                             OrderType::FillOrKill, OrderType::Market};
      const OrderType type = kTypes[rng.uniform_below(8)];
      const Side side = rng.uniform_below(2) == 0 ? Side::Buy : Side::Sell;
      std::optional<int64_t> tick;
      if (type != OrderType::Market &&
          (type == OrderType::Limit || type == OrderType::PostOnly || rng.uniform_below(4) != 0)) {
        tick = draw_tick();
      }
      const Quantity q(rng.uniform_int(1, 50));
      std::optional<Price> price;
      if (tick) price = Price(*tick);
      const SubmitResult got = book.submit(OrderRequest{AccountId(1), side, type, price, q, false, op});
      const ReferenceBook::Outcome want = ref.submit(side, type, tick, q, got.id);
      ASSERT_EQ(got.reject, want.reject);
      ASSERT_EQ(got.filled, want.filled);
      ASSERT_EQ(got.resting, want.resting);
      ASSERT_EQ(got.fills.size(), want.fills.size());
      for (size_t i = 0; i < got.fills.size(); ++i) {
        ASSERT_EQ(got.fills[i].maker_order, want.fills[i].first);
        ASSERT_EQ(got.fills[i].quantity, want.fills[i].second);
        ASSERT_EQ(got.fills[i].price, Price(want.fill_ticks[i]));
        ASSERT_EQ(got.fills[i].maker_done, !ref.contains(got.fills[i].maker_order));
        total_book_fills += got.fills[i].quantity;
        total_ref_fills += want.fills[i].second;
        ++fill_count;
      }
      if (got.resting > Quantity::zero()) ids.push_back(got.id);
    } else if (kind < 60) {
      const size_t k = rng.uniform_below(ids.size());
      ASSERT_EQ(book.cancel(ids[k]), ref.cancel(ids[k]));
      ids[k] = ids.back();
      ids.pop_back();
    } else {
      const OrderId id = ids[rng.uniform_below(ids.size())];
      std::optional<int64_t> tick;
      std::optional<Quantity> q;
      const uint64_t what = rng.uniform_below(3);
      if (what != 1) tick = draw_tick();
      if (what != 0) q = Quantity(rng.uniform_int(1, 50));
      std::optional<Price> price;
      if (tick) price = Price(*tick);
      const SubmitResult got = book.modify(id, price, q);
      const ReferenceBook::Outcome want = ref.modify(id, tick, q);
      ASSERT_EQ(got.reject, want.reject);
      ASSERT_EQ(got.filled, want.filled);
      ASSERT_EQ(got.resting, want.resting);
      ASSERT_EQ(got.fills.size(), want.fills.size());
      for (size_t i = 0; i < got.fills.size(); ++i) {
        ASSERT_EQ(got.fills[i].maker_order, want.fills[i].first);
        ASSERT_EQ(got.fills[i].quantity, want.fills[i].second);
        total_book_fills += got.fills[i].quantity;
        total_ref_fills += want.fills[i].second;
        ++fill_count;
      }
    }
    const std::optional<int64_t> bid = ref.best(Side::Buy);
    const std::optional<int64_t> ask = ref.best(Side::Sell);
    ASSERT_EQ(book.best_bid(), bid ? std::optional(Price(*bid)) : std::nullopt);
    ASSERT_EQ(book.best_ask(), ask ? std::optional(Price(*ask)) : std::nullopt);
    ASSERT_EQ(book.order_count(), ref.order_count());
    if (op % 64 == 0) {
      Levels got_bids, got_asks;
      std::vector<std::pair<Price, Quantity>> levels;
      book.depth(Side::Buy, 1'000'000, levels);
      for (const auto& [p, q] : levels) got_bids.emplace_back(p.raw(), q.raw());
      book.depth(Side::Sell, 1'000'000, levels);
      for (const auto& [p, q] : levels) got_asks.emplace_back(p.raw(), q.raw());
      ASSERT_EQ(got_bids, ref.levels(Side::Buy));
      ASSERT_EQ(got_asks, ref.levels(Side::Sell));
      for (const auto& [tick, total] : got_bids)
        ASSERT_EQ(book.quantity_at(Side::Buy, Price(tick)).raw(), total);
    }
  }
  EXPECT_EQ(total_book_fills, total_ref_fills);
  EXPECT_GT(fill_count, 10'000);  // the workload really matches, it is not only resting and cancelling
}

}  // namespace
}  // namespace liqsim
