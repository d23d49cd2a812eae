// Maker's debt auction (protocol/maker_flopper.h) against makerdao/dss src/flop.sol and src/vow.sol, with
// vectors computed from those sources: the March 2020 debt auctions' terms (50,000 DAI per auction for an
// opening lot of 250 MKR; MakerDAO's first debt auction of 19 March 2020) and flop.sol's defaults (beg
// 1.05, pad 1.50, ttl 3 h, tau 2 days).
#include "protocol/maker_flopper.h"

#include <gtest/gtest.h>

#include "tests/protocol/maker_fixed.h"

namespace liqsim::maker {
namespace {

using namespace testing_units;

constexpr uint64_t kStart = 604'411'200;  // the start time of makerdao/dss's auction tests
const FlopperConfig kDefaults;            // beg 1.05, pad 1.50, ttl 3 h, tau 2 days (flop.sol)

FlopAuction kicked() {
  const auto r =
      vow_flop(rad("4000000"), rad("0"), rad("0"), rad("0"), rad("50000"), wad("250"), kStart, kDefaults);
  EXPECT_TRUE(std::holds_alternative<FlopAuction>(r));
  return std::get<FlopAuction>(r);
}

// Vow.flop: sump <= sin - Sin - Ash and no surplus; the auction offers dump for sump, ends after tau.
TEST(MakerFlopper, VowKicksOnlyOnUnauctionedDebtWithoutSurplus) {
  const FlopAuction a = kicked();
  EXPECT_EQ(a.bid, rad("50000"));
  EXPECT_EQ(a.lot, wad("250"));
  EXPECT_FALSE(a.tic.has_value());
  EXPECT_EQ(a.end, kStart + 2 * 24 * 3600);
  // 4M of debt, 3.96M already on auction (Ash): 40,000 left is below sump.
  EXPECT_EQ(refusal_of(vow_flop(rad("4000000"), rad("0"), rad("3960000"), rad("0"), rad("50000"), wad("250"),
                                kStart, kDefaults)),
            FlopRefusal::InsufficientDebt);
  // Queued debt (Sin) is not floppable; exactly sump left is.
  EXPECT_EQ(refusal_of(vow_flop(rad("100000"), rad("60000"), rad("0"), rad("0"), rad("50000"), wad("250"),
                                kStart, kDefaults)),
            FlopRefusal::InsufficientDebt);
  EXPECT_TRUE(std::holds_alternative<FlopAuction>(vow_flop(rad("100000"), rad("50000"), rad("0"), rad("0"),
                                                           rad("50000"), wad("250"), kStart, kDefaults)));
  // One wei of surplus DAI: the Vow must heal first.
  EXPECT_EQ(refusal_of(vow_flop(rad("4000000"), rad("0"), rad("0"), Uint256(1), rad("50000"), wad("250"),
                                kStart, kDefaults)),
            FlopRefusal::SurplusNotZero);
}

// dent: the bid stays 50,000 DAI and the lot falls by at least beg: 250 / 1.05 = 238.095238095238095238 MKR
// (rounded down) is the largest accepted, one wei more is refused; each dent lives ttl.
TEST(MakerFlopper, DentLowersTheLotByAtLeastBeg) {
  const FlopAuction a = kicked();
  EXPECT_EQ(max_flop_lot(a, kDefaults), wad("238.095238095238095238"));
  const auto first = flop_dent(a, wad("238.095238095238095238"), rad("50000"), kStart + 60, kDefaults);
  ASSERT_TRUE(std::holds_alternative<FlopAuction>(first));
  EXPECT_EQ(std::get<FlopAuction>(first).tic, kStart + 60 + 3 * 3600);
  EXPECT_EQ(refusal_of(flop_dent(a, wad("238.095238095238095238") + Uint256(1), rad("50000"), kStart + 60,
                                 kDefaults)),
            FlopRefusal::InsufficientDecrease);
  EXPECT_EQ(refusal_of(flop_dent(a, wad("200"), rad("49999"), kStart + 60, kDefaults)),
            FlopRefusal::NotMatchingBid);
  EXPECT_EQ(refusal_of(flop_dent(a, wad("250"), rad("50000"), kStart + 60, kDefaults)),
            FlopRefusal::LotNotLower);
  // The second dent from 238.095... : at most 226.757369614512471655 (= floor(238.095238095238095238e18 /
  // 1.05)).
  EXPECT_EQ(max_flop_lot(std::get<FlopAuction>(first), kDefaults), wad("226.757369614512471655"));
}

// A bid expires after ttl: then no dent is accepted and the auction can be dealt; before, it cannot.
TEST(MakerFlopper, DealAfterTheLastBidExpires) {
  const FlopAuction a =
      std::get<FlopAuction>(flop_dent(kicked(), wad("200"), rad("50000"), kStart, kDefaults));
  const uint64_t tic = kStart + 3 * 3600;
  EXPECT_FALSE(flop_can_deal(a, tic));  // tic < now is strict
  EXPECT_TRUE(flop_can_deal(a, tic + 1));
  EXPECT_EQ(refusal_of(flop_dent(a, wad("150"), rad("50000"), tic, kDefaults)),
            FlopRefusal::AlreadyFinishedTic);
  EXPECT_FALSE(flop_can_deal(kicked(), kStart + 3 * 24 * 3600));  // no bid: tick, not deal
}

// tick: an auction that reached its end without a bid restarts with pad x the lot (250 x 1.5 = 375 MKR)
// and a new end; one with a bid, or before its end, does not.
TEST(MakerFlopper, TickRaisesTheLotOfAnAuctionWithoutBids) {
  const FlopAuction a = kicked();
  EXPECT_EQ(refusal_of(flop_tick(a, a.end, kDefaults)), FlopRefusal::NotFinished);
  const auto restarted = flop_tick(a, a.end + 1, kDefaults);
  ASSERT_TRUE(std::holds_alternative<FlopAuction>(restarted));
  EXPECT_EQ(std::get<FlopAuction>(restarted).lot, wad("375"));
  EXPECT_EQ(std::get<FlopAuction>(restarted).end, a.end + 1 + 2 * 24 * 3600);
  const FlopAuction bid = std::get<FlopAuction>(flop_dent(a, wad("200"), rad("50000"), kStart, kDefaults));
  EXPECT_EQ(refusal_of(flop_tick(bid, a.end + 1, kDefaults)), FlopRefusal::BidAlreadyPlaced);
  EXPECT_EQ(refusal_of(flop_dent(a, wad("200"), rad("50000"), a.end, kDefaults)),
            FlopRefusal::AlreadyFinishedEnd);
}

TEST(MakerFlopper, ValidationNamesEachProblem) {
  EXPECT_TRUE(validate_flopper(kDefaults).empty());
  FlopperConfig c;
  c.beg = kWad;
  c.pad = wad("0.9");
  c.ttl = 0;
  c.tau = 0;
  const auto problems = validate_flopper(c);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0], FlopperProblem::BegNotAboveOne);
  EXPECT_EQ(problems[1], FlopperProblem::PadBelowOne);
}

}  // namespace
}  // namespace liqsim::maker
