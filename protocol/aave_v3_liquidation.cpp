#include "protocol/aave_v3_liquidation.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {
namespace {

using Wide = __int128;
using UWide = unsigned __int128;

// Base-currency value of a token balance: balance * price / 1e8, rounded as named.
Amount base_value(Quantity balance, Price price, Round round) {
  LIQSIM_CHECK(balance >= Quantity(0) && price >= Price(0), "Aave values need non-negative inputs");
  return notional(price, balance, round);
}

}  // namespace

int64_t aave_percent_mul(int64_t value, int64_t percentage_bps) {
  LIQSIM_CHECK(value >= 0 && percentage_bps >= 0, "percentMul needs non-negative operands");
  return div_round(Wide(value) * percentage_bps + kAaveBpsOne / 2, kAaveBpsOne, Round::Down);
}

int64_t aave_percent_div(int64_t value, int64_t percentage_bps) {
  LIQSIM_CHECK(value >= 0 && percentage_bps > 0, "percentDiv needs a positive percentage");
  return div_round(Wide(value) * kAaveBpsOne + percentage_bps / 2, percentage_bps, Round::Down);
}

Amount aave_collateral_value(Quantity balance, Price price) {
  return base_value(balance, price, Round::Down);
}

Amount aave_debt_value(Quantity balance, Price price) { return base_value(balance, price, Round::Up); }

AaveWad aave_health_factor(std::span<const AaveCollateral> collateral, Amount total_debt) {
  LIQSIM_CHECK(total_debt >= Amount(0), "Aave health factor needs a non-negative debt");
  if (total_debt == Amount(0)) return kAaveHealthFactorNoDebt;
  UWide weighted = 0;  // sum(value_i * LT_i): base currency times basis points
  for (const AaveCollateral& c : collateral) {
    LIQSIM_CHECK(c.liquidation_threshold_bps >= 0 && c.liquidation_threshold_bps <= kAaveBpsOne,
                 "liquidation threshold must be within [0, 10000] bps");
    weighted += UWide(aave_collateral_value(c.balance, c.price).raw()) * UWide(c.liquidation_threshold_bps);
  }
  // wadDiv(a, b) = (a * 1e18 + b / 2) / b without a 256-bit product: a = q b + r, r < b < 2^63, so
  // (a * 1e18 + b / 2) / b = q * 1e18 + (r * 1e18 + b / 2) / b exactly.
  const UWide b = UWide(total_debt.raw());
  const UWide q = weighted / b;
  const UWide r = weighted % b;
  const UWide wad_div = q * kAaveWad + (r * kAaveWad + b / 2) / b;
  return wad_div / UWide(kAaveBpsOne);
}

std::vector<std::string> validate_aave_close_factor(const AaveCloseFactorParams& params) {
  std::vector<std::string> problems;
  auto in_unit = [](int64_t bps) { return bps >= 0 && bps <= kAaveBpsOne; };
  if (!in_unit(params.default_close_factor_bps))
    problems.push_back("default close factor must be within [0, 10000] bps");
  if (!in_unit(params.max_close_factor_bps))
    problems.push_back("max close factor must be within [0, 10000] bps");
  if (params.default_close_factor_bps > params.max_close_factor_bps)
    problems.push_back("default close factor must not exceed the max close factor");
  return problems;
}

Quantity aave_v30_max_liquidatable_debt(Quantity reserve_debt, AaveWad health_factor,
                                        const AaveCloseFactorParams& params) {
  LIQSIM_CHECK(validate_aave_close_factor(params).empty(), "invalid Aave close factor parameters");
  const int64_t close_factor =
      health_factor > params.hf_threshold ? params.default_close_factor_bps : params.max_close_factor_bps;
  return Quantity(aave_percent_mul(reserve_debt.raw(), close_factor));
}

Quantity aave_v33_max_liquidatable_debt(const AaveV33CloseFactorInput& in, Amount threshold) {
  LIQSIM_CHECK(in.debt_price > Price(0), "Aave close factor needs a positive debt price");
  const Amount reserve_debt_value = base_value(in.reserve_debt, in.debt_price, Round::Down);
  const Amount reserve_collateral_value = base_value(in.reserve_collateral, in.collateral_price, Round::Down);
  if (reserve_collateral_value >= threshold && reserve_debt_value >= threshold &&
      in.health_factor > kAaveCloseFactorHfThreshold) {
    const Amount half_total(aave_percent_mul(in.total_debt_value.raw(), kAaveDefaultCloseFactorBps));
    if (reserve_debt_value > half_total)
      return Quantity(mul_div(half_total.raw(), kQuantityScale, in.debt_price.raw(), Round::Down));
  }
  return in.reserve_debt;
}

AaveSeizure aave_collateral_to_liquidate(Quantity debt_to_cover, Price debt_price, Price collateral_price,
                                         Quantity user_collateral, int64_t liquidation_bonus_bps,
                                         int64_t protocol_fee_bps) {
  LIQSIM_CHECK(debt_price > Price(0) && collateral_price > Price(0), "Aave seizure needs positive prices");
  LIQSIM_CHECK(debt_to_cover >= Quantity(0) && user_collateral >= Quantity(0),
               "Aave seizure needs non-negative balances");
  LIQSIM_CHECK(liquidation_bonus_bps > 0, "Aave liquidation bonus must be positive");
  LIQSIM_CHECK(protocol_fee_bps >= 0 && protocol_fee_bps <= kAaveBpsOne,
               "Aave protocol fee must be within [0, 10000] bps");
  AaveSeizure out;
  // (debtPrice * debtToCover * collUnit) / (collPrice * debtUnit): the units are equal and cancel.
  // Solidity's uint256 does not overflow here: a base above the balance (a collapsed collateral price) is
  // capped like any other maxCollateral above it (the bonus is > 100%, so max >= base).
  const Wide base_collateral = Wide(debt_price.raw()) * debt_to_cover.raw() / collateral_price.raw();
  const bool capped = base_collateral > user_collateral.raw();
  // percentMul, half up, in 128 bits (base <= the balance here, so the product fits).
  const Wide max_collateral =
      capped ? Wide(0) : (base_collateral * liquidation_bonus_bps + kAaveBpsOne / 2) / kAaveBpsOne;
  int64_t total = 0;
  if (capped || max_collateral > user_collateral.raw()) {
    total = user_collateral.raw();
    const int64_t value_in_debt_tokens =
        div_round(Wide(collateral_price.raw()) * total, debt_price.raw(), Round::Down);
    out.debt_repaid = Quantity(aave_percent_div(value_in_debt_tokens, liquidation_bonus_bps));
  } else {
    total = static_cast<int64_t>(max_collateral);
    out.debt_repaid = debt_to_cover;
  }
  out.collateral_value = base_value(Quantity(total), collateral_price, Round::Down);
  // The code computes the bonus part only when the fee is non-zero; it is reported here either way.
  const int64_t bonus = total - aave_percent_div(total, liquidation_bonus_bps);
  out.bonus_collateral = Quantity(bonus);
  const int64_t fee = protocol_fee_bps != 0 ? aave_percent_mul(bonus, protocol_fee_bps) : 0;
  out.protocol_fee = Quantity(fee);
  out.collateral_to_liquidator = Quantity(total - fee);
  return out;
}

bool aave_v33_leaves_dust(Quantity reserve_debt, Price debt_price, Quantity user_collateral,
                          Price collateral_price, const AaveSeizure& seizure, Amount min_leftover) {
  const bool partial = seizure.debt_repaid < reserve_debt && seizure.total_collateral() < user_collateral;
  if (!partial) return false;
  const Amount debt_left = base_value(reserve_debt - seizure.debt_repaid, debt_price, Round::Down);
  const Amount collateral_left =
      base_value(user_collateral - seizure.collateral_to_liquidator, collateral_price, Round::Down);
  return !(debt_left >= min_leftover && collateral_left >= min_leftover);
}

AaveV33Liquidation aave_v33_liquidation(const AaveV33LiquidationInput& in, Amount close_factor_threshold,
                                        Amount min_leftover) {
  AaveV33Liquidation out;
  // ValidationLogic.validateLiquidationCall: HEALTH_FACTOR_NOT_BELOW_THRESHOLD, and something to take.
  if (in.health_factor >= kAaveLiquidationHfThreshold || in.reserve_debt <= Quantity(0) ||
      in.user_collateral <= Quantity(0)) {
    out.outcome = AaveLiquidationOutcome::NotLiquidatable;
    return out;
  }
  const Quantity max_debt =
      aave_v33_max_liquidatable_debt({in.reserve_debt, in.debt_price, in.user_collateral, in.collateral_price,
                                      in.total_debt_value, in.health_factor},
                                     close_factor_threshold);
  const Quantity debt_to_liquidate = std::min(in.debt_to_cover, max_debt);
  out.seizure =
      aave_collateral_to_liquidate(debt_to_liquidate, in.debt_price, in.collateral_price, in.user_collateral,
                                   in.liquidation_bonus_bps, in.protocol_fee_bps);
  if (aave_v33_leaves_dust(in.reserve_debt, in.debt_price, in.user_collateral, in.collateral_price,
                           out.seizure, min_leftover)) {
    out.outcome = AaveLiquidationOutcome::MustNotLeaveDust;
    return out;
  }
  out.outcome = AaveLiquidationOutcome::Liquidated;
  out.no_collateral_left = in.total_collateral_value == out.seizure.collateral_value;
  if (out.no_collateral_left) out.deficit = in.reserve_debt - out.seizure.debt_repaid;
  return out;
}

std::vector<std::string> validate_aave_collateral_config(int64_t ltv_bps, int64_t liquidation_threshold_bps,
                                                         int64_t liquidation_bonus_bps,
                                                         int64_t protocol_fee_bps) {
  std::vector<std::string> problems;
  if (ltv_bps < 0 || liquidation_threshold_bps < 0 || liquidation_bonus_bps < 0)
    problems.push_back("ltv, liquidation threshold and bonus must be non-negative");
  if (ltv_bps > liquidation_threshold_bps)
    problems.push_back("ltv must not exceed the liquidation threshold");
  if (liquidation_threshold_bps != 0) {
    if (liquidation_bonus_bps <= kAaveBpsOne) problems.push_back("liquidation bonus must exceed 100%");
    if (liquidation_threshold_bps >= 0 && liquidation_bonus_bps >= 0 &&
        aave_percent_mul(liquidation_threshold_bps, liquidation_bonus_bps) > kAaveBpsOne)
      problems.push_back("liquidation threshold x bonus must not exceed 100%");
  } else if (liquidation_bonus_bps != 0) {
    problems.push_back("liquidation bonus must be 0 when the liquidation threshold is 0");
  }
  if (protocol_fee_bps < 0 || protocol_fee_bps > kAaveBpsOne)
    problems.push_back("liquidation protocol fee must be within [0, 10000] bps");
  return problems;
}

}  // namespace liqsim
