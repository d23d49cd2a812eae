// OrderBook on the two workloads of /work/shared/tools/refbook.cpp (the std::map + std::list textbook
// book), reproduced operation for operation so that items_per_second here over refbook's operations
// per second is a meaningful speed ratio. Run both in the same session; absolute rates drift.
//
// Draws: refbook draws from std::mt19937_64 inside its timed loop and reduces with `rng() % n`; here
// Rng::uniform_below(n) plays that role, also inside the timed loop (BM_OrderBook_Mix,
// BM_OrderBook_LiquibookStream). BM_OrderBook_MixPregenerated draws the raw words outside the timing,
// to show the cost of the book alone.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/rng.h"
#include "market/order_book.h"

namespace liqsim {
namespace {

constexpr Price kTick(100'000);                  // 0.1 $; refbook's integer prices are our ticks
constexpr int64_t kQuantityUnit = 1'000'000;     // refbook's quantity 1 is 0.01 coin
constexpr int kOperationsPerIteration = 10'000;  // refbook's inner loop

Price tick_price(int64_t ticks) { return Price(ticks * kTick.raw()); }

// Uniform draws below n from liqsim's Rng, inside the timing (like refbook).
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

// refbook's "mix" (exchange-core-shaped): about 1,000 resting orders within 375 ticks of a random-walk
// mid (a step of -10..10 ticks with probability 1/64 per operation); each operation is a move (0.82), a
// new resting limit (0.09), an IOC priced 400 ticks through the mid (0.03) or a cancel (0.06), with
// quantities 1..100. A move of an order that already left the book places a new limit instead. Like
// refbook, the driver forgets its oldest 1,000 ids when it tracks over 4,000, and those orders stay in
// the book, so far-from-mid orders accumulate (about 70k after 15M operations in both).
// Difference: refbook moves by cancel + add under a new id; we use modify(), which keeps the id and, when
// the drawn price equals the current one (probability 1/375), leaves the order in place.
template <class Draws>
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
      const std::optional<OrderView> o = book_.order(live_[k]);
      if (o) {
        const int64_t offset = int64_t(draws_.below(375));
        const int64_t ticks = o->side == Side::Buy ? mid_ - offset : mid_ + offset;
        fills_ += book_.modify(live_[k], tick_price(ticks), std::nullopt).fills.size();
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
      benchmark::DoNotOptimize(book_.cancel(live_[k]));
      live_[k] = live_.back();
      live_.pop_back();
    }
    if (live_.size() > 4000) live_.erase(live_.begin(), live_.begin() + 1000);
  }

  const OrderBook& book() const { return book_; }
  uint64_t fills() const { return fills_; }

 private:
  void place(bool ioc) {
    const Side side = draws_.below(2) == 0 ? Side::Sell : Side::Buy;
    const int64_t offset = int64_t(draws_.below(375));
    int64_t ticks = side == Side::Buy ? mid_ - offset : mid_ + offset;
    if (ioc) ticks = side == Side::Buy ? mid_ + 400 : mid_ - 400;
    const Quantity quantity((1 + int64_t(draws_.below(100))) * kQuantityUnit);
    const SubmitResult r = book_.submit(OrderRequest{
        1, side, ioc ? OrderType::ImmediateOrCancel : OrderType::Limit, tick_price(ticks), quantity});
    fills_ += r.fills.size();
    if (!ioc) live_.push_back(r.id);  // like refbook, even when it filled at once (then it is stale)
  }

  Draws& draws_;
  OrderBook book_{kTick};
  std::vector<OrderId> live_;
  int64_t mid_ = 100'000;
  uint64_t fills_ = 0;
};

void BM_OrderBook_Mix(benchmark::State& state) {
  LiveDraws draws;
  MixWorkload<LiveDraws> mix(draws);
  mix.seed_book();
  int64_t operations = 0;
  for (auto _ : state) {
    for (int i = 0; i < kOperationsPerIteration; ++i) mix.step();
    operations += kOperationsPerIteration;
  }
  state.SetItemsProcessed(operations);
  state.counters["resting_orders"] = double(mix.book().order_count());
  state.counters["fills_per_op"] = double(mix.fills()) / double(operations);
}
BENCHMARK(BM_OrderBook_Mix);

void BM_OrderBook_MixPregenerated(benchmark::State& state) {
  // At most 7 draws per operation (mid step 2, choice 1, move 1 + place 3).
  constexpr size_t kWords = size_t{8} * kOperationsPerIteration;
  PregeneratedDraws draws;
  draws.refill(kWords);
  MixWorkload<PregeneratedDraws> mix(draws);
  mix.seed_book();
  int64_t operations = 0;
  for (auto _ : state) {
    state.PauseTiming();
    draws.refill(kWords);
    state.ResumeTiming();
    for (int i = 0; i < kOperationsPerIteration; ++i) mix.step();
    operations += kOperationsPerIteration;
  }
  state.SetItemsProcessed(operations);
}
BENCHMARK(BM_OrderBook_MixPregenerated);

// Liquibook's performance stream (liquibook test/perf): alternating buy and sell limit orders, buys at
// 1880..1889, sells at 1884..1893, quantities 100..1000, as in refbook. Orders below 1884 and above 1889
// never trade, so the book grows without bound; refbook keeps one book for its whole run, here a fresh
// book (outside the timing) every 2^20 orders keeps memory bounded under Google Benchmark's repetitions.
void BM_OrderBook_LiquibookStream(benchmark::State& state) {
  constexpr int64_t kOrdersPerBook = int64_t{1} << 20;
  LiveDraws draws;
  auto book = std::make_unique<OrderBook>(kTick);
  int64_t orders = 0;
  int64_t in_book = 0;
  for (auto _ : state) {
    for (int i = 0; i < kOperationsPerIteration; ++i, ++orders) {
      const bool buy = orders % 2 == 0;
      const int64_t ticks = (buy ? 1880 : 1884) + int64_t(draws.below(10));
      const Quantity quantity((100 + int64_t(draws.below(901))) * kQuantityUnit);
      benchmark::DoNotOptimize(book->submit(
          OrderRequest{1, buy ? Side::Buy : Side::Sell, OrderType::Limit, tick_price(ticks), quantity}));
    }
    in_book += kOperationsPerIteration;
    if (in_book >= kOrdersPerBook) {
      state.PauseTiming();
      book = std::make_unique<OrderBook>(kTick);
      in_book = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(orders);
}
BENCHMARK(BM_OrderBook_LiquibookStream);

}  // namespace
}  // namespace liqsim
