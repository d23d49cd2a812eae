// The bytes of the messages between the ranks of an MPI sweep (experiments/sweep_command.cpp, which
// sends them through experiments/sweep_mpi): fixed-width little-endian integers and length-prefixed
// strings, so a message means the same on every rank. Decoding a malformed message throws
// std::runtime_error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/sweep_file.h"
#include "experiments/sweep_plan.h"

namespace liqsim {

// An exit code (Start, Finish) or a count (Request).
std::string encode_code(int code);
int decode_code(const std::string& bytes);

// Run indices (Assign; none: no more runs).
std::string encode_runs(const std::vector<uint64_t>& runs);
std::vector<uint64_t> decode_runs(const std::string& bytes);

// A run's outcome as the sweep file stores it (run, status, error, kept_error and the summary's stored
// fields, run_file_schema::summary(): wall_seconds is not stored and arrives as 0) and the bytes of its
// kept-tables file (empty when none). Decoding checks the run and status against `plan`.
std::string encode_outcome(const SweepOutcome& outcome, const std::string& kept);
SweepOutcome decode_outcome(const std::string& bytes, const SweepPlan& plan, std::string& kept);

}  // namespace liqsim
