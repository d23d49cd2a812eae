// Whole runs with a market's AMM pool (Uniswap v2's market/amm_pool.h, v3's market/concentrated_pool.h,
// [markets.amm]): keepers that sell
// what they seize into the pool (keepers.unwind_venue = "amm"), arbitrageurs that tie it to the book.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "agents/agent_context.h"
#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"

namespace liqsim {
namespace {

// The "small" crash cut to 40 minutes (an 18% fall at 20 minutes) under keeper liquidation, with a
// 50-coin pool beside the book and keepers selling into it.
constexpr std::string_view kPoolMarket = R"(
base = "small"
duration_seconds = 2400
[liquidation]
mechanism = "keeper"
[keepers]
count = 5
unwind_venue = "amm"
[arbitrageurs]
count = 3
[traders]
count = 300
entry_end_seconds = 600
[[markets]]
symbol = "BTC-PERP"
initial_price = 60000
amm.reserve = 50
[markets.price]
model = "gbm"
vol_per_year = 0.6
[markets.shock]
enabled = true
start_seconds = 1200
duration_seconds = 300
fall_fraction = 0.18
)";

Scenario load(const std::string& text) {
  ScenarioResult r = load_scenario_text(text, "test", "");
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

// The scenario above with `arbitrageurs` arbitrageurs, keepers unwinding on `unwind_venue` and a pool of
// `kind` (the concentrated one over [0.8, 1.25] x the initial price).
RunResult run(int arbitrageurs = 3, const std::string& unwind_venue = "amm", bool check_every_event = false,
              const std::string& kind = "constant_product") {
  Scenario s = load(std::string(kPoolMarket));
  s.arbitrageurs.count = arbitrageurs;
  s.keepers.unwind_venue = unwind_venue;
  s.markets[0].amm.kind = kind;
  RunOptions options;
  options.check_every_event = check_every_event;
  return run_simulation(s, to_toml(s), options);
}

struct PoolFigures {
  size_t samples = 0;
  Quantity volume;
  double mean_gap = 0;  // mean |pool price / book mid - 1| over the samples with a two-sided book
};

PoolFigures pool_figures(const RunLog& log) {
  PoolFigures f;
  std::optional<Price> mid;  // the book's, sampled just before the pool at each record time
  double gaps = 0;
  size_t n = 0;
  for (const VenueSampleRecord& v : log.venue_samples) {
    if (v.kind == uint8_t(VenueKind::Perpetual)) {
      mid = v.best_bid.raw() > 0 && v.best_ask.raw() > 0
                ? std::optional<Price>(Price((v.best_bid.raw() + v.best_ask.raw()) / 2))
                : std::nullopt;
    } else if (v.kind == uint8_t(VenueKind::Amm)) {
      ++f.samples;
      f.volume += v.volume;
      if (mid) {
        gaps += std::abs(to_double(v.price) / to_double(*mid) - 1);
        ++n;
      }
    }
  }
  f.mean_gap = n > 0 ? gaps / double(n) : 0;
  return f;
}

// run() aborts through LIQSIM_CHECK when money, coins or positions do not sum to zero, or when a pool's
// reserves differ from what the amm_pool place holds, after any event.
TEST(AmmMarket, PoolReservesStayTheLedgersAfterEveryEvent) {
  const RunResult r = run(3, "amm", /*check_every_event=*/true);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  const PoolFigures f = pool_figures(r.log);
  EXPECT_GT(f.samples, 0u);
  EXPECT_GT(f.volume.raw(), 0) << "keepers and arbitrageurs swapped on the pool";
  EXPECT_GT(r.summary.keeper_liquidations, 0u);
}

// Keepers selling into a 50-coin pool that nobody arbitrages hold it down to their limit (5% under the
// index) while the book recovers; three arbitrageurs carry the flow to the book and keep the pool within
// a fraction of a percent of the book's mid on average.
TEST(AmmMarket, ArbitrageursTieThePoolToTheBook) {
  const PoolFigures tied = pool_figures(run().log);
  const PoolFigures alone = pool_figures(run(0).log);
  EXPECT_LT(tied.mean_gap, 0.005);
  EXPECT_GT(alone.mean_gap, 4 * tied.mean_gap);
  EXPECT_GT(tied.volume, alone.volume);
}

// Selling into a thin pool that nobody arbitrages costs keepers far more than selling into the book
// (their seized positions sold down the pool's curve).
TEST(AmmMarket, KeepersDumpingIntoAThinPoolLoseMoreThanOnTheBook) {
  const RunSummary pool = run(0).summary;
  const RunSummary book = run(0, "book").summary;
  EXPECT_LT(pool.keeper_profit.raw(), book.keeper_profit.raw() - amount_from_double(100'000).raw());
}

// The same with a Uniswap v3 pool (market/concentrated_pool.h): its reserves are the mint's deposits
// plus the swaps' flows, and the ledger's after every event.
TEST(AmmMarket, ConcentratedPoolReservesStayTheLedgersAfterEveryEvent) {
  const RunResult r = run(3, "amm", /*check_every_event=*/true, "concentrated");
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  const PoolFigures f = pool_figures(r.log);
  EXPECT_GT(f.samples, 0u);
  EXPECT_GT(f.volume.raw(), 0);
  EXPECT_LT(f.mean_gap, 0.005) << "arbitrageurs tie the concentrated pool to the book too";
  EXPECT_GT(r.summary.keeper_liquidations, 0u);
}

// The same capital (50 coins and their value in quote) concentrated over [0.8, 1.25] x the price buys
// 1 / (1 - sqrt(0.8)) = 9.47 times the liquidity of the constant-product pool (Uniswap v3 whitepaper,
// section 2: real reserves x = L (1 / sqrt(P) - 1 / sqrt(P_b)) against x = L / sqrt(P)), so about that
// many times the coins within 1% of the price, on both sides, at the start.
TEST(AmmMarket, ConcentratedLiquidityIsDeeperNearThePriceForTheSameCapital) {
  const auto first_pool_sample = [](const RunLog& log) {
    for (const VenueSampleRecord& v : log.venue_samples)
      if (v.kind == uint8_t(VenueKind::Amm)) return v;
    ADD_FAILURE() << "no pool sample";
    return VenueSampleRecord{};
  };
  const VenueSampleRecord v2 = first_pool_sample(run(3, "amm", false, "constant_product").log);
  const VenueSampleRecord v3 = first_pool_sample(run(3, "amm", false, "concentrated").log);
  const double expected = 1.0 / (1.0 - std::sqrt(0.8));
  for (const auto& [concentrated, constant] :
       {std::pair{v3.bid_depth_1pct, v2.bid_depth_1pct}, std::pair{v3.ask_depth_1pct, v2.ask_depth_1pct}}) {
    ASSERT_GT(constant.raw(), 0);
    const double ratio = to_double(concentrated) / to_double(constant);
    EXPECT_NEAR(ratio, expected, 0.1 * expected);
  }
}

TEST(AmmMarket, SameSeedSamePoolPath) {
  const RunLog a = run().log, b = run().log;
  ASSERT_EQ(a.venue_samples.size(), b.venue_samples.size());
  for (size_t i = 0; i < a.venue_samples.size(); ++i) {
    ASSERT_EQ(a.venue_samples[i].price, b.venue_samples[i].price) << i;
    ASSERT_EQ(a.venue_samples[i].volume, b.venue_samples[i].volume) << i;
  }
}

// Flash-loan keepers (keepers.flash_loan) with $1,000 each, enough for gas only, on the aave_v3 preset's
// day with a 100,000-coin pool beside the book: they liquidate by borrowing the repayment, selling the
// seized WETH on the pool in the same transaction and repaying the loan and its 0.05% fee. They end every
// transaction holding no collateral, take positions far beyond what $1,000 could carry (20% initial margin
// at Aave's 80% LTV), the lending pool earns the fees, and money is conserved after every event.
Scenario flash_day(bool flash_loan) {
  const ScenarioResult r = load_preset("aave_v3", {{"duration_seconds", "43200"},
                                                   {"traders.count", "300"},
                                                   {"keepers.count", "5"},
                                                   {"keepers.capital", "1000"},
                                                   {"keepers.unwind_venue", "amm"},
                                                   {"arbitrageurs.count", "5"},
                                                   {"markets[0].amm.reserve", "100000"},
                                                   {"keepers.flash_loan", flash_loan ? "true" : "false"}});
  const auto* s = std::get_if<Scenario>(&r);
  if (s == nullptr) {
    for (const auto& e : std::get<std::vector<ScenarioError>>(r)) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return *s;
}

TEST(AmmMarket, FlashLoanKeepersLiquidateWithoutCapitalAndRepayInTheTransaction) {
  RunOptions options;
  options.check_every_event = true;
  const Scenario s = flash_day(true);
  ASSERT_TRUE(validate_scenario(s).empty()) << validate_scenario(s)[0].message();
  const RunResult r = run_simulation(s, to_toml(s), options);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  ASSERT_GT(r.log.liquidations.size(), 10u);
  const AccountFinal& lender = r.log.accounts[place_account(Place::LendingPool).raw()];
  EXPECT_GT(lender.balance, Amount(0));  // the flash-loan fees
  Amount gas;
  for (const KeeperTxRecord& tx : r.log.keeper_txs) gas += tx.gas_paid;
  Amount keepers_balance, keepers_deposits;
  for (const AccountFinal& a : r.log.accounts) {
    if (a.role != uint8_t(AgentRole::Keeper)) continue;
    EXPECT_EQ(a.position, Quantity(0));  // every seized coin sold in its transaction
    keepers_balance += a.balance;
    keepers_deposits += a.deposits;
  }
  // What the keepers have beyond their capital less their gas is what the sales left over the loans.
  EXPECT_GT(keepers_balance - (keepers_deposits - gas), Amount(0));
  double largest = 0;
  for (const LiquidationRecord& l : r.log.liquidations)
    largest = std::max(largest, -to_double(l.quantity) * to_double(l.mark));
  EXPECT_GT(largest, 5 * 1'000.0);
}

}  // namespace
}  // namespace liqsim
