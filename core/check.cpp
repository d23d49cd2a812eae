#include "core/check.h"

#include <cstdio>
#include <cstdlib>

namespace liqsim {

void check_failed(const char* condition, const char* message, const char* file, int line) {
  std::fprintf(stderr, "liqsim: invariant violated: %s (%s) at %s:%d\n", message, condition, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace liqsim
