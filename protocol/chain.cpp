#include "protocol/chain.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {

std::pair<int64_t, Time> Chain::submit(Time now, Time ready, AccountId sender, AccountId target,
                                       Amount priority_fee) {
  LIQSIM_CHECK(block_interval_ > Time(0), "block interval must be positive");
  const int64_t b = block_interval_.raw();
  const Time block = Time((ready.raw() + b - 1) / b * b);
  txs_.push_back(ChainTransaction{sender, target, now, priority_fee});
  return {int64_t(txs_.size()) - 1, std::max(block, now)};
}

Amount Chain::charge(const ChainTransaction& tx) {
  const Amount gas = base_fee_ + tx.priority_fee;
  gas_paid_ += gas;
  return gas;
}

}  // namespace liqsim
