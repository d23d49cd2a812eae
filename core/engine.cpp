#include "core/engine.h"

#include <algorithm>

#include "core/check.h"
#include "core/rng.h"

namespace liqsim {

std::string_view to_string(SameTimeOrder order) {
  switch (order) {
    case SameTimeOrder::Fifo:
      return "fifo";
    case SameTimeOrder::Random:
      return "random";
    case SameTimeOrder::PriorityFee:
      return "priority_fee";
  }
  return "?";
}

std::optional<SameTimeOrder> same_time_order_from_string(std::string_view name) {
  if (name == "fifo") return SameTimeOrder::Fifo;
  if (name == "random") return SameTimeOrder::Random;
  if (name == "priority_fee") return SameTimeOrder::PriorityFee;
  return std::nullopt;
}

namespace {
// Min-heap comparator: "a runs after b".
struct RunsAfter {
  bool operator()(const Event& a, const Event& b) const {
    if (a.time != b.time) return a.time > b.time;
    if (a.lane != b.lane) return a.lane > b.lane;
    if (a.key != b.key) return a.key > b.key;
    return a.seq > b.seq;
  }
};
}  // namespace

Engine::Engine(SameTimeOrder order, uint64_t ordering_seed) : order_(order), ordering_seed_(ordering_seed) {}

uint64_t Engine::schedule(Time time, uint32_t kind, uint32_t target, int64_t arg, Lane lane,
                          uint64_t priority_fee) {
  LIQSIM_CHECK(time >= now_, "event scheduled in the past");
  Event e;
  e.time = time;
  e.lane = static_cast<uint8_t>(lane);
  e.seq = next_seq_++;
  e.kind = kind;
  e.target = target;
  e.arg = arg;
  if (lane == Lane::Transaction) {
    switch (order_) {
      case SameTimeOrder::Fifo:
        e.key = 0;
        break;
      case SameTimeOrder::Random:
        e.key = splitmix64_mix(ordering_seed_ ^ splitmix64_mix(e.seq));
        break;
      case SameTimeOrder::PriorityFee:
        e.key = UINT64_MAX - priority_fee;
        break;
    }
  }
  heap_.push_back(e);
  std::push_heap(heap_.begin(), heap_.end(), RunsAfter{});
  return e.seq;
}

void Engine::defer(const Event& e, Time at) {
  LIQSIM_CHECK(at >= now_, "event deferred into the past");
  Event again = e;
  again.time = at;
  heap_.push_back(again);
  std::push_heap(heap_.begin(), heap_.end(), RunsAfter{});
}

bool Engine::pop(Event& out) {
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), RunsAfter{});
  out = heap_.back();
  heap_.pop_back();
  now_ = out.time;
  ++processed_;
  return true;
}

std::optional<Time> Engine::next_time() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().time;
}

}  // namespace liqsim
