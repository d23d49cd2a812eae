// Maker Liquidations 2.0 price curves ("abaci"): the Dutch auction price of a Clipper sale as a function
// of the seconds since it was kicked (or redone).
//
// Source: makerdao/dss src/abaci.sol (fa4f6630; protocols.md 3.4, "Abacus price curves (exact)"):
//   LinearDecrease:               price = rmul(top, (tau - dur) * RAY / tau), 0 once dur >= tau
//   StairstepExponentialDecrease: price = rmul(top, rpow(cut, dur / step, RAY))
//   ExponentialDecrease:          price = rmul(top, rpow(cut, dur, RAY))
// Governance bounds: abaci.sol's file() reverts when cut > RAY ("cut-gt-RAY"); the executive library
// (makerdao/dss-exec-lib src/DssExecLib.sol, setStairstepExponentialDecrease / setExponentialDecrease)
// only sets cut < 100%. A zero step divides by zero in price() (a revert on chain).
// Units: top and the returned price in RAY (DAI per collateral unit, 1e27), cut in RAY, tau, step and
// dur in seconds.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "protocol/maker_math.h"

namespace liqsim::maker {

struct LinearDecrease {
  uint64_t tau = 0;  // seconds after the start when the price reaches zero
};

struct StairstepExponentialDecrease {
  Uint256 cut;        // per-step multiplicative factor [ray], e.g. 0.99 RAY for a 1% drop per step
  uint64_t step = 1;  // seconds between price drops
};

struct ExponentialDecrease {
  Uint256 cut;  // per-second multiplicative factor [ray]
};

using Abacus = std::variant<LinearDecrease, StairstepExponentialDecrease, ExponentialDecrease>;

enum class AbacusProblem {
  CutAboveOne,     // cut > RAY: abaci.sol file() reverts ("cut-gt-RAY")
  CutNotBelowOne,  // cut == RAY: accepted by abaci.sol, refused by DssExecLib (cut-too-high); no decay
  ZeroStep,        // step == 0: price() divides by zero
};

// Every problem of the curve's parameters (empty when valid).
std::vector<AbacusProblem> validate_abacus(const Abacus& abacus);

// top * (tau - dur) / tau in two truncating steps (the factor (tau - dur) * RAY / tau rounds down, then
// rmul rounds down); 0 when dur >= tau. Vector #64.
Uint256 linear_decrease_price(const Uint256& top, uint64_t tau, uint64_t dur);
// top * cut^floor(dur / step): the exponent divides down; rpow rounds half up at each step; rmul rounds
// down. step > 0. Vectors #65, #66.
Uint256 stairstep_exponential_decrease_price(const Uint256& top, const Uint256& cut, uint64_t step,
                                             uint64_t dur);
// top * cut^dur: rpow rounds half up at each step; rmul rounds down. Vector #67.
Uint256 exponential_decrease_price(const Uint256& top, const Uint256& cut, uint64_t dur);

// The price of `abacus` at `dur` seconds after the start (dss AbacusLike.price(top, dur)).
Uint256 abacus_price(const Abacus& abacus, const Uint256& top, uint64_t dur);

}  // namespace liqsim::maker
