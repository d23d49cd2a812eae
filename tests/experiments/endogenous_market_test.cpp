// Whole runs of a small endogenous market: three spot venues priced by resilient liquidity, value
// traders and arbitrageurs, the index their median, makers hedging on spot.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "agents/agent_context.h"
#include "analysis/run_file.h"
#include "experiments/hdf5_sink.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

// The "small" preset's crash (500 traders, 18% fall of the fundamental at 1 h) cut to 40 minutes with
// the fall at 20 minutes, on an endogenous market.
constexpr std::string_view kEndogenous = R"(
base = "small"
duration_seconds = 2400
[traders]
count = 300
entry_end_seconds = 600
[market_makers]
hedge_venue = "spot"
[liquidity]
per_venue = 2
on_perpetual = true
[value_traders]
count = 20
[arbitrageurs]
count = 3
[[markets]]
symbol = "BTC-PERP"
initial_price = 60000
[markets.price]
model = "gbm"
vol_per_year = 0.6
[markets.shock]
enabled = true
start_seconds = 1200
duration_seconds = 300
fall_fraction = 0.18
[markets.index]
source = "spot_venues"
[markets.spot]
venues = 3
)";

Scenario load(std::string_view text) {
  ScenarioResult r = load_scenario_text(text, "test", "");
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

RunResult run(const Scenario& s, bool check_every_event = false) {
  RunOptions options;
  options.check_every_event = check_every_event;
  return run_simulation(s, to_toml(s), options);
}

std::string digest_of(const RunResult& r, const std::string& name) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / (name + "-" + std::to_string(::getpid()) + ".h5"))
          .string();
  std::filesystem::remove(path);
  const auto error = write_run_file(path, r.metadata, r.log, r.summary, false);
  EXPECT_FALSE(error.has_value()) << *error;
  auto d = dataset_digest(path);
  std::filesystem::remove(path);
  EXPECT_EQ(d.index(), 0u);
  return d.index() == 0 ? std::get<0>(d) : std::string();
}

// The spot venues' sampled prices per record time.
std::map<Time, std::vector<Price>> spot_prices(const RunLog& log) {
  std::map<Time, std::vector<Price>> out;
  for (const VenueSampleRecord& v : log.venue_samples)
    if (v.kind == uint8_t(VenueKind::Spot) && v.market == 0) out[v.time].push_back(v.price);
  return out;
}

// run() aborts through LIQSIM_CHECK when the quote, the spot asset (every asset the ledger holds) or
// the positions of a market do not sum to zero after any event.
TEST(EndogenousMarket, ConservesQuoteCoinsAndPositionsAfterEveryEvent) {
  const RunResult r = run(load(kEndogenous), /*check_every_event=*/true);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  ASSERT_GE(r.log.assets.size(), 2u);  // the quote and BTC
  for (const AssetFinal& a : r.log.assets) EXPECT_EQ(a.residual, 0) << a.asset;
  // Something moved on the spot venues.
  Quantity volume;
  for (const VenueSampleRecord& v : r.log.venue_samples)
    if (v.kind == uint8_t(VenueKind::Spot)) volume += v.volume;
  EXPECT_GT(volume.raw(), 0);
  EXPECT_GT(r.summary.liquidation_count, 0u);
}

// The index aggregates the spot venues' prices (mid, else last trade, else previous) by their median on
// its own grid. With the index grid equal to the record grid, the index tick runs just before the
// record at the same time (both were first scheduled at time 0, the index first), so the recorded index
// is the median of the prices sampled at that record time.
TEST(EndogenousMarket, IndexIsTheMedianOfTheSpotVenues) {
  Scenario s = load(kEndogenous);
  s.markets[0].index.update_interval_seconds = s.record_interval_seconds;
  const RunResult r = run(s);
  const auto prices = spot_prices(r.log);
  ASSERT_EQ(prices.size(), r.log.timeseries.size());
  int spread_out = 0;
  std::vector<Price> indices;
  for (const TimeseriesRow& row : r.log.timeseries) {
    const auto it = prices.find(row.time);
    ASSERT_NE(it, prices.end()) << to_seconds(row.time);
    std::vector<Price> p = it->second;
    ASSERT_EQ(p.size(), 3u);
    std::sort(p.begin(), p.end());
    EXPECT_EQ(row.index, p[1]) << "at " << to_seconds(row.time) << " s: " << p[0].raw() << " " << p[1].raw()
                               << " " << p[2].raw();
    if (p[0] != p[2]) ++spread_out;
    indices.push_back(row.index);
  }
  // The check is not vacuous: the venues disagree most of the time and the index moves.
  EXPECT_GT(spread_out, int(r.log.timeseries.size()) / 2);
  EXPECT_GT(*std::max_element(indices.begin(), indices.end()),
            *std::min_element(indices.begin(), indices.end()));
}

// The 18% fall is a fall of the fundamental only: the spot venues follow because value traders sell
// into them. Without value traders nothing carries the news and the venues stay near the start.
TEST(EndogenousMarket, SpotVenuesFollowTheFundamentalThroughValueTraders) {
  const auto trough = [](const RunLog& log) {
    Price low = Price::max();
    for (const auto& [time, p] : spot_prices(log))
      for (const Price q : p) low = std::min(low, q);
    return to_double(low);
  };
  const Scenario s = load(kEndogenous);
  const RunResult informed = run(s);
  EXPECT_LT(trough(informed.log), 60000 * 0.9);
  EXPECT_LT(to_double(informed.summary.spot_min), 60000 * 0.9);  // the summary's trough, on the index grid
  Scenario blind = s;
  blind.value_traders.count = 0;
  const RunResult uninformed = run(blind);
  EXPECT_GT(trough(uninformed.log), 60000 * 0.95);
}

TEST(EndogenousMarket, SameSeedSameDigestOtherSeedAnother) {
  if (testing_support::kSanitizedBuild)
    GTEST_SKIP() << "determinism over whole runs: the release phase checks it";
  Scenario s = load(kEndogenous);
  const std::string a = digest_of(run(s), "endo-a");
  EXPECT_EQ(a, digest_of(run(s), "endo-b"));
  s.seed = 43;
  EXPECT_NE(a, digest_of(run(s), "endo-c"));
}

}  // namespace
}  // namespace liqsim
