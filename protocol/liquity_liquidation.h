// Liquity v1 liquidation math: collateral ratios (ICR, TCR), Recovery Mode, the Normal-mode and
// Recovery-mode liquidation of one trove (gas compensation, offset against the Stability Pool,
// redistribution of the rest, the 110% cap and its claimable surplus), and the Stability Pool's
// product-sum accounting of depositors' LUSD losses and ETH gains. Pure functions over values.
//
// Sources (docs/venues.md, protocols.md 3.6), liquity/dev packages/contracts/contracts:
// - TroveManager.sol: _liquidateNormalMode, _liquidateRecoveryMode, _getOffsetAndRedistributionVals,
//   _getCappedOffsetVals; Dependencies/LiquityBase.sol (MCR 110%, CCR 150%, LUSD_GAS_COMPENSATION 200e18,
//   PERCENT_DIVISOR 200, _getCollGasCompensation, _getTCR); Dependencies/LiquityMath.sol (_computeCR).
// - StabilityPool.sol: offset, _computeRewardsPerUnitStaked, _updateRewardSumAndProduct,
//   _getCompoundedStakeFromSnapshots, _getETHGainFromSnapshots (SCALE_FACTOR 1e9).
//
// Units: Liquity's own 18-decimal fixed point throughout ("LiquityDecimal", unsigned 128-bit): ETH and
// LUSD amounts in wei (1e-18), the price in 1e18 $ per ETH, ratios with 1e18 = 100%. Conversions from and
// to Quantity / Amount / Price are named below. Products go through 256-bit intermediates; a result that
// does not fit 128 bits throws ArithmeticError. Every division rounds DOWN (Solidity's SafeMath div).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <utility>

#include "core/units.h"

namespace liqsim {

using LiquityDecimal = unsigned __int128;
inline constexpr LiquityDecimal kLiquityDecimalPrecision = 1'000'000'000'000'000'000ULL;  // 1e18
inline constexpr LiquityDecimal kLiquityMcr = 1'100'000'000'000'000'000ULL;               // 110%
inline constexpr LiquityDecimal kLiquityCcr = 1'500'000'000'000'000'000ULL;               // 150%
inline constexpr LiquityDecimal kLiquityLusdGasCompensation = LiquityDecimal(200) * kLiquityDecimalPrecision;
inline constexpr LiquityDecimal kLiquityPercentDivisor = 200;            // 0.5% of collateral
inline constexpr LiquityDecimal kLiquityScaleFactor = 1'000'000'000ULL;  // StabilityPool.SCALE_FACTOR
// _computeCR of a position without debt (Liquity returns 2^256 - 1).
inline constexpr LiquityDecimal kLiquityInfiniteCr = std::numeric_limits<LiquityDecimal>::max();

// Named conversions (exact upward; downward rounds as named).
LiquityDecimal liquity_from_quantity(Quantity q);  // q >= 0; 1e-8 ETH -> wei
LiquityDecimal liquity_from_amount(Amount a);      // a >= 0; 1e-6 LUSD -> wei
LiquityDecimal liquity_from_price(Price p);        // p >= 0; 1e-6 $ -> 1e-18 $
Quantity liquity_to_quantity(LiquityDecimal wei, Round round);
Amount liquity_to_amount(LiquityDecimal wei, Round round);

// _computeCR: coll * price / debt, DOWN; kLiquityInfiniteCr when debt is 0. ICR for one trove (debt
// includes the 200 LUSD gas reserve), TCR for the system's totals (_getTCR). Vectors #75, #76.
LiquityDecimal liquity_collateral_ratio(LiquityDecimal coll, LiquityDecimal debt, LiquityDecimal price);
// Recovery Mode iff TCR < CCR (150%) (_checkRecoveryMode).
bool liquity_recovery_mode(LiquityDecimal tcr);
// _getCollGasCompensation: coll / 200 (0.5%), DOWN.
LiquityDecimal liquity_coll_gas_compensation(LiquityDecimal coll);

enum class LiquityLiquidationKind : uint8_t {
  NotLiquidated,  // ICR >= MCR in Normal Mode; in Recovery Mode ICR >= TCR or the pool cannot cover it
  OffsetAndRedistribute,  // Normal Mode, or Recovery Mode with 100% < ICR < MCR
  RedistributeOnly,       // Recovery Mode with ICR <= 100%
  Capped,                 // Recovery Mode with MCR <= ICR < TCR and debt <= LUSD in the pool
};

struct LiquityLiquidation {
  LiquityLiquidationKind kind = LiquityLiquidationKind::NotLiquidated;
  LiquityDecimal coll_gas_compensation = 0;  // ETH to the liquidator
  LiquityDecimal lusd_gas_compensation = 0;  // LUSD to the liquidator from the gas pool (200)
  LiquityDecimal debt_to_offset = 0;         // LUSD burned from the Stability Pool
  LiquityDecimal coll_to_sp = 0;             // ETH to the Stability Pool
  LiquityDecimal debt_to_redistribute = 0;   // LUSD debt shared by the active troves
  LiquityDecimal coll_to_redistribute = 0;   // ETH shared by the active troves
  LiquityDecimal coll_surplus = 0;           // ETH left claimable by the borrower (Capped)
};

// _getOffsetAndRedistributionVals for `coll` already net of the gas compensation:
//   debtToOffset = min(debt, LUSD in SP); collToSP = coll * debtToOffset / debt (DOWN); the rest of both
//   is redistributed (everything when the pool is empty). debt > 0.
LiquityLiquidation liquity_offset_and_redistribution(LiquityDecimal debt, LiquityDecimal coll,
                                                     LiquityDecimal lusd_in_sp);

// _liquidateNormalMode, when ICR < MCR: the liquidator gets 200 LUSD and coll / 200; the remaining
// collateral and the whole debt are split by liquity_offset_and_redistribution. Vector #75.
LiquityLiquidation liquity_liquidate_normal_mode(LiquityDecimal coll, LiquityDecimal debt,
                                                 LiquityDecimal price, LiquityDecimal lusd_in_sp);

// _liquidateRecoveryMode: ICR <= 100% redistributes everything (after gas compensation); 100% < ICR < MCR
// is a Normal-mode liquidation; MCR <= ICR < TCR with debt <= LUSD in the pool offsets the whole debt
// against collateral capped at debt * MCR / price (DOWN), pays gas compensation as 0.5% of that capped
// amount and leaves coll - capped as the borrower's claimable surplus (_getCappedOffsetVals); otherwise
// nothing. Vector #76.
LiquityLiquidation liquity_liquidate_recovery_mode(LiquityDecimal coll, LiquityDecimal debt,
                                                   LiquityDecimal price, LiquityDecimal lusd_in_sp,
                                                   LiquityDecimal tcr);

// The Stability Pool's accounting state (StabilityPool.sol): running product P (1e18 = 1), sums S per
// (epoch, scale), and the error feedback carried between offsets.
struct LiquityStabilityPool {
  LiquityDecimal total_deposits = 0;  // LUSD
  LiquityDecimal eth = 0;             // ETH held for depositors
  LiquityDecimal p = kLiquityDecimalPrecision;
  uint64_t epoch = 0;
  uint64_t scale = 0;
  std::map<std::pair<uint64_t, uint64_t>, LiquityDecimal> sums;  // (epoch, scale) -> S; absent = 0
  LiquityDecimal last_eth_error = 0;
  LiquityDecimal last_lusd_loss_error = 0;
};

// What a deposit remembers when it is made or topped up.
struct LiquityDepositSnapshot {
  LiquityDecimal initial = 0;
  LiquityDecimal p = kLiquityDecimalPrecision;
  LiquityDecimal s = 0;
  uint64_t epoch = 0;
  uint64_t scale = 0;
};

// The snapshot of a deposit of `amount` made now (the caller adds `amount` to total_deposits).
LiquityDepositSnapshot liquity_sp_snapshot(const LiquityStabilityPool& pool, LiquityDecimal amount);

// StabilityPool.offset: with losses and gains per unit staked
//   ETHGain = (coll * 1e18 + lastETHError) / deposits                                  (DOWN)
//   LUSDLoss = 1e18 if the pool is emptied, else (debt * 1e18 - lastLUSDLossError) / deposits + 1
//   (rounded UP through the +1 so depositors never keep more than they should; the surplus is carried)
// S[epoch][scale] += ETHGain * P; P *= 1 - LUSDLoss (DOWN), a new scale (x 1e9) when P would drop below
// 1e9, a new epoch (P = 1) when the pool is emptied. Deposits fall by the debt and the ETH rises by coll.
// No change when deposits or debt are 0. debt <= total deposits. Vector #77.
LiquityStabilityPool liquity_sp_offset(LiquityStabilityPool pool, LiquityDecimal debt_to_offset,
                                       LiquityDecimal coll_to_add);

// _getCompoundedStakeFromSnapshots: initial * P / P_snapshot (DOWN), / 1e9 once if one scale has passed,
// 0 after two scales or a new epoch, and 0 below initial / 1e9. Vector #77.
LiquityDecimal liquity_sp_compounded_deposit(const LiquityStabilityPool& pool,
                                             const LiquityDepositSnapshot& snap);
// _getETHGainFromSnapshots: initial * ((S[e][s] - S_snapshot) + S[e][s+1] / 1e9) / P_snapshot / 1e18 (DOWN).
// Vector #77.
LiquityDecimal liquity_sp_eth_gain(const LiquityStabilityPool& pool, const LiquityDepositSnapshot& snap);

}  // namespace liqsim
