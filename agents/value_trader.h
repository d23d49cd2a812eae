// Value traders (fundamentalists): the informed side of the market. Each observes the fundamental (the
// exogenous value process, MarketView::fundamental) through its own persistent error, an
// Ornstein-Uhlenbeck log deviation drawn from its own stream (ABIDES' value agents observe the
// fundamental with noise; Chiarella 1992 "The dynamics of speculative behaviour"), and trades toward a
// position proportional to the log mispricing ln(value / price): target = aggression * mispricing,
// within +-max_position (finite capital). Orders are immediate-or-cancel, at most max_order coins, and
// never at a price beyond its own value estimate less the threshold, so prices track the fundamental in
// calm times, and forced flow can push them away for as long as the traders' capacity lasts.
//
// Patience (Shleifer & Vishny 1997, "The limits of arbitrage"): with max_drawdown > 0, a trader whose
// wealth from trading (quote balance and perpetual equity, plus its spot inventory beyond the endowment
// at the venue's mid) falls more than max_drawdown x capital below its peak capitulates: it unwinds its
// inventory toward zero (IOC within 2 % of the touch, max_order per decision) and trades no views for
// `patience`; then its peak restarts from its wealth. So forced flow that pushes prices away from the
// fundamental far enough turns the fundamentalists from buyers into sellers.
//
// Information set: the fundamental with its own error, the venues' public books, its own account.
// Decision times are exponential (mean_interval); each decision trades one venue of its market, drawn
// uniformly among the venues it may use.
#pragma once

#include <optional>
#include <vector>

#include "agents/agent_context.h"
#include "agents/population.h"
#include "core/rng.h"

namespace liqsim {

struct ValueTraderParams {
  double noise_stdev = 0.002;  // stationary log stdev of the observation error
  Time noise_half_life = seconds(3600);
  double aggression = 2000;  // coins per unit of log mispricing
  double threshold = 0.0005;
  Quantity max_position;
  Quantity max_order;
  Time mean_interval = seconds(30);
  double capital = 10'000'000;  // $: the scale of max_drawdown
  double max_drawdown = 0;      // fraction of capital; 0 = never capitulate
  Time patience = seconds(3600);
};

class ValueTraders final : public Population {
 public:
  // Member i trades market markets[i] on the venues venues[i] (perpetual and/or spot venues of that
  // market); `endowment` is the coins of the market's asset each starts with on spot (its inventory is
  // holdings - endowment + position).
  ValueTraders(ValueTraderParams params, std::vector<AccountId> accounts, std::vector<MarketId> markets,
               std::vector<std::vector<VenueId>> venues, Quantity endowment, uint64_t master_seed);
  std::string_view name() const override { return "value_traders"; }
  uint32_t size() const override { return uint32_t(members_.size()); }
  AccountId account(uint32_t i) const override { return members_[i].account; }
  void start(AgentContext& ctx) override;
  void on_wake(AgentContext& ctx, uint32_t member, int64_t arg) override;

  // Member i's current log observation error and inventory in coins (tests).
  double error(uint32_t i) const { return members_[i].error; }
  double inventory(AgentContext& ctx, uint32_t i) const;
  // Whether member i is sitting out a capitulation, and how many times it capitulated.
  bool capitulated(uint32_t i) const { return members_[i].paused_until.has_value(); }
  uint32_t capitulations(uint32_t i) const { return members_[i].capitulations; }

 private:
  struct Member {
    AccountId account;
    MarketId market;
    std::vector<VenueId> venues;
    Rng rng;
    double error = 0;
    std::optional<Time> last = std::nullopt;
    double peak = 0;  // the highest wealth from trading since the last restart
    std::optional<Time> paused_until = std::nullopt;  // set while capitulated
    uint32_t capitulations = 0;
  };
  void decide(AgentContext& ctx, Member& mb);
  // Coins of the market's asset held on spot beyond the endowment (0 without a spot venue).
  double spot_inventory(AgentContext& ctx, const Member& mb) const;
  // True while the member is capitulated (after checking its drawdown at `mid`).
  bool check_patience(AgentContext& ctx, Member& mb, double mid);
  void unwind(AgentContext& ctx, Member& mb, VenueId venue, double inventory);

  ValueTraderParams params_;
  Quantity endowment_;
  std::vector<Member> members_;
};

}  // namespace liqsim
