#include "protocol/compound_liquidation.h"

#include <algorithm>
#include <boost/multiprecision/cpp_int.hpp>
#include <limits>
#include <string>

#include "core/check.h"
#include "core/checked.h"

namespace liqsim {
namespace {

using Wide = boost::multiprecision::int256_t;

// Compound's oracle price of an 8-decimal token: USD per base unit x 1e36 = (Price raw x 1e-6 / 1e8) x 1e36
// = Price raw x 1e22.
Wide oracle_mantissa(Price p) {
  // 1e22 does not fit in int64: build it as 1e11 x 1e11.
  const Wide e11 = Wide(100'000'000'000LL);
  return Wide(p.raw()) * e11 * e11;
}

int64_t narrow(const Wide& w, const char* what) {
  if (w > Wide(std::numeric_limits<int64_t>::max()) || w < Wide(std::numeric_limits<int64_t>::min()))
    throw ArithmeticError(std::string(what) + ": result out of int64 range");
  return static_cast<int64_t>(w);
}

bool is_factor(int64_t m) { return m >= 0 && m <= kCompoundMantissaOne; }

// mulFactor(n, factor) = n x factor / 1e18, truncated.
Wide mul_factor(const Wide& n, int64_t factor) { return n * factor / kCompoundMantissaOne; }

}  // namespace

// ---- Compound v2 ----

Quantity compound_v2_max_close(Quantity borrow_balance, int64_t close_factor_mantissa) {
  LIQSIM_CHECK(borrow_balance >= Quantity(0) && is_factor(close_factor_mantissa),
               "maxClose needs a non-negative borrow and a close factor within [0, 1]");
  return Quantity(narrow(mul_factor(Wide(borrow_balance.raw()), close_factor_mantissa), "compound maxClose"));
}

CompoundV2Seizure compound_v2_seize_tokens(Quantity repay, Price price_borrowed, Price price_collateral,
                                           int64_t liquidation_incentive_mantissa,
                                           int64_t exchange_rate_mantissa,
                                           int64_t protocol_seize_share_mantissa) {
  LIQSIM_CHECK(repay >= Quantity(0), "seizeTokens needs a non-negative repayment");
  LIQSIM_CHECK(price_borrowed > Price(0) && price_collateral > Price(0), "seizeTokens needs positive prices");
  LIQSIM_CHECK(exchange_rate_mantissa > 0 && liquidation_incentive_mantissa >= 0,
               "seizeTokens needs a positive exchange rate");
  LIQSIM_CHECK(is_factor(protocol_seize_share_mantissa), "protocol seize share must be within [0, 1]");
  const Wide one(kCompoundMantissaOne);
  const Wide numerator = Wide(liquidation_incentive_mantissa) * oracle_mantissa(price_borrowed) / one;
  const Wide denominator = oracle_mantissa(price_collateral) * Wide(exchange_rate_mantissa) / one;
  LIQSIM_CHECK(denominator > 0, "seizeTokens denominator truncated to zero");
  const Wide ratio = numerator * one / denominator;
  CompoundV2Seizure out;
  out.seize_tokens = Quantity(narrow(ratio * Wide(repay.raw()) / one, "compound seizeTokens"));
  out.protocol_tokens =
      Quantity(narrow(mul_factor(Wide(out.seize_tokens.raw()), protocol_seize_share_mantissa),
                      "compound protocolSeizeTokens"));
  out.liquidator_tokens = out.seize_tokens - out.protocol_tokens;
  out.protocol_underlying = Quantity(narrow(
      Wide(exchange_rate_mantissa) * Wide(out.protocol_tokens.raw()) / one, "compound protocolSeizeAmount"));
  return out;
}

std::vector<std::string> validate_compound_v2_params(int64_t close_factor_mantissa,
                                                     int64_t liquidation_incentive_mantissa,
                                                     int64_t protocol_seize_share_mantissa) {
  std::vector<std::string> problems;
  if (!is_factor(close_factor_mantissa)) problems.push_back("close factor must be within [0, 1]");
  if (liquidation_incentive_mantissa < kCompoundMantissaOne)
    problems.push_back("liquidation incentive must be at least 1");
  if (!is_factor(protocol_seize_share_mantissa))
    problems.push_back("protocol seize share must be within [0, 1]");
  return problems;
}

// ---- Compound v3 (Comet) ----

namespace {

// mulPrice(balance, price, 1e8): a collateral balance's value in $ (Amount scale), truncated.
Wide collateral_value(const CometCollateral& c) {
  LIQSIM_CHECK(c.balance >= Quantity(0) && c.price >= Price(0), "Comet collateral must be non-negative");
  return Wide(c.balance.raw()) * c.price.raw() / kQuantityScale;
}

}  // namespace

Amount comet_liquidation_liquidity(Amount base_balance, Price base_price,
                                   std::span<const CometCollateral> collateral) {
  LIQSIM_CHECK(base_price > Price(0), "Comet needs a positive base price");
  // signedMulPrice: Solidity's signed division truncates toward zero, as does C++'s.
  Wide liquidity = Wide(base_balance.raw()) * base_price.raw() / kAmountScale;
  for (const CometCollateral& c : collateral) {
    LIQSIM_CHECK(is_factor(c.liquidate_collateral_factor), "liquidateCollateralFactor must be within [0, 1]");
    liquidity += mul_factor(collateral_value(c), c.liquidate_collateral_factor);
  }
  return Amount(narrow(liquidity, "comet liquidity"));
}

bool comet_is_liquidatable(Amount base_balance, Price base_price,
                           std::span<const CometCollateral> collateral) {
  if (base_balance >= Amount(0)) return false;
  return comet_liquidation_liquidity(base_balance, base_price, collateral) < Amount(0);
}

CometAbsorb comet_absorb(Amount base_balance, Price base_price, std::span<const CometCollateral> collateral) {
  if (!comet_is_liquidatable(base_balance, base_price, collateral)) return CometAbsorb{};
  return comet_absorb_credit(base_balance, base_price, collateral);
}

CometAbsorb comet_absorb_credit(Amount base_balance, Price base_price,
                                std::span<const CometCollateral> collateral) {
  LIQSIM_CHECK(base_price > Price(0), "absorb needs a positive base price");
  CometAbsorb out;
  out.outcome = CometAbsorbOutcome::Absorbed;
  Wide value_total = 0;
  Wide delta_value = 0;
  for (const CometCollateral& c : collateral) {
    LIQSIM_CHECK(is_factor(c.liquidation_factor), "liquidationFactor must be within [0, 1]");
    const Wide value = collateral_value(c);
    value_total += value;
    delta_value += mul_factor(value, c.liquidation_factor);
  }
  out.collateral_value = Amount(narrow(value_total, "comet absorbed value"));
  // divPrice(deltaValue, basePrice, baseScale).
  out.credited = Amount(narrow(delta_value * kAmountScale / base_price.raw(), "comet absorb credit"));
  out.new_balance = std::max(Amount(0), base_balance + out.credited);
  out.paid_by_reserves = out.new_balance - base_balance;
  return out;
}

int64_t comet_store_front_discount(int64_t store_front_price_factor, int64_t liquidation_factor) {
  LIQSIM_CHECK(is_factor(store_front_price_factor) && is_factor(liquidation_factor),
               "Comet factors must be within [0, 1]");
  return narrow(mul_factor(Wide(store_front_price_factor), kCompoundMantissaOne - liquidation_factor),
                "comet discount");
}

Price comet_store_front_price(Price asset_price, int64_t store_front_price_factor,
                              int64_t liquidation_factor) {
  LIQSIM_CHECK(asset_price >= Price(0), "the collateral price must be non-negative");
  const int64_t discount = comet_store_front_discount(store_front_price_factor, liquidation_factor);
  return Price(narrow(mul_factor(Wide(asset_price.raw()), kCompoundMantissaOne - discount), "comet price"));
}

Quantity comet_quote_collateral(Amount base_amount, Price asset_price, Price base_price,
                                int64_t store_front_price_factor, int64_t liquidation_factor) {
  LIQSIM_CHECK(asset_price > Price(0) && base_price > Price(0), "quoteCollateral needs positive prices");
  LIQSIM_CHECK(base_amount >= Amount(0), "quoteCollateral needs a non-negative base amount");
  const Price discounted = comet_store_front_price(asset_price, store_front_price_factor, liquidation_factor);
  LIQSIM_CHECK(discounted > Price(0), "discounted collateral price truncated to zero");
  const Wide out =
      Wide(base_price.raw()) * base_amount.raw() * kQuantityScale / discounted.raw() / kAmountScale;
  return Quantity(narrow(out, "comet quoteCollateral"));
}

CometBuy comet_buy_collateral(Amount base_amount, Quantity min_amount, Price asset_price, Price base_price,
                              int64_t store_front_price_factor, int64_t liquidation_factor, Amount reserves,
                              Amount target_reserves, Quantity collateral_reserves) {
  CometBuy out;
  if (reserves >= Amount(0) && reserves >= target_reserves) {
    out.outcome = CometBuyOutcome::NotForSale;
    return out;
  }
  out.collateral = comet_quote_collateral(base_amount, asset_price, base_price, store_front_price_factor,
                                          liquidation_factor);
  if (out.collateral < min_amount)
    out.outcome = CometBuyOutcome::TooMuchSlippage;
  else if (out.collateral > collateral_reserves)
    out.outcome = CometBuyOutcome::InsufficientReserves;
  else
    out.outcome = CometBuyOutcome::Bought;
  if (out.outcome != CometBuyOutcome::Bought) out.collateral = Quantity(0);
  return out;
}

std::vector<std::string> validate_comet_collateral(int64_t borrow_collateral_factor,
                                                   int64_t liquidate_collateral_factor,
                                                   int64_t liquidation_factor,
                                                   int64_t store_front_price_factor) {
  std::vector<std::string> problems;
  if (borrow_collateral_factor < 0) problems.push_back("borrowCollateralFactor must be non-negative");
  if (borrow_collateral_factor >= liquidate_collateral_factor)
    problems.push_back("borrowCollateralFactor must be below liquidateCollateralFactor");
  if (liquidate_collateral_factor > kCompoundMantissaOne)
    problems.push_back("liquidateCollateralFactor must not exceed 1");
  if (!is_factor(liquidation_factor)) problems.push_back("liquidationFactor must be within [0, 1]");
  if (!is_factor(store_front_price_factor)) problems.push_back("storeFrontPriceFactor must be within [0, 1]");
  return problems;
}

}  // namespace liqsim
