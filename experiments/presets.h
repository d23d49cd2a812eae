// Named scenarios built into the binary as TOML text (the files of experiments/presets/, embedded at
// build time), loaded like a scenario file (load_scenario_text); a preset may start from another
// (`base = "default"`); unlisted fields take the scenario.h defaults.
#pragma once

#include <span>
#include <string_view>

namespace liqsim {

struct Preset {
  std::string_view name;
  std::string_view description;  // one line, for `liqsim presets`
  std::string_view toml;
};

std::span<const Preset> presets();
// nullptr when no preset has that name.
const Preset* find_preset(std::string_view name);

}  // namespace liqsim
