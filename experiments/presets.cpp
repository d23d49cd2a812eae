#include "experiments/presets.h"

#include <array>

namespace liqsim {
namespace {

// Generated from experiments/presets/*.toml at configure time (CMakeLists.txt), sorted by name.
constexpr std::array kPresets = {
#include "presets_embedded.inc"
};

}  // namespace

std::span<const Preset> presets() { return kPresets; }

const Preset* find_preset(std::string_view name) {
  for (const Preset& preset : kPresets) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

}  // namespace liqsim
