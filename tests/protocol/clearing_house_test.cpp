#include "protocol/clearing_house.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/rng.h"
#include "protocol/adl_ranking.h"
#include "protocol/tiered_margin.h"

namespace liqsim {
namespace {

constexpr const char* kBinanceLiquidationFaq =
    "https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93";

Amount dollars(double x) { return amount_from_double(x); }
Price px(double x) { return price_from_double(x); }
Quantity coins(double x) { return quantity_from_double(x); }
Ratio rate(double x) { return ratio_from_double(x); }

// Legacy BTCUSDT leverage brackets (vector #4 of /work/shared/reference/protocol_vectors.json; public
// repo bradkyle/Qenv, illustrative only): MMR 0.4/0.5/1/2.5/5 % with caps 50k/250k/1M/5M/20M, IMR at
// max leverage 0.8/1/2/5/10 %. Derived maintenance amounts (cum): 0, 50, 1,300, 16,300, 141,300.
TieredMaintenanceMargin legacy_btcusdt() {
  const std::vector<MarginBracketSpec> specs = {
      {dollars(0), dollars(50'000), rate(0.004), rate(0.008)},
      {dollars(50'000), dollars(250'000), rate(0.005), rate(0.01)},
      {dollars(250'000), dollars(1'000'000), rate(0.01), rate(0.02)},
      {dollars(1'000'000), dollars(5'000'000), rate(0.025), rate(0.05)},
      {dollars(5'000'000), dollars(20'000'000), rate(0.05), rate(0.10)},
  };
  return TieredMaintenanceMargin(specs);
}

ProtocolMarket market(TieredMaintenanceMargin table, double mark, double taker_fee = 0,
                      double maker_fee = 0) {
  return ProtocolMarket{std::move(table), rate(taker_fee), rate(maker_fee), px(mark)};
}

Fill make_fill(AccountId taker, AccountId maker, Side taker_side, Price price, Quantity quantity) {
  Fill f;
  f.taker_owner = taker;
  f.maker_owner = maker;
  f.taker_side = taker_side;
  f.price = price;
  f.quantity = quantity;
  return f;
}

::testing::AssertionResult conserved(const ClearingHouse& ch) {
  const Ledger& ledger = ch.ledger();
  if (ledger.conservation_residual() != Amount(0))
    return ::testing::AssertionFailure()
           << "money residual " << format_amount(ledger.conservation_residual());
  for (MarketId m(0); m.raw() < ledger.market_count(); ++m)
    if (ledger.position_residual(m) != Quantity(0))
      return ::testing::AssertionFailure()
             << "market " << m << " position residual " << ledger.position_residual(m).raw();
  return ::testing::AssertionSuccess();
}

// `buyer` takes `quantity` at `price` from the resting `seller` (fees as configured on the market);
// conservation is checked after every fill.
void buy(ClearingHouse& ch, MarketId m, AccountId buyer, AccountId seller, Quantity quantity, Price price) {
  ch.apply_fill(m, make_fill(buyer, seller, Side::Buy, price, quantity), false);
  EXPECT_TRUE(conserved(ch));
}

bool reported(const std::vector<TriggerHit>& hits, AccountId a, TriggerKind kind) {
  for (const TriggerHit& h : hits)
    if (h.account == a && h.kind == kind) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Valuation at the mark

TEST(ClearingHouse, EquityIsBalancePlusPositionsAtTheMark) {
  ClearingHouse ch({market(legacy_btcusdt(), 20'000)});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(10'000));
  const AccountId b = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1'000'000));
  buy(ch, MarketId(0), a, b, coins(2), px(20'000));
  EXPECT_TRUE(conserved(ch));
  ch.set_mark(MarketId(0), px(21'000));
  EXPECT_EQ(ch.equity(a), dollars(12'000));   // 10,000 - 40,000 + 2 * 21,000
  EXPECT_EQ(ch.equity(b), dollars(998'000));  // 1,000,000 + 40,000 - 2 * 21,000
}

// MM = notional * MMR_k - cum_k in the bracket of the notional at the mark (protocols.md 1.1, vector #4):
// market 0: 30 BTC at 21,000 = 630,000 -> bracket 3: 6,300 - 1,300 = 5,000;
// market 1: -100 ETH at 1,500 = 150,000 -> bracket 2: 750 - 50 = 700.
TEST(ClearingHouse, MaintenanceSumsTheLegacyBracketMarginOfEveryPositionAtItsMark) {
  ClearingHouse ch({market(legacy_btcusdt(), 20'000), market(legacy_btcusdt(), 1'500)});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(100'000));
  const AccountId b = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(10'000'000));
  buy(ch, MarketId(0), a, b, coins(30), px(20'000));
  buy(ch, MarketId(1), b, a, coins(100), px(1'500));
  EXPECT_TRUE(conserved(ch));
  ch.set_mark(MarketId(0), px(21'000));
  EXPECT_EQ(ch.maintenance(a), dollars(5'700));
  EXPECT_EQ(ch.maintenance(b), dollars(5'700));  // the mirror positions carry the same margin
  // Equity without market 1: 100,000 - 600,000 + 150,000 + 30 * 21,000.
  EXPECT_EQ(ch.equity_excluding(a, MarketId(1)), dollars(280'000));
  EXPECT_EQ(ch.equity(a), dollars(130'000));
}

// A position of 1e-8 coin at 10,000.000001: the notional 100.00000001 micro-dollars rounds down for the
// equity of both sides (100 long, -101 short) and up for the maintenance margin (ceil(101 * 0.4%) = 1).
TEST(ClearingHouse, EquityRoundsEachNotionalDownAndMaintenanceRoundsUp) {
  ClearingHouse ch({market(legacy_btcusdt(), 10'000.000001)});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(1));
  const AccountId b = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(1));
  buy(ch, MarketId(0), a, b, Quantity(1), px(10'000));  // cash floor(100.0) = 100 micro-dollars
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(ch.equity(a), dollars(1) - Amount(100) + Amount(100));
  EXPECT_EQ(ch.equity(b), dollars(1) + Amount(100) - Amount(101));
  EXPECT_EQ(ch.maintenance(a), Amount(1));
  EXPECT_EQ(ch.maintenance(b), Amount(1));
}

TEST(ClearingHouse, AnAccountWithoutPositionIsNeverLiquidatable) {
  ClearingHouse ch({market(legacy_btcusdt(), 10'000)});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(0));
  const AccountId b = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(0));
  ch.ledger().transfer(a, b, dollars(5));  // a's balance is negative, but it holds nothing
  EXPECT_TRUE(conserved(ch));
  EXPECT_FALSE(ch.liquidatable(a));
  EXPECT_FALSE(ch.liquidatable_at(a, MarketId(0), px(1)));
}

// ---------------------------------------------------------------------------------------------------
// Fills and fees

// Cash floor(10,000.000001 * 0.33333333) = 3,333.3333; taker fee 0.04 % rounded up: 1.333334; maker fee
// 0.02 % rounded up: 0.666667 (Binance VIP 0 USDⓈ-M rates).
TEST(ClearingHouse, ApplyFillMovesTradeCashAndChargesTakerAndMakerFeesRoundedUp) {
  ClearingHouse ch({market(legacy_btcusdt(), 10'000, 0.0004, 0.0002)});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(10'000));
  const AccountId b = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(10'000));
  buy(ch, MarketId(0), a, b, coins(0.33333333), px(10'000.000001));
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(ch.ledger().account(a).balance, dollars(10'000) - Amount(3'333'333'300) - Amount(1'333'334));
  EXPECT_EQ(ch.ledger().account(b).balance, dollars(10'000) + Amount(3'333'333'300) - Amount(666'667));
  EXPECT_EQ(ch.ledger().fee_pool(), Amount(2'000'001));
  EXPECT_EQ(ch.ledger().position(a, MarketId(0)).size, coins(0.33333333));
  EXPECT_EQ(ch.ledger().position(b, MarketId(0)).size, coins(-0.33333333));
}

TEST(ClearingHouse, ASellingTakerIsTheSellerAndPaysTheTakerFee) {
  ClearingHouse ch({market(legacy_btcusdt(), 10'000, 0.0004, 0.0002)});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(10'000));
  const AccountId b = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(10'000));
  ch.apply_fill(MarketId(0), make_fill(a, b, Side::Sell, px(10'000), coins(1)), false);
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(ch.ledger().position(a, MarketId(0)).size, coins(-1));
  EXPECT_EQ(ch.ledger().account(a).balance, dollars(10'000 + 10'000 - 4));
  EXPECT_EQ(ch.ledger().account(b).balance, dollars(10'000 - 10'000 - 2));
}

TEST(ClearingHouse, WaivedTakerFeeChargesOnlyTheMaker) {
  ClearingHouse ch({market(legacy_btcusdt(), 10'000, 0.0004, 0.0002)});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(10'000));
  const AccountId b = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(10'000));
  ch.apply_fill(MarketId(0), make_fill(a, b, Side::Buy, px(10'000.000001), coins(0.33333333)), true);
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(ch.ledger().account(a).balance, dollars(10'000) - Amount(3'333'333'300));
  EXPECT_EQ(ch.ledger().fee_pool(), Amount(666'667));
}

// A negative maker fee is a rebate, rounded down (the protocol pays no more than the rate).
TEST(ClearingHouse, NegativeMakerFeeIsARebateRoundedDown) {
  ClearingHouse ch({market(legacy_btcusdt(), 10'000, 0.0004, -0.0001)});
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(10'000));
  const AccountId b = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(10'000));
  buy(ch, MarketId(0), a, b, coins(0.33333333), px(10'000.000001));
  EXPECT_TRUE(conserved(ch));
  EXPECT_EQ(ch.ledger().account(b).balance, dollars(10'000) + Amount(3'333'333'300) + Amount(333'333));
  EXPECT_EQ(ch.ledger().fee_pool(), Amount(1'333'334 - 333'333));
}

// ---------------------------------------------------------------------------------------------------
// Vectors #2 and #3 (protocol_vectors.json; source kBinanceLiquidationFaq): 1 BTC at 10,000, 10x, isolated
// wallet 1,000, flat MMR 0.5 %, cum 0. LP long 9045.2261 (exact root 9045.226130653...), LP short
// 10945.2736 (exact root 10945.273631840...), tolerance abs 0.01.

struct Vector2 {
  ClearingHouse ch{{market(TieredMaintenanceMargin::flat(rate(0.005)), 10'000)}};
  AccountId counterparty = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1'000'000'000));
  AccountId trader = ch.open_account(AgentRole::Trader, MarginMode::Isolated, dollars(1'000));
  explicit Vector2(bool is_long) {
    if (is_long)
      buy(ch, MarketId(0), trader, counterparty, coins(1), px(10'000));
    else
      buy(ch, MarketId(0), counterparty, trader, coins(1), px(10'000));
  }
  std::vector<TriggerHit> detect_at(Price mark) {
    ch.set_mark(MarketId(0), mark);
    std::vector<TriggerHit> hits;
    ch.detect(MarketId(0), hits);
    return hits;
  }
};

// Long: the highest mark at which the account is liquidatable; short: the lowest. Bisection on
// liquidatable_at over (0, 100,000], which is monotone for a single position.
Price boundary(const ClearingHouse& ch, AccountId a, bool is_long) {
  int64_t safe = is_long ? px(100'000).raw() : 1;    // not liquidatable here
  int64_t unsafe = is_long ? 1 : px(100'000).raw();  // liquidatable here
  while (safe - unsafe > 1 || unsafe - safe > 1) {
    const int64_t mid = safe + (unsafe - safe) / 2;
    (ch.liquidatable_at(a, MarketId(0), Price(mid)) ? unsafe : safe) = mid;
  }
  return Price(unsafe);
}

// In micro-dollar prices the boundary lies between 9045.226130 and 9045.226131: at 9045.226131 equity
// 45.226131 equals the maintenance 45.2261306... rounded up, so the account is safe (equity < MM is
// required); at 9045.226130 it is liquidatable. On a 0.01 tick grid: safe at 9045.23, liquidatable at
// 9045.22 (so "9045.23" itself, the vector rounded to cents, is still one cent above the root).
TEST(ClearingHouseVector2, LongIsLiquidatableBelowTheBinanceLiquidationPriceAndNotAbove) {
  Vector2 v(true);
  EXPECT_TRUE(conserved(v.ch));
  v.ch.set_mark(MarketId(0), px(9045.226131));
  EXPECT_FALSE(v.ch.liquidatable(v.trader)) << kBinanceLiquidationFaq;
  v.ch.set_mark(MarketId(0), px(9045.226130));
  EXPECT_TRUE(v.ch.liquidatable(v.trader));
  v.ch.set_mark(MarketId(0), px(9045.23));
  EXPECT_FALSE(v.ch.liquidatable(v.trader));
  v.ch.set_mark(MarketId(0), px(9045.22));
  EXPECT_TRUE(v.ch.liquidatable(v.trader));
  v.ch.set_mark(MarketId(0), px(5000));
  EXPECT_TRUE(v.ch.liquidatable(v.trader));
  EXPECT_FALSE(v.ch.liquidatable(v.counterparty));
}

TEST(ClearingHouseVector2, LiquidatableAtAgreesWithLiquidatableAfterMoving) {
  Vector2 v(true);
  for (const double p : {9046.0, 9045.226131, 9045.226130, 9000.0}) {
    const bool predicted = v.ch.liquidatable_at(v.trader, MarketId(0), px(p));
    v.ch.set_mark(MarketId(0), px(p));
    EXPECT_EQ(predicted, v.ch.liquidatable(v.trader)) << p;
    v.ch.set_mark(MarketId(0), px(10'000));
  }
}

TEST(ClearingHouseVector2, DetectReportsTheLongOnlyOnceTheMarkCrossesTheLiquidationPrice) {
  Vector2 v(true);
  for (const double p : {9900.0, 9500.0, 9100.0, 9046.0, 9045.23, 9045.226137}) {
    EXPECT_TRUE(v.detect_at(px(p)).empty()) << "reported early at " << p;
  }
  const std::vector<TriggerHit> hits = v.detect_at(px(9045.226130));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].account, v.trader);
  EXPECT_EQ(hits[0].market, MarketId(0));
  EXPECT_EQ(hits[0].kind, TriggerKind::Liquidation);
  EXPECT_TRUE(v.ch.liquidatable(v.trader));
}

// The trigger is the liquidation price for a wallet 5 micro-dollars smaller (the rounding allowance of
// ClearingHouse::single_position_trigger), rounded up: ceil((9,000.000005) / 0.995) = 9045.226136. It
// may fire those few micro-dollars before the account is liquidatable, never after.
TEST(ClearingHouseVector2, LongTriggerFiresAtMostAFewMicroDollarsEarly) {
  Vector2 v(true);
  EXPECT_TRUE(v.detect_at(px(9045.226137)).empty());
  const std::vector<TriggerHit> hits = v.detect_at(px(9045.226136));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].account, v.trader);
  EXPECT_FALSE(v.ch.liquidatable(v.trader));
}

TEST(ClearingHouseVector3, ShortIsLiquidatableAboveTheBinanceLiquidationPriceAndNotBelow) {
  Vector2 v(false);
  EXPECT_TRUE(conserved(v.ch));
  for (const double p : {10'100.0, 10'900.0, 10'945.27, 10'945.273625}) {
    EXPECT_TRUE(v.detect_at(px(p)).empty()) << "reported early at " << p;
    EXPECT_FALSE(v.ch.liquidatable(v.trader)) << p;
  }
  v.ch.set_mark(MarketId(0), px(10'945.273631));  // equity 54.726369 == MM 54.72636815... rounded up
  EXPECT_FALSE(v.ch.liquidatable(v.trader));
  const std::vector<TriggerHit> hits = v.detect_at(px(10'945.273632));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].account, v.trader);
  EXPECT_TRUE(v.ch.liquidatable(v.trader)) << kBinanceLiquidationFaq;
}

// The boundary the clearing house implements, found by bisection over every micro-dollar mark, is vector
// #2's / #3's liquidation price within the vectors' tolerance (abs 0.01).
TEST(ClearingHouseVector2, LiquidationBoundaryMatchesVectors2And3) {
  Vector2 long_side(true);
  const Price highest = boundary(long_side.ch, long_side.trader, true);
  EXPECT_NEAR(to_double(highest), 9045.2261, 0.01) << kBinanceLiquidationFaq;
  EXPECT_EQ(highest, px(9045.226130));
  Vector2 short_side(false);
  const Price lowest = boundary(short_side.ch, short_side.trader, false);
  EXPECT_NEAR(to_double(lowest), 10'945.2736, 0.01) << kBinanceLiquidationFaq;
  EXPECT_EQ(lowest, px(10'945.273632));
}

TEST(ClearingHouse, DepositReArmsAndDropsTheOldTrigger) {
  Vector2 v(true);
  v.ch.deposit(v.trader, dollars(500));  // LP now (9,000 - 500) / 0.995 = 8542.71...
  EXPECT_TRUE(conserved(v.ch));
  EXPECT_TRUE(v.detect_at(px(9000)).empty());  // the stale entry at 9045.23 is popped but filtered
  EXPECT_TRUE(v.detect_at(px(8542.72)).empty());
  const std::vector<TriggerHit> hits = v.detect_at(px(8542.71));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_TRUE(v.ch.liquidatable(v.trader));
}

TEST(ClearingHouse, RepeatedArmingReportsAnAccountOncePerKind) {
  Vector2 v(true);
  for (int i = 0; i < 5; ++i) v.ch.arm(v.trader);
  EXPECT_EQ(v.detect_at(px(9000)).size(), 1u);
}

// ---------------------------------------------------------------------------------------------------
// Conservative triggers for cross accounts

// The guarantee of trigger_index.h / clearing_house.h: an account cannot become liquidatable without one
// of its triggers firing. Random accounts (one or two positions in two markets with the legacy table,
// equity 1.02-2 x MM) watch one mark at a time move by up to +-0.3 %; detect() runs on the moved market
// as in the simulator, and a hit on a still-safe account re-arms it. Whenever the account is liquidatable
// (checked exactly), this very step must have reported it.
TEST(ClearingHouseCross, AnAccountCannotBecomeLiquidatableWithoutATriggerFiring) {
  const uint64_t seed = 0x5eed'c0de'2024ull;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  int became_liquidatable = 0, single_position_trials = 0, early_hits = 0;
  for (int trial = 0; trial < 400; ++trial) {
    ClearingHouse ch({market(legacy_btcusdt(), 10'000), market(legacy_btcusdt(), 2'000)});
    const AccountId c = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e9));
    const AccountId x = ch.open_account(AgentRole::Trader, MarginMode::Cross, Amount(0));
    const bool single = trial % 4 == 0;
    single_position_trials += single ? 1 : 0;
    for (MarketId m(0); m.raw() < (single ? 1u : 2u); ++m) {
      const int64_t max_raw = m == MarketId(0) ? 20 * kQuantityScale : 200 * kQuantityScale;
      const Quantity q(rng.uniform_int(kQuantityScale / 100, max_raw));
      if (rng.bernoulli(0.5))
        buy(ch, m, x, c, q, ch.mark(m));
      else
        buy(ch, m, c, x, q, ch.mark(m));
    }
    const double cushion = 1.02 + 8.98 * rng.uniform01();
    const Amount target = Amount(int64_t(double(ch.maintenance(x).raw()) * cushion));
    ch.deposit(x, target - ch.equity(x));
    ASSERT_TRUE(conserved(ch));
    ASSERT_FALSE(ch.liquidatable(x));
    for (int step = 0; step < 20000; ++step) {
      const MarketId m = single ? MarketId(0) : MarketId(rng.uniform_below(2));
      const double move = 1.0 + (rng.uniform01() - 0.5) * 0.006;
      ch.set_mark(m, Price(int64_t(double(ch.mark(m).raw()) * move)));
      std::vector<TriggerHit> hits;
      ch.detect(m, hits);
      const bool hit = reported(hits, x, TriggerKind::Liquidation);
      if (ch.liquidatable(x)) {
        ASSERT_TRUE(hit) << "trial " << trial << " step " << step << ": liquidatable without a trigger";
        ++became_liquidatable;
        break;
      }
      if (hit) {
        ++early_hits;
        ch.arm(x);  // safe: re-armed at the new marks, as the simulator does
      }
      for (const TriggerHit& h : hits)
        if (h.account == c) ch.arm(c);
    }
  }
  // The walk must actually exercise the guarantee (otherwise the assertion above proves nothing).
  EXPECT_GE(became_liquidatable, 300);
  EXPECT_GE(single_position_trials, 100);
  EXPECT_GT(early_hits, 0);
}

// A cross account holding only dust (short 5e-8 BTC, long 1e-8 ETH) and 3,000,000 of balance: each
// market's share of the buffer is a move of the mark far beyond the price range (3e6 $ / 5e-8 coin). That
// is no trigger in range, never an abort, and the account is not reported however far the marks go.
TEST(ClearingHouseCross, DustPositionsWithALargeBufferHaveNoTriggerInRange) {
  ClearingHouse ch({market(legacy_btcusdt(), 68'000), market(legacy_btcusdt(), 3'800)});
  const AccountId c = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e9));
  const AccountId k = ch.open_account(AgentRole::Keeper, MarginMode::Cross, dollars(3'000'000));
  buy(ch, MarketId(0), c, k, Quantity(5), ch.mark(MarketId(0)));
  buy(ch, MarketId(1), k, c, Quantity(1), ch.mark(MarketId(1)));
  ch.arm(k);
  EXPECT_FALSE(ch.liquidatable(k));
  std::vector<TriggerHit> hits;
  ch.set_mark(MarketId(0), Price(Price::max().raw() / 2));
  ch.detect(MarketId(0), hits);
  ch.set_mark(MarketId(1), Price(1));
  ch.detect(MarketId(1), hits);
  EXPECT_FALSE(reported(hits, k, TriggerKind::Liquidation));
  EXPECT_FALSE(ch.liquidatable(k));
}

// The same guarantee at micro-dollar resolution, where rounding decides: random fractional positions
// (one, or two in two markets) with equity 1-2 x MM. The trigger of market 0 is located exactly by
// bisection over detect() on copies of the clearing house; one to three price units on the safe side of
// it the account must not be liquidatable, or a mark resting there would never be reported.
TEST(ClearingHouseCross, TriggersAreConservativeAtMicroDollarResolution) {
  const uint64_t seed = 0x0b15'ec75ull;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  int checked = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    ClearingHouse ch(
        {market(legacy_btcusdt(), double(rng.uniform_int(1'000, 20'000))),
         market(TieredMaintenanceMargin::flat(rate(0.005)), double(rng.uniform_int(100, 2'000)))});
    const AccountId c = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e9));
    const AccountId x = ch.open_account(AgentRole::Trader, MarginMode::Cross, Amount(0));
    const bool two = trial % 2 == 1;
    bool is_long = false;
    for (MarketId m(0); m.raw() < (two ? 2u : 1u); ++m) {
      const Quantity q(rng.uniform_int(1'000, 5 * kQuantityScale));
      const bool buys = rng.bernoulli(0.5);
      if (m == MarketId(0)) is_long = buys;
      ch.ledger().trade(buys ? x : c, buys ? c : x, m, q, notional(ch.mark(m), q, Round::Down));
    }
    const Amount target = Amount(int64_t(double(ch.maintenance(x).raw()) * (1.0 + rng.uniform01())));
    if (target <= ch.equity(x)) continue;
    ch.deposit(x, target - ch.equity(x));  // arms x
    ASSERT_TRUE(conserved(ch));
    auto fires = [&](int64_t p) {
      ClearingHouse copy = ch;
      copy.set_mark(MarketId(0), Price(p));
      std::vector<TriggerHit> hits;
      copy.detect(MarketId(0), hits);
      return reported(hits, x, TriggerKind::Liquidation);
    };
    // Long: highest firing mark in [1, 1e6 $]; short: lowest.
    int64_t fire = is_long ? 1 : px(1e6).raw(), quiet = is_long ? px(1e6).raw() : 1;
    if (!fires(fire) || fires(quiet)) continue;
    while (fire - quiet > 1 || quiet - fire > 1) {
      const int64_t mid = fire + (quiet - fire) / 2;
      (fires(mid) ? fire : quiet) = mid;
    }
    ++checked;
    for (int k = 1; k <= 3; ++k) {
      const Price safe_side(is_long ? fire + k : fire - k);
      ASSERT_FALSE(ch.liquidatable_at(x, MarketId(0), safe_side))
          << "trial " << trial << ": liquidatable " << k << " unit(s) beyond the trigger "
          << format_price(Price(fire));
    }
  }
  EXPECT_GE(checked, 1'000);
}

// 10,000 accounts far from liquidation cost nothing when one account's trigger is crossed: detect()
// reports only that account and pops only its entry.
TEST(ClearingHouse, TenThousandUntouchedAccountsAreNotReported) {
  ClearingHouse ch({market(legacy_btcusdt(), 10'000)});
  const AccountId maker = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e9));
  for (int i = 0; i < 10'000; ++i) {
    const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(1'000 + i));
    buy(ch, MarketId(0), a, maker, coins(1), px(10'000));  // LP <= 9,000 / 0.996 = 9036.14
  }
  const AccountId target = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(100));
  buy(ch, MarketId(0), target, maker, coins(1), px(10'000));  // LP = 9,900 / 0.996 = 9939.76
  EXPECT_TRUE(conserved(ch));
  const size_t entries = ch.trigger_entries();
  ch.set_mark(MarketId(0), px(9'930));
  std::vector<TriggerHit> hits;
  ch.detect(MarketId(0), hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].account, target);
  EXPECT_TRUE(ch.liquidatable(target));
  EXPECT_EQ(ch.trigger_entries(), entries - 1);
  EXPECT_GE(ch.trigger_memory_bytes(), entries * sizeof(TriggerEntry));
}

// ---------------------------------------------------------------------------------------------------
// Auto-deleveraging ranking

// The reference: every opposite position scored at the current marks, allocated by allocate_adl.
std::vector<AdlFill> adl_by_scan(const ClearingHouse& ch, MarketId m, bool bankrupt_is_long,
                                 AccountId exclude, Quantity needed) {
  std::vector<AdlCandidate> candidates;
  for (AccountId c(0); c.raw() < ch.ledger().account_count(); ++c) {
    const Quantity s = ch.ledger().position(c, m).size;
    if (c == exclude || s.raw() == 0 || (s.raw() > 0) == bankrupt_is_long) continue;
    candidates.push_back(AdlCandidate{c, s.raw() < 0 ? -s : s, ch.adl_score(c, m)});
  }
  std::vector<AdlFill> fills;
  for (const auto& [c, q] : allocate_adl(candidates, needed))
    fills.push_back(AdlFill{c, q, ch.adl_score(c, m)});
  return fills;
}

// The heap of score bounds with exact refresh gives exactly the scan's allocation (same accounts, order,
// quantities and scores) through random trades, deposits, small mark moves (exact keys reused between
// queries at the same marks, bounds refreshed after a move) and large ones (outside the band: rebuilt).
// Accounts hold one or two positions (cross), some near bankruptcy or under water.
TEST(ClearingHouseAdl, RankingEqualsTheScanOfEveryOppositePosition) {
  const uint64_t seed = 0xad1'5eedull;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  ClearingHouse ch({market(legacy_btcusdt(), 10'000), market(legacy_btcusdt(), 2'000)});
  const AccountId lp = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e10));
  std::vector<AccountId> accounts;
  for (int i = 0; i < 400; ++i)
    accounts.push_back(ch.open_account(AgentRole::Trader, MarginMode::Cross, Amount(0)));
  const auto random_trade = [&](AccountId a) {
    const MarketId m = MarketId(rng.uniform_below(2));
    const Quantity q(rng.uniform_int(1, m == MarketId(0) ? 5 * kQuantityScale : 25 * kQuantityScale));
    const Price p = apply(ch.mark(m), rate(0.9 + 0.2 * rng.uniform01()), Round::Down);
    if (rng.bernoulli(0.5))
      buy(ch, m, a, lp, q, p);
    else
      buy(ch, m, lp, a, q, p);
  };
  for (const AccountId a : accounts) {
    random_trade(a);
    if (rng.bernoulli(0.4)) random_trade(a);
    const Amount margin = Amount(int64_t(double(ch.maintenance(a).raw()) * (0.5 + 20 * rng.uniform01())));
    ch.deposit(a, std::max(margin - ch.equity(a), Amount(1)));
  }
  int queries = 0, nonempty = 0;
  for (int step = 0; step < 3000; ++step) {
    const int action = int(rng.uniform_below(10));
    if (action < 3) {
      const MarketId m = MarketId(rng.uniform_below(2));
      const double move =
          action == 0 ? 1.0 + (rng.uniform01() - 0.5) * 0.12 : 1.0 + (rng.uniform01() - 0.5) * 0.004;
      ch.set_mark(m, Price(std::max<int64_t>(1, int64_t(double(ch.mark(m).raw()) * move))));
    } else if (action == 3) {
      random_trade(accounts[rng.uniform_below(accounts.size())]);
    } else if (action == 4) {
      ch.deposit(accounts[rng.uniform_below(accounts.size())], dollars(100 * rng.uniform01()));
    } else {
      const MarketId m = MarketId(rng.uniform_below(2));
      const bool bankrupt_is_long = rng.bernoulli(0.5);
      const AccountId exclude = accounts[rng.uniform_below(accounts.size())];
      const Quantity needed(rng.uniform_int(1, 40 * kQuantityScale));
      const std::vector<AdlFill> expected = adl_by_scan(ch, m, bankrupt_is_long, exclude, needed);
      const std::vector<AdlFill> got = ch.adl_counterparties(m, bankrupt_is_long, exclude, needed);
      ++queries;
      nonempty += got.empty() ? 0 : 1;
      ASSERT_EQ(got.size(), expected.size()) << "step " << step;
      for (size_t k = 0; k < got.size(); ++k) {
        ASSERT_EQ(got[k].account, expected[k].account) << "step " << step << " rank " << k;
        ASSERT_EQ(got[k].quantity, expected[k].quantity) << "step " << step << " rank " << k;
        ASSERT_EQ(got[k].score, expected[k].score) << "step " << step << " rank " << k;
      }
      // Sometimes the ADL happens: the first counterparty hands its quantity over to the market maker.
      if (!got.empty() && rng.bernoulli(0.5)) {
        const AdlFill& f = got.front();
        if (ch.ledger().position(f.account, m).size.raw() > 0)
          buy(ch, m, lp, f.account, f.quantity, ch.mark(m));
        else
          buy(ch, m, f.account, lp, f.quantity, ch.mark(m));
      }
    }
  }
  EXPECT_GT(queries, 1000);
  EXPECT_GT(nonempty, 1000);
}

// ---------------------------------------------------------------------------------------------------
// Funding

struct FundingSetup {
  // Mark 10,000.000003: long 1 (a) against shorts 0.6 (b) and 0.4 (c).
  ClearingHouse ch{{market(legacy_btcusdt(), 10'000.000003)}};
  AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(5'000));
  AccountId b = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(5'000));
  AccountId c = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(5'000));
  Amount balance_a, balance_b, balance_c;
  FundingSetup() {
    buy(ch, MarketId(0), a, b, coins(0.6), px(10'000));
    buy(ch, MarketId(0), a, c, coins(0.4), px(10'000));
    balance_a = ch.ledger().account(a).balance;
    balance_b = ch.ledger().account(b).balance;
    balance_c = ch.ledger().account(c).balance;
  }
};

// Rate +0.01 %: a pays ceil(ceil(10,000.000003) * 1e-4) = 1.000001; b receives floor(floor(6,000.0000018)
// * 1e-4) = 0.6, c 0.4; the residue 0.000001 stays in the fee pool.
TEST(ClearingHouseFunding, LongsPayShortsAtAPositiveRateAndThePoolKeepsTheResidue) {
  FundingSetup f;
  const auto [paid_by_longs, residue] = f.ch.settle_funding(MarketId(0), rate(0.0001));
  EXPECT_TRUE(conserved(f.ch));
  EXPECT_EQ(f.ch.ledger().account(f.a).balance, f.balance_a - Amount(1'000'001));
  EXPECT_EQ(f.ch.ledger().account(f.b).balance, f.balance_b + Amount(600'000));
  EXPECT_EQ(f.ch.ledger().account(f.c).balance, f.balance_c + Amount(400'000));
  EXPECT_EQ(paid_by_longs, Amount(1'000'001));
  EXPECT_EQ(residue, Amount(1));
  EXPECT_EQ(f.ch.ledger().fee_pool(), Amount(1));
}

// Rate -0.01 %: shorts pay, rounded up (b 0.600001, c 0.400001); a receives 1.0 rounded down.
TEST(ClearingHouseFunding, NegativeRateMakesShortsPayLongs) {
  FundingSetup f;
  const auto [paid_by_longs, residue] = f.ch.settle_funding(MarketId(0), rate(-0.0001));
  EXPECT_TRUE(conserved(f.ch));
  EXPECT_EQ(f.ch.ledger().account(f.a).balance, f.balance_a + Amount(1'000'000));
  EXPECT_EQ(f.ch.ledger().account(f.b).balance, f.balance_b - Amount(600'001));
  EXPECT_EQ(f.ch.ledger().account(f.c).balance, f.balance_c - Amount(400'001));
  EXPECT_EQ(paid_by_longs, Amount(-1'000'000));
  EXPECT_EQ(residue, Amount(2));
  EXPECT_GE(residue, Amount(0));
  EXPECT_EQ(f.ch.ledger().fee_pool(), Amount(2));
}

TEST(ClearingHouseFunding, ZeroRateMovesNothing) {
  FundingSetup f;
  const auto [paid_by_longs, residue] = f.ch.settle_funding(MarketId(0), Ratio(0));
  EXPECT_TRUE(conserved(f.ch));
  EXPECT_EQ(paid_by_longs, Amount(0));
  EXPECT_EQ(residue, Amount(0));
  EXPECT_EQ(f.ch.ledger().account(f.a).balance, f.balance_a);
}

// Funding changes balances, so settle_funding re-arms the market: a's trigger moves up by the payment.
TEST(ClearingHouseFunding, FundingReArmsThePayersTriggers) {
  Vector2 v(true);
  v.ch.settle_funding(MarketId(0), rate(0.01));  // 1 % of 10,000 = 100: LP becomes 9,100 / 0.995 = 9145.73
  EXPECT_TRUE(conserved(v.ch));
  EXPECT_TRUE(v.detect_at(px(9145.74)).empty());
  const std::vector<TriggerHit> hits = v.detect_at(px(9145.72));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].account, v.trader);
  EXPECT_TRUE(v.ch.liquidatable(v.trader));
}

// ---------------------------------------------------------------------------------------------------
// Alerts

// equity < multiple x MM, compared exactly (multiple given as a fraction num/den).
bool below_multiple(const ClearingHouse& ch, AccountId a, int64_t num, int64_t den) {
  return static_cast<__int128>(ch.equity(a).raw()) * den <
         static_cast<__int128>(ch.maintenance(a).raw()) * num;
}

// Long 1 BTC at 10,000 with 1,000, legacy bracket 1 (0.4 %): equity < 1.5 x MM from
// 9,000 / (1 - 0.006) = 9054.3259557 down. On a 0.01 grid walked down from 9,060 the alert must fire at
// 9054.32 (equity 54.32 < 1.5 x 36.21728 = 54.32592) and not at 9054.33 (54.33 >= 54.32598).
TEST(ClearingHouseAlert, AlertFiresWhenEquityFallsBelowTheMultipleOfMaintenance) {
  ClearingHouse ch({market(legacy_btcusdt(), 10'000)});
  const AccountId maker = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e9));
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(1'000));
  buy(ch, MarketId(0), a, maker, coins(1), px(10'000));
  ch.set_alert(a, rate(1.5));
  ch.arm(a);
  const Price tick = px(0.01);
  std::optional<Price> fired;
  for (Price mark = px(9'060); mark > px(9'050); mark -= tick) {
    ch.set_mark(MarketId(0), mark);
    std::vector<TriggerHit> hits;
    ch.detect(MarketId(0), hits);
    EXPECT_FALSE(reported(hits, a, TriggerKind::Liquidation));
    if (reported(hits, a, TriggerKind::Alert)) {
      fired = mark;
      break;
    }
    ASSERT_FALSE(below_multiple(ch, a, 3, 2)) << "alert late at " << format_price(mark);
  }
  ASSERT_TRUE(fired.has_value());
  EXPECT_EQ(*fired, px(9054.32));
  EXPECT_TRUE(below_multiple(ch, a, 3, 2));
  EXPECT_FALSE(ch.liquidatable(a));
}

TEST(ClearingHouseAlert, NoAlertIsArmedWithoutAMultiple) {
  ClearingHouse ch({market(legacy_btcusdt(), 10'000)});
  const AccountId maker = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e9));
  const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Cross, dollars(1'000));
  buy(ch, MarketId(0), a, maker, coins(1), px(10'000));
  ch.set_alert(a, rate(1.5));
  ch.set_alert(a, std::nullopt);
  ch.arm(a);
  ch.set_mark(MarketId(0), px(9'040));  // well below the 1.5 x MM level, above the LP 9036.14
  std::vector<TriggerHit> hits;
  ch.detect(MarketId(0), hits);
  EXPECT_TRUE(hits.empty());
}

// The same guarantee for alerts on two-market cross accounts (set_alert 1.5): equity cannot fall below
// 1.5 x MM without an alert (or the liquidation trigger below it) firing at that step.
TEST(ClearingHouseAlert, CrossAccountAlertsFireBeforeEquityFallsBelowTheMultiple) {
  const uint64_t seed = 0xa1e7'0015ull;
  SCOPED_TRACE("seed " + std::to_string(seed));
  Rng rng(seed);
  int below = 0;
  for (int trial = 0; trial < 200; ++trial) {
    ClearingHouse ch({market(legacy_btcusdt(), 10'000), market(legacy_btcusdt(), 2'000)});
    const AccountId c = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross, dollars(1e9));
    const AccountId x = ch.open_account(AgentRole::Trader, MarginMode::Cross, Amount(0));
    for (MarketId m(0); m.raw() < 2; ++m) {
      const Quantity q(rng.uniform_int(kQuantityScale / 10, (m == MarketId(0) ? 10 : 100) * kQuantityScale));
      if (rng.bernoulli(0.5))
        buy(ch, m, x, c, q, ch.mark(m));
      else
        buy(ch, m, c, x, q, ch.mark(m));
    }
    const double cushion = 1.6 + 8.4 * rng.uniform01();
    ch.deposit(x, Amount(int64_t(double(ch.maintenance(x).raw()) * cushion)) - ch.equity(x));
    ASSERT_TRUE(conserved(ch));
    ch.set_alert(x, rate(1.5));
    ch.arm(x);
    ASSERT_FALSE(below_multiple(ch, x, 3, 2));
    for (int step = 0; step < 20000; ++step) {
      const MarketId m = MarketId(rng.uniform_below(2));
      const double move = 1.0 + (rng.uniform01() - 0.5) * 0.006;
      ch.set_mark(m, Price(int64_t(double(ch.mark(m).raw()) * move)));
      std::vector<TriggerHit> hits;
      ch.detect(m, hits);
      const bool alert = reported(hits, x, TriggerKind::Alert);
      if (below_multiple(ch, x, 3, 2)) {
        ASSERT_TRUE(alert) << "trial " << trial << " step " << step << ": below 1.5 x MM without an alert";
        ++below;
        break;
      }
      if (alert || reported(hits, x, TriggerKind::Liquidation)) ch.arm(x);
      for (const TriggerHit& h : hits)
        if (h.account == c) ch.arm(c);
    }
  }
  EXPECT_GE(below, 150);
}

}  // namespace
}  // namespace liqsim
