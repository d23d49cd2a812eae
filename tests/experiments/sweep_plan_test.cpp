// Sweep files (experiments/sweep_plan): reading, design expansion, run numbering and seeds, and the
// validation of every run's scenario before anything runs.
#include "experiments/sweep_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "analysis/run_file.h"

namespace liqsim {
namespace {

std::string all_messages(const std::vector<ScenarioError>& errors) {
  std::string out;
  for (const ScenarioError& e : errors) out += e.message() + "\n";
  return out;
}

std::string all_messages(const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& p : problems) out += p + "\n";
  return out;
}

SweepSpec parse(const std::string& text) {
  SweepSpecResult parsed = parse_sweep_text(text, "test.toml", ".");
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&parsed)) {
    ADD_FAILURE() << all_messages(*errors);
    return {};
  }
  return std::get<SweepSpec>(std::move(parsed));
}

SweepPlan expand(const std::string& text) {
  auto expanded = SweepPlan::expand(parse(text));
  if (auto* problems = std::get_if<std::vector<std::string>>(&expanded)) {
    ADD_FAILURE() << all_messages(*problems);
    std::abort();
  }
  return std::get<SweepPlan>(std::move(expanded));
}

// The messages of a text that must not parse.
std::string parse_errors(const std::string& text) {
  SweepSpecResult parsed = parse_sweep_text(text, "test.toml", ".");
  auto* errors = std::get_if<std::vector<ScenarioError>>(&parsed);
  if (errors == nullptr) {
    ADD_FAILURE() << "parsed:\n" << text;
    return "";
  }
  return all_messages(*errors);
}

// The problems of a text that parses but does not expand.
std::string expand_errors(const std::string& text) {
  auto expanded = SweepPlan::expand(parse(text));
  auto* problems = std::get_if<std::vector<std::string>>(&expanded);
  if (problems == nullptr) {
    ADD_FAILURE() << "expanded:\n" << text;
    return "";
  }
  return all_messages(*problems);
}

// The problems resolve() finds (every run's scenario through the loader).
std::string resolve_errors(const std::string& text) {
  SweepPlan plan = expand(text);
  const std::vector<std::string> problems = plan.resolve(2);
  EXPECT_FALSE(problems.empty()) << "resolved:\n" << text;
  return all_messages(problems);
}

std::vector<double> columns(const SweepPlan& plan, size_t axis) {
  std::vector<double> out;
  for (const SweepValue& v : plan.axis_values(axis)) out.push_back(v.column);
  return out;
}

constexpr const char* kBriefExample = R"(
base = "small"
seeds = 4
seed = 1
[[axes]]
key = "traders.leverage.mean"
values = [5, 10, 20]
[[axes]]
key = "market_makers.level_size"
range = { from = 0.5, to = 8, steps = 5, scale = "log" }
[[variants]]
name = "no_liquidation"
set = { "liquidation.mechanism" = "none" }
)";

TEST(SweepPlan, GridCountsEveryCombinationSeedAndVariant) {
  const SweepPlan plan = expand(kBriefExample);
  EXPECT_EQ(plan.points(), 15u);
  EXPECT_EQ(plan.seeds(), 4u);
  EXPECT_EQ(plan.variants(), 2u);  // base + no_liquidation
  EXPECT_EQ(plan.runs(), 120u);
  EXPECT_EQ(plan.variant_name(0), "base");
  EXPECT_EQ(plan.variant_name(1), "no_liquidation");
  // run = (point * seeds + seed_index) * variants + variant; the last axis varies fastest.
  for (uint64_t r = 0; r < plan.runs(); ++r) {
    const SweepRun run = plan.run(r);
    EXPECT_EQ(run.run, r);
    EXPECT_EQ((run.point * plan.seeds() + run.seed_index) * plan.variants() + run.variant, r);
    EXPECT_EQ(plan.value(run.point, 0).column, (std::vector<double>{5, 10, 20})[run.point / 5]);
    EXPECT_EQ(plan.value(run.point, 1).column, (std::vector<double>{0.5, 1, 2, 4, 8})[run.point % 5]);
  }
  const SweepRun r37 = plan.run(37);
  EXPECT_EQ(r37.variant, 1u);
  EXPECT_EQ(r37.seed_index, 2u);
  EXPECT_EQ(r37.point, 4u);
  // Overrides: the point's axis values, then the variant's set.
  const auto overrides = plan.overrides(r37.point, r37.variant);
  ASSERT_EQ(overrides.size(), 3u);
  EXPECT_EQ(overrides[0].key, "traders.leverage.mean");
  EXPECT_EQ(overrides[0].value, "5");
  EXPECT_EQ(overrides[1].key, "market_makers.level_size");
  EXPECT_EQ(overrides[1].value, "8");
  EXPECT_EQ(overrides[2].key, "liquidation.mechanism");
  EXPECT_EQ(overrides[2].value, "\"none\"");
}

TEST(SweepPlan, GridWithoutAxesIsOnePoint) {
  const SweepPlan plan = expand("base = \"small\"\nseeds = 3\n");
  EXPECT_EQ(plan.points(), 1u);
  EXPECT_EQ(plan.runs(), 3u);
}

TEST(SweepPlan, LinearRangeValuesAreExact) {
  const SweepPlan plan = expand(R"(
base = "small"
[[axes]]
key = "a"
range = { from = 0, to = 1, steps = 11 }
[[axes]]
key = "b"
range = { from = 5, to = 20, steps = 4, scale = "linear" }
[[axes]]
key = "c"
range = { from = 8, to = 0.5, steps = 4 }
)");
  std::vector<double> tenths;
  for (int i = 0; i <= 10; ++i) tenths.push_back(i / 10.0);
  EXPECT_EQ(columns(plan, 0), tenths);  // 0.3 is the double 0.3, not 0.30000000000000004
  EXPECT_EQ(plan.axis_values_text(0), "[0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]");
  EXPECT_EQ(columns(plan, 1), (std::vector<double>{5, 10, 15, 20}));
  EXPECT_EQ(plan.axis_values_text(1),
            "[5, 10, 15, 20]");  // whole numbers as integers: integer keys take them
  EXPECT_EQ(columns(plan, 2), (std::vector<double>{8, 5.5, 3, 0.5}));
}

TEST(SweepPlan, LogRangeValuesAreExact) {
  const SweepPlan plan = expand(R"(
base = "small"
[[axes]]
key = "a"
range = { from = 0.5, to = 8, steps = 5, scale = "log" }
[[axes]]
key = "b"
range = { from = 16, to = 1, steps = 5, scale = "log" }
[[axes]]
key = "c"
range = { from = 0.3, to = 0.7, steps = 3, scale = "log" }
)");
  EXPECT_EQ(columns(plan, 0), (std::vector<double>{0.5, 1, 2, 4, 8}));
  EXPECT_EQ(plan.axis_values_text(0), "[0.5, 1, 2, 4, 8]");
  EXPECT_EQ(columns(plan, 1), (std::vector<double>{16, 8, 4, 2, 1}));
  const std::vector<double> c = columns(plan, 2);
  EXPECT_EQ(c.front(), 0.3);  // the bounds exactly as written
  EXPECT_EQ(c.back(), 0.7);
  EXPECT_NEAR(c[1], std::sqrt(0.3 * 0.7), 1e-15);
}

TEST(SweepPlan, IntegerRangeRoundsAndRefusesDuplicates) {
  const SweepPlan plan = expand(R"(
base = "small"
[[axes]]
key = "traders.count"
range = { from = 100, to = 10000, steps = 3, scale = "log", integer = true }
)");
  EXPECT_EQ(plan.axis_values_text(0), "[100, 1000, 10000]");
  const std::string problems = expand_errors(R"(
base = "small"
[[axes]]
key = "market_makers.count"
range = { from = 1, to = 3, steps = 5, integer = true }
)");
  EXPECT_NE(problems.find("axes[0] (market_makers.count)"), std::string::npos) << problems;
  EXPECT_NE(problems.find("appears twice"), std::string::npos) << problems;
  EXPECT_NE(problems.find("after rounding"), std::string::npos) << problems;
}

// Each axis's stratum of a latin hypercube point: floor(u * n), with u the value's position in the range.
std::vector<uint64_t> strata(const SweepPlan& plan, size_t axis, double from, double to, bool log) {
  std::vector<uint64_t> out;
  const double n = double(plan.points());
  for (const SweepValue& v : plan.axis_values(axis)) {
    const double u = log ? std::log(v.column / from) / std::log(to / from) : (v.column - from) / (to - from);
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    out.push_back(std::min<uint64_t>(uint64_t(std::floor(u * n)), plan.points() - 1));
  }
  return out;
}

constexpr const char* kLatinHypercube = R"(
base = "small"
design = "latin_hypercube"
points = 50
seed = 7
[[axes]]
key = "a"
range = { from = -2, to = 10 }
[[axes]]
key = "b"
range = { from = 0.01, to = 100, scale = "log" }
[[axes]]
key = "c"
values = ["engine", "keeper", "none", "x", "y"]
)";

TEST(SweepPlan, LatinHypercubeHitsEachStratumOfEachAxisExactlyOnce) {
  const SweepPlan plan = expand(kLatinHypercube);
  ASSERT_EQ(plan.points(), 50u);
  for (const auto& [axis, from, to, log] :
       {std::tuple{size_t(0), -2.0, 10.0, false}, std::tuple{size_t(1), 0.01, 100.0, true}}) {
    std::vector<uint64_t> s = strata(plan, axis, from, to, log);
    std::sort(s.begin(), s.end());
    for (uint64_t k = 0; k < 50; ++k) EXPECT_EQ(s[k], k) << "axis " << axis;
  }
  // A values axis: its 5 values share the 50 strata, 10 each.
  std::vector<int> count(5, 0);
  for (const SweepValue& v : plan.axis_values(2)) count[size_t(v.column)]++;
  EXPECT_EQ(count, (std::vector<int>{10, 10, 10, 10, 10}));
  // Two axes are not simply aligned: the permutations differ.
  EXPECT_NE(strata(plan, 0, -2, 10, false), strata(plan, 1, 0.01, 100, true));
}

TEST(SweepPlan, DesignsAreDeterministicAndFollowTheSweepSeed) {
  for (const std::string design : {"latin_hypercube", "random"}) {
    std::string text = kLatinHypercube;
    text.replace(text.find("latin_hypercube"), 15, design);
    const SweepPlan a = expand(text);
    const SweepPlan b = expand(text);
    std::string other = text;
    other.replace(other.find("seed = 7"), 8, "seed = 8");
    const SweepPlan c = expand(other);
    for (size_t axis = 0; axis < 3; ++axis) {
      EXPECT_EQ(a.axis_values_text(axis), b.axis_values_text(axis)) << design;
      EXPECT_NE(a.axis_values_text(axis), c.axis_values_text(axis)) << design;
    }
  }
}

TEST(SweepPlan, AddingAnAxisKeepsTheDrawsOfTheOthers) {
  const SweepPlan three = expand(kLatinHypercube);
  std::string text = kLatinHypercube;
  text += "[[axes]]\nkey = \"d\"\nrange = { from = 1, to = 2 }\n";
  const SweepPlan four = expand(text);
  for (size_t axis = 0; axis < 3; ++axis)
    EXPECT_EQ(three.axis_values_text(axis), four.axis_values_text(axis));
}

TEST(SweepPlan, RandomDesignStaysInItsRanges) {
  std::string text = kLatinHypercube;
  text.replace(text.find("latin_hypercube"), 15, "random");
  const SweepPlan plan = expand(text);
  for (const SweepValue& v : plan.axis_values(0)) {
    EXPECT_GE(v.column, -2);
    EXPECT_LT(v.column, 10);
  }
  for (const SweepValue& v : plan.axis_values(1)) {
    EXPECT_GE(v.column, 0.01);
    EXPECT_LT(v.column, 100);
  }
  std::set<double> seen;
  for (const SweepValue& v : plan.axis_values(2)) seen.insert(v.column);
  EXPECT_GT(seen.size(), 1u);
  EXPECT_LE(*seen.rbegin(), 4);
}

TEST(SweepPlan, RunSeedsDependOnlyOnSweepSeedPointAndSeedIndex) {
  const SweepPlan plan = expand(kBriefExample);
  std::set<uint64_t> distinct;
  for (uint64_t r = 0; r < plan.runs(); ++r) {
    const SweepRun run = plan.run(r);
    EXPECT_EQ(run.run_seed, sweep_run_seed(1, run.point, run.seed_index));
    EXPECT_LE(run.run_seed, uint64_t(INT64_MAX));  // a scenario seed is a TOML integer
    // Counterfactual pairs: every variant of a point and seed index runs with the same seed.
    EXPECT_EQ(run.run_seed, plan.run(r - run.variant).run_seed);
    distinct.insert(run.run_seed);
  }
  EXPECT_EQ(distinct.size(), plan.points() * plan.seeds());
  // More seeds per point, or more variants, keep the seeds of the runs that were already there.
  std::string more = kBriefExample;
  more.replace(more.find("seeds = 4"), 9, "seeds = 6");
  more += "[[variants]]\nname = \"keeper\"\nset = { \"liquidation.mechanism\" = \"keeper\" }\n";
  const SweepPlan bigger = expand(more);
  ASSERT_EQ(bigger.runs(), 15u * 6 * 3);
  for (uint64_t r = 0; r < bigger.runs(); ++r) {
    const SweepRun run = bigger.run(r);
    if (run.seed_index < 4) {
      EXPECT_EQ(run.run_seed, plan.run((run.point * 4 + run.seed_index) * 2).run_seed);
    }
  }
  // Another sweep seed, other run seeds.
  std::string reseeded = kBriefExample;
  reseeded.replace(reseeded.find("seed = 1"), 8, "seed = 2");
  EXPECT_NE(expand(reseeded).run(0).run_seed, plan.run(0).run_seed);
}

TEST(SweepPlan, SetTablesMayBeNestedOrDotted) {
  const SweepSpec dotted =
      parse("base = \"small\"\nset = { \"traders.count\" = 50, duration_seconds = 600 }\n");
  const SweepSpec nested =
      parse("base = \"small\"\n[set]\nduration_seconds = 600\ntraders = { count = 50 }\n");
  ASSERT_EQ(dotted.set.size(), 2u);
  ASSERT_EQ(nested.set.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(dotted.set[k].key, nested.set[k].key);
    EXPECT_EQ(dotted.set[k].value, nested.set[k].value);
  }
  EXPECT_EQ(dotted.set_text, nested.set_text);
  EXPECT_EQ(dotted.set_text, "{duration_seconds = 600, \"traders.count\" = 50}");
}

TEST(SweepPlan, StructuralProblemsAreAllReportedWithTheirKeys) {
  const std::string problems = parse_errors(R"(
base = "small"
seeds = 0
bogus = 1
[[axes]]
key = "traders.leverage.mean"
values = []
[[axes]]
key = "market_makers.level_size"
range = { from = 0.5, to = 8 }
[[axes]]
key = "market_makers.level_size"
range = { from = 0, to = 8, steps = 3, scale = "log" }
[[axes]]
key = "seed"
values = [1, 2]
[[axes]]
key = "noise.count"
[[variants]]
name = "x"
set = { "traders.leverage.mean" = 3 }
[[variants]]
name = "x"
[[variants]]
name = "base"
)");
  for (const char* expected : {
           "seeds = 0: out of range",
           "bogus = 1: unknown key",
           "axes[0].values = []: empty axis",
           "axes[1].range.steps",
           "missing (required by design = \"grid\")",
           "scale = \"log\" with a bound <= 0",
           "axes[2].key",
           "is also axes[1] (market_makers.level_size)",
           "axes[3].key = \"seed\"",
           "axes[4]",
           "neither values nor range",
           "variants[0].set.\"traders.leverage.mean\"",
           "also varied by axes[0] (traders.leverage.mean)",
           "variants[1].name = \"x\": duplicate variant name (also variants[0])",
           "variants[2].name = \"base\": duplicate variant name",
       }) {
    EXPECT_NE(problems.find(expected), std::string::npos) << expected << "\n" << problems;
  }
}

TEST(SweepPlan, DesignKeysBelongToTheirDesign) {
  EXPECT_NE(parse_errors("base = \"small\"\npoints = 5\n").find("points = 5: only for design"),
            std::string::npos);
  EXPECT_NE(parse_errors("base = \"small\"\ndesign = \"random\"\n").find("points: missing"),
            std::string::npos);
  EXPECT_NE(
      parse_errors("base = \"small\"\ndesign = \"lhs\"\n").find("design = \"lhs\": not one of the choices"),
      std::string::npos);
  const std::string steps = parse_errors(
      "base = \"small\"\ndesign = \"latin_hypercube\"\npoints = 4\n[[axes]]\nkey = \"a\"\n"
      "range = { from = 1, to = 2, steps = 3 }\n");
  EXPECT_NE(steps.find("axes[0].range.steps = 3: only for design = \"grid\""), std::string::npos) << steps;
  EXPECT_NE(parse_errors("seeds = 2\n").find("base: missing"), std::string::npos);
  EXPECT_NE(parse_errors("base = \"small\"\nx = = 1\n").find("TOML syntax error"), std::string::npos);
}

TEST(SweepPlan, DesignsThatYieldNoRunOrTooManyAreRefused) {
  EXPECT_NE(expand_errors("base = \"small\"\nbase_variant = false\n").find("zero runs"), std::string::npos);
  const std::string many = expand_errors(R"(
base = "small"
seeds = 3
[[axes]]
key = "a"
range = { from = 1, to = 2, steps = 1000 }
[[axes]]
key = "b"
range = { from = 1, to = 2, steps = 1000 }
)");
  EXPECT_NE(many.find("3000000 runs"), std::string::npos) << many;
  EXPECT_NE(many.find("at most 1000000"), std::string::npos) << many;
}

TEST(SweepPlan, ValidationNamesTheAxisTheKeyAndTheValue) {
  const std::string unknown = resolve_errors(R"(
base = "small"
[[axes]]
key = "traders.levrage.mean"
values = [5, 10]
)");
  EXPECT_NE(unknown.find("axes[0] (traders.levrage.mean) = 5: traders.levrage"), std::string::npos)
      << unknown;
  EXPECT_NE(unknown.find("unknown key"), std::string::npos) << unknown;

  const std::string range = resolve_errors(R"(
base = "small"
[[axes]]
key = "traders.leverage.mean"
values = [5, 10]
[[axes]]
key = "market_makers.level_size"
values = [1, 0]
)");
  EXPECT_NE(range.find("axes[1] (market_makers.level_size) = 0: out of range; allowed: (0, "),
            std::string::npos)
      << range;
  EXPECT_EQ(range.find("= 1:"), std::string::npos) << range;  // valid values are not named

  const std::string type = resolve_errors(R"(
base = "small"
[[axes]]
key = "traders.count"
range = { from = 10, to = 11, steps = 3 }
)");
  EXPECT_NE(type.find("axes[0] (traders.count) = 10.5: wrong type (float)"), std::string::npos) << type;

  const std::string variant = resolve_errors(R"(
base = "small"
[[variants]]
name = "typo"
set = { "liquidation.mechanism" = "nonee" }
)");
  EXPECT_NE(variant.find("variants[0] (typo) set.liquidation.mechanism = \"nonee\": not one of the choices"),
            std::string::npos)
      << variant;

  const std::string combination = resolve_errors(R"(
base = "small"
[[axes]]
key = "duration_seconds"
values = [600, 7200]
)");
  EXPECT_NE(combination.find(
                "point 0 (duration_seconds = 600), variant base: markets[0].shock.start_seconds = 3600"),
            std::string::npos)
      << combination;

  const std::string set = resolve_errors("base = \"small\"\nset = { \"liquidation.insurance_fund\" = -5 }\n");
  EXPECT_NE(set.find("set.liquidation.insurance_fund = -5: out of range"), std::string::npos) << set;

  const std::string base = resolve_errors("base = \"no-such-preset\"\n");
  EXPECT_NE(base.find("base = \"no-such-preset\": neither a preset nor a scenario file"), std::string::npos)
      << base;
}

TEST(SweepPlan, RunScenarioIsTheBaseWithSetAxisValuesVariantAndRunSeed) {
  SweepPlan plan = expand("set = { duration_seconds = 5400 }\n" + std::string(kBriefExample));
  ASSERT_TRUE(plan.resolve(1).empty());
  const SweepRun run = plan.run(37);  // point 4 (leverage 5, level size 8), seed index 2, no_liquidation
  ScenarioResult loaded = plan.scenario(run);
  ASSERT_TRUE(std::holds_alternative<Scenario>(loaded))
      << all_messages(std::get<std::vector<ScenarioError>>(loaded));
  const Scenario& s = std::get<Scenario>(loaded);
  EXPECT_EQ(s.duration_seconds, 5400);
  EXPECT_EQ(s.traders.leverage.mean, 5);
  EXPECT_EQ(s.market_makers.level_size, 8);
  EXPECT_EQ(s.liquidation.mechanism, "none");
  EXPECT_EQ(s.seed, run.run_seed);
  EXPECT_EQ(s.traders.count, 500);  // the rest is the small preset
  const Scenario base_variant = std::get<Scenario>(plan.scenario(plan.run(36)));
  EXPECT_EQ(base_variant.liquidation.mechanism, "engine");
  EXPECT_EQ(base_variant.seed, run.run_seed);
}

TEST(SweepPlan, DigestNamesThePlan) {
  const auto digest = [](const std::string& text) {
    SweepPlan plan = expand(text);
    EXPECT_TRUE(plan.resolve(1).empty());
    return plan.digest();
  };
  const std::string reference = digest(kBriefExample);
  EXPECT_EQ(reference.size(), 64u);
  EXPECT_EQ(digest(kBriefExample), reference);
  // Comments and layout are not the plan.
  EXPECT_EQ(digest(std::string("# a comment\n") + kBriefExample), reference);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"seeds = 4", "seeds = 3"},
           {"seed = 1", "seed = 2"},
           {"[5, 10, 20]", "[5, 10, 21]"},
           {"steps = 5", "steps = 6"},
           {"\"none\" }", "\"keeper\" }"},
           {"name = \"no_liquidation\"", "name = \"none\""},
           {"base = \"small\"", "base = \"small\"\nset = { duration_seconds = 3601 }"},
           {"base = \"small\"", "base = \"small\"\nkeep = \"timeseries\""},
       }) {
    std::string changed = kBriefExample;
    changed.replace(changed.find(from), from.size(), to);
    EXPECT_NE(digest(changed), reference) << from << " -> " << to;
  }
}

TEST(SweepPlan, KeepNamesRunFileTablesInFileOrder) {
  const auto kept = [](const std::string& keep) {
    return parse("base = \"small\"\nkeep = " + keep + "\n").keep;
  };
  EXPECT_TRUE(parse("base = \"small\"\n").keep.empty());  // default: the /metrics row only
  EXPECT_TRUE(kept("\"summary\"").empty());
  EXPECT_EQ(kept("\"timeseries\""), std::vector<std::string>{"timeseries"});
  // Words in any order and repeated give the run file's order, once each.
  EXPECT_EQ(kept("[\"trades\", \"timeseries\", \"trades\", \"summary\"]"),
            (std::vector<std::string>{"timeseries", "trades"}));
  EXPECT_EQ(kept("\"events\""),
            (std::vector<std::string>{"liquidations", "trades", "funding", "mark_updates", "adl",
                                      "social_losses", "keeper_txs", "keeper_tx_queue", "blocks", "auctions",
                                      "option_fills", "option_liquidations"}));
  EXPECT_EQ(kept("[\"accounts\", \"events\"]").back(), "accounts");
  const std::vector<std::string> all = kept("\"all\"");
  EXPECT_EQ(all, sweep_keep_names());
  EXPECT_EQ(all.size(), run_file_schema::tables().size() + 1);  // every table and the timeseries
  EXPECT_EQ(keep_text(kept("[\"adl\", \"timeseries\"]")), "[\"timeseries\", \"adl\"]");
}

TEST(SweepPlan, KeepRefusesUnknownTablesAndWrongTypes) {
  const std::string errors = parse_errors("base = \"small\"\nkeep = [\"timeseries\", \"trade\", 3]\n");
  EXPECT_NE(
      errors.find("keep[1] = \"trade\": not a table a run file holds; allowed: \"summary\", \"timeseries\", "
                  "\"events\", \"all\" or a run-file table (liquidations, trades"),
      std::string::npos)
      << errors;
  EXPECT_NE(errors.find("keep[2] = 3: wrong type (integer)"), std::string::npos) << errors;
  EXPECT_NE(parse_errors("base = \"small\"\nkeep = true\n").find("keep = true: wrong type (boolean)"),
            std::string::npos);
}

TEST(SweepPlan, ResolveGivesTheSameProblemsWithAnyNumberOfThreads) {
  const std::string text = R"(
base = "small"
[[axes]]
key = "market_makers.level_size"
values = [1, 0, -1, 2, -3]
[[axes]]
key = "traders.leverage.mean"
values = [5, 0, 7]
)";
  SweepPlan one = expand(text);
  SweepPlan three = expand(text);
  const auto a = one.resolve(1);
  EXPECT_EQ(a.size(), 4u) << all_messages(a);
  EXPECT_EQ(a, three.resolve(3));
}

}  // namespace
}  // namespace liqsim
