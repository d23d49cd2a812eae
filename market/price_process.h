// External reference price processes: the "true" spot price that venues quote around and that
// oracles and indices sample. Every process is a deterministic function of its parameters and the
// Rng it owns; models work in double internally and convert to Price at advance().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/rng.h"
#include "core/units.h"

namespace liqsim {

// A price path observed forward in time. Contract: advance(to) returns the value at `to` and must be
// called with non-decreasing `to` >= 0; the path does not depend on how often advance() is called.
class PriceProcess {
 public:
  virtual ~PriceProcess();
  virtual Price advance(Time to) = 0;
  // Value at time 0, before any advance().
  virtual Price initial() const = 0;
};

// Seconds per year used to scale annualised drift and volatility (365 days, as crypto trades daily).
constexpr double kSecondsPerYear = 365.0 * 24.0 * 3600.0;

// Geometric Brownian motion sampled exactly on a fixed grid of `step`: log S jumps by
// (mu - sigma^2/2) dt + sigma sqrt(dt) Z at each grid point and is constant in between, so
// E[S_t] = S_0 e^{mu t} at grid points and the path is independent of the advance() schedule.
class GeometricBrownianMotion final : public PriceProcess {
 public:
  GeometricBrownianMotion(Price s0, double drift_per_year, double vol_per_year, Time step, Rng rng);
  Price advance(Time to) override;
  Price initial() const override { return s0_; }
  // Grid steps taken so far.
  int64_t steps() const { return steps_; }

 private:
  Price s0_;
  double log_price_;
  double step_mean_;   // (mu - sigma^2/2) dt
  double step_stdev_;  // sigma sqrt(dt)
  Time step_;
  int64_t steps_ = 0;
  Time last_{0};
  Price current_;
  Rng rng_;
};

// Merton (1976) jump diffusion, "Option pricing when underlying stock returns are discontinuous",
// J. Financial Economics 3: dS/S = (mu - lambda k) dt + sigma dW + (J - 1) dN with log J ~
// N(jump_mean_log, jump_stdev_log^2) and k = E[J - 1], so E[S_t] = S_0 e^{mu t}. Sampled exactly on a
// fixed grid like GeometricBrownianMotion, with a Poisson(lambda dt) jump count per step.
class MertonJumpDiffusion final : public PriceProcess {
 public:
  MertonJumpDiffusion(Price s0, double drift_per_year, double vol_per_year, double jump_intensity_per_year,
                      double jump_mean_log, double jump_stdev_log, Time step, Rng rng);
  Price advance(Time to) override;
  Price initial() const override { return s0_; }
  int64_t steps() const { return steps_; }
  // Jumps drawn so far (for calibration checks and run statistics).
  uint64_t jump_count() const { return jump_count_; }

 private:
  Price s0_;
  double log_price_;
  double step_mean_;  // (mu - lambda k - sigma^2/2) dt
  double step_stdev_;
  double step_jump_mean_count_;  // lambda dt
  double jump_mean_log_;
  double jump_stdev_log_;
  Time step_;
  int64_t steps_ = 0;
  uint64_t jump_count_ = 0;
  Time last_{0};
  Price current_;
  Rng rng_;
};

// GARCH(1,1) log returns (Bollerslev 1986, "Generalized autoregressive conditional
// heteroskedasticity", J. Econometrics 31): the return of each variance interval k is
// r_k = sigma_k z_k with sigma_{k+1}^2 = omega + alpha r_k^2 + beta sigma_k^2 and
// omega = (1 - alpha - beta) V, so V = vol_per_year^2 * interval (in years) is the unconditional
// variance (alpha, beta >= 0, alpha + beta < 1). z is standard normal, or Student's t with `dof` > 4
// degrees of freedom scaled to unit variance (Bollerslev 1987). Inside an interval the path moves
// on the grid of `step` (a divisor of `interval`) by normal steps of variance sigma_k^2 step/interval
// times the interval's one t mixing factor (dof / chi2_dof)(dof - 2)/dof, so each interval's return
// is exactly sigma_k z_k; the drift adds (mu - V_year/2) dt per step. The path does not depend on the
// advance() schedule.
class GarchProcess final : public PriceProcess {
 public:
  struct Params {
    double drift_per_year = 0.0;
    double vol_per_year = 0.6;  // long-run (unconditional) volatility
    double alpha = 0.05;
    double beta = 0.94;
    std::optional<double> dof;  // Student's t innovations; none = normal
    Time interval{60'000'000'000};
    Time step{1'000'000'000};
  };
  GarchProcess(Price s0, const Params& params, Rng rng);
  Price advance(Time to) override;
  Price initial() const override { return s0_; }
  // Grid steps taken so far.
  int64_t steps() const { return steps_; }
  // The conditional variance of the current interval's log return (per interval).
  double conditional_variance() const { return variance_; }
  // The unconditional variance omega / (1 - alpha - beta) of one interval's log return.
  double unconditional_variance() const { return long_run_variance_; }

 private:
  void start_interval();
  Price s0_;
  double log_price_;
  double step_mean_;
  double long_run_variance_;  // V per interval
  double omega_;
  double alpha_;
  double beta_;
  std::optional<double> dof_;
  int64_t steps_per_interval_;
  double variance_;      // sigma_k^2 of the current interval
  double step_stdev_;    // sigma_k * mixing factor * sqrt(step / interval)
  double interval_sum_;  // the current interval's return so far, drift excluded
  Time step_;
  int64_t steps_ = 0;
  Time last_{0};
  Price current_;
  Rng rng_;
};

// Standard gamma(shape, 1) variate by Marsaglia & Tsang (2000), "A simple method for generating
// gamma variables", ACM TOMS 26(3), for shape >= 1 (chi2_nu = 2 gamma(nu/2)).
double gamma_variate(Rng& rng, double shape);
// Student's t with dof > 2 scaled to unit variance: Z sqrt((dof - 2) / chi2_dof).
double unit_student_t(Rng& rng, double dof);

// A scripted crash on top of any path: the inner price times a factor that moves linearly in log space
// from 1 to (1 - fall_fraction) over [start, start + duration], then (optionally) linearly in log space
// to 1 - fall_fraction * (1 - recovery_fraction) over the next recovery_duration, i.e. it regains
// recovery_fraction of the fall measured in price. Factor 1 before start; zero durations are steps.
class ScriptedShock final : public PriceProcess {
 public:
  ScriptedShock(std::unique_ptr<PriceProcess> inner, Time start, Time duration, double fall_fraction,
                std::optional<Time> recovery_duration, double recovery_fraction);
  Price advance(Time to) override;
  Price initial() const override;
  // The multiplicative factor applied at time t (pure; exposed for reports and tests).
  double factor(Time t) const;

 private:
  std::unique_ptr<PriceProcess> inner_;
  Time start_;
  Time duration_;
  double log_fall_;  // log(1 - fall_fraction) <= 0
  std::optional<Time> recovery_duration_;
  double log_recovered_;  // log of the factor after the recovery
};

enum class ReplayInterpolation : uint8_t {
  PiecewiseConstant,  // the last point at or before t
  Linear,             // straight line between neighbouring points, rounded toward -infinity
};

// A recorded path: (time relative to the run start, price) points.
using PricePath = std::vector<std::pair<Time, Price>>;

// Replays a recorded path (times relative to the run start, strictly increasing, at least one point).
// Before the first point the first price holds, after the last point the last price holds.
class CsvReplay final : public PriceProcess {
 public:
  CsvReplay(PricePath path, ReplayInterpolation interpolation);
  Price advance(Time to) override;
  Price initial() const override;
  const PricePath& path() const { return path_; }

 private:
  // Value at t given i, the last index with time <= t (0 when t precedes the path).
  Price value_at(size_t i, Time t) const;
  PricePath path_;
  ReplayInterpolation interpolation_;
  size_t cursor_ = 0;  // last index with time <= the last advance() time (or 0)
  Time last_{0};
};

// Reads a price path from a CSV file with a header row. The time column holds numbers in units of
// time_unit_seconds (e.g. 0.001 for epoch milliseconds) and is re-based so the first row is time 0;
// times must be strictly increasing. With price_scale_to, every price is multiplied by
// price_scale_to / first price (to replay a historical shape at today's level). Prices must be > 0.
// Read by read_time_value_csv (market/time_value_csv.h). Returns the path, or an error naming the file,
// line, column and value.
std::variant<PricePath, std::string> load_price_csv(const std::string& path, const std::string& time_column,
                                                    const std::string& price_column, double time_unit_seconds,
                                                    std::optional<double> price_scale_to);

}  // namespace liqsim
