// Checked integer arithmetic for money and quantities: an overflow is an error that names the
// operation and its operands, never undefined behaviour or a silent wrap.
//
// Contract: checked_add / checked_sub / checked_mul return the exact result or throw ArithmeticError.
// Validation bounds every scenario so a valid run never overflows (docs/ARCHITECTURE.md, Money model);
// an ArithmeticError therefore means a bug or an input beyond the validated range, and the CLI reports
// it and exits non-zero without writing a run file.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace liqsim {

class ArithmeticError : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

// Throws ArithmeticError("<what>: <a> <op> <b> overflows int64").
[[noreturn]] void throw_overflow(const char* what, int64_t a, char op, int64_t b);

inline int64_t checked_add(int64_t a, int64_t b, const char* what) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw_overflow(what, a, '+', b);
  return r;
}

inline int64_t checked_sub(int64_t a, int64_t b, const char* what) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) throw_overflow(what, a, '-', b);
  return r;
}

inline int64_t checked_mul(int64_t a, int64_t b, const char* what) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw_overflow(what, a, '*', b);
  return r;
}

}  // namespace liqsim
