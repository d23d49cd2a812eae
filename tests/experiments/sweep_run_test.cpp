// Sweeps that run (experiments/sweep_runner, experiments/sweep_file): the same /metrics at any number
// of jobs, resumed sweeps equal uninterrupted ones, failed runs recorded, the file valid throughout.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "analysis/run_file.h"
#include "experiments/simulation.h"
#include "experiments/sweep_file.h"
#include "experiments/sweep_plan.h"
#include "experiments/sweep_runner.h"

namespace liqsim {
namespace {

namespace fs = std::filesystem;

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The small preset cut to 15 minutes with 100 traders and the fall at 5 minutes: a few ms per run.
// 2 leverages x 2 seeds x 2 variants = 8 runs.
constexpr const char* kSmallSweep = R"(
base = "small"
seeds = 2
seed = 11
set = { duration_seconds = 900, "markets[0].shock.start_seconds" = 300, "traders.count" = 100, "traders.entry_end_seconds" = 200 }
[[axes]]
key = "traders.leverage.mean"
values = [10, 25]
[[variants]]
name = "no_liquidation"
set = { "liquidation.mechanism" = "none" }
)";

SweepPlan resolved_plan(const std::string& text) {
  SweepSpecResult parsed = parse_sweep_text(text, "test.toml", ".");
  if (!std::holds_alternative<SweepSpec>(parsed)) {
    ADD_FAILURE() << std::get<std::vector<ScenarioError>>(parsed).front().message();
    std::abort();
  }
  auto expanded = SweepPlan::expand(std::get<SweepSpec>(std::move(parsed)));
  if (!std::holds_alternative<SweepPlan>(expanded)) std::abort();
  SweepPlan plan = std::get<SweepPlan>(std::move(expanded));
  const auto problems = plan.resolve(1);
  if (!problems.empty()) {
    ADD_FAILURE() << problems.front();
    std::abort();
  }
  return plan;
}

// Runs `runs` of the plan on `jobs` threads into `file`, as the command does.
void run_into(SweepFile& file, const SweepPlan& plan, const std::vector<uint64_t>& runs, unsigned jobs,
              SweepRunFunction run_function = simulate_run) {
  SweepRunner runner(plan, runs, jobs, std::move(run_function));
  while (!runner.finished()) {
    for (const SweepOutcome& outcome : runner.wait(std::chrono::milliseconds(50))) {
      const auto problem = file.write(outcome);
      ASSERT_FALSE(problem) << *problem;
    }
    ASSERT_FALSE(file.flush());
  }
}

SweepFile create(const fs::path& path, const SweepPlan& plan, bool overwrite = false) {
  auto created = SweepFile::create(path.string(), plan, overwrite);
  if (auto* problem = std::get_if<std::string>(&created)) {
    ADD_FAILURE() << *problem;
    std::abort();
  }
  return std::get<SweepFile>(std::move(created));
}

SweepFileContents contents(const fs::path& path) {
  auto read = read_sweep_file(path.string());
  if (auto* problem = std::get_if<std::string>(&read)) {
    ADD_FAILURE() << *problem;
    std::abort();
  }
  return std::get<SweepFileContents>(std::move(read));
}

std::string digest(const fs::path& path) {
  auto d = dataset_digest(path.string());
  EXPECT_EQ(d.index(), 0u) << std::get<1>(d);
  return std::get<0>(d);
}

class SweepRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ =
        fs::path(::testing::TempDir()) / ("liqsim_sweep_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  // An uninterrupted sweep of `plan` with `jobs` jobs.
  fs::path full_sweep(const SweepPlan& plan, unsigned jobs, const std::string& name) {
    const fs::path path = folder_ / name;
    SweepFile file = create(path, plan);
    run_into(file, plan, file.pending(), jobs);
    EXPECT_FALSE(file.close());
    return path;
  }

  fs::path folder_;
};

TEST_F(SweepRunTest, SameMetricsWithOneOrTwoJobs) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  ASSERT_EQ(plan.runs(), 8u);
  const fs::path one = full_sweep(plan, 1, "one.h5");
  const fs::path two = full_sweep(plan, 2, "two.h5");
  EXPECT_EQ(file_bytes(one), file_bytes(two));  // the documented guarantee: byte-identical
  EXPECT_EQ(digest(one), digest(two));

  const SweepFileContents c = contents(one);
  EXPECT_EQ(c.plan_digest, plan.digest());
  EXPECT_EQ(c.axis_keys, std::vector<std::string>{"traders.leverage.mean"});
  EXPECT_EQ(c.variant_names, (std::vector<std::string>{"base", "no_liquidation"}));
  ASSERT_EQ(c.rows.size(), 8u);
  for (const SweepMetricsRow& row : c.rows) {
    const SweepRun expected = plan.run(row.run.run);
    EXPECT_EQ(row.status, SweepRunStatus::Ok) << row.error;
    EXPECT_EQ(row.run.point, expected.point);
    EXPECT_EQ(row.run.seed_index, expected.seed_index);
    EXPECT_EQ(row.run.variant, expected.variant);
    EXPECT_EQ(row.run.run_seed, expected.run_seed);
    EXPECT_EQ(row.axis_values, std::vector<double>{row.run.point == 0 ? 10.0 : 25.0});
    EXPECT_GT(row.summary.events_processed, 0u);
    EXPECT_EQ(row.summary.conservation_residual, Amount::zero());
  }
}

TEST_F(SweepRunTest, EachRowIsTheScenarioRunAlone) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  const SweepFileContents c = contents(full_sweep(plan, 2, "sweep.h5"));
  for (const uint64_t r : {0u, 5u}) {
    // Alone: a Simulation keeping its records in memory, as in-process users run it.
    Simulation simulation(std::get<Scenario>(plan.scenario(plan.run(r))));
    simulation.finish();
    const RunSummary alone = simulation.summary();
    EXPECT_FALSE(simulation.log().trades.empty());
    const RunSummary& in_sweep = c.rows[r].summary;
    EXPECT_EQ(in_sweep.events_processed, alone.events_processed);
    EXPECT_EQ(in_sweep.liquidation_count, alone.liquidation_count);
    EXPECT_EQ(in_sweep.mark_min, alone.mark_min);
    EXPECT_EQ(in_sweep.insurance_fund_final, alone.insurance_fund_final);
    EXPECT_EQ(in_sweep.max_mark_index_gap, alone.max_mark_index_gap);
    EXPECT_EQ(in_sweep.largest_cascade, alone.largest_cascade);
    EXPECT_EQ(in_sweep.mean_slippage, alone.mean_slippage);
    EXPECT_EQ(in_sweep.accounts, alone.accounts);
  }
}

TEST_F(SweepRunTest, CounterfactualVariantsShareTheirSeed) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  const SweepFileContents c = contents(full_sweep(plan, 2, "sweep.h5"));
  uint64_t liquidated = 0;
  for (size_t r = 0; r + 1 < c.rows.size(); r += 2) {
    const SweepMetricsRow& base = c.rows[r];
    const SweepMetricsRow& none = c.rows[r + 1];
    EXPECT_EQ(base.run.variant, 0u);
    EXPECT_EQ(none.run.variant, 1u);
    EXPECT_EQ(base.run.point, none.run.point);
    EXPECT_EQ(base.run.seed_index, none.run.seed_index);
    EXPECT_EQ(base.run.run_seed, none.run.run_seed);
    // Same seed, same exogenous path: the reference prices agree until liquidations feed back.
    EXPECT_EQ(base.summary.reference_max, none.summary.reference_max);
    EXPECT_EQ(none.summary.liquidation_count, 0u);
    liquidated += base.summary.liquidation_count;
  }
  EXPECT_GT(liquidated, 0u);  // the fall liquidates somebody in the base variant
}

TEST_F(SweepRunTest, ResumeAfterAnInterruptionEqualsAnUninterruptedSweep) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  const fs::path uninterrupted = full_sweep(plan, 1, "uninterrupted.h5");

  // Interrupted: some runs (not a prefix) written, then the process is gone; the file is valid as is.
  const fs::path path = folder_ / "resumed.h5";
  {
    SweepFile file = create(path, plan);
    run_into(file, plan, {1, 4, 6}, 2);
    // Closed with 5 rows pending (the CLI test kills a real sweep with SIGKILL instead).
  }
  {
    const SweepFileContents partial = contents(path);
    int done = 0;
    for (const SweepMetricsRow& row : partial.rows) done += row.status != SweepRunStatus::Pending;
    EXPECT_EQ(done, 3);
    EXPECT_EQ(partial.rows[2].status, SweepRunStatus::Pending);
    EXPECT_EQ(partial.rows[2].run.run_seed, plan.run(2).run_seed);  // pending rows already carry the plan
  }
  auto resumed = SweepFile::resume(path.string(), plan);
  ASSERT_TRUE(std::holds_alternative<SweepFile>(resumed)) << std::get<std::string>(resumed);
  SweepFile& file = std::get<SweepFile>(resumed);
  EXPECT_EQ(file.pending(), (std::vector<uint64_t>{0, 2, 3, 5, 7}));
  run_into(file, plan, file.pending(), 2);
  ASSERT_FALSE(file.close());
  EXPECT_EQ(digest(path), digest(uninterrupted));
  EXPECT_EQ(file_bytes(path), file_bytes(uninterrupted));

  // Resuming a complete file runs nothing.
  auto again = SweepFile::resume(path.string(), plan);
  ASSERT_TRUE(std::holds_alternative<SweepFile>(again));
  EXPECT_TRUE(std::get<SweepFile>(again).pending().empty());
}

TEST_F(SweepRunTest, ResumeRefusesAFileOfAnotherPlan) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  const fs::path path = folder_ / "sweep.h5";
  { SweepFile file = create(path, plan); }
  std::string other_text = kSmallSweep;
  other_text.replace(other_text.find("seed = 11"), 9, "seed = 12");
  const SweepPlan other = resolved_plan(other_text);
  const std::string before = file_bytes(path);
  auto resumed = SweepFile::resume(path.string(), other);
  ASSERT_TRUE(std::holds_alternative<std::string>(resumed));
  const std::string& problem = std::get<std::string>(resumed);
  EXPECT_NE(problem.find("another plan"), std::string::npos) << problem;
  EXPECT_NE(problem.find(plan.digest()), std::string::npos) << problem;
  EXPECT_NE(problem.find(other.digest()), std::string::npos) << problem;
  EXPECT_EQ(file_bytes(path), before);

  const fs::path not_sweep = folder_ / "not-a-sweep.h5";
  std::ofstream(not_sweep) << "plain text";
  auto refused = SweepFile::resume(not_sweep.string(), plan);
  ASSERT_TRUE(std::holds_alternative<std::string>(refused));
}

TEST_F(SweepRunTest, FailedRunIsRecordedAndTheSweepGoesOn) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  const fs::path path = folder_ / "sweep.h5";
  SweepFile file = create(path, plan);
  // Run 2 (point 0, seed index 1, base variant) throws: its row says why, the others run.
  const uint64_t failing_seed = plan.run(2).run_seed;
  const auto run_function = [&](Scenario scenario, Recorder& sink) {
    if (scenario.seed == failing_seed && scenario.liquidation.mechanism == "engine") {
      throw std::runtime_error(
          "ledger move: credit of the quote balance: 9223372036854775797 + 11 overflows int64");
    }
    return simulate_run(std::move(scenario), sink);
  };
  run_into(file, plan, file.pending(), 2, run_function);
  ASSERT_FALSE(file.close());
  const SweepFileContents c = contents(path);
  for (const SweepMetricsRow& row : c.rows) {
    if (row.run.run == 2) {
      EXPECT_EQ(row.status, SweepRunStatus::Failed);
      EXPECT_EQ(row.error,
                "ledger move: credit of the quote balance: 9223372036854775797 + 11 overflows int64");
    } else {
      EXPECT_EQ(row.status, SweepRunStatus::Ok) << row.run.run;
      EXPECT_EQ(row.error, "");
    }
  }
  EXPECT_EQ(c.rows[3].run.run_seed, failing_seed);  // its counterfactual ran with the same seed

  // A long message is cut to the column (at a character boundary), never overflowing it.
  SweepOutcome long_error;
  long_error.run = 7;
  long_error.status = SweepRunStatus::Failed;
  long_error.error = std::string(kSweepErrorBytes - 2, 'x') + "\xc3\xa9" + std::string(100, 'y');
  auto reopened = SweepFile::resume(path.string(), plan);
  ASSERT_TRUE(std::holds_alternative<SweepFile>(reopened));
  ASSERT_FALSE(std::get<SweepFile>(reopened).write(long_error));
  ASSERT_FALSE(std::get<SweepFile>(reopened).close());
  EXPECT_EQ(contents(path).rows[7].error, std::string(kSweepErrorBytes - 2, 'x'));
}

TEST_F(SweepRunTest, ExceptionsOfAnyKindFailOnlyTheirRun) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  const SweepOutcome thrown =
      execute_sweep_run(plan, 3, [](Scenario, Recorder&) -> SweepRunResult { throw 42; });
  EXPECT_EQ(thrown.status, SweepRunStatus::Failed);
  EXPECT_EQ(thrown.error, "unknown exception");
  const SweepOutcome unbalanced = execute_sweep_run(plan, 3, [](Scenario, Recorder&) {
    SweepRunResult r;
    r.summary.conservation_residual = Amount(5);
    return r;
  });
  EXPECT_EQ(unbalanced.status, SweepRunStatus::Failed);
  EXPECT_NE(unbalanced.error.find("conservation violated"), std::string::npos) << unbalanced.error;
}

TEST_F(SweepRunTest, NewFileHoldsThePlanWithEveryRunPending) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  const fs::path path = folder_ / "sweep.h5";
  SweepFile file = create(path, plan);
  EXPECT_EQ(file.pending().size(), 8u);
  const SweepFileContents c = contents(path);  // readable while the sweep holds it open
  EXPECT_EQ(c.schema_version, kSweepSchemaVersion);
  EXPECT_EQ(c.sweep_toml, kSmallSweep);
  EXPECT_EQ(c.base_scenario_toml, plan.base_toml());
  ASSERT_EQ(c.rows.size(), 8u);
  for (uint64_t r = 0; r < 8; ++r) {
    EXPECT_EQ(c.rows[r].run.run, r);
    EXPECT_EQ(c.rows[r].run.run_seed, plan.run(r).run_seed);
    EXPECT_EQ(c.rows[r].status, SweepRunStatus::Pending);
  }
  // No other file beside it (the temporary one is gone).
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(folder_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(SweepRunTest, CreateNeverReplacesAnExistingFileUnlessAsked) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  const fs::path path = folder_ / "sweep.h5";
  std::ofstream(path) << "precious";
  auto refused = SweepFile::create(path.string(), plan, false);
  ASSERT_TRUE(std::holds_alternative<std::string>(refused));
  EXPECT_EQ(file_bytes(path), "precious");
  auto replaced = SweepFile::create(path.string(), plan, true);
  ASSERT_TRUE(std::holds_alternative<SweepFile>(replaced)) << std::get<std::string>(replaced);
  EXPECT_NE(file_bytes(path), "precious");
}

TEST_F(SweepRunTest, OneWriterPerFile) {
  const SweepPlan plan = resolved_plan(kSmallSweep);
  const fs::path path = folder_ / "sweep.h5";
  SweepFile file = create(path, plan);
  // Another process may not write it meanwhile (a lock of this process does not stop this process, so
  // the check runs in a child).
  const pid_t child = ::fork();
  if (child == 0) {
    auto second = SweepFile::resume(path.string(), plan);
    const bool refused = std::holds_alternative<std::string>(second) &&
                         std::get<std::string>(second).find("another liqsim sweep") != std::string::npos;
    ::_exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace liqsim
