// OrderBook against TextbookOrderBook (bench/textbook_order_book.h: std::map of price levels, each a
// std::list, plus an unordered_map from id to list position) on two workloads. Both books run the same
// driver with the same random draws, so they see the same operations and produce the same fills
// (counter fills_per_op); bench/main.cpp prints each OrderBook / TextbookOrderBook pair's speed ratio
// at the end of the run (medians when --benchmark_repetitions is given).
//
//   BM_OrderBook_Mix / BM_TextbookOrderBook_Mix                       the mix workload (below)
//   BM_OrderBook_LiquibookStream / BM_TextbookOrderBook_LiquibookStream   Liquibook's perf stream
//   BM_OrderBook_MixPregenerated                                       the mix, draws outside the timing
//
// Draws: Rng::uniform_below(n) inside the timed loop (as a simulation does); BM_OrderBook_MixPregenerated
// draws the raw words outside the timing, to show the cost of OrderBook alone.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "bench/order_book_workloads.h"

namespace liqsim {
namespace {

using namespace bench;

template <class Book>
void mix_benchmark(benchmark::State& state) {
  LiveDraws draws;
  MixWorkload<LiveDraws, Book> mix(draws);
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

void BM_OrderBook_Mix(benchmark::State& state) { mix_benchmark<LiqsimBook>(state); }
BENCHMARK(BM_OrderBook_Mix);
void BM_TextbookOrderBook_Mix(benchmark::State& state) { mix_benchmark<TextbookBook>(state); }
BENCHMARK(BM_TextbookOrderBook_Mix);

void BM_OrderBook_MixPregenerated(benchmark::State& state) {
  // At most 7 draws per operation (mid step 2, choice 1, move 1 + place 3).
  constexpr size_t kWords = size_t{8} * kOperationsPerIteration;
  PregeneratedDraws draws;
  draws.refill(kWords);
  MixWorkload<PregeneratedDraws, LiqsimBook> mix(draws);
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

// A fresh book (outside the timing) every 2^20 orders keeps memory bounded under repetitions.
template <class Book>
void liquibook_stream_benchmark(benchmark::State& state) {
  constexpr int64_t kOrdersPerBook = int64_t{1} << 20;
  LiveDraws draws;
  LiquibookStream<LiveDraws, Book> stream(draws);
  auto book = std::make_unique<Book>();
  int64_t orders = 0;
  int64_t in_book = 0;
  uint64_t fills = 0;
  for (auto _ : state) {
    for (int i = 0; i < kOperationsPerIteration; ++i) fills += stream.step(*book);
    orders += kOperationsPerIteration;
    in_book += kOperationsPerIteration;
    if (in_book >= kOrdersPerBook) {
      state.PauseTiming();
      book = std::make_unique<Book>();
      in_book = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(orders);
  state.counters["fills_per_op"] = double(fills) / double(orders);
}

void BM_OrderBook_LiquibookStream(benchmark::State& state) { liquibook_stream_benchmark<LiqsimBook>(state); }
BENCHMARK(BM_OrderBook_LiquibookStream);
void BM_TextbookOrderBook_LiquibookStream(benchmark::State& state) {
  liquibook_stream_benchmark<TextbookBook>(state);
}
BENCHMARK(BM_TextbookOrderBook_LiquibookStream);

}  // namespace
}  // namespace liqsim
