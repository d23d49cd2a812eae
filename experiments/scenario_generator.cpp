#include "experiments/scenario_generator.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "core/rng.h"
#include "experiments/scenario_loader.h"
#include "experiments/scenario_schema.h"

namespace liqsim {
namespace {

using namespace schema;

// Draws every field of a spec from its schema range.
class RandomFiller {
 public:
  RandomFiller(Rng& rng, std::string path, double duration)
      : rng_(rng), path_(std::move(path)), duration_(duration) {}

  void number(std::string_view key, double& x, const Range& range, Unit unit = Unit::None,
              Presence = Presence::Optional) {
    double lo = std::isfinite(range.lo) ? range.lo : -1e6;
    double hi = std::isfinite(range.hi) ? range.hi : 1e6;
    // Durations and intervals are kept within a few run lengths so the draw means something.
    if (unit == Unit::Seconds && duration_ > 0) hi = std::min(hi, std::max(lo, 4 * duration_));
    const double step = unit == Unit::None ? 1e-12 : 1.0 / unit_scale(unit).first;
    if (range.lo_open) lo += std::max(step, std::fabs(lo) * 1e-12);
    if (range.hi_open) hi -= std::max(step, std::fabs(hi) * 1e-12);
    if (hi < lo) return;
    const double u = rng_.uniform01();
    if (u < 0.1) {
      x = lo;
    } else if (u < 0.2) {
      x = hi;
    } else if (u < 0.55) {
      // keep the default
    } else if (lo > 0 && hi / lo > 1e3) {
      x = std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * rng_.uniform01());
    } else {
      x = lo + (hi - lo) * rng_.uniform01();
    }
    x = std::clamp(x, lo, hi);
    (void)key;
  }

  template <class Int>
  void integer(std::string_view key, Int& x, int64_t lo, int64_t hi, Presence = Presence::Optional) {
    if (key == "seed") {
      x = static_cast<Int>(rng_.next_u64() >> 1);
      return;
    }
    hi = std::min<int64_t>(hi, lo + 64);  // counts are set by the caller where they matter
    const double u = rng_.uniform01();
    if (u < 0.1) {
      x = static_cast<Int>(lo);
    } else if (u < 0.2) {
      x = static_cast<Int>(hi);
    } else if (u >= 0.55) {
      x = static_cast<Int>(lo + int64_t(rng_.uniform_below(uint64_t(hi - lo + 1))));
    }
  }

  void text(std::string_view, std::string& x, const TextRule& rule) {
    std::vector<std::string_view> choices;
    for (std::string_view c : rule.choices)
      if (c != "replay") choices.push_back(c);
    if (!choices.empty()) x = std::string(choices[rng_.uniform_below(choices.size())]);
  }

  void flag(std::string_view, bool& x) { x = rng_.bernoulli(0.5); }
  void numbers(std::string_view, std::vector<double>&, const Range&) {}  // weights: see repair

  template <class T>
  void table(std::string_view key, T& x) {
    RandomFiller child(rng_, dotted(path_, key), duration_);
    describe(child, x);
  }

  template <class T>
  void tables(std::string_view, std::vector<T>&, const std::vector<T>&) {
  }  // markets, margin tables: see below

  void set_duration(double d) { duration_ = d; }

 private:
  Rng& rng_;
  std::string path_;
  double duration_;
};

double log_uniform(Rng& rng, double lo, double hi) {
  return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * rng.uniform01());
}

void repair_after_cheapening(Scenario& s);

// In one scenario out of `one_in`, one or two groups of an array of tables (`key`), every key drawn, then
// `fix` applied to each (its count, its market).
template <class Spec, class Fix>
void draw_groups(Rng& rng, const Scenario& s, const std::string& key, std::vector<Spec>& groups,
                 uint64_t one_in, Fix fix) {
  if (rng.uniform_below(one_in) != 0) return;
  groups.assign(size_t(1 + rng.uniform_below(2)), Spec{});
  for (size_t g = 0; g < groups.size(); ++g) {
    RandomFiller filler(rng, indexed(key, g), s.duration_seconds);
    describe(filler, groups[g]);
    fix(groups[g]);
  }
}

void repair(Scenario& s, Rng& rng) {
  s.record_interval_seconds = std::min(s.record_interval_seconds, s.duration_seconds);
  if (s.measure_from_seconds >= s.duration_seconds) s.measure_from_seconds = s.duration_seconds / 2;
  for (size_t m = 0; m < s.markets.size(); ++m) {
    MarketSpec& market = s.markets[m];
    std::string symbol(1, 'M');  // built by appending: GCC 12 warns falsely (-Wrestrict) on "M" + ...
    market.symbol = std::move(symbol += std::to_string(m));
    // A power-of-ten tick at most the price, and the price a whole number of ticks.
    const double tick_exponent = std::floor(std::log10(market.initial_price)) - double(rng.uniform_below(7));
    market.tick_size = std::pow(10.0, std::max(-6.0, tick_exponent));
    market.initial_price =
        std::max(1.0, std::round(market.initial_price / market.tick_size)) * market.tick_size;
    if (market.shock.start_seconds >= s.duration_seconds) market.shock.start_seconds = s.duration_seconds / 2;
    PriceProcessSpec& price = market.price;
    if (price.garch_alpha + price.garch_beta >= 1) price.garch_beta = 0.99 * (1 - price.garch_alpha);
    price.garch_interval_seconds =
        std::max(1.0, std::floor(price.garch_interval_seconds / price.step_seconds)) * price.step_seconds;
    market.mark.basis_window_seconds =
        std::max(market.mark.basis_window_seconds, market.mark.basis_sample_interval_seconds);
    market.funding.premium_sample_interval_seconds =
        std::min(market.funding.premium_sample_interval_seconds, market.funding.interval_seconds);
    market.index.weights.clear();
    if (rng.bernoulli(0.3)) {
      for (int v = 0; v < market.index.venues; ++v)
        market.index.weights.push_back(rng.bernoulli(0.2) ? 0.001 : log_uniform(rng, 0.001, 1e6));
    }
    // Aave's mechanism reads every market's reserve configuration (the loader's check).
    if (s.liquidation.mechanism == AaveV3Spec::kName)
      market.margin.model = std::string(AaveV3ReserveMarginSpec::kModel);
    randomize_margin_model(market.margin, rng);
    // A concentrated pool's fee in whole pips (Uniswap v3).
    if (market.amm.kind == "concentrated")
      market.amm.fee = std::max(1.0, std::round(market.amm.fee * 1e6)) / 1e6;
  }
  LeveragedTraderSpec& t = s.traders;
  if (t.entry_end_seconds < t.entry_start_seconds) std::swap(t.entry_start_seconds, t.entry_end_seconds);
  const auto bound = [&](DistributionSpec& d, double lo, double hi) {
    for (double* x : {&d.mean, &d.min, &d.max}) *x = std::clamp(*x, lo, hi);
    if (d.max < d.min) std::swap(d.min, d.max);
    if (d.kind == "lognormal") d.stdev = std::clamp(d.stdev, d.mean * 1e-3, 100 * d.mean);
  };
  bound(t.leverage, 0.01, 1000);
  bound(t.stop_loss, 0.001, 0.99);
  bound(t.take_profit, 0.001, 10);
  bound(t.deleverage_drop, 0.001, 0.99);
  bound(t.margin, 1, std::max(1.0, std::min(1e9, kMaxOrderNotional / t.leverage.max)));
  double highest_price = 0;
  for (const MarketSpec& market : s.markets) highest_price = std::max(highest_price, market.initial_price);
  s.noise.order_size = std::min(
      {s.noise.order_size, kMaxOrderNotional / highest_price, 1e10 / (200.0 * std::max(1, s.noise.count))});
  s.market_makers.level_size =
      std::min({s.market_makers.level_size, kMaxOrderNotional / highest_price,
                1e10 / (double(std::max(1, s.market_makers.count)) * s.market_makers.levels)});
  // Makers sized in dollars in some draws: at most what the lowest price turns into representable coins
  // (the loader's checks).
  double lowest_price = highest_price;
  for (const MarketSpec& market : s.markets) lowest_price = std::min(lowest_price, market.initial_price);
  if (rng.bernoulli(0.7)) {
    s.market_makers.level_notional = 0;
    s.market_makers.max_inventory_notional = 0;
  } else {
    const double resting = 1e10 / (double(std::max(1, s.market_makers.count)) * s.market_makers.levels);
    s.market_makers.level_notional = std::min(
        {s.market_makers.level_notional, 0.5 * kMaxCoins * lowest_price, 0.5 * resting * lowest_price});
    s.market_makers.max_inventory_notional =
        std::min(s.market_makers.max_inventory_notional, 0.5 * kMaxCoins * lowest_price);
  }
  // At most $5e11 of money in all: shrink the largest capital until it fits.
  for (int k = 0; k < 64; ++k) {
    double total = 0;
    for (const auto& [key, dollars] : scenario_money(s)) total += dollars;
    if (total <= 5e11) break;
    double* largest = &s.noise.capital;
    double largest_money = s.noise.count * s.noise.capital;
    for (auto [capital, count] : {std::pair<double*, double>{&s.market_makers.capital, s.market_makers.count},
                                  {&s.keepers.capital, s.keepers.count}}) {
      if (*capital * count > largest_money) {
        largest = capital;
        largest_money = *capital * count;
      }
    }
    if (s.liquidation.insurance_fund > largest_money) {
      largest = &s.liquidation.insurance_fund;
      largest_money = s.liquidation.insurance_fund;
    }
    if (s.traders.count * t.margin.max * (1 + t.outside_capital) > largest_money) {
      t.margin.max = std::max(1.0, t.margin.max / 10);
      t.margin.min = std::min(t.margin.min, t.margin.max);
      t.margin.mean = std::clamp(t.margin.mean, t.margin.min, t.margin.max);
      if (t.margin.kind == "lognormal")
        t.margin.stdev = std::clamp(t.margin.stdev, t.margin.mean * 1e-3, 100 * t.margin.mean);
      continue;
    }
    *largest = std::max(1.0, *largest / 10);
  }
  if (s.keepers.bidding == "adaptive")
    s.keepers.priority_fee_min = std::max(s.keepers.priority_fee_min, 1e-6);
  if (s.keepers.priority_fee_max < s.keepers.priority_fee_min)
    std::swap(s.keepers.priority_fee_min, s.keepers.priority_fee_max);
  // The gas path: a spike inside the run, its ramps within its duration (a little under half, so the
  // nanosecond rounding keeps two ramps inside), its top fee within $1e12.
  KeeperLiquidationSpec& keeper = s.liquidation.get<KeeperLiquidationSpec>();
  GasPathSpec& gas = keeper.gas;
  if (gas.spike_start_seconds >= s.duration_seconds) gas.spike_start_seconds = s.duration_seconds / 2;
  gas.spike_ramp_seconds = std::min(gas.spike_ramp_seconds, gas.spike_duration_seconds * 0.499);
  if (gas.spike_multiple * keeper.gas_price > kMaxDollars)
    gas.spike_multiple = kMaxDollars / keeper.gas_price;
  // Maker's cross-field rules (the loader's checks): dust <= hole, a stairstep tail of at least one step,
  // a Flipper auction at least as long as one bid; at most as many lowballers as keepers.
  MakerClipSpec& clip = s.liquidation.get<MakerClipSpec>();
  clip.dust = std::min(clip.dust, clip.hole);
  clip.tail_seconds = std::max(clip.tail_seconds, clip.step_seconds);
  MakerFlipSpec& flip = s.liquidation.get<MakerFlipSpec>();
  flip.tau_seconds = std::max(flip.tau_seconds, flip.ttl_seconds);
  for (MakerFlopSpec* flop : {&clip.flop, &flip.flop})
    flop->tau_seconds = std::max(flop->tau_seconds, flop->ttl_seconds);
  s.keepers.lowball_count = std::min(s.keepers.lowball_count, s.keepers.count);
  repair_after_cheapening(s);
  // A keeper's bonus is at most every market's lowest maintenance rate (the loader's check).
  if (s.liquidation.mechanism == KeeperLiquidationSpec::kName) {
    double& bonus = s.liquidation.get<KeeperLiquidationSpec>().bonus;
    for (const MarketSpec& market : s.markets)
      if (const std::optional<Ratio> rate = min_maintenance_rate(market.margin))
        bonus = std::min(bonus, to_double(*rate));
  }
}

// The rules a draw, or cheapen()'s longer intervals, can still break: a record interval scaled below
// 1 ms, an index over spot venues a market does not have, a gas ramp that rounds to 0 ns, orders of
// value traders and arbitrageurs worth more than $1e8, a GARCH interval that is no longer a multiple
// of its price step. Without this most draws were invalid and fell back to one fixed scenario.
void repair_after_cheapening(Scenario& s) {
  // The second schema walk redraws the duration too: at least a second, as the first draw.
  s.duration_seconds = std::max(s.duration_seconds, 1.0);
  // Trader groups are slices of the traders, whose count cheapening may have cut (the loader's check).
  int left = s.traders.count;
  for (TraderGroupSpec& g : s.trader_groups) {
    g.count = std::min(g.count, left);
    left -= g.count;
  }
  s.record_interval_seconds = std::clamp(s.record_interval_seconds, kMinInterval, s.duration_seconds);
  double highest_price = 0;
  for (MarketSpec& market : s.markets) {
    highest_price = std::max(highest_price, market.initial_price);
    if (market.index.source == "spot_venues" && market.spot.venues == 0) market.index.source = "exogenous";
    PriceProcessSpec& price = market.price;
    price.garch_interval_seconds =
        std::max(1.0, std::floor(price.garch_interval_seconds / price.step_seconds)) * price.step_seconds;
    if (price.garch_interval_seconds > 86400) price.model = "gbm";
  }
  GasPathSpec& gas = s.liquidation.get<KeeperLiquidationSpec>().gas;
  if (time_from_seconds(gas.spike_ramp_seconds) == Time(0)) gas.spike_ramp_seconds = 0;
  // Populations that need spot venues, when no market has one.
  const bool spot = std::any_of(s.markets.begin(), s.markets.end(),
                                [](const MarketSpec& market) { return market.spot.venues > 0; });
  if (!spot) {
    if (!s.liquidity.on_perpetual) s.liquidity.per_venue = 0;
    s.arbitrageurs.count = 0;
    if (s.value_traders.venues == "spot") s.value_traders.venues = "perpetual";
    s.market_makers.hedge_venue = "outside";
  }
  if (s.liquidity.max_distance <= s.liquidity.min_distance)
    s.liquidity.max_distance = std::min(0.89, s.liquidity.min_distance * 2 + 1e-6);
  if (s.keepers.bidding == "adaptive")
    s.keepers.priority_fee_min = std::max(s.keepers.priority_fee_min, 1e-6);
  s.keepers.priority_fee_max = std::max(s.keepers.priority_fee_max, s.keepers.priority_fee_min);
  // Maker's per-auction limits large enough for the run to hold its auctions (the loader's check, 1e6).
  const auto largest = [](const DistributionSpec& d) { return d.kind == "fixed" ? d.mean : d.max; };
  const double vault = largest(s.traders.margin) * largest(s.traders.leverage) * 2;   // x chop < 2
  const double floor_limit = vault * std::max(100.0, double(s.traders.count)) / 1e5;  // <= 1000 per vault
  MakerFlipSpec& flip_spec = s.liquidation.get<MakerFlipSpec>();
  MakerClipSpec& clip_spec = s.liquidation.get<MakerClipSpec>();
  flip_spec.dunk = std::min(kMaxDollars, std::max(flip_spec.dunk, floor_limit));
  clip_spec.hole = std::min(kMaxDollars, std::max(clip_spec.hole, floor_limit));
  clip_spec.dust = std::min(clip_spec.dust, clip_spec.hole);
  if (flip_spec.lump > 0) {
    double lowest_price = kMaxDollars;
    for (const MarketSpec& market : s.markets) lowest_price = std::min(lowest_price, market.initial_price);
    flip_spec.lump = std::min(1e9, std::max(flip_spec.lump, floor_limit / 2 / (lowest_price / 4)));
  }
  // Synthetix's keeper fee floor at most its cap (the loader's check).
  SynthetixSpec& snx = s.liquidation.get<SynthetixSpec>();
  if (snx.min_keeper_fee > snx.max_keeper_fee) std::swap(snx.min_keeper_fee, snx.max_keeper_fee);
  // Drift's fees below 100% together and the fee cap at or above the fee (the loader's checks).
  DriftSpec& drift = s.liquidation.get<DriftSpec>();
  drift.liquidator_fee = std::min(drift.liquidator_fee, 0.99);
  if (drift.liquidator_fee + drift.if_liquidation_fee >= 0.999)
    drift.if_liquidation_fee = 0.5 * (1 - drift.liquidator_fee);
  drift.max_liquidator_fee = std::max(drift.max_liquidator_fee, drift.liquidator_fee);
  // dYdX's block time (the loader's check).
  EngineLiquidationSpec& engine = s.liquidation.get<EngineLiquidationSpec>();
  if (engine.sequence == "dydx") engine.cooldown_seconds = std::max(engine.cooldown_seconds, kMinInterval);
  // Comet's borrowCF < liquidateCF: an initial ratio above the liquidation ratio (the loader's check).
  if (s.liquidation.mechanism == CompoundV3Spec::kName) {
    for (MarketSpec& market : s.markets) {
      if (market.margin.model != CollateralRatioMarginSpec::kModel) continue;
      CollateralRatioMarginSpec& cr = market.margin.get<CollateralRatioMarginSpec>();
      if (ratio_from_double(cr.initial_ratio) <= ratio_from_double(cr.liquidation_ratio)) {
        cr.liquidation_ratio = std::min(cr.liquidation_ratio, 99.0);
        cr.initial_ratio = std::min(100.0, cr.liquidation_ratio * 1.1);
      }
    }
  }
  // Keepers unwind on a pool only where every market has one (the loader's check).
  for (const MarketSpec& market : s.markets)
    if (market.amm.reserve <= 0) s.keepers.unwind_venue = "book";
  // Flash loans with the mechanisms that quote what they execute (the loader's check).
  if (s.liquidation.mechanism != KeeperLiquidationSpec::kName &&
      s.liquidation.mechanism != AaveV3Spec::kName) {
    s.keepers.flash_loan = false;
    for (KeeperGroupSpec& g : s.keeper_groups) g.flash_loan = false;
  }
  // The book valuation with a book unwind (the loader's check).
  if (s.keepers.unwind_venue != "book") s.keepers.unwind_valuation = "mark";
  // E-mode traders need a market of the e-mode category (the loader's check).
  bool category = false;
  for (const MarketSpec& market : s.markets)
    category = category || build_emode_margin_model(market.margin).has_value();
  if (!category) s.traders.emode_fraction = 0;
  s.value_traders.max_order = std::min(s.value_traders.max_order, 0.99 * kMaxOrderNotional / highest_price);
  s.arbitrageurs.max_order = std::min(s.arbitrageurs.max_order, 0.99 * kMaxOrderNotional / highest_price);
}

// Moves one cost knob to its cheap side; returns false when nothing is left to cheapen.
bool cheapen(Scenario& s, Rng& rng) {
  const auto longer = [](double& interval, double hi) {
    if (interval >= hi) return false;
    interval = std::min(hi, interval * 10);
    return true;
  };
  const auto fewer = [](auto& x) {
    if (x <= 0) return false;
    x = x / 4;
    return true;
  };
  for (int attempt = 0; attempt < 64; ++attempt) {
    MarketSpec& m = s.markets[rng.uniform_below(s.markets.size())];
    switch (rng.uniform_below(15)) {
      case 0:
        if (longer(s.record_interval_seconds, s.duration_seconds)) return true;
        break;
      case 1:
        if (longer(m.price.step_seconds, 3600)) return true;
        break;
      case 2:
        if (longer(m.index.update_interval_seconds, 3600)) return true;
        break;
      case 3:
        if (longer(m.mark.update_interval_seconds, 60)) return true;
        break;
      case 4:
        if (longer(m.mark.basis_sample_interval_seconds, 60)) {
          m.mark.basis_window_seconds =
              std::max(m.mark.basis_window_seconds, m.mark.basis_sample_interval_seconds);
          return true;
        }
        break;
      case 5:
        if (longer(m.oracle.heartbeat_seconds, 3.2e7)) return true;
        break;
      case 6:
        if (longer(m.funding.premium_sample_interval_seconds, m.funding.interval_seconds)) return true;
        break;
      case 7:
        if (longer(m.funding.interval_seconds, 86400 * 7)) return true;
        break;
      case 8:
        if (fewer(s.noise.count)) return true;
        break;
      case 9: {
        // All three rates at once: each call must run.
        const bool limit = fewer(s.noise.limit_rate);
        const bool market = fewer(s.noise.market_rate);
        const bool cancel = fewer(s.noise.cancel_rate);
        if (limit || market || cancel) return true;
        break;
      }
      case 10:
        if (longer(s.market_makers.requote_seconds, 3.2e7)) return true;
        break;
      case 11:
        if (fewer(s.market_makers.count)) return true;
        break;
      case 12:
        if (longer(s.liquidation.get<KeeperLiquidationSpec>().block_interval_seconds, 3.2e7)) return true;
        break;
      case 13:
        if (fewer(s.traders.count)) return true;
        break;
      case 14: {
        EngineLiquidationSpec& engine = s.liquidation.get<EngineLiquidationSpec>();
        if (engine.sequence == "dydx" && longer(engine.cooldown_seconds, 3600)) return true;
        break;
      }
    }
  }
  return false;
}

}  // namespace

Scenario random_scenario(uint64_t seed, const RandomScenarioOptions& options) {
  for (uint64_t attempt = 0; attempt < 64; ++attempt) {
    Rng rng(seed, StreamKind::SweepDesign, attempt);
    Scenario s;
    s.name = "random-" + std::to_string(seed);
    RandomFiller filler(rng, "", 0);
    describe(filler, s);
    s.duration_seconds = log_uniform(rng, 1, options.max_duration_seconds);
    s.record_interval_seconds = std::min(s.record_interval_seconds, s.duration_seconds);
    filler.set_duration(s.duration_seconds);
    describe(filler, s);  // again, with intervals scaled to the drawn duration
    // The mechanism in turn by seed, so that any run of consecutive seeds as long as the registry draws
    // every one (a uniform draw misses one of 14 in 30 scenarios more often than not).
    const auto& mechanisms = liquidation_mechanisms();
    s.liquidation.mechanism = std::string(mechanisms[size_t(seed % mechanisms.size())].name);
    s.duration_seconds = std::min(s.duration_seconds, options.max_duration_seconds);
    s.traders.count = int(rng.uniform_below(uint64_t(options.max_traders) + 1));
    s.noise.count = int(rng.uniform_below(41));
    s.market_makers.count = int(rng.uniform_below(9));
    s.keepers.count = int(rng.uniform_below(21));
    const int markets = 1 + int(rng.uniform_below(uint64_t(options.max_markets)));
    s.markets.assign(size_t(markets), MarketSpec{});
    for (size_t m = 0; m < s.markets.size(); ++m) {
      RandomFiller market_filler(rng, indexed("markets", m), s.duration_seconds);
      describe(market_filler, s.markets[m]);
      if (s.markets[m].price.model == "replay") s.markets[m].price.model = "gbm";
    }
    // Liquidation hunters in a third of the scenarios, one or two groups of at most three.
    draw_groups(rng, s, "hunters", s.hunters, 3, [&](HunterSpec& h) {
      h.count = int(rng.uniform_below(4));
      h.market = int(rng.uniform_below(s.markets.size()));
    });
    // The options venue in a third of the scenarios, small: its other keys as drawn.
    s.options.enabled = rng.uniform_below(3) == 0;
    s.options.market = int(rng.uniform_below(s.markets.size()));
    s.options.makers = 1 + int(rng.uniform_below(3));
    s.options.writers = int(rng.uniform_below(41));
    s.options.writer_capital = std::min(s.options.writer_capital, 1e7);
    s.options.maker_capital = std::min(s.options.maker_capital, 1e9);
    s.options.expiries_days = {s.duration_seconds / 86400.0 + 1.0 + double(rng.uniform_below(30))};
    // Keeper groups in a quarter of the scenarios, one or two of at most three keepers; trader groups in a
    // quarter, one or two slices of the traders.
    draw_groups(rng, s, "keeper_groups", s.keeper_groups, 4,
                [&](KeeperGroupSpec& g) { g.count = int(rng.uniform_below(4)); });
    draw_groups(rng, s, "trader_groups", s.trader_groups, 4, [&](TraderGroupSpec& g) {
      g.count = int(rng.uniform_below(uint64_t(s.traders.count) / 2 + 1));
    });
    s.limits.max_events = options.max_events;
    repair(s, rng);
    for (int k = 0; k < 200 && estimate_run_cost(s).events > options.max_events; ++k) {
      if (!cheapen(s, rng)) break;
    }
    repair_after_cheapening(s);
    if (validate_scenario(s).empty()) return s;
  }
  Scenario fallback;
  fallback.name = "random-" + std::to_string(seed) + "-fallback";
  fallback.duration_seconds = 600;
  fallback.traders.count = 100;
  fallback.markets = {MarketSpec{}};
  fallback.limits.max_events = options.max_events;
  return fallback;
}

}  // namespace liqsim
