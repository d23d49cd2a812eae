#include "experiments/scenario_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "agents/leveraged_trader.h"
#include "agents/liquidity_provider.h"
#include "core/recorder.h"
#include "core/units.h"
#include "experiments/presets.h"
#include "experiments/scenario_paths.h"
#include "experiments/scenario_schema.h"
#include "market/concentrated_pool.h"
#include "market/oracle.h"
#include "market/price_process.h"
#include "protocol/gas_price_path.h"
#include "protocol/vol_surface.h"

namespace liqsim {
namespace {

using namespace schema;

// ---- Reading TOML ----

// A lexical pre-pass over the text before toml++ sees it. It refuses, with line and column, inputs
// that are not valid TOML and on which toml++ 3.3 reaches an internal assertion or unreachable code
// (found by fuzzing): bytes that are not UTF-8, non-ASCII characters outside strings and comments
// (TOML 1.0 keys are ASCII), and a table header that is not closed on its own line.
std::optional<ScenarioError> precheck_toml(std::string_view text) {
  int line = 1;
  int column = 1;
  const auto error = [&](std::string problem) {
    ScenarioError e;
    e.problem = "TOML syntax error: " + std::move(problem);
    e.line = line;
    e.column = column;
    return e;
  };
  const auto byte = [&](size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
  // Length of the UTF-8 sequence at i, or 0 when it is malformed (overlong, surrogate, > U+10FFFF).
  const auto utf8_length = [&](size_t i) -> size_t {
    const unsigned b0 = byte(i);
    if (b0 < 0x80) return 1;
    const auto continuation = [&](size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
    if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(i + 1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
      const unsigned b1 = byte(i + 1);
      if (!continuation(i + 1) || !continuation(i + 2)) return 0;
      if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
      if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
      return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
      const unsigned b1 = byte(i + 1);
      if (!continuation(i + 1) || !continuation(i + 2) || !continuation(i + 3)) return 0;
      if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
      if (b0 == 0xF4 && b1 >= 0x90) return 0;  // above U+10FFFF
      return 4;
    }
    return 0;
  };
  enum class Where { Code, Comment, BasicString, LiteralString, MultiBasic, MultiLiteral, Header };
  Where where = Where::Code;
  int depth = 0;           // open [ and { of a value
  bool line_start = true;  // only whitespace so far on this line, outside any value
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a byte-order mark
  while (i < text.size()) {
    const char c = text[i];
    const unsigned u = byte(i);
    const size_t length = utf8_length(i);
    if (length == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%02X", u);
      return error("byte 0x" + std::string(hex) + " is not valid UTF-8");
    }
    if (u >= 0x80 && (where == Where::Code || where == Where::Header)) {
      return error("non-ASCII character '" + std::string(text.substr(i, length)) +
                   "' outside a string or comment");
    }
    const auto starts = [&](std::string_view token) { return text.substr(i, token.size()) == token; };
    size_t advance = length;
    switch (where) {
      case Where::Code:
        if (c == '#') {
          where = Where::Comment;
        } else if (starts(R"(""")")) {
          where = Where::MultiBasic;
          advance = 3;
        } else if (starts("'''")) {
          where = Where::MultiLiteral;
          advance = 3;
        } else if (c == '"') {
          where = Where::BasicString;
        } else if (c == '\'') {
          where = Where::LiteralString;
        } else if (c == '[' && depth == 0 && line_start) {
          const size_t end = text.find('\n', i);
          const std::string_view rest =
              end == std::string_view::npos ? text.substr(i) : text.substr(i, end - i);
          if (rest.find(']') == std::string_view::npos) return error("table header not closed on its line");
          where = Where::Header;
        } else if (c == '[' || c == '{') {
          ++depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
          --depth;
        }
        break;
      case Where::Header:
      case Where::Comment:
        if (c == '\n') where = Where::Code;
        break;
      case Where::BasicString:
        if (c == '\\' && byte(i + 1) != '\n' && i + 1 < text.size()) {
          advance = 2;
        } else if (c == '"' || c == '\n') {
          where = Where::Code;
        }
        break;
      case Where::LiteralString:
        if (c == '\'' || c == '\n') where = Where::Code;
        break;
      case Where::MultiBasic:
        if (c == '\\' && byte(i + 1) != '\n' && i + 1 < text.size()) {
          advance = 2;
        } else if (starts(R"(""")")) {
          where = Where::Code;
          advance = 3;
        }
        break;
      case Where::MultiLiteral:
        if (starts("'''")) {
          where = Where::Code;
          advance = 3;
        }
        break;
    }
    for (size_t k = 0; k < advance && i < text.size(); ++k, ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
        if (where == Where::Code && depth == 0) line_start = true;
      } else {
        if ((byte(i) & 0xC0u) != 0x80u) ++column;
        if (where != Where::Code || (text[i] != ' ' && text[i] != '\t' && text[i] != '\r'))
          line_start = false;
      }
    }
  }
  return std::nullopt;
}

struct LoadState {
  std::vector<ScenarioError> errors;
  std::map<std::string, toml::source_position> positions;  // dotted key -> where its value was given
  std::set<std::string> suppressed;  // keys whose value could not be read: their defaults are not judged
};

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    default:
      return "none";
  }
}

// A value as the user wrote it, for messages; long values are shortened. Arrays are rendered here
// (toml++'s own formatter overflows a float cast on some values under UBSan).
std::string render(const toml::node& n) {
  constexpr size_t kMaxShown = 60;
  std::string text;
  if (const auto* s = n.as_string()) {
    text = quote(s->get());
  } else if (const auto* i = n.as_integer()) {
    text = std::to_string(i->get());
  } else if (const auto* f = n.as_floating_point()) {
    text = toml_float(f->get());
  } else if (const auto* b = n.as_boolean()) {
    text = b->get() ? "true" : "false";
  } else if (n.is_table()) {
    text = "{...}";
  } else if (const auto* array = n.as_array()) {
    text = "[";
    for (size_t k = 0; k < array->size() && text.size() <= kMaxShown; ++k) {
      text += (k > 0 ? ", " : "") + render(*array->get(k));
    }
    text += "]";
  } else {
    std::ostringstream out;
    n.visit([&](const auto& x) { out << x; });
    text = out.str();
  }
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown - 3) + "...";
  return text;
}

class Reader {
 public:
  Reader(const toml::table& table, std::string path, LoadState& state)
      : table_(table), path_(std::move(path)), state_(state) {}

  void number(std::string_view key, double& x, const Range& range, Unit = Unit::None,
              Presence presence = Presence::Optional) {
    const toml::node* n = find(key, presence);
    if (n == nullptr) return;
    if (const auto* f = n->as_floating_point()) {
      x = f->get();
    } else if (const auto* i = n->as_integer()) {
      x = static_cast<double>(i->get());
    } else {
      wrong_type(key, *n, "a number in " + range.text());
    }
  }

  template <class Int>
  void integer(std::string_view key, Int& x, int64_t lo, int64_t hi, Presence presence = Presence::Optional) {
    const toml::node* n = find(key, presence);
    if (n == nullptr) return;
    const auto* i = n->as_integer();
    if (i == nullptr) {
      wrong_type(key, *n, integer_range_text(lo, hi));
    } else if (i->get() < lo || i->get() > hi) {
      // Checked here: the value may not fit the field.
      add(dotted(path_, key), *n, "out of range", integer_range_text(lo, hi));
    } else {
      x = static_cast<Int>(i->get());
    }
  }

  void text(std::string_view key, std::string& x, const TextRule& rule) {
    const toml::node* n = find(key, Presence::Optional);
    if (n == nullptr) return;
    if (const auto* s = n->as_string()) {
      x = s->get();
    } else {
      wrong_type(key, *n, rule.text());
    }
  }

  void flag(std::string_view key, bool& x) {
    const toml::node* n = find(key, Presence::Optional);
    if (n == nullptr) return;
    if (const auto* b = n->as_boolean()) {
      x = b->get();
    } else {
      wrong_type(key, *n, "true | false");
    }
  }

  void numbers(std::string_view key, std::vector<double>& x, const Range& range) {
    const toml::node* n = find(key, Presence::Optional);
    if (n == nullptr) return;
    const auto* array = n->as_array();
    if (array == nullptr) {
      wrong_type(key, *n, "an array of numbers in " + range.text());
      return;
    }
    std::vector<double> values;
    bool ok = true;
    for (size_t k = 0; k < array->size(); ++k) {
      const toml::node& element = *array->get(k);
      const std::string path = indexed(dotted(path_, key), k);
      state_.positions[path] = element.source().begin;
      if (const auto* f = element.as_floating_point()) {
        values.push_back(f->get());
      } else if (const auto* i = element.as_integer()) {
        values.push_back(static_cast<double>(i->get()));
      } else {
        add(path, element, "wrong type (" + type_name(element) + ")", "a number in " + range.text());
        ok = false;
      }
    }
    if (ok) {
      x = std::move(values);
    } else {
      state_.suppressed.insert(dotted(path_, key));
    }
  }

  template <class T>
  void table(std::string_view key, T& x) {
    const toml::node* n = find(key, Presence::Optional);
    if (n == nullptr) return;
    const auto* sub = n->as_table();
    if (sub == nullptr) {
      wrong_type(key, *n, "a table ([" + std::string(key) + "])");
      return;
    }
    Reader child(*sub, dotted(path_, key), state_);
    describe(child, x);
    child.finish();
  }

  template <class T>
  void tables(std::string_view key, std::vector<T>& x, const std::vector<T>& if_absent) {
    const toml::node* n = find(key, Presence::Optional);
    if (n == nullptr) {
      x = if_absent;
      return;
    }
    const auto* array = n->as_array();
    bool all_tables = array != nullptr;
    if (array != nullptr) {
      for (const toml::node& element : *array) all_tables = all_tables && element.is_table();
    }
    if (!all_tables) {
      wrong_type(key, *n, "an array of tables ([[...]])");
      x = if_absent;
      return;
    }
    x.clear();
    for (size_t k = 0; k < array->size(); ++k) {
      T element{};
      Reader child(*array->get(k)->as_table(), indexed(dotted(path_, key), k), state_);
      describe(child, element);
      child.finish();
      x.push_back(std::move(element));
    }
  }

  // Reports every key of the table that no describe() call asked for.
  void finish() {
    for (auto&& [key, node] : table_) {
      if (std::find(seen_.begin(), seen_.end(), key.str()) != seen_.end()) continue;
      ScenarioError e;
      e.key = dotted(path_, key.str());
      e.value = render(node);
      e.problem = "unknown key";
      e.allowed = join(seen_, ", ");
      e.line = static_cast<int>(key.source().begin.line);
      e.column = static_cast<int>(key.source().begin.column);
      state_.errors.push_back(std::move(e));
    }
  }

 private:
  const toml::node* find(std::string_view key, Presence presence) {
    seen_.emplace_back(key);
    const std::string path = dotted(path_, key);
    const toml::node* n = table_.get(key);
    if (n != nullptr) {
      state_.positions[path] = n->source().begin;
    } else if (presence == Presence::Required) {
      ScenarioError e;
      e.key = path;
      e.problem = "missing (required in every entry)";
      e.line = static_cast<int>(table_.source().begin.line);
      e.column = static_cast<int>(table_.source().begin.column);
      state_.errors.push_back(std::move(e));
      state_.suppressed.insert(path);
    }
    return n;
  }

  void wrong_type(std::string_view key, const toml::node& n, std::string allowed) {
    add(dotted(path_, key), n, "wrong type (" + type_name(n) + ")", std::move(allowed));
  }

  void add(const std::string& path, const toml::node& n, std::string problem, std::string allowed) {
    ScenarioError e;
    e.key = path;
    e.value = render(n);
    e.problem = std::move(problem);
    e.allowed = std::move(allowed);
    e.line = static_cast<int>(n.source().begin.line);
    e.column = static_cast<int>(n.source().begin.column);
    state_.errors.push_back(std::move(e));
    state_.suppressed.insert(path);
  }

  const toml::table& table_;
  std::string path_;
  LoadState& state_;
  std::vector<std::string> seen_;
};

// ---- Range and choice checks on a built Scenario ----

class Validator {
 public:
  Validator(std::string path, std::vector<ScenarioError>& errors) : path_(std::move(path)), errors_(errors) {}

  void number(std::string_view key, double& x, const Range& range, Unit unit = Unit::None,
              Presence = Presence::Optional) {
    if (!range.contains(x)) {
      add(dotted(path_, key), format_number(x), "out of range", range.text());
      return;
    }
    // What validates is what runs: a non-zero value must stay non-zero in the run's fixed point.
    if (unit == Unit::None || x == 0) return;
    const auto [scale, resolution] = unit_scale(unit);
    if (std::fabs(x) * scale < 0.5) {
      add(dotted(path_, key), format_number(x), "rounds to 0 at the run's resolution of " + resolution,
          (range.contains(0) ? "0 or at least " : "at least ") + resolution + " in " + range.text());
    }
  }

  template <class Int>
  void integer(std::string_view key, Int& x, int64_t lo, int64_t hi, Presence = Presence::Optional) {
    const auto wide = static_cast<__int128>(x);
    if (wide < lo || wide > hi) {
      add(dotted(path_, key), std::to_string(x), "out of range", integer_range_text(lo, hi));
    }
  }

  void text(std::string_view key, std::string& x, const TextRule& rule) {
    if (rule.accepts(x)) return;
    add(dotted(path_, key), quote(x), rule.choices.empty() ? "empty" : "not one of the choices", rule.text());
  }

  void flag(std::string_view, bool&) {}

  void numbers(std::string_view key, std::vector<double>& x, const Range& range) {
    for (size_t k = 0; k < x.size(); ++k) {
      if (!range.contains(x[k])) {
        add(indexed(dotted(path_, key), k), format_number(x[k]), "out of range", range.text());
      }
    }
  }

  template <class T>
  void table(std::string_view key, T& x) {
    Validator child(dotted(path_, key), errors_);
    describe(child, x);
  }

  template <class T>
  void tables(std::string_view key, std::vector<T>& x, const std::vector<T>& if_absent) {
    // Tables with a default (markets) need at least one; optional ones (hunters) may be absent.
    if (x.empty() && !if_absent.empty())
      add(dotted(path_, key), "[]", "empty", "at least one [[" + std::string(key) + "]] table");
    for (size_t k = 0; k < x.size(); ++k) {
      Validator child(indexed(dotted(path_, key), k), errors_);
      describe(child, x[k]);
    }
  }

 private:
  void add(std::string key, std::string value, std::string problem, std::string allowed) {
    errors_.push_back({std::move(key), std::move(value), std::move(allowed), std::move(problem)});
  }

  std::string path_;
  std::vector<ScenarioError>& errors_;
};

}  // namespace

int spot_venue_count(const Scenario& s) {
  int n = 0;
  for (const MarketSpec& m : s.markets) n += m.spot.venues;
  return n;
}

int64_t liquidity_providers(const Scenario& s) {
  int venues = spot_venue_count(s);
  if (s.liquidity.on_perpetual) venues += int(s.markets.size());
  return int64_t(s.liquidity.per_venue) * venues;
}

std::string spot_asset_symbol(const std::string& market_symbol) {
  const size_t dash = market_symbol.find('-');
  return dash == 0 || dash == std::string::npos ? market_symbol : market_symbol.substr(0, dash);
}

namespace {

// The largest value a distribution key can draw: its mean when "fixed" (not clipped), else its max.
double largest_draw(const DistributionSpec& d) { return d.kind == "fixed" ? d.mean : d.max; }

}  // namespace

std::vector<std::pair<std::string, double>> scenario_money(const Scenario& s) {
  return {{"noise.capital", s.noise.count * s.noise.capital},
          {"market_makers.capital", s.market_makers.count * s.market_makers.capital},
          {"keepers.capital", keeper_count(s) * s.keepers.capital},
          {"liquidity.capital", double(liquidity_providers(s)) * s.liquidity.capital},
          {"value_traders.capital", s.value_traders.count * s.value_traders.capital},
          {"arbitrageurs.capital", s.arbitrageurs.count * s.arbitrageurs.capital},
          {"traders.margin.max",
           s.traders.count * largest_draw(s.traders.margin) * (1 + s.traders.outside_capital)},
          {"liquidation.insurance_fund", s.liquidation.insurance_fund},
          {"options.maker_capital", s.options.enabled ? s.options.makers * s.options.maker_capital : 0.0},
          {"options.writer_capital",
           s.options.enabled ? s.options.writers * s.options.writer_capital * kOptionWriterCapitalCap : 0.0}};
}

namespace {

// The keeper chain's gas path ([liquidation.keeper.gas]): checked whatever the mechanism, as the chain is
// always built. Times are compared after their conversion to nanoseconds, as the run will use them.
// The replay file `key` names (`name`, required when `needed_when` holds), resolved against the scenario's
// folder: its path when it exists, else nothing, with the problem recorded.
std::optional<std::filesystem::path> existing_replay_file(const Scenario& s, const std::string& key,
                                                          const std::string& name,
                                                          const std::string& needed_when,
                                                          std::vector<ScenarioError>& errors) {
  if (name.empty()) {
    errors.push_back({key, quote(""), "the path of a CSV file, relative to the scenario file",
                      "required when " + needed_when});
    return std::nullopt;
  }
  const std::filesystem::path file = scenario_file_path(s.source_dir, name);
  std::error_code ec;
  if (std::filesystem::is_regular_file(file, ec)) return file;
  errors.push_back({key, quote(name), "an existing CSV file, relative to the scenario file's folder",
                    "file not found (looked for " +
                        std::filesystem::absolute(file, ec).lexically_normal().string() + ")"});
  return std::nullopt;
}

void check_gas_path(const Scenario& s, const std::set<std::string>& skip,
                    std::vector<ScenarioError>& errors) {
  const KeeperLiquidationSpec& keeper = s.liquidation.get<KeeperLiquidationSpec>();
  const GasPathSpec& gas = keeper.gas;
  const std::string p = "liquidation.keeper.gas";
  const auto add = [&](std::string key, double value, std::string problem, std::string allowed) {
    errors.push_back({std::move(key), format_number(value), std::move(allowed), std::move(problem)});
  };
  if (!gas.eth_price_market.empty()) {
    bool found = false;
    std::vector<std::string> symbols;
    for (const MarketSpec& market : s.markets) {
      found = found || market.symbol == gas.eth_price_market;
      symbols.push_back(quote(market.symbol));
    }
    if (!found) {
      errors.push_back({p + ".eth_price_market", quote(gas.eth_price_market),
                        "empty (eth_price) or a market's symbol: " + join(symbols, " | "), "no such market"});
    }
  }
  if (gas.path == "spike") {
    if (skip.count(p + ".spike_start_seconds") == 0 && gas.spike_start_seconds >= s.duration_seconds) {
      add(p + ".spike_start_seconds", gas.spike_start_seconds, "not before the end of the run",
          "[0, duration_seconds) = [0, " + format_number(s.duration_seconds) + ")");
    }
    if (skip.count(p + ".spike_ramp_seconds") == 0 && skip.count(p + ".spike_duration_seconds") == 0 &&
        time_from_seconds(gas.spike_ramp_seconds) * 2 > time_from_seconds(gas.spike_duration_seconds)) {
      add(p + ".spike_ramp_seconds", gas.spike_ramp_seconds, "longer than half the spike (a rise and a fall)",
          "[0, spike_duration_seconds / 2] = [0, " + format_number(gas.spike_duration_seconds / 2) + "]");
    }
    if (skip.count(p + ".spike_multiple") == 0 && skip.count("liquidation.keeper.gas_price") == 0 &&
        gas.spike_multiple * keeper.gas_price > kMaxDollars) {
      add(p + ".spike_multiple", gas.spike_multiple,
          "times liquidation.keeper.gas_price (" + format_number(keeper.gas_price) + ") is above $1e12",
          "at most " + format_number(kMaxDollars / keeper.gas_price));
    }
  }
  if (gas.path == "replay") {
    const auto file =
        existing_replay_file(s, p + ".replay_file", gas.replay_file, "path = \"replay\"", errors);
    if (file && !gas.time_column.empty() && !gas.price_column.empty() &&
        open_closed(0, 86400).contains(gas.time_unit_seconds)) {
      // Read and checked now, as the run will read it (protocol/gas_price_path).
      auto loaded = load_gas_price_csv(file->string(), gas.time_column, gas.price_column,
                                       gas.time_unit_seconds, gas_wei_per_unit(gas.price_unit));
      if (const auto* problem = std::get_if<std::string>(&loaded)) {
        errors.push_back({p + ".replay_file", quote(gas.replay_file),
                          "a CSV file with a header row, the time and gas price columns, strictly "
                          "increasing times and gas prices in [0, 1e7 gwei]",
                          *problem});
      }
    }
    if (gas.time_column.empty()) errors.push_back({p + ".time_column", quote(""), "a column name", "empty"});
    if (gas.price_column.empty())
      errors.push_back({p + ".price_column", quote(""), "a column name", "empty"});
  }
}

// An information set: comma-separated feeds an agent observes. Public feeds and the agent's own account
// are allowed; other accounts' state is private and refused; the agent's rule needs `required`.
void check_information(const std::string& key, const std::string& value,
                       std::initializer_list<std::string_view> required, std::vector<ScenarioError>& errors) {
  static constexpr std::array<std::string_view, 7> kPublic = {
      "mark", "index", "oracle", "open_interest", "book", "funding", "own_account"};
  static constexpr std::array<std::string_view, 6> kPrivate = {"accounts", "positions", "liquidation_prices",
                                                               "equity",   "orders",    "keepers"};
  const std::string allowed =
      "comma-separated public feeds: mark, index, oracle, open_interest, book, "
      "funding, own_account";
  std::vector<std::string> feeds;
  for (size_t start = 0; start <= value.size();) {
    const size_t comma = std::min(value.find(',', start), value.size());
    std::string feed = value.substr(start, comma - start);
    feed.erase(0, feed.find_first_not_of(' '));
    feed.erase(feed.find_last_not_of(' ') + 1);
    feeds.push_back(feed);
    start = comma + 1;
  }
  for (const std::string& feed : feeds) {
    if (std::find(kPrivate.begin(), kPrivate.end(), feed) != kPrivate.end()) {
      errors.push_back(
          {key, quote(value), allowed,
           "\"" + feed + "\" is other accounts' private state, which no strategic agent may read"});
    } else if (std::find(kPublic.begin(), kPublic.end(), feed) == kPublic.end()) {
      errors.push_back({key, quote(value), allowed, "\"" + feed + "\" is not a feed"});
    }
  }
  for (std::string_view need : required)
    if (std::find(feeds.begin(), feeds.end(), need) == feeds.end())
      errors.push_back({key, quote(value), allowed + ", with " + std::string(need),
                        "the rule reads " + std::string(need) + ", which the set leaves out"});
}

// Rules that relate several fields. `skip` holds keys whose values were not read (their defaults are
// placeholders), so rules over them would only add noise.
void check_cross_fields(const Scenario& s, const std::set<std::string>& skip,
                        std::vector<ScenarioError>& errors) {
  auto add = [&](std::string key, double value, std::string problem, std::string allowed) {
    errors.push_back({std::move(key), format_number(value), std::move(allowed), std::move(problem)});
  };

  if (s.measure_from_seconds >= s.duration_seconds) {
    add("measure_from_seconds", s.measure_from_seconds, "not before the end of the run",
        "[0, duration_seconds) = [0, " + format_number(s.duration_seconds) + ")");
  }

  if (s.record_interval_seconds > s.duration_seconds) {
    add("record_interval_seconds", s.record_interval_seconds, "longer than the run",
        "(0, duration_seconds] = (0, " + format_number(s.duration_seconds) + "]");
  }

  std::set<std::string> symbols;
  bool level_coins_reported = false;  // the ladder's size in coins is the same for every market
  for (size_t m = 0; m < s.markets.size(); ++m) {
    const MarketSpec& market = s.markets[m];
    const std::string p = indexed("markets", m);
    if (!symbols.insert(market.symbol).second) {
      errors.push_back(
          {p + ".symbol", quote(market.symbol), "a symbol no other market uses", "duplicate symbol"});
    }

    // Prices are integer micro-dollars in the simulation (core/units.h): the tick must be a whole
    // number of them and the initial price a whole number of ticks.
    if (open_closed(0, kMaxInitialPrice).contains(market.tick_size)) {
      const double tick_units = market.tick_size * kPriceScale;
      const double tick_rounded = std::round(tick_units);
      if (tick_rounded < 1 || std::fabs(tick_units - tick_rounded) > 1e-9 * tick_units) {
        add(p + ".tick_size", market.tick_size, "not a whole number of micro-dollars",
            "a positive multiple of 0.000001");
      } else if (open_closed(0, kMaxInitialPrice).contains(market.initial_price)) {
        const auto tick = static_cast<int64_t>(tick_rounded);
        const auto price = static_cast<int64_t>(std::round(market.initial_price * kPriceScale));
        if (price % tick != 0) {
          add(p + ".initial_price", market.initial_price, "not a multiple of tick_size",
              "a multiple of " + format_number(market.tick_size));
        }
      }
    }

    // Every order's notional must stay in range when model prices move up to 1e3-fold
    // (market/price_process): at the initial price an order is worth at most $1e8.
    // A liquidity provider's largest level (agents/liquidity_provider.h ladder_shape) is one order.
    double largest_level = 0;
    if (s.liquidity.per_venue > 0 && s.liquidity.levels >= 1 && s.liquidity.min_distance > 0 &&
        s.liquidity.max_distance > s.liquidity.min_distance &&
        (market.spot.venues > 0 || s.liquidity.on_perpetual)) {
      LiquidityParams lp;
      lp.depth_at_1pct = s.liquidity.depth_at_1pct;
      lp.depth_exponent = s.liquidity.depth_exponent;
      lp.min_distance = s.liquidity.min_distance;
      lp.max_distance = s.liquidity.max_distance;
      lp.levels = s.liquidity.levels;
      const LadderShape shape = ladder_shape(lp, s.liquidity.per_venue);
      largest_level = *std::max_element(shape.quantity.begin(), shape.quantity.end());
    }
    for (auto [key, size] :
         {std::pair<std::string, double>{"noise.order_size", s.noise.order_size},
          {"market_makers.level_size", s.market_makers.level_notional > 0 ? 0.0 : s.market_makers.level_size},
          {"value_traders.max_order", s.value_traders.count > 0 ? s.value_traders.max_order : 0.0},
          {"arbitrageurs.max_order", s.arbitrageurs.count > 0 ? s.arbitrageurs.max_order : 0.0}}) {
      if (skip.count(key) == 0 && skip.count(p + ".initial_price") == 0 &&
          size * market.initial_price > kMaxOrderNotional) {
        add(key, size,
            "worth more than $1e8 at " + p + ".initial_price (" + format_number(market.initial_price) + ")",
            "at most " + format_number(kMaxOrderNotional / market.initial_price) + " coins");
      }
    }

    // Dollar-sized makers: the coins of a level and of the inventory limit at this market's price.
    for (auto [key, coins] :
         {std::pair<std::string, double>{
              "market_makers.level_notional",
              s.market_makers.level_notional > 0 ? maker_level_coins(s.market_makers, market) : 0.0},
          {"market_makers.max_inventory_notional", s.market_makers.max_inventory_notional > 0
                                                       ? maker_max_inventory_coins(s.market_makers, market)
                                                       : 0.0}}) {
      if (skip.count(key) == 0 && skip.count(p + ".initial_price") == 0 && coins > kMaxCoins) {
        add(key,
            key == "market_makers.level_notional" ? s.market_makers.level_notional
                                                  : s.market_makers.max_inventory_notional,
            "is more than 1e9 coins at " + p + ".initial_price (" + format_number(market.initial_price) + ")",
            "at most " + format_number(kMaxCoins * market.initial_price) + " dollars");
      }
    }

    if (largest_level > kMaxCoins && skip.count("liquidity.depth_at_1pct") == 0) {
      // The ladder's depth grows as (distance / 1%)^depth_exponent: far levels can outgrow a quantity.
      if (!level_coins_reported)
        add("liquidity.depth_at_1pct", s.liquidity.depth_at_1pct,
            "its largest ladder level (" + format_number(largest_level) +
                " coins per provider, at max_distance " + format_number(s.liquidity.max_distance) +
                " with depth_exponent " + format_number(s.liquidity.depth_exponent) +
                ") is more than an order can hold",
            "at most " + format_number(s.liquidity.depth_at_1pct * kMaxCoins / largest_level) +
                " (a level of at most " + format_number(kMaxCoins) + " coins)");
      level_coins_reported = true;
    } else if (largest_level * market.initial_price > kMaxOrderNotional &&
               skip.count("liquidity.depth_at_1pct") == 0 && skip.count(p + ".initial_price") == 0) {
      // The largest level scales with depth_at_1pct.
      add("liquidity.depth_at_1pct", s.liquidity.depth_at_1pct,
          "its largest ladder level (" + format_number(largest_level) +
              " coins per provider) is worth more than $1e8 at " + p + ".initial_price (" +
              format_number(market.initial_price) + ")",
          "at most " + format_number(s.liquidity.depth_at_1pct * kMaxOrderNotional /
                                     (largest_level * market.initial_price)));
    }

    // Open interest in coins is an int64 of 1e-8 coins (core/units.h, about 9.2e10 coins): every trader
    // at the largest margin and leverage, entered at the lowest price it can enter at, must stay within
    // kMaxCoins: the initial price, or with open_at_start the look-back path's floor, initial_price /
    // kLookbackRange (agents/leveraged_trader.h).
    const double lowest_entry = market.initial_price / (s.traders.open_at_start ? kLookbackRange : 1.0);
    const double largest_open_interest = double(s.traders.count) * largest_draw(s.traders.margin) *
                                         largest_draw(s.traders.leverage) / lowest_entry;
    if (s.traders.count > 0 && largest_open_interest > kMaxCoins && skip.count("traders.count") == 0 &&
        skip.count("traders.margin.max") == 0 && skip.count("traders.leverage.max") == 0 &&
        skip.count(p + ".initial_price") == 0) {
      add("traders.count", double(s.traders.count),
          "with the largest margin x the largest leverage (max, or mean when fixed) = $" +
              format_number(largest_draw(s.traders.margin) * largest_draw(s.traders.leverage)) + " each at " +
              p + ".initial_price (" + format_number(market.initial_price) +
              (s.traders.open_at_start ? " (open at start: entries as low as 1/4 of it)" : "") +
              "), their open interest could reach " + format_number(largest_open_interest) + " coins",
          "at most " + format_number(kMaxCoins) +
              " coins of open interest (fewer traders, a lower margin or " +
              "leverage maximum, or a higher price)");
    }

    if (market.shock.enabled && market.shock.start_seconds >= s.duration_seconds) {
      add(p + ".shock.start_seconds", market.shock.start_seconds, "not before the end of the run",
          "[0, duration_seconds) = [0, " + format_number(s.duration_seconds) + ")");
    }

    if (market.price.model == "garch") {
      const PriceProcessSpec& price = market.price;
      // Bollerslev (1986): the unconditional variance omega / (1 - alpha - beta) exists only below 1.
      if (price.garch_alpha >= 0 && price.garch_beta >= 0 && price.garch_alpha + price.garch_beta >= 1) {
        add(p + ".price.garch_beta", price.garch_beta,
            "alpha + beta = " + format_number(price.garch_alpha + price.garch_beta) + " (no finite variance)",
            "below 1 - garch_alpha = " + format_number(1 - price.garch_alpha));
      }
      const double steps = price.garch_interval_seconds / price.step_seconds;
      if (price.step_seconds > 0 && (steps < 1 || std::fabs(steps - std::round(steps)) > 1e-9 * steps)) {
        add(p + ".price.garch_interval_seconds", price.garch_interval_seconds,
            "not a whole multiple of step_seconds", "a multiple of " + format_number(price.step_seconds));
      }
    }

    if (market.price.model == "replay") {
      const PriceProcessSpec& price = market.price;
      const auto file =
          existing_replay_file(s, p + ".price.replay_file", price.replay_file, "model = \"replay\"", errors);
      if (file && !price.time_column.empty() && !price.price_column.empty() &&
          open_closed(0, 86400).contains(price.time_unit_seconds) &&
          open_closed(0, kMaxInitialPrice).contains(market.initial_price)) {
        // Read and checked now, as the run will read it: columns present, numbers, times strictly
        // increasing at 1 ns, prices positive and representable (market/price_process).
        auto loaded = load_price_csv(
            file->string(), price.time_column, price.price_column, price.time_unit_seconds,
            price.rescale_to_initial ? std::optional<double>(market.initial_price) : std::nullopt);
        if (const auto* problem = std::get_if<std::string>(&loaded)) {
          errors.push_back({p + ".price.replay_file", quote(price.replay_file),
                            "a CSV file with a header row, the time and price columns, strictly "
                            "increasing times and positive prices",
                            *problem});
        }
      }
      if (price.time_column.empty()) {
        errors.push_back({p + ".price.time_column", quote(""), "a column name", "empty"});
      }
      if (price.price_column.empty()) {
        errors.push_back({p + ".price.price_column", quote(""), "a column name", "empty"});
      }
    }

    const IndexSpec& index = market.index;
    const bool spot_index = index.source == "spot_venues";
    if (spot_index && market.spot.venues == 0) {
      errors.push_back({p + ".index.source", quote(index.source),
                        "\"exogenous\", or \"spot_venues\" with " + p + ".spot.venues >= 1",
                        "an index over zero spot venues"});
    }
    const int aggregated = spot_index ? market.spot.venues : index.venues;
    if (!index.weights.empty() && index.weights.size() != static_cast<size_t>(aggregated)) {
      std::vector<std::string> weights;
      for (size_t k = 0; k < std::min<size_t>(index.weights.size(), 8); ++k)
        weights.push_back(format_number(index.weights[k]));
      if (index.weights.size() > 8)
        weights.push_back("... (" + std::to_string(index.weights.size()) + " numbers)");
      errors.push_back({p + ".index.weights", "[" + join(weights, ", ") + "]",
                        "empty (equal weights) or exactly " + std::to_string(aggregated) +
                            " positive numbers (one per " + (spot_index ? "spot venue" : "venue") + ")",
                        std::to_string(index.weights.size()) + " weights for " + std::to_string(aggregated) +
                            (spot_index ? " spot venues" : " venues")});
    }
    if (market.spot.venues > 0) {
      for (size_t o = 0; o < m; ++o) {
        if (s.markets[o].spot.venues > 0 &&
            spot_asset_symbol(s.markets[o].symbol) == spot_asset_symbol(market.symbol)) {
          errors.push_back({p + ".symbol", quote(market.symbol),
                            "a symbol whose base (the part before '-') differs from every other market "
                            "with spot venues",
                            "markets " + std::to_string(o) + " and " + std::to_string(m) +
                                " would both trade the spot asset " + spot_asset_symbol(market.symbol)});
        }
      }
    }

    // A replayed oracle: the file is read and checked now, as the run will read it; the recorded values
    // are the visible ones, so no delay applies on top.
    if (market.oracle.source == "replay") {
      const OracleSpec& oracle = market.oracle;
      const auto file = existing_replay_file(s, p + ".oracle.replay_file", oracle.replay_file,
                                             "source = \"replay\"", errors);
      if (file && open_closed(0, 86400).contains(oracle.time_unit_seconds)) {
        auto loaded = load_oracle_csv(file->string(), oracle.time_column, oracle.price_column,
                                      oracle.time_unit_seconds);
        if (const auto* problem = std::get_if<std::string>(&loaded)) {
          errors.push_back({p + ".oracle.replay_file", quote(oracle.replay_file),
                            "a CSV file with a header row, the time and price columns, strictly increasing "
                            "times and positive prices",
                            *problem});
        }
      }
      if (oracle.delay_seconds != 0) {
        add(p + ".oracle.delay_seconds", oracle.delay_seconds,
            "a delay on top of a replayed oracle (its recorded values are the ones the protocol could use)",
            "0 with source = \"replay\"");
      }
    }

    // The AMM pool's reserves are ledger amounts: both positive, the quote reserve within an Amount.
    if (market.amm.reserve > 0) {
      const double quote_reserve = market.amm.reserve * market.initial_price;
      if (quote_reserve > kMaxDollars) {
        add(p + ".amm.reserve", market.amm.reserve,
            "times initial_price (" + format_number(market.initial_price) + ") is a quote reserve of $" +
                format_number(quote_reserve),
            "<= " + format_number(kMaxDollars / market.initial_price) + " coins (a quote reserve <= $1e12)");
      } else if (quote_reserve < 1 || market.amm.reserve < 1e-6) {
        add(p + ".amm.reserve", market.amm.reserve,
            "would start a pool with less than $1 or 1e-6 coins of reserve",
            "0 (no pool), or >= 1e-6 coins worth >= $1 at initial_price");
      } else if (market.amm.kind == "concentrated") {
        // Uniswap v3 takes its fee in whole pips (1e-6) and mints a position only with liquidity > 0.
        const double pips = market.amm.fee * 1e6;
        if (std::abs(pips - std::round(pips)) > 1e-6) {
          add(p + ".amm.fee", market.amm.fee, "is not a whole number of pips (1e-6) for a concentrated pool",
              "a multiple of 0.000001 (Uniswap v3's fee tiers: 0.0001, 0.0005, 0.003, 0.01)");
        } else if (price_from_double(market.initial_price * market.amm.range_low).raw() <= 0) {
          add(p + ".amm.range_low", market.amm.range_low,
              "puts the range's lower bound below $0.000001 at initial_price " +
                  format_number(market.initial_price),
              ">= " + format_number(1e-6 / market.initial_price) + " (a lower bound of at least $0.000001)");
        } else if (price_from_double(market.initial_price * market.amm.range_high) <=
                   price_from_double(market.initial_price * market.amm.range_low)) {
          add(p + ".amm.range_high", market.amm.range_high,
              "gives the same $ bound as range_low at initial_price " + format_number(market.initial_price) +
                  " (prices are whole micro-dollars)",
              "a range at least $0.000001 wide");
        } else if (skip.count(p + ".amm.range_low") == 0 && skip.count(p + ".amm.range_high") == 0 &&
                   skip.count(p + ".amm.tick_spacing") == 0) {
          const Price p0 = price_from_double(market.initial_price);
          const ConcentratedPosition position = ConcentratedLiquidityPool::position_for(
              p0, market.amm.tick_spacing, price_from_double(market.initial_price * market.amm.range_low),
              price_from_double(market.initial_price * market.amm.range_high),
              quantity_from_double(market.amm.reserve),
              notional(p0, quantity_from_double(market.amm.reserve), Round::Down));
          if (position.liquidity == 0) {
            add(p + ".amm.reserve", market.amm.reserve,
                "mints no liquidity over the concentrated range (the budget is too small for it)",
                "a larger reserve or a narrower range");
          }
        }
      }
    } else if (s.keepers.unwind_venue == "amm" && keeper_count(s) > 0 &&
               skip.count("keepers.unwind_venue") == 0) {
      add(p + ".amm.reserve", market.amm.reserve, "no pool for keepers.unwind_venue = \"amm\" to sell into",
          "> 0 on every market when keepers unwind on the AMM");
    }

    if (market.mark.basis_window_seconds < market.mark.basis_sample_interval_seconds) {
      add(p + ".mark.basis_window_seconds", market.mark.basis_window_seconds,
          "shorter than the basis sample interval",
          ">= basis_sample_interval_seconds (" + format_number(market.mark.basis_sample_interval_seconds) +
              ")");
    }
    if (market.funding.premium_sample_interval_seconds > market.funding.interval_seconds) {
      add(p + ".funding.premium_sample_interval_seconds", market.funding.premium_sample_interval_seconds,
          "longer than the funding interval",
          "(0, interval_seconds] = (0, " + format_number(market.funding.interval_seconds) + "]");
    }

    check_margin_model(market.margin, p + ".margin", skip, errors);
  }

  // The keeper's bonus must be payable out of the equity of an account at its liquidation point, where
  // equity = maintenance margin >= notional x the lowest maintenance rate (MarginModel::
  // min_maintenance_rate: with tiered brackets the first tier's rate binds, every larger position
  // holds at least that share). The perp form of Aave v3's liquidationThreshold x liquidationBonus <=
  // 100% (PoolConfigurator.configureReserveAsCollateral: "at the moment a loan is taken there is enough
  // collateral available to cover the liquidation bonus"); Drift requires margin_ratio_maintenance >
  // liquidator_fee (validation/margin.rs validate_margin). Judged only for markets whose margin keys are
  // otherwise valid.
  if (s.liquidation.mechanism == KeeperLiquidationSpec::kName &&
      skip.count("liquidation.keeper.bonus") == 0) {
    const double bonus = s.liquidation.get<KeeperLiquidationSpec>().bonus;
    std::optional<std::pair<Ratio, size_t>> lowest;
    for (size_t m = 0; m < s.markets.size(); ++m) {
      const std::string p = indexed("markets", m);
      const auto under_margin = [&](const std::string& key) {
        return key.rfind(p + ".margin", 0) == 0 || key.rfind(p + ".brackets", 0) == 0;
      };
      if (std::any_of(skip.begin(), skip.end(), under_margin) ||
          std::any_of(errors.begin(), errors.end(),
                      [&](const ScenarioError& e) { return under_margin(e.key); }))
        continue;
      const std::optional<Ratio> rate = min_maintenance_rate(s.markets[m].margin);
      if (rate && (!lowest || *rate < lowest->first)) lowest = std::make_pair(*rate, m);
    }
    if (lowest && closed_open(0, 0.5).contains(bonus) && ratio_from_double(bonus) > lowest->first) {
      const std::string rate = format_number(to_double(lowest->first));
      add("liquidation.keeper.bonus", bonus,
          "above the lowest maintenance margin rate of " + indexed("markets", lowest->second) + " (" +
              s.markets[lowest->second].margin.model + ": " + rate +
              "): an account liquidated at its maintenance margin could not pay the bonus, the insurance "
              "fund and bad debt would",
          "[0, " + rate +
              "]: at most the lowest maintenance margin rate of every market's margin model (Aave v3: "
              "liquidation threshold x bonus <= 100%)");
    }
  }

  // Maker's own rules on auction parameters (the governance bounds of DssExecLib and the contracts'
  // checks), judged whatever the mechanism (a sweep may switch it).
  {
    const MakerClipSpec& clip = s.liquidation.get<MakerClipSpec>();
    const std::string p = "liquidation.maker_clip";
    if (skip.count(p + ".dust") == 0 && skip.count(p + ".hole") == 0 && clip.dust > clip.hole) {
      add(p + ".dust", clip.dust,
          "above hole (" + format_number(clip.hole) + "): no auction of a whole vault would fit the limit",
          "[0, hole]: DssExecLib keeps hole >= dust (setIlkMaxLiquidationAmount)");
    }
    if (clip.curve == "stairstep" && skip.count(p + ".tail_seconds") == 0 &&
        skip.count(p + ".step_seconds") == 0 && clip.tail_seconds < clip.step_seconds) {
      add(p + ".tail_seconds", clip.tail_seconds,
          "shorter than one step of the stairstep curve (step_seconds = " + format_number(clip.step_seconds) +
              "): every sale would need a redo before its price first drops",
          ">= step_seconds");
    }
    const MakerFlipSpec& flip = s.liquidation.get<MakerFlipSpec>();
    const std::string f = "liquidation.maker_flip";
    if (skip.count(f + ".tau_seconds") == 0 && skip.count(f + ".ttl_seconds") == 0 &&
        flip.tau_seconds < flip.ttl_seconds) {
      add(f + ".tau_seconds", flip.tau_seconds,
          "shorter than a bid's lifetime ttl_seconds (" + format_number(flip.ttl_seconds) + ")",
          ">= ttl_seconds (flip.sol: ttl 3 h, tau 2 days)");
    }
    for (const auto& [table, flop] :
         {std::pair{p + ".flop", &clip.flop}, std::pair{f + ".flop", &flip.flop}}) {
      if (skip.count(table + ".tau_seconds") == 0 && skip.count(table + ".ttl_seconds") == 0 &&
          flop->tau_seconds < flop->ttl_seconds) {
        add(table + ".tau_seconds", flop->tau_seconds,
            "shorter than a bid's lifetime ttl_seconds (" + format_number(flop->ttl_seconds) + ")",
            ">= ttl_seconds (flop.sol: ttl 3 h, tau 2 days)");
      }
    }
  }
  // dYdX's sequence steps once per block: the block time (cooldown_seconds) must be positive.
  {
    const EngineLiquidationSpec& engine = s.liquidation.get<EngineLiquidationSpec>();
    const std::string key = "liquidation.engine.cooldown_seconds";
    if (engine.sequence == "dydx" && skip.count(key) == 0 && skip.count("liquidation.engine.sequence") == 0 &&
        engine.cooldown_seconds < kMinInterval) {
      add(key, engine.cooldown_seconds,
          "is the block time of the dydx sequence (one liquidation order per account and block): a block "
          "of 0 s would liquidate a position in unbounded steps at one instant",
          ">= " + format_number(kMinInterval) + " with sequence = \"dydx\" (dYdX v4 blocks: about 1 s)");
    }
  }
  // Synthetix: PerpsV2MarketSettings.setMinKeeperFee / setMaxKeeperFee require min <= max.
  {
    const SynthetixSpec& snx = s.liquidation.get<SynthetixSpec>();
    const std::string key = "liquidation.synthetix.min_keeper_fee";
    if (skip.count(key) == 0 && skip.count("liquidation.synthetix.max_keeper_fee") == 0 &&
        snx.min_keeper_fee > snx.max_keeper_fee) {
      add(key, snx.min_keeper_fee, "above max_keeper_fee (" + format_number(snx.max_keeper_fee) + ")",
          "<= max_keeper_fee (PerpsV2MarketSettings: min keeper fee <= max keeper fee)");
    }
  }
  // Drift: handle_update_perp_liquidation_fee requires liquidator_fee + if_liquidation_fee < 100%; the
  // escalating fee's cap is not below the base fee (get_liquidation_fee caps at it).
  {
    const DriftSpec& drift = s.liquidation.get<DriftSpec>();
    const std::string key = "liquidation.drift.if_liquidation_fee";
    if (skip.count(key) == 0 && skip.count("liquidation.drift.liquidator_fee") == 0 &&
        drift_validate_perp_liquidation_fees(std::llround(drift.liquidator_fee * 1e6),
                                             std::llround(drift.if_liquidation_fee * 1e6))) {
      add(key, drift.if_liquidation_fee,
          "plus liquidator_fee (" + format_number(drift.liquidator_fee) + ") is not below 1",
          "< 1 - liquidator_fee (Drift handle_update_perp_liquidation_fee: the fees below 100%)");
    }
    const std::string cap = "liquidation.drift.max_liquidator_fee";
    if (skip.count(cap) == 0 && skip.count("liquidation.drift.liquidator_fee") == 0 &&
        drift.max_liquidator_fee < drift.liquidator_fee) {
      add(cap, drift.max_liquidator_fee, "below liquidator_fee (" + format_number(drift.liquidator_fee) + ")",
          ">= liquidator_fee (the cap of the fee that grows from it)");
    }
  }
  // Comet's configuration rules (CometMainInterface / Comet.sol constructor, getPackedAssetInternal):
  // borrowCollateralFactor < liquidateCollateralFactor (BorrowCFTooLarge). With the `collateral_ratio`
  // model, borrowCF = 1 / initial_ratio and liquidateCF = 1 / liquidation_ratio.
  if (s.liquidation.mechanism == CompoundV3Spec::kName) {
    for (size_t i = 0; i < s.markets.size(); ++i) {
      const MarginSpec& margin = s.markets[i].margin;
      if (margin.model != CollateralRatioMarginSpec::kModel) continue;
      const CollateralRatioMarginSpec& cr = margin.get<CollateralRatioMarginSpec>();
      const std::string key = indexed("markets", i) + ".margin.initial_ratio";
      if (skip.count(key) == 0 &&
          ratio_from_double(cr.initial_ratio) <= ratio_from_double(cr.liquidation_ratio)) {
        add(key, cr.initial_ratio,
            "not above liquidation_ratio (" + format_number(cr.liquidation_ratio) +
                "): Comet's borrow collateral factor (1 / initial_ratio) would not be below its liquidate "
                "collateral factor (1 / liquidation_ratio)",
            "> liquidation_ratio with compound_v3 (Comet reverts BorrowCFTooLarge; cUSDCv3 WETH: borrowCF "
            "0.82, "
            "liquidateCF 0.90)");
      }
    }
  }
  // Keepers pricing the unwind at the book sell into the book.
  if (s.keepers.unwind_valuation == "book" && s.keepers.unwind_venue != "book" &&
      skip.count("keepers.unwind_valuation") == 0 && skip.count("keepers.unwind_venue") == 0)
    errors.push_back(
        {"keepers.unwind_valuation", quote(s.keepers.unwind_valuation),
         "\"mark\", or \"book\" with keepers.unwind_venue = \"book\"",
         "the book valuation walks the order book the keeper sells into, and keepers.unwind_venue "
         "is " +
             quote(s.keepers.unwind_venue)});
  // Flash-loan keepers sell what they receive on their unwind venue in the same transaction, and the run
  // checks the sale against the mechanism's quote: the mechanisms whose quote is what they execute.
  if (s.keepers.flash_loan && skip.count("keepers.flash_loan") == 0) {
    if (s.liquidation.mechanism != KeeperLiquidationSpec::kName &&
        s.liquidation.mechanism != AaveV3Spec::kName && skip.count("liquidation.mechanism") == 0)
      errors.push_back(
          {"keepers.flash_loan", "true",
           "liquidation.mechanism = \"keeper\" or \"aave_v3\" with flash_loan = true",
           "flash-loan liquidations are modelled for keeper take-overs and Aave's liquidationCall, "
           "and liquidation.mechanism is " +
               quote(s.liquidation.mechanism)});
  }
  // A keeper group's flash loans, as keepers.flash_loan.
  for (size_t g = 0; g < s.keeper_groups.size(); ++g) {
    const std::string key = indexed("keeper_groups", g) + ".flash_loan";
    if (s.keeper_groups[g].flash_loan && skip.count(key) == 0 &&
        s.liquidation.mechanism != KeeperLiquidationSpec::kName &&
        s.liquidation.mechanism != AaveV3Spec::kName && skip.count("liquidation.mechanism") == 0)
      errors.push_back(
          {key, "true", "liquidation.mechanism = \"keeper\" or \"aave_v3\" with flash_loan = true",
           "flash-loan liquidations are modelled for keeper take-overs and Aave's liquidationCall, "
           "and liquidation.mechanism is " +
               quote(s.liquidation.mechanism)});
  }
  // Aave v3's mechanism takes each reserve's threshold, bonus and protocol fee from its market's margin
  // keys, so every market must be an aave_v3 reserve.
  if (s.liquidation.mechanism == AaveV3Spec::kName) {
    for (size_t i = 0; i < s.markets.size(); ++i) {
      const std::string key = indexed("markets", i) + ".margin.model";
      if (skip.count(key) == 0 && s.markets[i].margin.model != AaveV3ReserveMarginSpec::kModel)
        errors.push_back(
            {key, quote(s.markets[i].margin.model), "\"aave_v3\" with liquidation.mechanism = \"aave_v3\"",
             "not an Aave reserve: the aave_v3 mechanism reads each market's reserve configuration "
             "(liquidation_threshold, liquidation_bonus, liquidation_protocol_fee) from it"});
    }
  }
  // Strategic agents: their information sets, the markets they hunt, the public liquidation map.
  // Trader groups are slices of the traders.
  double grouped = 0;
  for (size_t g = 0; g < s.trader_groups.size(); ++g) {
    grouped += s.trader_groups[g].count;
    const std::string key = indexed("trader_groups", g) + ".count";
    if (grouped > s.traders.count && skip.count(key) == 0 && skip.count("traders.count") == 0) {
      add(key, s.trader_groups[g].count, "the groups' counts add up to more than traders.count",
          "counts adding up to at most traders.count (" + std::to_string(s.traders.count) + ")");
      break;
    }
  }
  if (any_preemptive_traders(s) && skip.count("traders.preemptive_information") == 0)
    check_information("traders.preemptive_information", s.traders.preemptive_information,
                      {"mark", "open_interest", "book", "own_account"}, errors);
  for (size_t h = 0; h < s.hunters.size(); ++h) {
    const std::string p = indexed("hunters", h);
    if (skip.count(p + ".information") == 0)
      check_information(p + ".information", s.hunters[h].information,
                        {"mark", "open_interest", "book", "own_account"}, errors);
    if (size_t(s.hunters[h].market) >= s.markets.size() && skip.count(p + ".market") == 0)
      add(p + ".market", s.hunters[h].market, "no such market",
          "[0, " + std::to_string(s.markets.size() - 1) + "] (an index into [[markets]])");
  }
  if (skip.count("liquidation_map.leverages") == 0 && skip.count("liquidation_map.weights") == 0) {
    if (s.liquidation_map.weights.size() != s.liquidation_map.leverages.size())
      errors.push_back(
          {"liquidation_map.weights", std::to_string(s.liquidation_map.weights.size()) + " values",
           "one weight per leverage (" + std::to_string(s.liquidation_map.leverages.size()) + ")",
           "not one weight per leverage"});
    else if (s.liquidation_map.leverages.empty() || s.liquidation_map.leverages.size() > 64)
      errors.push_back({"liquidation_map.leverages", "[]", "1 to 64 leverages in (1, 1000]", "empty"});
    else if (std::all_of(s.liquidation_map.weights.begin(), s.liquidation_map.weights.end(),
                         [](double w) { return w <= 0; }))
      errors.push_back({"liquidation_map.weights", "all 0", "at least one weight above 0", "no weight"});
  }

  // The options venue: its underlying, a surface without static arbitrage, expiries after the run,
  // strategy weights.
  if (s.options.enabled) {
    const OptionsSpec& o = s.options;
    if (size_t(o.market) >= s.markets.size() && skip.count("options.market") == 0)
      add("options.market", o.market, "no such market",
          "[0, " + std::to_string(s.markets.size() - 1) + "] (an index into [[markets]])");
    bool slices_valid = true;
    for (size_t k = 0; k < o.slices.size(); ++k)
      for (const char* key : {".days", ".a", ".b", ".rho", ".m", ".sigma"})
        slices_valid = slices_valid && skip.count(indexed("options.slices", k) + key) == 0;
    if (slices_valid) {
      std::vector<SviSlice> slices;
      for (const OptionSliceSpec& x : o.slices)
        slices.push_back({x.days / 365.0, x.a, x.b, x.rho, x.m, x.sigma});
      for (const std::string& problem : svi_arbitrage_problems(slices))
        errors.push_back({"options.slices", std::to_string(slices.size()) + " slices",
                          "a surface free of static arbitrage (Gatheral & Jacquier 2014)", problem});
    }
    for (size_t k = 0; k < o.expiries_days.size(); ++k)
      if (o.expiries_days[k] * 86400.0 <= s.duration_seconds && skip.count("options.expiries_days") == 0)
        add(indexed("options.expiries_days", k), o.expiries_days[k], "expires before the run ends",
            "after duration_seconds (" + format_number(s.duration_seconds) +
                " s): settlement at expiry is not modelled");
    if (o.expiries_days.empty() && skip.count("options.expiries_days") == 0)
      errors.push_back({"options.expiries_days", "[]", "1 to 64 expiries in (0, 3650] days", "empty"});
    if (o.strikes.empty() && skip.count("options.strikes") == 0)
      errors.push_back({"options.strikes", "[]", "1 to 256 strikes in (0, 10] x the initial price", "empty"});
    if (o.strikes.size() * o.expiries_days.size() > 2048)
      errors.push_back({"options.strikes", std::to_string(o.strikes.size()) + " strikes",
                        "at most 2048 series (strikes x expiries)", "too many series"});
    if (o.strategy_weights.size() != 4 && skip.count("options.strategy_weights") == 0)
      errors.push_back({"options.strategy_weights", std::to_string(o.strategy_weights.size()) + " values",
                        "4 weights: short put, short call, short strangle, put spread", "not 4 weights"});
    else if (std::all_of(o.strategy_weights.begin(), o.strategy_weights.end(),
                         [](double w) { return w <= 0; }))
      errors.push_back({"options.strategy_weights", "all 0", "at least one weight above 0", "no weight"});
    if (o.usage_max < o.usage_min && skip.count("options.usage_max") == 0)
      add("options.usage_max", o.usage_max, "below options.usage_min", "[usage_min, 1]");
  }

  // E-mode traders need a market of the e-mode category.
  if (s.traders.emode_fraction > 0 && skip.count("traders.emode_fraction") == 0) {
    bool category = false;
    for (const MarketSpec& ms : s.markets)
      category = category || (ms.margin.model == AaveV3ReserveMarginSpec::kModel &&
                              ms.margin.get<AaveV3ReserveMarginSpec>().emode_liquidation_threshold > 0);
    if (!category)
      add("traders.emode_fraction", s.traders.emode_fraction,
          "no market is in the e-mode category (an aave_v3 margin with emode_liquidation_threshold > 0)",
          "0, or a market with markets[i].margin.model = \"aave_v3\" and emode_liquidation_threshold > 0");
  }
  // Auctions a run could hold: a vault's debt x chop is split into auctions of at most the per-auction
  // limit (Flipper: dunk, and lump coins; Clipper: the market's hole), and every vault may be auctioned.
  // Maker set dunk at 50,000 DAI and lump at 50 ETH; a limit of cents splits one vault into hundreds of
  // thousands of auctions that no run can carry. Judged for the chosen mechanism.
  if (s.traders.count > 0 &&
      (s.liquidation.mechanism == MakerFlipSpec::kName || s.liquidation.mechanism == MakerClipSpec::kName)) {
    const bool flip = s.liquidation.mechanism == MakerFlipSpec::kName;
    const MakerFlipSpec& f = s.liquidation.get<MakerFlipSpec>();
    const MakerClipSpec& c = s.liquidation.get<MakerClipSpec>();
    const double vault_tab =
        largest_draw(s.traders.margin) * largest_draw(s.traders.leverage) * (flip ? f.chop : c.chop);
    double per_vault = vault_tab / (flip ? f.dunk : c.hole);
    std::string key = flip ? "liquidation.maker_flip.dunk" : "liquidation.maker_clip.hole";
    double value = flip ? f.dunk : c.hole;
    if (flip && f.lump > 0) {
      double lowest_price = kMaxDollars;
      for (const MarketSpec& market : s.markets) lowest_price = std::min(lowest_price, market.initial_price);
      const double by_lump = largest_draw(s.traders.margin) * largest_draw(s.traders.leverage) /
                             (lowest_price / kLookbackRange) / f.lump;
      if (by_lump > per_vault) {
        per_vault = by_lump;
        key = "liquidation.maker_flip.lump";
        value = f.lump;
      }
    }
    // At most 1,000 auctions per vault (keepers read a vault's running auctions at every bid on it; on
    // 12 March 2020 the largest vault, 35,000 ETH in 50-ETH lots, made 700) and 1e6 in all.
    constexpr double kMaxAuctions = 1e6, kMaxAuctionsPerVault = 1000;
    if (skip.count(key) == 0 && (std::ceil(per_vault) > kMaxAuctionsPerVault ||
                                 std::ceil(per_vault) * s.traders.count > kMaxAuctions)) {
      add(key, value,
          "splits the largest vault (margin x leverage x chop = $" + format_number(vault_tab) + ") into " +
              format_number(std::ceil(per_vault)) + " auctions, " +
              format_number(std::ceil(per_vault) * s.traders.count) + " for " +
              std::to_string(s.traders.count) + " vaults",
          "a per-auction limit that keeps the run within " + format_number(kMaxAuctionsPerVault) +
              " auctions per vault and " + format_number(kMaxAuctions) +
              " in all (Maker: dunk 50,000 DAI, lump 50 ETH, hole 8M DAI)");
    }
  }
  if (s.keepers.lowball_count > s.keepers.count && skip.count("keepers.lowball_count") == 0) {
    add("keepers.lowball_count", s.keepers.lowball_count, "more than the keepers",
        "[0, keepers.count] = [0, " + std::to_string(s.keepers.count) + "]");
  }

  const LeveragedTraderSpec& traders = s.traders;
  if (traders.entry_end_seconds < traders.entry_start_seconds) {
    add("traders.entry_end_seconds", traders.entry_end_seconds, "before entry_start_seconds",
        ">= entry_start_seconds (" + format_number(traders.entry_start_seconds) + ")");
  }
  // Leverage multiplies margin into a notional, margin is money: both are bounded so every draw and
  // every product converts to the run's fixed point (notional <= $1e12).
  struct DistributionBounds {
    std::string name;
    const DistributionSpec* d;
    Range values;
  };
  for (const DistributionBounds& b :
       {DistributionBounds{"traders.leverage", &traders.leverage, closed(0.01, 1000)},
        DistributionBounds{"traders.margin", &traders.margin, closed(1, 1e9)},
        DistributionBounds{"traders.stop_loss", &traders.stop_loss, closed(0.001, 0.99)},
        DistributionBounds{"traders.take_profit", &traders.take_profit, closed(0.001, 10)},
        DistributionBounds{"traders.deleverage_drop", &traders.deleverage_drop, closed(0.001, 0.99)}}) {
    const DistributionSpec* d = b.d;
    for (auto [field, value] :
         {std::pair<std::string, double>{"mean", d->mean}, {"min", d->min}, {"max", d->max}}) {
      if (skip.count(b.name + "." + field) == 0 && !b.values.contains(value)) {
        add(b.name + "." + field, value, "out of range", b.values.text());
      }
    }
    if (d->max < d->min) {
      add(b.name + ".max", d->max, "below min", ">= min (" + format_number(d->min) + ")");
    }
    if (d == &traders.margin && b.values.contains(d->max) && traders.leverage.max <= 1000 &&
        d->max * traders.leverage.max > kMaxOrderNotional) {
      add("traders.margin.max", d->max, "times traders.leverage.max is a position above $1e8",
          "at most " + format_number(kMaxOrderNotional / traders.leverage.max) +
              " (with leverage.max = " + format_number(traders.leverage.max) + ")");
    }
    if (d->kind == "lognormal" && !(d->stdev > 0)) {
      add(b.name + ".stdev", d->stdev, "must be positive for kind = \"lognormal\"", "> 0");
    } else if (d->kind == "lognormal" && b.values.contains(d->mean) && d->stdev > 100 * d->mean) {
      add(b.name + ".stdev", d->stdev, "more than 100 x mean for kind = \"lognormal\"",
          "(0, 100 x mean] = (0, " + format_number(100 * d->mean) + "]");
    }
  }

  // All money of the run (every deposit and top-up, the insurance fund) is summed in one int64 of
  // micro-dollars: it may total at most $1e12.
  const std::vector<std::pair<std::string, double>> money = scenario_money(s);
  double total_money = 0;
  for (const auto& [key, dollars] : money) total_money += dollars;
  if (total_money > kMaxDollars && skip.empty()) {
    const auto largest = *std::max_element(money.begin(), money.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
    add(largest.first, largest.second,
        "the scenario's money totals $" + format_number(total_money) + ", most from here",
        "a total of at most $1e12 over every account's capital, margin and top-ups and the insurance fund");
  }

  // Resting quantity on one price level must fit a Quantity (9.2e10 coins): at most 1e10 coins from
  // every noise trader's open orders (200 each, agents/noise_trader.h) or every maker's ladder.
  constexpr double kMaxRestingCoins = 1e10;
  if (skip.count("noise.order_size") == 0 && s.noise.count * 200.0 * s.noise.order_size > kMaxRestingCoins) {
    add("noise.order_size", s.noise.order_size,
        "times 200 open orders per noise trader and noise.count (" + std::to_string(s.noise.count) +
            ") rests more than 1e10 coins",
        "at most " + format_number(kMaxRestingCoins / (200.0 * std::max(1, s.noise.count))) + " coins");
  }
  double maker_level = 0, maker_inventory = 0;  // the largest in coins over the markets
  for (const MarketSpec& market : s.markets) {
    maker_level = std::max(maker_level, maker_level_coins(s.market_makers, market));
    maker_inventory = std::max(maker_inventory, maker_max_inventory_coins(s.market_makers, market));
  }
  if (skip.count("market_makers.level_size") == 0 && skip.count("market_makers.level_notional") == 0 &&
      double(s.market_makers.count) * s.market_makers.levels * maker_level > kMaxRestingCoins) {
    const bool notional = s.market_makers.level_notional > 0;
    add(notional ? "market_makers.level_notional" : "market_makers.level_size",
        notional ? s.market_makers.level_notional : s.market_makers.level_size,
        "times levels and market_makers.count rests more than 1e10 coins (at the lowest initial price)",
        "at most " +
            format_number(kMaxRestingCoins /
                          (double(std::max(1, s.market_makers.count)) * s.market_makers.levels)) +
            " coins");
  }

  if (s.keepers.priority_fee_max < s.keepers.priority_fee_min) {
    add("keepers.priority_fee_max", s.keepers.priority_fee_max, "below priority_fee_min",
        ">= priority_fee_min (" + format_number(s.keepers.priority_fee_min) + ")");
  }
  // The adaptive rule multiplies the bid: from 0 it could never rise again.
  if (s.keepers.bidding == "adaptive" && skip.count("keepers.priority_fee_min") == 0 &&
      amount_from_double(s.keepers.priority_fee_min).raw() <= 0) {
    add("keepers.priority_fee_min", s.keepers.priority_fee_min, "must be positive for bidding = \"adaptive\"",
        "> 0 (at least $0.000001) with bidding = \"adaptive\", or bidding = \"fixed\"");
  }
  // The endogenous market's populations need the venues they trade on.
  const int spot_venues = spot_venue_count(s);
  const bool some_market_without_spot =
      std::any_of(s.markets.begin(), s.markets.end(), [](const MarketSpec& m) { return m.spot.venues == 0; });
  if (s.market_makers.count > 0 && s.market_makers.hedge_venue == "spot" && some_market_without_spot) {
    errors.push_back(
        {"market_makers.hedge_venue", quote(s.market_makers.hedge_venue),
         "\"outside\", or \"spot\" when every market has spot venues (markets[i].spot.venues >= 1)",
         "a market has no spot venue to hedge on"});
  }
  if (s.liquidity.per_venue > 0 && spot_venues == 0 && !s.liquidity.on_perpetual) {
    add("liquidity.per_venue", s.liquidity.per_venue, "no venue to provide on: no market has spot venues",
        "0, or spot venues (markets[i].spot.venues >= 1), or liquidity.on_perpetual = true");
  }
  if (s.liquidity.max_distance <= s.liquidity.min_distance) {
    add("liquidity.max_distance", s.liquidity.max_distance, "not beyond min_distance",
        "> min_distance (" + format_number(s.liquidity.min_distance) + ")");
  }
  if (s.value_traders.count > 0 && s.value_traders.venues == "spot" && spot_venues == 0) {
    errors.push_back({"value_traders.venues", quote(s.value_traders.venues),
                      "\"perpetual\" or \"all\", or spot venues (markets[i].spot.venues >= 1)",
                      "value traders on spot venues, but no market has spot venues"});
  }
  const bool any_pool =
      std::any_of(s.markets.begin(), s.markets.end(), [](const MarketSpec& m) { return m.amm.reserve > 0; });
  if (s.arbitrageurs.count > 0 && spot_venues == 0 && !any_pool) {
    add("arbitrageurs.count", s.arbitrageurs.count,
        "arbitrage needs two venues of the same asset, and no market has spot venues or an AMM pool",
        "0, or spot venues (markets[i].spot.venues >= 1) or a pool (markets[i].amm.reserve > 0)");
  }
  // Coins endowed on spot venues are summed in one int64 of 1e-8 coins per asset.
  const double coins =
      double(liquidity_providers(s)) * s.liquidity.max_inventory +
      s.value_traders.count * s.value_traders.max_position +
      double(s.arbitrageurs.count) * s.arbitrageurs.max_inventory * std::max(1, spot_venues) +
      double(s.market_makers.count) * maker_inventory;
  if (spot_venues > 0 && coins > 1e10 && skip.empty()) {
    add("liquidity.max_inventory", s.liquidity.max_inventory,
        "the coins endowed on spot venues total " + format_number(coins) +
            " (providers, value traders, "
            "arbitrageurs and market makers)",
        "a total of at most 1e10 coins");
  }
  check_gas_path(s, skip, errors);
}

// The run's cost against [limits], judged only on an otherwise valid scenario (the estimate needs
// in-range values).
void check_limits(const Scenario& s, std::vector<ScenarioError>& errors) {
  const RunCostEstimate cost = estimate_run_cost(s);
  if (cost.events > s.limits.max_events) {
    errors.push_back({"limits.max_events", format_number(s.limits.max_events),
                      "at least the estimate, or a cheaper scenario",
                      "the scenario implies about " + format_number(std::round(cost.events)) +
                          " events and account updates, most from " + cost.events_driver});
  }
  const double memory_mb = cost.memory_bytes / (1024.0 * 1024.0);
  if (memory_mb > s.limits.max_memory_mb) {
    errors.push_back({"limits.max_memory_mb", format_number(s.limits.max_memory_mb),
                      "at least the estimate, or a cheaper scenario",
                      "the scenario implies about " + format_number(std::ceil(memory_mb)) +
                          " MiB of memory, most for " + cost.memory_driver});
  }
}

std::vector<ScenarioError> validate(const Scenario& scenario, const std::set<std::string>& skip) {
  std::vector<ScenarioError> errors;
  Scenario copy = scenario;
  Validator validator("", errors);
  describe(validator, copy);
  // Cross-field rules over a value that is already wrong only repeat the problem: one error per key.
  std::set<std::string> judged = skip;
  for (const ScenarioError& e : errors) judged.insert(e.key);
  std::vector<ScenarioError> cross;
  check_cross_fields(scenario, judged, cross);
  for (ScenarioError& e : cross) {
    if (judged.count(e.key) == 0) errors.push_back(std::move(e));
  }
  std::erase_if(errors, [&](const ScenarioError& e) { return skip.count(e.key) > 0; });
  if (errors.empty() && skip.empty()) check_limits(scenario, errors);
  return errors;
}

// ---- Writing TOML ----

class Writer {
 public:
  Writer(std::string header, bool array_element)
      : header_(std::move(header)), array_element_(array_element) {}

  void number(std::string_view key, double& x, const Range&, Unit = Unit::None,
              Presence = Presence::Optional) {
    line(key, toml_float(x));
  }
  template <class Int>
  void integer(std::string_view key, Int& x, int64_t, int64_t, Presence = Presence::Optional) {
    line(key, std::to_string(x));
  }
  void text(std::string_view key, std::string& x, const TextRule&) { line(key, quote(x)); }
  void flag(std::string_view key, bool& x) { line(key, x ? "true" : "false"); }
  void numbers(std::string_view key, std::vector<double>& x, const Range&) {
    std::vector<std::string> values;
    for (double value : x) values.push_back(toml_float(value));
    line(key, "[" + join(values, ", ") + "]");
  }

  template <class T>
  void table(std::string_view key, T& x) {
    Writer child(dotted(header_, key), false);
    describe(child, x);
    children_ += '\n';
    children_ += child.str();
  }

  template <class T>
  void tables(std::string_view key, std::vector<T>& x, const std::vector<T>&) {
    for (T& element : x) {
      Writer child(dotted(header_, key), true);
      describe(child, element);
      children_ += '\n';
      children_ += child.str();
    }
  }

  std::string str() const {
    std::string out;
    if (!header_.empty()) out = array_element_ ? "[[" + header_ + "]]\n" : "[" + header_ + "]\n";
    return out + scalars_ + children_;
  }

 private:
  void line(std::string_view key, const std::string& value) {
    scalars_ += std::string(key) + " = " + value + "\n";
  }

  std::string header_;  // dotted TOML table name, without array indices
  bool array_element_;
  std::string scalars_;
  std::string children_;
};

}  // namespace

std::string ScenarioError::message() const {
  std::string out;
  if (line > 0) out += "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  if (!key.empty()) {
    out += key;
    if (!value.empty()) out += " = " + value;
    out += ": ";
  } else if (!value.empty()) {
    out += value + ": ";
  }
  out += problem;
  if (!allowed.empty()) out += "; allowed: " + allowed;
  return out;
}

namespace {

constexpr int kMaxBaseDepth = 8;

using ParsedTable = std::variant<toml::table, std::vector<ScenarioError>>;

std::vector<ScenarioError> one_error(std::string key, std::string value, std::string problem,
                                     std::string allowed) {
  ScenarioError e;
  e.key = std::move(key);
  e.value = std::move(value);
  e.problem = std::move(problem);
  e.allowed = std::move(allowed);
  return {std::move(e)};
}

// Reads a scenario file of at most kMaxScenarioBytes; the error names the path.
std::variant<std::string, std::vector<ScenarioError>> read_scenario_file(const std::string& path) {
  namespace fs = std::filesystem;
  const auto fail = [&](std::string problem) { return one_error("", path, std::move(problem), ""); };
  std::error_code ec;
  if (!fs::exists(path, ec)) return fail("scenario file not found");
  if (fs::is_directory(path, ec)) return fail("a directory, not a scenario file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("scenario file cannot be opened for reading");
  // Read at most one chunk past the limit, so a device or a huge file is refused, not swallowed.
  std::string text;
  char chunk[65536];
  while (text.size() <= kMaxScenarioBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    text.append(chunk, size_t(in.gcount()));
  }
  if (in.bad()) return fail("error while reading the scenario file");
  if (text.size() > kMaxScenarioBytes) {
    return fail("larger than " + std::to_string(kMaxScenarioBytes / (1024 * 1024)) +
                " MiB; allowed: a scenario file of at most that size");
  }
  return text;
}

std::string folder_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

std::string preset_list() {
  std::vector<std::string> names;
  for (const Preset& preset : presets()) names.emplace_back(preset.name);
  return join(names, ", ");
}

// Tables merge key by key, recursively; any other value of `top` (arrays of tables included) replaces
// the base's.
void merge_into(toml::table& base, const toml::table& top) {
  for (auto&& [key, node] : top) {
    toml::node* below = base.get(key);
    if (below != nullptr && below->is_table() && node.is_table()) {
      merge_into(*below->as_table(), *node.as_table());
    } else {
      base.insert_or_assign(key, node);
    }
  }
}

// Parses `text` and resolves its `base` (a preset name or a scenario file, itself resolved the same
// way): the result is the base's table with this text's keys merged over it.
ParsedTable parse_resolved(std::string_view text, const std::string& source_name,
                           const std::string& source_dir, int depth) {
  if (auto problem = precheck_toml(text)) return std::vector<ScenarioError>{std::move(*problem)};
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    ScenarioError e;
    e.problem = "TOML syntax error: " + std::string(error.description());
    e.line = static_cast<int>(error.source().begin.line);
    e.column = static_cast<int>(error.source().begin.column);
    return std::vector<ScenarioError>{std::move(e)};
  }
  const toml::node* base = root.get("base");
  if (base == nullptr) return root;
  const auto at_base = [&](std::vector<ScenarioError> errors) {
    for (ScenarioError& e : errors) {
      e.line = static_cast<int>(base->source().begin.line);
      e.column = static_cast<int>(base->source().begin.column);
    }
    return errors;
  };
  const auto* name = base->as_string();
  if (name == nullptr) {
    return at_base(one_error("base", render(*base), "wrong type (" + type_name(*base) + ")",
                             "a preset name (" + preset_list() + ") or a scenario file path"));
  }
  if (depth >= kMaxBaseDepth) {
    return at_base(one_error("base", quote(name->get()),
                             "more than " + std::to_string(kMaxBaseDepth) + " bases in a chain (a cycle?)",
                             "a chain of at most " + std::to_string(kMaxBaseDepth) + " bases"));
  }
  ParsedTable below;
  std::string base_source;
  if (const Preset* preset = find_preset(name->get())) {
    base_source = "preset " + std::string(preset->name);
    below = parse_resolved(preset->toml, base_source, ".", depth + 1);
  } else {
    std::filesystem::path file(name->get());
    if (file.is_relative()) file = std::filesystem::path(source_dir) / file;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      return at_base(one_error("base", quote(name->get()), "neither a preset nor a scenario file",
                               "a preset name (" + preset_list() + ") or a scenario file path, relative to " +
                                   "this file's folder"));
    }
    base_source = file.string();
    auto read = read_scenario_file(base_source);
    if (auto* errors = std::get_if<std::vector<ScenarioError>>(&read)) return at_base(std::move(*errors));
    below = parse_resolved(std::get<std::string>(read), base_source, folder_of(base_source), depth + 1);
  }
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&below)) {
    for (ScenarioError& e : *errors) e.problem = "in base " + base_source + ": " + e.problem;
    return at_base(std::move(*errors));
  }
  toml::table merged = std::get<toml::table>(std::move(below));
  root.erase("base");
  merge_into(merged, root);
  return merged;
}

// Applies one `--set KEY=VALUE`: KEY is a dotted path with [i] indices, as errors name keys
// ("markets[0].shock.fall_fraction"); VALUE is a TOML value, or a bare word taken as a string.
std::optional<ScenarioError> apply_override(toml::table& root, const ScenarioOverride& o) {
  const auto fail = [&](std::string problem) {
    ScenarioError e;
    e.key = o.key;
    e.value = o.value;
    e.problem = "--set: " + std::move(problem);
    e.allowed = "KEY=VALUE with a dotted key path, e.g. markets[0].shock.fall_fraction=0.3";
    return e;
  };
  struct Segment {
    std::string name;
    std::optional<size_t> index;
  };
  std::vector<Segment> path;
  size_t start = 0;
  while (start <= o.key.size()) {
    const size_t dot = o.key.find('.', start);
    std::string part = o.key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    Segment segment;
    if (const size_t open_bracket = part.find('['); open_bracket != std::string::npos) {
      if (part.back() != ']') return fail("malformed index in '" + part + "'");
      const std::string digits = part.substr(open_bracket + 1, part.size() - open_bracket - 2);
      size_t index = 0;
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size())
        return fail("malformed index in '" + part + "'");
      segment.index = index;
      part = part.substr(0, open_bracket);
    }
    const bool bare = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!bare) return fail("'" + part + "' is not a key name");
    segment.name = part;
    path.push_back(std::move(segment));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }

  toml::table parsed;
  const std::string& value_text = o.value;
  std::string line = "v = ";
  line.append(value_text);
  toml::table holder;
  if (precheck_toml(line) == std::nullopt) {
    try {
      parsed = toml::parse(line);
    } catch (const toml::parse_error&) {
    }
  }
  if (parsed.contains("v") && parsed.size() == 1) {
    holder.insert_or_assign("v", *parsed.get("v"));
  } else {
    holder.insert_or_assign("v", value_text);  // a bare word: a string
  }
  const toml::node& value = *holder.get("v");

  toml::table* table = &root;
  for (size_t k = 0; k < path.size(); ++k) {
    const Segment& segment = path[k];
    const bool last = k + 1 == path.size();
    toml::node* node = table->get(segment.name);
    if (segment.index) {
      const size_t i = *segment.index;
      if (node == nullptr && i == 0 && !last) {
        table->insert_or_assign(segment.name, toml::array{toml::table{}});
        node = table->get(segment.name);
      }
      toml::array* array = node != nullptr ? node->as_array() : nullptr;
      if (array == nullptr) return fail("'" + segment.name + "' is not an array here");
      if (last) {
        if (i >= array->size())
          return fail("index " + std::to_string(i) + " beyond the " + std::to_string(array->size()) +
                      " entries of '" + segment.name + "'");
        array->replace(array->cbegin() + std::ptrdiff_t(i), value);
        return std::nullopt;
      }
      if (i == array->size()) array->push_back(toml::table{});
      if (i > array->size() || !array->get(i)->is_table())
        return fail("index " + std::to_string(i) + " beyond the " + std::to_string(array->size()) +
                    " entries of '" + segment.name + "'");
      table = array->get(i)->as_table();
    } else if (last) {
      table->insert_or_assign(segment.name, value);
    } else {
      if (node == nullptr) {
        table->insert_or_assign(segment.name, toml::table{});
        node = table->get(segment.name);
      }
      if (!node->is_table()) return fail("'" + segment.name + "' is not a table");
      table = node->as_table();
    }
  }
  return std::nullopt;
}

// A key's former location, still read: `from` (as the user wrote it) was moved to `to` before reading.
struct MovedKey {
  std::string from;
  std::string to;
};

// `[[markets.brackets]]`, binance_tiered's brackets before margin models had their own table, moves to
// `[[markets.margin.brackets]]` when that market's model is binance_tiered (the default). Given both, or
// with another model, it is an error naming the key as written.
std::vector<MovedKey> move_legacy_brackets(toml::table& root, std::vector<ScenarioError>& errors) {
  std::vector<MovedKey> moved;
  toml::array* markets = root.get("markets") != nullptr ? root.get("markets")->as_array() : nullptr;
  if (markets == nullptr) return moved;
  for (size_t i = 0; i < markets->size(); ++i) {
    toml::table* market = markets->get(i)->as_table();
    if (market == nullptr || market->get("brackets") == nullptr) continue;
    toml::node& brackets = *market->get("brackets");
    const std::string from = indexed("markets", i) + ".brackets";
    const std::string margin_path = indexed("markets", i) + ".margin";
    const auto refuse = [&](std::string problem, std::string allowed) {
      ScenarioError e;
      e.key = from;
      e.value = render(brackets);
      e.problem = std::move(problem);
      e.allowed = std::move(allowed);
      e.line = static_cast<int>(brackets.source().begin.line);
      e.column = static_cast<int>(brackets.source().begin.column);
      errors.push_back(std::move(e));
      market->erase("brackets");
    };
    if (market->get("margin") == nullptr) market->insert("margin", toml::table{});
    toml::table* margin = market->get("margin")->as_table();
    if (margin == nullptr) continue;  // the reader reports the margin's type (and the unknown key)
    const toml::node* model = margin->get("model");
    const std::string binance(BinanceTieredMarginSpec::kModel);
    if (model != nullptr && model->is_string() && model->as_string()->get() != binance) {
      refuse("the brackets of margin model " + quote(binance) + ", but " + margin_path + ".model is " +
                 render(*model),
             "the keys of the chosen model in [" + margin_path + "], or model = " + quote(binance));
    } else if (margin->get("brackets") != nullptr) {
      refuse("given twice: also " + margin_path + ".brackets",
             "one of " + from + " (the former location) and " + margin_path + ".brackets");
    } else {
      // Moved, not copied: a copied toml++ node loses its source position, which messages cite.
      brackets.visit([&](auto& value) { margin->insert("brackets", std::move(value)); });
      market->erase("brackets");
      moved.push_back({from, margin_path + ".brackets"});
    }
  }
  return moved;
}

// `root` is changed (legacy keys moved), never copied: copies of toml++ nodes lose their source positions.
ScenarioResult load_table(toml::table& root, const std::string& source_dir) {
  Scenario scenario;
  scenario.source_dir = source_dir;
  LoadState state;
  const std::vector<MovedKey> moved = move_legacy_brackets(root, state.errors);
  Reader reader(root, "", state);
  describe(reader, scenario);
  reader.finish();

  std::vector<ScenarioError> errors = std::move(state.errors);
  for (ScenarioError& e : validate(scenario, state.suppressed)) {
    if (auto it = state.positions.find(e.key); it != state.positions.end()) {
      e.line = static_cast<int>(it->second.line);
      e.column = static_cast<int>(it->second.column);
    }
    errors.push_back(std::move(e));
  }
  // Messages name moved keys as the user wrote them.
  for (ScenarioError& e : errors) {
    for (const MovedKey& m : moved) {
      for (std::string* text : {&e.key, &e.allowed, &e.problem}) {
        for (size_t at = text->find(m.to); at != std::string::npos; at = text->find(m.to, at + m.from.size()))
          text->replace(at, m.to.size(), m.from);
      }
    }
  }
  if (errors.empty()) return scenario;
  std::stable_sort(errors.begin(), errors.end(), [](const ScenarioError& a, const ScenarioError& b) {
    const int line_a = a.line > 0 ? a.line : INT_MAX;
    const int line_b = b.line > 0 ? b.line : INT_MAX;
    return line_a != line_b ? line_a < line_b : a.column < b.column;
  });
  return errors;
}

}  // namespace

ScenarioResult load_scenario_text(std::string_view toml_text, const std::string& source_name,
                                  const std::string& source_dir,
                                  const std::vector<ScenarioOverride>& overrides) {
  ParsedTable parsed = parse_resolved(toml_text, source_name, source_dir, 0);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&parsed)) return std::move(*errors);
  toml::table& root = std::get<toml::table>(parsed);
  std::vector<ScenarioError> errors;
  for (const ScenarioOverride& o : overrides) {
    if (auto problem = apply_override(root, o)) errors.push_back(std::move(*problem));
  }
  if (!errors.empty()) return errors;
  return load_table(root, source_dir);
}

ScenarioResult load_scenario_file(const std::string& path, const std::vector<ScenarioOverride>& overrides) {
  auto read = read_scenario_file(path);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&read)) return std::move(*errors);
  return load_scenario_text(std::get<std::string>(read), path, folder_of(path), overrides);
}

ScenarioResult load_preset(std::string_view name, const std::vector<ScenarioOverride>& overrides) {
  const Preset* preset = find_preset(name);
  if (preset == nullptr) {
    return one_error("", quote(name), "not a preset", preset_list());
  }
  return load_scenario_text(preset->toml, "preset " + std::string(preset->name), ".", overrides);
}

std::optional<ScenarioOverride> parse_override(std::string_view key_equals_value) {
  const size_t equals = key_equals_value.find('=');
  if (equals == std::string_view::npos || equals == 0) return std::nullopt;
  auto trim = [](std::string_view x) {
    while (!x.empty() && (x.front() == ' ' || x.front() == '\t')) x.remove_prefix(1);
    while (!x.empty() && (x.back() == ' ' || x.back() == '\t')) x.remove_suffix(1);
    return std::string(x);
  };
  ScenarioOverride o{trim(key_equals_value.substr(0, equals)), trim(key_equals_value.substr(equals + 1))};
  if (o.key.empty()) return std::nullopt;
  return o;
}

std::optional<ScenarioError> precheck_toml_text(std::string_view text) { return precheck_toml(text); }

std::vector<ScenarioError> validate_scenario(const Scenario& scenario) { return validate(scenario, {}); }

RunCostEstimate estimate_run_cost(const Scenario& s) {
  // Upper-end estimates from the rates the scenario names; every term names the key that drives it.
  RunCostEstimate cost;
  const double d = s.duration_seconds;
  const double accounts = double(s.noise.count) + s.market_makers.count + keeper_count(s) +
                          double(s.traders.count) +
                          (s.options.enabled ? double(s.options.writers) + s.options.makers : 0.0);
  std::vector<std::pair<double, std::string>> events;
  const auto term = [&](double n, const std::string& key, double value, const std::string& what) {
    events.emplace_back(n, key + " = " + format_number(value) + " (" + what + ")");
  };
  for (size_t m = 0; m < s.markets.size(); ++m) {
    const MarketSpec& market = s.markets[m];
    const std::string p = indexed("markets", m);
    term(d / market.price.step_seconds, p + ".price.step_seconds", market.price.step_seconds, "price steps");
    term(d / market.index.update_interval_seconds * market.index.venues, p + ".index.update_interval_seconds",
         market.index.update_interval_seconds, "venue quotes");
    term(d / market.mark.update_interval_seconds, p + ".mark.update_interval_seconds",
         market.mark.update_interval_seconds, "mark updates");
    term(d / market.mark.basis_sample_interval_seconds, p + ".mark.basis_sample_interval_seconds",
         market.mark.basis_sample_interval_seconds, "basis samples");
    term(d / market.oracle.heartbeat_seconds, p + ".oracle.heartbeat_seconds",
         market.oracle.heartbeat_seconds, "oracle heartbeats");
    if (market.funding.enabled) {
      term(d / market.funding.premium_sample_interval_seconds, p + ".funding.premium_sample_interval_seconds",
           market.funding.premium_sample_interval_seconds, "premium samples");
      term(d / market.funding.interval_seconds * accounts, p + ".funding.interval_seconds",
           market.funding.interval_seconds, "funding settlements x accounts");
    }
    term(d / market.index.update_interval_seconds, p + ".index.update_interval_seconds",
         market.index.update_interval_seconds, "index updates");
  }
  term(d / s.record_interval_seconds, "record_interval_seconds", s.record_interval_seconds, "records");
  term(d * s.noise.count * (2 * s.noise.limit_rate + s.noise.market_rate), "noise.count", s.noise.count,
       "noise orders and cancels");
  term(d / s.market_makers.requote_seconds * s.market_makers.count * double(s.markets.size()) *
           s.market_makers.levels,
       "market_makers.requote_seconds", s.market_makers.requote_seconds, "maker requotes x levels");
  term(d / s.liquidity.refresh_seconds * double(liquidity_providers(s)) * 2 * s.liquidity.levels,
       "liquidity.refresh_seconds", s.liquidity.refresh_seconds, "liquidity refreshes x levels");
  term(d / s.value_traders.mean_interval_seconds * s.value_traders.count * 2,
       "value_traders.mean_interval_seconds", s.value_traders.mean_interval_seconds,
       "value trader decisions");
  term(d / s.arbitrageurs.interval_seconds * s.arbitrageurs.count * 4, "arbitrageurs.interval_seconds",
       s.arbitrageurs.interval_seconds, "arbitrage decisions");
  term(double(s.traders.count) * (2 + s.traders.outside_capital / s.traders.topup_fraction), "traders.count",
       s.traders.count, "entries and top-ups");
  int holders = s.keepers.sell_rule == "hold" ? s.keepers.count : 0;
  for (const KeeperGroupSpec& g : s.keeper_groups) holders += g.sell_rule == "hold" ? g.count : 0;
  if (holders > 0)
    term(d / s.keepers.hold_check_seconds * holders, "keepers.hold_check_seconds",
         s.keepers.hold_check_seconds, "keepers' checks of what they hold");
  for (size_t h = 0; h < s.hunters.size(); ++h)
    term(d / s.hunters[h].interval_seconds * s.hunters[h].count * 2,
         indexed("hunters", h) + ".interval_seconds", s.hunters[h].interval_seconds, "hunters' decisions");
  if (s.traders.stop_loss_share > 0 || s.traders.take_profit_share > 0 || s.traders.deleverage_share > 0 ||
      any_preemptive_traders(s)) {
    term(d / s.traders.check_interval_seconds * double(s.markets.size()), "traders.check_interval_seconds",
         s.traders.check_interval_seconds, "checks of stops and drawdowns");
    term(double(s.traders.count) * 2 * (1 + s.traders.max_reentries), "traders.max_reentries",
         s.traders.max_reentries, "exits and re-entries");
  }
  if (s.liquidation.mechanism == EngineLiquidationSpec::kName) {
    const EngineLiquidationSpec& engine = s.liquidation.get<EngineLiquidationSpec>();
    if (engine.sequence == "dydx" && engine.cooldown_seconds > 0) {
      // One order per liquidated account and block until its largest position is closed. An order that
      // finds nothing at the fillable price is sent again the next block, as long as the book stays thin:
      // at most one per block in the run.
      const double per_account = d / engine.cooldown_seconds;
      term(double(s.traders.count) * per_account, "liquidation.engine.cooldown_seconds",
           engine.cooldown_seconds, "dYdX liquidation blocks x traders");
    }
  }
  if (s.options.enabled) {
    // Each requote cancels and places every maker's ladder on every series; each band refresh costs about
    // 60 portfolio-margin grids per writer (counted as events).
    const double series = 2.0 * double(s.options.strikes.size() * s.options.expiries_days.size());
    term(d / s.options.requote_seconds * s.options.makers * series * s.options.levels * 4,
         "options.requote_seconds", s.options.requote_seconds, "option makers' quotes");
    term((d / s.options.refresh_seconds + 1) * s.options.writers * 60, "options.refresh_seconds",
         s.options.refresh_seconds, "option writers' band refreshes");
  }
  if (s.liquidation.mechanism == "keeper") {
    term(d / s.liquidation.get<KeeperLiquidationSpec>().block_interval_seconds,
         "liquidation.keeper.block_interval_seconds",
         s.liquidation.get<KeeperLiquidationSpec>().block_interval_seconds, "blocks");
  }
  for (const auto& [n, what] : events) {
    cost.events += n;
    if (n > 0 && (cost.events_driver.empty() || n > cost.largest_events_term)) {
      cost.largest_events_term = n;
      cost.events_driver = what;
    }
  }

  // Memory: recorded tables and per-account state. Trades are bounded by taker orders (noise market
  // orders, trader entries, liquidations), each filling about two resting orders.
  const double rows = d / s.record_interval_seconds + 1;
  const double trades = 2 * (d * s.noise.count * s.noise.market_rate + 4 * double(s.traders.count)) + 1;
  const std::vector<std::pair<double, std::string>> memory = {
      {64.0 * 1024 * 1024, "the program itself"},
      {rows * sizeof(TimeseriesRow),
       "time-series rows: record_interval_seconds = " + format_number(s.record_interval_seconds)},
      {trades * sizeof(TradeRecord), "trades: noise.market_rate and noise.count, traders.count"},
      {accounts * 1024.0, "accounts (about 1 KiB each): traders.count = " + std::to_string(s.traders.count)},
  };
  double largest = 0;
  for (const auto& [bytes, what] : memory) {
    cost.memory_bytes += bytes;
    if (bytes > largest) {
      largest = bytes;
      cost.memory_driver = what;
    }
  }
  return cost;
}

std::string to_toml(const Scenario& scenario) {
  Scenario copy = scenario;
  Writer writer("", false);
  describe(writer, copy);
  return writer.str();
}

}  // namespace liqsim
