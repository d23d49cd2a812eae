// Aave v3's liquidationCall on the ledger (protocol/aave_v3_mechanism.h), over borrowers with one or
// several collaterals, on reference vectors #51-#53, #55 and #57 (protocol_vectors.json; Aave v3
// LiquidationLogic.sol / GenericLogic.sol, aave-v3-core for v3.0-3.2 and aave-v3-origin for v3.3+), and
// e-mode (aave-v3-origin EModeConfiguration: an e-mode account's collateral in the category uses the
// category's threshold and bonus).
#include "protocol/aave_v3_mechanism.h"

#include <gtest/gtest.h>

#include "protocol/collateral_ratio_margin.h"
#include "tests/protocol/fake_mechanism_host.h"

namespace liqsim {
namespace {

Amount usd(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
// A stablecoin amount in Aave's 8-decimal token units.
Quantity usd_units(double x) { return quantity_from_double(x); }
const MarketId kWeth(0), kWbtc(1);

// WETH (LT 82.5%, bonus 5%, fee 10%) and WBTC (LT 75%, bonus 10%, fee 10%; e-mode category: none). The
// borrower holds `weth` WETH and `wbtc` WBTC against `debt` of the stablecoin.
struct Fixture {
  RunLog log;
  testing_support::NoFillVenue venue;
  testing_support::RecordingHost host;
  ClearingHouse ch{
      {ProtocolMarket{CollateralRatioMargin::from_basis_points(8'250, 8'000), Ratio(0), Ratio(0), px(2'000)},
       ProtocolMarket{CollateralRatioMargin::from_basis_points(7'500, 7'000), Ratio(0), Ratio(0),
                      px(30'000)}}};
  AccountId lender = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, usd(10'000'000));
  AccountId borrower = ch.open_account(AgentRole::Trader, MarginMode::Cross, Amount(0));
  AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1'000'000));

  Fixture(double weth, double wbtc, double debt) {
    if (weth > 0) ch.ledger().trade(borrower, lender, kWeth, coins(weth), Amount(0));
    if (wbtc > 0) ch.ledger().trade(borrower, lender, kWbtc, coins(wbtc), Amount(0));
    ch.ledger().transfer(borrower, lender, usd(debt));
    ch.arm(borrower);
  }
  static AaveV3MechanismParams params(AaveRules rules = AaveRules::V33) {
    return {rules,
            {AaveReserveConfig{8'250, 10'500, 1'000}, AaveReserveConfig{7'500, 11'000, 1'000}},
            Ray(0),
            seconds(3600)};
  }
  const Ledger& ledger() const { return ch.ledger(); }
  Quantity size(AccountId a, MarketId m) const { return ledger().position(a, m).size; }
  bool conserved() const {
    return ledger().conservation_residual() == Amount(0) &&
           ledger().position_residual(kWeth) == Quantity(0) &&
           ledger().position_residual(kWbtc) == Quantity(0);
  }
};

double hf(AaveWad wad) { return double(wad) / double(kAaveWad); }

TEST(AaveV3Mechanism, HealthFactorIsVector51) {
  // #51: 10 WETH, LT 82.5%, $15,000 debt: HF 1.1 at $2,000, 0.99 at $1,800, 0.935 at $1,700.
  Fixture f(10, 0, 15'000);
  AaveV3Liquidation aave(Fixture::params(), f.ch, f.log, f.venue);
  EXPECT_NEAR(hf(aave.health_factor(f.borrower)), 1.1, 1e-9);
  EXPECT_FALSE(f.ch.liquidatable(f.borrower));
  EXPECT_FALSE(aave.best_call(f.borrower).has_value());
  f.ch.set_mark(kWeth, px(1'800));
  EXPECT_NEAR(hf(aave.health_factor(f.borrower)), 0.99, 1e-9);
  EXPECT_TRUE(f.ch.liquidatable(f.borrower));  // the clearing house's test agrees
  f.ch.set_mark(kWeth, px(1'700));
  EXPECT_NEAR(hf(aave.health_factor(f.borrower)), 0.935, 1e-9);
}

TEST(AaveV3Mechanism, HalfTheDebtAtHf099SeizesVector53) {
  // #55 case 1: HF 0.99, $18,000 of collateral, $15,000 of debt: at most 50% of the total debt, $7,500.
  // #53: $7,500 at $1,800 with a 5% bonus seizes 4.375 WETH, of which 0.0208333 is the protocol's fee.
  Fixture f(10, 0, 15'000);
  f.ch.set_mark(kWeth, px(1'800));
  AaveV3Liquidation aave(Fixture::params(), f.ch, f.log, f.venue);
  EXPECT_TRUE(aave.on_liquidatable(f.host, f.borrower));
  ASSERT_EQ(f.host.published.size(), 1u);
  const std::optional<LiquidationQuote> q = aave.quote(f.borrower, f.host.now());
  const std::optional<AaveCall> c = aave.best_call(f.borrower);
  ASSERT_TRUE(q.has_value() && c.has_value());
  EXPECT_EQ(q->market, kWeth);
  // Within the vector's 1e-8: Aave floors 7,500 / 1,800 to 8 decimals before the bonus (4.37499999).
  const Quantity seized = c->result.seizure.total_collateral();
  EXPECT_NEAR(to_double(seized), 4.375, 1e-8);
  EXPECT_NEAR(to_double(c->result.seizure.protocol_fee), 0.0208333333, 1e-8);
  EXPECT_NEAR(to_double(c->result.seizure.collateral_to_liquidator), 4.3541666667, 1e-8);
  EXPECT_EQ(c->repaid, usd(7'500));
  EXPECT_EQ(q->take, seized);
  EXPECT_EQ(c->fee_cash, notional(px(1'800), c->result.seizure.protocol_fee, Round::Down));
  EXPECT_EQ(q->reward, notional(px(1'800), seized, Round::Down) - c->fee_cash - usd(7'500));
  const KeeperTakeover out = aave.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Liquidate});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(out.quantity, seized);
  EXPECT_EQ(f.size(f.borrower, kWeth), coins(10) - seized);
  EXPECT_EQ(f.ledger().account(f.borrower).balance, usd(-7'500));
  EXPECT_EQ(f.size(f.keeper, kWeth), seized);
  EXPECT_EQ(f.ledger().account(f.keeper).balance, usd(1'000'000 - 7'500) - c->fee_cash);
  EXPECT_EQ(f.ledger().insurance_fund(), c->fee_cash);
  ASSERT_EQ(f.log.liquidations.size(), 1u);
  EXPECT_EQ(f.log.liquidations[0].quantity, -seized);
  EXPECT_EQ(f.log.liquidations[0].reward, q->reward);
  EXPECT_EQ(f.log.liquidations[0].keeper, int64_t(f.keeper.raw()));
  EXPECT_EQ(f.ledger().bad_debt(), Amount(0));
}

TEST(AaveV3Mechanism, WholeDebtAtOrBelowHf095Vector52) {
  // #52 case 2 (HF 0.935): the close factor is 100%: $15,000 repaid for 15,000 / 1,700 x 1.05 WETH.
  Fixture f(10, 0, 15'000);
  f.ch.set_mark(kWeth, px(1'700));
  AaveV3Liquidation aave(Fixture::params(), f.ch, f.log, f.venue);
  const KeeperTakeover out = aave.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Liquidate});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(f.ledger().account(f.borrower).balance, Amount(0));
  EXPECT_NEAR(to_double(f.size(f.borrower, kWeth)), 10 - 15'000.0 / 1'700 * 1.05, 1e-7);
}

TEST(AaveV3Mechanism, V33TakesSmallDebtWholeWhereV30TakesHalf) {
  // #55 case 2 / #58: a reserve debt below $2,000 is liquidated whole under v3.3; v3.0 takes 50%.
  for (const AaveRules rules : {AaveRules::V33, AaveRules::V30}) {
    Fixture f(1, 0, 1'500);  // HF at $1,800: 1,485 / 1,500 = 0.99
    f.ch.set_mark(kWeth, px(1'800));
    AaveV3Liquidation aave(Fixture::params(rules), f.ch, f.log, f.venue);
    const std::optional<AaveCall> c = aave.best_call(f.borrower);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->repaid, rules == AaveRules::V33 ? usd(1'500) : usd(750));
  }
}

TEST(AaveV3Mechanism, AllCollateralSeizedBurnsTheRestIntoTheDeficitVector57) {
  // #57: 1 coin at $1,000, $1,200 of debt, bonus 5%, no fee: the coin is seized for 952.380952 and the
  // remaining 247.619048 is the reserve's deficit (recorded bad debt, not the insurance fund's).
  Fixture f(1, 0, 1'200);
  f.ch.set_mark(kWeth, px(1'000));
  f.ch.ledger().seed_insurance_fund(usd(50'000));
  AaveV3MechanismParams p = Fixture::params();
  p.reserves[0].protocol_fee_bps = 0;
  AaveV3Liquidation aave(p, f.ch, f.log, f.venue);
  const KeeperTakeover out = aave.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Liquidate});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(f.conserved());
  EXPECT_EQ(out.quantity, coins(1));
  EXPECT_NEAR(to_double(f.ledger().bad_debt()), 247.619048, 1e-5);
  EXPECT_EQ(f.ledger().account(f.borrower).balance, Amount(0));
  EXPECT_EQ(f.ledger().insurance_fund(), usd(50'000));
  EXPECT_FALSE(f.ledger().has_position(f.borrower));
}

TEST(AaveV3Mechanism, TheLiquidatorChoosesTheCollateralThatPaysMost) {
  // 2 WETH ($4,000 x 82.5%) and 0.2 WBTC ($6,000 x 75%) against $7,900: HF 0.9873. WBTC's 10% bonus pays
  // more than WETH's 5% on the same debt, so the call seizes WBTC and leaves the WETH alone.
  Fixture f(2, 0.2, 7'900);
  AaveV3Liquidation aave(Fixture::params(), f.ch, f.log, f.venue);
  EXPECT_NEAR(hf(aave.health_factor(f.borrower)), (4'000 * 0.825 + 6'000 * 0.75) / 7'900, 1e-9);
  ASSERT_TRUE(f.ch.liquidatable(f.borrower));
  const AaveCall weth = aave.call(f.borrower, kWeth);
  const AaveCall wbtc = aave.call(f.borrower, kWbtc);
  ASSERT_EQ(weth.result.outcome, AaveLiquidationOutcome::Liquidated);
  ASSERT_EQ(wbtc.result.outcome, AaveLiquidationOutcome::Liquidated);
  EXPECT_GT(wbtc.gain(), weth.gain());
  const KeeperTakeover out = aave.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Liquidate});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.market, kWbtc);
  EXPECT_EQ(f.size(f.borrower, kWeth), coins(2));
  EXPECT_EQ(f.size(f.keeper, kWbtc), wbtc.result.seizure.total_collateral());
  EXPECT_EQ(f.ledger().account(f.borrower).balance, usd(-7'900) + wbtc.repaid);
  EXPECT_TRUE(f.conserved());
}

TEST(AaveV3Mechanism, ACallThatWouldLeaveDustIsCutToLeaveOneThousandDollars) {
  // v3.3 MustNotLeaveDust (#56's rule): 1.05 WETH ($2,100) and 0.05 WBTC ($1,500) against $3,000, HF
  // (1,732.5 + 1,125) / 3,000 = 0.9525 > 0.95. Through WETH (collateral and debt >= $2,000) the close
  // factor is 50%: $1,500 repaid would seize $1,575 of WETH and leave $525 < $1,000 of it, so that call
  // reverts; the liquidator passes (2,100 - 1,000) / 1.05 = $1,047.62 instead, which leaves $1,000.
  // Through WBTC (below $2,000) the whole debt may be covered; capped by the balance, the call takes all
  // the WBTC and pays the 10% bonus on $1,363.64: the better call.
  Fixture f(1.05, 0.05, 3'000);
  AaveV3Liquidation aave(Fixture::params(), f.ch, f.log, f.venue);
  ASSERT_TRUE(f.ch.liquidatable(f.borrower));
  AaveV33LiquidationInput whole{usd_units(3'000),
                                usd_units(3'000),
                                px(1),
                                coins(1.05),
                                px(2'000),
                                10'500,
                                1'000,
                                usd(3'600),
                                usd(3'000),
                                aave.health_factor(f.borrower)};
  EXPECT_EQ(aave_v33_liquidation(whole).outcome, AaveLiquidationOutcome::MustNotLeaveDust);
  const AaveCall weth = aave.call(f.borrower, kWeth);
  ASSERT_EQ(weth.result.outcome, AaveLiquidationOutcome::Liquidated);
  EXPECT_NEAR(to_double(weth.repaid), 1'100 / 1.05, 1e-5);
  EXPECT_NEAR(to_double(coins(1.05) - weth.result.seizure.total_collateral()) * 2'000, 1'000, 0.01);
  const AaveCall wbtc = aave.call(f.borrower, kWbtc);
  ASSERT_EQ(wbtc.result.outcome, AaveLiquidationOutcome::Liquidated);
  EXPECT_EQ(wbtc.result.seizure.total_collateral(), coins(0.05));
  EXPECT_NEAR(to_double(wbtc.repaid), 1'500 / 1.1, 1e-5);
  EXPECT_GT(wbtc.gain(), weth.gain());
  const KeeperTakeover out = aave.on_transaction(f.host, f.keeper, f.borrower, TxIntent{TxAction::Liquidate});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(out.market, kWbtc);
  EXPECT_EQ(f.size(f.borrower, kWeth), coins(1.05));
  // WETH is left, so no debt is burned.
  EXPECT_EQ(f.ledger().bad_debt(), Amount(0));
  EXPECT_TRUE(f.conserved());
}

TEST(AaveV3Mechanism, EmodeAccountsUseTheCategorysThresholdAndBonus) {
  // A stablecoin reserve (LT 77%, LTV 75%, bonus 4.5%) in an e-mode category of LT 95%, LTV 93%, bonus 1%.
  RunLog log;
  testing_support::NoFillVenue venue;
  testing_support::RecordingHost host;
  ProtocolMarket stable{CollateralRatioMargin::from_basis_points(7'700, 7'500), Ratio(0), Ratio(0), px(1)};
  stable.emode_margin = MarginModelRef(CollateralRatioMargin::from_basis_points(9'500, 9'300));
  ClearingHouse ch{{stable}};
  const AccountId lender = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, usd(1'000'000));
  const AccountId keeper = ch.open_account(AgentRole::Keeper, MarginMode::Cross, usd(1'000'000));
  AccountId plain = ch.open_account(AgentRole::Trader, MarginMode::Isolated, Amount(0));
  AccountId emode = ch.open_account(AgentRole::Trader, MarginMode::Isolated, Amount(0));
  ch.set_emode(emode, true);
  for (const AccountId a : {plain, emode}) {
    ch.ledger().trade(a, lender, MarketId(0), coins(10'000), Amount(0));  // 10,000 coins at $1
    ch.ledger().transfer(a, lender, usd(9'000));                          // $9,000 of debt
    ch.arm(a);
  }
  AaveV3MechanismParams p{
      AaveRules::V33, {AaveReserveConfig{7'700, 10'450, 1'000, 9'500, 10'100}}, Ray(0), seconds(3600)};
  AaveV3Liquidation aave(p, ch, log, venue);
  // HF: 10,000 x 77% / 9,000 = 0.856 outside e-mode; 10,000 x 95% / 9,000 = 1.056 in it.
  EXPECT_NEAR(hf(aave.health_factor(plain)), 0.855555556, 1e-9);
  EXPECT_NEAR(hf(aave.health_factor(emode)), 1.055555556, 1e-9);
  EXPECT_TRUE(ch.liquidatable(plain));
  EXPECT_FALSE(ch.liquidatable(emode));
  EXPECT_FALSE(aave.best_call(emode).has_value());
  // A depeg to $0.94: the e-mode account's HF is 0.992; half its $9,000 debt seizes 4,500 / 0.94 x 1.01.
  ch.set_mark(MarketId(0), px(0.94));
  EXPECT_TRUE(ch.liquidatable(emode));
  const std::optional<AaveCall> c = aave.best_call(emode);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->repaid, usd(4'500));
  EXPECT_NEAR(to_double(c->result.seizure.total_collateral()), 4'500 / 0.94 * 1.01, 1e-6);
  const KeeperTakeover out = aave.on_transaction(host, keeper, emode, TxIntent{TxAction::Liquidate});
  ASSERT_EQ(out.outcome, KeeperOutcome::Liquidated);
  EXPECT_EQ(ch.ledger().conservation_residual(), Amount(0));
  EXPECT_EQ(ch.ledger().position_residual(MarketId(0)), Quantity(0));
}

TEST(AaveV3Mechanism, AShortIsAbsorbedByTheFundNotSeized) {
  // No collateral to seize: the insurance fund takes the position at its bankruptcy price.
  Fixture f(0, 0, 0);
  f.ch.ledger().deposit(f.borrower, usd(1'000));
  f.ch.ledger().trade(f.lender, f.borrower, kWeth, coins(1), usd(2'000));  // short 1 WETH at $2,000
  f.ch.set_mark(kWeth, px(3'500));
  ASSERT_TRUE(f.ch.liquidatable(f.borrower));
  AaveV3Liquidation aave(Fixture::params(), f.ch, f.log, f.venue);
  EXPECT_FALSE(aave.best_call(f.borrower).has_value());
  aave.on_liquidatable(f.host, f.borrower);
  EXPECT_EQ(f.size(f.borrower, kWeth), Quantity(0));
  EXPECT_EQ(f.size(place_account(Place::InsuranceFund), kWeth), coins(-1));
  EXPECT_TRUE(f.conserved());
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// Interest (Aave's variable borrow rate compounded by calculateCompoundedInterest,
// protocol/interest_index.h): 10 WETH at $2,000 (LT 82.5%: $16,500 of borrowing power) against $16,400 of
// debt, HF 1.0061. At 10% a year the debt grows by the index: after 30 days 16,400 x 1.0082530... = 16,535.35
// > 16,500, and the account is liquidatable with no price move; detection at the unchanged mark finds it. The
// interest goes to the lending pool place (the suppliers), money conserved.
TEST(AaveV3Mechanism, InterestMakesABorrowerLiquidatableWithoutAPriceMove) {
  Fixture f(10, 0, 16'400);
  AaveV3MechanismParams p = Fixture::params();
  p.borrow_rate = ray_from_double(0.10);
  p.accrual_interval = seconds(86'400);
  AaveV3Liquidation aave(p, f.ch, f.log, f.venue);
  EXPECT_FALSE(f.ch.liquidatable(f.borrower));
  testing_support::RecordingHost host;
  host.t = Time(0);
  aave.on_start(host);
  ASSERT_EQ(host.timers.size(), 1u);
  EXPECT_EQ(host.timers.begin()->first, seconds(86'400));
  EXPECT_EQ(host.timers.begin()->second, place_account(Place::LendingPool));
  Amount debt = -f.ledger().account(f.borrower).balance;
  for (int day = 1; day <= 30; ++day) {
    aave.accrue_interest(seconds(86'400 * day));
    const Amount now = -f.ledger().account(f.borrower).balance;
    EXPECT_GT(now, debt) << day;
    debt = now;
    ASSERT_TRUE(f.conserved());
  }
  // 16,400 x the index after 30 days, each day's step rounded up: within a micro-dollar per day of it.
  const double index = double(aave.borrow_index().raw()) / 1e27;
  EXPECT_NEAR(index, 1.008253, 1e-6);
  EXPECT_NEAR(to_double(debt), 16'400 * index, 30e-6);
  EXPECT_EQ(f.ledger().place_balance(Place::LendingPool), debt - usd(16'400));
  EXPECT_TRUE(f.ch.liquidatable(f.borrower));
  EXPECT_LT(hf(aave.health_factor(f.borrower)), 1.0);
  std::vector<TriggerHit> hits;
  f.ch.detect(kWeth, hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].account, f.borrower);
}

// No rate, no timer and no interest.
TEST(AaveV3Mechanism, NoInterestWithoutARate) {
  Fixture f(10, 0, 16'400);
  AaveV3Liquidation aave(Fixture::params(), f.ch, f.log, f.venue);
  testing_support::RecordingHost host;
  aave.on_start(host);
  EXPECT_TRUE(host.timers.empty());
  aave.accrue_interest(seconds(86'400 * 365));
  EXPECT_EQ(f.ledger().account(f.borrower).balance, -usd(16'400));
}

}  // namespace
}  // namespace liqsim
