// Whole-run throughput: one run_simulation of a built-in preset per iteration, as `liqsim run` does it
// (preset -> load_scenario_text -> to_toml -> run_simulation), without writing the HDF5 run file or
// the report. Loading and to_toml happen once, outside the timing; building the world, running it and
// destroying the RunResult are timed.
//
// Counters: events = events processed per run (RunSummary::events_processed), events_per_second =
// events over the benchmark's real time (kIsRate; the benchmarks use UseRealTime, so the rate is per
// wall-clock second), liquidations = liquidations per run. The runs are deterministic (fixed seed), so
// events and liquidations are the same in every iteration; only the time varies.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "experiments/hdf5_sink.h"
#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"

namespace liqsim {
namespace {

std::optional<Scenario> load_preset(benchmark::State& state, const char* name) {
  const Preset* preset = find_preset(name);
  if (preset == nullptr) {
    state.SkipWithError("preset not found");
    return std::nullopt;
  }
  ScenarioResult loaded = load_scenario_text(preset->toml, "preset " + std::string(name), ".");
  if (std::holds_alternative<std::vector<ScenarioError>>(loaded)) {
    state.SkipWithError("preset does not load");
    return std::nullopt;
  }
  return std::get<Scenario>(std::move(loaded));
}

void run_preset(benchmark::State& state, const char* name) {
  const std::optional<Scenario> loaded = load_preset(state, name);
  if (!loaded) return;
  const Scenario& scenario = *loaded;
  const std::string resolved_toml = to_toml(scenario);
  const RunOptions options;  // no progress, no per-event conservation check (as the CLI with --quiet)

  double events = 0;
  double liquidations = 0;
  for (auto _ : state) {
    RunResult result = run_simulation(scenario, resolved_toml, options);
    events += double(result.summary.events_processed);
    liquidations += double(result.summary.liquidation_count);
    benchmark::DoNotOptimize(result);
  }
  state.counters["events"] = benchmark::Counter(events, benchmark::Counter::kAvgIterations);
  state.counters["events_per_second"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["liquidations"] = benchmark::Counter(liquidations, benchmark::Counter::kAvgIterations);
}

// The spiral demo: 10,000 traders, 1 simulated day (about 5 s of wall time per run).
void BM_Run_DefaultScenario(benchmark::State& state) { run_preset(state, "default"); }
BENCHMARK(BM_Run_DefaultScenario)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

// The former default (one book, exogenous index): the speed target is the default's time
// within 2x of this one's.
void BM_Run_ExogenousScenario(benchmark::State& state) { run_preset(state, "exogenous"); }
BENCHMARK(BM_Run_ExogenousScenario)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

// The fast preset: 500 traders, 2 simulated hours; as many iterations as fit in 2 s.
void BM_Run_SmallScenario(benchmark::State& state) { run_preset(state, "small"); }
BENCHMARK(BM_Run_SmallScenario)->MinTime(2.0)->Unit(benchmark::kMillisecond)->UseRealTime();

// Maker Liquidations 2.0 at StableSims' size (50 vaults, 10 keepers, 144 ten-minute steps of a day):
// the mechanism zoo's speed target is 1000x StableSims' 26-29 s per run, i.e. at most 26 ms.
void BM_Run_MakerLiq2Preset(benchmark::State& state) { run_preset(state, "maker_liq2"); }
BENCHMARK(BM_Run_MakerLiq2Preset)->MinTime(2.0)->Unit(benchmark::kMillisecond)->UseRealTime();

// Writing the default scenario's run file (HDF5, as `liqsim run` does after the run; about 1.3 M trades):
// the run happens once before the timing, each iteration writes the file to the temporary folder and
// removes it. Compare with BM_Run_DefaultScenario for the write's share of a CLI run.
void BM_Write_DefaultRunFile(benchmark::State& state) {
  const std::optional<Scenario> scenario = load_preset(state, "default");
  if (!scenario) return;
  const std::string resolved_toml = to_toml(*scenario);
  RunResult result = run_simulation(*scenario, resolved_toml, RunOptions());
  result.metadata.liqsim_version = "bench";
  const std::string path =
      (std::filesystem::temp_directory_path() / ("liqsim_bench_write_" + std::to_string(::getpid()) + ".h5"))
          .string();
  double bytes = 0;
  for (auto _ : state) {
    if (const auto error = write_run_file(path, result.metadata, result.log, result.summary, true)) {
      state.SkipWithError(error->c_str());
      break;
    }
    state.PauseTiming();
    bytes = double(std::filesystem::file_size(path));
    std::remove(path.c_str());
    state.ResumeTiming();
  }
  state.counters["file_bytes"] = bytes;
  state.counters["trades"] = double(result.log.trades.size());
}
BENCHMARK(BM_Write_DefaultRunFile)->MinTime(3.0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace liqsim
