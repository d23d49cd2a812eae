// Implied-volatility surface for marking options to model: raw SVI smiles per expiry, interpolated in
// total variance, with Black-76 prices and greeks, static-arbitrage checks and a response of the smile to
// realised moves (market makers widen and skew after a crash).
//
// Sources: Gatheral (2004), "A parsimonious arbitrage-free implied volatility parameterization",
// Global Derivatives & Risk Management, Madrid (raw SVI); Gatheral & Jacquier (2014), "Arbitrage-free
// SVI volatility surfaces", Quantitative Finance 14(1) 59-71 (the density g of eq. 2.1 and Lemma 2.2,
// calendar spreads (Lemma 2.1), Example 3.1); Lee (2004), "The moment formula for implied
// volatility at extreme strikes", Mathematical Finance 14(3) 469-480 (wing slopes); Black (1976) and
// Haug, The Complete Guide to Option Pricing Formulas (2007), ch. 2 (greeks with cost of carry 0).
//
// Units: doubles (a risk model). k = ln(K / F) with F the forward to the option's expiry, years to
// expiry, annualised volatility, total variance w = vol^2 * years, rates 0 (prices are forward prices).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "protocol/portfolio_margin.h"

namespace liqsim {

// One expiry's smile in raw SVI (Gatheral 2004):
//   w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)).
// Domain: years > 0, b >= 0, |rho| < 1, sigma > 0, a + b sigma sqrt(1 - rho^2) >= 0 (the minimum of w).
struct SviSlice {
  double years = 0.0;
  double a = 0.0;
  double b = 0.0;
  double rho = 0.0;
  double m = 0.0;
  double sigma = 0.0;
};

double svi_total_variance(const SviSlice& slice, double k);

// Gatheral-Jacquier eq. (2.1): g(k) = (1 - k w'/(2w))^2 - (w'^2 / 4)(1/w + 1/4) + w''/2. The risk-neutral
// density of ln(S_T / F) at k is g / sqrt(2 pi w) exp(-d2^2 / 2), so the slice is free of butterfly arbitrage
// iff g >= 0 (with call prices vanishing as k -> infinity, which Lee's bound b (1 + |rho|) <= 2 ensures for
// SVI). Needs w(k) > 0.
double svi_butterfly_density(const SviSlice& slice, double k);

// Problems that make slices unusable (empty = fine): the SVI domain above, finite parameters, at least
// one slice, expiries strictly increasing. Each names the slice (index and expiry), parameter and value.
std::vector<std::string> svi_domain_problems(std::span<const SviSlice> slices);

// Static-arbitrage problems (empty = none found): the domain problems, then per slice
//   - Lee's wing bound b (1 + |rho|) <= 2. Raw SVI's total variance has wing slopes b (1 - rho) as
//     k -> -inf and b (1 + rho) as k -> +inf; Lee's moment formula (2004) bounds both wing slopes of
//     total variance by 2. Equivalently g(k) -> 1/4 - beta^2 / 16 in a wing of slope beta, which is
//     >= 0 iff beta <= 2. The "b (1 + |rho|) <= 4 / T" sometimes quoted for SVI in implied variance is
//     the pointwise bound |dw/dk| <= 4 of Rogers & Tehranchi (2010), weaker than Lee's in the wings.
//   - butterfly: g(k) >= 0 on 2001 points over k in [-3, 3], the worst point refined by golden section;
//     reports the worst k and g and the span of k where g < 0;
//   - calendar, for consecutive slices (Gatheral-Jacquier Lemma 2.1: w(k, T) non-decreasing in T for
//     every k): w_{i+1}(k) >= w_i(k) on the same grid (worst k reported), and wing slopes that do not
//     fall with expiry, so the smiles cannot cross beyond the grid.
// Limitation: beyond [-3, 3] only the asymptotic conditions are checked.
std::vector<std::string> svi_arbitrage_problems(std::span<const SviSlice> slices);

// How the surface responds to a realised log return r of the forward (all expiries move together):
//   rule "sticky_moneyness": the smile is fixed in k = ln(K/F), so it moves with the forward;
//   rule "sticky_strike":    the vol of each fixed strike is unchanged (m -= r: k is measured from the
//                            new forward);
// then, on top of the rule,
//   skew:  rho -= skew_beta * max(0, -r), never below -0.999 (falls steepen the put skew, rises leave it),
//          with a raised by b sigma (sqrt(1 - rho^2) - sqrt(1 - rho'^2)) so the minimum total variance is
//          kept and the slice stays in the SVI domain even when a < 0;
//   level: the ATM (k = 0) total variance becomes exp(-level_beta * r) times what the rule alone gives:
//          vol rises after a fall, the leverage effect. level_beta = 2 makes a -20% move (r = ln 0.8)
//          multiply ATM variance by 1 / 0.8^2 = 1.5625, ATM vol by 1.25.
// The level step scales w along standardised moneyness, w(k) -> c w(k / sqrt(c)): raw SVI again, with
// (a, b, m, sigma) -> (c a, sqrt(c) b, sqrt(c) m, sqrt(c) sigma), and the absolute vol skew dvol/dk at
// the money unchanged. Differentiating eq. 2.1 gives g_c(k) = g(u) - (c - 1) w'(u)^2 / 16, u = k / sqrt(c):
// c <= 1 never creates butterflies, and c > 1 costs at most (c - 1) (b (1 + |rho|))^2 / 16; scaling every
// slice the same way keeps calendar order. Scaling a and b by c instead (w -> c w) gives
// g = (1 - k w'/(2w))^2 - c w'^2 / (4w) - c^2 w'^2 / 16 + c w''/2, which falls much faster with c: it
// breaks the steep test slice (a, b, rho, m, sigma) = (0.04, 0.4, -0.4, 0, 0.1) already at r = -0.15.
// The rule and skew steps are not arbitrage-free in general: g depends on k itself, not only k - m, so
// the sticky-strike shift can create butterflies, and rotating rho steepens a wing. On the tests' typical
// surfaces every move in [-0.5, 0.5] stays clean under both rules; on a smile already near arbitrage
// (small sigma, min g ~ 0.08) a 10% rise under pure sticky strike, or a 40% fall under the default
// dynamics, is enough. Re-run svi_arbitrage_problems on the result.
// Defaults are illustrative, not calibrated.
struct VolDynamics {
  std::string rule = "sticky_moneyness";  // "sticky_moneyness" or "sticky_strike"
  double level_beta = 2.0;                // [0, 10]
  double skew_beta = 0.5;                 // [0, 10]
};

std::vector<std::string> validate_vol_dynamics(const VolDynamics& dynamics);

class VolSurface {
 public:
  // Precondition: svi_domain_problems(slices) is empty (validate input first). Arbitrage is allowed, so
  // arbitrageable surfaces can be studied; check arbitrage_problems() before marking with one.
  explicit VolSurface(std::vector<SviSlice> slices);

  const std::vector<SviSlice>& slices() const { return slices_; }
  std::vector<std::string> arbitrage_problems() const { return svi_arbitrage_problems(slices_); }

  // w(k, T), years >= 0. Between slices: linear in T at the same k, which keeps w non-decreasing in T when
  // the slices are calendar-free (Gatheral-Jacquier interpolate call prices instead, which also keeps
  // butterflies out; linear total variance is the common practice and is not guaranteed butterfly-free
  // between slices). Before the first slice w_1(k) T / T_1 (w -> 0 as T -> 0); after the last,
  // w_N(k) T / T_N (flat implied vol).
  double total_variance(double k, double years) const;
  // sqrt(w / T). strike, forward > 0, years > 0.
  double implied_vol(double strike, double forward, double years) const;
  // Black-76 at the surface's vol, r = 0. At or after expiry (years <= 0) the intrinsic value.
  double price(OptionType type, double forward, double strike, double years) const;
  // Black-76 forward delta at the surface's vol held fixed (sticky-strike delta; the smile's own move
  // with F is left to VolDynamics): N(d1) for a call, N(d1) - 1 for a put, d1 = (-k + w/2) / sqrt(w).
  double delta(OptionType type, double forward, double strike, double years) const;
  // Black-76 vega, per 1.00 of volatility: F n(d1) sqrt(T), the same for calls and puts.
  double vega(double forward, double strike, double years) const;

  // The surface after the forward moved by log_return (see VolDynamics). Expiries do not roll.
  // Preconditions: log_return finite, validate_vol_dynamics(dynamics) empty.
  VolSurface shocked(double log_return, const VolDynamics& dynamics) const;

 private:
  std::vector<SviSlice> slices_;  // sorted by strictly increasing years
};

}  // namespace liqsim
