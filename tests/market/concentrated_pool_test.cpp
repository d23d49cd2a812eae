// Uniswap v3 concentrated liquidity (market/concentrated_pool.h): the integer math against Uniswap/v3-core's
// own test vectors (its test/*.spec.ts files and test/__snapshots__/*.snap, cited per test),
// LiquidityAmounts against v3-periphery's, and the venue layer (ledger units, limits, fills) against values
// from an independent reimplementation of the same contracts and rules in arbitrary-precision integers
// (Python), hard-coded below. That reimplementation, which walks a real 256-bit TickBitmap, reproduces every
// v3-core vector used here, including all swaps of UniswapV3Pool.swaps.spec.ts.snap on the pools whose
// positions are on their tick spacing.
#include "market/concentrated_pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/rng.h"

namespace liqsim {
namespace {

using uniswap_v3::Liquidity;
using uniswap_v3::U256;

constexpr AccountId kPool(7), kTaker(100);

U256 dec(std::string_view digits) { return uniswap_v3::u256_from_decimal(digits); }
U256 pow2(int k) { return k >= 128 ? U256(Liquidity(1) << (k - 128), 0) : U256(Liquidity(1) << k); }
const U256 kQ96 = pow2(96);
const U256 kUint256Max(~Liquidity(0), ~Liquidity(0));
constexpr Liquidity kE18 = 1'000'000'000'000'000'000;

// test/shared/utilities.ts encodePriceSqrt(reserve1, reserve0) = floor(sqrt(reserve1 / reserve0) * 2^96)
// (bignumber.js, 40 decimals), for the ratios these tests use.
const U256 kPrice1_1 = kQ96;                                      // encodePriceSqrt(1, 1)
const U256 kPrice121_100 = dec("87150978765690771352898345369");  // encodePriceSqrt(121, 100)
const U256 kPrice101_100 = dec("79623317895830914510639640423");
const U256 kPrice1000_100 = dec("250541448375047931186413801569");
const U256 kPrice10000_100 = dec("792281625142643375935439503360");
const U256 kPrice100_110 = dec("75541088972021052632782079082");
const U256 kPrice110_100 = dec("83095197869223157896060286990");
const U256 kPrice99_100 = dec("78831026366734652303669917531");
const U256 kPrice111_100 = dec("83472048772503575395058907992");
const U256 kPrice2_5 = dec("50108289675009586237282760313");   // encodePriceSqrt(2, 5): "to price 0.40000"
const U256 kPrice5_2 = dec("125270724187523965593206900784");  // encodePriceSqrt(5, 2): "to price 2.5000"

// ---------------------------------------------------------------------------------------------------
// TickMath

// v3-core test/TickMath.spec.ts: min tick, min tick + 1, max tick - 1, max tick; tick 0 is 2^96; the other
// ticks are its "is at most off by 1/100th of a bips" list, whose values are in
// test/__snapshots__/TickMath.spec.ts.snap.
TEST(UniswapV3TickMath, SqrtRatioAtTickMatchesV3Core) {
  using uniswap_v3::get_sqrt_ratio_at_tick;
  EXPECT_EQ(get_sqrt_ratio_at_tick(uniswap_v3::kMinTick), U256(4295128739u));
  EXPECT_EQ(get_sqrt_ratio_at_tick(uniswap_v3::kMinTick + 1), U256(4295343490u));
  EXPECT_EQ(get_sqrt_ratio_at_tick(uniswap_v3::kMaxTick - 1),
            dec("1461373636630004318706518188784493106690254656249"));
  EXPECT_EQ(get_sqrt_ratio_at_tick(uniswap_v3::kMaxTick),
            dec("1461446703485210103287273052203988822378723970342"));
  EXPECT_EQ(get_sqrt_ratio_at_tick(0), dec("79228162514264337593543950336"));
  EXPECT_EQ(uniswap_v3::kMinSqrtRatio, get_sqrt_ratio_at_tick(uniswap_v3::kMinTick));
  EXPECT_EQ(uniswap_v3::kMaxSqrtRatio, get_sqrt_ratio_at_tick(uniswap_v3::kMaxTick));
  struct Case {
    int32_t tick;
    const char* ratio;
    const char* ratio_of_negative;
  };
  const Case cases[] = {
      {50, "79426470787362580746886972461", "79030349367926598376800521322"},
      {100, "79625275426524748796330556128", "78833030112140176575862854579"},
      {250, "80224679980005306637834519095", "78244023372248365697264290337"},
      {500, "81233731461783161732293370115", "77272108795590369356373805297"},
      {1000, "83290069058676223003182343270", "75364347830767020784054125655"},
      {2500, "89776708723587163891445672585", "69919044979842180277688105136"},
      {3000, "92049301871182272007977902845", "68192822843687888778582228483"},
      {4000, "96768528593268422080558758223", "64867181785621769311890333195"},
      {5000, "101729702841318637793976746270", "61703726247759831737814779831"},
      {50000, "965075977353221155028623082916", "6504256538020985011912221507"},
      {150000, "143194173941309278083010301478497", "43836292794701720435367485"},
      {250000, "21246587762933397357449903968194344", "295440463448801648376846"},
      {500000, "5697689776495288729098254600827762987878", "1101692437043807371"},
      {738203, "847134979253254120489401328389043031315994541", "7409801140451"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(get_sqrt_ratio_at_tick(c.tick), dec(c.ratio)) << c.tick;
    EXPECT_EQ(get_sqrt_ratio_at_tick(-c.tick), dec(c.ratio_of_negative)) << -c.tick;
  }
}

// getTickAtSqrtRatio is the greatest tick whose ratio is at or below its argument (v3-core
// test/TickMath.spec.ts: "ratio of min tick" = MIN_TICK, "ratio of min tick + 1" = MIN_TICK + 1, "ratio of
// max tick - 1" = MAX_TICK - 1, "ratio closest to max tick" = MAX_TICK - 1): checked exactly at and +/- 1
// around the ratio of every 997th tick, and against a binary search over getSqrtRatioAtTick for random
// prices.
TEST(UniswapV3TickMath, TickAtSqrtRatioIsTheGreatestTickAtOrBelow) {
  using uniswap_v3::get_sqrt_ratio_at_tick;
  using uniswap_v3::get_tick_at_sqrt_ratio;
  using uniswap_v3::kMaxTick;
  using uniswap_v3::kMinTick;
  EXPECT_EQ(get_tick_at_sqrt_ratio(uniswap_v3::kMinSqrtRatio), kMinTick);
  EXPECT_EQ(get_tick_at_sqrt_ratio(U256(4295343490u)), kMinTick + 1);
  EXPECT_EQ(get_tick_at_sqrt_ratio(dec("1461373636630004318706518188784493106690254656249")), kMaxTick - 1);
  EXPECT_EQ(get_tick_at_sqrt_ratio(dec("1461446703485210103287273052203988822378723970341")), kMaxTick - 1);
  const auto plus = [](U256 x, int d) {
    const Liquidity lo = x.lo + Liquidity(int64_t(d));
    if (d > 0 && lo < x.lo) ++x.hi;
    if (d < 0 && lo > x.lo) --x.hi;
    x.lo = lo;
    return x;
  };
  for (int32_t tick = kMinTick; tick < kMaxTick; tick += 997) {
    const U256 ratio = get_sqrt_ratio_at_tick(tick);
    ASSERT_EQ(get_tick_at_sqrt_ratio(ratio), tick);
    ASSERT_EQ(get_tick_at_sqrt_ratio(plus(ratio, 1)), tick);
    if (tick > kMinTick) {
      ASSERT_EQ(get_tick_at_sqrt_ratio(plus(ratio, -1)), tick - 1);
    }
  }
  Rng rng(31);
  for (int k = 0; k < 300; ++k) {
    // A price up to about two ticks above a random tick's ratio (sqrt(1.0001) = 1 + 5e-5), or +/- 1 from it;
    // the expected tick is the defining binary search.
    const U256 ratio = get_sqrt_ratio_at_tick(int32_t(rng.uniform_int(kMinTick, kMaxTick - 2)));
    const U256 price =
        k % 4 == 0 ? plus(ratio, int(rng.uniform_int(-1, 1)))
                   : uniswap_v3::mul_div(
                         ratio, U256(1'000'000'000'000'000'000u + rng.uniform_below(100'000'000'000'000u)),
                         U256(1'000'000'000'000'000'000u));
    int32_t lo = kMinTick, hi = kMaxTick;  // ratio(lo) <= price < ratio(hi)
    while (hi - lo > 1) {
      const int32_t mid = lo + (hi - lo) / 2;
      (get_sqrt_ratio_at_tick(mid) <= price ? lo : hi) = mid;
    }
    ASSERT_EQ(get_tick_at_sqrt_ratio(price), lo) << price;
  }
}

// ---------------------------------------------------------------------------------------------------
// FullMath, SqrtPriceMath, SwapMath, LiquidityAmounts

// v3-core test/FullMath.spec.ts (Q128 = 2^128).
TEST(UniswapV3FullMath, MulDivMatchesV3Core) {
  using uniswap_v3::mul_div;
  using uniswap_v3::mul_div_rounding_up;
  const U256 q128 = pow2(128);
  const auto times = [&](int k) { return uniswap_v3::mul_div(q128, U256(Liquidity(k)), U256(1)); };
  const auto over = [&](int k, int d) {
    return uniswap_v3::mul_div(q128, U256(Liquidity(k)), U256(Liquidity(d)));
  };
  EXPECT_EQ(mul_div(kUint256Max, kUint256Max, kUint256Max), kUint256Max);
  EXPECT_EQ(mul_div_rounding_up(kUint256Max, kUint256Max, kUint256Max), kUint256Max);
  // "accurate without phantom overflow": Q128 * 0.5 / 1.5.
  EXPECT_EQ(mul_div(q128, over(50, 100), over(150, 100)), over(1, 3));
  EXPECT_EQ(mul_div_rounding_up(q128, over(50, 100), over(150, 100)),
            dec("113427455640312821154458202477256070486"));
  // "accurate with phantom overflow": Q128 * 35 Q128 / (8 Q128) = 4375 Q128 / 1000, exact.
  EXPECT_EQ(mul_div(q128, times(35), times(8)), over(4375, 1000));
  EXPECT_EQ(mul_div_rounding_up(q128, times(35), times(8)), over(4375, 1000));
  // "accurate with phantom overflow and repeating decimal": Q128 * 1000 Q128 / (3000 Q128).
  EXPECT_EQ(mul_div(q128, times(1000), times(3000)), over(1, 3));
  EXPECT_EQ(mul_div_rounding_up(q128, times(1000), times(3000)),
            dec("113427455640312821154458202477256070486"));
}

// v3-core test/SqrtPriceMath.spec.ts, #getNextSqrtPriceFromInput and #getNextSqrtPriceFromOutput.
TEST(UniswapV3SqrtPriceMath, NextSqrtPriceMatchesV3Core) {
  using uniswap_v3::get_next_sqrt_price_from_input;
  using uniswap_v3::get_next_sqrt_price_from_output;
  const U256 tenth(kE18 / 10);
  EXPECT_EQ(get_next_sqrt_price_from_input(kPrice1_1, kE18, tenth, false),
            dec("87150978765690771352898345369"));
  EXPECT_EQ(get_next_sqrt_price_from_input(kPrice1_1, kE18, tenth, true),
            dec("72025602285694852357767227579"));
  // "amountIn > type(uint96).max and zeroForOne = true".
  EXPECT_EQ(get_next_sqrt_price_from_input(kPrice1_1, 10 * kE18, pow2(100), true), U256(624999999995069620u));
  // "can return 1 with enough amountIn and zeroForOne = true"; "any input amount cannot underflow the price".
  EXPECT_EQ(get_next_sqrt_price_from_input(kPrice1_1, 1, U256(~Liquidity(0) >> 1, ~Liquidity(0)), true),
            U256(1));
  EXPECT_EQ(get_next_sqrt_price_from_input(U256(1), 1, pow2(255), true), U256(1));
  // "returns input price if amount in is zero".
  EXPECT_EQ(get_next_sqrt_price_from_input(kPrice1_1, kE18 / 10, U256(), true), kPrice1_1);
  EXPECT_EQ(get_next_sqrt_price_from_input(kPrice1_1, kE18 / 10, U256(), false), kPrice1_1);
  EXPECT_EQ(get_next_sqrt_price_from_output(kPrice1_1, kE18 / 10, U256(), true), kPrice1_1);
  // "output amount of 0.1 token1" (both directions).
  EXPECT_EQ(get_next_sqrt_price_from_output(kPrice1_1, kE18, tenth, false),
            dec("88031291682515930659493278152"));
  EXPECT_EQ(get_next_sqrt_price_from_output(kPrice1_1, kE18, tenth, true),
            dec("71305346262837903834189555302"));
  // "succeeds if output amount is just less than the virtual reserves of token1".
  EXPECT_EQ(
      get_next_sqrt_price_from_output(dec("20282409603651670423947251286016"), 1024, U256(262143), true),
      dec("77371252455336267181195264"));
  // "swap computation: sqrtP * sqrtQ overflows".
  const U256 sqrt_p = dec("1025574284609383690408304870162715216695788925244");
  const Liquidity big_liquidity = dec("50015962439936049619261659728067971248").lo;
  const U256 sqrt_q = get_next_sqrt_price_from_input(sqrt_p, big_liquidity, U256(406), true);
  EXPECT_EQ(sqrt_q, dec("1025574284609383582644711336373707553698163132913"));
  EXPECT_EQ(uniswap_v3::get_amount0_delta(sqrt_p, sqrt_q, big_liquidity, true), U256(406));
}

// v3-core test/SqrtPriceMath.spec.ts, #getAmount0Delta and #getAmount1Delta: "returns 0.1 amount1 for price
// of 1 to 1.21" (and its rounded-down twin, one less), "returns 0 if liquidity is 0", "works for prices that
// overflow" (rounded up = rounded down + 1; the values 24869 / 24868 from the reference).
TEST(UniswapV3SqrtPriceMath, AmountDeltasMatchV3Core) {
  using uniswap_v3::get_amount0_delta;
  using uniswap_v3::get_amount1_delta;
  EXPECT_EQ(get_amount0_delta(kPrice1_1, kPrice121_100, kE18, true), U256(90909090909090910u));
  EXPECT_EQ(get_amount0_delta(kPrice1_1, kPrice121_100, kE18, false), U256(90909090909090909u));
  EXPECT_EQ(get_amount1_delta(kPrice1_1, kPrice121_100, kE18, true), U256(100000000000000000u));
  EXPECT_EQ(get_amount1_delta(kPrice1_1, kPrice121_100, kE18, false), U256(99999999999999999u));
  // The v1.0.0 signatures take the prices in either order.
  EXPECT_EQ(get_amount0_delta(kPrice121_100, kPrice1_1, kE18, true), U256(90909090909090910u));
  EXPECT_EQ(get_amount1_delta(kPrice121_100, kPrice1_1, kE18, false), U256(99999999999999999u));
  EXPECT_EQ(get_amount0_delta(kPrice1_1, dec("112045541949572279837463876454"), 0, true), U256());
  EXPECT_EQ(get_amount1_delta(kPrice1_1, dec("112045541949572279837463876454"), 0, true), U256());
  // encodePriceSqrt(2^96, 1) = 2^144 and encodePriceSqrt(2^90, 1) = 2^141.
  EXPECT_EQ(get_amount0_delta(pow2(144), pow2(141), kE18, true), U256(24869));
  EXPECT_EQ(get_amount0_delta(pow2(144), pow2(141), kE18, false), U256(24868));
}

// v3-core test/SwapMath.spec.ts, #computeSwapStep (fee in pips).
TEST(UniswapV3SwapMath, ComputeSwapStepMatchesV3Core) {
  using uniswap_v3::compute_swap_step;
  using uniswap_v3::SwapStep;
  const auto expect_step = [](const SwapStep& s, const U256& next, const U256& in, const U256& out,
                              const U256& fee) {
    EXPECT_EQ(s.sqrt_ratio_next_x96, next);
    EXPECT_EQ(s.amount_in, in);
    EXPECT_EQ(s.amount_out, out);
    EXPECT_EQ(s.fee_amount, fee);
  };
  // "exact amount in that gets capped at price target in one for zero" and its exact-output twin.
  expect_step(compute_swap_step(kPrice1_1, kPrice101_100, 2 * kE18, U256(kE18), true, 600), kPrice101_100,
              U256(9975124224178055u), U256(9925619580021728u), U256(5988667735148u));
  expect_step(compute_swap_step(kPrice1_1, kPrice101_100, 2 * kE18, U256(kE18), false, 600), kPrice101_100,
              U256(9975124224178055u), U256(9925619580021728u), U256(5988667735148u));
  // "exact amount in that is fully spent in one for zero": the price is the one after the input less fee.
  const SwapStep spent = compute_swap_step(kPrice1_1, kPrice1000_100, 2 * kE18, U256(kE18), true, 600);
  expect_step(
      spent,
      uniswap_v3::get_next_sqrt_price_from_input(kPrice1_1, 2 * kE18, U256(kE18 - 600000000000000u), false),
      U256(999400000000000000u), U256(666399946655997866u), U256(600000000000000u));
  EXPECT_LT(spent.sqrt_ratio_next_x96, kPrice1000_100);
  // "exact amount out that is fully received in one for zero".
  const SwapStep received = compute_swap_step(kPrice1_1, kPrice10000_100, 2 * kE18, U256(kE18), false, 600);
  expect_step(received, uniswap_v3::get_next_sqrt_price_from_output(kPrice1_1, 2 * kE18, U256(kE18), false),
              U256(2000000000000000000u), U256(kE18), U256(1200720432259356u));
  // "amount out is capped at the desired amount out".
  expect_step(compute_swap_step(dec("417332158212080721273783715441582"), dec("1452870262520218020823638996"),
                                dec("159344665391607089467575320103").lo, U256(1), false, 1),
              dec("417332158212080721273783715441581"), U256(1), U256(1), U256(1));
  // "target price of 1 uses partial input amount".
  expect_step(compute_swap_step(U256(2), U256(1), 1, dec("3915081100057732413702495386755767"), true, 1),
              U256(1), dec("39614081257132168796771975168"), U256(), dec("39614120871253040049813"));
  // "entire input amount taken as fee".
  expect_step(compute_swap_step(U256(2413), U256(79887613182836312u),
                                dec("1985041575832132834610021537970").lo, U256(10), true, 1872),
              U256(2413), U256(), U256(), U256(10));
  // "handles intermediate insufficient liquidity in zero for one / one for zero exact output case".
  const U256 sqrt_p = dec("20282409603651670423947251286016");
  const U256 up = uniswap_v3::mul_div(sqrt_p, U256(11), U256(10));
  const U256 down = uniswap_v3::mul_div(sqrt_p, U256(9), U256(10));
  expect_step(compute_swap_step(sqrt_p, up, 1024, U256(4), false, 3000), up, U256(26215), U256(), U256(79));
  expect_step(compute_swap_step(sqrt_p, down, 1024, U256(263000), false, 3000), down, U256(1), U256(26214),
              U256(1));
}

// v3-periphery test/LiquidityAmounts.spec.ts, #getLiquidityForAmounts with amounts 100 and 200.
TEST(UniswapV3LiquidityAmounts, MatchesV3Periphery) {
  using uniswap_v3::get_liquidity_for_amounts;
  EXPECT_EQ(get_liquidity_for_amounts(kPrice1_1, kPrice100_110, kPrice110_100, U256(100), U256(200)),
            Liquidity(2148));
  EXPECT_EQ(get_liquidity_for_amounts(kPrice99_100, kPrice100_110, kPrice110_100, U256(100), U256(200)),
            Liquidity(1938));
  EXPECT_EQ(get_liquidity_for_amounts(kPrice111_100, kPrice100_110, kPrice110_100, U256(100), U256(200)),
            Liquidity(2097));
  // At the range's lower bound only token0 counts (LiquidityAmounts.sol: sqrtRatioX96 <= sqrtRatioAX96), as
  // below the range (the amount-1 formula would divide by zero): 100 x sqrt(100/110) x sqrt(110/100) /
  // (sqrt(110/100) - sqrt(100/110)) = 1048.8, rounded down.
  EXPECT_EQ(get_liquidity_for_amounts(kPrice100_110, kPrice100_110, kPrice110_100, U256(100), U256(200)),
            Liquidity(1048));
  EXPECT_EQ(uniswap_v3::get_liquidity_for_amount0(kPrice100_110, kPrice110_100, U256(100)), Liquidity(1048));
}

// v3-core test/TickBitmap.spec.ts, #nextInitializedTickWithinOneWord with ticks 70, 78, 84, 139, 240, 535
// initialized (spacing 1, so the words are 256 ticks), here initialized by minting ranges on them.
TEST(UniswapV3Pool, NextInitializedTickWithinOneWordMatchesV3Core) {
  const auto pool_with = [](std::vector<std::pair<int32_t, int32_t>> ranges) {
    uniswap_v3::Pool pool(3000, 1, kPrice1_1);
    for (const auto& [lower, upper] : ranges) pool.mint(lower, upper, kE18);
    return pool;
  };
  const std::vector<std::pair<int32_t, int32_t>> base = {{70, 78}, {84, 139}, {240, 535}};
  const uniswap_v3::Pool pool = pool_with(base);
  using Next = std::pair<int32_t, bool>;
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(78, false), Next(84, true));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(77, false), Next(78, true));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(255, false), Next(511, false));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(508, false), Next(511, false));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(383, false), Next(511, false));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(78, true), Next(78, true));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(79, true), Next(78, true));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(258, true), Next(256, false));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(256, true), Next(256, false));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(72, true), Next(70, true));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(-1, true), Next(-256, false));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(1023, true), Next(768, false));
  EXPECT_EQ(pool.next_initialized_tick_within_one_word(900, true), Next(768, false));
  // "returns the next initialized tick from the next word" (340) and "boundary is initialized" (329), each
  // added with a range ending above the ticks these look at.
  auto with_340 = base;
  with_340.push_back({340, 600});
  EXPECT_EQ(pool_with(with_340).next_initialized_tick_within_one_word(328, false), Next(340, true));
  auto with_329 = base;
  with_329.push_back({329, 600});
  EXPECT_EQ(pool_with(with_329).next_initialized_tick_within_one_word(456, true), Next(329, true));
}

// ---------------------------------------------------------------------------------------------------
// UniswapV3Pool.swap against v3-core test/__snapshots__/UniswapV3Pool.swaps.spec.ts.snap

// The pools of UniswapV3Pool.swaps.spec.ts TEST_POOLS whose positions are on their tick spacing (fee tiers:
// LOW 500 / spacing 10, MEDIUM 3000 / 60, HIGH 10000 / 200; getMinTick / getMaxTick round toward 0).
enum PoolCase {
  kLowFee,        // 'low fee, 1:1 price, 2e18 max range liquidity'
  kMediumFee,     // 'medium fee, 1:1 price, 2e18 max range liquidity'
  kHighFee,       // 'high fee, 1:1 price, 2e18 max range liquidity'
  kStableSwap,    // 'low fee, large liquidity around current price (stable swap)': [-10, 10]
  kToken0Only,    // 'medium fee, token0 liquidity only': [0, 120000]
  kToken1Only,    // 'medium fee, token1 liquidity only': [-120000, 0]
  kCloseToMax,    // 'close to max price': encodePriceSqrt(2^127, 1)
  kCloseToMin,    // 'close to min price': encodePriceSqrt(1, 2^127)
  kMaxLiquidity,  // 'max full range liquidity at 1:1 price with default fee'
  kAtMaxRatio,    // 'initialized at the max ratio': MAX_SQRT_RATIO - 1
  kAtMinRatio,    // 'initialized at the min ratio': MIN_SQRT_RATIO
};

struct SnapshotPool {
  uniswap_v3::Pool pool;
  uniswap_v3::TokenAmounts minted;  // the snapshot's amount0Before / amount1Before
};

SnapshotPool snapshot_pool(PoolCase c) {
  uint32_t fee = 3000;
  int32_t spacing = 60;
  U256 start = kPrice1_1;
  int32_t lower = -887220, upper = 887220;
  Liquidity liquidity = 2 * kE18;
  switch (c) {
    case kLowFee:
      fee = 500, spacing = 10, lower = -887270, upper = 887270;
      break;
    case kMediumFee:
      break;
    case kHighFee:
      fee = 10000, spacing = 200, lower = -887200, upper = 887200;
      break;
    case kStableSwap:
      fee = 500, spacing = 10, lower = -10, upper = 10;
      break;
    case kToken0Only:
      lower = 0, upper = 120000;
      break;
    case kToken1Only:
      lower = -120000, upper = 0;
      break;
    // bignumber.js's sqrt of 2^127 and of 1 / 2^127 (rounded to 40 decimals, so 5.9e-39) times 2^96.
    case kCloseToMax:
      start = dec("1033437718471923706666374484006904511252097097914");
      break;
    case kCloseToMin:
      start = U256(6085630636u);
      break;
    case kMaxLiquidity:
      liquidity = uniswap_v3::max_liquidity_per_tick(60);
      break;
    case kAtMaxRatio:
      start = dec("1461446703485210103287273052203988822378723970341");
      break;
    case kAtMinRatio:
      start = uniswap_v3::kMinSqrtRatio;
      break;
  }
  SnapshotPool out{uniswap_v3::Pool(fee, spacing, start), {}};
  out.minted = out.pool.mint(lower, upper, liquidity);
  return out;
}

enum class Kind { Exact0For1, Exact1For0, Zero4Exact1, One4Exact0, ToLower, ToHigher };
enum class Limit { Default, To0_4, To2_5 };

struct SnapshotSwap {
  PoolCase pool;
  Kind kind;
  const char* amount;  // nullptr for the "to price" swaps (amountSpecified = type(int256).max)
  Limit limit;         // Default: MIN_SQRT_RATIO + 1 or MAX_SQRT_RATIO - 1 (test/shared/utilities.ts)
  bool reverts;        // 'SPL'
  const char* amount0_delta;
  const char* amount1_delta;
  int32_t tick_after;
  const char* fee_growth_delta;  // feeGrowthGlobal{0,1}X128Delta of the input token
};

// The pool's signed balance change as the snapshot prints it.
std::string signed_delta(const U256& magnitude, bool negative) {
  const std::string digits = uniswap_v3::to_string(magnitude);
  return negative && digits != "0" ? "-" + digits : digits;
}

TEST(UniswapV3Pool, SwapsMatchV3CoreSnapshot) {
  const SnapshotSwap swaps[] = {
      {kLowFee, Kind::Exact0For1, "1000000000000000000", Limit::Default, false, "1000000000000000000",
       "-666444407401233536", -8107, "85070591730234956148210572796405514"},
      {kLowFee, Kind::Exact1For0, "1000000000000000000", Limit::Default, false, "-666444407401233536",
       "1000000000000000000", 8106, "85070591730234956148210572796405515"},
      {kLowFee, Kind::Zero4Exact1, "1000000000000000000", Limit::Default, false, "2001000500250125077",
       "-1000000000000000000", -13864, "170226296608774038574344664756091446"},
      {kLowFee, Kind::One4Exact0, "1000000000000000000", Limit::Default, false, "-1000000000000000000",
       "2001000500250125079", 13863, "170226296608774378856711585694554910"},
      {kLowFee, Kind::Exact0For1, "1000", Limit::Default, false, "1000", "-998", -1, "170141183460469231731"},
      {kLowFee, Kind::Zero4Exact1, "1000", Limit::Default, false, "1002", "-1000", -1,
       "170141183460469231731"},
      {kLowFee, Kind::ToLower, nullptr, Limit::To0_4, false, "1162859089713235953", "-735088935932648266",
       -9164, "98925110860787308007692432636113977"},
      {kLowFee, Kind::ToHigher, nullptr, Limit::To2_5, false, "-735088935932648266", "1162859089713235954",
       9163, "98925110860787308007692432636113978"},
      {kLowFee, Kind::ToLower, nullptr, Limit::To2_5, true, "", "", 0, ""},
      {kMediumFee, Kind::Exact0For1, "1000000000000000000", Limit::Default, false, "1000000000000000000",
       "-665331998665331998", -8090, "510423550381407695195061911147652317"},
      {kMediumFee, Kind::Exact1For0, "1000000000000000000", Limit::Default, false, "-665331998665331998",
       "1000000000000000000", 8089, "510423550381407695195061911147652317"},
      {kMediumFee, Kind::Zero4Exact1, "1000000000000000000", Limit::Default, false, "2006018054162487463",
       "-1000000000000000000", -13864, "1023918857334819954209013958517557896"},
      {kMediumFee, Kind::One4Exact0, "1000000000000000000", Limit::Default, false, "-1000000000000000000",
       "2006018054162487463", 13863, "1023918857334819954209013958517557896"},
      {kMediumFee, Kind::Exact0For1, "1000", Limit::Default, false, "1000", "-996", -1,
       "510423550381407695195"},
      {kMediumFee, Kind::Zero4Exact1, "1000", Limit::Default, false, "1005", "-1000", -1,
       "680564733841876926926"},
      {kMediumFee, Kind::ToLower, nullptr, Limit::To0_4, false, "1165774985123750584", "-735088935932648267",
       -9164, "595039006852697554786973994761078087"},
      {kMediumFee, Kind::ToHigher, nullptr, Limit::To2_5, false, "-735088935932648267", "1165774985123750584",
       9163, "595039006852697554786973994761078087"},
      {kHighFee, Kind::Exact0For1, "1000000000000000000", Limit::Default, false, "1000000000000000000",
       "-662207357859531772", -8043, "1701411834604692317316873037158841057"},
      {kHighFee, Kind::Exact1For0, "1000000000000000000", Limit::Default, false, "-662207357859531772",
       "1000000000000000000", 8042, "1701411834604692317316873037158841057"},
      {kHighFee, Kind::Exact0For1, "1000", Limit::Default, false, "1000", "-989", -1,
       "1701411834604692317316"},
      {kHighFee, Kind::Zero4Exact1, "1000", Limit::Default, false, "1012", "-1000", -1,
       "1871553018065161549048"},
      {kHighFee, Kind::Zero4Exact1, "1000000000000000000", Limit::Default, false, "2020202020202020203",
       "-1000000000000000000", -13864, "3437195625464025050172418213103875650"},
      {kHighFee, Kind::One4Exact0, "1000000000000000000", Limit::Default, false, "-1000000000000000000",
       "2020202020202020203", 13863, "3437195625464025050172418213103875650"},
      {kHighFee, Kind::ToLower, nullptr, Limit::To0_4, false, "1174017838553918518", "-735088935932648267",
       -9164, "1997487844552658120479227965844634309"},
      {kHighFee, Kind::ToHigher, nullptr, Limit::To2_5, false, "-735088935932648267", "1174017838553918518",
       9163, "1997487844552658120479227965844634309"},
      {kStableSwap, Kind::Exact0For1, "1000000000000000000", Limit::Default, false, "1000700370186095",
       "-999700069986002", -887272, "85130172636557991529041720559172"},
      {kStableSwap, Kind::Exact1For0, "1000000000000000000", Limit::Default, false, "-999700069986002",
       "1000700370186095", 887271, "85130172636557991529041720559172"},
      {kStableSwap, Kind::ToLower, nullptr, Limit::To0_4, false, "1000700370186095", "-999700069986002",
       -9164, "85130172636557991529041720559172"},
      {kStableSwap, Kind::Exact0For1, "1000", Limit::Default, false, "1000", "-998", -1,
       "170141183460469231731"},
      {kToken0Only, Kind::Exact0For1, "1000000000000000000", Limit::Default, false, "0", "0", -887272, "0"},
      {kToken0Only, Kind::Exact1For0, "1000000000000000000", Limit::Default, false, "-665331998665331998",
       "1000000000000000000", 8089, "510423550381407695195061911147652317"},
      {kToken0Only, Kind::One4Exact0, "1000000000000000000", Limit::Default, false, "-1000000000000000000",
       "2006018054162487463", 13863, "1023918857334819954209013958517557896"},
      {kToken0Only, Kind::Exact1For0, "1000", Limit::Default, false, "-996", "1000", 0,
       "510423550381407695195"},
      {kToken0Only, Kind::ToHigher, nullptr, Limit::To2_5, false, "-735088935932648267",
       "1165774985123750584", 9163, "595039006852697554786973994761078087"},
      {kToken0Only, Kind::ToLower, nullptr, Limit::To0_4, false, "0", "0", -9164, "0"},
      {kToken1Only, Kind::Exact0For1, "1000000000000000000", Limit::Default, false, "1000000000000000000",
       "-665331998665331998", -8090, "510423550381407695195061911147652317"},
      {kToken1Only, Kind::Exact0For1, "1000", Limit::Default, false, "1000", "-996", -1,
       "510423550381407695195"},
      {kToken1Only, Kind::Exact1For0, "1000000000000000000", Limit::Default, false, "0", "0", 887271, "0"},
      {kToken1Only, Kind::ToLower, nullptr, Limit::To0_4, false, "1165774985123750584", "-735088935932648267",
       -9164, "595039006852697554786973994761078087"},
      {kToken1Only, Kind::ToHigher, nullptr, Limit::To2_5, false, "0", "0", 9163, "0"},
      {kCloseToMax, Kind::Exact0For1, "1000000000000000000", Limit::Default, false, "1000000000000000000",
       "-26087635650665564420687107504180041533", 13923, "510423550381413479995299567101531162"},
      {kCloseToMax, Kind::Exact0For1, "1000", Limit::Default, false, "1000",
       "-26083549850867114346332688477747755628", 705098, "2381976568446569244235"},
      {kCloseToMax, Kind::One4Exact0, "1000", Limit::Default, false, "0",
       "10740898373457544742072477595619363803", 887271,
       "5482407482066087054477299856254072312542046383926535301"},
      {kCloseToMax, Kind::ToLower, nullptr, Limit::To0_4, false, "3171793039286238109",
       "-26087635650665564423434232548437664977", -9164, "1618957864187523123655042148763283097"},
      {kCloseToMax, Kind::Zero4Exact1, "1000", Limit::Default, false, "2", "-1000", 880340,
       "170141183460469231731"},
      {kCloseToMax, Kind::ToHigher, nullptr, Limit::To0_4, true, "", "", 0, ""},
      {kCloseToMin, Kind::Exact1For0, "1000000000000000000", Limit::Default, false,
       "-26037782196502120271413746514214063808", "1000000000000000000", -13924,
       "510423550381413820277666488039994629"},
      {kCloseToMin, Kind::Zero4Exact1, "1000", Limit::Default, false,
       "10790901831095468191587263901270792610", "0", -887272,
       "5507930424444982259736347157352787128931407551935325049"},
      {kCloseToMin, Kind::ToHigher, nullptr, Limit::To2_5, false, "-26037782196502120274160871558471687260",
       "3171793039286238112", 9163, "1618957864187523634078592530170978294"},
      {kMaxLiquidity, Kind::Exact0For1, "1000000000000000000", Limit::Default, false, "1000000000000000000",
       "-996999999999999318", -1, "88725000000017597125"},
      {kMaxLiquidity, Kind::Exact1For0, "1000000000000000000", Limit::Default, false, "-996999999999999232",
       "1000000000000000000", 0, "88725000000020140575"},
      {kMaxLiquidity, Kind::Zero4Exact1, "1000", Limit::Default, false, "145660", "-1000", -1, "12924275"},
      {kMaxLiquidity, Kind::Exact0For1, "1000", Limit::Default, false, "1000", "0", -1, "29575000"},
      {kMaxLiquidity, Kind::ToLower, nullptr, Limit::To0_4, false, "6706554036096900675845906992672697",
       "-4228872409409224753601131225116702", -9164, "595039006852697512464428097924911949"},
      {kAtMaxRatio, Kind::Exact0For1, "1000000000000000000", Limit::Default, false, "1000000000000000000",
       "-36796311329002736528533367667012547243", 13923, "510423550381413479995299567101531162"},
      {kAtMaxRatio, Kind::Zero4Exact1, "1000", Limit::Default, false, "2", "-1000", 887219,
       "170141183460469231731"},
      {kAtMaxRatio, Kind::Exact1For0, "1000", Limit::Default, true, "", "", 0, ""},
      {kAtMinRatio, Kind::Exact1For0, "1000000000000000000", Limit::Default, false,
       "-36796311322104302058426248623781044040", "1000000000000000000", -13924,
       "510423550381413820277666488039994629"},
      {kAtMinRatio, Kind::One4Exact0, "1000", Limit::Default, false, "-1000", "2", -887220,
       "170141183460469231731"},
      {kAtMinRatio, Kind::Exact0For1, "1000", Limit::Default, true, "", "", 0, ""},
  };
  // Each pool's balances after its mint, as amount0Before / amount1Before print them.
  const std::pair<const char*, const char*> minted[] = {
      {"2000000000000000000", "2000000000000000000"},
      {"2000000000000000000", "2000000000000000000"},
      {"2000000000000000000", "2000000000000000000"},
      {"999700069986003", "999700069986003"},
      {"1995041008271423675", "0"},
      {"0", "1995041008271423675"},
      {"1", "26087635650665564424699143612505016738"},
      {"26037782196502120275425782622539039026", "1"},
      {"11505743598341114571255423385623647", "11505743598341114571255423385506404"},
      {"0", "36796311329002736532545403775337522448"},
      {"36796311322104302062438284732106019258", "0"},
  };
  int index = 0;
  for (const SnapshotSwap& s : swaps) {
    SCOPED_TRACE("swap " + std::to_string(index++));
    SnapshotPool p = snapshot_pool(s.pool);
    EXPECT_EQ(uniswap_v3::to_string(p.minted.amount0), minted[s.pool].first);
    EXPECT_EQ(uniswap_v3::to_string(p.minted.amount1), minted[s.pool].second);
    const bool zero_for_one =
        s.kind == Kind::Exact0For1 || s.kind == Kind::Zero4Exact1 || s.kind == Kind::ToLower;
    const bool exact_input = s.kind == Kind::Exact0For1 || s.kind == Kind::Exact1For0 || s.amount == nullptr;
    const U256 amount = s.amount != nullptr ? dec(s.amount) : U256(~Liquidity(0) >> 1, ~Liquidity(0));
    U256 limit = zero_for_one ? dec("4295128740") : dec("1461446703485210103287273052203988822378723970341");
    if (s.limit == Limit::To0_4) limit = kPrice2_5;
    if (s.limit == Limit::To2_5) limit = kPrice5_2;
    const U256 price_before = p.pool.sqrt_price_x96();
    const auto result = p.pool.swap(zero_for_one, exact_input, amount, limit);
    if (s.reverts) {
      EXPECT_FALSE(result.has_value());
      EXPECT_EQ(p.pool.sqrt_price_x96(), price_before);
      continue;
    }
    ASSERT_TRUE(result.has_value());
    const U256& amount0 = zero_for_one ? result->amount_in : result->amount_out;
    const U256& amount1 = zero_for_one ? result->amount_out : result->amount_in;
    EXPECT_EQ(signed_delta(amount0, !zero_for_one), s.amount0_delta);
    EXPECT_EQ(signed_delta(amount1, zero_for_one), s.amount1_delta);
    EXPECT_EQ(p.pool.tick(), s.tick_after);
    EXPECT_EQ(uniswap_v3::to_string(result->fee_growth_delta_x128), s.fee_growth_delta);
    EXPECT_EQ(uniswap_v3::to_string(zero_for_one ? p.pool.fee_growth_global0_x128()
                                                 : p.pool.fee_growth_global1_x128()),
              s.fee_growth_delta);
  }
}

// ---------------------------------------------------------------------------------------------------
// ConcentratedLiquidityPool: the venue in ledger units

const Ratio kFee03 = ratio_from_double(0.003);  // 3000 pips, spacing 60 (the MEDIUM tier)
constexpr int64_t kCoin = 100'000'000;          // 1 coin in Quantity raw
constexpr Price kUnlimitedBuy = Price::max();
constexpr Price kUnlimitedSell = Price(1);

Price dollars(int64_t d) { return Price(d * kPriceScale); }
Amount usd(int64_t d) { return Amount(d * kAmountScale); }

ExecutionRequest request(Side side, Quantity q, Price worst, int64_t tag = -1) {
  return ExecutionRequest{kTaker, side, q, worst, false, tag};
}

// Four ranges around $3,000 with the 0.3% tier: $2,500-3,500 (10 coins, $30,000 budget), $2,800-3,200 (5
// coins, $15,000), $3,100-4,000 above the price (3 coins) and $1,500-2,900 below it ($20,000).
std::vector<ConcentratedPosition> reference_positions() {
  const Price p0 = dollars(3000);
  return {
      ConcentratedLiquidityPool::position_for(p0, 60, dollars(2500), dollars(3500), Quantity(10 * kCoin),
                                              usd(30000)),
      ConcentratedLiquidityPool::position_for(p0, 60, dollars(2800), dollars(3200), Quantity(5 * kCoin),
                                              usd(15000)),
      ConcentratedLiquidityPool::position_for(p0, 60, dollars(3100), dollars(4000), Quantity(3 * kCoin),
                                              Amount(0)),
      ConcentratedLiquidityPool::position_for(p0, 60, dollars(1500), dollars(2900), Quantity(0), usd(20000))};
}

ConcentratedLiquidityPool reference_pool() {
  const std::vector<ConcentratedPosition> positions = reference_positions();
  return ConcentratedLiquidityPool(kPool, dollars(3000), kFee03, 60, positions);
}

// One range of $1,000-4,000 around $2,000 in the 1% tier (spacing 200): a bitmap word spans 51,200 ticks,
// so every swap inside the range is a single computeSwapStep.
ConcentratedLiquidityPool single_range_pool() {
  const std::vector<ConcentratedPosition> positions = {ConcentratedLiquidityPool::position_for(
      dollars(2000), 200, dollars(1000), dollars(4000), Quantity(100 * kCoin), usd(200000))};
  return ConcentratedLiquidityPool(kPool, dollars(2000), ratio_from_double(0.01), 200, positions);
}

// preview() is execute() on a copy: a sale crossing ticks fills and pays the same, the pool unchanged.
TEST(ConcentratedLiquidityPool, PreviewIsTheExecutionWithoutIt) {
  ConcentratedLiquidityPool pool = reference_pool();
  const ExecutionRequest sale{AccountId(77), Side::Sell, Quantity(4 * kCoin), Price(1), false, -1};
  const SwapPreview preview = pool.preview(sale);
  EXPECT_EQ(pool.price(), reference_pool().price());
  const SwapPreview done = summarize_swap(pool.execute(sale));
  EXPECT_EQ(preview.filled, done.filled);
  EXPECT_EQ(preview.quote, done.quote);
  EXPECT_EQ(preview.filled, Quantity(4 * kCoin));
}

// Ticks from the $ bounds (lower rounded down, upper up, onto the spacing), liquidity from
// LiquidityAmounts.getLiquidityForAmounts, the mints' deposits (rounded up) as the reserves, and the pool's
// initial state: all from the reference.
TEST(ConcentratedLiquidityPool, ConstructionDepositsWhatTheMintsOwe) {
  const std::vector<ConcentratedPosition> positions = reference_positions();
  const int32_t expected[4][2] = {{32160, 35580}, {33300, 34680}, {34320, 36900}, {27060, 33720}};
  const char* liquidity[4] = {"61879739382", "78128129217", "13787161590", "13083545586"};
  const Price bounds[4][2] = {{dollars(2500), dollars(3500)},
                              {dollars(2800), dollars(3200)},
                              {dollars(3100), dollars(4000)},
                              {dollars(1500), dollars(2900)}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(positions[i].tick_lower, expected[i][0]);
    EXPECT_EQ(positions[i].tick_upper, expected[i][1]);
    EXPECT_EQ(uniswap_v3::to_string(U256(positions[i].liquidity)), liquidity[i]);
    // The range covers the $ bounds and is no wider than one spacing beyond each.
    const auto price_at = [](int32_t tick) {
      const U256 s = uniswap_v3::get_sqrt_ratio_at_tick(tick);
      return std::pow(std::ldexp(double(s.lo) + std::ldexp(double(s.hi), 128), -96), 2) * 100.0;
    };
    EXPECT_LE(price_at(positions[i].tick_lower), to_double(bounds[i][0]));
    EXPECT_GT(price_at(positions[i].tick_lower + 60), to_double(bounds[i][0]));
    EXPECT_GE(price_at(positions[i].tick_upper), to_double(bounds[i][1]));
    EXPECT_LT(price_at(positions[i].tick_upper - 60), to_double(bounds[i][1]));
  }
  const ConcentratedLiquidityPool p = reference_pool();
  EXPECT_EQ(p.kind(), "amm_v3");
  EXPECT_EQ(p.fee(), kFee03);
  EXPECT_EQ(p.core().fee_pips(), 3000u);
  EXPECT_EQ(p.core().sqrt_price_x96(), dec("433950517987477948943152178624"));
  EXPECT_EQ(p.core().sqrt_price_x96(), ConcentratedLiquidityPool::sqrt_price_x96_at(dollars(3000)));
  EXPECT_EQ(p.core().tick(), 34013);
  EXPECT_EQ(uniswap_v3::to_string(U256(p.core().liquidity())), "140007868599");  // the first two ranges
  EXPECT_EQ(p.deposited_base(), Quantity(1'618'365'983));
  EXPECT_EQ(p.deposited_quote(), Amount(64'999'999'999));
  EXPECT_EQ(p.base_reserve(), p.deposited_base());
  EXPECT_EQ(p.quote_reserve(), p.deposited_quote());
  EXPECT_EQ(p.price(), Price(2'999'999'999));  // the floor of the floored sqrt price
  // Burning every position now pays the deposits less their rounding (down instead of up).
  EXPECT_EQ(p.withdrawable_base(), Quantity(1'618'365'980));
  EXPECT_EQ(p.withdrawable_quote(), Amount(64'999'999'996));
}

// best_bid / best_ask are P (1 - fee) rounded down and P / (1 - fee) rounded up at the nearest price with
// liquidity in each direction (values from the reference).
TEST(ConcentratedLiquidityPool, BestBidAndAskIncludeTheFeeAtTheNearestLiquidity) {
  const ConcentratedLiquidityPool p = reference_pool();
  EXPECT_EQ(p.best_bid(), Price(2'990'999'999));
  EXPECT_EQ(p.best_ask(), Price(3'009'027'082));
  // A gap around the price: $2,000-2,500 below (quote only) and $3,500-4,000 above (coins only); the active
  // liquidity is 0, and the quotes are the edges of the two ranges, fee included.
  const Price p0 = dollars(3000);
  const std::vector<ConcentratedPosition> gap = {
      ConcentratedLiquidityPool::position_for(p0, 60, dollars(2000), dollars(2500), Quantity(0), usd(50000)),
      ConcentratedLiquidityPool::position_for(p0, 60, dollars(3500), dollars(4000), Quantity(10 * kCoin),
                                              Amount(0))};
  ConcentratedLiquidityPool g(kPool, p0, kFee03, 60, gap);
  EXPECT_EQ(g.core().liquidity(), Liquidity(0));
  EXPECT_EQ(g.deposited_base(), Quantity(1'000'000'000));
  EXPECT_EQ(g.deposited_quote(), Amount(50'000'000'000));
  EXPECT_EQ(g.best_bid(), Price(2'499'896'444));  // $2,507.4187 (tick 32220) x 0.997
  EXPECT_EQ(g.best_ask(), Price(3'498'176'483));  // $3,487.6819 (tick 35520) / 0.997
  // A sell crosses the gap at no cost and trades from the lower range's top.
  const Execution x = g.execute(request(Side::Sell, Quantity(kCoin), kUnlimitedSell));
  ASSERT_EQ(x.filled, Quantity(kCoin));
  EXPECT_EQ(x.fills[0].price, Price(2'486'502'587));
  EXPECT_EQ(g.core().tick(), 32112);
  EXPECT_EQ(g.best_bid(), Price(2'473'180'492));
  EXPECT_EQ(g.best_ask(), Price(2'488'086'620));
  // Only coins above the price: nothing to sell into.
  const std::vector<ConcentratedPosition> above = {gap[1]};
  const ConcentratedLiquidityPool a(kPool, p0, kFee03, 60, above);
  EXPECT_FALSE(a.best_bid().has_value());
  EXPECT_EQ(a.best_ask(), Price(3'498'176'483));
}

// A sequence of executions against the reference, exactly: fills (quantity, price), reserves, the v3 state
// and the quotes after each. It crosses ranges both ways, stops at worst prices (step 3 leaves the bid at
// exactly the limit) and ends with both directions' liquidity exhausted.
TEST(ConcentratedLiquidityPool, ExecutionsMatchTheReference) {
  struct Step {
    Side side;
    int64_t quantity;
    Price worst;
    int64_t filled;
    int64_t price;
    int64_t base;
    int64_t quote;
    const char* sqrt_price;
    int32_t tick;
    const char* liquidity;
    std::optional<int64_t> bid;
    std::optional<int64_t> ask;
  };
  const Step steps[] = {
      {Side::Sell, 2 * kCoin, kUnlimitedSell, 200000000, 2967848715, 1818365983, 59064302569,
       "430591603910952470624919191323", 33858, "140007868599", 2944876628, 2962625720},
      {Side::Buy, 3 * kCoin, kUnlimitedBuy, 300000000, 2997533224, 1518365983, 68056902241,
       "435665102662422450171358368873", 34092, "140007868599", 3014682211, 3032852029},
      {Side::Sell, 20 * kCoin, dollars(2700), 1306022802, 2869013786, 2824388785, 30586928004,
       "412300523916117398995178706191", 32990, "74963284968", 2700000000, 2716273193},
      {Side::Buy, kCoin, dollars(2950), 100000000, 2735261426, 2724388785, 33322189430,
       "415182729619531340898318808105", 33129, "74963284968", 2737880890, 2754382396},
      {Side::Buy, kCoin / 2, dollars(2990), 50000000, 2764043484, 2674388785, 34704211172,
       "416638996617338340459398512882", 33199, "74963284968", 2757120987, 2773738455},
      {Side::Sell, 100 * kCoin, kUnlimitedSell, 1526146883, 2271398768, 4200535668, 39329674,
       "7934727282333137193352104", -184186, "0", std::nullopt, 1501229029},
      {Side::Buy, 1000 * kCoin, kUnlimitedBuy, 4191439150, 2815675011, 9096518, 118056634421,
       "24025477411448481643758115791260769", 252458, "0", 3991734747, std::nullopt},
  };
  ConcentratedLiquidityPool p = reference_pool();
  int k = 0;
  for (const Step& s : steps) {
    SCOPED_TRACE("step " + std::to_string(k));
    const Execution x = p.execute(request(s.side, Quantity(s.quantity), s.worst, k++));
    ASSERT_TRUE(x.accepted());
    ASSERT_EQ(x.fills.size(), 1u);
    EXPECT_EQ(x.filled, Quantity(s.filled));
    EXPECT_EQ(x.fills[0].quantity, Quantity(s.filled));
    EXPECT_EQ(x.fills[0].price, Price(s.price));
    EXPECT_EQ(x.fills[0].maker_owner, kPool);
    EXPECT_EQ(x.fills[0].taker_owner, kTaker);
    EXPECT_EQ(x.fills[0].taker_side, s.side);
    EXPECT_EQ(x.fills[0].taker_tag, k - 1);
    EXPECT_EQ(p.base_reserve(), Quantity(s.base));
    EXPECT_EQ(p.quote_reserve(), Amount(s.quote));
    EXPECT_EQ(p.core().sqrt_price_x96(), dec(s.sqrt_price));
    EXPECT_EQ(p.core().tick(), s.tick);
    EXPECT_EQ(uniswap_v3::to_string(U256(p.core().liquidity())), s.liquidity);
    EXPECT_EQ(p.best_bid(), s.bid ? std::optional<Price>(Price(*s.bid)) : std::nullopt);
    EXPECT_EQ(p.best_ask(), s.ask ? std::optional<Price>(Price(*s.ask)) : std::nullopt);
  }
}

// Inside one range the pool is x * y = L^2 on the virtual reserves x = L / sqrt(P), y = L sqrt(P): a sell's
// output is y - L^2 / (x + dx (1 - fee)) and a buy's input before the fee L^2 / (x - dy) - y, each within
// one unit (the contracts round the price against the trader, then the amount).
TEST(ConcentratedLiquidityPool, SingleRangeIsConstantProductInside) {
  const ConcentratedLiquidityPool p = single_range_pool();
  const uniswap_v3::Pool& core = p.core();
  ASSERT_EQ(core.ticks().size(), 2u);
  using Real = long double;
  const Real liquidity = Real(core.liquidity());
  const U256 s0 = core.sqrt_price_x96();
  const Real sqrt_p = (Real(uint64_t(s0.lo >> 64)) * 18446744073709551616.0L + Real(uint64_t(s0.lo))) /
                      std::ldexp(Real(1), 96);
  const Real x = liquidity / sqrt_p, y = liquidity * sqrt_p;
  const uint32_t pips = core.fee_pips();
  Rng rng(41);
  for (int k = 0; k < 400; ++k) {
    const int64_t q = rng.uniform_int(1, 60 * kCoin);
    const auto sold = core.quote(true, true, U256(q), dec("4295128740"));
    ASSERT_TRUE(sold.has_value());
    ASSERT_EQ(sold->amount_in, U256(q));  // within the range: the whole input is used
    const Real net = Real(q * int64_t(uniswap_v3::kPipsScale - pips) / int64_t(uniswap_v3::kPipsScale));
    const Real out = y - liquidity * liquidity / (x + net);
    EXPECT_NEAR(Real(sold->amount_out.lo), out, 1.0L) << q;
    const auto bought =
        core.quote(false, false, U256(q), dec("1461446703485210103287273052203988822378723970341"));
    ASSERT_TRUE(bought.has_value());
    ASSERT_EQ(bought->amount_out, U256(q));
    const U256 in_net = uniswap_v3::get_amount1_delta(s0, bought->sqrt_price_x96, core.liquidity(), true);
    const U256 fee = uniswap_v3::mul_div_rounding_up(in_net, U256(pips), U256(uniswap_v3::kPipsScale - pips));
    EXPECT_EQ(U256(in_net.lo + fee.lo), bought->amount_in);  // amountIn + feeAmount
    EXPECT_NEAR(Real(in_net.lo), liquidity * liquidity / (x - Real(q)) - y, 1.0L) << q;
  }
  // Through execute, a whole coin's fill is the swap's amount exactly (price x 1 coin = amountOut).
  ConcentratedLiquidityPool e = single_range_pool();
  const auto expected = e.core().quote(true, true, U256(kCoin), dec("4295128740"));
  const Execution sold = e.execute(request(Side::Sell, Quantity(kCoin), kUnlimitedSell));
  EXPECT_EQ(U256(Liquidity(notional(sold.fills[0].price, sold.filled, Round::Down).raw())),
            expected->amount_out);
}

// Crossing an initialized tick applies its liquidityNet (subtracted going down, added going up), and the tick
// after a downward crossing is the boundary - 1 (UniswapV3Pool.swap).
TEST(ConcentratedLiquidityPool, CrossingTicksChangesLiquidity) {
  // $2,000-3,000 with more liquidity than $3,000-4,000 above it, adjacent at one tick; price $3,500.
  const Price p0 = dollars(3500);
  std::vector<ConcentratedPosition> ranges = {
      ConcentratedLiquidityPool::position_for(p0, 60, dollars(2000), dollars(3000), Quantity(0), usd(100000)),
      ConcentratedLiquidityPool::position_for(p0, 60, dollars(3000), dollars(4000), Quantity(5 * kCoin),
                                              usd(1000000))};
  // Make the ranges adjacent on the grid (both $3,000 bounds round outward to different ticks).
  ranges[1].tick_lower = ranges[0].tick_upper;
  ConcentratedLiquidityPool p(kPool, p0, kFee03, 60, ranges);
  const Liquidity upper_l = ranges[1].liquidity, lower_l = ranges[0].liquidity;
  ASSERT_NE(upper_l, lower_l);
  EXPECT_EQ(p.core().liquidity(), upper_l);
  const int32_t boundary = ranges[0].tick_upper;
  EXPECT_EQ(p.core().ticks().at(boundary).liquidity_net, __int128(upper_l) - __int128(lower_l));
  // Sell through the boundary.
  const Execution down = p.execute(request(Side::Sell, Quantity(10 * kCoin), kUnlimitedSell));
  ASSERT_EQ(down.filled, Quantity(10 * kCoin));
  EXPECT_LT(p.core().tick(), boundary);
  EXPECT_EQ(p.core().liquidity(), lower_l);
  // Buy back up through it.
  const Execution up = p.execute(request(Side::Buy, Quantity(10 * kCoin), kUnlimitedBuy));
  ASSERT_EQ(up.filled, Quantity(10 * kCoin));
  EXPECT_GE(p.core().tick(), boundary);
  EXPECT_EQ(p.core().liquidity(), upper_l);
  // A sell that ends exactly on the boundary leaves the tick at boundary - 1 and the lower range active.
  uniswap_v3::Pool core = p.core();
  const U256 at = uniswap_v3::get_sqrt_ratio_at_tick(boundary);
  const auto exact = core.swap(true, true, dec("1000000000000000000"), at);
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(core.sqrt_price_x96(), at);
  EXPECT_EQ(core.tick(), boundary - 1);
  EXPECT_EQ(core.liquidity(), lower_l);
}

// Exact input then the reverse swap never gains the trader anything: selling q and buying q back costs at
// least what the sale paid, buying q and selling it back pays at most what the purchase cost (random sizes
// and states, with drift swaps between the round trips).
TEST(ConcentratedLiquidityPool, RoundTripsNeverGainTheTrader) {
  ConcentratedLiquidityPool p = reference_pool();
  Rng rng(51);
  int round_trips = 0;
  for (int k = 0; k < 600; ++k) {
    const Quantity q(rng.uniform_int(1, 3 * kCoin));
    const bool sell_first = rng.bernoulli(0.5);
    const Side first = sell_first ? Side::Sell : Side::Buy;
    const Side second = sell_first ? Side::Buy : Side::Sell;
    const Execution a = p.execute(request(first, q, sell_first ? kUnlimitedSell : kUnlimitedBuy));
    if (a.filled.raw() == 0) continue;
    const Amount cash_a = notional(a.fills[0].price, a.filled, Round::Down);
    const Quantity back = a.filled;
    const Execution b = p.execute(request(second, back, sell_first ? kUnlimitedBuy : kUnlimitedSell));
    if (b.filled != back) continue;  // (never with this pool's depth)
    const Amount cash_b = notional(b.fills[0].price, b.filled, Round::Down);
    if (sell_first) {
      EXPECT_GE(cash_b, cash_a) << "round trip " << k;
    } else {
      EXPECT_LE(cash_b, cash_a) << "round trip " << k;
    }
    ++round_trips;
    // Drift: a random swap that moves the state for the next round trip.
    const Side drift = rng.bernoulli(0.5) ? Side::Buy : Side::Sell;
    p.execute(request(drift, Quantity(rng.uniform_int(1, 2 * kCoin)),
                      drift == Side::Buy ? kUnlimitedBuy : kUnlimitedSell));
  }
  EXPECT_GT(round_trips, 500);
}

// The pool's balances are the deposits plus every swap's input minus its output, never negative, and
// always cover what burning every position would pay out (the liquidity providers' claims), through random
// swaps that include exhausting the liquidity both ways.
TEST(ConcentratedLiquidityPool, ReservesAreDepositsPlusFlowsAndCoverTheLiquidity) {
  ConcentratedLiquidityPool p = reference_pool();
  Quantity base = p.deposited_base();
  Amount quote = p.deposited_quote();
  Rng rng(61);
  for (int k = 0; k < 1500; ++k) {
    const Side side = rng.bernoulli(0.5) ? Side::Buy : Side::Sell;
    // Mostly small swaps, sometimes one that empties a direction.
    const Quantity q(k % 100 == 99 ? 500 * kCoin : rng.uniform_int(1, 4 * kCoin));
    const int64_t offset = rng.uniform_int(-200'000'000, 200'000'000);  // worst within $200 of the price
    Price worst = Price(std::max<int64_t>(1, p.price().raw() + offset));
    if (rng.bernoulli(0.3)) worst = side == Side::Buy ? kUnlimitedBuy : kUnlimitedSell;
    const Execution x = p.execute(request(side, q, worst));
    ASSERT_TRUE(x.accepted());
    for (const Fill& f : x.fills) {
      const Amount cash = notional(f.price, f.quantity, Round::Down);
      if (side == Side::Sell) {
        base += f.quantity;
        quote -= cash;
      } else {
        base -= f.quantity;
        quote += cash;
      }
    }
    ASSERT_EQ(p.base_reserve(), base) << "swap " << k;
    ASSERT_EQ(p.quote_reserve(), quote) << "swap " << k;
    ASSERT_GE(base.raw(), 0);
    ASSERT_GE(quote.raw(), 0);
    ASSERT_LE(p.withdrawable_base(), p.base_reserve()) << "swap " << k;
    ASSERT_LE(p.withdrawable_quote(), p.quote_reserve()) << "swap " << k;
  }
}

// The worst price bounds the marginal price after the swap (the quote on that side stays at or inside it)
// and the fill's average price; one more unit at the same limit fills nothing; a limit the quote is already
// past fills nothing and changes nothing.
TEST(ConcentratedLiquidityPool, FillsRespectTheWorstPrice) {
  ConcentratedLiquidityPool p = reference_pool();
  const Price sell_limit(p.best_bid()->raw() * 98 / 100);
  const Execution sold = p.execute(request(Side::Sell, Quantity(20 * kCoin), sell_limit));
  ASSERT_GT(sold.filled.raw(), 0);
  EXPECT_LT(sold.filled, Quantity(20 * kCoin));
  EXPECT_GE(sold.fills[0].price, sell_limit);
  EXPECT_GE(*p.best_bid(), sell_limit);
  EXPECT_EQ(p.execute(request(Side::Sell, Quantity(kCoin / 100), sell_limit)).filled, Quantity(0));
  const Price buy_limit(p.best_ask()->raw() * 103 / 100);
  const Execution bought = p.execute(request(Side::Buy, Quantity(40 * kCoin), buy_limit));
  ASSERT_GT(bought.filled.raw(), 0);
  EXPECT_LT(bought.filled, Quantity(40 * kCoin));
  EXPECT_LE(bought.fills[0].price, buy_limit);
  EXPECT_LE(*p.best_ask(), buy_limit);
  EXPECT_EQ(p.execute(request(Side::Buy, Quantity(kCoin / 100), buy_limit)).filled, Quantity(0));
  // Limits already crossed by the quotes: nothing fills and the pool is unchanged.
  const U256 before = p.core().sqrt_price_x96();
  EXPECT_EQ(p.execute(request(Side::Buy, Quantity(kCoin), *p.best_ask() - Price(1))).filled, Quantity(0));
  EXPECT_EQ(p.execute(request(Side::Sell, Quantity(kCoin), *p.best_bid() + Price(1))).filled, Quantity(0));
  EXPECT_EQ(p.core().sqrt_price_x96(), before);
  // Random limits around the price, in continuous liquidity ($1,500-4,000): every fill within its limit and
  // the quote on its side at or inside it afterwards.
  ConcentratedLiquidityPool r = reference_pool();
  Rng rng(71);
  for (int k = 0; k < 400; ++k) {
    const Side side = rng.bernoulli(0.5) ? Side::Buy : Side::Sell;
    const Price worst(r.price().raw() + rng.uniform_int(-60'000'000, 60'000'000));
    const Execution x = r.execute(request(side, Quantity(rng.uniform_int(1, 5 * kCoin)), worst));
    if (x.filled.raw() == 0) continue;
    if (side == Side::Sell) {
      ASSERT_GE(x.fills[0].price, worst);
      ASSERT_GE(*r.best_bid(), worst);
    } else {
      ASSERT_LE(x.fills[0].price, worst);
      ASSERT_LE(*r.best_ask(), worst);
    }
  }
}

// When the liquidity runs out before the quantity, the fill is what it allowed: the whole range's quote
// paid out for a sell (to the last few units), then no bid; the reverse for a buy (values from the
// reference).
TEST(ConcentratedLiquidityPool, LiquidityExhaustionFillsPartially) {
  ConcentratedLiquidityPool p = single_range_pool();
  EXPECT_EQ(p.deposited_base(), Quantity(100 * kCoin));
  EXPECT_EQ(p.deposited_quote(), Amount(198'044'291'348));
  const Execution sold = p.execute(request(Side::Sell, Quantity(1000 * kCoin), kUnlimitedSell));
  EXPECT_EQ(sold.filled, Quantity(14'164'408'785));
  EXPECT_EQ(sold.fills[0].price, Price(1'398'182'545));
  EXPECT_EQ(p.quote_reserve(), Amount(114));
  EXPECT_FALSE(p.best_bid().has_value());
  EXPECT_EQ(p.best_ask(), Price(1'007'377'330));
  EXPECT_EQ(p.core().liquidity(), Liquidity(0));
  EXPECT_EQ(p.execute(request(Side::Sell, Quantity(kCoin), kUnlimitedSell)).filled, Quantity(0));
  const Execution bought = p.execute(request(Side::Buy, Quantity(1000 * kCoin), kUnlimitedBuy));
  EXPECT_EQ(bought.filled, Quantity(24'022'764'696));
  EXPECT_EQ(bought.fills[0].price, Price(2'028'537'831));
  EXPECT_EQ(p.base_reserve(), Quantity(141'644'089));  // the fees paid in coins stay in the pool
  EXPECT_EQ(p.quote_reserve(), Amount(487'310'870'024));
  EXPECT_FALSE(p.best_ask().has_value());
  EXPECT_EQ(p.best_bid(), Price(4'003'542'457));
  EXPECT_EQ(p.execute(request(Side::Buy, Quantity(kCoin), kUnlimitedBuy)).filled, Quantity(0));
}

// A swap that would move no cash fills nothing and leaves the pool as it was (v3 would take 1 unit of
// token0 as the fee of an exact input of 1 and pay nothing).
TEST(ConcentratedLiquidityPool, ASwapThatMovesNoCashFillsNothing) {
  ConcentratedLiquidityPool p = reference_pool();
  const U256 before = p.core().sqrt_price_x96();
  const Execution x = p.execute(request(Side::Sell, Quantity(1), kUnlimitedSell));
  EXPECT_TRUE(x.accepted());
  EXPECT_EQ(x.filled, Quantity(0));
  EXPECT_TRUE(x.fills.empty());
  EXPECT_EQ(p.core().sqrt_price_x96(), before);
  EXPECT_EQ(p.base_reserve(), p.deposited_base());
  EXPECT_EQ(p.quote_reserve(), p.deposited_quote());
  EXPECT_EQ(p.core().fee_growth_global0_x128(), U256());
  // Invalid requests are refused.
  EXPECT_EQ(p.execute(request(Side::Buy, Quantity(0), kUnlimitedBuy)).reject, RejectReason::InvalidQuantity);
  EXPECT_EQ(p.execute(request(Side::Sell, Quantity(kCoin), Price(0))).reject, RejectReason::InvalidPrice);
}

// quantity_to sizes the swap that brings the marginal price including the fee to a target, across ranges
// (a sell's is the gross input).
TEST(ConcentratedLiquidityPool, QuantityToReachesTheTarget) {
  {
    ConcentratedLiquidityPool p = reference_pool();
    const double target = to_double(*p.best_ask()) * 1.10;  // beyond the $3,200 boundary
    const double q = p.quantity_to(Side::Buy, target);
    ASSERT_GT(q, 0.0);
    p.execute(request(Side::Buy, quantity_from_double(q), kUnlimitedBuy));
    EXPECT_NEAR(to_double(*p.best_ask()) / target, 1.0, 1e-4);
    EXPECT_EQ(p.quantity_to(Side::Buy, to_double(*p.best_ask()) * 0.9), 0.0);
  }
  {
    ConcentratedLiquidityPool p = reference_pool();
    const double target = to_double(*p.best_bid()) * 0.90;  // below the $2,800 boundary
    const double q = p.quantity_to(Side::Sell, target);
    ASSERT_GT(q, 0.0);
    p.execute(request(Side::Sell, quantity_from_double(q), kUnlimitedSell));
    EXPECT_NEAR(to_double(*p.best_bid()) / target, 1.0, 1e-4);
    EXPECT_EQ(p.quantity_to(Side::Sell, to_double(*p.best_bid()) * 1.1), 0.0);
  }
}

}  // namespace
}  // namespace liqsim
