#include "agents/keeper.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "core/recorder.h"
#include "protocol/liquidation.h"
#include "tests/agents/fake_context.h"

namespace liqsim {
namespace {

constexpr uint64_t kSeed = 20'240'614;
constexpr Price kTick(10'000);  // 0.01 $
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
Amount usd(double x) { return amount_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }

// Close factor 50%, bonus 5%: on a 10-coin position at a mark of 100 $ the reward is 0.5 * 10 * 100 *
// 5% = 25 $. Gas 1 $ and a fixed priority fee of 2 $ cost 3 $, leaving exactly the 22 $ minimum profit.
KeeperParams base_params() {
  KeeperParams p;
  p.latency = seconds(2);
  p.latency_jitter = seconds(1);
  p.priority_fee_min = usd(2);
  p.priority_fee_max = usd(2);
  p.min_profit = usd(22);
  p.twap = false;
  p.twap_horizon = seconds(0);
  p.twap_slices = 1;
  p.liquidation = KeeperLiquidationParams{rate(0.5), rate(0.05), Amount(0)};
  return p;
}

// A market at 100 $ with MMR 5% and IMR 10%, an outside counterparty and liquidatable traders.
struct Fixture {
  Fixture()
      : ctx(1, kTick, px(100), TieredMaintenanceMargin::flat(rate(0.05), rate(0.10))),
        lp(ctx.open_account(AgentRole::MarketMaker, usd(1e9))) {
    ctx.set_base_fee(usd(1));  // the chain's base fee: gas 1 $ per transaction
  }

  // A trader holding `size` coins (negative: short) entered at 100 $ with 30 $ of margin: equity 30 $
  // against MM 50 $ for 10 coins, so liquidatable.
  AccountId liquidatable_trader(double size) {
    const AccountId a = ctx.open_account(AgentRole::Trader, usd(30));
    const Quantity q = coins(std::abs(size));
    if (size > 0)
      ctx.ch().ledger().trade(a, lp, MarketId(0), q, notional(px(100), q, Round::Down));
    else
      ctx.ch().ledger().trade(lp, a, MarketId(0), q, notional(px(100), q, Round::Down));
    return a;
  }
  std::vector<AccountId> open_keepers(int n, double capital = 1000) {
    std::vector<AccountId> ids;
    for (int i = 0; i < n; ++i) ids.push_back(ctx.open_account(AgentRole::Keeper, usd(capital)));
    return ids;
  }
  // The protocol's side of a keeper transaction: the real keeper take-over against the fake's ledger.
  KeeperTakeover take_over(const KeeperParams& p, AccountId keeper, AccountId target) {
    KeeperLiquidation mechanism(p.liquidation, ctx.ch(), log);
    return mechanism.execute(keeper, target, LiquidationTrigger{ctx.now(), kNoId, std::nullopt});
  }
  Quantity position(AccountId a) const { return ctx.clearing().ledger().position(a, MarketId(0)).size; }

  FakeContext ctx;
  RunLog log;
  AccountId lp;
};

// ---- Deciding to send ----

// Flash loans (KeeperParams::flash_loan): a long's take of 5 coins (close factor 50%) at 95 $ costs 475 $;
// a 1,000-coin pool at 100 $ (0.3% fee) pays about 496 $ for them, so a keeper with 5 $, enough for gas
// and its fee only, sends a flash-financed transaction; a 10-coin pool pays too little and nobody sends;
// a short is no flash take: only a keeper with the capital to carry it sends, without a loan.
KeeperParams flash_params(bool on_amm = true) {
  KeeperParams p = base_params();
  p.unwind_on_amm = on_amm;
  p.min_profit = usd(0);
  p.flash_loan = true;
  p.flash_loan_fee = rate(0.0005);
  return p;
}

TEST(Keepers, FlashLoanKeepersNeedOnlyGasWhenThePoolPaysForTheTake) {
  Fixture f;
  f.ctx.add_amm(MarketId(0), coins(1'000), usd(100'000), rate(0.003));
  const AccountId target = f.liquidatable_trader(10);
  Keepers keepers(flash_params(), f.open_keepers(1, 5), kSeed);
  keepers.on_opportunity(f.ctx, target);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_TRUE(f.ctx.liquidation_txs[0].intent.flash_loan);
  // Without the loan the same keeper cannot carry the take (50 $ of initial margin).
  KeeperParams no_flash = flash_params();
  no_flash.flash_loan = false;
  Keepers poor(no_flash, f.open_keepers(1, 5), kSeed);
  poor.on_opportunity(f.ctx, target);
  EXPECT_EQ(f.ctx.liquidation_txs.size(), 1u);
}

TEST(Keepers, FlashLoanKeepersSkipATakeTheShallowPoolCannotRepay) {
  Fixture f;
  f.ctx.add_amm(MarketId(0), coins(10), usd(1'000), rate(0.003));
  const AccountId target = f.liquidatable_trader(10);
  Keepers keepers(flash_params(), f.open_keepers(1, 1'000), kSeed);
  keepers.on_opportunity(f.ctx, target);
  EXPECT_TRUE(f.ctx.liquidation_txs.empty());
}

TEST(Keepers, FlashLoanKeepersTakeAShortWithTheirOwnCapital) {
  Fixture f;
  f.ctx.add_amm(MarketId(0), coins(1'000), usd(100'000), rate(0.003));
  const AccountId target = f.liquidatable_trader(-10);
  const AccountId poor = f.open_keepers(1, 5)[0];
  const AccountId rich = f.open_keepers(1, 1'000)[0];
  Keepers keepers(flash_params(), {poor, rich}, kSeed);
  keepers.on_opportunity(f.ctx, target);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].keeper, rich);
  EXPECT_FALSE(f.ctx.liquidation_txs[0].intent.flash_loan);
}

// Flash loans sold on the book (no pool, unwind on the book): the same 5-coin take costs 475 $ of loan
// plus 0.2375 $ of fee; bids for 5 coins at 100 $ pay 500 $ (no taker fee here), at 95.70 $ 478.50 $, which
// still covers loan, fee and the 3 $ of gas and priority fee, at 95.05 $ 475.25 $, which does not; bids
// for fewer than 5 coins cannot take the sale at all. The keeper has 5 $, so it sends only a flash take.
TEST(Keepers, FlashLoanKeepersSellIntoTheBookWhenItRepaysTheLoan) {
  const auto sends = [](double bid, double size) {
    Fixture f;
    const AccountId target = f.liquidatable_trader(10);
    f.ctx.submit(MarketId(0), OrderRequest{f.lp, Side::Buy, OrderType::Limit, px(bid), coins(size)});
    Keepers keepers(flash_params(/*on_amm=*/false), f.open_keepers(1, 5), kSeed);
    keepers.on_opportunity(f.ctx, target);
    return f.ctx.liquidation_txs.size() == 1 && f.ctx.liquidation_txs[0].intent.flash_loan;
  };
  EXPECT_TRUE(sends(100, 5));
  EXPECT_TRUE(sends(95.70, 5));
  EXPECT_FALSE(sends(95.05, 5));
  EXPECT_FALSE(sends(100, 4.99));
}

// Keeper groups (KeeperParams::groups): the last keepers follow their group's strategy. Of three keepers
// with 10 $ each, the first (the population's rule: the drawn 2 $ fee, no flash loan) cannot carry the
// take; the second group's member bids 7 $ with a flash loan and sends; the third's minimum profit is
// beyond the reward, so it does not.
TEST(Keepers, GroupMembersFollowTheirGroupsStrategy) {
  Fixture f;
  f.ctx.add_amm(MarketId(0), coins(1'000), usd(100'000), rate(0.003));
  const AccountId target = f.liquidatable_trader(10);
  KeeperParams p = base_params();
  p.min_profit = usd(0);
  p.unwind_on_amm = true;
  p.flash_loan_fee = rate(0.0005);
  p.groups = {KeeperStrategy{1, usd(7), usd(0), false, false, true},
              KeeperStrategy{1, usd(1), usd(1'000), false, false, true}};
  const std::vector<AccountId> ids = f.open_keepers(3, 10);
  Keepers keepers(p, ids, kSeed);
  EXPECT_EQ(keepers.bid_level(0), usd(2));
  EXPECT_EQ(keepers.bid_level(1), usd(7));
  EXPECT_EQ(keepers.bid_level(2), usd(1));
  keepers.on_opportunity(f.ctx, target);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].keeper, ids[1]);
  EXPECT_EQ(f.ctx.liquidation_txs[0].priority_fee, usd(7));
  EXPECT_TRUE(f.ctx.liquidation_txs[0].intent.flash_loan);
}

// The book's sale net of the taker fee, rounded against the keeper.
TEST(Keepers, BookSaleIsTheBidsLessTheTakerFee) {
  OrderBook book(kTick);
  const AccountId maker(20);
  book.submit(OrderRequest{maker, Side::Buy, OrderType::Limit, px(100), coins(1)});
  book.submit(OrderRequest{maker, Side::Buy, OrderType::Limit, px(99), coins(2)});
  EXPECT_EQ(Keepers::book_sale(book, coins(3), rate(0.001)), usd(298) - usd(0.298));
  EXPECT_EQ(Keepers::book_sale(book, coins(3), rate(0)), usd(298));
  EXPECT_EQ(Keepers::book_sale(book, coins(3.5), rate(0)), std::nullopt);
}

// The unwind priced at the book (KeeperParams::unwind_valuation_book): the 5-coin take of a long is worth
// 500 $ at the mark and leaves exactly the 22 $ minimum; bids for all of it at 100 $ keep that, bids a cent
// lower cost the keeper 5 cents and it passes, and a book that holds fewer than 5 coins of bids cannot
// take the unwind at all. The mark valuation sends in every case.
TEST(Keepers, BookValuationPassesWhenTheBidsDoNotPayForTheUnwind) {
  const auto sends = [](double bid, double size, bool at_book) {
    Fixture f;
    const AccountId target = f.liquidatable_trader(10);
    f.ctx.submit(MarketId(0), OrderRequest{f.lp, Side::Buy, OrderType::Limit, px(bid), coins(size)});
    KeeperParams p = base_params();
    p.unwind_valuation_book = at_book;
    Keepers keepers(p, f.open_keepers(1), kSeed);
    keepers.on_opportunity(f.ctx, target);
    return f.ctx.liquidation_txs.size() == 1;
  };
  EXPECT_TRUE(sends(100, 5, true));
  EXPECT_FALSE(sends(99.99, 5, true));
  EXPECT_FALSE(sends(100, 4.99, true));
  EXPECT_TRUE(sends(99.99, 5, false));
  EXPECT_TRUE(sends(100, 4.99, false));
}

// Walking the book: proceeds of a sale into the bids round down, the cost of a buy from the asks up.
TEST(Keepers, BookValueWalksTheLevels) {
  OrderBook book(kTick);
  const AccountId maker(20);
  book.submit(OrderRequest{maker, Side::Buy, OrderType::Limit, px(100), coins(1)});
  book.submit(OrderRequest{maker, Side::Buy, OrderType::Limit, px(99), coins(2)});
  book.submit(OrderRequest{maker, Side::Sell, OrderType::Limit, px(101), coins(1)});
  EXPECT_EQ(Keepers::book_value(book, Side::Buy, coins(2)), usd(100 + 99));
  EXPECT_EQ(Keepers::book_value(book, Side::Buy, coins(3)), usd(100 + 2 * 99));
  EXPECT_EQ(Keepers::book_value(book, Side::Buy, coins(3.5)), std::nullopt);
  EXPECT_EQ(Keepers::book_value(book, Side::Sell, coins(0.5)), usd(50.5));
  EXPECT_EQ(Keepers::book_value(book, Side::Sell, coins(2)), std::nullopt);
}

TEST(Keepers, SendsWhenRewardCoversGasFeeAndMinProfit) {
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  const auto ids = f.open_keepers(1);
  Keepers keepers(base_params(), ids, kSeed);
  f.ctx.advance_to(seconds(50));
  keepers.on_opportunity(f.ctx, target);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  const auto& tx = f.ctx.liquidation_txs[0];
  EXPECT_EQ(tx.keeper, ids[0]);
  EXPECT_EQ(tx.target, target);
  EXPECT_EQ(tx.priority_fee, usd(2));
  EXPECT_EQ(tx.sent, seconds(50));
}

TEST(Keepers, NoTransactionOneMicroDollarBelowMinProfit) {
  KeeperParams p = base_params();
  p.min_profit = usd(22) + Amount(1);
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  Keepers keepers(p, f.open_keepers(1), kSeed);
  keepers.on_opportunity(f.ctx, target);
  EXPECT_TRUE(f.ctx.liquidation_txs.empty());
}

// Capital: equity - gas - fee must cover IM at max leverage on the seized notional, 500 $ * 10% = 50 $,
// so 53 $ is just enough and one micro-dollar less is not.
TEST(Keepers, SendsOnlyWithCapitalToCarryTheSeizedPosition) {
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  const AccountId rich = f.open_keepers(1, 53)[0];
  const AccountId poor = f.ctx.open_account(AgentRole::Keeper, usd(53) - Amount(1));
  Keepers keepers(base_params(), {rich, poor}, kSeed);
  keepers.on_opportunity(f.ctx, target);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].keeper, rich);
}

TEST(Keepers, NoTransactionForAnAccountWithoutPosition) {
  Fixture f;
  const AccountId flat = f.ctx.open_account(AgentRole::Trader, usd(30));
  KeeperParams p = base_params();
  p.min_profit = usd(-1000);  // anything would pass the profit test
  Keepers keepers(p, f.open_keepers(1), kSeed);
  keepers.on_opportunity(f.ctx, flat);
  EXPECT_TRUE(f.ctx.liquidation_txs.empty());
}

// ready = now + latency + jitter, jitter uniform in [0, latency_jitter].
TEST(Keepers, ReadyTimeIsNowPlusLatencyPlusJitter) {
  SCOPED_TRACE(testing::Message() << "seed " << kSeed);
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  Keepers keepers(base_params(), f.open_keepers(200), kSeed);
  f.ctx.advance_to(seconds(50));
  keepers.on_opportunity(f.ctx, target);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 200u);
  Time lo = Time::max(), hi = Time::min();
  for (const auto& tx : f.ctx.liquidation_txs) {
    EXPECT_GE(tx.ready, seconds(52));
    EXPECT_LE(tx.ready, seconds(53));
    lo = std::min(lo, tx.ready);
    hi = std::max(hi, tx.ready);
  }
  // 200 uniform draws: P(none in the first or last tenth) = 2 * 0.9^200 ~ 1e-9.
  EXPECT_LT(lo, seconds(52) + millis(100));
  EXPECT_GT(hi, seconds(53) - millis(100));
}

TEST(Keepers, NoDuplicateTransactionWhileOneIsPending) {
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  Keepers keepers(base_params(), f.open_keepers(3), kSeed);
  keepers.on_opportunity(f.ctx, target);
  keepers.on_opportunity(f.ctx, target);
  EXPECT_EQ(f.ctx.liquidation_txs.size(), 3u);
}

TEST(Keepers, SendsAgainOnceThePendingTransactionResolved) {
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  Keepers keepers(base_params(), f.open_keepers(1), kSeed);
  keepers.on_opportunity(f.ctx, target);
  keepers.on_transaction_result(f.ctx, 0, target,
                                KeeperTakeover{});  // NotLiquidatable: someone else was first
  EXPECT_TRUE(f.ctx.submissions.empty()) << "a failed transaction leaves nothing to unwind";
  keepers.on_opportunity(f.ctx, target);
  EXPECT_EQ(f.ctx.liquidation_txs.size(), 2u);
}

TEST(Keepers, PriorityFeesAreDrawnInRangeAndFixedPerKeeper) {
  SCOPED_TRACE(testing::Message() << "seed " << kSeed);
  KeeperParams p = base_params();
  p.priority_fee_min = usd(1);
  p.priority_fee_max = usd(5);
  p.min_profit = usd(0);
  Fixture f;
  const AccountId first = f.liquidatable_trader(10);
  const AccountId second = f.liquidatable_trader(10);
  const int n = 100;
  Keepers keepers(p, f.open_keepers(n), kSeed);
  keepers.on_opportunity(f.ctx, first);
  keepers.on_opportunity(f.ctx, second);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), size_t(2 * n));
  std::set<int64_t> distinct;
  for (int k = 0; k < n; ++k) {
    const auto& a = f.ctx.liquidation_txs[k];
    const auto& b = f.ctx.liquidation_txs[n + k];
    ASSERT_EQ(a.keeper, b.keeper);
    EXPECT_EQ(a.priority_fee, b.priority_fee) << "keeper " << a.keeper;
    EXPECT_GE(a.priority_fee, usd(1));
    EXPECT_LE(a.priority_fee, usd(5));
    distinct.insert(a.priority_fee.raw());
  }
  EXPECT_GT(distinct.size(), 90u);  // micro-dollar resolution: collisions are rare
}

// The chain's base fee is read when the keeper decides: at 2 $ the 25 $ reward minus 2 $ gas and the
// 2 $ fee is 21 $, below the 22 $ minimum.
TEST(Keepers, PriceTransactionsAtTheCurrentBaseFee) {
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  Keepers keepers(base_params(), f.open_keepers(1), kSeed);
  f.ctx.set_base_fee(usd(2));
  keepers.on_opportunity(f.ctx, target);
  EXPECT_TRUE(f.ctx.liquidation_txs.empty());
  f.ctx.set_base_fee(usd(1));
  keepers.on_opportunity(f.ctx, target);
  EXPECT_EQ(f.ctx.liquidation_txs.size(), 1u);
}

// The keeper estimates the protocol's own terms (keeper_take_terms), not close factor x notional x
// bonus. A trader with 10 coins at 100 $ and 2 $ of equity (MM 50 $): the bonus on a 5-coin take would
// be 25 $, but the protocol caps the reward at the account's equity, 2 $, so after 1 $ of gas and the
// 2 $ fee nothing is left and no transaction is sent (one that was would pay gas for 2 $).
TEST(Keepers, EstimatesTheRewardCappedByTheAccountsEquity) {
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  f.ctx.ch().ledger().transfer(target, f.lp, usd(28));  // equity 30 $ -> 2 $
  KeeperParams p = base_params();
  p.min_profit = usd(-1);  // a keeper content with a 1 $ loss: reward 2 $ - cost 3 $ = -1 $ passes
  const auto expected = Keepers::expected_take(p, f.ctx.clearing(), target);
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(expected->terms.reward, usd(2));
  EXPECT_EQ(expected->terms.take, coins(5));
  Keepers content(p, f.open_keepers(1), kSeed);
  content.on_opportunity(f.ctx, target);
  EXPECT_EQ(f.ctx.liquidation_txs.size(), 1u);
  p.min_profit = Amount(0);  // any keeper that wants to break even stays away
  Keepers keepers(p, f.open_keepers(1), kSeed);
  keepers.on_opportunity(f.ctx, target);
  EXPECT_EQ(f.ctx.liquidation_txs.size(), 1u);
  // The protocol pays exactly what was estimated.
  const KeeperTakeover out = f.take_over(p, f.ctx.liquidation_txs[0].keeper, target);
  EXPECT_EQ(out.reward, usd(2));
}

// An account without equity pays no bonus: no keeper sends a transaction for it.
TEST(Keepers, NoTransactionForAnAccountWithoutEquity) {
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  f.ctx.ch().ledger().transfer(target, f.lp, usd(31));  // equity -1 $
  KeeperParams p = base_params();
  p.min_profit = Amount(1);  // free gas and fees: any positive reward would do
  p.priority_fee_min = p.priority_fee_max = Amount(0);
  f.ctx.set_base_fee(Amount(0));
  Keepers keepers(p, f.open_keepers(1), kSeed);
  keepers.on_opportunity(f.ctx, target);
  EXPECT_TRUE(f.ctx.liquidation_txs.empty());
}

// Aave v3's 100% close factor at a health factor <= 0.95 (vector #52): the fixture's trader has HF
// 30 / 50 = 0.6, so the take is all 10 coins (1,000 $) and the capital check is on that notional: IM at
// max leverage 100 $ + 3 $ of costs. 103 $ is enough, 102.999999 $ is not (the close factor alone would
// have asked for 53 $).
TEST(Keepers, CapitalCheckUsesTheWholePositionBelowTheHealthThreshold) {
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  KeeperParams p = base_params();
  p.liquidation.full_close_below_health = rate(0.95);
  const auto expected = Keepers::expected_take(p, f.ctx.clearing(), target);
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(expected->terms.take, coins(10));
  EXPECT_EQ(expected->terms.reward, usd(30));  // 5% of 1,000 $ = 50 $, capped at the equity
  const AccountId rich = f.open_keepers(1, 103)[0];
  const AccountId poor = f.ctx.open_account(AgentRole::Keeper, usd(103) - Amount(1));
  Keepers keepers(p, {rich, poor}, kSeed);
  keepers.on_opportunity(f.ctx, target);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].keeper, rich);
}

// ---- Adaptive bidding ----

KeeperParams adaptive_params() {
  KeeperParams p = base_params();
  p.bidding = KeeperBidding::Adaptive;
  p.priority_fee_min = usd(1);
  p.priority_fee_max = usd(10);
  p.min_profit = usd(0);
  p.bid_raise = rate(1.125);
  p.bid_decay = rate(0.98);
  return p;
}

// Lost: ceil(level x 1.125); won: floor(level x 0.98); both within [min, max].
TEST(KeeperBidding, RaisesAfterALossAndLowersAfterAWinWithinTheRange) {
  const KeeperParams p = adaptive_params();
  EXPECT_EQ(Keepers::next_bid_level(p, usd(2), false), usd(2.25));
  EXPECT_EQ(Keepers::next_bid_level(p, usd(2), true), usd(1.96));
  EXPECT_EQ(Keepers::next_bid_level(p, Amount(1'000'001), false), Amount(1'125'002));  // rounded up
  EXPECT_EQ(Keepers::next_bid_level(p, Amount(1'999'999), true), Amount(1'959'999));   // rounded down
  EXPECT_EQ(Keepers::next_bid_level(p, usd(9.5), false), usd(10));  // 10.6875, capped at the max
  EXPECT_EQ(Keepers::next_bid_level(p, usd(1.01), true), usd(1));   // 0.9898, floored at the min
}

// The bid on one account is capped so that reward - base fee - bid >= min_profit: with a 25 $ reward,
// 1 $ of gas and a 20 $ minimum the keeper bids at most 4 $, and skips the account below the 1 $ floor.
TEST(KeeperBidding, BidKeepsTheExpectedProfitAtLeastTheMinimum) {
  KeeperParams p = adaptive_params();
  p.min_profit = usd(20);
  EXPECT_EQ(Keepers::adaptive_bid(p, usd(10), usd(25), usd(1), p.min_profit), usd(4));
  EXPECT_EQ(Keepers::adaptive_bid(p, usd(3), usd(25), usd(1), p.min_profit), usd(3));
  EXPECT_EQ(Keepers::adaptive_bid(p, usd(10), usd(22), usd(1), p.min_profit), usd(1));  // exactly the floor
  EXPECT_EQ(Keepers::adaptive_bid(p, usd(10), usd(22), usd(1) + Amount(1), p.min_profit), std::nullopt);
}

// A lost race raises the bid the keeper sends next; a won one lowers it. The reward (25 $) less gas
// (1 $) leaves room for any level in [1, 10] $, so the bid sent is the level itself.
TEST(KeeperBidding, AKeeperThatLosesRaisesItsNextBid) {
  const KeeperParams p = adaptive_params();
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  const auto ids = f.open_keepers(1);
  Keepers keepers(p, ids, kSeed);
  const Amount start = keepers.bid_level(0);  // the uniform draw in [1, 10] $
  keepers.on_opportunity(f.ctx, target);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].priority_fee, start);
  keepers.on_transaction_result(f.ctx, 0, target, KeeperTakeover{});  // lost: NotLiquidatable
  const Amount raised = Keepers::next_bid_level(p, start, false);
  EXPECT_EQ(keepers.bid_level(0), raised);
  EXPECT_GT(raised, start);
  keepers.on_opportunity(f.ctx, target);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 2u);
  EXPECT_EQ(f.ctx.liquidation_txs[1].priority_fee, raised);
  // It wins the next race: the level decays.
  f.ctx.place_limit(MarketId(0), f.lp, Side::Buy, px(99), coins(100));
  keepers.on_transaction_result(f.ctx, 0, target, f.take_over(p, ids[0], target));
  EXPECT_EQ(keepers.bid_level(0), Keepers::next_bid_level(p, raised, true));
  EXPECT_LT(keepers.bid_level(0), raised);
}

// A keeper that could not carry the position (its own failure, not a race) keeps its bid; with fixed
// bidding nothing changes the fee.
TEST(KeeperBidding, OnlyRaceOutcomesMoveTheBid) {
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  Keepers adaptive(adaptive_params(), f.open_keepers(1), kSeed);
  const Amount level = adaptive.bid_level(0);
  KeeperTakeover undercollateralised;
  undercollateralised.outcome = KeeperOutcome::KeeperUndercollateralised;
  adaptive.on_transaction_result(f.ctx, 0, target, undercollateralised);
  EXPECT_EQ(adaptive.bid_level(0), level);
  KeeperParams fixed = adaptive_params();
  fixed.bidding = KeeperBidding::Fixed;
  Keepers keepers(fixed, f.open_keepers(1), kSeed);
  const Amount fee = keepers.bid_level(0);
  keepers.on_transaction_result(f.ctx, 0, target, KeeperTakeover{});
  EXPECT_EQ(keepers.bid_level(0), fee);
}

// The same seed draws the same starting levels whatever the bidding rule: fixed runs are unchanged.
TEST(KeeperBidding, StartingLevelsAreTheFixedDraws) {
  KeeperParams fixed = adaptive_params();
  fixed.bidding = KeeperBidding::Fixed;
  Fixture f;
  const auto ids = f.open_keepers(20);
  Keepers a(adaptive_params(), ids, kSeed), b(fixed, ids, kSeed);
  for (uint32_t i = 0; i < 20; ++i) EXPECT_EQ(a.bid_level(i), b.bid_level(i)) << i;
}

// ---- Unwinding a take-over ----

// The keeper takes 5 of the 10 coins; an immediate unwind sells all 5 at once: a reduce-only market
// order tagged with the liquidation id.
TEST(Keepers, ImmediateUnwindSellsTheSeizedPositionAtOnce) {
  Fixture f;
  const KeeperParams p = base_params();
  const AccountId target = f.liquidatable_trader(10);
  const auto ids = f.open_keepers(1);
  Keepers keepers(p, ids, kSeed);
  f.ctx.place_limit(MarketId(0), f.lp, Side::Buy, px(99), coins(100));
  const KeeperTakeover result = f.take_over(p, ids[0], target);
  ASSERT_EQ(result.outcome, KeeperOutcome::Liquidated);
  ASSERT_EQ(result.quantity, coins(5));
  ASSERT_EQ(f.position(ids[0]), coins(5));
  keepers.on_transaction_result(f.ctx, 0, target, result);
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  const OrderRequest& o = f.ctx.submissions[0].order;
  EXPECT_EQ(o.owner, ids[0]);
  EXPECT_EQ(o.side, Side::Sell);
  EXPECT_EQ(o.type, OrderType::Market);
  EXPECT_EQ(o.quantity, coins(5));
  EXPECT_TRUE(o.reduce_only);
  EXPECT_EQ(o.tag, result.liquidation->raw());
  EXPECT_EQ(f.position(ids[0]), Quantity(0));
  EXPECT_EQ(f.ctx.pending_wakes(), 0u);
}

TEST(Keepers, SeizedShortIsBoughtBack) {
  Fixture f;
  const KeeperParams p = base_params();
  const AccountId target = f.liquidatable_trader(-10);
  const auto ids = f.open_keepers(1);
  Keepers keepers(p, ids, kSeed);
  f.ctx.place_limit(MarketId(0), f.lp, Side::Sell, px(101), coins(100));
  const KeeperTakeover result = f.take_over(p, ids[0], target);
  ASSERT_EQ(result.outcome, KeeperOutcome::Liquidated);
  ASSERT_EQ(result.quantity, -coins(5));
  keepers.on_transaction_result(f.ctx, 0, target, result);
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  EXPECT_EQ(f.ctx.submissions[0].order.side, Side::Buy);
  EXPECT_EQ(f.ctx.submissions[0].order.quantity, coins(5));
  EXPECT_TRUE(f.ctx.submissions[0].order.reduce_only);
  EXPECT_EQ(f.position(ids[0]), Quantity(0));
}

// TWAP over 60 s in 3 slices: ceil(5 coins / 3) = 1.66666667 coins now, at +20 s and the rest at +40 s.
TEST(Keepers, TwapUnwindSellsEqualSlicesOverTheHorizon) {
  KeeperParams p = base_params();
  p.twap = true;
  p.twap_horizon = seconds(60);
  p.twap_slices = 3;
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  const auto ids = f.open_keepers(1);
  Keepers keepers(p, ids, kSeed);
  f.ctx.place_limit(MarketId(0), f.lp, Side::Buy, px(99), coins(100));
  f.ctx.advance_to(seconds(100));
  const KeeperTakeover result = f.take_over(p, ids[0], target);
  ASSERT_EQ(result.outcome, KeeperOutcome::Liquidated);
  keepers.on_transaction_result(f.ctx, 0, target, result);
  while (const auto w = f.ctx.pop_wake()) {
    EXPECT_EQ(w->target, 0u);
    EXPECT_EQ(w->arg, result.liquidation->raw());
    keepers.on_wake(f.ctx, w->target, w->arg);
  }
  ASSERT_EQ(f.ctx.submissions.size(), 3u);
  const std::vector<Time> times{seconds(100), seconds(120), seconds(140)};
  const std::vector<Quantity> sizes{Quantity(166'666'667), Quantity(166'666'667), Quantity(166'666'666)};
  for (size_t k = 0; k < 3; ++k) {
    const auto& s = f.ctx.submissions[k];
    EXPECT_EQ(s.at, times[k]) << "slice " << k;
    EXPECT_EQ(s.order.quantity, sizes[k]) << "slice " << k;
    EXPECT_EQ(s.order.side, Side::Sell);
    EXPECT_EQ(s.order.type, OrderType::Market);
    EXPECT_TRUE(s.order.reduce_only);
    EXPECT_EQ(s.order.tag, result.liquidation->raw());
  }
  EXPECT_EQ(f.position(ids[0]), Quantity(0));
}

// Hold by a risk rule: the 5 seized coins (mark 100 at the seizure) are held while the mark stays within
// +2 % / -5 %; checks every 10 s; the whole position is sold at the first check past either level.
struct HoldFixture {
  static KeeperParams params() {
    KeeperParams p = base_params();
    p.hold = true;
    p.hold_horizon = seconds(3600);
    p.hold_check = seconds(10);
    p.hold_take_profit = 0.02;
    p.hold_stop_loss = 0.05;
    return p;
  }
  HoldFixture() : ids(f.open_keepers(1)), keepers(params(), ids, kSeed) {
    target = f.liquidatable_trader(10);
    f.ctx.place_limit(MarketId(0), f.lp, Side::Buy, px(90), coins(100));
    f.ctx.set_mark(MarketId(0), px(100));
    result = f.take_over(params(), ids[0], target);
    keepers.on_transaction_result(f.ctx, 0, target, result);
  }
  // Sets the mark and delivers the next check.
  void check_at(double mark) {
    f.ctx.set_mark(MarketId(0), px(mark));
    const auto w = f.ctx.pop_wake();
    LIQSIM_CHECK(w.has_value() && w->arg == Keepers::kHoldCheck, "a hold check is due");
    keepers.on_wake(f.ctx, w->target, w->arg);
  }
  Fixture f;
  std::vector<AccountId> ids;
  Keepers keepers;
  AccountId target;
  KeeperTakeover result;
};

TEST(Keepers, HoldSellsNothingUntilTheMarkMovesPastItsLevels) {
  HoldFixture h;
  ASSERT_EQ(h.result.outcome, KeeperOutcome::Liquidated);
  EXPECT_TRUE(h.f.ctx.submissions.empty()) << "nothing sold at the seizure";
  h.check_at(101.9);
  h.check_at(95.1);
  EXPECT_TRUE(h.f.ctx.submissions.empty());
  EXPECT_EQ(h.f.position(h.ids[0]), coins(5));
  h.check_at(102);  // +2 %: take the profit
  ASSERT_EQ(h.f.ctx.submissions.size(), 1u);
  EXPECT_EQ(h.f.ctx.submissions[0].order.quantity, coins(5));
  EXPECT_EQ(h.f.ctx.submissions[0].order.side, Side::Sell);
  EXPECT_TRUE(h.f.ctx.submissions[0].order.reduce_only);
  EXPECT_EQ(h.f.position(h.ids[0]), Quantity(0));
  EXPECT_EQ(h.f.ctx.pending_wakes(), 0u) << "nothing left to check";
}

TEST(Keepers, HoldStopsTheLossAndEndsAtTheHorizon) {
  {
    HoldFixture h;
    h.check_at(95);  // -5 %
    ASSERT_EQ(h.f.ctx.submissions.size(), 1u);
    EXPECT_EQ(h.f.position(h.ids[0]), Quantity(0));
  }
  {
    HoldFixture h;
    for (int k = 0; k < 359; ++k) h.check_at(100);  // 3,590 s held
    EXPECT_TRUE(h.f.ctx.submissions.empty());
    h.check_at(100);  // 3,600 s: the horizon
    ASSERT_EQ(h.f.ctx.submissions.size(), 1u);
    EXPECT_EQ(h.f.position(h.ids[0]), Quantity(0));
  }
}

// On-chain keepers swap the seized 5 coins into the market's pool (10 coins / $1,000, 0.3% fee) instead of
// the book, no unit below the index x (1 - 5%) = $95: the pool's marginal bid ends at or above 95, the
// swap takes what it can (about 0.25 coins: 10 x (1 / sqrt(0.95 / 0.997) - 1)), the keeper carries the
// rest; the book is not touched.
TEST(Keepers, OnChainKeepersSwapIntoThePoolDownToTheirLimit) {
  KeeperParams p = base_params();
  p.unwind_on_amm = true;
  p.amm_max_slippage = rate(0.05);
  Fixture f;
  const VenueId pool = f.ctx.add_amm(MarketId(0), coins(10), usd(1'000), rate(0.003));
  const AccountId target = f.liquidatable_trader(10);
  const auto ids = f.open_keepers(1);
  Keepers keepers(p, ids, kSeed);
  f.ctx.place_limit(MarketId(0), f.lp, Side::Buy, px(99), coins(100));
  const KeeperTakeover result = f.take_over(p, ids[0], target);
  ASSERT_EQ(result.outcome, KeeperOutcome::Liquidated);
  keepers.on_transaction_result(f.ctx, 0, target, result);
  ASSERT_EQ(f.ctx.submissions.size(), 1u);
  const auto& s = f.ctx.submissions[0];
  ASSERT_EQ(s.venue, pool);
  EXPECT_EQ(s.order.type, OrderType::ImmediateOrCancel);
  EXPECT_EQ(s.order.limit, px(95));
  EXPECT_TRUE(s.order.reduce_only);
  EXPECT_NEAR(to_double(s.filled), 10 * (1 / std::sqrt(0.95 / 0.997) - 1), 0.01);
  EXPECT_GE(*f.ctx.pool_at(pool)->best_bid(), px(95));
  EXPECT_EQ(f.position(ids[0]), coins(5) - s.filled) << "the keeper carries what the pool would not take";
  EXPECT_EQ(f.ctx.book(MarketId(0)).best_bid(), px(99)) << "the book untouched";
}

// With no bids the first slice cannot trade: the keeper keeps the position and stops unwinding rather
// than waking forever.
TEST(Keepers, UnwindStopsWhenTheBookSideIsEmpty) {
  KeeperParams p = base_params();
  p.twap = true;
  p.twap_horizon = seconds(60);
  p.twap_slices = 3;
  Fixture f;
  const AccountId target = f.liquidatable_trader(10);
  const auto ids = f.open_keepers(1);
  Keepers keepers(p, ids, kSeed);
  const KeeperTakeover result = f.take_over(p, ids[0], target);
  ASSERT_EQ(result.outcome, KeeperOutcome::Liquidated);
  keepers.on_transaction_result(f.ctx, 0, target, result);
  EXPECT_EQ(f.ctx.pending_wakes(), 0u);
  EXPECT_EQ(f.position(ids[0]), coins(5));
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// ---- Gas caps, outages and auction bids ----

TEST(Keepers, ACappedKeeperSendsNothingWhileTheBaseFeeIsAboveItsCap) {
  Fixture f;
  KeeperParams p = base_params();
  p.min_profit = usd(0);
  p.gas_cap = usd(1.5);
  p.capped = 1;  // keeper 0 has the cap, keeper 1 none
  const auto ids = f.open_keepers(2);
  Keepers keepers(p, ids, kSeed);
  f.ctx.set_base_fee(usd(2));
  keepers.on_opportunity(f.ctx, f.liquidatable_trader(10));
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].keeper, ids[1]);
  f.ctx.set_base_fee(usd(1));
  keepers.on_opportunity(f.ctx, f.liquidatable_trader(10));
  EXPECT_EQ(f.ctx.liquidation_txs.size(), 3u) << "below the cap both send";
}

TEST(Keepers, KeepersInAnOutageSendNothingUntilItEnds) {
  Fixture f;
  KeeperParams p = base_params();
  p.down = 1;
  p.outage_start = seconds(10);
  p.outage_end = seconds(20);
  const auto ids = f.open_keepers(2);
  Keepers keepers(p, ids, kSeed);
  f.ctx.advance_to(seconds(15));
  keepers.on_opportunity(f.ctx, f.liquidatable_trader(10));
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].keeper, ids[1]);
  f.ctx.advance_to(seconds(20));
  keepers.on_opportunity(f.ctx, f.liquidatable_trader(10));
  EXPECT_EQ(f.ctx.liquidation_txs.size(), 3u) << "the outage is over at its end";
}

// An English auction of 10 coins for a tab of $800 with the index at 100: the honest keeper bids its
// valuation of the lot (index - 10% = 90 per coin, capped at the tab: $800), the lowballer the smallest
// step; once the tab is bid, only the honest keeper dents, to the largest lot the beg allows.
TEST(Keepers, EnglishAuctionBidsAreTheValuationOrTheSmallestStep) {
  Fixture f;
  KeeperParams p = base_params();
  p.min_profit = usd(0);
  p.auction.enabled = true;
  p.auction.valuation_discount = rate(0.1);
  p.lowball = 1;  // the last keeper
  const auto ids = f.open_keepers(2, 10'000);
  Keepers keepers(p, ids, kSeed);
  const AccountId vault = f.liquidatable_trader(10);
  AuctionView v;
  v.kind = AuctionKind::English;
  v.id = LiquidationId(7);
  v.market = MarketId(0);
  v.lot = coins(10);
  v.tab = usd(800);
  v.min_bid = usd(0.000001);
  f.ctx.auction_views[vault] = {v};
  keepers.on_opportunity(f.ctx, vault);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 2u);
  for (const auto& tx : f.ctx.liquidation_txs) {
    EXPECT_EQ(tx.intent.action, TxAction::Tend);
    EXPECT_EQ(tx.intent.auction, LiquidationId(7));
    EXPECT_EQ(tx.intent.bid, tx.keeper == ids[0] ? usd(800) : usd(0.000001)) << tx.keeper.raw();
  }
  // The dent phase: the tab is bid; the honest keeper (not the bidder) accepts the beg's largest lot.
  Fixture g;
  Keepers dent_keepers(p, g.open_keepers(2, 10'000), kSeed);
  const AccountId vault2 = g.liquidatable_trader(10);
  v.dent_phase = true;
  v.bid = usd(800);
  v.max_lot = coins(9.5);
  g.ctx.auction_views[vault2] = {v};
  dent_keepers.on_opportunity(g.ctx, vault2);
  ASSERT_EQ(g.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(g.ctx.liquidation_txs[0].intent.action, TxAction::Dent);
  EXPECT_EQ(g.ctx.liquidation_txs[0].intent.quantity, coins(9.5));
}

// A Dutch auction: a keeper takes when the curve's price is at or below its valuation, as much as its DAI
// buys, with its valuation as the highest price.
TEST(Keepers, DutchAuctionTakesOnlyAtOrBelowTheValuation) {
  Fixture f;
  KeeperParams p = base_params();
  p.min_profit = usd(0);
  p.auction.enabled = true;
  p.auction.valuation_discount = rate(0.1);
  Keepers keepers(p, f.open_keepers(1, 450), kSeed);
  const AccountId vault = f.liquidatable_trader(10);
  AuctionView v;
  v.kind = AuctionKind::Dutch;
  v.id = LiquidationId(3);
  v.market = MarketId(0);
  v.lot = coins(10);
  v.tab = usd(1000);
  v.price = px(91);
  f.ctx.auction_views[vault] = {v};
  keepers.on_opportunity(f.ctx, vault);
  EXPECT_TRUE(f.ctx.liquidation_txs.empty()) << "91 is above the valuation of 90";
  v.price = px(90);
  f.ctx.auction_views[vault] = {v};
  keepers.on_opportunity(f.ctx, vault);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].intent.action, TxAction::Take);
  EXPECT_EQ(f.ctx.liquidation_txs[0].intent.quantity, coins(5)) << "$450 buys 5 coins at 90";
  EXPECT_EQ(f.ctx.liquidation_txs[0].intent.max_price, px(90));
}

// A group's valuation discount is its members' bid shading: at a curve price of 95 the population's
// keeper (10 % discount, valuation 90) waits, a group member with a 4 % discount (valuation 96) takes.
TEST(Keepers, AGroupsValuationDiscountDecidesItsTakes) {
  Fixture f;
  KeeperParams p = base_params();
  p.min_profit = usd(0);
  p.auction.enabled = true;
  p.auction.valuation_discount = rate(0.1);
  p.groups = {KeeperStrategy{1, usd(2), usd(0), false, false, false, rate(0.04)}};
  const std::vector<AccountId> ids = f.open_keepers(2, 450);
  Keepers keepers(p, ids, kSeed);
  const AccountId vault = f.liquidatable_trader(10);
  AuctionView v;
  v.kind = AuctionKind::Dutch;
  v.id = LiquidationId(3);
  v.market = MarketId(0);
  v.lot = coins(10);
  v.tab = usd(1000);
  v.price = px(95);
  f.ctx.auction_views[vault] = {v};
  keepers.on_opportunity(f.ctx, vault);
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].keeper, ids[1]);
  EXPECT_EQ(f.ctx.liquidation_txs[0].intent.max_price, px(96));
}

// Compound v3: absorbing pays nothing, so a keeper absorbs to buy the lot in the same transaction at the
// store price (mark 100 x (1 - 2.5%) = 97.5) when that is at or below its valuation (index less its
// discount): 10 coins bought for $975 and worth $1,000 pay the gas. At a 3% discount (valuation 97) or
// with the store closed (the reserves at the target), nobody absorbs.
TEST(Keepers, CometKeepersAbsorbToBuyTheLotAtTheStorePrice) {
  const auto params = [](double valuation_discount) {
    KeeperParams p = base_params();
    p.min_profit = usd(0);
    p.auction.enabled = true;
    p.auction.valuation_discount = rate(valuation_discount);
    p.auction.bark = true;
    p.auction.chop = rate(1);
    p.auction.buy_on_bark = true;
    p.auction.buy_discount = rate(0.025);
    p.auction.buy_target_reserves = usd(5'000'000);
    return p;
  };
  {
    Fixture f;
    Keepers keepers(params(0.01), f.open_keepers(1, 10'000), kSeed);
    keepers.on_opportunity(f.ctx, f.liquidatable_trader(10));
    ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
    const TxIntent& intent = f.ctx.liquidation_txs[0].intent;
    EXPECT_EQ(intent.action, TxAction::Bark);
    EXPECT_EQ(intent.quantity, coins(10));
    EXPECT_EQ(intent.max_price, px(99));
  }
  {
    Fixture f;
    Keepers keepers(params(0.03), f.open_keepers(1, 10'000), kSeed);
    keepers.on_opportunity(f.ctx, f.liquidatable_trader(10));
    EXPECT_TRUE(f.ctx.liquidation_txs.empty()) << "the store price 97.5 is above the valuation 97";
  }
  {
    Fixture f;
    f.ctx.ch().ledger().seed_insurance_fund(usd(5'000'000));
    Keepers keepers(params(0.01), f.open_keepers(1, 10'000), kSeed);
    keepers.on_opportunity(f.ctx, f.liquidatable_trader(10));
    EXPECT_TRUE(f.ctx.liquidation_txs.empty()) << "NotForSale: the reserves are at the target";
  }
}

// GMX: position keepers liquidate longs and shorts alike (no debt needed) when the pool's flat fee pays
// their gas and priority fee (base fee $1, priority fee $2).
TEST(Keepers, PositionKeepersBarkLongsAndShortsForThePoolsFee) {
  KeeperParams p = base_params();
  p.min_profit = usd(0);
  p.auction.enabled = true;
  p.auction.bark = true;
  p.auction.bark_any_position = true;
  p.auction.chop = rate(1);
  p.auction.bark_tip = usd(5);
  Fixture f;
  Keepers keepers(p, f.open_keepers(1), kSeed);
  keepers.on_opportunity(f.ctx, f.liquidatable_trader(-10));  // a short: a positive balance, no debt
  ASSERT_EQ(f.ctx.liquidation_txs.size(), 1u);
  EXPECT_EQ(f.ctx.liquidation_txs[0].intent.action, TxAction::Bark);
  p.auction.bark_tip = usd(0.5);  // below the gas
  Fixture g;
  Keepers poor(p, g.open_keepers(1), kSeed);
  poor.on_opportunity(g.ctx, g.liquidatable_trader(10));
  EXPECT_TRUE(g.ctx.liquidation_txs.empty());
  p.auction.bark_any_position = false;  // Maker's rule: a vault needs a debt
  p.auction.bark_tip = usd(5);
  Fixture h;
  Keepers vaults(p, h.open_keepers(1), kSeed);
  vaults.on_opportunity(h.ctx, h.liquidatable_trader(-10));
  EXPECT_TRUE(h.ctx.liquidation_txs.empty());
}

// A transaction needs its gas: a keeper whose equity is below the base fee plus its priority fee sends
// nothing, even one that accepts any loss (a found random scenario: $49 keepers bidding up to $2e11
// drove the block producer's balance past int64).
TEST(Keepers, AKeeperThatCannotPayTheGasSendsNothing) {
  KeeperParams p = base_params();
  p.min_profit = usd(-1e12);
  p.auction.enabled = true;
  p.auction.bark = true;
  p.auction.bark_any_position = true;
  p.auction.chop = rate(1);
  p.priority_fee_min = p.priority_fee_max = usd(10);
  {
    Fixture f;
    Keepers rich(p, f.open_keepers(1, 11), kSeed);  // 11 $ >= 1 $ of gas + 10 $ of fee
    rich.on_opportunity(f.ctx, f.liquidatable_trader(-10));
    EXPECT_EQ(f.ctx.liquidation_txs.size(), 1u);
  }
  Fixture f;
  Keepers poor(p, f.open_keepers(1, 10.999999), kSeed);
  poor.on_opportunity(f.ctx, f.liquidatable_trader(-10));
  EXPECT_TRUE(f.ctx.liquidation_txs.empty());
}

}  // namespace
}  // namespace liqsim
