// Liquidation-detection scaling (DESIGN non-negotiable 3): the cost of a mark update must not grow with
// the number of accounts it does not touch, and the protocol state must stay under 200 bytes per account.
//
// World: a ClearingHouse with one market, the legacy Binance BTCUSDT brackets (experiments'
// default_brackets(): floors/caps 0-50k-250k-1M-5M-20M, MMR 0.4/0.5/1/2.5/5%, IMR 0.8/1/2/5/10%), no
// fees, mark 60,000. N isolated traders each buy 0.1 BTC at 60,000 from one market-maker account (one
// synthetic Fill per trader through ClearingHouse::apply_fill, so cash and positions stay conserved;
// checked after the build). Each trader's margin is chosen so that its liquidation price is
// 40,000 + 18,000 * (rank + 0.5) / N: the N liquidation prices are evenly spread over 40,000-58,000.
// With range(1) = 1 the ranks are a random permutation of the account ids (crossed accounts are
// scattered in memory, as in a real run); with 0 the ranks follow the ids (crossed accounts adjacent).
//
// Timed loop, one iteration = one mark update: the mark walks a prepared path 58,000 -> 40,000 in
// S = N / 10 equal steps and back up. A down step crosses about 10 liquidation prices: detect() pops
// them and, as the simulator does, each hit is tested with liquidatable(); liquidatable hits are handed
// over (kept aside; the simulator would schedule their liquidation), the others re-armed. An up step
// calls detect() (nothing crosses: the traders are long) and re-arms the ~10 accounts that the matching
// down step handed over, which are safe again at the higher mark. So every update touches ~10
// accounts (popped on the way down, re-pushed on the way up) whatever N is, and the per-iteration time
// is the cost of one mark update.
//
// Memory, two measures, both per trader account:
//   bytes_per_account: an estimate from the structures' sizes. The ledger and ClearingHouse vectors are
//     private, so: (trigger_memory_bytes() [capacity of the trigger heaps, stale entries included]
//     + (N + 1) * (sizeof(AccountState) + sizeof(Position) + sizeof(Ratio))) / N, i.e. the ledger's
//     account and position arrays (reserved to exactly N + 1 via Ledger::reserve) and the
//     ClearingHouse's per-account alert multiple (which grows by doubling: up to 8 bytes more).
//   rss_bytes_per_account: VmRSS after the build minus VmRSS before, over N (malloc_trim(0) before both
//     reads, bench scratch freed), the live resident memory of the world.
//   peak_rss_bytes_per_account: VmHWM after the build (reset through /proc/self/clear_refs just before
//     it) minus VmRSS before, over N: includes the transient copies of vector growth.
// RSS figures are only meaningful at large N (page granularity, allocator reuse; at 10k they are noise).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "experiments/scenario_loader.h"
#include "protocol/clearing_house.h"
#include "protocol/tiered_margin.h"

namespace liqsim {
namespace {

constexpr int64_t kCrossedPerStep = 10;
constexpr double kMark = 60'000;
constexpr double kLowestLiquidation = 40'000;
constexpr double kHighestLiquidation = 58'000;
constexpr double kSize = 0.1;  // BTC per trader

// Field of /proc/self/status in bytes (the file gives kB); 0 if unreadable.
double proc_status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) * 1024.0;
  return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false if not permitted.
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.close();
  return bool(out);
}

ProtocolMarket btcusdt_market() {
  std::vector<MarginBracketSpec> specs;
  for (const BracketSpec& b : default_brackets())
    specs.push_back(
        MarginBracketSpec{amount_from_double(b.notional_floor), amount_from_double(b.notional_cap),
                          ratio_from_double(b.maintenance_rate), ratio_from_double(b.initial_rate)});
  return ProtocolMarket{TieredMaintenanceMargin(specs), Ratio(0), Ratio(0), price_from_double(kMark)};
}

struct DetectionWorld {
  int64_t accounts = 0;
  bool shuffled = false;
  std::unique_ptr<ClearingHouse> ch;

  // The path and the walk's position on it.
  std::vector<Price> path;  // path[0] = 58,000 (above every trigger) ... path[S] = 40,000
  size_t step = 0;
  bool going_down = true;
  std::vector<AccountId> handed_over;  // liquidatable hits of the down steps, newest last
  std::vector<size_t> handed_begin;    // handed_over index where down step k's hits start
  std::vector<TriggerHit> hits;

  // Build measurements.
  double build_seconds = 0;
  double rss_before = 0, rss_after = 0, hwm_after = 0;
  bool peak_valid = false;
  size_t trigger_bytes = 0, trigger_entries = 0;
  std::string error;
};

std::unique_ptr<DetectionWorld> build_world(int64_t n, bool shuffled) {
  auto w = std::make_unique<DetectionWorld>();
  w->accounts = n;
  w->shuffled = shuffled;

  // Scratch prepared before the "before" reading and freed before the "after" reading.
  std::vector<uint32_t> rank(static_cast<size_t>(n));
  std::iota(rank.begin(), rank.end(), 0u);
  if (shuffled) std::shuffle(rank.begin(), rank.end(), std::mt19937_64(12345));

  malloc_trim(0);
  w->rss_before = proc_status_bytes("VmRSS");
  w->peak_valid = reset_peak_rss();
  const auto start = std::chrono::steady_clock::now();

  w->ch = std::make_unique<ClearingHouse>(std::vector<ProtocolMarket>{btcusdt_market()});
  ClearingHouse& ch = *w->ch;
  ch.ledger().reserve(static_cast<uint32_t>(n + 1));
  // The counterparty ends short n * 0.1 BTC; a deposit of twice its notional keeps its liquidation
  // price near 3x the mark, far from the path.
  const AccountId maker = ch.open_account(AgentRole::MarketMaker, MarginMode::Cross,
                                          amount_from_double(double(n) * kMark * kSize * 2));
  const Price entry = price_from_double(kMark);
  const Quantity size = quantity_from_double(kSize);
  const double mmr = 0.004;  // first bracket: every notional at the liquidation price is < 50,000
  for (int64_t i = 0; i < n; ++i) {
    const double lp =
        kLowestLiquidation + (kHighestLiquidation - kLowestLiquidation) * (rank[i] + 0.5) / double(n);
    // Isolated long: LP = (Q*EP - WB) / (Q * (1 - MMR))  =>  WB = Q*EP - LP*Q*(1 - MMR).
    const Amount wallet = amount_from_double(kSize * kMark - lp * kSize * (1 - mmr));
    const AccountId a = ch.open_account(AgentRole::Trader, MarginMode::Isolated, wallet);
    Fill fill;
    fill.maker_owner = maker;
    fill.taker_owner = a;
    fill.taker_side = Side::Buy;
    fill.price = entry;
    fill.quantity = size;
    ch.apply_fill(MarketId(0), fill, false);  // arms both the trader and the maker
  }
  rank = {};
  rank.shrink_to_fit();

  w->build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  w->hwm_after = proc_status_bytes("VmHWM");
  malloc_trim(0);
  w->rss_after = proc_status_bytes("VmRSS");
  w->trigger_bytes = ch.trigger_memory_bytes();
  w->trigger_entries = ch.trigger_entries();

  if (ch.ledger().conservation_residual().raw() != 0 || ch.ledger().position_residual(MarketId(0)).raw() != 0)
    w->error = "ledger not conserved after the build";

  // The path: S steps of (58,000 - 40,000) / S, about kCrossedPerStep liquidation prices per step.
  const int64_t steps = std::max<int64_t>(1, n / kCrossedPerStep);
  const Price top = price_from_double(kHighestLiquidation);
  const Price bottom = price_from_double(kLowestLiquidation);
  w->path.resize(static_cast<size_t>(steps) + 1);
  for (int64_t k = 0; k <= steps; ++k) w->path[k] = Price(top.raw() - (top - bottom).raw() * k / steps);
  w->handed_begin.assign(w->path.size() + 1, 0);
  w->handed_over.reserve(static_cast<size_t>(n));
  w->hits.reserve(1024);

  // Start on the path: at 58,000 nothing is liquidatable, so detect() must find nothing.
  ch.set_mark(MarketId(0), w->path[0]);
  ch.detect(MarketId(0), w->hits);
  if (!w->hits.empty() && w->error.empty()) w->error = "accounts liquidatable at the top of the path";
  w->hits.clear();
  return w;
}

// One world at a time, kept across the calls Google Benchmark makes for one (N, shuffled) pair.
DetectionWorld& world_for(int64_t n, bool shuffled) {
  static std::unique_ptr<DetectionWorld> world;
  if (!world || world->accounts != n || world->shuffled != shuffled) {
    world.reset();
    world = build_world(n, shuffled);
  }
  return *world;
}

void BM_Detection_MarkUpdate(benchmark::State& state) {
  const int64_t n = state.range(0);
  DetectionWorld& w = world_for(n, state.range(1) != 0);
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  ClearingHouse& ch = *w.ch;
  const size_t last = w.path.size() - 1;
  int64_t popped = 0, rearmed = 0, down_updates = 0;

  for (auto _ : state) {
    if (w.going_down) {
      ++w.step;
      ch.set_mark(MarketId(0), w.path[w.step]);
      w.hits.clear();
      ch.detect(MarketId(0), w.hits);
      w.handed_begin[w.step] = w.handed_over.size();
      for (const TriggerHit& h : w.hits) {
        if (ch.liquidatable(h.account)) {
          w.handed_over.push_back(h.account);
        } else {
          ch.arm(h.account);
          ++rearmed;
        }
      }
      popped += int64_t(w.hits.size());
      ++down_updates;
      if (w.step == last) w.going_down = false;
    } else {
      --w.step;
      ch.set_mark(MarketId(0), w.path[w.step]);
      w.hits.clear();
      ch.detect(MarketId(0), w.hits);
      for (const TriggerHit& h : w.hits) {  // none expected (no trader is short)
        if (!ch.liquidatable(h.account)) {
          ch.arm(h.account);
          ++rearmed;
        }
      }
      popped += int64_t(w.hits.size());
      // The accounts handed over on the way down to path[step + 1] are safe again at path[step].
      const size_t begin = w.handed_begin[w.step + 1];
      for (size_t i = begin; i < w.handed_over.size(); ++i) ch.arm(w.handed_over[i]);
      rearmed += int64_t(w.handed_over.size() - begin);
      w.handed_over.resize(begin);
      if (w.step == 0) w.going_down = true;
    }
  }

  const double accounts = double(n);
  const size_t per_account = sizeof(AccountState) + sizeof(Position) + sizeof(Ratio);
  state.counters["accounts"] = accounts;
  state.counters["crossed_per_update"] =
      benchmark::Counter(double(popped), benchmark::Counter::kAvgIterations);
  state.counters["crossed_per_down_update"] = down_updates > 0 ? double(popped) / double(down_updates) : 0.0;
  state.counters["rearmed_per_update"] =
      benchmark::Counter(double(rearmed), benchmark::Counter::kAvgIterations);
  state.counters["bytes_per_account"] =
      (double(w.trigger_bytes) + double(n + 1) * double(per_account)) / accounts;
  state.counters["trigger_bytes_per_account"] = double(w.trigger_bytes) / accounts;
  state.counters["trigger_entries_per_account"] = double(w.trigger_entries) / accounts;
  state.counters["rss_bytes_per_account"] = (w.rss_after - w.rss_before) / accounts;
  if (w.peak_valid) state.counters["peak_rss_bytes_per_account"] = (w.hwm_after - w.rss_before) / accounts;
  state.counters["build_s"] = w.build_seconds;
}

BENCHMARK(BM_Detection_MarkUpdate)
    ->ArgNames({"accounts", "shuffled"})
    ->Args({10'000, 1})
    ->Args({1'000'000, 1})
    ->Args({10'000, 0})
    ->Args({1'000'000, 0})
    ->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace liqsim
