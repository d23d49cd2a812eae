#include "experiments/liquidation_mechanisms.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace liqsim {
namespace {

std::unique_ptr<LiquidationMechanism> build_engine(const MechanismBuildContext& c) {
  const EngineLiquidationSpec& es = c.scenario.liquidation.engine;
  return std::make_unique<EngineLiquidation>(
      EngineLiquidationParams{ratio_from_double(es.step_fraction),
                              amount_from_double(es.full_close_below_notional),
                              time_from_seconds(es.cooldown_seconds), ratio_from_double(es.max_slippage),
                              std::max(c.shortest_mark_interval, Time(1))},
      c.clearing, c.venue, c.recorder);
}

std::unique_ptr<LiquidationMechanism> build_keeper(const MechanismBuildContext& c) {
  const KeeperLiquidationSpec& ks = c.scenario.liquidation.keeper;
  return std::make_unique<KeeperLiquidation>(
      KeeperLiquidationParams{ratio_from_double(ks.close_factor), ratio_from_double(ks.bonus),
                              amount_from_double(ks.full_close_below_notional)},
      c.clearing, c.recorder);
}

std::unique_ptr<LiquidationMechanism> build_none(const MechanismBuildContext&) {
  return std::make_unique<NoLiquidation>();
}

constexpr std::array kMechanisms = {
    MechanismEntry{"engine",
                   "the protocol closes positions into the book in partial steps, settles at the "
                   "bankruptcy price; insurance fund, ADL, bad debt",
                   build_engine},
    MechanismEntry{"keeper",
                   "keepers take over positions at a bonus with a close factor, in block transactions",
                   build_keeper},
    MechanismEntry{"none", "liquidatable accounts are left alone (the counterfactual)", build_none},
};

}  // namespace

std::span<const MechanismEntry> liquidation_mechanisms() { return kMechanisms; }

const MechanismEntry* find_liquidation_mechanism(std::string_view name) {
  for (const MechanismEntry& entry : kMechanisms)
    if (entry.name == name) return &entry;
  return nullptr;
}

}  // namespace liqsim
