// The scenario schema: one description of every spec (key names, allowed ranges, fixed-point units,
// layout), shared by the TOML reader, the validator, the TOML writer and the random scenario
// generator. Internal to experiments/; toml++ does not appear here.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/units.h"
#include "experiments/liquidation_mechanisms.h"
#include "experiments/scenario.h"
#include "experiments/scenario_loader.h"
#include "experiments/schema_vocabulary.h"

namespace liqsim::schema {

inline MarketSpec default_market() { return MarketSpec{}; }

// One description of each spec, shared by the reader, the validator and the writer: key names,
// allowed ranges and layout live only here. Nested specs come last so the writer can emit the
// table's own keys before its sub-tables, as TOML requires.

template <class V>
void describe(V& v, PriceProcessSpec& s) {
  v.text("model", s.model, one_of({"gbm", "merton", "garch", "replay"}));
  v.number("drift_per_year", s.drift_per_year, closed(-5, 5));
  v.number("vol_per_year", s.vol_per_year, closed(0, 10));
  v.number("step_seconds", s.step_seconds, closed(kMinInterval, 3600), Unit::Seconds);
  v.number("jump_intensity_per_year", s.jump_intensity_per_year, closed(0, 1e5));
  v.number("jump_mean_log", s.jump_mean_log, closed(-1, 1));
  v.number("jump_stdev_log", s.jump_stdev_log, closed(0, 2));
  v.number("garch_alpha", s.garch_alpha, closed_open(0, 1));
  v.number("garch_beta", s.garch_beta, closed_open(0, 1));
  v.number("garch_interval_seconds", s.garch_interval_seconds, closed(kMinInterval, 86400), Unit::Seconds);
  v.text("innovations", s.innovations, one_of({"normal", "student_t"}));
  v.number("student_t_dof", s.student_t_dof, open_closed(4, 1000));
  v.text("replay_file", s.replay_file, any_text());
  v.text("time_column", s.time_column, any_text());
  v.text("price_column", s.price_column, any_text());
  v.number("time_unit_seconds", s.time_unit_seconds, open_closed(0, 86400));
  v.text("interpolation", s.interpolation, one_of({"step", "linear"}));
  v.flag("rescale_to_initial", s.rescale_to_initial);
}

template <class V>
void describe(V& v, ShockSpec& s) {
  v.flag("enabled", s.enabled);
  v.number("start_seconds", s.start_seconds, closed_open(0, kMaxSeconds), Unit::Seconds);
  v.number("duration_seconds", s.duration_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
  v.number("fall_fraction", s.fall_fraction, open(0, 0.95));
  v.number("recovery_seconds", s.recovery_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("recovery_fraction", s.recovery_fraction, closed(0, 1));
}

template <class V>
void describe(V& v, IndexSpec& s) {
  v.text("source", s.source, one_of({"exogenous", "spot_venues"}));
  v.integer("venues", s.venues, 1, 32);
  v.number("noise_stdev", s.noise_stdev, closed(0, 0.1));
  v.number("noise_half_life_seconds", s.noise_half_life_seconds, closed(kMinInterval, kMaxSeconds),
           Unit::Seconds);
  v.number("stale_probability", s.stale_probability, closed_open(0, 1));
  v.number("outlier_threshold", s.outlier_threshold, open(0, 1), Unit::Fraction);
  v.number("update_interval_seconds", s.update_interval_seconds, closed(kMinInterval, 3600), Unit::Seconds);
  // Weights become integers in thousandths (market/venue_index): 0.001 is the smallest.
  v.numbers("weights", s.weights, closed(0.001, 1e6));
}

template <class V>
void describe(V& v, SpotSpec& s) {
  v.integer("venues", s.venues, 0, 16);
  v.number("taker_fee", s.taker_fee, closed(0, 0.01), Unit::Fraction);
  v.number("maker_fee", s.maker_fee, closed(-0.001, 0.01), Unit::Fraction);
}

template <class V>
void describe(V& v, AmmSpec& s) {
  // reserve x initial_price <= 1e12 $ (the quote reserve an Amount holds): a cross-field rule.
  v.number("reserve", s.reserve, closed(0, kMaxCoins), Unit::Coins);
  v.number("fee", s.fee, open_closed(0, 0.1), Unit::Fraction);
  v.text("kind", s.kind, one_of({"constant_product", "concentrated"}));
  v.number("range_low", s.range_low, open(0, 1), Unit::Fraction);
  v.number("range_high", s.range_high, open_closed(1, 1000), Unit::Fraction);
  v.integer("tick_spacing", s.tick_spacing, 1, 16384);
}

template <class V>
void describe(V& v, OracleSpec& s) {
  v.text("source", s.source, one_of({"model", "replay"}));
  v.text("replay_file", s.replay_file, any_text());
  v.text("time_column", s.time_column, any_text());
  v.text("price_column", s.price_column, any_text());
  v.number("time_unit_seconds", s.time_unit_seconds, open_closed(0, 86400));
  v.number("heartbeat_seconds", s.heartbeat_seconds, closed(kMinInterval, kMaxSeconds), Unit::Seconds);
  v.number("deviation", s.deviation, closed_open(0, 1), Unit::Fraction);
  v.number("delay_seconds", s.delay_seconds, closed(0, kMaxSeconds), Unit::Seconds);
}

template <class V>
void describe(V& v, MarkSpec& s) {
  v.text("method", s.method,
         one_of({"index", "last", "index_plus_basis", "binance_median", "hyperliquid_median", "oracle",
                 "bitmex_fair_price"}));
  v.number("update_interval_seconds", s.update_interval_seconds, closed(kMinInterval, 60), Unit::Seconds);
  v.number("basis_window_seconds", s.basis_window_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
  v.number("basis_sample_interval_seconds", s.basis_sample_interval_seconds, closed(kMinInterval, 60),
           Unit::Seconds);
}

template <class V>
void describe(V& v, FundingSpec& s) {
  v.flag("enabled", s.enabled);
  v.number("interval_seconds", s.interval_seconds, closed(1, 86400 * 7), Unit::Seconds);
  v.number("interest_rate", s.interest_rate, closed(-0.01, 0.01), Unit::Fraction);
  v.number("clamp", s.clamp, closed(0, 0.1), Unit::Fraction);
  v.number("cap", s.cap, open_closed(0, 0.1), Unit::Fraction);
  v.number("premium_sample_interval_seconds", s.premium_sample_interval_seconds,
           closed(kMinInterval, 86400 * 7), Unit::Seconds);
  v.number("impact_notional", s.impact_notional, open_closed(0, kMaxDollars), Unit::Dollars);
}

template <class V>
void describe(V& v, MarketSpec& s) {
  v.text("symbol", s.symbol, non_empty_text());
  // Prices up to $1e7 per coin: with model paths within 1e3x and the 10x band, every mark, limit and
  // position value stays inside an Amount. Quote a dearer asset in a smaller unit.
  v.number("tick_size", s.tick_size, open_closed(0, kMaxInitialPrice), Unit::Dollars);
  v.number("initial_price", s.initial_price, open_closed(0, kMaxInitialPrice), Unit::Dollars);
  v.number("taker_fee", s.taker_fee, closed(0, 0.01), Unit::Fraction);
  v.number("maker_fee", s.maker_fee, closed(-0.001, 0.01), Unit::Fraction);
  v.number("depth_band", s.depth_band, open_closed(0, 0.5), Unit::Fraction);
  v.table("price", s.price);
  v.table("shock", s.shock);
  v.table("index", s.index);
  v.table("spot", s.spot);
  v.table("amm", s.amm);
  v.table("oracle", s.oracle);
  v.table("mark", s.mark);
  v.table("funding", s.funding);
  v.table("margin", s.margin);
}

template <class V>
void describe(V& v, LiquidationSpec& s) {
  v.text("mechanism", s.mechanism, mechanism_choices());
  v.text("execution", s.execution, one_of({"market", "impact_free"}));
  v.number("insurance_fund", s.insurance_fund, closed(0, kMaxDollars), Unit::Dollars);
  describe_mechanisms(v, s.params);
}

template <class V>
void describe(V& v, NoiseTraderSpec& s) {
  v.integer("count", s.count, 0, 100000);
  v.number("limit_rate", s.limit_rate, closed(0, kMaxRate));
  v.number("market_rate", s.market_rate, closed(0, kMaxRate));
  v.number("cancel_rate", s.cancel_rate, closed(0, kMaxRate));
  v.number("order_size", s.order_size, open_closed(0, kMaxCoins), Unit::Coins);
  v.integer("price_range_ticks", s.price_range_ticks, 1, 1000000);
  v.number("capital", s.capital, open_closed(0, kMaxDollars), Unit::Dollars);
}

template <class V>
void describe(V& v, MarketMakerSpec& s) {
  v.integer("count", s.count, 0, 1000);
  v.number("half_spread", s.half_spread, open(0, 0.1));
  v.integer("levels", s.levels, 1, 100);
  v.number("level_spacing", s.level_spacing, open(0, 0.1));
  v.number("level_size", s.level_size, open_closed(0, kMaxCoins), Unit::Coins);
  v.number("requote_seconds", s.requote_seconds, closed(kMinInterval, kMaxSeconds), Unit::Seconds);
  v.number("inventory_skew", s.inventory_skew, closed(0, 1));
  v.number("max_inventory", s.max_inventory, open_closed(0, kMaxCoins), Unit::Coins);
  v.number("level_notional", s.level_notional, closed(0, kMaxOrderNotional), Unit::Dollars);
  v.number("max_inventory_notional", s.max_inventory_notional, closed(0, kMaxDollars), Unit::Dollars);
  v.number("vol_window_seconds", s.vol_window_seconds, closed(kMinInterval, kMaxSeconds), Unit::Seconds);
  v.number("vol_widening", s.vol_widening, closed(0, 1e4));
  v.number("stress_vol", s.stress_vol, open_closed(0, 1e4));
  v.number("capital", s.capital, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("hedge_half_life_seconds", s.hedge_half_life_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.text("hedge_venue", s.hedge_venue, one_of({"outside", "spot"}));
  v.number("hedge_max_slippage", s.hedge_max_slippage, open(0, 0.5), Unit::Fraction);
}

template <class V>
void describe(V& v, LiquiditySpec& s) {
  v.integer("per_venue", s.per_venue, 0, 100);
  v.flag("on_perpetual", s.on_perpetual);
  v.number("depth_at_1pct", s.depth_at_1pct, open_closed(0, kMaxCoins), Unit::Coins);
  v.number("depth_exponent", s.depth_exponent, open_closed(0, 3));
  v.number("min_distance", s.min_distance, open(0, 0.5), Unit::Fraction);
  v.number("max_distance", s.max_distance, open(0, 0.9), Unit::Fraction);  // > min_distance: cross-field
  v.integer("levels", s.levels, 1, 200);
  v.number("refill_half_life_seconds", s.refill_half_life_seconds, open_closed(0, kMaxSeconds),
           Unit::Seconds);
  v.number("anchor_half_life_seconds", s.anchor_half_life_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("refresh_seconds", s.refresh_seconds, closed(kMinInterval, kMaxSeconds), Unit::Seconds);
  v.number("max_inventory", s.max_inventory, open_closed(0, kMaxCoins), Unit::Coins);
  v.number("inventory_skew", s.inventory_skew, closed(0, 0.5), Unit::Fraction);
  v.number("capital", s.capital, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("stress_vol", s.stress_vol, closed(0, 1e4));
  v.number("stress_depth", s.stress_depth, closed(0, 1), Unit::Fraction);
  v.number("vol_window_seconds", s.vol_window_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
}

template <class V>
void describe(V& v, ValueTraderSpec& s) {
  v.integer("count", s.count, 0, 100000);
  v.text("venues", s.venues, one_of({"spot", "perpetual", "all"}));
  v.number("noise_stdev", s.noise_stdev, closed(0, 1));
  v.number("noise_half_life_seconds", s.noise_half_life_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
  v.number("aggression", s.aggression, open_closed(0, kMaxCoins * 1000));
  v.number("threshold", s.threshold, closed_open(0, 1), Unit::Fraction);
  v.number("max_position", s.max_position, open_closed(0, kMaxCoins), Unit::Coins);
  v.number("max_order", s.max_order, open_closed(0, kMaxCoins), Unit::Coins);
  v.number("mean_interval_seconds", s.mean_interval_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
  v.number("capital", s.capital, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("max_drawdown", s.max_drawdown, closed(0, 1), Unit::Fraction);
  v.number("patience_seconds", s.patience_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
}

template <class V>
void describe(V& v, ArbitrageurSpec& s) {
  v.integer("count", s.count, 0, 10000);
  v.number("min_edge", s.min_edge, closed_open(0, 0.5), Unit::Fraction);
  v.number("max_inventory", s.max_inventory, open_closed(0, kMaxCoins), Unit::Coins);
  v.number("max_order", s.max_order, open_closed(0, kMaxCoins), Unit::Coins);
  v.number("interval_seconds", s.interval_seconds, closed(kMinInterval, kMaxSeconds), Unit::Seconds);
  v.number("latency_jitter_seconds", s.latency_jitter_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("capital", s.capital, open_closed(0, kMaxDollars), Unit::Dollars);
}

template <class V>
void describe(V& v, DistributionSpec& s) {
  v.text("kind", s.kind, one_of({"lognormal", "uniform", "fixed"}));
  v.number("mean", s.mean, open_closed(0, kMaxDollars));
  v.number("stdev", s.stdev, closed(0, kMaxDollars));  // > 0 for lognormal: a cross-field rule
  v.number("min", s.min, open_closed(0, kMaxDollars));
  v.number("max", s.max, open_closed(0, kMaxDollars));
}

template <class V>
void describe(V& v, LeveragedTraderSpec& s) {
  v.integer("count", s.count, 0, 2000000);
  v.number("long_fraction", s.long_fraction, closed(0, 1));
  v.number("cross_fraction", s.cross_fraction, closed(0, 1));
  v.number("emode_fraction", s.emode_fraction, closed(0, 1));
  v.number("entry_start_seconds", s.entry_start_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("entry_end_seconds", s.entry_end_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("topup_trigger", s.topup_trigger, closed(0, 1000), Unit::Fraction);
  v.number("topup_fraction", s.topup_fraction, open_closed(0, 10));
  v.number("outside_capital", s.outside_capital, closed(0, 1000));
  v.number("topup_cooldown_seconds", s.topup_cooldown_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.table("leverage", s.leverage);
  v.table("margin", s.margin);
  v.flag("open_at_start", s.open_at_start);
  v.number("lookback_seconds", s.lookback_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
  v.number("stop_loss_share", s.stop_loss_share, closed(0, 1));
  v.table("stop_loss", s.stop_loss);
  v.number("take_profit_share", s.take_profit_share, closed(0, 1));
  v.table("take_profit", s.take_profit);
  v.number("deleverage_share", s.deleverage_share, closed(0, 1));
  v.table("deleverage_drop", s.deleverage_drop);
  v.number("deleverage_window_seconds", s.deleverage_window_seconds, closed(1, kMaxSeconds), Unit::Seconds);
  v.number("deleverage_fraction", s.deleverage_fraction, open_closed(0, 1), Unit::Fraction);
  v.number("reentry_delay_seconds", s.reentry_delay_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.integer("max_reentries", s.max_reentries, 0, 1000);
  v.number("check_interval_seconds", s.check_interval_seconds, closed(0.01, 3600), Unit::Seconds);
  v.number("exit_slippage", s.exit_slippage, open(0, 0.5), Unit::Fraction);
  v.number("preemptive_share", s.preemptive_share, closed(0, 1));
  v.number("risk_aversion", s.risk_aversion, closed(0, 100));
  v.number("preemptive_approach", s.preemptive_approach, open_closed(0, 0.5));
  v.number("preemptive_fraction", s.preemptive_fraction, open_closed(0, 1));
  v.number("preemptive_depth_band", s.preemptive_depth_band, open_closed(0, 0.5));
  v.text("preemptive_information", s.preemptive_information, non_empty_text());
  v.text("preemptive_rule", s.preemptive_rule, one_of({"own_liquidation", "expected_loss"}));
  v.number("preemptive_max_loss", s.preemptive_max_loss, open_closed(0, 10));
}

template <class V>
void describe(V& v, KeeperSpec& s) {
  v.integer("count", s.count, 0, 10000);
  v.number("capital", s.capital, open_closed(0, kMaxDollars), Unit::Dollars);
  v.number("latency_seconds", s.latency_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("latency_jitter_seconds", s.latency_jitter_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("priority_fee_min", s.priority_fee_min, closed(0, kMaxDollars), Unit::Dollars);
  v.number("priority_fee_max", s.priority_fee_max, closed(0, kMaxDollars), Unit::Dollars);
  v.number("min_profit", s.min_profit, closed(-kMaxDollars, kMaxDollars), Unit::Dollars);
  v.text("sell_rule", s.sell_rule, one_of({"immediate", "twap", "hold"}));
  v.number("hold_seconds", s.hold_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
  v.number("hold_take_profit", s.hold_take_profit, closed(0, 1));
  v.number("hold_stop_loss", s.hold_stop_loss, closed(0, 1));
  v.number("hold_check_seconds", s.hold_check_seconds, closed(1, 3600), Unit::Seconds);
  v.text("unwind_valuation", s.unwind_valuation, one_of({"mark", "book"}));
  v.text("unwind_venue", s.unwind_venue, one_of({"book", "amm"}));
  v.number("amm_max_slippage", s.amm_max_slippage, open(0, 1), Unit::Fraction);
  v.flag("flash_loan", s.flash_loan);
  v.number("flash_loan_fee", s.flash_loan_fee, closed(0, 0.1), Unit::Fraction);
  v.number("twap_seconds", s.twap_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
  v.integer("twap_slices", s.twap_slices, 1, 1000);
  v.text("bidding", s.bidding, one_of({"fixed", "adaptive"}));
  v.number("bid_raise", s.bid_raise, closed(1, 10), Unit::Fraction);
  v.number("bid_decay", s.bid_decay, open_closed(0, 1), Unit::Fraction);
  v.number("valuation_discount", s.valuation_discount, closed_open(0, 1), Unit::Fraction);
  v.number("gas_cap", s.gas_cap, closed(0, kMaxDollars), Unit::Dollars);
  v.number("gas_capped_fraction", s.gas_capped_fraction, closed(0, 1));
  v.number("gas_cap_spread", s.gas_cap_spread, closed(0, 1), Unit::Fraction);
  v.integer("lowball_count", s.lowball_count, 0, 10000);
  v.number("outage_fraction", s.outage_fraction, closed(0, 1));
  v.number("outage_start_seconds", s.outage_start_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("outage_duration_seconds", s.outage_duration_seconds, closed(0, kMaxSeconds), Unit::Seconds);
}

template <class V>
void describe(V& v, LimitsSpec& s) {
  v.number("max_events", s.max_events, closed(1, 1e12));
  v.number("max_memory_mb", s.max_memory_mb, closed(1, 1e7));
}

template <class V>
void describe(V& v, LiquidationMapSpec& s) {
  v.numbers("leverages", s.leverages, open_closed(1, 1000));
  v.numbers("weights", s.weights, closed(0, 1e6));
  v.number("maintenance_rate", s.maintenance_rate, closed_open(0, 0.5));
  v.number("bucket", s.bucket, closed(1e-5, 0.1));
  v.number("initial_spread", s.initial_spread, closed(0, 0.5));
}

template <class V>
void describe(V& v, HunterSpec& s) {
  v.integer("count", s.count, 0, 1000);
  v.integer("market", s.market, 0, 1000);
  v.number("capital", s.capital, open_closed(0, 1e12));
  v.number("max_position", s.max_position, closed(0, 1e6));
  v.number("min_edge", s.min_edge, closed(0, 1));
  v.number("approach", s.approach, open_closed(0, 0.5));
  v.number("depth_band", s.depth_band, open_closed(0, 0.5));
  v.number("interval_seconds", s.interval_seconds, closed(0.01, 3600), Unit::Seconds);
  v.number("hold_seconds", s.hold_seconds, closed(0, 86400), Unit::Seconds);
  v.number("cooldown_seconds", s.cooldown_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("cover_slippage", s.cover_slippage, open(0, 0.5));
  v.text("direction", s.direction, one_of({"down", "up", "both"}));
  v.text("information", s.information, non_empty_text());
}

template <class V>
void describe(V& v, KeeperGroupSpec& s) {
  v.integer("count", s.count, 0, 1000);
  v.number("priority_fee", s.priority_fee, closed(0, kMaxDollars), Unit::Dollars);
  v.number("min_profit", s.min_profit, closed(-kMaxDollars, kMaxDollars), Unit::Dollars);
  v.text("sell_rule", s.sell_rule, one_of({"immediate", "twap", "hold"}));
  v.flag("flash_loan", s.flash_loan);
  v.number("valuation_discount", s.valuation_discount, closed_open(0, 1), Unit::Fraction);
}

template <class V>
void describe(V& v, TraderGroupSpec& s) {
  v.integer("count", s.count, 0, 2000000);
  v.flag("preemptive", s.preemptive);
  v.number("risk_aversion", s.risk_aversion, closed(0, 100));
  v.number("preemptive_approach", s.preemptive_approach, open_closed(0, 0.5));
  v.number("preemptive_fraction", s.preemptive_fraction, open_closed(0, 1));
}

template <class V>
void describe(V& v, OptionSliceSpec& s) {
  v.number("days", s.days, open_closed(0, 3650));
  v.number("a", s.a, closed(-10, 10));
  v.number("b", s.b, closed(0, 10));
  v.number("rho", s.rho, open(-1, 1));
  v.number("m", s.m, closed(-10, 10));
  v.number("sigma", s.sigma, open_closed(0, 10));
}

template <class V>
void describe(V& v, OptionsSpec& s) {
  v.flag("enabled", s.enabled);
  v.integer("market", s.market, 0, 1000);
  v.tables("slices", s.slices, OptionsSpec{}.slices);
  v.text("dynamics", s.dynamics, one_of({"sticky_moneyness", "sticky_strike"}));
  v.number("level_beta", s.level_beta, closed(0, 10));
  v.number("skew_beta", s.skew_beta, closed(0, 10));
  v.numbers("strikes", s.strikes, open_closed(0, 10));
  v.numbers("expiries_days", s.expiries_days, open_closed(0, 3650));
  v.number("tick", s.tick, open_closed(0, 1000), Unit::Dollars);
  v.number("pm_max_move", s.pm_max_move, open(0, 0.9), Unit::Fraction);
  v.integer("pm_buckets", s.pm_buckets, 2, 101);
  v.number("pm_vol_range_up", s.pm_vol_range_up, closed(0, 10), Unit::Fraction);
  v.number("pm_vol_range_down", s.pm_vol_range_down, closed_open(0, 1), Unit::Fraction);
  v.number("short_option_minimum", s.short_option_minimum, closed(0, 1), Unit::Fraction);
  v.number("liquidation_fee", s.liquidation_fee, closed(0, 0.1), Unit::Fraction);
  v.number("liquidation_band", s.liquidation_band, open_closed(0, 100), Unit::Fraction);
  v.number("trigger_margin", s.trigger_margin, closed(0, 0.5), Unit::Fraction);
  v.number("refresh_seconds", s.refresh_seconds, closed(1, kMaxSeconds), Unit::Seconds);
  v.integer("makers", s.makers, 1, 100);
  v.number("maker_capital", s.maker_capital, open_closed(0, 1e12), Unit::Dollars);
  v.number("requote_seconds", s.requote_seconds, closed(0.01, 3600), Unit::Seconds);
  v.number("stress_window_seconds", s.stress_window_seconds, open_closed(0, 86400), Unit::Seconds);
  v.number("vol_spread", s.vol_spread, open_closed(0, 1));
  v.number("level_vol_step", s.level_vol_step, closed(0, 1));
  v.integer("levels", s.levels, 1, 20);
  v.number("level_contracts", s.level_contracts, open_closed(0, 1e6));
  v.number("min_half_spread", s.min_half_spread, closed(0, 1), Unit::Fraction);
  v.number("stress_widen", s.stress_widen, closed(0, 1000));
  v.number("stress_withdraw", s.stress_withdraw, closed(0, 1000));
  v.number("min_depth", s.min_depth, closed(0, 1), Unit::Fraction);
  v.number("inventory_skew", s.inventory_skew, closed(0, 10));
  v.number("inventory_limit", s.inventory_limit, open_closed(0, 1e9));
  v.flag("hedge", s.hedge);
  v.number("hedge_band", s.hedge_band, closed(0, 1e9), Unit::Coins);
  v.number("hedge_slippage", s.hedge_slippage, open(0, 0.5), Unit::Fraction);
  v.integer("writers", s.writers, 0, 1'000'000);
  v.number("writer_capital", s.writer_capital, open_closed(0, 1e12), Unit::Dollars);
  v.number("writer_capital_sigma", s.writer_capital_sigma, closed(0, 5));
  v.numbers("strategy_weights", s.strategy_weights, closed(0, 1e6));
  v.number("usage_min", s.usage_min, open_closed(0, 1), Unit::Fraction);
  v.number("usage_max", s.usage_max, open_closed(0, 1), Unit::Fraction);
  v.number("liquidation_step", s.liquidation_step, open_closed(0, 1), Unit::Fraction);
}

template <class V>
void describe(V& v, Scenario& s) {
  v.text("name", s.name, non_empty_text());
  v.integer("seed", s.seed, 0, kMaxSeed);
  v.number("duration_seconds", s.duration_seconds, open_closed(0, kMaxSeconds), Unit::Seconds);
  // Below duration_seconds: a cross-field rule.
  v.number("measure_from_seconds", s.measure_from_seconds, closed_open(0, kMaxSeconds), Unit::Seconds);
  v.number("record_interval_seconds", s.record_interval_seconds, closed(kMinInterval, kMaxSeconds),
           Unit::Seconds);
  v.text("same_time_order", s.same_time_order, one_of({"fifo", "arrival", "random", "priority_fee"}));
  v.table("liquidation", s.liquidation);
  v.table("noise", s.noise);
  v.table("market_makers", s.market_makers);
  v.table("traders", s.traders);
  v.table("keepers", s.keepers);
  v.table("liquidity", s.liquidity);
  v.table("value_traders", s.value_traders);
  v.table("arbitrageurs", s.arbitrageurs);
  v.table("limits", s.limits);
  v.tables("markets", s.markets, std::vector<MarketSpec>{default_market()});
  v.table("liquidation_map", s.liquidation_map);
  v.tables("hunters", s.hunters, std::vector<HunterSpec>{});
  v.table("options", s.options);
  v.tables("keeper_groups", s.keeper_groups, std::vector<KeeperGroupSpec>{});
  v.tables("trader_groups", s.trader_groups, std::vector<TraderGroupSpec>{});
}

}  // namespace liqsim::schema
