// Scenario tests of the keepers' chain under stress: a gas spike, full blocks and adaptive bids, a
// replayed gas price; every figure is computed from the run's own records.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "analysis/run_file.h"
#include "experiments/hdf5_sink.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "protocol/gas_price_path.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

// A crash with six keepers racing at zero latency: every keeper's transaction for an account lands in
// the same block, ordered by priority fee, and the first takes the whole position (close factor 1).
// Fees and gas are cents: the bonus (0.4%, the most the default brackets allow) of these positions is
// a few dollars. Only keepers liquidate (no absorption by the fund): the test is about their chain.
constexpr std::string_view kKeeperCrash = R"(
name = "keeper-crash"
seed = 7
duration_seconds = 2400
record_interval_seconds = 10
same_time_order = "priority_fee"
[liquidation]
mechanism = "keeper"
insurance_fund = 50000
[liquidation.keeper]
close_factor = 1.0
block_interval_seconds = 12
gas_price = 0.2
absorb_bankrupt = false
[keepers]
count = 6
latency_seconds = 0
latency_jitter_seconds = 0
priority_fee_min = 0.01
priority_fee_max = 0.2
min_profit = 0.1
[traders]
count = 300
entry_start_seconds = 30
entry_end_seconds = 600
[traders.leverage]
kind = "lognormal"
mean = 10
stdev = 5
min = 2
max = 50
[[markets]]
symbol = "ETH-PERP"
initial_price = 3000
tick_size = 0.1
[markets.shock]
enabled = true
start_seconds = 1200
duration_seconds = 300
fall_fraction = 0.18
)";

// The same crash under stress: the base fee x6 from 1,100 s to 2,000 s (2-minute ramps), one keeper
// transaction per block, adaptive bids.
Scenario stressed(Scenario s) {
  KeeperLiquidationSpec& keeper = s.liquidation.get<KeeperLiquidationSpec>();
  keeper.max_transactions_per_block = 1;
  keeper.gas.path = "spike";
  keeper.gas.spike_start_seconds = 1100;
  keeper.gas.spike_duration_seconds = 900;
  keeper.gas.spike_ramp_seconds = 120;
  keeper.gas.spike_multiple = 6;
  s.keepers.bidding = "adaptive";
  return s;
}

Scenario load(std::string_view text) {
  ScenarioResult r = load_scenario_text(text, "test", "");
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

std::string all_messages(const std::vector<ScenarioError>& errors) {
  std::string out;
  for (const ScenarioError& e : errors) out += e.message() + "\n";
  return out;
}

RunResult run(const Scenario& s) {
  RunOptions options;
  options.check_every_event = true;  // conservation after every event
  return run_simulation(s, to_toml(s), options);
}

struct KeeperFigures {
  double mean_delay_seconds = 0;  // successful transactions: executed - submitted
  std::set<int64_t> winners;      // keepers that liquidated
  uint64_t most_wins = 0;         // liquidations of the most successful keeper
  uint32_t max_blocks_waited = 0;
  int64_t max_queued = 0;  // /timeseries keeper_txs_queued
};

KeeperFigures figures(const RunLog& log) {
  KeeperFigures f;
  double delay = 0;
  uint64_t succeeded = 0;
  for (const KeeperTxRecord& tx : log.keeper_txs) {
    if (!tx.succeeded) continue;
    delay += to_seconds(tx.executed - tx.submitted);
    ++succeeded;
  }
  f.mean_delay_seconds = succeeded == 0 ? 0 : delay / double(succeeded);
  std::map<int64_t, uint64_t> wins;
  for (const LiquidationRecord& l : log.liquidations)
    if (l.keeper != kNoId) ++wins[l.keeper];  // the fund's absorptions have no keeper
  for (const auto& [keeper, n] : wins) {
    f.winners.insert(keeper);
    f.most_wins = std::max(f.most_wins, n);
  }
  for (const KeeperTxQueueRecord& q : log.keeper_tx_queue)
    f.max_blocks_waited = std::max(f.max_blocks_waited, q.blocks_waited);
  for (const TimeseriesRow& row : log.timeseries)
    f.max_queued = std::max(f.max_queued, row.keeper_txs_queued);
  return f;
}

// The queue records agree with the transactions and with the block space: row i is transaction i, it
// waited whole blocks after its first block, paid its block's base fee plus its bid, and no block holds
// more than the limit.
void expect_consistent_chain_records(const RunLog& log, Time interval, uint32_t max_per_block) {
  ASSERT_EQ(log.keeper_tx_queue.size(), log.keeper_txs.size());
  for (size_t i = 0; i < log.keeper_txs.size(); ++i) {
    const KeeperTxRecord& tx = log.keeper_txs[i];
    const KeeperTxQueueRecord& q = log.keeper_tx_queue[i];
    EXPECT_EQ(q.executed, tx.executed) << i;
    EXPECT_GE(q.ready, tx.submitted) << i;
    EXPECT_GE(q.first_block, q.ready) << i;
    EXPECT_LT(q.first_block - q.ready, interval) << i;
    EXPECT_EQ(q.executed - q.first_block, interval * int64_t(q.blocks_waited)) << i;
    EXPECT_EQ(tx.gas_paid, q.base_fee + Amount(int64_t(tx.priority_fee))) << i;
    if (max_per_block > 0) {
      EXPECT_LT(q.position, max_per_block) << i;
    }
  }
  uint64_t included = 0;
  Time previous = Time::min();
  for (const BlockRecord& b : log.blocks) {
    EXPECT_GT(b.time, previous);
    previous = b.time;
    if (max_per_block > 0) {
      EXPECT_LE(b.included, max_per_block);
    }
    included += b.included;
  }
  EXPECT_EQ(included, log.keeper_txs.size());
}

TEST(KeeperChain, GasSpikeAndFullBlocksDelayLiquidationsAndAdaptiveBidsShareTheWins) {
  const Scenario calm = load(kKeeperCrash);
  const Scenario stress = stressed(calm);
  ASSERT_EQ(validate_scenario(stress).size(), 0u) << all_messages(validate_scenario(stress));
  const RunResult a = run(calm);
  const RunResult b = run(stress);
  const KeeperFigures before = figures(a.log), after = figures(b.log);
  ASSERT_GT(a.log.liquidations.size(), 10u);
  ASSERT_GT(b.log.liquidations.size(), 10u);

  // Calm chain: nobody queues, every transaction lands in its first block, at the constant fee; the
  // highest fixed bid wins every race.
  EXPECT_EQ(before.max_blocks_waited, 0u);
  EXPECT_EQ(before.max_queued, 0);
  EXPECT_EQ(before.winners.size(), 1u);
  for (const BlockRecord& blk : a.log.blocks) EXPECT_EQ(blk.base_fee, amount_from_double(0.2));
  expect_consistent_chain_records(a.log, seconds(12), 0);

  // Stressed: transactions wait for block space, so liquidations come later on average (by more than a
  // block), and the adaptive bids hand some races to other keepers.
  expect_consistent_chain_records(b.log, seconds(12), 1);
  EXPECT_GT(after.max_blocks_waited, 0u);
  EXPECT_GT(after.max_queued, 0);
  EXPECT_GT(after.mean_delay_seconds, before.mean_delay_seconds + 12.0)
      << "mean delay " << before.mean_delay_seconds << " s calm, " << after.mean_delay_seconds
      << " s stressed";
  EXPECT_GE(after.winners.size(), 2u);
  std::printf(
      "calm: %zu liquidations, mean delay %.1f s, %zu winner(s); stressed: %zu liquidations, mean "
      "delay %.1f s, %zu winners (most wins %llu), max %u blocks waited, max queue %lld\n",
      a.log.liquidations.size(), before.mean_delay_seconds, before.winners.size(), b.log.liquidations.size(),
      after.mean_delay_seconds, after.winners.size(), static_cast<unsigned long long>(after.most_wins),
      after.max_blocks_waited, static_cast<long long>(after.max_queued));
  EXPECT_LT(after.most_wins, b.log.liquidations.size());

  // The base fee follows the spike: $1.20 on its top (1,220 s to 1,880 s), $0.20 outside [1,100 s, 2,000 s).
  int on_top = 0;
  for (const BlockRecord& blk : b.log.blocks) {
    if (blk.time >= seconds(1220) && blk.time < seconds(1880)) {
      EXPECT_EQ(blk.base_fee, amount_from_double(1.2)) << to_seconds(blk.time);
      ++on_top;
    } else if (blk.time < seconds(1100) || blk.time >= seconds(2000)) {
      EXPECT_EQ(blk.base_fee, amount_from_double(0.2)) << to_seconds(blk.time);
    } else {
      EXPECT_GT(blk.base_fee, amount_from_double(0.2)) << to_seconds(blk.time);
      EXPECT_LT(blk.base_fee, amount_from_double(1.2)) << to_seconds(blk.time);
    }
  }
  EXPECT_GT(on_top, 0);
  for (const TimeseriesRow& row : b.log.timeseries) {
    if (row.time == seconds(1500)) {
      EXPECT_EQ(row.base_fee, amount_from_double(1.2));
    } else if (row.time == seconds(1160)) {
      EXPECT_EQ(row.base_fee, amount_from_double(0.7));  // halfway up: x3.5
    } else if (row.time == seconds(600)) {
      EXPECT_EQ(row.base_fee, amount_from_double(0.2));
    }
  }
  // Bids stay in [priority_fee_min, priority_fee_max].
  for (const KeeperTxRecord& tx : b.log.keeper_txs) {
    EXPECT_GE(tx.priority_fee, uint64_t(amount_from_double(0.01).raw()));
    EXPECT_LE(tx.priority_fee, uint64_t(amount_from_double(0.2).raw()));
  }
  EXPECT_EQ(b.summary.conservation_residual, Amount(0));
}

std::string digest_of(const RunResult& r, const std::string& name, const RunFileOptions& options) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) /
                            ("keeper-chain-" + name + "-" + std::to_string(::getpid()) + ".h5"))
                               .string();
  std::filesystem::remove(path);
  const auto error = write_run_file(path, r.metadata, r.log, r.summary, false, options);
  EXPECT_FALSE(error.has_value()) << *error;
  auto d = dataset_digest(path);
  std::filesystem::remove(path);
  EXPECT_EQ(d.index(), 0u);
  return d.index() == 0 ? std::get<0>(d) : std::string();
}

// The same stressed scenario gives the same file whether it runs alone or beside another run on a second
// thread, and whatever the writer's thread count and chunking.
// same_time_order = "arrival": keepers with up to 5 s of latency jitter race for the same accounts; inside
// every block the transactions run in the order they reached the chain (their ready times, latency
// included), whatever their fees.
TEST(KeeperChain, ArrivalOrderRunsABlocksTransactionsInTheOrderTheyArrived) {
  Scenario s = load(kKeeperCrash);
  s.same_time_order = "arrival";
  s.keepers.latency_seconds = 1;
  s.keepers.latency_jitter_seconds = 5;
  ASSERT_TRUE(validate_scenario(s).empty()) << all_messages(validate_scenario(s));
  const RunResult r = run(s);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  std::map<int64_t, std::vector<const KeeperTxQueueRecord*>> blocks;
  for (const KeeperTxQueueRecord& q : r.log.keeper_tx_queue) blocks[q.executed.raw()].push_back(&q);
  size_t shared = 0;
  for (auto& [time, txs] : blocks) {
    std::sort(txs.begin(), txs.end(), [](const auto* a, const auto* b) { return a->position < b->position; });
    for (size_t i = 1; i < txs.size(); ++i) EXPECT_LE(txs[i - 1]->ready, txs[i]->ready) << time;
    if (txs.size() > 1) ++shared;
  }
  EXPECT_GT(shared, 5u);  // races inside a block happened
}

TEST(KeeperChain, StressedRunsAreDeterministicAtAnyThreadCount) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "determinism over whole runs: the release phase checks it";
  const Scenario s = stressed(load(kKeeperCrash));
  RunFileOptions one_thread;
  one_thread.encoder_threads = 1;
  RunFileOptions three_threads;
  three_threads.encoder_threads = 3;
  three_threads.chunk_rows = 64;
  const std::string alone = digest_of(run(s), "alone", one_thread);
  RunResult first, second;
  std::thread t1([&] { first = run_simulation(s, to_toml(s), RunOptions{}); });
  std::thread t2([&] { second = run_simulation(s, to_toml(s), RunOptions{}); });
  t1.join();
  t2.join();
  EXPECT_EQ(digest_of(first, "first", three_threads), alone);
  EXPECT_EQ(digest_of(second, "second", one_thread), alone);
  Scenario other_seed = s;
  other_seed.seed = 8;
  EXPECT_NE(digest_of(run_simulation(other_seed, to_toml(other_seed), RunOptions{}), "seed8", one_thread),
            alone);
}

// A replayed gas price (Black Thursday's 60th percentile, in wei) priced at the simulated ETH market's
// index: every recorded base fee is ceil(wei(t) x 500,000 gas x index / 1e18), with wei(t) the last CSV row
// at or before t (rows every 10 minutes).
TEST(KeeperChain, ReplayedGasIsPricedAtTheEthMarketsIndex) {
  const std::string data = std::string(LIQSIM_SOURCE_DIR) + "/examples/data";
  Scenario s = load(kKeeperCrash);
  s.source_dir = data;
  GasPathSpec& gas = s.liquidation.get<KeeperLiquidationSpec>().gas;
  gas.path = "replay";
  gas.replay_file = "stablesims_eth_gasprice_10m_2020-03-12.csv";
  gas.time_column = "timestamp";
  gas.price_column = "p60_wei";
  gas.price_unit = "wei";
  gas.gas_per_transaction = 500000;
  gas.eth_price_market = "ETH-PERP";
  ASSERT_EQ(validate_scenario(s).size(), 0u) << all_messages(validate_scenario(s));
  // The CSV, read here independently: (seconds since its first row, wei rounded to the nearest).
  std::ifstream in(data + "/stablesims_eth_gasprice_10m_2020-03-12.csv");
  std::string line;
  std::getline(in, line);
  std::vector<std::pair<int64_t, int64_t>> rows;
  int64_t first = -1;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string timestamp, p30, p60;
    std::getline(fields, timestamp, ',');
    std::getline(fields, p30, ',');
    std::getline(fields, p60, ',');
    if (first < 0) first = std::stoll(timestamp);
    rows.emplace_back(std::stoll(timestamp) - first, std::llround(std::stod(p60)));
  }
  ASSERT_EQ(rows.size(), 144u);
  const RunResult r = run(s);
  ASSERT_FALSE(r.log.timeseries.empty());
  int64_t distinct_fees = 0;
  Amount last;
  for (const TimeseriesRow& row : r.log.timeseries) {
    const int64_t t = row.time.raw() / kNanosPerSecond;
    int64_t wei = rows[0].second;
    for (const auto& [at, price] : rows)
      if (at <= t) wei = price;
    const __int128 fee_units = __int128(wei) * 500'000 * row.index.raw();
    const int64_t want = int64_t((fee_units + kWeiPerEth - 1) / kWeiPerEth);
    EXPECT_EQ(row.base_fee.raw(), want) << "at " << t << " s";
    if (row.base_fee != last) ++distinct_fees;
    last = row.base_fee;
  }
  EXPECT_GT(distinct_fees, 3);
  expect_consistent_chain_records(r.log, seconds(12), 0);
}

// The examples that use the chain's keys validate (the replay one reads its CSV from examples/data).
TEST(KeeperChain, ExamplesValidate) {
  for (const char* name : {"keeper_congestion.toml", "black_thursday_keepers.toml"}) {
    const ScenarioResult r = load_scenario_file(std::string(LIQSIM_SOURCE_DIR) + "/examples/" + name);
    const auto* errors = std::get_if<std::vector<ScenarioError>>(&r);
    EXPECT_EQ(errors, nullptr) << name << ":\n" << (errors != nullptr ? all_messages(*errors) : "");
  }
}

}  // namespace
}  // namespace liqsim
