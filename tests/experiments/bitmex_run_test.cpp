// The bitmex preset in whole runs: BitMEX's risk limits (protocol/bitmex_margin.h; the XBTUSD table of
// bitmex.com/app/riskLimitsExamples) with the `bitmex` engine sequence (bitmex.com/app/liquidation): a
// liquidated position above the base risk limit is stepped down one limit at a time, then the engine takes
// the rest over; a whale's higher margin makes it liquidatable earlier than under a flat 0.5% rate.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

Scenario bitmex_preset(const std::vector<ScenarioOverride>& overrides = {}) {
  ScenarioResult r = load_preset("bitmex", overrides);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

// Each account's liquidations in order.
std::map<uint32_t, std::vector<LiquidationRecord>> by_account(const RunResult& r) {
  std::map<uint32_t, std::vector<LiquidationRecord>> out;
  for (const LiquidationRecord& l : r.log.liquidations) out[l.account].push_back(l);
  return out;
}

// Risk limits of the preset: 200 coins base, 150 coins a step.
int64_t steps(Quantity abs_size) {
  const Quantity base = quantity_from_double(200), step = quantity_from_double(150);
  return abs_size < base ? 0 : (abs_size - base).raw() / step.raw() + 1;
}

// Each liquidated position above the base limit went down one risk limit per step, then was taken over.
void expect_stepped_down_one_limit_at_a_time(const RunResult& r) {
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  int stepped = 0, two_steps = 0;
  for (const auto& [account, records] : by_account(r)) {
    Quantity left;  // the position before the first liquidation, rebuilt from what was removed
    for (const LiquidationRecord& l : records) left = left + abs_quantity(l.quantity);
    if (steps(left) == 0) {
      EXPECT_EQ(records.size(), 1u) << account;  // below the base limit: one take-over
      continue;
    }
    ++stepped;
    two_steps += steps(left) >= 2;
    ASSERT_EQ(records.size(), size_t(steps(left)) + 1) << account;
    for (size_t i = 0; i + 1 < records.size(); ++i) {
      // Each step keeps the largest size below the position's limit: base + (k - 1) x step - 1 unit.
      const int64_t k = steps(left);
      left = left - abs_quantity(records[i].quantity);
      EXPECT_EQ(left, quantity_from_double(200 + 150 * double(k - 1)) - Quantity(1))
          << account << " step " << i;
      EXPECT_EQ(steps(left), k - 1);
      EXPECT_LE(records[i].time, records[i + 1].time);
    }
    EXPECT_EQ(steps(left), 0);  // the take-over in the base limit
  }
  EXPECT_GE(stepped, 2);
  EXPECT_GE(two_steps, 1);
}

// The preset's day: whales stepped down a risk limit at a time. The counterfactual: the same day with a
// flat 0.5% / 1% (one binance_tiered bracket). Every account the risk limits stepped down was liquidated
// no later under them, and at least one strictly earlier (its requirement was 1% or 1.5% of the
// position, not 0.5%).
TEST(BitmexRun, WhalesAreSteppedDownAndLiquidatedEarlierThanAtAFlatRate) {
  if (testing_support::kSanitizedBuild) GTEST_SKIP() << "whole-day runs: release build only";
  const Scenario limits = bitmex_preset();
  Scenario flat = limits;
  flat.markets[0].margin.model = "binance_tiered";
  flat.markets[0].margin.get<BinanceTieredMarginSpec>().brackets = {{0, 1e9, 0.005, 0.01}};
  const RunResult preset_day = run_simulation(limits, "", {});
  expect_stepped_down_one_limit_at_a_time(preset_day);
  const auto with_limits = by_account(preset_day);
  const auto with_flat = by_account(run_simulation(flat, "", {}));
  int earlier = 0;
  for (const auto& [account, records] : with_limits) {
    if (records.size() < 2) continue;
    const auto other = with_flat.find(account);
    if (other == with_flat.end()) {
      ++earlier;  // never liquidated at the flat rate
      continue;
    }
    EXPECT_LE(records.front().time, other->second.front().time) << account;
    earlier += records.front().time < other->second.front().time;
  }
  EXPECT_GE(earlier, 1);
}

// Money is conserved after every event on a smaller day of the preset (risk-limit margin, fair-price mark,
// BitMEX's sequence).
TEST(BitmexRun, ConservedAfterEveryEvent) {
  RunOptions options;
  options.check_every_event = true;
  const RunResult r =
      run_simulation(bitmex_preset({{"traders.count", "400"}, {"duration_seconds", "28800"}}), "", options);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  EXPECT_GT(r.log.liquidations.size(), 0u);
}

}  // namespace
}  // namespace liqsim
