#include "core/engine.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

std::vector<uint32_t> drain(Engine& engine) {
  std::vector<uint32_t> order;
  Event e;
  while (engine.pop(e)) order.push_back(e.kind);
  return order;
}

TEST(Engine, EventsRunInTimeOrderAndFifoAtTheSameTime) {
  Engine engine(SameTimeOrder::Fifo, 1);
  engine.schedule(seconds(2), 1, 0, 0);
  engine.schedule(seconds(1), 2, 0, 0);
  engine.schedule(seconds(2), 3, 0, 0);
  engine.schedule(seconds(1), 4, 0, 0);
  EXPECT_EQ(drain(engine), (std::vector<uint32_t>{2, 4, 1, 3}));
  EXPECT_EQ(engine.now(), seconds(2));
  EXPECT_EQ(engine.events_processed(), 4u);
}

TEST(Engine, PriorityFeeOrdersTransactionsByFeeThenSubmission) {
  Engine engine(SameTimeOrder::PriorityFee, 1);
  engine.schedule(seconds(1), 1, 0, 0, Lane::Transaction, 5);
  engine.schedule(seconds(1), 2, 0, 0, Lane::Transaction, 50);
  engine.schedule(seconds(1), 3, 0, 0, Lane::Transaction, 5);
  engine.schedule(seconds(1), 4, 0, 0, Lane::System);  // system events precede transactions
  EXPECT_EQ(drain(engine), (std::vector<uint32_t>{4, 2, 1, 3}));
}

TEST(Engine, RandomOrderIsReproducibleAndSeedDependent) {
  auto run = [](uint64_t seed) {
    Engine engine(SameTimeOrder::Random, seed);
    for (uint32_t k = 0; k < 20; ++k) engine.schedule(seconds(1), k, 0, 0, Lane::Transaction);
    return drain(engine);
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
  std::vector<uint32_t> fifo(20);
  for (uint32_t k = 0; k < 20; ++k) fifo[k] = k;
  EXPECT_NE(run(7), fifo);
}

// Arrival: by when each transaction reached the chain, ties by submission; system events still first.
TEST(Engine, ArrivalOrdersTransactionsByArrivalThenSubmission) {
  Engine engine(SameTimeOrder::Arrival, 1);
  engine.schedule(seconds(12), 1, 0, 0, Lane::Transaction, 50, seconds(11));
  engine.schedule(seconds(12), 2, 0, 0, Lane::Transaction, 5, seconds(10));
  engine.schedule(seconds(12), 3, 0, 0, Lane::Transaction, 5, seconds(11));
  engine.schedule(seconds(12), 4, 0, 0, Lane::System);
  EXPECT_EQ(drain(engine), (std::vector<uint32_t>{4, 2, 1, 3}));
}

TEST(Engine, NamesRoundTrip) {
  for (auto o :
       {SameTimeOrder::Fifo, SameTimeOrder::Random, SameTimeOrder::PriorityFee, SameTimeOrder::Arrival})
    EXPECT_EQ(same_time_order_from_string(to_string(o)), o);
  EXPECT_FALSE(same_time_order_from_string("lifo").has_value());
}

TEST(EngineDeathTest, SchedulingInThePastAborts) {
  Engine engine(SameTimeOrder::Fifo, 1);
  engine.schedule(seconds(5), 1, 0, 0);
  Event e;
  engine.pop(e);
  EXPECT_DEATH(engine.schedule(seconds(4), 1, 0, 0), "in the past");
}

}  // namespace
}  // namespace liqsim
