#include "protocol/collateral_ratio_margin.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "core/check.h"

namespace liqsim {
namespace {

using Wide = __int128;

constexpr Wide kMaxRaw = std::numeric_limits<int64_t>::max();

ExactRate reduced(Wide num, Wide den) {
  const Wide g = std::gcd(static_cast<int64_t>(num), static_cast<int64_t>(den));
  return ExactRate{static_cast<int64_t>(num / g), static_cast<int64_t>(den / g)};
}

// floor / ceil of n / d for d > 0.
Wide div_floor(Wide n, Wide d) {
  Wide q = n / d;
  if (n % d != 0 && n < 0) q -= 1;
  return q;
}
Wide div_ceil(Wide n, Wide d) {
  Wide q = n / d;
  if (n % d != 0 && n > 0) q += 1;
  return q;
}

// Checked 128-bit arithmetic: false when the exact result does not fit.
bool mul(Wide a, Wide b, Wide& out) { return !__builtin_mul_overflow(a, b, &out); }
bool add(Wide a, Wide b, Wide& out) { return !__builtin_add_overflow(a, b, &out); }

Amount clamped_amount(Wide x) { return x > kMaxRaw ? Amount::max() : Amount(static_cast<int64_t>(x)); }

// 1 - 1/ratio = (ratio - 1) / ratio, exactly.
ExactRate kept_complement(Ratio ratio) { return reduced(Wide(ratio.raw()) - kRatioScale, ratio.raw()); }

// The trigger of a long of q > 0 coins whose balance is B (debt D = -B), requirement ceil(c * a / b) with
// a < b, where c = ceil(q * P / 1e8) and the equity is B + floor(q * P / 1e8). The largest mark T such that
// every mark above it is safe, or nullopt when every positive mark is; Price::max() on overflow.
//   - Marks where q * P is a multiple of 1e8 (a whole-unit notional n): liquidatable iff B + n < n * a / b,
//     i.e. n * (b - a) < D * b: safe at P >= root = D * b * 1e8 / ((b - a) * q), the exact root.
//   - Other marks (equity floor = c - 1): liquidatable iff B + c - 1 < c * a / b, i.e. c < K with
//     K = ceil((D + 1) * b / (b - a)): safe iff q * P > (K - 1) * 1e8. None when q is a whole number of
//     1e8 units (every notional is then whole).
std::optional<Price> long_trigger(Wide q, Wide balance, Wide a, Wide b) {
  const Wide debt = -balance;
  Wide trigger = 0;
  if (debt > 0) {
    Wide num, den;
    if (!mul(debt, b, num) || !mul(num, kQuantityScale, num) || !mul(b - a, q, den)) return Price::max();
    trigger = div_ceil(num, den);
  }
  if (q % kQuantityScale != 0) {
    Wide k;
    if (!add(debt, 1, k) || !mul(k, b, k)) return Price::max();
    k = div_ceil(k, b - a);
    if (k - 1 >= 1) {
      Wide x;
      if (!mul(k - 1, kQuantityScale, x)) return Price::max();
      Wide last = x / q;  // the highest mark with q * P <= (K - 1) * 1e8
      // Marks with a whole-unit notional are judged by the rule above: there, the one below is not one
      // (they are 1e8 / gcd(q, 1e8) >= 2 marks apart).
      if (last >= 1 && (last * q) % kQuantityScale == 0) last -= 1;
      trigger = std::max(trigger, last);
    }
  }
  if (trigger <= 0) return std::nullopt;  // no positive mark is low enough
  return trigger > kMaxRaw ? Price::max() : Price(static_cast<int64_t>(trigger));
}

// The trigger of a short of q > 0 coins whose balance is B: equity B - c, c = ceil(q * P / 1e8), is below
// ceil(c * a / b) iff B < c * (a + b) / b, i.e. c >= c_min = floor(B * b / (a + b)) + 1, i.e.
// q * P > (c_min - 1) * 1e8. The first such mark; Price(0) when every positive mark is (c_min <= 1) and on
// overflow; nullopt when none is representable.
std::optional<Price> short_trigger(Wide q, Wide balance, Wide a, Wide b) {
  if (balance < 0) return Price(0);
  Wide num;
  if (!mul(balance, b, num)) return Price(0);
  const Wide c_min = div_floor(num, a + b) + 1;
  if (c_min <= 1) return Price(0);
  Wide x;
  if (!mul(c_min - 1, kQuantityScale, x)) return std::nullopt;
  const Wide first = x / q + 1;
  if (first > kMaxRaw) return std::nullopt;  // no representable mark is high enough
  return Price(static_cast<int64_t>(first));
}

}  // namespace

std::optional<std::string> CollateralRatioMargin::validate(const CollateralRatioParams& params) {
  if (params.liquidation_ratio < kMinRatio || params.liquidation_ratio > kMaxRatio)
    return std::string("liquidation_ratio must be in [1.001, 100]");
  if (params.initial_ratio < params.liquidation_ratio || params.initial_ratio > kMaxRatio)
    return std::string("initial_ratio must be in [liquidation_ratio, 100]");
  return std::nullopt;
}

CollateralRatioMargin::CollateralRatioMargin(const CollateralRatioParams& params)
    : CollateralRatioMargin(params, kept_complement(params.liquidation_ratio),
                            kept_complement(params.initial_ratio), Amount(0)) {
  LIQSIM_CHECK(!validate(params).has_value(), "invalid ratios (call CollateralRatioMargin::validate first)");
}

CollateralRatioMargin CollateralRatioMargin::from_basis_points(int64_t liquidation_threshold_bps,
                                                               int64_t ltv_bps) {
  constexpr int64_t kOne = 10'000;
  LIQSIM_CHECK(liquidation_threshold_bps > 0 && liquidation_threshold_bps < kOne,
               "liquidation threshold outside (0, 1)");
  LIQSIM_CHECK(ltv_bps >= 0 && ltv_bps <= liquidation_threshold_bps,
               "LTV outside [0, liquidation threshold]");
  const auto inverse = [](int64_t bps) {
    return bps == 0
               ? kMaxRatio
               : std::min(kMaxRatio,
                          Ratio(static_cast<int64_t>(div_floor(Wide(kRatioScale) * kOne + bps / 2, bps))));
  };
  return CollateralRatioMargin(CollateralRatioParams{inverse(liquidation_threshold_bps), inverse(ltv_bps)},
                               reduced(kOne - liquidation_threshold_bps, kOne), reduced(kOne - ltv_bps, kOne),
                               Amount(0));
}

CollateralRatioMargin::CollateralRatioMargin(const CollateralRatioParams& params, ExactRate rate,
                                             ExactRate initial, Amount allowance)
    : params_(params), rate_(rate), initial_(initial), allowance_(allowance) {
  LIQSIM_CHECK(rate_.num > 0 && rate_.den > 0, "non-positive maintenance fraction");
  LIQSIM_CHECK(initial_.num > 0 && initial_.num <= initial_.den, "initial margin fraction outside (0, 1]");
  LIQSIM_CHECK(allowance_ >= Amount(0), "negative rounding allowance");
}

Amount CollateralRatioMargin::maintenance(Quantity size, Price mark) const {
  const Quantity abs_size = size < Quantity(0) ? -size : size;
  const Amount n = notional(mark, abs_size, Round::Up);
  // ceil(n * (mat - 1) / mat) = n - floor(n / mat) for the model itself (n is an integer).
  return clamped_amount(div_ceil(Wide(n.raw()) * rate_.num, rate_.den));
}

Ratio CollateralRatioMargin::max_maintenance_rate() const {
  const Wide r = div_ceil(Wide(rate_.num) * kRatioScale, rate_.den);
  return r > kMaxRaw ? Ratio::max() : Ratio(static_cast<int64_t>(r));
}

Ratio CollateralRatioMargin::min_maintenance_rate() const {
  const Wide r = div_floor(Wide(rate_.num) * kRatioScale, rate_.den);
  return r > kMaxRaw ? Ratio::max() : Ratio(static_cast<int64_t>(r));
}

Ratio CollateralRatioMargin::initial_rate(Quantity, Price) const {
  return Ratio(static_cast<int64_t>(div_ceil(Wide(initial_.num) * kRatioScale, initial_.den)));
}

Amount CollateralRatioMargin::initial_margin_at_max_leverage(Quantity abs_size, Price mark) const {
  // n - floor(n / initial_ratio) = ceil(n * (initial_ratio - 1) / initial_ratio) for an integer n.
  const Wide n = Wide(notional(mark, abs_size, Round::Up).raw());
  return clamped_amount(div_ceil(n * initial_.num, initial_.den));
}

std::optional<Price> CollateralRatioMargin::trigger(Quantity size, Price mark, Amount equity_at_mark) const {
  LIQSIM_CHECK(size.raw() != 0, "trigger of an empty position");
  const bool is_long = size.raw() > 0;
  const Wide q = is_long ? Wide(size.raw()) : -Wide(size.raw());
  // The balance behind the equity: equity = balance + floor(size * mark / 1e8) (a short's is
  // -ceil(q * mark / 1e8)); less the allowance of a scaled copy.
  const Wide x = q * mark.raw();
  const Wide position_value = is_long ? div_floor(x, kQuantityScale) : -div_ceil(x, kQuantityScale);
  const Wide balance = Wide(equity_at_mark.raw()) - allowance_.raw() - position_value;
  const Wide a = rate_.num, b = rate_.den;
  if (!is_long) return short_trigger(q, balance, a, b);
  if (a >= b) return Price::max();  // a scaled fraction >= 1: the requirement outgrows the collateral
  return long_trigger(q, balance, a, b);
}

std::shared_ptr<const MarginModel> CollateralRatioMargin::scaled(Ratio multiple) const {
  LIQSIM_CHECK(multiple.raw() > 0 && multiple.raw() <= 1'000'000 * kRatioScale, "multiple outside (0, 1e6]");
  // fraction * multiple in units of 1e-9, rounded UP: ceil(num * m / den).
  const Wide scaled_num = div_ceil(Wide(rate_.num) * multiple.raw(), rate_.den);
  const Amount allowance(static_cast<int64_t>(div_ceil(multiple.raw(), kRatioScale)) + allowance_.raw());
  return std::shared_ptr<const MarginModel>(
      new CollateralRatioMargin(params_, reduced(scaled_num, kRatioScale), initial_, allowance));
}

}  // namespace liqsim
