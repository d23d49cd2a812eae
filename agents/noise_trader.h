// Zero-intelligence order flow (Smith, Farmer, Gillemot & Krishnamurthy 2003; Daniels et al. 2003):
// each noise trader is an independent Poisson source of limit orders (rate alpha), market orders
// (rate mu) and cancellations of its resting orders (rate delta each). Limit prices are uniform over
// `price_range_ticks` ticks beyond the opposite best quote (so orders may land inside the spread);
// sizes are fixed. Each trader draws from its own stream (master seed, NoiseTrader, index), so adding
// a trader changes nobody else's draws.
#pragma once

#include <vector>

#include "agents/agent_context.h"
#include "agents/population.h"
#include "core/rng.h"

namespace liqsim {

// Most resting orders one noise trader keeps (Binance's MAX_NUM_ORDERS filter is 200 per symbol): a
// limit order beyond it is not placed, so resting quantity stays bounded whatever the rates.
inline constexpr size_t kMaxOpenOrders = 200;

struct NoiseTraderParams {
  double limit_rate = 0;   // per second
  double market_rate = 0;  // per second
  double cancel_rate = 0;  // per second per resting order
  Quantity order_size;
  int64_t price_range_ticks = 1;
};

class NoiseTraders final : public Population {
 public:
  NoiseTraders(NoiseTraderParams params, std::vector<AccountId> accounts, uint64_t master_seed);
  std::string_view name() const override { return "noise"; }
  uint32_t size() const override { return uint32_t(traders_.size()); }
  AccountId account(uint32_t i) const override { return traders_[i].account; }
  void start(AgentContext& ctx) override;
  void on_wake(AgentContext& ctx, uint32_t trader, int64_t arg) override;
  size_t resting_orders() const;

 private:
  struct Trader {
    AccountId account;
    Rng rng;
    std::vector<std::pair<MarketId, OrderId>> resting;  // may include orders filled since (pruned lazily)
    uint32_t wakes = 0;
    size_t pruned_size = 0;  // size of `resting` after the last pruning
  };
  void schedule_next(AgentContext& ctx, uint32_t i);

  NoiseTraderParams params_;
  std::vector<Trader> traders_;
};

}  // namespace liqsim
