#include "protocol/interest_index.h"

#include "core/check.h"
#include "core/checked.h"

namespace liqsim {

Ray compounded_interest(Ray yearly_rate, int64_t seconds) {
  LIQSIM_CHECK(yearly_rate.raw() >= 0 && seconds >= 0,
               "compounded_interest needs rate >= 0 and seconds >= 0");
  if (seconds == 0) return Ray::one();
  // Bounds that keep every term below 2^127: a rate of at most 10,000% a year over at most ~31 years
  // between updates (a run updates far more often).
  if (yearly_rate > Ray(kRayScale * 100) || seconds > 1'000'000'000)
    throw ArithmeticError("compounded_interest: rate " + format_ray(yearly_rate) + " ray over " +
                          std::to_string(seconds) + " s is beyond the supported range");
  const __int128 exp = seconds;
  const __int128 exp_minus_one = exp - 1;
  const __int128 exp_minus_two = exp > 2 ? exp - 2 : 0;
  const __int128 year = kAaveSecondsPerYear;
  const __int128 base_power_two = ray_mul_half_up(yearly_rate, yearly_rate).raw() / (year * year);
  const __int128 base_power_three = ray_mul_half_up(Ray(base_power_two), yearly_rate).raw() / year;
  const __int128 second_term = exp * exp_minus_one * base_power_two / 2;
  const __int128 third_term = exp * exp_minus_one * exp_minus_two * base_power_three / 6;
  return Ray(kRayScale + yearly_rate.raw() * exp / year + second_term + third_term);
}

Ray linear_interest(Ray yearly_rate, int64_t seconds) {
  LIQSIM_CHECK(yearly_rate.raw() >= 0 && seconds >= 0, "linear_interest needs rate >= 0 and seconds >= 0");
  return Ray(kRayScale + yearly_rate.raw() * seconds / kAaveSecondsPerYear);
}

void InterestIndex::accrue(Time now) {
  LIQSIM_CHECK(now >= updated_, "interest index accrued backwards in time");
  const int64_t seconds = (now - updated_).raw() / kNanosPerSecond;
  if (seconds == 0) return;
  value_ = ray_mul_half_up(value_, compounded_interest(rate_, seconds));
  updated_ += liqsim::seconds(seconds);
}

void InterestIndex::set_rate(Ray yearly_rate, Time now) {
  LIQSIM_CHECK(yearly_rate.raw() >= 0, "negative interest rate");
  accrue(now);
  rate_ = yearly_rate;
}

}  // namespace liqsim
