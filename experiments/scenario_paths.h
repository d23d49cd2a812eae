// Files a scenario names (replay CSVs): a relative path is relative to the scenario file's folder
// (Scenario::source_dir; the working folder when the scenario came from a preset or a text).
#pragma once

#include <filesystem>
#include <string>

namespace liqsim {

inline std::filesystem::path scenario_file_path(const std::string& source_dir, const std::string& file) {
  std::filesystem::path path(file);
  if (path.is_relative() && !source_dir.empty()) path = std::filesystem::path(source_dir) / path;
  return path;
}

}  // namespace liqsim
