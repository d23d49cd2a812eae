// liqsim: the command line. `run` loads and validates a scenario, runs it and writes the run file;
// `validate` checks a scenario file; `presets` lists the built-in scenarios; `sweep` runs a sweep file
// (experiments/sweep_command); `report` writes the HTML report of a run or sweep file
// (experiments/report_html). Exit codes: 0 success, 1 the run failed (run file not written, or
// conservation violated), 2 bad input (nothing was run).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/checked.h"
#include "experiments/counterfactual.h"
#include "experiments/game_command.h"
#include "experiments/hdf5_sink.h"
#include "experiments/output_file.h"
#include "experiments/presets.h"
#include "experiments/replay_start.h"
#include "experiments/report.h"
#include "experiments/report_html.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "experiments/sweep_command.h"
#include "experiments/version.h"

namespace liqsim {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
constexpr uint64_t kMaxSeed = std::numeric_limits<int64_t>::max();  // scenario seeds are TOML integers

struct RunArgs {
  std::string scenario_file;
  std::string preset;
  std::string seed;
  std::string out;
  bool scenario_given = false;
  bool preset_given = false;
  bool seed_given = false;
  std::vector<std::string> sets;  // --set KEY=VALUE, in order
  bool out_given = false;
  bool force = false;
  bool quiet = false;
  std::string counterfactual;  // --counterfactual NAME
  bool counterfactual_given = false;
};

// The --set options as overrides; a malformed one is an error naming it.
std::optional<std::vector<ScenarioOverride>> parse_sets(const std::string& command,
                                                        const std::vector<std::string>& sets) {
  std::vector<ScenarioOverride> overrides;
  for (const std::string& text : sets) {
    auto o = parse_override(text);
    if (!o) {
      std::cerr << "liqsim " << command << ": --set '" << text
                << "' is not KEY=VALUE; allowed: a dotted key path, '=', a TOML value, e.g. "
                   "--set markets[0].shock.fall_fraction=0.3\n";
      return std::nullopt;
    }
    overrides.push_back(std::move(*o));
  }
  return overrides;
}

void print_errors(const std::string& source, const std::vector<ScenarioError>& errors) {
  std::cerr << source << ": " << errors.size() << (errors.size() == 1 ? " problem:\n" : " problems:\n");
  for (const ScenarioError& e : errors) std::cerr << "  " << e.message() << "\n";
}

std::string preset_names() {
  std::string names;
  for (const Preset& preset : presets()) {
    if (!names.empty()) names += ", ";
    names += preset.name;
  }
  return names;
}

std::optional<uint64_t> parse_seed(const std::string& text) {
  uint64_t seed = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, seed);
  if (text.empty() || ec != std::errc() || ptr != end || seed > kMaxSeed) return std::nullopt;
  return seed;
}

// The scenario name as it appears in the default run file name: path separators and other unusual
// characters become '_'.
std::string file_name_part(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.';
    if (!plain) c = '_';
  }
  return out;
}

int run_command(const RunArgs& args) {
  // Command-line values, checked before anything is read.
  if (args.scenario_given && args.preset_given) {
    std::cerr << "liqsim run: --scenario '" << args.scenario_file << "' and --preset '" << args.preset
              << "' exclude each other; allowed: one of them (no option: --preset default)\n";
    return kExitBadInput;
  }
  std::optional<uint64_t> seed;
  if (args.seed_given) {
    seed = parse_seed(args.seed);
    if (!seed) {
      std::cerr << "liqsim run: --seed '" << args.seed << "' is not a valid seed; allowed: an integer in [0, "
                << kMaxSeed << "]\n";
      return kExitBadInput;
    }
  }
  std::optional<CounterfactualKind> counterfactual;
  if (args.counterfactual_given) {
    counterfactual = counterfactual_from_string(args.counterfactual);
    if (!counterfactual) {
      std::cerr << "liqsim run: --counterfactual '" << args.counterfactual
                << "' is not a counterfactual; allowed: " << kCounterfactualChoices << "\n";
      return kExitBadInput;
    }
  }
  const Preset* preset = nullptr;
  if (!args.scenario_given) {
    const std::string name = args.preset_given ? args.preset : "default";
    preset = find_preset(name);
    if (preset == nullptr) {
      std::cerr << "liqsim run: --preset '" << name << "' is not a preset; allowed: " << preset_names()
                << "\n";
      return kExitBadInput;
    }
  }
  const auto overrides = parse_sets("run", args.sets);
  if (!overrides) return kExitBadInput;

  // The scenario, validated in full (with the --set overrides).
  const std::string source = preset != nullptr ? "preset " + std::string(preset->name) : args.scenario_file;
  ScenarioResult loaded = preset != nullptr ? load_preset(preset->name, *overrides)
                                            : load_scenario_file(args.scenario_file, *overrides);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&loaded)) {
    print_errors(source, *errors);
    return kExitBadInput;
  }
  Scenario scenario = std::get<Scenario>(std::move(loaded));
  if (seed) scenario.seed = *seed;
  if (counterfactual && scenario.liquidation.execution != "market") {
    std::cerr << "liqsim run: --counterfactual " << args.counterfactual << " compares the run with its twin "
              << "whose liquidations execute off the book, but " << source
              << " sets liquidation.execution = \"" << scenario.liquidation.execution
              << "\"; allowed with --counterfactual: \"market\"\n";
    return kExitBadInput;
  }

  // The run file must be writable before hours are spent on the run.
  const std::string out = args.out_given ? args.out
                                         : "liqsim-" + file_name_part(scenario.name) + "-seed" +
                                               std::to_string(scenario.seed) + ".h5";
  if (const std::optional<std::string> problem = check_output_path(out, args.force)) {
    std::cerr << "liqsim run: " << (args.out_given ? "--out" : "output file (default name)") << " '" << out
              << "': " << *problem << "\n";
    return kExitBadInput;
  }
  // From here on an interrupted run leaves no temporary file behind.
  install_temporary_file_cleanup();

  // The run, streamed to the run file as it goes (experiments/hdf5_sink.h).
  const std::string resolved_toml = to_toml(scenario);
  auto opened = RunFileWriter::open(out);
  if (auto* failure = std::get_if<std::string>(&opened)) {
    std::cerr << "liqsim run: could not write '" << out << "': " << *failure << "\n";
    return kExitFailure;
  }
  RunFileWriter& writer = *std::get<std::unique_ptr<RunFileWriter>>(opened);
  RunOptions options;
  options.progress = isatty(STDERR_FILENO) != 0 && !args.quiet;
  const auto start = std::chrono::steady_clock::now();
  // Validation keeps valid scenarios in range; an overflow (ArithmeticError) would be a bug or an input
  // beyond that range: reported, and the abandoned writer removes its temporary file.
  std::optional<Simulation> simulation;
  std::chrono::steady_clock::time_point last_event;
  double wall_seconds = 0;
  std::optional<TwinRun> twin;
  double twin_seconds = 0;
  try {
    // The impact-free twin first, in memory: the run then tags its liquidations against it as it goes.
    if (counterfactual) {
      if (options.progress) std::cerr << "liqsim: impact-free twin\n";
      twin = run_impact_free_twin(scenario, options);
      twin_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      options.impact_free_twin = twin->reference;
      if (options.progress) std::cerr << "liqsim: the run\n";
    }
    simulation.emplace(scenario, options, writer);
    // In steps, so that a failed write (a full disk) stops the run early; stepping does not change it.
    constexpr int kSteps = 100;
    const Time end = simulation->end();
    for (int step = 1; step <= kSteps && !writer.error(); ++step) {
      simulation->run_until(Time(int64_t(__int128(end.raw()) * step / kSteps)));
    }
    if (const auto failure = writer.error()) {
      if (options.progress) std::cerr << "\n";
      std::cerr << "liqsim run: could not write '" << out << "': " << *failure << " (run stopped at "
                << to_seconds(simulation->now()) << " s of simulated time)\n";
      return kExitFailure;
    }
    last_event = std::chrono::steady_clock::now();
    wall_seconds = std::chrono::duration<double>(last_event - start).count() - twin_seconds;
    // After the last event: the final account states, the summary, and the rest of the run file.
    simulation->finish();
  } catch (const ArithmeticError& e) {
    std::cerr << "liqsim run: arithmetic error, no run file written: " << e.what() << "\n";
    return kExitFailure;
  }
  RunSummary summary = simulation->summary();
  summary.wall_seconds = wall_seconds;
  if (twin) apply_amplification(summary, twin->summary);
  RunMetadata metadata = simulation->metadata(resolved_toml);
  metadata.replay_start_seconds = replay_start_seconds(scenario);
  const std::optional<std::string> write_error =
      writer.finish(metadata, summary, args.force, twin ? &twin->summary : nullptr);
  const double write_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - last_event).count();
  char written[64];
  std::snprintf(written, sizeof written, " (written in %.2f s after the last event)", write_seconds);
  std::cout << format_report(metadata, summary, out + (write_error ? " (NOT WRITTEN)" : written),
                             wall_seconds);
  if (twin)
    std::printf("impact-free twin     %s events in %.2f s (same seed, every liquidation off the book)\n",
                std::to_string(twin->summary.events_processed).c_str(), twin_seconds);
  int code = 0;
  if (write_error) {
    std::cerr << "liqsim run: could not write '" << out << "': " << *write_error << "\n";
    code = kExitFailure;
  }
  if (summary.conservation_residual != Amount::zero()) {
    std::cerr << "liqsim run: conservation violated: residual $"
              << format_amount(summary.conservation_residual) << " (must be 0)\n";
    code = kExitFailure;
  }
  if (twin && twin->summary.conservation_residual != Amount::zero()) {
    std::cerr << "liqsim run: conservation violated in the impact-free twin: residual $"
              << format_amount(twin->summary.conservation_residual) << " (must be 0)\n";
    code = kExitFailure;
  }
  return code;
}

int validate_command(const std::string& file, const std::vector<std::string>& sets) {
  const auto overrides = parse_sets("validate", sets);
  if (!overrides) return kExitBadInput;
  ScenarioResult loaded = load_scenario_file(file, *overrides);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&loaded)) {
    print_errors(file, *errors);
    return kExitBadInput;
  }
  const RunCostEstimate cost = estimate_run_cost(std::get<Scenario>(loaded));
  std::printf("%s: valid (about %.3g events, %.0f MiB)\n", file.c_str(), cost.events,
              std::ceil(cost.memory_bytes / (1024.0 * 1024.0)));
  return 0;
}

// `liqsim presets NAME`: the preset resolved (base, defaults) as the complete TOML a run stores.
int preset_command(const std::string& name, const std::vector<std::string>& sets) {
  const auto overrides = parse_sets("presets", sets);
  if (!overrides) return kExitBadInput;
  ScenarioResult loaded = load_preset(name, *overrides);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&loaded)) {
    print_errors("preset '" + name + "'", *errors);
    return kExitBadInput;
  }
  std::cout << to_toml(std::get<Scenario>(loaded));
  return 0;
}

int presets_command() {
  size_t width = 0;
  for (const Preset& preset : presets()) width = std::max(width, preset.name.size());
  for (const Preset& preset : presets())
    std::cout << preset.name << std::string(width + 2 - preset.name.size(), ' ') << preset.description
              << "\n";
  return 0;
}

}  // namespace
}  // namespace liqsim

int main(int argc, char** argv) {
  using namespace liqsim;
  CLI::App app{"liqsim: agent-based simulator of liquidation cascades", "liqsim"};
  app.set_version_flag("--version", "liqsim " + std::string(kLiqsimVersion));
  app.require_subcommand(1);

  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "Run one scenario and write its HDF5 run file");
  run->add_option("--scenario", run_args.scenario_file, "Scenario TOML file")->type_name("FILE");
  run->add_option("--preset", run_args.preset, "Built-in scenario (liqsim presets); the default is 'default'")
      ->type_name("NAME");
  run->add_option("--seed", run_args.seed, "Master seed, replaces the scenario's; 0 to 2^63-1")
      ->type_name("N");
  run->add_option("--out", run_args.out, "Run file; default: liqsim-<scenario name>-seed<seed>.h5")
      ->type_name("FILE");
  run->add_option("--set", run_args.sets,
                  "Override one scenario key, repeatable: KEY=VALUE with a dotted key path, e.g. "
                  "traders.count=100000 or markets[0].shock.fall_fraction=0.3")
      ->type_name("KEY=VALUE")
      ->take_all();
  run->add_flag("--force", run_args.force, "Overwrite an existing run file");
  run->add_flag("--quiet", run_args.quiet, "No progress display on stderr");
  run->add_option("--counterfactual", run_args.counterfactual,
                  "Also run the same seed with every liquidation executed off the book at the mark "
                  "(impact_free) and store the amplification (docs/hdf5-schema.md, /summary)")
      ->type_name("NAME");

  std::string validate_file;
  std::vector<std::string> validate_sets;
  CLI::App* validate = app.add_subcommand("validate", "Check a scenario file and list every problem");
  validate->add_option("FILE", validate_file, "Scenario TOML file")->required();
  validate->add_option("--set", validate_sets, "Override one scenario key (as for run), repeatable")
      ->type_name("KEY=VALUE")
      ->take_all();

  std::string preset_name;
  std::vector<std::string> preset_sets;
  CLI::App* list = app.add_subcommand("presets", "List the built-in scenarios, or print one resolved");
  list->add_option("NAME", preset_name, "Print this preset as complete TOML (every key)");
  list->add_option("--set", preset_sets, "Override one key before printing, repeatable")
      ->type_name("KEY=VALUE")
      ->take_all();

  // liqsim sweep SWEEP.toml (experiments/sweep_command.h, docs/sweeps.md)
  SweepCommandArgs sweep_args;
  CLI::App* sweep =
      app.add_subcommand("sweep", "Run a sweep file (axes x seeds x variants) into one HDF5 file of metrics");
  sweep->add_option("SWEEP", sweep_args.file, "Sweep TOML file (docs/sweeps.md)")->required();
  sweep
      ->add_option("--jobs", sweep_args.jobs,
                   "Runs at a time, one thread each; default: the hardware threads")
      ->type_name("N");
  sweep->add_option("--out", sweep_args.out, "Sweep file; default: liqsim-sweep-<sweep file name>.h5")
      ->type_name("FILE");
  sweep->add_flag("--force", sweep_args.force, "Replace an existing sweep file");
  sweep->add_flag("--resume", sweep_args.resume,
                  "Run only the runs the existing --out file of this plan lacks");
  sweep->add_flag("--dry-run", sweep_args.dry_run, "Validate every run and print the plan; run nothing");
  sweep->add_flag("--quiet", sweep_args.quiet, "No progress display on stderr");

  // liqsim game GAME.toml (experiments/game_command.h, docs/games.md)
  GameCommandArgs game_args;
  CLI::App* game = app.add_subcommand(
      "game",
      "Search equilibria of strategic agents by learning over simulated days, across a parameter sweep");
  game->add_option("GAME", game_args.file, "Game TOML file (docs/games.md)")->required();
  game->add_option("--out", game_args.out, "Game file; default: liqsim-game-<game file name>.h5")
      ->type_name("FILE");
  game->add_flag("--force", game_args.force, "Replace an existing game file");
  game->add_flag("--dry-run", game_args.dry_run,
                 "Validate the game (every strategy's scenario) and run nothing");

  // liqsim report FILE.h5 -o report.html (experiments/report_html.h, docs/reports.md)
  ReportOptions report_options;
  CLI::App* report = app.add_subcommand(
      "report", "Write a self-contained HTML report (tables, SVG plots) of a run file or a sweep file");
  report->add_option("FILE", report_options.input, "Run file (liqsim run) or sweep file (liqsim sweep)")
      ->required();
  report->add_option("-o,--out", report_options.output, "HTML file to write; default: FILE with .html")
      ->type_name("FILE");
  report->add_flag("--force", report_options.force, "Replace an existing output file");
  report
      ->add_option("--metric", report_options.metrics,
                   "Sweep files: a /summary field to plot, repeatable; default: liquidated_notional and "
                   "liquidation_count")
      ->type_name("NAME")
      ->take_all();
  report
      ->add_option("--axis", report_options.axis,
                   "Sweep files: the axis of the line plots; default: the first")
      ->type_name("KEY");
  report
      ->add_option("--table-rows", report_options.table_rows,
                   "Sweep files: list every run when there are at most this many (default 200)")
      ->type_name("N");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A first word that is not a subcommand: name it and the allowed ones.
    const bool subcommand_parsed = run->parsed() || validate->parsed() || list->parsed() || sweep->parsed() ||
                                   report->parsed() || game->parsed();
    for (int i = 1; i < argc && !subcommand_parsed; ++i) {
      if (argv[i][0] == '-') continue;
      const std::string word = argv[i];
      if (word == "run" || word == "validate" || word == "presets" || word == "sweep" || word == "report" ||
          word == "game")
        break;
      std::cerr << "liqsim: unknown subcommand '" << word
                << "'; allowed: run, validate, presets, sweep, report, game (liqsim --help)\n";
      return 2;
    }
    // --help and --version exit 0; every other parse error is bad input.
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (run->parsed()) {
    run_args.scenario_given = run->count("--scenario") > 0;
    run_args.preset_given = run->count("--preset") > 0;
    run_args.seed_given = run->count("--seed") > 0;
    run_args.out_given = run->count("--out") > 0;
    run_args.counterfactual_given = run->count("--counterfactual") > 0;
    return run_command(run_args);
  }
  if (validate->parsed()) return validate_command(validate_file, validate_sets);
  if (list->parsed())
    return preset_name.empty() ? presets_command() : preset_command(preset_name, preset_sets);
  if (sweep->parsed()) {
    sweep_args.jobs_given = sweep->count("--jobs") > 0;
    sweep_args.out_given = sweep->count("--out") > 0;
    return sweep_command(sweep_args);
  }
  if (report->parsed()) return report_command(report_options);
  if (game->parsed()) return game_command(game_args);
  return 2;
}
