// Random valid scenarios for robustness tests: every key drawn across its whole allowed range from the
// scenario schema (bounds included, about one value in five at a bound), every mechanism in turn by seed,
// every same-time order, 1-3 markets, cross and isolated traders; then repaired to satisfy the cross-field
// rules and brought under a run-cost budget by moving cost knobs (intervals, rates, counts) to their cheap
// side. Deterministic in the seed. Replay price paths and oracles are not drawn (they need a data file).
#pragma once

#include <cstdint>

#include "experiments/scenario.h"

namespace liqsim {

struct RandomScenarioOptions {
  double max_events = 5e5;             // [limits].max_events of every generated scenario
  double max_duration_seconds = 7200;  // durations are drawn log-uniformly in [1, this]
  int max_traders = 3000;
  int max_markets = 3;
};

// A scenario that validate_scenario() accepts, or the default scenario scaled down if none of a
// bounded number of draws could be repaired (counted by the caller through validate_scenario).
Scenario random_scenario(uint64_t seed, const RandomScenarioOptions& options = {});

}  // namespace liqsim
