// Writes a finished run to an HDF5 run file (schema_version 1, docs/hdf5-schema.md). The file appears
// at its path only when complete and closed, and identical inputs give byte-identical files.
#pragma once

#include <optional>
#include <string>

#include "core/recorder.h"

namespace liqsim {

// Writes `path` through a temporary file beside it (`<path>.tmp.<pid>`, removed on any failure) and
// renames it into place. An existing `path` is replaced only when `overwrite` is set; otherwise, or on
// any I/O failure, returns an error message and leaves `path` untouched. wall_seconds is not written.
std::optional<std::string> write_run_file(const std::string& path, const RunMetadata& metadata,
                                          const RunLog& log, const RunSummary& summary, bool overwrite);

}  // namespace liqsim
