// Test doubles for liquidation mechanisms driven by hand: a venue that never fills (mechanisms under
// test that would unwind take-overs get no fills) and a host that records what a mechanism asks of the
// kernel (publications, timers, deliveries) at a clock the test sets.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "protocol/liquidation.h"

namespace liqsim::testing_support {

class NoFillVenue final : public ExecutionVenue {
 public:
  Execution execute(MarketId, const ExecutionRequest&, bool) override { return {}; }
  void cancel_orders(AccountId, MarketId) override {}
  Price tick_size(MarketId) const override { return price_from_double(0.01); }
};

struct RecordingHost final : MechanismHost {
  Time t = seconds(1000);
  std::vector<AccountId> published;
  std::vector<std::pair<AccountId, KeeperTakeover>> delivered;
  std::multimap<Time, AccountId> timers;
  Time now() const override { return t; }
  void schedule_timer(AccountId a, Time at) override { timers.emplace(at, a); }
  void publish_opportunity(AccountId a) override { published.push_back(a); }
  LiquidationTrigger trigger_for(AccountId) override { return LiquidationTrigger{t, 0, std::nullopt}; }
  void deliver(AccountId keeper, AccountId, const KeeperTakeover& r) override {
    delivered.emplace_back(keeper, r);
  }
};

}  // namespace liqsim::testing_support
