// The options venue of a run ([options]): builds the OptionsMarket (protocol/options_market.h) from the
// scenario, opens its market makers' and writers' accounts, the writers' positions at time 0, and drives
// it: quotes refreshed every requote_seconds, the underlying's marks passed in (with the margin checks
// they make due), the bands refreshed every refresh_seconds.
#pragma once

#include <deque>
#include <vector>

#include "agents/option_market_maker.h"
#include "core/recorder.h"
#include "experiments/scenario.h"
#include "protocol/clearing_house.h"
#include "protocol/options_market.h"

namespace liqsim {

// The market's parameters from a validated scenario: series for every expiry x strike x (put, call), in
// that order (series id = (expiry x strikes + strike) x 2 + (0 put, 1 call)), strikes on the tick grid.
OptionsMarketParams options_market_params(const Scenario& s);

// A maker's hedge trade in the underlying perpetual (OptionsSpec::hedge).
struct HedgeOrder {
  AccountId account;
  Side side = Side::Buy;
  Quantity quantity;
};

class OptionsVenue {
 public:
  // Opens the accounts (makers first, then writers) in `ch`; the writers' positions are sold to the
  // makers at the model mark (writer i trades with maker i mod makers). Records those opening trades.
  OptionsVenue(const Scenario& s, ClearingHouse& ch, Recorder& recorder);

  MarketId underlying_market() const { return underlying_; }
  Time requote_interval() const { return requote_; }
  Time refresh_interval() const { return refresh_; }
  const OptionsMarket& market() const { return market_; }

  // The underlying market's new mark: the surface follows it, and the members it makes due are checked
  // (and liquidated into the books when below their requirement).
  void on_underlying(Price mark, Time now);
  // The makers cancel their quotes and quote again off the current surface.
  void requote(Time now);
  // Every writer's band recomputed (time decay since the last revaluation).
  void refresh(Time now);
  // The makers' hedges due now (none unless hedging): each maker whose perpetual position differs from
  // minus its options' delta by more than the band trades the difference, in maker order.
  std::vector<HedgeOrder> hedges(Time now) const;
  // The options' delta of a maker (coins of the underlying).
  double maker_delta(size_t maker, Time now) const;

 private:
  void open_writers(const Scenario& s, Time now);

  ClearingHouse& ch_;
  Recorder& recorder_;
  OptionsMarket market_;
  OptionQuoteParams quote_;
  MarketId underlying_;
  Time requote_;
  Time refresh_;
  Time stress_window_;
  bool hedge_ = false;
  double hedge_band_ = 0.0;
  std::vector<uint32_t> makers_;  // member indices
  std::vector<uint32_t> writers_;
  std::vector<std::vector<Quantity>> maker_start_;         // each maker's contracts after the opening
  std::vector<std::vector<std::vector<OrderId>>> quotes_;  // [maker][series] resting order ids
  std::deque<std::pair<Time, double>> recent_;             // (time, underlying) at requotes in the window
  std::vector<uint32_t> due_;
};

}  // namespace liqsim
