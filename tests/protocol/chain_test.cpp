// The chain: first block at or after readiness, block space, the waiting queue in the same-time rule's
// order, the base fee charged, the block and queue records.
#include "protocol/chain.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "core/engine.h"

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }

// One sent transaction, as the World sends it: a chain transaction and an engine event at its first
// block (transaction lane, keyed by its priority fee).
struct Sent {
  int64_t id;
  Time block;
};

// The World's inclusion rule, over a real Engine: transactions pop in the same-time rule's order; one
// that finds its block full waits in the chain's queue, and the best waiting ones re-enter each next
// block before its transactions run (a system-lane event). Returns the executed transaction ids in order.
class Harness {
 public:
  Harness(SameTimeOrder order, ChainParams params) : engine_(order, 99), chain_(std::move(params), log_) {}

  int64_t send(Time now, Time ready, uint32_t sender, Amount fee) {
    const auto [id, block] = chain_.submit(now, ready, AccountId(sender), AccountId(1000 + sender), fee);
    engine_.schedule(block, kTx, sender, id, Lane::Transaction, uint64_t(fee.raw()));
    return id;
  }

  std::vector<int64_t> run() {
    std::vector<int64_t> executed;
    Event e;
    while (engine_.pop(e)) {
      if (e.kind == kRefill) {
        auto [best, again] = chain_.take_queued(engine_.now());
        for (const Event& tx : best) engine_.defer(tx, engine_.now());
        if (again) engine_.schedule(*again, kRefill, 0, 0);
        continue;
      }
      if (!chain_.include(e.arg, engine_.now(), base_fee_)) {
        if (const auto at = chain_.park(e, engine_.now())) engine_.schedule(*at, kRefill, 0, 0);
        continue;
      }
      chain_.charge(chain_.transaction(e.arg));
      log_.on_keeper_tx_queue(chain_.queue_record(e.arg));
      executed.push_back(e.arg);
    }
    chain_.finish();
    return executed;
  }

  void set_base_fee(Amount fee) { base_fee_ = fee; }
  Chain& chain() { return chain_; }
  const RunLog& log() const { return log_; }

 private:
  static constexpr uint32_t kTx = 1, kRefill = 2;
  RunLog log_;
  Engine engine_;
  Chain chain_;
  Amount base_fee_ = usd(2);
};

ChainParams blocks(int64_t interval_seconds, uint32_t max_per_block) {
  ChainParams p;
  p.block_interval = seconds(interval_seconds);
  p.gas = GasPricePath::constant(usd(2));
  p.max_transactions_per_block = max_per_block;
  return p;
}

TEST(Chain, LandsInTheFirstBlockAtOrAfterReadiness) {
  RunLog log;
  Chain chain(blocks(12, 0), log);
  EXPECT_EQ(chain.submit(seconds(5), seconds(7), AccountId(1), AccountId(2), usd(1)).second, seconds(12));
  EXPECT_EQ(chain.submit(seconds(5), seconds(12), AccountId(1), AccountId(2), usd(1)).second, seconds(12));
  EXPECT_EQ(chain.submit(seconds(12), seconds(12) + Time(1), AccountId(1), AccountId(2), usd(1)).second,
            seconds(24));
}

// Unlimited blocks: every transaction lands in its first block; nothing waits.
TEST(Chain, UnlimitedBlocksNeverQueue) {
  Harness h(SameTimeOrder::Fifo, blocks(12, 0));
  for (uint32_t k = 0; k < 50; ++k) h.send(seconds(1), seconds(2), k, usd(1));
  EXPECT_EQ(h.run().size(), 50u);
  ASSERT_EQ(h.log().blocks.size(), 1u);
  EXPECT_EQ(h.log().blocks[0].included, 50u);
  EXPECT_EQ(h.log().blocks[0].waiting, 0u);
  for (const KeeperTxQueueRecord& q : h.log().keeper_tx_queue) EXPECT_EQ(q.blocks_waited, 0u);
  EXPECT_EQ(h.chain().queued(), 0);
}

// Two per block, seven transactions ready for the block at 12 s (fifo): blocks 12, 24, 36 and 48 s take
// 2, 2, 2 and 1, in submission order; each block row counts what it included and what still waits.
TEST(Chain, FullBlocksQueueTheRestForTheNextBlocks) {
  Harness h(SameTimeOrder::Fifo, blocks(12, 2));
  std::vector<int64_t> sent;
  for (uint32_t k = 0; k < 7; ++k) sent.push_back(h.send(seconds(1), seconds(2), k, usd(1)));
  EXPECT_EQ(h.run(), sent);
  const RunLog& log = h.log();
  ASSERT_EQ(log.blocks.size(), 4u);
  const uint32_t included[] = {2, 2, 2, 1}, waiting[] = {5, 3, 1, 0};
  for (size_t b = 0; b < 4; ++b) {
    EXPECT_EQ(log.blocks[b].time, seconds(12 * int64_t(b + 1))) << b;
    EXPECT_EQ(log.blocks[b].included, included[b]) << b;
    EXPECT_EQ(log.blocks[b].waiting, waiting[b]) << b;
  }
  ASSERT_EQ(log.keeper_tx_queue.size(), 7u);
  for (size_t k = 0; k < 7; ++k) {
    const KeeperTxQueueRecord& q = log.keeper_tx_queue[k];
    EXPECT_EQ(q.ready, seconds(2));
    EXPECT_EQ(q.first_block, seconds(12));
    EXPECT_EQ(q.blocks_waited, uint32_t(k / 2)) << k;
    EXPECT_EQ(q.executed, seconds(12) + seconds(12) * int64_t(k / 2)) << k;
    EXPECT_EQ(q.position, uint32_t(k % 2)) << k;
  }
  EXPECT_EQ(h.chain().queued(), 0);
}

// Priority fee first, in the queue too: a later, richer transaction overtakes waiting ones, and the
// waiting ones keep their order among themselves (fee, then submission).
TEST(Chain, QueuedTransactionsCompeteByPriorityFeeWithNewOnes) {
  Harness h(SameTimeOrder::PriorityFee, blocks(10, 1));
  const int64_t low = h.send(seconds(1), seconds(1), 0, usd(1));
  const int64_t mid = h.send(seconds(1), seconds(1), 1, usd(3));
  const int64_t mid_later = h.send(seconds(1), seconds(1), 2, usd(3));
  const int64_t high = h.send(seconds(1), seconds(1), 3, usd(5));
  // Ready for the second block (20 s), outbidding every transaction still waiting there.
  const int64_t rich = h.send(seconds(15), seconds(15), 4, usd(9));
  // Ready for the third block (30 s), bidding between the waiting ones.
  const int64_t between = h.send(seconds(25), seconds(25), 5, usd(2));
  EXPECT_EQ(h.run(), (std::vector<int64_t>{high, rich, mid, mid_later, between, low}));
}

// Fifo: waiting transactions go before ones submitted after them, whatever their fee.
TEST(Chain, QueuedTransactionsKeepSubmissionOrderUnderFifo) {
  Harness h(SameTimeOrder::Fifo, blocks(10, 1));
  const int64_t a = h.send(seconds(1), seconds(1), 0, usd(1));
  const int64_t b = h.send(seconds(1), seconds(1), 1, usd(1));
  const int64_t c = h.send(seconds(1), seconds(1), 2, usd(1));
  const int64_t later = h.send(seconds(15), seconds(15), 3, usd(50));
  EXPECT_EQ(h.run(), (std::vector<int64_t>{a, b, c, later}));
}

// Random: the order inside the queue is the ordering stream's, the same as one block holding them all.
TEST(Chain, QueuedTransactionsKeepTheirRandomOrder) {
  Harness unlimited(SameTimeOrder::Random, blocks(10, 0));
  Harness limited(SameTimeOrder::Random, blocks(10, 2));
  for (uint32_t k = 0; k < 20; ++k) {
    unlimited.send(seconds(1), seconds(1), k, usd(1));
    limited.send(seconds(1), seconds(1), k, usd(1));
  }
  const std::vector<int64_t> in_one_block = unlimited.run();
  std::vector<int64_t> sorted = in_one_block;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NE(in_one_block, sorted) << "20 transactions in submission order: not a random order";
  EXPECT_EQ(limited.run(), in_one_block);
  EXPECT_EQ(limited.log().blocks.size(), 10u);
}

// A long queue costs each block only its own room: the waiting transactions re-enter the engine at most
// `max_transactions_per_block` at a time.
TEST(Chain, OnlyABlockfulOfWaitingTransactionsIsOfferedPerBlock) {
  RunLog log;
  Chain chain(blocks(10, 3), log);
  Engine engine(SameTimeOrder::Fifo, 1);
  for (uint32_t k = 0; k < 100; ++k) {
    const auto [id, block] = chain.submit(Time(0), Time(0), AccountId(k), AccountId(k), usd(1));
    engine.schedule(block, 1, k, id, Lane::Transaction);
  }
  Event e;
  int parks = 0;
  std::optional<Time> refill;
  while (engine.pop(e)) {
    if (!chain.include(e.arg, engine.now(), usd(2))) {
      if (auto at = chain.park(e, engine.now())) refill = at;
      ++parks;
    }
  }
  EXPECT_EQ(parks, 97);
  EXPECT_EQ(chain.queued(), 97);
  ASSERT_TRUE(refill.has_value());
  EXPECT_EQ(*refill, seconds(10));
  const auto [best, again] = chain.take_queued(seconds(10));
  ASSERT_EQ(best.size(), 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(best[k].arg, int64_t(3 + k));  // submission order
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, seconds(20));
}

// Gas: the base fee of the including block plus the transaction's priority fee, summed for producers.
TEST(Chain, ChargesTheBlockBaseFeePlusThePriorityFee) {
  Harness h(SameTimeOrder::Fifo, blocks(10, 1));
  h.set_base_fee(usd(7));
  h.send(seconds(1), seconds(1), 0, usd(1));
  h.send(seconds(1), seconds(1), 1, usd(2));
  h.run();
  EXPECT_EQ(h.chain().gas_paid(), usd(7 + 1 + 7 + 2));
  for (const BlockRecord& b : h.log().blocks) EXPECT_EQ(b.base_fee, usd(7));
  for (const KeeperTxQueueRecord& q : h.log().keeper_tx_queue) EXPECT_EQ(q.base_fee, usd(7));
}

}  // namespace
}  // namespace liqsim
