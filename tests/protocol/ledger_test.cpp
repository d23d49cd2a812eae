#include "protocol/ledger.h"

#include <gtest/gtest.h>

#include "core/checked.h"
#include "protocol/interest_index.h"

namespace liqsim {
namespace {

Amount dollars(double x) { return amount_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }

// The ledger's conservation contract (ledger.h): money residual 0 and every market's positions sum to 0.
::testing::AssertionResult conserved(const Ledger& ledger) {
  if (ledger.conservation_residual() != Amount(0))
    return ::testing::AssertionFailure()
           << "money residual " << format_amount(ledger.conservation_residual());
  for (MarketId m(0); m.raw() < ledger.market_count(); ++m)
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
  t.ledger.trade(t.buyer, t.seller, MarketId(0), coins(1.5), cash);
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, -cash);
  EXPECT_EQ(t.ledger.account(t.seller).balance, cash);
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).size, coins(1.5));
  EXPECT_EQ(t.ledger.position(t.seller, MarketId(0)).size, coins(-1.5));
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).open_notional, cash);
  EXPECT_EQ(t.ledger.position(t.seller, MarketId(0)).open_notional, -cash);
  EXPECT_TRUE(t.ledger.has_position(t.buyer));
  EXPECT_TRUE(t.ledger.has_position(t.seller));
}

TEST(Ledger, OpenNotionalAccumulatesWhenAPositionGrows) {
  TwoTraders t;
  t.ledger.trade(t.buyer, t.seller, MarketId(0), coins(1), dollars(10'000));
  t.ledger.trade(t.buyer, t.seller, MarketId(0), coins(2), dollars(24'000));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).size, coins(3));
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).open_notional, dollars(34'000));
  EXPECT_EQ(t.ledger.position(t.seller, MarketId(0)).open_notional, dollars(-34'000));
}

// Reducing keeps the old cost scaled by the remaining share, rounded toward zero on both sides:
// 10,000.000001 * 2/3 = 6,666.666667333... -> 6,666.666667 (long) and -6,666.666667 (short).
TEST(Ledger, PartialReduceKeepsTheProportionalCostRoundedTowardZero) {
  TwoTraders t;
  t.ledger.trade(t.buyer, t.seller, MarketId(0), coins(3), Amount(10'000'000'001));
  t.ledger.trade(t.seller, t.buyer, MarketId(0), coins(1),
                 dollars(4'000));  // buyer sells 1 back, seller buys 1
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).size, coins(2));
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).open_notional, Amount(6'666'666'667));
  EXPECT_EQ(t.ledger.position(t.seller, MarketId(0)).size, coins(-2));
  EXPECT_EQ(t.ledger.position(t.seller, MarketId(0)).open_notional, Amount(-6'666'666'667));
  EXPECT_EQ(t.ledger.account(t.buyer).balance, Amount(-10'000'000'001 + 4'000'000'000));
}

// A sell of 3 against a long of 1 closes it and opens a short of 2 whose cost is the trade's price:
// floor(36,000.000001 * 2/3) = floor(24,000.000000666) = 24,000.
TEST(Ledger, FlipOpensTheExcessAtTheTradePrice) {
  TwoTraders t;
  t.ledger.trade(t.buyer, t.seller, MarketId(0), coins(1), dollars(10'000));
  t.ledger.trade(t.seller, t.buyer, MarketId(0), coins(3), Amount(36'000'000'001));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).size, coins(-2));
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).open_notional, dollars(-24'000));
  EXPECT_EQ(t.ledger.position(t.seller, MarketId(0)).size, coins(2));
  EXPECT_EQ(t.ledger.position(t.seller, MarketId(0)).open_notional, dollars(24'000));
}

TEST(Ledger, ClosingResetsTheOpenNotionalAndRealisesThePnlInTheBalance) {
  TwoTraders t;
  t.ledger.trade(t.buyer, t.seller, MarketId(0), coins(1), dollars(10'000));
  t.ledger.trade(t.seller, t.buyer, MarketId(0), coins(1), dollars(11'000));
  EXPECT_TRUE(conserved(t.ledger));
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(t.ledger.position(t.buyer, MarketId(0)).open_notional, Amount(0));
  EXPECT_EQ(t.ledger.position(t.seller, MarketId(0)).open_notional, Amount(0));
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
  ledger.trade(a, b, MarketId(0), coins(2), dollars(20'000));  // a +2, b -2
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.open_interest(MarketId(0)), coins(2));
  ledger.trade(c, a, MarketId(0), coins(0.5), dollars(5'000));  // a +1.5, c +0.5: the long changes hands
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.open_interest(MarketId(0)), coins(2));
  ledger.trade(b, c, MarketId(0), coins(1.5), dollars(15'000));  // b -0.5, c flips to -1
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.open_interest(MarketId(0)), coins(1.5));
  ledger.trade(b, a, MarketId(0), coins(1.5), dollars(15'000));  // a closes, b flips to +1
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.open_interest(MarketId(0)), coins(1));
  EXPECT_EQ(ledger.open_interest(MarketId(1)), Quantity(0));
}

TEST(Ledger, PositionsOfDifferentMarketsAreSeparate) {
  Ledger ledger(2);
  const AccountId a = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  const AccountId b = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  ledger.trade(a, b, MarketId(1), coins(4), dollars(8'000));
  EXPECT_TRUE(conserved(ledger));
  EXPECT_EQ(ledger.position(a, MarketId(0)).size, Quantity(0));
  EXPECT_EQ(ledger.position(a, MarketId(1)).size, coins(4));
  EXPECT_EQ(ledger.open_interest(MarketId(1)), coins(4));
  EXPECT_EQ(ledger.open_interest(MarketId(0)), Quantity(0));
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
  t.ledger.trade(t.buyer, t.seller, MarketId(0), coins(1), dollars(10'000));
  t.ledger.trade(t.seller, t.buyer, MarketId(0), coins(1), dollars(9'000));  // buyer realises -1,000
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
  t.ledger.position(t.buyer, MarketId(0)).size += Quantity(3);
  EXPECT_EQ(t.ledger.position_residual(MarketId(0)), Quantity(3));
}

TEST(LedgerDeathTest, NegativeDepositAborts) {
  TwoTraders t;
  EXPECT_DEATH(t.ledger.deposit(t.buyer, Amount(-1)), "negative deposit");
}

TEST(LedgerDeathTest, NonPositiveTradeQuantityAborts) {
  TwoTraders t;
  EXPECT_DEATH(t.ledger.trade(t.buyer, t.seller, MarketId(0), Quantity(0), Amount(0)),
               "quantity must be positive");
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// Ledger v2: assets with their own scales, places as accounts, scaled debt, transactions, checked
// arithmetic.

TEST(LedgerV2, PlacesAreOrdinaryAccountsAndEveryQuoteBalanceSumsToZero) {
  Ledger ledger(1);
  EXPECT_EQ(ledger.account_count(), kPlaceCount);
  const AccountId a = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  EXPECT_EQ(a, AccountId(kPlaceCount));
  ledger.deposit(a, dollars(100));
  ledger.seed_insurance_fund(dollars(10));
  ledger.pay_fee(a, dollars(1));
  ledger.pay_gas(a, dollars(2));
  ledger.fund_debit(a, dollars(15));  // 10 from the fund, 5 recorded as deficit
  EXPECT_EQ(ledger.account(place_account(Place::Outside)).balance, dollars(-110));
  EXPECT_EQ(ledger.account(place_account(Place::FeePool)).balance, dollars(1));
  EXPECT_EQ(ledger.account(place_account(Place::BlockProducer)).balance, dollars(2));
  EXPECT_EQ(ledger.account(place_account(Place::Deficit)).balance, dollars(-5));
  EXPECT_EQ(ledger.bad_debt(), dollars(5));
  EXPECT_EQ(ledger.external_deposits(), dollars(110));
  for (uint32_t p = 0; p < kPlaceCount; ++p)
    EXPECT_EQ(ledger.account(AccountId(p)).role, AgentRole::Protocol);
  // Exactly zero, every place included (no separate "external" counter).
  __int128 sum = 0;
  for (AccountId x(0); x.raw() < ledger.account_count(); ++x) sum += ledger.account(x).balance.raw();
  EXPECT_EQ(sum, 0);
  EXPECT_TRUE(conserved(ledger));
  EXPECT_STREQ(place_name(Place::StabilityPool), "stability_pool");
}

TEST(LedgerV2, AssetsKeepTheirOwnScalesAndMovesConserveEachAsset) {
  Ledger ledger(0);
  const AssetId btc = ledger.add_asset({"BTC", 8, AssetKind::Coin, {}});
  const AssetId eth = ledger.add_asset({"ETH", 9, AssetKind::Coin, {}});
  EXPECT_EQ(ledger.asset(btc).decimals, 8);
  EXPECT_EQ(ledger.asset(eth).symbol, "ETH");
  EXPECT_EQ(ledger.asset(kQuoteAsset).symbol, "USD");
  const AccountId a = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  const AccountId b = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  ledger.deposit_asset(a, btc, AssetAmount(150'000'000));    // 1.5 BTC
  ledger.deposit_asset(b, eth, AssetAmount(2'000'000'000));  // 2 ETH
  ledger.move(a, b, btc, AssetAmount(50'000'000));           // 0.5 BTC
  ledger.move(b, a, eth, AssetAmount(-250'000'000));         // negative: 0.25 ETH from a to b... a has none
  EXPECT_EQ(ledger.balance(a, btc), AssetAmount(100'000'000));
  EXPECT_EQ(ledger.balance(b, btc), AssetAmount(50'000'000));
  EXPECT_EQ(ledger.balance(a, eth), AssetAmount(-250'000'000));
  EXPECT_EQ(ledger.balance(b, eth), AssetAmount(2'250'000'000));
  for (AssetId x : {kQuoteAsset, btc, eth}) EXPECT_EQ(ledger.conservation_residual(x), AssetAmount(0));
  // Sparse rows: only non-zero balances are stored, listed by (account, asset).
  const auto rows = ledger.holdings();
  ASSERT_EQ(rows.size(), 6u);  // a: BTC, ETH; b: BTC, ETH; outside: BTC, ETH
  EXPECT_EQ(rows.front().account, place_account(Place::Outside));
  ledger.move(a, b, btc, AssetAmount(100'000'000));
  EXPECT_EQ(ledger.balance(a, btc), AssetAmount(0));
  EXPECT_EQ(ledger.holdings().size(), 5u);
}

// A lending account: collateral in two assets (BTC, ETH), debt in a third (USDC) held as scaled debt
// shares against an interest index. Every asset is conserved at every step.
TEST(LedgerV2, LendingAccountWithTwoCollateralsAndScaledDebtIsConserved) {
  Ledger ledger(0);
  const AssetId usdc = ledger.add_asset({"USDC", 6, AssetKind::Stablecoin, {}});
  const AssetId btc = ledger.add_asset({"BTC", 8, AssetKind::Coin, {}});
  const AssetId eth = ledger.add_asset({"ETH", 9, AssetKind::Coin, {}});
  const AssetId debt = ledger.add_asset({"dUSDC", 6, AssetKind::DebtShare, usdc});
  const AccountId lender = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  const AccountId borrower = ledger.open_account(AgentRole::Trader, MarginMode::Cross);
  const AccountId pool = place_account(Place::LendingPool);
  ledger.deposit_asset(lender, usdc, AssetAmount(1'000'000'000'000));  // $1M
  ledger.move(lender, pool, usdc, AssetAmount(1'000'000'000'000));     // supplied to the pool
  ledger.deposit_asset(borrower, btc, AssetAmount(100'000'000));       // 1 BTC
  ledger.deposit_asset(borrower, eth, AssetAmount(10'000'000'000));    // 10 ETH
  ledger.move(borrower, pool, btc, AssetAmount(100'000'000));          // posted as collateral
  ledger.move(borrower, pool, eth, AssetAmount(10'000'000'000));

  InterestIndex index(ray_from_double(0.05), Time(0));  // 5% a year
  index.accrue(seconds(86400 * 30));
  const Ray i = index.value();
  EXPECT_GT(i, Ray::one());
  ledger.borrow(borrower, debt, AssetAmount(30'000'000'000), i);  // $30,000
  // Shares round up: the debt is worth at least what was borrowed.
  EXPECT_GE(ledger.debt_value(borrower, debt, i), AssetAmount(30'000'000'000));
  EXPECT_LE(ledger.debt_value(borrower, debt, i), AssetAmount(30'000'000'001));
  EXPECT_EQ(ledger.balance(borrower, usdc), AssetAmount(30'000'000'000));
  // A year later the same shares are worth 5% more (compounded: a little more than 5%).
  index.accrue(seconds(86400 * 30 + kAaveSecondsPerYear));
  const Ray later = index.value();
  const double growth = double(ledger.debt_value(borrower, debt, later).raw()) / 30e9;
  EXPECT_GT(growth, 1.05);
  EXPECT_LT(growth, 1.0513);  // e^0.05 = 1.05127
  // Repaying exactly the current value clears the shares (repay rounds the shares burnt down: at most
  // one share of dust may stay).
  const AssetAmount owed = ledger.debt_value(borrower, debt, later);
  ledger.deposit_asset(borrower, usdc, owed - AssetAmount(30'000'000'000));
  ledger.repay(borrower, debt, owed, later);
  EXPECT_LE(ledger.balance(borrower, debt).raw(), 1);
  EXPECT_GE(ledger.balance(borrower, debt).raw(), 0);
  for (AssetId x : {kQuoteAsset, usdc, btc, eth, debt})
    EXPECT_EQ(ledger.conservation_residual(x), AssetAmount(0));
  EXPECT_EQ(ledger.balance(pool, btc), AssetAmount(100'000'000));
}

TEST(LedgerV2, TransactionRevertRestoresEverythingExactly) {
  TwoTraders t;
  Ledger& ledger = t.ledger;
  const AssetId btc = ledger.add_asset({"BTC", 8, AssetKind::Coin, {}});
  ledger.deposit(t.buyer, dollars(5000));
  ledger.deposit(t.seller, dollars(5000));
  ledger.trade(t.buyer, t.seller, MarketId(0), coins(1), dollars(100));
  const Position buyer_before = ledger.position(t.buyer, MarketId(0));
  const Amount buyer_balance = ledger.account(t.buyer).balance;
  const Quantity oi = ledger.open_interest(MarketId(0));
  {
    Ledger::Transaction tx(ledger);
    ledger.trade(t.seller, t.buyer, MarketId(0), coins(0.4), dollars(37));  // partial reduce: cost rescaled
    ledger.trade(t.seller, t.buyer, MarketId(0), coins(2), dollars(150));   // flip
    ledger.deposit(t.buyer, dollars(1));
    ledger.deposit_asset(t.buyer, btc, AssetAmount(5));
    ledger.pay_fee(t.buyer, dollars(3));
    EXPECT_NE(ledger.position(t.buyer, MarketId(0)).size, buyer_before.size);
    tx.revert();
  }
  EXPECT_EQ(ledger.position(t.buyer, MarketId(0)).size, buyer_before.size);
  EXPECT_EQ(ledger.position(t.buyer, MarketId(0)).open_notional, buyer_before.open_notional);
  EXPECT_EQ(ledger.account(t.buyer).balance, buyer_balance);
  EXPECT_EQ(ledger.account(t.buyer).deposits, dollars(5000));
  EXPECT_EQ(ledger.open_interest(MarketId(0)), oi);
  EXPECT_EQ(ledger.balance(t.buyer, btc), AssetAmount(0));
  EXPECT_TRUE(ledger.holdings().empty());
  EXPECT_EQ(ledger.fee_pool(), Amount(0));
  EXPECT_TRUE(conserved(ledger));
}

TEST(LedgerV2, UncommittedTransactionRevertsAndCommittedOneStays) {
  TwoTraders t;
  Ledger& ledger = t.ledger;
  ledger.deposit(t.buyer, dollars(10));
  {
    Ledger::Transaction tx(ledger);
    ledger.transfer(t.buyer, t.seller, dollars(4));
  }  // destroyed uncommitted
  EXPECT_EQ(ledger.account(t.buyer).balance, dollars(10));
  {
    Ledger::Transaction outer(ledger);
    ledger.transfer(t.buyer, t.seller, dollars(1));
    {
      Ledger::Transaction inner(ledger);
      ledger.transfer(t.buyer, t.seller, dollars(2));
      inner.revert();  // only the inner part
    }
    {
      Ledger::Transaction inner(ledger);
      ledger.transfer(t.buyer, t.seller, dollars(3));
      inner.commit();  // kept by the outer scope
    }
    outer.commit();
  }
  EXPECT_EQ(ledger.account(t.buyer).balance, dollars(6));
  EXPECT_EQ(ledger.account(t.seller).balance, dollars(4));
  EXPECT_TRUE(conserved(ledger));
}

TEST(LedgerV2, OverflowIsAnErrorNamingTheOperationAndTheValues) {
  TwoTraders t;
  Ledger& ledger = t.ledger;
  ledger.deposit(t.buyer, Amount(Amount::max().raw() - 10));
  try {
    ledger.transfer(t.seller, t.buyer, Amount(11));
    FAIL() << "no error";
  } catch (const ArithmeticError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("credit of the quote balance"), std::string::npos) << what;
    EXPECT_NE(what.find("9223372036854775797 + 11"), std::string::npos) << what;
  }
  // The failed move changed nothing: neither side was written.
  EXPECT_EQ(ledger.account(t.seller).balance, Amount(0));
  EXPECT_EQ(ledger.conservation_residual(), Amount(0));
  const AssetId btc = ledger.add_asset({"BTC", 8, AssetKind::Coin, {}});
  const AccountId outside = place_account(Place::Outside);
  ledger.move(outside, t.buyer, btc, AssetAmount(AssetAmount::max().raw() - 3));
  EXPECT_THROW(ledger.move(outside, t.buyer, btc, AssetAmount(5)), ArithmeticError);
  EXPECT_EQ(ledger.balance(t.buyer, btc), AssetAmount(AssetAmount::max().raw() - 3));
  EXPECT_EQ(ledger.conservation_residual(btc), AssetAmount(0));
}

}  // namespace
}  // namespace liqsim
