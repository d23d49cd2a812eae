// Test helpers for the Maker modules: exact fixed-point literals in dss units and readable gtest output.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/maker_math.h"

namespace liqsim::maker {

// gtest prints a Uint256 as its decimal integer.
inline void PrintTo(const Uint256& x, std::ostream* os) { *os << x.to_string(); }

namespace testing_units {

// An exact decimal ("17.6") at `digits` decimals: fixed("1.25", 27) == 1.25 RAY.
inline Uint256 fixed(std::string_view decimal, int digits) {
  const size_t point = decimal.find('.');
  std::string whole(decimal.substr(0, point));
  std::string fraction = point == std::string_view::npos ? "" : std::string(decimal.substr(point + 1));
  if (int(fraction.size()) > digits) throw std::invalid_argument("fixed: more decimals than the scale");
  fraction.append(size_t(digits) - fraction.size(), '0');
  const std::string digits_text = whole + fraction;
  const size_t first = digits_text.find_first_not_of('0');
  return Uint256::from_string(first == std::string::npos ? "0" : digits_text.substr(first));
}
inline Uint256 wad(std::string_view decimal) { return fixed(decimal, 18); }
inline Uint256 ray(std::string_view decimal) { return fixed(decimal, 27); }
inline Uint256 rad(std::string_view decimal) { return fixed(decimal, 45); }

// The refusal of a result that may be refused; nullopt when it was accepted.
template <class Accepted, class Refusal>
std::optional<Refusal> refusal_of(const std::variant<Accepted, Refusal>& result) {
  if (const Refusal* refusal = std::get_if<Refusal>(&result)) return *refusal;
  return std::nullopt;
}

// The accepted value of a result; a failed expectation (and a default value) when it was refused.
template <class Accepted, class Refusal>
Accepted accepted(const std::variant<Accepted, Refusal>& result) {
  EXPECT_TRUE(std::holds_alternative<Accepted>(result)) << "refused";
  return std::holds_alternative<Accepted>(result) ? std::get<Accepted>(result) : Accepted{};
}

}  // namespace testing_units
}  // namespace liqsim::maker
