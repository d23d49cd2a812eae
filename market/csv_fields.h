// The plain CSV field handling under the time/value reader (market/time_value_csv) of the replay loaders:
// comma-separated fields, surrounding blanks and double quotes trimmed; quoted fields containing commas
// are not supported (market data exports do not use them).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace liqsim {

// `s` without leading and trailing blanks, double quotes and a trailing carriage return.
std::string_view csv_trim(std::string_view s);
// The trimmed fields of one line.
std::vector<std::string_view> csv_split_fields(std::string_view line);
// A finite number written in full (std::from_chars: no leading '+', no trailing text), or nothing.
std::optional<double> csv_parse_number(std::string_view s);

}  // namespace liqsim
