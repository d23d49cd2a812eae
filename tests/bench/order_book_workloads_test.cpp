// The benchmark's reference book is only a fair yardstick if it does what OrderBook does: on the same
// workloads with the same draws, every operation must give the same number of fills and the books the
// same resting orders.
#include "bench/order_book_workloads.h"

#include <gtest/gtest.h>

namespace liqsim::bench {
namespace {

TEST(OrderBookWorkloads, MixGivesTheSameFillsOnBothBooks) {
  LiveDraws liqsim_draws;
  LiveDraws textbook_draws;
  MixWorkload<LiveDraws, LiqsimBook> liqsim(liqsim_draws);
  MixWorkload<LiveDraws, TextbookBook> textbook(textbook_draws);
  liqsim.seed_book();
  textbook.seed_book();
  for (int i = 0; i < 300'000; ++i) {
    liqsim.step();
    textbook.step();
    ASSERT_EQ(liqsim.fills(), textbook.fills()) << "operation " << i;
    ASSERT_EQ(liqsim.cancelled(), textbook.cancelled()) << "operation " << i;
  }
  EXPECT_EQ(liqsim.book().order_count(), textbook.book().order_count());
  EXPECT_GT(liqsim.fills(), 10'000u);  // the mix does trade
}

TEST(OrderBookWorkloads, LiquibookStreamGivesTheSameFillsOnBothBooks) {
  LiveDraws liqsim_draws;
  LiveDraws textbook_draws;
  LiquibookStream<LiveDraws, LiqsimBook> liqsim(liqsim_draws);
  LiquibookStream<LiveDraws, TextbookBook> textbook(textbook_draws);
  LiqsimBook liqsim_book;
  TextbookBook textbook_book;
  uint64_t fills = 0;
  for (int i = 0; i < 200'000; ++i) {
    const size_t liqsim_fills = liqsim.step(liqsim_book);
    ASSERT_EQ(liqsim_fills, textbook.step(textbook_book)) << "order " << i;
    fills += liqsim_fills;
  }
  EXPECT_EQ(liqsim_book.order_count(), textbook_book.order_count());
  EXPECT_GT(fills, 10'000u);
}

}  // namespace
}  // namespace liqsim::bench
