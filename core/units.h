// Strong integer units for time, prices, quantities, money and rates.
//
// Contract: every value that represents time or money crosses an API as one of these types, never as
// a raw integer. Scales are fixed and documented here; conversions that divide name their rounding
// direction (Round::Down toward -infinity, Round::Up toward +infinity). Wide products go through
// 128-bit intermediates, so no scaled product overflows before it is divided back.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace liqsim {

enum class Round { Down, Up };

// floor/ceil of (a * b) / d with a 128-bit intermediate. d must be > 0.
int64_t mul_div(int64_t a, int64_t b, int64_t d, Round round);
// floor/ceil of n / d for 128-bit n, narrowed to int64 with a range check.
int64_t div_round(__int128 n, int64_t d, Round round);
// Nearest integer to n / d (d > 0), ties toward +infinity, narrowed to int64 with a range check. For
// quantities that favour neither side (mark prices, rates).
int64_t div_nearest(__int128 n, __int128 d);

template <class Tag>
struct StrongInt {
  int64_t v = 0;
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(int64_t raw) : v(raw) {}
  constexpr int64_t raw() const { return v; }
  friend constexpr auto operator<=>(StrongInt, StrongInt) = default;
  friend constexpr StrongInt operator+(StrongInt a, StrongInt b) { return StrongInt(a.v + b.v); }
  friend constexpr StrongInt operator-(StrongInt a, StrongInt b) { return StrongInt(a.v - b.v); }
  friend constexpr StrongInt operator-(StrongInt a) { return StrongInt(-a.v); }
  constexpr StrongInt& operator+=(StrongInt b) {
    v += b.v;
    return *this;
  }
  constexpr StrongInt& operator-=(StrongInt b) {
    v -= b.v;
    return *this;
  }
  friend constexpr StrongInt operator*(StrongInt a, int64_t k) { return StrongInt(a.v * k); }
  static constexpr StrongInt zero() { return StrongInt(0); }
  static constexpr StrongInt max() { return StrongInt(std::numeric_limits<int64_t>::max()); }
  static constexpr StrongInt min() { return StrongInt(std::numeric_limits<int64_t>::min()); }
};

// Simulated time and durations: nanoseconds since the start of the run.
struct TimeTag {};
using Time = StrongInt<TimeTag>;
constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr Time seconds(int64_t s) { return Time(s * kNanosPerSecond); }
constexpr Time millis(int64_t ms) { return Time(ms * 1'000'000); }
constexpr double to_seconds(Time t) { return double(t.raw()) / double(kNanosPerSecond); }
// Nearest nanosecond of a duration in seconds (configuration input; validated to fit).
Time time_from_seconds(double s);

// Price: quote currency per one whole base unit, scale 1e-6 (micro-dollars per coin).
struct PriceTag {};
using Price = StrongInt<PriceTag>;
constexpr int64_t kPriceScale = 1'000'000;

// Quantity: base units (coins), scale 1e-8 (satoshi-style). Positions are signed: long > 0.
struct QuantityTag {};
using Quantity = StrongInt<QuantityTag>;
constexpr int64_t kQuantityScale = 100'000'000;

// Amount: quote money (collateral, cash, PnL, fees, gas), scale 1e-6 (USDC-style micro-dollars).
struct AmountTag {};
using Amount = StrongInt<AmountTag>;
constexpr int64_t kAmountScale = 1'000'000;

// Ratio: dimensionless rates (margin ratios, funding rates, bonuses), scale 1e-9 (1 = 1e9).
struct RatioTag {};
using Ratio = StrongInt<RatioTag>;
constexpr int64_t kRatioScale = 1'000'000'000;

constexpr Quantity abs_quantity(Quantity q) { return q.raw() < 0 ? -q : q; }

// Notional value of a quantity at a price, signed like the quantity: price * qty / 1e8.
Amount notional(Price p, Quantity q, Round round);
// Price that makes `a` the notional of `q`: a * 1e8 / q (q != 0).
Price price_for(Amount a, Quantity q, Round round);
// a * r (a ratio applied to money).
Amount apply(Amount a, Ratio r, Round round);
// p * r (a ratio applied to a price).
Price apply(Price p, Ratio r, Round round);
// A ratio scaled by a ratio.
Ratio apply(Ratio a, Ratio r, Round round);
// Quantity scaled by a ratio.
Quantity apply(Quantity q, Ratio r, Round round);

// The tick-grid price at or below (down) / at or above (up) p; tick > 0.
Price round_down_to_tick(Price p, Price tick);
Price round_up_to_tick(Price p, Price tick);

// Named conversions at the double boundary (strategies, statistics, reports).
constexpr double to_double(Price p) { return double(p.raw()) / double(kPriceScale); }
constexpr double to_double(Quantity q) { return double(q.raw()) / double(kQuantityScale); }
constexpr double to_double(Amount a) { return double(a.raw()) / double(kAmountScale); }
constexpr double to_double(Ratio r) { return double(r.raw()) / double(kRatioScale); }
// Nearest representable value (ties away from zero); used only on beliefs and configuration input.
Price price_from_double(double x);
Quantity quantity_from_double(double x);
Amount amount_from_double(double x);
Ratio ratio_from_double(double x);
// The same conversion for values computed by a strategy or a model, which may leave the representable
// range in extreme (valid) scenarios: nullopt when x is not finite or its fixed-point value does not
// fit in int64. Callers skip the action (an order, a quote) instead of aborting.
std::optional<Price> try_price_from_double(double x);
// Clamps x into [lo, hi] before converting (NaN gives lo): price paths stay representable (documented
// in docs/ARCHITECTURE.md, Money model).
Price clamped_price_from_double(double x, Price lo, Price hi);
// Largest price a model may produce: $1e12 per coin, so a notional of up to 9e6 coins fits in an Amount.
constexpr int64_t kMaxModelPriceRaw = 1'000'000'000'000 * kPriceScale;

std::string format_amount(Amount a);  // "1234.567890"
std::string format_price(Price p);

}  // namespace liqsim
