#include "protocol/no_liquidation.h"

namespace liqsim {

KeeperTakeover NoLiquidation::on_transaction(MechanismHost&, AccountId, AccountId) { return {}; }

}  // namespace liqsim
