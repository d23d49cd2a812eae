// Where a replay run starts in the replayed data's own clock, for the run file's root attribute
// `replay_start_seconds` (reports show replay times as UTC from it).
#pragma once

#include <optional>

#include "experiments/scenario.h"

namespace liqsim {

// When market 0 replays a CSV (price.model = "replay"): the value in its time column of the first data
// row, times time_unit_seconds (the run's time 0: load_price_csv re-bases the path there). Nothing for
// other models, or when the file cannot be read (the run itself reports that).
std::optional<double> replay_start_seconds(const Scenario& scenario);

}  // namespace liqsim
