#include "experiments/report_html.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "analysis/cascade.h"
#include "analysis/svg_plot.h"
#include "experiments/output_file.h"

namespace liqsim {
namespace {

using svg::escape;
using svg::format_number;

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
// A replay start in [1980-01-01, 2100-01-01) UTC is taken as an epoch timestamp and shown as UTC;
// anything else is a relative clock (a CSV whose times start near 0).
constexpr double kEpochFrom = 315532800.0, kEpochTo = 4102444800.0;
// An axis with more distinct values than this (a random design) is cut into kAxisBins equal bins.
constexpr size_t kMaxAxisGroups = 12, kAxisBins = 10;

double power_of_ten(int exponent) {
  double p = 1;
  for (int i = 0; i < std::abs(exponent); ++i) p *= 10;
  return exponent < 0 ? 1 / p : p;
}

// The stored value of one field of a struct laid out by `field` (a RunSummary), as a double and as its
// raw integer when it is one.
double raw_number(const void* object, const FieldSpec& field) {
  const char* at = static_cast<const char*>(object) + field.offset;
  switch (field.type) {
    case FieldType::I64: {
      int64_t v;
      std::memcpy(&v, at, 8);
      return double(v);
    }
    case FieldType::U64: {
      uint64_t v;
      std::memcpy(&v, at, 8);
      return double(v);
    }
    case FieldType::U32: {
      uint32_t v;
      std::memcpy(&v, at, 4);
      return double(v);
    }
    case FieldType::U8:
      return double(static_cast<uint8_t>(*at));
    case FieldType::F64: {
      double v;
      std::memcpy(&v, at, 8);
      return v;
    }
  }
  return kNan;
}

std::string field_text(const void* object, const FieldSpec& field, int exponent) {
  const char* at = static_cast<const char*>(object) + field.offset;
  if (field.type == FieldType::I64) {
    int64_t v;
    std::memcpy(&v, at, 8);
    return format_fixed(v, exponent);
  }
  if (field.type == FieldType::U64) {
    uint64_t v;
    std::memcpy(&v, at, 8);
    if (v <= uint64_t(std::numeric_limits<int64_t>::max())) return format_fixed(int64_t(v), exponent);
  }
  const double v = raw_number(object, field) * power_of_ten(exponent);
  if (field.type == FieldType::F64) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", v);
    return text;
  }
  return format_fixed(int64_t(v), 0);
}

// Units of the fields of a file (its field_units attribute), falling back on the compiled schema.
class Units {
 public:
  explicit Units(const std::string& field_units) {
    for (auto& [name, unit] : parse_field_units(field_units)) units_[name] = unit;
  }
  FieldUnit of(const FieldSpec& field) const {
    const auto it = units_.find(field.name);
    return it != units_.end() ? it->second : FieldUnit{field.units, field.scale_exponent};
  }

 private:
  std::map<std::string, FieldUnit> units_;
};

const FieldSpec* summary_field(const std::string& name) {
  for (const FieldSpec& field : run_file_schema::summary())
    if (name == field.name) return &field;
  return nullptr;
}

std::string summary_names() {
  std::string names;
  for (const FieldSpec& field : run_file_schema::summary())
    names += (names.empty() ? "" : ", ") + std::string(field.name);
  return names;
}

std::string utc_text(double epoch_seconds, const char* format) {
  const auto seconds = static_cast<std::time_t>(std::floor(epoch_seconds));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

// ------------------------------------------------------------------------------------------------
// Page pieces

constexpr const char* kStyle =
    R"(body{font-family:sans-serif;margin:1.5em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.85em}
figure{margin:1em 0}figcaption{font-size:.85em;color:#555;max-width:760px}
.plots{display:flex;flex-wrap:wrap;gap:1em}.note{color:#555;font-size:.9em})";

class Page {
 public:
  Page(const std::string& kind, const std::string& title) {
    out_ << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << escape(title)
         << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body data-report=\"" << kind << "\">\n<h1>"
         << escape(title) << "</h1>\n";
  }
  Page& heading(const std::string& text, const std::string& id = "") {
    out_ << "<h2" << (id.empty() ? "" : " id=\"" + escape(id) + "\"") << ">" << escape(text) << "</h2>\n";
    return *this;
  }
  Page& paragraph(const std::string& html, const char* css_class = nullptr) {
    out_ << "<p" << (css_class ? std::string(" class=\"") + css_class + "\"" : "") << ">" << html << "</p>\n";
    return *this;
  }
  // A table of text cells (escaped here); cells of columns in `numeric` are right-aligned.
  Page& table(const std::string& id, const std::vector<std::string>& header,
              const std::vector<std::vector<std::string>>& rows, const std::set<size_t>& numeric = {}) {
    out_ << "<table id=\"" << escape(id) << "\">\n<tr>";
    for (const std::string& h : header) out_ << "<th>" << escape(h) << "</th>";
    out_ << "</tr>\n";
    for (const auto& row : rows) {
      out_ << "<tr>";
      for (size_t c = 0; c < row.size(); ++c)
        out_ << (numeric.count(c) ? "<td class=\"n\">" : "<td>") << escape(row[c]) << "</td>";
      out_ << "</tr>\n";
    }
    out_ << "</table>\n";
    return *this;
  }
  Page& text_block(const std::string& summary, const std::string& id, const std::string& text, bool open) {
    out_ << "<details" << (open ? " open" : "") << "><summary>" << escape(summary) << "</summary>\n<pre id=\""
         << escape(id) << "\">" << escape(text) << "</pre>\n</details>\n";
    return *this;
  }
  Page& figure(const std::string& svg, const std::string& caption) {
    out_ << "<figure>\n" << svg << "<figcaption>" << escape(caption) << "</figcaption>\n</figure>\n";
    return *this;
  }
  Page& raw(const std::string& html) {
    out_ << html;
    return *this;
  }
  std::string finish() {
    out_ << "</body>\n</html>\n";
    return out_.str();
  }

 private:
  std::ostringstream out_;
};

// ------------------------------------------------------------------------------------------------
// Run report

// The x axis of the run's time plots: seconds since the start, and the UTC time under each tick when
// the run replays data with absolute timestamps.
svg::Axis time_axis(const RunMetadata& metadata, double span_seconds) {
  svg::Axis axis{.label = "time since start (s)"};
  const std::optional<double> start = metadata.replay_start_seconds;
  if (start && *start >= kEpochFrom && *start < kEpochTo) {
    const char* format = span_seconds < 600 ? "%H:%M:%S" : span_seconds < 2 * 86400 ? "%H:%M" : "%m-%d %H:%M";
    axis.label = "time since start (s) and UTC";
    axis.format = [origin = *start, format](double t) {
      return format_number(t) + "\n" + utc_text(origin + t, format);
    };
  }
  return axis;
}

// A time series of the run (a /timeseries column in its units), thinned to what a plot shows.
svg::Series time_series(const std::string& name, const std::vector<double>& seconds,
                        std::vector<double> values) {
  svg::Series s{.name = name};
  for (size_t i : svg::decimate(values, kReportMaxSeriesPoints)) {
    s.x.push_back(seconds[i]);
    s.y.push_back(values[i]);
  }
  return s;
}

}  // namespace

std::vector<std::pair<std::string, FieldUnit>> parse_field_units(const std::string& text) {
  std::vector<std::pair<std::string, FieldUnit>> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find("; ", begin);
    if (end == std::string::npos) end = text.size();
    const std::string entry = text.substr(begin, end - begin);
    begin = end + 2;
    const size_t colon = entry.find(": ");
    if (colon == std::string::npos) continue;
    FieldUnit unit{entry.substr(colon + 2), 0};
    const size_t star = unit.units.find("*1e");
    if (star != std::string::npos) {
      char* stop = nullptr;
      const std::string exponent = unit.units.substr(star + 3);
      const long e = std::strtol(exponent.c_str(), &stop, 10);
      if (stop == exponent.c_str() || *stop != '\0' || e < -30 || e > 30) continue;
      unit.exponent = int(e);
      unit.units.resize(star);
    }
    out.emplace_back(entry.substr(0, colon), unit);
  }
  return out;
}

std::string format_fixed(int64_t raw, int exponent) {
  const bool negative = raw < 0;
  auto magnitude = negative ? -static_cast<__int128>(raw) : static_cast<__int128>(raw);
  const size_t places = exponent < 0 ? size_t(-exponent) : 0;
  std::string reversed;  // least significant digit first; at least one digit before the point
  while (magnitude > 0 || reversed.size() <= places) {
    reversed += char('0' + int(magnitude % 10));
    magnitude /= 10;
  }
  std::string digits(reversed.rbegin(), reversed.rend());
  if (exponent > 0) digits.append(size_t(exponent), '0');
  if (places > 0)
    digits = digits.substr(0, digits.size() - places) + "." + digits.substr(digits.size() - places);
  return svg::group_thousands((negative ? "-" : "") + digits);
}

std::variant<std::vector<uint64_t>, std::string> report_cascade_sizes(const RunFile& run,
                                                                      const LiqsimFileInfo& info) {
  if (info.cascade_sizes) return *info.cascade_sizes;
  const std::vector<LiquidationRecord>& liquidations = run.log.liquidations;
  for (size_t i = 0; i < liquidations.size(); ++i) {
    const LiquidationRecord& r = liquidations[i];
    if (r.id != int64_t(i) || (r.cause != kNoId && (r.cause < 0 || r.cause >= r.id))) {
      return "/events/liquidations row " + std::to_string(i) + " has id " + std::to_string(r.id) +
             " and cause " + std::to_string(r.cause) + "; expected id = row and cause -1 or an earlier id";
    }
  }
  return cascade_sizes(liquidations);
}

std::variant<std::string, ReportError> run_report_html(const RunFile& run, const LiqsimFileInfo& info,
                                                       const std::string& source_name) {
  const RunMetadata& m = run.metadata;
  const auto sizes_or = report_cascade_sizes(run, info);
  if (const auto* error = std::get_if<std::string>(&sizes_or)) return ReportError{*error};
  const std::vector<uint64_t>& sizes = std::get<std::vector<uint64_t>>(sizes_or);
  const std::vector<TimeseriesRow>& rows = run.log.timeseries;
  const double span = rows.empty() ? 0 : to_seconds(rows.back().time);

  Page page("run", "liqsim run report: " + m.scenario_name);
  page.paragraph("From <code>" + escape(source_name) + "</code>.", "note");

  // Provenance.
  std::vector<std::vector<std::string>> provenance = {
      {"liqsim version", m.liqsim_version},
      {"liqsim commit",
       run.liqsim_commit.empty() ? "not stored (file predates liqsim_commit)" : run.liqsim_commit},
      {"schema version", std::to_string(m.schema_version)},
      {"scenario", m.scenario_name},
      {"seed", std::to_string(m.seed)},
      {"mechanism", m.mechanism},
      {"same-time order", m.same_time_order},
      {"assets", m.asset_symbols},
      {"simulated time", format_number(span) + " s (" + std::to_string(rows.size()) + " samples)"},
  };
  if (m.replay_start_seconds) {
    const double start = *m.replay_start_seconds;
    provenance.push_back(
        {"replay start",
         start >= kEpochFrom && start < kEpochTo
             ? utc_text(start, "%Y-%m-%d %H:%M:%S UTC") + " (" + format_number(start) + " s since 1970)"
             : format_number(start) + " s in the replayed file's clock (not a date)"});
    if (start >= kEpochFrom && start < kEpochTo)
      provenance.push_back({"replay end", utc_text(start + span, "%Y-%m-%d %H:%M:%S UTC")});
  }
  page.heading("Provenance", "provenance").table("provenance", {"", ""}, provenance);

  // Summary, in each field's units (the file's field_units).
  const Units units(info.field_units);
  std::vector<std::vector<std::string>> summary;
  for (const FieldSpec& field : run_file_schema::summary()) {
    const FieldUnit unit = units.of(field);
    summary.push_back({field.name, field_text(&run.summary, field, unit.exponent), unit.units});
  }
  page.heading("Summary", "summary").table("summary", {"figure", "value", "units"}, summary, {1});

  // Against the impact-free twin (liqsim run --counterfactual impact_free): the run's figure, the twin's
  // and the amplification stored in /summary.
  if (run.counterfactual_summary) {
    const RunSummary& twin = *run.counterfactual_summary;
    const auto text = [&](const RunSummary& s, const char* name) {
      const FieldSpec* field = summary_field(name);
      return field_text(&s, *field, units.of(*field).exponent);
    };
    const auto unit_of = [&](const char* name) { return units.of(*summary_field(name)).units; };
    const char* rows_of[][3] = {
        {"mark_min", "amplification_mark_trough_pp", "pp"},
        {"index_min", "amplification_index_trough_pp", "pp"},
        {"spot_min", "amplification_spot_trough_pp", "pp"},
        {"liquidation_count", "amplification_liquidations", ""},
        {"liquidated_notional", "amplification_liquidated_notional", ""},
        {"protocol_loss", "amplification_protocol_loss", ""},
        {"bad_debt", "amplification_bad_debt", ""},
    };
    std::vector<std::vector<std::string>> amplification;
    for (const auto& row : rows_of)
      amplification.push_back({row[0], text(run.summary, row[0]), text(twin, row[0]),
                               text(run.summary, row[1]) + (*row[2] != 0 ? std::string(" ") + row[2] : ""),
                               unit_of(row[0])});
    amplification.push_back(
        {"endogenous_liquidations", text(run.summary, "endogenous_liquidations"), "0", "", "count"});
    page.heading("Amplification", "amplification")
        .paragraph(
            "The run against its impact-free twin: the same scenario and seed with every liquidation "
            "executed "
            "off the book at the mark. Troughs: the extra fall in percentage points of the initial price; "
            "the others: the run minus the twin. A liquidation is endogenous when the twin does not "
            "liquidate its account by then; the cascade figures count only endogenous liquidations as "
            "children.",
            "note")
        .table("amplification", {"figure", "run", "impact-free twin", "amplification", "units"},
               amplification, {1, 2, 3});
  }

  // Plots.
  std::vector<double> seconds;
  for (const TimeseriesRow& r : rows) seconds.push_back(to_seconds(r.time));
  const auto column = [&](auto member, double scale, bool zero_is_missing = false) {
    std::vector<double> v;
    for (const TimeseriesRow& r : rows) {
      const double raw = double((r.*member).raw());
      v.push_back(zero_is_missing && raw == 0 ? kNan : raw * scale);
    }
    return v;
  };
  const svg::Axis time = time_axis(m, span);
  page.heading("Plots", "plots");
  {
    svg::Chart chart{
        .id = "prices", .title = "Prices of market 0", .x = time, .y = {.label = "USD per coin"}};
    chart.series.push_back(time_series("reference", seconds, column(&TimeseriesRow::reference, 1e-6)));
    chart.series.push_back(time_series("index", seconds, column(&TimeseriesRow::index, 1e-6)));
    chart.series.push_back(time_series("mark", seconds, column(&TimeseriesRow::mark, 1e-6)));
    chart.series.push_back(time_series("mid", seconds, column(&TimeseriesRow::mid, 1e-6, true)));
    page.figure(svg::render(chart),
                "Reference (the exogenous fundamental), index, mark and order-book mid (gaps: a side of the "
                "book was empty). Series above 2,000 samples keep each slice's minimum and maximum.");
  }
  {
    svg::Chart chart{
        .id = "insurance_fund", .title = "Insurance fund and bad debt", .x = time, .y = {.label = "USD"}};
    chart.series.push_back(
        time_series("insurance fund", seconds, column(&TimeseriesRow::insurance_fund, 1e-6)));
    chart.series.push_back(time_series("bad debt", seconds, column(&TimeseriesRow::bad_debt, 1e-6)));
    page.figure(svg::render(chart), "Insurance fund balance and bad debt recorded so far.");
  }
  {
    svg::Chart chart{
        .id = "open_interest", .title = "Open interest of market 0", .x = time, .y = {.label = "coin"}};
    chart.series.push_back(
        time_series("open interest", seconds, column(&TimeseriesRow::open_interest, 1e-8)));
    page.figure(svg::render(chart), "Total long quantity of market 0.");
  }
  {
    const std::vector<LiquidationRecord>& liquidations = run.log.liquidations;
    svg::Chart chart{
        .id = "liquidations", .title = "Liquidations", .x = time, .y = {.label = "notional at mark (USD)"}};
    std::vector<double> notional;
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (const LiquidationRecord& r : liquidations) {
      notional.push_back(std::fabs(double(r.quantity.raw()) * 1e-8) * double(r.mark.raw()) * 1e-6);
      if (notional.back() > 0) lo = std::min(lo, notional.back());
      hi = std::max(hi, notional.back());
    }
    std::string caption;
    if (liquidations.size() <= kReportMaxScatterPoints) {
      // One series per cascade generation: how deep into a cascade each liquidation was.
      uint32_t generations = 0;
      for (uint32_t g : run.generation) generations = std::max(generations, g + 1);
      for (uint32_t g = 0; g < generations; ++g) {
        svg::Series s{.name = "generation " + std::to_string(g), .mark = svg::Mark::Points};
        for (size_t i = 0; i < liquidations.size(); ++i)
          if (i < run.generation.size() && run.generation[i] == g) {
            s.x.push_back(to_seconds(liquidations[i].time));
            s.y.push_back(notional[i]);
          }
        chart.series.push_back(std::move(s));
      }
      chart.y.log = lo > 0 && hi / lo > 100;
      caption =
          "Each liquidation's notional (|quantity| x mark at the trigger), coloured by its cascade "
          "generation "
          "(0: a root: the index alone explains it, or, with an impact-free twin, it is exogenous).";
    } else {
      constexpr size_t kBins = 100;
      svg::Series s{.name = "notional per bin", .mark = svg::Mark::Bars};
      const double width = std::max(span, 1e-9) / kBins;
      s.y.assign(kBins, 0);
      for (size_t b = 0; b < kBins; ++b) s.x.push_back((double(b) + 0.5) * width);
      for (size_t i = 0; i < liquidations.size(); ++i)
        s.y[std::min(kBins - 1, size_t(to_seconds(liquidations[i].time) / width))] += notional[i];
      chart.series.push_back(std::move(s));
      chart.y.label = "notional liquidated per bin (USD)";
      caption = std::to_string(liquidations.size()) + " liquidations, summed in " + std::to_string(kBins) +
                " time bins of " + format_number(width) + " s (more than " +
                std::to_string(kReportMaxScatterPoints) + " to draw one by one).";
    }
    page.figure(svg::render(chart), caption);
  }
  {
    // CCDF: P(S >= s) over the distinct sizes s.
    std::vector<uint64_t> sorted = sizes;
    std::sort(sorted.begin(), sorted.end());
    svg::Series s{.name = "cascades", .mark = svg::Mark::Points};
    for (size_t i = 0; i < sorted.size(); ++i)
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        s.x.push_back(double(sorted[i]));
        s.y.push_back(double(sorted.size() - i) / double(sorted.size()));
      }
    svg::Chart chart{.id = "cascade_ccdf",
                     .title = "Cascade sizes (CCDF)",
                     .x = {.label = "cascade size s (liquidations)", .log = true},
                     .y = {.label = "P(size >= s)", .log = true},
                     .series = {std::move(s)}};
    page.figure(svg::render(chart),
                std::to_string(sizes.size()) + " cascades (trees of liquidations linked by cause" +
                    (info.cascade_sizes ? ", from /cascade_sizes" : ", from /events/liquidations") +
                    "); a straight line on these log-log axes is a power-law tail.");
  }

  page.heading("Scenario", "scenario")
      .text_block("The resolved scenario (TOML), as stored in the file", "scenario_toml", m.scenario_toml,
                  false);
  return page.finish();
}

// ------------------------------------------------------------------------------------------------
// Sweep report

namespace {

// Rows of one axis gathered into groups: its distinct values, or equal bins of a random design.
struct AxisGroups {
  std::vector<double> centres;
  std::vector<std::string> labels;
  std::vector<size_t> of_row;  // group of each row
  bool binned = false;
};

AxisGroups group_axis(const std::vector<SweepMetricsRow>& rows, size_t axis) {
  AxisGroups groups;
  std::vector<double> distinct;
  for (const SweepMetricsRow& row : rows) distinct.push_back(row.axis_values[axis]);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() <= kMaxAxisGroups) {
    groups.centres = distinct;
    for (double v : distinct) groups.labels.push_back(format_number(v));
    for (const SweepMetricsRow& row : rows)
      groups.of_row.push_back(size_t(
          std::lower_bound(distinct.begin(), distinct.end(), row.axis_values[axis]) - distinct.begin()));
    return groups;
  }
  // Equal bins, on a log scale when the values are positive and span two decades or more.
  groups.binned = true;
  const bool log = distinct.front() > 0 && distinct.back() / distinct.front() >= 100;
  const auto to = [&](double v) { return log ? std::log10(v) : v; };
  const auto from = [&](double v) { return log ? std::pow(10.0, v) : v; };
  const double lo = to(distinct.front()), width = (to(distinct.back()) - lo) / kAxisBins;
  for (size_t b = 0; b < kAxisBins; ++b) {
    groups.centres.push_back(from(lo + (double(b) + 0.5) * width));
    groups.labels.push_back(format_number(from(lo + double(b) * width)) + "-" +
                            format_number(from(lo + double(b + 1) * width)));
  }
  for (const SweepMetricsRow& row : rows)
    groups.of_row.push_back(std::min(kAxisBins - 1, size_t((to(row.axis_values[axis]) - lo) / width)));
  return groups;
}

struct Stats {
  size_t count = 0;
  double sum = 0, sum_squares = 0, min = std::numeric_limits<double>::infinity(), max = -min;
  void add(double v) {
    ++count;
    sum += v;
    sum_squares += v * v;
    min = std::min(min, v);
    max = std::max(max, v);
  }
  double mean() const { return count ? sum / double(count) : kNan; }
  double sd() const {
    return count > 1 ? std::sqrt(std::max(0.0, (sum_squares - sum * sum / double(count)) / double(count - 1)))
                     : kNan;
  }
};

const char* status_name(SweepRunStatus status) {
  switch (status) {
    case SweepRunStatus::Pending:
      return "pending";
    case SweepRunStatus::Ok:
      return "ok";
    case SweepRunStatus::Failed:
      return "failed";
  }
  return "?";
}

}  // namespace

std::variant<std::string, ReportError> sweep_report_html(const SweepFileContents& sweep,
                                                         const LiqsimFileInfo& info,
                                                         const std::string& source_name,
                                                         const ReportOptions& options) {
  // The metrics and the axis, checked first.
  std::vector<std::string> names = options.metrics;
  if (names.empty()) names.assign(std::begin(kDefaultReportMetrics), std::end(kDefaultReportMetrics));
  std::vector<const FieldSpec*> metrics;
  for (const std::string& name : names) {
    const FieldSpec* field = summary_field(name);
    if (field == nullptr)
      return ReportError{"--metric '" + name + "' is not a summary field; allowed: " + summary_names()};
    if (std::find(metrics.begin(), metrics.end(), field) == metrics.end()) metrics.push_back(field);
  }
  size_t line_axis = 0;
  if (!options.axis.empty()) {
    const auto it = std::find(sweep.axis_keys.begin(), sweep.axis_keys.end(), options.axis);
    if (it == sweep.axis_keys.end()) {
      std::string keys;
      for (const std::string& k : sweep.axis_keys) keys += (keys.empty() ? "" : ", ") + k;
      return ReportError{"--axis '" + options.axis + "' is not an axis of this sweep; allowed: " +
                         (keys.empty() ? "none (the sweep has no axes)" : keys)};
    }
    line_axis = size_t(it - sweep.axis_keys.begin());
  }
  const Units units(info.field_units);
  const auto variant_name = [&](uint32_t v) {
    return v < sweep.variant_names.size() ? sweep.variant_names[v] : std::to_string(v);
  };
  const auto value_of = [&](const SweepMetricsRow& row, const FieldSpec& field) {
    return raw_number(&row.summary, field) * power_of_ten(units.of(field).exponent);
  };
  size_t ok = 0, failed = 0, pending = 0;
  for (const SweepMetricsRow& row : sweep.rows)
    (row.status == SweepRunStatus::Ok ? ok : row.status == SweepRunStatus::Failed ? failed : pending) += 1;

  Page page("sweep", "liqsim sweep report: " + std::filesystem::path(source_name).filename().string());
  page.paragraph("From <code>" + escape(source_name) + "</code>.", "note");
  page.heading("Provenance and plan", "provenance")
      .table("provenance", {"", ""},
             {{"liqsim version", sweep.liqsim_version},
              {"liqsim commit", sweep.liqsim_commit.empty() ? "not stored (file predates liqsim_commit)"
                                                            : sweep.liqsim_commit},
              {"schema version", std::to_string(sweep.schema_version)},
              {"plan digest", sweep.plan_digest},
              {"design", sweep.design},
              {"sweep seed", std::to_string(sweep.seed)},
              {"points x seeds x variants",
               std::to_string(sweep.points) + " x " + std::to_string(sweep.seeds) + " x " +
                   std::to_string(sweep.variants) + " = " + std::to_string(sweep.runs) + " runs"},
              {"status", std::to_string(ok) + " ok, " + std::to_string(failed) + " failed, " +
                             std::to_string(pending) + " pending"}});
  std::vector<std::vector<std::string>> axes;
  for (size_t a = 0; a < sweep.axis_keys.size(); ++a)
    axes.push_back({sweep.axis_keys[a], a < sweep.axis_definitions.size() ? sweep.axis_definitions[a] : "",
                    a < sweep.axis_values.size() ? sweep.axis_values[a] : ""});
  page.raw("<h3>Axes</h3>\n").table("axes", {"key", "definition", "values"}, axes);
  std::vector<std::vector<std::string>> variants;
  for (size_t v = 0; v < sweep.variant_names.size(); ++v)
    variants.push_back({sweep.variant_names[v], v < sweep.variant_sets.size() ? sweep.variant_sets[v] : ""});
  page.raw("<h3>Variants</h3>\n").table("variants", {"name", "set"}, variants);
  page.text_block("The sweep file (TOML)", "sweep_toml", sweep.sweep_toml, false)
      .text_block("The base scenario with the sweep's set (TOML)", "base_scenario_toml",
                  sweep.base_scenario_toml, false);

  // Per metric: statistics per variant, heatmaps over the first two axes, lines over one axis.
  const size_t n_axes = sweep.axis_keys.size();
  std::vector<AxisGroups> groups;
  for (size_t a = 0; a < std::min<size_t>(n_axes, 2) || a <= line_axis; ++a) {
    if (a >= n_axes) break;
    groups.push_back(group_axis(sweep.rows, a));
  }
  const uint32_t n_variants = uint32_t(sweep.variant_names.size());
  for (const FieldSpec* metric : metrics) {
    const FieldUnit unit = units.of(*metric);
    const std::string label = std::string(metric->name) + " (" + unit.units + ")";
    page.heading("Metric " + label, std::string("metric-") + metric->name);
    std::vector<std::vector<std::string>> stats_rows;
    for (uint32_t v = 0; v < n_variants; ++v) {
      Stats stats;
      for (const SweepMetricsRow& row : sweep.rows)
        if (row.run.variant == v && row.status == SweepRunStatus::Ok) stats.add(value_of(row, *metric));
      stats_rows.push_back({variant_name(v), std::to_string(stats.count), format_number(stats.mean()),
                            format_number(stats.sd()), format_number(stats.count ? stats.min : kNan),
                            format_number(stats.count ? stats.max : kNan)});
    }
    page.table(std::string("stats-") + metric->name, {"variant", "ok runs", "mean", "sd", "min", "max"},
               stats_rows, {1, 2, 3, 4, 5});

    page.raw("<div class=\"plots\">\n");
    if (n_axes >= 2) {
      const AxisGroups& gx = groups[0];
      const AxisGroups& gy = groups[1];
      // Cell means of every variant first: the heatmaps share one colour scale.
      std::vector<std::vector<Stats>> cells_of(n_variants,
                                               std::vector<Stats>(gx.centres.size() * gy.centres.size()));
      Stats means;
      for (size_t r = 0; r < sweep.rows.size(); ++r) {
        const SweepMetricsRow& row = sweep.rows[r];
        if (row.run.variant < n_variants && row.status == SweepRunStatus::Ok)
          cells_of[row.run.variant][gy.of_row[r] * gx.centres.size() + gx.of_row[r]].add(
              value_of(row, *metric));
      }
      for (const auto& cells : cells_of)
        for (const Stats& cell : cells)
          if (cell.count > 0) means.add(cell.mean());
      for (uint32_t v = 0; v < n_variants; ++v) {
        const std::vector<Stats>& cells = cells_of[v];
        svg::Heatmap heatmap{.id = std::string("heatmap-") + metric->name + "-" + std::to_string(v),
                             .title = std::string(metric->name) + ", variant " + variant_name(v),
                             .x_label = sweep.axis_keys[0],
                             .y_label = sweep.axis_keys[1],
                             .value_label = label + ", mean over seeds",
                             .columns = gx.labels,
                             .rows = gy.labels,
                             .scale_min = means.min,
                             .scale_max = means.max};
        for (const Stats& cell : cells) heatmap.values.push_back(cell.mean());
        page.figure(svg::render(heatmap),
                    "Mean of " + std::string(metric->name) + " over the seeds" +
                        (n_axes > 2 ? " and the other axes" : "") +
                        " of each cell (grey: no finished run); one colour scale for every variant" +
                        (gx.binned || gy.binned ? "; a random design's values are cut into equal bins" : "") +
                        ".");
      }
    }
    if (n_axes >= 1) {
      const AxisGroups& g = groups[line_axis];
      svg::Chart chart{.id = std::string("lines-") + metric->name,
                       .title = std::string(metric->name) + " over " + sweep.axis_keys[line_axis],
                       .x = {.label = sweep.axis_keys[line_axis]},
                       .y = {.label = label}};
      chart.x.log =
          !g.centres.empty() && g.centres.front() > 0 && g.centres.back() / g.centres.front() >= 100;
      for (uint32_t v = 0; v < n_variants; ++v) {
        // Per group and seed index: the mean over the other axes' points; then the line is the mean over
        // the seeds and the band their minimum to maximum.
        std::vector<std::map<uint32_t, Stats>> per_seed(g.centres.size());
        for (size_t r = 0; r < sweep.rows.size(); ++r) {
          const SweepMetricsRow& row = sweep.rows[r];
          if (row.run.variant == v && row.status == SweepRunStatus::Ok)
            per_seed[g.of_row[r]][row.run.seed_index].add(value_of(row, *metric));
        }
        svg::Series s{.name = variant_name(v), .mark = svg::Mark::Line};
        for (size_t k = 0; k < g.centres.size(); ++k) {
          Stats seeds;
          for (const auto& [seed, stats] : per_seed[k]) seeds.add(stats.mean());
          s.x.push_back(g.centres[k]);
          s.y.push_back(seeds.mean());
          s.low.push_back(seeds.count ? seeds.min : kNan);
          s.high.push_back(seeds.count ? seeds.max : kNan);
        }
        chart.series.push_back(std::move(s));
      }
      page.figure(svg::render(chart),
                  "One line per variant: the mean over seeds of " + std::string(metric->name) +
                      (n_axes > 1 ? " (each seed first averaged over the other axes)" : "") +
                      "; the band spans the lowest to the highest seed." +
                      (g.binned ? " A random design's values are cut into equal bins (centres shown)." : ""));
    } else {
      page.paragraph("The sweep has no axes: only the statistics per variant above.", "note");
    }
    page.raw("</div>\n");
  }

  // The metrics table.
  page.heading("Runs", "runs");
  if (sweep.rows.size() <= options.table_rows) {
    std::vector<const FieldSpec*> shown = metrics;
    for (const char* name : {"liquidation_count", "liquidated_notional", "bad_debt"})
      if (std::find(shown.begin(), shown.end(), summary_field(name)) == shown.end())
        shown.push_back(summary_field(name));
    std::vector<std::string> header = {"run", "point", "seed index", "variant"};
    for (const std::string& key : sweep.axis_keys) header.push_back(key);
    header.push_back("status");
    for (const FieldSpec* f : shown) header.push_back(std::string(f->name) + " (" + units.of(*f).units + ")");
    std::set<size_t> numeric;
    for (size_t c = 0; c < header.size(); ++c)
      if (c != 3 && c != 4 + n_axes) numeric.insert(c);
    std::vector<std::vector<std::string>> table;
    for (const SweepMetricsRow& row : sweep.rows) {
      std::vector<std::string> cells = {std::to_string(row.run.run), std::to_string(row.run.point),
                                        std::to_string(row.run.seed_index), variant_name(row.run.variant)};
      for (double v : row.axis_values) cells.push_back(format_number(v));
      cells.push_back(status_name(row.status));
      for (const FieldSpec* f : shown)
        cells.push_back(row.status == SweepRunStatus::Ok ? field_text(&row.summary, *f, units.of(*f).exponent)
                                                         : "");
      table.push_back(std::move(cells));
    }
    page.table("metrics", header, table, numeric);
  } else {
    page.paragraph(std::to_string(sweep.rows.size()) + " runs: more than " +
                       std::to_string(options.table_rows) +
                       " (--table-rows), so the table of every run is left out; the statistics per variant "
                       "above summarise it and /metrics in the file holds it.",
                   "note");
  }

  // Failed runs, each with its message.
  std::vector<std::vector<std::string>> failures;
  for (const SweepMetricsRow& row : sweep.rows)
    if (row.status == SweepRunStatus::Failed)
      failures.push_back({std::to_string(row.run.run), std::to_string(row.run.point),
                          std::to_string(row.run.seed_index), variant_name(row.run.variant),
                          std::to_string(row.run.run_seed), row.error});
  page.heading("Failed runs (" + std::to_string(failures.size()) + ")", "failed");
  if (failures.empty())
    page.paragraph("None.", "note");
  else
    page.table("failed-runs", {"run", "point", "seed index", "variant", "run seed", "error"}, failures,
               {0, 1, 2, 4});
  return page.finish();
}

// ------------------------------------------------------------------------------------------------
// The command

int report_command(const ReportOptions& options) {
  const auto fail = [](const std::string& message, int code) {
    std::cerr << "liqsim report: " << message << "\n";
    return code;
  };
  auto info_or = read_file_info(options.input);
  if (const auto* error = std::get_if<std::string>(&info_or)) return fail(*error, kExitBadInput);
  const LiqsimFileInfo& info = std::get<LiqsimFileInfo>(info_or);
  const std::string output = options.output.empty()
                                 ? std::filesystem::path(options.input).replace_extension(".html").string()
                                 : options.output;
  std::error_code ec;
  if (std::filesystem::equivalent(options.input, output, ec))
    return fail("-o '" + output + "' is the input file; allowed: another path", kExitBadInput);
  if (const std::optional<std::string> problem = check_output_path(output, options.force))
    return fail("-o '" + output + "': " + *problem, kExitBadInput);
  if (info.kind == LiqsimFileKind::Run && (!options.metrics.empty() || !options.axis.empty()))
    return fail("--metric and --axis apply to sweep files; '" + options.input + "' is a run file",
                kExitBadInput);

  std::variant<std::string, ReportError> page;
  if (info.kind == LiqsimFileKind::Run) {
    auto run = read_run_file(options.input);
    if (const auto* error = std::get_if<std::string>(&run)) return fail(*error, kExitBadInput);
    page = run_report_html(std::get<RunFile>(run), info, options.input);
  } else {
    auto sweep = read_sweep_file(options.input);
    if (const auto* error = std::get_if<std::string>(&sweep)) return fail(*error, kExitBadInput);
    page = sweep_report_html(std::get<SweepFileContents>(sweep), info, options.input, options);
  }
  if (const auto* error = std::get_if<ReportError>(&page)) return fail(error->message, kExitBadInput);
  const std::string& html = std::get<0>(page);

  // Written whole to a temporary file, then moved into place (experiments/output_file.h).
  install_temporary_file_cleanup();
  TemporaryFile temporary(temporary_path_for(output));
  const int fd = temporary.create();
  if (fd < 0) return fail("could not write '" + output + "': " + std::strerror(-fd), kExitFailure);
  size_t written = 0;
  while (written < html.size()) {
    const ssize_t n = ::write(fd, html.data() + written, html.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(n < 0 ? errno : EIO);
      ::close(fd);
      return fail("could not write '" + output + "': " + reason, kExitFailure);
    }
    written += size_t(n);
  }
  if (::close(fd) != 0)
    return fail("could not write '" + output + "': " + std::strerror(errno), kExitFailure);
  if (const std::optional<std::string> problem = temporary.commit(output, options.force))
    return fail("could not write '" + output + "': " + *problem, kExitFailure);
  std::cout << output << "\n";
  return 0;
}

}  // namespace liqsim
