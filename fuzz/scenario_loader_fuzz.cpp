// libFuzzer target: the scenario loader on arbitrary text. Every input must give a Scenario that
// validates and writes back to TOML that loads to the same Scenario, or a list of errors each naming
// a problem; never a crash, an assertion inside toml++, or undefined behaviour (built with ASan and
// UBSan).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "experiments/scenario_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const liqsim::ScenarioResult result = liqsim::load_scenario_text(text, "fuzz", "/nonexistent-liqsim-fuzz");
  if (const auto* scenario = std::get_if<liqsim::Scenario>(&result)) {
    if (!liqsim::validate_scenario(*scenario).empty()) std::abort();
    const std::string written = liqsim::to_toml(*scenario);
    const liqsim::ScenarioResult again =
        liqsim::load_scenario_text(written, "fuzz-rewritten", "/nonexistent-liqsim-fuzz");
    if (!std::holds_alternative<liqsim::Scenario>(again)) std::abort();
    if (liqsim::to_toml(std::get<liqsim::Scenario>(again)) != written) std::abort();
  } else {
    for (const liqsim::ScenarioError& e : std::get<std::vector<liqsim::ScenarioError>>(result))
      if (e.problem.empty()) std::abort();
  }
  return 0;
}
