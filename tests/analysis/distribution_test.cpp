// Order statistics of integer samples (analysis/distribution.h).
#include "analysis/distribution.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace liqsim {
namespace {

// Nearest rank (Hyndman & Fan definition 1): the ceil(p n / 100)-th smallest value. The worked examples
// of the nearest-rank method in Wikipedia's "Percentile" article: for {15, 20, 35, 40, 50} the 30th
// percentile is 20, the 40th 20, the 50th 35 and the 100th 50; for {3, 6, 7, 8, 8, 10, 13, 15, 16, 20} the
// 25th is 7, the 50th 8 and the 75th 15.
TEST(NearestRank, TextbookExamples) {
  const std::vector<int64_t> five = {15, 20, 35, 40, 50};
  EXPECT_EQ(nearest_rank<int64_t>(five, 5), 15);
  EXPECT_EQ(nearest_rank<int64_t>(five, 30), 20);
  EXPECT_EQ(nearest_rank<int64_t>(five, 40), 20);
  EXPECT_EQ(nearest_rank<int64_t>(five, 50), 35);
  EXPECT_EQ(nearest_rank<int64_t>(five, 100), 50);
  const std::vector<int64_t> ten = {3, 6, 7, 8, 8, 10, 13, 15, 16, 20};
  EXPECT_EQ(nearest_rank<int64_t>(ten, 25), 7);
  EXPECT_EQ(nearest_rank<int64_t>(ten, 50), 8);
  EXPECT_EQ(nearest_rank<int64_t>(ten, 75), 15);
  EXPECT_EQ(nearest_rank<int64_t>(ten, 100), 20);
}

// p99 of fewer than 100 values is the maximum; of 1000 values the 990th.
TEST(NearestRank, HighPercentilesAndSmallSamples) {
  EXPECT_EQ(nearest_rank<uint64_t>(std::vector<uint64_t>{7}, 1), 7u);
  EXPECT_EQ(nearest_rank<uint64_t>(std::vector<uint64_t>{7}, 99), 7u);
  std::vector<uint64_t> up_to_1000;
  for (uint64_t i = 1; i <= 1000; ++i) up_to_1000.push_back(i);
  EXPECT_EQ(nearest_rank<uint64_t>(up_to_1000, 99), 990u);
  EXPECT_EQ(nearest_rank<uint64_t>(up_to_1000, 50), 500u);
  up_to_1000.resize(99);
  EXPECT_EQ(nearest_rank<uint64_t>(up_to_1000, 99), 99u);
  EXPECT_EQ(nearest_rank<int64_t>(std::vector<int64_t>{}, 50), 0);
}

TEST(ValueCounts, DistinctValuesInIncreasingOrder) {
  const auto counts = value_counts(std::vector<uint64_t>{3, 1, 1, 7, 3, 1});
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0], (std::pair<uint64_t, uint64_t>{1, 3}));
  EXPECT_EQ(counts[1], (std::pair<uint64_t, uint64_t>{3, 2}));
  EXPECT_EQ(counts[2], (std::pair<uint64_t, uint64_t>{7, 1}));
  EXPECT_TRUE(value_counts(std::vector<uint64_t>{}).empty());
}

}  // namespace
}  // namespace liqsim
