// Tiered maintenance margin (Binance USDⓈ-M / Bybit leverage brackets) and the liquidation price it
// implies for a one-way position: the margin model `binance_tiered` (protocol/margin_model.h).
//
// Sources: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts"
// (https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93) and the COIN-M leverage
// bracket FAQ (https://www.binance.com/en/support/faq/ceccfcfb4e3a45e3b48b0b1bb1a8ae46), as summarised
// in reference/protocols.md section 1.1. All money is exact fixed point; every function states its
// rounding, which always goes against the account (in the protocol's favour).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/units.h"
#include "protocol/margin_model.h"

namespace liqsim {

// One leverage bracket as configured: the fields of Binance GET /fapi/v1/leverageBracket
// (notionalFloor, notionalCap, maintMarginRatio) plus the initial margin rate at the bracket's maximum
// leverage. The maintenance amount ("cum") is not configured: it is derived so that MM is continuous.
struct MarginBracketSpec {
  Amount notional_floor;
  Amount notional_cap;
  Ratio maintenance_rate;
  // 1 / max leverage of the bracket. Absent: 2 * maintenance_rate (capped at 1), the convention of
  // both Binance's brackets and Hyperliquid (MM = half of IM at max leverage, protocols.md 2.2).
  std::optional<Ratio> initial_rate;
};

// A validated bracket. Notionals are absolute position values in quote money.
struct MarginBracket {
  Amount notional_floor;      // inclusive
  Amount notional_cap;        // exclusive; the last bracket also covers notionals beyond its cap
  Ratio maintenance_rate;     // MMR_k
  Amount maintenance_amount;  // cum_k, Binance's "maintenance amount"
  Ratio initial_rate;         // IMR at the bracket's max leverage
};

// Binance-style tiered maintenance margin: MM = notional * MMR_k - cum_k for the bracket k containing
// the notional, with cum_k = cum_{k-1} + floor_k * (MMR_k - MMR_{k-1}) so MM is continuous.
// Contract: brackets are contiguous from notional 0, rates non-decreasing and MMR < 1 (see validate()).
class TieredMaintenanceMargin final : public MarginModel {
 public:
  // Every problem with the table, joined by "; ", or nullopt when the table is usable. Checks: at
  // least one bracket; first floor is 0; cap > floor; each floor equals the previous cap; 0 <= MMR < 1;
  // MMR <= IMR <= 1; MMR and IMR non-decreasing from bracket to bracket.
  static std::optional<std::string> validate(std::span<const MarginBracketSpec> specs);

  // Builds the table and derives cum_k (each step rounded down, so MM rounds up). The specs must
  // pass validate(): an invalid table here is a bug in the caller and aborts.
  explicit TieredMaintenanceMargin(std::span<const MarginBracketSpec> specs);

  // A single bracket [0, Amount::max()) with the given rates (flat-MMR venues, simple scenarios).
  static TieredMaintenanceMargin flat(Ratio maintenance_rate, std::optional<Ratio> initial_rate = {});

  // MM = abs_notional * MMR_k - cum_k in Amount, rounded UP. abs_notional >= 0.
  Amount maintenance_margin(Amount abs_notional) const;
  // The bracket k with floor_k <= abs_notional < cap_k (the last bracket beyond the last cap).
  const MarginBracket& bracket_for(Amount abs_notional) const;
  std::span<const MarginBracket> brackets() const { return brackets_; }
  // Highest maintenance rate in the table (the last bracket's).
  Ratio max_rate() const;
  // Maintenance rate of the first bracket, i.e. at the symbol's maximum leverage (the base of
  // Binance's funding cap, 0.75 * MMR at max leverage; vector #9).
  Ratio rate_at_max_leverage() const;
  // MarginModel. maintenance: maintenance_for_position. max_maintenance_rate: max_rate(). initial_rate:
  // the IMR of the bracket containing the notional.
  Amount maintenance(Quantity size, Price mark) const override;
  Ratio max_maintenance_rate() const override { return max_rate(); }
  // The first bracket's rate: rates never decrease and cum_k rounds down, so MM >= notional x MMR_1.
  Ratio min_maintenance_rate() const override { return rate_at_max_leverage(); }
  Ratio initial_rate(Quantity abs_size, Price mark) const override {
    return bracket_for(notional(mark, abs_size, Round::Up)).initial_rate;
  }
  std::optional<Quantity> lower_tier_size(Quantity abs_size, Price mark) const override {
    return size_below_notional(bracket_for(notional(mark, abs_size, Round::Up)).notional_floor, mark,
                               abs_size);
  }
  // Binance's liquidation price with bracket reselection (liquidation_price below), computed with the mark
  // as entry and the equity at the mark as WB' (the formula is invariant to the entry used as long as
  // WB' = balance + s * EP), less kRoundingAllowance.
  std::optional<Price> trigger(Quantity size, Price mark, Amount equity_at_mark) const override;
  // Every bracket's rate multiplied by `multiple`, rounded UP (capped just below 1: such an alert fires at
  // once for any leveraged position anyway), the initial rate raised to at least it, and the maintenance
  // amounts derived again: MM of the scaled table >= multiple x MM (the schedule's integral of its rates).
  std::shared_ptr<const MarginModel> scaled(Ratio multiple) const override;

  // The exact root is not quite conservative for the rounded test equity < MM: equity floors its notional
  // (< 1 unit lost) and MM ceils the notional and the product and may take the next bracket (< 4 units),
  // so up to 5 units (micro-dollars) above the root an account can already be liquidatable. trigger()
  // computes the root for a wallet 5 units smaller.
  static constexpr Amount kRoundingAllowance{5};

 private:
  std::vector<MarginBracket> brackets_;
};

// One step of Binance's maintenance-amount recursion: cum_k = cum_{k-1} + floor_k * (MMR_k - MMR_{k-1}),
// in the units of `floor` (quote money for USDⓈ-M, coin for COIN-M). Rounded DOWN (smaller cum, larger
// MM). Source: COIN-M bracket FAQ, vector #5.
Amount next_maintenance_amount(Amount previous_cum, Amount floor, Ratio previous_rate, Ratio rate);

// Maintenance margin of a signed position at a mark price: MM(|size * mark|), the notional rounded UP
// and MM rounded UP.
Amount maintenance_for_position(Quantity size, Price mark, const TieredMaintenanceMargin& table);

// Liquidation price of a one-way position (margin_model.h, liquidation_price with one MMR and cum) with a
// tiered table, using the bracket that contains the notional AT the liquidation price
// (COIN-M FAQ note; vector #6). The bracket is selected exactly: margin balance minus MM is monotone in
// price, so the root lies in the last bracket whose floor is still on the safe side of the root; this is
// the documented "compute LP with each bracket, keep the one whose range contains |LP * Q|" procedure
// without its rounding ambiguity at bracket boundaries. Rounding and result range as above.
std::optional<Price> liquidation_price(Quantity size, Price entry, Amount adjusted_wallet_balance,
                                       const TieredMaintenanceMargin& table);

// Isolated margin: WB is the position's isolated wallet balance, TMM1 = UPNL1 = 0.
std::optional<Price> isolated_liquidation_price(Quantity size, Price entry, Amount wallet_balance,
                                                const TieredMaintenanceMargin& table);

}  // namespace liqsim
