#include "market/price_process.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "market/time_value_csv.h"

namespace liqsim {

PriceProcess::~PriceProcess() = default;

namespace {

double step_years(Time step) { return to_seconds(step) / kSecondsPerYear; }

// Model paths stay within a factor 1e3 of their initial price (and inside [1e-6, 1e12] dollars): a
// valid but extreme volatility over a long run must not take notionals out of the fixed-point range
// (docs/ARCHITECTURE.md, Money model). Realistic paths never come near either bound.
constexpr int64_t kModelPriceRange = 1'000;
Price model_price(double x, Price s0) {
  const Price lo(std::max<int64_t>(1, s0.raw() / kModelPriceRange));
  const Price hi(s0.raw() > kMaxModelPriceRaw / kModelPriceRange ? kMaxModelPriceRaw
                                                                 : s0.raw() * kModelPriceRange);
  return clamped_price_from_double(x, lo, hi);
}

// Grid points at or before `to` (grid point k sits at k * step; point 0 is the initial value).
int64_t grid_index(Time to, Time step) { return to.raw() / step.raw(); }

}  // namespace

GeometricBrownianMotion::GeometricBrownianMotion(Price s0, double drift_per_year, double vol_per_year,
                                                 Time step, Rng rng)
    : s0_(s0), step_(step), current_(s0), rng_(rng) {
  LIQSIM_CHECK(s0 > Price::zero(), "GBM initial price must be positive");
  LIQSIM_CHECK(vol_per_year >= 0.0, "GBM volatility must be non-negative");
  LIQSIM_CHECK(step > Time::zero(), "GBM step must be positive");
  const double dt = step_years(step);
  log_price_ = std::log(to_double(s0));
  // Exact solution of dS = mu S dt + sigma S dW over dt (Itô correction -sigma^2/2).
  step_mean_ = (drift_per_year - 0.5 * vol_per_year * vol_per_year) * dt;
  step_stdev_ = vol_per_year * std::sqrt(dt);
}

Price GeometricBrownianMotion::advance(Time to) {
  LIQSIM_CHECK(to >= last_, "price process advanced backwards");
  last_ = to;
  const int64_t target = grid_index(to, step_);
  if (target == steps_) return current_;
  for (; steps_ < target; ++steps_) log_price_ += step_mean_ + step_stdev_ * rng_.normal();
  current_ = model_price(std::exp(log_price_), s0_);
  return current_;
}

MertonJumpDiffusion::MertonJumpDiffusion(Price s0, double drift_per_year, double vol_per_year,
                                         double jump_intensity_per_year, double jump_mean_log,
                                         double jump_stdev_log, Time step, Rng rng)
    : s0_(s0),
      jump_mean_log_(jump_mean_log),
      jump_stdev_log_(jump_stdev_log),
      step_(step),
      current_(s0),
      rng_(rng) {
  LIQSIM_CHECK(s0 > Price::zero(), "Merton initial price must be positive");
  LIQSIM_CHECK(vol_per_year >= 0.0, "Merton volatility must be non-negative");
  LIQSIM_CHECK(jump_intensity_per_year >= 0.0, "Merton jump intensity must be non-negative");
  LIQSIM_CHECK(jump_stdev_log >= 0.0, "Merton jump stdev must be non-negative");
  LIQSIM_CHECK(step > Time::zero(), "Merton step must be positive");
  const double dt = step_years(step);
  log_price_ = std::log(to_double(s0));
  // k = E[J - 1] for log J ~ N(m, s^2); subtracting lambda k from the drift makes the compensated jump
  // part a martingale, so E[S_t] = S_0 e^{mu t} (Merton 1976, eq. 2).
  const double k = std::exp(jump_mean_log + 0.5 * jump_stdev_log * jump_stdev_log) - 1.0;
  step_mean_ = (drift_per_year - jump_intensity_per_year * k - 0.5 * vol_per_year * vol_per_year) * dt;
  step_stdev_ = vol_per_year * std::sqrt(dt);
  step_jump_mean_count_ = jump_intensity_per_year * dt;
}

Price MertonJumpDiffusion::advance(Time to) {
  LIQSIM_CHECK(to >= last_, "price process advanced backwards");
  last_ = to;
  const int64_t target = grid_index(to, step_);
  if (target == steps_) return current_;
  for (; steps_ < target; ++steps_) {
    log_price_ += step_mean_ + step_stdev_ * rng_.normal();
    const uint64_t jumps = rng_.poisson(step_jump_mean_count_);
    if (jumps > 0) {
      // The sum of n iid N(m, s^2) log-jumps is N(n m, n s^2): one normal draw per step.
      const double n = double(jumps);
      log_price_ += n * jump_mean_log_ + jump_stdev_log_ * std::sqrt(n) * rng_.normal();
      jump_count_ += jumps;
    }
  }
  current_ = model_price(std::exp(log_price_), s0_);
  return current_;
}

double gamma_variate(Rng& rng, double shape) {
  LIQSIM_CHECK(shape >= 1.0, "gamma_variate needs shape >= 1");
  // Marsaglia & Tsang (2000), section 2: d = a - 1/3, c = 1 / sqrt(9d); accept d v for
  // v = (1 + c x)^3 when log u < x^2/2 + d - d v + d log v.
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = rng.normal();
    const double t = 1.0 + c * x;
    if (t <= 0.0) continue;
    const double v = t * t * t;
    const double u = rng.uniform01_open_low();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

double unit_student_t(Rng& rng, double dof) {
  LIQSIM_CHECK(dof > 2.0, "unit Student t needs dof > 2");
  const double z = rng.normal();
  const double chi2 = 2.0 * gamma_variate(rng, 0.5 * dof);
  return z * std::sqrt((dof - 2.0) / chi2);
}

GarchProcess::GarchProcess(Price s0, const Params& params, Rng rng)
    : s0_(s0),
      alpha_(params.alpha),
      beta_(params.beta),
      dof_(params.dof),
      step_(params.step),
      current_(s0),
      rng_(rng) {
  LIQSIM_CHECK(s0 > Price::zero(), "GARCH initial price must be positive");
  LIQSIM_CHECK(params.vol_per_year >= 0.0, "GARCH volatility must be non-negative");
  LIQSIM_CHECK(params.alpha >= 0.0 && params.beta >= 0.0 && params.alpha + params.beta < 1.0,
               "GARCH needs alpha, beta >= 0 and alpha + beta < 1");
  LIQSIM_CHECK(!params.dof || *params.dof > 4.0, "GARCH Student t needs dof > 4");
  LIQSIM_CHECK(params.step > Time::zero() && params.interval >= params.step &&
                   params.interval.raw() % params.step.raw() == 0,
               "GARCH interval must be a positive multiple of the step");
  log_price_ = std::log(to_double(s0));
  const double vol2 = params.vol_per_year * params.vol_per_year;
  long_run_variance_ = vol2 * step_years(params.interval);
  omega_ = (1.0 - alpha_ - beta_) * long_run_variance_;
  step_mean_ = (params.drift_per_year - 0.5 * vol2) * step_years(params.step);
  steps_per_interval_ = params.interval.raw() / params.step.raw();
  variance_ = long_run_variance_;
  start_interval();
}

void GarchProcess::start_interval() {
  interval_sum_ = 0.0;
  // One t mixing factor per interval: a sum of normal steps times sqrt((dof - 2) / chi2_dof) is a
  // unit-variance Student t (Z / sqrt(chi2 / dof) is t with dof degrees of freedom).
  const double mixing = dof_ ? std::sqrt((*dof_ - 2.0) / (2.0 * gamma_variate(rng_, 0.5 * *dof_))) : 1.0;
  step_stdev_ = mixing * std::sqrt(variance_ / double(steps_per_interval_));
}

Price GarchProcess::advance(Time to) {
  LIQSIM_CHECK(to >= last_, "price process advanced backwards");
  last_ = to;
  const int64_t target = grid_index(to, step_);
  if (target == steps_) return current_;
  while (steps_ < target) {
    const double innovation = step_stdev_ * rng_.normal();
    interval_sum_ += innovation;
    log_price_ += step_mean_ + innovation;
    ++steps_;
    if (steps_ % steps_per_interval_ == 0) {
      variance_ = omega_ + alpha_ * interval_sum_ * interval_sum_ + beta_ * variance_;
      start_interval();
    }
  }
  current_ = model_price(std::exp(log_price_), s0_);
  return current_;
}

ScriptedShock::ScriptedShock(std::unique_ptr<PriceProcess> inner, Time start, Time duration,
                             double fall_fraction, std::optional<Time> recovery_duration,
                             double recovery_fraction)
    : inner_(std::move(inner)), start_(start), duration_(duration), recovery_duration_(recovery_duration) {
  LIQSIM_CHECK(inner_ != nullptr, "ScriptedShock needs an inner process");
  LIQSIM_CHECK(duration >= Time::zero(), "shock duration must be non-negative");
  LIQSIM_CHECK(fall_fraction >= 0.0 && fall_fraction < 1.0, "shock fall fraction must be in [0, 1)");
  LIQSIM_CHECK(recovery_fraction >= 0.0 && recovery_fraction <= 1.0,
               "shock recovery fraction must be in [0, 1]");
  LIQSIM_CHECK(!recovery_duration || *recovery_duration >= Time::zero(),
               "shock recovery duration must be non-negative");
  log_fall_ = std::log1p(-fall_fraction);
  log_recovered_ = recovery_duration ? std::log1p(-fall_fraction * (1.0 - recovery_fraction)) : log_fall_;
}

double ScriptedShock::factor(Time t) const {
  if (t < start_) return 1.0;
  const Time fall_end = start_ + duration_;
  if (t < fall_end) {
    const double progress = double((t - start_).raw()) / double(duration_.raw());
    return std::exp(log_fall_ * progress);
  }
  if (!recovery_duration_) return std::exp(log_fall_);
  const Time since = t - fall_end;
  if (since >= *recovery_duration_) return std::exp(log_recovered_);
  const double progress = double(since.raw()) / double(recovery_duration_->raw());
  return std::exp(log_fall_ + (log_recovered_ - log_fall_) * progress);
}

Price ScriptedShock::advance(Time to) {
  const Price base = inner_->advance(to);
  return clamped_price_from_double(to_double(base) * factor(to), Price(1), Price(kMaxModelPriceRaw));
}

Price ScriptedShock::initial() const {
  return clamped_price_from_double(to_double(inner_->initial()) * factor(Time(0)), Price(1),
                                   Price(kMaxModelPriceRaw));
}

CsvReplay::CsvReplay(PricePath path, ReplayInterpolation interpolation)
    : path_(std::move(path)), interpolation_(interpolation) {
  LIQSIM_CHECK(!path_.empty(), "CsvReplay needs at least one point");
  for (size_t i = 1; i < path_.size(); ++i)
    LIQSIM_CHECK(path_[i - 1].first < path_[i].first, "CsvReplay times must be strictly increasing");
}

Price CsvReplay::value_at(size_t i, Time t) const {
  const auto& [t0, p0] = path_[i];
  if (t <= t0 || i + 1 == path_.size() || interpolation_ == ReplayInterpolation::PiecewiseConstant) return p0;
  const auto& [t1, p1] = path_[i + 1];
  return p0 + Price(mul_div((p1 - p0).raw(), (t - t0).raw(), (t1 - t0).raw(), Round::Down));
}

Price CsvReplay::advance(Time to) {
  LIQSIM_CHECK(to >= last_, "price process advanced backwards");
  last_ = to;
  while (cursor_ + 1 < path_.size() && path_[cursor_ + 1].first <= to) ++cursor_;
  return value_at(cursor_, to);
}

Price CsvReplay::initial() const {
  const auto after =
      std::upper_bound(path_.begin(), path_.end(), Time(0),
                       [](Time t, const std::pair<Time, Price>& point) { return t < point.first; });
  const size_t i = after == path_.begin() ? 0 : size_t(after - path_.begin()) - 1;
  return value_at(i, Time(0));
}

std::variant<PricePath, std::string> load_price_csv(const std::string& path, const std::string& time_column,
                                                    const std::string& price_column, double time_unit_seconds,
                                                    std::optional<double> price_scale_to) {
  if (price_scale_to && !(*price_scale_to > 0.0 && std::isfinite(*price_scale_to)))
    return path + ": price scale target must be a positive number";
  TimeValueCsvSpec spec;
  spec.time_column = time_column;
  spec.value_column = price_column;
  spec.time_unit_seconds = time_unit_seconds;
  spec.value_rule = CsvValueRule::Positive;
  spec.value_name = "price";
  auto read = read_time_value_csv(path, spec);
  if (auto* error = std::get_if<std::string>(&read)) return std::move(*error);
  const TimeValueRows& rows = std::get<TimeValueRows>(read);

  const double scale = price_scale_to ? *price_scale_to / rows.front().value : 1.0;
  PricePath result;
  result.reserve(rows.size());
  for (const TimeValueRow& row : rows) {
    // price_from_double aborts out of range; bad input must be refused with a message instead.
    const double scaled = std::round(row.value * scale * double(kPriceScale));
    if (!(scaled < 9.0e18))
      return csv_row_error(path, row.line, price_column, "price out of range after scaling");
    if (!(scaled >= 1.0))
      return csv_row_error(path, row.line, price_column, "price rounds to zero at 1e-6 resolution");
    result.emplace_back(row.time, price_from_double(row.value * scale));
  }
  return result;
}

}  // namespace liqsim
