// Synthetix Perps v2's two transactions in a whole run (the `synthetix` preset): every liquidation follows
// a flag of the same account by an earlier transaction, a flag is never repeated while it stands, and the
// liquidation limits (maxPD) can hold flagged positions frozen with nothing liquidated. Money is conserved
// after every event on a smaller copy.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <variant>

#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

// Fewer traders under the sanitizers, where these every-event runs take minutes.
const std::string kTraders = testing_support::kSanitizedBuild ? "600" : "1500";

Scenario synthetix(const std::vector<ScenarioOverride>& overrides = {}) {
  const ScenarioResult r = load_preset("synthetix", overrides);
  const auto* s = std::get_if<Scenario>(&r);
  EXPECT_NE(s, nullptr);
  return s != nullptr ? *s : Scenario{};
}

// A successful transaction that liquidated nothing is a flag (the mechanism moves nothing at flagPosition).
bool is_flag(const KeeperTxRecord& tx) { return tx.succeeded == 1 && tx.liquidation == kNoId; }

TEST(SynthetixRun, EveryLiquidationFollowsAFlagOfTheSameAccount) {
  RunOptions options;
  options.check_every_event = true;
  const RunResult r = run_simulation(synthetix({{"traders.count", kTraders},
                                                {"duration_seconds", "23000"},
                                                {"liquidation.synthetix.max_liquidation_delta", "0"},
                                                {"liquidation.synthetix.max_pd", "0"}}),
                                     "", options);
  std::map<uint32_t, Time> flagged_at;
  size_t flags = 0, liquidations = 0;
  for (const KeeperTxRecord& tx : r.log.keeper_txs) {
    if (is_flag(tx)) {
      ++flags;
      EXPECT_FALSE(flagged_at.contains(tx.account)) << "account " << tx.account << " flagged twice";
      flagged_at[tx.account] = tx.executed;
    } else if (tx.succeeded == 1) {
      ++liquidations;
      const auto it = flagged_at.find(tx.account);
      ASSERT_NE(it, flagged_at.end()) << "account " << tx.account << " liquidated without a flag";
      EXPECT_GE(tx.executed, it->second);
      flagged_at.erase(it);
    }
  }
  EXPECT_GT(liquidations, 10u);
  EXPECT_EQ(liquidations, r.log.liquidations.size());
  EXPECT_EQ(flags, liquidations + flagged_at.size());
  // Without the limits, what is still flagged at the end was flagged in its last moments.
  for (const auto& [account, at] : flagged_at) EXPECT_GT(at, seconds(23000 - 10)) << "account " << account;
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
}

// maxLiquidationDelta at 1e-9 of the skew scale: any position of 0.001 coin or more reverts
// liquidatePosition, so positions are flagged (and frozen) but none is liquidated; keepers, simulating the
// call first, do not keep sending it.
TEST(SynthetixRun, LiquidationDeltaLimitKeepsFlaggedPositionsUnliquidated) {
  const RunResult r = run_simulation(synthetix({{"traders.count", kTraders},
                                                {"duration_seconds", "23000"},
                                                {"liquidation.synthetix.max_liquidation_delta", "1e-9"}}),
                                     "", RunOptions{});
  size_t flags = 0, failed = 0;
  for (const KeeperTxRecord& tx : r.log.keeper_txs) {
    if (is_flag(tx)) ++flags;
    if (tx.succeeded == 0) ++failed;
  }
  EXPECT_GT(flags, 10u);
  EXPECT_TRUE(r.log.liquidations.empty());
  EXPECT_LT(failed, 20 * flags) << "keepers simulate the call and stop sending reverting liquidations";
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
}

// The same limit with two endorsed liquidators (Synthetix's own keepers): every flagged position is
// force-liquidated (forceLiquidatePosition skips the limits), the endorsed keepers are paid nothing for it
// and the flaggers their fees.
TEST(SynthetixRun, EndorsedKeepersForceWhatTheLimitsHold) {
  RunOptions options;
  options.check_every_event = true;
  const RunResult r = run_simulation(synthetix({{"traders.count", kTraders},
                                                {"duration_seconds", "23000"},
                                                {"liquidation.synthetix.max_liquidation_delta", "1e-9"},
                                                {"liquidation.synthetix.endorsed_keepers", "2"}}),
                                     "", options);
  size_t flags = 0;
  for (const KeeperTxRecord& tx : r.log.keeper_txs) flags += is_flag(tx) ? 1 : 0;
  ASSERT_GT(r.log.liquidations.size(), 10u);
  // Every liquidation was sent by one of the two endorsed keepers.
  std::set<int64_t> liquidators;
  for (const LiquidationRecord& l : r.log.liquidations) liquidators.insert(l.keeper);
  EXPECT_LE(liquidators.size(), 2u);  // only the endorsed ones
  EXPECT_GE(flags, r.log.liquidations.size());
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
}

}  // namespace
}  // namespace liqsim
