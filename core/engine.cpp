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
    case SameTimeOrder::Arrival:
      return "arrival";
  }
  return "?";
}

std::optional<SameTimeOrder> same_time_order_from_string(std::string_view name) {
  if (name == "fifo") return SameTimeOrder::Fifo;
  if (name == "random") return SameTimeOrder::Random;
  if (name == "priority_fee") return SameTimeOrder::PriorityFee;
  if (name == "arrival") return SameTimeOrder::Arrival;
  return std::nullopt;
}

namespace {
// "a runs before b": (time, lane, key, sequence). Sequence numbers are unique, so this is a strict total
// order and the pop order does not depend on how the heap is laid out.
bool runs_before(const Event& a, const Event& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.lane != b.lane) return a.lane < b.lane;
  if (a.key != b.key) return a.key < b.key;
  return a.seq < b.seq;
}

// A 4-ary min-heap (children of i at 4i+1 .. 4i+4): half the levels of a binary heap, and the four
// children share a cache line or two, so pops touch less memory.
constexpr size_t kArity = 4;

void sift_up(std::vector<Event>& heap, size_t i) {
  const Event e = heap[i];
  while (i > 0) {
    const size_t parent = (i - 1) / kArity;
    if (!runs_before(e, heap[parent])) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = e;
}

void sift_down(std::vector<Event>& heap, size_t i) {
  const size_t n = heap.size();
  const Event e = heap[i];
  while (true) {
    const size_t first = kArity * i + 1;
    if (first >= n) break;
    size_t best = first;
    const size_t end = std::min(first + kArity, n);
    for (size_t c = first + 1; c < end; ++c)
      if (runs_before(heap[c], heap[best])) best = c;
    if (!runs_before(heap[best], e)) break;
    heap[i] = heap[best];
    i = best;
  }
  heap[i] = e;
}
}  // namespace

Engine::Engine(SameTimeOrder order, uint64_t ordering_seed) : order_(order), ordering_seed_(ordering_seed) {}

uint64_t Engine::schedule(Time time, uint32_t kind, uint32_t target, int64_t arg, Lane lane,
                          uint64_t priority_fee, Time arrival) {
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
      case SameTimeOrder::Arrival:
        LIQSIM_CHECK(arrival.raw() >= 0, "a transaction arrived before time 0");
        e.key = uint64_t(arrival.raw());
        break;
    }
  }
  heap_.push_back(e);
  sift_up(heap_, heap_.size() - 1);
  return e.seq;
}

void Engine::defer(const Event& e, Time at) {
  LIQSIM_CHECK(at >= now_, "event deferred into the past");
  Event again = e;
  again.time = at;
  heap_.push_back(again);
  sift_up(heap_, heap_.size() - 1);
}

bool Engine::pop(Event& out) {
  if (heap_.empty()) return false;
  out = heap_.front();
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(heap_, 0);
  now_ = out.time;
  ++processed_;
  return true;
}

std::optional<Time> Engine::next_time() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().time;
}

}  // namespace liqsim
