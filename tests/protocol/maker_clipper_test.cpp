#include "protocol/maker_clipper.h"

#include <gtest/gtest.h>

#include "protocol/maker_dog.h"
#include "tests/protocol/maker_fixed.h"

namespace liqsim::maker {
namespace {

using namespace testing_units;

// The takeSetup of makerdao/dss src/test/clip.t.sol: a 1% drop every second, buf 1.25, cusp 0.3, tail
// 1 hour; dust 20 DAI and chop 1.1 give chost 22 DAI. The sale is tab 110 against lot 40 at top 5.
const Abacus kOnePercentPerSecond = StairstepExponentialDecrease{ray("0.99"), 1};
ClipperConfig take_setup() {
  ClipperConfig config;
  config.buf = ray("1.25");
  config.cusp = ray("0.3");
  config.tail = 3600;
  config.chost = chost(rad("20"), wad("1.1"));
  return config;
}
const Sale kSale{rad("110"), wad("40"), ray("5")};

// Vector #68 (protocol_vectors.json), copied from makerdao/dss src/test/clip.t.sol test_kick: the bark of
// the whole vault (tab 110, lot 40; see maker_dog_test.cpp) kicked at a $4 feed with buf 1.25 starts at
// top = rmul(4 RAY, 1.25 RAY) = 5 RAY (exact).
TEST(MakerClipper, Vector68KickStartsAtFeedTimesBuf) {
  const Bark bark_out =
      accepted(bark(Urn{wad("40"), wad("100")}, VatIlk{ray("1"), ray("2"), rad("20")},
                    DogIlk{wad("1.1"), rad("1000"), Uint256()}, DogTotals{rad("1000"), Uint256()}));
  const Uint256 feed = clipper_feed_price(wad("4"), kRay);  // rdiv(4 WAD * BLN, par = 1 RAY)
  EXPECT_EQ(feed, ray("4"));
  const Kick kicked = accepted(kick(bark_out.tab, bark_out.dink, feed, take_setup()));
  EXPECT_EQ(kicked.sale.top, ray("5"));
  EXPECT_EQ(kicked.sale.tab, rad("110"));
  EXPECT_EQ(kicked.sale.lot, wad("40"));
  EXPECT_EQ(kicked.coin, Uint256(0));  // no tip, no chip
}

// Vector #70, copied from makerdao/dss src/clip.sol kick (coin = tip + wmul(tab, chip)) and
// src/test/clip.t.sol test_kick: tip 100 DAI, chip 2%, tab 110 -> 100 + 2.2 = 102.2 DAI (exact in rad).
TEST(MakerClipper, Vector70KeeperIncentiveIsTipPlusChip) {
  ClipperConfig config = take_setup();
  config.tip = rad("100");
  config.chip = wad("0.02");
  EXPECT_EQ(keeper_incentive(rad("110"), config), rad("102.2"));
  EXPECT_EQ(accepted(kick(rad("110"), wad("40"), ray("4"), config)).coin, rad("102.2"));
  config.chip = Uint256();
  EXPECT_EQ(keeper_incentive(rad("110"), config), rad("100"));  // test_kick's first bark: the tip alone
}

// Own example with the ETH-B poll's incentives (protocols.md 3.4): tip 300 DAI, chip 0.1%, tab
// 1,234,567.891 DAI -> 300 + 1234.567891 = 1534.567891 DAI. wmul rounds down: a tab of 999 rad units at
// chip 0.1% gives 999 * 1e15 / 1e18 = 0.999 -> 0.
TEST(MakerClipper, KeeperIncentiveChipRoundsDown) {
  ClipperConfig config;
  config.tip = rad("300");
  config.chip = wad("0.001");
  EXPECT_EQ(keeper_incentive(rad("1234567.891"), config), rad("1534.567891"));
  config.tip = Uint256();
  EXPECT_EQ(keeper_incentive(Uint256(999), config), Uint256(0));
}

TEST(MakerClipper, KickRefusesEmptySalesAndAZeroStartingPrice) {
  EXPECT_EQ(refusal_of(kick(Uint256(), wad("40"), ray("4"), take_setup())), KickRefusal::ZeroTab);
  EXPECT_EQ(refusal_of(kick(rad("110"), Uint256(), ray("4"), take_setup())), KickRefusal::ZeroLot);
  EXPECT_EQ(refusal_of(kick(rad("110"), wad("40"), Uint256(), take_setup())), KickRefusal::ZeroTopPrice);
  // A feed of 1e-27 times buf 0.5 truncates to a zero top.
  ClipperConfig half = take_setup();
  half.buf = ray("0.5");
  EXPECT_EQ(refusal_of(kick(rad("110"), wad("40"), Uint256(1), half)), KickRefusal::ZeroTopPrice);
}

// chost = wmul(dust, chop): 20 DAI * 1.1 = 22 DAI (the chost of vector #72).
TEST(MakerClipper, ChostIsDustTimesChop) {
  EXPECT_EQ(chost(rad("20"), wad("1.1")), rad("22"));
  EXPECT_EQ(chost(rad("100") + Uint256(1), wad("1.1")), rad("110") + Uint256(1));  // test_redo_incentive
}

// Vector #71, copied from makerdao/dss src/test/clip.t.sol test_take_over_tab: at price 5, a bid for 25
// would owe 125 > tab 110, so owe = 110 and slice = 110 / 5 = 22; the other 18 return to the vault owner.
TEST(MakerClipper, Vector71TakeOverTabPaysTheTabOnly) {
  const TakeAmounts out = accepted(take(kSale, kOnePercentPerSecond, 0, wad("25"), ray("5"), take_setup()));
  EXPECT_EQ(out.slice, wad("22"));
  EXPECT_EQ(out.owe, rad("110"));
  EXPECT_EQ(out.tab, Uint256());
  EXPECT_EQ(out.lot, wad("18"));
  EXPECT_EQ(out.returned_to_owner, wad("18"));
  EXPECT_EQ(out.dirt_released, rad("110"));
  EXPECT_TRUE(out.finished);
}

// Vector #72, copied from makerdao/dss src/test/clip.t.sol test_take_bid_recalculates_due_to_chost_check and
// test_take_bid_fails_no_partial_allowed: a bid for 18 at 5 would leave 110 - 90 = 20 < chost 22, so owe
// becomes 110 - 22 = 88 and slice 88 / 5 = 17.6; tab 22 and lot 22.4 remain (exact).
TEST(MakerClipper, Vector72TakeLeavesNoTabBelowChost) {
  const TakeAmounts out = accepted(take(kSale, kOnePercentPerSecond, 0, wad("18"), ray("5"), take_setup()));
  EXPECT_EQ(out.owe, rad("88"));
  EXPECT_EQ(out.slice, wad("17.6"));
  EXPECT_EQ(out.tab, rad("22"));
  EXPECT_EQ(out.lot, wad("22.4"));
  EXPECT_FALSE(out.finished);
  EXPECT_EQ(out.dirt_released, rad("88"));
  // With tab == chost left, a partial take is refused; buying the whole tab (22 / 5 = 4.4) is not.
  const Sale rest{out.tab, out.lot, kSale.top};
  EXPECT_EQ(refusal_of(take_at_price(rest, ray("5"), wad("1"), take_setup().chost)),
            TakeRefusal::NoPartialPurchase);
  const TakeAmounts last = accepted(take_at_price(rest, ray("5"), wad("4.4"), take_setup().chost));
  EXPECT_EQ(last.owe, rad("22"));
  EXPECT_EQ(last.returned_to_owner, wad("18"));
}

// Copied from makerdao/dss src/test/clip.t.sol test_take_under_tab: 11 at 5 pays 55; tab 55 and lot 29 stay.
TEST(MakerClipper, TakeUnderTabLeavesTheSaleRunning) {
  const TakeAmounts out = accepted(take_at_price(kSale, ray("5"), wad("11"), take_setup().chost));
  EXPECT_EQ(out.owe, rad("55"));
  EXPECT_EQ(out.tab, rad("55"));
  EXPECT_EQ(out.lot, wad("29"));
  EXPECT_EQ(out.returned_to_owner, Uint256());
  EXPECT_FALSE(out.finished);
}

// Vector #65's price inside a take, copied from makerdao/dss src/test/clip.t.sol
// test_take_bid_avoids_recalculate_due_no_more_lot: 60 s in, price 2.735783211953807380973706855; buying
// all 40 owes 40 * price = 109.43 < 110, but the lot is gone, so no chost rule applies: the sale ends, the
// unpaid 0.57 stays as bad debt and the whole 110 leaves Dirt.
TEST(MakerClipper, TakingTheWholeLotEndsTheSaleBelowTheTab) {
  const TakeAmounts out =
      accepted(take(kSale, kOnePercentPerSecond, 60, wad("40"), ray("2.8"), take_setup()));
  const Uint256 price = Uint256::from_string("2735783211953807380973706855");
  EXPECT_EQ(out.owe, wad("40") * price);
  EXPECT_EQ(out.lot, Uint256());
  EXPECT_EQ(out.tab, rad("110") - wad("40") * price);
  EXPECT_EQ(out.dirt_released, rad("110"));
  EXPECT_EQ(out.returned_to_owner, Uint256());
  EXPECT_TRUE(out.finished);
}

// Own example from clip.sol's take: price 3.7, tab 100, lot 50, bid for 40 -> owe 148 > 100, so owe = 100
// and slice = 100e45 / 3.7e27 = 27027027027027027027.03 -> 27027027027027027027 wei (rounded down: the
// buyer gets no more than paid for); 50 - 27.027027027027027027 = 22.972972972972972973 returns to the owner.
TEST(MakerClipper, AdjustedSliceRoundsDown) {
  const TakeAmounts out =
      accepted(take_at_price(Sale{rad("100"), wad("50"), ray("5")}, ray("3.7"), wad("40"), rad("22")));
  EXPECT_EQ(out.owe, rad("100"));
  EXPECT_EQ(out.slice, wad("27.027027027027027027"));
  EXPECT_EQ(out.returned_to_owner, wad("22.972972972972972973"));
}

TEST(MakerClipper, TakeRefusesAboveTheBuyersMaxAndAfterTheTail) {
  EXPECT_EQ(refusal_of(take(kSale, kOnePercentPerSecond, 0, wad("22"), ray("4"), take_setup())),
            TakeRefusal::TooExpensive);
  EXPECT_EQ(refusal_of(take(kSale, kOnePercentPerSecond, 3601, wad("22"), ray("5"), take_setup())),
            TakeRefusal::NeedsReset);
}

// Vector #73 (computed from makerdao/dss src/clip.sol status(): done = now - tic > tail or price / top <
// cusp): cut 0.99 per second, cusp 0.3, tail 3600 -> 0.99^119 = 0.3024 >= 0.3 and 0.99^120 = 0.2994 < 0.3,
// so 120 s is the first second needing a redo (top 5, as takeSetup).
TEST(MakerClipper, Vector73CuspRedoTime) {
  EXPECT_FALSE(auction_status(kSale, kOnePercentPerSecond, 119, take_setup()).needs_redo);
  const AuctionStatus at120 = auction_status(kSale, kOnePercentPerSecond, 120, take_setup());
  EXPECT_TRUE(at120.needs_redo);
  EXPECT_EQ(at120.price, Uint256::from_string("1496901956561658192140248920"));  // 5 * 0.99^120
}

// Copied from makerdao/dss src/test/clip.t.sol test_auction_reset_tail and test_auction_reset_cusp (linear
// curve, cusp 0.5, tail 3600): with tau 10 h the tail decides (3600 s no, 3601 s yes); with tau 1 h the
// price reaches exactly half the top at 1800 s (not below cusp) and falls below it at 1801 s.
TEST(MakerClipper, StatusNeedsRedoPastTailOrBelowCusp) {
  ClipperConfig config = take_setup();
  config.cusp = ray("0.5");
  EXPECT_FALSE(auction_status(kSale, LinearDecrease{36000}, 3600, config).needs_redo);
  EXPECT_TRUE(auction_status(kSale, LinearDecrease{36000}, 3601, config).needs_redo);
  EXPECT_FALSE(auction_status(kSale, LinearDecrease{3600}, 1800, config).needs_redo);
  EXPECT_TRUE(auction_status(kSale, LinearDecrease{3600}, 1801, config).needs_redo);
}

// Copied from makerdao/dss src/test/clip.t.sol test_auction_reset_cusp: redone at 1801 s after the feed fell
// to $3, the sale restarts at 3 * 1.25 = 3.75; at 1800 s it cannot be reset.
TEST(MakerClipper, RedoRestartsAtTheFreshFeedOnlyWhenNeeded) {
  ClipperConfig config = take_setup();
  config.cusp = ray("0.5");
  EXPECT_EQ(refusal_of(redo(kSale, LinearDecrease{3600}, 1800, ray("3"), config)), RedoRefusal::CannotReset);
  EXPECT_EQ(accepted(redo(kSale, LinearDecrease{3600}, 1801, ray("3"), config)).top, ray("3.75"));
  EXPECT_EQ(refusal_of(redo(kSale, LinearDecrease{3600}, 1801, Uint256(), config)),
            RedoRefusal::ZeroTopPrice);
}

// Copied from makerdao/dss src/test/clip.t.sol test_redo_incentive: the incentive is tip + chip * tab, but
// nothing when tab < chost (dust 100 DAI + 1e-45 -> chost 110 DAI + 1e-45) or when the lot is dusty at the
// feed (2 * $4 = 8 < chost 22).
TEST(MakerClipper, RedoPaysNoIncentiveForADustySale) {
  ClipperConfig config = take_setup();
  config.tip = rad("100");
  config.chip = wad("0.02");
  EXPECT_EQ(accepted(redo(kSale, kOnePercentPerSecond, 300, ray("4"), config)).coin, rad("102.2"));
  config.chost = chost(rad("100") + Uint256(1), wad("1.1"));
  EXPECT_EQ(accepted(redo(kSale, kOnePercentPerSecond, 300, ray("4"), config)).coin, Uint256());
  config.chost = rad("22");
  const Sale dusty_lot{rad("110") - wad("38") * Uint256::from_string("1830161706366147524653080130"),
                       wad("2"), ray("5")};
  EXPECT_EQ(accepted(redo(dusty_lot, kOnePercentPerSecond, 300, ray("4"), config)).coin, Uint256());
}

// Own example of the governance bounds (makerdao/dss-exec-lib DssExecLib.sol): the ETH-B poll's
// parameters pass; each out-of-range value is reported, all of them at once.
TEST(MakerClipper, ValidationCollectsEveryProblem) {
  ClipperConfig eth_b;
  eth_b.buf = ray("1.3");
  eth_b.tail = 8400;
  eth_b.cusp = ray("0.4");
  eth_b.chip = wad("0.001");
  eth_b.tip = rad("300");
  EXPECT_TRUE(validate_clipper(eth_b).empty());
  ClipperConfig bad = eth_b;
  bad.buf = ray("0.99");
  bad.cusp = ray("1");
  bad.chip = wad("1");
  bad.tip = Uint256::from_parts(static_cast<unsigned __int128>(1) << 64, 0);  // 2^192
  EXPECT_EQ(validate_clipper(bad),
            (std::vector{ClipperProblem::BufBelowOne, ClipperProblem::CuspNotBelowOne,
                         ClipperProblem::ChipNotBelowOne, ClipperProblem::TipTooWide}));
  bad = eth_b;
  bad.buf = ray("10");
  EXPECT_EQ(validate_clipper(bad), std::vector{ClipperProblem::BufNotBelowTen});
}

}  // namespace
}  // namespace liqsim::maker
