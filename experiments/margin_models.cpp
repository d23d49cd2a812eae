#include "experiments/margin_models.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "core/check.h"
#include "core/rng.h"
#include "experiments/scenario_loader.h"
#include "protocol/aave_v3_liquidation.h"
#include "protocol/bitmex_margin.h"
#include "protocol/collateral_ratio_margin.h"
#include "protocol/dydx_margin.h"
#include "protocol/hyperliquid_margin.h"
#include "protocol/tiered_margin.h"

namespace liqsim {
namespace {

using namespace schema;

// x in fixed point with `scale` units per 1, as core/units.h converts it (nearest).
int64_t fixed(double x, int64_t scale) {
  const double scaled = std::round(x * double(scale));
  return std::fabs(scaled) < 9.2e18 ? static_cast<int64_t>(scaled) : 0;
}

double log_uniform(Rng& rng, double lo, double hi) {
  return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * rng.uniform01());
}

// Appends errors for one model's keys under `path`.
class Checker {
 public:
  Checker(const std::string& path, const std::set<std::string>& skip, std::vector<ScenarioError>& errors)
      : path_(path), skip_(skip), errors_(errors) {}
  std::string key(const std::string& rest) const { return path_ + "." + rest; }
  bool readable(std::initializer_list<std::string> keys) const {
    return std::none_of(keys.begin(), keys.end(), [&](const std::string& k) { return skip_.count(k) > 0; });
  }
  void add(std::string key, const std::string& value, std::string problem, std::string allowed) {
    errors_.push_back({std::move(key), value, std::move(allowed), std::move(problem)});
  }

 private:
  const std::string& path_;
  const std::set<std::string>& skip_;
  std::vector<ScenarioError>& errors_;
};

// ---- binance_tiered ----

MarginBracketSpec to_bracket(const BracketSpec& b) {
  MarginBracketSpec s;
  s.notional_floor = amount_from_double(b.notional_floor);
  s.notional_cap = amount_from_double(b.notional_cap);
  s.maintenance_rate = ratio_from_double(b.maintenance_rate);
  s.initial_rate = ratio_from_double(b.initial_rate);
  return s;
}

std::vector<MarginBracketSpec> to_brackets(const BinanceTieredMarginSpec& spec) {
  std::vector<MarginBracketSpec> brackets;
  for (const BracketSpec& b : spec.brackets) brackets.push_back(to_bracket(b));
  return brackets;
}

MarginModelRef build(const BinanceTieredMarginSpec& spec) {
  return TieredMaintenanceMargin(to_brackets(spec));
}

// The protocol constructor accepts the converted table (it aborts on one its validate() refuses).
bool buildable(const BinanceTieredMarginSpec& spec) {
  return !TieredMaintenanceMargin::validate(to_brackets(spec)).has_value();
}

void check(const BinanceTieredMarginSpec& spec, Checker& c) {
  for (size_t k = 0; k < spec.brackets.size(); ++k) {
    const BracketSpec& b = spec.brackets[k];
    const std::string bp = c.key(indexed("brackets", k));
    const std::string prev = k > 0 ? c.key(indexed("brackets", k - 1)) : "";
    if (c.readable({bp + ".notional_cap", bp + ".notional_floor"}) &&
        fixed(b.notional_cap, kAmountScale) <= fixed(b.notional_floor, kAmountScale)) {
      c.add(bp + ".notional_cap", format_number(b.notional_cap), "not above notional_floor",
            "> notional_floor (" + format_number(b.notional_floor) + ")");
    }
    if (c.readable({bp + ".initial_rate", bp + ".maintenance_rate"}) &&
        fixed(b.initial_rate, kRatioScale) <= fixed(b.maintenance_rate, kRatioScale)) {
      c.add(bp + ".initial_rate", format_number(b.initial_rate), "not above maintenance_rate",
            "(maintenance_rate, 1] = (" + format_number(b.maintenance_rate) + ", 1]");
    }
    if (k == 0) continue;
    const BracketSpec& before = spec.brackets[k - 1];
    if (c.readable({bp + ".notional_floor", prev + ".notional_cap"}) &&
        fixed(b.notional_floor, kAmountScale) != fixed(before.notional_cap, kAmountScale)) {
      c.add(bp + ".notional_floor", format_number(b.notional_floor),
            b.notional_floor > before.notional_cap ? "leaves a gap after the previous bracket"
                                                   : "overlaps the previous bracket",
            "= " + prev + ".notional_cap (" + format_number(before.notional_cap) + ")");
    }
    if (c.readable({bp + ".maintenance_rate", prev + ".maintenance_rate"}) &&
        b.maintenance_rate < before.maintenance_rate) {
      c.add(bp + ".maintenance_rate", format_number(b.maintenance_rate), "lower than the previous bracket's",
            ">= " + format_number(before.maintenance_rate));
    }
    if (c.readable({bp + ".initial_rate", prev + ".initial_rate"}) && b.initial_rate < before.initial_rate) {
      c.add(bp + ".initial_rate", format_number(b.initial_rate), "lower than the previous bracket's",
            ">= " + format_number(before.initial_rate));
    }
  }
}

void randomize(BinanceTieredMarginSpec& spec, Rng& rng) {
  if (rng.bernoulli(0.5)) {
    spec.brackets = default_brackets();
    return;
  }
  const int n = 1 + int(rng.uniform_below(5));
  spec.brackets.clear();
  double floor = 0;
  double maintenance = log_uniform(rng, 1e-4, 0.05);
  for (int k = 0; k < n; ++k) {
    BracketSpec b;
    b.notional_floor = floor;
    b.notional_cap = std::round(floor + log_uniform(rng, 1, 1e8));
    b.maintenance_rate = maintenance;
    b.initial_rate = std::min(1.0, maintenance * (1.0 + log_uniform(rng, 0.01, 20)));
    if (b.initial_rate <= b.maintenance_rate) b.initial_rate = 1.0;
    spec.brackets.push_back(b);
    floor = b.notional_cap;
    maintenance = std::min(0.5, maintenance * (1.0 + rng.uniform01()));
  }
}

// ---- hyperliquid ----

std::vector<HyperliquidMarginTier> to_tiers(const HyperliquidMarginSpec& spec) {
  std::vector<HyperliquidMarginTier> tiers;
  for (const HyperliquidTierSpec& t : spec.tiers)
    tiers.push_back(HyperliquidMarginTier{amount_from_double(t.lower_bound), t.max_leverage});
  return tiers;
}

MarginModelRef build(const HyperliquidMarginSpec& spec) { return HyperliquidMargin(to_tiers(spec)); }

bool buildable(const HyperliquidMarginSpec& spec) {
  return !HyperliquidMargin::validate(to_tiers(spec)).has_value();
}

void check(const HyperliquidMarginSpec& spec, Checker& c) {
  for (size_t n = 0; n < spec.tiers.size(); ++n) {
    const HyperliquidTierSpec& t = spec.tiers[n];
    const std::string tp = c.key(indexed("tiers", n));
    const std::string prev = n > 0 ? c.key(indexed("tiers", n - 1)) : "";
    if (n == 0) {
      if (c.readable({tp + ".lower_bound"}) && fixed(t.lower_bound, kAmountScale) != 0)
        c.add(tp + ".lower_bound", format_number(t.lower_bound), "the first tier must start at notional 0",
              "0");
      continue;
    }
    const HyperliquidTierSpec& before = spec.tiers[n - 1];
    if (c.readable({tp + ".lower_bound", prev + ".lower_bound"}) &&
        fixed(t.lower_bound, kAmountScale) <= fixed(before.lower_bound, kAmountScale)) {
      c.add(tp + ".lower_bound", format_number(t.lower_bound), "not above the previous tier's lower bound",
            "> " + prev + ".lower_bound (" + format_number(before.lower_bound) + ")");
    }
    if (c.readable({tp + ".max_leverage", prev + ".max_leverage"}) && t.max_leverage > before.max_leverage) {
      c.add(tp + ".max_leverage", std::to_string(t.max_leverage),
            "higher than the previous tier's (maintenance rates would decrease)",
            "<= " + prev + ".max_leverage (" + std::to_string(before.max_leverage) + ")");
    }
  }
}

void randomize(HyperliquidMarginSpec& spec, Rng& rng) {
  if (rng.bernoulli(0.3)) {
    spec.tiers = default_hyperliquid_tiers();
    return;
  }
  const int n = 1 + int(rng.uniform_below(5));
  spec.tiers.clear();
  double bound = 0;
  int leverage = 1 + int(rng.uniform_below(100));
  for (int k = 0; k < n; ++k) {
    spec.tiers.push_back(HyperliquidTierSpec{bound, leverage});
    bound = std::round(bound + log_uniform(rng, 1, 1e8));
    leverage = std::max(1, leverage - int(rng.uniform_below(uint64_t(leverage))));
  }
}

// ---- dydx_v4 ----

MarginModelRef build(const DydxMarginSpec& spec) {
  return DydxMargin({spec.initial_margin_ppm, spec.maintenance_fraction_ppm});
}

bool buildable(const DydxMarginSpec& spec) {
  return !DydxMargin::validate({spec.initial_margin_ppm, spec.maintenance_fraction_ppm}).has_value();
}

void check(const DydxMarginSpec& spec, Checker& c) {
  if (spec.initial_margin_ppm == 1'000'000 && spec.maintenance_fraction_ppm == 1'000'000 &&
      c.readable({c.key("initial_margin_ppm"), c.key("maintenance_fraction_ppm")})) {
    c.add(c.key("maintenance_fraction_ppm"), std::to_string(spec.maintenance_fraction_ppm),
          "with initial_margin_ppm = 1000000 the maintenance fraction of the notional is 100%",
          "[1, 999999] when initial_margin_ppm = 1000000");
  }
}

void randomize(DydxMarginSpec& spec, Rng& rng) {
  spec.initial_margin_ppm = int(log_uniform(rng, 1'000, 1'000'000));
  spec.maintenance_fraction_ppm = int(rng.uniform_int(100'000, 999'999));
}

// ---- bitmex_risk_limit ----

BitmexRiskLimits to_limits(const BitmexRiskLimitMarginSpec& spec) {
  return {quantity_from_double(spec.base_risk_limit), quantity_from_double(spec.risk_step),
          ratio_from_double(spec.base_maintenance_rate), ratio_from_double(spec.base_initial_rate),
          spec.max_risk_steps};
}

MarginModelRef build(const BitmexRiskLimitMarginSpec& spec) { return BitmexRiskLimitMargin(to_limits(spec)); }

bool buildable(const BitmexRiskLimitMarginSpec& spec) {
  return !BitmexRiskLimitMargin::validate(to_limits(spec)).has_value();
}

void check(const BitmexRiskLimitMarginSpec& spec, Checker& c) {
  // Judged on the converted values, which are what runs.
  const BitmexRiskLimits l = to_limits(spec);
  if (c.readable({c.key("base_initial_rate"), c.key("base_maintenance_rate")}) &&
      l.base_initial < l.base_maintenance)
    c.add(c.key("base_initial_rate"), format_number(spec.base_initial_rate),
          "below base_maintenance_rate: a position opened at max leverage would already be liquidatable",
          ">= base_maintenance_rate (" + format_number(spec.base_maintenance_rate) + ")");
  if (!c.readable({c.key("base_maintenance_rate"), c.key("base_initial_rate"), c.key("max_risk_steps")}))
    return;
  if (Ratio(l.base_maintenance.raw()) * (spec.max_risk_steps + 1) >= Ratio(kRatioScale))
    c.add(c.key("max_risk_steps"), std::to_string(spec.max_risk_steps),
          "the maintenance rate at the highest risk limit, base_maintenance_rate x (1 + max_risk_steps), "
          "reaches "
          "100% (bitmex.com/app/riskLimitsExamples: each step adds the base maintenance rate)",
          "< 1 / base_maintenance_rate - 1 (" + format_number(1.0 / spec.base_maintenance_rate - 1) + ")");
  else if (l.base_initial + Ratio(l.base_maintenance.raw() * spec.max_risk_steps) > Ratio(kRatioScale))
    c.add(c.key("max_risk_steps"), std::to_string(spec.max_risk_steps),
          "the initial rate at the highest risk limit, base_initial_rate + max_risk_steps x "
          "base_maintenance_rate, exceeds 100%",
          "<= (1 - base_initial_rate) / base_maintenance_rate");
}

void randomize(BitmexRiskLimitMarginSpec& spec, Rng& rng) {
  if (rng.bernoulli(0.3)) {
    spec = BitmexRiskLimitMarginSpec{};  // XBTUSD
    return;
  }
  spec.base_maintenance_rate = log_uniform(rng, 0.002, 0.05);
  spec.base_initial_rate = spec.base_maintenance_rate * (1.0 + 3.0 * rng.uniform01());
  spec.base_risk_limit = log_uniform(rng, 0.01, 1e6);
  spec.risk_step = log_uniform(rng, 0.01, 1e6);
  const int limit = int(std::min((1.0 - spec.base_initial_rate) / spec.base_maintenance_rate,
                                 0.9 / spec.base_maintenance_rate - 1));
  spec.max_risk_steps = std::max(0, int(rng.uniform_below(uint64_t(std::min(limit, 40)) + 1)));
}

// ---- collateral_ratio ----

// The ratios as fixed point of the Ratio scale: the nearest 1e-9 (core/units.h ratio_from_double), exact for
// every ratio of at most 9 decimals (Maker's 1.5, Liquity's 1.1).
CollateralRatioParams to_params(const CollateralRatioMarginSpec& spec) {
  return {ratio_from_double(spec.liquidation_ratio), ratio_from_double(spec.initial_ratio)};
}

MarginModelRef build(const CollateralRatioMarginSpec& spec) { return CollateralRatioMargin(to_params(spec)); }

bool buildable(const CollateralRatioMarginSpec& spec) {
  return !CollateralRatioMargin::validate(to_params(spec)).has_value();
}

void check(const CollateralRatioMarginSpec& spec, Checker& c) {
  // Judged on the converted ratios, which are what runs.
  if (c.readable({c.key("initial_ratio"), c.key("liquidation_ratio")}) &&
      fixed(spec.initial_ratio, kRatioScale) < fixed(spec.liquidation_ratio, kRatioScale)) {
    c.add(c.key("initial_ratio"), format_number(spec.initial_ratio),
          "below liquidation_ratio: a position opened at max leverage would already be liquidatable",
          ">= liquidation_ratio (" + format_number(spec.liquidation_ratio) + ")");
  }
}

void randomize(CollateralRatioMarginSpec& spec, Rng& rng) {
  if (rng.bernoulli(0.3)) {
    spec = CollateralRatioMarginSpec{};  // Maker ETH-A: 150%
    return;
  }
  // 101% (a 100x position) to 350% (MM 71% of the notional); opened at the ratio or up to 50% above it.
  spec.liquidation_ratio = 1.0 + log_uniform(rng, 0.01, 2.5);
  spec.initial_ratio =
      rng.bernoulli(0.5) ? spec.liquidation_ratio : spec.liquidation_ratio * (1.0 + 0.5 * rng.uniform01());
}

// ---- aave_v3 ----

int64_t bps(double x) { return fixed(x, 10'000); }

AaveReserveBps to_bps(const AaveV3ReserveMarginSpec& spec) {
  AaveReserveBps b;
  b.ltv = bps(spec.ltv);
  b.liquidation_threshold = bps(spec.liquidation_threshold);
  b.liquidation_bonus = 10'000 + bps(spec.liquidation_bonus);
  b.protocol_fee = bps(spec.liquidation_protocol_fee);
  b.emode_ltv = bps(spec.emode_ltv);
  b.emode_liquidation_threshold = bps(spec.emode_liquidation_threshold);
  b.emode_liquidation_bonus =
      spec.emode_liquidation_threshold > 0 ? 10'000 + bps(spec.emode_liquidation_bonus) : 0;
  return b;
}

bool buildable(const AaveV3ReserveMarginSpec& spec) {
  const AaveReserveBps b = to_bps(spec);
  const bool reserve =
      b.liquidation_threshold > 0 && b.liquidation_threshold < 10'000 && b.ltv >= 0 &&
      b.ltv <= b.liquidation_threshold &&
      validate_aave_collateral_config(b.ltv, b.liquidation_threshold, b.liquidation_bonus, b.protocol_fee)
          .empty();
  const bool emode = b.emode_liquidation_threshold == 0 ||
                     (b.emode_liquidation_threshold < 10'000 &&
                      validate_aave_collateral_config(b.emode_ltv, b.emode_liquidation_threshold,
                                                      b.emode_liquidation_bonus, b.protocol_fee)
                          .empty());
  return reserve && emode;
}

MarginModelRef build(const AaveV3ReserveMarginSpec& spec) {
  const AaveReserveBps b = to_bps(spec);
  return CollateralRatioMargin::from_basis_points(b.liquidation_threshold, b.ltv);
}

void check(const AaveV3ReserveMarginSpec& spec, Checker& c) {
  // Aave stores each value in whole basis points (ReserveConfiguration, EModeConfiguration).
  const std::pair<const char*, double> values[] = {
      {"ltv", spec.ltv},
      {"liquidation_threshold", spec.liquidation_threshold},
      {"liquidation_bonus", spec.liquidation_bonus},
      {"liquidation_protocol_fee", spec.liquidation_protocol_fee},
      {"emode_ltv", spec.emode_ltv},
      {"emode_liquidation_threshold", spec.emode_liquidation_threshold},
      {"emode_liquidation_bonus", spec.emode_liquidation_bonus}};
  bool whole = true;
  for (const auto& [key, value] : values) {
    if (!c.readable({c.key(key)})) return;
    if (std::fabs(value * 10'000 - std::round(value * 10'000)) > 1e-6) {
      whole = false;
      c.add(c.key(key), format_number(value), "not a whole basis point (Aave stores basis points)",
            "a multiple of 0.0001");
    }
  }
  if (!whole) return;
  const AaveReserveBps b = to_bps(spec);
  // PoolConfigurator.configureReserveAsCollateral (INVALID_RESERVE_PARAMS) and setEModeCategory
  // (INVALID_EMODE_CATEGORY_PARAMS): ltv <= threshold, threshold x bonus <= 100%.
  for (const std::string& problem :
       validate_aave_collateral_config(b.ltv, b.liquidation_threshold, b.liquidation_bonus, b.protocol_fee))
    c.add(c.key("liquidation_bonus"),
          "ltv " + format_number(spec.ltv) + ", threshold " + format_number(spec.liquidation_threshold) +
              ", bonus " + format_number(spec.liquidation_bonus),
          problem + " (Aave v3 PoolConfigurator.configureReserveAsCollateral)",
          "ltv <= liquidation_threshold and liquidation_threshold x (1 + liquidation_bonus) <= 1");
  if (b.emode_liquidation_threshold == 0) {
    if (b.emode_ltv != 0 || spec.emode_liquidation_bonus != 0)
      c.add(c.key("emode_liquidation_threshold"), "0",
            "emode_ltv or emode_liquidation_bonus is set but the reserve is not in the e-mode category",
            "> 0 with emode_ltv / emode_liquidation_bonus, or both 0");
    return;
  }
  for (const std::string& problem : validate_aave_collateral_config(
           b.emode_ltv, b.emode_liquidation_threshold, b.emode_liquidation_bonus, b.protocol_fee))
    c.add(c.key("emode_liquidation_bonus"),
          "emode_ltv " + format_number(spec.emode_ltv) + ", threshold " +
              format_number(spec.emode_liquidation_threshold) + ", bonus " +
              format_number(spec.emode_liquidation_bonus),
          problem + " (Aave v3 PoolConfigurator.setEModeCategory)",
          "emode_ltv <= emode_liquidation_threshold and threshold x (1 + bonus) <= 1, bonus > 0");
  // aave-v3-core PoolConfigurator.setAssetEModeCategory: the reserve's own threshold may not exceed the
  // category's (INVALID_EMODE_CATEGORY_ASSIGNMENT).
  if (b.emode_liquidation_threshold < b.liquidation_threshold)
    c.add(c.key("emode_liquidation_threshold"), format_number(spec.emode_liquidation_threshold),
          "below the reserve's liquidation_threshold (Aave v3 setAssetEModeCategory: "
          "INVALID_EMODE_CATEGORY_ASSIGNMENT)",
          ">= liquidation_threshold (" + format_number(spec.liquidation_threshold) + ")");
}

void randomize(AaveV3ReserveMarginSpec& spec, Rng& rng) {
  spec = AaveV3ReserveMarginSpec{};
  // A threshold of 50-90% in whole basis points, LTV up to it, a bonus that threshold x (1 + bonus) <= 1
  // allows, at most 15%.
  spec.liquidation_threshold = double(rng.uniform_int(5'000, 9'000)) / 10'000;
  spec.ltv = double(rng.uniform_int(0, int64_t(spec.liquidation_threshold * 10'000 + 0.5))) / 10'000;
  const int64_t max_bonus =
      std::min<int64_t>(1'500, int64_t(1e8 / (spec.liquidation_threshold * 1e4)) - 10'001);
  spec.liquidation_bonus = double(rng.uniform_int(1, std::max<int64_t>(1, max_bonus))) / 10'000;
  spec.liquidation_protocol_fee = double(rng.uniform_int(0, 2'000)) / 10'000;
  if (rng.bernoulli(0.5)) {
    // An e-mode category of 90-97% with a 1-2% bonus (stablecoin and ETH-correlated categories).
    spec.emode_liquidation_threshold = double(rng.uniform_int(9'000, 9'700)) / 10'000;
    spec.emode_ltv = spec.emode_liquidation_threshold - 0.02;
    spec.emode_liquidation_bonus = double(rng.uniform_int(100, 200)) / 10'000;
  }
}

// Calls f on the spec of the chosen model.
template <class Spec, class F>
void with_chosen(Spec& spec, F&& f) {
  bool found = false;
  std::apply(
      [&](auto&... params) {
        ((spec.model == std::decay_t<decltype(params)>::kModel ? (f(params), found = true) : false), ...);
      },
      spec.params);
  LIQSIM_CHECK(found, "unknown margin model (validate the scenario first)");
}

}  // namespace

std::vector<BracketSpec> default_brackets() {
  // Legacy Binance BTCUSDT leverage brackets (illustrative), /work/shared/reference/protocols.md 1.1
  // "Tiered maintenance margin", vector #4 (tiers from repo bradkyle/Qenv); initial rate = 2 x
  // maintenance rate (max leverage 125x, 100x, 50x, 20x, 10x).
  return {
      {0, 50'000, 0.004, 0.008},           {50'000, 250'000, 0.005, 0.01},
      {250'000, 1'000'000, 0.01, 0.02},    {1'000'000, 5'000'000, 0.025, 0.05},
      {5'000'000, 20'000'000, 0.05, 0.10},
  };
}

std::vector<HyperliquidTierSpec> default_hyperliquid_tiers() {
  // https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers, mainnet BTC.
  return {{0, 40}, {150'000'000, 20}};
}

std::vector<MarginModelEntry> margin_models() {
  std::vector<MarginModelEntry> entries;
  std::apply(
      [&](const auto&... spec) {
        (entries.push_back(
             {std::decay_t<decltype(spec)>::kModel, std::decay_t<decltype(spec)>::kDescription}),
         ...);
      },
      MarginModelSpecs{});
  return entries;
}

MarginModelRef build_margin_model(const MarginSpec& spec) {
  std::optional<MarginModelRef> model;
  with_chosen(spec, [&](const auto& params) { model.emplace(build(params)); });
  return *model;
}

void check_margin_model(const MarginSpec& spec, const std::string& path, const std::set<std::string>& skip,
                        std::vector<ScenarioError>& errors) {
  if (!margin_model_choices().accepts(spec.model)) return;  // reported by the schema
  Checker c(path, skip, errors);
  with_chosen(spec, [&](const auto& params) { check(params, c); });
}

void randomize_margin_model(MarginSpec& spec, Rng& rng) {
  with_chosen(spec, [&](auto& params) { randomize(params, rng); });
}

std::optional<MarginModelRef> build_emode_margin_model(const MarginSpec& spec) {
  if (spec.model != AaveV3ReserveMarginSpec::kModel) return std::nullopt;
  const AaveReserveBps b = to_bps(spec.get<AaveV3ReserveMarginSpec>());
  if (b.emode_liquidation_threshold == 0) return std::nullopt;
  return MarginModelRef(CollateralRatioMargin::from_basis_points(b.emode_liquidation_threshold, b.emode_ltv));
}

AaveReserveBps aave_reserve_bps(const AaveV3ReserveMarginSpec& spec) {
  LIQSIM_CHECK(buildable(spec), "invalid aave_v3 reserve (validate the scenario first)");
  return to_bps(spec);
}

std::optional<Ratio> min_maintenance_rate(const MarginSpec& spec) {
  if (!margin_model_choices().accepts(spec.model)) return std::nullopt;
  std::optional<Ratio> rate;
  with_chosen(spec, [&](const auto& params) {
    if (buildable(params)) rate = build(params)->min_maintenance_rate();
  });
  return rate;
}

}  // namespace liqsim
