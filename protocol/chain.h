// The chain keepers transact on: blocks every `block_interval`, a base fee that follows a gas price path
// (protocol/gas_price_path.h), block space for at most `max_transactions_per_block` keeper transactions
// (0: unlimited), and the transactions waiting for inclusion. A transaction is meant for the first block
// at or after it is ready (never in the past). Inside a block the engine's named same-time rule orders
// transactions (fifo, random, or highest priority fee first: the MEV model); the caller offers them to
// include() in that order, and those that find the block full wait in the chain's queue for the next
// blocks, where they are ordered by the same rule together with the transactions arriving there (they keep
// their engine event, so their submission order, random key and fee: Engine::defer). Only the best
// `max_transactions_per_block` waiting ones are offered to a block (take_queued()): no other could fit,
// as those alone fill it, so a long queue costs a block no more than a full block's work. Each included
// transaction pays the block's base fee plus its priority fee, whether or not it succeeds.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/engine.h"
#include "core/recorder.h"
#include "core/units.h"
#include "protocol/gas_price_path.h"
#include "protocol/ledger.h"
#include "protocol/liquidation_mechanism.h"

namespace liqsim {

struct ChainTransaction {
  AccountId sender;
  AccountId target;
  Time submitted;
  Time ready;
  Time first_block;  // the first block at or after ready (and not before submission)
  Amount priority_fee;
  TxIntent intent;      // what the transaction asks the mechanism to do
  bool waited = false;  // found a block full at least once
  // Set when included:
  Time executed;
  uint32_t position = 0;
  Amount base_fee;
};

struct ChainParams {
  Time block_interval;
  GasPricePath gas = GasPricePath::constant(Amount(0));
  uint32_t max_transactions_per_block = 0;  // 0: unlimited
};

class Chain {
 public:
  // Block rows (BlockRecord) go to `recorder` as each block closes, the last one at finish().
  Chain(ChainParams params, Recorder& recorder);

  // Queues a transaction from `sender` submitted now and ready at `ready`; returns its id and the time
  // of the first block it may land in.
  std::pair<int64_t, Time> submit(Time now, Time ready, AccountId sender, AccountId target,
                                  Amount priority_fee, const TxIntent& intent = {});
  const ChainTransaction& transaction(int64_t id) const { return txs_[size_t(id)]; }
  // Transaction `id`'s turn in the block at `block` (blocks come in time order, and a block's
  // transactions in the same-time rule's order): true when the block has room (it is included at
  // `base_fee`, the block's base fee), false when the block is full: it waits for next_block(block).
  bool include(int64_t id, Time block, Amount base_fee);
  Time next_block(Time block) const { return block + params_.block_interval; }
  // A transaction's event that found the block at `block` full: it waits in the queue. Returns the time
  // at which the caller must call take_queued() (the next block), unless that is already due.
  std::optional<Time> park(const Event& e, Time block);
  // At block `block`: the best waiting events in the same-time rule's order (engine key, then sequence),
  // as many as a block holds, taken out of the queue to be offered to this block; and the time of the
  // next call to take_queued(), when more wait and none is due yet.
  std::pair<std::vector<Event>, std::optional<Time>> take_queued(Time block);
  // Gas of an included transaction (its block's base fee + its priority fee); adds it to the total
  // paid to block producers.
  Amount charge(const ChainTransaction& tx);
  // The queue record of an included transaction.
  KeeperTxQueueRecord queue_record(int64_t id) const;
  // After the last event: records the last block. Once.
  void finish();

  // The base fee at t; `eth_price` is read by a replayed gas price only (GasPricePath::base_fee).
  Amount base_fee(Time t, Price eth_price) const { return params_.gas.base_fee(t, eth_price); }
  const GasPricePath& gas() const { return params_.gas; }
  Amount gas_paid() const { return gas_paid_; }
  // Transactions that found a block full and have not been included yet.
  int64_t queued() const { return queued_; }

 private:
  void close_block();

  ChainParams params_;
  Recorder& recorder_;
  Amount gas_paid_;
  int64_t queued_ = 0;
  std::optional<BlockRecord> open_block_;  // the block whose transactions are being offered
  std::vector<Event> parked_;              // waiting events, a heap: the best (key, seq) on top
  Time next_take_ = Time::min();           // the latest block at which take_queued() is due
  std::vector<ChainTransaction> txs_;
};

}  // namespace liqsim
