// The margin models a market can name (`markets[i].margin.model`), with the keys each one owns. Every
// model is a block here (its spec, the description of its keys, its cross-field checks, its random draw
// and the builder of its protocol/ implementation) and one line of the compile-time registry
// `MarginModelSpecs` below: the scenario schema, the validator, the TOML writer, the random scenario
// generator, the scenario reference (scripts/gen_scenario_reference.py) and the run's construction walk
// that list. The contract every implementation meets is tests/protocol/margin_model_contract_test.cpp.
//
// TOML layout: the chosen model's keys sit beside `model` in the market's [markets.margin] table:
//   [markets.margin]
//   model = "hyperliquid"
//   [[markets.margin.tiers]]
//   lower_bound = 0
//   max_leverage = 40
// `[[markets.brackets]]`, the former location of binance_tiered's brackets, is still read (the loader
// moves it under [markets.margin] and names it as written in its messages).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "experiments/schema_vocabulary.h"
#include "protocol/margin_model.h"

namespace liqsim {

class Rng;
struct ScenarioError;

// ---- binance_tiered: Binance USDⓈ-M / Bybit leverage brackets (protocol/tiered_margin.h) ----

struct BracketSpec {
  double notional_floor = 0;    // $ >= 0, brackets contiguous: floor_k == cap_{k-1}
  double notional_cap = 0;      // $ > floor
  double maintenance_rate = 0;  // (0, 1), non-decreasing across brackets
  double initial_rate = 0;      // (maintenance_rate, 1]: 1 / max leverage of the bracket
};

// Legacy Binance BTCUSDT leverage brackets, used when a market gives none.
std::vector<BracketSpec> default_brackets();

struct BinanceTieredMarginSpec {
  static constexpr std::string_view kModel = "binance_tiered";
  static constexpr std::string_view kDescription =
      "Binance USDⓈ-M / Bybit leverage brackets: MM = notional x MMR_k - cum_k, cum_k derived so MM is "
      "continuous";
  // At least one; defaults: legacy Binance BTCUSDT table. Also read from [[markets.brackets]].
  std::vector<BracketSpec> brackets = default_brackets();
};

// ---- hyperliquid: Hyperliquid margin tiers (protocol/hyperliquid_margin.h) ----

struct HyperliquidTierSpec {
  double lower_bound = 0;  // $ >= 0: the tier applies from this position notional up; 0 first, increasing
  int max_leverage = 40;   // [1, 100], non-increasing across tiers: MM rate = 1 / (2 x max_leverage)
};

// Hyperliquid's mainnet BTC table (trading/margin-tiers): 40x up to $150M of notional, 20x above.
std::vector<HyperliquidTierSpec> default_hyperliquid_tiers();

struct HyperliquidMarginSpec {
  static constexpr std::string_view kModel = "hyperliquid";
  static constexpr std::string_view kDescription =
      "Hyperliquid: MM = half of the initial margin at the tier's max leverage, less the tier's maintenance "
      "deduction";
  // At least one; defaults: Hyperliquid's mainnet BTC table (40x to $150M, 20x above)
  std::vector<HyperliquidTierSpec> tiers = default_hyperliquid_tiers();
};

// ---- dydx_v4: dYdX v4 liquidity tier (protocol/dydx_margin.h) ----

struct DydxMarginSpec {
  static constexpr std::string_view kModel = "dydx_v4";
  static constexpr std::string_view kDescription =
      "dYdX v4: MM = abs(notional) x IMF x maintenance fraction, the same for every position size";
  int initial_margin_ppm = 20000;         // [1, 1000000]: the liquidity tier's base IMF (Large-Cap 2%)
  int maintenance_fraction_ppm = 600000;  // [1, 1000000]: MMF = IMF x this (Large-Cap 60%: MMF 1.2%)
};

// ---- collateral_ratio: a lending protocol's liquidation ratio (protocol/collateral_ratio_margin.h) ----

struct CollateralRatioMarginSpec {
  static constexpr std::string_view kModel = "collateral_ratio";
  static constexpr std::string_view kDescription =
      "Lending collateral ratio (MakerDAO mat, Liquity MCR, Aave 1 / liquidation threshold): liquidatable "
      "when "
      "position value / liquidation_ratio < debt, i.e. MM = notional - notional / liquidation_ratio";
  // [1.001, 100]: Maker's mat, liquidatable when value / this < debt (Maker ETH-A mat 150%; Liquity MCR
  // 1.1; Aave 1 / liquidation threshold); converted to the nearest 1e-9
  double liquidation_ratio = 1.5;
  // [1.001, 100], >= liquidation_ratio: the ratio a position may be opened at (initial margin = notional -
  // notional / initial_ratio, max leverage initial_ratio / (initial_ratio - 1): 3x at 1.5)
  double initial_ratio = 1.5;
};

// ---- aave_v3: an Aave v3 reserve as collateral (protocol/collateral_ratio_margin.h from_basis_points) ----

// Defaults: Aave v3's WETH reserve at launch (LTV 80%, liquidation threshold 82.5%, bonus 5%,
// liquidationProtocolFee 10%; docs/venues.md "Aave v3"). Every value is a whole basis point, as Aave stores
// it (ReserveConfiguration: 16-bit fields in basis points).
struct AaveV3ReserveMarginSpec {
  static constexpr std::string_view kModel = "aave_v3";
  static constexpr std::string_view kDescription =
      "Aave v3 reserve: liquidatable when the sum over the account's collaterals of value x "
      "liquidation_threshold is below its debt (health factor < 1), borrowing up to ltv; accounts in e-mode "
      "use the category's ltv, threshold and bonus; the aave_v3 mechanism reads the bonus and fee";
  double ltv = 0.8;                      // [0, 0.9999]: borrowing limit, share of the value; <= threshold
  double liquidation_threshold = 0.825;  // (0, 0.9999]: HF = sum(value x this) / debt
  double liquidation_bonus = 0.05;  // (0, 0.5]: collateral seized = debt repaid x (1 + this); threshold x (1
                                    // + this) <= 1 (PoolConfigurator)
  double liquidation_protocol_fee = 0.1;  // [0, 1]: the treasury's share of the bonus
  // The e-mode category's values for accounts in e-mode (traders.emode_fraction); 0 threshold: the reserve
  // is not in the category (then emode_ltv and emode_liquidation_bonus must be 0 too).
  double emode_ltv = 0;                    // [0, 0.9999], <= emode_liquidation_threshold
  double emode_liquidation_threshold = 0;  // [0, 0.9999], 0 or >= liquidation_threshold
  double emode_liquidation_bonus = 0;      // [0, 0.5], > 0 with a threshold
};

// ---- bitmex_risk_limit: BitMEX risk limits (protocol/bitmex_margin.h) ----

// Defaults: XBTUSD in bitmex.com/app/riskLimitsExamples (0.50% / 1.00% below 200 XBT, +0.50% per 150 XBT).
struct BitmexRiskLimitMarginSpec {
  static constexpr std::string_view kModel = "bitmex_risk_limit";
  static constexpr std::string_view kDescription =
      "BitMEX risk limits: MM = notional x base_maintenance_rate x (1 + steps), IM rate base_initial_rate + "
      "steps x base_maintenance_rate, steps = the risk steps the position's size reaches above "
      "base_risk_limit; the rate applies to the whole position (no deduction: the requirement jumps)";
  double base_risk_limit = 200;          // coins > 0: positions below it pay the base rates
  double risk_step = 150;                // coins > 0: each further step adds base_maintenance_rate
  double base_maintenance_rate = 0.005;  // (0, 0.5]
  double base_initial_rate = 0.01;       // [base_maintenance_rate, 1]
  // [0, 1000]: risk limits above the base; larger positions pay the last one's rates. The maintenance
  // rate there, base x (1 + max_risk_steps), must be below 1 and the initial rate at most 1.
  int max_risk_steps = 10;
};

// The registry: one line per model. The first is the default.
using MarginModelSpecs =
    std::tuple<BinanceTieredMarginSpec, HyperliquidMarginSpec, DydxMarginSpec, CollateralRatioMarginSpec,
               AaveV3ReserveMarginSpec, BitmexRiskLimitMarginSpec>;

struct MarginSpec {
  // "binance_tiered" | "hyperliquid" | "dydx_v4" | "collateral_ratio" | "aave_v3" | "bitmex_risk_limit"
  // (experiments/margin_models.h); the
  // chosen model's keys (below) sit beside it in [markets.margin]
  std::string model = "binance_tiered";
  MarginModelSpecs params;  // every model's keys; only the chosen model's are read, checked and written

  template <class Spec>
  Spec& get() {
    return std::get<Spec>(params);
  }
  template <class Spec>
  const Spec& get() const {
    return std::get<Spec>(params);
  }
};

struct MarginModelEntry {
  std::string_view name;
  std::string_view description;
};
// The registered models, in registry order.
std::vector<MarginModelEntry> margin_models();

// The protocol model of a validated spec (an unknown model name or an invalid spec here is a bug in the
// caller and aborts).
MarginModelRef build_margin_model(const MarginSpec& spec);
// The model of accounts in e-mode (ProtocolMarket::emode_margin): an aave_v3 reserve in the e-mode category
// (emode_liquidation_threshold > 0); none otherwise.
std::optional<MarginModelRef> build_emode_margin_model(const MarginSpec& spec);
// An Aave reserve's values in basis points (the spec must be an aave_v3 model that validates).
struct AaveReserveBps {
  int64_t ltv = 0, liquidation_threshold = 0, liquidation_bonus = 0, protocol_fee = 0;
  int64_t emode_ltv = 0, emode_liquidation_threshold = 0, emode_liquidation_bonus = 0;
};
AaveReserveBps aave_reserve_bps(const AaveV3ReserveMarginSpec& spec);
// Cross-field rules of the chosen model's keys (`path` names the [markets.margin] table, e.g.
// "markets[0].margin"); keys in `skip` were not read and are not judged.
void check_margin_model(const MarginSpec& spec, const std::string& path, const std::set<std::string>& skip,
                        std::vector<ScenarioError>& errors);
// Draws valid keys for the chosen model (the random scenario generator).
void randomize_margin_model(MarginSpec& spec, Rng& rng);
// The chosen model's lowest maintenance rate (MarginModel::min_maintenance_rate, rounded down: the
// first tier's rate), or nullopt when the spec is one the model would refuse (its protocol validate()
// fails, an unknown model name): such a spec is reported by the validation of the margin keys.
std::optional<Ratio> min_maintenance_rate(const MarginSpec& spec);

namespace schema {

// The names of the registered margin models.
inline TextRule margin_model_choices() {
  TextRule rule;
  std::apply(
      [&](const auto&... spec) { (rule.choices.push_back(std::decay_t<decltype(spec)>::kModel), ...); },
      MarginModelSpecs{});
  return rule;
}

template <class V>
void describe(V& v, BracketSpec& s) {
  v.number("notional_floor", s.notional_floor, closed(0, kMaxDollars), Unit::Dollars, Presence::Required);
  v.number("notional_cap", s.notional_cap, open_closed(0, kMaxDollars), Unit::Dollars, Presence::Required);
  v.number("maintenance_rate", s.maintenance_rate, open(0, 1), Unit::Fraction, Presence::Required);
  v.number("initial_rate", s.initial_rate, open_closed(0, 1), Unit::Fraction, Presence::Required);
}

template <class V>
void describe(V& v, BinanceTieredMarginSpec& s) {
  v.tables("brackets", s.brackets, default_brackets());
}

template <class V>
void describe(V& v, HyperliquidTierSpec& s) {
  v.number("lower_bound", s.lower_bound, closed(0, kMaxDollars), Unit::Dollars, Presence::Required);
  v.integer("max_leverage", s.max_leverage, 1, 100, Presence::Required);
}

template <class V>
void describe(V& v, HyperliquidMarginSpec& s) {
  v.tables("tiers", s.tiers, default_hyperliquid_tiers());
}

template <class V>
void describe(V& v, DydxMarginSpec& s) {
  v.integer("initial_margin_ppm", s.initial_margin_ppm, 1, 1000000);
  v.integer("maintenance_fraction_ppm", s.maintenance_fraction_ppm, 1, 1000000);
}

template <class V>
void describe(V& v, CollateralRatioMarginSpec& s) {
  v.number("liquidation_ratio", s.liquidation_ratio, closed(1.001, 100), Unit::Fraction);
  v.number("initial_ratio", s.initial_ratio, closed(1.001, 100), Unit::Fraction);
}

template <class V>
void describe(V& v, AaveV3ReserveMarginSpec& s) {
  v.number("ltv", s.ltv, closed(0, 0.9999), Unit::Fraction);
  v.number("liquidation_threshold", s.liquidation_threshold, open_closed(0, 0.9999), Unit::Fraction);
  v.number("liquidation_bonus", s.liquidation_bonus, open_closed(0, 0.5), Unit::Fraction);
  v.number("liquidation_protocol_fee", s.liquidation_protocol_fee, closed(0, 1), Unit::Fraction);
  v.number("emode_ltv", s.emode_ltv, closed(0, 0.9999), Unit::Fraction);
  v.number("emode_liquidation_threshold", s.emode_liquidation_threshold, closed(0, 0.9999), Unit::Fraction);
  v.number("emode_liquidation_bonus", s.emode_liquidation_bonus, closed(0, 0.5), Unit::Fraction);
}

template <class V>
void describe(V& v, BitmexRiskLimitMarginSpec& s) {
  v.number("base_risk_limit", s.base_risk_limit, open_closed(0, 1e10), Unit::Coins);
  v.number("risk_step", s.risk_step, open_closed(0, 1e10), Unit::Coins);
  v.number("base_maintenance_rate", s.base_maintenance_rate, open_closed(0, 0.5), Unit::Fraction);
  v.number("base_initial_rate", s.base_initial_rate, open_closed(0, 1), Unit::Fraction);
  v.integer("max_risk_steps", s.max_risk_steps, 0, 1000);
}

// `model`, then the keys of the model it names (none for an unknown name: the validator reports it).
template <class V>
void describe(V& v, MarginSpec& s) {
  v.text("model", s.model, margin_model_choices());
  const std::string model = s.model;
  std::apply(
      [&](auto&... spec) {
        ((model == std::decay_t<decltype(spec)>::kModel ? describe(v, spec) : void()), ...);
      },
      s.params);
}

}  // namespace schema
}  // namespace liqsim
