#include "experiments/scenario_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include "experiments/margin_models.h"
#include "experiments/presets.h"
#include "protocol/tiered_margin.h"

namespace liqsim {
namespace {

// Field-by-field equality (scenario.h declares no operator==), so the round trip test fails when
// to_toml forgets a field.
auto fields(const BracketSpec& s) {
  return std::tie(s.notional_floor, s.notional_cap, s.maintenance_rate, s.initial_rate);
}
auto fields(const HyperliquidTierSpec& s) { return std::tie(s.lower_bound, s.max_leverage); }
auto fields(const DydxMarginSpec& s) { return std::tie(s.initial_margin_ppm, s.maintenance_fraction_ppm); }
auto fields(const CollateralRatioMarginSpec& s) { return std::tie(s.liquidation_ratio, s.initial_ratio); }
auto fields(const AaveV3ReserveMarginSpec& s) {
  return std::tie(s.ltv, s.liquidation_threshold, s.liquidation_bonus, s.liquidation_protocol_fee,
                  s.emode_ltv, s.emode_liquidation_threshold, s.emode_liquidation_bonus);
}
auto fields(const PriceProcessSpec& s) {
  return std::tie(s.model, s.drift_per_year, s.vol_per_year, s.step_seconds, s.jump_intensity_per_year,
                  s.jump_mean_log, s.jump_stdev_log, s.garch_alpha, s.garch_beta, s.garch_interval_seconds,
                  s.innovations, s.student_t_dof, s.replay_file, s.time_column, s.price_column,
                  s.time_unit_seconds, s.interpolation, s.rescale_to_initial);
}
auto fields(const ShockSpec& s) {
  return std::tie(s.enabled, s.start_seconds, s.duration_seconds, s.fall_fraction, s.recovery_seconds,
                  s.recovery_fraction);
}
auto fields(const IndexSpec& s) {
  return std::tie(s.source, s.venues, s.noise_stdev, s.noise_half_life_seconds, s.stale_probability,
                  s.outlier_threshold, s.update_interval_seconds, s.weights);
}
auto fields(const SpotSpec& s) { return std::tie(s.venues, s.taker_fee, s.maker_fee); }
auto fields(const OracleSpec& s) { return std::tie(s.heartbeat_seconds, s.deviation, s.delay_seconds); }
auto fields(const MarkSpec& s) {
  return std::tie(s.method, s.update_interval_seconds, s.basis_window_seconds,
                  s.basis_sample_interval_seconds);
}
auto fields(const FundingSpec& s) {
  return std::tie(s.enabled, s.interval_seconds, s.interest_rate, s.clamp, s.cap,
                  s.premium_sample_interval_seconds, s.impact_notional);
}
auto fields(const EngineLiquidationSpec& s) {
  return std::tie(s.sequence, s.step_fraction, s.full_close_below_notional, s.cooldown_seconds,
                  s.max_slippage, s.clearance_fee, s.adl_ranking);
}
auto fields(const GasPathSpec& s) {
  return std::tie(s.path, s.spike_start_seconds, s.spike_duration_seconds, s.spike_ramp_seconds,
                  s.spike_multiple, s.replay_file, s.time_column, s.price_column, s.time_unit_seconds,
                  s.price_unit, s.interpolation, s.gas_per_transaction, s.eth_price, s.eth_price_market);
}
auto fields(const KeeperLiquidationSpec& s) {
  return std::tuple_cat(
      std::tie(s.close_factor, s.bonus, s.close_factor_full_below_health, s.block_interval_seconds,
               s.gas_price, s.full_close_below_notional, s.max_transactions_per_block),
      fields(s.gas), std::tie(s.absorb_bankrupt, s.absorb_max_slippage));
}
auto fields(const NoiseTraderSpec& s) {
  return std::tie(s.count, s.limit_rate, s.market_rate, s.cancel_rate, s.order_size, s.price_range_ticks,
                  s.capital);
}
auto fields(const MarketMakerSpec& s) {
  return std::tie(s.count, s.half_spread, s.levels, s.level_spacing, s.level_size, s.requote_seconds,
                  s.inventory_skew, s.max_inventory, s.vol_window_seconds, s.vol_widening, s.stress_vol,
                  s.capital, s.hedge_half_life_seconds, s.hedge_venue, s.hedge_max_slippage, s.level_notional,
                  s.max_inventory_notional);
}
auto fields(const LiquiditySpec& s) {
  return std::tie(s.per_venue, s.on_perpetual, s.depth_at_1pct, s.depth_exponent, s.min_distance,
                  s.max_distance, s.levels, s.refill_half_life_seconds, s.anchor_half_life_seconds,
                  s.refresh_seconds, s.max_inventory, s.inventory_skew, s.capital);
}
auto fields(const ValueTraderSpec& s) {
  return std::tie(s.count, s.venues, s.noise_stdev, s.noise_half_life_seconds, s.aggression, s.threshold,
                  s.max_position, s.max_order, s.mean_interval_seconds, s.capital);
}
auto fields(const ArbitrageurSpec& s) {
  return std::tie(s.count, s.min_edge, s.max_inventory, s.max_order, s.interval_seconds,
                  s.latency_jitter_seconds, s.capital);
}
auto fields(const DistributionSpec& s) { return std::tie(s.kind, s.mean, s.stdev, s.min, s.max); }
auto fields(const KeeperSpec& s) {
  return std::tie(s.count, s.capital, s.latency_seconds, s.latency_jitter_seconds, s.priority_fee_min,
                  s.priority_fee_max, s.min_profit, s.sell_rule, s.twap_seconds, s.twap_slices, s.bidding,
                  s.bid_raise, s.bid_decay);
}

template <class T>
bool same(const T& a, const T& b) {
  return fields(a) == fields(b);
}

template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same(a[i], b[i])) return false;
  }
  return true;
}

// The model and the chosen model's keys (the others are neither read nor written).
bool same(const MarginSpec& a, const MarginSpec& b) {
  if (a.model != b.model) return false;
  if (a.model == BinanceTieredMarginSpec::kModel)
    return same(a.get<BinanceTieredMarginSpec>().brackets, b.get<BinanceTieredMarginSpec>().brackets);
  if (a.model == HyperliquidMarginSpec::kModel)
    return same(a.get<HyperliquidMarginSpec>().tiers, b.get<HyperliquidMarginSpec>().tiers);
  if (a.model == DydxMarginSpec::kModel) return same(a.get<DydxMarginSpec>(), b.get<DydxMarginSpec>());
  if (a.model == CollateralRatioMarginSpec::kModel)
    return same(a.get<CollateralRatioMarginSpec>(), b.get<CollateralRatioMarginSpec>());
  if (a.model == AaveV3ReserveMarginSpec::kModel)
    return same(a.get<AaveV3ReserveMarginSpec>(), b.get<AaveV3ReserveMarginSpec>());
  ADD_FAILURE() << "a margin model without a comparison here: " << a.model;
  return false;
}

bool same(const MarketSpec& a, const MarketSpec& b) {
  if (!same(a.margin, b.margin)) return false;
  return std::tie(a.symbol, a.tick_size, a.initial_price, a.taker_fee, a.maker_fee, a.depth_band) ==
             std::tie(b.symbol, b.tick_size, b.initial_price, b.taker_fee, b.maker_fee, b.depth_band) &&
         same(a.price, b.price) && same(a.shock, b.shock) && same(a.index, b.index) && same(a.spot, b.spot) &&
         same(a.oracle, b.oracle) && same(a.mark, b.mark) && same(a.funding, b.funding);
}

bool same(const Scenario& a, const Scenario& b) {
  if (a.markets.size() != b.markets.size()) return false;
  for (size_t i = 0; i < a.markets.size(); ++i) {
    if (!same(a.markets[i], b.markets[i])) return false;
  }
  const LeveragedTraderSpec& t = a.traders;
  const LeveragedTraderSpec& u = b.traders;
  return std::tie(a.name, a.seed, a.duration_seconds, a.measure_from_seconds, a.record_interval_seconds,
                  a.same_time_order,
                  a.source_dir) == std::tie(b.name, b.seed, b.duration_seconds, b.measure_from_seconds,
                                            b.record_interval_seconds, b.same_time_order, b.source_dir) &&
         a.liquidation.mechanism == b.liquidation.mechanism &&
         a.liquidation.insurance_fund == b.liquidation.insurance_fund &&
         same(a.liquidation.get<EngineLiquidationSpec>(), b.liquidation.get<EngineLiquidationSpec>()) &&
         same(a.liquidation.get<KeeperLiquidationSpec>(), b.liquidation.get<KeeperLiquidationSpec>()) &&
         same(a.noise, b.noise) && same(a.market_makers, b.market_makers) && same(a.keepers, b.keepers) &&
         same(a.liquidity, b.liquidity) && same(a.value_traders, b.value_traders) &&
         same(a.arbitrageurs, b.arbitrageurs) && t.emode_fraction == u.emode_fraction &&
         std::tie(t.count, t.long_fraction, t.cross_fraction, t.entry_start_seconds, t.entry_end_seconds,
                  t.topup_trigger, t.topup_fraction, t.outside_capital, t.topup_cooldown_seconds) ==
             std::tie(u.count, u.long_fraction, u.cross_fraction, u.entry_start_seconds, u.entry_end_seconds,
                      u.topup_trigger, u.topup_fraction, u.outside_capital, u.topup_cooldown_seconds) &&
         same(t.leverage, u.leverage) && same(t.margin, u.margin);
}

Scenario load_ok(std::string_view text, const std::string& source_dir = "/nonexistent-liqsim-dir") {
  ScenarioResult result = load_scenario_text(text, "test", source_dir);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&result)) {
    std::string all;
    for (const ScenarioError& e : *errors) all += e.message() + "\n";
    ADD_FAILURE() << "unexpected errors:\n" << all;
    return {};
  }
  return std::get<Scenario>(result);
}

std::vector<ScenarioError> load_errors(std::string_view text, const std::string& source_dir = ".") {
  ScenarioResult result = load_scenario_text(text, "test", source_dir);
  if (std::holds_alternative<Scenario>(result)) {
    ADD_FAILURE() << "expected errors for:\n" << text;
    return {};
  }
  return std::get<std::vector<ScenarioError>>(result);
}

std::string all_messages(const std::vector<ScenarioError>& errors) {
  std::string all;
  for (const ScenarioError& e : errors) all += e.message() + "\n";
  return all;
}

TEST(ScenarioLoader, EmptyTextGivesTheDefaults) {
  const Scenario s = load_ok("");
  Scenario expected;
  expected.source_dir = "/nonexistent-liqsim-dir";
  expected.markets = {MarketSpec{}};
  EXPECT_TRUE(same(s, expected)) << to_toml(s);
  EXPECT_EQ(s.markets.size(), 1u);
  EXPECT_EQ(s.traders.count, 10000);
  EXPECT_EQ(s.liquidation.mechanism, "engine");
}

TEST(ScenarioLoader, DefaultBracketsAreTheLegacyBinanceTable) {
  // /work/shared/reference/protocols.md 1.1, vector #4: legacy BTCUSDT tiers and their maintenance
  // amounts cum_k = cum_{k-1} + floor_k * (MMR_k - MMR_{k-1}) = 0, 50, 1300, 16300, 141300 (abs 1e-6).
  const std::vector<BracketSpec> brackets = default_brackets();
  ASSERT_EQ(brackets.size(), 5u);
  const double caps[] = {50e3, 250e3, 1e6, 5e6, 20e6};
  const double maintenance[] = {0.004, 0.005, 0.01, 0.025, 0.05};
  const double initial[] = {0.008, 0.01, 0.02, 0.05, 0.10};
  const double expected_cum[] = {0, 50, 1300, 16300, 141300};
  double cum = 0;
  for (size_t k = 0; k < brackets.size(); ++k) {
    EXPECT_EQ(brackets[k].notional_floor, k == 0 ? 0 : caps[k - 1]);
    EXPECT_EQ(brackets[k].notional_cap, caps[k]);
    EXPECT_EQ(brackets[k].maintenance_rate, maintenance[k]);
    EXPECT_EQ(brackets[k].initial_rate, initial[k]);
    if (k > 0)
      cum += brackets[k].notional_floor * (brackets[k].maintenance_rate - brackets[k - 1].maintenance_rate);
    EXPECT_NEAR(cum, expected_cum[k], 1e-6);
  }
}

TEST(ScenarioLoader, MarketWithoutBracketsGetsTheDefaultTable) {
  const Scenario s = load_ok("[[markets]]\nsymbol = \"ETH-PERP\"\ninitial_price = 3000\ntick_size = 0.01\n");
  ASSERT_EQ(s.markets.size(), 1u);
  EXPECT_EQ(s.markets[0].symbol, "ETH-PERP");
  EXPECT_EQ(s.markets[0].margin.model, "binance_tiered");
  EXPECT_EQ(s.markets[0].margin.get<BinanceTieredMarginSpec>().brackets.size(), 5u);
}

TEST(ScenarioLoader, IntegersAreAcceptedForFloats) {
  const Scenario s = load_ok("duration_seconds = 7200\n[[markets]]\n[markets.price]\nvol_per_year = 1\n");
  EXPECT_EQ(s.duration_seconds, 7200.0);
  EXPECT_EQ(s.markets[0].price.vol_per_year, 1.0);
}

TEST(ScenarioLoader, DottedAndInlineTablesAreAccepted) {
  const Scenario s = load_ok(
      "liquidation.mechanism = \"keeper\"\n"
      "traders = { count = 7, leverage = { kind = \"fixed\", mean = 5 } }\n");
  EXPECT_EQ(s.liquidation.mechanism, "keeper");
  EXPECT_EQ(s.traders.count, 7);
  EXPECT_EQ(s.traders.leverage.kind, "fixed");
  EXPECT_EQ(s.traders.leverage.mean, 5.0);
}

TEST(ScenarioLoader, DefaultScenarioRoundTrips) {
  const Scenario s = load_ok("");
  const std::string text = to_toml(s);
  const Scenario back = load_ok(text);
  EXPECT_TRUE(same(s, back));
  EXPECT_EQ(to_toml(back), text);
}

Scenario every_field_changed() {
  Scenario s;
  s.name = "round \"trip\" \\ test";
  s.seed = 9'000'000'000'000'000'000ull;
  s.duration_seconds = 12345.678;
  s.measure_from_seconds = 1234.5678;
  s.record_interval_seconds = 0.1 + 0.2;
  s.same_time_order = "priority_fee";
  s.source_dir = "/nonexistent-liqsim-dir";
  s.liquidation.mechanism = "keeper";
  s.liquidation.insurance_fund = 1.0 / 3.0;
  EngineLiquidationSpec& engine = s.liquidation.get<EngineLiquidationSpec>();
  engine.sequence = "bitmex";
  engine.clearance_fee = 0.0125;
  engine.step_fraction = 0.25;
  engine.full_close_below_notional = 5e4;
  engine.cooldown_seconds = 12.5;
  engine.max_slippage = 0.07;
  KeeperLiquidationSpec& keeper = s.liquidation.get<KeeperLiquidationSpec>();
  keeper.close_factor = 1.0;
  keeper.bonus = 0.0075;  // at most the first bracket's maintenance rate (0.01) below
  keeper.close_factor_full_below_health = 0.9;
  keeper.block_interval_seconds = 12.0;
  keeper.gas_price = 0.35;
  keeper.max_transactions_per_block = 3;
  keeper.absorb_bankrupt = false;
  keeper.absorb_max_slippage = 0.02;
  keeper.gas = {"spike", 600, 1200,  300,      6.5,    "gas.csv", "t",
                "wei",   60,  "wei", "linear", 250000, 150.25,    "SOL-PERP"};
  s.noise = {33, 1.5, 0.25, 0.125, 0.01, 321, 7e6};
  s.market_makers = {7, 0.0003, 9, 0.00031, 2.5, 0.75, 0.001, 40, 90, 15, 0.003, 1.2345678901234567e7};
  s.market_makers.hedge_half_life_seconds = 321;
  s.market_makers.hedge_venue = "spot";
  s.market_makers.hedge_max_slippage = 0.0125;
  s.market_makers.level_notional = 25'000.5;
  s.market_makers.max_inventory_notional = 2.5e6;
  s.liquidity = {3, true, 25.5, 0.6, 0.0003, 0.04, 12, 15, 45, 2, 150, 0.02, 3e7};
  s.value_traders = {17, "all", 0.003, 1800, 1500, 0.0007, 40, 4, 20, 8e6};
  s.arbitrageurs = {4, 0.0004, 150, 8, 2, 0.5, 4e7};
  s.traders.count = 1234;
  s.traders.long_fraction = 0.55;
  s.traders.cross_fraction = 0.45;
  s.traders.leverage = {"uniform", 12, 6, 3, 40};
  s.traders.margin = {"fixed", 2500, 1, 200, 9000};
  s.traders.entry_start_seconds = 10;
  s.traders.entry_end_seconds = 20;
  s.traders.topup_trigger = 0;
  s.traders.topup_fraction = 1.25;
  s.traders.outside_capital = 2.5;
  s.traders.topup_cooldown_seconds = 77;
  s.traders.emode_fraction = 0.375;
  s.keepers = {11, 4e6, 0.25, 0.125, 1.5, 30, -2.5, "twap", 120, 12, "adaptive", 1.25, 0.875};

  MarketSpec m;
  m.symbol = "ETH-PERP";
  m.tick_size = 0.01;
  m.initial_price = 3141.59;
  m.taker_fee = 0.0005;
  m.maker_fee = -0.0001;
  m.depth_band = 0.02;
  m.price = {"merton", -0.1,        0.8, 0.5,          1460, -0.01, 0.03, 0.1,      0.85,
             120,      "student_t", 6,   "prices.csv", "t",  "p",   1,    "linear", false};
  m.shock = {true, 100, 60, 0.3, 30, 0.5};
  m.index = {"spot_venues", 3, 0.001, 10, 0.01, 0.02, 2, {0.5, 0.25}};
  m.spot = {2, 0.0008, -0.0001};
  m.oracle = {600, 0.01, 60};
  m.mark = {"hyperliquid_median", 2, 60, 3};
  m.funding = {false, 3600, -0.00005, 0.0004, 0.002, 60, 25000};
  m.margin.get<BinanceTieredMarginSpec>().brackets = {{0, 1e4, 0.01, 0.02}, {1e4, 1e5, 0.02, 0.04}};
  MarketSpec second = m;
  second.symbol = "SOL-PERP";
  second.price.model = "gbm";
  second.index.weights.clear();
  second.spot.venues = 1;
  second.margin.model = "hyperliquid";
  second.margin.get<HyperliquidMarginSpec>().tiers = {{0, 50}, {12'345.5, 20}, {1e6, 3}};
  MarketSpec third = second;
  third.symbol = "DOGE-PERP";
  third.margin.model = "dydx_v4";
  third.margin.get<DydxMarginSpec>() = {100'000, 500'000};
  third.spot = {3, 0.002, 0.0005};
  MarketSpec fourth = third;
  fourth.symbol = "LINK-PERP";
  fourth.margin.model = "collateral_ratio";
  fourth.margin.get<CollateralRatioMarginSpec>() = {1.1, 1.25};
  MarketSpec fifth = fourth;
  fifth.symbol = "USDC";
  fifth.initial_price = 1;
  fifth.margin.model = "aave_v3";
  fifth.margin.get<AaveV3ReserveMarginSpec>() = {0.75, 0.78, 0.045, 0.1, 0.93, 0.95, 0.01};
  s.markets = {m, second, third, fourth, fifth};
  return s;
}

TEST(ScenarioLoader, EveryFieldRoundTrips) {
  const Scenario s = every_field_changed();
  ASSERT_TRUE(validate_scenario(s).empty()) << all_messages(validate_scenario(s));
  const std::string text = to_toml(s);
  const Scenario back = load_ok(text);
  EXPECT_TRUE(same(s, back)) << text;
  EXPECT_EQ(to_toml(back), text);
}

TEST(ScenarioLoader, DoublesRoundTripBitForBit) {
  Scenario s = load_ok("");
  const double values[] = {0.1, 1.0 / 3.0, 2.0 / 3.0 * 1e-7, 5e-324 * 1e300, 0.30000000000000004, 1e-12};
  for (double v : values) {
    s.market_makers.inventory_skew = v;
    EXPECT_EQ(load_ok(to_toml(s)).market_makers.inventory_skew, v) << to_toml(s);
  }
}

TEST(ScenarioLoader, MalformedTomlReportsLineAndColumn) {
  const auto errors = load_errors("name = \"x\"\nseed = = 3\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_GT(errors[0].column, 0);
  EXPECT_NE(errors[0].problem.find("TOML syntax error"), std::string::npos);
  EXPECT_NE(errors[0].message().find("line 2"), std::string::npos);
}

TEST(ScenarioLoader, UnknownTopLevelKeyListsTheAllowedKeys) {
  const auto errors = load_errors("durration_seconds = 10\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "durration_seconds");
  EXPECT_EQ(errors[0].value, "10");
  EXPECT_EQ(errors[0].problem, "unknown key");
  EXPECT_NE(errors[0].allowed.find("duration_seconds"), std::string::npos);
  EXPECT_NE(errors[0].allowed.find("markets"), std::string::npos);
  EXPECT_EQ(errors[0].line, 1);
}

TEST(ScenarioLoader, UnknownNestedKeyNamesTheFullPath) {
  const auto errors = load_errors("[[markets]]\n[markets.funding]\nclmp = 0.001\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].funding.clmp");
  EXPECT_EQ(errors[0].problem, "unknown key");
  EXPECT_NE(errors[0].allowed.find("clamp"), std::string::npos);
  EXPECT_EQ(errors[0].line, 3);
}

TEST(ScenarioLoader, UnknownTableIsAnUnknownKey) {
  const auto errors = load_errors("[liquidation.enigne]\nstep_fraction = 0.5\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "liquidation.enigne");
  EXPECT_NE(errors[0].allowed.find("engine"), std::string::npos);
}

TEST(ScenarioLoader, OutOfRangeNamesKeyValueAndRange) {
  const auto errors = load_errors("[[markets]]\nfunding.clamp = 0.5\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].funding.clamp");
  EXPECT_EQ(errors[0].value, "0.5");
  EXPECT_EQ(errors[0].allowed, "[0, 0.1]");
  EXPECT_EQ(errors[0].problem, "out of range");
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].message(),
            "line 2, column 17: markets[0].funding.clamp = 0.5: out of range; allowed: [0, 0.1]");
}

TEST(ScenarioLoader, OpenBoundsAreExclusive) {
  EXPECT_EQ(load_errors("[liquidation.keeper]\nbonus = 0.5\n")[0].allowed, "[0, 0.5)");
  EXPECT_EQ(load_errors("[noise]\norder_size = 0\n")[0].key, "noise.order_size");
  load_ok("[liquidation.keeper]\nbonus = 0\n");
}

TEST(ScenarioLoader, NanAndInfinityAreOutOfRange) {
  EXPECT_EQ(load_errors("[market_makers]\nvol_widening = inf\n")[0].key, "market_makers.vol_widening");
  EXPECT_EQ(load_errors("[market_makers]\nvol_widening = nan\n")[0].key, "market_makers.vol_widening");
}

TEST(ScenarioLoader, IntegerOutOfRange) {
  const auto errors = load_errors("[traders]\ncount = 3000000\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "traders.count");
  EXPECT_EQ(errors[0].value, "3000000");
  EXPECT_EQ(errors[0].allowed, "an integer in [0, 2000000]");
}

TEST(ScenarioLoader, UnknownChoiceListsTheChoices) {
  const auto errors = load_errors("[liquidation]\nmechanism = \"kepper\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "liquidation.mechanism");
  EXPECT_EQ(errors[0].value, "\"kepper\"");
  EXPECT_EQ(errors[0].allowed,
            "\"engine\" | \"keeper\" | \"none\" | \"maker_clip\" | \"maker_flip\" | \"liquity\" | "
            "\"compound_v3\" | \"gmx_v1\" | \"gmx_v2\" | \"synthetix\" | \"drift\" | \"aave_v3\"");
}

TEST(ScenarioLoader, FloatWhereIntegerExpectedIsWrongType) {
  const auto errors = load_errors("[traders]\ncount = 1000.0\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "traders.count");
  EXPECT_EQ(errors[0].value, "1000.0");
  EXPECT_EQ(errors[0].problem, "wrong type (float)");
  EXPECT_EQ(errors[0].allowed, "an integer in [0, 2000000]");
}

TEST(ScenarioLoader, StringWhereNumberExpectedIsWrongType) {
  const auto errors = load_errors("duration_seconds = \"1 day\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "duration_seconds");
  EXPECT_EQ(errors[0].problem, "wrong type (string)");
  EXPECT_EQ(errors[0].allowed, "a number in (0, 32000000]");
}

TEST(ScenarioLoader, ScalarWhereTableExpectedIsWrongType) {
  const auto errors = load_errors("traders = 5\nmarkets = 3\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].key, "traders");
  EXPECT_EQ(errors[1].key, "markets");
  EXPECT_EQ(errors[1].problem, "wrong type (integer)");
}

TEST(ScenarioLoader, NegativeSeedIsOutOfRange) {
  const auto errors = load_errors("seed = -1\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "seed");
}

constexpr std::string_view kTwoBrackets = R"(
[[markets]]
[[markets.brackets]]
notional_floor = 0
notional_cap = 50000
maintenance_rate = 0.004
initial_rate = 0.008
[[markets.brackets]]
notional_floor = %FLOOR%
notional_cap = 250000
maintenance_rate = %MMR%
initial_rate = 0.01
)";

std::string two_brackets(const std::string& floor, const std::string& mmr) {
  std::string text(kTwoBrackets);
  text.replace(text.find("%FLOOR%"), 7, floor);
  text.replace(text.find("%MMR%"), 5, mmr);
  return text;
}

TEST(ScenarioLoader, ContiguousBracketsLoad) {
  const Scenario s = load_ok(two_brackets("50000", "0.005"));
  const std::vector<BracketSpec>& brackets = s.markets[0].margin.get<BinanceTieredMarginSpec>().brackets;
  ASSERT_EQ(brackets.size(), 2u);
  EXPECT_EQ(brackets[1].notional_floor, 50000.0);
}

TEST(ScenarioLoader, BracketGapIsReported) {
  const auto errors = load_errors(two_brackets("60000", "0.005"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].brackets[1].notional_floor");
  EXPECT_EQ(errors[0].value, "60000");
  EXPECT_EQ(errors[0].allowed, "= markets[0].brackets[0].notional_cap (50000)");
  EXPECT_NE(errors[0].problem.find("gap"), std::string::npos);
}

TEST(ScenarioLoader, BracketOverlapIsReported) {
  const auto errors = load_errors(two_brackets("40000", "0.005"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].problem.find("overlaps"), std::string::npos);
}

TEST(ScenarioLoader, DecreasingMaintenanceRateIsReported) {
  const auto errors = load_errors(two_brackets("50000", "0.003"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].brackets[1].maintenance_rate");
  EXPECT_EQ(errors[0].allowed, ">= 0.004");
}

TEST(ScenarioLoader, InitialRateMustExceedMaintenanceRate) {
  const auto errors = load_errors(two_brackets("50000", "0.01"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].brackets[1].initial_rate");
  EXPECT_EQ(errors[0].allowed, "(maintenance_rate, 1] = (0.01, 1]");
}

TEST(ScenarioLoader, BracketFieldsAreRequired) {
  const auto errors =
      load_errors("[[markets]]\n[[markets.brackets]]\nnotional_floor = 0\nnotional_cap = 1000\n");
  ASSERT_EQ(errors.size(), 2u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].brackets[0].maintenance_rate");
  EXPECT_EQ(errors[1].key, "markets[0].brackets[0].initial_rate");
}

TEST(ScenarioLoader, EmptyBracketListIsReported) {
  const auto errors = load_errors("[[markets]]\nbrackets = []\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].brackets");
}

// ---- Margin models (experiments/margin_models.h): one per market, each with its own keys ----

// The former location [[markets.brackets]] and [markets.margin] with the default model read the same.
TEST(ScenarioLoader, BracketsUnderTheMarginTableLoadLikeTheFormerLocation) {
  std::string text = two_brackets("50000", "0.005");
  text.replace(text.find("[[markets.brackets]]"), 20, "[markets.margin]\n[[markets.margin.brackets]]");
  text.replace(text.find("[[markets.brackets]]"), 20, "[[markets.margin.brackets]]");
  const Scenario s = load_ok(text);
  EXPECT_TRUE(same(s.markets[0], load_ok(two_brackets("50000", "0.005")).markets[0]));
  // Errors name the key where it was given.
  text.replace(text.find("notional_floor = 50000"), 22, "notional_floor = 60000");
  const auto errors = load_errors(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].margin.brackets[1].notional_floor");
  EXPECT_EQ(errors[0].allowed, "= markets[0].margin.brackets[0].notional_cap (50000)");
  EXPECT_GT(errors[0].line, 0);
}

TEST(ScenarioLoader, LegacyBracketErrorsKeepTheirPosition) {
  const auto errors = load_errors(two_brackets("60000", "0.005"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 9);
  EXPECT_EQ(errors[0].column, 18);
}

TEST(ScenarioLoader, MarginModelIsChosenPerMarket) {
  const Scenario s = load_ok(R"(
[[markets]]
symbol = "BTC-PERP"
[[markets]]
symbol = "ETH-PERP"
initial_price = 3000
[markets.margin]
model = "hyperliquid"
[[markets.margin.tiers]]
lower_bound = 0
max_leverage = 25
[[markets.margin.tiers]]
lower_bound = 100000000
max_leverage = 15
[[markets]]
symbol = "SOL-PERP"
initial_price = 150
[markets.margin]
model = "dydx_v4"
initial_margin_ppm = 50000
)");
  ASSERT_EQ(s.markets.size(), 3u);
  EXPECT_EQ(s.markets[0].margin.model, "binance_tiered");
  EXPECT_EQ(s.markets[1].margin.model, "hyperliquid");
  const std::vector<HyperliquidTierSpec>& tiers = s.markets[1].margin.get<HyperliquidMarginSpec>().tiers;
  ASSERT_EQ(tiers.size(), 2u);
  EXPECT_EQ(tiers[1].lower_bound, 1e8);
  EXPECT_EQ(tiers[1].max_leverage, 15);
  EXPECT_EQ(s.markets[2].margin.model, "dydx_v4");
  EXPECT_EQ(s.markets[2].margin.get<DydxMarginSpec>().initial_margin_ppm, 50000);
  EXPECT_EQ(s.markets[2].margin.get<DydxMarginSpec>().maintenance_fraction_ppm, 600000);  // the default
}

TEST(ScenarioLoader, HyperliquidWithoutTiersGetsTheMainnetBtcTable) {
  const Scenario s = load_ok("[[markets]]\n[markets.margin]\nmodel = \"hyperliquid\"\n");
  const std::vector<HyperliquidTierSpec>& tiers = s.markets[0].margin.get<HyperliquidMarginSpec>().tiers;
  ASSERT_EQ(tiers.size(), 2u);
  EXPECT_EQ(tiers[0].max_leverage, 40);
  EXPECT_EQ(tiers[1].lower_bound, 150e6);
  EXPECT_EQ(tiers[1].max_leverage, 20);
}

TEST(ScenarioLoader, UnknownMarginModelNamesTheChoices) {
  const auto errors = load_errors("[[markets]]\n[markets.margin]\nmodel = \"portfolio\"\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.model");
  EXPECT_EQ(errors[0].value, "\"portfolio\"");
  EXPECT_EQ(errors[0].allowed,
            "\"binance_tiered\" | \"hyperliquid\" | \"dydx_v4\" | \"collateral_ratio\" | \"aave_v3\" | "
            "\"bitmex_risk_limit\"");
  EXPECT_EQ(errors[0].line, 3);
}

// Flash-loan keepers sell on their unwind venue in the same transaction, with the mechanisms whose quote is
// what they execute.
TEST(ScenarioLoader, FlashLoanKeepersNeedAQuotingMechanism) {
  auto errors = load_errors("[keepers]\nflash_loan = true\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "keepers.flash_loan");
  EXPECT_NE(errors[0].message().find("\"engine\""), std::string::npos) << errors[0].message();
  errors = load_errors("[keepers]\nflash_loan_fee = 0.2\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "keepers.flash_loan_fee");
}

// Keeper groups: their keys' ranges, and flash loans only with a quoting mechanism (as keepers.flash_loan).
TEST(ScenarioLoader, KeeperGroupsAreCheckedLikeKeepers) {
  auto errors = load_errors(
      "[[keeper_groups]]\ncount = 2\nflash_loan = true\n[[keeper_groups]]\npriority_fee = -1\n"
      "sell_rule = \"never\"\n");
  ASSERT_EQ(errors.size(), 3u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "keeper_groups[0].flash_loan");
  EXPECT_NE(errors[0].message().find("\"engine\""), std::string::npos) << errors[0].message();
  EXPECT_EQ(errors[1].key, "keeper_groups[1].priority_fee");
  EXPECT_EQ(errors[2].key, "keeper_groups[1].sell_rule");
  const Scenario s =
      load_ok("[liquidation]\nmechanism = \"keeper\"\n[[keeper_groups]]\ncount = 2\nflash_loan = true\n");
  ASSERT_EQ(s.keeper_groups.size(), 1u);
  EXPECT_EQ(keeper_count(s), s.keepers.count + 2);
}

// Trader groups are slices of [traders]: their counts add up to at most traders.count; a pre-emptive group
// needs an information set as the share does.
TEST(ScenarioLoader, TraderGroupsAreSlicesOfTheTraders) {
  auto errors = load_errors(
      "[traders]\ncount = 10\n[[trader_groups]]\ncount = 6\n[[trader_groups]]\ncount = 5\nrisk_aversion = "
      "-1\n");
  ASSERT_EQ(errors.size(), 2u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "trader_groups[1].count");
  EXPECT_NE(errors[0].message().find("at most traders.count (10)"), std::string::npos) << errors[0].message();
  EXPECT_EQ(errors[1].key, "trader_groups[1].risk_aversion");
  errors = load_errors(
      "[traders]\ncount = 10\npreemptive_information = \"mark,positions\"\n[[trader_groups]]\ncount = 5\n");
  ASSERT_FALSE(errors.empty());
  for (const ScenarioError& e : errors) EXPECT_EQ(e.key, "traders.preemptive_information");
  const Scenario s = load_ok("[traders]\ncount = 10\n[[trader_groups]]\ncount = 4\npreemptive = false\n");
  ASSERT_EQ(s.trader_groups.size(), 1u);
  EXPECT_FALSE(any_preemptive_traders(s));
}

// Aave v3 reserve rules (PoolConfigurator): whole basis points, threshold x (1 + bonus) <= 100%, an e-mode
// category threshold not below the reserve's; the aave_v3 mechanism needs aave_v3 reserves; e-mode
// traders need a category market.
TEST(ScenarioLoader, AaveReserveRulesAreCheckedWithTheirSource) {
  auto errors = load_errors(
      "[[markets]]\n[markets.margin]\nmodel = \"aave_v3\"\nliquidation_threshold = 0.95\n"
      "liquidation_bonus = 0.06\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.liquidation_bonus");
  EXPECT_NE(errors[0].message().find("configureReserveAsCollateral"), std::string::npos)
      << errors[0].message();
  errors = load_errors("[[markets]]\n[markets.margin]\nmodel = \"aave_v3\"\nltv = 0.80005\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.ltv");
  EXPECT_NE(errors[0].message().find("whole basis point"), std::string::npos);
  errors = load_errors(
      "[[markets]]\n[markets.margin]\nmodel = \"aave_v3\"\nemode_ltv = 0.7\nemode_liquidation_threshold = "
      "0.8\nemode_liquidation_bonus = 0.01\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.emode_liquidation_threshold");
  EXPECT_NE(errors[0].message().find("INVALID_EMODE_CATEGORY_ASSIGNMENT"), std::string::npos);
  errors = load_errors("[liquidation]\nmechanism = \"aave_v3\"\n[[markets]]\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.model");
  errors =
      load_errors("[traders]\nemode_fraction = 0.5\n[[markets]]\n[markets.margin]\nmodel = \"aave_v3\"\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "traders.emode_fraction");
  const Scenario ok = load_ok(
      "[liquidation]\nmechanism = \"aave_v3\"\n[traders]\nemode_fraction = 0.5\n[[markets]]\n"
      "[markets.margin]\nmodel = \"aave_v3\"\nemode_ltv = 0.93\nemode_liquidation_threshold = 0.95\n"
      "emode_liquidation_bonus = 0.01\n");
  EXPECT_EQ(ok.traders.emode_fraction, 0.5);
}

// A key of another model is unknown for the chosen one, and the message lists the chosen model's keys.
TEST(ScenarioLoader, KeysOfAnotherModelAreUnknown) {
  const auto errors =
      load_errors("[[markets]]\n[markets.margin]\nmodel = \"binance_tiered\"\ninitial_margin_ppm = 20000\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.initial_margin_ppm");
  EXPECT_EQ(errors[0].problem, "unknown key");
  EXPECT_EQ(errors[0].allowed, "model, brackets");
}

TEST(ScenarioLoader, LegacyBracketsWithAnotherModelAreRefused) {
  std::string text = two_brackets("50000", "0.005");
  text.replace(text.find("[[markets.brackets]]"), 20,
               "[markets.margin]\nmodel = \"hyperliquid\"\n[[markets.brackets]]");
  const auto errors = load_errors(text);
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].brackets");
  EXPECT_EQ(
      errors[0].problem,
      "the brackets of margin model \"binance_tiered\", but markets[0].margin.model is \"hyperliquid\"");
}

TEST(ScenarioLoader, BracketsGivenTwiceAreRefused) {
  const auto errors = load_errors(
      "[[markets]]\nbrackets = []\n[markets.margin]\n[[markets.margin.brackets]]\nnotional_floor = 0\n"
      "notional_cap = 1e6\nmaintenance_rate = 0.01\ninitial_rate = 0.02\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].brackets");
  EXPECT_EQ(errors[0].problem, "given twice: also markets[0].margin.brackets");
  EXPECT_EQ(errors[0].line, 2);
}

constexpr std::string_view kHyperliquidTiers = R"(
[[markets]]
[markets.margin]
model = "hyperliquid"
[[markets.margin.tiers]]
lower_bound = %FIRST%
max_leverage = 20
[[markets.margin.tiers]]
lower_bound = %SECOND%
max_leverage = %LEVERAGE%
)";

std::string hyperliquid_tiers(const std::string& first, const std::string& second,
                              const std::string& leverage) {
  std::string text(kHyperliquidTiers);
  text.replace(text.find("%FIRST%"), 7, first);
  text.replace(text.find("%SECOND%"), 8, second);
  text.replace(text.find("%LEVERAGE%"), 10, leverage);
  return text;
}

TEST(ScenarioLoader, HyperliquidTiersMustStartAtZeroAndIncrease) {
  load_ok(hyperliquid_tiers("0", "1e6", "10"));
  auto errors = load_errors(hyperliquid_tiers("5", "1e6", "10"));
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.tiers[0].lower_bound");
  EXPECT_EQ(errors[0].value, "5");
  EXPECT_EQ(errors[0].allowed, "0");
  errors = load_errors(hyperliquid_tiers("0", "0", "10"));
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.tiers[1].lower_bound");
  EXPECT_EQ(errors[0].allowed, "> markets[0].margin.tiers[0].lower_bound (0)");
}

TEST(ScenarioLoader, HyperliquidMaxLeverageIsAnIntegerThatNeverRises) {
  auto errors = load_errors(hyperliquid_tiers("0", "1e6", "25"));
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.tiers[1].max_leverage");
  EXPECT_EQ(errors[0].value, "25");
  EXPECT_EQ(errors[0].allowed, "<= markets[0].margin.tiers[0].max_leverage (20)");
  errors = load_errors(hyperliquid_tiers("0", "1e6", "0"));
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].problem, "out of range");
  EXPECT_EQ(errors[0].allowed, "an integer in [1, 100]");
  errors = load_errors(hyperliquid_tiers("0", "1e6", "2.5"));
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].problem, "wrong type (float)");
}

TEST(ScenarioLoader, HyperliquidTierFieldsAreRequired) {
  const auto errors = load_errors(
      "[[markets]]\n[markets.margin]\nmodel = \"hyperliquid\"\n[[markets.margin.tiers]]\nlower_bound = 0\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.tiers[0].max_leverage");
  EXPECT_EQ(errors[0].problem, "missing (required in every entry)");
}

TEST(ScenarioLoader, DydxFractionsAreRangeChecked) {
  auto errors = load_errors(
      "[[markets]]\n[markets.margin]\nmodel = \"dydx_v4\"\ninitial_margin_ppm = 0\nmaintenance_fraction_ppm "
      "= 2000000\n");
  ASSERT_EQ(errors.size(), 2u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.initial_margin_ppm");
  EXPECT_EQ(errors[1].key, "markets[0].margin.maintenance_fraction_ppm");
  EXPECT_EQ(errors[1].allowed, "an integer in [1, 1000000]");
  errors = load_errors(
      "[[markets]]\n[markets.margin]\nmodel = \"dydx_v4\"\ninitial_margin_ppm = 1000000\n"
      "maintenance_fraction_ppm = 1000000\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.maintenance_fraction_ppm");
}

// collateral_ratio: Maker's mat and the opening ratio, with their defaults (ETH-A 150%).
TEST(ScenarioLoader, CollateralRatioKeysAndDefaults) {
  Scenario s = load_ok("[[markets]]\n[markets.margin]\nmodel = \"collateral_ratio\"\n");
  EXPECT_EQ(s.markets[0].margin.get<CollateralRatioMarginSpec>().liquidation_ratio, 1.5);
  EXPECT_EQ(s.markets[0].margin.get<CollateralRatioMarginSpec>().initial_ratio, 1.5);
  s = load_ok(
      "[[markets]]\n[markets.margin]\nmodel = \"collateral_ratio\"\nliquidation_ratio = 1.1\n"
      "initial_ratio = 1.25\n");
  EXPECT_EQ(s.markets[0].margin.get<CollateralRatioMarginSpec>().liquidation_ratio, 1.1);  // Liquity MCR
  EXPECT_EQ(s.markets[0].margin.get<CollateralRatioMarginSpec>().initial_ratio, 1.25);
  const MarginModelRef model = build_margin_model(s.markets[0].margin);
  // 1 ETH at 1,980: MM = 1,980 - 1,980 / 1.1 = 180; opening at 125%: initial rate 20% (max leverage 5x).
  EXPECT_EQ(model->maintenance(quantity_from_double(1), price_from_double(1'980)), amount_from_double(180));
  EXPECT_EQ(model->initial_rate(quantity_from_double(1), price_from_double(1'980)), Ratio(200'000'000));
}

// Compound v3 refuses a borrow collateral factor that is not below the liquidate one (Comet.sol
// BorrowCFTooLarge): with collateral_ratio, an initial ratio equal to the liquidation ratio; and its
// factors are within [0, 1] (LiquidateCFTooLarge, BadDiscount).
TEST(ScenarioLoader, CompoundV3RefusesABorrowFactorNotBelowTheLiquidateFactor) {
  const std::string market =
      "[[markets]]\n[markets.margin]\nmodel = \"collateral_ratio\"\nliquidation_ratio = 1.111111111\n";
  auto errors =
      load_errors("[liquidation]\nmechanism = \"compound_v3\"\n" + market + "initial_ratio = 1.111111111\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.initial_ratio");
  EXPECT_EQ(errors[0].value, "1.111111111");
  EXPECT_NE(errors[0].allowed.find("BorrowCFTooLarge"), std::string::npos) << errors[0].allowed;
  load_ok("[liquidation]\nmechanism = \"compound_v3\"\n" + market + "initial_ratio = 1.219512195\n");
  load_ok("[liquidation]\nmechanism = \"keeper\"\n" + market + "initial_ratio = 1.111111111\n");
  errors =
      load_errors("[liquidation.compound_v3]\nliquidation_factor = 1.05\nstore_front_price_factor = -0.1\n");
  ASSERT_EQ(errors.size(), 2u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "liquidation.compound_v3.liquidation_factor");
  EXPECT_EQ(errors[1].key, "liquidation.compound_v3.store_front_price_factor");
}

// dYdX's sequence liquidates once per block: its block time may not be 0; its config keys are ranged.
TEST(ScenarioLoader, DydxSequenceNeedsABlockTime) {
  auto errors = load_errors("[liquidation.engine]\nsequence = \"dydx\"\ncooldown_seconds = 0\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "liquidation.engine.cooldown_seconds");
  EXPECT_EQ(errors[0].value, "0");
  load_ok("[liquidation.engine]\nsequence = \"binance\"\ncooldown_seconds = 0\n");
  const Scenario ok = load_ok("[liquidation.engine]\nsequence = \"dydx\"\ncooldown_seconds = 1\n");
  EXPECT_EQ(ok.liquidation.get<EngineLiquidationSpec>().dydx.max_position_portion, 0.1);
  errors = load_errors("[liquidation.engine.dydx]\nbankruptcy_adjustment = 0.5\nmax_position_portion = 0\n");
  ASSERT_EQ(errors.size(), 2u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "liquidation.engine.dydx.bankruptcy_adjustment");
  EXPECT_EQ(errors[1].key, "liquidation.engine.dydx.max_position_portion");
}

// A liquidity ladder whose far levels outgrow an order (depth grows as (distance / 1%)^exponent: 12.6M
// coins at 1% and exponent 3 is 1.2e11 coins per provider at 90%) is refused once, naming depth_at_1pct,
// even where its notional is small (a price of $0.000024); found by a random scenario that aborted.
TEST(ScenarioLoader, LiquidityLevelsMustFitAnOrder) {
  const std::string market = "[[markets]]\ninitial_price = 0.000024\ntick_size = 0.000001\n";
  const auto errors = load_errors(
      "[liquidity]\nper_venue = 64\non_perpetual = true\ndepth_at_1pct = 12593268\ndepth_exponent = 3\n"
      "min_distance = 0.0002\nmax_distance = 0.899\nlevels = 16\n[traders]\ncount = 0\n" +
      market + market + "symbol = \"B\"\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "liquidity.depth_at_1pct");
  EXPECT_NE(errors[0].problem.find("more than an order can hold"), std::string::npos) << errors[0].problem;
}

// Synthetix refuses a keeper fee floor above its cap (PerpsV2MarketSettings).
TEST(ScenarioLoader, SynthetixKeeperFeeFloorAtMostItsCap) {
  const auto errors = load_errors("[liquidation.synthetix]\nmin_keeper_fee = 150\nmax_keeper_fee = 100\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "liquidation.synthetix.min_keeper_fee");
  EXPECT_EQ(errors[0].value, "150");
}

// Drift refuses liquidation fees of 100% or more together (handle_update_perp_liquidation_fee), and the
// escalating fee's cap below its base.
TEST(ScenarioLoader, DriftFeesStayBelowOneAndTheCapAboveTheFee) {
  auto errors = load_errors(
      "[liquidation.drift]\nliquidator_fee = 0.6\nif_liquidation_fee = 0.4\nmax_liquidator_fee = 0.7\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "liquidation.drift.if_liquidation_fee");
  EXPECT_EQ(errors[0].value, "0.4");
  EXPECT_NE(errors[0].allowed.find("handle_update_perp_liquidation_fee"), std::string::npos)
      << errors[0].allowed;
  errors = load_errors("[liquidation.drift]\nliquidator_fee = 0.02\nmax_liquidator_fee = 0.01\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "liquidation.drift.max_liquidator_fee");
  EXPECT_EQ(errors[0].value, "0.01");
  EXPECT_EQ(load_ok("[liquidation.drift]\nliquidator_fee = 0.02\nmax_liquidator_fee = 0.02\n")
                .liquidation.get<DriftSpec>()
                .max_liquidator_fee,
            0.02);
}

// A liquidation ratio below 100.1% (or above 10,000%) is out of range, naming the key and the value.
TEST(ScenarioLoader, CollateralRatioLiquidationRatioIsRangeChecked) {
  auto errors = load_errors(
      "[[markets]]\n[markets.margin]\nmodel = \"collateral_ratio\"\nliquidation_ratio = 1.0005\n"
      "initial_ratio = 1.5\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.liquidation_ratio");
  EXPECT_EQ(errors[0].value, "1.0005");
  EXPECT_EQ(errors[0].problem, "out of range");
  EXPECT_EQ(errors[0].allowed, "[1.001, 100]");
  EXPECT_EQ(errors[0].line, 4);
  errors =
      load_errors("[[markets]]\n[markets.margin]\nmodel = \"collateral_ratio\"\nliquidation_ratio = 150\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.liquidation_ratio");
  EXPECT_EQ(errors[0].value, "150");
}

// The opening ratio may not be below the liquidation ratio: the message names the key, its value and the
// rule with the other key's value.
TEST(ScenarioLoader, CollateralRatioInitialRatioNotBelowLiquidationRatio) {
  auto errors = load_errors(
      "[[markets]]\n[markets.margin]\nmodel = \"collateral_ratio\"\nliquidation_ratio = 1.5\n"
      "initial_ratio = 1.2\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.initial_ratio");
  EXPECT_EQ(errors[0].value, "1.2");
  EXPECT_EQ(errors[0].allowed, ">= liquidation_ratio (1.5)");
  EXPECT_NE(errors[0].problem.find("below liquidation_ratio"), std::string::npos) << errors[0].problem;
  EXPECT_EQ(errors[0].line, 5);
  // The default opening ratio (1.5) under a higher liquidation ratio is refused the same way.
  errors =
      load_errors("[[markets]]\n[markets.margin]\nmodel = \"collateral_ratio\"\nliquidation_ratio = 1.7\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.initial_ratio");
  EXPECT_EQ(errors[0].allowed, ">= liquidation_ratio (1.7)");
  // Equal ratios are fine; an out-of-range liquidation ratio is reported alone (the rule is not judged).
  load_ok(
      "[[markets]]\n[markets.margin]\nmodel = \"collateral_ratio\"\nliquidation_ratio = 1.7\n"
      "initial_ratio = 1.7\n");
  errors = load_errors(
      "[[markets]]\n[markets.margin]\nmodel = \"collateral_ratio\"\nliquidation_ratio = 1\n"
      "initial_ratio = 1.5\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].margin.liquidation_ratio");
}

// --set reaches a model's keys like any other.
TEST(ScenarioLoader, OverridesChooseAndConfigureAMarginModel) {
  const ScenarioResult result = load_preset("small", {{"markets[0].margin.model", "hyperliquid"},
                                                      {"markets[0].margin.tiers[0].max_leverage", "20"},
                                                      {"markets[0].margin.tiers[0].lower_bound", "0"}});
  ASSERT_TRUE(std::holds_alternative<Scenario>(result));
  const Scenario& s = std::get<Scenario>(result);
  ASSERT_EQ(s.markets[0].margin.get<HyperliquidMarginSpec>().tiers.size(), 1u);
  EXPECT_EQ(s.markets[0].margin.get<HyperliquidMarginSpec>().tiers[0].max_leverage, 20);
}

TEST(ScenarioLoader, MissingReplayFileIsReported) {
  const auto errors =
      load_errors("[[markets]]\nprice.model = \"replay\"\nprice.replay_file = \"btc-1m.csv\"\n",
                  "/nonexistent-liqsim-dir");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].price.replay_file");
  EXPECT_EQ(errors[0].value, "\"btc-1m.csv\"");
  EXPECT_NE(errors[0].problem.find("/nonexistent-liqsim-dir/btc-1m.csv"), std::string::npos);
  EXPECT_EQ(errors[0].line, 3);
}

TEST(ScenarioLoader, ReplayFileIsResolvedAgainstTheSourceDir) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("liqsim-loader-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "prices.csv") << "open_time,close\n0,60000\n";
  const std::string text = "[[markets]]\nprice.model = \"replay\"\nprice.replay_file = \"prices.csv\"\n";
  const ScenarioResult result = load_scenario_text(text, "test", dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(std::holds_alternative<Scenario>(result));
  EXPECT_EQ(std::get<Scenario>(result).source_dir, dir.string());
}

TEST(ScenarioLoader, ReplayWithoutFileIsReported) {
  const auto errors = load_errors("[[markets]]\nprice.model = \"replay\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].price.replay_file");
}

TEST(ScenarioLoader, InitialPriceMustBeAMultipleOfTheTick) {
  const auto errors = load_errors("[[markets]]\ntick_size = 0.5\ninitial_price = 60000.25\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].initial_price");
  EXPECT_EQ(errors[0].allowed, "a multiple of 0.5");
  load_ok("[[markets]]\ntick_size = 0.1\ninitial_price = 60000.3\n");
}

TEST(ScenarioLoader, TickBelowPriceResolutionIsReported) {
  const auto errors = load_errors("[[markets]]\ntick_size = 0.0000001\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets[0].tick_size");
}

TEST(ScenarioLoader, CrossFieldRules) {
  EXPECT_EQ(load_errors("duration_seconds = 100\nrecord_interval_seconds = 200\n")[0].key,
            "record_interval_seconds");
  EXPECT_EQ(load_errors("[traders]\nentry_start_seconds = 100\nentry_end_seconds = 50\n")[0].key,
            "traders.entry_end_seconds");
  EXPECT_EQ(load_errors("[keepers]\npriority_fee_min = 10\npriority_fee_max = 5\n")[0].key,
            "keepers.priority_fee_max");
  EXPECT_EQ(load_errors("[[markets]]\nindex.venues = 3\nindex.weights = [1, 2]\n")[0].key,
            "markets[0].index.weights");
  EXPECT_EQ(load_errors("[[markets]]\nmark.basis_window_seconds = 2\n")[0].key,
            "markets[0].mark.basis_window_seconds");
  EXPECT_EQ(load_errors("[[markets]]\nfunding.interval_seconds = 3\n")[0].key,
            "markets[0].funding.premium_sample_interval_seconds");
  EXPECT_EQ(
      load_errors("duration_seconds = 100\n[[markets]]\nshock.enabled = true\nshock.start_seconds = 100\n")[0]
          .key,
      "markets[0].shock.start_seconds");
  EXPECT_EQ(load_errors("[traders.leverage]\nmin = 10\nmax = 5\n")[0].key, "traders.leverage.max");
  // GARCH: alpha + beta < 1 (no finite unconditional variance otherwise), a whole number of steps.
  EXPECT_EQ(load_errors("[[markets]]\nprice.model = \"garch\"\nprice.garch_alpha = 0.1\n"
                        "price.garch_beta = 0.9\n")[0]
                .key,
            "markets[0].price.garch_beta");
  EXPECT_EQ(load_errors("[[markets]]\nprice.model = \"garch\"\nprice.step_seconds = 7\n")[0].key,
            "markets[0].price.garch_interval_seconds");
  load_ok("[[markets]]\nprice.model = \"garch\"\nprice.step_seconds = 0.5\nprice.garch_beta = 0.9499\n");
  // Only a GARCH fundamental is held to them.
  load_ok("[[markets]]\nprice.garch_alpha = 0.5\nprice.garch_beta = 0.9\nprice.step_seconds = 7\n");
  load_ok("duration_seconds = 100\nmeasure_from_seconds = 99.5\n");
  EXPECT_EQ(load_errors("[traders.margin]\nstdev = 0\n")[0].key, "traders.margin.stdev");
  load_ok("[traders.margin]\nkind = \"fixed\"\nstdev = 0\n");
  const auto duplicate = load_errors("[[markets]]\nsymbol = \"A\"\n[[markets]]\nsymbol = \"A\"\n");
  ASSERT_EQ(duplicate.size(), 1u);
  EXPECT_EQ(duplicate[0].key, "markets[1].symbol");
}

// The endogenous market's cross-field rules: each error names the key, the value given and what is
// allowed, and the corrected scenario loads.
ScenarioError only_error(std::string_view text) {
  const auto errors = load_errors(text);
  EXPECT_EQ(errors.size(), 1u) << all_messages(errors);
  return errors.empty() ? ScenarioError{} : errors[0];
}

TEST(ScenarioLoader, SpotIndexNeedsSpotVenues) {
  const ScenarioError e = only_error("[[markets]]\nindex.source = \"spot_venues\"\n");
  EXPECT_EQ(e.key, "markets[0].index.source");
  EXPECT_EQ(e.value, "\"spot_venues\"");
  EXPECT_EQ(e.allowed, "\"exogenous\", or \"spot_venues\" with markets[0].spot.venues >= 1");
  load_ok("[[markets]]\nindex.source = \"spot_venues\"\nspot.venues = 1\n");
}

// With the index over the spot venues, weights count spot venues, not index.venues (5 by default).
TEST(ScenarioLoader, SpotIndexWeightsCountTheSpotVenues) {
  const ScenarioError e =
      only_error("[[markets]]\nspot.venues = 3\nindex.source = \"spot_venues\"\nindex.weights = [1, 2]\n");
  EXPECT_EQ(e.key, "markets[0].index.weights");
  EXPECT_EQ(e.value, "[1, 2]");
  EXPECT_EQ(e.allowed, "empty (equal weights) or exactly 3 positive numbers (one per spot venue)");
  EXPECT_EQ(e.problem, "2 weights for 3 spot venues");
  load_ok("[[markets]]\nspot.venues = 3\nindex.source = \"spot_venues\"\nindex.weights = [1, 2, 3]\n");
  // The exogenous index still counts its own quotes, whatever the spot venues.
  EXPECT_EQ(only_error("[[markets]]\nspot.venues = 3\nindex.weights = [1, 2, 3]\n").key,
            "markets[0].index.weights");
}

TEST(ScenarioLoader, SpotHedgeNeedsSpotVenues) {
  const ScenarioError e = only_error("[market_makers]\nhedge_venue = \"spot\"\n[[markets]]\n");
  EXPECT_EQ(e.key, "market_makers.hedge_venue");
  EXPECT_EQ(e.value, "\"spot\"");
  EXPECT_EQ(e.allowed,
            "\"outside\", or \"spot\" when every market has spot venues (markets[i].spot.venues >= 1)");
  load_ok("[market_makers]\nhedge_venue = \"spot\"\n[[markets]]\nspot.venues = 2\n");
  // Every market needs them: the second has none.
  EXPECT_EQ(only_error("[market_makers]\nhedge_venue = \"spot\"\n[[markets]]\nsymbol = \"BTC-PERP\"\n"
                       "spot.venues = 2\n[[markets]]\nsymbol = \"ETH-PERP\"\n")
                .key,
            "market_makers.hedge_venue");
}

TEST(ScenarioLoader, LiquidityNeedsAVenue) {
  const ScenarioError e = only_error("[liquidity]\nper_venue = 2\n");
  EXPECT_EQ(e.key, "liquidity.per_venue");
  EXPECT_EQ(e.value, "2");
  EXPECT_EQ(e.allowed, "0, or spot venues (markets[i].spot.venues >= 1), or liquidity.on_perpetual = true");
  load_ok("[liquidity]\nper_venue = 2\non_perpetual = true\n");
  load_ok("[liquidity]\nper_venue = 2\n[[markets]]\nspot.venues = 1\n");
}

TEST(ScenarioLoader, LiquidityMaxDistanceMustExceedMinDistance) {
  const ScenarioError e = only_error("[liquidity]\nmin_distance = 0.01\nmax_distance = 0.01\n");
  EXPECT_EQ(e.key, "liquidity.max_distance");
  EXPECT_EQ(e.value, "0.01");
  EXPECT_EQ(e.allowed, "> min_distance (0.01)");
  EXPECT_EQ(only_error("[liquidity]\nmin_distance = 0.02\nmax_distance = 0.01\n").key,
            "liquidity.max_distance");
  load_ok("[liquidity]\nmin_distance = 0.01\nmax_distance = 0.011\n");
}

TEST(ScenarioLoader, SpotValueTradersNeedSpotVenues) {
  const ScenarioError e = only_error("[value_traders]\ncount = 10\n");  // venues = "spot" by default
  EXPECT_EQ(e.key, "value_traders.venues");
  EXPECT_EQ(e.value, "\"spot\"");
  EXPECT_EQ(e.allowed, "\"perpetual\" or \"all\", or spot venues (markets[i].spot.venues >= 1)");
  load_ok("[value_traders]\ncount = 10\nvenues = \"perpetual\"\n");
  load_ok("[value_traders]\ncount = 10\n[[markets]]\nspot.venues = 1\n");
}

TEST(ScenarioLoader, ArbitrageursNeedSpotVenuesOrAPool) {
  const ScenarioError e = only_error("[arbitrageurs]\ncount = 2\n");
  EXPECT_EQ(e.key, "arbitrageurs.count");
  EXPECT_EQ(e.value, "2");
  EXPECT_EQ(e.allowed,
            "0, or spot venues (markets[i].spot.venues >= 1) or a pool (markets[i].amm.reserve > 0)");
  load_ok("[arbitrageurs]\ncount = 2\n[[markets]]\nspot.venues = 1\n");
  load_ok("[arbitrageurs]\ncount = 2\n[[markets]]\namm.reserve = 100\n");
}

// A pool's quote reserve (reserve x initial_price) must be an Amount and at least $1; keepers that sell on
// the AMM need a pool on every market.
TEST(ScenarioLoader, AmmPoolReservesAreChecked) {
  const ScenarioError big = only_error("[[markets]]\ninitial_price = 1000000\namm.reserve = 1e7\n");
  EXPECT_EQ(big.key, "markets[0].amm.reserve");
  EXPECT_EQ(big.allowed, "<= 1000000 coins (a quote reserve <= $1e12)");
  const ScenarioError tiny = only_error("[[markets]]\ninitial_price = 100\namm.reserve = 0.001\n");
  EXPECT_EQ(tiny.key, "markets[0].amm.reserve");
  const ScenarioError none = only_error("[keepers]\nunwind_venue = \"amm\"\n");
  EXPECT_EQ(none.key, "markets[0].amm.reserve");
  EXPECT_EQ(none.allowed, "> 0 on every market when keepers unwind on the AMM");
  const ScenarioError fee = only_error("[[markets]]\namm.reserve = 10\namm.fee = 0\n");
  EXPECT_EQ(fee.key, "markets[0].amm.fee");
  load_ok("[keepers]\nunwind_venue = \"amm\"\n[[markets]]\namm.reserve = 100\n");
}

// A Uniswap v3 pool takes its fee in whole pips (1e-6) and a range around the initial price.
TEST(ScenarioLoader, ConcentratedPoolKeysAreChecked) {
  const std::string pool = "[[markets]]\namm.reserve = 10\namm.kind = \"concentrated\"\n";
  const ScenarioError pips = only_error(pool + "amm.fee = 0.0030005\n");
  EXPECT_EQ(pips.key, "markets[0].amm.fee");
  EXPECT_NE(pips.allowed.find("0.000001"), std::string::npos) << pips.message();
  EXPECT_EQ(only_error(pool + "amm.range_low = 1\n").key, "markets[0].amm.range_low");
  EXPECT_EQ(only_error(pool + "amm.range_high = 1\n").key, "markets[0].amm.range_high");
  EXPECT_EQ(only_error(pool + "amm.tick_spacing = 0\n").key, "markets[0].amm.tick_spacing");
  EXPECT_EQ(only_error("[[markets]]\namm.kind = \"curve\"\n").key, "markets[0].amm.kind");
  const ScenarioError low = only_error(
      "[[markets]]\ninitial_price = 100\namm.reserve = 10\n"
      "amm.kind = \"concentrated\"\namm.range_low = 1e-9\n");
  EXPECT_EQ(low.key, "markets[0].amm.range_low");
  EXPECT_EQ(low.allowed, ">= 1e-08 (a lower bound of at least $0.000001)");
  const Scenario ok = load_ok(pool + "amm.fee = 0.0005\namm.range_low = 0.5\namm.tick_spacing = 10\n");
  EXPECT_EQ(ok.markets[0].amm.kind, "concentrated");
  // A constant-product pool's fee need not be whole pips.
  load_ok("[[markets]]\namm.reserve = 10\namm.fee = 0.0030005\n");
}

// Spot assets are named by the symbol's base: BTC-PERP and BTC-USD would both trade BTC.
TEST(ScenarioLoader, TwoMarketsWithSpotVenuesNeedDistinctBases) {
  const ScenarioError e = only_error(
      "[[markets]]\nsymbol = \"BTC-PERP\"\nspot.venues = 1\n[[markets]]\nsymbol = \"BTC-USD\"\nspot.venues = "
      "2\n");
  EXPECT_EQ(e.key, "markets[1].symbol");
  EXPECT_EQ(e.value, "\"BTC-USD\"");
  EXPECT_EQ(e.allowed,
            "a symbol whose base (the part before '-') differs from every other market with spot venues");
  EXPECT_NE(e.problem.find("BTC"), std::string::npos) << e.problem;
  load_ok(
      "[[markets]]\nsymbol = \"BTC-PERP\"\nspot.venues = 1\n[[markets]]\nsymbol = \"ETH-PERP\"\nspot.venues "
      "= 2\n");
  load_ok("[[markets]]\nsymbol = \"BTC-PERP\"\nspot.venues = 1\n[[markets]]\nsymbol = \"BTC-USD\"\n");
}

// Open interest is an int64 of 1e-8 coins: 141 traders at $100,000 x 1000x on a market priced at
// $0.000001 could hold 1.41e16 coins (found by the random-scenario test as an overflow mid-run).
TEST(ScenarioLoader, OpenInterestTheTradersCouldReachIsBounded) {
  const std::string traders =
      "[traders]\ncount = 141\n[traders.margin]\nmax = 100000\n[traders.leverage]\nmax = 1000\n";
  const auto errors = load_errors(traders +
                                  "[[markets]]\nsymbol = \"M\"\ntick_size = 0.000001\n"
                                  "initial_price = 0.000001\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "traders.count");
  EXPECT_NE(errors[0].problem.find("1.41e+16 coins"), std::string::npos) << errors[0].message();
  EXPECT_NE(errors[0].allowed.find("at most 1000000000 coins"), std::string::npos) << errors[0].message();
  // The same traders on a market at $60,000 hold at most 235,000 coins.
  load_ok(traders + "[[markets]]\nsymbol = \"M\"\n");
}

TEST(ScenarioLoader, EveryErrorIsReportedAtOnceInSourceOrder) {
  const auto errors = load_errors(R"(seed = 1.5
durration = 3
[traders]
count = 3000000
levrage = 5
[liquidation]
mechanism = "kepper"
[[markets]]
funding.clamp = 0.5
)");
  ASSERT_EQ(errors.size(), 6u) << all_messages(errors);
  const char* keys[] = {"seed",
                        "durration",
                        "traders.count",
                        "traders.levrage",
                        "liquidation.mechanism",
                        "markets[0].funding.clamp"};
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(errors[i].key, keys[i]);
  for (size_t i = 1; i < errors.size(); ++i) EXPECT_LT(errors[i - 1].line, errors[i].line);
}

TEST(ScenarioLoader, WrongTypeDoesNotAlsoReportTheDefault) {
  const auto errors = load_errors(
      "[[markets]]\n[[markets.brackets]]\nnotional_floor = 0\nnotional_cap = \"big\"\n"
      "maintenance_rate = 0.01\ninitial_rate = 0.02\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].brackets[0].notional_cap");
}

TEST(ScenarioLoader, MissingFileNamesThePath) {
  const ScenarioResult result = load_scenario_file("/nonexistent-liqsim-dir/scenario.toml");
  ASSERT_TRUE(std::holds_alternative<std::vector<ScenarioError>>(result));
  const auto& errors = std::get<std::vector<ScenarioError>>(result);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].value, "/nonexistent-liqsim-dir/scenario.toml");
  EXPECT_NE(errors[0].message().find("/nonexistent-liqsim-dir/scenario.toml"), std::string::npos);
}

TEST(ScenarioLoader, ValidateScenarioRejectsAScenarioWithoutMarkets) {
  const auto errors = validate_scenario(Scenario{});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "markets");
}

TEST(ScenarioLoader, MessageFormats) {
  EXPECT_EQ((ScenarioError{"a.b", "3", "[0, 1]", "out of range", 4, 5}).message(),
            "line 4, column 5: a.b = 3: out of range; allowed: [0, 1]");
  EXPECT_EQ((ScenarioError{"", "x.toml", "", "scenario file not found"}).message(),
            "x.toml: scenario file not found");
}

TEST(Presets, EveryPresetLoads) {
  ASSERT_GE(presets().size(), 4u);
  std::set<std::string_view> names;
  for (const Preset& preset : presets()) {
    EXPECT_TRUE(names.insert(preset.name).second) << preset.name;
    EXPECT_FALSE(preset.description.empty());
    const ScenarioResult result = load_scenario_text(preset.toml, std::string(preset.name), ".");
    if (auto* errors = std::get_if<std::vector<ScenarioError>>(&result)) {
      ADD_FAILURE() << "preset " << preset.name << ":\n" << all_messages(*errors);
      continue;
    }
    const Scenario& scenario = std::get<Scenario>(result);
    EXPECT_EQ(scenario.name, preset.name);
    EXPECT_EQ(to_toml(load_ok(to_toml(scenario))), to_toml(scenario)) << preset.name;
  }
}

TEST(Presets, PresetsHaveTheDocumentedShape) {
  // The default is the endogenous market: the index from three spot venues, arbitrage, value traders,
  // positions open at time 0, and a 12 % fall of the fundamental (the issue's 10-15 %).
  const Scenario demo = std::get<Scenario>(load_preset("default"));
  EXPECT_EQ(demo.traders.count, 10000);
  EXPECT_TRUE(demo.traders.open_at_start);
  EXPECT_EQ(demo.duration_seconds, 86400.0);
  EXPECT_EQ(demo.liquidation.mechanism, "engine");
  EXPECT_GT(demo.arbitrageurs.count, 0);
  EXPECT_GT(demo.value_traders.count, 0);
  ASSERT_EQ(demo.markets.size(), 1u);
  EXPECT_EQ(demo.markets[0].index.source, "spot_venues");
  EXPECT_EQ(demo.markets[0].spot.venues, 3);
  EXPECT_TRUE(demo.markets[0].shock.enabled);
  EXPECT_EQ(demo.markets[0].shock.start_seconds, 21600.0);
  EXPECT_EQ(demo.markets[0].shock.duration_seconds, 600.0);
  EXPECT_EQ(demo.markets[0].shock.fall_fraction, 0.12);
  const Scenario exogenous = std::get<Scenario>(load_preset("exogenous"));
  EXPECT_EQ(exogenous.markets[0].index.source, "exogenous");
  EXPECT_EQ(exogenous.markets[0].shock.fall_fraction, 0.18);
  EXPECT_EQ(std::get<Scenario>(load_preset("keeper")).liquidation.mechanism, "keeper");
  const Scenario small = load_ok(find_preset("small")->toml);
  EXPECT_EQ(small.traders.count, 500);
  EXPECT_EQ(small.duration_seconds, 7200.0);
  EXPECT_EQ(small.markets[0].shock.start_seconds, 3600.0);
  const Scenario merton = load_ok(find_preset("merton")->toml);
  EXPECT_EQ(merton.markets[0].price.model, "merton");
  EXPECT_FALSE(merton.markets[0].shock.enabled);
  EXPECT_GT(merton.markets[0].price.jump_intensity_per_year, 0.0);
}

// The bybit preset carries Bybit's BTCUSDT margin parameters: its brackets' derived maintenance amounts
// are the table's maintenance-margin deductions (Bybit "Margin parameters", protocols.md 1.3), and the
// margin at a value is value x MMR - deduction (80M USDT: 80M x 4.5% - 1,482,000 = 2,118,000).
TEST(Presets, BybitBracketsReproduceTheDeductionTable) {
  const Scenario bybit = std::get<Scenario>(load_preset("bybit"));
  EXPECT_EQ(bybit.liquidation.get<EngineLiquidationSpec>().sequence, "bitmex");
  const MarginModelRef model = build_margin_model(bybit.markets[0].margin);
  const auto* tiered = dynamic_cast<const TieredMaintenanceMargin*>(model.get());
  ASSERT_NE(tiered, nullptr);
  const double deductions[] = {0,      1200,   3020,   4300,   5820,    8460,   15460,
                               20500,  46000,  66000,  80000,  160000,  300000, 452000,
                               502000, 777000, 837000, 967000, 1107000, 1482000};
  ASSERT_EQ(tiered->brackets().size(), std::size(deductions));
  for (size_t k = 0; k < std::size(deductions); ++k)
    EXPECT_EQ(tiered->brackets()[k].maintenance_amount, amount_from_double(deductions[k]))
        << "tier " << k + 1;
  EXPECT_EQ(tiered->maintenance_margin(amount_from_double(80'000'000)), amount_from_double(2'118'000));
  EXPECT_EQ(tiered->brackets()[0].initial_rate, ratio_from_double(0.01));  // 100x
}

// The binance preset carries BTCUSDT's brackets of Binance's 2021-03-18 announcement: the maintenance
// amounts derived for continuity are 0, 50 and 1,300 in the first three brackets as the exchange's
// leverageBracket responses give them (`cum`), and the liquidation clearance fee is exchangeInfo's
// liquidationFee 0.0125.
TEST(Presets, BinanceBracketsHaveTheExchangesMaintenanceAmounts) {
  const Scenario binance = std::get<Scenario>(load_preset("binance"));
  const auto& engine = binance.liquidation.get<EngineLiquidationSpec>();
  EXPECT_EQ(engine.sequence, "binance");
  EXPECT_EQ(engine.clearance_fee, 0.0125);
  const MarginModelRef model = build_margin_model(binance.markets[0].margin);
  const auto* tiered = dynamic_cast<const TieredMaintenanceMargin*>(model.get());
  ASSERT_NE(tiered, nullptr);
  const double cum[] = {0,         50,        1'300,     16'300,     266'300,
                        1'266'300, 2'516'300, 5'016'300, 25'016'300, 100'016'300};
  ASSERT_EQ(tiered->brackets().size(), std::size(cum));
  for (size_t k = 0; k < std::size(cum); ++k)
    EXPECT_EQ(tiered->brackets()[k].maintenance_amount, amount_from_double(cum[k])) << "bracket " << k + 1;
  EXPECT_EQ(tiered->brackets()[0].initial_rate, ratio_from_double(0.008));  // 125x
  // 1M USDT of notional: 1M x 2.5% - 16,300 = 8,700 (bracket 4).
  EXPECT_EQ(tiered->maintenance_margin(amount_from_double(1'000'000)), amount_from_double(8'700));
}

// The compound_v2 preset's keeper terms are the Comptroller's: at most closeFactor 50% of the borrow per
// call, collateral seized at liquidationIncentive 1.08 (the keeper's price mark / 1.08), and the
// protocol's 2.8% of the seized tokens (protocolSeizeShareMantissa) as a share of the 8% bonus:
// 0.378 x 0.08 = 0.028 x 1.08 (vector #61: 27 tokens seized, 0.756 to the reserves).
TEST(Presets, CompoundV2KeeperTermsAreTheComptrollers) {
  const Scenario compound = std::get<Scenario>(load_preset("compound_v2"));
  EXPECT_EQ(compound.liquidation.mechanism, "keeper");
  const auto& keeper = compound.liquidation.get<KeeperLiquidationSpec>();
  EXPECT_EQ(keeper.close_factor, 0.5);
  EXPECT_NEAR(1 / (1 - keeper.bonus), 1.08, 1e-8);
  EXPECT_NEAR(keeper.protocol_fee * 0.08, 0.028 * 1.08, 1e-12);
  EXPECT_NEAR(0.756 / 27.0, 0.028, 1e-12);
  EXPECT_EQ(keeper.close_factor_full_below_health, 0.0);  // Aave v3.3's rule, not Compound's
  EXPECT_EQ(keeper.full_close_below_notional, 0.0);
  const auto& margin = compound.markets[0].margin.get<CollateralRatioMarginSpec>();
  EXPECT_NEAR(1 / margin.liquidation_ratio, 0.825, 1e-9);  // cETH collateral factor
}

// The gmx_v2 preset flags accounts where the contract's check does: detection's maintenance rate is the
// minimum collateral factor plus the close's position fee factor (0.5% + 0.06%).
TEST(Presets, GmxV2DetectionMatchesTheContractsCheck) {
  const Scenario gmx = std::get<Scenario>(load_preset("gmx_v2"));
  EXPECT_EQ(gmx.liquidation.mechanism, "gmx_v2");
  const auto& spec = gmx.liquidation.get<GmxV2Spec>();
  const MarginModelRef model = build_margin_model(gmx.markets[0].margin);
  const Amount requirement = model->maintenance(quantity_from_double(10), price_from_double(3'000));
  EXPECT_EQ(requirement,
            amount_from_double(30'000 * (spec.min_collateral_factor + spec.position_fee_factor)));
}

TEST(Presets, FindPreset) {
  ASSERT_NE(find_preset("small"), nullptr);
  EXPECT_EQ(find_preset("small")->name, "small");
  EXPECT_EQ(find_preset("nope"), nullptr);
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// ---- What validates is what runs ----

TEST(ScenarioLoaderRunnable, PositiveValueThatRoundsToZeroIsRefused) {
  // $1e-10 is positive but 0 in micro-dollars: the margin table would have an empty first bracket.
  const auto errors = load_errors(
      "[[markets]]\n[[markets.brackets]]\nnotional_floor = 0\nnotional_cap = 1e-10\n"
      "maintenance_rate = 0.005\ninitial_rate = 0.01\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].brackets[0].notional_cap");
  EXPECT_NE(errors[0].problem.find("rounds to 0"), std::string::npos);
  EXPECT_NE(errors[0].allowed.find("$0.000001"), std::string::npos);
  const auto price = load_errors("[[markets]]\ninitial_price = 1e-7\n");
  ASSERT_EQ(price.size(), 1u) << all_messages(price);
  EXPECT_EQ(price[0].key, "markets[0].initial_price");
}

TEST(ScenarioLoaderRunnable, IntervalsShorterThanAMillisecondAreRefused) {
  for (const char* key :
       {"record_interval_seconds = 1e-10\n", "[[markets]]\nmark.update_interval_seconds = 1e-10\n",
        "[[markets]]\nindex.update_interval_seconds = 0.0009\n",
        "[[markets]]\noracle.heartbeat_seconds = 1e-10\n",
        "[liquidation.keeper]\nblock_interval_seconds = 1e-10\n",
        "[market_makers]\nrequote_seconds = 1e-10\n"}) {
    const auto errors = load_errors(key);
    ASSERT_EQ(errors.size(), 1u) << key << all_messages(errors);
    EXPECT_NE(errors[0].allowed.find("0.001"), std::string::npos) << errors[0].message();
  }
  load_ok("duration_seconds = 60\n[[markets]]\nmark.update_interval_seconds = 0.001\n");
}

TEST(ScenarioLoaderRunnable, WeightsThatRoundToZeroAreRefused) {
  const auto errors = load_errors("[[markets]]\nindex.venues = 2\nindex.weights = [1e-10, 1]\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "markets[0].index.weights[0]");
}

TEST(ScenarioLoaderRunnable, ExtremeDistributionParametersAreRefused) {
  EXPECT_EQ(load_errors("[traders.leverage]\nmean = 1e-300\n")[0].key, "traders.leverage.mean");
  EXPECT_EQ(load_errors("[traders.margin]\nmean = 1e-300\n")[0].key, "traders.margin.mean");
  EXPECT_EQ(load_errors("[traders.margin]\nmax = 1e11\n")[0].key, "traders.margin.max");
  const auto wide = load_errors("[traders.leverage]\nmean = 2\nstdev = 1000\n");
  ASSERT_EQ(wide.size(), 1u) << all_messages(wide);
  EXPECT_EQ(wide[0].key, "traders.leverage.stdev");
  for (const char* text :
       {"[market_makers]\ninventory_skew = 1e308\n", "[market_makers]\nvol_widening = 1e308\n",
        "[traders]\ntopup_trigger = 1e308\n", "[traders]\noutside_capital = 1e308\n"}) {
    EXPECT_EQ(load_errors(text).size(), 1u) << text;
  }
}

TEST(ScenarioLoaderRunnable, CostBeyondTheLimitsIsRefusedNamingTheDriver) {
  // A mark update every millisecond for a year: about 3.2e10 events.
  const auto errors = load_errors(
      "duration_seconds = 3.2e7\nrecord_interval_seconds = 60\n"
      "[[markets]]\nmark.update_interval_seconds = 0.001\n");
  ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
  EXPECT_EQ(errors[0].key, "limits.max_events");
  EXPECT_NE(errors[0].problem.find("markets[0].mark.update_interval_seconds"), std::string::npos)
      << errors[0].message();
  // Raising the limit on purpose makes it valid.
  load_ok(
      "duration_seconds = 3.2e7\nrecord_interval_seconds = 60\n[limits]\nmax_events = 1e12\n"
      "[[markets]]\nmark.update_interval_seconds = 0.001\n");
  // Recording every millisecond for a year: the memory estimate.
  const auto memory = load_errors(
      "duration_seconds = 3.2e7\nrecord_interval_seconds = 0.001\n"
      "[limits]\nmax_events = 1e12\n");
  ASSERT_EQ(memory.size(), 1u) << all_messages(memory);
  EXPECT_EQ(memory[0].key, "limits.max_memory_mb");
  EXPECT_NE(memory[0].problem.find("record_interval_seconds"), std::string::npos) << memory[0].message();
  // The default scenario is far inside both limits.
  const RunCostEstimate cost = estimate_run_cost(load_ok(""));
  EXPECT_LT(cost.events, 1e8);
  EXPECT_GT(cost.events, 1e6);
}

TEST(ScenarioLoaderRunnable, ReplayCsvIsCheckedAtValidation) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("liqsim-replay-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "text.csv") << "open_time,close\n0,60000\n1000,abc\n";
  std::ofstream(dir / "unordered.csv") << "open_time,close\n0,60000\n2000,60010\n1000,60020\n";
  std::ofstream(dir / "columns.csv") << "time,price\n0,60000\n";
  const auto check = [&](const std::string& file, const std::string& expected) {
    const auto errors = load_errors(
        "[[markets]]\nprice.model = \"replay\"\nprice.replay_file = \"" + file + "\"\n", dir.string());
    ASSERT_EQ(errors.size(), 1u) << all_messages(errors);
    EXPECT_EQ(errors[0].key, "markets[0].price.replay_file");
    EXPECT_NE(errors[0].problem.find(expected), std::string::npos) << errors[0].message();
  };
  check("text.csv", "text.csv:3: column 'close': not a number");
  check("unordered.csv", "unordered.csv:4: column 'open_time'");
  check("columns.csv", "column 'open_time': not found");
  // Times that collapse to the same nanosecond with a tiny time unit.
  std::ofstream(dir / "good.csv") << "open_time,close\n0,60000\n1000,60010\n";
  const auto tiny = load_errors(
      "[[markets]]\nprice.model = \"replay\"\nprice.replay_file = \"good.csv\"\n"
      "price.time_unit_seconds = 1e-300\n",
      dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_EQ(tiny.size(), 1u) << all_messages(tiny);
  EXPECT_NE(tiny[0].problem.find("not after the previous row"), std::string::npos) << tiny[0].message();
}

// A replayed oracle: the file is read at validation like a price replay; no delay on top of it.
TEST(ScenarioLoaderRunnable, OracleReplayIsCheckedAtValidation) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("liqsim-oracle-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "osm.csv") << "timestamp,osm_usd\n0,191.16\n708,193.815\n";
  std::ofstream(dir / "zero.csv") << "timestamp,osm_usd\n0,191.16\n708,0\n";
  const std::string head = "[[markets]]\noracle.source = \"replay\"\noracle.price_column = \"osm_usd\"\n";
  const Scenario ok = load_ok(head + "oracle.replay_file = \"osm.csv\"\n", dir.string());
  EXPECT_EQ(ok.markets[0].oracle.source, "replay");
  const auto zero = load_errors(head + "oracle.replay_file = \"zero.csv\"\n", dir.string());
  const auto delayed =
      load_errors(head + "oracle.replay_file = \"osm.csv\"\noracle.delay_seconds = 3600\n", dir.string());
  const auto absent = load_errors(head + "oracle.replay_file = \"absent.csv\"\n", dir.string());
  const auto unnamed = load_errors(head, dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_EQ(zero.size(), 1u) << all_messages(zero);
  EXPECT_EQ(zero[0].key, "markets[0].oracle.replay_file");
  EXPECT_NE(zero[0].problem.find("zero.csv:3"), std::string::npos) << zero[0].message();
  ASSERT_EQ(delayed.size(), 1u) << all_messages(delayed);
  EXPECT_EQ(delayed[0].key, "markets[0].oracle.delay_seconds");
  EXPECT_EQ(delayed[0].allowed, "0 with source = \"replay\"");
  ASSERT_EQ(absent.size(), 1u) << all_messages(absent);
  EXPECT_NE(absent[0].problem.find("file not found"), std::string::npos) << absent[0].message();
  ASSERT_EQ(unnamed.size(), 1u) << all_messages(unnamed);
  EXPECT_EQ(unnamed[0].key, "markets[0].oracle.replay_file");
  const auto source = load_errors("[[markets]]\noracle.source = \"chainlink\"\n");
  ASSERT_EQ(source.size(), 1u) << all_messages(source);
  EXPECT_EQ(source[0].key, "markets[0].oracle.source");
}

// ---- Malformed text never reaches the parser's internal assertions ----

TEST(ScenarioLoaderText, HeaderNotClosedOnItsLineIsASyntaxError) {
  const auto errors = load_errors("[\na]\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].problem.find("table header not closed"), std::string::npos);
  EXPECT_EQ(errors[0].line, 1);
  // A nested array at the start of a line inside a value is not a header.
  EXPECT_EQ(load_errors("bogus = [\n[1, 2],\n]\n")[0].problem, "unknown key");
}

TEST(ScenarioLoaderText, NonAsciiOutsideStringsIsRefusedWithItsPosition) {
  for (const char* text : {"\xC3\xA9\n", "\xEF\xBB\xBE", "name = \"x\"\n  \xC3\xA9 = 1\n"}) {
    const auto errors = load_errors(text);
    ASSERT_EQ(errors.size(), 1u) << text;
    EXPECT_NE(errors[0].problem.find("non-ASCII character"), std::string::npos) << errors[0].message();
  }
  EXPECT_EQ(load_errors("name = \"x\"\n  \xC3\xA9 = 1\n")[0].line, 2);
  // In strings and comments they are fine; a byte-order mark is skipped.
  EXPECT_EQ(load_ok("# caf\xC3\xA9\nname = \"caf\xC3\xA9 \xEF\xBB\xBE\"\n").name, "caf\xC3\xA9 \xEF\xBB\xBE");
  EXPECT_EQ(load_ok("\xEF\xBB\xBFname = 'x'\n").name, "x");
  EXPECT_EQ(load_ok("name = '''a\n[b\n'''\n").name, "a\n[b\n");
}

TEST(ScenarioLoaderText, InvalidUtf8IsRefused) {
  const auto errors = load_errors("name = \"\xC0\xAF\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].problem.find("0xC0 is not valid UTF-8"), std::string::npos) << errors[0].message();
}

TEST(ScenarioLoaderText, LongValuesAreShortenedInMessages) {
  std::string weights = "[[markets]]\nindex.venues = 3\nindex.weights = [";
  for (int k = 0; k < 100000; ++k) weights += k > 0 ? ", 1" : "1";
  weights += "]\n";
  const auto errors = load_errors(weights);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_LT(errors[0].message().size(), 400u) << errors[0].message().substr(0, 400);
  EXPECT_EQ(load_errors("bogus = [0.001]\n")[0].value, "[0.001]");
}

TEST(ScenarioLoaderText, OversizedScenarioFileIsRefused) {
  const auto result = load_scenario_file("/dev/zero");
  ASSERT_TRUE(std::holds_alternative<std::vector<ScenarioError>>(result));
  EXPECT_NE(std::get<1>(result)[0].problem.find("larger than 4 MiB"), std::string::npos);
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// ---- base = "preset", --set overrides, presets as files ----

TEST(ScenarioLoaderBase, StartsFromAPresetAndOverridesOnlyWhatItNames) {
  const Scenario s = load_ok("base = \"small\"\nname = \"mine\"\n[traders]\ncount = 42\n");
  const Scenario small = std::get<Scenario>(load_preset("small"));
  EXPECT_EQ(s.name, "mine");
  EXPECT_EQ(s.traders.count, 42);
  // Everything else is the preset's, nested tables merged key by key.
  EXPECT_EQ(s.traders.entry_end_seconds, small.traders.entry_end_seconds);
  EXPECT_EQ(s.duration_seconds, small.duration_seconds);
  EXPECT_EQ(s.markets.size(), 1u);
  EXPECT_EQ(s.markets[0].shock.start_seconds, small.markets[0].shock.start_seconds);
  EXPECT_TRUE(s.markets[0].shock.enabled);
}

TEST(ScenarioLoaderBase, ArraysOfTablesReplaceTheBases) {
  const Scenario s =
      load_ok("base = \"exogenous\"\n[[markets]]\nsymbol = \"ETH-PERP\"\ninitial_price = 3000\n");
  ASSERT_EQ(s.markets.size(), 1u);
  EXPECT_EQ(s.markets[0].symbol, "ETH-PERP");
  EXPECT_FALSE(s.markets[0].shock.enabled);  // the scenario.h default, not the preset's shock
}

TEST(ScenarioLoaderBase, UnknownBaseNamesThePresets) {
  const auto errors = load_errors("base = \"defualt\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "base");
  EXPECT_NE(
      errors[0].allowed.find("binance, bitmex, bybit, calm, compound_v2, compound_v3, default, drift, dydx, "
                             "exogenous, gmx, gmx_v2, hyperliquid"),
      std::string::npos)
      << errors[0].message();
  EXPECT_EQ(errors[0].line, 1);
  EXPECT_EQ(load_errors("base = 3\n")[0].problem, "wrong type (integer)");
}

TEST(ScenarioLoaderBase, BaseFileChainsAndCyclesAreBounded) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("liqsim-base-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.toml") << "base = \"small\"\n[traders]\ncount = 11\n";
  std::ofstream(dir / "loop.toml") << "base = \"loop.toml\"\n";
  const ScenarioResult chained = load_scenario_text("base = \"a.toml\"\nseed = 5\n", "test", dir.string());
  const ScenarioResult loop = load_scenario_text("base = \"loop.toml\"\n", "test", dir.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(std::holds_alternative<Scenario>(chained));
  EXPECT_EQ(std::get<Scenario>(chained).traders.count, 11);
  EXPECT_EQ(std::get<Scenario>(chained).seed, 5u);
  EXPECT_EQ(std::get<Scenario>(chained).name, "small");
  ASSERT_TRUE(std::holds_alternative<std::vector<ScenarioError>>(loop));
  EXPECT_NE(std::get<1>(loop)[0].problem.find("a cycle?"), std::string::npos);
}

TEST(ScenarioLoaderOverride, SetsDottedKeysAndIndexedMarkets) {
  const std::vector<ScenarioOverride> overrides = {
      *parse_override("traders.count=1000000"), *parse_override("markets[0].shock.fall_fraction = 0.3"),
      *parse_override("liquidation.mechanism=none"),
      *parse_override("markets[0].index.weights=[1, 2, 3, 4, 5]")};
  const ScenarioResult r = load_preset("exogenous", overrides);
  ASSERT_TRUE(std::holds_alternative<Scenario>(r)) << std::get<1>(r)[0].message();
  const Scenario& s = std::get<Scenario>(r);
  EXPECT_EQ(s.traders.count, 1000000);
  EXPECT_EQ(s.markets[0].shock.fall_fraction, 0.3);
  EXPECT_EQ(s.liquidation.mechanism, "none");  // a bare word is a string
  EXPECT_EQ(s.markets[0].index.weights.size(), 5u);
  EXPECT_TRUE(s.markets[0].shock.enabled);  // untouched keys keep the preset's values
}

TEST(ScenarioLoaderOverride, OverridesAreValidatedLikeTheFile) {
  const ScenarioResult r = load_preset(
      "small", {*parse_override("traders.count=abc"), *parse_override("markets[0].shock.fall_fraction=2"),
                *parse_override("traders.cuont=3")});
  ASSERT_TRUE(std::holds_alternative<std::vector<ScenarioError>>(r));
  const auto& errors = std::get<1>(r);
  ASSERT_EQ(errors.size(), 3u) << all_messages(errors);
  std::set<std::string> keys;
  for (const auto& e : errors) keys.insert(e.key);
  EXPECT_EQ(keys,
            (std::set<std::string>{"traders.count", "traders.cuont", "markets[0].shock.fall_fraction"}));
}

TEST(ScenarioLoaderOverride, MalformedPathsAndIndicesAreErrors) {
  EXPECT_FALSE(parse_override("no-equals").has_value());
  EXPECT_FALSE(parse_override("=3").has_value());
  for (const char* text :
       {"markets[5].tick_size=1", "markets[x].tick_size=1", "a..b=1", "traders.count.x=1"}) {
    const ScenarioResult r = load_preset("small", {*parse_override(text)});
    ASSERT_TRUE(std::holds_alternative<std::vector<ScenarioError>>(r)) << text;
    EXPECT_NE(std::get<1>(r)[0].problem.find("--set"), std::string::npos) << std::get<1>(r)[0].message();
  }
  EXPECT_TRUE(std::holds_alternative<std::vector<ScenarioError>>(load_preset("nope")));
}

TEST(ScenarioLoaderPresets, KeeperPresetIsTheExogenousDemoWithKeepers) {
  Scenario keeper = std::get<Scenario>(load_preset("keeper"));
  Scenario demo = std::get<Scenario>(load_preset("exogenous"));
  EXPECT_EQ(keeper.liquidation.mechanism, "keeper");
  keeper.liquidation.mechanism = demo.liquidation.mechanism;
  keeper.name = demo.name;
  EXPECT_EQ(to_toml(keeper), to_toml(demo));
}

// The issue's definition of the calm day: the default market with no scripted shock.
TEST(ScenarioLoaderPresets, CalmPresetIsTheDefaultWithoutItsShock) {
  Scenario calm = std::get<Scenario>(load_preset("calm"));
  Scenario demo = std::get<Scenario>(load_preset("default"));
  EXPECT_EQ(calm.markets[0].price.model, "garch");
  ASSERT_EQ(calm.markets.size(), demo.markets.size());
  EXPECT_FALSE(calm.markets[0].shock.enabled);
  EXPECT_TRUE(demo.markets[0].shock.enabled);
  demo.markets[0].shock = calm.markets[0].shock;
  demo.name = calm.name;
  EXPECT_EQ(to_toml(calm), to_toml(demo));
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// The measurement window starts in [0, duration_seconds): the end of the run or later, and negative
// values, are refused naming the key, the value and what is allowed.
TEST(ScenarioLoader, MeasurementWindowStartsBeforeTheEnd) {
  EXPECT_EQ(load_ok("").measure_from_seconds, 0.0);
  EXPECT_EQ(load_ok("duration_seconds = 600\nmeasure_from_seconds = 60\n").measure_from_seconds, 60.0);
  const auto at_end = load_errors("duration_seconds = 600\nmeasure_from_seconds = 600\n");
  ASSERT_EQ(at_end.size(), 1u);
  EXPECT_EQ(at_end[0].key, "measure_from_seconds");
  EXPECT_EQ(at_end[0].value, "600");
  EXPECT_EQ(at_end[0].allowed, "[0, duration_seconds) = [0, 600)");
  const auto negative = load_errors("measure_from_seconds = -1\n");
  ASSERT_EQ(negative.size(), 1u);
  EXPECT_EQ(negative[0].key, "measure_from_seconds");
  EXPECT_EQ(negative[0].value, "-1");
  // Below the run's resolution of 1 ns a positive start would be 0: refused as for every time.
  EXPECT_EQ(load_errors("measure_from_seconds = 1e-12\n")[0].key, "measure_from_seconds");
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// Parameter combinations the real protocols forbid are refused with the key, the value and the rule:
// Maker's buf below 1 (DssExecLib setStartingPriceMultiplicativeFactor), a stairstep tail shorter than
// one step, dust above hole (DssExecLib keeps hole >= dust), a Flipper auction shorter than one bid's
// life, a keeper close factor above 1.
TEST(ScenarioLoaderMaker, ForbiddenAuctionParametersAreRefusedNamingTheRule) {
  const auto one = [](const std::string& text, const std::string& key) {
    const auto errors = load_errors(text);
    for (const ScenarioError& e : errors)
      if (e.key == key) return e;
    ADD_FAILURE() << "no error for " << key << " in:\n" << text;
    return ScenarioError{};
  };
  EXPECT_EQ(one("[liquidation.maker_clip]\nbuf = 0.9\n", "liquidation.maker_clip.buf").value, "0.9");
  const ScenarioError tail = one("[liquidation.maker_clip]\ntail_seconds = 60\nstep_seconds = 90\n",
                                 "liquidation.maker_clip.tail_seconds");
  EXPECT_NE(tail.problem.find("shorter than one step"), std::string::npos) << tail.problem;
  const ScenarioError dust =
      one("[liquidation.maker_clip]\ndust = 9000000\nhole = 8000000\n", "liquidation.maker_clip.dust");
  EXPECT_NE(dust.allowed.find("DssExecLib"), std::string::npos) << dust.allowed;
  const ScenarioError tau = one("[liquidation.maker_flip]\nttl_seconds = 600\ntau_seconds = 300\n",
                                "liquidation.maker_flip.tau_seconds");
  EXPECT_NE(tau.allowed.find(">= ttl_seconds"), std::string::npos) << tau.allowed;
  EXPECT_EQ(one("[liquidation.keeper]\nclose_factor = 1.5\n", "liquidation.keeper.close_factor").value,
            "1.5");
  EXPECT_EQ(one("[liquidation.maker_flip]\nbeg = 1\n", "liquidation.maker_flip.beg").value, "1");
  EXPECT_EQ(one("[keepers]\ncount = 2\nlowball_count = 3\n", "keepers.lowball_count").value, "3");
}

}  // namespace
}  // namespace liqsim

namespace liqsim {
namespace {

// Aave's borrow rate is a yearly fraction held in ray (27 decimals in 128 bits): at most 500% a year, so
// that the index and a debt times it stay representable. A random scenario once drew 10 and aborted in
// the conversion; now the loader refuses it.
TEST(ScenarioLoaderAave, BorrowRateBeyondFiveHundredPercentIsRefused) {
  const auto errors = load_errors("[liquidation.aave_v3]\nborrow_rate = 10\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "liquidation.aave_v3.borrow_rate");
  EXPECT_EQ(errors[0].allowed, "[0, 5]");
  EXPECT_EQ(load_ok("[liquidation.aave_v3]\nborrow_rate = 0.05\n").liquidation.get<AaveV3Spec>().borrow_rate,
            0.05);
}

}  // namespace
}  // namespace liqsim
