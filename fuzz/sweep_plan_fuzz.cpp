// libFuzzer target: sweep files on arbitrary text. Every input must give a spec or a list of errors each
// naming a problem; a spec must expand into a plan or a list of problems, and a plan's runs must number
// consistently; never a crash, an assertion inside toml++, or undefined behaviour (built with ASan and
// UBSan). Scenarios are not loaded here (the scenario loader has its own target).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "experiments/sweep_plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liqsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  SweepSpecResult parsed = parse_sweep_text(text, "fuzz", "/nonexistent-liqsim-fuzz");
  if (const auto* errors = std::get_if<std::vector<ScenarioError>>(&parsed)) {
    if (errors->empty()) std::abort();
    for (const ScenarioError& e : *errors) {
      if (e.problem.empty()) std::abort();
    }
    return 0;
  }
  auto expanded = SweepPlan::expand(std::get<SweepSpec>(std::move(parsed)));
  if (const auto* problems = std::get_if<std::vector<std::string>>(&expanded)) {
    if (problems->empty()) std::abort();
    return 0;
  }
  const SweepPlan& plan = std::get<SweepPlan>(expanded);
  if (plan.runs() == 0 || plan.runs() > kMaxSweepRuns) std::abort();
  for (const uint64_t r : {uint64_t{0}, plan.runs() / 2, plan.runs() - 1}) {
    const SweepRun run = plan.run(r);
    if (run.point >= plan.points() || run.seed_index >= plan.seeds() || run.variant >= plan.variants())
      std::abort();
    if ((run.point * plan.seeds() + run.seed_index) * plan.variants() + run.variant != r) std::abort();
    if (run.run_seed > uint64_t(INT64_MAX)) std::abort();
    if (plan.overrides(run.point, run.variant).size() < plan.spec().axes.size()) std::abort();
  }
  return 0;
}
