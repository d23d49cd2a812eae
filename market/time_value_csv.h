// The one reader of time/value series from CSV files, shared by the replay loaders (load_price_csv in
// market/price_process, load_gas_price_csv in protocol/gas_price_path): a header row naming the
// columns, then one row per point. The time column holds numbers in units of time_unit_seconds and is
// re-based so the first row is time 0; times must be strictly increasing; the value column holds finite
// numbers obeying a rule (> 0 or >= 0) and the caller's own check. Blank lines are skipped. Every error
// names the file, and for a row its line, the column, the value and what is allowed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/units.h"

namespace liqsim {

// What a value may be.
enum class CsvValueRule : uint8_t {
  Positive,     // > 0 (prices)
  NonNegative,  // >= 0 (gas prices: a block may have no base fee)
};

struct TimeValueCsvSpec {
  std::string time_column;
  std::string value_column;
  double time_unit_seconds = 1.0;  // > 0 and finite, e.g. 0.001 for epoch milliseconds
  CsvValueRule value_rule = CsvValueRule::Positive;
  // Names the value in the rule's message: "<value_name> must be positive: '<text>'" (Positive),
  // "<value_name> must be >= 0: '<text>'" (NonNegative).
  std::string value_name = "value";
  // A further check of each value that passed the rule: the reason it is refused, or nothing. The error
  // reads "<file>:<line>: column '<value_column>': <reason>: '<text>'". Empty: no further check.
  std::function<std::optional<std::string>(double)> check;
};

// One data row: its time since the first row's time (rounded to the nearest nanosecond), its value as
// written and its line in the file (1 is the header).
struct TimeValueRow {
  Time time;
  double value = 0.0;
  size_t line = 0;
};
using TimeValueRows = std::vector<TimeValueRow>;

// "<source>:<line>: column '<column>': <message>", the form of every row error (callers use it for
// errors they find after reading, such as a value out of range once scaled).
std::string csv_row_error(const std::string& source, size_t line, const std::string& column,
                          const std::string& message);

// Reads the file at `path`: the rows, or the first error.
std::variant<TimeValueRows, std::string> read_time_value_csv(const std::string& path,
                                                             const TimeValueCsvSpec& spec);
// Reads text from `in`, naming it `source` in errors.
std::variant<TimeValueRows, std::string> read_time_value_csv(std::istream& in, const std::string& source,
                                                             const TimeValueCsvSpec& spec);

}  // namespace liqsim
