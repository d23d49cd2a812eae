#include "protocol/maker_dog.h"

#include <gtest/gtest.h>

#include "tests/protocol/maker_fixed.h"

namespace liqsim::maker {
namespace {

using namespace testing_units;

// The vault of makerdao/dss src/test/clip.t.sol setUp: 40 gold locked against 100 DAI of debt, rate 1,
// the feed dropped to $4 with mat 200% (spot 2, so 40 * 2 = 80 < 100: unsafe), dust 20 DAI, chop 1.1,
// Hole = hole = 1000 DAI, nothing in auction yet.
const Urn kUrn{wad("40"), wad("100")};
VatIlk vat_ilk() { return VatIlk{ray("1"), ray("2"), rad("20")}; }
DogIlk dog_ilk() { return DogIlk{wad("1.1"), rad("1000"), Uint256()}; }
DogTotals totals() { return DogTotals{rad("1000"), Uint256()}; }

// Vector #68 (protocol_vectors.json), copied from makerdao/dss src/test/clip.t.sol test_kick / takeSetup:
// the whole vault goes to auction: tab = 100 * 1.1 = 110 DAI against lot = 40 (exact). The vector's
// top = 5 is the Clipper's part, asserted in maker_clipper_test.cpp.
TEST(MakerDog, Vector68FullLiquidation) {
  const Bark bark_out = accepted(bark(kUrn, vat_ilk(), dog_ilk(), totals()));
  EXPECT_EQ(bark_out.dart, wad("100"));
  EXPECT_EQ(bark_out.dink, wad("40"));
  EXPECT_EQ(bark_out.due, rad("100"));
  EXPECT_EQ(bark_out.tab, rad("110"));
}

// Vector #69, copied from makerdao/dss src/test/clip.t.sol test_bark_not_leaving_dust: ilk hole 80 DAI,
// chop 1 -> room 80, dart 80; the remainder 20 * rate = 20 is not below dust 20, so the partial
// liquidation stands: tab 80, lot 32, and the vault keeps ink 8, art 20 (exact).
TEST(MakerDog, Vector69PartialLiquidationLimitedByTheIlkHole) {
  DogIlk ilk = dog_ilk();
  ilk.hole = rad("80");
  ilk.chop = wad("1");
  const Bark bark_out = accepted(bark(kUrn, vat_ilk(), ilk, totals()));
  EXPECT_EQ(bark_out.tab, rad("80"));
  EXPECT_EQ(bark_out.dink, wad("32"));
  EXPECT_EQ(kUrn.ink - bark_out.dink, wad("8"));
  EXPECT_EQ(kUrn.art - bark_out.dart, wad("20"));
}

// Copied from makerdao/dss src/test/clip.t.sol test_bark_not_leaving_dust_over_hole: a room of 80 DAI
// plus 1e-18 gives dart = 80 WAD + 1 wei; 100 - dart < dust, so the whole vault is taken (tab 100, lot 40).
TEST(MakerDog, DustyRemainderForcesAFullLiquidation) {
  DogIlk ilk = dog_ilk();
  ilk.hole = rad("80") + ray("1");
  ilk.chop = wad("1");
  const Bark bark_out = accepted(bark(kUrn, vat_ilk(), ilk, totals()));
  EXPECT_EQ(bark_out.tab, rad("100"));
  EXPECT_EQ(bark_out.dink, wad("40"));
}

// Copied from makerdao/dss src/test/clip.t.sol test_partial_liquidation_Hole_limit: Hole 75 DAI, chop 1.1 ->
// dart = 75 / 1.1 = 68.181818181818181818 WAD (rounded down) and tab = 75 DAI - 0.2 RAY ("0.2 RAY rounding
// error"); the global limit binds like the ilk limit.
TEST(MakerDog, PartialLiquidationLimitedByTheGlobalHole) {
  const Bark bark_out = accepted(bark(kUrn, vat_ilk(), dog_ilk(), DogTotals{rad("75"), Uint256()}));
  EXPECT_EQ(bark_out.dart, wad("68.181818181818181818"));
  EXPECT_EQ(bark_out.tab, rad("75") - ray("0.2"));
  EXPECT_EQ(bark_out.dink, kUrn.ink * bark_out.dart / kUrn.art);
}

// Copied from makerdao/dss src/test/clip.t.sol test_bark_only_leaving_dust_over_hole_rate: rate 1.02,
// hole 81.6, dust 20.4, chop 1 -> dart = 81.6 / 1.02 = 80; the remainder 20 * 1.02 = 20.4 equals dust, which
// is allowed: tab 81.6, lot 32.
TEST(MakerDog, RemainderExactlyAtDustIsAllowed) {
  const VatIlk vat{ray("1.02"), ray("2"), rad("20.4")};
  const DogIlk ilk{wad("1"), rad("81.6"), Uint256()};
  const Bark bark_out = accepted(bark(kUrn, vat, ilk, totals()));
  EXPECT_EQ(bark_out.tab, rad("81.6"));
  EXPECT_EQ(bark_out.dink, wad("32"));
  EXPECT_EQ((kUrn.art - bark_out.dart) * vat.rate, vat.dust);
}

// Own example from dog.sol's formulas: rate 1.05, chop 1.13, room 50 DAI.
//   dart = 50e45 * 1e18 / 1.05e27 / 1.13e18 = 47619047619047619047619047619047619047 / 1.13e18
//        = 42140750105351875263 (42.140750105351875263 WAD; 50 / 1.05 / 1.13 = 42.1407501053518752634..)
//   dink = 40 * dart / 100 = 16.8563000421407501052 -> 16856300042140750105 (down)
//   due  = dart * 1.05 RAY = 44.24778761061946902615 RAD (exact)
//   tab  = due * 1.13 = 49.9999999999999999995495 RAD: below the room, as both divisions round down.
TEST(MakerDog, PartialLiquidationWithRateAndPenaltyRoundsDown) {
  const VatIlk vat{ray("1.05"), ray("2"), rad("20")};
  const DogIlk ilk{wad("1.13"), rad("50"), Uint256()};
  const Bark bark_out = accepted(bark(kUrn, vat, ilk, totals()));
  EXPECT_EQ(bark_out.dart, Uint256::from_string("42140750105351875263"));
  EXPECT_EQ(bark_out.dink, Uint256::from_string("16856300042140750105"));
  EXPECT_EQ(bark_out.due, rad("44.24778761061946902615"));
  EXPECT_EQ(bark_out.tab, rad("49.9999999999999999995495"));
  EXPECT_LE(bark_out.tab, ilk.hole);
}

TEST(MakerDog, RoomIsTheSmallerOfTheTwoLimits) {
  EXPECT_EQ(liquidation_room(DogIlk{wad("1.1"), rad("80"), rad("10")}, DogTotals{rad("1000"), rad("100")}),
            rad("70"));
  EXPECT_EQ(liquidation_room(DogIlk{wad("1.1"), rad("80"), Uint256()}, DogTotals{rad("100"), rad("60")}),
            rad("40"));
  EXPECT_EQ(liquidation_room(DogIlk{wad("1.1"), rad("80"), rad("80")}, totals()), std::nullopt);
  EXPECT_EQ(liquidation_room(dog_ilk(), DogTotals{rad("100"), rad("100")}), std::nullopt);
}

TEST(MakerDog, ASafeVaultIsNotBarked) {
  const VatIlk safe{ray("1"), ray("2.5"), rad("20")};  // 40 * 2.5 = 100, not below 100
  EXPECT_FALSE(is_unsafe(kUrn, safe));
  EXPECT_EQ(refusal_of(bark(kUrn, safe, dog_ilk(), totals())), BarkRefusal::NotUnsafe);
  const VatIlk no_price{ray("1"), Uint256(), rad("20")};
  EXPECT_FALSE(is_unsafe(kUrn, no_price));
  EXPECT_TRUE(is_unsafe(kUrn, vat_ilk()));
}

TEST(MakerDog, AFullLimitRefuses) {
  DogIlk ilk = dog_ilk();
  ilk.dirt = ilk.hole;
  EXPECT_EQ(refusal_of(bark(kUrn, vat_ilk(), ilk, totals())), BarkRefusal::LiquidationLimitHit);
}

// Room 10 DAI with chop 1: dart = 10, whose own debt 10 is below dust 20, while the remainder 90 is not.
TEST(MakerDog, APartialAuctionBelowDustRefuses) {
  DogIlk ilk = dog_ilk();
  ilk.hole = rad("10");
  ilk.chop = wad("1");
  EXPECT_EQ(refusal_of(bark(kUrn, vat_ilk(), ilk, totals())),
            BarkRefusal::DustyAuctionFromPartialLiquidation);
}

// 1 wei of collateral against 100 DAI: dink = 1 * 80 / 100 rounds to 0.
TEST(MakerDog, ANullLotRefuses) {
  DogIlk ilk = dog_ilk();
  ilk.hole = rad("80");
  ilk.chop = wad("1");
  EXPECT_EQ(refusal_of(bark(Urn{Uint256(1), wad("100")}, vat_ilk(), ilk, totals())),
            BarkRefusal::NullAuction);
}

TEST(MakerDog, ValidationCollectsEveryProblem) {
  EXPECT_TRUE(validate_dog_ilk(dog_ilk(), vat_ilk()).empty());
  EXPECT_EQ(validate_dog_ilk(DogIlk{wad("0.9"), rad("10"), Uint256()}, vat_ilk()),
            (std::vector{DogIlkProblem::ChopBelowOne, DogIlkProblem::HoleBelowDust}));
  EXPECT_EQ(validate_dog_ilk(DogIlk{wad("2"), rad("1000"), Uint256()}, vat_ilk()),
            std::vector{DogIlkProblem::ChopNotBelowTwo});
}

}  // namespace
}  // namespace liqsim::maker
