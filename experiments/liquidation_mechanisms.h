// The liquidation mechanisms a scenario can name (`liquidation.mechanism`): one line each in a
// compile-time list. The scenario schema's choices, the random scenario generator and the run's
// construction come from it; the contract suite (tests/protocol) runs against every implementation.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "core/recorder.h"
#include "experiments/scenario.h"
#include "protocol/liquidation.h"
#include "protocol/no_liquidation.h"

namespace liqsim {

// What a mechanism is built from: its scenario keys and the kernel parts it acts on.
struct MechanismBuildContext {
  const Scenario& scenario;
  ClearingHouse& clearing;
  ExecutionVenue& venue;
  Recorder& recorder;
  Time shortest_mark_interval;  // engine: an unfilled step is retried no sooner than this
};

struct MechanismEntry {
  std::string_view name;  // the scenario's `liquidation.mechanism`
  std::string_view description;
  std::unique_ptr<LiquidationMechanism> (*build)(const MechanismBuildContext&);
};

std::span<const MechanismEntry> liquidation_mechanisms();
// nullptr for an unknown name.
const MechanismEntry* find_liquidation_mechanism(std::string_view name);

}  // namespace liqsim
