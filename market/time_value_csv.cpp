#include "market/time_value_csv.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string_view>

#include "market/csv_fields.h"

namespace liqsim {

std::string csv_row_error(const std::string& source, size_t line, const std::string& column,
                          const std::string& message) {
  return source + ":" + std::to_string(line) + ": column '" + column + "': " + message;
}

std::variant<TimeValueRows, std::string> read_time_value_csv(const std::string& path,
                                                             const TimeValueCsvSpec& spec) {
  if (!(spec.time_unit_seconds > 0.0) || !std::isfinite(spec.time_unit_seconds))
    return path + ": time unit must be a positive number of seconds";
  std::ifstream in(path);
  if (!in) return path + ": cannot open file";
  return read_time_value_csv(in, path, spec);
}

std::variant<TimeValueRows, std::string> read_time_value_csv(std::istream& in, const std::string& source,
                                                             const TimeValueCsvSpec& spec) {
  const auto at = [&](size_t line, const std::string& column, const std::string& message) {
    return csv_row_error(source, line, column, message);
  };
  if (!(spec.time_unit_seconds > 0.0) || !std::isfinite(spec.time_unit_seconds))
    return source + ": time unit must be a positive number of seconds";

  std::string line;
  if (!std::getline(in, line)) return source + ": empty file, expected a header row";
  const std::vector<std::string_view> header = csv_split_fields(line);
  const auto column_index = [&](const std::string& name) -> std::optional<size_t> {
    const auto it = std::find(header.begin(), header.end(), std::string_view(name));
    if (it == header.end()) return std::nullopt;
    return size_t(it - header.begin());
  };
  const std::optional<size_t> time_index = column_index(spec.time_column);
  if (!time_index) return at(1, spec.time_column, "not found in the header row");
  const std::optional<size_t> value_index = column_index(spec.value_column);
  if (!value_index) return at(1, spec.value_column, "not found in the header row");
  // Converting first keeps epoch milliseconds exact: 0.001 * 1e9 rounds to exactly 1e6.
  const double nanos_per_unit = spec.time_unit_seconds * double(kNanosPerSecond);

  TimeValueRows rows;
  double first_time = 0.0;
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (csv_trim(line).empty()) continue;
    const std::vector<std::string_view> fields = csv_split_fields(line);
    for (const auto& [index, name] :
         {std::pair{*time_index, spec.time_column}, std::pair{*value_index, spec.value_column}})
      if (index >= fields.size())
        return at(line_number, name,
                  "missing (row has " + std::to_string(fields.size()) + " fields, header has " +
                      std::to_string(header.size()) + ")");
    const std::string_view time_text = fields[*time_index];
    const std::string_view value_text = fields[*value_index];
    const std::optional<double> time = csv_parse_number(time_text);
    if (!time) return at(line_number, spec.time_column, "not a number: '" + std::string(time_text) + "'");
    const std::optional<double> value = csv_parse_number(value_text);
    if (!value) return at(line_number, spec.value_column, "not a number: '" + std::string(value_text) + "'");
    switch (spec.value_rule) {
      case CsvValueRule::Positive:
        if (!(*value > 0.0))
          return at(line_number, spec.value_column,
                    spec.value_name + " must be positive: '" + std::string(value_text) + "'");
        break;
      case CsvValueRule::NonNegative:
        if (*value < 0.0)
          return at(line_number, spec.value_column,
                    spec.value_name + " must be >= 0: '" + std::string(value_text) + "'");
        break;
    }
    if (spec.check)
      if (const std::optional<std::string> reason = spec.check(*value))
        return at(line_number, spec.value_column, *reason + ": '" + std::string(value_text) + "'");
    if (rows.empty()) first_time = *time;
    const double nanos = std::round((*time - first_time) * nanos_per_unit);
    if (!(std::fabs(nanos) < 9.0e18))
      return at(line_number, spec.time_column, "time out of range: '" + std::string(time_text) + "'");
    const Time t(static_cast<int64_t>(nanos));
    if (!rows.empty() && t <= rows.back().time)
      return at(
          line_number, spec.time_column,
          "time '" + std::string(time_text) + "' is not after the previous row's time (times must increase)");
    rows.push_back(TimeValueRow{t, *value, line_number});
  }
  if (rows.empty()) return source + ": no data rows after the header";
  return rows;
}

}  // namespace liqsim
