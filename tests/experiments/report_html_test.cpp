// The report pages built from in-memory runs and sweep contents (the command and the browser check are
// tests/report_render.sh).
#include "experiments/report_html.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "analysis/cascade.h"
#include "analysis/svg_plot.h"
#include "experiments/replay_start.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"

namespace liqsim {
namespace {

int points_of(const std::string& html, const std::string& plot, const std::string& series) {
  const size_t start = html.find("data-plot=\"" + plot + "\"");
  if (start == std::string::npos) return -1;
  const size_t end = html.find("</svg>", start);
  const std::regex pattern("data-series=\"" + series + "\" data-points=\"([0-9]+)\"");
  std::smatch match;
  const std::string svg = html.substr(start, end - start);
  if (!std::regex_search(svg, match, pattern)) return -1;
  return std::stoi(match[1]);
}

RunFile small_run(const std::vector<ScenarioOverride>& overrides = {}) {
  ScenarioResult loaded = load_preset("small", overrides);
  const Scenario scenario = std::get<Scenario>(loaded);
  RunResult result = run_simulation(scenario, to_toml(scenario), RunOptions{});
  RunFile run;
  run.metadata = result.metadata;
  run.log = std::move(result.log);
  run.summary = result.summary;
  run.liqsim_commit = "abc1234";
  CascadeCounter counter;
  for (const LiquidationRecord& r : run.log.liquidations) run.generation.push_back(counter.add(r));
  return run;
}

LiqsimFileInfo run_info() {
  LiqsimFileInfo info;
  info.field_units = run_file_schema::field_units(run_file_schema::summary());
  return info;
}

TEST(ReportHtml, FieldUnitsParseAndFixedPointIsExact) {
  const auto units = parse_field_units("time_ns: ns; price: USD/coin*1e-6; quantity: coin*1e-8; bad: x*1eZ");
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[1].first, "price");
  EXPECT_EQ(units[1].second.units, "USD/coin");
  EXPECT_EQ(units[1].second.exponent, -6);
  EXPECT_EQ(units[0].second.exponent, 0);
  EXPECT_EQ(format_fixed(2500000, -6), "2.500000");
  EXPECT_EQ(format_fixed(-150000000, -8), "-1.50000000");
  EXPECT_EQ(format_fixed(30000000000, -6), "30,000.000000");
  EXPECT_EQ(format_fixed(5, -6), "0.000005");
  EXPECT_EQ(format_fixed(1234567, 0), "1,234,567");
  EXPECT_EQ(format_fixed(std::numeric_limits<int64_t>::min(), -6), "-9,223,372,036,854.775808");
}

TEST(ReportHtml, CascadeSizesComeFromCauseLinksOrTheFilesTable) {
  RunFile run;
  const auto liquidation = [](int64_t id, int64_t cause) {
    LiquidationRecord r;
    r.id = id;
    r.cause = cause;
    return r;
  };
  // Trees {0, 1, 3, 4} and {2}.
  run.log.liquidations = {liquidation(0, kNoId), liquidation(1, 0), liquidation(2, kNoId), liquidation(3, 1),
                          liquidation(4, 0)};
  LiqsimFileInfo info;
  EXPECT_EQ(std::get<std::vector<uint64_t>>(report_cascade_sizes(run, info)), (std::vector<uint64_t>{4, 1}));
  info.cascade_sizes = std::vector<uint64_t>{7, 7, 2};
  EXPECT_EQ(std::get<std::vector<uint64_t>>(report_cascade_sizes(run, info)),
            (std::vector<uint64_t>{7, 7, 2}));
  info.cascade_sizes.reset();
  run.log.liquidations[3].cause = 3;  // not an earlier liquidation: a damaged file, refused
  const auto refused = report_cascade_sizes(run, info);
  ASSERT_TRUE(std::holds_alternative<std::string>(refused));
  EXPECT_NE(std::get<std::string>(refused).find("row 3"), std::string::npos);
}

TEST(ReportHtml, AmplificationSectionOnlyWithATwin) {
  RunFile run = small_run();
  const auto plain = run_report_html(run, run_info(), "a.h5");
  ASSERT_EQ(plain.index(), 0u);
  EXPECT_EQ(std::get<0>(plain).find("id=\"amplification\""), std::string::npos);
  RunSummary twin = run.summary;
  twin.mark_min = run.summary.mark_min + Price(600'000'000);  // the twin's trough $600 higher
  run.summary.counterfactual = CounterfactualKind::ImpactFree;
  run.summary.amplification_mark_trough_pp = 1.0;
  run.counterfactual_summary = twin;
  const auto page = run_report_html(run, run_info(), "a.h5");
  ASSERT_EQ(page.index(), 0u);
  const std::string& html = std::get<0>(page);
  EXPECT_NE(html.find("<h2 id=\"amplification\">"), std::string::npos);
  EXPECT_NE(html.find("<td>mark_min</td><td class=\"n\">" + format_fixed(run.summary.mark_min.raw(), -6) +
                      "</td><td class=\"n\">" + format_fixed(twin.mark_min.raw(), -6) +
                      "</td><td class=\"n\">1 pp</td><td>USD/coin</td>"),
            std::string::npos);
}

TEST(ReportHtml, RunPageHasProvenanceSummaryAndEveryPlot) {
  const RunFile run = small_run();
  ASSERT_GT(run.log.liquidations.size(), 0u) << "the small preset liquidates";
  const auto page = run_report_html(run, run_info(), "runs/a<b>.h5");
  ASSERT_EQ(page.index(), 0u) << std::get<ReportError>(page).message;
  const std::string& html = std::get<0>(page);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("runs/a&lt;b&gt;.h5"), std::string::npos);
  EXPECT_NE(html.find("<td>abc1234</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>" + std::to_string(run.metadata.seed) + "</td>"), std::string::npos);
  // No external resource and no script.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  // The summary in its units: the insurance fund's stored integer at 1e-6.
  EXPECT_NE(html.find("<td>insurance_fund_final</td><td class=\"n\">" +
                      format_fixed(run.summary.insurance_fund_final.raw(), -6) + "</td><td>USD</td>"),
            std::string::npos);
  // The scenario's TOML, escaped.
  EXPECT_NE(html.find("id=\"scenario_toml\""), std::string::npos);
  EXPECT_NE(html.find(svg::escape(run.metadata.scenario_toml)), std::string::npos);
  EXPECT_NE(run.metadata.scenario_toml.find('"'), std::string::npos);
  const int samples = int(run.log.timeseries.size());
  ASSERT_LE(samples, int(kReportMaxSeriesPoints));
  EXPECT_EQ(points_of(html, "prices", "mark"), samples);
  EXPECT_EQ(points_of(html, "prices", "reference"), samples);
  EXPECT_EQ(points_of(html, "insurance_fund", "insurance fund"), samples);
  EXPECT_EQ(points_of(html, "open_interest", "open interest"), samples);
  int liquidation_points = 0;
  for (uint32_t g = 0; points_of(html, "liquidations", "generation " + std::to_string(g)) >= 0; ++g)
    liquidation_points += points_of(html, "liquidations", "generation " + std::to_string(g));
  EXPECT_EQ(liquidation_points, int(run.log.liquidations.size()));
  const std::vector<uint64_t> sizes = cascade_sizes(run.log.liquidations);
  EXPECT_EQ(points_of(html, "cascade_ccdf", "cascades"),
            int(std::set<uint64_t>(sizes.begin(), sizes.end()).size()));
}

TEST(ReportHtml, ReplayTimesAreShownInUtc) {
  RunFile run = small_run();
  run.metadata.replay_start_seconds = 1760054400.0;  // 2025-10-10 00:00:00 UTC
  const std::string html = std::get<0>(run_report_html(run, run_info(), "r.h5"));
  EXPECT_NE(html.find("2025-10-10 00:00:00 UTC"), std::string::npos);
  EXPECT_NE(html.find("time since start (s) and UTC"), std::string::npos);
  run.metadata.replay_start_seconds = 12.0;  // a relative clock: no date
  const std::string relative = std::get<0>(run_report_html(run, run_info(), "r.h5"));
  EXPECT_EQ(relative.find("UTC"), std::string::npos);
  EXPECT_NE(relative.find("not a date"), std::string::npos);
}

SweepFileContents two_axis_sweep() {
  SweepFileContents sweep;
  sweep.liqsim_version = "0.1.0";
  sweep.schema_version = 1;
  sweep.design = "grid";
  sweep.axis_keys = {"a", "b"};
  sweep.variant_names = {"base", "none"};
  sweep.seeds = 2;
  sweep.points = 6;
  sweep.variants = 2;
  sweep.runs = 24;
  uint64_t run = 0;
  for (uint64_t point = 0; point < 6; ++point)
    for (uint32_t seed = 0; seed < 2; ++seed)
      for (uint32_t variant = 0; variant < 2; ++variant) {
        SweepMetricsRow row;
        row.run = {run, point, seed, variant, 1000 + run};
        row.axis_values = {double(point % 3) + 1, double(point / 3) * 10};
        row.status = SweepRunStatus::Ok;
        // liquidated_notional in USD*1e-6: a + b + seed dollars
        row.summary.liquidated_notional =
            Amount((int64_t(row.axis_values[0] + row.axis_values[1]) + seed) * 1000000);
        if (run == 5) {
          row.status = SweepRunStatus::Failed;
          row.error = "conservation <violated>";
        }
        sweep.rows.push_back(row);
        ++run;
      }
  return sweep;
}

TEST(ReportHtml, SweepPageHasHeatmapsLinesAndFailures) {
  const SweepFileContents sweep = two_axis_sweep();
  LiqsimFileInfo info;
  info.kind = LiqsimFileKind::Sweep;
  ReportOptions options;
  options.metrics = {"liquidated_notional"};
  const auto page = sweep_report_html(sweep, info, "s.h5", options);
  ASSERT_EQ(page.index(), 0u) << std::get<ReportError>(page).message;
  const std::string& html = std::get<0>(page);
  // 3 x 2 cells per variant, one line of 3 points per variant with a band.
  EXPECT_EQ(points_of(html, "heatmap-liquidated_notional-0", "cells"), 6);
  EXPECT_EQ(points_of(html, "heatmap-liquidated_notional-1", "cells"), 6);
  EXPECT_EQ(points_of(html, "lines-liquidated_notional", "base"), 3);
  EXPECT_EQ(points_of(html, "lines-liquidated_notional", "none"), 3);
  // Cell (a = 1, b = 0): seeds 0 and 1 give 1 and 2 dollars, mean 1.5.
  EXPECT_NE(html.find("<title>1, 0: 1.5</title>"), std::string::npos);
  EXPECT_NE(html.find("conservation &lt;violated&gt;"), std::string::npos);
  EXPECT_NE(html.find("Failed runs (1)"), std::string::npos);
  EXPECT_NE(html.find("id=\"metrics\""), std::string::npos);  // 24 runs: the full table
  options.table_rows = 10;
  EXPECT_EQ(std::get<0>(sweep_report_html(sweep, info, "s.h5", options)).find("id=\"metrics\""),
            std::string::npos);
}

TEST(ReportHtml, SweepPageRefusesUnknownMetricsAndAxes) {
  const SweepFileContents sweep = two_axis_sweep();
  LiqsimFileInfo info;
  ReportOptions options;
  options.metrics = {"liquidated_notionl"};
  auto page = sweep_report_html(sweep, info, "s.h5", options);
  ASSERT_EQ(page.index(), 1u);
  EXPECT_NE(std::get<ReportError>(page).message.find(
                "--metric 'liquidated_notionl' is not a summary field; allowed: "),
            std::string::npos);
  EXPECT_NE(std::get<ReportError>(page).message.find("liquidated_notional"), std::string::npos);
  options.metrics = {};
  options.axis = "c";
  page = sweep_report_html(sweep, info, "s.h5", options);
  ASSERT_EQ(page.index(), 1u);
  EXPECT_EQ(std::get<ReportError>(page).message, "--axis 'c' is not an axis of this sweep; allowed: a, b");
}

TEST(ReplayStart, IsTheFirstRowOfMarket0sTimeColumnInSeconds) {
  Scenario scenario = std::get<Scenario>(load_preset("small"));
  EXPECT_FALSE(replay_start_seconds(scenario).has_value()) << "a model price has no replay start";
  PriceProcessSpec& price = scenario.markets[0].price;
  price.model = "replay";
  price.replay_file = "replay-good.csv";  // first row: open_time 1700000000000 (epoch milliseconds)
  scenario.source_dir = std::string(LIQSIM_TEST_DATA) + "/reliability";
  price.time_unit_seconds = 0.001;
  EXPECT_EQ(replay_start_seconds(scenario), std::optional<double>(1700000000.0));
  price.time_column = "close";  // another column: its first value, 60000, times the unit
  EXPECT_EQ(replay_start_seconds(scenario), std::optional<double>(60.0));
  price.replay_file = "missing.csv";
  EXPECT_FALSE(replay_start_seconds(scenario).has_value());
}

}  // namespace
}  // namespace liqsim
