#include "experiments/replay_start.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/scenario_paths.h"

namespace liqsim {
namespace {

// Comma-separated fields without surrounding blanks, quotes and a trailing '\r', as load_price_csv
// (market/price_process.cpp) reads them.
std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t comma = line.find(',');
    std::string_view field = line.substr(0, comma);
    while (!field.empty() && (field.front() == ' ' || field.front() == '\t' || field.front() == '"'))
      field.remove_prefix(1);
    while (!field.empty() &&
           (field.back() == ' ' || field.back() == '\t' || field.back() == '"' || field.back() == '\r'))
      field.remove_suffix(1);
    out.push_back(field);
    if (comma == std::string_view::npos) return out;
    line.remove_prefix(comma + 1);
  }
}

}  // namespace

std::optional<double> replay_start_seconds(const Scenario& scenario) {
  if (scenario.markets.empty() || scenario.markets[0].price.model != "replay") return std::nullopt;
  const PriceProcessSpec& price = scenario.markets[0].price;
  std::ifstream in(scenario_file_path(scenario.source_dir, price.replay_file));
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const std::vector<std::string_view> header = fields_of(line);
  size_t column = 0;
  while (column < header.size() && header[column] != price.time_column) ++column;
  if (column == header.size()) return std::nullopt;
  while (std::getline(in, line)) {
    const std::vector<std::string_view> fields = fields_of(line);
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line, skipped as the loader does
    if (column >= fields.size()) return std::nullopt;
    double value = 0;
    const std::string_view text = fields[column];
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value * price.time_unit_seconds;
  }
  return std::nullopt;
}

}  // namespace liqsim
