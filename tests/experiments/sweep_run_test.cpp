// Sweeps that run (experiments/sweep_runner, experiments/sweep_file): the same /metrics at any number
// of jobs, resumed sweeps equal uninterrupted ones, failed runs recorded, the file valid throughout.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "analysis/run_file.h"
#include "experiments/hdf5_sink.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "experiments/sweep_command.h"
#include "experiments/sweep_file.h"
#include "experiments/sweep_plan.h"
#include "experiments/sweep_runner.h"
#include "tests/sanitizer_build.h"

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

// Runs `runs` of the plan on `jobs` threads into `file`, as the command does (kept tables, when the
// plan keeps some, to the file's kept folder).
void run_into(SweepFile& file, const SweepPlan& plan, const std::vector<uint64_t>& runs, unsigned jobs,
              SweepRunFunction run_function = simulate_run) {
  SweepRunner runner(plan, runs, jobs, std::move(run_function),
                     plan.spec().keep.empty() ? std::string() : file.kept_folder());
  while (!runner.finished()) {
    for (const SweepOutcome& outcome : runner.wait(std::chrono::milliseconds(50))) {
      ASSERT_EQ(outcome.kept_error, "");
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

  // The same with kept tables, stored into the file at the end.
  fs::path kept_sweep(const SweepPlan& plan, unsigned jobs, const std::string& name) {
    const fs::path path = full_sweep(plan, jobs, name);
    auto resumed = SweepFile::resume(path.string(), plan);
    EXPECT_TRUE(std::holds_alternative<SweepFile>(resumed));
    SweepFile& file = std::get<SweepFile>(resumed);
    EXPECT_TRUE(file.pending().empty());
    EXPECT_FALSE(file.close());
    const auto problem = file.store_kept_runs();
    EXPECT_FALSE(problem) << *problem;
    return path;
  }

  fs::path folder_;
};

// kSmallSweep keeping the time series, liquidations, trades and final accounts of every run.
const std::string kKeptSweep =
    std::string("keep = [\"timeseries\", \"liquidations\", \"trades\", \"accounts\"]\n") + kSmallSweep;

TEST_F(SweepRunTest, SameMetricsWithOneOrTwoJobs) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "determinism over whole runs: the release phase checks it";
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

// A run file of `log` with only the tables `keep` names (the others empty): what a kept-tables file
// of the same run must hold.
std::string kept_digest(const fs::path& path, const RunResult& alone, const std::vector<std::string>& keep) {
  RunLog log = alone.log;
  const auto kept = [&](const char* name) { return std::find(keep.begin(), keep.end(), name) != keep.end(); };
  if (!kept("timeseries")) log.timeseries.clear();
  if (!kept("liquidations")) log.liquidations.clear();
  if (!kept("trades")) log.trades.clear();
  if (!kept("funding")) log.funding.clear();
  if (!kept("mark_updates")) log.mark_updates.clear();
  if (!kept("adl")) log.adl.clear();
  if (!kept("keeper_txs")) log.keeper_txs.clear();
  if (!kept("keeper_tx_queue")) log.keeper_tx_queue.clear();
  if (!kept("blocks")) log.blocks.clear();
  if (!kept("cascade_sizes")) log.cascade_sizes.clear();
  if (!kept("venue_timeseries")) log.venue_samples.clear();
  if (!kept("assets")) log.assets.clear();
  if (!kept("holdings")) log.holdings.clear();
  if (!kept("accounts")) log.accounts.clear();
  RunSummary summary = alone.summary;
  summary.wall_seconds = 0;
  EXPECT_EQ(write_run_file(path.string(), alone.metadata, log, summary, true), std::nullopt);
  return digest(path);
}

TEST_F(SweepRunTest, KeptTablesAreThoseOfTheRunAlone) {
  for (const std::string& keep :
       {std::string("\"all\""), std::string("[\"timeseries\", \"trades\", \"accounts\"]")}) {
    const SweepPlan plan = resolved_plan("keep = " + keep + "\n" + kSmallSweep);
    const fs::path path = folder_ / "sweep.h5";
    fs::remove(path);
    SweepFile file = create(path, plan, true);
    run_into(file, plan, file.pending(), 2);
    for (const uint64_t r : {0u, 5u}) {
      // Alone: the scenario of the run, its records kept in memory, as `liqsim run` streams them.
      Scenario scenario = std::get<Scenario>(plan.scenario(plan.run(r)));
      const RunResult alone = run_simulation(scenario, to_toml(scenario), RunOptions{});
      ASSERT_FALSE(alone.log.trades.empty());
      EXPECT_EQ(digest(kept_run_path(file.kept_folder(), r)),
                kept_digest(folder_ / "alone.h5", alone, plan.spec().keep))
          << keep << " run " << r;
    }
    ASSERT_FALSE(file.close());
    ASSERT_FALSE(file.store_kept_runs());
    const SweepFileContents c = contents(path);
    EXPECT_EQ(c.keep, plan.spec().keep);
    EXPECT_EQ(c.kept_runs, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7}));  // every run is ok
    EXPECT_FALSE(fs::exists(file.kept_folder()));                             // merged, then removed
  }
}

TEST_F(SweepRunTest, KeptTablesGiveTheSameBytesAtAnyJobsAndAfterAnInterruption) {
  const SweepPlan plan = resolved_plan(kKeptSweep);
  const fs::path one = kept_sweep(plan, 1, "one.h5");
  const fs::path two = kept_sweep(plan, 2, "two.h5");
  EXPECT_EQ(file_bytes(one), file_bytes(two));
  EXPECT_GT(fs::file_size(one), 100000u);  // the kept tables are in it

  // Interrupted after three runs (their kept-tables files are beside the file), then resumed.
  const fs::path path = folder_ / "resumed.h5";
  {
    SweepFile file = create(path, plan);
    run_into(file, plan, {1, 4, 6}, 2);
  }
  EXPECT_TRUE(fs::exists(kept_run_path(kept_folder_for(path.string()), 4)));
  EXPECT_TRUE(contents(path).kept_runs.empty());  // valid, not stored yet
  {
    auto resumed = SweepFile::resume(path.string(), plan);
    ASSERT_TRUE(std::holds_alternative<SweepFile>(resumed));
    SweepFile& file = std::get<SweepFile>(resumed);
    EXPECT_EQ(file.pending(), (std::vector<uint64_t>{0, 2, 3, 5, 7}));
    run_into(file, plan, file.pending(), 1);
    ASSERT_FALSE(file.close());
  }
  // Every row done but two kept-tables files lost (stopped before storing): those runs run again.
  fs::remove(kept_run_path(kept_folder_for(path.string()), 2));
  fs::remove(kept_run_path(kept_folder_for(path.string()), 7));
  auto resumed = SweepFile::resume(path.string(), plan);
  ASSERT_TRUE(std::holds_alternative<SweepFile>(resumed));
  SweepFile& file = std::get<SweepFile>(resumed);
  EXPECT_EQ(file.pending(), (std::vector<uint64_t>{2, 7}));
  run_into(file, plan, file.pending(), 2);
  ASSERT_FALSE(file.close());
  ASSERT_FALSE(file.store_kept_runs());
  EXPECT_EQ(file_bytes(path), file_bytes(one));

  // Stored: resuming has nothing to run.
  auto again = SweepFile::resume(path.string(), plan);
  ASSERT_TRUE(std::holds_alternative<SweepFile>(again));
  EXPECT_TRUE(std::get<SweepFile>(again).kept_stored());
  EXPECT_TRUE(std::get<SweepFile>(again).pending().empty());
}

TEST_F(SweepRunTest, FailedRunsKeepNoTables) {
  const SweepPlan plan = resolved_plan(kKeptSweep);
  const fs::path path = folder_ / "sweep.h5";
  SweepFile file = create(path, plan);
  const uint64_t failing_seed = plan.run(2).run_seed;
  run_into(file, plan, file.pending(), 2, [&](Scenario scenario, Recorder& sink) {
    const bool fail = scenario.seed == failing_seed && scenario.liquidation.mechanism == "engine";
    SweepRunResult result = simulate_run(std::move(scenario), sink);
    if (fail) throw std::runtime_error("failed after its records were written");
    return result;
  });
  // The failed run's kept-tables file was abandoned: no file and no temporary file is left.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(file.kept_folder()))
    names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"0.h5", "1.h5", "3.h5", "4.h5", "5.h5", "6.h5", "7.h5"}));
  ASSERT_FALSE(file.close());
  ASSERT_FALSE(file.store_kept_runs());
  const SweepFileContents c = contents(path);
  EXPECT_EQ(c.rows[2].status, SweepRunStatus::Failed);
  EXPECT_EQ(c.kept_runs, (std::vector<uint64_t>{0, 1, 3, 4, 5, 6, 7}));
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

TEST(SweepCommand, DurationTextRoundsBeforeSplittingMinutes) {
  EXPECT_EQ(liqsim::duration_text(12.34), "12.3 s");
  EXPECT_EQ(liqsim::duration_text(179.6), "3 min 00 s");  // not "2 min 60 s"
  EXPECT_EQ(liqsim::duration_text(185.0), "3 min 05 s");
  EXPECT_EQ(liqsim::duration_text(9000), "2.5 h");
}
