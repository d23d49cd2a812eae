// Inventory-skewed market makers. Each requotes `levels` bids and asks around the index on a fixed
// interval: fair = index * (1 - skew * inventory / max_inventory), half-spread = base + widening * realised
// vol, where realised vol (RMS of log returns per sqrt(second) over a window) is the larger of this book's
// mid and the index: quotes thin out as liquidation flow shakes the book. All quotes are pulled while the
// index's own volatility is past the stress threshold (the maker cannot hedge elsewhere) and return
// when it calms. Makers hedge: the hedge follows the position with a half-life, and skew and the
// inventory limit apply to the unhedged part (inventory = position - hedge); a side is not quoted once
// the unhedged inventory reaches the limit on that side. The hedge is either held outside the
// simulation (it moves no money of this protocol) or traded on the market's simulated spot venues:
// immediate-or-cancel at the venue with the best price, no worse than hedge_max_slippage from the
// index, paying spread, impact and the venue's taker fee; the hedge is then the coins sold from the
// maker's endowment (endowment - holdings), in the ledger.
#pragma once

#include <deque>
#include <vector>

#include "agents/agent_context.h"
#include "agents/population.h"
#include "core/recorder.h"
#include "core/rng.h"

namespace liqsim {

struct MarketMakerParams {
  double half_spread = 0;  // fraction of the index
  int levels = 1;
  double level_spacing = 0;  // fraction of the index between levels
  // Per market: coins per quote level and the inventory beyond which the side that grows it stops.
  std::vector<Quantity> level_size;
  Time requote_interval;
  double inventory_skew = 0;  // fraction of fair value the quotes shift at full max_inventory
  std::vector<Quantity> max_inventory;
  Time vol_window;
  double vol_widening = 0;  // added half-spread per unit of realised vol per sqrt(second)
  double stress_vol = 0;    // pull quotes when realised vol per sqrt(second) exceeds this
  Time hedge_half_life;     // hedge of the position toward zero; Time(0) = no hedging
  // Per market, the spot venues the hedge trades on; empty = the hedge is held outside the simulation.
  std::vector<std::vector<VenueId>> hedge_venues;
  double hedge_max_slippage = 0.005;
  std::vector<Quantity>
      endowment;  // per market: coins of its asset a maker holds at the start (spot hedging)
};

// Log-price samples within a time window and the exact sum of their squared successive returns,
// kept incrementally (amortised O(1) per sample at any requote rate). Squared returns are summed as
// integers of 1e-30, so the sum does not depend on the order samples enter and leave.
struct VolWindow {
  std::deque<std::pair<Time, double>> samples;  // (time, log price)
  std::deque<__int128> squared_returns;         // squared_returns[k] between samples[k] and [k + 1]
  __int128 sum = 0;
};

class MarketMakers final : public Population {
 public:
  MarketMakers(MarketMakerParams params, std::vector<AccountId> accounts, uint32_t markets,
               uint64_t master_seed);
  std::string_view name() const override { return "market_makers"; }
  uint32_t size() const override { return uint32_t(makers_.size()); }
  AccountId account(uint32_t i) const override { return makers_[i].account; }
  void start(AgentContext& ctx) override;
  void on_wake(AgentContext& ctx, uint32_t maker, int64_t arg) override;
  // Realised vol per sqrt(second) that maker i last measured on market m (for reports and tests).
  double realised_vol(uint32_t maker, MarketId m) const { return makers_[maker].books[m.raw()].vol; }
  bool pulled(uint32_t maker, MarketId m) const { return makers_[maker].books[m.raw()].pulled; }
  double index_vol(uint32_t maker, MarketId m) const { return makers_[maker].books[m.raw()].index_vol; }
  double hedge(uint32_t maker, MarketId m) const { return makers_[maker].books[m.raw()].hedge; }

 private:
  struct Quotes {
    std::vector<std::optional<OrderId>> bids, asks;
    VolWindow mid_log;     // log mid samples within the window
    VolWindow index_log;   // log index samples within the window
    double vol = 0;        // realised vol of this book's mid
    double index_vol = 0;  // realised vol of the index (the maker's hedge venues)
    double hedge = 0;      // coins held on other venues against this book's position (outside the ledger)
    std::optional<Time> last_hedge;
    bool pulled = false;
  };
  struct Maker {
    AccountId account;
    Rng rng;
    std::vector<Quotes> books;  // per market
  };
  void requote(AgentContext& ctx, Maker& mk, MarketId m);
  void place(AgentContext& ctx, Maker& mk, MarketId m, std::optional<OrderId>& slot, Side side,
             std::optional<Price> price);
  // Trades toward `desired` hedge on the market's spot venues; returns the hedge held afterwards.
  double hedge_on_spot(AgentContext& ctx, Maker& mk, MarketId m, double desired);

  MarketMakerParams params_;
  std::vector<Maker> makers_;
};

}  // namespace liqsim
