// Liquidation hunters: capital-limited agents that push a perpetual's price into a liquidation cluster
// when the cascade they expect pays for the push. Information set (documented, nothing else is read):
// the market's public view (mark, open interest: the liquidation heatmap of agents/liquidation_heatmap.h),
// the public order book (depth to the cluster and the depth density the cascade would meet) and their own
// account. Each decision, an idle hunter asks the shared heatmap for the nearest long (short) cluster
// within `approach`; the push is selling (buying) what rests on the book down (up) to it, at most
// max_position, and only when the book reaches the cluster's level (a sale that empties a book ending
// above it would leave the price short of the cluster); the expected cover is the cascade's end plus the
// impact of buying (selling) the push back into the opposite side's depth; it hunts when (sale VWAP -
// expected cover) / sale VWAP, less two taker fees, reaches min_edge. After the push it holds for `hold`,
// then covers with reduce-only IOCs until flat, then rests for `cooldown`. Its profit is its equity less its
// deposit.
#pragma once

#include <optional>
#include <vector>

#include "agents/liquidation_heatmap.h"
#include "agents/population.h"

namespace liqsim {

struct LiquidationHunterParams {
  MarketId market;
  Quantity max_position;         // coins pushed at most; 0: never hunts
  double min_edge = 0.002;       // expected profit per unit of notional pushed, net of fees
  double approach = 0.03;        // (0, 0.5]: clusters within this fraction of the mark
  double depth_band = 0.02;      // (0, 0.5]: depth density = coins within this fraction of the mid / it
  double taker_fee = 0.0005;     // the venue's taker fee, in the edge estimate
  double cover_slippage = 0.05;  // (0, 0.5): IOC limit of covering orders from the mark
  Time interval;                 // between decisions (> 0)
  Time hold;                     // after a push, before covering
  Time cooldown;                 // after covering, before the next hunt
  bool hunt_longs = true;        // push down into long clusters
  bool hunt_shorts = true;       // push up into short clusters
};

class LiquidationHunters final : public Population {
 public:
  // Member i belongs to group group_of[i] (a `[[hunters]]` table) and owns accounts[i]; every member
  // reads the same public map per market, built from `heatmap`.
  LiquidationHunters(std::vector<LiquidationHunterParams> groups, std::vector<uint32_t> group_of,
                     std::vector<AccountId> accounts, LiquidationHeatmapParams heatmap, uint64_t master_seed);
  std::string_view name() const override { return "hunters"; }
  uint32_t size() const override { return uint32_t(accounts_.size()); }
  AccountId account(uint32_t i) const override { return accounts_[i]; }
  void start(AgentContext& ctx) override;
  void on_wake(AgentContext& ctx, uint32_t member, int64_t arg) override;

  uint64_t hunts() const { return hunts_; }

 private:
  enum class State : uint8_t { Idle, Holding, Covering, Resting };
  void decide(AgentContext& ctx, uint32_t i);
  bool try_hunt(AgentContext& ctx, uint32_t i, bool down);
  void cover(AgentContext& ctx, uint32_t i);

  const LiquidationHunterParams& params(uint32_t i) const { return groups_[group_of_[i]]; }
  LiquidationHeatmap& heatmap(MarketId m);

  std::vector<LiquidationHunterParams> groups_;
  std::vector<uint32_t> group_of_;
  std::vector<AccountId> accounts_;
  std::vector<State> state_;
  LiquidationHeatmapParams heatmap_params_;
  std::vector<std::optional<LiquidationHeatmap>> heatmaps_;  // by market, built at first use
  uint64_t master_seed_ = 0;
  uint64_t hunts_ = 0;
  std::vector<std::pair<Price, Quantity>> levels_;  // scratch: book levels
};

}  // namespace liqsim
