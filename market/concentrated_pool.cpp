#include "market/concentrated_pool.h"

#include <algorithm>
#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>
#include <limits>
#include <ostream>

#include "core/check.h"

namespace liqsim {
namespace uniswap_v3 {
namespace {

// The contracts' uint256 values and their 512-bit products (FullMath's prod1:prod0) are Boost integers
// here; U256 only stores the bits, so the header stays free of Boost. Every Solidity overflow or underflow
// the contracts check is checked explicitly below against 2^256 - 1.
namespace mp = boost::multiprecision;
using U128 = unsigned __int128;
using Big = mp::uint512_t;    // any uint256 and any product of two
using Signed = mp::int512_t;  // getTickAtSqrtRatio's signed fixed point

constexpr U128 u128(uint64_t hi, uint64_t lo) { return (U128(hi) << 64) | lo; }
constexpr U128 kU128Max = ~U128(0);
constexpr __int128 kI128Max = __int128(kU128Max >> 1);

Big big(U128 x) {
  Big r = Big(uint64_t(x >> 64));
  r <<= 64;
  r |= Big(uint64_t(x));
  return r;
}
Big big(const U256& x) {
  Big r = big(x.hi);
  r <<= 128;
  r |= big(x.lo);
  return r;
}
const Big& max256() {
  static const Big m = (Big(1) << 256) - 1;
  return m;
}
U128 low128(const Big& x) {
  const Big mask64 = (Big(1) << 64) - 1;
  return u128(static_cast<uint64_t>((x >> 64) & mask64), static_cast<uint64_t>(x & mask64));
}
U256 to_u256(const Big& x) {
  LIQSIM_CHECK(x <= max256(), "a uint256 overflowed");
  return U256(low128(x >> 128), low128(x));
}
U128 to_u128(const Big& x, const char* message) {
  LIQSIM_CHECK(x <= big(kU128Max), message);
  return low128(x);
}
const Big& q96() {
  static const Big q = Big(1) << 96;
  return q;
}
Big div_rounding_up(const Big& x, const Big& y) {  // UnsafeMath.divRoundingUp, y > 0
  return x / y + (x % y != 0 ? 1 : 0);
}

// FullMath on Big operands (each < 2^256).
Big full_mul_div(const Big& a, const Big& b, const Big& d) {
  LIQSIM_CHECK(d > 0, "mulDiv by zero");
  Big q = (a * b) / d;
  LIQSIM_CHECK(q <= max256(), "mulDiv overflowed 256 bits");
  return q;
}
Big full_mul_div_up(const Big& a, const Big& b, const Big& d) {
  Big q = full_mul_div(a, b, d);
  if ((a * b) % d != 0) {
    LIQSIM_CHECK(q < max256(), "mulDivRoundingUp overflowed 256 bits");
    q += 1;
  }
  return q;
}

// SqrtPriceMath on Big operands (the v1.0.0 versions: the delta functions sort their prices, and
// removing token0 requires the product not to overflow and numerator1 > product).
Big amount0_delta(Big a, Big b, const Big& liquidity, bool round_up) {
  if (a > b) std::swap(a, b);
  LIQSIM_CHECK(a > 0, "getAmount0Delta of a zero price");
  const Big numerator1 = liquidity << 96;
  const Big numerator2 = b - a;
  return round_up ? div_rounding_up(full_mul_div_up(numerator1, numerator2, b), a)
                  : full_mul_div(numerator1, numerator2, b) / a;
}
Big amount1_delta(Big a, Big b, const Big& liquidity, bool round_up) {
  if (a > b) std::swap(a, b);
  return round_up ? full_mul_div_up(liquidity, b - a, q96()) : full_mul_div(liquidity, b - a, q96());
}
Big next_from_amount0_rounding_up(const Big& sqrt_p, const Big& liquidity, const Big& amount, bool add) {
  if (amount == 0) return sqrt_p;  // the contract short-circuits: the formula need not return the input
  const Big numerator1 = liquidity << 96;
  const Big product = amount * sqrt_p;  // exact; the contract detects its uint256 overflow
  if (add) {
    if (product <= max256() && numerator1 + product <= max256()) {
      return full_mul_div_up(numerator1, sqrt_p, numerator1 + product);  // always fits in 160 bits
    }
    const Big denominator = numerator1 / sqrt_p + amount;  // LowGasSafeMath.add
    LIQSIM_CHECK(denominator <= max256(), "getNextSqrtPriceFromAmount0RoundingUp overflowed");
    return div_rounding_up(numerator1, denominator);
  }
  LIQSIM_CHECK(product <= max256() && numerator1 > product, "removing more token0 than the virtual reserve");
  const Big next = full_mul_div_up(numerator1, sqrt_p, numerator1 - product);
  LIQSIM_CHECK(next < (Big(1) << 160), "a sqrt price overflowed uint160");  // SafeCast.toUint160
  return next;
}
Big next_from_amount1_rounding_down(const Big& sqrt_p, const Big& liquidity, const Big& amount, bool add) {
  // amount << 96 / liquidity when amount fits 160 bits, else mulDiv: both are the exact floor (ceil).
  if (add) {
    const Big quotient = full_mul_div(amount, q96(), liquidity);
    const Big next = sqrt_p + quotient;
    LIQSIM_CHECK(next < (Big(1) << 160), "a sqrt price overflowed uint160");
    return next;
  }
  const Big quotient = full_mul_div_up(amount, q96(), liquidity);
  LIQSIM_CHECK(sqrt_p > quotient, "removing more token1 than the virtual reserve");
  return sqrt_p - quotient;
}
Big next_from_input(const Big& sqrt_p, const Big& liquidity, const Big& amount_in, bool zero_for_one) {
  LIQSIM_CHECK(sqrt_p > 0 && liquidity > 0, "getNextSqrtPriceFromInput of a zero price or liquidity");
  return zero_for_one ? next_from_amount0_rounding_up(sqrt_p, liquidity, amount_in, true)
                      : next_from_amount1_rounding_down(sqrt_p, liquidity, amount_in, true);
}
Big next_from_output(const Big& sqrt_p, const Big& liquidity, const Big& amount_out, bool zero_for_one) {
  LIQSIM_CHECK(sqrt_p > 0 && liquidity > 0, "getNextSqrtPriceFromOutput of a zero price or liquidity");
  return zero_for_one ? next_from_amount1_rounding_down(sqrt_p, liquidity, amount_out, false)
                      : next_from_amount0_rounding_up(sqrt_p, liquidity, amount_out, false);
}

struct BigStep {
  Big sqrt_next;
  Big amount_in;
  Big amount_out;
  Big fee_amount;
};

// SwapMath.computeSwapStep, line by line.
BigStep swap_step(const Big& current, const Big& target, const Big& liquidity, const Big& remaining,
                  bool exact_in, uint32_t fee_pips) {
  const bool zero_for_one = current >= target;
  BigStep s;
  if (exact_in) {
    const Big remaining_less_fee = full_mul_div(remaining, Big(kPipsScale - fee_pips), Big(kPipsScale));
    s.amount_in = zero_for_one ? amount0_delta(target, current, liquidity, true)
                               : amount1_delta(current, target, liquidity, true);
    s.sqrt_next = remaining_less_fee >= s.amount_in
                      ? target
                      : next_from_input(current, liquidity, remaining_less_fee, zero_for_one);
  } else {
    s.amount_out = zero_for_one ? amount1_delta(target, current, liquidity, false)
                                : amount0_delta(current, target, liquidity, false);
    s.sqrt_next =
        remaining >= s.amount_out ? target : next_from_output(current, liquidity, remaining, zero_for_one);
  }
  const bool max = target == s.sqrt_next;
  if (zero_for_one) {
    if (!(max && exact_in)) s.amount_in = amount0_delta(s.sqrt_next, current, liquidity, true);
    if (!(max && !exact_in)) s.amount_out = amount1_delta(s.sqrt_next, current, liquidity, false);
  } else {
    if (!(max && exact_in)) s.amount_in = amount1_delta(current, s.sqrt_next, liquidity, true);
    if (!(max && !exact_in)) s.amount_out = amount0_delta(current, s.sqrt_next, liquidity, false);
  }
  // Cap the output amount to not exceed the remaining output amount.
  if (!exact_in && s.amount_out > remaining) s.amount_out = remaining;
  if (exact_in && s.sqrt_next != target) {
    s.fee_amount = remaining - s.amount_in;  // the target was not reached: the rest of the input is the fee
  } else {
    s.fee_amount = full_mul_div_up(s.amount_in, Big(fee_pips), Big(kPipsScale - fee_pips));
  }
  return s;
}

Signed signed_of(uint64_t hi, uint64_t lo) {
  Signed r = Signed(hi);
  r <<= 64;
  r += Signed(lo);
  return r;
}

// floor(x / 2^128) for a signed x (Solidity's arithmetic >> on int256).
Signed floor_shift_128(const Signed& x) {
  if (x >= 0) return x >> 128;
  const Signed magnitude = -x;
  return -((magnitude + ((Signed(1) << 128) - 1)) >> 128);
}

int32_t floor_div(int32_t a, int32_t b) { return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0); }

// LiquidityMath.addDelta.
Liquidity add_delta(Liquidity x, __int128 y) {
  if (y < 0) {
    const Liquidity magnitude = Liquidity(-(y + 1)) + 1;
    LIQSIM_CHECK(magnitude <= x, "liquidity underflow (LS)");
    return x - magnitude;
  }
  LIQSIM_CHECK(Liquidity(y) <= kU128Max - x, "liquidity overflow (LA)");
  return x + Liquidity(y);
}

}  // namespace

U256 u256_from_decimal(std::string_view digits) {
  LIQSIM_CHECK(!digits.empty(), "an empty decimal");
  Big r = 0;
  for (const char c : digits) {
    LIQSIM_CHECK(c >= '0' && c <= '9', "not a decimal digit");
    r = r * 10 + (c - '0');
    LIQSIM_CHECK(r <= max256(), "a decimal above 2^256 - 1");
  }
  return to_u256(r);
}

std::string to_string(const U256& x) { return big(x).str(); }

std::ostream& operator<<(std::ostream& os, const U256& x) { return os << to_string(x); }

U256 mul_div(const U256& a, const U256& b, const U256& denominator) {
  return to_u256(full_mul_div(big(a), big(b), big(denominator)));
}

U256 mul_div_rounding_up(const U256& a, const U256& b, const U256& denominator) {
  return to_u256(full_mul_div_up(big(a), big(b), big(denominator)));
}

U256 get_sqrt_ratio_at_tick(int32_t tick) {
  // TickMath.getSqrtRatioAtTick: 1 / sqrt(1.0001)^(2^i) in Q128.128 for each bit of |tick|.
  static constexpr U128 kFactors[20] = {
      u128(0xfffcb933bd6fad37ull, 0xaa2d162d1a594001ull), u128(0xfff97272373d4132ull, 0x59a46990580e213aull),
      u128(0xfff2e50f5f656932ull, 0xef12357cf3c7fdccull), u128(0xffe5caca7e10e4e6ull, 0x1c3624eaa0941cd0ull),
      u128(0xffcb9843d60f6159ull, 0xc9db58835c926644ull), u128(0xff973b41fa98c081ull, 0x472e6896dfb254c0ull),
      u128(0xff2ea16466c96a38ull, 0x43ec78b326b52861ull), u128(0xfe5dee046a99a2a8ull, 0x11c461f1969c3053ull),
      u128(0xfcbe86c7900a88aeull, 0xdcffc83b479aa3a4ull), u128(0xf987a7253ac41317ull, 0x6f2b074cf7815e54ull),
      u128(0xf3392b0822b70005ull, 0x940c7a398e4b70f3ull), u128(0xe7159475a2c29b74ull, 0x43b29c7fa6e889d9ull),
      u128(0xd097f3bdfd2022b8ull, 0x845ad8f792aa5825ull), u128(0xa9f746462d870fdfull, 0x8a65dc1f90e061e5ull),
      u128(0x70d869a156d2a1b8ull, 0x90bb3df62baf32f7ull), u128(0x31be135f97d08fd9ull, 0x81231505542fcfa6ull),
      u128(0x09aa508b5b7a84e1ull, 0xc677de54f3e99bc9ull), u128(0x005d6af8dedb8119ull, 0x6699c329225ee604ull),
      u128(0x00002216e584f5faull, 0x1ea926041bedfe98ull), u128(0x00000000048a1703ull, 0x91f7dc42444e8fa2ull),
  };
  const uint32_t abs_tick = tick < 0 ? uint32_t(-int64_t(tick)) : uint32_t(tick);
  LIQSIM_CHECK(abs_tick <= uint32_t(kMaxTick), "tick out of range (T)");
  Big ratio = (abs_tick & 1) != 0 ? big(kFactors[0]) : Big(1) << 128;
  for (int bit = 1; bit < 20; ++bit) {
    if ((abs_tick & (1u << bit)) != 0) ratio = (ratio * big(kFactors[bit])) >> 128;
  }
  if (tick > 0) ratio = max256() / ratio;
  // Q128.128 to Q128.96, rounding up so getTickAtSqrtRatio of the result is consistent.
  const Big remainder = ratio & ((Big(1) << 32) - 1);
  return to_u256((ratio >> 32) + (remainder != 0 ? 1 : 0));
}

int32_t get_tick_at_sqrt_ratio(const U256& sqrt_price_x96) {
  // TickMath.getTickAtSqrtRatio: log2 of the ratio in Q64.64 (the integer part from the most
  // significant bit, 14 fractional bits by squaring), times log_sqrt(1.0001)(2) in Q128.128, then the two
  // candidate ticks within the approximation's error bounds.
  LIQSIM_CHECK(sqrt_price_x96 >= kMinSqrtRatio && sqrt_price_x96 < kMaxSqrtRatio,
               "sqrt ratio out of range (R)");
  const Big ratio = big(sqrt_price_x96) << 32;
  const int msb = int(mp::msb(ratio));
  Big r = msb >= 128 ? Big(ratio >> (msb - 127)) : Big(ratio << (127 - msb));
  Signed log_2 = Signed(msb - 128) * (Signed(1) << 64);
  for (int bit = 63; bit >= 50; --bit) {
    r = (r * r) >> 127;
    const unsigned f = static_cast<unsigned>(r >> 128);  // 0 or 1
    if (f != 0) log_2 += Signed(1) << bit;
    r >>= f;
  }
  static const Signed kLogSqrt10001 =
      signed_of(0x3627ull, 0xa301d71055774c85ull);  // 255738958999603826347141
  static const Signed kLowBound = signed_of(0x028f6481ab7f045aull, 0x5af012a19d003aaaull);
  static const Signed kHighBound = signed_of(0xdb2df09e81959a81ull, 0x455e260799a0632full);
  const Signed log_sqrt10001 = log_2 * kLogSqrt10001;
  const int32_t tick_low =
      static_cast<int32_t>(static_cast<int64_t>(floor_shift_128(log_sqrt10001 - kLowBound)));
  const int32_t tick_high =
      static_cast<int32_t>(static_cast<int64_t>(floor_shift_128(log_sqrt10001 + kHighBound)));
  if (tick_low == tick_high) return tick_low;
  return get_sqrt_ratio_at_tick(tick_high) <= sqrt_price_x96 ? tick_high : tick_low;
}

U256 get_next_sqrt_price_from_amount0_rounding_up(const U256& sqrt_p_x96, Liquidity liquidity,
                                                  const U256& amount, bool add) {
  return to_u256(next_from_amount0_rounding_up(big(sqrt_p_x96), big(liquidity), big(amount), add));
}

U256 get_next_sqrt_price_from_amount1_rounding_down(const U256& sqrt_p_x96, Liquidity liquidity,
                                                    const U256& amount, bool add) {
  LIQSIM_CHECK(liquidity > 0, "getNextSqrtPriceFromAmount1RoundingDown with zero liquidity");
  return to_u256(next_from_amount1_rounding_down(big(sqrt_p_x96), big(liquidity), big(amount), add));
}

U256 get_next_sqrt_price_from_input(const U256& sqrt_p_x96, Liquidity liquidity, const U256& amount_in,
                                    bool zero_for_one) {
  return to_u256(next_from_input(big(sqrt_p_x96), big(liquidity), big(amount_in), zero_for_one));
}

U256 get_next_sqrt_price_from_output(const U256& sqrt_p_x96, Liquidity liquidity, const U256& amount_out,
                                     bool zero_for_one) {
  return to_u256(next_from_output(big(sqrt_p_x96), big(liquidity), big(amount_out), zero_for_one));
}

U256 get_amount0_delta(const U256& sqrt_ratio_a_x96, const U256& sqrt_ratio_b_x96, Liquidity liquidity,
                       bool round_up) {
  return to_u256(amount0_delta(big(sqrt_ratio_a_x96), big(sqrt_ratio_b_x96), big(liquidity), round_up));
}

U256 get_amount1_delta(const U256& sqrt_ratio_a_x96, const U256& sqrt_ratio_b_x96, Liquidity liquidity,
                       bool round_up) {
  return to_u256(amount1_delta(big(sqrt_ratio_a_x96), big(sqrt_ratio_b_x96), big(liquidity), round_up));
}

SwapStep compute_swap_step(const U256& sqrt_ratio_current_x96, const U256& sqrt_ratio_target_x96,
                           Liquidity liquidity, const U256& amount_remaining, bool exact_in,
                           uint32_t fee_pips) {
  LIQSIM_CHECK(fee_pips < kPipsScale, "a fee of 100% or more");
  const BigStep s = swap_step(big(sqrt_ratio_current_x96), big(sqrt_ratio_target_x96), big(liquidity),
                              big(amount_remaining), exact_in, fee_pips);
  return SwapStep{to_u256(s.sqrt_next), to_u256(s.amount_in), to_u256(s.amount_out), to_u256(s.fee_amount)};
}

Liquidity get_liquidity_for_amount0(const U256& sqrt_ratio_a_x96, const U256& sqrt_ratio_b_x96,
                                    const U256& amount0) {
  Big a = big(sqrt_ratio_a_x96), b = big(sqrt_ratio_b_x96);
  if (a > b) std::swap(a, b);
  const Big intermediate = full_mul_div(a, b, q96());
  return to_u128(full_mul_div(big(amount0), intermediate, b - a), "liquidity overflowed uint128");
}

Liquidity get_liquidity_for_amount1(const U256& sqrt_ratio_a_x96, const U256& sqrt_ratio_b_x96,
                                    const U256& amount1) {
  Big a = big(sqrt_ratio_a_x96), b = big(sqrt_ratio_b_x96);
  if (a > b) std::swap(a, b);
  return to_u128(full_mul_div(big(amount1), q96(), b - a), "liquidity overflowed uint128");
}

Liquidity get_liquidity_for_amounts(const U256& sqrt_ratio_x96, const U256& sqrt_ratio_a_x96,
                                    const U256& sqrt_ratio_b_x96, const U256& amount0, const U256& amount1) {
  U256 a = sqrt_ratio_a_x96, b = sqrt_ratio_b_x96;
  if (a > b) std::swap(a, b);
  if (sqrt_ratio_x96 <= a) return get_liquidity_for_amount0(a, b, amount0);  // LiquidityAmounts.sol: <=
  if (sqrt_ratio_x96 < b) {
    return std::min(get_liquidity_for_amount0(sqrt_ratio_x96, b, amount0),
                    get_liquidity_for_amount1(a, sqrt_ratio_x96, amount1));
  }
  return get_liquidity_for_amount1(a, b, amount1);
}

Liquidity max_liquidity_per_tick(int32_t tick_spacing) {
  LIQSIM_CHECK(tick_spacing > 0, "a tick spacing <= 0");
  const int32_t min_tick = (kMinTick / tick_spacing) * tick_spacing;  // Solidity's / truncates, as C++'s
  const int32_t max_tick = (kMaxTick / tick_spacing) * tick_spacing;
  const uint32_t num_ticks = uint32_t((max_tick - min_tick) / tick_spacing) + 1;
  return kU128Max / num_ticks;
}

Pool::Pool(uint32_t fee_pips, int32_t tick_spacing, const U256& sqrt_price_x96)
    : fee_pips_(fee_pips),
      tick_spacing_(tick_spacing),
      max_liquidity_per_tick_(max_liquidity_per_tick(tick_spacing)),
      sqrt_price_x96_(sqrt_price_x96),
      tick_(get_tick_at_sqrt_ratio(sqrt_price_x96)) {
  LIQSIM_CHECK(fee_pips < kPipsScale, "a v3 pool's fee is below 100%");
  LIQSIM_CHECK(tick_spacing > 0 && tick_spacing < 16384, "a v3 pool's tick spacing is in (0, 16384)");
}

void Pool::update_tick(int32_t tick, Liquidity delta, bool upper) {
  // Tick.update: liquidityGross within maxLiquidityPerTick ('LO'); liquidityNet (int128) gains the delta
  // at a lower tick and loses it at an upper one. TickBitmap.flipTick requires the tick on the spacing.
  LIQSIM_CHECK(tick % tick_spacing_ == 0, "a position's tick is not a multiple of the tick spacing");
  TickInfo& info = ticks_[tick];
  const Liquidity gross = add_delta(info.liquidity_gross, __int128(delta));
  LIQSIM_CHECK(gross <= max_liquidity_per_tick_, "liquidity above the maximum per tick (LO)");
  info.liquidity_gross = gross;
  __int128 net = 0;
  const bool overflow = upper ? __builtin_sub_overflow(info.liquidity_net, __int128(delta), &net)
                              : __builtin_add_overflow(info.liquidity_net, __int128(delta), &net);
  LIQSIM_CHECK(!overflow, "liquidityNet overflowed int128");
  info.liquidity_net = net;
}

TokenAmounts Pool::mint(int32_t tick_lower, int32_t tick_upper, Liquidity liquidity) {
  // checkTicks ('TLU', 'TLM', 'TUM'), amount > 0, liquidityDelta = int256(amount).toInt128().
  LIQSIM_CHECK(tick_lower < tick_upper && tick_lower >= kMinTick && tick_upper <= kMaxTick,
               "a position's ticks are not lower < upper within the tick range");
  LIQSIM_CHECK(liquidity > 0 && liquidity <= Liquidity(kI128Max),
               "a position's liquidity is not in (0, 2^127)");
  update_tick(tick_lower, liquidity, false);
  update_tick(tick_upper, liquidity, true);
  // _modifyPosition: which tokens depend on the current tick against the range; rounded up.
  const Big sqrt_lower = big(get_sqrt_ratio_at_tick(tick_lower));
  const Big sqrt_upper = big(get_sqrt_ratio_at_tick(tick_upper));
  const Big l = big(liquidity);
  TokenAmounts owed;
  if (tick_ < tick_lower) {
    owed.amount0 = to_u256(amount0_delta(sqrt_lower, sqrt_upper, l, true));
  } else if (tick_ < tick_upper) {
    owed.amount0 = to_u256(amount0_delta(big(sqrt_price_x96_), sqrt_upper, l, true));
    owed.amount1 = to_u256(amount1_delta(sqrt_lower, big(sqrt_price_x96_), l, true));
    liquidity_ = add_delta(liquidity_, __int128(liquidity));
  } else {
    owed.amount1 = to_u256(amount1_delta(sqrt_lower, sqrt_upper, l, true));
  }
  return owed;
}

TokenAmounts Pool::burn_amounts(int32_t tick_lower, int32_t tick_upper, Liquidity liquidity) const {
  const Big sqrt_lower = big(get_sqrt_ratio_at_tick(tick_lower));
  const Big sqrt_upper = big(get_sqrt_ratio_at_tick(tick_upper));
  const Big l = big(liquidity);
  TokenAmounts paid;
  if (tick_ < tick_lower) {
    paid.amount0 = to_u256(amount0_delta(sqrt_lower, sqrt_upper, l, false));
  } else if (tick_ < tick_upper) {
    paid.amount0 = to_u256(amount0_delta(big(sqrt_price_x96_), sqrt_upper, l, false));
    paid.amount1 = to_u256(amount1_delta(sqrt_lower, big(sqrt_price_x96_), l, false));
  } else {
    paid.amount1 = to_u256(amount1_delta(sqrt_lower, sqrt_upper, l, false));
  }
  return paid;
}

std::pair<int32_t, bool> Pool::next_initialized_tick_within_one_word(int32_t tick, bool lte) const {
  // The bitmap holds bit (compressed mod 256) of word floor(compressed / 256), compressed = tick / spacing
  // rounded toward -infinity; the initialized ticks are the map's keys (all multiples of the spacing).
  const int32_t compressed = floor_div(tick, tick_spacing_);
  if (lte) {
    const int32_t word_first = floor_div(compressed, 256) * 256;  // compressed - bitPos
    auto it = ticks_.upper_bound(compressed * tick_spacing_);
    if (it != ticks_.begin()) {
      --it;
      if (it->first >= word_first * tick_spacing_) return {it->first, true};
    }
    return {word_first * tick_spacing_, false};
  }
  const int32_t next = compressed + 1;
  const int32_t word_last = floor_div(next, 256) * 256 + 255;  // next + (255 - bitPos)
  const auto it = ticks_.lower_bound(next * tick_spacing_);
  if (it != ticks_.end() && it->first <= word_last * tick_spacing_) return {it->first, true};
  return {word_last * tick_spacing_, false};
}

std::optional<SwapResult> Pool::simulate(bool zero_for_one, bool exact_input, const U256& amount,
                                         const U256& sqrt_price_limit_x96) const {
  // UniswapV3Pool.swap: 'AS' and 'SPL' checks, then steps of SwapMath.computeSwapStep to the next
  // initialized tick within one bitmap word (or the limit), crossing initialized ticks.
  if (amount == U256()) return std::nullopt;
  LIQSIM_CHECK(amount.hi >> 127 == 0, "amountSpecified above int256's range");
  const bool limit_ok = zero_for_one
                            ? sqrt_price_limit_x96 < sqrt_price_x96_ && sqrt_price_limit_x96 > kMinSqrtRatio
                            : sqrt_price_limit_x96 > sqrt_price_x96_ && sqrt_price_limit_x96 < kMaxSqrtRatio;
  if (!limit_ok) return std::nullopt;
  const Big limit = big(sqrt_price_limit_x96);
  const Big fee_growth_before = big(zero_for_one ? fee_growth_global0_x128_ : fee_growth_global1_x128_);
  Big remaining = big(amount);  // |amountSpecifiedRemaining|
  Big total_in = 0, total_out = 0;
  Big sqrt_price = big(sqrt_price_x96_);
  Big fee_growth = fee_growth_before;
  int32_t tick = tick_;
  Liquidity liquidity = liquidity_;
  while (remaining != 0 && sqrt_price != limit) {
    const Big start = sqrt_price;
    auto [tick_next, initialized] = next_initialized_tick_within_one_word(tick, zero_for_one);
    tick_next = std::clamp(tick_next, kMinTick, kMaxTick);
    const Big sqrt_next = big(get_sqrt_ratio_at_tick(tick_next));
    const bool beyond_limit = zero_for_one ? sqrt_next < limit : sqrt_next > limit;
    const BigStep step = swap_step(sqrt_price, beyond_limit ? limit : sqrt_next, big(liquidity), remaining,
                                   exact_input, fee_pips_);
    sqrt_price = step.sqrt_next;
    if (exact_input) {
      remaining -= step.amount_in + step.fee_amount;  // never more than remains (SwapMath)
    } else {
      remaining -= step.amount_out;  // capped at what remains
    }
    total_in += step.amount_in + step.fee_amount;
    total_out += step.amount_out;
    if (liquidity > 0) {
      fee_growth = (fee_growth + full_mul_div(step.fee_amount, Big(1) << 128, big(liquidity))) & max256();
    }
    if (sqrt_price == sqrt_next) {
      if (initialized) {
        // Tick.cross: liquidityNet, negated when moving leftward (zeroForOne).
        const __int128 net = ticks_.at(tick_next).liquidity_net;
        liquidity = add_delta(liquidity, zero_for_one ? -net : net);
      }
      tick = zero_for_one ? tick_next - 1 : tick_next;
    } else if (sqrt_price != start) {
      tick = get_tick_at_sqrt_ratio(to_u256(sqrt_price));
    }
  }
  LIQSIM_CHECK(total_in < (Big(1) << 255) && total_out < (Big(1) << 255), "a swap amount above int256");
  SwapResult result;
  result.amount_in = to_u256(total_in);
  result.amount_out = to_u256(total_out);
  result.fee_growth_delta_x128 = to_u256((fee_growth + (Big(1) << 256) - fee_growth_before) & max256());
  result.sqrt_price_x96 = to_u256(sqrt_price);
  result.tick = tick;
  result.liquidity = liquidity;
  return result;
}

std::optional<SwapResult> Pool::quote(bool zero_for_one, bool exact_input, const U256& amount,
                                      const U256& sqrt_price_limit_x96) const {
  return simulate(zero_for_one, exact_input, amount, sqrt_price_limit_x96);
}

std::optional<SwapResult> Pool::swap(bool zero_for_one, bool exact_input, const U256& amount,
                                     const U256& sqrt_price_limit_x96,
                                     const std::function<bool(const SwapResult&)>& pay) {
  std::optional<SwapResult> result = simulate(zero_for_one, exact_input, amount, sqrt_price_limit_x96);
  if (!result || (pay && !pay(*result))) return std::nullopt;
  sqrt_price_x96_ = result->sqrt_price_x96;
  tick_ = result->tick;
  liquidity_ = result->liquidity;
  U256& fee_growth = zero_for_one ? fee_growth_global0_x128_ : fee_growth_global1_x128_;
  fee_growth = to_u256((big(fee_growth) + big(result->fee_growth_delta_x128)) & max256());
  return result;
}

}  // namespace uniswap_v3

namespace {

using uniswap_v3::big;
using uniswap_v3::Big;
using uniswap_v3::to_u256;
using uniswap_v3::U256;
using Wide = __int128;
namespace mp = boost::multiprecision;

constexpr Wide kPerCoin = kQuantityScale;    // Price raw = cash raw * 1e8 / quantity raw
constexpr int64_t kPriceToV3 = 100'000'000;  // the pool's raw price is Price raw / 1e8

Big big_of(int64_t x) { return Big(static_cast<uint64_t>(x)); }

uint32_t pips_of(Ratio fee) {
  constexpr int64_t kRatioPerPip = kRatioScale / uniswap_v3::kPipsScale;
  LIQSIM_CHECK(fee.raw() > 0 && fee.raw() < kRatioScale, "a v3 pool's fee is in (0, 1)");
  LIQSIM_CHECK(fee.raw() % kRatioPerPip == 0, "a v3 pool's fee is a whole number of pips (1e-6)");
  return uint32_t(fee.raw() / kRatioPerPip);
}

// floor / ceil of the square root of n / d.
Big sqrt_floor(const Big& n, const Big& d) { return mp::sqrt(Big(n / d)); }
Big sqrt_ceil(const Big& n, const Big& d) {
  const Big c = n / d + (n % d != 0 ? 1 : 0);
  Big s = mp::sqrt(c);
  if (s * s < c) s += 1;
  return s;
}

// x as int64 when it fits.
std::optional<int64_t> narrow(const U256& x) {
  if (x.hi != 0 || x.lo > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  return static_cast<int64_t>(x.lo);
}

Price clamp_price(const Big& raw) {
  return raw > big_of(Price::max().raw()) ? Price::max() : Price(static_cast<int64_t>(raw));
}

double to_real_sqrt(const U256& sqrt_x96) {  // sqrt(token1 raw / token0 raw)
  return std::ldexp(static_cast<double>(sqrt_x96.hi), 128 - 96) +
         std::ldexp(static_cast<double>(sqrt_x96.lo), -96);
}

}  // namespace

U256 ConcentratedLiquidityPool::sqrt_price_x96_at(Price p) {
  LIQSIM_CHECK(p.raw() > 0, "a v3 price must be positive");
  return to_u256(sqrt_floor(big_of(p.raw()) << 192, big_of(kPriceToV3)));
}

ConcentratedPosition ConcentratedLiquidityPool::position_for(Price initial_price, int32_t tick_spacing,
                                                             Price lower, Price upper, Quantity coins,
                                                             Amount quote) {
  using namespace uniswap_v3;
  LIQSIM_CHECK(tick_spacing > 0 && tick_spacing < 16384, "a v3 pool's tick spacing is in (0, 16384)");
  LIQSIM_CHECK(lower.raw() > 0 && lower < upper, "a position's $ range is 0 < lower < upper");
  LIQSIM_CHECK(coins.raw() >= 0 && quote.raw() >= 0, "a position's budgets are >= 0");
  // Lower: the greatest tick whose price is at or below the bound; upper: the least at or above it.
  int32_t tick_lower = get_tick_at_sqrt_ratio(sqrt_price_x96_at(lower));
  const U256 upper_sqrt = to_u256(sqrt_ceil(big_of(upper.raw()) << 192, big_of(kPriceToV3)));
  int32_t tick_upper = get_tick_at_sqrt_ratio(upper_sqrt);
  if (get_sqrt_ratio_at_tick(tick_upper) < upper_sqrt) ++tick_upper;
  const auto floor_to = [&](int32_t t) {
    return (t / tick_spacing - (t % tick_spacing < 0 ? 1 : 0)) * tick_spacing;
  };
  const auto ceil_to = [&](int32_t t) { return -floor_to(-t); };
  tick_lower = std::max(floor_to(tick_lower), ceil_to(kMinTick));
  tick_upper = std::min(ceil_to(tick_upper), floor_to(kMaxTick));
  LIQSIM_CHECK(tick_lower < tick_upper, "a position's range is empty on the tick grid");
  ConcentratedPosition position;
  position.tick_lower = tick_lower;
  position.tick_upper = tick_upper;
  position.liquidity = get_liquidity_for_amounts(
      sqrt_price_x96_at(initial_price), get_sqrt_ratio_at_tick(tick_lower),
      get_sqrt_ratio_at_tick(tick_upper), U256(static_cast<unsigned __int128>(coins.raw())),
      U256(static_cast<unsigned __int128>(quote.raw())));
  return position;
}

ConcentratedLiquidityPool::ConcentratedLiquidityPool(AccountId owner, Price initial_price, Ratio fee,
                                                     int32_t tick_spacing,
                                                     std::span<const ConcentratedPosition> positions)
    : owner_(owner),
      core_(pips_of(fee), tick_spacing, sqrt_price_x96_at(initial_price)),
      positions_(positions.begin(), positions.end()) {
  Big base = 0, quote = 0;
  for (const ConcentratedPosition& p : positions_) {
    const uniswap_v3::TokenAmounts owed = core_.mint(p.tick_lower, p.tick_upper, p.liquidity);
    base += big(owed.amount0);
    quote += big(owed.amount1);
  }
  LIQSIM_CHECK(base <= big_of(Quantity::max().raw()) && quote <= big_of(Amount::max().raw()),
               "a v3 pool's deposits do not fit a Quantity and an Amount");
  deposited_base_ = Quantity(static_cast<int64_t>(base));
  deposited_quote_ = Amount(static_cast<int64_t>(quote));
  base_ = deposited_base_;
  quote_ = deposited_quote_;
}

Quantity ConcentratedLiquidityPool::withdrawable_base() const {
  Big total = 0;
  for (const ConcentratedPosition& p : positions_) {
    total += big(core_.burn_amounts(p.tick_lower, p.tick_upper, p.liquidity).amount0);
  }
  LIQSIM_CHECK(total <= big_of(Quantity::max().raw()), "withdrawable coins beyond a Quantity");
  return Quantity(static_cast<int64_t>(total));
}

Amount ConcentratedLiquidityPool::withdrawable_quote() const {
  Big total = 0;
  for (const ConcentratedPosition& p : positions_) {
    total += big(core_.burn_amounts(p.tick_lower, p.tick_upper, p.liquidity).amount1);
  }
  LIQSIM_CHECK(total <= big_of(Amount::max().raw()), "withdrawable quote beyond an Amount");
  return Amount(static_cast<int64_t>(total));
}

Price ConcentratedLiquidityPool::price() const {
  const Big s = big(core_.sqrt_price_x96());
  return clamp_price((s * s * kPriceToV3) >> 192);
}

std::optional<U256> ConcentratedLiquidityPool::marginal_sqrt_price(bool zero_for_one) const {
  // Walk the initialized ticks in the swap's direction from the current state, crossing them as the swap
  // loop does, until the active liquidity is positive with room to move.
  const auto& ticks = core_.ticks();
  U256 sqrt_price = core_.sqrt_price_x96();
  uniswap_v3::Liquidity liquidity = core_.liquidity();
  auto it = ticks.upper_bound(core_.tick());  // below: the ticks before it; above: it onwards
  while (true) {
    if (zero_for_one ? it == ticks.begin() : it == ticks.end()) {
      // A swap's limit lies strictly between the price and the ratio bound: room for one more sqrt unit.
      const bool room = zero_for_one ? big(sqrt_price) > big(uniswap_v3::kMinSqrtRatio) + 1
                                     : big(sqrt_price) + 1 < big(uniswap_v3::kMaxSqrtRatio);
      if (liquidity > 0 && room) return sqrt_price;
      return std::nullopt;
    }
    if (zero_for_one) --it;
    const U256 boundary = uniswap_v3::get_sqrt_ratio_at_tick(it->first);
    if (liquidity > 0 && (zero_for_one ? sqrt_price > boundary : sqrt_price < boundary)) return sqrt_price;
    sqrt_price = boundary;
    const __int128 net = it->second.liquidity_net;
    const __int128 delta = zero_for_one ? -net : net;
    if (delta < 0) {
      const uniswap_v3::Liquidity magnitude = uniswap_v3::Liquidity(-(delta + 1)) + 1;
      LIQSIM_CHECK(magnitude <= liquidity, "active liquidity below zero");
      liquidity -= magnitude;
    } else {
      liquidity += uniswap_v3::Liquidity(delta);
    }
    if (!zero_for_one) ++it;
  }
}

std::optional<Price> ConcentratedLiquidityPool::best_bid() const {
  const std::optional<U256> s = marginal_sqrt_price(true);
  if (!s) return std::nullopt;
  // P (1 - fee) per coin: s^2 1e8 (1e6 - pips) / (2^192 1e6), rounded down.
  const Big sq = big(*s) * big(*s);
  const Big bid =
      (sq * kPriceToV3 * (uniswap_v3::kPipsScale - core_.fee_pips())) / (Big(uniswap_v3::kPipsScale) << 192);
  if (bid == 0) return std::nullopt;
  return clamp_price(bid);
}

std::optional<Price> ConcentratedLiquidityPool::best_ask() const {
  const std::optional<U256> s = marginal_sqrt_price(false);
  if (!s) return std::nullopt;
  // P / (1 - fee) per coin: s^2 1e8 1e6 / (2^192 (1e6 - pips)), rounded up.
  const Big sq = big(*s) * big(*s);
  const Big num = sq * kPriceToV3 * uniswap_v3::kPipsScale;
  const Big den = Big(uniswap_v3::kPipsScale - core_.fee_pips()) << 192;
  return clamp_price(num / den + (num % den != 0 ? 1 : 0));
}

Execution ConcentratedLiquidityPool::execute(const ExecutionRequest& request) {
  Execution out = check_request(request);
  if (!out.accepted()) return out;
  const bool sell = request.side == Side::Sell;
  const uint32_t pips = core_.fee_pips();
  const Big worst = big_of(request.worst.raw());
  // sqrtPriceLimitX96 where the marginal price including the fee meets `worst`: a sell's P (1 - fee) >=
  // worst, so sqrt(worst 1e6 / (1e8 (1e6 - pips))) 2^96 rounded up; a buy's P / (1 - fee) <= worst, so
  // sqrt(worst (1e6 - pips) / (1e8 1e6)) 2^96 rounded down. Clamped strictly inside the ratio bounds.
  U256 limit;
  if (sell) {
    limit = to_u256(sqrt_ceil((worst * uniswap_v3::kPipsScale) << 192,
                              big_of(kPriceToV3) * (uniswap_v3::kPipsScale - pips)));
    if (limit <= uniswap_v3::kMinSqrtRatio) limit = to_u256(big(uniswap_v3::kMinSqrtRatio) + 1);
    if (limit >= core_.sqrt_price_x96()) return out;  // the marginal bid is already below `worst`
  } else {
    limit = to_u256(sqrt_floor((worst * (uniswap_v3::kPipsScale - pips)) << 192,
                               big_of(kPriceToV3) * uniswap_v3::kPipsScale));
    if (limit >= uniswap_v3::kMaxSqrtRatio) limit = to_u256(big(uniswap_v3::kMaxSqrtRatio) - 1);
    if (limit <= core_.sqrt_price_x96()) return out;  // the marginal ask is already above `worst`
  }
  // The swap callback pays: it prices the fill and refuses (the swap reverts) when nothing fills or the
  // average price is worse than `worst`.
  Fill fill;
  const auto pay = [&](const uniswap_v3::SwapResult& r) {
    // Coins in and cash out for a sell (exact input); coins out and cash in for a buy (exact output).
    const std::optional<int64_t> coins = narrow(sell ? r.amount_in : r.amount_out);
    const std::optional<int64_t> cash_v3 = narrow(sell ? r.amount_out : r.amount_in);
    if (!coins || !cash_v3 || *coins <= 0) return false;
    Wide price;
    if (sell) {
      price = Wide(*cash_v3) * kPerCoin / *coins;  // down: the pool pays at most amountOut
      price = std::min<Wide>(price, Price::max().raw());
      if (price < request.worst.raw()) return false;
    } else {
      price = (Wide(*cash_v3) * kPerCoin + *coins - 1) / *coins;  // up: the pool receives at least amountIn
      if (price > request.worst.raw()) return false;
    }
    const Wide cash = price * *coins / kPerCoin;  // the ledger's floor(price x quantity)
    if (cash <= 0 || cash > std::numeric_limits<int64_t>::max()) return false;
    if (sell) {
      LIQSIM_CHECK(cash <= *cash_v3 && cash <= quote_.raw(), "a v3 sell would pay more than amountOut");
    } else {
      LIQSIM_CHECK(cash >= *cash_v3, "a v3 buy would receive less than amountIn");
      LIQSIM_CHECK(*coins <= base_.raw(), "a v3 buy would pay out more coins than the pool holds");
      if (cash > std::numeric_limits<int64_t>::max() - quote_.raw()) return false;
    }
    fill.price = Price(static_cast<int64_t>(price));
    fill.quantity = Quantity(*coins);
    return true;
  };
  const std::optional<uniswap_v3::SwapResult> swapped = core_.swap(
      sell, /*exact_input=*/sell, U256(static_cast<unsigned __int128>(request.quantity.raw())), limit, pay);
  if (!swapped) return out;
  const Amount cash = notional(fill.price, fill.quantity, Round::Down);
  if (sell) {
    base_ += fill.quantity;
    quote_ -= cash;
  } else {
    base_ -= fill.quantity;
    quote_ += cash;
  }
  LIQSIM_CHECK(base_.raw() >= 0 && quote_.raw() >= 0, "a v3 swap left a reserve negative");
  fill_ = Fill{};
  fill_.maker_owner = owner_;
  fill_.taker_owner = request.owner;
  fill_.taker_side = request.side;
  fill_.price = fill.price;
  fill_.quantity = fill.quantity;
  fill_.taker_tag = request.tag;
  out.filled = fill.quantity;
  out.fills = std::span<const Fill>(&fill_, 1);
  return out;
}

double ConcentratedLiquidityPool::quantity_to(Side side, double target) const {
  if (!(target > 0)) return 0;
  const bool sell = side == Side::Sell;
  const double gamma = 1.0 - double(core_.fee_pips()) / uniswap_v3::kPipsScale;
  // The pool price (token1 raw per token0 raw) at which the marginal price including the fee is the target.
  const double target_sqrt =
      std::sqrt((sell ? target / gamma : target * gamma) * kAmountScale / kQuantityScale);
  double sqrt_price = to_real_sqrt(core_.sqrt_price_x96());
  if (sell ? target_sqrt >= sqrt_price : target_sqrt <= sqrt_price) return 0;
  double liquidity = static_cast<double>(core_.liquidity());
  double amount0 = 0;  // token0 raw across the ranges: L (1 / sqrt_end - 1 / sqrt_start), in magnitude
  const auto& ticks = core_.ticks();
  auto it = ticks.upper_bound(core_.tick());
  while (true) {
    const bool last = sell ? it == ticks.begin() : it == ticks.end();
    if (!last && sell) --it;
    const double boundary = last ? target_sqrt : to_real_sqrt(uniswap_v3::get_sqrt_ratio_at_tick(it->first));
    const double end = sell ? std::max(boundary, target_sqrt) : std::min(boundary, target_sqrt);
    amount0 += liquidity * std::abs(1.0 / end - 1.0 / sqrt_price);
    if (last || end == target_sqrt) break;
    sqrt_price = end;
    const double net = static_cast<double>(it->second.liquidity_net);
    liquidity = std::max(0.0, liquidity + (sell ? -net : net));
    if (!sell) ++it;
  }
  const double coins = (sell ? amount0 / gamma : amount0) / kQuantityScale;
  return std::max(0.0, coins);
}

}  // namespace liqsim
