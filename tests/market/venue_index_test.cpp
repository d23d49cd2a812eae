#include "market/venue_index.h"

#include <gtest/gtest.h>

#include <cmath>

namespace liqsim {
namespace {

Price usd(double x) { return price_from_double(x); }

TEST(MedianPrice, OddCountTakesTheMiddle) {
  const std::vector<Price> quotes{usd(103), usd(101), usd(102)};
  EXPECT_EQ(median_price(quotes), usd(102));
}

TEST(MedianPrice, EvenCountTakesTheMeanOfTheMiddleTwoRoundedDown) {
  const std::vector<Price> quotes{usd(104), usd(101), usd(103), usd(102)};
  EXPECT_EQ(median_price(quotes), usd(102.5));
  // 100.000001 and 100.000002: the true midpoint 100.0000015 rounds down.
  const std::vector<Price> odd_sum{Price(100'000'002), Price(1), Price(100'000'001), Price(999'000'000)};
  EXPECT_EQ(median_price(odd_sum), Price(100'000'001));
}

TEST(WeightedMedianPrice, HeavyVenueDominates) {
  const std::vector<Price> quotes{usd(100), usd(101), usd(102), usd(103)};
  const std::vector<uint32_t> weights{1, 1, 1, 5};  // total 8; cumulative 1,2,3,8 -> first >= 4 is 103
  EXPECT_EQ(weighted_median_price(quotes, weights), usd(103));
  // Hyperliquid-style weights 3,2,2,1 (total 8) on unsorted quotes: sorted 99(w1),100(w3),101(w2),
  // 102(w2); cumulative 1,4 -> exactly half at 100, so the mean of 100 and 101.
  const std::vector<Price> unsorted{usd(100), usd(102), usd(101), usd(99)};
  const std::vector<uint32_t> hyper{3, 2, 2, 1};
  EXPECT_EQ(weighted_median_price(unsorted, hyper), usd(100.5));
}

TEST(WeightedMedianPrice, EqualWeightsReproduceTheMedian) {
  const std::vector<Price> quotes{usd(7), usd(3), usd(5), usd(11), usd(2), usd(13)};
  const std::vector<uint32_t> weights(quotes.size(), 4);
  EXPECT_EQ(weighted_median_price(quotes, weights), median_price(quotes));
  EXPECT_EQ(weighted_median_price(std::span(quotes).first(5), std::span(weights).first(5)),
            median_price(std::span(quotes).first(5)));
}

VenueIndexConfig quiet_venues(size_t k) {
  VenueIndexConfig config;
  config.venues.assign(k, VenueConfig{});
  return config;
}

// Quotes 100, 101, 102, 150 with weights 1,1,1,5: the plain median of all quotes is 101.5; 150 is more
// than 5% above it and is clamped to 101.5 * 1.05 = 106.575, which the heavy weight then selects.
TEST(VenueIndex, ClampToBandCapsOutliersBeforeTheWeightedMedian) {
  VenueIndexConfig config = quiet_venues(4);
  config.venues[3].weight = 5;
  config.aggregation = IndexAggregation::WeightedMedian;
  const std::vector<Price> quotes{usd(100), usd(101), usd(102), usd(150)};
  EXPECT_EQ(VenueIndex(config, 1).aggregate(quotes), usd(150));
  config.outlier_rule = OutlierRule::ClampToBand;
  config.outlier_threshold = ratio_from_double(0.05);
  EXPECT_EQ(VenueIndex(config, 1).aggregate(quotes), usd(106.575));
  // Low outlier: the median of 60, 100, 101, 102 is 100.5, so 60 clamps to 100.5 * 0.95 = 95.475.
  const std::vector<Price> low{usd(100), usd(101), usd(102), usd(60)};
  EXPECT_EQ(VenueIndex(config, 1).aggregate(low), usd(95.475));
  // Exactly at the band edge (106.575) is not "more than" the threshold and stays.
  const std::vector<Price> edge{usd(100), usd(101), usd(102), usd(106.575)};
  EXPECT_EQ(VenueIndex(config, 1).aggregate(edge), usd(106.575));
}

TEST(VenueIndex, ZeroWeightDropsOneOutlierAndFallsBackToTheMedianForMany) {
  VenueIndexConfig config = quiet_venues(4);
  config.venues[3].weight = 5;
  config.aggregation = IndexAggregation::WeightedMedian;
  config.outlier_rule = OutlierRule::ZeroWeight;
  config.outlier_threshold = ratio_from_double(0.05);
  const VenueIndex index(config, 1);
  // One outlier: weighted median of 100, 101, 102 with weights 1,1,1.
  EXPECT_EQ(index.aggregate(std::vector<Price>{usd(100), usd(101), usd(102), usd(150)}), usd(101));
  // Two outliers (90 and 150 around the median 101): the plain median of all quotes.
  EXPECT_EQ(index.aggregate(std::vector<Price>{usd(90), usd(101), usd(102), usd(150)}), usd(101.5));
}

TEST(VenueIndex, NoiselessVenuesQuoteTheReferenceExactly) {
  VenueIndex index(quiet_venues(3), 42);
  EXPECT_EQ(index.update(Time(0), Price(2'000'123'457)), Price(2'000'123'457));
  for (Price q : index.quotes()) EXPECT_EQ(q, Price(2'000'123'457));
  EXPECT_EQ(index.update(seconds(1), usd(1999)), usd(1999));
  EXPECT_EQ(index.index(), usd(1999));
}

TEST(VenueIndex, ChangesOnlyAtGridPoints) {
  VenueIndexConfig config = quiet_venues(3);
  config.update_interval = seconds(1);
  VenueIndex index(config, 42);
  index.update(millis(200), usd(100));
  EXPECT_EQ(index.update(millis(900), usd(200)), usd(100));  // same grid cell [0 s, 1 s)
  EXPECT_EQ(index.update(millis(1000), usd(200)), usd(200));
}

TEST(VenueIndex, AlwaysStaleVenueKeepsItsFirstQuote) {
  VenueIndexConfig config = quiet_venues(3);
  config.venues[0].stale_probability = 1.0;
  VenueIndex index(config, 42);
  index.update(Time(0), usd(100));
  index.update(seconds(1), usd(90));
  index.update(seconds(2), usd(80));
  EXPECT_EQ(index.quotes()[0], usd(100));
  EXPECT_EQ(index.quotes()[1], usd(80));
  EXPECT_EQ(index.quotes()[2], usd(80));
  EXPECT_EQ(index.index(), usd(80));
}

// With p = 0.25 over 4000 grid updates of a reference that changes every step, the share of unchanged
// quotes estimates p with standard error sqrt(p (1 - p) / 4000) = 0.0068; tolerance 4 se.
TEST(VenueIndex, StaleShareMatchesTheProbability) {
  VenueIndexConfig config = quiet_venues(1);
  config.venues[0].stale_probability = 0.25;
  VenueIndex index(config, 42);
  index.update(Time(0), usd(1000));
  const int updates = 4000;
  int stale = 0;
  for (int i = 1; i <= updates; ++i) {
    const Price before = index.quotes()[0];
    index.update(seconds(i), usd(1000 + i));
    stale += index.quotes()[0] == before;
  }
  EXPECT_NEAR(double(stale) / updates, 0.25, 4.0 * std::sqrt(0.25 * 0.75 / updates));
}

// OU basis noise: stationary stdev sigma and lag-one autocorrelation phi = 2^(-1 s / 10 s) = 0.933.
// 8 independent venues x 5000 steps. The effective sample size of a correlated AR(1) series for the
// variance is about N (1 - phi^2) / (1 + phi^2) = 5000 * 8 * 0.068 = 2700, so the stdev estimate has
// relative se ~ 1/sqrt(2 * 2700) = 1.4%; tolerance 6%. The lag-one autocorrelation estimate has se
// ~ sqrt((1 - phi^2) / N) = 0.0018; tolerance 0.01.
TEST(VenueIndex, BasisNoiseIsStationaryWithTheConfiguredHalfLife) {
  VenueIndexConfig config;
  config.venues.assign(8, VenueConfig{1, 0.001, seconds(10), 0.0});
  VenueIndex index(config, 2024);
  const Price reference = usd(1000);
  index.update(Time(0), reference);
  std::vector<double> previous(index.noise().begin(), index.noise().end());
  double sum_sq = 0.0, sum_lag = 0.0, sum_prev_sq = 0.0;
  int64_t n = 0;
  for (int i = 1; i <= 5000; ++i) {
    index.update(seconds(i), reference);
    for (size_t v = 0; v < previous.size(); ++v) {
      const double x = index.noise()[v];
      // The quote carries exactly this noise (to 1e-6 $ rounding).
      ASSERT_NEAR(to_double(index.quotes()[v]), 1000.0 * std::exp(x), 1e-6);
      sum_sq += x * x;
      sum_lag += x * previous[v];
      sum_prev_sq += previous[v] * previous[v];
      previous[v] = x;
      ++n;
    }
  }
  const double phi = std::exp2(-0.1);
  EXPECT_NEAR(std::sqrt(sum_sq / double(n)) / 0.001, 1.0, 0.06);
  EXPECT_NEAR(sum_lag / sum_prev_sq, phi, 0.01);
}

std::vector<Price> venue_quotes(size_t k, uint64_t seed, size_t venue) {
  VenueIndexConfig config;
  config.venues.assign(k, VenueConfig{1, 0.002, seconds(30), 0.1});
  VenueIndex index(config, seed);
  std::vector<Price> out;
  for (int i = 0; i < 200; ++i) {
    index.update(seconds(i), usd(500 + i));
    out.push_back(index.quotes()[venue]);
  }
  return out;
}

TEST(VenueIndex, EachVenueHasItsOwnDeterministicStream) {
  EXPECT_EQ(venue_quotes(3, 7, 0), venue_quotes(3, 7, 0));
  EXPECT_EQ(venue_quotes(3, 7, 1), venue_quotes(5, 7, 1));  // adding venues changes no other venue
  EXPECT_NE(venue_quotes(3, 7, 0), venue_quotes(3, 8, 0));
  EXPECT_NE(venue_quotes(3, 7, 0), venue_quotes(3, 7, 1));
}

}  // namespace
}  // namespace liqsim
