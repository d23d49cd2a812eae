// The chain keepers transact on: blocks every `block_interval`, a base gas fee, and the transactions
// waiting for inclusion. A transaction lands in the first block at or after it is ready (never in the
// past); inside a block the engine's named same-time rule orders transactions (fifo, random, or
// highest priority fee first: the MEV model). Each included transaction pays base fee + priority fee,
// whether or not it succeeds.
#pragma once

#include <cstdint>
#include <vector>

#include "core/units.h"
#include "protocol/ledger.h"

namespace liqsim {

struct ChainTransaction {
  AccountId sender;
  AccountId target;
  Time submitted;
  Amount priority_fee;
};

class Chain {
 public:
  Chain(Time block_interval, Amount base_fee) : block_interval_(block_interval), base_fee_(base_fee) {}

  // Queues a transaction from `sender` submitted now and ready at `ready`; returns its id and the time
  // of the block that includes it.
  std::pair<int64_t, Time> submit(Time now, Time ready, AccountId sender, AccountId target,
                                  Amount priority_fee);
  const ChainTransaction& transaction(int64_t id) const { return txs_[size_t(id)]; }
  // Gas of an included transaction; adds it to the total paid to block producers.
  Amount charge(const ChainTransaction& tx);
  Amount gas_paid() const { return gas_paid_; }
  Amount base_fee() const { return base_fee_; }

 private:
  Time block_interval_;
  Amount base_fee_;
  Amount gas_paid_;
  std::vector<ChainTransaction> txs_;
};

}  // namespace liqsim
