// The Population contract (agents/population.h), run against every population of the registry
// (experiments/populations.h): a new population is covered by adding its registry line.
//
// Each population is built by its registry entry into a FakeContext (a real clearing house and book, two
// spot venues of the market's asset, an outside liquidity provider quoting both sides of every venue at
// prices that leave an arbitrage between the spot venues, a fundamental above the price), started, woken for
// ten simulated minutes with the notices the kernel sends (an alert on a member, an opportunity against a
// liquidatable account, the result of every liquidation transaction), and checked: it acts only for its own
// accounts, never asks for a wake-up in the past, sends orders with positive quantities and on-tick limit
// prices, keeps the ledger conserved, and the same seed gives the same actions while another seed gives other
// ones.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "experiments/populations.h"
#include "tests/agents/fake_context.h"

namespace liqsim {

void PrintTo(const PopulationEntry& e, std::ostream* os) { *os << e.name; }

namespace {

constexpr Price kTick(100'000);  // $0.10

Scenario small_scenario(uint64_t seed) {
  Scenario s;
  s.seed = seed;
  s.noise.count = 3;
  s.market_makers.count = 2;
  s.keepers.count = 3;
  s.keepers.min_profit = 0;
  s.traders.count = 40;
  s.traders.entry_start_seconds = 1;
  s.traders.entry_end_seconds = 120;
  s.markets = {MarketSpec{}};
  s.markets[0].spot.venues = 2;
  s.liquidity.per_venue = 1;
  s.liquidity.on_perpetual = true;
  s.value_traders.count = 3;
  s.value_traders.mean_interval_seconds = 5;
  s.arbitrageurs.count = 2;
  s.hunters = {HunterSpec{}};
  s.hunters[0].count = 2;
  return s;
}

struct Outcome {
  std::string actions;  // every action, one line each, in call order
  std::set<AccountId> members;
};

Outcome exercise(const PopulationEntry& entry, uint64_t seed) {
  const Price price = price_from_double(60'000);
  FakeContext ctx(1, kTick, price, TieredMaintenanceMargin::flat(ratio_from_double(0.005)));
  ctx.set_base_fee(amount_from_double(2));  // the chain's base fee keepers price their transactions with
  // Outside accounts first: a liquidity provider and an account that becomes liquidatable.
  const AccountId lp = ctx.open_account(AgentRole::MarketMaker, amount_from_double(1e9));
  const AccountId target = ctx.open_account(AgentRole::Trader, amount_from_double(700));
  ctx.ch().ledger().trade(target, lp, MarketId(0), quantity_from_double(0.1), amount_from_double(6000));
  ctx.ch().arm(target);
  for (int level = 1; level <= 20; ++level) {
    const Quantity q = quantity_from_double(5);
    ctx.place_limit(MarketId(0), lp, Side::Buy, price - kTick * (10 * level), q);
    ctx.place_limit(MarketId(0), lp, Side::Sell, price + kTick * (10 * level), q);
  }
  // Two spot venues, the second quoted $30 above the first: an arbitrage for whoever sees it.
  for (int venue = 0; venue < 2; ++venue) {
    const VenueId v = ctx.add_spot_venue(MarketId(0), ratio_from_double(0.0005));
    if (venue == 0) ctx.ch().ledger().deposit_asset(lp, ctx.venue(v).base, AssetAmount(1'000'000'000'000));
    const Price centre = price + kTick * (300 * venue);
    for (int level = 1; level <= 20; ++level) {
      const Quantity q = quantity_from_double(5);
      ctx.place_at(
          v, OrderRequest{lp, Side::Buy, OrderType::Limit, centre - kTick * (10 * level), q, false, -1});
      ctx.place_at(
          v, OrderRequest{lp, Side::Sell, OrderType::Limit, centre + kTick * (10 * level), q, false, -1});
    }
  }
  ctx.set_fundamental(MarketId(0), price_from_double(61'000));

  const Scenario s = small_scenario(seed);
  std::unique_ptr<Population> population = entry.build(PopulationBuildContext{s, ctx.ch(), ctx.venues()});
  Outcome out;
  for (uint32_t i = 0; i < population->size(); ++i) {
    EXPECT_EQ(population->account(i), AccountId(population->account(0).raw() + i))
        << entry.name << ": accounts not consecutive";
    out.members.insert(population->account(i));
  }
  EXPECT_FALSE(out.members.empty()) << entry.name << " built no members";

  population->start(ctx);
  std::ostringstream actions;
  size_t seen_txs = 0;
  // Every transaction a member sent comes back as a result (none succeeds: the fake context has no
  // mechanism), as the kernel delivers them.
  const auto deliver_results = [&] {
    for (; seen_txs < ctx.liquidation_txs.size(); ++seen_txs) {
      const auto& tx = ctx.liquidation_txs[seen_txs];
      population->on_transaction_result(ctx, tx.keeper.raw() - population->account(0).raw(), tx.target,
                                        KeeperTakeover{});
    }
  };
  const auto deliver = [&](const FakeContext::Wake& w) {
    population->on_wake(ctx, w.target, w.arg);
    deliver_results();
  };
  ctx.run_until(seconds(150), deliver);
  // The mark falls so that the target is liquidatable; the kernel's notices follow.
  ctx.set_mark(MarketId(0), price_from_double(54'000));
  population->on_alert(ctx, 0);
  for (int k = 0; k < 3; ++k) population->on_opportunity(ctx, target);
  deliver_results();
  ctx.run_until(seconds(600), deliver);

  for (const auto& w : ctx.wakes) {
    EXPECT_GE(w.at, w.requested) << entry.name << ": wake-up in the past";
    EXPECT_LT(w.target, population->size()) << entry.name << ": wake-up for a member that does not exist";
    actions << "wake " << w.requested.raw() << " " << w.at.raw() << " " << w.target << " " << w.arg << "\n";
  }
  for (const auto& sub : ctx.submissions) {
    EXPECT_TRUE(out.members.count(sub.order.owner))
        << entry.name << ": order for account " << sub.order.owner;
    EXPECT_GT(sub.order.quantity.raw(), 0) << entry.name;
    if (sub.order.limit) {
      EXPECT_GT(sub.order.limit->raw(), 0) << entry.name;
      EXPECT_EQ(sub.order.limit->raw() % kTick.raw(), 0) << entry.name << ": price off the tick grid";
    }
    actions << "order " << sub.at.raw() << " " << sub.order.owner << " " << int(sub.order.side) << " "
            << sub.order.limit.value_or(Price(0)).raw() << " " << sub.order.quantity.raw() << "\n";
  }
  for (const auto& d : ctx.deposits) {
    EXPECT_TRUE(out.members.count(d.account)) << entry.name << ": deposit to account " << d.account;
    actions << "deposit " << d.at.raw() << " " << d.account << " " << d.amount.raw() << "\n";
  }
  for (const auto& a : ctx.alerts)
    EXPECT_TRUE(out.members.count(a.account)) << entry.name << ": alert on account " << a.account;
  for (const auto& tx : ctx.liquidation_txs) {
    EXPECT_TRUE(out.members.count(tx.keeper)) << entry.name << ": transaction from account " << tx.keeper;
    EXPECT_GE(tx.ready, tx.sent) << entry.name;
    actions << "tx " << tx.sent.raw() << " " << tx.ready.raw() << " " << tx.keeper << " " << tx.target << " "
            << tx.priority_fee.raw() << "\n";
  }
  EXPECT_EQ(ctx.ch().ledger().conservation_residual(), Amount(0)) << entry.name;
  EXPECT_EQ(ctx.ch().ledger().conservation_residual(ctx.venue(VenueId(1)).base), AssetAmount(0))
      << entry.name;
  EXPECT_EQ(ctx.ch().ledger().position_residual(MarketId(0)), Quantity(0)) << entry.name;
  out.actions = actions.str();
  return out;
}

class PopulationContract : public ::testing::TestWithParam<PopulationEntry> {};

TEST_P(PopulationContract, ActsOnlyThroughItsContextForItsOwnAccounts) {
  const Outcome o = exercise(GetParam(), 7);
  EXPECT_FALSE(o.actions.empty()) << GetParam().name << " did nothing in ten minutes";
}

TEST_P(PopulationContract, SameSeedSameActionsOtherSeedOtherActions) {
  const Outcome a = exercise(GetParam(), 7);
  EXPECT_EQ(a.actions, exercise(GetParam(), 7).actions);
  EXPECT_NE(a.actions, exercise(GetParam(), 8).actions) << GetParam().name << " ignores its seed";
}

INSTANTIATE_TEST_SUITE_P(EveryPopulation, PopulationContract,
                         ::testing::ValuesIn(populations().begin(), populations().end()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(PopulationRegistry, NamesAreUniqueAndOrderIsTheAccountOrder) {
  std::set<std::string_view> names;
  for (const PopulationEntry& e : populations()) EXPECT_TRUE(names.insert(e.name).second) << e.name;
  ASSERT_EQ(populations().size(), 8u);
  EXPECT_EQ(populations()[0].name, "noise");
  EXPECT_EQ(populations()[3].name, "traders");
  // The endogenous market's populations come last, so scenarios without them keep their account ids.
  EXPECT_EQ(populations()[4].name, "liquidity");
  EXPECT_EQ(populations()[6].name, "arbitrageurs");
  EXPECT_EQ(populations()[7].name, "hunters");
}

}  // namespace
}  // namespace liqsim
