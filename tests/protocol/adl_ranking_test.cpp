#include "protocol/adl_ranking.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace liqsim {
namespace {

constexpr const char* kBitmexAdl = "https://bitmex.com/app/autoDeleveraging";

// Vector #12, long in profit: values 11,000 (mark), 10,000 (entry), 9,000 (bankrupt): PNL% 0.1,
// effective leverage 11000 / 2000 = 5.5 -> 0.55. Source kBitmexAdl, tolerance abs 1e-9.
TEST(BitmexAdl, Vector12LongInProfit) {
  EXPECT_NEAR(bitmex_adl_score(11000, 10000, 9000), 0.55, 1e-9) << kBitmexAdl;
}

// Vector #13, long at a loss: 9,500 / 10,000 / 9,000: PNL% -0.05, leverage 19 -> -0.05 / 19. Source
// kBitmexAdl, tolerance abs 1e-9.
TEST(BitmexAdl, Vector13LongAtALoss) {
  EXPECT_NEAR(bitmex_adl_score(9500, 10000, 9000), -0.0026315789, 1e-9);
}

// Vector #14, short in profit, values negative: -9,000 / -10,000 / -11,000: PNL% 0.1, leverage 4.5 ->
// 0.45. Source kBitmexAdl, tolerance abs 1e-9.
TEST(BitmexAdl, Vector14ShortInProfitWithNegativeValues) {
  EXPECT_NEAR(bitmex_adl_score(-9000, -10000, -11000), 0.45, 1e-9);
}

// Vectors #12 and #14 from a position: 1 coin, entry 10,000, margin 1,000 (bankrupt value = s*EP - WB).
TEST(BitmexAdl, ScoreFromPositionMatchesVectors12And14) {
  EXPECT_NEAR(bitmex_adl_score(quantity_from_double(1), price_from_double(11000), price_from_double(10000),
                               amount_from_double(1000)),
              0.55, 1e-9);
  EXPECT_NEAR(bitmex_adl_score(quantity_from_double(-1), price_from_double(9000), price_from_double(10000),
                               amount_from_double(1000)),
              0.45, 1e-9);
  EXPECT_NEAR(bitmex_adl_score(quantity_from_double(1), price_from_double(9500), price_from_double(10000),
                               amount_from_double(1000)),
              -0.0026315789, 1e-9);
}

TEST(BitmexAdl, EdgeCases) {
  EXPECT_EQ(bitmex_adl_score(10000, 10000, 9000), 0.0);                                      // flat PnL
  EXPECT_EQ(bitmex_adl_score(10000, 9000, 10000), std::numeric_limits<double>::infinity());  // no cushion
  EXPECT_EQ(bitmex_adl_score(9000, 10000, 9500), 0.0);  // losing and past bankruptcy
  EXPECT_EQ(bitmex_adl_score(100, 0, 0), 0.0);          // no entry value
}

// Vector #26, Hyperliquid sorting index (mark / entry) * (notional / account value) =
// (110000 / 100000) * (110000 / 20000) = 6.05. Source
// https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging, tolerance abs 1e-9.
TEST(HyperliquidAdl, Vector26SortingIndex) {
  EXPECT_NEAR(hyperliquid_adl_index(price_from_double(110000), price_from_double(100000),
                                    amount_from_double(110000), amount_from_double(20000)),
              6.05, 1e-9);
  EXPECT_EQ(
      hyperliquid_adl_index(price_from_double(1), price_from_double(1), amount_from_double(1), Amount(0)),
      std::numeric_limits<double>::infinity());
}

// Vector #15, copied BitMEX example: a liquidated short of 20 contracts at bankruptcy price 650 is
// matched against longs ranked highest first: account 2 (rank 6, 10) and account 5 (rank 5, 10 of 20);
// all fills at 650 (the caller's concern). Source https://testnet.bitmex.com/app/autoDeleveragingExamples,
// exact. The example's rank is the ordering key, higher first, so it is used as the score.
TEST(AdlAllocation, Vector15BitmexExample) {
  const std::vector<AdlCandidate> longs = {
      {AccountId(1), quantity_from_double(10), 3}, {AccountId(2), quantity_from_double(10), 6},
      {AccountId(3), quantity_from_double(20), 1}, {AccountId(4), quantity_from_double(30), 4},
      {AccountId(5), quantity_from_double(20), 5}, {AccountId(6), quantity_from_double(10), 2},
  };
  const auto fills = allocate_adl(longs, quantity_from_double(20));
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].first, AccountId(2));
  EXPECT_EQ(fills[0].second, quantity_from_double(10));
  EXPECT_EQ(fills[1].first, AccountId(5));
  EXPECT_EQ(fills[1].second, quantity_from_double(10));
}

TEST(AdlAllocation, TiesGoToTheLowerAccountIdAndNaNRanksLast) {
  const std::vector<AdlCandidate> candidates = {
      {AccountId(9), Quantity(5), 1.0},
      {AccountId(3), Quantity(5), 1.0},
      {AccountId(1), Quantity(5), std::nan("")},
      {AccountId(7), Quantity(0), 99.0},  // nothing to give
  };
  const auto fills = allocate_adl(candidates, Quantity(12));
  ASSERT_EQ(fills.size(), 3u);
  EXPECT_EQ(fills[0], std::make_pair(AccountId(3), Quantity(5)));
  EXPECT_EQ(fills[1], std::make_pair(AccountId(9), Quantity(5)));
  EXPECT_EQ(fills[2], std::make_pair(AccountId(1), Quantity(2)));
}

TEST(AdlAllocation, StopsWhenCandidatesRunOut) {
  const std::vector<AdlCandidate> candidates = {{AccountId(4), Quantity(3), 0.5}};
  const auto fills = allocate_adl(candidates, Quantity(10));
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].second, Quantity(3));
  EXPECT_TRUE(allocate_adl(candidates, Quantity(0)).empty());
}

}  // namespace
}  // namespace liqsim
