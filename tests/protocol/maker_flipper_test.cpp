#include "protocol/maker_flipper.h"

#include <gtest/gtest.h>

#include "tests/protocol/maker_fixed.h"

namespace liqsim::maker {
namespace {

using namespace testing_units;

constexpr uint64_t kStart = 604'411'200;  // the start time of makerdao/dss's auction tests
const FlipperConfig kDefaults;            // beg 1.05, ttl 3 h, tau 2 days (flip.sol)

// An auction in the tend phase: bid 100 of a tab of 200 for a lot of 40, the last bid placed at kStart.
FlipAuction tending() {
  FlipAuction auction = flip_kick(rad("200"), wad("40"), rad("100"), kStart, kDefaults);
  auction.tic = kStart + kDefaults.ttl;
  return auction;
}

// The same auction in the dent phase: the bid has reached the tab.
FlipAuction denting() {
  FlipAuction auction = tending();
  auction.bid = auction.tab;
  return auction;
}

// Vector #74 (protocol_vectors.json), computed from makerdao/dss src/flip.sol tend/dent (beg 1.05): after a
// bid of 100 the next tend must bid at least 1.05 * 100 = 105 (exact); in the dent phase the next lot is
// at most 40 / 1.05 = 38.095238095238095238 WAD (rounded down; the vector's 38.0952380952 within 1e-9).
TEST(MakerFlipper, Vector74MinimumIncrements) {
  EXPECT_EQ(min_tend_bid(tending(), kDefaults), rad("105"));
  EXPECT_EQ(max_dent_lot(denting(), kDefaults), wad("38.095238095238095238"));
  // The bounds are exact: one unit past either is refused.
  EXPECT_TRUE(
      std::holds_alternative<FlipAuction>(tend(tending(), wad("40"), rad("105"), kStart + 1, kDefaults)));
  EXPECT_EQ(refusal_of(tend(tending(), wad("40"), rad("105") - Uint256(1), kStart + 1, kDefaults)),
            FlipRefusal::InsufficientIncrease);
  const Uint256 lowest = wad("38.095238095238095238");
  EXPECT_TRUE(
      std::holds_alternative<FlipAuction>(dent(denting(), lowest, rad("200"), kStart + 1, kDefaults)));
  EXPECT_EQ(refusal_of(dent(denting(), lowest + Uint256(1), rad("200"), kStart + 1, kDefaults)),
            FlipRefusal::InsufficientDecrease);
}

// Own examples from flip.sol's rule bid * ONE >= beg * previous bid: after 3 rad units the next bid is
// ceil(3.15) = 4; after 0 it is 1 (a bid must be higher); after 195 DAI, 1.05 * 195 = 204.75 > tab 200, so
// the tab itself is the smallest accepted bid, and tend accepts it although it is below 204.75.
TEST(MakerFlipper, MinimumTendBidRoundsUpAndIsCappedAtTheTab) {
  FlipAuction auction = tending();
  auction.bid = Uint256(3);
  EXPECT_EQ(min_tend_bid(auction, kDefaults), Uint256(4));
  auction.bid = Uint256();
  EXPECT_EQ(min_tend_bid(auction, kDefaults), Uint256(1));
  auction.bid = rad("195");
  EXPECT_EQ(min_tend_bid(auction, kDefaults), rad("200"));
  const FlipAuction at_tab = accepted(tend(auction, wad("40"), rad("200"), kStart + 1, kDefaults));
  EXPECT_EQ(at_tab.bid, rad("200"));
  EXPECT_EQ(refusal_of(tend(auction, wad("40"), rad("204"), kStart + 1, kDefaults)),
            FlipRefusal::HigherThanTab);
}

// Own example: a lot of 7 wei at beg 1.05 -> floor(7 / 1.05) = floor(6.67) = 6; a lot of 1 wei can only
// go to 0 (1 / 1.05 = 0.95 -> 0).
TEST(MakerFlipper, MaximumDentLotRoundsDown) {
  FlipAuction auction = denting();
  auction.lot = Uint256(7);
  EXPECT_EQ(max_dent_lot(auction, kDefaults), Uint256(6));
  auction.lot = Uint256(1);
  EXPECT_EQ(max_dent_lot(auction, kDefaults), Uint256(0));
}

TEST(MakerFlipper, TendRefusesAChangedLotOrALowerBid) {
  EXPECT_EQ(refusal_of(tend(tending(), wad("39"), rad("150"), kStart + 1, kDefaults)),
            FlipRefusal::LotNotMatching);
  EXPECT_EQ(refusal_of(tend(tending(), wad("40"), rad("100"), kStart + 1, kDefaults)),
            FlipRefusal::BidNotHigher);
}

TEST(MakerFlipper, DentNeedsTheBidAtTheTabAndALowerLot) {
  EXPECT_EQ(refusal_of(dent(tending(), wad("30"), rad("100"), kStart + 1, kDefaults)),
            FlipRefusal::TendNotFinished);
  EXPECT_EQ(refusal_of(dent(denting(), wad("30"), rad("150"), kStart + 1, kDefaults)),
            FlipRefusal::NotMatchingBid);
  EXPECT_EQ(refusal_of(dent(denting(), wad("40"), rad("200"), kStart + 1, kDefaults)),
            FlipRefusal::LotNotLower);
  const FlipAuction next = accepted(dent(denting(), wad("30"), rad("200"), kStart + 1, kDefaults));
  EXPECT_EQ(next.lot, wad("30"));  // 10 return to the vault owner
}

// Each bid lives ttl = 3 h; the auction ends at kick + tau = 2 days whatever the bids.
TEST(MakerFlipper, EachBidResetsTheBidClockUntilTheEnd) {
  const FlipAuction kicked = flip_kick(rad("200"), wad("40"), Uint256(), kStart, kDefaults);
  EXPECT_EQ(kicked.end, kStart + 2 * 24 * 3600);
  EXPECT_EQ(kicked.tic, std::nullopt);
  const FlipAuction bid = accepted(tend(kicked, wad("40"), rad("50"), kStart + 100, kDefaults));
  EXPECT_EQ(bid.tic, kStart + 100 + 3 * 3600);
  EXPECT_FALSE(can_deal(bid, *bid.tic));  // deal needs tic < now
  EXPECT_TRUE(can_deal(bid, *bid.tic + 1));
  EXPECT_EQ(refusal_of(tend(bid, wad("40"), rad("60"), *bid.tic, kDefaults)),
            FlipRefusal::AlreadyFinishedTic);
  FlipAuction late = bid;
  late.tic = late.end + 1000;
  EXPECT_EQ(refusal_of(tend(late, wad("40"), rad("60"), late.end, kDefaults)),
            FlipRefusal::AlreadyFinishedEnd);
  EXPECT_TRUE(can_deal(late, late.end + 1));
}

// An auction without bids cannot be dealt; after its end, tick restarts it for another tau.
TEST(MakerFlipper, TickRestartsAnAuctionWithoutBids) {
  const FlipAuction kicked = flip_kick(rad("200"), wad("40"), Uint256(), kStart, kDefaults);
  EXPECT_FALSE(can_deal(kicked, kicked.end + 1));
  EXPECT_EQ(refusal_of(tick(kicked, kicked.end, kDefaults)), FlipRefusal::NotFinished);
  EXPECT_EQ(accepted(tick(kicked, kicked.end + 1, kDefaults)).end, kicked.end + 1 + kDefaults.tau);
  FlipAuction with_bid = kicked;
  with_bid.tic = kStart + 10;
  EXPECT_EQ(refusal_of(tick(with_bid, kicked.end + 1, kDefaults)), FlipRefusal::BidAlreadyPlaced);
}

TEST(MakerFlipper, ValidationCollectsEveryProblem) {
  EXPECT_TRUE(validate_flipper(kDefaults).empty());
  EXPECT_EQ(validate_flipper(FlipperConfig{wad("0.99"), 3600, 7200}),
            std::vector{FlipperProblem::BegBelowOne});
  EXPECT_EQ(validate_flipper(FlipperConfig{wad("2"), 3600, 7200}),
            std::vector{FlipperProblem::BegNotBelowTwo});
}

}  // namespace
}  // namespace liqsim::maker
