// The running figures behind a run's summary (RunSummary, core/recorder.h): kept as the run goes, from
// the records as they pass the run's recorder, the liquidatable episodes sampled at every mark update,
// a snapshot taken when the measurement window opens and the lowest insurance fund after every event.
// The summary never reads recorded records back (a streaming or discarding sink does not keep them).
//
// The measurement window is [measure_from, end]. Liquidation figures count only what happens in it: a
// liquidation, an ADL slice or a keeper transaction is in the window when its time is at or after
// measure_from. The cascade forest of the window is the run's forest cut there: a liquidation of the
// window whose cause is earlier is a root. docs/hdf5-schema.md ("/summary") lists which summary fields
// are windowed and which describe the whole run or its end.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "analysis/cascade.h"
#include "core/recorder.h"
#include "protocol/clearing_house.h"

namespace liqsim {

class RunMetrics {
 public:
  explicit RunMetrics(Time measure_from) : measure_from_(measure_from) {}
  // Once, when the run is built: its clearing house (read, never changed) and the insurance fund the
  // run starts with.
  void start(const ClearingHouse& ch);

  Time measure_from() const { return measure_from_; }

  // Records, in the order the run makes them.
  void on_liquidation(const LiquidationRecord& r);
  void on_adl(const AdlRecord& r);
  void on_social_loss(const SocialLossRecord& r);
  // A collateral auction that ended: its keeper incentives (Clipper tip + chip, paid by the Vow) count
  // among the keepers' rewards when it ended in the window.
  void on_auction(const AuctionRecord& r);
  void on_keeper_tx(const KeeperTxRecord& r);
  // The options venue's liquidation fills and closed liquidations (window: by their time).
  void on_option_fill(const OptionFillRecord& r);
  void on_option_liquidation(const OptionLiquidationRecord& r);

  // The window opens once, before the first event at or after measure_from: the insurance fund, the
  // bad debt and the keepers' equity net of deposits at that moment are the window's starting points.
  bool window_open() const { return window_open_; }
  void open_window();
  // After every event: the lowest insurance fund balance, of the run and of the window.
  void after_event(Amount insurance_fund) {
    if (insurance_fund < fund_min_) fund_min_ = insurance_fund;
    if (window_open_ && insurance_fund < window_fund_min_) window_fund_min_ = insurance_fund;
  }

  // Liquidatable episodes. An episode starts at the mark update whose detection first finds the account
  // liquidatable (the trigger index, then the exact margin check) and ends when a check finds it no
  // longer liquidatable (or flat). The checks: every later mark update of that market, for an account
  // the mechanism asked detection to keep watching (keepers) or is liquidating (an engine step
  // pending); right after each of its liquidations; after each of the mechanism's timers on it (engine
  // steps). An account the mechanism leaves alone (`none`) keeps its episode to the end. The first
  // liquidation gives the episode's delay; later ones do not.
  //
  // A mark update of market m calls begin_sample(m, now), then on_liquidatable for every account
  // detection found liquidatable (with the mechanism's answer: watch it again at once), then
  // end_sample(m), which checks the accounts left watched or in liquidation by m's last mark update
  // that detection did not find this time. Cost: proportional to detection's hits and to the
  // accounts being liquidated, never to all open episodes.
  void begin_sample(MarketId m, Time now);
  void on_liquidatable(AccountId a, MarketId m, bool watched);
  void end_sample(MarketId m);
  // After a mechanism timer on account a.
  void after_mechanism_timer(AccountId a) { close_if_healthy(a); }

  // Fills the figures kept here: liquidations, cascades, episodes and delays, keepers, ADL, the
  // insurance fund's minimum and drawdown, bad debt, the end state of the accounts and the protocol
  // loss. The caller fills the rest (prices, events, deposits, conservation).
  void fill(RunSummary& s) const;
  // The window's cascade trees: how many of each size, in increasing size.
  std::vector<CascadeSizeRecord> cascade_sizes() const;

 private:
  struct Episode {
    AccountId account;
    Time start;            // the mark update that found the account liquidatable
    uint64_t sample = 0;   // the last mark update that found it liquidatable
    MarketId market;       // the market of that mark update
    bool watched = false;  // the mechanism asked detection to watch it again at once
    bool liquidated = false;
  };
  void close_if_healthy(AccountId a);
  void close_episode(size_t k);

  const ClearingHouse* ch_ = nullptr;
  Time measure_from_;
  // Records of the window.
  uint64_t pre_window_liquidations_ = 0;  // ids of the window's liquidations start here
  CascadeCounter cascades_;               // the window's forest, ids rebased to 0
  uint64_t engine_liquidations_ = 0;
  uint64_t keeper_liquidations_ = 0;
  uint64_t auction_liquidations_ = 0;
  uint64_t debt_auctions_ = 0;
  Amount debt_auction_raised_;
  Quantity mkr_minted_;
  uint64_t endogenous_liquidations_ = 0;
  Amount liquidated_notional_;
  Amount keeper_rewards_;
  double slippage_ = 0;              // sum of |price - mark| / mark, in liquidation order
  std::vector<double> slippages_;    // each |price - mark| / mark, in liquidation order
  std::vector<double> option_gaps_;  // each option liquidation fill's |price - mark| / mark
  uint64_t option_liquidations_ = 0;
  Amount option_gap_;
  Amount option_loss_;  // sum of (equity at trigger - balance once closed)
  Amount option_shortfall_;
  Amount option_shortfall_beyond_marks_;
  uint64_t adl_count_ = 0;
  Quantity adl_quantity_;
  Amount socialised_loss_;
  Amount keeper_gas_;
  uint64_t keeper_failed_txs_ = 0;
  Amount keeper_failed_gas_;
  // The window's starting points and the fund's lows.
  bool window_open_ = false;
  Amount fund_initial_;
  Amount fund_min_;
  Amount window_fund_start_;
  Amount window_fund_min_;
  Amount window_bad_debt_start_;
  Amount window_keeper_net_start_;  // sum over keepers of equity - deposits
  // Episodes.
  uint64_t sample_ = 0;
  Time sample_time_;
  std::vector<Episode> episodes_;                       // open, in no particular order
  std::unordered_map<AccountId, uint32_t> episode_of_;  // account -> its open episode in episodes_
  // Per market: the accounts its last mark update left watched or in liquidation (no duplicates).
  std::vector<std::vector<AccountId>> watched_;
  std::vector<AccountId> watching_;  // the current mark update's
  std::vector<int64_t> delays_ns_;   // the window's first-liquidation delays
};

}  // namespace liqsim
