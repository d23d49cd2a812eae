// The Venue contract (market/venue.h), a typed suite run against every implementation: random
// liquidity, then random execution requests (valid and invalid), each checked against the contract.
#include <gtest/gtest.h>

#include <memory>

#include "core/rng.h"
#include "market/amm_pool.h"
#include "market/concentrated_pool.h"
#include "market/venue.h"

namespace liqsim {
namespace {

constexpr Price kTick(10'000);  // $0.01
constexpr AccountId kTaker(100);

// Builds an implementation with resting liquidity around `mid` from owners 1..5, drawn from `rng`.
struct OrderBookVenueMaker {
  std::unique_ptr<OrderBook> book = std::make_unique<OrderBook>(kTick);
  std::unique_ptr<Venue> venue = std::make_unique<OrderBookVenue>(*book);
  void add_liquidity(Rng& rng, Price mid) {
    for (int i = 0; i < 200; ++i) {
      const Side side = rng.bernoulli(0.5) ? Side::Buy : Side::Sell;
      const int64_t ticks = rng.uniform_int(1, 500);
      const Price price = side == Side::Buy ? mid - kTick * ticks : mid + kTick * ticks;
      const Quantity q(rng.uniform_int(1, 300'000'000));
      book->submit(OrderRequest{AccountId(uint32_t(rng.uniform_int(1, 5))), side, OrderType::Limit, price, q,
                                false, -1});
    }
  }
};

// A constant-product pool around `mid` (Uniswap v2's 0.3% fee) with 1 to 1,000 coins of reserve.
struct AmmPoolMaker {
  std::unique_ptr<Venue> venue;
  void add_liquidity(Rng& rng, Price mid) {
    const Quantity coins(rng.uniform_int(100'000'000, 100'000'000'000));
    venue = std::make_unique<ConstantProductPool>(AccountId(1), coins, notional(mid, coins, Round::Down),
                                                  ratio_from_double(0.003));
  }
};

// A Uniswap v3 pool around `mid` (the 0.3% tier, spacing 60) with 1 to 4 ranges containing it, each from
// 1% to 50% on either side and 1 to 1,000 coins with as much quote.
struct ConcentratedPoolMaker {
  std::unique_ptr<Venue> venue;
  void add_liquidity(Rng& rng, Price mid) {
    std::vector<ConcentratedPosition> positions;
    const int64_t ranges = rng.uniform_int(1, 4);
    for (int64_t i = 0; i < ranges; ++i) {
      const Price lower = mid - Price(mid.raw() / 100 * rng.uniform_int(1, 50));
      const Price upper = mid + Price(mid.raw() / 100 * rng.uniform_int(1, 50));
      const Quantity coins(rng.uniform_int(100'000'000, 100'000'000'000));
      positions.push_back(ConcentratedLiquidityPool::position_for(mid, 60, lower, upper, coins,
                                                                  notional(mid, coins, Round::Down)));
    }
    venue = std::make_unique<ConcentratedLiquidityPool>(AccountId(1), mid, ratio_from_double(0.003), 60,
                                                        positions);
  }
};

template <class Maker>
class VenueContract : public ::testing::Test {};

using Implementations = ::testing::Types<OrderBookVenueMaker, AmmPoolMaker, ConcentratedPoolMaker>;
TYPED_TEST_SUITE(VenueContract, Implementations);

TYPED_TEST(VenueContract, NoFillWorseThanTheWorstPriceAndFillsAddUp) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    TypeParam maker;
    Rng rng(seed);
    const Price mid(50'000'000'000);  // $50,000
    maker.add_liquidity(rng, mid);
    Venue& venue = *maker.venue;
    for (int k = 0; k < 100; ++k) {
      ExecutionRequest r;
      r.owner = kTaker;
      r.side = rng.bernoulli(0.5) ? Side::Buy : Side::Sell;
      r.quantity = Quantity(rng.uniform_int(1, 500'000'000));
      // Worst prices off the tick grid too, on both sides of the mid.
      r.worst = mid + Price(rng.uniform_int(-8'000'000, 8'000'000));
      r.tag = k;
      const Execution x = venue.execute(r);
      ASSERT_TRUE(x.accepted()) << "seed " << seed << " request " << k;
      Quantity sum;
      for (const Fill& f : x.fills) {
        EXPECT_EQ(f.taker_owner, kTaker);
        EXPECT_EQ(f.taker_side, r.side);
        EXPECT_EQ(f.taker_tag, r.tag);
        EXPECT_GT(f.quantity.raw(), 0);
        if (r.side == Side::Buy)
          EXPECT_LE(f.price, r.worst) << "seed " << seed;
        else
          EXPECT_GE(f.price, r.worst) << "seed " << seed;
        sum += f.quantity;
      }
      EXPECT_EQ(sum, x.filled);
      EXPECT_LE(x.filled, r.quantity);
      const auto bid = venue.best_bid();
      const auto ask = venue.best_ask();
      if (bid && ask) {
        EXPECT_LT(*bid, *ask) << "crossed after request " << k;
      }
    }
  }
}

TYPED_TEST(VenueContract, ARequestThatCrossesNothingFillsNothing) {
  TypeParam maker;
  Rng rng(3);
  maker.add_liquidity(rng, Price(50'000'000'000));
  Venue& venue = *maker.venue;
  const Price ask = *venue.best_ask();
  const Execution x =
      venue.execute(ExecutionRequest{kTaker, Side::Buy, Quantity(100'000'000), ask - kTick, false, -1});
  EXPECT_TRUE(x.accepted());
  EXPECT_EQ(x.filled, Quantity(0));
  EXPECT_EQ(*venue.best_ask(), ask);
}

TYPED_TEST(VenueContract, InvalidRequestsAreRefusedAndChangeNothing) {
  TypeParam maker;
  Rng rng(4);
  maker.add_liquidity(rng, Price(50'000'000'000));
  Venue& venue = *maker.venue;
  const auto bid = venue.best_bid();
  const auto ask = venue.best_ask();
  const Price far(60'000'000'000);
  EXPECT_FALSE(venue.execute(ExecutionRequest{kTaker, Side::Buy, Quantity(0), far, false, -1}).accepted());
  EXPECT_FALSE(venue.execute(ExecutionRequest{kTaker, Side::Buy, Quantity(-5), far, false, -1}).accepted());
  EXPECT_FALSE(
      venue.execute(ExecutionRequest{kTaker, Side::Sell, Quantity(5), Price(0), false, -1}).accepted());
  EXPECT_FALSE(
      venue.execute(ExecutionRequest{kTaker, Side::Sell, Quantity(5), Price(-1), false, -1}).accepted());
  EXPECT_EQ(venue.best_bid(), bid);
  EXPECT_EQ(venue.best_ask(), ask);
}

}  // namespace
}  // namespace liqsim
