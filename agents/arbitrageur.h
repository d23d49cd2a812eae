// Arbitrageurs: they link the venues of one asset (its perpetual book, its spot venues and its AMM pool).
// At every decision an arbitrageur compares the best bid and the best ask of every venue, net of the
// venues' taker fees (a pool's marginal prices, its fee included), and while the best net bid beats the
// best net ask by more than min_edge it buys at the ask's venue and sells at the bid's venue,
// immediate-or-cancel, at most the top levels' size at their prices and max_order; a pool leg swaps until
// its marginal price meets the other venue's net price less the edge (ConstantProductPool::quantity_to),
// that price its limit. Cross-venue spot arbitrage and perpetual-spot basis arbitrage are the
// same rule; a basis position (long spot, short perpetual) is held, earning or paying funding, until
// the basis turns and the rule trades it back. Inventory is limited per instrument: the perpetual
// position (its book and its pool together) and the spot holdings (minus the endowment) stay within
// +-max_inventory, and spot sales
// never exceed the coins held. Forced selling on the perpetual book is so carried into the spot venues,
// and so into the index.
//
// Information set: the venues' public books and fees, its own account. Latency: decisions every
// interval plus a uniform jitter from its own stream.
#pragma once

#include <optional>
#include <vector>

#include "agents/agent_context.h"
#include "agents/population.h"
#include "core/rng.h"

namespace liqsim {

struct ArbitrageurParams {
  double min_edge = 0.0005;
  Quantity max_inventory;
  Quantity max_order;
  Time interval = seconds(1);
  Time latency_jitter = seconds(1);
};

class Arbitrageurs final : public Population {
 public:
  // Member i arbitrages the venues venues[i] (the venues of one market); `endowment` is the coins of the
  // market's asset each holds at the start (spot inventory = holdings - endowment).
  Arbitrageurs(ArbitrageurParams params, std::vector<AccountId> accounts,
               std::vector<std::vector<VenueId>> venues, Quantity endowment, uint64_t master_seed);
  std::string_view name() const override { return "arbitrageurs"; }
  uint32_t size() const override { return uint32_t(members_.size()); }
  AccountId account(uint32_t i) const override { return members_[i].account; }
  void start(AgentContext& ctx) override;
  void on_wake(AgentContext& ctx, uint32_t member, int64_t arg) override;
  // Trades (pairs of legs) member i has done so far.
  uint64_t trades(uint32_t i) const { return members_[i].trades; }

 private:
  struct Member {
    AccountId account;
    std::vector<VenueId> venues;
    Rng rng;
    uint64_t trades = 0;
  };
  // One arbitrage trade if there is an edge; false when there is none (or no room).
  bool trade_once(AgentContext& ctx, Member& mb);
  // Coins the member may still buy (`buy`) or sell at venue v within its limits.
  double room(AgentContext& ctx, const Member& mb, VenueId v, bool buy) const;
  Time next_delay(Member& mb);

  ArbitrageurParams params_;
  Quantity endowment_;
  std::vector<Member> members_;
};

}  // namespace liqsim
