// Small SVG charts for the HTML report (experiments/report_html): line, point and bar series on linear
// or log axes, with optional bands, and heatmaps. Pure functions of their input, no I/O; the output is
// an inline <svg> element with no external references.
//
// Every chart is `<svg class="plot" data-plot="ID">`; each series is `<g class="series"
// data-series="NAME" data-points="N">` where N counts the points actually drawn (finite, and positive
// on a log axis), so a page can be checked for its plots and their sizes without parsing paths.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace liqsim::svg {

// `text` with &, <, >, " and ' escaped: safe inside HTML/SVG text and attribute values.
std::string escape(std::string_view text);

// A decimal number ("-1234567.25") with its integer digits in groups of three ("-1,234,567.25").
std::string group_thousands(std::string_view number);

// A number as a short label: up to 4 significant digits, thousands separated ("12,500", "0.0025",
// "1.5e+09").
std::string format_number(double value);

// About `count` round tick values (1, 2 or 5 times a power of ten) inside [lo, hi]; {lo} when lo == hi.
std::vector<double> nice_ticks(double lo, double hi, int count);
// The powers of ten inside [lo, hi] (0 < lo <= hi), at least the two around the range.
std::vector<double> log_ticks(double lo, double hi);

// Indices of at most `max_points` samples of `y` (max_points >= 2) that keep its shape: the whole
// series if it fits, else the first and last index and, for each of (max_points - 2) / 2 equal slices,
// the indices of its minimum and maximum, in index order. A crash lasting one sample stays visible.
std::vector<size_t> decimate(std::span<const double> y, size_t max_points);

enum class Mark { Line, Points, Bars };

struct Series {
  std::string name{};
  std::vector<double> x{}, y{};
  Mark mark = Mark::Line;
  // A band drawn behind the series (min-max, +-1 sd, ...): both empty, or both as long as x.
  std::vector<double> low{}, high{};
  std::string color{};  // empty: the chart's palette, in series order
};

struct Axis {
  std::string label{};
  bool log = false;
  // Tick label; lines separated by '\n' are stacked (a second line for wall-clock time, say).
  std::function<std::string(double)> format{};
};

struct Chart {
  std::string id{};  // data-plot attribute
  std::string title{};
  Axis x{}, y{};
  std::vector<Series> series{};
  int width = 760;
  int height = 300;
};

std::string render(const Chart& chart);

struct Heatmap {
  std::string id{};
  std::string title{};
  std::string x_label{}, y_label{}, value_label{};
  std::vector<std::string> columns{};  // x categories, left to right
  std::vector<std::string> rows{};     // y categories, bottom to top
  std::vector<double> values{};        // rows.size() x columns.size(), row-major; NaN: no data
  // The values the colour scale spans (to share one scale between heatmaps); NaN: the values' own range.
  double scale_min = std::numeric_limits<double>::quiet_NaN();
  double scale_max = std::numeric_limits<double>::quiet_NaN();
  int width = 560;
  int height = 340;
};

std::string render(const Heatmap& heatmap);

// The default series colours, in order (colour-blind safe: Okabe and Ito 2008).
std::span<const char* const> palette();

}  // namespace liqsim::svg
