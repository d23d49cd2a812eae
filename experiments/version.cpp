#include "experiments/version.h"

namespace liqsim {

std::string_view liqsim_commit() {
  // Generated at build time by scripts/liqsim_commit.cmake (a string literal).
  return
#include "liqsim_commit.inc"
      ;
}

}  // namespace liqsim
