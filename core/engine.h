// The discrete-event engine: a priority queue of events ordered by (time, lane, key, sequence), and the
// clock. Only the engine hands out sequence numbers.
//
// Same-time ordering is part of the model. System events (price ticks, mark updates, agent wake-ups)
// are first-in first-out. Transaction events (keeper transactions landing in a block) are ordered by
// the scenario's named rule: fifo (submission order), arrival (the time each transaction reached the
// chain, its sender's latency included; ties by submission), random (a hash of the ordering seed and the
// sequence number, so reproducible), or priority_fee (highest fee first, ties by submission). All
// system events at a time run before transactions at the same time.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/units.h"

namespace liqsim {

enum class SameTimeOrder : uint8_t { Fifo, Random, PriorityFee, Arrival };
std::string_view to_string(SameTimeOrder order);
std::optional<SameTimeOrder> same_time_order_from_string(std::string_view name);

enum class Lane : uint8_t { System = 0, Transaction = 1 };

// What happens is a (kind, target, arg) triple interpreted by the composition root; the engine does
// not know the model. kind values are owned by the dispatcher.
struct Event {
  Time time;
  uint8_t lane = 0;
  uint64_t key = 0;
  uint64_t seq = 0;
  uint32_t kind = 0;
  uint32_t target = 0;
  int64_t arg = 0;
};

class Engine {
 public:
  Engine(SameTimeOrder order, uint64_t ordering_seed);

  Time now() const { return now_; }
  SameTimeOrder order() const { return order_; }
  // Schedules an event at `time` (>= now). priority_fee is used only by the priority_fee rule and
  // arrival (>= 0: when the transaction reached the chain) only by the arrival rule, on the transaction
  // lane. Returns the event's sequence number.
  uint64_t schedule(Time time, uint32_t kind, uint32_t target, int64_t arg, Lane lane = Lane::System,
                    uint64_t priority_fee = 0, Time arrival = Time(0));
  // Schedules a popped event again at `at` (>= now) with its lane, key and sequence number: it keeps its
  // place among same-time events (a transaction that found its block full waits for the next block in
  // the same-time rule's order, by its original submission, random key or fee).
  void defer(const Event& e, Time at);
  // Removes the next event and advances the clock to its time; false when the queue is empty.
  bool pop(Event& out);
  std::optional<Time> next_time() const;
  size_t pending() const { return heap_.size(); }
  uint64_t events_processed() const { return processed_; }

 private:
  std::vector<Event> heap_;
  Time now_{0};
  uint64_t next_seq_ = 0;
  uint64_t processed_ = 0;
  SameTimeOrder order_;
  uint64_t ordering_seed_;
};

}  // namespace liqsim
