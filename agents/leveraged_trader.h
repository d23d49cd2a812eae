// Leveraged directional traders, stored as a population in contiguous arrays (one entry per trader,
// no per-trader heap object) so that a million of them stay practical. Each trader deposits its
// margin at its entry time and opens a position of margin * leverage at the market with a bounded-
// slippage IOC; leverage, margin, side and entry time are drawn from the trader's own stream
// (master seed, LeveragedTrader, index). When the protocol's alert says equity fell below
// `topup_trigger` x maintenance margin, the trader adds `topup_fraction` x its initial margin from
// finite outside capital, at most once per cool-down.
//
// With `open_at_start` the positions exist at time 0 instead: opening_book() gives each trader's
// position with an entry price read from a look-back path of the fundamental, and the composition
// root books it in the ledger (no order reaches a book). Voluntary behaviour, each off by default:
// stop-loss and take-profit levels at drawn fractions from the entry price, checked against the mark
// every `check_interval` through per-market heaps (cost O(triggered log N), no scan); deleveraging a
// fraction of the position once the mark's drawdown from its high of the last `deleverage_window`
// (a short's: the rise from the low) reaches the trader's drawn threshold; re-entry after an
// exponential delay once a stop or a take-profit closed the position.
#pragma once

#include <vector>

#include "agents/agent_context.h"
#include "agents/liquidation_heatmap.h"
#include "agents/population.h"
#include "core/rng.h"

namespace liqsim {

struct DistributionParams {
  enum class Kind : uint8_t { LogNormal, Uniform, Fixed } kind = Kind::Fixed;
  double mean = 1, stdev = 0, min = 1, max = 1;
  double draw(Rng& rng) const;
};

struct LeveragedTraderParams {
  double long_fraction = 0.5;
  DistributionParams leverage;
  DistributionParams margin;  // $
  Time entry_start, entry_end;
  double topup_trigger = 0;  // 0: never top up
  double topup_fraction = 0;
  double outside_capital = 0;  // multiples of initial margin
  Time topup_cooldown;
  double entry_slippage = 0.01;  // IOC limit distance from the mark

  // Positions open at time 0 (see opening_book), entered at an age uniform over (0, lookback].
  bool open_at_start = false;
  Time lookback;
  // Per market: the fundamental's annual volatility and drift, for the look-back path.
  std::vector<double> lookback_vol_per_year, lookback_drift_per_year;

  // Voluntary exits. A trader uses each rule with the given probability; its level is drawn once.
  double stop_loss_probability = 0;
  DistributionParams stop_loss;  // fraction of the entry price against the position
  double take_profit_probability = 0;
  DistributionParams take_profit;  // fraction of the entry price in favour of the position
  double deleverage_probability = 0;
  DistributionParams deleverage_drop;  // adverse move from the window's extreme that triggers
  Time deleverage_window;
  double deleverage_reduce = 0.5;  // fraction of the position closed
  Time reentry_delay;              // mean of the exponential delay; 0: never re-enter
  int max_reentries = 1;
  Time check_interval = Time(1'000'000'000);
  double exit_slippage = 0.1;  // IOC limit distance from the mark of exits (Hyperliquid's TP/SL: 10%)

  // Pre-emptive deleveraging (the strategic liquidation reflex), by a share of the traders drawn from
  // their own stream (PreemptiveTrader): every check, each market's public liquidation map (the mark and
  // the open interest) predicts the cascade from the nearest cluster within preemptive_approach of the
  // mark, each level counted 1 + risk_aversion times, into the book's depth density within
  // preemptive_depth_band of the mid; a pre-emptive trader whose own liquidation price that cascade
  // reaches closes preemptive_fraction of its position. Information set: the mark, the open interest,
  // the public book and the trader's own account.
  double preemptive_probability = 0;
  double risk_aversion = 1;
  double preemptive_approach = 0.03;
  double preemptive_fraction = 1;
  double preemptive_depth_band = 0.02;
  LiquidationHeatmapParams heatmap;
  // Who acts on a predicted cascade: OwnLiquidation, a trader whose liquidation price it reaches;
  // ExpectedLoss, a trader that would lose preemptive_max_loss of its equity at the cascade's end (its
  // leverage now times the predicted move), whether or not it would be liquidated.
  enum class PreemptiveRule : uint8_t {
    OwnLiquidation,
    ExpectedLoss
  } preemptive_rule = PreemptiveRule::OwnLiquidation;
  double preemptive_max_loss = 0.5;
  // Groups of traders with a pre-emptive strategy of their own ([[trader_groups]]: a game's players): the
  // last sum-of-counts traders, in group order, are pre-emptive or not by their group (not by the share)
  // and read the map with their group's risk aversion, approach and fraction; the rule, the depth band
  // and the map are the population's.
  struct Strategy {
    uint32_t count = 0;
    bool preemptive = false;
    double risk_aversion = 1;
    double approach = 0.03;
    double fraction = 1;
  };
  std::vector<Strategy> groups;
};
using PreemptiveRule = LeveragedTraderParams::PreemptiveRule;

// One position of the opening book: trader's `size` (signed) in `market`, bought or sold at `entry`;
// `cash` = floor(entry * |size|) moves from the buyer to the seller. `margin` is the trader's deposit
// (the same in every row of a spread trader).
struct OpeningPosition {
  uint32_t trader = 0;
  MarketId market;
  Quantity size;
  Price entry;
  Amount cash;
  Amount margin;
};

// Positions open at time 0 enter at prices of a look-back path kept within this factor of the current
// price either way (validation bounds the coins they can hold with the lowest such entry).
inline constexpr double kLookbackRange = 4.0;

class LeveragedTraders final : public Population {
 public:
  // accounts[i] is trader i's account and markets[i] the market it trades; a trader with spread[i]
  // set (cross margin) splits its notional equally over every market instead, so one balance backs
  // several positions.
  LeveragedTraders(LeveragedTraderParams params, std::vector<AccountId> accounts,
                   std::vector<MarketId> markets, std::vector<uint8_t> spread, uint64_t master_seed);
  std::string_view name() const override { return "traders"; }
  void start(AgentContext& ctx) override;
  // arg kEntry: the trader's entry; kAlertReady: its top-up cool-down ended, re-enable its alert.
  void on_wake(AgentContext& ctx, uint32_t trader, int64_t arg) override;
  static constexpr int64_t kEntry = 0;
  static constexpr int64_t kAlertReady = 1;
  static constexpr int64_t kCheck = 2;    // the population's periodic check of exits (target 0)
  static constexpr int64_t kReentry = 3;  // the trader re-enters
  // The protocol's alert for the trader's account: equity may be below the top-up trigger.
  void on_alert(AgentContext& ctx, uint32_t trader) override;
  uint32_t size() const override { return uint32_t(accounts_.size()); }
  AccountId account(uint32_t i) const override { return accounts_[i]; }
  uint64_t topups() const { return topups_; }
  uint64_t entries() const { return entries_; }
  uint64_t stop_losses() const { return stop_losses_; }
  uint64_t take_profits() const { return take_profits_; }
  uint64_t deleverages() const { return deleverages_; }
  uint64_t reentries() const { return reentries_; }
  uint64_t preemptive_exits() const { return preemptive_exits_; }
  float leverage(uint32_t trader) const { return leverage_[trader]; }

  // The positions open at time 0 (params.open_at_start): for each trader an age uniform over
  // (0, lookback] and the entry price of a look-back path of market m's fundamental at that age (a GBM
  // simulated backward from the current mark with the market's volatility and drift, 2048 steps, stream
  // (master seed, LeveragedTrader, 2^33 + m)). Positions that path would already have liquidated do not exist
  // at time 0: an age whose liquidation price (the margin model's trigger at entry) was crossed between entry
  // and now is drawn again, up to 32 times, then the trader enters at the current mark. Size is margin *
  // leverage / entry (leverage capped by the bracket of the intended notional), in lots of 1e-4 coin. Pure:
  // the caller books each row against a counterparty account.
  std::vector<OpeningPosition> opening_book(const ClearingHouse& ch) const;

 private:
  void open_position(AgentContext& ctx, uint32_t i, MarketId m, double margin);
  // Registers the trader's stop and take-profit levels from its current entry price.
  void arm_exits(AgentContext& ctx, uint32_t i);
  void check(AgentContext& ctx);
  // Sends a reduce-only IOC for `fraction` of the position; returns true if the position is now closed.
  bool reduce(AgentContext& ctx, uint32_t i, double fraction);
  void after_exit(AgentContext& ctx, uint32_t i);
  bool voluntary() const;
  // Pre-emptive traders' key now, from their own account: the liquidation price (OwnLiquidation) or the
  // zero-equity price, mark - equity / size (ExpectedLoss); nullopt without a position in their market.
  std::optional<double> own_key(AgentContext& ctx, uint32_t i) const;
  void arm_preemptive(AgentContext& ctx, uint32_t i);
  void check_preemptive(AgentContext& ctx, MarketId m);

  // A price level that closes a trader's position when the mark reaches it (`version` must still be
  // the trader's: a re-entry or a close makes older levels stale).
  struct Level {
    int64_t price = 0;
    uint32_t trader = 0;
    uint32_t version = 0;
    bool stop = false;
  };
  struct MarketExits {
    std::vector<Level> below;  // fire when mark <= price: a long's stop, a short's take-profit (max-heap)
    std::vector<Level> above;  // fire when mark >= price: a short's stop, a long's take-profit (min-heap)
    // Deleveraging: thresholds ascending per side; the next one not yet reached.
    std::vector<std::pair<float, uint32_t>> long_drops, short_drops;
    size_t next_long = 0, next_short = 0;
    // Marks of the window at check times, for its high and low (monotone deques as vectors + heads).
    std::vector<std::pair<Time, int64_t>> highs, lows;
    size_t high_head = 0, low_head = 0;
  };
  LeveragedTraderParams params_;
  std::vector<AccountId> accounts_;
  std::vector<MarketId> markets_;
  std::vector<uint8_t> spread_;
  std::vector<Time> entry_time_;
  std::vector<float> leverage_;
  std::vector<Amount> margin_;
  std::vector<Amount> outside_left_;
  std::vector<Time> last_topup_;
  std::vector<uint8_t> is_long_;
  std::vector<uint32_t> entry_order_;  // traders sorted by entry time (ties by index)
  uint32_t next_entry_ = 0;
  uint64_t topups_ = 0;
  uint64_t entries_ = 0;
  uint64_t master_seed_ = 0;
  std::vector<float> stop_distance_, take_distance_;  // 0: the trader uses no such level
  std::vector<uint32_t> version_;
  std::vector<uint16_t> reentries_left_;
  std::vector<MarketExits> exits_;
  uint64_t stop_losses_ = 0, take_profits_ = 0, deleverages_ = 0, reentries_ = 0;
  // Pre-emptive traders per market, keyed by own_key (a price that moves only with the trader's own
  // deposits and trades): longs in a max-heap (the nearest below the mark first), shorts in a min-heap.
  // Each entry (key x 1e6 in `price`, trader, version).
  // One heap pair per pre-emptive strategy (0: the population's, g + 1: group g's).
  struct PreemptiveHeaps {
    std::vector<Level> longs, shorts;
  };
  struct Preemptive {
    std::vector<PreemptiveHeaps> heaps;
    std::optional<LiquidationHeatmap> heatmap;
  };
  // 0: not pre-emptive; s + 1: pre-emptive by strategies_[s].
  std::vector<uint16_t> preemptive_;
  std::vector<LeveragedTraderParams::Strategy> strategies_;
  bool any_preemptive_ = false;
  std::vector<Preemptive> preempt_;
  uint64_t preemptive_exits_ = 0;
};

}  // namespace liqsim
