// The options venue: European options on one perpetual market's mark (taken as the forward), one order
// book per series, marked to model by Black-76 at an SVI surface (protocol/vol_surface.h) whose level
// and skew follow the underlying's move since time 0, members margined by Deribit-style portfolio margin
// (the worst loss over underlying moves x volatility shocks, plus a short-option minimum), and
// liquidation of a member's whole portfolio into the series' books with each fill's model mark recorded
// beside its price: the mark-to-execution gap.
//
// Sources: Deribit "Portfolio Margin" (support.deribit.com/hc/en-us/articles/25944756247837) and its older
// parameter page (moves of +-16 % for BTC, volatility shocks, and the contingency "0.01 BTC per net short
// option"), summarised in reference/protocols.md 4.2; maintenance margin = the scenario requirement, a
// member is liquidated when its equity at the model marks falls below it, its whole portfolio at once or,
// as Deribit reduces a portfolio, step by step until the requirement is met (liquidation_step;
// docs/venues.md, "Options venue").
//
// Money is exact: premiums move through the ledger's quote balances (Amount, micro-dollars), contracts are
// Quantity (1 contract = 1 coin of the underlying, 1e-8 scale) and sum to zero per series. Marks, the
// surface and the margin are a risk model in double, converted at named boundaries (marks round to the
// nearest micro-dollar, requirements up).
#pragma once

#include <cstdint>
#include <queue>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/recorder.h"
#include "core/units.h"
#include "market/order_book.h"
#include "protocol/ledger.h"
#include "protocol/vol_surface.h"

namespace liqsim {

struct OptionSeries {
  OptionType type = OptionType::Put;
  Price strike;
  Time expiry;  // from time 0
};

struct OptionsMarketParams {
  std::vector<SviSlice> slices;  // the surface at time 0 (expiries in years from time 0)
  VolDynamics dynamics;          // how it follows the underlying's log return since time 0
  Price initial_underlying;      // the forward of time 0
  Price tick;                    // of every series' book
  std::vector<OptionSeries> series;
  double pm_max_move = 0.16;  // Deribit BTC: underlying moves of -16 % ... +16 %
  int pm_buckets = 9;
  PmVolShockParams vol_shock;
  double short_option_minimum = 0.01;  // of the underlying per net short contract of a series
  Ratio liquidation_fee;               // of the underlying notional closed, to the insurance fund
  double liquidation_band =
      1.0;  // a liquidation buys at most mark (1 + band), sells at least mark (1 - band)
  double trigger_margin = 0.005;  // a member is re-checked this fraction before its band's edge
  // Each step of a liquidation closes this fraction of every leg's size at the trigger, and the
  // liquidation ends as soon as the requirement is met again (an incremental reduction, as Deribit's engine
  // reduces a portfolio); 1 closes the whole portfolio at once.
  double liquidation_step = 1.0;
};

// One member's portfolio (a writer's or a market maker's), dense over the series.
struct OptionMember {
  AccountId account;
  bool margined = false;  // writers are; market makers are not (their capital is not checked)
  std::vector<Quantity> contracts;
  // The underlying range in which equity >= requirement at the surface of that underlying (checked at
  // the last revaluation's time); 0 / infinity when none was found within the search range.
  double safe_low = 0.0;
  double safe_high = 0.0;
  uint32_t version = 0;  // invalidates older heap entries
  bool liquidating = false;
  // The open liquidation, while liquidating.
  int64_t liquidation = -1;
  Time trigger_time;
  double trigger_underlying = 0.0;
  Amount equity_at_trigger;
  Amount requirement_at_trigger;
  Amount gap;
  Quantity closed;
  std::vector<Quantity> at_trigger;  // contracts per series when the liquidation started
};

class OptionsMarket {
 public:
  // Preconditions: the params validated (svi_domain_problems empty, series strikes > 0, expiries after
  // the run's end).
  explicit OptionsMarket(OptionsMarketParams params);

  const OptionsMarketParams& params() const { return params_; }
  uint32_t series_count() const { return uint32_t(params_.series.size()); }
  const OptionSeries& series(uint32_t s) const { return params_.series[s]; }
  OrderBook& book(uint32_t s) { return *books_[s]; }
  const OrderBook& book(uint32_t s) const { return *books_[s]; }
  const VolSurface& surface() const { return surface_; }
  double underlying() const { return underlying_; }
  Price underlying_price() const { return underlying_price_; }

  uint32_t add_member(AccountId account, bool margined);
  uint32_t member_count() const { return uint32_t(members_.size()); }
  const OptionMember& member(uint32_t i) const { return members_[i]; }
  std::optional<uint32_t> member_of(AccountId a) const;

  // Years from now to an expiry (365-day years), >= 0.
  double years_to(Time expiry, Time now) const;
  // The model mark of a series now: Black-76 at the current surface, >= 0, nearest micro-dollar.
  Price mark(uint32_t series, Time now) const;
  double model_price(uint32_t series, double underlying, const VolSurface& surface, Time now) const;
  // Equity at the model marks: quote balance + sum of contracts x mark.
  Amount equity(const Ledger& ledger, uint32_t member, Time now) const;
  // Portfolio-margin requirement at the current underlying, rounded up.
  Amount requirement(uint32_t member, Time now) const;
  // The requirement in dollars of any contracts (dense over the series) at an underlying and surface.
  double requirement_of(std::span<const Quantity> contracts, double underlying, const VolSurface& surface,
                        Time now) const;
  // equity - requirement had the underlying been `underlying` (the surface moved with it), in dollars.
  double margin_surplus(const Ledger& ledger, uint32_t member, double underlying, Time now) const;

  // A trade at the model mark outside the books (positions open at time 0): `contracts` > 0 bought by
  // `buyer` from `seller`, the premium rounded up against the buyer.
  void trade_at_mark(Ledger& ledger, uint32_t buyer, uint32_t seller, uint32_t series, Quantity contracts,
                     Time now, Recorder& recorder);
  // Applies a book fill of `series` to both members and the ledger (the taker's side is fill.taker_side).
  void apply_fill(Ledger& ledger, uint32_t series, const Fill& fill);

  // A new underlying (the underlying market's mark): the surface moves with it.
  void set_underlying(Price underlying);
  // The margined members to check now: those whose band (less trigger_margin) the underlying crossed,
  // and those liquidating. Each member once, in member order.
  void due_checks(std::vector<uint32_t>& out);
  // Recomputes a member's safe band from the current state and files it.
  void refresh_band(const Ledger& ledger, uint32_t member, Time now);
  // Checks a member and, when its equity is below the requirement (or it is already liquidating),
  // closes its portfolio into the books. Returns true when a liquidation is still open afterwards.
  bool check(Ledger& ledger, uint32_t member, Time now, Recorder& recorder);

  // Conservation: every series' contracts sum to zero.
  bool positions_balanced() const;
  uint64_t liquidations() const { return uint64_t(next_liquidation_); }

 private:
  VolSurface surface_at(double underlying) const;
  void file_band(uint32_t member);
  void liquidate(Ledger& ledger, uint32_t member, Time now, Recorder& recorder);
  // One IOC closing `quantity` of the member's leg in series s at most liquidation_band from the mark; its
  // fills applied and recorded. True when anything filled.
  bool close_leg(Ledger& ledger, uint32_t member, uint32_t s, Quantity quantity, Time now,
                 Recorder& recorder);
  void settle(Ledger& ledger, uint32_t member, Time now, Recorder& recorder);
  // The liquidation fee on what the member's open liquidation closed so far (before the cap by its equity).
  Amount fee_due(uint32_t member) const;

  OptionsMarketParams params_;
  VolSurface base_;
  VolSurface surface_;
  double underlying_ = 0.0;
  Price underlying_price_;
  std::vector<double> moves_;
  std::vector<std::unique_ptr<OrderBook>> books_;
  std::vector<OptionMember> members_;
  std::unordered_map<uint32_t, uint32_t> member_of_;  // account -> member
  // Safe-band edges: a max-heap of low edges, a min-heap of high edges, (edge, member, version).
  struct Edge {
    double edge;
    uint32_t member;
    uint32_t version;
  };
  struct LowerFirst {
    bool operator()(const Edge& a, const Edge& b) const {
      return a.edge != b.edge ? a.edge < b.edge : a.member > b.member;
    }
  };
  struct HigherFirst {
    bool operator()(const Edge& a, const Edge& b) const {
      return a.edge != b.edge ? a.edge > b.edge : a.member > b.member;
    }
  };
  std::priority_queue<Edge, std::vector<Edge>, LowerFirst> low_edges_;
  std::priority_queue<Edge, std::vector<Edge>, HigherFirst> high_edges_;
  std::vector<uint32_t> liquidating_;
  int64_t next_liquidation_ = 0;
  std::vector<Fill> fills_;
};

}  // namespace liqsim
