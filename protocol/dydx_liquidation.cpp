#include "protocol/dydx_liquidation.h"

#include <algorithm>

#include "core/check.h"
#include "core/wide_int.h"

namespace liqsim {
namespace {

using Wide = __int128;

// ABR as the exact fraction num / den with den = 1e6 * TMMR, clamped into [0, den].
struct Fraction {
  Wide num;
  Wide den;
};

Fraction adjusted_bankruptcy_rating(Amount tnc, Amount tmmr, int64_t bankruptcy_adjustment_ppm) {
  LIQSIM_CHECK(tmmr > Amount(0), "the adjusted bankruptcy rating needs a positive TMMR");
  const Wide den = Wide(kDydxPpm) * tmmr.raw();
  const Wide num = Wide(bankruptcy_adjustment_ppm) * (Wide(tmmr.raw()) - tnc.raw());
  return Fraction{std::clamp<Wide>(num, 0, den), den};
}

}  // namespace

std::optional<std::string> dydx_validate_liquidations_config(const DydxLiquidationsConfig& config) {
  if (config.bankruptcy_adjustment_ppm < kDydxPpm)
    return std::string("bankruptcy_adjustment_ppm must be at least 1000000");
  if (config.spread_to_maintenance_margin_ratio_ppm <= 0)
    return std::string("spread_to_maintenance_margin_ratio_ppm must be positive");
  if (config.max_liquidation_fee_ppm <= 0 || config.max_liquidation_fee_ppm > kDydxPpm)
    return std::string("max_liquidation_fee_ppm must be in [1, 1000000]");
  if (config.max_position_portion_liquidated_ppm <= 0 ||
      config.max_position_portion_liquidated_ppm > kDydxPpm)
    return std::string("max_position_portion_liquidated_ppm must be in [1, 1000000]");
  if (config.subaccount_max_notional_liquidated <= Amount(0))
    return std::string("subaccount_max_notional_liquidated must be positive");
  return std::nullopt;
}

Ratio dydx_adjusted_bankruptcy_rating(Amount tnc, Amount tmmr, int64_t bankruptcy_adjustment_ppm) {
  const Fraction abr = adjusted_bankruptcy_rating(tnc, tmmr, bankruptcy_adjustment_ppm);
  return Ratio(div_nearest(abr.num * kRatioScale, abr.den));
}

Price dydx_fillable_price(Quantity position, Amount pnnv, Amount pmmr, Amount tnc, Amount tmmr,
                          int64_t bankruptcy_adjustment_ppm, int64_t spread_to_mmr_ppm) {
  LIQSIM_CHECK(position != Quantity(0), "the fillable price needs a non-zero position");
  const Fraction abr = adjusted_bankruptcy_rating(tnc, tmmr, bankruptcy_adjustment_ppm);
  // Price (1e-6 $/coin) = quote quantums * 1e8 / PS, with the quote
  // PNNV - (num / den) * (SMMR / 1e6) * PMMR: over the common denominator den * 1e6 the factor
  // 1e8 / 1e6 leaves 100 * (PNNV * den * 1e6 - num * SMMR * PMMR) / (den * PS).
  Int256 numerator = wide_mul(Wide(pnnv.raw()) * 100, abr.den * kDydxPpm) -
                     wide_mul(abr.num, Wide(spread_to_mmr_ppm) * pmmr.raw() * 100);
  Wide size = position.raw();
  const Round round = size > 0 ? Round::Up : Round::Down;  // sells round up, buys round down
  if (size < 0) {
    numerator = -numerator;
    size = -size;
  }
  // floor(floor(x / a) / b) = floor(x / (a b)) for positive a, b (and the same for ceil): one rounding.
  const Wide per_den = wide_div(numerator, abr.den, round);
  const Wide price = wide_div(wide(per_den), size, round);
  LIQSIM_CHECK(price <= Wide(Price::max().raw()), "fillable price does not fit a Price");
  return Price(static_cast<int64_t>(std::max<Wide>(price, 1)));
}

Amount dydx_bankruptcy_quote(Amount delta_nnv, Amount delta_mmr, Amount tnc, Amount tmmr) {
  LIQSIM_CHECK(tmmr > Amount(0), "the bankruptcy quote needs a positive TMMR");
  LIQSIM_CHECK(delta_mmr <= Amount(0), "closing a position cannot raise its maintenance requirement");
  const int64_t share = mul_div(tnc.raw(), -delta_mmr.raw(), tmmr.raw(), Round::Down);
  return -delta_nnv - Amount(share);
}

Amount dydx_insurance_fund_delta(Amount quote_received, Amount bankruptcy_quote,
                                 int64_t max_liquidation_fee_ppm) {
  const Amount delta = quote_received - bankruptcy_quote;
  if (delta <= Amount(0)) return delta;
  const int64_t abs_quote = quote_received < Amount(0) ? -quote_received.raw() : quote_received.raw();
  const Amount max_fee(mul_div(abs_quote, max_liquidation_fee_ppm, kDydxPpm, Round::Down));
  return std::min(delta, max_fee);
}

Amount dydx_max_liquidatable_notional(Amount position_notional, const DydxLiquidationsConfig& config,
                                      Amount already_liquidated_this_block) {
  LIQSIM_CHECK(already_liquidated_this_block <= config.subaccount_max_notional_liquidated,
               "notional liquidated this block exceeds the subaccount block limit");
  const Amount abs_notional = position_notional < Amount(0) ? -position_notional : position_notional;
  const Amount min_liquidatable = std::min(config.min_position_notional_liquidated, abs_notional);
  const Amount portion(
      mul_div(abs_notional.raw(), config.max_position_portion_liquidated_ppm, kDydxPpm, Round::Down));
  const Amount max_for_position = std::max(min_liquidatable, portion);
  return std::min(max_for_position,
                  config.subaccount_max_notional_liquidated - already_liquidated_this_block);
}

int64_t dydx_maintenance_margin_ppm(int64_t initial_margin_ppm, int64_t maintenance_fraction_ppm) {
  return mul_div(initial_margin_ppm, maintenance_fraction_ppm, kDydxPpm, Round::Down);
}

int64_t dydx_funding_rate_ppm(int64_t premium_ppm, int64_t default_funding_ppm, int64_t initial_margin_ppm,
                              int64_t maintenance_fraction_ppm, int64_t clamp_factor_ppm) {
  const int64_t mmf = dydx_maintenance_margin_ppm(initial_margin_ppm, maintenance_fraction_ppm);
  LIQSIM_CHECK(mmf <= initial_margin_ppm, "maintenance margin above initial margin");
  const int64_t bound = mul_div(clamp_factor_ppm, initial_margin_ppm - mmf, kDydxPpm, Round::Down);
  return std::clamp(premium_ppm + default_funding_ppm, -bound, bound);
}

}  // namespace liqsim
