// The vocabulary of the scenario schema: ranges, fixed-point units, text rules and the formatting of
// numbers and strings, shared by every spec's description (scenario_schema.h, margin_models.h). Internal to
// experiments/; toml++ does not appear here.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/units.h"

namespace liqsim::schema {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Upper bounds that scenario.h leaves open are capped so every value converts to the fixed-point types
// of core/units.h without overflow (Time: int64 ns; Amount, Price: int64 micro-dollars; Quantity:
// int64 1e-8 coins).
constexpr double kMaxSeconds = 3.2e7;
constexpr double kMaxDollars = 1e12;
constexpr double kMaxCoins = 1e9;
constexpr double kMaxRate = 1e6;
// Largest order or entry notional at the initial price; with model prices bounded to 1e3 times their
// initial value and limit prices to 10 x the index (the venue's price band), notionals stay below the
// $9.2e12 an Amount holds.
constexpr double kMaxOrderNotional = 1e8;
constexpr double kMaxInitialPrice = 1e7;
constexpr int64_t kMaxSeed = std::numeric_limits<int64_t>::max();  // TOML integers are int64
// Shortest period of any periodic process (record, price step, index, mark, samples, oracle heartbeat,
// blocks, requotes): 1 ms. Shorter ones would round to few nanoseconds and make runs that never end;
// the event budget ([limits]) bounds what remains.
constexpr double kMinInterval = 0.001;
// Scenario files are small; anything larger is a mistake (a device, a data file).
constexpr size_t kMaxScenarioBytes = 4 * 1024 * 1024;

// The fixed-point unit a number is converted to when the run is built (core/units.h). The validator
// checks the converted value: a positive value that rounds to 0 is refused.
enum class Unit { None, Seconds, Dollars, Coins, Fraction };

// (fixed-point units per 1, the smallest representable step as text)
inline std::pair<double, std::string> unit_scale(Unit unit) {
  switch (unit) {
    case Unit::Seconds:
      return {double(kNanosPerSecond), "1 ns (0.000000001 s)"};
    case Unit::Dollars:
      return {double(kAmountScale), "$0.000001"};
    case Unit::Coins:
      return {double(kQuantityScale), "0.00000001 coins"};
    case Unit::Fraction:
      return {double(kRatioScale), "0.000000001"};
    case Unit::None:
      break;
  }
  return {1.0, "1"};
}

// Shortest text that parses back to exactly `x`; plain decimals unless the magnitude is extreme.
inline std::string format_number(double x) {
  char buf[512];
  const double magnitude = std::fabs(x);
  const bool plain = x == 0 || (magnitude >= 1e-6 && magnitude < 1e16);
  auto result = plain ? std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed)
                      : std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, result.ptr);
}

// A TOML float literal that parses back to exactly `x`.
inline std::string toml_float(double x) {
  std::string s = format_number(x);
  if (s.find_first_of(".eEni") == std::string::npos) s += ".0";
  return s;
}

inline std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

inline std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

inline std::string dotted(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

inline std::string indexed(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

// An interval of allowed values; infinite bounds are open-ended. NaN and infinities are never allowed.
struct Range {
  double lo = -kInf;
  double hi = kInf;
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double x) const {
    if (!std::isfinite(x)) return false;
    return (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
  }
  std::string text() const {
    if (hi == kInf) return (lo_open ? "> " : ">= ") + format_number(lo);
    return (lo_open ? "(" : "[") + format_number(lo) + ", " + format_number(hi) + (hi_open ? ")" : "]");
  }
};

constexpr Range closed(double lo, double hi) { return {lo, hi, false, false}; }
constexpr Range open(double lo, double hi) { return {lo, hi, true, true}; }
constexpr Range open_closed(double lo, double hi) { return {lo, hi, true, false}; }
constexpr Range closed_open(double lo, double hi) { return {lo, hi, false, true}; }
constexpr Range at_least(double lo) { return {lo, kInf, false, false}; }
constexpr Range above(double lo) { return {lo, kInf, true, false}; }

struct TextRule {
  std::vector<std::string_view> choices;  // empty: any text allowed (subject to non_empty)
  bool non_empty = false;

  bool accepts(const std::string& s) const {
    if (!choices.empty()) return std::find(choices.begin(), choices.end(), s) != choices.end();
    return !non_empty || !s.empty();
  }
  std::string text() const {
    if (choices.empty()) return non_empty ? "a non-empty string" : "a string";
    std::vector<std::string> quoted;
    for (std::string_view c : choices) quoted.push_back(quote(c));
    return join(quoted, " | ");
  }
};

inline TextRule any_text() { return {}; }
inline TextRule non_empty_text() { return {{}, true}; }
inline TextRule one_of(std::initializer_list<std::string_view> choices) { return {choices, false}; }
inline std::string integer_range_text(int64_t lo, int64_t hi) {
  return "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

enum class Presence { Optional, Required };

}  // namespace liqsim::schema
