// A sweep (docs/sweeps.md): many runs of one base scenario over a design of axis values, seeds per
// point and variants. This part reads the sweep file, expands its design into numbered runs and
// validates every run's scenario with the scenario loader before anything runs. It holds no HDF5
// (experiments/sweep_file) and no threads (experiments/sweep_runner).
//
// A run's scenario is the base, then the sweep's `set`, then the point's axis values, then its
// variant's `set`, each applied exactly as `--set KEY=VALUE` is (the loader's override machinery);
// its seed depends only on (sweep seed, point, seed index), so every variant of a point and seed index
// runs with the same seed (counterfactual pairs), whatever the number of jobs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "experiments/scenario.h"
#include "experiments/scenario_loader.h"

namespace liqsim {

inline constexpr uint64_t kDefaultSweepSeed = 1;
// Layout version of the sweep output file (docs/sweeps.md); part of the plan digest.
inline constexpr int kSweepSchemaVersion = 2;
// Runs per sweep file; the /metrics table of the output is allocated for every run when it is created.
inline constexpr uint64_t kMaxSweepRuns = 1'000'000;

enum class SweepDesign : uint8_t { Grid, Random, LatinHypercube };
std::string_view design_name(SweepDesign design);  // "grid", "random", "latin_hypercube"

// `range = { from, to, steps, scale, integer }` of an axis.
struct SweepRange {
  double from = 0;
  double to = 0;
  uint64_t steps = 0;    // grid only: values from `from` to `to` inclusive
  bool log = false;      // scale = "log": evenly spaced logarithms (from and to > 0)
  bool integer = false;  // values rounded to the nearest integer (for integer keys)
};

// One value of an axis: the TOML text handed to the loader (as after `--set KEY=`) and the number
// stored in the axis's /metrics column (the value for numbers, 0/1 for booleans, otherwise the
// value's position in `values`).
struct SweepValue {
  std::string toml;
  double column = 0;
};

struct SweepAxis {
  std::string key;                  // a dotted scenario key, as --set takes it
  std::string definition;           // as written: `values = [5, 10, 20]` or `range = {...}`
  std::vector<SweepValue> values;   // `values = [...]`; empty for a range
  std::optional<SweepRange> range;  // `range = {...}`
};

// The run-file tables a sweep can keep per run (`keep`, docs/sweeps.md "Kept tables"), in the run
// file's order: "timeseries" (the /timeseries group), then every compound table of
// run_file_schema::tables() by its name ("liquidations", "trades", ..., "accounts").
std::vector<std::string> sweep_keep_names();

struct SweepVariant {
  std::string name;
  std::vector<ScenarioOverride> set;
  std::string set_text;  // the overrides as one TOML inline table, e.g. {"liquidation.mechanism" = "none"}
};

// A sweep file as read (docs/sweeps.md), before its design is expanded.
struct SweepSpec {
  std::string text;         // the sweep file
  std::string source_name;  // names the file in messages
  std::string source_dir;   // a relative base file is relative to this folder
  std::string base;         // a preset name or a scenario file
  uint64_t seeds = 1;       // seeds per point
  uint64_t seed = kDefaultSweepSeed;
  SweepDesign design = SweepDesign::Grid;
  uint64_t points = 0;                // random and latin_hypercube
  bool base_variant = true;           // variant 0 "base": the point without variant overrides
  std::vector<ScenarioOverride> set;  // for every run
  std::string set_text;
  std::vector<SweepAxis> axes;
  std::vector<SweepVariant> variants;  // as declared (the base variant is not among them)
  // Run-file tables kept for every ok run, in sweep_keep_names() order; empty: the /metrics row only.
  std::vector<std::string> keep;
};

// `keep` as one TOML array, e.g. ["timeseries", "liquidations"] ([] for none).
std::string keep_text(const std::vector<std::string>& keep);

using SweepSpecResult = std::variant<SweepSpec, std::vector<ScenarioError>>;
// Every problem of the file's structure at once (unknown keys, wrong types, an empty axis, a range
// without steps in a grid, duplicate keys or variant names, ...), with line and column.
SweepSpecResult parse_sweep_text(std::string_view text, const std::string& source_name,
                                 const std::string& source_dir);
SweepSpecResult parse_sweep_file(const std::string& path);

// One run of the plan. Runs are numbered point by point, then seed index, then variant:
// run = (point * seeds + seed_index) * variants + variant.
struct SweepRun {
  uint64_t run = 0;
  uint64_t point = 0;
  uint32_t seed_index = 0;
  uint32_t variant = 0;
  uint64_t run_seed = 0;
};

// The seed of a run: a function of the sweep seed, the point and the seed index only (stream kind
// SweepRunSeed), in [0, 2^63 - 1] like any scenario seed.
uint64_t sweep_run_seed(uint64_t sweep_seed, uint64_t point, uint64_t seed_index);

class SweepPlan {
 public:
  // Expands the design: grid (every combination, the last axis varying fastest), random or
  // latin_hypercube (`points` points drawn from the sweep seed's SweepDesign streams, one per axis).
  // Loads no scenario. Errors: zero runs, more than kMaxSweepRuns, duplicate grid values.
  static std::variant<SweepPlan, std::vector<std::string>> expand(SweepSpec spec);

  // Resolves the base with the sweep's `set` once (its text is what every run starts from) and loads
  // every (point, variant) scenario through the loader and its validator: every problem, naming the
  // axis (index and key), the key and the value. `threads` share the work; the result does not depend
  // on it. Required before scenario() and digest().
  std::vector<std::string> resolve(unsigned threads = 1);

  const SweepSpec& spec() const { return spec_; }
  uint64_t runs() const { return points_ * spec_.seeds * variants(); }
  uint64_t points() const { return points_; }
  uint64_t seeds() const { return spec_.seeds; }
  uint32_t variants() const;
  SweepRun run(uint64_t index) const;

  // The value axis `axis` takes at `point`.
  SweepValue value(uint64_t point, size_t axis) const;
  // Grid: the axis's values in order; random and latin_hypercube: its value at each point.
  size_t axis_value_count(size_t axis) const;
  std::vector<SweepValue> axis_values(size_t axis) const;
  // The same as one TOML array, e.g. [0.5, 1, 2, 4, 8].
  std::string axis_values_text(size_t axis) const;
  std::string variant_name(uint32_t variant) const;
  std::string variant_set_text(uint32_t variant) const;
  // The point's axis values, then the variant's set (the sweep's own set is in the resolved base).
  std::vector<ScenarioOverride> overrides(uint64_t point, uint32_t variant) const;

  // After resolve(): the base scenario with the sweep's set, as complete TOML; a run's scenario (its
  // seed is the run seed); the plan digest: SHA-256 over the liqsim version, the resolved base, the
  // design, seeds, every axis value, every variant and the output columns, which names the plan a
  // sweep file belongs to (--resume compares it).
  const std::string& base_toml() const { return base_toml_; }
  ScenarioResult scenario(const SweepRun& run) const;
  const std::string& digest() const { return digest_; }

 private:
  SweepPlan() = default;
  uint64_t grid_index(uint64_t point, size_t axis) const;

  SweepSpec spec_;
  uint64_t points_ = 0;
  std::vector<std::vector<SweepValue>> grid_values_;  // grid: each axis's values
  // random and latin_hypercube: per axis and point, a range's value or the position in `values` (one
  // double per value, whatever the number of points)
  std::vector<std::vector<double>> drawn_;
  std::vector<uint64_t> strides_;  // grid: point = sum(index[a] * strides_[a])
  std::string base_toml_;
  std::string base_dir_;
  std::string digest_;
};

}  // namespace liqsim
