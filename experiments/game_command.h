// `liqsim game GAME.toml`: searches an equilibrium of strategic agents in simulated days, and sweeps a
// protocol parameter over it (docs/games.md). A game file names a base scenario and overrides, the players
// (groups of strategic agents: "hunters[i]", whose payoff is the group's mean profit, equity less deposits),
// their common strategy set (each strategy a table of keys of the player's group), a learning rule
// (experiments/equilibrium_search.h) and an optional sweep of one scenario key. For each sweep value the
// search plays episodes until the profile stops changing (or the time averages, for Hedge and EXP3) and
// records the final profile with its payoffs and the day's outcome (liquidations, delay, protocol loss,
// hunters' profit). Results go to one HDF5 file (/equilibria, /episodes; docs/hdf5-schema.md "Game
// files"), written to a temporary file and moved into place when complete.
// Exit codes as `liqsim run`: 0 done, 1 a run or the file failed, 2 bad input (nothing run or written).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "experiments/equilibrium_search.h"
#include "experiments/keeper_entry_game.h"
#include "experiments/scenario_loader.h"

namespace liqsim {

struct GameSpec {
  // "strategies": players (hunter groups) learning over a strategy set; "keeper_entry": the keeper
  // free-entry game (experiments/keeper_entry_game.h) on the scenario's keepers.
  std::string kind = "strategies";
  KeeperEntryGameParams entry;  // keeper_entry
  std::string text;             // the game file
  std::string source_dir;       // its folder (a relative scenario path)
  std::string scenario;         // `base`: a preset name or a scenario file
  std::vector<ScenarioOverride> set;
  std::vector<std::string> players;                       // "hunters[i]"
  std::vector<std::vector<ScenarioOverride>> strategies;  // keys relative to a player
  std::vector<std::string> strategy_names;                // "k=v, ..." per strategy
  EquilibriumSearchParams search;
  uint64_t seed = 42;
  std::string sweep_key;                  // empty: one search
  std::vector<std::string> sweep_values;  // TOML text of each value
};

// Every problem of a game file, as "key = value: why; allowed: ...", or the spec. Each strategy of each
// player at each sweep value is loaded once, so a key that does not exist or a value out of range is
// reported before anything runs.
std::variant<GameSpec, std::vector<std::string>> parse_game(std::string_view text,
                                                            const std::string& source_dir);

// What one day of a profile gave beyond the payoffs.
struct GameOutcome {
  uint64_t liquidations = 0;
  double mean_delay_seconds = 0;
  double protocol_loss = 0;
  double bad_debt = 0;
  double hunter_profit = 0;
  double mark_min = 0;
  double liquidated_notional = 0;
};

struct GameSweepPoint {
  std::string value;  // the sweep value (TOML text), "" without a sweep
  EquilibriumResult result;
  GameOutcome
      outcome;  // of result.profile on the last episode's day (keeper_entry: the equilibrium's episode)
  std::optional<KeeperEntryGameResult> entry;  // keeper_entry: the free-entry search
};

// Plays the game at every sweep value in order; `progress` (may be empty) hears each finished search.
std::vector<GameSweepPoint> play_game(const GameSpec& spec,
                                      const std::function<void(const GameSweepPoint&)>& progress = {});

// Writes the game file (temporary file, then moved to `path`); an error message or nothing.
std::optional<std::string> write_game_file(const std::string& path, const GameSpec& spec,
                                           const std::vector<GameSweepPoint>& points, bool overwrite);

struct GameCommandArgs {
  std::string file;
  std::string out;
  bool force = false;
  bool dry_run = false;
};

int game_command(const GameCommandArgs& args);

}  // namespace liqsim
