#include "experiments/margin_models.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "core/check.h"
#include "core/rng.h"
#include "experiments/scenario_loader.h"
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

std::optional<Ratio> min_maintenance_rate(const MarginSpec& spec) {
  if (!margin_model_choices().accepts(spec.model)) return std::nullopt;
  std::optional<Ratio> rate;
  with_chosen(spec, [&](const auto& params) {
    if (buildable(params)) rate = build(params)->min_maintenance_rate();
  });
  return rate;
}

}  // namespace liqsim
