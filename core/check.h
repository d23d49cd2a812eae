// Always-on invariant checks. An invariant violation is a bug in liqsim, never bad input: it prints
// the condition, file and line and aborts, in every build type. Input problems are reported through
// validation (experiments/scenario) instead.
#pragma once

namespace liqsim {
[[noreturn]] void check_failed(const char* condition, const char* message, const char* file, int line);
}

#define LIQSIM_CHECK(cond, message)                                            \
  do {                                                                         \
    if (!(cond)) ::liqsim::check_failed(#cond, (message), __FILE__, __LINE__); \
  } while (false)
