// Leveraged directional traders, stored as a population in contiguous arrays (one entry per trader,
// no per-trader heap object) so that a million of them stay practical. Each trader deposits its
// margin at its entry time and opens a position of margin * leverage at the market with a bounded-
// slippage IOC; leverage, margin, side and entry time are drawn from the trader's own stream
// (master seed, LeveragedTrader, index). When the protocol's alert says equity fell below
// `topup_trigger` x maintenance margin, the trader adds `topup_fraction` x its initial margin from
// finite outside capital, at most once per cool-down.
#pragma once

#include <vector>

#include "agents/agent_context.h"
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
};

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
  // The protocol's alert for the trader's account: equity may be below the top-up trigger.
  void on_alert(AgentContext& ctx, uint32_t trader) override;
  uint32_t size() const override { return uint32_t(accounts_.size()); }
  AccountId account(uint32_t i) const override { return accounts_[i]; }
  uint64_t topups() const { return topups_; }
  uint64_t entries() const { return entries_; }

 private:
  void open_position(AgentContext& ctx, uint32_t i, MarketId m, double margin_share);

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
};

}  // namespace liqsim
