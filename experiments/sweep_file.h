// The output file of a sweep (HDF5, docs/sweeps.md): root attributes naming the plan, /plan (axes and
// variants) and /metrics, one row per run with its place in the plan, its axis values, its status and
// every /summary figure of a run file (analysis/run_file.h's run_file_schema::summary(), so the columns
// cannot drift from the run file's).
//
// The file is complete from the start: it is built in a temporary file with every /metrics row present
// and marked pending, then moved into place (never over an existing file without `overwrite`). Results
// are then written in place, each row at its run's position in a table allocated once, so no metadata
// changes while runs finish: the file is valid at every moment (after SIGKILL too), a resumed sweep
// fills the rows still pending, and the finished file is byte-identical whatever the order the rows
// were written in (any --jobs, any interruption and resume).
//
// A sweep that keeps run-file tables (`keep`) writes each ok run's kept tables to a file of their own in
// the folder beside it, `<path>.runs/<run>.h5` (written atomically by the run itself, see
// sweep_runner.h). When every row is done, store_kept_runs() copies them, in run order, into the groups
// /runs/<run> of a copy of the file, which then replaces the file in one rename: the file is valid at
// every moment and its final bytes do not depend on the order the runs finished in either.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/recorder.h"
#include "experiments/sweep_plan.h"

namespace liqsim {

enum class SweepRunStatus : uint8_t { Pending = 0, Ok = 1, Failed = 2 };

// Bytes of the /metrics `error` column, its terminating NUL included: longer messages are cut.
inline constexpr size_t kSweepErrorBytes = 200;

// What one run gave.
struct SweepOutcome {
  uint64_t run = 0;
  SweepRunStatus status = SweepRunStatus::Pending;
  std::string error;   // failed runs: why
  RunSummary summary;  // ok runs, and failed runs that finished (a conservation failure)
  // The file of the run's kept tables could not be written (this machine's I/O, not the run): the
  // outcome is not recorded and the sweep stops.
  std::string kept_error;
};

class SweepFile {
 public:
  ~SweepFile();
  SweepFile(SweepFile&&) noexcept;
  SweepFile& operator=(SweepFile&&) noexcept;

  // A new sweep file for `plan` (resolved) at `path`: every run pending. Without `overwrite` an existing
  // file is never replaced, not even one that appears meanwhile, and an existing kept-tables folder
  // (a plan that keeps tables) is refused; with it, that folder's kept-tables files are removed. Call
  // install_temporary_file_cleanup() first for SIGINT / SIGTERM / SIGHUP to remove the temporary file. The
  // error says why nothing was written.
  static std::variant<SweepFile, std::string> create(const std::string& path, const SweepPlan& plan,
                                                     bool overwrite);
  // An existing sweep file of the same plan (equal plan digests), opened to fill its pending rows. The
  // error names the file's plan digest and this plan's when they differ.
  static std::variant<SweepFile, std::string> resume(const std::string& path, const SweepPlan& plan);

  // Runs still to run, in run order (every run for a new file). When the plan keeps tables and they
  // are not stored yet, also the ok runs whose kept-tables file is missing from kept_folder().
  const std::vector<uint64_t>& pending() const;
  // The folder of the runs' kept-tables files: `<path>.runs`.
  const std::string& kept_folder() const;
  // The file already holds /runs: its kept tables are stored (nothing is left to do).
  bool kept_stored() const;
  // Runs the file already recorded as failed when it was opened.
  uint64_t failed_before() const;
  // Writes the run's row (the plan columns again, the status, the error and the summary).
  std::optional<std::string> write(const SweepOutcome& outcome);
  // Flushes HDF5's buffers to the file.
  std::optional<std::string> flush();
  // Flushes and closes; further writes fail.
  std::optional<std::string> close();
  // After close(), with every row done: stores the kept tables of every ok run (kept_folder()'s files)
  // as /runs/<run> in a copy of the file that then replaces it, and removes the folder. Nothing to do
  // for a plan that keeps no table. The error says why the file was left as it was.
  std::optional<std::string> store_kept_runs();

 private:
  struct State;
  explicit SweepFile(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The folder of the kept-tables files of the sweep file at `path`: `<path>.runs`.
std::string kept_folder_for(const std::string& path);
// The file of one run's kept tables in that folder: `<folder>/<run>.h5`.
std::string kept_run_path(const std::string& folder, uint64_t run);

// Empties the kept-tables folder of a new sweep (files `<run>.h5` and their temporary files left by an
// earlier sweep) and creates it when missing. Refuses a folder holding anything else, or a path that is
// not a folder. The error says why.
std::optional<std::string> prepare_kept_folder(const std::string& folder);

// A sweep file read back (tests, tools).
struct SweepMetricsRow {
  SweepRun run;
  std::vector<double> axis_values;  // one per axis, in plan order
  SweepRunStatus status = SweepRunStatus::Pending;
  std::string error;
  RunSummary summary;  // wall_seconds is not stored and reads as 0
};

struct SweepFileContents {
  std::string liqsim_version;
  std::string liqsim_commit;  // the build that created the file; "" when the file predates the attribute
  int schema_version = 0;
  std::string plan_digest;
  std::string sweep_toml;
  std::string base_scenario_toml;
  std::string design;  // grid, random or latin_hypercube
  uint64_t seed = 0;   // the sweep seed
  uint64_t seeds = 0, points = 0, variants = 0, runs = 0;
  std::vector<std::string> axis_keys;
  std::vector<std::string> axis_definitions;  // as written in the sweep file
  std::vector<std::string> axis_values;       // each axis's values as one TOML array
  std::vector<std::string> variant_names;
  std::vector<std::string> variant_sets;  // each variant's overrides as a TOML inline table
  std::vector<std::string> keep;          // the kept tables (root attribute `keep`)
  std::vector<uint64_t> kept_runs;        // the runs with a /runs/<run> group, in run order
  std::vector<SweepMetricsRow> rows;
};

std::variant<SweepFileContents, std::string> read_sweep_file(const std::string& path);

}  // namespace liqsim
