// BitMEX risk limits: the maintenance and initial margin rates of the WHOLE position rise by the base
// maintenance rate at each risk step the position reaches, with no deduction, so the requirement jumps at
// every step boundary (Binance's and Bybit's brackets are continuous by their maintenance amount). The
// margin model `bitmex_risk_limit` (protocol/margin_model.h).
//
// Source: bitmex.com/app/riskLimitsExamples, "XBTUSD Risk Limit Calculation and Trade Example": "At each
// step, the maintenance and initial margin are raised by the base maintenance margin ... the new
// maintenance margin becomes 0.50% + (# of Steps * 0.50%) and the new initial margin becomes 1.00% + (#
// of Steps * 0.50%)", with the table < 200 XBT: 0.50% / 1.00%, < 350 XBT: 1.00% / 1.50%, < 500 XBT:
// 1.50% / 2.00%, < 650 XBT: 2.00% / 2.50% (base risk limit 200 XBT, step 150 XBT since 31 August 2021),
// and a position of 180 XBT needing 0.90 XBT of maintenance margin. A liquidated position above the
// base limit is stepped down a risk limit at a time (bitmex.com/app/liquidation; the `bitmex` engine
// sequence, MarginModel::lower_tier_size).
//
// Units: BitMEX states its limits as the position's value in XBT; liqsim's contracts are linear (USD
// settled), so the limits are in coins of the position's asset (a position of 230 BTC is one step above
// a 200 BTC base limit at any price). The step therefore changes only when the position's size does,
// never with the mark (an inverse XBTUSD position's XBT value also moves with the price: not modelled).
// BitMEX lets the user choose the risk limit (orders beyond it are refused); here every position is at
// the lowest risk limit that holds it, as in the trade example, and open orders do not count.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/units.h"
#include "protocol/margin_model.h"

namespace liqsim {

struct BitmexRiskLimits {
  Quantity base_risk_limit;  // > 0: positions below it pay the base rates
  Quantity risk_step;        // > 0: each further step of this size adds one base maintenance rate
  Ratio base_maintenance;    // (0, 1)
  Ratio base_initial;        // [base_maintenance, 1]
  int64_t max_steps = 0;     // >= 0: the highest risk limit is base + max_steps x step; larger positions
                             // pay that step's rates
};

class BitmexRiskLimitMargin final : public MarginModel {
 public:
  // The problem with the limits, or nullopt: positive sizes, 0 < base maintenance <= base initial, and
  // at max_steps a maintenance rate below 1 and an initial rate at most 1.
  static std::optional<std::string> validate(const BitmexRiskLimits& limits);
  // The limits must pass validate(): invalid ones here are a bug in the caller and abort.
  explicit BitmexRiskLimitMargin(const BitmexRiskLimits& limits);

  // Risk steps above the base limit of a position of `abs_size`: 0 below the base limit, then
  // floor((abs_size - base) / step) + 1, at most max_steps.
  int64_t steps(Quantity abs_size) const;
  // base_maintenance x (1 + steps) and base_initial + steps x base_maintenance (exact).
  Ratio maintenance_rate(Quantity abs_size) const;
  Ratio initial_rate_of(Quantity abs_size) const;

  // MarginModel. maintenance: ceil(ceil(|S * P|) x maintenance_rate(|S|)).
  Amount maintenance(Quantity size, Price mark) const override;
  // The rate at max_steps.
  Ratio max_maintenance_rate() const override;
  // The base maintenance rate.
  Ratio min_maintenance_rate() const override;
  Ratio initial_rate(Quantity abs_size, Price mark) const override;
  // The largest size below the position's risk limit step: base + (steps - 1) x step less one unit.
  std::optional<Quantity> lower_tier_size(Quantity abs_size, Price mark) const override;
  // One position's rate is fixed by its size, so its requirement is linear in the mark: the root of
  // equity = |S| x p x rate (exact_rate_liquidation_price, no deduction) for an equity
  // kRoundingAllowance below the equity at the mark.
  std::optional<Price> trigger(Quantity size, Price mark, Amount equity_at_mark) const override;
  // Every rate multiplied by `multiple`: the base maintenance rate x multiple rounded UP (a rate at or
  // above 1 makes every position of that step liquidatable at once).
  std::shared_ptr<const MarginModel> scaled(Ratio multiple) const override;

  // Equity floors its notional (< 1 unit) and the requirement ceils the notional and the product
  // (< 2 units).
  static constexpr Amount kRoundingAllowance{5};

 private:
  struct Unchecked {};
  BitmexRiskLimitMargin(const BitmexRiskLimits& limits, Unchecked) : limits_(limits) {}

  BitmexRiskLimits limits_;
};

}  // namespace liqsim
