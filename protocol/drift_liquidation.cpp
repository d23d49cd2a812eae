#include "protocol/drift_liquidation.h"

#include <algorithm>
#include <limits>

#include "core/check.h"

namespace liqsim {
namespace {

using Wide = __int128;

constexpr int64_t kPricePrecision = kPriceScale;  // PRICE_PRECISION = 1e6
// LIQUIDATION_FEE_PRECISION / MARGIN_PRECISION: converts a margin ratio to fee precision.
constexpr int64_t kFeeToMarginRatio = kDriftLiquidationFeePrecision / kDriftMarginPrecision;
// PRICE_PRECISION * (AMM_RESERVE_PRECISION / QUOTE_PRECISION) = 1e9.
constexpr int64_t kPriceTimesAmmToQuote = kPricePrecision * (kDriftBasePrecision / kAmountScale);
// FUNDING_RATE_PRECISION / QUOTE_PRECISION = 1e3.
constexpr int64_t kFundingRateToQuote = kDriftFundingRatePrecision / kAmountScale;
constexpr Wide kU32Max = std::numeric_limits<uint32_t>::max();

Wide abs_wide(int64_t x) { return x < 0 ? -Wide(x) : Wide(x); }

}  // namespace

std::optional<std::string> drift_validate_perp_liquidation_fees(int64_t liquidator_fee_ppm,
                                                                int64_t if_fee_ppm) {
  if (liquidator_fee_ppm < 0 || if_fee_ppm < 0) return std::string("liquidation fees must be non-negative");
  if (liquidator_fee_ppm + if_fee_ppm >= kDriftLiquidationFeePrecision)
    return std::string("total liquidation fee must be less than 100%");
  if (if_fee_ppm >= kDriftLiquidationFeePrecision)
    return std::string("if liquidation fee must be less than 100%");
  return std::nullopt;
}

std::optional<int64_t> drift_base_to_cover_margin_shortage(Amount margin_shortage, int64_t margin_ratio,
                                                           int64_t liquidator_fee_ppm, int64_t if_fee_ppm,
                                                           Price oracle, Price quote_oracle) {
  LIQSIM_CHECK(margin_shortage >= Amount(0) && oracle >= Price(0) && quote_oracle >= Price(0),
               "Drift's shortage and prices are unsigned");
  const int64_t ratio = margin_ratio * kFeeToMarginRatio;
  if (oracle == Price(0) || ratio <= liquidator_fee_ppm) return std::nullopt;
  const Wide price = Wide(oracle.raw()) * quote_oracle.raw() / kPricePrecision;
  const Wide freed_per_base = price * (ratio - liquidator_fee_ppm) / kDriftLiquidationFeePrecision;
  const Wide if_per_base = Wide(oracle.raw()) * if_fee_ppm / kDriftLiquidationFeePrecision;
  const Wide denominator = freed_per_base - if_per_base;
  if (denominator <= 0) return std::nullopt;
  const Wide base = Wide(margin_shortage.raw()) * kPriceTimesAmmToQuote / denominator;
  if (base > std::numeric_limits<int64_t>::max()) return std::nullopt;
  return static_cast<int64_t>(base);
}

int64_t drift_perp_if_fee(Amount margin_shortage, int64_t base_asset_amount, int64_t margin_ratio,
                          int64_t liquidator_fee_ppm, Price oracle, Price quote_oracle,
                          int64_t max_if_fee_ppm) {
  LIQSIM_CHECK(margin_shortage >= Amount(0) && oracle >= Price(0) && quote_oracle >= Price(0),
               "Drift's shortage and prices are unsigned");
  const int64_t ratio = margin_ratio * kFeeToMarginRatio;
  if (oracle == Price(0) || quote_oracle == Price(0) || ratio <= liquidator_fee_ppm || base_asset_amount == 0)
    return 0;
  const Wide price = Wide(oracle.raw()) * quote_oracle.raw() / kPricePrecision;
  if (price == 0) return 0;  // the chain's division would fail; no fee can be implied
  const Wide per_base = Wide(margin_shortage.raw()) * kDriftBasePrecision / abs_wide(base_asset_amount);
  const Wide shortage_share = std::min(per_base * kPricePrecision / price, kU32Max);
  const Wide after_liquidator = Wide(ratio - liquidator_fee_ppm);
  const Wide implied = std::max<Wide>(after_liquidator - shortage_share, 0) * 19 / 20;
  return static_cast<int64_t>(std::min<Wide>(max_if_fee_ppm, implied));
}

int64_t drift_liquidation_fee(int64_t base_liquidator_fee_ppm, int64_t max_liquidator_fee_ppm,
                              int64_t slots_since_last_active) {
  LIQSIM_CHECK(slots_since_last_active >= 0, "the current slot precedes the user's last active slot");
  if (slots_since_last_active < kDriftLiquidationFeeGraceSlots) return base_liquidator_fee_ppm;
  const Wide escalated = std::min(
      Wide(base_liquidator_fee_ppm) + Wide(slots_since_last_active) * kDriftLiquidationFeeIncreasePerSlot,
      kU32Max);  // saturating_add on u32
  return static_cast<int64_t>(std::min<Wide>(escalated, max_liquidator_fee_ppm));
}

int64_t drift_max_pct_to_liquidate(Amount margin_shortage, Amount margin_freed_so_far, int64_t slots_elapsed,
                                   int64_t initial_pct, int64_t liquidation_duration_slots) {
  if (margin_shortage < kDriftFullLiquidationShortage) return kDriftLiquidationPctPrecision;
  LIQSIM_CHECK(slots_elapsed >= 0 && margin_freed_so_far >= Amount(0),
               "negative elapsed slots or margin freed");
  const Wide ramp = liquidation_duration_slots == 0
                        ? Wide(kDriftLiquidationPctPrecision)
                        : Wide(slots_elapsed) * kDriftLiquidationPctPrecision / liquidation_duration_slots;
  const Wide pct_freeable = std::min<Wide>(ramp + initial_pct, kDriftLiquidationPctPrecision);
  const Wide total_shortage = Wide(margin_shortage.raw()) + margin_freed_so_far.raw();
  const Wide max_freed = total_shortage * pct_freeable / kDriftLiquidationPctPrecision;
  const Wide freeable = std::max<Wide>(max_freed - margin_freed_so_far.raw(), 0);
  return static_cast<int64_t>(freeable * kDriftLiquidationPctPrecision / margin_shortage.raw());
}

std::optional<int64_t> drift_funding_delta_to_resolve_bankruptcy(Amount loss, int64_t base_long,
                                                                 int64_t base_short) {
  const Wide total_base = abs_wide(base_long) + abs_wide(base_short);
  if (total_base == 0) return std::nullopt;
  const Wide numerator = abs_wide(loss.raw()) * kDriftBasePrecision;
  const Wide per_base = (numerator + total_base - 1) / total_base;  // safe_div_ceil
  const Wide delta = per_base * kFundingRateToQuote;
  LIQSIM_CHECK(delta <= std::numeric_limits<int64_t>::max(), "funding delta does not fit in int64");
  return static_cast<int64_t>(delta);
}

}  // namespace liqsim
