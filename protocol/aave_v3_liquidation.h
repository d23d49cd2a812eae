// Aave v3 liquidation math: health factor over several collaterals, the close factor of v3.0-3.2 and of
// v3.3+, the collateral seized for a debt amount (liquidation bonus, protocol fee taken from the bonus,
// capped by the collateral balance), v3.3's MustNotLeaveDust rule and the deficit of a position left
// with debt and no collateral. Pure functions over values; no state.
//
// Sources (docs/venues.md, protocols.md 3.1):
// - aave/aave-v3-core contracts/protocol/libraries/logic/LiquidationLogic.sol (v3.0-3.2: _calculateDebt,
//   CLOSE_FACTOR_HF_THRESHOLD 0.95e18, _calculateAvailableCollateralToLiquidate).
// - aave-dao/aave-v3-origin src/contracts/protocol/libraries/logic/LiquidationLogic.sol (v3.3+:
//   executeLiquidationCall, MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD 2000e8, MIN_LEFTOVER_BASE = half of it,
//   _burnDebtTokens deficit) and GenericLogic.sol calculateUserAccountData (health factor).
// - aave-dao/aave-v3-origin docs/3.3/Aave-v3.3-features.md sections 2.2 and 2.3.
// - PoolConfigurator.configureReserveAsCollateral: threshold.percentMul(bonus) <= 100%.
//
// Units. Token balances (collateral and debt alike) are Quantity (1e-8 of a token, i.e. an asset with 8
// decimals); oracle prices are Price (1e-6 $ per whole token); values in the base currency are Amount
// (1e-6 $; Aave's USD base currency has 8 decimals, so base values here are 100x coarser and the $2,000
// and $1,000 thresholds are Amount(2000e6) and Amount(1000e6)). Percentages are Aave's basis points
// (10000 = 100%): liquidation threshold 8250, bonus 10500 (= 105%), protocol fee 1000 (= 10% of the
// bonus). The health factor is Aave's WAD (1e18 = 1.0).
//
// Rounding follows Aave's PercentageMath and WadRayMath: percentMul(x, p) = (x*p + 5000) / 10000 and
// percentDiv(x, p) = (x*10000 + p/2) / p round half up; wadDiv(a, b) = (a*1e18 + b/2) / b rounds half
// up; every other Solidity division truncates (rounds down for the non-negative values here).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/units.h"

namespace liqsim {

// Aave's WAD fixed point (1e18 = 1.0) as an unsigned 128-bit integer (a health factor can exceed int64).
using AaveWad = unsigned __int128;
inline constexpr AaveWad kAaveWad = 1'000'000'000'000'000'000ULL;
// Health factor of an account without debt (Aave returns type(uint256).max).
inline constexpr AaveWad kAaveHealthFactorNoDebt = std::numeric_limits<AaveWad>::max();
inline constexpr int64_t kAaveBpsOne = 10'000;  // PercentageMath.PERCENTAGE_FACTOR

// LiquidationLogic constants.
inline constexpr AaveWad kAaveCloseFactorHfThreshold = 950'000'000'000'000'000ULL;  // 0.95e18
inline constexpr AaveWad kAaveLiquidationHfThreshold = kAaveWad;                    // liquidatable iff HF < 1
inline constexpr int64_t kAaveDefaultCloseFactorBps = 5'000;
inline constexpr int64_t kAaveMaxCloseFactorBps = 10'000;
// v3.3+: MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD = 2000e8 ($2,000) and MIN_LEFTOVER_BASE = half of it.
inline constexpr Amount kAaveMinBaseMaxCloseFactorThreshold{2'000 * kAmountScale};
inline constexpr Amount kAaveMinLeftoverBase{1'000 * kAmountScale};

// PercentageMath.percentMul / percentDiv (half up). value >= 0, percentage > 0 for percentDiv.
int64_t aave_percent_mul(int64_t value, int64_t percentage_bps);
int64_t aave_percent_div(int64_t value, int64_t percentage_bps);

// One collateral reserve of an account, as calculateUserAccountData sees it.
struct AaveCollateral {
  Quantity balance;
  Price price;
  int64_t liquidation_threshold_bps = 0;  // e.g. 8250 for 82.5% (the e-mode threshold where it applies)
};

// Value of a collateral balance in the base currency: balance * price / unit, rounded DOWN
// (GenericLogic._getUserBalanceInBaseCurrency: "round down, to always underestimate the collateral").
Amount aave_collateral_value(Quantity balance, Price price);
// Value of a debt balance in the base currency, rounded UP (v3.3+ GenericLogic._getUserDebtInBaseCurrency,
// mulDivCeil, "to always overestimate the debt"; v3.0-3.2 rounded down). LiquidationLogic's own
// close-factor and dust comparisons round DOWN instead; the functions below do that internally.
Amount aave_debt_value(Quantity balance, Price price);

// HF = sum_i(value_i * LT_i) / total debt value, in WAD: wadDiv(sum(value_i * LT_bps_i), debt) / 10000,
// wadDiv half up then the division by 10000 DOWN (aave-v3-origin GenericLogic.calculateUserAccountData).
// v3.0-3.3 computed percentMul(total collateral, floor(average threshold)) instead: the same for one
// collateral, up to 1 bp of threshold lower with several. kAaveHealthFactorNoDebt when total_debt is 0.
// Values >= 0, thresholds in [0, 10000].
AaveWad aave_health_factor(std::span<const AaveCollateral> collateral, Amount total_debt);

// The v3.0-3.2 close factor. Validated by validate_aave_close_factor.
struct AaveCloseFactorParams {
  int64_t default_close_factor_bps = kAaveDefaultCloseFactorBps;  // applies while HF > threshold
  int64_t max_close_factor_bps = kAaveMaxCloseFactorBps;          // applies at HF <= threshold
  AaveWad hf_threshold = kAaveCloseFactorHfThreshold;
};
// Every problem of the parameters (close factors within [0, 100%], default <= max); empty when valid.
std::vector<std::string> validate_aave_close_factor(const AaveCloseFactorParams& params);

// v3.0-3.2 maximum debt of one reserve a liquidator may repay: (reserve debt).percentMul(close factor),
// half up, with the default close factor while HF > 0.95 and the maximum at HF <= 0.95 (aave-v3-core
// LiquidationLogic._calculateDebt). Vector #52.
Quantity aave_v30_max_liquidatable_debt(Quantity reserve_debt, AaveWad health_factor,
                                        const AaveCloseFactorParams& params = {});

// What the v3.3+ close factor looks at.
struct AaveV33CloseFactorInput {
  Quantity reserve_debt;        // the account's debt in the reserve being repaid
  Price debt_price;             // > 0
  Quantity reserve_collateral;  // the account's balance of the collateral being seized
  Price collateral_price;
  Amount total_debt_value;  // all debt of the account in the base currency
  AaveWad health_factor;
};
// v3.3+ maximum debt: the whole reserve debt, unless the reserve's collateral and debt values are both
// >= `threshold` ($2,000) and HF > 0.95; then, if the reserve debt value exceeds
// total_debt_value.percentMul(50%) (half up), that 50% of the total converted back to debt tokens
// (value * unit / debt price, DOWN). Reserve values round DOWN (amount * price / unit).
// (aave-v3-origin LiquidationLogic.executeLiquidationCall). Vectors #55, #58.
Quantity aave_v33_max_liquidatable_debt(const AaveV33CloseFactorInput& in,
                                        Amount threshold = kAaveMinBaseMaxCloseFactorThreshold);

// Collateral moving for a repaid debt.
struct AaveSeizure {
  Quantity collateral_to_liquidator;  // what leaves the account to the liquidator
  Quantity protocol_fee;              // what leaves the account to the treasury
  Quantity bonus_collateral;          // bonus part of the total (protocol fee included)
  Quantity debt_repaid;               // debt the liquidator pays (debt_to_cover or less if capped)
  Amount collateral_value;            // total seized (liquidator + fee) in the base currency, DOWN
  Quantity total_collateral() const { return collateral_to_liquidator + protocol_fee; }
};

// _calculateAvailableCollateralToLiquidate (v3.3+; v3.0-3.2 is the same arithmetic):
//   base = debt_price * debt_to_cover / collateral_price (DOWN); max = base.percentMul(bonus) (half up)
//   if max > user_collateral: total = user_collateral,
//       debt = (collateral_price * user_collateral / debt_price (DOWN)).percentDiv(bonus) (half up)
//   else total = max, debt = debt_to_cover
//   bonus part = total - total.percentDiv(bonus); fee = bonus part.percentMul(protocol fee) (half up);
//   liquidator gets total - fee.
// Both tokens are Quantity, so Aave's collateral and debt units cancel. Prices > 0, bonus_bps > 0,
// protocol_fee_bps in [0, 10000]. Vectors #53, #54.
AaveSeizure aave_collateral_to_liquidate(Quantity debt_to_cover, Price debt_price, Price collateral_price,
                                         Quantity user_collateral, int64_t liquidation_bonus_bps,
                                         int64_t protocol_fee_bps);

// v3.3+ MustNotLeaveDust: a liquidation that neither repays the whole reserve debt nor takes the whole
// collateral balance (liquidator part + fee) must leave both debt and collateral worth >= min_leftover
// (values DOWN). As in the code, the collateral left is measured as balance minus the liquidator's part
// (the protocol fee is not subtracted). True when the call would revert. Vectors #56, #59.
bool aave_v33_leaves_dust(Quantity reserve_debt, Price debt_price, Quantity user_collateral,
                          Price collateral_price, const AaveSeizure& seizure,
                          Amount min_leftover = kAaveMinLeftoverBase);

// A v3.3+ liquidationCall as a value.
enum class AaveLiquidationOutcome : uint8_t { Liquidated, NotLiquidatable, MustNotLeaveDust };

struct AaveV33LiquidationInput {
  Quantity debt_to_cover;  // what the liquidator offers to repay (capped by the close factor)
  Quantity reserve_debt;
  Price debt_price;
  Quantity user_collateral;  // balance of the collateral being seized
  Price collateral_price;
  int64_t liquidation_bonus_bps = 0;
  int64_t protocol_fee_bps = 0;
  Amount total_collateral_value;  // all collateral of the account in the base currency
  Amount total_debt_value;
  AaveWad health_factor;
};

struct AaveV33Liquidation {
  AaveLiquidationOutcome outcome = AaveLiquidationOutcome::NotLiquidatable;
  AaveSeizure seizure;
  // The seized collateral was all the collateral of the account (total_collateral_value equals the
  // seized value): the rest of this reserve's debt is burned into the reserve deficit, and so is every
  // other debt of the account (LiquidationLogic._burnBadDebt).
  bool no_collateral_left = false;
  Quantity deficit;  // reserve_debt - debt repaid when no_collateral_left, else 0 (_burnDebtTokens)
};

// executeLiquidationCall in order: HF < 1 (else NotLiquidatable), the v3.3+ close factor, the seizure,
// the dust rule, then the deficit. Vectors #56, #57.
AaveV33Liquidation aave_v33_liquidation(const AaveV33LiquidationInput& in,
                                        Amount close_factor_threshold = kAaveMinBaseMaxCloseFactorThreshold,
                                        Amount min_leftover = kAaveMinLeftoverBase);

// Every problem of a collateral configuration, as PoolConfigurator.configureReserveAsCollateral rejects
// it (INVALID_RESERVE_PARAMS): ltv <= threshold; with a threshold: bonus > 100% and
// threshold.percentMul(bonus) <= 100% (so a loan taken at the threshold still covers the bonus); without
// one: bonus == 0; and setLiquidationProtocolFee's fee <= 100%. Empty when valid.
std::vector<std::string> validate_aave_collateral_config(int64_t ltv_bps, int64_t liquidation_threshold_bps,
                                                         int64_t liquidation_bonus_bps,
                                                         int64_t protocol_fee_bps);

}  // namespace liqsim
