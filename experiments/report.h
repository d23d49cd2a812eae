// The short human-readable summary `liqsim run` prints after a run.
#pragma once

#include <string>

#include "core/recorder.h"

namespace liqsim {

// Several lines ending in '\n': scenario, price extremes, the measurement window (when it does not start
// at 0), liquidations, cascades, liquidation delays, keepers, insurance fund, ADL, bad debt, what was
// left unliquidated, protocol loss, conservation residual, throughput and the output path.
std::string format_report(const RunMetadata& metadata, const RunSummary& summary,
                          const std::string& output_path, double wall_seconds);

}  // namespace liqsim
