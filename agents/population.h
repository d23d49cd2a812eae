// A population of agents of one kind: the plug-in interface of agents. The kernel gives each population
// its own AgentContext, whose wake() comes back to this population's on_wake (no shared "who is
// waking" state), and delivers notices about the population's own accounts.
//
// Contract (tests/agents/population_contract_test.cpp runs it against every population): a population
// acts only through its context and only for its own accounts; it never asks for a wake-up in the past;
// every order it sends has a positive quantity and a limit price on the tick grid; the same seed gives
// the same actions.
#pragma once

#include <cstdint>
#include <string_view>

#include "agents/agent_context.h"
#include "protocol/liquidation_mechanism.h"

namespace liqsim {

class Population {
 public:
  virtual ~Population() = default;
  virtual std::string_view name() const = 0;
  // Members and their accounts: member i owns account(i); the builder opens them consecutively.
  virtual uint32_t size() const = 0;
  virtual AccountId account(uint32_t member) const = 0;

  // Time zero: first quotes, first wake-ups.
  virtual void start(AgentContext&) {}
  // A wake-up the population asked for through its context.
  virtual void on_wake(AgentContext& ctx, uint32_t member, int64_t arg) = 0;
  // The protocol's alert on a member's account: equity may be below the multiple the member set.
  virtual void on_alert(AgentContext&, uint32_t /*member*/) {}
  // A liquidation mechanism published an opportunity: `target` may be liquidated by a transaction.
  virtual void on_opportunity(AgentContext&, AccountId /*target*/) {}
  // A liquidation transaction a member sent was included and executed (gas already paid).
  virtual void on_transaction_result(AgentContext&, uint32_t /*member*/, AccountId /*target*/,
                                     const KeeperTakeover& /*result*/) {}
};

}  // namespace liqsim
