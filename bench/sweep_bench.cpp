// What a sweep adds to its runs (experiments/sweep_*): per run, loading the run's scenario from the
// resolved base text with its overrides, and writing its /metrics row; per (point, variant), the
// validation before the sweep starts. BM_Sweep_SimulationAlone and BM_Sweep_ExecuteRun run the same
// scenario of the small preset, alone and as a sweep run (scenario loading, run, outcome): their
// difference is the sweep's overhead per run.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <variant>

#include "experiments/sweep_file.h"
#include "experiments/sweep_plan.h"
#include "experiments/sweep_runner.h"

namespace liqsim {
namespace {

// The small preset over 20 leverages x 10 maker depths x 2 seeds x 2 variants: 800 runs.
constexpr const char* kSweep = R"(
base = "small"
seeds = 2
[[axes]]
key = "traders.leverage.mean"
range = { from = 2, to = 40, steps = 20, scale = "log" }
[[axes]]
key = "market_makers.level_size"
range = { from = 0.5, to = 8, steps = 10, scale = "log" }
[[variants]]
name = "no_liquidation"
set = { "liquidation.mechanism" = "none" }
)";

// One point, one seed: the small preset with the sweep's first run seed (sweep seed 1). A sweep file of
// 200 variants that only set `name` runs this very scenario 200 times (docs/sweeps.md, Performance).
constexpr const char* kOneRun = "base = \"small\"\n";

std::optional<SweepPlan> plan(benchmark::State& state, bool resolve, const char* text = kSweep) {
  SweepSpecResult parsed = parse_sweep_text(text, "bench", ".");
  if (!std::holds_alternative<SweepSpec>(parsed)) {
    state.SkipWithError("sweep does not parse");
    return std::nullopt;
  }
  auto expanded = SweepPlan::expand(std::get<SweepSpec>(std::move(parsed)));
  if (!std::holds_alternative<SweepPlan>(expanded)) {
    state.SkipWithError("sweep does not expand");
    return std::nullopt;
  }
  SweepPlan p = std::get<SweepPlan>(std::move(expanded));
  if (resolve && !p.resolve(1).empty()) {
    state.SkipWithError("sweep does not resolve");
    return std::nullopt;
  }
  return p;
}

// Validation before the sweep: one scenario load per (point, variant), here 400.
void BM_Sweep_Resolve(benchmark::State& state) {
  auto p = plan(state, false);
  if (!p) return;
  for (auto _ : state) {
    auto copy = *p;
    benchmark::DoNotOptimize(copy.resolve(1));
  }
  state.counters["scenarios"] = double(p->points() * p->variants());
}
BENCHMARK(BM_Sweep_Resolve)->Unit(benchmark::kMillisecond)->UseRealTime();

// A run's scenario: the resolved base text, its axis values and variant, through the loader.
void BM_Sweep_ScenarioPerRun(benchmark::State& state) {
  auto p = plan(state, true);
  if (!p) return;
  uint64_t r = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p->scenario(p->run(r)));
    r = (r + 1) % p->runs();
  }
}
BENCHMARK(BM_Sweep_ScenarioPerRun)->Unit(benchmark::kMicrosecond)->UseRealTime();

// A /metrics row written in place and flushed.
void BM_Sweep_RowWrite(benchmark::State& state) {
  auto p = plan(state, true);
  if (!p) return;
  const std::string path = "/tmp/liqsim_sweep_bench_" + std::to_string(::getpid()) + ".h5";
  std::filesystem::remove(path);
  auto created = SweepFile::create(path, *p, true);
  if (!std::holds_alternative<SweepFile>(created)) {
    state.SkipWithError(std::get<std::string>(created).c_str());
    return;
  }
  SweepFile& file = std::get<SweepFile>(created);
  SweepOutcome outcome;
  outcome.status = SweepRunStatus::Ok;
  outcome.summary.events_processed = 170000;
  for (auto _ : state) {
    file.write(outcome);
    file.flush();
    outcome.run = (outcome.run + 1) % p->runs();
  }
  file.close();
  std::filesystem::remove(path);
}
BENCHMARK(BM_Sweep_RowWrite)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The same run, alone and as a sweep run.
void BM_Sweep_SimulationAlone(benchmark::State& state) {
  auto p = plan(state, true, kOneRun);
  if (!p) return;
  const Scenario scenario = std::get<Scenario>(p->scenario(p->run(0)));
  for (auto _ : state) benchmark::DoNotOptimize(simulate_for_summary(scenario));
}
BENCHMARK(BM_Sweep_SimulationAlone)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Sweep_ExecuteRun(benchmark::State& state) {
  auto p = plan(state, true, kOneRun);
  if (!p) return;
  for (auto _ : state) benchmark::DoNotOptimize(execute_sweep_run(*p, 0, simulate_run));
}
BENCHMARK(BM_Sweep_ExecuteRun)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace liqsim
