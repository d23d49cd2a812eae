// The short human-readable summary `liqsim run` prints after a run.
#pragma once

#include <string>

#include "core/recorder.h"

namespace liqsim {

// Several lines ending in '\n': scenario, price extremes, liquidations, cascades, keepers, insurance
// fund, ADL, bad debt, conservation residual, throughput and the output path.
std::string format_report(const RunMetadata& metadata, const RunSummary& summary,
                          const std::string& output_path, double wall_seconds);

}  // namespace liqsim
