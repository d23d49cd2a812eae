// Keeper bots for keeper-driven liquidation. A keeper learns of a liquidatable account when the
// protocol's detection finds it, and if the expected reward (close factor x position x mark x bonus)
// minus gas and its priority fee clears its minimum profit and its capital can carry the position, it
// sends a liquidation transaction after its latency; the transaction lands in a block, ordered by the
// scenario's rule, and may fail (someone else was first, or the account recovered) -- gas is paid
// either way. A successful keeper unwinds the seized position into the book: at once (IOC) or in
// equal slices over a TWAP horizon, so keepers' selling moves the price too.
#pragma once

#include <vector>

#include "agents/agent_context.h"
#include "agents/population.h"
#include "core/rng.h"
#include "protocol/liquidation.h"

namespace liqsim {

struct KeeperParams {
  Time latency;
  Time latency_jitter;
  Amount priority_fee_min, priority_fee_max;
  Amount gas_price;  // base cost of one transaction
  Amount min_profit;
  bool twap = false;
  Time twap_horizon;
  int twap_slices = 1;
  Ratio close_factor;
  Ratio bonus;
};

class Keepers final : public Population {
 public:
  Keepers(KeeperParams params, std::vector<AccountId> accounts, uint64_t master_seed);
  std::string_view name() const override { return "keepers"; }
  // The protocol found `target` liquidatable at this mark update.
  void on_opportunity(AgentContext& ctx, AccountId target) override;
  // Keeper i's transaction against `target` was executed by the protocol (gas already paid): on
  // success start unwinding the seized position.
  void on_transaction_result(AgentContext& ctx, uint32_t keeper, AccountId target,
                             const KeeperTakeover& result) override;
  // Unwind slices (TWAP).
  void on_wake(AgentContext& ctx, uint32_t keeper, int64_t arg) override;
  uint32_t size() const override { return uint32_t(keepers_.size()); }
  AccountId account(uint32_t i) const override { return keepers_[i].account; }

 private:
  struct Unwind {
    MarketId market;
    Quantity remaining;  // signed: quantity still to sell (+) or buy back (-)
    Quantity slice;
    LiquidationId liquidation;
  };
  struct Keeper {
    AccountId account;
    Rng rng;
    Amount priority_fee;
    std::vector<AccountId> pending;  // targets with a transaction in flight
    std::vector<Unwind> unwinds;
  };
  void unwind_slice(AgentContext& ctx, Keeper& k, Unwind& u);

  KeeperParams params_;
  std::vector<Keeper> keepers_;
};

}  // namespace liqsim
