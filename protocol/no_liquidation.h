// The `none` mechanism: the counterfactual of every other one.
#pragma once

#include "protocol/liquidation_mechanism.h"

namespace liqsim {

// `none`: liquidatable accounts are left alone (the counterfactual of every other mechanism). Detection
// does not re-arm them (a crossed trigger would fire at every mark update); their owners' own actions
// do.
class NoLiquidation final : public LiquidationMechanism {
 public:
  std::string_view name() const override { return "none"; }
  bool on_liquidatable(MechanismHost&, AccountId) override { return false; }
  void on_timer(MechanismHost&, AccountId) override {}
  KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a,
                                const TxIntent& intent) override;
};

}  // namespace liqsim
