// Resilient liquidity: providers keep a ladder of limit orders on a venue whose cumulative depth per
// side follows a power law of the distance from an anchor, D(d) = depth_at_1pct * (d / 1%)^exponent,
// out to max_distance (real books keep growing away from the mid: Binance BTCUSDT, 10 Oct 2025, holds
// about 2,000-2,500 BTC within 1% and 5,800-10,000 within 5% per side, exponent 0.67-0.86).
//
// Resilience (Obizhaeva & Wang 2013, "Optimal trading strategy and supply/demand dynamics"): depth a
// large order consumes is not back at once. Each level's resting quantity refills toward its target as
// target - (target - remaining) * 2^(-dt / refill_half_life), and the anchor follows the venue's mid
// as an exponential moving average with anchor_half_life, so impact decays instead of vanishing: the
// consumed levels refill at prices around the old anchor while the anchor drifts to the new mid. The
// ladder is re-centred when the anchor has moved by half the nearest distance (fewer order messages).
//
// Inventory (spot: holdings of the venue's asset minus its endowment; perpetual: position) shifts the
// ladder's centre against itself, centre = anchor * (1 - inventory_skew * inventory / max_inventory)
// (inventory-based dealer pricing: Ho & Stoll 1981, Avellaneda & Stoikov 2008): absorbed flow moves
// the price permanently, as a Kyle lambda. Finite capital: a provider stops quoting the side that would
// take its inventory beyond max_inventory.
//
// Withdrawal under stress: while the realised volatility of the venue's mid is above stress_vol, each
// level is cut to stress_depth of its target (liquidity leaves a market that moves fast, as it left
// Binance's books on 10 Oct 2025); when it calms, the levels refill with the refill half-life.
#pragma once

#include <cmath>
#include <optional>
#include <vector>

#include "agents/agent_context.h"
#include "agents/population.h"
#include "core/rng.h"

namespace liqsim {

struct LiquidityParams {
  double depth_at_1pct = 40;  // coins per side and venue (shared by the venue's providers)
  double depth_exponent = 0.78;
  double min_distance = 0.0002;
  double max_distance = 0.05;
  int levels = 16;
  Time refill_half_life = seconds(20);
  Time anchor_half_life = seconds(30);  // Time(0): the anchor is the current mid
  Time refresh = seconds(1);
  Quantity max_inventory;
  double inventory_skew = 0.03;  // centre shift at full max_inventory, fraction of the anchor
  // Realised volatility per sqrt(second) of the mid, an exponential moving average of r^2 / dt over the
  // refreshes (half-life vol_half_life); above stress_vol (> 0) every level's target is scaled by
  // stress_depth.
  double stress_vol = 0;
  double stress_depth = 0.25;
  Time vol_half_life = seconds(60);
};

// Target resting quantity (coins) of each of `levels` log-spaced levels per side for one provider of
// `providers` on a venue, and their distances from the anchor: level k holds D(d_k) - D(d_{k-1}).
struct LadderShape {
  std::vector<double> distance;
  std::vector<double> quantity;
};
LadderShape ladder_shape(const LiquidityParams& p, int providers);

class LiquidityProviders final : public Population {
 public:
  // Member i quotes venue venues[i] through account accounts[i]; `endowment[i]` is the coins of the
  // venue's asset it started with (spot; 0 on a perpetual book). `providers_per_venue` shares the depth.
  LiquidityProviders(LiquidityParams params, std::vector<AccountId> accounts, std::vector<VenueId> venues,
                     std::vector<Quantity> endowment, int providers_per_venue, uint64_t master_seed);
  std::string_view name() const override { return "liquidity"; }
  uint32_t size() const override { return uint32_t(members_.size()); }
  AccountId account(uint32_t i) const override { return members_[i].account; }
  void start(AgentContext& ctx) override;
  void on_wake(AgentContext& ctx, uint32_t member, int64_t arg) override;

  // Member i's anchor price and inventory (coins) as last computed (tests and reports).
  double anchor(uint32_t i) const { return members_[i].anchor; }
  double inventory(uint32_t i) const { return members_[i].inventory; }
  // Member i's realised volatility of the mid (per sqrt(second)) and whether it is withdrawn.
  double volatility(uint32_t i) const { return std::sqrt(members_[i].variance); }
  bool stressed(uint32_t i) const { return members_[i].stressed; }

 private:
  struct Level {
    std::optional<OrderId> id;
    Price price;
    Time placed;  // start of the current refill: the last (re)placement, or the last refresh that found it
                  // full
  };
  struct Member {
    AccountId account;
    VenueId venue;
    Quantity endowment;
    Rng rng;
    std::vector<Level> bids, asks;
    double anchor = 0;         // the EMA of the mid
    double placed_anchor = 0;  // the centre the ladder was last placed around
    double inventory = 0;
    double last_mid = 0;  // the mid at the last refresh that saw one (0: none yet)
    double variance = 0;  // EMA of squared log returns of the mid per second
    bool stressed = false;
    std::optional<Time> last = std::nullopt;
  };
  void refresh(AgentContext& ctx, Member& mb);
  void refill_side(AgentContext& ctx, Member& mb, std::vector<Level>& side, Side s, bool quote, bool recentre,
                   double scale);

  LiquidityParams params_;
  LadderShape shape_;
  std::vector<Member> members_;
};

}  // namespace liqsim
