// The margin model: how a market values the risk of a position. The clearing house asks it, per market,
// for the maintenance requirement of a position at a mark and for price triggers, and composes the
// account's health from them (value = balance + every position at its mark, requirement = the sum of
// each market's requirement). Implementations, each citing its venue's documentation:
//   - TieredMaintenanceMargin (protocol/tiered_margin.h): Binance USDⓈ-M / Bybit leverage brackets;
//   - HyperliquidMargin (protocol/hyperliquid_margin.h): half of the initial margin at max leverage, by
//     margin tier;
//   - DydxMargin (protocol/dydx_margin.h): dYdX v4's fixed maintenance fraction of a liquidity tier's IMF;
//   - CollateralRatioMargin (protocol/collateral_ratio_margin.h): a lending protocol's liquidation ratio
//     (MakerDAO mat, Liquity MCR, Aave 1 / liquidation threshold): unsafe when value / ratio < debt;
//   - BitmexRiskLimitMargin (protocol/bitmex_margin.h): BitMEX risk limits, one rate for the whole position
//     rising a step at each risk limit its size reaches.
// The scenario chooses one per market (experiments/margin_models.h, the registry); the contract every
// implementation meets is tests/protocol/margin_model_contract_test.cpp.
//
// All money is exact fixed point. Every function states its rounding, which goes against the account
// (requirements up, a long's trigger up, a short's down).
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/units.h"

namespace liqsim {

// An account's health at a set of marks: `value` is its margin balance (balance + sum(size * mark), each
// notional rounded down) and `requirement` the sum of its positions' maintenance requirements (each
// rounded up). An account holding a position is liquidatable when value < requirement.
struct Health {
  Amount value;
  Amount requirement;
  bool below_requirement() const { return value < requirement; }
};

class MarginModel {
 public:
  virtual ~MarginModel() = default;

  // Maintenance requirement of a one-way position of `size` at `mark`, in Amount rounded UP.
  // Contract: 0 for size 0, never negative, the same for a long and a short of equal size, and
  // non-decreasing in |size * mark|.
  virtual Amount maintenance(Quantity size, Price mark) const = 0;

  // An upper bound, rounded UP, of the requirement's slope d(maintenance)/d(|notional|) over every
  // notional (the highest marginal rate). The clearing house's cross-margin trigger bound uses it: a mark
  // move of dp changes a position's equity minus requirement by at most |size| * dp * (1 + this).
  virtual Ratio max_maintenance_rate() const = 0;

  // A lower bound, rounded DOWN, of the requirement as a share of the notional over every position:
  // maintenance(size, mark) >= |size * mark| * this. For the tiered schedules (Binance brackets,
  // Hyperliquid tiers) it is the first tier's rate: the requirement is the integral of non-decreasing
  // marginal rates from notional 0, so no position's requirement falls below its notional at the
  // lowest rate. Keeper-liquidation validation uses it: a bonus up to this rate is always covered by
  // the account's equity at the liquidation point (equity = requirement), the perp form of Aave v3's
  // liquidationThreshold x liquidationBonus <= 100% (PoolConfigurator.configureReserveAsCollateral).
  virtual Ratio min_maintenance_rate() const = 0;

  // The largest size at `mark` in the risk tier below the one that holds a position of `abs_size`
  // (> 0) at `mark`; nullopt in the first tier and for models with one rate. BitMEX steps a liquidated
  // position down its risk limits tier by tier (bitmex.com/app/liquidation), i.e. to this size.
  virtual std::optional<Quantity> lower_tier_size(Quantity abs_size, Price mark) const {
    (void)abs_size;
    (void)mark;
    return std::nullopt;
  }

  // Initial margin rate (1 / max leverage) for a position of `abs_size` (>= 0) at `mark`, rounded UP.
  virtual Ratio initial_rate(Quantity abs_size, Price mark) const = 0;

  // The conservative trigger of an account whose only position is `size` (non-zero) and whose equity at
  // `mark` is `equity_at_mark` (balance + size * mark, rounded down). Guarantee: at every mark p strictly
  // on the safe side of the result (long: p > trigger; short: p < trigger) the account is not
  // liquidatable as the clearing house computes it (equity rounded down >= maintenance(size, p)); the
  // model absorbs its own rounding, so the trigger is reached no later than the exact root. nullopt: no
  // representable positive mark makes the account liquidatable (a long whose root is <= 0, a short whose
  // root is beyond Price::max()). Price::max() (long) or Price(0) (short): liquidatable at every mark.
  virtual std::optional<Price> trigger(Quantity size, Price mark, Amount equity_at_mark) const = 0;

  // A model whose requirement is at least `multiple` (> 0) times this one's for every position (rates
  // rounded up), so that its trigger() is the trigger of "equity below multiple x maintenance" (traders'
  // top-up alerts). The clearing house builds it once per distinct multiple and keeps it.
  virtual std::shared_ptr<const MarginModel> scaled(Ratio multiple) const = 0;

  // Initial margin at max leverage for a position of `abs_size` at `mark`, rounded UP: |notional| *
  // initial_rate with the notional rounded up, unless the model states its own exact form
  // (CollateralRatioMargin: notional - floor(notional / ratio)).
  virtual Amount initial_margin_at_max_leverage(Quantity abs_size, Price mark) const;
};

// The largest size at `mark` whose notional, rounded up, is below `tier_floor` (a notional-tiered model's
// lower_tier_size): nullopt when the floor is 0 (the first tier), at most `abs_size`. mark > 0.
std::optional<Quantity> size_below_notional(Amount tier_floor, Price mark, Quantity abs_size);

// A market's margin model, shared and immutable: a value type that can be built from any implementation
// (ProtocolMarket{TieredMaintenanceMargin::flat(...), ...}) and copied with the clearing house.
class MarginModelRef {
 public:
  MarginModelRef(std::shared_ptr<const MarginModel> model);  // NOLINT: implicit by design
  template <class Model>
  requires std::derived_from<Model, MarginModel> MarginModelRef(Model model)  // NOLINT: implicit by design
      : model_(std::make_shared<const Model>(std::move(model))) {}

  const MarginModel& operator*() const { return *model_; }
  const MarginModel* operator->() const { return model_.get(); }
  const MarginModel* get() const { return model_.get(); }

 private:
  std::shared_ptr<const MarginModel> model_;
};

// Initial margin |notional| * imr in Amount, rounded UP.
Amount initial_margin(Amount notional, Ratio imr);

// The root of one linear piece of a margin schedule, by Binance's liquidation price formula with a
// single (MMR, cum):
//   LP = (WB' + cum - s * EP) / (|s| * MMR - s),   s = signed size, WB' = WB - TMM1 + UPNL1
// i.e. long (s = Q): (Q*EP - WB' - cum) / (Q*(1 - MMR)); short (s = -Q): (Q*EP + WB' + cum) / (Q*(1 + MMR)).
// It is the root of margin balance WB' + s*(p - EP) = maintenance margin |s|*p*MMR - cum.
// `adjusted_wallet_balance` is WB' (cross: wallet minus other positions' MM plus their uPnL; isolated:
// the isolated wallet balance). Price, computed exactly then rounded UP for a long (liquidated when
// mark <= LP, so it triggers no later than the exact root) and DOWN for a short (liquidated when
// mark >= LP). Result range: nullopt when no representable positive price triggers (a long whose root
// is <= 0, a short whose root exceeds Price::max(), or size 0); Price(0) for a short that is
// liquidatable at every price; Price::max() for a long that is liquidatable at every representable
// price. Requires 0 <= mmr < 1. Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures
// Contracts" (https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93).
std::optional<Price> liquidation_price(Quantity size, Price entry, Amount adjusted_wallet_balance, Ratio mmr,
                                       Amount cum);

// A maintenance rate as an exact fraction num / den (0 <= num < den): rates such as Hyperliquid's
// 1 / (2 * max_leverage) or dYdX's IMF * maintenance fraction in ppm are not multiples of 1e-9.
struct ExactRate {
  int64_t num = 0;
  int64_t den = 1;
};

// The same root with an exact rate and a deduction (Binance's cum, Hyperliquid's maintenance deduction),
// written as Hyperliquid documents it (trading/liquidations):
//   liq_price = price - side * margin_available / |size| / (1 - rate * side),
//   margin_available = value - (|size| * price * rate - deduction),
// where `value` is the account value (equity) at `price`. Exact, then rounded UP for a long and DOWN for
// a short; result range as liquidation_price above. When an intermediate product does not fit in 128 bits
// (notionals near the limits of Amount) the result is the conservative end: Price::max() for a long,
// Price(0) for a short. size != 0.
std::optional<Price> exact_rate_liquidation_price(Quantity size, Price price, Amount value, ExactRate rate,
                                                  Amount deduction);

// The sign of value + size * (p - price) - (x * rate - deduction), the account's equity minus the
// requirement of that linear piece at the mark p where the absolute notional |size| * p is x: -1, 0 or 1;
// nullopt when an intermediate product overflows. Used to select the tier that holds the root.
std::optional<int> exact_rate_surplus_sign(Quantity size, Price price, Amount value, Amount x, ExactRate rate,
                                           Amount deduction);

// Bankruptcy price, where margin balance is 0: EP - WB / s. Rounded UP for a long and DOWN for a short
// (reached no later than the exact value), clamped to [0, Price::max()]: a fully collateralised long
// has bankruptcy price 0. size != 0.
Price bankruptcy_price(Quantity size, Price entry, Amount wallet_balance);

}  // namespace liqsim
