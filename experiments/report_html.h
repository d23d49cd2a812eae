// `liqsim report`: one self-contained HTML page (inline CSS and SVG, no script, nothing fetched) for a
// run file or a sweep file, chosen from the file's root attributes. docs/reports.md describes the page.
// The pages are built by pure functions of the file's contents (tests build them without a file); the
// command adds the checks of its input and output and writes the page through a temporary file.
#pragma once

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "analysis/run_file.h"
#include "experiments/sweep_file.h"

namespace liqsim {

struct ReportOptions {
  std::string input;
  std::string output;
  bool force = false;
  // Sweep reports: the /summary fields to plot and tabulate (default kDefaultReportMetrics), and the
  // axis of the line plots (default the first).
  std::vector<std::string> metrics;
  std::string axis;
  size_t table_rows = 200;  // sweep reports: the full metrics table when the sweep has at most this many runs
};

inline constexpr const char* kDefaultReportMetrics[] = {"liquidated_notional", "liquidation_count"};

// Most points a time series keeps in a plot (svg::decimate keeps each slice's extremes above that).
inline constexpr size_t kReportMaxSeriesPoints = 2000;
// Most liquidations drawn one point each; above, the plot shows the notional per time bin.
inline constexpr size_t kReportMaxScatterPoints = 20000;

// A file's `field_units` entry: the value in `units` is the stored number times 10^exponent.
struct FieldUnit {
  std::string units;
  int exponent = 0;
};
// "name: units*1e-6; ..." (a field_units attribute) as name -> units; entries it cannot read are skipped.
std::vector<std::pair<std::string, FieldUnit>> parse_field_units(const std::string& text);

// The stored integer `raw` times 10^exponent as an exact decimal with thousands separators
// (2500000, -6 -> "2.500000").
std::string format_fixed(int64_t raw, int exponent);

// Sizes of the run's liquidation cascades: /cascade_sizes when the file has it, else from the cause
// links of /events/liquidations; an error when the links are not causal (a damaged file).
std::variant<std::vector<uint64_t>, std::string> report_cascade_sizes(const RunFile& run,
                                                                      const LiqsimFileInfo& info);

// Why a page could not be made.
struct ReportError {
  std::string message;
};

// The run report page (docs/reports.md), or an error (a damaged file).
std::variant<std::string, ReportError> run_report_html(const RunFile& run, const LiqsimFileInfo& info,
                                                       const std::string& source_name);

// The sweep report page for `options.metrics` (every one a /summary field) along `options.axis`, or an
// error naming an unknown metric or axis and the allowed ones.
std::variant<std::string, ReportError> sweep_report_html(const SweepFileContents& sweep,
                                                         const LiqsimFileInfo& info,
                                                         const std::string& source_name,
                                                         const ReportOptions& options);

// The command: 0 written; 2 bad input (missing or foreign input, unknown metric or axis, an output that
// exists without --force or cannot be written), nothing written; 1 writing failed (nothing left).
int report_command(const ReportOptions& options);

}  // namespace liqsim
