#include "experiments/simulation.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "agents/keeper.h"
#include "analysis/run_file.h"
#include "core/check.h"
#include "core/engine.h"
#include "experiments/counterfactual.h"
#include "experiments/liquidation_mechanisms.h"
#include "experiments/options_venue.h"
#include "experiments/populations.h"
#include "experiments/run_metrics.h"
#include "experiments/scenario_loader.h"
#include "experiments/scenario_paths.h"
#include "experiments/version.h"
#include "market/amm_pool.h"
#include "market/concentrated_pool.h"
#include "market/oracle.h"
#include "market/order_book.h"
#include "market/price_process.h"
#include "market/venue.h"
#include "market/venue_index.h"
#include "protocol/cause_tracker.h"
#include "protocol/chain.h"
#include "protocol/funding.h"
#include "protocol/liquidation.h"
#include "protocol/mark_engine.h"
#include "protocol/mark_price.h"

namespace liqsim {
namespace {

// Event kinds of the model; the engine only orders them.
enum EventKind : uint32_t {
  kIndexTick,       // target = market: advance the reference path, venue quotes, index and oracle
  kMarkTick,        // target = market: basis sample, mark update, liquidation detection
  kFundingSample,   // target = market: one premium-index sample
  kFundingSettle,   // target = market: funding payment for the interval
  kRecord,          // one time-series row
  kMechanismTimer,  // target = account: a timer of the liquidation mechanism
  kKeeperTx,        // target = sending account, arg = transaction id (transaction lane)
  kQueuedTxs,       // the keeper transactions that found a block full compete for this block
  kOptionRequote,   // the option market makers quote again ([options])
  kOptionRefresh,   // the option writers' safe bands recomputed
  kPopulationWake,  // kPopulationWake + p: a wake-up of population p, target = member, arg its own
};

constexpr int64_t kPriceBand = 10;  // limit orders above 10 x the index are rejected

// A venue's traded volume between two samples (VenueSampleRecord::volume), saturating at the largest
// Quantity instead of overflowing: extreme valid scenarios can trade more than 9.2e10 coins between samples.
void add_volume(Quantity& volume, Quantity traded) {
  volume = volume.raw() > std::numeric_limits<int64_t>::max() - traded.raw()
               ? Quantity(std::numeric_limits<int64_t>::max())
               : volume + traded;
}

SubmitResult band_rejection() {
  SubmitResult rejected;
  rejected.reject = RejectReason::PriceOutOfRange;
  return rejected;
}

SubmitResult frozen_rejection() {
  SubmitResult rejected;
  rejected.reject = RejectReason::AccountFrozen;
  return rejected;
}

struct MarketRuntime {
  const MarketSpec* spec = nullptr;
  Price tick;
  std::unique_ptr<OrderBook> book;
  std::unique_ptr<Venue> venue;  // how liquidation orders execute (the book, as a Venue)
  std::unique_ptr<PriceProcess> reference;
  Price reference_now;
  std::unique_ptr<VenueIndex> index;
  Price index_now;
  std::unique_ptr<Oracle> oracle;
  std::unique_ptr<MarkEngine> mark_engine;
  std::unique_ptr<CauseTracker> causes;
  std::unique_ptr<PremiumAverager> premium;
  Time funding_interval;
  Time next_funding;
  Ratio last_funding_rate;
  std::optional<Price> last_trade;
  int64_t mark_updates = 0;
  // The endogenous market: the spot venues of this market's asset (indices into World::spot_) and
  // whether the index reads them.
  std::vector<uint32_t> spot;
  bool spot_index = false;
  std::optional<VenueId> amm;  // the market's constant-product pool, if it has one
  Quantity volume;             // traded on the book since the last venue sample
};

// A simulated spot venue: an order book of a market's asset against the quote, settled in the ledger.
struct SpotVenueRuntime {
  MarketId market;
  std::unique_ptr<OrderBook> book;
  std::optional<Price> last_trade;
  Price price;  // mid, else last trade, else the previous price (the index's input)
  Quantity volume;
};

// A market's constant-product pool: its reserves are the amm_pool place's position in the market and its
// share of that place's balance (World::check_conservation checks both).
struct AmmRuntime {
  MarketId market;
  std::unique_ptr<AmmVenue> pool;
  Quantity volume;  // swapped since the last venue sample
};

// Forwards every record to the run's sink, each new liquidation's account to the cause trackers
// (which keep their own state and never read the records) and the liquidations, ADL and keeper
// transactions to the summary's running figures (RunMetrics). It tags each liquidation's endogeneity
// first: against the impact-free twin when the run has one; Exogenous in an impact-free run itself (no
// liquidation order reaches a venue there, so none is brought about by liquidations' price impact).
class RecordingTee final : public Recorder {
 public:
  RecordingTee(Recorder& sink, std::vector<MarketRuntime>& markets, RunMetrics& metrics, bool impact_free,
               std::shared_ptr<const ImpactFreeReference> twin)
      : sink_(sink),
        markets_(markets),
        metrics_(metrics),
        impact_free_(impact_free),
        twin_(std::move(twin)) {}
  void on_trade(const TradeRecord& r) override { sink_.on_trade(r); }
  void on_liquidation(const LiquidationRecord& recorded) override {
    LiquidationRecord r = recorded;
    if (impact_free_)
      r.endogenous = Endogeneity::Exogenous;
    else if (twin_)
      r.endogenous = twin_->classify(r.account, r.time);
    for (MarketRuntime& rt : markets_) rt.causes->note_liquidation(LiquidationId(r.id), AccountId(r.account));
    metrics_.on_liquidation(r);
    sink_.on_liquidation(r);
  }
  void on_funding(const FundingRecord& r) override { sink_.on_funding(r); }
  void on_adl(const AdlRecord& r) override {
    metrics_.on_adl(r);
    sink_.on_adl(r);
  }
  void on_social_loss(const SocialLossRecord& r) override {
    metrics_.on_social_loss(r);
    sink_.on_social_loss(r);
  }
  void on_keeper_tx(const KeeperTxRecord& r) override {
    metrics_.on_keeper_tx(r);
    sink_.on_keeper_tx(r);
  }
  void on_keeper_tx_queue(const KeeperTxQueueRecord& r) override { sink_.on_keeper_tx_queue(r); }
  void on_block(const BlockRecord& r) override { sink_.on_block(r); }
  void on_auction(const AuctionRecord& r) override {
    metrics_.on_auction(r);
    sink_.on_auction(r);
  }
  void on_timeseries(const TimeseriesRow& r) override { sink_.on_timeseries(r); }
  void on_mark_update(const MarkUpdateRecord& r) override { sink_.on_mark_update(r); }
  void on_venue_sample(const VenueSampleRecord& r) override { sink_.on_venue_sample(r); }
  void on_cascade_size(const CascadeSizeRecord& r) override { sink_.on_cascade_size(r); }
  void on_asset(const AssetFinal& r) override { sink_.on_asset(r); }
  void on_holding(const HoldingFinal& r) override { sink_.on_holding(r); }
  void on_account(const AccountFinal& r) override { sink_.on_account(r); }
  void on_option_fill(const OptionFillRecord& r) override {
    metrics_.on_option_fill(r);
    sink_.on_option_fill(r);
  }
  void on_option_liquidation(const OptionLiquidationRecord& r) override {
    metrics_.on_option_liquidation(r);
    sink_.on_option_liquidation(r);
  }

 private:
  Recorder& sink_;
  std::vector<MarketRuntime>& markets_;
  RunMetrics& metrics_;
  bool impact_free_;
  std::shared_ptr<const ImpactFreeReference> twin_;
};

// The world of one run: owns every model object and implements the doors agents (through one
// PopulationContext per population) and liquidation mechanisms act through. Single-threaded; several
// worlds may run in one process.
class World final : public ExecutionVenue, public PositionSource {
 public:
  World(const Scenario& s, const RunOptions& options, Recorder& sink);
  // Processes every event at or before min(until, end); returns the time reached.
  Time run_until(Time until);
  // After the last event: the final checks and account states. Once.
  void finish();
  bool finished() const { return finished_; }
  Time end() const { return end_; }
  const ClearingHouse& clearing_house() const { return *ch_; }
  RunSummary summarise(double wall_seconds) const;

  // What populations do through their contexts.
  Time now() const { return engine_.now(); }
  SubmitResult submit(MarketId m, const OrderRequest& order) {
    if (mechanism_->frozen(order.owner)) return frozen_rejection();
    return route(m, order, false);
  }
  bool cancel(MarketId m, OrderId id) { return markets_[m.raw()].book->cancel(id); }
  SubmitResult modify(MarketId m, OrderId id, std::optional<Price> price, std::optional<Quantity> q) {
    current_market_ = m;  // the reduce-only position source reads this market
    if (outside_price_band(m, price)) return band_rejection();
    SubmitResult r = markets_[m.raw()].book->modify(id, price, q);
    apply_fills(m, r.fills, false);
    return r;
  }
  const OrderBook& book(MarketId m) const { return *markets_[m.raw()].book; }
  MarketView view(MarketId m) const;
  const ClearingHouse& clearing() const { return *ch_; }
  void deposit(AccountId a, Amount amount) {
    LIQSIM_CHECK(!mechanism_->frozen(a), "a deposit to a frozen account");
    ch_->deposit(a, amount);
  }
  bool frozen(AccountId a) const { return mechanism_->frozen(a); }
  void set_alert(AccountId a, std::optional<Ratio> multiple) {
    ch_->set_alert(a, multiple);
    ch_->arm(a);
  }
  void send_liquidation_tx(AccountId keeper, AccountId target, Time ready, Amount priority_fee,
                           const TxIntent& intent);
  Amount base_fee() const;
  uint32_t market_count() const { return uint32_t(markets_.size()); }
  uint32_t venue_count() const { return uint32_t(venues_.size()); }
  const VenueInfo& venue(VenueId v) const { return venues_[v.raw()]; }
  SubmitResult submit_at(VenueId v, const OrderRequest& order) {
    if (mechanism_->frozen(order.owner)) return frozen_rejection();
    switch (venues_[v.raw()].kind) {
      case VenueKind::Perpetual:
        return route(venues_[v.raw()].market, order, false);
      case VenueKind::Spot:
        return route_spot(v, order);
      case VenueKind::Amm:
        break;
    }
    return route_amm(v, order);
  }
  bool cancel_at(VenueId v, OrderId id) {
    if (venues_[v.raw()].kind == VenueKind::Perpetual) return cancel(venues_[v.raw()].market, id);
    if (venues_[v.raw()].kind == VenueKind::Amm) return false;  // a swap leaves no order
    return spot_of(v).book->cancel(id);
  }
  const OrderBook& book_at(VenueId v) const {
    LIQSIM_CHECK(venues_[v.raw()].kind != VenueKind::Amm, "an AMM venue has no book");
    return venues_[v.raw()].kind == VenueKind::Perpetual ? *markets_[v.raw()].book : *spot_of(v).book;
  }
  const AmmVenue* pool_at(VenueId v) const {
    return venues_[v.raw()].kind == VenueKind::Amm ? amm_of_venue(v).pool.get() : nullptr;
  }
  std::optional<VenueId> amm_of(MarketId m) const { return markets_[m.raw()].amm; }

  // ExecutionVenue
  Execution execute(MarketId m, const ExecutionRequest& request, bool taker_fee_waived) override;
  void cancel_orders(AccountId a, MarketId m) override;
  Price tick_size(MarketId m) const override { return markets_[m.raw()].tick; }

  // PositionSource (reduce-only orders)
  Quantity position(AccountId owner) const override {
    return ch_->ledger().position(owner, current_market_).size;
  }

 private:
  SubmitResult route(MarketId m, const OrderRequest& order, bool taker_fee_waived);
  SubmitResult route_spot(VenueId v, const OrderRequest& order);
  // A swap at market m's pool: an IOC or market order whose limit is the worst marginal price; the fill
  // moves the position and the cash between the taker and the amm_pool place, fee-free (the pool's fee
  // is in its price), and reduce-only orders are capped at what the taker can reduce.
  SubmitResult route_amm(VenueId v, const OrderRequest& order);
  SpotVenueRuntime& spot_of(VenueId v) { return spot_[v.raw() - markets_.size()]; }
  const SpotVenueRuntime& spot_of(VenueId v) const { return spot_[v.raw() - markets_.size()]; }
  AmmRuntime& amm_of_venue(VenueId v) { return amm_[v.raw() - markets_.size() - spot_.size()]; }
  const AmmRuntime& amm_of_venue(VenueId v) const { return amm_[v.raw() - markets_.size() - spot_.size()]; }
  void sample_venues();
  // A pool's sample: marginal bid and ask, price y / x, volume, and the coins a swap moves to each depth
  // band's edge from the pool's price.
  VenueSampleRecord sample_amm(VenueId v);
  // liquidation.execution = "impact_free": a liquidation order filled in full at the mark against the
  // backstop_vault place, off the book (reduce-only orders capped at what the owner can reduce).
  Quantity fill_off_book(MarketId m, AccountId owner, Side side, Quantity quantity, bool reduce_only,
                         int64_t tag, bool taker_fee_waived);
  bool outside_price_band(MarketId m, std::optional<Price> limit) const;
  void apply_fills(MarketId m, std::span<const Fill> fills, bool taker_fee_waived);
  void dispatch(const Event& e);
  void on_index_tick(MarketId m);
  void on_mark_tick(MarketId m);
  void on_funding_sample(MarketId m);
  void on_funding_settle(MarketId m);
  void on_record();
  void on_keeper_tx(const Event& e);
  // A keeper's flash-loan liquidation (TxIntent::flash_loan), atomic: the plan exists when the mechanism's
  // quote, sold on the keepers' unwind venue now (the market's AMM pool, or its book's bids after the taker
  // fee), repays the loan and its fee; executing it borrows, liquidates, sells and repays.
  struct FlashPlan {
    LiquidationQuote quote;
    std::optional<VenueId> amm;  // the pool sold on; none: the market's book
    Amount loan;
    Amount fee;
  };
  std::optional<FlashPlan> flash_plan(AccountId keeper, const ChainTransaction& p);
  KeeperTakeover flash_liquidation(AccountId keeper, const ChainTransaction& p, const FlashPlan& plan);
  LiquidationTrigger make_trigger(MarketId m, AccountId a);
  std::optional<Price> impact_price(MarketId m, Side taker_side) const;
  void check_conservation() const;
  // The option makers' delta hedges (OptionsVenue::hedges): IOCs on the underlying perpetual whose worst
  // price is hedge_slippage from its mark.
  void hedge_options();

  const Scenario& s_;
  RunOptions options_;
  const bool impact_free_;      // liquidation.execution == "impact_free"
  const Ratio flash_loan_fee_;  // keepers.flash_loan_fee
  Fill off_book_fill_;          // the last off-book fill (the span an off-book execution returns)
  RunMetrics metrics_;
  RecordingTee recorder_;
  Engine engine_;
  std::unique_ptr<ClearingHouse> ch_;
  std::vector<MarketRuntime> markets_;
  std::vector<SpotVenueRuntime> spot_;
  std::vector<AmmRuntime> amm_;
  std::vector<VenueInfo> venues_;  // perpetual books (venue = market), then the spot venues, then the pools
  // One population's door to the world: its wake-ups come back to it (event kind kPopulationWake + p).
  class PopulationContext final : public AgentContext {
   public:
    PopulationContext(World& world, uint32_t kind) : world_(world), kind_(kind) {}
    Time now() const override { return world_.now(); }
    void wake(Time at, uint32_t target, int64_t arg) override {
      world_.engine_.schedule(at, kind_, target, arg);
    }
    SubmitResult submit(MarketId m, const OrderRequest& order) override { return world_.submit(m, order); }
    bool cancel(MarketId m, OrderId id) override { return world_.cancel(m, id); }
    SubmitResult modify(MarketId m, OrderId id, std::optional<Price> price,
                        std::optional<Quantity> q) override {
      return world_.modify(m, id, price, q);
    }
    const OrderBook& book(MarketId m) const override { return world_.book(m); }
    MarketView view(MarketId m) const override { return world_.view(m); }
    const ClearingHouse& clearing() const override { return world_.clearing(); }
    void deposit(AccountId a, Amount amount) override { world_.deposit(a, amount); }
    bool frozen(AccountId a) const override { return world_.frozen(a); }
    void set_alert(AccountId a, std::optional<Ratio> multiple) override { world_.set_alert(a, multiple); }
    void send_liquidation_tx(AccountId keeper, AccountId target, Time ready, Amount priority_fee,
                             const TxIntent& intent) override {
      world_.send_liquidation_tx(keeper, target, ready, priority_fee, intent);
    }
    std::vector<AuctionView> auctions(AccountId target) const override {
      return world_.mechanism_->auctions(target, world_.now());
    }
    std::optional<LiquidationQuote> liquidation_quote(AccountId target) const override {
      return world_.mechanism_->quote(target, world_.now());
    }
    Amount base_fee() const override { return world_.base_fee(); }
    uint32_t market_count() const override { return world_.market_count(); }
    uint32_t venue_count() const override { return world_.venue_count(); }
    const VenueInfo& venue(VenueId v) const override { return world_.venue(v); }
    SubmitResult submit_at(VenueId v, const OrderRequest& order) override {
      return world_.submit_at(v, order);
    }
    bool cancel_at(VenueId v, OrderId id) override { return world_.cancel_at(v, id); }
    const OrderBook& book_at(VenueId v) const override { return world_.book_at(v); }
    const AmmVenue* pool_at(VenueId v) const override { return world_.pool_at(v); }
    std::optional<VenueId> amm_of(MarketId m) const override { return world_.amm_of(m); }

   private:
    World& world_;
    uint32_t kind_;
  };
  struct PopulationSlot {
    std::unique_ptr<Population> population;
    std::unique_ptr<PopulationContext> context;
    AccountId first;  // members' accounts are first .. first + size - 1
  };
  // The population and member owning account a, if an agent owns it.
  std::optional<std::pair<PopulationSlot*, uint32_t>> owner_of(AccountId a);
  std::vector<PopulationSlot> populations_;
  // The kernel's services to the liquidation mechanism.
  class Host final : public MechanismHost {
   public:
    explicit Host(World& world) : world_(world) {}
    Time now() const override { return world_.engine_.now(); }
    void schedule_timer(AccountId a, Time at) override {
      world_.engine_.schedule(at, kMechanismTimer, a.raw(), 0);
    }
    void publish_opportunity(AccountId a) override {
      for (PopulationSlot& slot : world_.populations_) slot.population->on_opportunity(*slot.context, a);
    }
    LiquidationTrigger trigger_for(AccountId a) override {
      return world_.make_trigger(largest_exposure(*world_.ch_, a), a);
    }
    void deliver(AccountId keeper, AccountId target, const KeeperTakeover& result) override {
      world_.ch_->arm(keeper);
      const auto owner = world_.owner_of(keeper);
      LIQSIM_CHECK(owner.has_value(), "an auction won by an account no population owns");
      owner->first->population->on_transaction_result(*owner->first->context, owner->second, target, result);
    }

   private:
    World& world_;
  };
  std::unique_ptr<LiquidationMechanism> mechanism_;
  std::unique_ptr<OptionsVenue> option_venue_;  // [options] enabled
  Host host_{*this};
  MarketId current_market_;
  struct RestingOrders {
    std::vector<std::pair<MarketId, OrderId>> orders;  // may include orders filled since
    size_t pruned_size = 0;
  };
  std::unordered_map<AccountId, RestingOrders> resting_by_account_;
  std::vector<TriggerHit> hits_;
  std::vector<Price> spot_quotes_;
  Time end_;
  std::unique_ptr<Chain> chain_;
  Price eth_price_;                     // a replayed gas price's ETH price, or
  std::optional<MarketId> eth_market_;  // the market whose index is the ETH price
  // Run statistics.
  Price ref_min_ = Price::max(), ref_max_ = Price::min(), mark_min_ = Price::max(), mark_max_ = Price::min();
  Price mid_min_ = Price::max(), mid_max_ = Price::min();
  Price index_min_ = Price::max(), index_max_ = Price::min();
  Price spot_min_ = Price::max();  // lowest price of any spot venue of market 0
  double max_gap_ = 0;
  int next_progress_ = 1;
  bool finished_ = false;
};

World::World(const Scenario& s, const RunOptions& options, Recorder& sink)
    : s_(s),
      options_(options),
      impact_free_(s.liquidation.execution == "impact_free"),
      flash_loan_fee_(ratio_from_double(s.keepers.flash_loan_fee)),
      metrics_(time_from_seconds(s.measure_from_seconds)),
      recorder_(sink, markets_, metrics_, impact_free_, options.impact_free_twin),
      engine_(*same_time_order_from_string(s.same_time_order),
              stream_seed(s.seed, StreamKind::EventOrdering, 0)) {
  end_ = time_from_seconds(s.duration_seconds);
  // The chain's blocks, block space and base fee are set in the keeper mechanism's table (they matter
  // only when keepers send transactions).
  const KeeperLiquidationSpec& chain_spec = s.liquidation.get<KeeperLiquidationSpec>();
  chain_ = std::make_unique<Chain>(chain_spec.chain_params(s.source_dir), recorder_);
  eth_price_ = price_from_double(chain_spec.gas.eth_price);
  for (size_t m = 0; m < s.markets.size(); ++m)
    if (!chain_spec.gas.eth_price_market.empty() && s.markets[m].symbol == chain_spec.gas.eth_price_market)
      eth_market_ = MarketId(uint32_t(m));

  // Protocol markets and their runtime (book, price path, index, oracle, mark and funding state).
  std::vector<ProtocolMarket> protocol_markets;
  markets_.resize(s.markets.size());
  for (MarketId m(0); m.raw() < s.markets.size(); ++m) {
    const MarketSpec& ms = s.markets[m.raw()];
    const Price initial = price_from_double(ms.initial_price);
    protocol_markets.push_back(ProtocolMarket{build_margin_model(ms.margin), ratio_from_double(ms.taker_fee),
                                              ratio_from_double(ms.maker_fee), initial,
                                              build_emode_margin_model(ms.margin)});
    MarketRuntime& rt = markets_[m.raw()];
    rt.spec = &ms;
    rt.tick = price_from_double(ms.tick_size);
    rt.book = std::make_unique<OrderBook>(rt.tick);
    rt.venue = std::make_unique<OrderBookVenue>(*rt.book);
    rt.book->set_position_source(this);
    const Time step = time_from_seconds(ms.price.step_seconds);
    Rng path_rng(s.seed, StreamKind::ExternalPrice, m.raw());
    std::unique_ptr<PriceProcess> process;
    if (ms.price.model == "merton") {
      process = std::make_unique<MertonJumpDiffusion>(
          initial, ms.price.drift_per_year, ms.price.vol_per_year, ms.price.jump_intensity_per_year,
          ms.price.jump_mean_log, ms.price.jump_stdev_log, step, path_rng);
    } else if (ms.price.model == "garch") {
      GarchProcess::Params garch;
      garch.drift_per_year = ms.price.drift_per_year;
      garch.vol_per_year = ms.price.vol_per_year;
      garch.alpha = ms.price.garch_alpha;
      garch.beta = ms.price.garch_beta;
      if (ms.price.innovations == "student_t") garch.dof = ms.price.student_t_dof;
      garch.step = step;
      // A whole number of steps (validated), counted exactly on the step's nanosecond grid.
      garch.interval =
          Time(step.raw() * std::llround(ms.price.garch_interval_seconds / ms.price.step_seconds));
      process = std::make_unique<GarchProcess>(initial, garch, path_rng);
    } else if (ms.price.model == "replay") {
      auto loaded = load_price_csv(
          scenario_file_path(s.source_dir, ms.price.replay_file).string(), ms.price.time_column,
          ms.price.price_column, ms.price.time_unit_seconds,
          ms.price.rescale_to_initial ? std::optional<double>(ms.initial_price) : std::nullopt);
      LIQSIM_CHECK(std::holds_alternative<PricePath>(loaded), "replay file failed after validation");
      process = std::make_unique<CsvReplay>(std::get<PricePath>(std::move(loaded)),
                                            ms.price.interpolation == "linear"
                                                ? ReplayInterpolation::Linear
                                                : ReplayInterpolation::PiecewiseConstant);
    } else {
      process = std::make_unique<GeometricBrownianMotion>(initial, ms.price.drift_per_year,
                                                          ms.price.vol_per_year, step, path_rng);
    }
    if (ms.shock.enabled) {
      process = std::make_unique<ScriptedShock>(
          std::move(process), time_from_seconds(ms.shock.start_seconds),
          time_from_seconds(ms.shock.duration_seconds), ms.shock.fall_fraction,
          ms.shock.recovery_seconds > 0 ? std::optional<Time>(time_from_seconds(ms.shock.recovery_seconds))
                                        : std::nullopt,
          ms.shock.recovery_fraction);
    }
    rt.reference = std::move(process);
    rt.reference_now = rt.reference->initial();
    VenueIndexConfig ic;
    rt.spot_index = ms.index.source == "spot_venues";
    // The spot venues' prices carry no extra noise: the venues are simulated.
    const int aggregated = rt.spot_index ? ms.spot.venues : ms.index.venues;
    for (int v = 0; v < aggregated; ++v) {
      VenueConfig vc;
      vc.weight = ms.index.weights.empty() ? 1u : uint32_t(std::llround(ms.index.weights[v] * 1000.0));
      vc.noise_stdev = rt.spot_index ? 0.0 : ms.index.noise_stdev;
      vc.noise_half_life = time_from_seconds(ms.index.noise_half_life_seconds);
      vc.stale_probability = ms.index.stale_probability;
      ic.venues.push_back(vc);
    }
    ic.update_interval = time_from_seconds(ms.index.update_interval_seconds);
    ic.aggregation = ms.index.weights.empty() ? IndexAggregation::Median : IndexAggregation::WeightedMedian;
    ic.outlier_rule = OutlierRule::ClampToBand;
    ic.outlier_threshold = ratio_from_double(ms.index.outlier_threshold);
    // Each market's venues draw from their own streams: offset the seed by the market id.
    rt.index = std::make_unique<VenueIndex>(ic, stream_seed(s.seed, StreamKind::VenueQuoteNoise, m.raw()));
    rt.index_now = initial;
    if (ms.oracle.source == "replay") {
      // The recorded oracle (read and checked when the scenario was validated).
      auto recorded =
          load_oracle_csv(scenario_file_path(s.source_dir, ms.oracle.replay_file).string(),
                          ms.oracle.time_column, ms.oracle.price_column, ms.oracle.time_unit_seconds);
      LIQSIM_CHECK(recorded.index() == 0, "the oracle replay file became unreadable after validation");
      rt.oracle = std::make_unique<Oracle>(std::move(std::get<0>(recorded)));
    } else {
      rt.oracle = std::make_unique<Oracle>(
          OracleConfig{time_from_seconds(ms.oracle.heartbeat_seconds), ratio_from_double(ms.oracle.deviation),
                       time_from_seconds(ms.oracle.delay_seconds)},
          initial);
    }
    const size_t window = std::max<size_t>(
        1, size_t(std::llround(ms.mark.basis_window_seconds / ms.mark.basis_sample_interval_seconds)));
    rt.mark_engine =
        std::make_unique<MarkEngine>(*mark_method_from_string(ms.mark.method),
                                     time_from_seconds(ms.mark.basis_sample_interval_seconds), window);
    rt.causes = std::make_unique<CauseTracker>(std::max(time_from_seconds(ms.mark.update_interval_seconds),
                                                        time_from_seconds(ms.mark.basis_window_seconds)));
    rt.premium = std::make_unique<PremiumAverager>(PremiumWeighting::TimeWeighted);
    rt.funding_interval = time_from_seconds(ms.funding.interval_seconds);
    rt.next_funding = rt.funding_interval;
    rt.last_funding_rate = ratio_from_double(ms.funding.interest_rate);
  }
  ch_ = std::make_unique<ClearingHouse>(std::move(protocol_markets));
  Ledger& ledger = ch_->ledger();
  // Venues: the perpetual books, then each market's spot venues, whose asset is registered in the ledger
  // at the Quantity scale (8 decimals).
  for (MarketId m(0); m.raw() < markets_.size(); ++m) {
    const MarketSpec& ms = s.markets[m.raw()];
    venues_.push_back(VenueInfo{VenueKind::Perpetual, m, kQuoteAsset, markets_[m.raw()].tick,
                                ratio_from_double(ms.taker_fee), ratio_from_double(ms.maker_fee)});
  }
  for (MarketId m(0); m.raw() < markets_.size(); ++m) {
    const MarketSpec& ms = s.markets[m.raw()];
    if (ms.spot.venues == 0) continue;
    const AssetId base = ledger.add_asset(AssetSpec{spot_asset_symbol(ms.symbol), 8, AssetKind::Coin, {}});
    for (int k = 0; k < ms.spot.venues; ++k) {
      markets_[m.raw()].spot.push_back(uint32_t(spot_.size()));
      SpotVenueRuntime venue;
      venue.market = m;
      venue.book = std::make_unique<OrderBook>(markets_[m.raw()].tick);
      venue.price = price_from_double(ms.initial_price);
      spot_.push_back(std::move(venue));
      venues_.push_back(VenueInfo{VenueKind::Spot, m, base, markets_[m.raw()].tick,
                                  ratio_from_double(ms.spot.taker_fee),
                                  ratio_from_double(ms.spot.maker_fee)});
    }
  }
  // The markets' AMM pools, after every spot venue: each starts at the market's initial price with its
  // coin reserve bought by the amm_pool place from the outside place at that price, and as much quote
  // deposited beside it (docs/ARCHITECTURE.md, "AMM pools").
  const AccountId amm_place = place_account(Place::AmmPool);
  for (MarketId m(0); m.raw() < markets_.size(); ++m) {
    const MarketSpec& ms = s.markets[m.raw()];
    if (ms.amm.reserve <= 0) continue;
    const Price p0 = price_from_double(ms.initial_price);
    const Quantity coins = quantity_from_double(ms.amm.reserve);
    const Amount quote = notional(p0, coins, Round::Down);
    std::unique_ptr<AmmVenue> pool;
    if (ms.amm.kind == "concentrated") {
      // One position over the range, from both budgets; the pool holds what its mint owes.
      const ConcentratedPosition position = ConcentratedLiquidityPool::position_for(
          p0, ms.amm.tick_spacing, price_from_double(ms.initial_price * ms.amm.range_low),
          price_from_double(ms.initial_price * ms.amm.range_high), coins, quote);
      pool = std::make_unique<ConcentratedLiquidityPool>(amm_place, p0, ratio_from_double(ms.amm.fee),
                                                         ms.amm.tick_spacing, std::span(&position, 1));
    } else {
      pool = std::make_unique<ConstantProductPool>(amm_place, coins, quote, ratio_from_double(ms.amm.fee));
    }
    // The amm_pool place buys the pool's coins from the outside place at the initial price and holds its
    // quote beside them.
    const Quantity base_reserve = pool->base_reserve();
    const Amount cost = notional(p0, base_reserve, Round::Down);
    ledger.transfer(place_account(Place::Outside), amm_place, pool->quote_reserve() + cost);
    ledger.trade(amm_place, place_account(Place::Outside), m, base_reserve, cost);
    markets_[m.raw()].amm = VenueId(uint32_t(venues_.size()));
    amm_.push_back(AmmRuntime{m, std::move(pool), {}});
    venues_.push_back(VenueInfo{VenueKind::Amm, m, kQuoteAsset, Price(1), Ratio(0), Ratio(0)});
  }
  ledger.reserve(uint32_t(s.noise.count + s.market_makers.count + keeper_count(s) + s.traders.count));
  ledger.seed_insurance_fund(amount_from_double(s.liquidation.insurance_fund));
  metrics_.start(*ch_);

  // The populations, from the registry, in its order (which is the order of their accounts).
  std::vector<AccountId> keepers;
  for (const PopulationEntry& entry : populations()) {
    PopulationSlot slot;
    slot.first = AccountId(ledger.account_count());
    slot.population = entry.build(PopulationBuildContext{s, *ch_, venues_});
    for (uint32_t i = 0; i < slot.population->size(); ++i) {
      LIQSIM_CHECK(slot.population->account(i) == AccountId(slot.first.raw() + i),
                   "a population's accounts must be consecutive");
      if (entry.name == "keepers") keepers.push_back(slot.population->account(i));
    }
    slot.context =
        std::make_unique<PopulationContext>(*this, uint32_t(kPopulationWake + populations_.size()));
    populations_.push_back(std::move(slot));
  }

  // The options venue: its makers' and writers' accounts after every population's.
  if (s.options.enabled) option_venue_ = std::make_unique<OptionsVenue>(s, *ch_, recorder_);

  // The liquidation mechanism, from the registry. An unfilled engine step is retried at the next mark
  // update of the fastest market at the earliest.
  Time mark_interval = Time::max();
  for (const MarketSpec& ms : s.markets)
    mark_interval = std::min(mark_interval, time_from_seconds(ms.mark.update_interval_seconds));
  std::vector<MarginSpec> margins;
  for (const MarketSpec& ms : s.markets) margins.push_back(ms.margin);
  mechanism_ =
      build_liquidation_mechanism(s.liquidation.mechanism, s.liquidation.params,
                                  MechanismBuildContext{*ch_, *this, recorder_, mark_interval, s.seed,
                                                        std::move(margins), std::move(keepers)});

  // Initial schedule: per market the index before the mark at every shared instant (FIFO).
  for (MarketId m(0); m.raw() < markets_.size(); ++m) {
    const MarketSpec& ms = s.markets[m.raw()];
    engine_.schedule(Time(0), kIndexTick, m.raw(), 0);
    engine_.schedule(Time(0), kMarkTick, m.raw(), 0);
    if (ms.funding.enabled) {
      engine_.schedule(time_from_seconds(ms.funding.premium_sample_interval_seconds), kFundingSample, m.raw(),
                       0);
      engine_.schedule(markets_[m.raw()].next_funding, kFundingSettle, m.raw(), 0);
    }
  }
  engine_.schedule(Time(0), kRecord, 0, 0);
  if (option_venue_) {
    engine_.schedule(Time(0), kOptionRequote, 0, 0);
    engine_.schedule(option_venue_->refresh_interval(), kOptionRefresh, 0, 0);
  }
  mechanism_->on_start(host_);
  for (PopulationSlot& slot : populations_) slot.population->start(*slot.context);
}

std::optional<std::pair<World::PopulationSlot*, uint32_t>> World::owner_of(AccountId a) {
  for (PopulationSlot& slot : populations_)
    if (a >= slot.first && a.raw() - slot.first.raw() < slot.population->size())
      return std::pair{&slot, a.raw() - slot.first.raw()};
  return std::nullopt;
}

MarketView World::view(MarketId m) const {
  const MarketRuntime& rt = markets_[m.raw()];
  MarketView v;
  v.fundamental = rt.reference_now;
  v.index = rt.index_now;
  v.oracle = rt.oracle->value(engine_.now());
  v.mark = ch_->mark(m);
  v.last = rt.last_trade.value_or(v.mark);
  v.tick = rt.tick;
  v.best_bid = rt.book->best_bid();
  v.best_ask = rt.book->best_ask();
  v.open_interest = ch_->ledger().open_interest(m);
  return v;
}

bool World::outside_price_band(MarketId m, std::optional<Price> limit) const {
  // The venue's price band (as Binance's PERCENT_PRICE filter): a limit above kPriceBand x the index
  // is rejected, so resting prices, and every notional traded against them, stay in range.
  return limit && limit->raw() / kPriceBand > markets_[m.raw()].index_now.raw();
}

SubmitResult World::route(MarketId m, const OrderRequest& order, bool taker_fee_waived) {
  current_market_ = m;
  if (outside_price_band(m, order.limit)) return band_rejection();
  if (impact_free_ && order.tag >= 0) {  // a keeper's unwind of a liquidation
    SubmitResult r;
    r.filled = fill_off_book(m, order.owner, order.side, order.quantity, order.reduce_only, order.tag,
                             taker_fee_waived);
    if (r.filled.raw() > 0) r.fills = std::span<const Fill>(&off_book_fill_, 1);
    return r;
  }
  SubmitResult r = markets_[m.raw()].book->submit(order);
  if (r.accepted() && r.resting.raw() > 0) {
    // Filled orders are pruned once the list has doubled since the last pruning: amortised O(1).
    RestingOrders& resting = resting_by_account_[order.owner];
    if (resting.orders.size() > std::max<size_t>(256, 2 * resting.pruned_size)) {
      std::erase_if(resting.orders, [&](const auto& e) {
        return !markets_[e.first.raw()].book->order(e.second).has_value();
      });
      resting.pruned_size = resting.orders.size();
    }
    resting.orders.emplace_back(m, r.id);
  }
  apply_fills(m, r.fills, taker_fee_waived);
  return r;
}

SubmitResult World::route_spot(VenueId v, const OrderRequest& order) {
  SpotVenueRuntime& venue = spot_of(v);
  if (outside_price_band(venue.market, order.limit)) return band_rejection();
  SubmitResult r = venue.book->submit(order);
  const VenueInfo& info = venues_[v.raw()];
  for (const Fill& f : r.fills) {
    ch_->apply_spot_fill(info.base, f, info.taker_fee, info.maker_fee);
    venue.last_trade = f.price;
    add_volume(venue.volume, f.quantity);
  }
  return r;
}

SubmitResult World::route_amm(VenueId v, const OrderRequest& order) {
  AmmRuntime& amm = amm_of_venue(v);
  const MarketId m = amm.market;
  SubmitResult r;
  if (order.type != OrderType::ImmediateOrCancel && order.type != OrderType::Market) {
    r.reject = RejectReason::InvalidPrice;  // a pool holds no resting order
    return r;
  }
  if (outside_price_band(m, order.limit)) return band_rejection();
  Ledger& ledger = ch_->ledger();
  Quantity q = order.quantity;
  if (order.reduce_only) {
    const Quantity held = ledger.position(order.owner, m).size;
    q = std::min(q, order.side == Side::Sell ? std::max(held, Quantity(0)) : std::max(-held, Quantity(0)));
    if (q.raw() <= 0) return r;
  }
  const Price worst = order.limit.value_or(order.side == Side::Sell ? Price(1) : Price::max());
  const Execution x =
      amm.pool->execute(ExecutionRequest{order.owner, order.side, q, worst, false, order.tag});
  r.reject = x.reject;
  r.filled = x.filled;
  r.fills = x.fills;
  for (const Fill& f : x.fills) {
    const bool taker_buys = f.taker_side == Side::Buy;
    const AccountId buyer = taker_buys ? f.taker_owner : f.maker_owner;
    const AccountId seller = taker_buys ? f.maker_owner : f.taker_owner;
    ledger.trade(buyer, seller, m, f.quantity, notional(f.price, f.quantity, Round::Down));
    ch_->arm(f.taker_owner);
    add_volume(amm.volume, f.quantity);
  }
  return r;
}

Execution World::execute(MarketId m, const ExecutionRequest& request, bool taker_fee_waived) {
  current_market_ = m;  // the reduce-only position source reads this market
  if (outside_price_band(m, request.worst)) {
    Execution rejected;
    rejected.reject = RejectReason::PriceOutOfRange;
    return rejected;
  }
  if (impact_free_) {
    Execution x;
    x.filled = fill_off_book(m, request.owner, request.side, request.quantity, request.reduce_only,
                             request.tag, taker_fee_waived);
    if (x.filled.raw() > 0) x.fills = std::span<const Fill>(&off_book_fill_, 1);
    return x;
  }
  const Execution x = markets_[m.raw()].venue->execute(request);
  apply_fills(m, x.fills, taker_fee_waived);
  return x;
}

Quantity World::fill_off_book(MarketId m, AccountId owner, Side side, Quantity quantity, bool reduce_only,
                              int64_t tag, bool taker_fee_waived) {
  Ledger& ledger = ch_->ledger();
  Quantity q = quantity;
  if (reduce_only) {
    const Quantity held = ledger.position(owner, m).size;
    const Quantity reducible =
        side == Side::Sell ? std::max(held, Quantity(0)) : std::max(-held, Quantity(0));
    q = std::min(q, reducible);
  }
  if (q.raw() <= 0) return Quantity(0);
  // At the mark, as a trade with the backstop_vault place: cash floor(mark * q) from buyer to seller,
  // as a book fill's (ClearingHouse::apply_fill), and the taker fee unless waived. No trade record, no
  // last trade and no liquidation fill for the cause trackers: nothing reached the venue. The place is
  // never armed, ranked for ADL or checked for margin (ClearingHouse::arm). When the backstop vault
  // itself sells (Hyperliquid's vault unwinding a take-over), the auction-house place (unused by the
  // perpetual mechanisms) takes the other side, so the vault's position does leave it.
  const AccountId backstop = owner == place_account(Place::BackstopVault)
                                 ? place_account(Place::AuctionHouse)
                                 : place_account(Place::BackstopVault);
  const Price mark = ch_->mark(m);
  const Amount cash = notional(mark, q, Round::Down);
  if (side == Side::Buy)
    ledger.trade(owner, backstop, m, q, cash);
  else
    ledger.trade(backstop, owner, m, q, cash);
  const Ratio taker_fee = ch_->market(m).taker_fee;
  if (!taker_fee_waived && taker_fee.raw() != 0) ledger.pay_fee(owner, apply(cash, taker_fee, Round::Up));
  ch_->arm(owner);
  off_book_fill_ = Fill{};
  off_book_fill_.maker_owner = backstop;
  off_book_fill_.taker_owner = owner;
  off_book_fill_.taker_side = side;
  off_book_fill_.price = mark;
  off_book_fill_.quantity = q;
  off_book_fill_.taker_tag = tag;
  off_book_fill_.maker_done = true;
  return q;
}

void World::apply_fills(MarketId m, std::span<const Fill> fills, bool taker_fee_waived) {
  MarketRuntime& rt = markets_[m.raw()];
  for (const Fill& f : fills) {
    ch_->apply_fill(m, f, taker_fee_waived);
    rt.last_trade = f.price;
    add_volume(rt.volume, f.quantity);
    TradeRecord t;
    t.time = engine_.now();
    t.market = m.raw();
    t.price = f.price;
    t.quantity = f.quantity;
    const bool taker_buys = f.taker_side == Side::Buy;
    t.buyer = (taker_buys ? f.taker_owner : f.maker_owner).raw();
    t.seller = (taker_buys ? f.maker_owner : f.taker_owner).raw();
    t.aggressor_is_buy = taker_buys ? 1 : 0;
    t.liquidation = f.taker_tag >= 0 ? f.taker_tag : f.maker_tag;
    recorder_.on_trade(t);
    if (const auto liquidation = liquidation_from_record(f.taker_tag))
      rt.causes->on_liquidation_fill(engine_.now(), *liquidation, f.taker_side, f.quantity);
  }
}

void World::cancel_orders(AccountId a, MarketId m) {
  auto it = resting_by_account_.find(a);
  if (it == resting_by_account_.end()) return;
  for (const auto& [market, id] : it->second.orders)
    if (market == m) markets_[m.raw()].book->cancel(id);
  std::erase_if(it->second.orders, [&](const auto& e) { return e.first == m; });
}

void World::send_liquidation_tx(AccountId keeper, AccountId target, Time ready, Amount priority_fee,
                                const TxIntent& intent) {
  LIQSIM_CHECK(owner_of(keeper).has_value(), "transaction from an account no population owns");
  const auto [tx, block] = chain_->submit(engine_.now(), ready, keeper, target, priority_fee, intent);
  engine_.schedule(block, kKeeperTx, keeper.raw(), tx, Lane::Transaction, uint64_t(priority_fee.raw()),
                   ready);
}

Amount World::base_fee() const {
  return chain_->base_fee(engine_.now(), eth_market_ ? markets_[eth_market_->raw()].index_now : eth_price_);
}

LiquidationTrigger World::make_trigger(MarketId m, AccountId a) {
  MarketRuntime& rt = markets_[m.raw()];
  const Time now = engine_.now();
  const bool is_long = ch_->ledger().position(a, m).size.raw() > 0;
  const std::optional<LiquidationId> cause = rt.causes->cause(
      now, a, is_long, rt.index_now, rt.tick, [&](Price mark) { return ch_->liquidatable_at(a, m, mark); });
  return LiquidationTrigger{now, rt.mark_updates - 1, cause};
}

void World::dispatch(const Event& e) {
  switch (e.kind) {
    case kIndexTick:
      on_index_tick(MarketId(e.target));
      break;
    case kMarkTick:
      on_mark_tick(MarketId(e.target));
      break;
    case kFundingSample:
      on_funding_sample(MarketId(e.target));
      break;
    case kFundingSettle:
      on_funding_settle(MarketId(e.target));
      break;
    case kRecord:
      on_record();
      break;
    case kOptionRequote:
      option_venue_->requote(engine_.now());
      hedge_options();
      if (engine_.now() + option_venue_->requote_interval() <= end_)
        engine_.schedule(engine_.now() + option_venue_->requote_interval(), kOptionRequote, 0, 0);
      break;
    case kOptionRefresh:
      option_venue_->refresh(engine_.now());
      if (engine_.now() + option_venue_->refresh_interval() <= end_)
        engine_.schedule(engine_.now() + option_venue_->refresh_interval(), kOptionRefresh, 0, 0);
      break;
    case kMechanismTimer:
      mechanism_->on_timer(host_, AccountId(e.target));
      metrics_.after_mechanism_timer(AccountId(e.target));
      break;
    case kKeeperTx:
      on_keeper_tx(e);
      break;
    case kQueuedTxs: {
      // System lane: before this block's transactions, which the waiting ones join in the rule's order.
      auto [best, again] = chain_->take_queued(engine_.now());
      for (const Event& tx : best) engine_.defer(tx, engine_.now());
      if (again) engine_.schedule(*again, kQueuedTxs, 0, 0);
      break;
    }
    default: {
      LIQSIM_CHECK(e.kind >= kPopulationWake && e.kind - kPopulationWake < populations_.size(),
                   "unknown event kind");
      PopulationSlot& slot = populations_[e.kind - kPopulationWake];
      slot.population->on_wake(*slot.context, e.target, e.arg);
    }
  }
}

void World::on_index_tick(MarketId m) {
  MarketRuntime& rt = markets_[m.raw()];
  const Time now = engine_.now();
  rt.reference_now = rt.reference->advance(now);
  if (rt.spot_index) {
    // Each spot venue's price: its mid, else its last trade, else its previous price.
    std::vector<Price>& quotes = spot_quotes_;
    quotes.clear();
    for (const uint32_t k : rt.spot) {
      SpotVenueRuntime& venue = spot_[k];
      if (const auto mid = venue.book->mid())
        venue.price = *mid;
      else if (venue.last_trade)
        venue.price = *venue.last_trade;
      quotes.push_back(venue.price);
    }
    rt.index_now = rt.index->aggregate(quotes);
  } else {
    rt.index_now = rt.index->update(now, rt.reference_now);
  }
  rt.oracle->observe(now, rt.index_now);
  if (m == MarketId(0)) {  // run statistics describe the first market
    ref_min_ = std::min(ref_min_, rt.reference_now);
    ref_max_ = std::max(ref_max_, rt.reference_now);
    index_min_ = std::min(index_min_, rt.index_now);
    index_max_ = std::max(index_max_, rt.index_now);
    for (const uint32_t k : rt.spot) spot_min_ = std::min(spot_min_, spot_[k].price);
  }
  const Time next = now + time_from_seconds(rt.spec->index.update_interval_seconds);
  if (next <= end_) engine_.schedule(next, kIndexTick, m.raw(), 0);
}

void World::on_mark_tick(MarketId m) {
  MarketRuntime& rt = markets_[m.raw()];
  const Time now = engine_.now();
  MarkInputs in;
  in.now = now;
  in.bid = rt.book->best_bid();
  in.ask = rt.book->best_ask();
  in.mid = rt.book->mid();
  in.last_trade = rt.last_trade;
  in.index = rt.index_now;
  in.oracle = rt.oracle->value(now);
  in.tick = rt.tick;
  // Within [0, interval]: with funding disabled the next settlement never comes.
  in.until_funding = std::clamp(rt.next_funding - now, Time(0), rt.funding_interval);
  in.funding_interval = rt.funding_interval;
  in.last_funding_rate = rt.last_funding_rate;
  const Price mark = rt.mark_engine->update(in);
  const Price index = in.index;
  const auto mid = in.mid;
  ch_->set_mark(m, mark);
  recorder_.on_mark_update(MarkUpdateRecord{now, m.raw(), rt.mark_updates, mark, index, in.oracle});
  ++rt.mark_updates;
  rt.causes->on_mark(now, mark - index);
  if (m == MarketId(0)) {  // run statistics describe the first market
    mark_min_ = std::min(mark_min_, mark);
    mark_max_ = std::max(mark_max_, mark);
    if (mid) {
      mid_min_ = std::min(mid_min_, *mid);
      mid_max_ = std::max(mid_max_, *mid);
    }
    max_gap_ = std::max(max_gap_, std::fabs(to_double(mark - index)) / to_double(index));
  }

  // Detection: only the accounts whose triggers this mark crossed. The summary's liquidatable episodes
  // are sampled here too: the accounts found liquidatable, then a re-check of the other open ones.
  hits_.clear();
  ch_->detect(m, hits_);
  metrics_.begin_sample(m, now);
  for (const TriggerHit& h : hits_) {
    if (ch_->liquidatable(h.account)) {
      const bool watch = mechanism_->on_liquidatable(host_, h.account);
      metrics_.on_liquidatable(h.account, m, watch);
      if (watch) ch_->arm(h.account);
    } else {
      if (h.kind == TriggerKind::Alert) {
        if (const auto owner = owner_of(h.account))
          owner->first->population->on_alert(*owner->first->context, owner->second);
      }
      ch_->arm(h.account);
    }
  }
  metrics_.end_sample(m);
  if (option_venue_ && m == option_venue_->underlying_market()) option_venue_->on_underlying(mark, now);
  const Time next = now + time_from_seconds(rt.spec->mark.update_interval_seconds);
  if (next <= end_) engine_.schedule(next, kMarkTick, m.raw(), 0);
}

std::optional<Price> World::impact_price(MarketId m, Side taker_side) const {
  // Average execution price of a taker order of the impact notional (Binance's impact bid/ask).
  const MarketRuntime& rt = markets_[m.raw()];
  std::vector<std::pair<Price, Quantity>> levels;
  rt.book->depth(taker_side == Side::Buy ? Side::Sell : Side::Buy, 200, levels);
  const Amount target = amount_from_double(rt.spec->funding.impact_notional);
  Amount spent;
  Quantity got;
  for (const auto& [price, quantity] : levels) {
    // A level worth more than what is left to spend ends the walk; its full value may not fit an Amount
    // (a deep ladder at a high price), so it is compared in 128 bits before being formed.
    const __int128 value = __int128(price.raw()) * quantity.raw() / kQuantityScale;
    if (value >= __int128((target - spent).raw())) {
      const Amount rest = target - spent;
      got += Quantity(mul_div(rest.raw(), kQuantityScale, price.raw(), Round::Down));
      spent = target;
      break;
    }
    spent += Amount(int64_t(value));
    got += quantity;
  }
  if (spent < target || got.raw() <= 0) return std::nullopt;
  return price_for(spent, got, Round::Down);
}

void World::on_funding_sample(MarketId m) {
  MarketRuntime& rt = markets_[m.raw()];
  const auto impact_bid = impact_price(m, Side::Sell);
  const auto impact_ask = impact_price(m, Side::Buy);
  // With an empty side the premium cannot be measured: that sample is skipped (documented).
  if (impact_bid && impact_ask) rt.premium->add(premium_index(*impact_bid, *impact_ask, rt.index_now));
  const Time next = engine_.now() + time_from_seconds(rt.spec->funding.premium_sample_interval_seconds);
  if (next <= end_) engine_.schedule(next, kFundingSample, m.raw(), 0);
}

void World::on_funding_settle(MarketId m) {
  MarketRuntime& rt = markets_[m.raw()];
  const FundingSpec& fs = rt.spec->funding;
  const Ratio average = rt.premium->average().value_or(Ratio(0));
  const Ratio rate =
      cap_funding(funding_rate(average, ratio_from_double(fs.interest_rate), ratio_from_double(fs.clamp)),
                  ratio_from_double(fs.cap));
  rt.premium->reset();
  const auto [paid_by_longs, residue] = ch_->settle_funding(m, rate);
  rt.last_funding_rate = rate;
  recorder_.on_funding(FundingRecord{engine_.now(), m.raw(), rate, ch_->mark(m), paid_by_longs, residue});
  rt.next_funding = engine_.now() + rt.funding_interval;
  if (rt.next_funding <= end_) engine_.schedule(rt.next_funding, kFundingSettle, m.raw(), 0);
}

void World::on_record() {
  const MarketRuntime& rt = markets_[0];
  const Time now = engine_.now();
  TimeseriesRow row;
  row.time = now;
  row.reference = rt.reference_now;
  row.index = rt.index_now;
  row.oracle = rt.oracle->value(now);
  row.mark = ch_->mark(MarketId(0));
  row.mid = rt.book->mid().value_or(Price(0));
  row.last = rt.last_trade.value_or(row.mark);
  row.insurance_fund = ch_->place_value(Place::InsuranceFund);
  row.open_interest = ch_->ledger().open_interest(MarketId(0));
  row.bad_debt = ch_->ledger().bad_debt();
  if (const auto mid = rt.book->mid()) {
    const Price band = apply(*mid, ratio_from_double(rt.spec->depth_band), Round::Down);
    row.bid_depth = rt.book->depth_within(Side::Buy, *mid - band);
    row.ask_depth = rt.book->depth_within(Side::Sell, *mid + band);
  }
  row.funding_rate = rt.last_funding_rate;
  row.base_fee = base_fee();
  row.keeper_txs_queued = chain_->queued();
  recorder_.on_timeseries(row);
  sample_venues();
  const Time next = now + time_from_seconds(s_.record_interval_seconds);
  if (next <= end_) engine_.schedule(next, kRecord, 0, 0);
}

VenueSampleRecord World::sample_amm(VenueId v) {
  AmmRuntime& amm = amm_of_venue(v);
  const AmmVenue& pool = *amm.pool;
  VenueSampleRecord r;
  r.time = engine_.now();
  r.venue = v.raw();
  r.market = amm.market.raw();
  r.kind = uint8_t(VenueKind::Amm);
  // 0 on a side without liquidity (a concentrated pool's price outside its ranges).
  r.best_bid = pool.best_bid().value_or(Price(0));
  r.best_ask = pool.best_ask().value_or(Price(0));
  r.price = pool.price();
  r.volume = amm.volume;
  amm.volume = Quantity(0);
  const double price = to_double(r.price);
  const auto depth = [&](Side taker, double distance) {
    const double target = taker == Side::Sell ? price * (1 - distance) : price * (1 + distance);
    return quantity_from_double(pool.quantity_to(taker, target));
  };
  const double band = s_.markets[amm.market.raw()].depth_band;
  r.bid_depth = depth(Side::Sell, band);
  r.ask_depth = depth(Side::Buy, band);
  Quantity* bids[] = {&r.bid_depth_half_pct, &r.bid_depth_1pct, &r.bid_depth_2pct, &r.bid_depth_5pct};
  Quantity* asks[] = {&r.ask_depth_half_pct, &r.ask_depth_1pct, &r.ask_depth_2pct, &r.ask_depth_5pct};
  for (size_t b = 0; b < std::size(kVenueDepthBands); ++b) {
    *bids[b] = depth(Side::Sell, kVenueDepthBands[b]);
    *asks[b] = depth(Side::Buy, kVenueDepthBands[b]);
  }
  return r;
}

void World::sample_venues() {
  for (VenueId v(0); v.raw() < venues_.size(); ++v) {
    const VenueInfo& info = venues_[v.raw()];
    if (info.kind == VenueKind::Amm) {
      recorder_.on_venue_sample(sample_amm(v));
      continue;
    }
    const OrderBook& book = book_at(v);
    VenueSampleRecord r;
    r.time = engine_.now();
    r.venue = v.raw();
    r.market = info.market.raw();
    r.kind = uint8_t(info.kind);
    r.best_bid = book.best_bid().value_or(Price(0));
    r.best_ask = book.best_ask().value_or(Price(0));
    const auto mid = book.mid();
    if (info.kind == VenueKind::Spot) {
      SpotVenueRuntime& venue = spot_of(v);
      r.price = mid.value_or(venue.last_trade.value_or(venue.price));
      r.volume = venue.volume;
      venue.volume = Quantity(0);
    } else {
      MarketRuntime& rt = markets_[v.raw()];
      r.price = mid.value_or(rt.last_trade.value_or(ch_->mark(info.market)));
      r.volume = rt.volume;
      rt.volume = Quantity(0);
    }
    if (mid) {
      const Price band =
          apply(*mid, ratio_from_double(s_.markets[info.market.raw()].depth_band), Round::Down);
      r.bid_depth = book.depth_within(Side::Buy, *mid - band);
      r.ask_depth = book.depth_within(Side::Sell, *mid + band);
      // The bands widen outwards, so one walk per side fills them all.
      constexpr size_t kBands = std::size(kVenueDepthBands);
      static_assert(kBands == 4, "one column per band");
      std::array<Price, kBands> bid_bounds, ask_bounds;
      for (size_t b = 0; b < kBands; ++b) {
        const Price distance = apply(*mid, ratio_from_double(kVenueDepthBands[b]), Round::Down);
        bid_bounds[b] = *mid - distance;
        ask_bounds[b] = *mid + distance;
      }
      std::array<Quantity, kBands> bids, asks;
      book.depth_within(Side::Buy, bid_bounds, bids);
      book.depth_within(Side::Sell, ask_bounds, asks);
      r.bid_depth_half_pct = bids[0], r.bid_depth_1pct = bids[1], r.bid_depth_2pct = bids[2];
      r.bid_depth_5pct = bids[3];
      r.ask_depth_half_pct = asks[0], r.ask_depth_1pct = asks[1], r.ask_depth_2pct = asks[2];
      r.ask_depth_5pct = asks[3];
    }
    recorder_.on_venue_sample(r);
  }
}

void World::on_keeper_tx(const Event& e) {
  const AccountId keeper(e.target);
  const int64_t tx = e.arg;
  // The block is full: the transaction waits in the chain's queue for a later block.
  if (!chain_->include(tx, engine_.now(), base_fee())) {
    if (const auto at = chain_->park(e, engine_.now())) engine_.schedule(*at, kQueuedTxs, 0, 0);
    return;
  }
  // A copy: the mechanism may publish to keepers, whose new transactions grow the chain's list.
  const ChainTransaction p = chain_->transaction(tx);
  // A flash-loan liquidation goes to the block builder as a bundle that is dropped, paying nothing, when it
  // would revert (a private relay's revert protection): it lands only as checked.
  std::optional<FlashPlan> plan;
  if (p.intent.flash_loan) plan = flash_plan(keeper, p);
  const bool dropped = p.intent.flash_loan && !plan;
  const Amount gas = dropped ? Amount(0) : chain_->charge(p);
  ch_->ledger().pay_gas(keeper, gas);
  const KeeperTakeover result = plan      ? flash_liquidation(keeper, p, *plan)
                                : dropped ? KeeperTakeover{}
                                          : mechanism_->on_transaction(host_, keeper, p.target, p.intent);
  ch_->arm(keeper);
  KeeperTxRecord r;
  r.submitted = p.submitted;
  r.executed = engine_.now();
  r.keeper = keeper.raw();
  r.account = p.target.raw();
  r.priority_fee = uint64_t(p.priority_fee.raw());
  r.gas_paid = gas;
  r.succeeded = result.outcome == KeeperOutcome::Liquidated ? 1 : 0;
  r.liquidation = record_liquidation(result.liquidation);
  recorder_.on_keeper_tx(r);
  recorder_.on_keeper_tx_queue(chain_->queue_record(tx));
  const auto owner = owner_of(keeper);
  owner->first->population->on_transaction_result(*owner->first->context, owner->second, p.target, result);
}

std::optional<World::FlashPlan> World::flash_plan(AccountId keeper, const ChainTransaction& p) {
  // The pre-check a flash-loan liquidator makes (its swap's minimum output): the quote is what the
  // mechanism executes (KeeperLiquidation, AaveV3Liquidation), the preview what the pool pays now.
  const std::optional<LiquidationQuote> q = mechanism_->quote(p.target, engine_.now());
  if (!q || p.intent.action != TxAction::Liquidate) return std::nullopt;
  if (ch_->ledger().position(p.target, q->market).size.raw() <= 0) return std::nullopt;
  const bool on_amm = s_.keepers.unwind_venue == "amm";
  const std::optional<VenueId> amm = markets_[q->market.raw()].amm;
  if (on_amm && !amm) return std::nullopt;
  std::optional<Amount> sale;
  if (on_amm) {
    const SwapPreview swap =
        amm_of_venue(*amm).pool->preview(ExecutionRequest{keeper, Side::Sell, q->take, Price(1), false, -1});
    if (swap.filled == q->take) sale = swap.quote;
  } else {
    sale = Keepers::book_sale(*markets_[q->market.raw()].book, q->take, ch_->market(q->market).taker_fee);
  }
  const Amount loan = flash_loan_amount(q->value, q->reward);
  const Amount fee = apply(loan, flash_loan_fee_, Round::Up);
  if (!sale || *sale < loan + fee) return std::nullopt;
  return FlashPlan{*q, on_amm ? amm : std::nullopt, loan, fee};
}

KeeperTakeover World::flash_liquidation(AccountId keeper, const ChainTransaction& p, const FlashPlan& plan) {
  Ledger& ledger = ch_->ledger();
  const AccountId lender = place_account(Place::LendingPool);
  ledger.transfer(lender, keeper, plan.loan);
  KeeperTakeover result = mechanism_->on_transaction(host_, keeper, p.target, p.intent);
  if (result.outcome != KeeperOutcome::Liquidated) {
    ledger.transfer(keeper, lender, plan.loan);
    return result;
  }
  LIQSIM_CHECK(result.market == plan.quote.market && result.quantity == plan.quote.take,
               "a flash-loan liquidation differs from the mechanism's quote");
  const OrderRequest sale{keeper,          Side::Sell, OrderType::Market,        std::nullopt,
                          result.quantity, false,      result.liquidation->raw()};
  const SubmitResult sold = plan.amm ? route_amm(*plan.amm, sale) : route(plan.quote.market, sale, false);
  LIQSIM_CHECK(!plan.amm || sold.filled == result.quantity,
               "a flash-loan liquidation's sale differs from its preview");
  // The book's fills round per resting order (a micro-dollar each) where the plan rounded per price level,
  // and the liquidation itself may have changed the book (the owner's resting orders): the keeper pays the
  // difference from its own balance and unwinds what the bids did not take.
  ledger.transfer(keeper, lender, plan.loan + plan.fee);
  result.quantity -= sold.filled;  // sold in the transaction: the rest, if any, the keeper unwinds
  return result;
}

void World::hedge_options() {
  const MarketId m = option_venue_->underlying_market();
  const double mark = to_double(ch_->mark(m));
  const Price tick = markets_[m.raw()].tick;
  for (const HedgeOrder& h : option_venue_->hedges(engine_.now())) {
    OrderRequest order;
    order.owner = h.account;
    order.side = h.side;
    order.type = OrderType::ImmediateOrCancel;
    const double slippage = s_.options.hedge_slippage;
    order.limit = h.side == Side::Buy ? round_up_to_tick(price_from_double(mark * (1 + slippage)), tick)
                                      : round_down_to_tick(price_from_double(mark * (1 - slippage)), tick);
    order.quantity = h.quantity;
    if (order.limit->raw() > 0) submit(m, order);
  }
}

void World::check_conservation() const {
  const Ledger& ledger = ch_->ledger();
  LIQSIM_CHECK(ledger.conservation_residual().raw() == 0, "money conservation violated");
  for (uint32_t i = 1; i < ledger.asset_count(); ++i)
    LIQSIM_CHECK(ledger.conservation_residual(AssetId(static_cast<uint16_t>(i))).raw() == 0,
                 "asset conservation violated");
  for (MarketId m(0); m.raw() < markets_.size(); ++m)
    LIQSIM_CHECK(ledger.position_residual(m).raw() == 0, "position conservation violated");
  // The pools' reserves are exactly what the amm_pool place holds.
  const AccountId amm_place = place_account(Place::AmmPool);
  Amount quote_reserves;
  for (const AmmRuntime& amm : amm_) {
    LIQSIM_CHECK(ledger.position(amm_place, amm.market).size == amm.pool->base_reserve(),
                 "an AMM pool's coin reserve differs from the ledger");
    quote_reserves += amm.pool->quote_reserve();
  }
  LIQSIM_CHECK(ledger.account(amm_place).balance == quote_reserves,
               "the AMM pools' quote reserves differ from the ledger");
  LIQSIM_CHECK(!option_venue_ || option_venue_->market().positions_balanced(),
               "option contracts not conserved");
}

Time World::run_until(Time until) {
  const Time stop = std::min(until, end_);
  const bool tty_progress = options_.progress;
  Event e;
  for (auto next = engine_.next_time(); next && *next <= stop && !finished_; next = engine_.next_time()) {
    engine_.pop(e);
    if (!metrics_.window_open() && e.time >= metrics_.measure_from()) metrics_.open_window();
    dispatch(e);
    metrics_.after_event(ch_->place_value(Place::InsuranceFund));
    if (options_.check_every_event) check_conservation();
    if (tty_progress && e.time.raw() * 20 >= end_.raw() * next_progress_) {
      std::fprintf(stderr, "\rliqsim: %3d%% simulated", next_progress_ * 5);
      std::fflush(stderr);
      ++next_progress_;
    }
  }
  return stop;
}

void World::finish() {
  if (finished_) return;
  run_until(end_);
  finished_ = true;
  if (options_.progress) std::fprintf(stderr, "\n");
  check_conservation();
  chain_->finish();
  ch_->release_indexes();  // no event follows: free the trigger and ADL heaps before the final states
  // Final states, one at a time to the sink (which may stream them): the window's cascade sizes, every
  // asset, every non-quote holding, every account.
  for (const CascadeSizeRecord& r : metrics_.cascade_sizes()) recorder_.on_cascade_size(r);
  const Ledger& ledger = ch_->ledger();
  for (uint32_t i = 0; i < ledger.asset_count(); ++i) {
    const AssetId asset(static_cast<uint16_t>(i));
    const AssetSpec& spec = ledger.asset(asset);
    AssetFinal f;
    f.asset = i;
    f.decimals = uint8_t(spec.decimals);
    f.kind = uint8_t(spec.kind);
    f.underlying =
        spec.kind == AssetKind::DebtShare || spec.kind == AssetKind::LpShare ? spec.underlying.raw() : i;
    f.brought_in = -ledger.balance(place_account(Place::Outside), asset).raw();
    for (uint32_t p = 1; p < kPlaceCount; ++p) f.in_places += ledger.balance(AccountId(p), asset).raw();
    f.residual = ledger.conservation_residual(asset).raw();
    recorder_.on_asset(f);
  }
  for (const Holding& h : ledger.holdings())
    recorder_.on_holding(HoldingFinal{h.account.raw(), h.asset.raw(), h.amount.raw()});
  for (AccountId a(0); a.raw() < ledger.account_count(); ++a) {
    const AccountState& st = ledger.account(a);
    AccountFinal f;
    f.account = a.raw();
    f.role = uint8_t(st.role);
    f.cross = st.mode == MarginMode::Cross ? 1 : 0;
    f.emode = ch_->in_emode(a) ? 1 : 0;
    f.balance = st.balance;
    f.deposits = st.deposits;
    f.position = ledger.position(a, MarketId(0)).size;
    f.equity = ch_->equity(a);
    f.liquidations = st.liquidations;
    recorder_.on_account(f);
  }
}

RunSummary World::summarise(double wall_seconds) const {
  const Ledger& ledger = ch_->ledger();
  RunSummary s;
  s.events_processed = engine_.events_processed();
  s.wall_seconds = wall_seconds;
  s.reference_min = ref_min_;
  s.reference_max = ref_max_;
  s.mark_min = mark_min_;
  s.mark_max = mark_max_;
  s.mid_min = mid_min_ == Price::max() ? Price(0) : mid_min_;
  s.mid_max = mid_max_ == Price::min() ? Price(0) : mid_max_;
  s.initial_price = markets_[0].reference->initial();
  s.index_min = index_min_ == Price::max() ? Price(0) : index_min_;
  s.index_max = index_max_ == Price::min() ? Price(0) : index_max_;
  s.spot_min = spot_min_ == Price::max() ? Price(0) : spot_min_;
  s.max_mark_index_gap = max_gap_;
  metrics_.fill(s);
  s.total_deposits = ledger.external_deposits();
  s.conservation_residual = ledger.conservation_residual();
  s.accounts = ledger.account_count() - kPlaceCount;  // agents; the places are accounts 0 .. kPlaceCount-1
  return s;
}

}  // namespace

struct Simulation::State {
  RunLog log;  // the records when the run has no caller's sink
  std::unique_ptr<World> world;
  double wall_seconds = 0;
};

Simulation::Simulation(Scenario scenario, RunOptions options)
    : scenario_(std::move(scenario)), options_(options) {
  reset();
}

Simulation::Simulation(Scenario scenario, RunOptions options, Recorder& sink)
    : scenario_(std::move(scenario)), options_(options), sink_(&sink) {
  reset();
}

Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;

void Simulation::reset() {
  const auto start = std::chrono::steady_clock::now();
  state_ = std::make_unique<State>();
  state_->world = std::make_unique<World>(scenario_, options_, sink_ != nullptr ? *sink_ : state_->log);
  state_->wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Time Simulation::run_until(Time until) {
  const auto start = std::chrono::steady_clock::now();
  const Time reached = state_->world->run_until(until);
  state_->wall_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return reached;
}

void Simulation::finish() {
  const auto start = std::chrono::steady_clock::now();
  state_->world->finish();
  state_->wall_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

MarketView Simulation::view(MarketId m) const {
  if (m.raw() >= state_->world->market_count()) throw std::invalid_argument("no such market");
  return state_->world->view(m);
}

const OrderBook& Simulation::book(MarketId m) const {
  if (m.raw() >= state_->world->market_count()) throw std::invalid_argument("no such market");
  return state_->world->book(m);
}

SubmitResult Simulation::submit_external(MarketId m, const OrderRequest& order) {
  World& world = *state_->world;
  if (m.raw() >= world.market_count()) throw std::invalid_argument("no such market");
  const Ledger& ledger = world.clearing().ledger();
  if (order.owner.raw() >= ledger.account_count() || ledger.account(order.owner).role != AgentRole::Hunter)
    throw std::invalid_argument("account " + std::to_string(order.owner.raw()) +
                                " is not under outside control; allowed: a [[hunters]] member's account");
  if (order.quantity.raw() <= 0) throw std::invalid_argument("the order's quantity must be positive");
  const Price tick = world.view(m).tick;
  if (order.limit && (order.limit->raw() <= 0 || order.limit->raw() % tick.raw() != 0))
    throw std::invalid_argument("the limit price " + std::to_string(order.limit->raw()) +
                                " is not a positive multiple of the tick " + std::to_string(tick.raw()));
  if (!order.limit && order.type != OrderType::Market)
    throw std::invalid_argument("a limit order needs a limit price");
  if (world.finished()) throw std::invalid_argument("the run has finished");
  return world.submit(m, order);
}

Time Simulation::now() const { return state_->world->now(); }
Time Simulation::end() const { return state_->world->end(); }
bool Simulation::finished() const { return state_->world->finished(); }
const RunLog& Simulation::log() const {
  LIQSIM_CHECK(sink_ == nullptr,
               "Simulation::log() is the in-memory log; this run records to the caller's sink");
  return state_->log;
}
const ClearingHouse& Simulation::clearing_house() const { return state_->world->clearing_house(); }
RunSummary Simulation::summary() const { return state_->world->summarise(state_->wall_seconds); }

RunMetadata Simulation::metadata(const std::string& scenario_toml) const {
  RunMetadata metadata;
  metadata.liqsim_version = kLiqsimVersion;
  metadata.schema_version = kRunFileSchemaVersion;
  metadata.seed = scenario_.seed;
  metadata.scenario_name = scenario_.name;
  metadata.scenario_toml = scenario_toml;
  metadata.mechanism = scenario_.liquidation.mechanism;
  metadata.same_time_order = scenario_.same_time_order;
  const Ledger& ledger = clearing_house().ledger();
  for (uint32_t i = 0; i < ledger.asset_count(); ++i) {
    if (i > 0) metadata.asset_symbols += ",";
    metadata.asset_symbols += ledger.asset(AssetId(static_cast<uint16_t>(i))).symbol;
  }
  return metadata;
}

RunResult Simulation::result(const std::string& scenario_toml) {
  finish();
  RunResult result;
  result.summary = summary();
  result.log = std::move(state_->log);
  state_->log = RunLog{};
  result.metadata = metadata(scenario_toml);
  return result;
}

RunResult run_simulation(const Scenario& scenario, const std::string& scenario_toml,
                         const RunOptions& options) {
  Simulation simulation(scenario, options);
  return simulation.result(scenario_toml);
}

}  // namespace liqsim
