// dYdX v4's margin: each market's maintenance margin fraction is a fixed fraction of its liquidity tier's
// initial margin fraction, the same for every position size. The margin model `dydx_v4`
// (protocol/margin_model.h).
//
// Sources: dYdX Chain documentation, "Margin" (docs.dydx.exchange/concepts-trading/margin): "Maintenance
// Margin Requirement = abs(S x P x M)" with S the position size, P the oracle price and M the market's
// maintenance margin fraction, "the MMF remains constant across all position sizes", and the account's
// requirement is the sum over its markets; and dydxprotocol/v4-chain protocol/x/perpetuals/types/
// liquidity_tier.go, whose LiquidityTier holds initial_margin_ppm and maintenance_fraction_ppm ("the
// fraction of the initial-margin that the maintenance-margin is"), and lib/margin/risk.go IsLiquidatable
// (total net collateral < total maintenance requirement), summarised in reference/protocols.md 2.1
// (testing genesis: Large-Cap IMF 2% with maintenance fraction 60%, MMF 1.2%). The open-interest scaling
// of the IMF (vector #33) changes only the initial margin, with the market's open interest, and is not
// modelled: initial_rate() is the base IMF.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/units.h"
#include "protocol/margin_model.h"

namespace liqsim {

// A liquidity tier's margin fields, in parts per million as the chain stores them.
struct DydxLiquidityTier {
  int64_t initial_margin_ppm = 0;        // base IMF, (0, 1e6]
  int64_t maintenance_fraction_ppm = 0;  // MMF / IMF, (0, 1e6]
};

class DydxMargin final : public MarginModel {
 public:
  static constexpr int64_t kPpm = 1'000'000;

  // The problem with the tier, or nullopt: both fields in (0, 1e6] and MMF = IMF * fraction below 1.
  static std::optional<std::string> validate(const DydxLiquidityTier& tier);
  // The tier must pass validate(): an invalid one here is a bug in the caller and aborts.
  explicit DydxMargin(const DydxLiquidityTier& tier);

  // MMF = initial_margin_ppm * maintenance_fraction_ppm / 1e12, exactly (reduced).
  ExactRate maintenance_fraction() const { return rate_; }

  // MarginModel. maintenance: ceil(ceil(|S * P|) * MMF), the notional rounded UP.
  Amount maintenance(Quantity size, Price mark) const override;
  Ratio max_maintenance_rate() const override;
  // MMF rounded DOWN: one rate for every position size.
  Ratio min_maintenance_rate() const override;
  // The base IMF (exact: ppm are whole multiples of 1e-9).
  Ratio initial_rate(Quantity abs_size, Price mark) const override;
  // The root of TNC = TMMR for one position (exact_rate_liquidation_price with no deduction) for an
  // equity kRoundingAllowance below the equity at the mark.
  std::optional<Price> trigger(Quantity size, Price mark, Amount equity_at_mark) const override;
  // MMF * multiple, rounded UP to a multiple of 1e-12.
  std::shared_ptr<const MarginModel> scaled(Ratio multiple) const override;

  // Equity floors its notional (< 1 unit) and the requirement ceils the notional and the product
  // (< 2 units): 5 units cover the rounded test equity < MM with room to spare.
  static constexpr Amount kRoundingAllowance{5};

 private:
  DydxMargin(const DydxLiquidityTier& tier, ExactRate rate);

  DydxLiquidityTier tier_;
  ExactRate rate_;
};

}  // namespace liqsim
