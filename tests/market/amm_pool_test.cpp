// The constant-product pool (market/amm_pool.h) against Uniswap v2's integer formulas
// (UniswapV2Library.getAmountOut / getAmountIn with 997/1000), its invariant and its limit semantics.
#include "market/amm_pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "core/rng.h"

namespace liqsim {
namespace {

constexpr AccountId kPool(7), kTaker(100);
const Ratio kUniswapV2Fee = ratio_from_double(0.003);

// 100 coins and $300,000: a price of $3,000.
ConstantProductPool pool() {
  return ConstantProductPool(kPool, Quantity(10'000'000'000), Amount(300'000'000'000), kUniswapV2Fee);
}

ExecutionRequest request(Side side, Quantity q, Price worst, int64_t tag = -1) {
  return ExecutionRequest{kTaker, side, q, worst, false, tag};
}

// UniswapV2Library with its own constants, on the same base units.
__int128 uniswap_amount_out(__int128 in, __int128 reserve_in, __int128 reserve_out) {
  return in * 997 * reserve_out / (reserve_in * 1000 + in * 997);
}
__int128 uniswap_amount_in(__int128 out, __int128 reserve_in, __int128 reserve_out) {
  return reserve_in * out * 1000 / ((reserve_out - out) * 997) + 1;
}

// preview() is execute() on a copy: the same fill and quote, and the pool itself unchanged.
TEST(ConstantProductPool, PreviewIsTheExecutionWithoutIt) {
  ConstantProductPool p = pool();
  for (const auto& [side, q, worst] : {std::tuple{Side::Sell, Quantity(250'000'000), Price(1)},
                                       std::tuple{Side::Buy, Quantity(77'000'000), Price::max()},
                                       std::tuple{Side::Sell, Quantity(3'000'000'000), Price(25'000'000)}}) {
    const SwapPreview preview = p.preview(request(side, q, worst));
    EXPECT_EQ(p.base_reserve(), Quantity(10'000'000'000));
    ConstantProductPool copy = p;
    const SwapPreview done = summarize_swap(copy.execute(request(side, q, worst)));
    EXPECT_EQ(preview.filled, done.filled);
    EXPECT_EQ(preview.quote, done.quote);
    EXPECT_GT(preview.filled.raw(), 0);
  }
}

TEST(ConstantProductPool, SwapAmountsAreUniswapV2s) {
  // Selling 1 coin into 100 coins / $300,000 gives $2,961.474103; buying 1 coin costs $3,039.421295.
  EXPECT_EQ(ConstantProductPool::amount_out(100'000'000, 10'000'000'000, 300'000'000'000, kUniswapV2Fee),
            __int128(2'961'474'103));
  EXPECT_EQ(ConstantProductPool::amount_in(100'000'000, 300'000'000'000, 10'000'000'000, kUniswapV2Fee),
            __int128(3'039'421'295));
  Rng rng(11);
  for (int k = 0; k < 10'000; ++k) {
    const __int128 x = rng.uniform_int(1, 1'000'000'000'000'000);
    const __int128 y = rng.uniform_int(1, 1'000'000'000'000'000);
    const __int128 in = rng.uniform_int(1, 1'000'000'000'000);
    ASSERT_EQ(ConstantProductPool::amount_out(in, x, y, kUniswapV2Fee), uniswap_amount_out(in, x, y));
    if (in < y) {
      ASSERT_EQ(ConstantProductPool::amount_in(in, x, y, kUniswapV2Fee), uniswap_amount_in(in, x, y));
    }
  }
}

// A sell of 1 coin with no limit fills whole at the average price rounded down; the ledger's cash for it
// (floor(price x 1 coin)) is at most getAmountOut, and the reserves move by exactly that cash.
TEST(ConstantProductPool, SellFillsAtTheAveragePriceInThePoolsFavour) {
  ConstantProductPool p = pool();
  const Execution x = p.execute(request(Side::Sell, Quantity(100'000'000), Price(1), 3));
  ASSERT_EQ(x.filled, Quantity(100'000'000));
  ASSERT_EQ(x.fills.size(), 1u);
  const Fill& f = x.fills[0];
  EXPECT_EQ(f.maker_owner, kPool);
  EXPECT_EQ(f.taker_owner, kTaker);
  EXPECT_EQ(f.taker_tag, 3);
  EXPECT_EQ(f.price, Price(2'961'474'103));
  const Amount cash = notional(f.price, f.quantity, Round::Down);
  EXPECT_LE(cash.raw(), 2'961'474'103);
  EXPECT_EQ(p.base_reserve(), Quantity(10'100'000'000));
  EXPECT_EQ(p.quote_reserve(), Amount(300'000'000'000) - cash);
}

// The product of the reserves never falls (the fee stays in the pool; roundings favour it), and a round
// trip costs the trader.
TEST(ConstantProductPool, ReservesProductNeverFalls) {
  ConstantProductPool p = pool();
  Rng rng(12);
  for (int k = 0; k < 2'000; ++k) {
    const __int128 before = __int128(p.base_reserve().raw()) * p.quote_reserve().raw();
    const Side side = rng.bernoulli(0.5) ? Side::Buy : Side::Sell;
    const Price worst = side == Side::Buy ? Price::max() : Price(1);
    const Execution x = p.execute(request(side, Quantity(rng.uniform_int(1, 500'000'000)), worst));
    ASSERT_TRUE(x.accepted());
    ASSERT_GE(__int128(p.base_reserve().raw()) * p.quote_reserve().raw(), before) << "swap " << k;
  }
  ConstantProductPool q = pool();
  const Execution sold = q.execute(request(Side::Sell, Quantity(100'000'000), Price(1)));
  const Amount received = notional(sold.fills[0].price, sold.filled, Round::Down);
  const Execution bought = q.execute(request(Side::Buy, Quantity(100'000'000), Price::max()));
  ASSERT_EQ(bought.filled, Quantity(100'000'000));
  EXPECT_GT(notional(bought.fills[0].price, bought.filled, Round::Down), received);
}

// A limit bounds every unit: a 10-coin sell limited to 1% under the marginal bid stops where the marginal
// bid reaches the limit; one more unit would cross it.
TEST(ConstantProductPool, WorstPriceBoundsTheMarginalPrice) {
  ConstantProductPool p = pool();
  const Price limit(p.best_bid()->raw() * 99 / 100);
  const Execution x = p.execute(request(Side::Sell, Quantity(1'000'000'000), limit));
  ASSERT_GT(x.filled.raw(), 0);
  EXPECT_LT(x.filled, Quantity(1'000'000'000));
  EXPECT_GE(*p.best_bid(), limit);
  EXPECT_GE(x.fills[0].price, limit);
  const Execution more = p.execute(request(Side::Sell, Quantity(1'000'000), limit));
  EXPECT_EQ(more.filled, Quantity(0));
  // About 0.5% of the reserve: the marginal price gamma y' / x' falls 1% when x grows by about 0.5%.
  EXPECT_NEAR(to_double(x.filled), 100 * (1 / std::sqrt(0.99) - 1), 0.01);
}

// quantity_to sizes the swap that brings the marginal price to a target (before the fee's growth).
TEST(ConstantProductPool, QuantityToReachesTheTarget) {
  ConstantProductPool p = pool();
  const double target = to_double(*p.best_ask()) * 1.02;
  const double q = p.quantity_to(Side::Buy, target);
  p.execute(request(Side::Buy, quantity_from_double(q), Price::max()));
  EXPECT_NEAR(to_double(*p.best_ask()) / target, 1.0, 1e-4);
  EXPECT_EQ(p.quantity_to(Side::Buy, to_double(*p.best_ask()) * 0.9), 0.0);
}

}  // namespace
}  // namespace liqsim
