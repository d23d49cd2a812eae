// `liqsim sweep SWEEP.toml`: reads and validates a sweep file (every run's scenario), prints the plan
// (--dry-run) or runs it on --jobs threads into one HDF5 file (docs/sweeps.md). Exit codes as for
// `liqsim run`: 0 every run ok, 1 a run failed or the file could not be written, 2 bad input (nothing
// run, nothing written); interrupted by SIGINT / SIGTERM / SIGHUP: the file keeps every finished run
// (--resume runs the rest) and the process ends with status 128 + signal.
#pragma once

#include <string>

namespace liqsim {

struct SweepCommandArgs {
  std::string file;
  std::string jobs;  // as given; checked by the command
  bool jobs_given = false;
  std::string out;
  bool out_given = false;
  bool force = false;
  bool resume = false;
  bool dry_run = false;
  bool quiet = false;
};

int sweep_command(const SweepCommandArgs& args);

// The output file when --out is not given: liqsim-sweep-<sweep file name without .toml>.h5 in the
// current folder.
std::string default_sweep_output(const std::string& sweep_file);

// A duration for the progress line: "12.3 s" below 2 minutes, "3 min 05 s" below 2 hours, else "2.5 h".
std::string duration_text(double seconds);

}  // namespace liqsim
