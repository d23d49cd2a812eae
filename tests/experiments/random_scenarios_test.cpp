// Robustness: seeded random valid scenarios (experiments/scenario_generator) must run to the end with
// every asset conserved, no NaN in the summary, and no more events than validation estimated. Each run
// is a child process, so a crash or a hang names its seed and the scenario instead of ending the
// suite. LIQSIM_RANDOM_SCENARIOS=N runs N seeds (the `long` ctest label runs 300; CI runs a sample),
// from LIQSIM_RANDOM_SEED; LIQSIM_RANDOM_MAX_EVENTS and LIQSIM_RANDOM_MAX_TRADERS widen the search.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "experiments/scenario_generator.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"

namespace liqsim {
namespace {

constexpr int kChildTimeoutSeconds = 120;  // a generated run takes well under a second

int scenario_count(int fallback) {
  const char* env = std::getenv("LIQSIM_RANDOM_SCENARIOS");
  return env != nullptr ? std::max(1, std::atoi(env)) : fallback;
}

uint64_t first_seed() {
  const char* env = std::getenv("LIQSIM_RANDOM_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 1;
}

// Runs in the child: 0 when every property holds, 3 otherwise (the reason on stderr).
int run_child(const Scenario& s) {
  const RunCostEstimate cost = estimate_run_cost(s);
  RunOptions options;
  const double accounts = double(s.noise.count + s.market_makers.count + s.keepers.count + s.traders.count);
  options.check_every_event = accounts * cost.events < 2e8;  // the per-event check is O(accounts)
  const RunResult r = run_simulation(s, to_toml(s), options);
  const RunSummary& m = r.summary;
  if (m.conservation_residual != Amount(0)) {
    std::fprintf(stderr, "conservation residual %lld\n",
                 static_cast<long long>(m.conservation_residual.raw()));
    return 3;
  }
  for (double x : {m.max_mark_index_gap, m.branching_ratio, m.mean_slippage, m.cascade_size_mean,
                   m.liquidation_delay_mean_seconds, m.liquidation_delay_max_seconds}) {
    if (!std::isfinite(x)) {
      std::fprintf(stderr, "non-finite summary value\n");
      return 3;
    }
  }
  // The run metrics agree with each other and with the cascade-size table.
  uint64_t trees = 0, in_trees = 0;
  for (const CascadeSizeRecord& c : r.log.cascade_sizes) {
    trees += c.trees;
    in_trees += c.size * c.trees;
  }
  if (trees != m.cascade_count || in_trees != m.liquidation_count ||
      m.liquidated_episodes > m.liquidation_count || m.liquidation_delay_mean_seconds < 0 ||
      m.liquidation_delay_p50_seconds > m.liquidation_delay_p99_seconds ||
      m.liquidation_delay_p99_seconds > m.liquidation_delay_max_seconds ||
      m.insurance_fund_drawdown.raw() < 0 || m.unliquidated_deficit.raw() < 0 ||
      m.protocol_loss != m.insurance_fund_drawdown + m.bad_debt_in_window + m.unliquidated_deficit) {
    std::fprintf(stderr, "inconsistent run metrics\n");
    return 3;
  }
  // Liquidation steps and keeper transactions are not in the estimate: allow for them.
  const double bound = 2 * cost.events + 10 * double(s.traders.count) + 1000;
  if (double(m.events_processed) > bound) {
    std::fprintf(stderr, "%llu events, estimate %.0f\n", static_cast<unsigned long long>(m.events_processed),
                 cost.events);
    return 3;
  }
  return 0;
}

void check_seeds(uint64_t first, int count) {
  std::map<std::string, int> mechanisms;           // scenarios per liquidation mechanism
  std::map<std::string, int> margin_models_drawn;  // markets per margin model
  for (uint64_t seed = first; seed < first + uint64_t(count); ++seed) {
    RandomScenarioOptions generator;
    if (const char* env = std::getenv("LIQSIM_RANDOM_MAX_EVENTS")) generator.max_events = std::atof(env);
    if (const char* env = std::getenv("LIQSIM_RANDOM_MAX_TRADERS")) generator.max_traders = std::atoi(env);
    const Scenario s = random_scenario(seed, generator);
    const auto errors = validate_scenario(s);
    ASSERT_TRUE(errors.empty()) << "seed " << seed
                                << ": generated an invalid scenario: " << errors[0].message();
    ++mechanisms[s.liquidation.mechanism];
    for (const MarketSpec& market : s.markets) ++margin_models_drawn[market.margin.model];
    std::fflush(nullptr);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      alarm(kChildTimeoutSeconds);
      _exit(run_child(s));
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
      const std::string path = ::testing::TempDir() + "random-scenario-" + std::to_string(seed) + ".toml";
      std::ofstream(path) << to_toml(s);
      ADD_FAILURE() << "seed " << seed << ": "
                    << (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                            : "exit " + std::to_string(WEXITSTATUS(status)))
                    << "; scenario written to " << path << " (replay: liqsim run --scenario " << path << ")";
    }
  }
  if (count >= 30) {
    for (const MechanismEntry& mechanism : liquidation_mechanisms())
      EXPECT_GT(mechanisms[std::string(mechanism.name)], 0)
          << "mechanism " << mechanism.name << " is drawn (" << mechanisms.size() << " of "
          << liquidation_mechanisms().size() << " drawn in " << count << " scenarios)";
    for (const MarginModelEntry& model : margin_models())
      EXPECT_GT(margin_models_drawn[std::string(model.name)], 0)
          << "margin model " << model.name << " is drawn";
  }
}

TEST(RandomScenarios, SampleRunsCleanly) { check_seeds(first_seed(), scenario_count(30)); }

TEST(RandomScenariosLong, HundredsRunCleanly) {
  if (std::getenv("LIQSIM_LONG_TESTS") == nullptr) GTEST_SKIP() << "set LIQSIM_LONG_TESTS=1 (ctest -L long)";
  check_seeds(1000, scenario_count(300));
}

}  // namespace
}  // namespace liqsim
