// Compound v3's absorb and store front on the ledger (protocol/comet_mechanism.h), on reference vector #63
// (protocol_vectors.json, from compound-finance/comet contracts/Comet.sol isLiquidatable /
// absorbInternal / quoteCollateral): a borrower of 1,000 USDC against 1 ETH at $1,100 with liquidateCF
// 0.9 is liquidatable (liquidity -10); absorb credits 1,100 x 0.93 = 1,023, so the borrower keeps a
// supply of 23 and the reserves pay 1,023; the store's discount is 0.5 x (1 - 0.93) = 3.5%, so 1 ETH
// costs 1,061.5 USDC.
#include "protocol/comet_mechanism.h"

#include <gtest/gtest.h>

#include "protocol/collateral_ratio_margin.h"
#include "tests/protocol/fake_mechanism_host.h"

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity eth(double x) { return quantity_from_double(x); }
constexpr int64_t kOne = kCompoundMantissaOne;

CometParams vector63(Amount target_reserves = usd(5'000'000)) {
  CometParams p;
  p.liquidation_factor = 930'000'000'000'000'000;
  p.store_front_price_factor = kOne / 2;
  p.target_reserves = target_reserves;
  return p;
}

// liquidateCF 0.9 as the collateral_ratio model: liquidation_ratio 1 / 0.9 (to 1e-9), borrowCF 0.82.
struct Fixture {
  RunLog log;
  testing_support::NoFillVenue venue;
  testing_support::RecordingHost host;
  ClearingHouse ch{
      {ProtocolMarket{CollateralRatioMargin({ratio_from_double(1.111111111), ratio_from_double(1.219512195)}),
                      Ratio(0), Ratio(0), px(1'100)}}};
  AccountId lender = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, usd(10'000'000));
  AccountId borrower = ch.open_account(AgentRole::Trader, MarginMode::Isolated, Amount(0));
  AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(100'000));
  const AccountId fund = place_account(Place::InsuranceFund);
  const AccountId house = place_account(Place::AuctionHouse);

  explicit Fixture(Amount fund_seed = usd(100'000), Amount debt = usd(1'000)) {
    ch.ledger().seed_insurance_fund(fund_seed);
    ch.ledger().trade(borrower, lender, MarketId(0), eth(1), debt);
    ch.arm(borrower);
  }
  const Ledger& ledger() const { return ch.ledger(); }
  Quantity size(AccountId a) const { return ledger().position(a, MarketId(0)).size; }
  bool conserved() const {
    return ledger().conservation_residual() == Amount(0) &&
           ledger().position_residual(MarketId(0)) == Quantity(0);
  }
};

TEST(CometMechanism, AbsorbCreditsTheLiquidationFactorAndTheReservesPayTheWriteOff) {
  Fixture f;
  CometAbsorbLiquidation comet(vector63(), f.ch, f.log, f.venue);
  ASSERT_TRUE(f.ch.liquidatable(f.borrower));
  EXPECT_TRUE(comet.on_liquidatable(f.host, f.borrower));  // waits for an absorber
  ASSERT_EQ(f.host.published.size(), 1u);
  const KeeperTakeover out = comet.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Bark});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  // The borrower: flat, its 1,000 debt gone and a supply of 23; the protocol holds the ETH.
  EXPECT_EQ(f.size(f.borrower), Quantity(0));
  EXPECT_EQ(f.ledger().account(f.borrower).balance, usd(23));
  EXPECT_EQ(f.size(f.house), eth(1));
  EXPECT_EQ(f.ledger().account(f.house).balance, Amount(0));
  EXPECT_EQ(f.ledger().insurance_fund(), usd(100'000 - 1'023));
  // The absorber is paid nothing and receives nothing without a buy.
  EXPECT_EQ(out.quantity, Quantity(0));
  EXPECT_EQ(f.ledger().account(f.keeper).balance, usd(100'000));
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  const LiquidationRecord& r = f.log.liquidations[0];
  EXPECT_EQ(r.mechanism, LiquidationMechanismKind::Auction);
  EXPECT_EQ(r.quantity, eth(-1));
  EXPECT_EQ(r.price, px(1'023));
  EXPECT_EQ(r.reward, Amount(0));
  EXPECT_EQ(r.keeper, int64_t(f.keeper.raw()));
  // The lot is for sale at 1,100 x (1 - 0.035).
  const std::vector<AuctionView> views = comet.auctions(f.borrower, f.host.now());
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].lot, eth(1));
  EXPECT_EQ(views[0].price, px(1'061.5));
  EXPECT_EQ(comet.open_lots(), 1u);
}

TEST(CometMechanism, BuyCollateralPaysTheStorePriceIntoTheReservesAndARecordClosesTheLot) {
  Fixture f;
  CometAbsorbLiquidation comet(vector63(), f.ch, f.log, f.venue);
  const KeeperTakeover absorbed =
      comet.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Bark});
  const LiquidationId lot = *absorbed.liquidation;
  // 0.4 ETH, then the rest: 1,061.5 per coin.
  KeeperTakeover b =
      comet.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Take, lot, eth(0.4), px(1'100)});
  ASSERT_EQ(b.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(b.quantity, eth(0.4));
  EXPECT_EQ(b.price, px(1'061.5));
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.ledger().account(f.keeper).balance, usd(100'000 - 424.6));
  EXPECT_EQ(f.ledger().insurance_fund(), usd(100'000 - 1'023 + 424.6));
  EXPECT_TRUE(f.log.auctions.empty());
  b = comet.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Take, lot, eth(5), px(1'100)});
  ASSERT_EQ(b.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(b.quantity, eth(0.6));
  EXPECT_EQ(f.size(f.keeper), eth(1));
  EXPECT_EQ(f.size(f.house), Quantity(0));
  EXPECT_EQ(f.ledger().insurance_fund(), usd(100'000 - 1'023 + 1'061.5));
  EXPECT_TRUE(f.conserved());
  ASSERT_EQ(f.log.auctions.size(), 1u);
  const AuctionRecord& r = f.log.auctions[0];
  EXPECT_EQ(r.kind, 2);
  EXPECT_EQ(r.lot, eth(1));
  EXPECT_EQ(r.sold, eth(1));
  EXPECT_EQ(r.due, usd(1'023));
  EXPECT_EQ(r.raised, usd(1'061.5));
  EXPECT_EQ(r.shortfall, Amount(0));
  EXPECT_EQ(r.bids, 2u);
  EXPECT_EQ(r.winner, int64_t(f.keeper.raw()));
  EXPECT_EQ(comet.open_lots(), 0u);
  EXPECT_TRUE(comet.auctions(f.borrower, f.host.now()).empty());
}

TEST(CometMechanism, AbsorbAndBuyInOneTransaction) {
  Fixture f;
  CometAbsorbLiquidation comet(vector63(), f.ch, f.log, f.venue);
  const KeeperTakeover out = comet.on_transaction(f.host, f.keeper, f.borrower,
                                                  TxIntent{TxAction::Bark, std::nullopt, eth(1), px(1'070)});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.quantity, eth(1));
  EXPECT_EQ(out.market, MarketId(0));
  EXPECT_EQ(f.size(f.keeper), eth(1));
  EXPECT_EQ(f.ledger().account(f.keeper).balance, usd(100'000 - 1'061.5));
  EXPECT_EQ(f.log.auctions.size(), 1u);
  EXPECT_TRUE(f.conserved());
}

TEST(CometMechanism, StoreIsClosedWhileTheReservesReachTheTarget) {
  Fixture f(usd(100'000));
  // Target 50,000: the reserves (98,977 after the absorb) are above it: NotForSale.
  CometAbsorbLiquidation comet(vector63(usd(50'000)), f.ch, f.log, f.venue);
  const KeeperTakeover absorbed =
      comet.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Bark});
  ASSERT_EQ(absorbed.outcome, KeeperOutcome::Liquidated);
  EXPECT_FALSE(comet_store_open(f.ledger(), usd(50'000)));
  EXPECT_TRUE(comet.auctions(f.borrower, f.host.now()).empty());
  const KeeperTakeover b = comet.on_transaction(
      f.host, f.keeper, f.borrower, TxIntent{TxAction::Take, absorbed.liquidation, eth(1), px(1'100)});
  EXPECT_EQ(b.outcome, KeeperOutcome::NotLiquidatable);
  EXPECT_EQ(f.size(f.house), eth(1));
  EXPECT_TRUE(f.conserved());
}

TEST(CometMechanism, BuyAboveTheBuyersPriceOrOfAnotherAccountsLotIsRefused) {
  Fixture f;
  CometAbsorbLiquidation comet(vector63(), f.ch, f.log, f.venue);
  const KeeperTakeover absorbed =
      comet.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Bark});
  EXPECT_EQ(comet
                .on_transaction(f.host, f.keeper, f.borrower,
                                TxIntent{TxAction::Take, absorbed.liquidation, eth(1), px(1'061.49)})
                .outcome,
            KeeperOutcome::NotLiquidatable);
  EXPECT_EQ(comet
                .on_transaction(f.host, f.keeper, f.lender,
                                TxIntent{TxAction::Take, absorbed.liquidation, eth(1), px(1'100)})
                .outcome,
            KeeperOutcome::NotLiquidatable);
  EXPECT_EQ(f.size(f.house), eth(1));
  EXPECT_TRUE(f.conserved());
}

TEST(CometMechanism, HealthyBorrowerIsNotAbsorbed) {
  Fixture f(usd(100'000), usd(900));  // liquidity 1,100 x 0.9 - 900 = 90 > 0
  CometAbsorbLiquidation comet(vector63(), f.ch, f.log, f.venue);
  ASSERT_FALSE(f.ch.liquidatable(f.borrower));
  EXPECT_EQ(comet.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Bark}).outcome,
            KeeperOutcome::NotLiquidatable);
  EXPECT_EQ(f.size(f.borrower), eth(1));
  EXPECT_TRUE(f.log.liquidations.empty());
}

// Without reserves the write-off is recorded bad debt; Comet's reserves are one signed number, so the
// sale's base makes it good first. Debt 1,200 at $1,100: credit 1,023, the borrower ends at 0 (not -177),
// the reserves pay 1,200, all of it bad debt; the sale of 1 ETH raises 1,061.5, bad debt 138.5 remains.
TEST(CometMechanism, UnderwaterAbsorbWithoutReservesIsBadDebtThatTheSaleMakesGoodFirst) {
  Fixture f(Amount(0), usd(1'200));
  CometAbsorbLiquidation comet(vector63(), f.ch, f.log, f.venue);
  const KeeperTakeover absorbed =
      comet.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Bark});
  ASSERT_EQ(absorbed.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(f.ledger().account(f.borrower).balance, Amount(0));
  EXPECT_EQ(f.ledger().bad_debt(), usd(1'200));
  EXPECT_EQ(comet_reserves(f.ledger()), usd(-1'200));
  EXPECT_TRUE(f.conserved());
  ASSERT_EQ(comet
                .on_transaction(f.host, f.keeper, f.borrower,
                                TxIntent{TxAction::Take, absorbed.liquidation, eth(1), px(1'100)})
                .outcome,
            KeeperOutcome::Liquidated);
  EXPECT_EQ(f.ledger().bad_debt(), usd(138.5));
  EXPECT_EQ(f.ledger().insurance_fund(), Amount(0));
  EXPECT_TRUE(f.conserved());
  ASSERT_EQ(f.log.auctions.size(), 1u);
  EXPECT_EQ(f.log.auctions[0].shortfall, usd(138.5));
}

// Unsold lots are re-published at every poll while the store is open.
TEST(CometMechanism, PollRepublishesUnsoldLots) {
  Fixture f;
  CometAbsorbLiquidation comet(vector63(), f.ch, f.log, f.venue);
  comet.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Bark});
  ASSERT_EQ(f.host.timers.size(), 1u);
  const auto [at, place] = *f.host.timers.begin();
  EXPECT_EQ(place, f.house);
  EXPECT_EQ(at, f.host.now() + seconds(60));
  f.host.published.clear();
  f.host.timers.clear();
  f.host.t = at;
  comet.on_timer(f.host, f.house);
  ASSERT_EQ(f.host.published.size(), 1u);
  EXPECT_EQ(f.host.published[0], f.borrower);
  EXPECT_EQ(f.host.timers.size(), 1u);
}

}  // namespace
}  // namespace liqsim
