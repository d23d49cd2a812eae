#include "protocol/maker_abacus.h"

#include "core/check.h"

namespace liqsim::maker {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void check_cut(const Uint256& cut, std::vector<AbacusProblem>& problems) {
  if (cut > kRay) problems.push_back(AbacusProblem::CutAboveOne);
  if (cut == kRay) problems.push_back(AbacusProblem::CutNotBelowOne);
}

}  // namespace

std::vector<AbacusProblem> validate_abacus(const Abacus& abacus) {
  std::vector<AbacusProblem> problems;
  std::visit(Overloaded{
                 [](const LinearDecrease&) {},
                 [&](const StairstepExponentialDecrease& c) {
                   check_cut(c.cut, problems);
                   if (c.step == 0) problems.push_back(AbacusProblem::ZeroStep);
                 },
                 [&](const ExponentialDecrease& c) { check_cut(c.cut, problems); },
             },
             abacus);
  return problems;
}

Uint256 linear_decrease_price(const Uint256& top, uint64_t tau, uint64_t dur) {
  if (dur >= tau) return Uint256();
  return rmul(top, Uint256(tau - dur) * kRay / Uint256(tau));
}

Uint256 stairstep_exponential_decrease_price(const Uint256& top, const Uint256& cut, uint64_t step,
                                             uint64_t dur) {
  LIQSIM_CHECK(step > 0, "a stairstep abacus needs a positive step (validate_abacus)");
  return rmul(top, rpow(cut, dur / step, kRay));
}

Uint256 exponential_decrease_price(const Uint256& top, const Uint256& cut, uint64_t dur) {
  return rmul(top, rpow(cut, dur, kRay));
}

Uint256 abacus_price(const Abacus& abacus, const Uint256& top, uint64_t dur) {
  return std::visit(
      Overloaded{
          [&](const LinearDecrease& c) { return linear_decrease_price(top, c.tau, dur); },
          [&](const StairstepExponentialDecrease& c) {
            return stairstep_exponential_decrease_price(top, c.cut, c.step, dur);
          },
          [&](const ExponentialDecrease& c) { return exponential_decrease_price(top, c.cut, dur); },
      },
      abacus);
}

}  // namespace liqsim::maker
