#include "experiments/populations.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "agents/arbitrageur.h"
#include "agents/keeper.h"
#include "agents/leveraged_trader.h"
#include "agents/liquidation_hunter.h"
#include "agents/liquidity_provider.h"
#include "agents/market_maker.h"
#include "agents/noise_trader.h"
#include "agents/value_trader.h"
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

LiquidationHeatmapParams heatmap_params(const LiquidationMapSpec& spec) {
  LiquidationHeatmapParams p;
  p.leverages = spec.leverages;
  p.weights = spec.weights;
  p.maintenance_rate = spec.maintenance_rate;
  p.bucket = spec.bucket;
  p.initial_spread = spec.initial_spread;
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

// The venues of market m of the given kinds, in venue order.
std::vector<VenueId> venues_of(const PopulationBuildContext& c, MarketId m, bool perpetual, bool spot,
                               bool amm = false) {
  std::vector<VenueId> out;
  for (VenueId v(0); v.raw() < c.venues.size(); ++v) {
    const VenueInfo& info = c.venues[v.raw()];
    if (info.market == m && ((perpetual && info.kind == VenueKind::Perpetual) ||
                             (spot && info.kind == VenueKind::Spot) || (amm && info.kind == VenueKind::Amm)))
      out.push_back(v);
  }
  return out;
}

// Coins of every spot asset brought in for an account (from the outside place): `coins[m]` of market m's.
void endow(const PopulationBuildContext& c, AccountId a, const std::vector<Quantity>& coins) {
  std::vector<AssetId> done;
  for (const VenueInfo& info : c.venues) {
    if (info.kind != VenueKind::Spot || std::find(done.begin(), done.end(), info.base) != done.end())
      continue;
    const Quantity q = coins[info.market.raw()];
    if (q.raw() > 0) c.clearing.ledger().deposit_asset(a, info.base, AssetAmount(q.raw()));
    done.push_back(info.base);
  }
}

// The same coins of every market's asset.
void endow(const PopulationBuildContext& c, AccountId a, Quantity coins) {
  if (coins.raw() > 0) endow(c, a, std::vector<Quantity>(c.clearing.market_count(), coins));
}

std::unique_ptr<Population> build_makers(const PopulationBuildContext& c) {
  const MarketMakerSpec& mms = c.scenario.market_makers;
  const bool spot_hedge = mms.hedge_venue == "spot";
  // Sizes in coins, or per market the coins a dollar notional buys at its initial price.
  std::vector<Quantity> level_size, max_inventory;
  for (const MarketSpec& ms : c.scenario.markets) {
    level_size.push_back(quantity_from_double(maker_level_coins(mms, ms)));
    max_inventory.push_back(quantity_from_double(maker_max_inventory_coins(mms, ms)));
  }
  const std::vector<Quantity> endowment =
      spot_hedge ? max_inventory : std::vector<Quantity>(max_inventory.size(), Quantity(0));
  std::vector<AccountId> ids;
  for (int i = 0; i < mms.count; ++i) {
    ids.push_back(
        c.clearing.open_account(AgentRole::MarketMaker, MarginMode::Cross, amount_from_double(mms.capital)));
    endow(c, ids.back(), endowment);
  }
  MarketMakerParams mp{mms.half_spread,
                       mms.levels,
                       mms.level_spacing,
                       level_size,
                       time_from_seconds(mms.requote_seconds),
                       mms.inventory_skew,
                       max_inventory,
                       time_from_seconds(mms.vol_window_seconds),
                       mms.vol_widening,
                       mms.stress_vol,
                       time_from_seconds(mms.hedge_half_life_seconds),
                       {},
                       mms.hedge_max_slippage,
                       endowment};
  if (spot_hedge) {
    for (MarketId m(0); m.raw() < c.clearing.market_count(); ++m)
      mp.hedge_venues.push_back(venues_of(c, m, false, true));
  }
  return std::make_unique<MarketMakers>(mp, std::move(ids), c.clearing.market_count(), c.scenario.seed);
}

std::unique_ptr<Population> build_keepers(const PopulationBuildContext& c) {
  const KeeperSpec& ks = c.scenario.keepers;
  std::vector<AccountId> ids;
  for (int i = 0; i < keeper_count(c.scenario); ++i)
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
                  ratio_from_double(ks.bid_decay),
                  KeeperAuctionParams{},  // auctions, gas caps and outages: set below
                  Amount(0),
                  0,
                  Ratio(0),
                  0,
                  0,
                  Time(0),
                  Time(0),
                  false,
                  Ratio(0),  // the AMM unwind: set below
                  false,
                  Ratio(0),  // flash loans: set below
                  0};        // endorsed liquidators: set below
  const std::string& mechanism = c.scenario.liquidation.mechanism;
  if (mechanism == CompoundV3Spec::kName) {
    const CompoundV3Spec& comet = c.scenario.liquidation.get<CompoundV3Spec>();
    const CometParams cp = comet.params();
    kp.auction.enabled = true;
    kp.auction.valuation_discount = ratio_from_double(ks.valuation_discount);
    kp.auction.bark = true;
    kp.auction.chop = Ratio(kRatioScale);
    kp.auction.buy_on_bark = true;
    // The store's discount, a 1e18 mantissa of 1e-9 multiples: exact as a Ratio.
    kp.auction.buy_discount =
        Ratio(comet_store_front_discount(cp.store_front_price_factor, cp.liquidation_factor) / 1'000'000'000);
    kp.auction.buy_target_reserves = amount_from_double(comet.target_reserves);
  }
  // Synthetix's keepers take the mechanism's quotes (flag, then liquidate: SynthetixLiquidation::quote); the
  // first endorsed_keepers force what the limits hold.
  if (mechanism == SynthetixSpec::kName)
    kp.endorsed =
        uint32_t(std::clamp(c.scenario.liquidation.get<SynthetixSpec>().endorsed_keepers, 0, ks.count));
  if (mechanism == GmxV1Spec::kName) {
    // Position keepers: any liquidatable position, for the pool's flat fee.
    kp.auction.enabled = true;
    kp.auction.bark = true;
    kp.auction.bark_any_position = true;
    kp.auction.bark_tip = amount_from_double(c.scenario.liquidation.get<GmxV1Spec>().liquidation_fee);
    kp.auction.chop = Ratio(kRatioScale);
  }
  if (mechanism == MakerClipSpec::kName || mechanism == MakerFlipSpec::kName) {
    kp.auction.enabled = true;
    kp.auction.valuation_discount = ratio_from_double(ks.valuation_discount);
    if (mechanism == MakerClipSpec::kName) {
      const MakerClipSpec& clip = c.scenario.liquidation.get<MakerClipSpec>();
      kp.auction.bark = true;
      kp.auction.bark_tip = amount_from_double(clip.tip);
      kp.auction.bark_chip = ratio_from_double(clip.chip);
      kp.auction.chop = ratio_from_double(clip.chop);
    }
  }
  const auto share = [&](double fraction) { return uint32_t(std::llround(fraction * ks.count)); };
  kp.gas_cap = amount_from_double(ks.gas_cap);
  kp.gas_cap_spread = ratio_from_double(ks.gas_cap_spread);
  kp.lowball = uint32_t(std::min(ks.lowball_count, ks.count));
  // Lowballers have no cap: the cap applies to the first keepers, at most to the others.
  kp.capped = std::min(share(ks.gas_capped_fraction), uint32_t(ks.count) - kp.lowball);
  kp.down = share(ks.outage_fraction);
  kp.outage_start = time_from_seconds(ks.outage_start_seconds);
  kp.outage_end = time_from_seconds(ks.outage_start_seconds + ks.outage_duration_seconds);
  kp.unwind_on_amm = ks.unwind_venue == "amm";
  kp.amm_max_slippage = ratio_from_double(ks.amm_max_slippage);
  kp.flash_loan = ks.flash_loan;
  kp.unwind_valuation_book = ks.unwind_valuation == "book";
  kp.hold = ks.sell_rule == "hold";
  kp.hold_horizon = time_from_seconds(ks.hold_seconds);
  kp.hold_check = time_from_seconds(ks.hold_check_seconds);
  kp.hold_take_profit = ks.hold_take_profit;
  kp.hold_stop_loss = ks.hold_stop_loss;
  kp.flash_loan_fee = ratio_from_double(ks.flash_loan_fee);
  for (const KeeperGroupSpec& g : c.scenario.keeper_groups)
    kp.groups.push_back(KeeperStrategy{
        uint32_t(g.count), amount_from_double(g.priority_fee), amount_from_double(g.min_profit),
        g.sell_rule == "twap", g.sell_rule == "hold", g.flash_loan, ratio_from_double(g.valuation_discount)});
  return std::make_unique<Keepers>(kp, std::move(ids), c.scenario.seed);
}

// The positions open at time 0: each trader deposits its margin and holds its position, bought or sold
// at its entry price from the backstop_vault place, which holds the other side of every opening
// position (docs/ARCHITECTURE.md, "Positions open at time 0"). No order reaches a book.
void book_opening_positions(ClearingHouse& ch, const LeveragedTraders& traders) {
  const AccountId counterparty = place_account(Place::BackstopVault);
  std::optional<uint32_t> deposited;
  for (const OpeningPosition& o : traders.opening_book(ch)) {
    const AccountId a = traders.account(o.trader);
    if (deposited != o.trader) ch.deposit(a, o.margin);
    deposited = o.trader;
    const Quantity q(std::abs(o.size.raw()));
    if (o.size.raw() > 0)
      ch.ledger().trade(a, counterparty, o.market, q, o.cash);
    else
      ch.ledger().trade(counterparty, a, o.market, q, o.cash);
    ch.arm(a);
  }
}

// Leveraged traders: each its own account. Isolated traders trade one market (round robin); cross
// traders spread their notional over every market, one balance backing all their positions.
std::unique_ptr<Population> build_traders(const PopulationBuildContext& c) {
  const LeveragedTraderSpec& ts = c.scenario.traders;
  const uint32_t markets = c.clearing.market_count();
  std::vector<AccountId> ids;
  std::vector<MarketId> trader_markets;
  std::vector<uint8_t> trader_spread;
  // The markets of the e-mode category (ProtocolMarket::emode_margin).
  std::vector<MarketId> emode_markets;
  for (MarketId m(0); m.raw() < markets; ++m)
    if (c.clearing.market(m).emode_margin) emode_markets.push_back(m);
  for (int i = 0; i < ts.count; ++i) {
    Rng mode_rng(c.scenario.seed, StreamKind::Population, uint64_t(i));
    const MarginMode mode = mode_rng.bernoulli(ts.cross_fraction) ? MarginMode::Cross : MarginMode::Isolated;
    const AccountId a = c.clearing.open_account(AgentRole::Trader, mode, Amount(0));
    if (ts.topup_trigger > 0 && ts.outside_capital > 0)
      c.clearing.set_alert(a, ratio_from_double(ts.topup_trigger));
    // Drawn after the margin mode from the same stream, and only when e-mode is on: runs without it draw
    // exactly what they drew before.
    const bool emode =
        ts.emode_fraction > 0 && !emode_markets.empty() && mode_rng.bernoulli(ts.emode_fraction);
    if (emode) c.clearing.set_emode(a, true);
    ids.push_back(a);
    trader_markets.push_back(emode ? emode_markets[size_t(i) % emode_markets.size()] : MarketId(i % markets));
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
  lp.open_at_start = ts.open_at_start;
  lp.lookback = time_from_seconds(ts.lookback_seconds);
  for (const MarketSpec& ms : c.scenario.markets) {
    lp.lookback_vol_per_year.push_back(ms.price.vol_per_year);
    lp.lookback_drift_per_year.push_back(ms.price.drift_per_year);
  }
  lp.stop_loss_probability = ts.stop_loss_share;
  lp.stop_loss = to_distribution(ts.stop_loss);
  lp.take_profit_probability = ts.take_profit_share;
  lp.take_profit = to_distribution(ts.take_profit);
  lp.deleverage_probability = ts.deleverage_share;
  lp.deleverage_drop = to_distribution(ts.deleverage_drop);
  lp.deleverage_window = time_from_seconds(ts.deleverage_window_seconds);
  lp.deleverage_reduce = ts.deleverage_fraction;
  lp.reentry_delay = time_from_seconds(ts.reentry_delay_seconds);
  lp.max_reentries = ts.max_reentries;
  lp.check_interval = time_from_seconds(ts.check_interval_seconds);
  lp.exit_slippage = ts.exit_slippage;
  lp.preemptive_probability = ts.preemptive_share;
  lp.risk_aversion = ts.risk_aversion;
  lp.preemptive_approach = ts.preemptive_approach;
  lp.preemptive_fraction = ts.preemptive_fraction;
  lp.preemptive_depth_band = ts.preemptive_depth_band;
  lp.preemptive_rule =
      ts.preemptive_rule == "expected_loss" ? PreemptiveRule::ExpectedLoss : PreemptiveRule::OwnLiquidation;
  lp.preemptive_max_loss = ts.preemptive_max_loss;
  lp.heatmap = heatmap_params(c.scenario.liquidation_map);
  for (const TraderGroupSpec& g : c.scenario.trader_groups)
    lp.groups.push_back(
        {uint32_t(g.count), g.preemptive, g.risk_aversion, g.preemptive_approach, g.preemptive_fraction});
  auto traders = std::make_unique<LeveragedTraders>(lp, std::move(ids), std::move(trader_markets),
                                                    std::move(trader_spread), c.scenario.seed);
  if (ts.open_at_start) book_opening_positions(c.clearing, *traders);
  return traders;
}

std::unique_ptr<Population> build_liquidity(const PopulationBuildContext& c) {
  const LiquiditySpec& ls = c.scenario.liquidity;
  std::vector<AccountId> ids;
  std::vector<VenueId> venues;
  std::vector<Quantity> endowment;
  const Quantity coins = quantity_from_double(ls.max_inventory);
  for (VenueId v(0); v.raw() < c.venues.size(); ++v) {
    const bool spot = c.venues[v.raw()].kind == VenueKind::Spot;
    if (c.venues[v.raw()].kind == VenueKind::Amm || (!spot && !ls.on_perpetual))
      continue;  // a pool quotes itself
    for (int k = 0; k < ls.per_venue; ++k) {
      const AccountId a =
          c.clearing.open_account(AgentRole::MarketMaker, MarginMode::Cross, amount_from_double(ls.capital));
      if (spot) c.clearing.ledger().deposit_asset(a, c.venues[v.raw()].base, AssetAmount(coins.raw()));
      ids.push_back(a);
      venues.push_back(v);
      endowment.push_back(spot ? coins : Quantity(0));
    }
  }
  LiquidityParams lp;
  lp.depth_at_1pct = ls.depth_at_1pct;
  lp.depth_exponent = ls.depth_exponent;
  lp.min_distance = ls.min_distance;
  lp.max_distance = ls.max_distance;
  lp.levels = ls.levels;
  lp.refill_half_life = time_from_seconds(ls.refill_half_life_seconds);
  lp.anchor_half_life = time_from_seconds(ls.anchor_half_life_seconds);
  lp.refresh = time_from_seconds(ls.refresh_seconds);
  lp.max_inventory = coins;
  lp.inventory_skew = ls.inventory_skew;
  lp.stress_vol = ls.stress_vol;
  lp.stress_depth = ls.stress_depth;
  lp.vol_half_life = time_from_seconds(ls.vol_window_seconds);
  return std::make_unique<LiquidityProviders>(lp, std::move(ids), std::move(venues), std::move(endowment),
                                              ls.per_venue, c.scenario.seed);
}

std::unique_ptr<Population> build_value_traders(const PopulationBuildContext& c) {
  const ValueTraderSpec& vs = c.scenario.value_traders;
  const Quantity endowment = quantity_from_double(vs.max_position);
  std::vector<AccountId> ids;
  std::vector<MarketId> markets;
  std::vector<std::vector<VenueId>> venues;
  const uint32_t market_count = c.clearing.market_count();
  for (int i = 0; i < vs.count; ++i) {
    // Round robin over the markets that have the venues asked for.
    std::vector<VenueId> mine;
    MarketId m(0);
    for (uint32_t k = 0; k < market_count && mine.empty(); ++k) {
      m = MarketId(uint32_t(i + k) % market_count);
      mine = venues_of(c, m, vs.venues != "spot", vs.venues != "perpetual");
    }
    const AccountId a =
        c.clearing.open_account(AgentRole::NoiseTrader, MarginMode::Cross, amount_from_double(vs.capital));
    endow(c, a, endowment);
    ids.push_back(a);
    markets.push_back(m);
    venues.push_back(std::move(mine));
  }
  ValueTraderParams vp;
  vp.noise_stdev = vs.noise_stdev;
  vp.noise_half_life = time_from_seconds(vs.noise_half_life_seconds);
  vp.aggression = vs.aggression;
  vp.threshold = vs.threshold;
  vp.max_position = endowment;
  vp.max_order = quantity_from_double(vs.max_order);
  vp.mean_interval = time_from_seconds(vs.mean_interval_seconds);
  vp.capital = vs.capital;
  vp.max_drawdown = vs.max_drawdown;
  vp.patience = time_from_seconds(vs.patience_seconds);
  return std::make_unique<ValueTraders>(vp, std::move(ids), std::move(markets), std::move(venues), endowment,
                                        c.scenario.seed);
}

std::unique_ptr<Population> build_arbitrageurs(const PopulationBuildContext& c) {
  const ArbitrageurSpec& as = c.scenario.arbitrageurs;
  const Quantity endowment = quantity_from_double(as.max_inventory);
  std::vector<AccountId> ids;
  std::vector<std::vector<VenueId>> venues;
  const uint32_t market_count = c.clearing.market_count();
  for (int i = 0; i < as.count; ++i) {
    // Round robin over the markets with a second venue (a spot venue or a pool).
    std::vector<VenueId> mine;
    for (uint32_t k = 0; k < market_count && mine.size() < 2; ++k)
      mine = venues_of(c, MarketId(uint32_t(i + k) % market_count), true, true, true);
    const AccountId a =
        c.clearing.open_account(AgentRole::MarketMaker, MarginMode::Cross, amount_from_double(as.capital));
    endow(c, a, endowment);
    ids.push_back(a);
    venues.push_back(std::move(mine));
  }
  ArbitrageurParams ap;
  ap.min_edge = as.min_edge;
  ap.max_inventory = endowment;
  ap.max_order = quantity_from_double(as.max_order);
  ap.interval = time_from_seconds(as.interval_seconds);
  ap.latency_jitter = time_from_seconds(as.latency_jitter_seconds);
  return std::make_unique<Arbitrageurs>(ap, std::move(ids), std::move(venues), endowment, c.scenario.seed);
}

std::unique_ptr<Population> build_hunters(const PopulationBuildContext& c) {
  std::vector<LiquidationHunterParams> groups;
  std::vector<uint32_t> group_of;
  std::vector<AccountId> ids;
  for (const HunterSpec& hs : c.scenario.hunters) {
    LiquidationHunterParams hp;
    hp.market = MarketId(uint32_t(hs.market));
    hp.max_position = quantity_from_double(hs.max_position);
    hp.min_edge = hs.min_edge;
    hp.approach = hs.approach;
    hp.depth_band = hs.depth_band;
    hp.taker_fee = c.scenario.markets[size_t(hs.market)].taker_fee;
    hp.cover_slippage = hs.cover_slippage;
    hp.interval = time_from_seconds(hs.interval_seconds);
    hp.hold = time_from_seconds(hs.hold_seconds);
    hp.cooldown = time_from_seconds(hs.cooldown_seconds);
    hp.hunt_longs = hs.direction != "up";
    hp.hunt_shorts = hs.direction != "down";
    for (int i = 0; i < hs.count; ++i) {
      ids.push_back(
          c.clearing.open_account(AgentRole::Hunter, MarginMode::Cross, amount_from_double(hs.capital)));
      group_of.push_back(uint32_t(groups.size()));
    }
    groups.push_back(hp);
  }
  return std::make_unique<LiquidationHunters>(std::move(groups), std::move(group_of), std::move(ids),
                                              heatmap_params(c.scenario.liquidation_map), c.scenario.seed);
}

constexpr std::array kPopulations = {
    PopulationEntry{"noise", "zero-intelligence limit, market and cancel flow (SFGK 2003)", build_noise},
    PopulationEntry{"market_makers", "inventory-skewed, volatility-widening, hedging quoters", build_makers},
    PopulationEntry{"keepers", "liquidation bots racing in blocks for keeper-driven liquidation",
                    build_keepers},
    PopulationEntry{"traders", "leveraged traders with heterogeneous leverage, margin and top-ups",
                    build_traders},
    PopulationEntry{"liquidity", "resilient power-law depth on the venues (refill and anchor half-lives)",
                    build_liquidity},
    PopulationEntry{"value_traders", "fundamentalists trading toward their noisy view of the fundamental",
                    build_value_traders},
    PopulationEntry{"arbitrageurs", "cross-venue and perpetual-spot arbitrage with finite inventory",
                    build_arbitrageurs},
    PopulationEntry{"hunters", "liquidation hunters pushing the price into public liquidation clusters",
                    build_hunters},
};

}  // namespace

std::span<const PopulationEntry> populations() { return kPopulations; }

}  // namespace liqsim
