#include "protocol/trigger_index.h"

#include <gtest/gtest.h>

#include <vector>

namespace liqsim {
namespace {

Price px(double x) { return price_from_double(x); }

constexpr bool kLong = true;
constexpr bool kShort = false;

std::vector<uint32_t> accounts_of(const std::vector<TriggerEntry>& entries) {
  std::vector<uint32_t> out;
  for (const TriggerEntry& e : entries) out.push_back(e.account.raw());
  return out;
}

TEST(TriggerIndex, LongEntryFiresWhenTheMarkIsAtOrBelowItsTrigger) {
  TriggerIndex index(1);
  index.add(MarketId(0), kLong, px(9045.226131), AccountId(7), 1, TriggerKind::Liquidation);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(9045.226132), out);
  EXPECT_TRUE(out.empty());
  index.collect(MarketId(0), px(9045.226131), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].account, AccountId(7));
  EXPECT_EQ(out[0].trigger, px(9045.226131).raw());
  EXPECT_EQ(index.size(), 0u);
}

TEST(TriggerIndex, LongEntryFiresWhenTheMarkJumpsBelowItsTrigger) {
  TriggerIndex index(1);
  index.add(MarketId(0), kLong, px(9000), AccountId(7), 1, TriggerKind::Liquidation);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(100), out);
  EXPECT_EQ(accounts_of(out), std::vector<uint32_t>{7});
}

TEST(TriggerIndex, ShortEntryFiresWhenTheMarkIsAtOrAboveItsTrigger) {
  TriggerIndex index(1);
  index.add(MarketId(0), kShort, px(10945.273631), AccountId(3), 1, TriggerKind::Liquidation);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(10945.273630), out);
  EXPECT_TRUE(out.empty());
  index.collect(MarketId(0), px(10945.273631), out);
  EXPECT_EQ(accounts_of(out), std::vector<uint32_t>{3});
}

TEST(TriggerIndex, AShortIsNotFiredByAFallingMarkNorALongByARisingOne) {
  TriggerIndex index(1);
  index.add(MarketId(0), kShort, px(11000), AccountId(1), 1, TriggerKind::Liquidation);
  index.add(MarketId(0), kLong, px(9000), AccountId(2), 1, TriggerKind::Liquidation);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(10000), out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(index.size(), 2u);
}

TEST(TriggerIndex, OnlyCrossedEntriesArePoppedMostUrgentFirst) {
  TriggerIndex index(1);
  index.add(MarketId(0), kLong, px(90), AccountId(1), 1, TriggerKind::Liquidation);
  index.add(MarketId(0), kLong, px(100), AccountId(2), 1, TriggerKind::Liquidation);
  index.add(MarketId(0), kLong, px(95), AccountId(3), 1, TriggerKind::Liquidation);
  index.add(MarketId(0), kShort, px(120), AccountId(4), 1, TriggerKind::Liquidation);
  index.add(MarketId(0), kShort, px(110), AccountId(5), 1, TriggerKind::Liquidation);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(95), out);
  EXPECT_EQ(accounts_of(out), (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(index.size(), 3u);
  out.clear();
  index.collect(MarketId(0), px(115), out);
  EXPECT_EQ(accounts_of(out), (std::vector<uint32_t>{5}));
  out.clear();
  index.collect(MarketId(0), px(90), out);
  EXPECT_EQ(accounts_of(out), (std::vector<uint32_t>{1}));
  EXPECT_EQ(index.size(), 1u);  // the short at 120 stays
}

TEST(TriggerIndex, CollectAppendsToTheOutputWithoutClearingIt) {
  TriggerIndex index(1);
  index.add(MarketId(0), kLong, px(100), AccountId(1), 1, TriggerKind::Liquidation);
  std::vector<TriggerEntry> out{TriggerEntry{0, AccountId(42), 0}};
  index.collect(MarketId(0), px(100), out);
  EXPECT_EQ(accounts_of(out), (std::vector<uint32_t>{42, 1}));
}

TEST(TriggerIndex, MarketsAreIndependent) {
  TriggerIndex index(2);
  index.add(MarketId(0), kLong, px(100), AccountId(1), 1, TriggerKind::Liquidation);
  index.add(MarketId(1), kLong, px(100), AccountId(2), 1, TriggerKind::Liquidation);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(1), px(50), out);
  EXPECT_EQ(accounts_of(out), (std::vector<uint32_t>{2}));
  EXPECT_EQ(index.size(), 1u);
}

TEST(TriggerIndex, EntriesCarryTheirVersionAndKind) {
  TriggerIndex index(1);
  index.add(MarketId(0), kLong, px(100), AccountId(9), 0x7fffffffu, TriggerKind::Alert);
  index.add(MarketId(0), kLong, px(100), AccountId(9), 12, TriggerKind::Liquidation);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(100), out);
  ASSERT_EQ(out.size(), 2u);
  bool saw_alert = false, saw_liquidation = false;
  for (const TriggerEntry& e : out) {
    if (e.kind() == TriggerKind::Alert) {
      saw_alert = true;
      EXPECT_EQ(e.version(), 0x7fffffffu);
    } else {
      saw_liquidation = true;
      EXPECT_EQ(e.version(), 12u);
    }
  }
  EXPECT_TRUE(saw_alert);
  EXPECT_TRUE(saw_liquidation);
}

// Re-arming pushes a new entry and leaves the old one in place: collect returns both and the caller
// keeps the one whose version is current.
TEST(TriggerIndex, StaleVersionsAreReturnedForTheCallerToFilter) {
  TriggerIndex index(1);
  index.add(MarketId(0), kLong, px(100), AccountId(4), 1, TriggerKind::Liquidation);
  index.add(MarketId(0), kLong, px(90), AccountId(4), 2, TriggerKind::Liquidation);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(95), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].version(), 1u);  // stale, returned anyway
  out.clear();
  index.collect(MarketId(0), px(90), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].version(), 2u);
}

TEST(TriggerIndex, CompactDropsStaleEntriesAndKeepsTheHeapUsable) {
  TriggerIndex index(2);
  const uint32_t current[3] = {0, 3, 5};  // current version per account 0..2
  index.add(MarketId(0), kLong, px(100), AccountId(1), 1, TriggerKind::Liquidation);  // stale
  index.add(MarketId(0), kLong, px(99), AccountId(1), 3, TriggerKind::Liquidation);   // live
  index.add(MarketId(0), kLong, px(101), AccountId(2), 4, TriggerKind::Liquidation);  // stale
  index.add(MarketId(0), kLong, px(98), AccountId(2), 5, TriggerKind::Liquidation);   // live
  index.add(MarketId(1), kShort, px(120), AccountId(2), 4, TriggerKind::Alert);       // stale
  index.add(MarketId(1), kShort, px(121), AccountId(2), 5, TriggerKind::Alert);       // live
  index.compact([&](const TriggerEntry& e) { return e.version() == current[e.account.raw()]; });
  EXPECT_EQ(index.size(), 3u);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(1), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].trigger, px(99).raw());  // still popped highest first after re-heapifying
  EXPECT_EQ(out[1].trigger, px(98).raw());
  out.clear();
  index.collect(MarketId(1), px(1000), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].version(), 5u);
}

// Same-price entries leave in ascending account id, whatever the insertion order (trigger_index.cpp).
TEST(TriggerIndex, EqualTriggersPopInAscendingAccountOrder) {
  TriggerIndex index(1);
  for (uint32_t a : {5u, 2u, 9u, 1u, 7u}) {
    index.add(MarketId(0), kLong, px(100), AccountId(a), 1, TriggerKind::Liquidation);
    index.add(MarketId(0), kShort, px(200), AccountId(a + 10), 1, TriggerKind::Liquidation);
  }
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(100), out);
  EXPECT_EQ(accounts_of(out), (std::vector<uint32_t>{1, 2, 5, 7, 9}));
  out.clear();
  index.collect(MarketId(0), px(200), out);
  EXPECT_EQ(accounts_of(out), (std::vector<uint32_t>{11, 12, 15, 17, 19}));
}

TEST(TriggerIndex, MemoryGrowsWithEntries) {
  TriggerIndex index(1);
  const size_t empty = index.memory_bytes();
  for (uint32_t a = 0; a < 1000; ++a)
    index.add(MarketId(0), a % 2 == 0, px(100 + a), AccountId(a), 1, TriggerKind::Liquidation);
  EXPECT_EQ(index.size(), 1000u);
  EXPECT_GE(index.memory_bytes(), empty + 1000 * sizeof(TriggerEntry));
}

// After a compaction a heap keeps room for its live entries twice over (the owner's next compaction
// point), not the capacity that the stale entries once needed; the live entries still pop in order.
TEST(TriggerIndex, CompactReturnsTheStaleEntriesMemory) {
  TriggerIndex index(1);
  constexpr uint32_t kAccounts = 20'000;
  for (uint32_t version = 1; version <= 8; ++version) {
    for (uint32_t a = 0; a < kAccounts; ++a)
      index.add(MarketId(0), kLong, px(100 + a % 997), AccountId(a), version, TriggerKind::Liquidation);
  }
  const size_t before = index.memory_bytes();
  EXPECT_GE(before, 8 * kAccounts * sizeof(TriggerEntry));
  index.compact([](const TriggerEntry& e) { return e.version() == 8; });
  ASSERT_EQ(index.size(), kAccounts);
  const size_t room = 2 * kAccounts + 1024;
  EXPECT_GE(index.memory_bytes(), room * sizeof(TriggerEntry));
  EXPECT_LE(index.memory_bytes(), (room + room / 4) * sizeof(TriggerEntry));
  // Pushes up to the next compaction point do not grow it.
  const size_t compacted = index.memory_bytes();
  for (uint32_t a = 0; a < kAccounts; ++a)
    index.add(MarketId(0), kLong, px(100 + a % 997), AccountId(a), 9, TriggerKind::Liquidation);
  EXPECT_EQ(index.memory_bytes(), compacted);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(1), out);
  ASSERT_EQ(out.size(), 2 * size_t(kAccounts));
  for (size_t i = 1; i < out.size(); ++i) {
    ASSERT_TRUE(out[i - 1].trigger > out[i].trigger ||
                (out[i - 1].trigger == out[i].trigger && out[i - 1].account <= out[i].account))
        << i;
  }
}

TEST(TriggerIndex, ClearEmptiesOneMarket) {
  TriggerIndex index(2);
  index.add(MarketId(0), kLong, px(100), AccountId(1), 1, TriggerKind::Liquidation);
  index.add(MarketId(0), kShort, px(100), AccountId(2), 1, TriggerKind::Liquidation);
  index.add(MarketId(1), kLong, px(100), AccountId(3), 1, TriggerKind::Liquidation);
  index.clear(MarketId(0));
  EXPECT_EQ(index.size(), 1u);
  std::vector<TriggerEntry> out;
  index.collect(MarketId(0), px(100), out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace liqsim
