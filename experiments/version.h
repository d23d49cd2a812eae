// The liqsim release version; keep equal to project(VERSION) in CMakeLists.txt.
#pragma once

#include <string_view>

namespace liqsim {

inline constexpr std::string_view kLiqsimVersion = "0.1.0";

}  // namespace liqsim
