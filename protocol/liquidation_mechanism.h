// The interface every liquidation mechanism implements, and the kernel services it may use.
//
// Contract (tests/protocol/liquidation_mechanism_contract_test.cpp runs it against every
// implementation): money and positions are conserved after every call; an account that is not
// liquidatable at the current marks is never liquidated (no record, nothing moves); the rewards one call
// pays are at most the liquidated account's equity before it (a keeper's bonus is the account's own
// money); every loss is accounted for by the loss waterfall (insurance fund, ADL, recorded bad debt).
#pragma once

#include <optional>
#include <string_view>

#include "core/recorder.h"
#include "core/units.h"
#include "protocol/clearing_house.h"

namespace liqsim {

// What set a liquidation off: the mark update that found the account and the earlier liquidation
// whose fills moved that mark (none for a root).
struct LiquidationTrigger {
  Time now;
  int64_t mark_update = kNoId;
  std::optional<LiquidationId> cause;
};

enum class KeeperOutcome : uint8_t { Liquidated, NotLiquidatable, KeeperUndercollateralised };

struct KeeperTakeover {
  KeeperOutcome outcome = KeeperOutcome::NotLiquidatable;
  std::optional<LiquidationId> liquidation;  // set when Liquidated
  MarketId market;
  Quantity quantity;  // signed position the keeper received
  Price price;
  Amount reward;  // what the take removed from the account's equity at the marks (the bonus, capped by it)
};

// What the kernel offers a mechanism: the clock, timers, the keeper population, cause attribution.
class MechanismHost {
 public:
  virtual ~MechanismHost() = default;
  virtual Time now() const = 0;
  // Calls the mechanism's on_timer(a) at `at` (>= now).
  virtual void schedule_timer(AccountId a, Time at) = 0;
  // Publishes an opportunity: keepers may send a liquidation transaction against account a.
  virtual void publish_opportunity(AccountId a) = 0;
  // What set off a liquidation of account a now (the mark update, the earlier liquidation that moved it).
  virtual LiquidationTrigger trigger_for(AccountId a) = 0;
};

class LiquidationMechanism {
 public:
  virtual ~LiquidationMechanism() = default;
  virtual std::string_view name() const = 0;
  // Detection found account a liquidatable at the current marks. Returns true when detection should
  // watch the account again at once (the mechanism waits for others to act on it), false when the
  // mechanism took it over (it re-arms the account when done) or leaves it alone.
  virtual bool on_liquidatable(MechanismHost& host, AccountId a) = 0;
  // A timer this mechanism scheduled through the host.
  virtual void on_timer(MechanismHost& host, AccountId a) = 0;
  // A keeper's liquidation transaction against a, included in a block now. Mechanisms without
  // transactions answer NotLiquidatable and move nothing.
  virtual KeeperTakeover on_transaction(MechanismHost& host, AccountId keeper, AccountId a) = 0;
};

}  // namespace liqsim
