#include "analysis/svg_plot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <string>
#include <vector>

namespace liqsim::svg {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The data-points attribute of the series named `name`.
int points_of(const std::string& svg, const std::string& name) {
  const std::regex pattern("data-series=\"" + name + "\" data-points=\"([0-9]+)\"");
  std::smatch match;
  if (!std::regex_search(svg, match, pattern)) return -1;
  return std::stoi(match[1]);
}

TEST(SvgPlot, EscapesMarkupInTextAndAttributes) {
  EXPECT_EQ(escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  Chart chart{.id = "x\"y", .title = "<script>alert(1)</script>"};
  chart.series.push_back({.name = "s&p", .x = {1}, .y = {2}});
  const std::string svg = render(chart);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("data-plot=\"x&quot;y\""), std::string::npos);
  EXPECT_NE(svg.find("data-series=\"s&amp;p\""), std::string::npos);
}

TEST(SvgPlot, FormatsNumbersShortWithThousandsSeparators) {
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(12500), "12,500");
  EXPECT_EQ(format_number(-1234567.8), "-1,234,568");
  EXPECT_EQ(format_number(0.0025), "0.0025");
  EXPECT_EQ(format_number(2.5), "2.5");
  EXPECT_EQ(format_number(1.5e9), "1.5e+09");
  EXPECT_EQ(format_number(std::nan("")), "n/a");
}

TEST(SvgPlot, NiceTicksAreRoundAndInsideTheRange) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(3, 97, 4), (std::vector<double>{20, 40, 60, 80}));
  EXPECT_EQ(nice_ticks(-0.3, 0.3, 3), (std::vector<double>{-0.2, 0, 0.2}));
  EXPECT_EQ(nice_ticks(5, 5, 4), (std::vector<double>{5}));
  EXPECT_EQ(log_ticks(1, 1000), (std::vector<double>{1, 10, 100, 1000}));
  EXPECT_EQ(log_ticks(2, 3), (std::vector<double>{1, 10}));
}

TEST(SvgPlot, DecimationKeepsEachSlicesExtremes) {
  std::vector<double> y(10000, 100.0);
  y[4321] = 1.0;    // a one-sample crash
  y[7000] = 500.0;  // a one-sample spike
  const std::vector<size_t> kept = decimate(y, 200);
  EXPECT_LE(kept.size(), 200u);
  EXPECT_EQ(kept.front(), 0u);
  EXPECT_EQ(kept.back(), 9999u);
  EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  EXPECT_NE(std::find(kept.begin(), kept.end(), 4321u), kept.end());
  EXPECT_NE(std::find(kept.begin(), kept.end(), 7000u), kept.end());
  EXPECT_EQ(decimate(std::vector<double>(50, 1.0), 200).size(), 50u);  // fits: untouched
}

TEST(SvgPlot, LineSeriesCountsDrawnPointsAndBreaksAtGaps) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Chart chart{.id = "prices", .title = "prices"};
  chart.series.push_back({.name = "mid", .x = {0, 1, 2, 3, 4}, .y = {1, 2, nan, 4, 5}});
  chart.series.push_back({.name = "mark", .x = {0, 1, 2, 3, 4}, .y = {1, 1, 1, 1, 1}});
  const std::string svg = render(chart);
  EXPECT_EQ(points_of(svg, "mid"), 4);
  EXPECT_EQ(points_of(svg, "mark"), 5);
  EXPECT_EQ(count(svg, "class=\"series\""), 2u);
  // The gap starts a new subpath: two moves for "mid", one for "mark".
  EXPECT_EQ(count(svg, "d=\"M"), 2u);
  EXPECT_EQ(count(svg, "M"), count(svg, "d=\"M") + 1) << svg;
  EXPECT_NE(svg.find("viewBox=\"0 0 760 300\""), std::string::npos);
  EXPECT_EQ(svg.find("no data"), std::string::npos);
}

TEST(SvgPlot, LogAxesDropNonPositiveValuesAndUsePowersOfTen) {
  Chart chart{
      .id = "ccdf", .title = "ccdf", .x = {.label = "s", .log = true}, .y = {.label = "P", .log = true}};
  chart.series.push_back({.name = "c", .x = {0, 1, 2, 50}, .y = {1, 0.5, 0.25, 0.01}, .mark = Mark::Points});
  const std::string svg = render(chart);
  EXPECT_EQ(points_of(svg, "c"), 3);  // size 0 cannot be drawn on a log axis
  EXPECT_EQ(count(svg, "<circle"), 3u);
  EXPECT_NE(svg.find(">100</tspan>"), std::string::npos);  // x ticks 1, 10, 100
  EXPECT_NE(svg.find(">0.01</text>"), std::string::npos);  // y ticks down to 0.01
}

TEST(SvgPlot, BandsAndBarsAreDrawn) {
  Chart chart{.id = "lines", .title = "t"};
  chart.series.push_back(
      {.name = "base", .x = {1, 2, 3}, .y = {2, 3, 4}, .low = {1, 2, 3}, .high = {3, 4, 5}});
  chart.series.push_back({.name = "bins", .x = {1, 2, 3}, .y = {5, 0, 7}, .mark = Mark::Bars});
  const std::string svg = render(chart);
  EXPECT_EQ(count(svg, "class=\"band\""), 1u);
  EXPECT_EQ(points_of(svg, "bins"), 3);
  EXPECT_EQ(count(svg, "<rect"), 1u /*frame*/ + 1u /*clip*/ + 2u /*legend*/ + 3u /*bars*/);
}

TEST(SvgPlot, AnEmptyChartSaysSo) {
  Chart chart{.id = "empty", .title = "nothing"};
  chart.series.push_back({.name = "s"});
  const std::string svg = render(chart);
  EXPECT_EQ(points_of(svg, "s"), 0);
  EXPECT_NE(svg.find("no data"), std::string::npos);
}

TEST(SvgPlot, HeatmapHasOneCellPerValueAndGreyForMissing) {
  Heatmap heatmap{.id = "h", .title = "h", .columns = {"1", "2", "3"}, .rows = {"a", "b"}};
  heatmap.values = {1, 2, 3, 4, std::numeric_limits<double>::quiet_NaN(), 6};
  const std::string svg = render(heatmap);
  EXPECT_EQ(points_of(svg, "cells"), 5);
  EXPECT_EQ(count(svg, "fill=\"#eee\""), 1u);
  EXPECT_NE(svg.find("fill=\"#440154\""), std::string::npos);  // the lowest value: viridis' first colour
  EXPECT_NE(svg.find("fill=\"#fde725\""), std::string::npos);  // the highest: its last
  EXPECT_NE(svg.find("<title>3, b: 6</title>"), std::string::npos);
}

}  // namespace
}  // namespace liqsim::svg
