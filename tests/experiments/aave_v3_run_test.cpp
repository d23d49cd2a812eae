// Aave v3 lending in whole runs: the multi-collateral example (examples/aave_v3_multi_collateral.toml:
// WETH, WBTC and a stablecoin in an e-mode category) on a smaller population with money conserved after
// every event, and market makers sized in dollars, which quote the same notional on a $1 stablecoin as
// on BTC.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <variant>

#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"

namespace liqsim {
namespace {

Scenario example(const std::vector<ScenarioOverride>& overrides) {
  const ScenarioResult r = load_scenario_file(
      std::string(LIQSIM_SOURCE_DIR) + "/examples/aave_v3_multi_collateral.toml", overrides);
  const auto* s = std::get_if<Scenario>(&r);
  EXPECT_NE(s, nullptr);
  return s != nullptr ? *s : Scenario{};
}

TEST(AaveV3Run, MultiCollateralBorrowersAreLiquidatedOnEveryReserveWithMoneyConserved) {
  RunOptions options;
  options.check_every_event = true;
  const RunResult r = run_simulation(example({{"traders.count", "400"}}), "", options);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  std::set<uint32_t> markets;
  std::set<uint32_t> emode_liquidated;
  for (const LiquidationRecord& l : r.log.liquidations) {
    markets.insert(l.market);
    const AccountFinal& a = r.log.accounts[l.account];
    // Borrowers only (longs with a debt): keepers seize collateral, nobody else is liquidated.
    EXPECT_EQ(a.role, uint8_t(AgentRole::Trader));
    EXPECT_EQ(l.mechanism, LiquidationMechanismKind::Keeper);
    EXPECT_LT(l.quantity.raw(), 0);  // collateral leaves the account
    if (a.emode == 1) emode_liquidated.insert(l.account);
  }
  EXPECT_EQ(markets.size(), 3u);  // every reserve's collateral was seized somewhere
  size_t emode = 0;
  for (const AccountFinal& a : r.log.accounts) emode += a.emode;
  // 30% of the borrowers opted into e-mode; some of them were liquidated (the stablecoin's depeg).
  EXPECT_NEAR(double(emode) / 400, 0.3, 0.06);
  EXPECT_GT(emode_liquidated.size(), 0u);
  EXPECT_LT(emode_liquidated.size(), emode);
}

// Interest on the debt reserve (liquidation.aave_v3.borrow_rate, 200% a year to show in one day): the
// lending pool place collects it, money is conserved after every event, and more borrowers are liquidated
// than without interest on the same day and seed.
TEST(AaveV3Run, InterestAccruesToTheLendingPoolAndLiquidatesMore) {
  RunOptions options;
  options.check_every_event = true;
  const RunResult without = run_simulation(example({{"traders.count", "400"}}), "", {});
  const RunResult with = run_simulation(
      example({{"traders.count", "400"}, {"liquidation.aave_v3.borrow_rate", "2"}}), "", options);
  EXPECT_EQ(with.summary.conservation_residual, Amount(0));
  const AccountFinal& pool = with.log.accounts[place_account(Place::LendingPool).raw()];
  EXPECT_GT(pool.balance, amount_from_double(1'000));
  EXPECT_EQ(without.log.accounts[place_account(Place::LendingPool).raw()].balance, Amount(0));
  EXPECT_GT(with.log.liquidations.size(), without.log.liquidations.size());
}

// level_notional: each quote level is $120,000 at the market's initial price, so the depth within 0.5% of
// the mid is the same in dollars on WETH ($2,000), WBTC ($60,000) and the stablecoin ($1).
TEST(AaveV3Run, MarketMakersSizedInDollarsQuoteTheSameNotionalOnEveryMarket) {
  const RunResult r = run_simulation(example({{"traders.count", "0"}}), "", {});
  double first[3] = {0, 0, 0};
  for (const VenueSampleRecord& v : r.log.venue_samples)
    if (v.kind == 0 && first[v.market] == 0 && v.bid_depth_half_pct.raw() > 0)
      first[v.market] = to_double(v.bid_depth_half_pct) * to_double(v.price);
  const double prices[3] = {2'000, 60'000, 1};
  for (int m = 0; m < 3; ++m) {
    SCOPED_TRACE(m);
    ASSERT_GT(first[m], 0);
    // Whole levels of 120,000 / price coins, within the price's move since the start.
    const double levels = first[m] / 120'000;
    EXPECT_NEAR(levels, std::round(levels), 0.05 * std::round(levels) + 1e-9) << prices[m];
    EXPECT_NEAR(first[m], first[0], 0.05 * first[0]);
  }
}

}  // namespace
}  // namespace liqsim
