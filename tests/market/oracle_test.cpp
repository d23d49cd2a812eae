#include "market/oracle.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace liqsim {
namespace {

Price usd(double x) { return price_from_double(x); }

OracleConfig chainlink(Time heartbeat, double deviation, Time delay = Time(0)) {
  return OracleConfig{heartbeat, ratio_from_double(deviation), delay};
}

TEST(Oracle, HeartbeatRepublishesAnUnchangedPrice) {
  Oracle oracle(chainlink(seconds(3600), 0.01), usd(100));
  std::vector<int64_t> published_at;
  for (int64_t s = 60; s <= 3 * 3600; s += 60)
    if (oracle.observe(seconds(s), usd(100))) published_at.push_back(s);
  EXPECT_EQ(published_at, (std::vector<int64_t>{3600, 7200, 10800}));
  EXPECT_EQ(oracle.publications(), 3u);
  EXPECT_EQ(oracle.last_update(), seconds(10800));
}

TEST(Oracle, HeartbeatCountsFromTheLastPublication) {
  Oracle oracle(chainlink(seconds(3600), 0.01), usd(100));
  EXPECT_TRUE(oracle.observe(seconds(600), usd(102)));  // deviation
  EXPECT_FALSE(oracle.observe(seconds(3600), usd(102)));
  EXPECT_FALSE(oracle.observe(seconds(4199), usd(102)));
  EXPECT_TRUE(oracle.observe(seconds(4200), usd(102)));
  EXPECT_EQ(oracle.last_update(), seconds(4200));
}

TEST(Oracle, DeviationTriggerIsInclusiveAndRelativeToTheLastPublication) {
  Oracle oracle(chainlink(seconds(86400), 0.01), usd(100));
  EXPECT_FALSE(oracle.observe(seconds(60), usd(100.999999)));
  EXPECT_TRUE(oracle.observe(seconds(120), usd(101)));  // exactly 1%
  EXPECT_EQ(oracle.last_published(), usd(101));
  EXPECT_EQ(oracle.value(seconds(120)), usd(101));  // no delay: visible at once
  // 1% of 101 is 1.01: 99.991 is 1.009 below, 99.99 exactly 1.01 below.
  EXPECT_FALSE(oracle.observe(seconds(180), usd(99.991)));
  EXPECT_EQ(oracle.value(seconds(180)), usd(101));
  EXPECT_TRUE(oracle.observe(seconds(240), usd(99.99)));
  EXPECT_EQ(oracle.publications(), 2u);
  EXPECT_EQ(oracle.last_update(), seconds(240));
}

TEST(Oracle, DelayedValuesBecomeVisibleExactlyDelayAfterPublication) {
  Oracle oracle(chainlink(seconds(86400), 0.01, seconds(3600)), usd(100));
  EXPECT_EQ(oracle.value(Time(0)), usd(100));
  EXPECT_TRUE(oracle.observe(seconds(600), usd(90)));
  EXPECT_TRUE(oracle.observe(seconds(1200), usd(80)));
  EXPECT_EQ(oracle.last_published(), usd(80));
  EXPECT_EQ(oracle.pending(), 2u);
  EXPECT_EQ(oracle.value(seconds(1200)), usd(100));
  EXPECT_EQ(oracle.value(seconds(4200) - Time(1)), usd(100));
  EXPECT_EQ(oracle.value(seconds(4200)), usd(90));
  EXPECT_EQ(oracle.value(seconds(4800) - Time(1)), usd(90));
  EXPECT_EQ(oracle.value(seconds(4800)), usd(80));

  EXPECT_FALSE(oracle.observe(seconds(4300), usd(80)));
  EXPECT_EQ(oracle.pending(), 1u);
  EXPECT_EQ(oracle.value(seconds(4300)), usd(90));
  EXPECT_FALSE(oracle.observe(seconds(4800), usd(80)));
  EXPECT_EQ(oracle.pending(), 0u);
  EXPECT_EQ(oracle.value(seconds(4800)), usd(80));
}

// With deviation 0 every observation publishes; observing each second with a 10 s delay, the visible
// value lags the source by exactly 10 s and at most 10 publications wait at any time.
TEST(Oracle, PendingQueueStaysBoundedByTheDelay) {
  Oracle oracle(chainlink(seconds(3600), 0.0, seconds(10)), usd(1000));
  for (int64_t s = 1; s <= 1000; ++s) {
    EXPECT_TRUE(oracle.observe(seconds(s), usd(1000 + double(s))));
    EXPECT_LE(oracle.pending(), 10u);
    EXPECT_EQ(oracle.value(seconds(s)), s <= 10 ? usd(1000) : usd(1000 + double(s - 10)));
  }
  EXPECT_EQ(oracle.publications(), 1000u);
}

// A replayed oracle (Maker's OSM LogValue events): each recorded value is the one usable from its
// time until the next; the source the run observes does not matter.
TEST(Oracle, ReplayedValuesHoldFromTheirTimeUntilTheNext) {
  Oracle oracle({{Time(0), usd(191.16)}, {seconds(708), usd(193.815)}, {seconds(10803), usd(183.925)}});
  EXPECT_TRUE(oracle.replayed());
  EXPECT_EQ(oracle.value(Time(0)), usd(191.16));
  EXPECT_FALSE(oracle.observe(seconds(60), usd(50)));  // the source is ignored
  EXPECT_EQ(oracle.value(seconds(707)), usd(191.16));
  EXPECT_EQ(oracle.value(seconds(708)), usd(193.815));
  EXPECT_TRUE(oracle.observe(seconds(708), usd(50)));
  EXPECT_EQ(oracle.last_published(), usd(193.815));
  EXPECT_EQ(oracle.last_update(), seconds(708));
  // Both later values pass between two observations: both count as publications, the last is visible.
  EXPECT_FALSE(oracle.observe(seconds(5000), usd(50)));
  EXPECT_TRUE(oracle.observe(seconds(20000), usd(50)));
  EXPECT_EQ(oracle.publications(), 2u);
  EXPECT_EQ(oracle.last_published(), usd(183.925));
  EXPECT_EQ(oracle.value(seconds(1'000'000)), usd(183.925));
}

TEST(Oracle, ReplayFileIsReadAndCheckedNamingTheLine) {
  const std::string dir = ::testing::TempDir();
  const auto write = [&](const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << text;
    return path;
  };
  const auto good = load_oracle_csv(write("osm_good.csv",
                                          "timestamp,osm_usd,block\n1583971200,191.16,1\n"
                                          "1583971908,193.815,2\n"),
                                    "timestamp", "osm_usd", 1.0);
  ASSERT_EQ(good.index(), 0u) << std::get<1>(good);
  const auto& rows = std::get<0>(good);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], std::make_pair(Time(0), usd(191.16)));
  EXPECT_EQ(rows[1], std::make_pair(seconds(708), usd(193.815)));

  const auto negative = load_oracle_csv(write("osm_negative.csv", "timestamp,osm_usd\n0,191.16\n60,-1\n"),
                                        "timestamp", "osm_usd", 1.0);
  ASSERT_EQ(negative.index(), 1u);
  EXPECT_NE(std::get<1>(negative).find("osm_negative.csv:3"), std::string::npos) << std::get<1>(negative);
  const auto huge =
      load_oracle_csv(write("osm_huge.csv", "timestamp,osm_usd\n0,2e12\n"), "timestamp", "osm_usd", 1.0);
  ASSERT_EQ(huge.index(), 1u);
  EXPECT_NE(std::get<1>(huge).find("1e12"), std::string::npos) << std::get<1>(huge);
  const auto missing =
      load_oracle_csv(write("osm_cols.csv", "timestamp,price\n0,1\n"), "timestamp", "osm_usd", 1.0);
  ASSERT_EQ(missing.index(), 1u);
  EXPECT_NE(std::get<1>(missing).find("osm_usd"), std::string::npos) << std::get<1>(missing);
}

}  // namespace
}  // namespace liqsim
