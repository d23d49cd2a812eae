// Maker's auctions on the ledger (protocol/maker_auction.h): Clipper publishes a vault only when Dog.bark
// can succeed, a take that raises the tab gives the rest of the lot back to the owner; Flipper moves a
// bid's DAI as flip.sol does (the new bidder repays the previous one, the increase goes to the auction),
// a dent gives collateral back, and deal delivers the lot to the winner. Money is conserved after each.
#include "protocol/maker_auction.h"

#include <gtest/gtest.h>

#include <map>

#include "market/order_book.h"
#include "protocol/tiered_margin.h"
#include "tests/protocol/fake_mechanism_host.h"

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// A vault of 10 coins at $150 with $1,000 of debt under a 1/3 maintenance rate (Maker's mat 1.5), two
// keepers with DAI; the mark then falls to $140: unsafe.
struct Fixture {
  RunLog log;
  testing_support::NoFillVenue venue;
  ClearingHouse ch{{ProtocolMarket{TieredMaintenanceMargin::flat(ratio_from_double(1.0 / 3.0)), Ratio(0),
                                   Ratio(0), px(150)}}};
  AccountId outside_cp = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, usd(1'000'000));
  AccountId vault = ch.open_account(AgentRole::Trader, MarginMode::Isolated, usd(500));
  AccountId k1 = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(100'000));
  AccountId k2 = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(100'000));
  Fixture() {
    ch.ledger().trade(vault, outside_cp, MarketId(0), coins(10), usd(1'500));  // debt 1,000
    ch.arm(vault);
    ch.set_mark(MarketId(0), px(140));
  }
  bool conserved() const {
    return ch.ledger().conservation_residual() == Amount(0) &&
           ch.ledger().position_residual(MarketId(0)) == Quantity(0);
  }
};

maker::Uint256 wad_of(uint64_t milli) { return maker::kWad * maker::Uint256(milli) / maker::Uint256(1000); }
maker::Uint256 ray_of(uint64_t milli) { return maker::kRay * maker::Uint256(milli) / maker::Uint256(1000); }

MakerClipParams clip_params(double hole) {
  MakerClipParams p;
  p.chop = wad_of(1130);
  p.hole = maker_units::rad(usd(hole));
  p.Hole = maker_units::rad(usd(1e9));
  p.dust = maker_units::rad(usd(100));
  p.clipper = maker::ClipperConfig{ray_of(1300), 8400, ray_of(400), wad_of(1), maker_units::rad(usd(10)), {}};
  p.abacus = maker::StairstepExponentialDecrease{ray_of(990), 90};
  return p;
}

TEST(MakerClip, AVaultTheDogCannotBarkIsNoOpportunity) {
  Fixture f;
  ASSERT_TRUE(f.ch.liquidatable(f.vault));
  testing_support::RecordingHost host;
  // hole below the vault's dust-sized remainder: bark_amounts refuses (a dusty partial auction).
  MakerClipLiquidation clip(clip_params(50), f.ch, f.log, f.venue);
  EXPECT_TRUE(clip.on_liquidatable(host, f.vault)) << "detection keeps watching it";
  EXPECT_TRUE(host.published.empty());
  EXPECT_NE(clip.on_transaction(host, f.k1, f.vault, TxIntent{TxAction::Bark}).outcome,
            KeeperOutcome::Liquidated);
  // With room, it is published and a bark succeeds.
  MakerClipLiquidation roomy(clip_params(1e6), f.ch, f.log, f.venue);
  EXPECT_TRUE(roomy.on_liquidatable(host, f.vault));
  ASSERT_EQ(host.published.size(), 1u);
}

TEST(MakerClip, BarkThenATakeOfTheTabReturnsTheRestToTheOwner) {
  Fixture f;
  testing_support::RecordingHost host;
  MakerClipLiquidation clip(clip_params(1e6), f.ch, f.log, f.venue);
  const Amount fund_before = f.ch.ledger().insurance_fund();
  const KeeperTakeover barked = clip.on_transaction(host, f.k1, f.vault, TxIntent{TxAction::Bark});
  ASSERT_EQ(barked.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  // The vault is flat with no debt; the auction house holds 10 coins and owes 1,000.
  EXPECT_EQ(f.ch.ledger().position(f.vault, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(f.ch.ledger().account(f.vault).balance, Amount(0));
  // tip 10 + chip 0.1% x tab 1,130 = 11.13, paid by the Vow (the fund, then bad debt).
  EXPECT_EQ(barked.reward, usd(11.13));
  // The fund is empty: the Vow's debt for it is recorded bad debt.
  EXPECT_EQ(f.ch.ledger().insurance_fund(), fund_before);
  EXPECT_EQ(f.ch.ledger().bad_debt(), usd(11.13));
  const std::vector<AuctionView> views = clip.auctions(f.vault, host.t);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].tab, usd(1130));
  EXPECT_EQ(views[0].lot, coins(10));
  EXPECT_EQ(views[0].price, px(182));  // top = feed 140 x buf 1.3
  // After 90 s the stairstep has cut 1%: 180.18. A take of everything at that price raises the tab with
  // 1,130 / 180.18 coins and returns the rest to the owner.
  host.t += seconds(90);
  TxIntent take{TxAction::Take, views[0].id, coins(10), px(200), Amount(0)};
  const KeeperTakeover taken = clip.on_transaction(host, f.k2, f.vault, take);
  ASSERT_EQ(taken.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  ASSERT_EQ(f.log.auctions.size(), 1u);
  const AuctionRecord& a = f.log.auctions[0];
  EXPECT_EQ(a.raised, usd(1130));
  EXPECT_EQ(a.shortfall, Amount(0));
  EXPECT_EQ(a.sold + a.returned, coins(10));
  EXPECT_EQ(a.sold, taken.quantity);
  EXPECT_NEAR(to_double(a.sold), 1130.0 / 180.18, 1e-7);
  EXPECT_EQ(f.ch.ledger().position(f.vault, MarketId(0)).size, a.returned);
  EXPECT_TRUE(clip.auctions(f.vault, host.t).empty());
}

TEST(MakerFlip, TendRepaysThePreviousBidderDentReturnsCollateralDealDelivers) {
  Fixture f;
  testing_support::RecordingHost host;
  MakerFlipParams p;
  p.chop = wad_of(1130);
  p.dunk = maker_units::rad(usd(1e6));
  p.box = maker_units::rad(usd(1e9));
  p.flipper = maker::FlipperConfig{wad_of(1050), 600, 6 * 3600};
  MakerFlipLiquidation flip(p, f.ch, f.log, f.venue);
  flip.on_liquidatable(host, f.vault);
  ASSERT_EQ(host.published.size(), 1u);
  std::vector<AuctionView> v = flip.auctions(f.vault, host.t);
  ASSERT_EQ(v.size(), 1u);
  const LiquidationId id = v[0].id;
  const Amount k1_before = f.ch.ledger().account(f.k1).balance;
  ASSERT_EQ(flip.on_transaction(host, f.k1, f.vault, TxIntent{TxAction::Tend, id, {}, {}, usd(500)}).outcome,
            KeeperOutcome::Liquidated);
  EXPECT_EQ(f.ch.ledger().account(f.k1).balance, k1_before - usd(500));
  // A bid below 5% more is refused; the tab itself moves the auction to the dent phase and repays k1.
  EXPECT_NE(flip.on_transaction(host, f.k2, f.vault, TxIntent{TxAction::Tend, id, {}, {}, usd(520)}).outcome,
            KeeperOutcome::Liquidated);
  ASSERT_EQ(flip.on_transaction(host, f.k2, f.vault, TxIntent{TxAction::Tend, id, {}, {}, usd(1130)}).outcome,
            KeeperOutcome::Liquidated);
  EXPECT_EQ(f.ch.ledger().account(f.k1).balance, k1_before);
  EXPECT_TRUE(f.conserved());
  v = flip.auctions(f.vault, host.t);
  ASSERT_TRUE(v[0].dent_phase);
  // k1 dents to the largest lot the beg allows: the owner gets the difference at once.
  const Quantity lot = v[0].max_lot;
  EXPECT_EQ(lot, quantity_from_double(10 / 1.05));
  ASSERT_EQ(flip.on_transaction(host, f.k1, f.vault, TxIntent{TxAction::Dent, id, lot, {}, {}}).outcome,
            KeeperOutcome::Liquidated);
  EXPECT_EQ(f.ch.ledger().position(f.vault, MarketId(0)).size, coins(10) - lot);
  EXPECT_TRUE(f.conserved());
  // Deal at the first poll after the bid's ttl: k1 receives the lot, the penalty goes to the fund.
  host.t += seconds(601);
  flip.on_timer(host, place_account(Place::AuctionHouse));
  ASSERT_EQ(host.delivered.size(), 1u);
  EXPECT_EQ(host.delivered[0].first, f.k1);
  EXPECT_EQ(host.delivered[0].second.quantity, lot);
  EXPECT_EQ(f.ch.ledger().position(f.k1, MarketId(0)).size, lot);
  ASSERT_EQ(f.log.auctions.size(), 1u);
  EXPECT_EQ(f.log.auctions[0].raised, usd(1130));
  EXPECT_EQ(f.log.auctions[0].winner, int64_t(f.k1.raw()));
  EXPECT_EQ(f.ch.ledger().insurance_fund(), usd(130));
  EXPECT_TRUE(f.conserved());
}

}  // namespace
}  // namespace liqsim
