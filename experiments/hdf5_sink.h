// Writes a finished run to an HDF5 run file (schema_version 2, docs/hdf5-schema.md). The file appears
// at its path only when complete and closed, and identical inputs give byte-identical files.
#pragma once

#include <optional>
#include <string>

#include "core/recorder.h"

namespace liqsim {

// Builds the file in memory, writes it to a temporary file beside `path` (`<path>.tmp.<pid>`, created
// new, removed on any failure and, once install_temporary_file_cleanup() ran, on SIGINT / SIGTERM /
// SIGHUP) and moves it into place. An existing `path` is replaced only when `overwrite` is set, also
// one that appeared during the write; otherwise, or on any I/O failure (a full disk included), returns
// an error message and leaves `path` untouched. wall_seconds is not written.
std::optional<std::string> write_run_file(const std::string& path, const RunMetadata& metadata,
                                          const RunLog& log, const RunSummary& summary, bool overwrite);

}  // namespace liqsim
