// Compound liquidation math. v2: the close factor cap on one repayment and the cTokens seized for it (with
// the protocol's share going to reserves). v3 (Comet): the liquidation test, absorb (the protocol takes
// the collateral, credits the account at the liquidation factor and its reserves cover the rest) and the
// store-front price at which anyone may then buy the absorbed collateral. Pure functions over values.
//
// Sources (docs/venues.md, protocols.md 3.2 and 3.3):
// - compound-finance/compound-protocol contracts/Comptroller.sol liquidateBorrowAllowed (maxClose) and
//   liquidateCalculateSeizeTokens; CToken.sol seizeInternal (protocolSeizeShareMantissa 2.8%);
//   ExponentialNoError.sol (Exp arithmetic, all truncating).
// - compound-finance/comet contracts/Comet.sol / CometWithExtendedAssetList.sol: isLiquidatable,
//   absorbInternal, buyCollateral, quoteCollateral (discount = storeFrontPriceFactor x (1 -
//   liquidationFactor)); CometConfiguration checks (borrowCF < liquidateCF <= 1, storeFrontPriceFactor <= 1);
//   test/quote-collateral-test.ts (200 USDC -> 1.25 COMP).
//
// Units. Token balances are Quantity (1e-8 of a token: cTokens have 8 decimals; the underlying and the
// Comet collateral are modelled at 8 decimals too); Comet's base asset balance is Amount (1e-6, USDC's
// scale; signed like Comet's principal, negative = borrowed); prices are Price (1e-6 $ per whole token).
// Factors are Compound's mantissas, plain int64 with 1e18 = 1.0 (v2 Exp, Comet FACTOR_SCALE). Every
// division truncates, as in the contracts (toward zero; only Comet's signed liquidity can be negative).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/units.h"

namespace liqsim {

inline constexpr int64_t kCompoundMantissaOne = 1'000'000'000'000'000'000;  // expScale / FACTOR_SCALE
// CToken.protocolSeizeShareMantissa = 2.8e16.
inline constexpr int64_t kCompoundProtocolSeizeShare = 28'000'000'000'000'000;

// ---- Compound v2 ----

// maxClose = mul_ScalarTruncate(closeFactor, borrowBalance): closeFactor x borrow, DOWN
// (Comptroller.liquidateBorrowAllowed; a repayment above it fails TOO_MUCH_REPAY). Vector #60.
Quantity compound_v2_max_close(Quantity borrow_balance, int64_t close_factor_mantissa);

struct CompoundV2Seizure {
  Quantity seize_tokens;         // cTokens taken from the borrower
  Quantity protocol_tokens;      // seize_tokens x protocolSeizeShare, DOWN: burned into reserves
  Quantity liquidator_tokens;    // seize_tokens - protocol_tokens
  Quantity protocol_underlying;  // exchangeRate x protocol_tokens, DOWN: the reserves' increase
};

// Comptroller.liquidateCalculateSeizeTokens then CToken.seizeInternal, in Exp steps that each truncate:
//   numerator = incentive x priceBorrowed / 1e18; denominator = priceCollateral x exchangeRate / 1e18;
//   ratio = numerator x 1e18 / denominator; seizeTokens = ratio x repay / 1e18.
// Prices enter as Compound's oracle reports them for an 8-decimal token (USD per base unit x 1e36, i.e.
// Price raw x 1e22); the exchange rate is underlying base units per cToken base unit x 1e18 (both
// 8-decimal Quantity here, so 0.02e18 for 0.02 underlying per cToken). Products use 256-bit
// intermediates. Prices and exchange rate > 0. Vector #61.
CompoundV2Seizure compound_v2_seize_tokens(
    Quantity repay, Price price_borrowed, Price price_collateral, int64_t liquidation_incentive_mantissa,
    int64_t exchange_rate_mantissa, int64_t protocol_seize_share_mantissa = kCompoundProtocolSeizeShare);

// Every problem of the v2 liquidation parameters: close factor within [0, 1] (older Comptrollers also
// bounded it to [0.05, 0.9]), incentive >= 1, protocol seize share within [0, 1]. Empty when valid.
std::vector<std::string> validate_compound_v2_params(int64_t close_factor_mantissa,
                                                     int64_t liquidation_incentive_mantissa,
                                                     int64_t protocol_seize_share_mantissa);

// ---- Compound v3 (Comet) ----

struct CometCollateral {
  Quantity balance;
  Price price;
  int64_t liquidate_collateral_factor = 0;  // mantissa; counts toward the liquidation test
  int64_t liquidation_factor = 0;           // mantissa; share of the value credited on absorb
};

// Comet's liquidity for the liquidation test, in $ (Amount scale):
//   signedMulPrice(balance, basePrice, baseScale) + sum mulFactor(mulPrice(coll, price, scale), liquidateCF)
// each product divided once and truncated (toward zero for the signed base term).
Amount comet_liquidation_liquidity(Amount base_balance, Price base_price,
                                   std::span<const CometCollateral> collateral);
// isLiquidatable: a borrower (balance < 0) whose liquidity is < 0.
bool comet_is_liquidatable(Amount base_balance, Price base_price,
                           std::span<const CometCollateral> collateral);

enum class CometAbsorbOutcome : uint8_t { Absorbed, NotLiquidatable };

struct CometAbsorb {
  CometAbsorbOutcome outcome = CometAbsorbOutcome::NotLiquidatable;
  Amount collateral_value;  // sum mulPrice(balance, price, scale): the market value the protocol takes ($)
  Amount credited;          // divPrice(sum mulFactor(value_i, liquidationFactor_i), basePrice): base units
  Amount new_balance;       // max(0, old balance + credited): the account's base balance afterwards
  Amount paid_by_reserves;  // new_balance - old balance: the debt forgiven plus any supply credited
};

// absorbInternal: every collateral goes to the protocol; the account is credited
//   deltaBalance = (sum_i value_i x liquidationFactor_i / 1e18) x baseScale / basePrice   (each step DOWN)
// and its balance becomes max(0, old + deltaBalance); reserves pay new - old (the borrow is written off
// and any positive remainder becomes a supply balance). NotLiquidatable when isLiquidatable is false.
// Vector #63.
CometAbsorb comet_absorb(Amount base_balance, Price base_price, std::span<const CometCollateral> collateral);
// absorbInternal's amounts without its isLiquidatable test, for a caller whose margin model made the
// test (the `compound_v3` mechanism: the market's `collateral_ratio` model at 1 / liquidateCF). Always
// Absorbed; base_price > 0.
CometAbsorb comet_absorb_credit(Amount base_balance, Price base_price,
                                std::span<const CometCollateral> collateral);

// discountFactor = mulFactor(storeFrontPriceFactor, 1e18 - liquidationFactor), DOWN.
int64_t comet_store_front_discount(int64_t store_front_price_factor, int64_t liquidation_factor);

// assetPriceDiscounted = mulFactor(assetPrice, 1e18 - discountFactor), DOWN: the store front's price per
// coin (quoteCollateral's divisor).
Price comet_store_front_price(Price asset_price, int64_t store_front_price_factor,
                              int64_t liquidation_factor);

// quoteCollateral: collateral bought for base_amount at the store-front price
//   assetPriceDiscounted = mulFactor(assetPrice, 1e18 - discountFactor)            (DOWN)
//   out = basePrice x baseAmount x assetScale / assetPriceDiscounted / baseScale   (two truncating divisions)
// Prices > 0; factors within [0, 1e18]. Vectors #62, #63.
Quantity comet_quote_collateral(Amount base_amount, Price asset_price, Price base_price,
                                int64_t store_front_price_factor, int64_t liquidation_factor);

enum class CometBuyOutcome : uint8_t { Bought, NotForSale, TooMuchSlippage, InsufficientReserves };

struct CometBuy {
  CometBuyOutcome outcome = CometBuyOutcome::NotForSale;
  Quantity collateral;  // what the buyer receives when Bought
};

// buyCollateral: refused (NotForSale) while reserves >= target_reserves; otherwise quoteCollateral,
// refused below min_amount (TooMuchSlippage) or above the protocol's collateral reserves
// (InsufficientReserves). The base amount paid raises the reserves by that amount.
CometBuy comet_buy_collateral(Amount base_amount, Quantity min_amount, Price asset_price, Price base_price,
                              int64_t store_front_price_factor, int64_t liquidation_factor, Amount reserves,
                              Amount target_reserves, Quantity collateral_reserves);

// Every problem of a Comet collateral's configuration: borrowCF < liquidateCF (BorrowCFTooLarge),
// liquidateCF <= 1 (LiquidateCFTooLarge), liquidationFactor within [0, 1], storeFrontPriceFactor within
// [0, 1] (BadDiscount). Empty when valid.
std::vector<std::string> validate_comet_collateral(int64_t borrow_collateral_factor,
                                                   int64_t liquidate_collateral_factor,
                                                   int64_t liquidation_factor,
                                                   int64_t store_front_price_factor);

}  // namespace liqsim
