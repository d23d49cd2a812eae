// SVI volatility surface: evaluation, Black-76 marks and greeks, static-arbitrage checks and the
// spot-vol response. Formulas and sources in vol_surface.h.
#include "protocol/vol_surface.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <utility>

#include "core/check.h"

namespace liqsim {
namespace {

// The arbitrage grid: k in [-3, 3] covers strikes from 5% to 20x the forward.
constexpr double kGridLow = -3.0;
constexpr double kGridHigh = 3.0;
constexpr int kGridPoints = 2001;
constexpr double kTolerance = 1e-12;  // rounding of O(1) quantities, not a modelling allowance
constexpr double kRhoLimit = 0.999;   // the skew response stops short of |rho| = 1 (domain edge)
constexpr double kBetaMax = 10.0;

double grid_k(int j) { return kGridLow + (kGridHigh - kGridLow) * j / (kGridPoints - 1); }
double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }
double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

std::string num(double x) {
  std::ostringstream out;
  out.precision(6);
  out << x;
  return out.str();
}

std::string slice_name(size_t index, const SviSlice& slice) {
  return "slice " + std::to_string(index) + " (expiry " + num(slice.years) + " years)";
}

struct SviDerivatives {
  double w, dw, d2w;
};

// w' = b (rho + x / r), w'' = b sigma^2 / r^3 with x = k - m, r = sqrt(x^2 + sigma^2).
SviDerivatives svi_derivatives(const SviSlice& s, double k) {
  const double x = k - s.m;
  const double root = std::sqrt(x * x + s.sigma * s.sigma);
  return {s.a + s.b * (s.rho * x + root), s.b * (s.rho + x / root),
          s.b * s.sigma * s.sigma / (root * root * root)};
}

// Smallest f over the grid and the span of grid k where f < -kTolerance.
struct GridScan {
  int worst = 0;
  double worst_value = 0.0;
  int first_bad = -1;
  int last_bad = -1;
};

template <class F>
GridScan scan_grid(F f) {
  GridScan scan;
  for (int j = 0; j < kGridPoints; ++j) {
    const double value = f(grid_k(j));
    if (j == 0 || value < scan.worst_value) scan = {j, value, scan.first_bad, scan.last_bad};
    if (value < -kTolerance) {
      if (scan.first_bad < 0) scan.first_bad = j;
      scan.last_bad = j;
    }
  }
  return scan;
}

// Golden-section refinement of the grid minimum between its neighbours (g is smooth there).
template <class F>
std::pair<double, double> refine_minimum(F f, int worst) {
  double lo = grid_k(std::max(worst - 1, 0));
  double hi = grid_k(std::min(worst + 1, kGridPoints - 1));
  const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
  for (int i = 0; i < 60; ++i) {
    const double x1 = hi - ratio * (hi - lo);
    const double x2 = lo + ratio * (hi - lo);
    if (f(x1) < f(x2))
      hi = x2;
    else
      lo = x1;
  }
  const double k = 0.5 * (lo + hi);
  return f(k) < f(grid_k(worst)) ? std::pair{k, f(k)} : std::pair{grid_k(worst), f(grid_k(worst))};
}

void check_butterfly(size_t index, const SviSlice& s, std::vector<std::string>& problems) {
  auto g = [&s](double k) { return svi_butterfly_density(s, k); };
  const GridScan scan = scan_grid(g);
  if (scan.first_bad < 0) return;
  const auto [k, value] = refine_minimum(g, scan.worst);
  problems.push_back(slice_name(index, s) + ": butterfly arbitrage, density g(k) = " + num(value) +
                     " at k = " + num(k) + " (g < 0 for k in [" + num(grid_k(scan.first_bad)) + ", " +
                     num(grid_k(scan.last_bad)) + "]); allowed g(k) >= 0 (Gatheral-Jacquier eq. 2.1)");
}

void check_calendar(size_t index, const SviSlice& near, const SviSlice& far,
                    std::vector<std::string>& problems) {
  const GridScan scan =
      scan_grid([&](double k) { return svi_total_variance(far, k) - svi_total_variance(near, k); });
  const std::string pair = slice_name(index + 1, far) + " vs " + slice_name(index, near);
  if (scan.first_bad >= 0) {
    const double k = grid_k(scan.worst);
    problems.push_back(pair + ": calendar arbitrage, total variance " + num(svi_total_variance(far, k)) +
                       " < " + num(svi_total_variance(near, k)) + " at k = " + num(k) +
                       " (w falls for k in [" + num(grid_k(scan.first_bad)) + ", " +
                       num(grid_k(scan.last_bad)) + "]); allowed w non-decreasing in expiry");
  }
  // Wing slopes b (1 -+ rho): a smaller far slope means the smiles cross somewhere beyond the grid.
  const double left_near = near.b * (1.0 - near.rho), left_far = far.b * (1.0 - far.rho);
  const double right_near = near.b * (1.0 + near.rho), right_far = far.b * (1.0 + far.rho);
  if (left_far < left_near - kTolerance)
    problems.push_back(pair + ": calendar arbitrage in the left wing, slope b (1 - rho) = " + num(left_far) +
                       " < " + num(left_near) + "; allowed non-decreasing in expiry");
  if (right_far < right_near - kTolerance)
    problems.push_back(pair + ": calendar arbitrage in the right wing, slope b (1 + rho) = " +
                       num(right_far) + " < " + num(right_near) + "; allowed non-decreasing in expiry");
}

}  // namespace

double svi_total_variance(const SviSlice& slice, double k) { return svi_derivatives(slice, k).w; }

double svi_butterfly_density(const SviSlice& slice, double k) {
  const auto [w, dw, d2w] = svi_derivatives(slice, k);
  LIQSIM_CHECK(w > 0.0, "the SVI density needs positive total variance");
  const double first = 1.0 - k * dw / (2.0 * w);
  return first * first - dw * dw / 4.0 * (1.0 / w + 0.25) + d2w / 2.0;
}

std::vector<std::string> svi_domain_problems(std::span<const SviSlice> slices) {
  std::vector<std::string> problems;
  if (slices.empty()) problems.push_back("slices: none given; allowed at least one expiry");
  for (size_t i = 0; i < slices.size(); ++i) {
    const SviSlice& s = slices[i];
    const std::string name = slice_name(i, s);
    const std::pair<const char*, double> fields[] = {{"years", s.years}, {"a", s.a}, {"b", s.b},
                                                     {"rho", s.rho},     {"m", s.m}, {"sigma", s.sigma}};
    bool finite = true;
    for (const auto& [key, value] : fields) {
      if (std::isfinite(value)) continue;
      problems.push_back(name + ": " + key + " = " + num(value) + "; allowed a finite number");
      finite = false;
    }
    if (!finite) continue;
    if (s.years <= 0.0) problems.push_back(name + ": years = " + num(s.years) + "; allowed > 0");
    if (s.b < 0.0) problems.push_back(name + ": b = " + num(s.b) + "; allowed >= 0");
    if (std::abs(s.rho) >= 1.0) problems.push_back(name + ": rho = " + num(s.rho) + "; allowed -1 < rho < 1");
    if (s.sigma <= 0.0) problems.push_back(name + ": sigma = " + num(s.sigma) + "; allowed > 0");
    const double minimum = s.a + s.b * s.sigma * std::sqrt(std::max(0.0, 1.0 - s.rho * s.rho));
    if (minimum < 0.0)
      problems.push_back(name + ": minimum total variance a + b sigma sqrt(1 - rho^2) = " + num(minimum) +
                         " (a = " + num(s.a) + "); allowed >= 0");
    if (i > 0 && !(s.years > slices[i - 1].years))
      problems.push_back(name + ": years = " + num(s.years) + " after " + num(slices[i - 1].years) +
                         " of slice " + std::to_string(i - 1) + "; allowed strictly increasing expiries");
  }
  return problems;
}

std::vector<std::string> svi_arbitrage_problems(std::span<const SviSlice> slices) {
  std::vector<std::string> problems = svi_domain_problems(slices);
  if (!problems.empty()) return problems;  // g and the calendar spread are meaningless off the domain
  for (size_t i = 0; i < slices.size(); ++i) {
    const SviSlice& s = slices[i];
    const double wing = s.b * (1.0 + std::abs(s.rho));
    if (wing > 2.0 + kTolerance)
      problems.push_back(slice_name(i, s) + ": wing slope b (1 + |rho|) = " + num(wing) +
                         "; allowed <= 2 (Lee's moment formula)");
    const double minimum = s.a + s.b * s.sigma * std::sqrt(1.0 - s.rho * s.rho);
    if (minimum <= 0.0)
      problems.push_back(slice_name(i, s) + ": minimum total variance = 0, density undefined at k = " +
                         num(s.m - s.rho * s.sigma / std::sqrt(1.0 - s.rho * s.rho)) + "; allowed > 0");
    else
      check_butterfly(i, s, problems);
    if (i > 0) check_calendar(i - 1, slices[i - 1], s, problems);
  }
  return problems;
}

std::vector<std::string> validate_vol_dynamics(const VolDynamics& dynamics) {
  std::vector<std::string> problems;
  if (dynamics.rule != "sticky_moneyness" && dynamics.rule != "sticky_strike")
    problems.push_back("vol dynamics rule = \"" + dynamics.rule +
                       "\"; allowed \"sticky_moneyness\" or \"sticky_strike\"");
  const std::pair<const char*, double> betas[] = {{"level_beta", dynamics.level_beta},
                                                  {"skew_beta", dynamics.skew_beta}};
  for (const auto& [key, value] : betas)
    if (!(value >= 0.0 && value <= kBetaMax))
      problems.push_back(std::string("vol dynamics ") + key + " = " + num(value) + "; allowed [0, " +
                         num(kBetaMax) + "]");
  return problems;
}

VolSurface::VolSurface(std::vector<SviSlice> slices) : slices_(std::move(slices)) {
  LIQSIM_CHECK(svi_domain_problems(slices_).empty(), "VolSurface needs valid SVI slices");
}

double VolSurface::total_variance(double k, double years) const {
  LIQSIM_CHECK(years >= 0.0 && std::isfinite(k), "total variance needs years >= 0 and a finite k");
  const SviSlice& first = slices_.front();
  const SviSlice& last = slices_.back();
  if (years <= first.years) return svi_total_variance(first, k) * years / first.years;
  if (years >= last.years) return svi_total_variance(last, k) * years / last.years;
  const auto far = std::upper_bound(slices_.begin(), slices_.end(), years,
                                    [](double t, const SviSlice& s) { return t < s.years; });
  const SviSlice& near = *(far - 1);
  const double weight = (years - near.years) / (far->years - near.years);
  return (1.0 - weight) * svi_total_variance(near, k) + weight * svi_total_variance(*far, k);
}

double VolSurface::implied_vol(double strike, double forward, double years) const {
  LIQSIM_CHECK(strike > 0.0 && forward > 0.0 && years > 0.0, "implied vol needs K, F, T > 0");
  return std::sqrt(total_variance(std::log(strike / forward), years) / years);
}

double VolSurface::price(OptionType type, double forward, double strike, double years) const {
  if (years <= 0.0) return black76_price(type, forward, strike, 0.0, 0.0);
  return black76_price(type, forward, strike, implied_vol(strike, forward, years), years);
}

double VolSurface::delta(OptionType type, double forward, double strike, double years) const {
  LIQSIM_CHECK(strike > 0.0 && forward > 0.0, "delta needs K, F > 0");
  const double w = years > 0.0 ? total_variance(std::log(strike / forward), years) : 0.0;
  if (w <= 0.0) {  // intrinsic value's slope
    if (type == OptionType::Call) return forward > strike ? 1.0 : 0.0;
    return forward < strike ? -1.0 : 0.0;
  }
  const double d1 = (std::log(forward / strike) + 0.5 * w) / std::sqrt(w);
  return type == OptionType::Call ? normal_cdf(d1) : normal_cdf(d1) - 1.0;
}

double VolSurface::vega(double forward, double strike, double years) const {
  LIQSIM_CHECK(strike > 0.0 && forward > 0.0, "vega needs K, F > 0");
  const double w = years > 0.0 ? total_variance(std::log(strike / forward), years) : 0.0;
  if (w <= 0.0) return 0.0;
  const double d1 = (std::log(forward / strike) + 0.5 * w) / std::sqrt(w);
  return forward * normal_pdf(d1) * std::sqrt(years);
}

VolSurface VolSurface::shocked(double log_return, const VolDynamics& dynamics) const {
  LIQSIM_CHECK(std::isfinite(log_return), "a shock needs a finite log return");
  LIQSIM_CHECK(validate_vol_dynamics(dynamics).empty(), "invalid VolDynamics");
  const double level = std::exp(-dynamics.level_beta * log_return);
  const double skew_shift = dynamics.skew_beta * std::max(0.0, -log_return);
  std::vector<SviSlice> moved = slices_;
  for (SviSlice& s : moved) {
    if (dynamics.rule == "sticky_strike") s.m -= log_return;
    const double atm_by_rule = svi_total_variance(s, 0.0);
    const double rho = std::max(s.rho - skew_shift, std::min(s.rho, -kRhoLimit));
    s.a += s.b * s.sigma * (std::sqrt(1.0 - s.rho * s.rho) - std::sqrt(1.0 - rho * rho));
    s.rho = rho;
    const double atm_skewed = svi_total_variance(s, 0.0);
    // ATM w is >= the (kept, non-negative) minimum; it is 0 only on a degenerate slice, scaled by level.
    const double scale = atm_skewed > 0.0 ? level * atm_by_rule / atm_skewed : level;
    // w(k) -> scale * w(k / sqrt(scale)) is again raw SVI with these parameters.
    const double root = std::sqrt(scale);
    s.a *= scale;
    s.b *= root;
    s.m *= root;
    s.sigma *= root;
  }
  return VolSurface(std::move(moved));
}

}  // namespace liqsim
