#include "core/checked.h"

namespace liqsim {

void throw_overflow(const char* what, int64_t a, char op, int64_t b) {
  throw ArithmeticError(std::string(what) + ": " + std::to_string(a) + " " + op + " " + std::to_string(b) +
                        " overflows int64");
}

}  // namespace liqsim
