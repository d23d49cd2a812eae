// The liquidation mechanisms a scenario can name (`liquidation.mechanism`), with the keys each one owns.
// Every mechanism is a block here (its spec: name, description, commented keys, their description for
// the schema, and the builder of its protocol/ implementation) and one line of the compile-time registry
// `MechanismSpecs`: the scenario schema (reader, validator, TOML writer, random generator), the scenario
// reference (scripts/gen_scenario_reference.py) and the run's construction walk that list. The
// contract suite (tests/protocol/liquidation_mechanism_contract_test.cpp) runs every implementation.
//
// TOML layout: a mechanism's keys are the table [liquidation.<name>]; every mechanism's table may be
// given (counterfactual sweeps switch `mechanism` and keep the rest), only the chosen one acts.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <tuple>

#include "core/recorder.h"
#include "experiments/schema_vocabulary.h"
#include "protocol/liquidation.h"
#include "protocol/no_liquidation.h"

namespace liqsim {

// The kernel parts a mechanism acts on.
struct MechanismBuildContext {
  ClearingHouse& clearing;
  ExecutionVenue& venue;
  Recorder& recorder;
  Time shortest_mark_interval;  // engine: an unfilled step is retried no sooner than this
};

// ---- engine: the protocol closes positions into the book (protocol/liquidation.h EngineLiquidation) ----

struct EngineLiquidationSpec {
  static constexpr std::string_view kName = "engine";
  static constexpr std::string_view kDescription =
      "the protocol closes positions into the book in partial steps, settles at the bankruptcy price; "
      "insurance fund, ADL, bad debt";
  static constexpr bool kHasKeys = true;
  double step_fraction = 0.2;  // (0, 1]: share of the position closed per step (Hyperliquid 20%)
  double full_close_below_notional = 100000;    // $ >= 0: positions at or below close in one step
  double cooldown_seconds = 30;                 // >= 0 between steps on the same account
  double max_slippage = 0.05;                   // (0, 1): IOC limit = mark * (1 -/+ max_slippage)
  std::string adl_ranking = "profit_leverage";  // "profit_leverage" (BitMEX/Bybit)

  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- keeper: keepers take over positions at a bonus (protocol/liquidation.h KeeperLiquidation) ----

struct KeeperLiquidationSpec {
  static constexpr std::string_view kName = "keeper";
  static constexpr std::string_view kDescription =
      "keepers take over positions at a bonus with a close factor, in block transactions";
  static constexpr bool kHasKeys = true;
  double close_factor = 0.5;          // (0, 1] (Aave v3: 0.5, 1.0 below HF 0.95)
  double bonus = 0.05;                // [0, 0.5): keeper buys at mark * (1 - bonus) (long)
  double block_interval_seconds = 2;  // [0.001, 3.2e7]: the chain's block interval (keepers' transactions)
  double gas_price = 2.0;             // $ per liquidation transaction (base fee), >= 0
  // Aave v3.3: close factor 100% when the position is below this notional ($2,000,
  // MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD), and a partial take may not leave less than half of it ($1,000,
  // MIN_LEFTOVER_BASE, the dust rule): then the keeper takes everything. >= 0; 0 disables.
  double full_close_below_notional = 2000;

  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// ---- none: liquidatable accounts are left alone (protocol/no_liquidation.h) ----

struct NoLiquidationSpec {
  static constexpr std::string_view kName = "none";
  static constexpr std::string_view kDescription =
      "liquidatable accounts are left alone (the counterfactual)";
  static constexpr bool kHasKeys = false;

  std::unique_ptr<LiquidationMechanism> build(const MechanismBuildContext& c) const;
};

// The registry: one line per mechanism. The first is the default.
using MechanismSpecs = std::tuple<EngineLiquidationSpec, KeeperLiquidationSpec, NoLiquidationSpec>;

struct MechanismEntry {
  std::string_view name;  // the scenario's `liquidation.mechanism`
  std::string_view description;
};

// The registered mechanisms, in registry order.
std::span<const MechanismEntry> liquidation_mechanisms();
// nullptr for an unknown name.
const MechanismEntry* find_liquidation_mechanism(std::string_view name);
// Builds the mechanism `name` from its spec in `specs` (an unknown name here is a bug and aborts).
std::unique_ptr<LiquidationMechanism> build_liquidation_mechanism(std::string_view name,
                                                                  const MechanismSpecs& specs,
                                                                  const MechanismBuildContext& c);

namespace schema {

template <class V>
void describe(V& v, EngineLiquidationSpec& s) {
  v.number("step_fraction", s.step_fraction, open_closed(0, 1), Unit::Fraction);
  v.number("full_close_below_notional", s.full_close_below_notional, closed(0, kMaxDollars), Unit::Dollars);
  v.number("cooldown_seconds", s.cooldown_seconds, closed(0, kMaxSeconds), Unit::Seconds);
  v.number("max_slippage", s.max_slippage, open(0, 1), Unit::Fraction);
  v.text("adl_ranking", s.adl_ranking, one_of({"profit_leverage"}));
}

template <class V>
void describe(V& v, KeeperLiquidationSpec& s) {
  v.number("close_factor", s.close_factor, open_closed(0, 1), Unit::Fraction);
  v.number("bonus", s.bonus, closed_open(0, 0.5), Unit::Fraction);
  v.number("block_interval_seconds", s.block_interval_seconds, closed(kMinInterval, kMaxSeconds),
           Unit::Seconds);
  v.number("gas_price", s.gas_price, closed(0, kMaxDollars), Unit::Dollars);
  v.number("full_close_below_notional", s.full_close_below_notional, closed(0, kMaxDollars), Unit::Dollars);
}

// The names of the registered mechanisms.
inline TextRule mechanism_choices() {
  TextRule rule;
  std::apply([&](const auto&... spec) { (rule.choices.push_back(std::decay_t<decltype(spec)>::kName), ...); },
             MechanismSpecs{});
  return rule;
}

// Every mechanism's table that has keys, [liquidation.<name>], in registry order.
template <class V>
void describe_mechanisms(V& v, MechanismSpecs& specs) {
  std::apply(
      [&](auto&... spec) {
        (
            [&](auto& one) {
              using Spec = std::decay_t<decltype(one)>;
              if constexpr (Spec::kHasKeys) v.table(std::string(Spec::kName), one);
            }(spec),
            ...);
      },
      specs);
}

}  // namespace schema
}  // namespace liqsim
