// The order-book workloads of bench/order_book_bench.cpp, over either book: liqsim's OrderBook
// (LiqsimBook) or the textbook reference (TextbookBook, bench/textbook_order_book.h). Both adapters
// take prices in ticks and quantities in lots, so one driver with one stream of draws sends the same
// operations to both (tests/bench checks that they then produce the same fills).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "bench/textbook_order_book.h"
#include "core/rng.h"
#include "market/order_book.h"

namespace liqsim::bench {

constexpr Price kTick(100'000);               // 0.1 $: a workload price of 1 is one tick
constexpr int64_t kQuantityUnit = 1'000'000;  // a workload quantity of 1 is 0.01 coin
constexpr int kOperationsPerIteration = 10'000;

Price tick_price(int64_t ticks) { return Price(ticks * kTick.raw()); }

enum class Kind { Limit, ImmediateOrCancel };

struct Placed {
  uint64_t id = 0;
  size_t fills = 0;
};

// The operations the workloads need, in workload units (ticks, lots), over each book.
class LiqsimBook {
 public:
  std::optional<Side> side_of(uint64_t id) const {
    const std::optional<OrderView> order = book_.order(id);
    return order ? std::optional<Side>(order->side) : std::nullopt;
  }
  size_t move(uint64_t id, int64_t ticks) {
    return book_.modify(id, tick_price(ticks), std::nullopt).fills.size();
  }
  Placed submit(Side side, Kind kind, int64_t ticks, int64_t lots) {
    const SubmitResult r = book_.submit(OrderRequest{
        AccountId(1), side, kind == Kind::Limit ? OrderType::Limit : OrderType::ImmediateOrCancel,
        tick_price(ticks), Quantity(lots * kQuantityUnit)});
    return Placed{r.id, r.fills.size()};
  }
  bool cancel(uint64_t id) { return book_.cancel(id); }
  size_t order_count() const { return book_.order_count(); }

 private:
  OrderBook book_{kTick};
};

class TextbookBook {
 public:
  std::optional<Side> side_of(uint64_t id) const {
    const auto order = book_.order(id);
    return order ? std::optional<Side>(order->is_buy ? Side::Buy : Side::Sell) : std::nullopt;
  }
  size_t move(uint64_t id, int64_t ticks) {
    book_.move(id, ticks);
    return book_.fills().size();
  }
  Placed submit(Side side, Kind kind, int64_t ticks, int64_t lots) {
    const uint64_t id = book_.submit(side == Side::Buy,
                                     kind == Kind::Limit ? bench::TextbookOrderBook::Type::Limit
                                                         : bench::TextbookOrderBook::Type::ImmediateOrCancel,
                                     ticks, lots);
    return Placed{id, book_.fills().size()};
  }
  bool cancel(uint64_t id) { return book_.cancel(id); }
  size_t order_count() const { return book_.order_count(); }

 private:
  bench::TextbookOrderBook book_;
};

// Uniform draws below n from liqsim's Rng (inside the timing in the benchmarks).
struct LiveDraws {
  Rng rng{stream_seed(3, StreamKind::SweepDesign, 0)};
  uint64_t below(uint64_t n) { return rng.uniform_below(n); }
};

// Raw words drawn from Rng before the timed stretch; reduced by Lemire's multiply-shift (without the
// rejection step, a bias below n / 2^64).
struct PregeneratedDraws {
  Rng rng{stream_seed(3, StreamKind::SweepDesign, 0)};
  std::vector<uint64_t> words;
  size_t next = 0;
  void refill(size_t count) {
    words.resize(count);
    for (uint64_t& w : words) w = rng.next_u64();
    next = 0;
  }
  uint64_t below(uint64_t n) { return uint64_t((static_cast<unsigned __int128>(words[next++]) * n) >> 64); }
};

// The mix (shaped like exchange-core's published benchmark): about 1,000 resting orders within 375 ticks
// of a random-walk mid (a step of -10..10 ticks with probability 1/64 per operation); each operation is
// a move (0.82), a new resting limit (0.09), an IOC priced 400 ticks through the mid (0.03) or a cancel
// (0.06), with quantities 1..100. A move keeps the id (a new price re-places the order at the back of
// its level; the same price, probability 1/375, leaves it); a move of an order that already left the
// book places a new limit instead. The driver forgets its oldest 1,000 ids when it tracks over 4,000,
// and those orders stay in the book, so far-from-mid orders accumulate (about 70k after 15M operations).
template <class Draws, class Book>
class MixWorkload {
 public:
  explicit MixWorkload(Draws& draws) : draws_(draws) {}

  void seed_book() {
    for (int i = 0; i < 1000; ++i) place(false);
  }

  void step() {
    if (draws_.below(64) == 0) mid_ += int64_t(draws_.below(21)) - 10;
    const uint64_t r = draws_.below(100);
    if (r < 82 && !live_.empty()) {
      const size_t k = draws_.below(live_.size());
      const std::optional<Side> side = book_.side_of(live_[k]);
      if (side) {
        const int64_t offset = int64_t(draws_.below(375));
        const int64_t ticks = *side == Side::Buy ? mid_ - offset : mid_ + offset;
        fills_ += book_.move(live_[k], ticks);
      } else {
        live_[k] = live_.back();
        live_.pop_back();
        place(false);
      }
    } else if (r < 91) {
      place(false);
    } else if (r < 94) {
      place(true);
    } else if (!live_.empty()) {
      const size_t k = draws_.below(live_.size());
      cancelled_ += book_.cancel(live_[k]) ? 1 : 0;
      live_[k] = live_.back();
      live_.pop_back();
    }
    if (live_.size() > 4000) live_.erase(live_.begin(), live_.begin() + 1000);
  }

  const Book& book() const { return book_; }
  uint64_t fills() const { return fills_; }
  uint64_t cancelled() const { return cancelled_; }

 private:
  void place(bool ioc) {
    const Side side = draws_.below(2) == 0 ? Side::Sell : Side::Buy;
    const int64_t offset = int64_t(draws_.below(375));
    int64_t ticks = side == Side::Buy ? mid_ - offset : mid_ + offset;
    if (ioc) ticks = side == Side::Buy ? mid_ + 400 : mid_ - 400;
    const int64_t lots = 1 + int64_t(draws_.below(100));
    const Placed placed = book_.submit(side, ioc ? Kind::ImmediateOrCancel : Kind::Limit, ticks, lots);
    fills_ += placed.fills;
    if (!ioc) live_.push_back(placed.id);  // even when it filled at once (then it is stale)
  }

  Draws& draws_;
  Book book_;
  std::vector<uint64_t> live_;
  int64_t mid_ = 100'000;
  uint64_t fills_ = 0;
  uint64_t cancelled_ = 0;
};

// Liquibook's performance stream (liquibook test/perf): alternating buy and sell limit orders, buys at
// 1880..1889, sells at 1884..1893, quantities 100..1000. Orders below 1884 and above 1889 never trade,
// so the book grows without bound.
template <class Draws, class Book>
class LiquibookStream {
 public:
  explicit LiquibookStream(Draws& draws) : draws_(draws) {}

  // Submits the next order; returns its number of fills.
  size_t step(Book& book) {
    const bool buy = orders_++ % 2 == 0;
    const int64_t ticks = (buy ? 1880 : 1884) + int64_t(draws_.below(10));
    const int64_t lots = 100 + int64_t(draws_.below(901));
    return book.submit(buy ? Side::Buy : Side::Sell, Kind::Limit, ticks, lots).fills;
  }

 private:
  Draws& draws_;
  uint64_t orders_ = 0;
};

}  // namespace liqsim::bench
