#include "analysis/svg_plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace liqsim::svg {
namespace {

constexpr std::array<const char*, 8> kPalette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                 "#E69F00", "#56B4E9", "#000000", "#F0E442"};

// A pixel coordinate, one decimal: enough for a screen, and keeps large series small.
std::string px(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// The data range of one axis and its map to pixels.
struct Scale {
  double lo = 0, hi = 1;
  double from = 0, to = 1;  // pixels for lo and hi
  bool log = false;
  bool usable(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double operator()(double v) const {
    const double a = log ? std::log10(v) : v, l = log ? std::log10(lo) : lo, h = log ? std::log10(hi) : hi;
    return from + (a - l) / (h - l) * (to - from);
  }
};

// [lo, hi] of the usable values, or nothing.
bool data_range(const std::vector<const std::vector<double>*>& columns, bool log, double& lo, double& hi) {
  lo = std::numeric_limits<double>::infinity();
  hi = -lo;
  for (const std::vector<double>* column : columns)
    for (double v : *column)
      if (std::isfinite(v) && (!log || v > 0)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  return lo <= hi;
}

// Widens a data range into the axis range: powers of ten on a log axis; a small margin on a linear one
// (none at the ends of x for lines, which span the run), and something around a single value.
void widen(double& lo, double& hi, bool log, double margin) {
  if (log) {
    lo = std::pow(10.0, std::floor(std::log10(lo)));
    hi = std::pow(10.0, std::ceil(std::log10(hi)));
    if (hi <= lo) hi = lo * 10;
    // A tenth of a decade beyond, so that a point on a power of ten is not drawn on the frame.
    lo /= std::pow(10.0, 0.1);
    hi *= std::pow(10.0, 0.1);
    return;
  }
  if (hi == lo) {
    const double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.05;
    lo -= pad;
    hi += pad;
    return;
  }
  const double pad = (hi - lo) * margin;
  lo -= pad;
  hi += pad;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  if (out.empty()) out.emplace_back();
  return out;
}

std::string tick_label(const Axis& axis, double value) {
  return axis.format ? axis.format(value) : format_number(value);
}

// A colour of the viridis map (matplotlib's default, van der Walt and Smith 2015) at t in [0, 1],
// interpolated between nine of its samples.
std::string viridis(double t) {
  static constexpr std::array<std::array<int, 3>, 9> kStops = {{{68, 1, 84},
                                                                {71, 44, 122},
                                                                {59, 81, 139},
                                                                {44, 113, 142},
                                                                {33, 144, 141},
                                                                {39, 173, 129},
                                                                {92, 200, 99},
                                                                {170, 220, 50},
                                                                {253, 231, 37}}};
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * double(kStops.size() - 1);
  const size_t i = std::min(size_t(t), kStops.size() - 2);
  const double f = t - double(i);
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x",
                int(std::lround(kStops[i][0] + f * (kStops[i + 1][0] - kStops[i][0]))),
                int(std::lround(kStops[i][1] + f * (kStops[i + 1][1] - kStops[i][1]))),
                int(std::lround(kStops[i][2] + f * (kStops[i + 1][2] - kStops[i][2]))));
  return text;
}

void open_svg(std::ostringstream& out, const std::string& id, int width, int height,
              const std::string& title) {
  out << "<svg class=\"plot\" data-plot=\"" << escape(id)
      << "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height
      << "\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n<title>" << escape(title)
      << "</title>\n<text x=\"" << width / 2 << "\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" "
      << "font-weight=\"bold\">" << escape(title) << "</text>\n";
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string group_thousands(std::string_view number) {
  // Built forwards rather than with insert(), on which GCC 12 reports a false -Wrestrict.
  const size_t sign = !number.empty() && number[0] == '-' ? 1 : 0;
  const size_t integer_end = std::min(number.find('.'), number.size());
  std::string out(number.substr(0, sign));
  for (size_t i = sign; i < integer_end; ++i) {
    if (i > sign && (integer_end - i) % 3 == 0) out += ',';
    out += number[i];
  }
  out += number.substr(integer_end);
  return out;
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "inf" : "-inf");
  if (value == 0) return "0";
  const double magnitude = std::fabs(value);
  char text[48];
  if (magnitude >= 1e9 || magnitude < 1e-4) {
    std::snprintf(text, sizeof text, "%.3g", value);
    return text;
  }
  // Four significant digits, no trailing zeros, thousands separated in the integer part.
  const int decimals = std::max(0, 3 - int(std::floor(std::log10(magnitude))));
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  std::string s = text;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return group_thousands(s);
}

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo) || count < 1) return {lo};
  const double raw = (hi - lo) / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  // The round step nearest to the raw one (by ratio).
  double step = power;
  for (double m : {2.0, 5.0, 10.0})
    if (std::fabs(std::log(m * power / raw)) < std::fabs(std::log(step / raw))) step = m * power;
  std::vector<double> ticks;
  for (double k = std::ceil(lo / step); k * step <= hi + step * 1e-9; ++k)
    ticks.push_back(std::fabs(k * step) < step * 1e-9 ? 0.0 : k * step);
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  for (int e = int(std::floor(std::log10(lo) + 1e-9)); e <= int(std::ceil(std::log10(hi) - 1e-9)); ++e)
    ticks.push_back(std::pow(10.0, e));
  if (ticks.size() == 1) ticks.push_back(ticks[0] * 10);
  return ticks;
}

std::vector<size_t> decimate(std::span<const double> y, size_t max_points) {
  std::vector<size_t> kept;
  const size_t n = y.size();
  if (n <= max_points || max_points < 2) {
    for (size_t i = 0; i < n; ++i) kept.push_back(i);
    return kept;
  }
  const size_t slices = (max_points - 2) / 2;
  kept.push_back(0);
  for (size_t s = 0; s < slices; ++s) {
    const size_t begin = 1 + (n - 2) * s / slices, end = 1 + (n - 2) * (s + 1) / slices;
    size_t low = begin, high = begin;
    for (size_t i = begin; i < end; ++i) {
      // NaN compares false: a slice of NaNs keeps its first index.
      if (y[i] < y[low]) low = i;
      if (y[i] > y[high]) high = i;
    }
    kept.push_back(std::min(low, high));
    if (high != low) kept.push_back(std::max(low, high));
  }
  kept.push_back(n - 1);
  return kept;
}

std::span<const char* const> palette() { return kPalette; }

std::string render(const Chart& chart) {
  std::vector<const std::vector<double>*> xs, ys;
  bool bars = false, lines_only = true;
  for (const Series& s : chart.series) {
    xs.push_back(&s.x);
    ys.push_back(&s.y);
    if (!s.low.empty()) ys.push_back(&s.low);
    if (!s.high.empty()) ys.push_back(&s.high);
    bars = bars || s.mark == Mark::Bars;
    lines_only = lines_only && s.mark == Mark::Line;
  }
  Scale x{.log = chart.x.log}, y{.log = chart.y.log};
  const bool has_data = data_range(xs, x.log, x.lo, x.hi) && data_range(ys, y.log, y.lo, y.hi);
  if (!has_data) {
    x.lo = y.lo = x.log ? 1 : 0;
    x.hi = y.hi = x.log ? 10 : 1;
  }
  if (bars && !y.log) {
    y.lo = std::min(y.lo, 0.0);
    y.hi = std::max(y.hi, 0.0);
  }
  widen(x.lo, x.hi, x.log, lines_only && !bars ? 0.0 : 0.03);
  widen(y.lo, y.hi, y.log, 0.05);
  const std::vector<double> x_ticks = x.log ? log_ticks(x.lo, x.hi) : nice_ticks(x.lo, x.hi, 6);
  const std::vector<double> y_ticks = y.log ? log_ticks(y.lo, y.hi) : nice_ticks(y.lo, y.hi, 5);
  size_t x_label_lines = 1;
  for (double t : x_ticks) x_label_lines = std::max(x_label_lines, lines_of(tick_label(chart.x, t)).size());

  const int legend = chart.series.size() > 1 ? 18 : 0;
  const double left = 78, right = chart.width - 16.0, top = 28.0 + legend;
  const double bottom = chart.height - (20.0 + 13.0 * double(x_label_lines) + 8.0);
  x.from = left;
  x.to = right;
  y.from = bottom;
  y.to = top;

  std::ostringstream out;
  open_svg(out, chart.id, chart.width, chart.height, chart.title);
  // Legend: one swatch and name per series, in a row under the title.
  double legend_x = left;
  for (size_t i = 0; i < chart.series.size() && legend > 0; ++i) {
    const Series& s = chart.series[i];
    const std::string color = s.color.empty() ? kPalette[i % kPalette.size()] : s.color;
    out << "<rect x=\"" << px(legend_x) << "\" y=\"28\" width=\"10\" height=\"10\" fill=\"" << color
        << "\"/><text x=\"" << px(legend_x + 14) << "\" y=\"37\">" << escape(s.name) << "</text>\n";
    legend_x += 30 + 6.5 * double(s.name.size());
  }
  // Frame, grid and ticks.
  out << "<g class=\"axes\" stroke=\"#ccc\" stroke-width=\"0.5\">\n";
  for (double t : x_ticks)
    if (t >= x.lo && t <= x.hi)
      out << "<line x1=\"" << px(x(t)) << "\" x2=\"" << px(x(t)) << "\" y1=\"" << px(top) << "\" y2=\""
          << px(bottom) << "\"/>\n";
  for (double t : y_ticks)
    if (t >= y.lo && t <= y.hi)
      out << "<line x1=\"" << px(left) << "\" x2=\"" << px(right) << "\" y1=\"" << px(y(t)) << "\" y2=\""
          << px(y(t)) << "\"/>\n";
  out << "<rect x=\"" << px(left) << "\" y=\"" << px(top) << "\" width=\"" << px(right - left)
      << "\" height=\"" << px(bottom - top) << "\" fill=\"none\" stroke=\"#888\"/>\n</g>\n";
  for (double t : x_ticks) {
    if (t < x.lo || t > x.hi) continue;
    out << "<text x=\"" << px(x(t)) << "\" y=\"" << px(bottom + 14) << "\" text-anchor=\"middle\">";
    const std::vector<std::string> lines = lines_of(tick_label(chart.x, t));
    for (size_t k = 0; k < lines.size(); ++k)
      out << "<tspan x=\"" << px(x(t)) << "\" dy=\"" << (k == 0 ? 0 : 13) << "\">" << escape(lines[k])
          << "</tspan>";
    out << "</text>\n";
  }
  for (double t : y_ticks)
    if (t >= y.lo && t <= y.hi)
      out << "<text x=\"" << px(left - 5) << "\" y=\"" << px(y(t) + 4) << "\" text-anchor=\"end\">"
          << escape(tick_label(chart.y, t)) << "</text>\n";
  out << "<text x=\"" << px((left + right) / 2) << "\" y=\"" << chart.height - 6
      << "\" text-anchor=\"middle\">" << escape(chart.x.label) << "</text>\n";
  out << "<text transform=\"translate(14," << px((top + bottom) / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">" << escape(chart.y.label) << "</text>\n";
  if (!has_data)
    out << "<text x=\"" << px((left + right) / 2) << "\" y=\"" << px((top + bottom) / 2)
        << "\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n";

  // Series, clipped to the plot area.
  const std::string clip = "clip-" + escape(chart.id);
  out << "<clipPath id=\"" << clip << "\"><rect x=\"" << px(left) << "\" y=\"" << px(top) << "\" width=\""
      << px(right - left) << "\" height=\"" << px(bottom - top) << "\"/></clipPath>\n";
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    const std::string color = s.color.empty() ? kPalette[i % kPalette.size()] : s.color;
    const size_t n = std::min(s.x.size(), s.y.size());
    const auto usable = [&](size_t k) { return x.usable(s.x[k]) && y.usable(s.y[k]); };
    size_t drawn = 0;
    for (size_t k = 0; k < n; ++k) drawn += usable(k) ? 1 : 0;
    out << "<g class=\"series\" data-series=\"" << escape(s.name) << "\" data-points=\"" << drawn
        << "\" clip-path=\"url(#" << clip << ")\">\n";
    if (!s.low.empty() && s.low.size() == n && s.high.size() == n) {
      std::string forward, backward;
      for (size_t k = 0; k < n; ++k) {
        if (!x.usable(s.x[k]) || !y.usable(s.low[k]) || !y.usable(s.high[k])) continue;
        forward += px(x(s.x[k])) + "," + px(y(s.high[k])) + " ";
        backward = px(x(s.x[k])) + "," + px(y(s.low[k])) + " " + backward;
      }
      out << "<polygon class=\"band\" points=\"" << forward << backward << "\" fill=\"" << color
          << "\" fill-opacity=\"0.2\" stroke=\"none\"/>\n";
    }
    if (s.mark == Mark::Line) {
      std::string path;
      bool pen_down = false;
      for (size_t k = 0; k < n; ++k) {
        if (!usable(k)) {
          pen_down = false;  // a gap (no value) breaks the line
          continue;
        }
        path += pen_down ? 'L' : 'M';
        path += px(x(s.x[k]));
        path += ' ';
        path += px(y(s.y[k]));
        pen_down = true;
      }
      out << "<path d=\"" << path << "\" fill=\"none\" stroke=\"" << color << "\" stroke-width=\"1.3\"/>\n";
    } else if (s.mark == Mark::Points) {
      for (size_t k = 0; k < n; ++k)
        if (usable(k))
          out << "<circle cx=\"" << px(x(s.x[k])) << "\" cy=\"" << px(y(s.y[k])) << "\" r=\"2.5\" fill=\""
              << color << "\" fill-opacity=\"0.8\"/>\n";
    } else {
      // Bars centred on x, as wide as the closest spacing between centres allows.
      double spacing = right - left;
      for (size_t k = 1; k < n; ++k)
        if (usable(k) && usable(k - 1)) spacing = std::min(spacing, std::fabs(x(s.x[k]) - x(s.x[k - 1])));
      const double width = std::max(1.0, spacing * 0.9);
      const double base = y(y.log ? y.lo : std::clamp(0.0, y.lo, y.hi));
      for (size_t k = 0; k < n; ++k) {
        if (!usable(k)) continue;
        const double top_px = std::min(base, y(s.y[k])), height = std::fabs(base - y(s.y[k]));
        out << "<rect x=\"" << px(x(s.x[k]) - width / 2) << "\" y=\"" << px(top_px) << "\" width=\""
            << px(width) << "\" height=\"" << px(std::max(height, 0.5)) << "\" fill=\"" << color << "\"/>\n";
      }
    }
    out << "</g>\n";
  }
  out << "</svg>\n";
  return out.str();
}

std::string render(const Heatmap& heatmap) {
  const size_t columns = heatmap.columns.size(), rows = heatmap.rows.size();
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t k = 0; k < std::min(heatmap.values.size(), rows * columns); ++k)
    if (std::isfinite(heatmap.values[k])) {
      lo = std::min(lo, heatmap.values[k]);
      hi = std::max(hi, heatmap.values[k]);
    }
  const bool has_data = lo <= hi;
  if (has_data && std::isfinite(heatmap.scale_min) && std::isfinite(heatmap.scale_max) &&
      heatmap.scale_min <= heatmap.scale_max) {
    lo = heatmap.scale_min;
    hi = heatmap.scale_max;
  }
  const double left = 96, right = heatmap.width - 96.0, top = 30, bottom = heatmap.height - 52.0;
  const double cell_w = columns > 0 ? (right - left) / double(columns) : 0;
  const double cell_h = rows > 0 ? (bottom - top) / double(rows) : 0;
  const auto t_of = [&](double v) { return hi > lo ? (v - lo) / (hi - lo) : 0.5; };

  std::ostringstream out;
  open_svg(out, heatmap.id, heatmap.width, heatmap.height, heatmap.title);
  size_t drawn = 0;
  for (size_t k = 0; k < std::min(heatmap.values.size(), rows * columns); ++k)
    drawn += std::isfinite(heatmap.values[k]) ? 1 : 0;
  out << "<g class=\"series\" data-series=\"cells\" data-points=\"" << drawn << "\">\n";
  const bool labels = cell_w >= 44 && cell_h >= 16;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < columns; ++c) {
      const double v = r * columns + c < heatmap.values.size() ? heatmap.values[r * columns + c]
                                                               : std::numeric_limits<double>::quiet_NaN();
      const double cx = left + double(c) * cell_w, cy = bottom - double(r + 1) * cell_h;
      out << "<rect x=\"" << px(cx) << "\" y=\"" << px(cy) << "\" width=\"" << px(cell_w) << "\" height=\""
          << px(cell_h) << "\" fill=\"" << (std::isfinite(v) ? viridis(t_of(v)) : "#eee")
          << "\" stroke=\"#fff\" stroke-width=\"0.5\"><title>" << escape(heatmap.columns[c]) << ", "
          << escape(heatmap.rows[r]) << ": " << format_number(v) << "</title></rect>\n";
      if (labels && std::isfinite(v))
        out << "<text x=\"" << px(cx + cell_w / 2) << "\" y=\"" << px(cy + cell_h / 2 + 4)
            << "\" text-anchor=\"middle\" font-size=\"10\" fill=\"" << (t_of(v) > 0.6 ? "#000" : "#fff")
            << "\">" << format_number(v) << "</text>\n";
    }
  }
  out << "</g>\n";
  // Category labels: every one when they fit, else every k-th.
  const size_t column_step = std::max<size_t>(1, size_t(std::ceil(70.0 / std::max(cell_w, 1.0))));
  for (size_t c = 0; c < columns; c += column_step)
    out << "<text x=\"" << px(left + (double(c) + 0.5) * cell_w) << "\" y=\"" << px(bottom + 14)
        << "\" text-anchor=\"middle\">" << escape(heatmap.columns[c]) << "</text>\n";
  const size_t row_step = std::max<size_t>(1, size_t(std::ceil(14.0 / std::max(cell_h, 1.0))));
  for (size_t r = 0; r < rows; r += row_step)
    out << "<text x=\"" << px(left - 5) << "\" y=\"" << px(bottom - (double(r) + 0.5) * cell_h + 4)
        << "\" text-anchor=\"end\">" << escape(heatmap.rows[r]) << "</text>\n";
  out << "<text x=\"" << px((left + right) / 2) << "\" y=\"" << heatmap.height - 16
      << "\" text-anchor=\"middle\">" << escape(heatmap.x_label) << "</text>\n";
  out << "<text transform=\"translate(14," << px((top + bottom) / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">" << escape(heatmap.y_label) << "</text>\n";
  // Colour bar: the scale from the lowest to the highest value, in ten steps.
  if (has_data) {
    const double bar_x = right + 16, step_h = (bottom - top) / 10;
    for (int k = 0; k < 10; ++k)
      out << "<rect x=\"" << px(bar_x) << "\" y=\"" << px(bottom - double(k + 1) * step_h)
          << "\" width=\"14\" height=\"" << px(step_h + 0.5) << "\" fill=\"" << viridis((k + 0.5) / 10)
          << "\"/>\n";
    out << "<text x=\"" << px(bar_x + 18) << "\" y=\"" << px(bottom) << "\">" << format_number(lo)
        << "</text>\n";
    out << "<text x=\"" << px(bar_x + 18) << "\" y=\"" << px(top + 8) << "\">" << format_number(hi)
        << "</text>\n";
    out << "<text transform=\"translate(" << px(heatmap.width - 6.0) << "," << px((top + bottom) / 2)
        << ") rotate(-90)\" text-anchor=\"middle\">" << escape(heatmap.value_label) << "</text>\n";
  } else {
    out << "<text x=\"" << px((left + right) / 2) << "\" y=\"" << px((top + bottom) / 2)
        << "\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n";
  }
  out << "</svg>\n";
  return out.str();
}

}  // namespace liqsim::svg
