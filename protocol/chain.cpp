#include "protocol/chain.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {

Chain::Chain(ChainParams params, Recorder& recorder) : params_(std::move(params)), recorder_(recorder) {
  LIQSIM_CHECK(params_.block_interval > Time(0), "block interval must be positive");
}

std::pair<int64_t, Time> Chain::submit(Time now, Time ready, AccountId sender, AccountId target,
                                       Amount priority_fee, const TxIntent& intent) {
  const int64_t b = params_.block_interval.raw();
  const Time block = std::max(Time((ready.raw() + b - 1) / b * b), now);
  ChainTransaction tx;
  tx.sender = sender;
  tx.target = target;
  tx.submitted = now;
  tx.ready = ready;
  tx.first_block = block;
  tx.priority_fee = priority_fee;
  tx.intent = intent;
  txs_.push_back(tx);
  return {int64_t(txs_.size()) - 1, block};
}

bool Chain::include(int64_t id, Time block, Amount base_fee) {
  ChainTransaction& tx = txs_[size_t(id)];
  LIQSIM_CHECK(block >= tx.first_block, "a transaction offered to a block before its first one");
  if (!open_block_ || open_block_->time != block) {
    LIQSIM_CHECK(!open_block_ || open_block_->time < block, "blocks come in time order");
    close_block();
    open_block_ = BlockRecord{block, base_fee, 0, 0};
  }
  BlockRecord& b = *open_block_;
  if (params_.max_transactions_per_block > 0 && b.included >= params_.max_transactions_per_block) {
    if (!tx.waited) ++queued_;
    tx.waited = true;
    return false;
  }
  if (tx.waited) --queued_;
  tx.executed = block;
  tx.position = b.included++;
  tx.base_fee = b.base_fee;
  return true;
}

namespace {
// Heap order of waiting transactions: "a comes after b" in a block (the engine's same-time order).
bool after(const Event& a, const Event& b) { return a.key != b.key ? a.key > b.key : a.seq > b.seq; }
}  // namespace

std::optional<Time> Chain::park(const Event& e, Time block) {
  parked_.push_back(e);
  std::push_heap(parked_.begin(), parked_.end(), after);
  const Time next = next_block(block);
  if (next_take_ >= next) return std::nullopt;
  next_take_ = next;
  return next;
}

std::pair<std::vector<Event>, std::optional<Time>> Chain::take_queued(Time block) {
  std::vector<Event> best;
  const size_t room = params_.max_transactions_per_block;
  while (!parked_.empty() && best.size() < room) {
    std::pop_heap(parked_.begin(), parked_.end(), after);
    best.push_back(parked_.back());
    parked_.pop_back();
  }
  std::optional<Time> again;
  if (!parked_.empty() && next_take_ < next_block(block)) {
    next_take_ = next_block(block);
    again = next_take_;
  }
  return {std::move(best), again};
}

Amount Chain::charge(const ChainTransaction& tx) {
  const Amount gas = tx.base_fee + tx.priority_fee;
  gas_paid_ += gas;
  return gas;
}

KeeperTxQueueRecord Chain::queue_record(int64_t id) const {
  const ChainTransaction& tx = txs_[size_t(id)];
  KeeperTxQueueRecord r;
  r.ready = tx.ready;
  r.first_block = tx.first_block;
  r.executed = tx.executed;
  r.blocks_waited = uint32_t((tx.executed - tx.first_block).raw() / params_.block_interval.raw());
  r.position = tx.position;
  r.base_fee = tx.base_fee;
  return r;
}

void Chain::close_block() {
  if (open_block_) {
    open_block_->waiting = uint32_t(std::min<int64_t>(queued_, UINT32_MAX));
    recorder_.on_block(*open_block_);
  }
  open_block_.reset();
}

void Chain::finish() { close_block(); }

}  // namespace liqsim
