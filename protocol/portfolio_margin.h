// Option and portfolio margin: the Black-76 price, Deribit's standard margin for short options,
// a Deribit-style portfolio-margin scenario grid (underlying moves x volatility shocks, worst loss) and
// CME SPAN's scan risk over 16-scenario risk arrays.
//
// Sources: Black (1976), "The pricing of commodity contracts", J. Financial Economics 3; Deribit
// standard option margin as reproduced at doc.tslab.pro "Deribit Margin Requirements Calculation"
// (Aevo's standard-margin page copies the scheme); Deribit "Portfolio Margin"
// (support.deribit.com/hc/en-us/articles/25944756247837) for the grid, with the volatility-shock
// parameters published at docs.oreome.com "Advanced Risk Scenarios"; CME SPAN
// (cmegroup.com SPAN overview), the 16-scenario table of the NSE course notes and the worked arrays of
// McMillan, Options as a Strategic Investment, ch. 34. Summarised in reference/protocols.md 4.1-4.3.
//
// Units. Deribit's standard margin is integer: BTC amounts are Quantity (1e-8 BTC, the satoshi) per one
// BTC of options, prices Price, rates Ratio. SPAN risk arrays are the clearing house's integer currency
// amounts (Amount) per contract, positions whole lots. Black-76 and the scenario grid are continuous
// risk models and use double (USD, years, annualised volatility), as the venues' risk engines do.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/units.h"

namespace liqsim {

enum class OptionType { Call, Put };

// Black-76 price of a European option on a forward: e^{-rT} (F N(d1) - K N(d2)) for a call,
// e^{-rT} (K N(-d2) - F N(-d1)) for a put, d1 = (ln(F/K) + sigma^2 T / 2) / (sigma sqrt(T)),
// d2 = d1 - sigma sqrt(T). With T <= 0 or sigma <= 0 the discounted intrinsic value. F, K > 0.
double black76_price(OptionType type, double forward, double strike, double volatility, double years,
                     double rate = 0.0);

// --- Deribit standard margin (inverse, BTC-settled options) ---

struct DeribitOptionMarginParams {
  Ratio initial_base{150'000'000};     // 0.15 BTC less the out-of-the-money fraction
  Ratio initial_floor{100'000'000};    // at least 0.10 BTC
  Ratio maintenance_base{75'000'000};  // 0.075 BTC
};

struct OptionMargin {
  Quantity initial;
  Quantity maintenance;
};

// Margin of a short option per one BTC of options, option_mark being the option's mark in BTC:
//   call: IM = max(0.15 - OTM / U, 0.10) + mark, MM = 0.075 + mark;
//   put:  MM = max(0.075, 0.075 mark) + mark, IM = max(max(0.15 - OTM / U, 0.10) + mark, MM);
// OTM = max(0, K - U) for a call and max(0, U - K) for a put, U the underlying mark. OTM / U is rounded
// down and 0.075 mark up, so both margins round up (against the account). Long options need only
// their premium. Multiply by the position size in BTC. underlying_mark > 0.
OptionMargin deribit_short_option_margin(OptionType type, Price strike, Price underlying_mark,
                                         Quantity option_mark, const DeribitOptionMarginParams& params = {});

// --- Deribit-style portfolio margin scenario grid ---

struct PmVolShockParams {
  double range_up = 0.5;
  double range_down = 0.25;
  double min_vol_for_shock_up = 0.5;
  double power_short_dated = 0.3;  // expiries under threshold_days
  double power_long_dated = 0.13;
  double threshold_days = 30.0;
};

// Shocked implied volatilities: up = max(iv (1 + range_up (30/dte)^p), min_vol_for_shock_up),
// down = iv (1 - range_down (30/dte)^p), p the power for the expiry's bucket. days_to_expiry > 0.
double pm_vol_shock_up(double implied_vol, double days_to_expiry, const PmVolShockParams& params = {});
double pm_vol_shock_down(double implied_vol, double days_to_expiry, const PmVolShockParams& params = {});

// `buckets` evenly spaced relative moves from -max_move to +max_move (Deribit: 9 buckets of +-16% for
// BTC). buckets >= 2.
std::vector<double> pm_price_moves(double max_move, int buckets);

struct PmOptionLeg {
  OptionType type = OptionType::Call;
  double strike = 0.0;
  double quantity = 0.0;  // signed, in units of the underlying; short < 0
  double implied_vol = 0.0;
  double days_to_expiry = 0.0;
};

// Linear futures (signed quantity of the underlying) and options on one underlying.
struct PmPortfolio {
  double futures_quantity = 0.0;
  std::vector<PmOptionLeg> options;
};

enum class VolShock { Up, Unchanged, Down };
inline constexpr std::array<VolShock, 3> kVolShocks = {VolShock::Up, VolShock::Unchanged, VolShock::Down};

// Portfolio PnL in USD of one scenario: the underlying moved by `price_move` (relative), each option's
// volatility shocked per `vol_shock`, options revalued with Black-76 at r = 0 and no time decay.
double pm_scenario_pnl(const PmPortfolio& portfolio, double underlying, double price_move, VolShock vol_shock,
                       const PmVolShockParams& params = {});

// The PnL grid: one row per price move, one column per VolShock in kVolShocks order.
std::vector<std::array<double, 3>> pm_scenario_grid(const PmPortfolio& portfolio, double underlying,
                                                    std::span<const double> price_moves,
                                                    const PmVolShockParams& params = {});

// Worst scenario loss of a grid: max(0, -min PnL), the core of the PM requirement (contingencies and the
// extended table are not included).
double pm_worst_scenario_loss(std::span<const std::array<double, 3>> grid);

// --- CME SPAN ---

inline constexpr int kSpanScenarios = 16;
// Profit (positive) or loss of one long contract in each SPAN scenario, in the standard order:
// 1-2 price unchanged (vol up, down); 3-4 up 1/3 of the price scan range; 5-6 down 1/3; 7-8 up 2/3;
// 9-10 down 2/3; 11-12 up 3/3; 13-14 down 3/3; 15 extreme up; 16 extreme down (weighted).
using SpanRiskArray = std::array<Amount, kSpanScenarios>;

struct SpanPosition {
  int64_t lots = 0;  // signed: short < 0
  SpanRiskArray risk_array{};
};

// Scan risk: the largest loss over the 16 scenarios of the sum of lots x risk array, floored at 0.
Amount span_scan_risk(std::span<const SpanPosition> positions);

// The weighted extreme-scenario PnL: the PnL of the extreme move (extreme_multiple x the price scan
// range) times the covered fraction (35% at CME and NSE), rounded down (a loss rounds up in size).
Amount span_extreme_scenario_pnl(Amount extreme_move_pnl, Ratio covered_fraction);

// Risk array of one long futures contract whose value moves one for one with the price: k/3 of the
// price scan range in scenarios 3-14 (either volatility), and +-extreme_multiple x range x covered
// fraction in 15-16. Each entry rounded down (toward -infinity). price_scan_range >= 0,
// extreme_multiple > 0.
SpanRiskArray span_future_risk_array(Amount price_scan_range, int64_t extreme_multiple,
                                     Ratio covered_fraction = Ratio(350'000'000));

}  // namespace liqsim
