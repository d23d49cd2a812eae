// SVI volatility surface: the raw SVI formula, Black-76 marks and greeks against inversion and finite
// differences, the static-arbitrage checks against Gatheral & Jacquier (2014) Example 3.1 and against
// convexity of call prices, and the spot-vol response (level, skew, sticky strike, arbitrage after moves).
#include "protocol/vol_surface.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace liqsim {
namespace {

// Gatheral & Jacquier (2014), Example 3.1 (parameters from Axel Vogt): butterfly arbitrage.
constexpr SviSlice kVogt{1.0, -0.0410, 0.1331, 0.306, 0.3586, 0.4153};
// A steep equity-like slice, arbitrage-free but close to it (min g ~ 0.08 on [-3, 3]).
constexpr SviSlice kSteep{1.0, 0.04, 0.4, -0.4, 0.0, 0.1};

// Calendar-free surfaces with w proportional to T (the same smile in vol at every expiry).
VolSurface proportional_surface(double a, double b, double rho, double m, double sigma) {
  std::vector<SviSlice> slices;
  for (double years : {0.1, 0.25, 0.5, 1.0}) slices.push_back({years, a * years, b * years, rho, m, sigma});
  return VolSurface(slices);
}
VolSurface crypto_surface() { return proportional_surface(0.2, 0.4, -0.2, 0.0, 0.4); }
VolSurface equity_surface() { return proportional_surface(0.02, 0.15, -0.6, 0.05, 0.25); }
// Three steep slices, ordered in total variance at every k (same rho, m, sigma; a and b increasing).
VolSurface steep_surface() {
  return VolSurface({{0.25, 0.01, 0.2, -0.4, 0.0, 0.1}, {0.5, 0.02, 0.28, -0.4, 0.0, 0.1}, kSteep});
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& p : problems) out += p + "\n";
  return out;
}

// Black-76 implied vol by bisection (independent of the surface's own sqrt(w / T)).
double invert_black76(OptionType type, double forward, double strike, double years, double target) {
  double lo = 1e-6, hi = 5.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (black76_price(type, forward, strike, mid, years) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// --- SVI and marking ---

// Gatheral (2004): at k = m the square root is sigma and the rho term vanishes, w = a + b sigma.
TEST(VolSurface, TotalVarianceAtMIsAPlusBSigma) {
  const SviSlice slice{0.5, 0.02, 0.3, -0.3, 0.1, 0.2};
  const VolSurface surface({slice});
  EXPECT_NEAR(surface.total_variance(0.1, 0.5), 0.02 + 0.3 * 0.2, 1e-15);
  EXPECT_NEAR(svi_total_variance(slice, 0.1), 0.08, 1e-15);
}

// The surface's price inverts (Black-76 bisection) to the vol written out from the SVI formula.
TEST(VolSurface, ImpliedVolAndPriceRoundTripThroughBlack76) {
  const VolSurface surface({kSteep});
  for (double strike : {60.0, 90.0, 100.0, 110.0, 150.0}) {
    const double k = std::log(strike / 100.0);
    const double w = 0.04 + 0.4 * (-0.4 * k + std::sqrt(k * k + 0.01));
    EXPECT_NEAR(surface.implied_vol(strike, 100.0, 1.0), std::sqrt(w), 1e-14) << strike;
    const OptionType type = strike < 100.0 ? OptionType::Put : OptionType::Call;
    const double price = surface.price(type, 100.0, strike, 1.0);
    EXPECT_NEAR(price, black76_price(type, 100.0, strike, std::sqrt(w), 1.0), 1e-12) << strike;
    EXPECT_NEAR(invert_black76(type, 100.0, strike, 1.0, price), std::sqrt(w), 1e-9) << strike;
  }
}

// Delta is dC/dF and vega dC/dvol of Black-76 at the surface's vol for that strike, held fixed.
TEST(VolSurface, DeltaAndVegaMatchFiniteDifferences) {
  const VolSurface surface = equity_surface();
  const double forward = 100.0, years = 0.4, h = 1e-3;
  for (double strike : {70.0, 95.0, 100.0, 120.0}) {
    const double vol = surface.implied_vol(strike, forward, years);
    for (OptionType type : {OptionType::Call, OptionType::Put}) {
      const double fd_delta = (black76_price(type, forward + h, strike, vol, years) -
                               black76_price(type, forward - h, strike, vol, years)) /
                              (2 * h);
      EXPECT_NEAR(surface.delta(type, forward, strike, years), fd_delta, 1e-7) << strike;
    }
    const double fd_vega = (black76_price(OptionType::Call, forward, strike, vol + 1e-5, years) -
                            black76_price(OptionType::Call, forward, strike, vol - 1e-5, years)) /
                           2e-5;
    EXPECT_NEAR(surface.vega(forward, strike, years), fd_vega, 1e-6) << strike;
  }
  EXPECT_DOUBLE_EQ(surface.delta(OptionType::Call, 100.0, 90.0, 0.0), 1.0);  // expired in the money
  EXPECT_DOUBLE_EQ(surface.vega(100.0, 90.0, 0.0), 0.0);
}

// Put-call parity at r = 0: C - P = F - K, on and between slices.
TEST(VolSurface, SurfacePricesSatisfyPutCallParity) {
  const VolSurface surface = crypto_surface();
  for (double years : {0.05, 0.3, 0.75, 2.0})
    for (double strike : {50.0, 100.0, 180.0})
      EXPECT_NEAR(surface.price(OptionType::Call, 100.0, strike, years) -
                      surface.price(OptionType::Put, 100.0, strike, years),
                  100.0 - strike, 1e-10)
          << years << " " << strike;
}

// Linear in total variance between slices, w_1 T / T_1 before, flat vol after; non-decreasing in T.
TEST(VolSurface, InterpolationIsLinearInVarianceAndMonotoneInExpiry) {
  const VolSurface surface = steep_surface();
  for (double k : {-1.0, -0.2, 0.0, 0.3, 1.5}) {
    const double w1 = svi_total_variance(surface.slices()[1], k), w2 = svi_total_variance(kSteep, k);
    EXPECT_NEAR(surface.total_variance(k, 0.75), 0.5 * (w1 + w2), 1e-15);
    EXPECT_NEAR(surface.total_variance(k, 0.1), svi_total_variance(surface.slices()[0], k) * 0.4, 1e-15);
    EXPECT_NEAR(surface.total_variance(k, 3.0), 3.0 * w2, 1e-15);
    double previous = 0.0;
    for (double years = 0.0; years <= 2.0; years += 0.01) {
      const double w = surface.total_variance(k, years);
      EXPECT_GE(w, previous - 1e-15) << "k " << k << " T " << years;
      previous = w;
    }
  }
}

// --- Static arbitrage ---

// Gatheral-Jacquier Example 3.1: g < 0 on k in about [0.64, 1.25], least about -0.033 near k = 0.88
// (our evaluation of eq. 2.1; the paper's figure shows the same dip).
TEST(VolSurfaceArbitrage, VogtSliceHasButterflyArbitrage) {
  EXPECT_LT(svi_butterfly_density(kVogt, 0.9), -0.03);
  EXPECT_GT(svi_butterfly_density(kVogt, 0.5), 0.0);
  EXPECT_GT(svi_butterfly_density(kVogt, 1.4), 0.0);
  const std::vector<std::string> problems = svi_arbitrage_problems(std::vector{kVogt});
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_NE(problems[0].find("slice 0 (expiry 1 years): butterfly arbitrage, density g(k) = -0.0328"),
            std::string::npos)
      << problems[0];
  EXPECT_NE(problems[0].find("at k = 0.879"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("g < 0 for k in [0.645, 1.254]"), std::string::npos) << problems[0];
}

TEST(VolSurfaceArbitrage, CleanSurfacesPass) {
  EXPECT_TRUE(svi_arbitrage_problems(std::vector{kSteep}).empty());
  EXPECT_TRUE(steep_surface().arbitrage_problems().empty()) << joined(steep_surface().arbitrage_problems());
  EXPECT_TRUE(crypto_surface().arbitrage_problems().empty());
  EXPECT_TRUE(equity_surface().arbitrage_problems().empty());
}

// A far slice with lower variance on the downside than the near one: the smiles cross.
TEST(VolSurfaceArbitrage, CrossingSlicesAreCalendarArbitrage) {
  const std::vector<SviSlice> slices{{0.5, 0.03, 0.3, -0.6, 0.0, 0.2}, {1.0, 0.06, 0.2, 0.0, 0.0, 0.2}};
  const std::vector<std::string> problems = svi_arbitrage_problems(slices);
  EXPECT_TRUE(
      mentions(problems, "slice 1 (expiry 1 years) vs slice 0 (expiry 0.5 years): calendar arbitrage"))
      << joined(problems);
  EXPECT_TRUE(mentions(problems, "at k = -3")) << joined(problems);  // worst at the left end of the grid
  EXPECT_TRUE(mentions(problems, "left wing, slope b (1 - rho) = 0.2 < 0.48")) << joined(problems);
  // Above the money the far slice is higher: w(0.5) is 0.1677 vs 0.1016.
  EXPECT_GT(svi_total_variance(slices[1], 0.5), svi_total_variance(slices[0], 0.5));
}

TEST(VolSurfaceArbitrage, DomainErrorsNameSliceParameterAndValue) {
  const std::vector<SviSlice> slices{{1.0, 0.04, -0.1, 1.2, 0.0, 0.0}, {1.0, -0.5, 0.1, 0.0, 0.0, 0.1}};
  const std::vector<std::string> problems = svi_domain_problems(slices);
  EXPECT_TRUE(mentions(problems, "slice 0 (expiry 1 years): b = -0.1; allowed >= 0")) << joined(problems);
  EXPECT_TRUE(mentions(problems, "slice 0 (expiry 1 years): rho = 1.2; allowed -1 < rho < 1"));
  EXPECT_TRUE(mentions(problems, "slice 0 (expiry 1 years): sigma = 0; allowed > 0"));
  EXPECT_TRUE(mentions(problems,
                       "slice 1 (expiry 1 years): minimum total variance a + b sigma sqrt(1 - rho^2) "
                       "= -0.49 (a = -0.5); allowed >= 0"));
  EXPECT_TRUE(mentions(problems, "slice 1 (expiry 1 years): years = 1 after 1 of slice 0; allowed strictly"));
  EXPECT_TRUE(mentions(svi_domain_problems(std::vector<SviSlice>{{-0.5, 0.04, 0.1, 0.0, 0.0, 0.1}}),
                       "years = -0.5; allowed > 0"));
  EXPECT_TRUE(mentions(svi_domain_problems(std::vector<SviSlice>{{1.0, NAN, 0.1, 0.0, 0.0, 0.1}}),
                       "a = nan; allowed a finite number"));
  EXPECT_TRUE(mentions(svi_domain_problems(std::vector<SviSlice>{}), "none given"));
}

// Lee: the right wing slope b (1 + rho) = 1.8 * 1.2 = 2.16 exceeds 2, so g -> 1/4 - 2.16^2/16 < 0 too.
TEST(VolSurfaceArbitrage, LeeWingBound) {
  const SviSlice wild{1.0, 0.05, 1.8, 0.2, 0.0, 0.3};
  const std::vector<std::string> problems = svi_arbitrage_problems(std::vector{wild});
  EXPECT_TRUE(mentions(problems, "wing slope b (1 + |rho|) = 2.16; allowed <= 2")) << joined(problems);
  EXPECT_LT(svi_butterfly_density(wild, 50.0), 0.25 - 2.16 * 2.16 / 16 + 1e-3);
  // 1.6 * 1.2 = 1.92 is within the bound.
  EXPECT_FALSE(
      mentions(svi_arbitrage_problems(std::vector{SviSlice{1.0, 0.05, 1.6, 0.2, 0.0, 0.3}}), "wing slope"));
}

// Butterfly arbitrage means call prices are not convex in strike: the g check and prices agree.
TEST(VolSurfaceArbitrage, ButterflyCheckAgreesWithCallPriceConvexity) {
  auto worst_second_difference = [](const VolSurface& surface, double* at_k) {
    const double forward = 100.0, h = 0.5;
    double worst = 0.0;
    for (double strike = 20.0; strike <= 1000.0; strike += h) {
      const double second = surface.price(OptionType::Call, forward, strike - h, 1.0) -
                            2 * surface.price(OptionType::Call, forward, strike, 1.0) +
                            surface.price(OptionType::Call, forward, strike + h, 1.0);
      if (second < worst) {
        worst = second;
        *at_k = std::log(strike / forward);
      }
    }
    return worst;
  };
  double k = 0.0;
  EXPECT_GE(worst_second_difference(VolSurface({kSteep}), &k), -1e-12);
  EXPECT_GE(worst_second_difference(VolSurface({{1.0, 0.2, 0.4, -0.2, 0.0, 0.4}}), &k), -1e-12);
  // The negative density sits far out of the money (K ~ 2.4 F), so the dip is small, yet about 1e5 times
  // the rounding noise of the price differences.
  EXPECT_LT(worst_second_difference(VolSurface({kVogt}), &k), -1e-7);
  EXPECT_GT(k, 0.645);  // inside the span the g check reports
  EXPECT_LT(k, 1.254);
}

// --- Dynamics ---

TEST(VolSurfaceDynamics, FallRaisesAtmVolByTheDocumentedAmount) {
  const VolDynamics dynamics;  // sticky moneyness, level_beta 2, skew_beta 0.5
  for (const VolSurface& surface : {crypto_surface(), equity_surface(), steep_surface()}) {
    const VolSurface after = surface.shocked(std::log(0.8), dynamics);
    for (double years : {0.1, 0.5, 1.0})
      EXPECT_NEAR(after.implied_vol(80.0, 80.0, years), 1.25 * surface.implied_vol(100.0, 100.0, years),
                  1e-12);
    // A rise lowers it: r = ln 1.2 gives variance x 1/1.44, vol x 1/1.2.
    EXPECT_NEAR(surface.shocked(std::log(1.2), dynamics).implied_vol(120.0, 120.0, 0.5),
                surface.implied_vol(100.0, 100.0, 0.5) / 1.2, 1e-12);
  }
}

// Skew = d vol / dk at the money. The level step alone keeps it; the skew step steepens it after a fall.
TEST(VolSurfaceDynamics, FallSteepensTheSkew) {
  auto skew = [](const VolSurface& s) {
    return (s.implied_vol(std::exp(1e-4), 1.0, 0.5) - s.implied_vol(std::exp(-1e-4), 1.0, 0.5)) / 2e-4;
  };
  const VolSurface surface = equity_surface();
  const double move = std::log(0.8);
  const double before = skew(surface);
  EXPECT_LT(before, 0.0);
  EXPECT_NEAR(skew(surface.shocked(move, {"sticky_moneyness", 2.0, 0.0})), before, 1e-8);
  const VolSurface after = surface.shocked(move, {});
  EXPECT_LT(skew(after), 1.05 * before);  // about 10% steeper with skew_beta 0.5
  EXPECT_NEAR(after.slices()[0].rho, -0.6 - 0.5 * 0.2231435513, 1e-9);
  // Rises leave rho alone.
  EXPECT_DOUBLE_EQ(surface.shocked(0.2, {}).slices()[0].rho, -0.6);
}

TEST(VolSurfaceDynamics, StickyStrikeKeepsEachStrikesVol) {
  const VolSurface surface = equity_surface();
  const VolDynamics sticky{"sticky_strike", 0.0, 0.0};
  for (double move : {-0.3, 0.1})
    for (double strike : {60.0, 100.0, 130.0})
      EXPECT_NEAR(surface.shocked(move, sticky).implied_vol(strike, 100.0 * std::exp(move), 0.5),
                  surface.implied_vol(strike, 100.0, 0.5), 1e-12)
          << move << " " << strike;
  // Sticky moneyness keeps the vol of each k instead.
  EXPECT_NEAR(surface.shocked(-0.3, {"sticky_moneyness", 0.0, 0.0})
                  .implied_vol(60.0 * std::exp(-0.3), 100.0 * std::exp(-0.3), 0.5),
              surface.implied_vol(60.0, 100.0, 0.5), 1e-12);
}

// The level step's density: g_c(k) = g(k / sqrt(c)) - (c - 1) w'(k / sqrt(c))^2 / 16 (vol_surface.h).
TEST(VolSurfaceDynamics, LevelStepDensityIdentity) {
  const double move = -0.3, c = std::exp(0.3);  // level_beta 1
  const SviSlice scaled = VolSurface({kSteep}).shocked(move, {"sticky_moneyness", 1.0, 0.0}).slices()[0];
  for (double k : {-2.0, -0.5, -0.1, 0.0, 0.4, 2.5}) {
    const double u = k / std::sqrt(c), h = 1e-6;
    const double slope = (svi_total_variance(kSteep, u + h) - svi_total_variance(kSteep, u - h)) / (2 * h);
    EXPECT_NEAR(svi_butterfly_density(scaled, k),
                svi_butterfly_density(kSteep, u) - (c - 1) * slope * slope / 16, 1e-8)
        << k;
  }
}

// Typical surfaces stay free of static arbitrage for every move in [-0.5, 0.5], under both rules.
TEST(VolSurfaceDynamics, TypicalSurfacesStayArbitrageFree) {
  for (const VolSurface& surface : {crypto_surface(), equity_surface()})
    for (const char* rule : {"sticky_moneyness", "sticky_strike"})
      for (int i = -10; i <= 10; ++i) {
        const std::vector<std::string> problems =
            surface.shocked(0.05 * i, {rule, 2.0, 0.5}).arbitrage_problems();
        EXPECT_TRUE(problems.empty()) << rule << " move " << 0.05 * i << "\n" << joined(problems);
      }
}

// Where shocks do create arbitrage: on a smile already close to it (kSteep, min g ~ 0.08).
TEST(VolSurfaceDynamics, SteepSmileLimits) {
  const VolSurface surface = steep_surface();
  // Pure sticky strike: a 10% rise puts a butterfly in the 1-year slice (g depends on k, not k - m).
  EXPECT_TRUE(surface.shocked(0.05, {"sticky_strike", 0.0, 0.0}).arbitrage_problems().empty());
  EXPECT_TRUE(mentions(surface.shocked(0.1, {"sticky_strike", 0.0, 0.0}).arbitrage_problems(), "butterfly"));
  // Default dynamics: clean down to a 35% fall, a butterfly at 40% (the skew rotation).
  EXPECT_TRUE(surface.shocked(-0.35, {}).arbitrage_problems().empty());
  EXPECT_TRUE(mentions(surface.shocked(-0.4, {}).arbitrage_problems(), "butterfly"));
  // The level step alone is clean at r = -0.5 (c = e), and for every rise (c <= 1 adds no butterfly).
  for (double move : {-0.5, 0.2, 0.5, 1.0})
    EXPECT_TRUE(surface.shocked(move, {"sticky_moneyness", 2.0, 0.0}).arbitrage_problems().empty()) << move;
  // Scaling a and b instead (w -> c w) already breaks kSteep at r = -0.15 (c = e^0.3).
  const double c = std::exp(0.3);
  EXPECT_TRUE(mentions(svi_arbitrage_problems(std::vector{SviSlice{1.0, 0.04 * c, 0.4 * c, -0.4, 0.0, 0.1}}),
                       "butterfly"));
}

TEST(VolSurfaceDynamics, ValidationNamesKeyValueAndAllowed) {
  EXPECT_TRUE(validate_vol_dynamics({}).empty());
  const std::vector<std::string> problems = validate_vol_dynamics({"sticky_delta", -1.0, 11.0});
  EXPECT_TRUE(mentions(
      problems, "vol dynamics rule = \"sticky_delta\"; allowed \"sticky_moneyness\" or \"sticky_strike\""))
      << joined(problems);
  EXPECT_TRUE(mentions(problems, "vol dynamics level_beta = -1; allowed [0, 10]"));
  EXPECT_TRUE(mentions(problems, "vol dynamics skew_beta = 11; allowed [0, 10]"));
  EXPECT_TRUE(mentions(validate_vol_dynamics({"sticky_strike", NAN, 0.0}), "level_beta = nan"));
}

}  // namespace
}  // namespace liqsim
