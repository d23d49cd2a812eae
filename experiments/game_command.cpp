#include "experiments/game_command.h"

#include <hdf5.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

#include "analysis/hdf5_support.h"
#include "experiments/output_file.h"
#include "experiments/presets.h"
#include "experiments/scenario_schema.h"
#include "experiments/simulation.h"
#include "experiments/toml_values.h"
#include "experiments/version.h"

namespace liqsim {
namespace {

using namespace hdf5_support;
using schema::join;
using schema::quote;
using toml_values::key_text;
using toml_values::toml_text;

constexpr int kGameSchemaVersion = 1;
constexpr size_t kMaxGameFileBytes = size_t{4} << 20;
// A player: a group of one of the scenario's arrays of strategic groups.
struct PlayerGroup {
  enum class Kind : uint8_t { Hunters, KeeperGroups, TraderGroups } kind = Kind::Hunters;
  size_t index = 0;
};
constexpr std::array<std::pair<PlayerGroup::Kind, std::string_view>, 3> kPlayerArrays = {
    {{PlayerGroup::Kind::Hunters, "hunters"},
     {PlayerGroup::Kind::KeeperGroups, "keeper_groups"},
     {PlayerGroup::Kind::TraderGroups, "trader_groups"}}};

std::string_view array_name(PlayerGroup::Kind kind) {
  for (const auto& [k, name] : kPlayerArrays)
    if (k == kind) return name;
  return "";
}

// The group of a player "hunters[i]", "keeper_groups[i]" or "trader_groups[i]", or nothing.
std::optional<PlayerGroup> player_group(const std::string& player) {
  for (const auto& [kind, name] : kPlayerArrays) {
    const std::string prefix = std::string(name) + "[";
    if (player.rfind(prefix, 0) != 0 || player.size() < prefix.size() + 2 || player.back() != ']') continue;
    const std::string digits = player.substr(prefix.size(), player.size() - prefix.size() - 1);
    if (digits.empty() || digits.size() > 4 || digits.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    return PlayerGroup{kind, size_t(std::stoul(digits))};
  }
  return std::nullopt;
}

// The number of groups of a kind in a scenario.
size_t group_count(const Scenario& s, PlayerGroup::Kind kind) {
  switch (kind) {
    case PlayerGroup::Kind::Hunters:
      return s.hunters.size();
    case PlayerGroup::Kind::KeeperGroups:
      return s.keeper_groups.size();
    case PlayerGroup::Kind::TraderGroups:
      return s.trader_groups.size();
  }
  return 0;
}

// Each group's mean profit (equity less deposits) over its members, for accounts of `role` in account
// order whose first `skip` belong to no group and the rest to the groups in order of `counts`.
std::vector<double> group_profits(const RunLog& log, AgentRole role, size_t skip,
                                  const std::vector<int>& counts) {
  std::vector<double> profit(counts.size(), 0.0);
  size_t member = 0, group = 0, seen = 0;
  for (const AccountFinal& a : log.accounts) {
    if (a.role != uint8_t(role) || seen++ < skip) continue;
    while (group < counts.size() && member >= size_t(counts[group])) {
      ++group;
      member = 0;
    }
    if (group >= counts.size()) break;
    profit[group] += to_double(a.equity - a.deposits) / double(counts[group]);
    ++member;
  }
  return profit;
}

// Scenario keys of a table, flattened to dotted paths ("traders.count"), each with its TOML text.
void flatten(const toml::table& table, const std::string& prefix, const std::string& where,
             std::vector<ScenarioOverride>& out, std::vector<std::string>& problems) {
  for (auto&& [key, node] : table) {
    const std::string name = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, name, where, out, problems);
      continue;
    }
    if (auto text = toml_text(node)) {
      out.push_back({name, *text});
    } else {
      problems.push_back(where + "." + key_text(name) +
                         ": wrong type; allowed: a value a scenario key takes");
    }
  }
}

struct Reader {
  std::vector<std::string>& problems;

  void unknown(const toml::table& table, const std::string& where,
               std::initializer_list<std::string_view> known) {
    for (auto&& [key, node] : table)
      if (std::find(known.begin(), known.end(), key.str()) == known.end())
        problems.push_back((where.empty() ? "" : where + ".") + key_text(key.str()) +
                           ": unknown key; allowed: " + [&] {
                             std::vector<std::string> names(known.begin(), known.end());
                             return join(names, ", ");
                           }());
  }
  void number(const toml::table& t, const std::string& where, const char* key, double& x) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    if (const auto* f = n->as_floating_point()) {
      x = f->get();
    } else if (const auto* i = n->as_integer()) {
      x = double(i->get());
    } else {
      problems.push_back(where + "." + key + ": wrong type; allowed: a number");
    }
  }
  void integer(const toml::table& t, const std::string& where, const char* key, int& x) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const auto* i = n->as_integer();
    if (i == nullptr || i->get() < INT32_MIN || i->get() > INT32_MAX) {
      problems.push_back(where + "." + key + ": wrong type; allowed: an integer");
      return;
    }
    x = int(i->get());
  }
  void flag(const toml::table& t, const std::string& where, const char* key, bool& x) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    if (const auto* b = n->as_boolean()) {
      x = b->get();
    } else {
      problems.push_back(where + "." + key + ": wrong type; allowed: true | false");
    }
  }
  std::optional<std::string> text(const toml::table& t, const std::string& where, const char* key) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (const auto* s = n->as_string()) return s->get();
    problems.push_back(where + "." + key + ": wrong type; allowed: a string");
    return std::nullopt;
  }
};

ScenarioResult load_base(const GameSpec& spec, const std::vector<ScenarioOverride>& overrides) {
  if (find_preset(spec.scenario) != nullptr) return load_preset(spec.scenario, overrides);
  std::filesystem::path file(spec.scenario);
  if (file.is_relative()) file = std::filesystem::path(spec.source_dir) / file;
  return load_scenario_file(file.string(), overrides);
}

// The overrides of one profile at one sweep value: the game's set, the sweep value, then each player's
// strategy keys under the player's table.
std::vector<ScenarioOverride> overrides_for(const GameSpec& spec, const std::vector<int>& profile,
                                            const std::string* sweep_value) {
  std::vector<ScenarioOverride> out = spec.set;
  if (sweep_value != nullptr) out.push_back({spec.sweep_key, *sweep_value});
  for (size_t p = 0; p < profile.size(); ++p)
    for (const ScenarioOverride& o : spec.strategies[size_t(profile[p])])
      out.push_back({spec.players[p] + "." + o.key, o.value});
  return out;
}

std::string error_text(const ScenarioResult& r) {
  std::vector<std::string> lines;
  for (const ScenarioError& e : std::get<std::vector<ScenarioError>>(r)) lines.push_back(e.message());
  return join(lines, "; ");
}

}  // namespace

std::variant<GameSpec, std::vector<std::string>> parse_game(std::string_view text,
                                                            const std::string& source_dir) {
  std::vector<std::string> problems;
  if (auto problem = precheck_toml_text(text)) return std::vector<std::string>{problem->message()};
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& error) {
    return std::vector<std::string>{"line " + std::to_string(error.source().begin.line) +
                                    ": TOML syntax error: " + std::string(error.description())};
  }
  GameSpec spec;
  spec.text = std::string(text);
  spec.source_dir = source_dir;
  Reader r{problems};
  r.unknown(root, "", {"base", "seed", "set", "game", "sweep"});
  if (auto base = r.text(root, "", "base")) spec.scenario = *base;
  if (spec.scenario.empty())
    problems.push_back("base: missing or empty; allowed: a preset name or a scenario file path");
  if (const toml::node* seed = root.get("seed")) {
    const auto* i = seed->as_integer();
    if (i == nullptr || i->get() < 0)
      problems.push_back("seed: allowed: an integer in [0, 2^63 - 1]");
    else
      spec.seed = uint64_t(i->get());
  }
  if (const toml::node* set = root.get("set")) {
    if (const auto* table = set->as_table())
      flatten(*table, "", "set", spec.set, problems);
    else
      problems.push_back("set: wrong type; allowed: a table of scenario keys");
  }

  const toml::table* game = root.get("game") ? root.get("game")->as_table() : nullptr;
  if (game == nullptr) {
    problems.push_back("game: missing; allowed: a [game] table with rule, players and strategies");
    return problems;
  }
  if (auto kind = r.text(*game, "game", "kind")) {
    if (*kind != "strategies" && *kind != "keeper_entry")
      problems.push_back("game.kind = " + quote(*kind) +
                         ": not one of the choices; allowed: \"strategies\" | \"keeper_entry\"");
    spec.kind = *kind;
  }
  const bool keeper_entry = spec.kind == "keeper_entry";
  if (keeper_entry) {
    r.unknown(*game, "game",
              {"kind", "entry_cost", "initial_keepers", "max_keepers", "max_episodes", "stable_episodes",
               "fresh_seeds", "seeds_per_episode"});
    KeeperEntryGameParams& e = spec.entry;
    r.number(*game, "game", "entry_cost", e.entry_cost);
    r.integer(*game, "game", "initial_keepers", e.initial_keepers);
    r.integer(*game, "game", "max_keepers", e.max_keepers);
    r.integer(*game, "game", "max_episodes", e.max_episodes);
    r.integer(*game, "game", "stable_episodes", e.stable_episodes);
    r.integer(*game, "game", "seeds_per_episode", e.seeds_per_episode);
    r.flag(*game, "game", "fresh_seeds", e.fresh_seeds);
    const auto range = [&](const char* key, double value, bool ok, const char* allowed) {
      if (!ok)
        problems.push_back(std::string("game.") + key + " = " + schema::format_number(value) + ": " +
                           allowed);
    };
    range("entry_cost", e.entry_cost, e.entry_cost >= 0 && e.entry_cost <= 1e12, "must be in [0, 1e12] $");
    range("max_keepers", e.max_keepers, e.max_keepers >= 1 && e.max_keepers <= 10'000,
          "must be in [1, 10000]");
    range("initial_keepers", e.initial_keepers, e.initial_keepers >= 0 && e.initial_keepers <= e.max_keepers,
          "must be in [0, max_keepers]");
    range("max_episodes", e.max_episodes, e.max_episodes >= 1 && e.max_episodes <= 100'000,
          "must be in [1, 100000]");
    range("stable_episodes", e.stable_episodes, e.stable_episodes >= 1 && e.stable_episodes <= e.max_episodes,
          "must be in [1, max_episodes]");
    range("seeds_per_episode", e.seeds_per_episode, e.seeds_per_episode >= 1 && e.seeds_per_episode <= 1000,
          "must be in [1, 1000]");
  } else {
    r.unknown(
        *game, "game",
        {"kind", "rule", "players", "strategies", "max_episodes", "stable_episodes", "tolerance",
         "learning_rate", "exploration", "payoff_scale", "convergence_tolerance", "fresh_seeds", "jobs"});
  }
  EquilibriumSearchParams& search = spec.search;
  if (!keeper_entry) {
    if (auto rule = r.text(*game, "game", "rule")) {
      if (auto parsed = parse_learning_rule(*rule))
        search.learning.rule = *parsed;
      else
        problems.push_back(
            "game.rule = " + quote(*rule) +
            ": not one of the choices; allowed: \"best_response\" | \"fictitious_play\" | \"hedge\" | "
            "\"exp3\"");
    }
    r.integer(*game, "game", "max_episodes", search.max_episodes);
    r.integer(*game, "game", "stable_episodes", search.stable_episodes);
    r.integer(*game, "game", "jobs", search.jobs);
    r.number(*game, "game", "tolerance", search.learning.tolerance);
    r.number(*game, "game", "learning_rate", search.learning.learning_rate);
    r.number(*game, "game", "exploration", search.learning.exploration);
    r.number(*game, "game", "payoff_scale", search.learning.payoff_scale);
    r.number(*game, "game", "convergence_tolerance", search.convergence_tolerance);
    r.flag(*game, "game", "fresh_seeds", search.fresh_seeds);

    const toml::array* players = game->get("players") ? game->get("players")->as_array() : nullptr;
    if (players == nullptr || players->empty()) {
      problems.push_back(
          "game.players: missing or empty; allowed: an array of players, e.g. [\"hunters[0]\"]");
    } else {
      for (size_t k = 0; k < players->size(); ++k) {
        const auto* name = players->get(k)->as_string();
        if (name == nullptr || !player_group(name->get())) {
          problems.push_back(
              "game.players[" + std::to_string(k) +
              "] = " + (name ? quote(name->get()) : std::string("(not a string)")) +
              ": not a player; allowed: \"hunters[i]\", \"keeper_groups[i]\" or "
              "\"trader_groups[i]\", a [[hunters]], [[keeper_groups]] or [[trader_groups]] group "
              "of the scenario");
          continue;
        }
        spec.players.push_back(name->get());
      }
    }
    const toml::array* strategies = game->get("strategies") ? game->get("strategies")->as_array() : nullptr;
    if (strategies == nullptr || strategies->empty()) {
      problems.push_back(
          "game.strategies = []: the strategy set is empty; allowed: one or more [[game.strategies]] tables "
          "of "
          "the players' keys, e.g. max_position = 20");
    } else {
      for (size_t k = 0; k < strategies->size(); ++k) {
        const auto* table = strategies->get(k)->as_table();
        if (table == nullptr) {
          problems.push_back("game.strategies[" + std::to_string(k) + "]: wrong type; allowed: a table");
          continue;
        }
        std::vector<ScenarioOverride> keys;
        flatten(*table, "", "game.strategies[" + std::to_string(k) + "]", keys, problems);
        std::vector<std::string> parts;
        for (const ScenarioOverride& o : keys) parts.push_back(o.key + "=" + o.value);
        spec.strategy_names.push_back(parts.empty() ? "(unchanged)" : join(parts, ", "));
        spec.strategies.push_back(std::move(keys));
      }
    }
  }
  if (const toml::node* sweep_node = root.get("sweep")) {
    const auto* sweep = sweep_node->as_table();
    if (sweep == nullptr) {
      problems.push_back("sweep: wrong type; allowed: a table with key and values");
    } else {
      r.unknown(*sweep, "sweep", {"key", "values"});
      if (auto key = r.text(*sweep, "sweep", "key")) spec.sweep_key = *key;
      const toml::array* values = sweep->get("values") ? sweep->get("values")->as_array() : nullptr;
      if (spec.sweep_key.empty() || values == nullptr || values->empty()) {
        problems.push_back("sweep: needs key (a scenario key) and values (a non-empty array)");
      } else {
        for (size_t k = 0; k < values->size(); ++k) {
          if (auto value = toml_text(*values->get(k)))
            spec.sweep_values.push_back(*value);
          else
            problems.push_back("sweep.values[" + std::to_string(k) + "]: wrong type");
        }
      }
    }
  }
  if (!problems.empty()) return problems;

  if (keeper_entry) {  // the scenario at every sweep value loads
    if (spec.sweep_values.empty()) {
      const ScenarioResult base = load_base(spec, spec.set);
      if (!std::holds_alternative<Scenario>(base)) problems.push_back("scenario: " + error_text(base));
    }
    for (const std::string& value : spec.sweep_values) {
      std::vector<ScenarioOverride> overrides = spec.set;
      overrides.push_back({spec.sweep_key, value});
      const ScenarioResult base = load_base(spec, overrides);
      if (!std::holds_alternative<Scenario>(base))
        problems.push_back("scenario at " + spec.sweep_key + " = " + value + ": " + error_text(base));
    }
    if (!problems.empty()) return problems;
    return spec;
  }

  GameShape shape{std::vector<int>(spec.players.size(), int(spec.strategies.size()))};
  for (std::string& problem : validate(search, shape, "game")) problems.push_back(std::move(problem));
  if (!problems.empty()) return problems;

  // Every strategy at every sweep value loads (each player takes it in turn, the others strategy 0).
  std::vector<const std::string*> values;
  for (const std::string& v : spec.sweep_values) values.push_back(&v);
  if (values.empty()) values.push_back(nullptr);
  for (const std::string* value : values) {
    const std::string at = value ? " at " + spec.sweep_key + " = " + *value : "";
    // The players must be groups of the scenario before their strategies can be set.
    std::vector<ScenarioOverride> plain = spec.set;
    if (value != nullptr) plain.push_back({spec.sweep_key, *value});
    const ScenarioResult base = load_base(spec, plain);
    if (!std::holds_alternative<Scenario>(base)) {
      problems.push_back("scenario" + at + ": " + error_text(base));
      continue;
    }
    const Scenario& s = std::get<Scenario>(base);
    for (size_t p = 0; p < spec.players.size(); ++p) {
      const PlayerGroup g = *player_group(spec.players[p]);
      const size_t groups = group_count(s, g.kind);
      const std::string array(array_name(g.kind));
      if (g.index >= groups)
        problems.push_back("game.players[" + std::to_string(p) + "] = " + quote(spec.players[p]) +
                           ": the scenario has " + std::to_string(groups) + " [[" + array +
                           "]] groups; allowed: " + array + "[0] .. " + array +
                           "[n-1] (add them with [set])");
    }
    if (!problems.empty()) break;
    for (size_t k = 0; k < spec.strategies.size(); ++k)
      for (size_t p = 0; p < (k == 0 ? 1 : spec.players.size()); ++p) {
        std::vector<int> profile(spec.players.size(), 0);
        profile[p] = int(k);
        const ScenarioResult r2 = load_base(spec, overrides_for(spec, profile, value));
        if (!std::holds_alternative<Scenario>(r2))
          problems.push_back("game.strategies[" + std::to_string(k) + "] for " + spec.players[p] + at + ": " +
                             error_text(r2));
      }
  }
  if (!problems.empty()) return problems;
  return spec;
}

std::vector<GameSweepPoint> play_game(const GameSpec& spec,
                                      const std::function<void(const GameSweepPoint&)>& progress) {
  std::vector<GameSweepPoint> out;
  std::vector<const std::string*> values;
  for (const std::string& v : spec.sweep_values) values.push_back(&v);
  if (values.empty()) values.push_back(nullptr);
  const GameShape shape{std::vector<int>(spec.players.size(), int(spec.strategies.size()))};
  for (const std::string* value : values) {
    if (spec.kind == "keeper_entry") {
      std::vector<ScenarioOverride> overrides = spec.set;
      if (value != nullptr) overrides.push_back({spec.sweep_key, *value});
      const Scenario base = std::get<Scenario>(load_base(spec, overrides));
      GameSweepPoint point;
      point.value = value ? *value : "";
      point.entry = play_keeper_entry(spec.entry, spec.seed, scenario_episode_runner(base));
      point.result.converged = point.entry->converged;
      point.result.criterion = point.entry->criterion;
      // The outcome of the last episode played with the equilibrium's keepers.
      for (const KeeperEpisode& e : point.entry->episodes)
        if (e.active == point.entry->equilibrium_keepers) {
          point.outcome.liquidations = e.liquidations;
          point.outcome.mean_delay_seconds = e.mean_delay_seconds;
          point.outcome.protocol_loss = e.protocol_loss;
          point.outcome.bad_debt = e.bad_debt;
        }
      if (progress) progress(point);
      out.push_back(std::move(point));
      continue;
    }
    std::mutex mutex;
    std::map<std::pair<std::vector<int>, uint64_t>, GameOutcome> outcomes;
    const ProfilePayoffs payoffs = [&](const std::vector<int>& profile, uint64_t seed) {
      Scenario s = std::get<Scenario>(load_base(spec, overrides_for(spec, profile, value)));
      s.seed = seed;
      const RunResult r = run_simulation(s, "", {});
      // Each group's mean profit; a population's group members are consecutive, in group order (keeper
      // groups after the [keepers] table's keepers, trader groups the last traders).
      std::vector<int> hunter_counts, keeper_counts, trader_counts;
      for (const HunterSpec& h : s.hunters) hunter_counts.push_back(h.count);
      for (const KeeperGroupSpec& k : s.keeper_groups) keeper_counts.push_back(k.count);
      int grouped_traders = 0;
      for (const TraderGroupSpec& t : s.trader_groups) {
        trader_counts.push_back(t.count);
        grouped_traders += t.count;
      }
      const std::vector<double> hunters = group_profits(r.log, AgentRole::Hunter, 0, hunter_counts);
      const std::vector<double> keepers =
          group_profits(r.log, AgentRole::Keeper, size_t(s.keepers.count), keeper_counts);
      const std::vector<double> traders =
          group_profits(r.log, AgentRole::Trader, size_t(s.traders.count - grouped_traders), trader_counts);
      std::vector<double> result;
      for (const std::string& player : spec.players) {
        const PlayerGroup g = *player_group(player);
        const std::vector<double>& of = g.kind == PlayerGroup::Kind::Hunters        ? hunters
                                        : g.kind == PlayerGroup::Kind::KeeperGroups ? keepers
                                                                                    : traders;
        result.push_back(of[g.index]);
      }
      GameOutcome o;
      o.liquidations = r.summary.liquidation_count;
      o.mean_delay_seconds = r.summary.liquidation_delay_mean_seconds;
      o.protocol_loss = to_double(r.summary.protocol_loss);
      o.bad_debt = to_double(r.summary.bad_debt);
      o.hunter_profit = to_double(r.summary.hunter_profit);
      o.mark_min = to_double(r.summary.mark_min);
      o.liquidated_notional = to_double(r.summary.liquidated_notional);
      std::lock_guard lock(mutex);
      outcomes[{profile, seed}] = o;
      return result;
    };
    GameSweepPoint point;
    point.value = value ? *value : "";
    point.result = search_equilibrium(shape, spec.search, spec.seed, payoffs);
    const uint64_t last_day = point.result.episodes.empty() ? spec.seed : point.result.episodes.back().seed;
    const auto found = outcomes.find({point.result.profile, last_day});
    if (found != outcomes.end()) {
      point.outcome = found->second;
    } else {
      payoffs(point.result.profile, last_day);
      point.outcome = outcomes.at({point.result.profile, last_day});
    }
    if (progress) progress(point);
    out.push_back(std::move(point));
  }
  return out;
}

namespace {

std::string profile_text(const std::vector<int>& profile) {
  std::vector<std::string> parts;
  for (int s : profile) parts.push_back(std::to_string(s));
  return join(parts, ",");
}

// Comma-separated numbers: exact (shortest round-trip text) for the file, 6 digits for the terminal.
std::string doubles_text(const std::vector<double>& xs, bool exact = true) {
  std::vector<std::string> parts;
  for (double x : xs) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", x);
    parts.emplace_back(exact ? schema::toml_float(x) : std::string(buffer));
  }
  return join(parts, ",");
}

// One column: a 1-D dataset with its units.
template <class T>
void column(hid_t group, const char* name, hid_t stored, hid_t native, const std::vector<T>& values,
            const std::string& units) {
  const std::string what = std::string("writing ") + name;
  const hsize_t rows = values.size();
  Hid space = make_hid(H5Screate_simple(1, &rows, nullptr), what);
  Hid plist = make_hid(H5Pcreate(H5P_DATASET_CREATE), what);
  check_call(H5Pset_obj_track_times(plist.get(), 0), what);
  Hid dataset =
      make_hid(H5Dcreate2(group, name, stored, space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT), what);
  if (rows > 0)
    check_call(H5Dwrite(dataset.get(), native, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), what);
  write_string_attribute(dataset.get(), "units", units);
}

void text_column(hid_t group, const char* name, const std::vector<std::string>& values) {
  const std::string what = std::string("writing ") + name;
  size_t width = 1;
  for (const std::string& v : values) width = std::max(width, v.size() + 1);
  Hid type = make_hid(H5Tcopy(H5T_C_S1), what);
  check_call(H5Tset_size(type.get(), width), what);
  check_call(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), what);
  check_call(H5Tset_cset(type.get(), H5T_CSET_UTF8), what);
  std::vector<char> buffer(values.size() * width, '\0');
  for (size_t k = 0; k < values.size(); ++k)
    std::memcpy(&buffer[k * width], values[k].data(), values[k].size());
  const hsize_t rows = values.size();
  Hid space = make_hid(H5Screate_simple(1, &rows, nullptr), what);
  Hid plist = make_hid(H5Pcreate(H5P_DATASET_CREATE), what);
  check_call(H5Pset_obj_track_times(plist.get(), 0), what);
  Hid dataset =
      make_hid(H5Dcreate2(group, name, type.get(), space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT), what);
  if (rows > 0)
    check_call(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), what);
  write_string_attribute(dataset.get(), "units", "text");
}

// The keeper free-entry game: /equilibria (one row per sweep value) and /episodes (one per episode).
void write_keeper_entry(hid_t root, const std::vector<GameSweepPoint>& points) {
  const std::string what = "writing the keeper entry game";
  Hid eq = make_hid(H5Gcreate2(root, "equilibria", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), what);
  std::vector<std::string> value, criterion;
  std::vector<uint8_t> converged;
  std::vector<int64_t> episodes, keepers;
  std::vector<uint64_t> liquidations;
  std::vector<double> delay, loss, bad_debt;
  Hid ep = make_hid(H5Gcreate2(root, "episodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), what);
  std::vector<int64_t> sweep_index, episode, active;
  std::vector<uint64_t> seed, episode_liquidations;
  std::vector<double> mean_profit, min_profit, episode_delay, episode_loss, episode_bad_debt;
  for (size_t k = 0; k < points.size(); ++k) {
    const GameSweepPoint& p = points[k];
    value.push_back(p.value);
    criterion.push_back(p.entry->criterion);
    converged.push_back(p.entry->converged ? 1 : 0);
    episodes.push_back(int64_t(p.entry->episodes.size()));
    keepers.push_back(p.entry->equilibrium_keepers);
    liquidations.push_back(p.outcome.liquidations);
    delay.push_back(p.outcome.mean_delay_seconds);
    loss.push_back(p.outcome.protocol_loss);
    bad_debt.push_back(p.outcome.bad_debt);
    for (const KeeperEpisode& e : p.entry->episodes) {
      sweep_index.push_back(int64_t(k));
      episode.push_back(e.episode);
      seed.push_back(e.seed);
      active.push_back(e.active);
      mean_profit.push_back(e.mean_profit);
      min_profit.push_back(e.profits.empty() ? 0.0 : *std::min_element(e.profits.begin(), e.profits.end()));
      episode_liquidations.push_back(e.liquidations);
      episode_delay.push_back(e.mean_delay_seconds);
      episode_loss.push_back(e.protocol_loss);
      episode_bad_debt.push_back(e.bad_debt);
    }
  }
  text_column(eq.get(), "sweep_value", value);
  column(eq.get(), "converged", H5T_STD_U8LE, H5T_NATIVE_UINT8, converged, "bool");
  text_column(eq.get(), "criterion", criterion);
  column(eq.get(), "episodes", H5T_STD_I64LE, H5T_NATIVE_INT64, episodes, "count");
  column(eq.get(), "equilibrium_keepers", H5T_STD_I64LE, H5T_NATIVE_INT64, keepers, "count");
  column(eq.get(), "liquidations", H5T_STD_U64LE, H5T_NATIVE_UINT64, liquidations, "count");
  column(eq.get(), "mean_delay_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, delay, "s");
  column(eq.get(), "protocol_loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, loss, "USD");
  column(eq.get(), "bad_debt", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, bad_debt, "USD");
  column(ep.get(), "sweep_index", H5T_STD_I64LE, H5T_NATIVE_INT64, sweep_index, "index into /equilibria");
  column(ep.get(), "episode", H5T_STD_I64LE, H5T_NATIVE_INT64, episode, "index");
  column(ep.get(), "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, seed, "the episode's first day's master seed");
  column(ep.get(), "active", H5T_STD_I64LE, H5T_NATIVE_INT64, active, "count of active keepers");
  column(ep.get(), "mean_profit", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, mean_profit, "USD");
  column(ep.get(), "min_profit", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, min_profit, "USD");
  column(ep.get(), "liquidations", H5T_STD_U64LE, H5T_NATIVE_UINT64, episode_liquidations, "count");
  column(ep.get(), "mean_delay_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, episode_delay, "s");
  column(ep.get(), "protocol_loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, episode_loss, "USD");
  column(ep.get(), "bad_debt", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, episode_bad_debt, "USD");
}

void build_game_file(const std::string& path, const GameSpec& spec,
                     const std::vector<GameSweepPoint>& points) {
  const std::string what = "creating the game file";
  Hid fcpl = make_hid(H5Pcreate(H5P_FILE_CREATE), what);
  check_call(H5Pset_obj_track_times(fcpl.get(), 0), what);
  Hid fapl = make_hid(H5Pcreate(H5P_FILE_ACCESS), what);
  check_call(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), what);
  Hid file = make_hid(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), what);
  Hid root = make_hid(H5Gopen2(file.get(), "/", H5P_DEFAULT), what);
  write_string_attribute(root.get(), "file_kind", "game");
  write_string_attribute(root.get(), "liqsim_version", std::string(kLiqsimVersion));
  write_string_attribute(root.get(), "liqsim_commit", std::string(liqsim_commit()));
  write_string_attribute(root.get(), "schema_version", std::to_string(kGameSchemaVersion));
  write_string_attribute(root.get(), "game_toml", spec.text);
  write_string_attribute(root.get(), "seed", std::to_string(spec.seed));
  write_string_attribute(root.get(), "rule", std::string(learning_rule_name(spec.search.learning.rule)));
  write_string_attribute(root.get(), "sweep_key", spec.sweep_key);
  write_string_attribute(root.get(), "players", join(spec.players, ","));
  write_string_attribute(root.get(), "kind", spec.kind);
  if (spec.kind == "keeper_entry") {
    write_keeper_entry(root.get(), points);
    return;
  }

  // /strategies: one row per strategy, its keys.
  Hid strategies =
      make_hid(H5Gcreate2(root.get(), "strategies", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), what);
  text_column(strategies.get(), "keys", spec.strategy_names);

  // /equilibria: one row per sweep value.
  Hid eq = make_hid(H5Gcreate2(root.get(), "equilibria", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), what);
  std::vector<std::string> value, criterion, profile, payoffs, average;
  std::vector<uint8_t> converged;
  std::vector<int64_t> episodes, evaluations;
  std::vector<uint64_t> liquidations;
  std::vector<double> regret, mean_payoff, delay, loss, bad_debt, hunter_profit, mark_min, notional;
  for (const GameSweepPoint& p : points) {
    value.push_back(p.value);
    criterion.push_back(p.result.criterion);
    profile.push_back(profile_text(p.result.profile));
    payoffs.push_back(doubles_text(p.result.payoffs));
    std::vector<std::string> averages;
    for (const auto& mixed : p.result.average) averages.push_back(doubles_text(mixed));
    average.push_back(join(averages, ";"));
    converged.push_back(p.result.converged ? 1 : 0);
    episodes.push_back(int64_t(p.result.episodes.size()));
    evaluations.push_back(p.result.evaluations);
    regret.push_back(p.result.max_regret);
    double sum = 0;
    for (double x : p.result.payoffs) sum += x;
    mean_payoff.push_back(p.result.payoffs.empty() ? 0 : sum / double(p.result.payoffs.size()));
    liquidations.push_back(p.outcome.liquidations);
    delay.push_back(p.outcome.mean_delay_seconds);
    loss.push_back(p.outcome.protocol_loss);
    bad_debt.push_back(p.outcome.bad_debt);
    hunter_profit.push_back(p.outcome.hunter_profit);
    mark_min.push_back(p.outcome.mark_min);
    notional.push_back(p.outcome.liquidated_notional);
  }
  text_column(eq.get(), "sweep_value", value);
  column(eq.get(), "converged", H5T_STD_U8LE, H5T_NATIVE_UINT8, converged, "bool");
  text_column(eq.get(), "criterion", criterion);
  column(eq.get(), "episodes", H5T_STD_I64LE, H5T_NATIVE_INT64, episodes, "count");
  column(eq.get(), "evaluations", H5T_STD_I64LE, H5T_NATIVE_INT64, evaluations,
         "count (distinct simulated days)");
  text_column(eq.get(), "profile", profile);
  text_column(eq.get(), "payoffs", payoffs);
  text_column(eq.get(), "average_strategy", average);
  column(eq.get(), "max_regret", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, regret, "USD");
  column(eq.get(), "mean_payoff", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, mean_payoff, "USD");
  column(eq.get(), "liquidations", H5T_STD_U64LE, H5T_NATIVE_UINT64, liquidations, "count");
  column(eq.get(), "liquidated_notional", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, notional, "USD");
  column(eq.get(), "mean_delay_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, delay, "s");
  column(eq.get(), "protocol_loss", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, loss, "USD");
  column(eq.get(), "bad_debt", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, bad_debt, "USD");
  column(eq.get(), "hunter_profit", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, hunter_profit, "USD");
  column(eq.get(), "mark_min", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, mark_min, "USD");

  // /episodes: one row per (sweep value, episode, player).
  Hid ep = make_hid(H5Gcreate2(root.get(), "episodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), what);
  std::vector<int64_t> sweep_index, episode, player, strategy;
  std::vector<uint64_t> seed;
  std::vector<double> payoff, probability;
  for (size_t k = 0; k < points.size(); ++k)
    for (const GameEpisode& e : points[k].result.episodes)
      for (size_t p = 0; p < e.profile.size(); ++p) {
        sweep_index.push_back(int64_t(k));
        episode.push_back(e.episode);
        seed.push_back(e.seed);
        player.push_back(int64_t(p));
        strategy.push_back(e.profile[p]);
        payoff.push_back(e.payoffs[p]);
        probability.push_back(e.mixed[p][size_t(e.profile[p])]);
      }
  column(ep.get(), "sweep_index", H5T_STD_I64LE, H5T_NATIVE_INT64, sweep_index, "index into /equilibria");
  column(ep.get(), "episode", H5T_STD_I64LE, H5T_NATIVE_INT64, episode, "index");
  column(ep.get(), "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, seed, "the day's master seed");
  column(ep.get(), "player", H5T_STD_I64LE, H5T_NATIVE_INT64, player, "index into the players attribute");
  column(ep.get(), "strategy", H5T_STD_I64LE, H5T_NATIVE_INT64, strategy, "index into /strategies");
  column(ep.get(), "payoff", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, payoff, "USD");
  column(ep.get(), "probability", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, probability,
         "the player's probability of the strategy it played");
}

}  // namespace

std::optional<std::string> write_game_file(const std::string& path, const GameSpec& spec,
                                           const std::vector<GameSweepPoint>& points, bool overwrite) {
  QuietHdf5Errors quiet;
  TemporaryFile temporary(temporary_path_for(path));
  const int fd = temporary.create();
  if (fd < 0) return "cannot create '" + temporary.path() + "': " + std::strerror(-fd);
  ::close(fd);
  try {
    build_game_file(temporary.path(), spec, points);
  } catch (const Hdf5Error& e) {
    return std::string(e.what());
  }
  return temporary.commit(path, overwrite);
}

int game_command(const GameCommandArgs& args) {
  std::ifstream in(args.file, std::ios::binary);
  if (!in) {
    std::cerr << "liqsim game: cannot read '" << args.file << "'\n";
    return 2;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (text.size() > kMaxGameFileBytes) {
    std::cerr << "liqsim game: " << args.file << ": larger than 4 MiB\n";
    return 2;
  }
  auto parsed = parse_game(text, std::filesystem::path(args.file).parent_path().string());
  if (auto* problems = std::get_if<std::vector<std::string>>(&parsed)) {
    for (const std::string& p : *problems) std::cerr << "liqsim game: " << args.file << ": " << p << "\n";
    return 2;
  }
  const GameSpec& spec = std::get<GameSpec>(parsed);
  const std::string out =
      args.out.empty() ? "liqsim-game-" + std::filesystem::path(args.file).stem().string() + ".h5" : args.out;
  if (auto problem = check_output_path(out, args.force)) {
    std::cerr << "liqsim game: --out " << out << ": " << *problem << "\n";
    return 2;
  }
  const size_t points = std::max<size_t>(1, spec.sweep_values.size());
  if (spec.kind == "keeper_entry")
    std::cout << "game: keeper free entry, at most " << spec.entry.max_keepers << " keepers, entry cost $"
              << spec.entry.entry_cost << ", up to " << spec.entry.max_episodes << " episodes at each of "
              << points << " sweep value(s)\n";
  else
    std::cout << "game: " << spec.players.size() << " players x " << spec.strategies.size()
              << " strategies, rule " << learning_rule_name(spec.search.learning.rule) << ", up to "
              << spec.search.max_episodes << " episodes at each of " << points << " sweep value(s)\n";
  if (args.dry_run) return 0;
  install_temporary_file_cleanup();
  std::vector<GameSweepPoint> results;
  try {
    results = play_game(spec, [&](const GameSweepPoint& p) {
      const std::string label = spec.sweep_key.empty() ? "equilibrium" : spec.sweep_key + " = " + p.value;
      if (p.entry) {
        const KeeperEpisode* at = nullptr;
        for (const KeeperEpisode& e : p.entry->episodes)
          if (e.active == p.entry->equilibrium_keepers) at = &e;
        std::printf(
            "%s: %s after %zu episodes; %d keepers (mean profit $%.2f); liquidations %llu, mean delay "
            "%.2f s, protocol loss $%.2f\n",
            label.c_str(),
            p.entry->converged ? ("converged (" + p.entry->criterion + ")").c_str() : "not converged",
            p.entry->episodes.size(), p.entry->equilibrium_keepers, at ? at->mean_profit : 0.0,
            static_cast<unsigned long long>(p.outcome.liquidations), p.outcome.mean_delay_seconds,
            p.outcome.protocol_loss);
        std::fflush(stdout);
        return;
      }
      std::vector<std::string> averages;
      for (const auto& mixed : p.result.average) averages.push_back(doubles_text(mixed, false));
      std::printf(
          "%s: %s after %zu episodes (%d days); profile [%s], payoffs [%s] $, max regret $%.2f, "
          "time-averaged strategies [%s]; liquidations %llu, mean delay %.2f s, protocol loss $%.2f, "
          "hunters $%.2f\n",
          label.c_str(),
          p.result.converged ? ("converged (" + p.result.criterion + ")").c_str() : "not converged",
          p.result.episodes.size(), p.result.evaluations, profile_text(p.result.profile).c_str(),
          doubles_text(p.result.payoffs, false).c_str(), p.result.max_regret, join(averages, "; ").c_str(),
          static_cast<unsigned long long>(p.outcome.liquidations), p.outcome.mean_delay_seconds,
          p.outcome.protocol_loss, p.outcome.hunter_profit);
      std::fflush(stdout);
    });
  } catch (const std::exception& e) {
    std::cerr << "liqsim game: a run failed: " << e.what() << "\n";
    return 1;
  }
  if (auto problem = write_game_file(out, spec, results, args.force)) {
    std::cerr << "liqsim game: " << *problem << "\n";
    return 1;
  }
  std::cout << "output " << out << "\n";
  return 0;
}

}  // namespace liqsim
