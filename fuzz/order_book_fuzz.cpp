// libFuzzer target: OrderBook against the textbook reference book (bench/textbook_order_book.h) on a
// stream of operations decoded from the input: limit, market and immediate-or-cancel orders, cancels
// and price moves. Every call must give the same fills (maker, price, quantity, in order) and the same
// best prices; any difference aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "bench/textbook_order_book.h"
#include "market/order_book.h"

namespace {

using liqsim::OrderBook;
using liqsim::OrderId;
using liqsim::OrderRequest;
using liqsim::OrderType;
using liqsim::Price;
using liqsim::Quantity;
using liqsim::Side;
using Reference = liqsim::bench::TextbookOrderBook;

void require(bool ok) {
  if (!ok) std::abort();
}

struct Order {
  OrderId book_id;
  uint64_t reference_id;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  OrderBook book(Price(1));
  Reference reference;
  std::vector<Order> orders;                                 // every order submitted, by owner index
  std::unordered_map<uint64_t, liqsim::AccountId> owner_of;  // reference id -> owner
  size_t i = 0;
  const auto next = [&] { return i < size ? data[i++] : uint8_t(0); };
  const auto same_fills = [&](const liqsim::SubmitResult& result) {
    const auto& expected = reference.fills();
    require(result.fills.size() == expected.size());
    for (size_t k = 0; k < expected.size(); ++k) {
      require(result.fills[k].maker_owner == owner_of.at(expected[k].maker));
      require(result.fills[k].price.raw() == expected[k].price);
      require(result.fills[k].quantity.raw() == expected[k].quantity);
    }
  };
  while (i + 4 <= size) {
    const uint8_t op = next() % 5;
    const bool buy = (next() & 1) != 0;
    const int64_t price = 1 + next() % 64;
    const int64_t quantity = 1 + next() % 16;
    const Side side = buy ? Side::Buy : Side::Sell;
    if (op <= 2) {
      const liqsim::AccountId owner{uint32_t(orders.size())};
      OrderRequest request{owner, side, OrderType::Limit, Price(price), Quantity(quantity), false, -1};
      Reference::Type type = Reference::Type::Limit;
      if (op == 1) {
        request.type = OrderType::Market;
        request.limit.reset();
        type = Reference::Type::Market;
      } else if (op == 2) {
        request.type = OrderType::ImmediateOrCancel;
        type = Reference::Type::ImmediateOrCancel;
      }
      const auto result = book.submit(request);
      const uint64_t reference_id = reference.submit(buy, type, price, quantity);
      orders.push_back({result.id, reference_id});
      owner_of[reference_id] = owner;
      same_fills(result);
    } else if (!orders.empty()) {
      const Order& order = orders[size_t(price + 64 * quantity) % orders.size()];
      if (op == 3) {
        const bool in_book = book.cancel(order.book_id);
        require(in_book == reference.cancel(order.reference_id));
      } else if (book.order(order.book_id).has_value()) {
        const auto result = book.modify(order.book_id, Price(price), std::nullopt);
        require(reference.move(order.reference_id, price));
        same_fills(result);
      }
    }
    const auto bid = book.best_bid();
    const auto ask = book.best_ask();
    require(bid.has_value() == reference.best_bid().has_value());
    require(ask.has_value() == reference.best_ask().has_value());
    if (bid) require(bid->raw() == *reference.best_bid());
    if (ask) require(ask->raw() == *reference.best_ask());
  }
  return 0;
}
