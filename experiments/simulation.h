// Builds a world from a validated Scenario and runs it to the end: the composition root of a run.
#pragma once

#include <string>

#include "core/recorder.h"
#include "experiments/scenario.h"

namespace liqsim {

struct RunOptions {
  bool progress = false;           // print progress on stderr (the CLI sets this when stderr is a tty)
  bool check_every_event = false;  // run the conservation check after every event (tests)
};

struct RunResult {
  RunMetadata metadata;
  RunLog log;
  RunSummary summary;
};

// `scenario_toml` is the resolved scenario text stored in the run file. The scenario must already be
// valid (experiments/scenario_loader); invalid values here are invariant violations.
RunResult run_simulation(const Scenario& scenario, const std::string& scenario_toml,
                         const RunOptions& options);

}  // namespace liqsim
