#include "protocol/tiered_margin.h"

#include <algorithm>
#include <limits>

#include "core/check.h"

namespace liqsim {
namespace {

using Wide = __int128;

// Margin balance minus maintenance margin at absolute notional x, for bracket (mmr, cum), exact in
// units of 1e-15 $ (Amount raw * Ratio raw):
//   WB' - s*EP + sign(s)*x - (x*MMR - cum).
Wide surplus_at_notional(Quantity size, Price entry, Amount wallet, Amount x, Ratio mmr, Amount cum) {
  const Wide sign = size.raw() > 0 ? 1 : -1;
  const Wide entry_value = Wide(size.raw()) * entry.raw() * 10;  // 1e-14 $ -> 1e-15 $
  return Wide(wallet.raw()) * kRatioScale - entry_value + sign * Wide(x.raw()) * kRatioScale -
         (Wide(x.raw()) * mmr.raw() - Wide(cum.raw()) * kRatioScale);
}

}  // namespace

std::optional<std::string> TieredMaintenanceMargin::validate(std::span<const MarginBracketSpec> specs) {
  std::string problems;
  auto add = [&problems](size_t k, const std::string& what) {
    if (!problems.empty()) problems += "; ";
    problems += "bracket " + std::to_string(k + 1) + ": " + what;
  };
  if (specs.empty()) return std::string("margin table has no brackets");
  const Ratio one(kRatioScale);
  for (size_t k = 0; k < specs.size(); ++k) {
    const MarginBracketSpec& b = specs[k];
    const Ratio imr = b.initial_rate.value_or(std::min(b.maintenance_rate * 2, one));
    if (k == 0 && b.notional_floor != Amount(0)) add(k, "first notional floor must be 0");
    if (b.notional_cap <= b.notional_floor) add(k, "notional cap must exceed its floor");
    if (k > 0 && b.notional_floor != specs[k - 1].notional_cap)
      add(k, "notional floor must equal the previous bracket's cap");
    if (b.maintenance_rate < Ratio(0) || b.maintenance_rate >= one)
      add(k, "maintenance rate must be in [0, 1)");
    if (imr < b.maintenance_rate || imr > one) add(k, "initial rate must be in [maintenance rate, 1]");
    if (k > 0) {
      const MarginBracketSpec& prev = specs[k - 1];
      const Ratio prev_imr = prev.initial_rate.value_or(std::min(prev.maintenance_rate * 2, one));
      if (b.maintenance_rate < prev.maintenance_rate) add(k, "maintenance rate decreases");
      if (imr < prev_imr) add(k, "initial rate decreases");
    }
  }
  if (problems.empty()) return std::nullopt;
  return problems;
}

TieredMaintenanceMargin::TieredMaintenanceMargin(std::span<const MarginBracketSpec> specs) {
  const std::optional<std::string> problems = validate(specs);
  LIQSIM_CHECK(!problems.has_value(), "invalid margin table (call TieredMaintenanceMargin::validate first)");
  const Ratio one(kRatioScale);
  brackets_.reserve(specs.size());
  for (size_t k = 0; k < specs.size(); ++k) {
    const MarginBracketSpec& b = specs[k];
    const Amount cum = k == 0
                           ? Amount(0)
                           : next_maintenance_amount(brackets_.back().maintenance_amount, b.notional_floor,
                                                     brackets_.back().maintenance_rate, b.maintenance_rate);
    brackets_.push_back(MarginBracket{b.notional_floor, b.notional_cap, b.maintenance_rate, cum,
                                      b.initial_rate.value_or(std::min(b.maintenance_rate * 2, one))});
  }
}

TieredMaintenanceMargin TieredMaintenanceMargin::flat(Ratio maintenance_rate,
                                                      std::optional<Ratio> initial_rate) {
  const MarginBracketSpec spec{Amount(0), Amount::max(), maintenance_rate, initial_rate};
  return TieredMaintenanceMargin(std::span<const MarginBracketSpec>(&spec, 1));
}

const MarginBracket& TieredMaintenanceMargin::bracket_for(Amount abs_notional) const {
  LIQSIM_CHECK(abs_notional >= Amount(0), "bracket_for needs an absolute notional");
  // Last bracket whose floor is <= the notional; floors are strictly increasing and start at 0.
  auto it = std::upper_bound(brackets_.begin(), brackets_.end(), abs_notional,
                             [](Amount n, const MarginBracket& b) { return n < b.notional_floor; });
  return *(it - 1);
}

Amount TieredMaintenanceMargin::maintenance_margin(Amount abs_notional) const {
  const MarginBracket& b = bracket_for(abs_notional);
  // cum is a whole Amount, so ceil(n*MMR) - cum == ceil(n*MMR - cum).
  return apply(abs_notional, b.maintenance_rate, Round::Up) - b.maintenance_amount;
}

Ratio TieredMaintenanceMargin::max_rate() const { return brackets_.back().maintenance_rate; }

Ratio TieredMaintenanceMargin::rate_at_max_leverage() const { return brackets_.front().maintenance_rate; }

Amount TieredMaintenanceMargin::maintenance(Quantity size, Price mark) const {
  return maintenance_for_position(size, mark, *this);
}

std::optional<Price> TieredMaintenanceMargin::trigger(Quantity size, Price mark,
                                                      Amount equity_at_mark) const {
  return liquidation_price(size, mark, equity_at_mark - kRoundingAllowance, *this);
}

std::shared_ptr<const MarginModel> TieredMaintenanceMargin::scaled(Ratio multiple) const {
  std::vector<MarginBracketSpec> specs;
  specs.reserve(brackets_.size());
  for (const MarginBracket& b : brackets_) {
    MarginBracketSpec spec;
    spec.notional_floor = b.notional_floor;
    spec.notional_cap = b.notional_cap;
    // Rounded up: the alert fires no later than at exactly multiple x MM. A scaled rate reaching 1
    // is capped just below it (such an alert fires at once for any leveraged position anyway).
    const Ratio scaled_rate = apply(b.maintenance_rate, multiple, Round::Up);
    spec.maintenance_rate = std::min(scaled_rate, Ratio(kRatioScale - 1));
    spec.initial_rate = std::max(spec.maintenance_rate, b.initial_rate);
    specs.push_back(spec);
  }
  // Rates stay non-decreasing after capping, since scaling and capping are monotone.
  return std::make_shared<const TieredMaintenanceMargin>(specs);
}

Amount next_maintenance_amount(Amount previous_cum, Amount floor, Ratio previous_rate, Ratio rate) {
  return previous_cum + apply(floor, rate - previous_rate, Round::Down);
}

Amount maintenance_for_position(Quantity size, Price mark, const TieredMaintenanceMargin& table) {
  const Quantity abs_size = size < Quantity(0) ? -size : size;
  return table.maintenance_margin(notional(mark, abs_size, Round::Up));
}

std::optional<Price> liquidation_price(Quantity size, Price entry, Amount adjusted_wallet_balance,
                                       const TieredMaintenanceMargin& table) {
  if (size.raw() == 0) return std::nullopt;
  const bool is_long = size.raw() > 0;
  // Margin balance minus MM is increasing in notional for a long (slope 1 - MMR > 0) and decreasing for
  // a short, so the root is in the last bracket whose floor is on the safe side (long: surplus <= 0 at
  // the floor, i.e. the floor is at or below the root; short: surplus >= 0).
  const std::span<const MarginBracket> brackets = table.brackets();
  size_t chosen = 0;
  for (size_t k = 0; k < brackets.size(); ++k) {
    const MarginBracket& b = brackets[k];
    const Wide surplus = surplus_at_notional(size, entry, adjusted_wallet_balance, b.notional_floor,
                                             b.maintenance_rate, b.maintenance_amount);
    if (is_long ? surplus <= 0 : surplus >= 0)
      chosen = k;
    else
      break;
  }
  const MarginBracket& b = brackets[chosen];
  return liquidation_price(size, entry, adjusted_wallet_balance, b.maintenance_rate, b.maintenance_amount);
}

std::optional<Price> isolated_liquidation_price(Quantity size, Price entry, Amount wallet_balance,
                                                const TieredMaintenanceMargin& table) {
  return liquidation_price(size, entry, wallet_balance, table);
}

}  // namespace liqsim
