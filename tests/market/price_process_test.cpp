#include "market/price_process.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

namespace liqsim {
namespace {

constexpr Time kDay = seconds(24 * 3600);
constexpr Time kYear = seconds(365 * 24 * 3600);

double log_ratio(Price a, Price b) { return std::log(to_double(a) / to_double(b)); }

// Pooled one-day log returns of independent one-year GBM paths follow N((mu - sigma^2/2) dt, sigma^2 dt)
// exactly. 400 paths x 365 steps = 146,000 returns. Standard error of the mean: sigma sqrt(dt)/sqrt(N) =
// 0.0523/382 = 1.37e-4; of the variance: sigma^2 dt sqrt(2/N) = 0.37% relative. Tolerances are 4
// standard errors (a correct model fails with probability ~6e-5 per check; the seed is fixed anyway).
// The Itô term sigma^2/2 dt = 1.37e-3 is 10 standard errors, so omitting it would fail.
TEST(GeometricBrownianMotion, LogReturnMomentsMatchClosedForm) {
  const double mu = 0.05, sigma = 1.0, dt = 1.0 / 365.0;
  const int paths = 400;
  double sum = 0.0, sum_sq = 0.0;
  int64_t n = 0;
  for (int path = 0; path < paths; ++path) {
    GeometricBrownianMotion gbm(price_from_double(1000.0), mu, sigma, kDay,
                                Rng(7, StreamKind::ExternalPrice, path));
    Price previous = gbm.initial();
    for (int day = 1; day <= 365; ++day) {
      const Price p = gbm.advance(kDay * day);
      const double r = log_ratio(p, previous);
      sum += r;
      sum_sq += r * r;
      ++n;
      previous = p;
    }
  }
  const double mean = sum / double(n);
  const double variance = (sum_sq - double(n) * mean * mean) / double(n - 1);
  const double expected_mean = (mu - 0.5 * sigma * sigma) * dt;
  const double expected_variance = sigma * sigma * dt;
  EXPECT_NEAR(mean, expected_mean, 4.0 * std::sqrt(expected_variance / double(n)));
  EXPECT_NEAR(variance / expected_variance, 1.0, 4.0 * std::sqrt(2.0 / double(n)));
}

std::vector<Price> gbm_path(uint64_t seed, int steps) {
  GeometricBrownianMotion gbm(price_from_double(2000.0), 0.0, 0.8, seconds(1),
                              Rng(seed, StreamKind::ExternalPrice, 0));
  std::vector<Price> path;
  for (int i = 1; i <= steps; ++i) path.push_back(gbm.advance(seconds(i)));
  return path;
}

TEST(GeometricBrownianMotion, SameSeedSamePathDifferentSeedDifferentPath) {
  const std::vector<Price> a = gbm_path(11, 1000);
  EXPECT_EQ(a, gbm_path(11, 1000));
  const std::vector<Price> b = gbm_path(12, 1000);
  int equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  EXPECT_LT(equal, 10);
}

// advance() at irregular times sees exactly the grid values, held constant between grid points.
TEST(GeometricBrownianMotion, AdvanceScheduleDoesNotChangeThePath) {
  const Time step = seconds(1);
  GeometricBrownianMotion stepped(price_from_double(2000.0), 0.1, 0.8, step,
                                  Rng(3, StreamKind::ExternalPrice, 0));
  std::vector<Price> grid{stepped.initial()};
  for (int i = 1; i <= 2000; ++i) grid.push_back(stepped.advance(step * i));

  GeometricBrownianMotion jumpy(price_from_double(2000.0), 0.1, 0.8, step,
                                Rng(3, StreamKind::ExternalPrice, 0));
  Rng schedule(99);
  Time t(0);
  while (true) {
    t += Time(schedule.uniform_int(0, 7 * kNanosPerSecond / 2));  // gaps 0 .. 3.5 s, often off-grid
    if (t > seconds(2000)) break;
    ASSERT_EQ(jumpy.advance(t), grid[size_t(t.raw() / step.raw())]) << "at t=" << t.raw();
  }
}

// Merton (1976) with lambda = 10/yr over 4000 one-year paths: 40,000 expected jumps, Poisson standard
// error 200, tolerance 4 se. E[S_T] = S_0 e^{mu T}: Var log S_T = sigma^2 + lambda (m^2 + s^2) = 0.375,
// so sd(S_T)/E[S_T] ~ sqrt(e^0.375 - 1) = 0.67 and the sample mean's se is 0.67/sqrt(4000) = 1.06%;
// tolerance 4 se = 4.2%. Without the lambda k compensation the mean would be e^{-0.44} ~ 36% lower.
TEST(MertonJumpDiffusion, JumpCountAndMeanTerminalPriceMatchTheory) {
  const double mu = 0.1, sigma = 0.5, lambda = 10.0, m = -0.05, s = 0.1;
  const int paths = 4000;
  const Time step = kDay * 5;
  uint64_t jumps = 0;
  double sum_terminal = 0.0;
  for (int path = 0; path < paths; ++path) {
    MertonJumpDiffusion merton(price_from_double(100.0), mu, sigma, lambda, m, s, step,
                               Rng(5, StreamKind::ExternalPrice, path));
    sum_terminal += to_double(merton.advance(kYear));
    EXPECT_EQ(merton.steps(), 73);
    jumps += merton.jump_count();
  }
  const double expected_jumps = lambda * paths;
  EXPECT_NEAR(double(jumps), expected_jumps, 4.0 * std::sqrt(expected_jumps));
  const double mean_terminal = sum_terminal / paths;
  const double expected_terminal = 100.0 * std::exp(mu);
  EXPECT_NEAR(mean_terminal / expected_terminal, 1.0, 4.0 * 0.67 / std::sqrt(double(paths)));
}

// Log returns of `intervals` GARCH intervals from `paths` independent paths (drift mu = V_year/2
// cancels the Itô term, so the returns have mean 0). s0 = $1e6 keeps the 1e-6 price rounding at 1e-12.
std::vector<std::vector<double>> garch_returns(GarchProcess::Params params, int paths, int intervals,
                                               uint64_t seed) {
  params.drift_per_year = 0.5 * params.vol_per_year * params.vol_per_year;
  std::vector<std::vector<double>> out;
  for (int path = 0; path < paths; ++path) {
    GarchProcess garch(price_from_double(1e6), params, Rng(seed, StreamKind::ExternalPrice, path));
    std::vector<double> r;
    Price previous = garch.initial();
    for (int k = 1; k <= intervals; ++k) {
      const Price p = garch.advance(params.interval * k);
      r.push_back(log_ratio(p, previous));
      previous = p;
    }
    out.push_back(std::move(r));
  }
  return out;
}

struct Moments {
  double variance;
  double excess_kurtosis;
  double squared_acf1;
  double squared_acf10;
};

// Central moments pooled over paths; the ACF of r^2 per path (Box-Jenkins), averaged over paths.
Moments moments(const std::vector<std::vector<double>>& paths) {
  double n = 0, m2 = 0, m4 = 0, acf1 = 0, acf10 = 0;
  for (const auto& r : paths) {
    std::vector<double> sq;
    for (double x : r) {
      n += 1;
      m2 += x * x;
      m4 += x * x * x * x;
      sq.push_back(x * x);
    }
    double mean = 0;
    for (double x : sq) mean += x;
    mean /= double(sq.size());
    double denominator = 0, lag1 = 0, lag10 = 0;
    for (size_t i = 0; i < sq.size(); ++i) {
      denominator += (sq[i] - mean) * (sq[i] - mean);
      if (i >= 1) lag1 += (sq[i] - mean) * (sq[i - 1] - mean);
      if (i >= 10) lag10 += (sq[i] - mean) * (sq[i - 10] - mean);
    }
    acf1 += lag1 / denominator / double(paths.size());
    acf10 += lag10 / denominator / double(paths.size());
  }
  m2 /= n;
  m4 /= n;
  return Moments{m2, m4 / (m2 * m2) - 3.0, acf1, acf10};
}

// GARCH(1,1) with normal shocks, alpha = 0.1, beta = 0.8 (finite 8th moment: E[(alpha z^2 + beta)^4]
// = 0.79 < 1, so the sample kurtosis converges). Theory: unconditional variance omega / (1 - alpha -
// beta) (Bollerslev 1986, eq. 9); excess kurtosis 6 alpha^2 / (1 - (alpha + beta)^2 - 2 alpha^2) = 0.353
// (Bollerslev 1986, eq. 17); ACF of r^2 rho_1 = alpha (1 - alpha beta - beta^2) / (1 - 2 alpha beta -
// beta^2) = 0.140, rho_k = rho_1 (alpha + beta)^(k - 1) (Bollerslev 1988, J. Time Series Analysis
// 9(2)). 20 paths x 40,000 one-minute intervals. Tolerances: variance 2 % (the sample variance of a
// GARCH converges more slowly than i.i.d. data's 0.16 %), kurtosis 0.06, ACF 0.01 (the analysis
// test's spread over 10 seeds at n = 4e5 was 0.31-0.37 and +-0.004). A GBM (alpha = beta = 0)
// fails the kurtosis and ACF checks; omitting omega's (1 - alpha - beta) fails the variance.
TEST(GarchProcess, MomentsMatchBollerslevTheory) {
  GarchProcess::Params params;
  params.vol_per_year = 0.5;
  params.alpha = 0.1;
  params.beta = 0.8;
  params.interval = seconds(60);
  params.step = seconds(60);
  const Moments m = moments(garch_returns(params, 20, 40'000, 3));
  const double variance = 0.25 * 60.0 / (365.0 * 24.0 * 3600.0);
  EXPECT_NEAR(m.variance / variance, 1.0, 0.02);
  EXPECT_NEAR(m.excess_kurtosis, 6 * 0.01 / (1 - 0.81 - 0.02), 0.06);
  const double rho1 = 0.1 * (1 - 0.08 - 0.64) / (1 - 0.16 - 0.64);
  EXPECT_NEAR(m.squared_acf1, rho1, 0.01);
  EXPECT_NEAR(m.squared_acf10, rho1 * std::pow(0.9, 9), 0.01);
}

// The same GARCH stepped every second inside its one-minute variance interval: each interval's
// return is still sigma_k z_k (normal steps of variance sigma_k^2 / 60), so the one-minute moments
// are those of the test above, and the path does not depend on how often advance() is called.
TEST(GarchProcess, SubIntervalStepsKeepTheIntervalModelAndScheduleIndependence) {
  GarchProcess::Params params;
  params.vol_per_year = 0.5;
  params.alpha = 0.1;
  params.beta = 0.8;
  params.interval = seconds(60);
  params.step = seconds(1);
  const Moments m = moments(garch_returns(params, 10, 40'000, 4));
  EXPECT_NEAR(m.variance / (0.25 * 60.0 / (365.0 * 24.0 * 3600.0)), 1.0, 0.03);
  EXPECT_NEAR(m.excess_kurtosis, 0.353, 0.08);
  EXPECT_NEAR(m.squared_acf1, 0.140, 0.015);

  GarchProcess coarse(price_from_double(60000.0), params, Rng(9, StreamKind::ExternalPrice, 0));
  GarchProcess fine(price_from_double(60000.0), params, Rng(9, StreamKind::ExternalPrice, 0));
  for (int t = 1; t <= 7200; ++t) fine.advance(seconds(t));
  EXPECT_EQ(coarse.advance(seconds(7200)), fine.advance(seconds(7200)));
  EXPECT_EQ(coarse.steps(), 7200);
}

// Student t shocks scaled to unit variance: excess kurtosis 6 / (dof - 4) = 0.75 at dof = 12 (finite
// 8th moment), variance 1. 400,000 draws; the sample kurtosis' spread at this n is about 0.03.
TEST(GarchProcess, UnitStudentTHasUnitVarianceAndTheTKurtosis) {
  Rng rng(11, StreamKind::ExternalPrice, 0);
  double m2 = 0, m4 = 0;
  const int n = 400'000;
  for (int i = 0; i < n; ++i) {
    const double x = unit_student_t(rng, 12.0);
    m2 += x * x;
    m4 += x * x * x * x;
  }
  m2 /= n;
  m4 /= n;
  EXPECT_NEAR(m2, 1.0, 0.01);
  EXPECT_NEAR(m4 / (m2 * m2) - 3.0, 0.75, 0.12);
}

// With t shocks the GARCH kurtosis is kz (1 - (a + b)^2) / (1 - b^2 - 2ab - kz a^2) with kz = 3 + 6 /
// (dof - 4) the shocks' kurtosis (Bollerslev 1986's moment recursion with E z^4 = kz): alpha 0.05,
// beta 0.8, dof 12 gives kz 3.75 and kurtosis 3.85 (excess 0.85), against 0.19 with normal shocks.
TEST(GarchProcess, StudentTShocksRaiseTheKurtosisToTheory) {
  GarchProcess::Params params;
  params.vol_per_year = 0.5;
  params.alpha = 0.05;
  params.beta = 0.8;
  params.dof = 12.0;
  params.interval = seconds(60);
  params.step = seconds(60);
  const Moments m = moments(garch_returns(params, 20, 40'000, 5));
  const double kz = 3.0 + 6.0 / 8.0;
  const double kurtosis = kz * (1 - 0.85 * 0.85) / (1 - 0.64 - 0.08 - kz * 0.0025);
  EXPECT_NEAR(m.variance / (0.25 * 60.0 / (365.0 * 24.0 * 3600.0)), 1.0, 0.03);
  EXPECT_NEAR(m.excess_kurtosis, kurtosis - 3.0, 0.12);
}

TEST(MertonJumpDiffusion, ZeroIntensityDrawsNoJumps) {
  MertonJumpDiffusion merton(price_from_double(100.0), 0.0, 0.5, 0.0, -0.1, 0.1, seconds(1),
                             Rng(1, StreamKind::ExternalPrice, 0));
  merton.advance(seconds(10000));
  EXPECT_EQ(merton.jump_count(), 0u);
  EXPECT_EQ(merton.steps(), 10000);
}

std::unique_ptr<PriceProcess> seeded_gbm(uint64_t seed) {
  return std::make_unique<GeometricBrownianMotion>(price_from_double(3000.0), 0.0, 0.8, seconds(1),
                                                   Rng(seed, StreamKind::ExternalPrice, 0));
}

void expect_scaled(Price shocked, Price inner, double factor) {
  EXPECT_LE(std::llabs(shocked.raw() - price_from_double(to_double(inner) * factor).raw()), 1)
      << "shocked " << shocked.raw() << " inner " << inner.raw() << " factor " << factor;
}

TEST(ScriptedShock, FactorIsExactAtStartHalfwayAndEnd) {
  const Time start = seconds(600), duration = seconds(300);
  ScriptedShock shock(seeded_gbm(21), start, duration, 0.4, std::nullopt, 0.0);
  auto reference = seeded_gbm(21);
  EXPECT_EQ(shock.initial(), reference->initial());
  EXPECT_EQ(shock.advance(seconds(599)), reference->advance(seconds(599)));
  EXPECT_EQ(shock.advance(start), reference->advance(start));  // factor exactly 1 at start
  // Halfway in time is halfway in log space: factor sqrt(0.6).
  expect_scaled(shock.advance(start + seconds(150)), reference->advance(start + seconds(150)),
                std::sqrt(0.6));
  EXPECT_DOUBLE_EQ(shock.factor(start + seconds(150)), std::sqrt(0.6));
  expect_scaled(shock.advance(start + duration), reference->advance(start + duration), 0.6);
  // Without a recovery the fall holds.
  expect_scaled(shock.advance(seconds(5000)), reference->advance(seconds(5000)), 0.6);
}

TEST(ScriptedShock, RecoveryRegainsTheFractionOfTheFallInPrice) {
  const Time start = seconds(100), duration = seconds(100), recovery = seconds(200);
  ScriptedShock shock(seeded_gbm(22), start, duration, 0.5, recovery, 0.5);
  auto reference = seeded_gbm(22);
  // After the recovery: 1 - 0.5 * (1 - 0.5) = 0.75.
  EXPECT_DOUBLE_EQ(shock.factor(start + duration + recovery), 0.75);
  EXPECT_DOUBLE_EQ(shock.factor(start + duration + seconds(100)), std::sqrt(0.5 * 0.75));
  expect_scaled(shock.advance(start + duration), reference->advance(start + duration), 0.5);
  expect_scaled(shock.advance(seconds(1000)), reference->advance(seconds(1000)), 0.75);
}

TEST(ScriptedShock, ZeroDurationIsAStep) {
  ScriptedShock shock(seeded_gbm(23), seconds(10), Time(0), 0.2, std::nullopt, 0.0);
  EXPECT_DOUBLE_EQ(shock.factor(seconds(10) - Time(1)), 1.0);
  EXPECT_DOUBLE_EQ(shock.factor(seconds(10)), 0.8);
}

PricePath three_points() {
  return {
      {seconds(0), Price(100'000'000)}, {seconds(10), Price(200'000'000)}, {seconds(20), Price(150'000'000)}};
}

TEST(CsvReplay, PiecewiseConstantHoldsTheLastPoint) {
  CsvReplay replay(three_points(), ReplayInterpolation::PiecewiseConstant);
  EXPECT_EQ(replay.initial(), Price(100'000'000));
  EXPECT_EQ(replay.advance(seconds(5)), Price(100'000'000));
  EXPECT_EQ(replay.advance(seconds(10) - Time(1)), Price(100'000'000));
  EXPECT_EQ(replay.advance(seconds(10)), Price(200'000'000));
  EXPECT_EQ(replay.advance(seconds(20)), Price(150'000'000));
  EXPECT_EQ(replay.advance(seconds(1000)), Price(150'000'000));
}

TEST(CsvReplay, LinearInterpolatesAndRoundsDown) {
  CsvReplay replay(three_points(), ReplayInterpolation::Linear);
  EXPECT_EQ(replay.advance(seconds(5)), Price(150'000'000));
  EXPECT_EQ(replay.advance(seconds(15)), Price(175'000'000));
  EXPECT_EQ(replay.advance(seconds(25)), Price(150'000'000));

  // One third of one unit up, and of one unit down: floor gives +0 and -1.
  CsvReplay up({{Time(0), Price(10)}, {Time(3), Price(11)}, {Time(6), Price(10)}},
               ReplayInterpolation::Linear);
  EXPECT_EQ(up.advance(Time(1)), Price(10));
  EXPECT_EQ(up.advance(Time(4)), Price(10));  // 11 - 1/3 floors to 10
  EXPECT_EQ(up.advance(Time(5)), Price(10));
}

TEST(CsvReplay, HoldsTheFirstPriceBeforeAPathThatStartsLate) {
  CsvReplay replay({{seconds(5), Price(7)}, {seconds(6), Price(9)}}, ReplayInterpolation::Linear);
  EXPECT_EQ(replay.initial(), Price(7));
  EXPECT_EQ(replay.advance(seconds(1)), Price(7));
  EXPECT_EQ(replay.advance(seconds(5) + millis(500)), Price(8));
}

// This suite does file I/O by design: it tests the CSV loader.
class LoadPriceCsv : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "liqsim_price_process_test_" + name + ".csv";
    std::ofstream(path) << text;
    return path;
  }
  static const std::string& error(const std::variant<PricePath, std::string>& result) {
    return std::get<std::string>(result);
  }
};

TEST_F(LoadPriceCsv, ReadsNamedColumnsAndRebasesEpochTimes) {
  const std::string path = write("good",
                                 "open_time,open,close\n1583971200000,1,195.28\r\n1583971260000,2,195.12\n"
                                 "1583971320500,3,\"195.33\"\n\n");
  const auto result = load_price_csv(path, "open_time", "close", 0.001, std::nullopt);
  ASSERT_TRUE(std::holds_alternative<PricePath>(result)) << error(result);
  const PricePath& points = std::get<PricePath>(result);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0], std::pair(Time(0), Price(195'280'000)));
  EXPECT_EQ(points[1], std::pair(seconds(60), Price(195'120'000)));
  EXPECT_EQ(points[2], std::pair(seconds(120) + millis(500), Price(195'330'000)));
}

TEST_F(LoadPriceCsv, RescalesSoTheFirstPriceMatches) {
  const std::string path = write("scale", "t,p\n0,200\n1,100\n2,300\n");
  const auto result = load_price_csv(path, "t", "p", 1.0, 3000.0);
  ASSERT_TRUE(std::holds_alternative<PricePath>(result)) << error(result);
  const PricePath& points = std::get<PricePath>(result);
  EXPECT_EQ(points[0].second, price_from_double(3000.0));
  EXPECT_EQ(points[1].second, price_from_double(1500.0));
  EXPECT_EQ(points[2].second, price_from_double(4500.0));
  EXPECT_EQ(points[2].first, seconds(2));
}

TEST_F(LoadPriceCsv, ErrorsNameFileLineAndColumn) {
  const std::string missing = ::testing::TempDir() + "liqsim_price_process_test_does_not_exist.csv";
  EXPECT_EQ(error(load_price_csv(missing, "t", "p", 1.0, std::nullopt)), missing + ": cannot open file");

  const std::string no_column = write("no_column", "t,price\n0,1\n");
  EXPECT_EQ(error(load_price_csv(no_column, "t", "close", 1.0, std::nullopt)),
            no_column + ":1: column 'close': not found in the header row");

  const std::string bad_number = write("bad_number", "t,p\n0,1\n1,abc\n");
  EXPECT_EQ(error(load_price_csv(bad_number, "t", "p", 1.0, std::nullopt)),
            bad_number + ":3: column 'p': not a number: 'abc'");

  const std::string bad_time = write("bad_time", "t,p\n0,1\n1x,2\n");
  EXPECT_EQ(error(load_price_csv(bad_time, "t", "p", 1.0, std::nullopt)),
            bad_time + ":3: column 't': not a number: '1x'");

  const std::string not_increasing = write("not_increasing", "t,p\n0,1\n5,2\n5,3\n");
  EXPECT_EQ(
      error(load_price_csv(not_increasing, "t", "p", 1.0, std::nullopt)),
      not_increasing + ":4: column 't': time '5' is not after the previous row's time (times must increase)");

  const std::string short_row = write("short_row", "t,p\n0,1\n1\n");
  EXPECT_EQ(error(load_price_csv(short_row, "t", "p", 1.0, std::nullopt)),
            short_row + ":3: column 'p': missing (row has 1 fields, header has 2)");

  const std::string negative = write("negative", "t,p\n0,-1\n");
  EXPECT_EQ(error(load_price_csv(negative, "t", "p", 1.0, std::nullopt)),
            negative + ":2: column 'p': price must be positive: '-1'");

  const std::string header_only = write("header_only", "t,p\n");
  EXPECT_EQ(error(load_price_csv(header_only, "t", "p", 1.0, std::nullopt)),
            header_only + ": no data rows after the header");
}

// The Binance USDT-M ETHUSDT perpetual 1-minute klines of 12-13 March 2020 ("Black Thursday"), if the
// shared data folder is present: 30 hours of minutes, ETH falling by more than 40% from ~$195.
TEST_F(LoadPriceCsv, ReadsBinanceBlackThursdayKlines) {
  const std::string path = "/work/shared/data/binance_um_perp_ETHUSDT_1m_2020-03-12T00_2020-03-13T06.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  const auto result = load_price_csv(path, "open_time", "close", 0.001, std::nullopt);
  ASSERT_TRUE(std::holds_alternative<PricePath>(result)) << error(result);
  const PricePath& points = std::get<PricePath>(result);
  ASSERT_EQ(points.size(), 30u * 60u);
  EXPECT_EQ(points.front(), std::pair(Time(0), price_from_double(195.28)));
  EXPECT_EQ(points.back().first, seconds(60) * (30 * 60 - 1));
  Price low = points.front().second;
  for (const auto& point : points) low = std::min(low, point.second);
  EXPECT_LT(to_double(low), 0.6 * 195.28);
  EXPECT_GT(to_double(low), 50.0);

  CsvReplay replay(points, ReplayInterpolation::PiecewiseConstant);
  EXPECT_EQ(replay.advance(seconds(90)), points[1].second);
}

}  // namespace
}  // namespace liqsim
