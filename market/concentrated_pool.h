// A concentrated-liquidity AMM pool (Uniswap v3) as a Venue: liquidity provided over tick ranges, a
// square-root price in Q64.96, a swap that walks the initialized ticks, the fee taken from the input
// and left in the pool (it accrues to the liquidity providers, so it counts in the reserves).
//
// Sources (Uniswap/v3-core at its v1.0.0 contracts; Uniswap/v3-periphery for LiquidityAmounts):
// - contracts/libraries/TickMath.sol: getSqrtRatioAtTick (the magic-constant product) and
//   getTickAtSqrtRatio (the log2 approximation), MIN_TICK / MAX_TICK = -/+887272;
// - contracts/libraries/FullMath.sol: mulDiv, mulDivRoundingUp (the 512-bit product);
// - contracts/libraries/SqrtPriceMath.sol: getNextSqrtPriceFromAmount0RoundingUp / FromAmount1RoundingDown /
//   FromInput / FromOutput, getAmount0Delta, getAmount1Delta;
// - contracts/libraries/SwapMath.sol: computeSwapStep (exact input and exact output);
// - contracts/libraries/TickBitmap.sol: nextInitializedTickWithinOneWord (a swap step never spans two
//   256-tick bitmap words, which changes the roundings, so it is reproduced);
// - contracts/libraries/Tick.sol: tickSpacingToMaxLiquidityPerTick, update (liquidityNet's signs), cross;
// - contracts/UniswapV3Pool.sol: initialize, mint (_modifyPosition's amounts, rounded up), swap (the step
//   loop, sqrtPriceLimitX96, crossing ticks, tick - 1 after a zeroForOne crossing, feeGrowthGlobalX128);
// - v3-periphery contracts/libraries/LiquidityAmounts.sol: getLiquidityForAmounts (rounded down).
// uniswap_v3:: below is that integer math, with uint160/uint256 values as U256 (the 256- and 512-bit
// arithmetic is Boost.Multiprecision's, inside the .cpp) and the contracts' reverts as LIQSIM_CHECK, except
// the swap's argument checks ('AS', 'SPL'), which return nullopt. Not modelled: the protocol fee, per-
// position fee accounting (feeGrowthInside, tokensOwed), the price oracle, burning positions.
//
// Units: token0 is the market's coin in the ledger's base units (Quantity raw, 1e-8 coin), token1 the quote
// in Amount raw (1e-6 $), so the pool's raw price token1/token0 is $price * 1e6 / 1e8 = Price raw / 1e8, and
// sqrtPriceX96 = sqrt(Price raw / 1e8) * 2^96. Liquidity and the v3 values are those of the contracts on
// these integers.
//
// As a venue (the contract of ConstantProductPool::execute, market/amm_pool.h): an execution request is one
// swap, filled as one Fill with the pool's owner as maker. Side::Sell sells coins to the pool (zeroForOne,
// exact input of the quantity), Side::Buy buys coins from it (oneForZero, exact output of the quantity).
// The worst price bounds the marginal price after the swap, as a limit order's does on a book: the
// swap's sqrtPriceLimitX96 is where the marginal price including the fee (a sell's P (1 - fee), a buy's
// P / (1 - fee)) equals `worst`, rounded so it is never crossed; the fill's price, the swap's average, is
// not worse either (or nothing fills). That price is rounded in the pool's favour (a sell's down, a buy's
// up) and the ledger's cash for it, floor(price x quantity), is what the quote reserve moves by: the pool
// never pays more than the swap's amountOut nor receives less than its amountIn. When the liquidity runs
// out first the fill is what it allowed. A swap that would move no coin or no cash fills nothing and leaves
// the pool as it was (v3 would still move the price through ranges without liquidity). best_bid /
// best_ask are the marginal prices of an infinitesimal sell / buy (at the nearest price with liquidity in
// that direction) including the fee, rounded down / up; nullopt without liquidity in that direction (or a
// bid that rounds to 0). With a fee above 0 the bid is below the ask. `reduce_only` is the caller's to
// enforce.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "market/amm_venue.h"

namespace liqsim {

namespace uniswap_v3 {

// An unsigned 256-bit integer (Solidity's uint256, uint160) as plain storage.
struct U256 {
  unsigned __int128 hi = 0;
  unsigned __int128 lo = 0;
  constexpr U256() = default;
  constexpr explicit U256(unsigned __int128 low) : lo(low) {}
  constexpr U256(unsigned __int128 high, unsigned __int128 low) : hi(high), lo(low) {}
  friend constexpr auto operator<=>(const U256&, const U256&) = default;
  friend constexpr bool operator==(const U256&, const U256&) = default;
};
// Decimal digits only (checked, < 2^256).
U256 u256_from_decimal(std::string_view digits);
std::string to_string(const U256& x);
std::ostream& operator<<(std::ostream& os, const U256& x);

using Liquidity = unsigned __int128;  // uint128

inline constexpr int32_t kMinTick = -887272;
inline constexpr int32_t kMaxTick = 887272;
// getSqrtRatioAtTick(kMinTick) = 4295128739 and getSqrtRatioAtTick(kMaxTick) =
// 1461446703485210103287273052203988822378723970342 (0xfffd8963efd1fc6a506488495d951d5263988d26).
inline constexpr U256 kMinSqrtRatio{4295128739u};
inline constexpr U256 kMaxSqrtRatio{
    0xfffd8963u, static_cast<unsigned __int128>(0xefd1fc6a50648849ull) << 64 | 0x5d951d5263988d26ull};
inline constexpr uint32_t kPipsScale = 1'000'000;  // fees in hundredths of a bip: 3000 = 0.3%

// FullMath: floor / ceil of a * b / denominator with the 512-bit product; the result must fit 256 bits.
U256 mul_div(const U256& a, const U256& b, const U256& denominator);
U256 mul_div_rounding_up(const U256& a, const U256& b, const U256& denominator);

// TickMath: sqrt(1.0001^tick) * 2^96, |tick| <= kMaxTick; and the greatest tick whose ratio is <= the
// argument, kMinSqrtRatio <= sqrt_price_x96 < kMaxSqrtRatio.
U256 get_sqrt_ratio_at_tick(int32_t tick);
int32_t get_tick_at_sqrt_ratio(const U256& sqrt_price_x96);

// SqrtPriceMath.
U256 get_next_sqrt_price_from_amount0_rounding_up(const U256& sqrt_p_x96, Liquidity liquidity,
                                                  const U256& amount, bool add);
U256 get_next_sqrt_price_from_amount1_rounding_down(const U256& sqrt_p_x96, Liquidity liquidity,
                                                    const U256& amount, bool add);
U256 get_next_sqrt_price_from_input(const U256& sqrt_p_x96, Liquidity liquidity, const U256& amount_in,
                                    bool zero_for_one);
U256 get_next_sqrt_price_from_output(const U256& sqrt_p_x96, Liquidity liquidity, const U256& amount_out,
                                     bool zero_for_one);
// The prices in either order (the v1.0.0 signatures sort them).
U256 get_amount0_delta(const U256& sqrt_ratio_a_x96, const U256& sqrt_ratio_b_x96, Liquidity liquidity,
                       bool round_up);
U256 get_amount1_delta(const U256& sqrt_ratio_a_x96, const U256& sqrt_ratio_b_x96, Liquidity liquidity,
                       bool round_up);

// SwapMath.computeSwapStep; the contract's signed amountRemaining is `amount_remaining` with `exact_in`
// (amountRemaining >= 0) or -amount_remaining (exact output).
struct SwapStep {
  U256 sqrt_ratio_next_x96;
  U256 amount_in;
  U256 amount_out;
  U256 fee_amount;
};
SwapStep compute_swap_step(const U256& sqrt_ratio_current_x96, const U256& sqrt_ratio_target_x96,
                           Liquidity liquidity, const U256& amount_remaining, bool exact_in,
                           uint32_t fee_pips);

// LiquidityAmounts (v3-periphery), rounded down; the prices in either order.
Liquidity get_liquidity_for_amount0(const U256& sqrt_ratio_a_x96, const U256& sqrt_ratio_b_x96,
                                    const U256& amount0);
Liquidity get_liquidity_for_amount1(const U256& sqrt_ratio_a_x96, const U256& sqrt_ratio_b_x96,
                                    const U256& amount1);
Liquidity get_liquidity_for_amounts(const U256& sqrt_ratio_x96, const U256& sqrt_ratio_a_x96,
                                    const U256& sqrt_ratio_b_x96, const U256& amount0, const U256& amount1);

// Tick.tickSpacingToMaxLiquidityPerTick.
Liquidity max_liquidity_per_tick(int32_t tick_spacing);

struct TickInfo {
  Liquidity liquidity_gross = 0;
  __int128 liquidity_net = 0;  // added when crossed upward, subtracted downward
};

// The outcome of a swap. For zero_for_one the pool's (amount0, amount1) are (amount_in, -amount_out).
struct SwapResult {
  U256 amount_in;              // paid to the pool, fee included
  U256 amount_out;             // paid by the pool
  U256 fee_growth_delta_x128;  // of the input token's feeGrowthGlobalX128 (modulo 2^256)
  U256 sqrt_price_x96;         // after
  int32_t tick = 0;            // after
  Liquidity liquidity = 0;     // active after
};

struct TokenAmounts {
  U256 amount0;
  U256 amount1;
};

// UniswapV3Pool's price and liquidity state (slot0, liquidity, ticks, the bitmap's initialized ticks).
class Pool {
 public:
  // initialize(sqrtPriceX96): kMinSqrtRatio <= sqrt_price_x96 < kMaxSqrtRatio; fee_pips < 1e6, 0 <
  // tick_spacing < 16384 (the factory's bounds).
  Pool(uint32_t fee_pips, int32_t tick_spacing, const U256& sqrt_price_x96);

  // mint: liquidity > 0 over [tick_lower, tick_upper), both multiples of the spacing within the tick range;
  // returns the tokens the position owes the pool (getAmount0Delta / getAmount1Delta rounded up).
  TokenAmounts mint(int32_t tick_lower, int32_t tick_upper, Liquidity liquidity);
  // What burning that much of the range would pay out now (rounded down), fees aside.
  TokenAmounts burn_amounts(int32_t tick_lower, int32_t tick_upper, Liquidity liquidity) const;

  // swap(zeroForOne, amountSpecified, sqrtPriceLimitX96): amountSpecified is `amount` (> 0) of input when
  // exact_input, of output otherwise. nullopt where the contract reverts on its arguments ('AS': amount 0;
  // 'SPL': the limit not strictly beyond the price in the swap's direction, or not strictly inside the
  // ratio bounds). `pay`, when given, is the swap callback: it sees the result before the pool commits it,
  // and returning false reverts the swap (the state is left unchanged, nullopt returned).
  std::optional<SwapResult> swap(bool zero_for_one, bool exact_input, const U256& amount,
                                 const U256& sqrt_price_limit_x96,
                                 const std::function<bool(const SwapResult&)>& pay = {});
  // The same swap without committing it (QuoterV1's answer).
  std::optional<SwapResult> quote(bool zero_for_one, bool exact_input, const U256& amount,
                                  const U256& sqrt_price_limit_x96) const;

  // TickBitmap.nextInitializedTickWithinOneWord: the next initialized tick at or below `tick` (lte) or above
  // it, or the word's last tick in that direction (second = false).
  std::pair<int32_t, bool> next_initialized_tick_within_one_word(int32_t tick, bool lte) const;

  uint32_t fee_pips() const { return fee_pips_; }
  int32_t tick_spacing() const { return tick_spacing_; }
  const U256& sqrt_price_x96() const { return sqrt_price_x96_; }
  int32_t tick() const { return tick_; }
  Liquidity liquidity() const { return liquidity_; }
  const U256& fee_growth_global0_x128() const { return fee_growth_global0_x128_; }
  const U256& fee_growth_global1_x128() const { return fee_growth_global1_x128_; }
  // The initialized ticks (liquidity_gross > 0), ascending.
  const std::map<int32_t, TickInfo>& ticks() const { return ticks_; }

 private:
  std::optional<SwapResult> simulate(bool zero_for_one, bool exact_input, const U256& amount,
                                     const U256& sqrt_price_limit_x96) const;
  void update_tick(int32_t tick, Liquidity delta, bool upper);

  uint32_t fee_pips_;
  int32_t tick_spacing_;
  Liquidity max_liquidity_per_tick_;
  U256 sqrt_price_x96_;
  int32_t tick_;
  Liquidity liquidity_ = 0;
  U256 fee_growth_global0_x128_;
  U256 fee_growth_global1_x128_;
  std::map<int32_t, TickInfo> ticks_;
};

}  // namespace uniswap_v3

// A liquidity position: `liquidity` over [tick_lower, tick_upper), ticks multiples of the pool's spacing.
struct ConcentratedPosition {
  int32_t tick_lower = 0;
  int32_t tick_upper = 0;
  uniswap_v3::Liquidity liquidity = 0;
};

class ConcentratedLiquidityPool final : public AmmVenue {
 public:
  // initialize(sqrt_price_x96_at(initial_price)), then mint each position in order; the pool's reserves
  // start at the deposits those mints owe (rounded up), which the ledger funds. Requires initial_price > 0,
  // 0 < fee < 1 in whole pips (a multiple of 1e-6, e.g. 0.3% or 0.05%), 0 < tick_spacing < 16384, valid
  // positions (see uniswap_v3::Pool::mint), and deposits that fit a Quantity and an Amount.
  ConcentratedLiquidityPool(AccountId owner, Price initial_price, Ratio fee, int32_t tick_spacing,
                            std::span<const ConcentratedPosition> positions);

  // A position from $ bounds and token budgets: the lower bound's tick rounded down and the upper bound's
  // up, onto the spacing (within the usable ticks), and the liquidity LiquidityAmounts.getLiquidityForAmounts
  // gives at the pool's initial price (rounded down): only coins count for a range above the price, only
  // quote below it, the smaller of the two inside (0 when the budgets are too small for the range, which the
  // constructor refuses). Requires 0 < lower < upper and budgets >= 0.
  static ConcentratedPosition position_for(Price initial_price, int32_t tick_spacing, Price lower,
                                           Price upper, Quantity coins, Amount quote);
  // floor(sqrt(p raw / 1e8) * 2^96), p > 0.
  static uniswap_v3::U256 sqrt_price_x96_at(Price p);

  std::string_view kind() const override { return "amm_v3"; }
  Execution execute(const ExecutionRequest& request) override;
  SwapPreview preview(const ExecutionRequest& request) const override {
    ConcentratedLiquidityPool copy = *this;
    return summarize_swap(copy.execute(request));
  }
  std::optional<Price> best_bid() const override;
  std::optional<Price> best_ask() const override;
  Price tick_size() const override { return Price(1); }

  AccountId owner() const { return owner_; }
  // The tokens the pool holds: deposits + swaps' inputs - outputs (fees included).
  Quantity base_reserve() const override { return base_; }
  Amount quote_reserve() const override { return quote_; }
  // What the positions deposited at construction.
  Quantity deposited_base() const { return deposited_base_; }
  Amount deposited_quote() const { return deposited_quote_; }
  // What burning every position would pay out now (Pool.burn's amounts, rounded down), fees aside: never
  // more than the reserves.
  Quantity withdrawable_base() const;
  Amount withdrawable_quote() const;
  Ratio fee() const { return Ratio(int64_t(core_.fee_pips()) * (kRatioScale / uniswap_v3::kPipsScale)); }
  std::span<const ConcentratedPosition> positions() const { return positions_; }
  // The v3 state (sqrt price, tick, active liquidity, initialized ticks).
  const uniswap_v3::Pool& core() const { return core_; }
  // The pool's price before fees, sqrtPriceX96^2 * 1e8 / 2^192 rounded down (at most Price::max()).
  Price price() const override;

  // Coins a trader would sell (Side::Sell) or buy to bring the marginal price including the fee to
  // `target` ($ per coin), walking the ranges in doubles: a decision aid for arbitrage sizing; a sell's is
  // the gross input (fee included), 0 when the pool is already at or beyond the target, and what the
  // liquidity allows when it runs out first.
  double quantity_to(Side side, double target) const override;

 private:
  // The sqrt price at which the next unit in the direction trades: the current one with liquidity there,
  // else the first initialized tick beyond it where liquidity starts; nullopt without any.
  std::optional<uniswap_v3::U256> marginal_sqrt_price(bool zero_for_one) const;

  AccountId owner_;
  uniswap_v3::Pool core_;
  std::vector<ConcentratedPosition> positions_;
  Quantity base_;
  Amount quote_;
  Quantity deposited_base_;
  Amount deposited_quote_;
  Fill fill_;  // the last execution's fill (the span an execution returns)
};

}  // namespace liqsim
