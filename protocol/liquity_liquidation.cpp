#include "protocol/liquity_liquidation.h"

#include <algorithm>
#include <boost/multiprecision/cpp_int.hpp>
#include <string>

#include "core/check.h"
#include "core/checked.h"

namespace liqsim {
namespace {

using Wide = boost::multiprecision::uint256_t;
using U128 = LiquityDecimal;

Wide wide(U128 x) {
  // Assembled from two 64-bit halves: not every Boost version converts from unsigned __int128.
  Wide w = Wide(static_cast<uint64_t>(x >> 64));
  w <<= 64;
  w += Wide(static_cast<uint64_t>(x));
  return w;
}

U128 narrow(const Wide& w, const char* what) {
  if (w > wide(std::numeric_limits<U128>::max()))
    throw ArithmeticError(std::string(what) + ": exceeds 128 bits");
  return (U128(static_cast<uint64_t>(w >> 64)) << 64) | U128(static_cast<uint64_t>(w & Wide(UINT64_MAX)));
}

// floor(a * b / d), d > 0.
U128 mul_div(U128 a, U128 b, U128 d, const char* what) {
  LIQSIM_CHECK(d > 0, "Liquity division by zero");
  return narrow(wide(a) * wide(b) / wide(d), what);
}

U128 add(U128 a, U128 b, const char* what) {
  U128 r;
  if (__builtin_add_overflow(a, b, &r)) throw ArithmeticError(std::string(what) + ": exceeds 128 bits");
  return r;
}

int64_t to_int64(U128 x, const char* what) {
  if (x > U128(std::numeric_limits<int64_t>::max()))
    throw ArithmeticError(std::string(what) + ": exceeds int64");
  return static_cast<int64_t>(x);
}

U128 divide(U128 n, U128 d, Round round) { return n / d + (round == Round::Up && n % d != 0 ? 1 : 0); }

constexpr U128 kWeiPerQuantityUnit = 10'000'000'000ULL;   // 1e18 / 1e8
constexpr U128 kWeiPerAmountUnit = 1'000'000'000'000ULL;  // 1e18 / 1e6

LiquityDecimal sum_at(const LiquityStabilityPool& pool, uint64_t epoch, uint64_t scale) {
  const auto it = pool.sums.find({epoch, scale});
  return it == pool.sums.end() ? 0 : it->second;
}

}  // namespace

LiquityDecimal liquity_from_quantity(Quantity q) {
  LIQSIM_CHECK(q >= Quantity(0), "Liquity amounts are non-negative");
  return U128(q.raw()) * kWeiPerQuantityUnit;
}

LiquityDecimal liquity_from_amount(Amount a) {
  LIQSIM_CHECK(a >= Amount(0), "Liquity amounts are non-negative");
  return U128(a.raw()) * kWeiPerAmountUnit;
}

LiquityDecimal liquity_from_price(Price p) {
  LIQSIM_CHECK(p >= Price(0), "Liquity prices are non-negative");
  return U128(p.raw()) * kWeiPerAmountUnit;
}

Quantity liquity_to_quantity(LiquityDecimal wei, Round round) {
  return Quantity(to_int64(divide(wei, kWeiPerQuantityUnit, round), "Liquity ETH to Quantity"));
}

Amount liquity_to_amount(LiquityDecimal wei, Round round) {
  return Amount(to_int64(divide(wei, kWeiPerAmountUnit, round), "Liquity LUSD to Amount"));
}

LiquityDecimal liquity_collateral_ratio(LiquityDecimal coll, LiquityDecimal debt, LiquityDecimal price) {
  if (debt == 0) return kLiquityInfiniteCr;
  return mul_div(coll, price, debt, "Liquity collateral ratio");
}

bool liquity_recovery_mode(LiquityDecimal tcr) { return tcr < kLiquityCcr; }

LiquityDecimal liquity_coll_gas_compensation(LiquityDecimal coll) { return coll / kLiquityPercentDivisor; }

LiquityLiquidation liquity_offset_and_redistribution(LiquityDecimal debt, LiquityDecimal coll,
                                                     LiquityDecimal lusd_in_sp) {
  LIQSIM_CHECK(debt > 0, "Liquity offset needs a debt");
  LiquityLiquidation out;
  out.kind = LiquityLiquidationKind::OffsetAndRedistribute;
  if (lusd_in_sp > 0) {
    out.debt_to_offset = std::min(debt, lusd_in_sp);
    out.coll_to_sp = mul_div(coll, out.debt_to_offset, debt, "Liquity collToSendToSP");
  }
  out.debt_to_redistribute = debt - out.debt_to_offset;
  out.coll_to_redistribute = coll - out.coll_to_sp;
  return out;
}

LiquityLiquidation liquity_liquidate_normal_mode(LiquityDecimal coll, LiquityDecimal debt,
                                                 LiquityDecimal price, LiquityDecimal lusd_in_sp) {
  if (liquity_collateral_ratio(coll, debt, price) >= kLiquityMcr) return {};
  const LiquityDecimal gas = liquity_coll_gas_compensation(coll);
  LiquityLiquidation out = liquity_offset_and_redistribution(debt, coll - gas, lusd_in_sp);
  out.coll_gas_compensation = gas;
  out.lusd_gas_compensation = kLiquityLusdGasCompensation;
  return out;
}

LiquityLiquidation liquity_liquidate_recovery_mode(LiquityDecimal coll, LiquityDecimal debt,
                                                   LiquityDecimal price, LiquityDecimal lusd_in_sp,
                                                   LiquityDecimal tcr) {
  const LiquityDecimal icr = liquity_collateral_ratio(coll, debt, price);
  if (icr <= kLiquityDecimalPrecision) {
    LiquityLiquidation out;
    out.kind = LiquityLiquidationKind::RedistributeOnly;
    out.coll_gas_compensation = liquity_coll_gas_compensation(coll);
    out.lusd_gas_compensation = kLiquityLusdGasCompensation;
    out.debt_to_redistribute = debt;
    out.coll_to_redistribute = coll - out.coll_gas_compensation;
    return out;
  }
  if (icr < kLiquityMcr) return liquity_liquidate_normal_mode(coll, debt, price, lusd_in_sp);
  if (icr < tcr && debt <= lusd_in_sp) {
    LIQSIM_CHECK(price > 0, "Liquity capped liquidation needs a positive price");
    LiquityLiquidation out;
    out.kind = LiquityLiquidationKind::Capped;
    const LiquityDecimal capped = mul_div(debt, kLiquityMcr, price, "Liquity collToOffset");
    out.coll_gas_compensation = liquity_coll_gas_compensation(capped);
    out.lusd_gas_compensation = kLiquityLusdGasCompensation;
    out.debt_to_offset = debt;
    out.coll_to_sp = capped - out.coll_gas_compensation;
    out.coll_surplus = coll - capped;
    return out;
  }
  return {};
}

LiquityDepositSnapshot liquity_sp_snapshot(const LiquityStabilityPool& pool, LiquityDecimal amount) {
  return {amount, pool.p, sum_at(pool, pool.epoch, pool.scale), pool.epoch, pool.scale};
}

LiquityStabilityPool liquity_sp_offset(LiquityStabilityPool pool, LiquityDecimal debt_to_offset,
                                       LiquityDecimal coll_to_add) {
  const LiquityDecimal deposits = pool.total_deposits;
  if (deposits == 0 || debt_to_offset == 0) return pool;
  LIQSIM_CHECK(debt_to_offset <= deposits, "Liquity offset larger than the pool");
  constexpr LiquityDecimal one = kLiquityDecimalPrecision;
  // _computeRewardsPerUnitStaked, in 256 bits (amount x 1e18 exceeds 128 bits above ~340 units).
  const Wide total = wide(deposits);
  const Wide eth_numerator = wide(coll_to_add) * wide(one) + wide(pool.last_eth_error);
  LiquityDecimal loss_per_unit = one;
  if (debt_to_offset == deposits) {
    pool.last_lusd_loss_error = 0;
  } else {
    const Wide loss_numerator = wide(debt_to_offset) * wide(one) - wide(pool.last_lusd_loss_error);
    loss_per_unit = narrow(loss_numerator / total + 1, "Liquity LUSD loss per unit");
    pool.last_lusd_loss_error =
        narrow(wide(loss_per_unit) * total - loss_numerator, "Liquity LUSD loss error");
  }
  const LiquityDecimal gain_per_unit = narrow(eth_numerator / total, "Liquity ETH gain per unit");
  pool.last_eth_error = narrow(eth_numerator - wide(gain_per_unit) * total, "Liquity ETH error");
  // _updateRewardSumAndProduct.
  LIQSIM_CHECK(loss_per_unit <= one, "Liquity loss per unit staked above 1");
  const LiquityDecimal product_factor = one - loss_per_unit;
  LiquityDecimal& s = pool.sums[{pool.epoch, pool.scale}];
  s = add(s, mul_div(gain_per_unit, pool.p, 1, "Liquity marginal ETH gain"), "Liquity S");
  if (product_factor == 0) {
    pool.epoch += 1;
    pool.scale = 0;
    pool.p = one;
  } else if (pool.p * product_factor / one < kLiquityScaleFactor) {
    pool.p = pool.p * product_factor * kLiquityScaleFactor / one;
    pool.scale += 1;
  } else {
    pool.p = pool.p * product_factor / one;
  }
  LIQSIM_CHECK(pool.p > 0, "Liquity P reached zero");
  // _moveOffsetCollAndDebt.
  pool.total_deposits -= debt_to_offset;
  pool.eth = add(pool.eth, coll_to_add, "Liquity pool ETH");
  return pool;
}

LiquityDecimal liquity_sp_compounded_deposit(const LiquityStabilityPool& pool,
                                             const LiquityDepositSnapshot& snap) {
  if (snap.initial == 0 || snap.epoch < pool.epoch) return 0;
  LIQSIM_CHECK(pool.scale >= snap.scale, "Liquity snapshot from a future scale");
  const uint64_t scale_diff = pool.scale - snap.scale;
  LiquityDecimal compounded = 0;
  if (scale_diff == 0)
    compounded = mul_div(snap.initial, pool.p, snap.p, "Liquity compounded deposit");
  else if (scale_diff == 1)
    compounded = mul_div(snap.initial, pool.p, snap.p, "Liquity compounded deposit") / kLiquityScaleFactor;
  if (compounded < snap.initial / 1'000'000'000ULL) return 0;
  return compounded;
}

LiquityDecimal liquity_sp_eth_gain(const LiquityStabilityPool& pool, const LiquityDepositSnapshot& snap) {
  if (snap.initial == 0) return 0;
  const LiquityDecimal first = sum_at(pool, snap.epoch, snap.scale) - snap.s;
  const LiquityDecimal second = sum_at(pool, snap.epoch, snap.scale + 1) / kLiquityScaleFactor;
  const Wide gain = wide(snap.initial) * wide(add(first, second, "Liquity ETH gain")) / wide(snap.p) /
                    wide(kLiquityDecimalPrecision);
  return narrow(gain, "Liquity ETH gain");
}

}  // namespace liqsim
