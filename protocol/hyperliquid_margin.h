// Hyperliquid's margin: the maintenance margin is half of the initial margin at the maximum leverage of
// the position's margin tier, and the liquidation price is Hyperliquid's documented formula. The margin
// model `hyperliquid` (protocol/margin_model.h).
//
// Sources (Hyperliquid Docs, hyperliquid.gitbook.io/hyperliquid-docs; summarised in
// reference/protocols.md section 2.2, vectors #25-#28):
//   - trading/margin-tiers: "maintenance_margin = notional_position_value * maintenance_margin_rate -
//     maintenance_deduction", "maintenance_margin_rate(tier = n) = (Initial Margin Rate at Maximum
//     leverage at tier n) / 2", "maintenance_deduction(tier = 0) = 0", "maintenance_deduction(tier = n) =
//     maintenance_deduction(tier = n - 1) + notional_position_lower_bound(tier = n) *
//     (maintenance_margin_rate(tier = n) - maintenance_margin_rate(tier = n - 1))"; tables list each tier
//     as (lowerBound, maxLeverage); "For IDs less than 50, there is a single tier with max leverage equal
//     to the ID". Mainnet BTC: 40x up to 150M USDC of notional, 20x above.
//   - trading/liquidations: liquidation when account equity < maintenance margin, at the mark price;
//     "liq_price = price - side * margin_available / position_size / (1 - l * side)" with
//     l = 1 / MAINTENANCE_LEVERAGE, side = 1 for long and -1 for short, margin_available = account value
//     minus maintenance margin required (cross) or isolated margin minus it (isolated).
//
// Exactness: the rate 1 / (2 * max_leverage) is kept as an exact fraction (1/6 at 3x is not a decimal),
// so MM = ceil(notional / (2 * L)) - deduction, with the deduction recursion rounded DOWN at each step
// (MM rounds up, against the account).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/units.h"
#include "protocol/margin_model.h"

namespace liqsim {

// One margin tier as Hyperliquid's margin tables list it: from `lower_bound` of absolute position
// notional (quote money) up, leverage is at most `max_leverage`.
struct HyperliquidMarginTier {
  Amount lower_bound;
  int64_t max_leverage = 1;
};

class HyperliquidMargin final : public MarginModel {
 public:
  static constexpr int64_t kMaxLeverage = 100;

  // Every problem with the table, joined by "; ", or nullopt when it is usable. Checks: at least one
  // tier; the first lower bound is 0; lower bounds strictly increase; max leverage in [1, kMaxLeverage]
  // and non-increasing from tier to tier (so maintenance rates never decrease).
  static std::optional<std::string> validate(std::span<const HyperliquidMarginTier> tiers);

  // The tiers must pass validate(): an invalid table here is a bug in the caller and aborts.
  explicit HyperliquidMargin(std::span<const HyperliquidMarginTier> tiers);
  // One tier at `max_leverage` (Hyperliquid's margin table ids below 50).
  static HyperliquidMargin single_tier(int64_t max_leverage);

  size_t tier_count() const { return tiers_.size(); }
  // The tier n with lower_bound_n <= abs_notional < lower_bound_{n+1}.
  size_t tier_for(Amount abs_notional) const;
  int64_t max_leverage(size_t tier) const { return tiers_[tier].max_leverage; }
  // maintenance_deduction(tier), rounded DOWN at each step of the recursion.
  Amount maintenance_deduction(size_t tier) const { return tiers_[tier].deduction; }
  // MM = ceil(abs_notional * rate_n) - deduction_n for the tier n containing the notional; rate_n is
  // 1 / (2 * max_leverage_n) (times the multiple of a scaled model). abs_notional >= 0.
  Amount maintenance_margin(Amount abs_notional) const;

  // Hyperliquid's liquidation price of an account whose only position is `size` at `price` with
  // account value (isolated margin, or cross equity) `account_value` at that price:
  //   liq_price = price - side * margin_available / |size| / (1 - l * side),
  //   margin_available = account_value - (|size| * price * l - deduction),
  // with l and the deduction of the tier that contains the notional AT the liquidation price (selected
  // exactly, as TieredMaintenanceMargin selects its bracket). Exact, then rounded UP for a long and DOWN
  // for a short; result range as MarginModel::trigger (nullopt, or the saturated ends). size != 0.
  std::optional<Price> liquidation_price(Quantity size, Price price, Amount account_value) const;

  // MarginModel.
  Amount maintenance(Quantity size, Price mark) const override;
  Ratio max_maintenance_rate() const override;
  // The first tier's rate 1 / (2 x max_leverage_0), rounded DOWN (max leverage never increases).
  Ratio min_maintenance_rate() const override;
  // 1 / max_leverage of the tier containing the notional (rounded up), rounded UP.
  Ratio initial_rate(Quantity abs_size, Price mark) const override;
  // Below the lower bound of the tier containing the notional.
  std::optional<Quantity> lower_tier_size(Quantity abs_size, Price mark) const override {
    return size_below_notional(tiers_[tier_for(notional(mark, abs_size, Round::Up))].lower_bound, mark,
                               abs_size);
  }
  // liquidation_price for an account value kRoundingAllowance below the equity at the mark.
  std::optional<Price> trigger(Quantity size, Price mark, Amount equity_at_mark) const override;
  // The same tiers with every rate multiplied by `multiple` (exactly) and the deductions derived again.
  std::shared_ptr<const MarginModel> scaled(Ratio multiple) const override;

  // Equity floors its notional (< 1 unit), MM ceils the notional and the product (< 2 units) and a tier
  // boundary may add 1 (deductions round down): 5 units cover the rounded test equity < MM.
  static constexpr Amount kRoundingAllowance{5};

 private:
  // rate_n = multiple / (2 * max_leverage_n * 1e9) = rate_num / rate_den, reduced.
  struct Tier {
    Amount lower_bound;
    int64_t max_leverage;
    int64_t rate_num;
    int64_t rate_den;
    Amount deduction;
  };
  HyperliquidMargin(std::span<const HyperliquidMarginTier> tiers, Ratio multiple);

  std::vector<Tier> tiers_;
  Ratio multiple_;  // 1 for the venue's table; the alert multiple of a scaled model
  // Some tier's rate is >= 1 (a scaled model for a large alert multiple): equity below the requirement
  // is then possible at any mark, and triggers fire at once.
  bool saturated_ = false;
};

}  // namespace liqsim
