// An interest index: the cumulative growth factor of a debt (or deposit) asset, in ray, with Aave v3's
// compounding. A debt is held as a scaled balance (ledger asset of kind DebtShare); what it is worth in
// the underlying asset is scaled * index, so interest accrues for every borrower by updating one number.
//
// Source: Aave v3 MathUtils.calculateCompoundedInterest (aave-v3-core,
// protocol/libraries/math/MathUtils.sol): the binomial approximation (1+x)^n ~ 1 + n x + n(n-1)/2 x^2 +
// n(n-1)(n-2)/6 x^3 with x the per-second rate (yearly rate / 365 days), each term in ray with Solidity's
// truncating division and WadRayMath's half-up rayMul; the index becomes index.rayMul(factor)
// (ReserveLogic._updateIndexes).
#pragma once

#include "core/ray.h"
#include "core/units.h"

namespace liqsim {

constexpr int64_t kAaveSecondsPerYear = 365 * 24 * 3600;  // Aave's SECONDS_PER_YEAR ignores leap years

// Growth factor over `seconds` (>= 0) at `yearly_rate` (>= 0), in ray (Aave's calculateCompoundedInterest).
Ray compounded_interest(Ray yearly_rate, int64_t seconds);
// Linear growth 1 + rate * seconds / year (Aave's calculateLinearInterest, used for the supply index).
Ray linear_interest(Ray yearly_rate, int64_t seconds);

class InterestIndex {
 public:
  InterestIndex() = default;
  InterestIndex(Ray yearly_rate, Time start) : rate_(yearly_rate), updated_(start) {}

  // Compounds the index to `now` (whole seconds elapsed since the last update, as on chain where
  // block.timestamp is in seconds; the remainder carries over).
  void accrue(Time now);
  void set_rate(Ray yearly_rate, Time now);  // accrues at the old rate first
  Ray value() const { return value_; }
  Ray yearly_rate() const { return rate_; }
  Time updated() const { return updated_; }

 private:
  Ray value_ = Ray::one();
  Ray rate_;
  Time updated_;
};

}  // namespace liqsim
