#include "protocol/ledger.h"

#include <gtest/gtest.h>

namespace liqsim {
namespace {

Amount dollars(double x) { return amount_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// The ledger's conservation contract (ledger.h): money residual 0 and every market's positions sum to 0.
::testing::AssertionResult conserved(const Ledger& ledger) {
  if (ledger.conservation_residual() != Amount(0))
    return ::testing::AssertionFailure()
           << "money residual " << format_amount(ledger.conservation_residual());
  for (MarketId m = 0; m < ledger.market_count(); ++m)
    if (ledger.position_residual(m) != Quantity(0))
      return ::testing::AssertionFailure()
             << "market " << m << " position residual " << ledger.position_residual(m).raw();
  return ::testing::AssertionSuccess();
}

struct TwoTraders {
  Ledger ledger{1};
  AccountId buyer = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  AccountId seller = ledger.open_account(AgentRole::MarketMaker, MarginMode::Cross);
};

TEST(Ledger, DepositCreditsTheBalanceAndCountsAsExternalMoney) {
  Ledger ledger(1);
  const AccountId a = ledger.open_account(AgentRole::Trader, MarginMode::Isolated);
  ledger.deposit(a, dollars(1000));
  EXPECT_TRUE(conserved(ledger));
  ledger.deposit(a, dollars(0.5));
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.account(a).balance, dollars(1000.5));
  EXPECT_EQ(ledger.account(a).deposits, dollars(1000.5));
  EXPECT_EQ(ledger.external_deposits(), dollars(1000.5));
  EXPECT_EQ(ledger.account(a).mode, MarginMode::Isolated);
}

TEST(Ledger, InsuranceSeedCountsAsExternalMoneyButNotAsAnAccountDeposit) {
  Ledger ledger(1);
  const AccountId a = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  ledger.seed_insurance_fund(dollars(250));
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.insurance_fund(), dollars(250));
  EXPECT_EQ(ledger.external_deposits(), dollars(250));
  EXPECT_EQ(ledger.account(a).deposits, Amount(0));
}

TEST(Ledger, TradeMovesCashAndPositionsExactly) {
  TwoTraders t;
  const Amount cash(15'000'000'001);  // 15,000.000001 $ for 1.5 coin
  t.ledger.trade(t.buyer, t.seller, 0, coins(1.5), cash);
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, -cash);
  EXPECT_EQ(t.ledger.account(t.seller).balance, cash);
  EXPECT_EQ(t.ledger.position(t.buyer, 0).size, coins(1.5));
  EXPECT_EQ(t.ledger.position(t.seller, 0).size, coins(-1.5));
  EXPECT_EQ(t.ledger.position(t.buyer, 0).open_notional, cash);
  EXPECT_EQ(t.ledger.position(t.seller, 0).open_notional, -cash);
  EXPECT_TRUE(t.ledger.has_position(t.buyer));
  EXPECT_TRUE(t.ledger.has_position(t.seller));
}

TEST(Ledger, OpenNotionalAccumulatesWhenAPositionGrows) {
  TwoTraders t;
  t.ledger.trade(t.buyer, t.seller, 0, coins(1), dollars(10'000));
  t.ledger.trade(t.buyer, t.seller, 0, coins(2), dollars(24'000));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.position(t.buyer, 0).size, coins(3));
  EXPECT_EQ(t.ledger.position(t.buyer, 0).open_notional, dollars(34'000));
  EXPECT_EQ(t.ledger.position(t.seller, 0).open_notional, dollars(-34'000));
}

// Reducing keeps the old cost scaled by the remaining share, rounded toward zero on both sides:
// 10,000.000001 * 2/3 = 6,666.666667333... -> 6,666.666667 (long) and -6,666.666667 (short).
TEST(Ledger, PartialReduceKeepsTheProportionalCostRoundedTowardZero) {
  TwoTraders t;
  t.ledger.trade(t.buyer, t.seller, 0, coins(3), Amount(10'000'000'001));
  t.ledger.trade(t.seller, t.buyer, 0, coins(1), dollars(4'000));  // buyer sells 1 back, seller buys 1
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.position(t.buyer, 0).size, coins(2));
  EXPECT_EQ(t.ledger.position(t.buyer, 0).open_notional, Amount(6'666'666'667));
  EXPECT_EQ(t.ledger.position(t.seller, 0).size, coins(-2));
  EXPECT_EQ(t.ledger.position(t.seller, 0).open_notional, Amount(-6'666'666'667));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, Amount(-10'000'000'001 + 4'000'000'000));
}

// A sell of 3 against a long of 1 closes it and opens a short of 2 whose cost is the trade's price:
// floor(36,000.000001 * 2/3) = floor(24,000.000000666) = 24,000.
TEST(Ledger, FlipOpensTheExcessAtTheTradePrice) {
  TwoTraders t;
  t.ledger.trade(t.buyer, t.seller, 0, coins(1), dollars(10'000));
  t.ledger.trade(t.seller, t.buyer, 0, coins(3), Amount(36'000'000'001));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.position(t.buyer, 0).size, coins(-2));
  EXPECT_EQ(t.ledger.position(t.buyer, 0).open_notional, dollars(-24'000));
  EXPECT_EQ(t.ledger.position(t.seller, 0).size, coins(2));
  EXPECT_EQ(t.ledger.position(t.seller, 0).open_notional, dollars(24'000));
}

TEST(Ledger, ClosingResetsTheOpenNotionalAndRealisesThePnlInTheBalance) {
  TwoTraders t;
  t.ledger.trade(t.buyer, t.seller, 0, coins(1), dollars(10'000));
  t.ledger.trade(t.seller, t.buyer, 0, coins(1), dollars(11'000));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.position(t.buyer, 0).size, Quantity(0));
  EXPECT_EQ(t.ledger.position(t.buyer, 0).open_notional, Amount(0));
  EXPECT_EQ(t.ledger.position(t.seller, 0).open_notional, Amount(0));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, dollars(1'000));
  EXPECT_EQ(t.ledger.account(t.seller).balance, dollars(-1'000));
  EXPECT_FALSE(t.ledger.has_position(t.buyer));
}

// Open interest is the total long quantity of the market.
TEST(Ledger, OpenInterestTracksTheTotalLongQuantity) {
  Ledger ledger(2);
  const AccountId a = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  const AccountId b = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  const AccountId c = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  ledger.trade(a, b, 0, coins(2), dollars(20'000));  // a +2, b -2
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.open_interest(0), coins(2));
  ledger.trade(c, a, 0, coins(0.5), dollars(5'000));  // a +1.5, c +0.5: the long changes hands
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.open_interest(0), coins(2));
  ledger.trade(b, c, 0, coins(1.5), dollars(15'000));  // b -0.5, c flips to -1
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.open_interest(0), coins(1.5));
  ledger.trade(b, a, 0, coins(1.5), dollars(15'000));  // a closes, b flips to +1
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.open_interest(0), coins(1));
  EXPECT_EQ(ledger.open_interest(1), Quantity(0));
}

TEST(Ledger, PositionsOfDifferentMarketsAreSeparate) {
  Ledger ledger(2);
  const AccountId a = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  const AccountId b = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  ledger.trade(a, b, 1, coins(4), dollars(8'000));
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.position(a, 0).size, Quantity(0));
  EXPECT_EQ(ledger.position(a, 1).size, coins(4));
  EXPECT_EQ(ledger.open_interest(1), coins(4));
  EXPECT_EQ(ledger.open_interest(0), Quantity(0));
}

TEST(Ledger, FeesGoToTheFeePoolAndNegativeFeesAreRebates) {
  TwoTraders t;
  t.ledger.deposit(t.buyer, dollars(100));
  t.ledger.pay_fee(t.buyer, dollars(4));
  EXPECT_TRUE(conserved(t.ledger));
  t.ledger.pay_fee(t.seller, dollars(-1.5));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, dollars(96));
  EXPECT_EQ(t.ledger.account(t.seller).balance, dollars(1.5));
  EXPECT_EQ(t.ledger.fee_pool(), dollars(2.5));
}

TEST(Ledger, GasLeavesTheAccountForBlockProducers) {
  TwoTraders t;
  t.ledger.deposit(t.buyer, dollars(10));
  t.ledger.pay_gas(t.buyer, dollars(0.25));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, dollars(9.75));
  EXPECT_EQ(t.ledger.gas_paid(), dollars(0.25));
  EXPECT_EQ(t.ledger.fee_pool(), Amount(0));
}

TEST(Ledger, TransferMovesMoneyBetweenAccounts) {
  TwoTraders t;
  t.ledger.deposit(t.buyer, dollars(10));
  t.ledger.transfer(t.buyer, t.seller, dollars(3));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, dollars(7));
  EXPECT_EQ(t.ledger.account(t.seller).balance, dollars(3));
}

TEST(Ledger, FundingPoolHelpersKeepTheResidueInTheFeePool) {
  TwoTraders t;
  t.ledger.pool_collect(t.buyer, Amount(1'000'001));
  t.ledger.pool_pay(t.seller, Amount(1'000'000));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.fee_pool(), Amount(1));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, Amount(-1'000'001));
  EXPECT_EQ(t.ledger.account(t.seller).balance, Amount(1'000'000));
}

TEST(Ledger, FundCreditAndDebitWithinTheFundMoveMoneyExactly) {
  TwoTraders t;
  t.ledger.seed_insurance_fund(dollars(100));
  t.ledger.deposit(t.buyer, dollars(30));
  t.ledger.fund_credit(t.buyer, dollars(30));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.insurance_fund(), dollars(130));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, Amount(0));
  const Amount paid = t.ledger.fund_debit(t.seller, dollars(130));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(paid, dollars(130));
  EXPECT_EQ(t.ledger.insurance_fund(), Amount(0));
  EXPECT_EQ(t.ledger.account(t.seller).balance, dollars(130));
  EXPECT_EQ(t.ledger.bad_debt(), Amount(0));
}

TEST(Ledger, FundDebitBeyondTheFundRecordsTheRestAsBadDebt) {
  TwoTraders t;
  t.ledger.seed_insurance_fund(dollars(100));
  const Amount paid = t.ledger.fund_debit(t.buyer, dollars(150));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(paid, dollars(100));
  EXPECT_EQ(t.ledger.insurance_fund(), Amount(0));
  EXPECT_EQ(t.ledger.bad_debt(), dollars(50));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, dollars(150));  // the account is made whole
}

TEST(Ledger, FundDebitFromAnEmptyFundIsAllBadDebt) {
  TwoTraders t;
  const Amount paid = t.ledger.fund_debit(t.buyer, dollars(7));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(paid, Amount(0));
  EXPECT_EQ(t.ledger.bad_debt(), dollars(7));
}

TEST(Ledger, WriteOffClearsANegativeBalanceAsBadDebt) {
  TwoTraders t;
  t.ledger.trade(t.buyer, t.seller, 0, coins(1), dollars(10'000));
  t.ledger.trade(t.seller, t.buyer, 0, coins(1), dollars(9'000));  // buyer realises -1,000
  ASSERT_EQ(t.ledger.account(t.buyer).balance, dollars(-1'000));
  t.ledger.write_off(t.buyer, dollars(1'000));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, Amount(0));
  EXPECT_EQ(t.ledger.bad_debt(), dollars(1'000));
}

TEST(Ledger, ResidualDetectsMoneyCreatedOutsideTheLedgerApi) {
  TwoTraders t;
  t.ledger.account(t.buyer).balance += Amount(1);  // bypasses the ledger: must show up
  EXPECT_EQ(t.ledger.conservation_residual(), Amount(1));
  t.ledger.position(t.buyer, 0).size += Quantity(3);
  EXPECT_EQ(t.ledger.position_residual(0), Quantity(3));
}

TEST(LedgerDeathTest, NegativeDepositAborts) {
  TwoTraders t;
  EXPECT_DEATH(t.ledger.deposit(t.buyer, Amount(-1)), "negative deposit");
}

TEST(LedgerDeathTest, NonPositiveTradeQuantityAborts) {
  TwoTraders t;
  EXPECT_DEATH(t.ledger.trade(t.buyer, t.seller, 0, Quantity(0), Amount(0)), "quantity must be positive");
}

}  // namespace
}  // namespace liqsim
