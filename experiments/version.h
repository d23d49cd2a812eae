// The release version and the build's git commit; keep the version equal to project(VERSION) in
// CMakeLists.txt.
#pragma once

#include <string_view>

namespace liqsim {

inline constexpr std::string_view kLiqsimVersion = "0.1.0";

// `git describe --always --dirty` of the source tree this binary was built from (e.g. "43c897b" or
// "43c897b-dirty"), or "unknown" when it was not built from a git checkout. Stored in run and sweep
// files as the root attribute `liqsim_commit`.
std::string_view liqsim_commit();

}  // namespace liqsim
