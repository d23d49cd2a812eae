#include "protocol/no_liquidation.h"

namespace liqsim {

KeeperTakeover NoLiquidation::on_transaction(MechanismHost&, AccountId, AccountId, const TxIntent&) {
  return {};
}

}  // namespace liqsim
