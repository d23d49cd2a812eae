#include "protocol/portfolio_margin.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace liqsim {
namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// A Ratio of one BTC in satoshis (0.15 -> 15,000,000): exact for the published parameters.
Quantity btc_fraction(Ratio r) { return Quantity(mul_div(kQuantityScale, r.raw(), kRatioScale, Round::Up)); }

double vega_power_term(double days_to_expiry, const PmVolShockParams& params) {
  LIQSIM_CHECK(days_to_expiry > 0.0, "a volatility shock needs a positive time to expiry");
  const double power =
      days_to_expiry < params.threshold_days ? params.power_short_dated : params.power_long_dated;
  return std::pow(30.0 / days_to_expiry, power);
}

double shocked_vol(const PmOptionLeg& leg, VolShock shock, const PmVolShockParams& params) {
  switch (shock) {
    case VolShock::Up:
      return pm_vol_shock_up(leg.implied_vol, leg.days_to_expiry, params);
    case VolShock::Down:
      return pm_vol_shock_down(leg.implied_vol, leg.days_to_expiry, params);
    case VolShock::Unchanged:
      break;
  }
  return leg.implied_vol;
}

constexpr double kDaysPerYear = 365.0;

}  // namespace

double black76_price(OptionType type, double forward, double strike, double volatility, double years,
                     double rate) {
  LIQSIM_CHECK(forward > 0.0 && strike > 0.0, "Black-76 needs positive forward and strike");
  const double discount = std::exp(-rate * std::max(years, 0.0));
  if (years <= 0.0 || volatility <= 0.0) {
    const double intrinsic = type == OptionType::Call ? forward - strike : strike - forward;
    return discount * std::max(intrinsic, 0.0);
  }
  const double deviation = volatility * std::sqrt(years);
  const double d1 = (std::log(forward / strike) + 0.5 * deviation * deviation) / deviation;
  const double d2 = d1 - deviation;
  if (type == OptionType::Call) return discount * (forward * normal_cdf(d1) - strike * normal_cdf(d2));
  return discount * (strike * normal_cdf(-d2) - forward * normal_cdf(-d1));
}

OptionMargin deribit_short_option_margin(OptionType type, Price strike, Price underlying_mark,
                                         Quantity option_mark, const DeribitOptionMarginParams& params) {
  LIQSIM_CHECK(underlying_mark > Price(0), "option margin needs a positive underlying mark");
  const Price otm = type == OptionType::Call ? std::max(strike - underlying_mark, Price(0))
                                             : std::max(underlying_mark - strike, Price(0));
  // OTM / U in BTC per BTC, rounded down so the initial margin rounds up.
  const Quantity otm_fraction(mul_div(otm.raw(), kQuantityScale, underlying_mark.raw(), Round::Down));
  const Quantity initial_part =
      std::max(btc_fraction(params.initial_base) - otm_fraction, btc_fraction(params.initial_floor));
  const Quantity maintenance_base = btc_fraction(params.maintenance_base);
  if (type == OptionType::Call)
    return OptionMargin{initial_part + option_mark, maintenance_base + option_mark};
  const Quantity maintenance =
      std::max(maintenance_base, apply(option_mark, params.maintenance_base, Round::Up)) + option_mark;
  return OptionMargin{std::max(initial_part + option_mark, maintenance), maintenance};
}

double pm_vol_shock_up(double implied_vol, double days_to_expiry, const PmVolShockParams& params) {
  return std::max(implied_vol * (1.0 + params.range_up * vega_power_term(days_to_expiry, params)),
                  params.min_vol_for_shock_up);
}

double pm_vol_shock_down(double implied_vol, double days_to_expiry, const PmVolShockParams& params) {
  return implied_vol * (1.0 - params.range_down * vega_power_term(days_to_expiry, params));
}

std::vector<double> pm_price_moves(double max_move, int buckets) {
  LIQSIM_CHECK(buckets >= 2, "a price grid needs at least two buckets");
  std::vector<double> moves(static_cast<size_t>(buckets));
  for (int i = 0; i < buckets; ++i)
    moves[static_cast<size_t>(i)] = max_move * (2.0 * i / (buckets - 1) - 1.0);
  return moves;
}

double pm_scenario_pnl(const PmPortfolio& portfolio, double underlying, double price_move, VolShock vol_shock,
                       const PmVolShockParams& params) {
  const double shocked = underlying * (1.0 + price_move);
  double pnl = portfolio.futures_quantity * (shocked - underlying);
  for (const PmOptionLeg& leg : portfolio.options) {
    const double years = leg.days_to_expiry / kDaysPerYear;
    const double now = black76_price(leg.type, underlying, leg.strike, leg.implied_vol, years);
    const double then =
        black76_price(leg.type, shocked, leg.strike, shocked_vol(leg, vol_shock, params), years);
    pnl += leg.quantity * (then - now);
  }
  return pnl;
}

std::vector<std::array<double, 3>> pm_scenario_grid(const PmPortfolio& portfolio, double underlying,
                                                    std::span<const double> price_moves,
                                                    const PmVolShockParams& params) {
  std::vector<std::array<double, 3>> grid(price_moves.size());
  for (size_t row = 0; row < price_moves.size(); ++row)
    for (size_t column = 0; column < kVolShocks.size(); ++column)
      grid[row][column] =
          pm_scenario_pnl(portfolio, underlying, price_moves[row], kVolShocks[column], params);
  return grid;
}

double pm_worst_scenario_loss(std::span<const std::array<double, 3>> grid) {
  double worst = 0.0;
  for (const std::array<double, 3>& row : grid)
    for (double pnl : row) worst = std::max(worst, -pnl);
  return worst;
}

Amount span_scan_risk(std::span<const SpanPosition> positions) {
  Amount worst(0);
  for (int scenario = 0; scenario < kSpanScenarios; ++scenario) {
    Amount pnl(0);
    for (const SpanPosition& position : positions) pnl += position.risk_array[scenario] * position.lots;
    worst = std::max(worst, -pnl);
  }
  return worst;
}

Amount span_extreme_scenario_pnl(Amount extreme_move_pnl, Ratio covered_fraction) {
  return apply(extreme_move_pnl, covered_fraction, Round::Down);
}

SpanRiskArray span_future_risk_array(Amount price_scan_range, int64_t extreme_multiple,
                                     Ratio covered_fraction) {
  LIQSIM_CHECK(price_scan_range >= Amount(0), "the price scan range cannot be negative");
  LIQSIM_CHECK(extreme_multiple > 0, "the extreme move multiple must be positive");
  SpanRiskArray array{};
  // Scenarios 3-14 in pairs (vol up, vol down): +1/3, -1/3, +2/3, -2/3, +3/3, -3/3 of the range.
  for (int step = 1; step <= 3; ++step) {
    const Amount up(mul_div(price_scan_range.raw(), step, 3, Round::Down));
    const Amount down(mul_div(-price_scan_range.raw(), step, 3, Round::Down));
    const int first = 2 + 4 * (step - 1);
    array[first] = array[first + 1] = up;
    array[first + 2] = array[first + 3] = down;
  }
  array[14] = span_extreme_scenario_pnl(price_scan_range * extreme_multiple, covered_fraction);
  array[15] = span_extreme_scenario_pnl(-price_scan_range * extreme_multiple, covered_fraction);
  return array;
}

}  // namespace liqsim
