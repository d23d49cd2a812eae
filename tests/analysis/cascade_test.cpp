#include "analysis/cascade.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace liqsim {
namespace {

// Liquidations with ids 0..n-1 and the given causes (kNoId for roots).
std::vector<LiquidationRecord> with_causes(const std::vector<int64_t>& causes) {
  std::vector<LiquidationRecord> out(causes.size());
  for (size_t i = 0; i < causes.size(); ++i) {
    out[i].id = static_cast<int64_t>(i);
    out[i].cause = causes[i];
  }
  return out;
}

TEST(Cascade, EmptyRunHasNoGenerations) {
  const CascadeStats s = analyze_cascades({});
  EXPECT_TRUE(s.generation.empty());
  EXPECT_EQ(s.generations, 0u);
  EXPECT_EQ(s.largest_cascade, 0u);
  EXPECT_EQ(s.roots, 0u);
  EXPECT_EQ(s.branching_ratio, 0.0);
  EXPECT_TRUE(s.per_generation.empty());
}

TEST(Cascade, SingleLiquidationIsOneRoot) {
  const auto l = with_causes({kNoId});
  const CascadeStats s = analyze_cascades(l);
  EXPECT_EQ(s.generation, (std::vector<uint32_t>{0}));
  EXPECT_EQ(s.generations, 1u);
  EXPECT_EQ(s.largest_cascade, 1u);
  EXPECT_EQ(s.roots, 1u);
  EXPECT_EQ(s.branching_ratio, 0.0);
  EXPECT_EQ(s.per_generation, (std::vector<uint64_t>{1}));
}

TEST(Cascade, ChainDeepensOneGenerationPerLink) {
  const auto l = with_causes({kNoId, 0, 1, 2});
  const CascadeStats s = analyze_cascades(l);
  EXPECT_EQ(s.generation, (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(s.generations, 4u);
  EXPECT_EQ(s.largest_cascade, 4u);
  EXPECT_EQ(s.roots, 1u);
  EXPECT_DOUBLE_EQ(s.branching_ratio, 0.75);
  EXPECT_EQ(s.per_generation, (std::vector<uint64_t>{1, 1, 1, 1}));
}

TEST(Cascade, TreeCountsEveryBranch) {
  // 0 -> {1, 2, 3}; 1 -> {4, 5}; 3 -> {6}; 4 -> {7}.
  const auto l = with_causes({kNoId, 0, 0, 0, 1, 1, 3, 4});
  const CascadeStats s = analyze_cascades(l);
  EXPECT_EQ(s.generation, (std::vector<uint32_t>{0, 1, 1, 1, 2, 2, 2, 3}));
  EXPECT_EQ(s.generations, 4u);
  EXPECT_EQ(s.largest_cascade, 8u);
  EXPECT_EQ(s.roots, 1u);
  EXPECT_DOUBLE_EQ(s.branching_ratio, 7.0 / 8.0);
  EXPECT_EQ(s.per_generation, (std::vector<uint64_t>{1, 3, 3, 1}));
}

TEST(Cascade, ForestOfInterleavedTreesIsMeasuredPerTree) {
  // Trees rooted at 0 ({0, 2, 4, 5}), 1 ({1, 3}) and 6 ({6}), their members interleaved in time.
  const auto l = with_causes({kNoId, kNoId, 0, 1, 2, 0, kNoId});
  const CascadeStats s = analyze_cascades(l);
  EXPECT_EQ(s.generation, (std::vector<uint32_t>{0, 0, 1, 1, 2, 1, 0}));
  EXPECT_EQ(s.generations, 3u);
  EXPECT_EQ(s.largest_cascade, 4u);
  EXPECT_EQ(s.roots, 3u);
  EXPECT_DOUBLE_EQ(s.branching_ratio, 4.0 / 7.0);
  EXPECT_EQ(s.per_generation, (std::vector<uint64_t>{3, 3, 1}));
}

TEST(Cascade, AllRootsHaveZeroBranching) {
  const auto l = with_causes({kNoId, kNoId, kNoId});
  const CascadeStats s = analyze_cascades(l);
  EXPECT_EQ(s.generations, 1u);
  EXPECT_EQ(s.largest_cascade, 1u);
  EXPECT_EQ(s.roots, 3u);
  EXPECT_EQ(s.branching_ratio, 0.0);
  EXPECT_EQ(s.per_generation, (std::vector<uint64_t>{3}));
}

TEST(CascadeDeathTest, CauseMustBeEarlier) {
  const auto forward = with_causes({kNoId, 2, kNoId});
  EXPECT_DEATH(analyze_cascades(forward), "cause must be an earlier liquidation");
  const auto self = with_causes({kNoId, 1});
  EXPECT_DEATH(analyze_cascades(self), "cause must be an earlier liquidation");
  const auto negative = with_causes({kNoId, -7});
  EXPECT_DEATH(analyze_cascades(negative), "cause must be an earlier liquidation");
}

TEST(CascadeDeathTest, IdsMustBeDense) {
  auto l = with_causes({kNoId, 0});
  l[1].id = 5;
  EXPECT_DEATH(analyze_cascades(l), "dense");
}

// The incremental counter (what a run and the streaming run file use) gives the graph's figures and
// generations on random forests: few roots and long chains, many roots, and everything between.
TEST(CascadeCounter, MatchesTheGraphOnRandomForests) {
  uint64_t state = 0x9e3779b97f4a7c15ull;
  const auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = next() % 300;
    const uint64_t root_per_mille = next() % 1001;
    std::vector<int64_t> causes(n);
    for (size_t i = 0; i < n; ++i) {
      const bool root = i == 0 || next() % 1000 < root_per_mille;
      // Mostly recent causes (deep chains), sometimes any earlier one.
      causes[i] =
          root ? kNoId : int64_t(next() % 4 == 0 ? next() % i : i - 1 - next() % std::min<size_t>(i, 3));
    }
    const auto l = with_causes(causes);
    const CascadeStats graph = analyze_cascades(l);
    CascadeCounter counter;
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(counter.add(l[i]), graph.generation[i]) << "trial " << trial;
    EXPECT_EQ(counter.count(), n);
    EXPECT_EQ(counter.generations(), graph.generations) << "trial " << trial;
    EXPECT_EQ(counter.largest_cascade(), graph.largest_cascade) << "trial " << trial;
    EXPECT_EQ(counter.roots(), graph.roots) << "trial " << trial;
    EXPECT_EQ(counter.branching_ratio(), graph.branching_ratio) << "trial " << trial;
  }
}

TEST(CascadeCounterDeathTest, RefusesACauseThatIsNotEarlier) {
  const auto l = with_causes({kNoId, 1});
  CascadeCounter counter;
  counter.add(l[0]);
  EXPECT_DEATH(counter.add(l[1]), "earlier liquidation");
}

}  // namespace
}  // namespace liqsim
