#include "experiments/populations.h"

#include <array>

#include "agents/keeper.h"
#include "agents/leveraged_trader.h"
#include "agents/market_maker.h"
#include "agents/noise_trader.h"
#include "core/rng.h"

namespace liqsim {
namespace {

DistributionParams to_distribution(const DistributionSpec& d) {
  DistributionParams p;
  p.kind = d.kind == "lognormal" ? DistributionParams::Kind::LogNormal
           : d.kind == "uniform" ? DistributionParams::Kind::Uniform
                                 : DistributionParams::Kind::Fixed;
  p.mean = d.mean;
  p.stdev = d.stdev;
  p.min = d.min;
  p.max = d.max;
  return p;
}

std::unique_ptr<Population> build_noise(const PopulationBuildContext& c) {
  const NoiseTraderSpec& ns = c.scenario.noise;
  std::vector<AccountId> ids;
  for (int i = 0; i < ns.count; ++i)
    ids.push_back(
        c.clearing.open_account(AgentRole::NoiseTrader, MarginMode::Cross, amount_from_double(ns.capital)));
  NoiseTraderParams np{ns.limit_rate, ns.market_rate, ns.cancel_rate, quantity_from_double(ns.order_size),
                       ns.price_range_ticks};
  return std::make_unique<NoiseTraders>(np, std::move(ids), c.scenario.seed);
}

std::unique_ptr<Population> build_makers(const PopulationBuildContext& c) {
  const MarketMakerSpec& mms = c.scenario.market_makers;
  std::vector<AccountId> ids;
  for (int i = 0; i < mms.count; ++i)
    ids.push_back(
        c.clearing.open_account(AgentRole::MarketMaker, MarginMode::Cross, amount_from_double(mms.capital)));
  MarketMakerParams mp{mms.half_spread,
                       mms.levels,
                       mms.level_spacing,
                       quantity_from_double(mms.level_size),
                       time_from_seconds(mms.requote_seconds),
                       mms.inventory_skew,
                       quantity_from_double(mms.max_inventory),
                       time_from_seconds(mms.vol_window_seconds),
                       mms.vol_widening,
                       mms.stress_vol,
                       time_from_seconds(mms.hedge_half_life_seconds)};
  return std::make_unique<MarketMakers>(mp, std::move(ids), c.clearing.market_count(), c.scenario.seed);
}

std::unique_ptr<Population> build_keepers(const PopulationBuildContext& c) {
  const KeeperSpec& ks = c.scenario.keepers;
  std::vector<AccountId> ids;
  for (int i = 0; i < ks.count; ++i)
    ids.push_back(
        c.clearing.open_account(AgentRole::Keeper, MarginMode::Cross, amount_from_double(ks.capital)));
  KeeperParams kp{time_from_seconds(ks.latency_seconds),
                  time_from_seconds(ks.latency_jitter_seconds),
                  amount_from_double(ks.priority_fee_min),
                  amount_from_double(ks.priority_fee_max),
                  amount_from_double(ks.min_profit),
                  ks.sell_rule == "twap",
                  time_from_seconds(ks.twap_seconds),
                  ks.twap_slices,
                  c.scenario.liquidation.get<KeeperLiquidationSpec>().params(),
                  ks.bidding == "adaptive" ? KeeperBidding::Adaptive : KeeperBidding::Fixed,
                  ratio_from_double(ks.bid_raise),
                  ratio_from_double(ks.bid_decay)};
  return std::make_unique<Keepers>(kp, std::move(ids), c.scenario.seed);
}

// Leveraged traders: each its own account. Isolated traders trade one market (round robin); cross
// traders spread their notional over every market, one balance backing all their positions.
std::unique_ptr<Population> build_traders(const PopulationBuildContext& c) {
  const LeveragedTraderSpec& ts = c.scenario.traders;
  const uint32_t markets = c.clearing.market_count();
  std::vector<AccountId> ids;
  std::vector<MarketId> trader_markets;
  std::vector<uint8_t> trader_spread;
  for (int i = 0; i < ts.count; ++i) {
    Rng mode_rng(c.scenario.seed, StreamKind::Population, uint64_t(i));
    const MarginMode mode = mode_rng.bernoulli(ts.cross_fraction) ? MarginMode::Cross : MarginMode::Isolated;
    const AccountId a = c.clearing.open_account(AgentRole::Trader, mode, Amount(0));
    if (ts.topup_trigger > 0 && ts.outside_capital > 0)
      c.clearing.set_alert(a, ratio_from_double(ts.topup_trigger));
    ids.push_back(a);
    trader_markets.push_back(MarketId(i % markets));
    trader_spread.push_back(mode == MarginMode::Cross ? 1 : 0);
  }
  LeveragedTraderParams lp;
  lp.long_fraction = ts.long_fraction;
  lp.leverage = to_distribution(ts.leverage);
  lp.margin = to_distribution(ts.margin);
  lp.entry_start = time_from_seconds(ts.entry_start_seconds);
  lp.entry_end = time_from_seconds(ts.entry_end_seconds);
  lp.topup_trigger = ts.topup_trigger;
  lp.topup_fraction = ts.topup_fraction;
  lp.outside_capital = ts.outside_capital;
  lp.topup_cooldown = time_from_seconds(ts.topup_cooldown_seconds);
  return std::make_unique<LeveragedTraders>(lp, std::move(ids), std::move(trader_markets),
                                            std::move(trader_spread), c.scenario.seed);
}

constexpr std::array kPopulations = {
    PopulationEntry{"noise", "zero-intelligence limit, market and cancel flow (SFGK 2003)", build_noise},
    PopulationEntry{"market_makers", "inventory-skewed, volatility-widening, hedging quoters", build_makers},
    PopulationEntry{"keepers", "liquidation bots racing in blocks for keeper-driven liquidation",
                    build_keepers},
    PopulationEntry{"traders", "leveraged traders with heterogeneous leverage, margin and top-ups",
                    build_traders},
};

}  // namespace

std::span<const PopulationEntry> populations() { return kPopulations; }

}  // namespace liqsim
