// Reads a Scenario from TOML, checks every field against the ranges documented in experiments/scenario.h
// and reports every problem at once; writes a Scenario back as TOML text that loads to the same
// Scenario. The TOML layout mirrors the struct: one table per nested spec, [[markets]] and the arrays of
// a margin model's tables ([[markets.margin.brackets]]) for the vectors. toml++ stays behind this
// interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "experiments/scenario.h"

namespace liqsim {

// One configuration problem. Fields that do not apply are empty (0 for the position).
struct ScenarioError {
  std::string key;      // dotted path, e.g. "markets[0].funding.clamp"
  std::string value;    // the value given, written as in TOML, or the file path for file problems
  std::string allowed;  // allowed range, choices or keys
  std::string problem;  // "out of range", "unknown key", "wrong type (float)", ...
  int line = 0;         // 1-based position of the value in the source
  int column = 0;
  // "line 3, column 9: markets[0].funding.clamp = 0.5: out of range; allowed: [0, 0.1]"
  std::string message() const;
};

using ScenarioResult = std::variant<Scenario, std::vector<ScenarioError>>;

// One `--set KEY=VALUE`: KEY a dotted path with [i] indices ("markets[0].shock.fall_fraction"), VALUE
// a TOML value (a bare word is a string). Applied after `base` resolution, validated like the file.
struct ScenarioOverride {
  std::string key;
  std::string value;
};
// nullopt when the text has no '=' or an empty key.
std::optional<ScenarioOverride> parse_override(std::string_view key_equals_value);

// `source_name` names the text in syntax errors; `source_dir` resolves relative replay files and a
// relative `base` file, and is stored in Scenario::source_dir. `base = "NAME"` starts from a preset
// (or a scenario file): tables merge key by key, other values (arrays of tables included) replace
// the base's. Errors are sorted by position, unpositioned ones last.
ScenarioResult load_scenario_text(std::string_view toml_text, const std::string& source_name,
                                  const std::string& source_dir,
                                  const std::vector<ScenarioOverride>& overrides = {});
// A missing, unreadable or oversized (> 4 MiB) file is one error whose value is the path.
ScenarioResult load_scenario_file(const std::string& path,
                                  const std::vector<ScenarioOverride>& overrides = {});
// An embedded preset (experiments/presets.h); an unknown name is one error listing the presets.
ScenarioResult load_preset(std::string_view name, const std::vector<ScenarioOverride>& overrides = {});

// The lexical pre-pass every TOML text goes through before toml++ parses it (text toml++ 3.3 would
// assert on: bytes that are not UTF-8, non-ASCII outside strings and comments, a table header not
// closed on its line): the first problem with its line and column, or nothing. For other TOML readers
// of liqsim (experiments/sweep_plan).
std::optional<ScenarioError> precheck_toml_text(std::string_view text);

// Range, choice and cross-field checks on a Scenario built in code (load_scenario_* run them too).
std::vector<ScenarioError> validate_scenario(const Scenario& scenario);

// What a scenario implies before it runs (the [limits] table is checked against it by validation).
struct RunCostEstimate {
  double events = 0;        // events and per-account updates (funding settlements)
  double memory_bytes = 0;  // peak memory: program, recorded tables, accounts
  double largest_events_term = 0;
  std::string events_driver;  // "markets[0].mark.update_interval_seconds = 0.001 (mark updates)"
  std::string memory_driver;
};
RunCostEstimate estimate_run_cost(const Scenario& scenario);
// The money a scenario brings in, by the key that sets it (count x capital, the insurance fund, ...);
// validation requires a total of at most $1e12.
std::vector<std::pair<std::string, double>> scenario_money(const Scenario& scenario);
// The asset a market's spot venues trade: the symbol's part before the first '-' ("BTC" for
// "BTC-PERP"), or the whole symbol.
std::string spot_asset_symbol(const std::string& market_symbol);
// Spot venues over every market, and the liquidity providers over every venue they cover.
int spot_venue_count(const Scenario& scenario);
int64_t liquidity_providers(const Scenario& scenario);

// Every field of `scenario` (not source_dir), in struct order, doubles in shortest round-trip form.
std::string to_toml(const Scenario& scenario);

}  // namespace liqsim
