// The recorder interface: what a run reports, as plain records of strong units. The model calls it;
// sinks (the in-memory RunLog here, the HDF5 writer in experiments/) decide where records go. Records
// carry ids, never pointers, so they can be written and read back unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/units.h"

namespace liqsim {

constexpr int64_t kNoId = -1;  // "none" in id-valued record fields (cause, keeper, liquidation)

// The boundary between strong ids and record fields: records keep raw integers (the run file's data).
constexpr int64_t record_liquidation(std::optional<LiquidationId> id) { return id ? id->raw() : kNoId; }
// A record field or order tag back to a liquidation id: negative values (kNoId) are none.
constexpr std::optional<LiquidationId> liquidation_from_record(int64_t raw) {
  return raw < 0 ? std::nullopt : std::optional<LiquidationId>(LiquidationId(raw));
}

// Engine: the protocol closes into the book (also the fund's absorptions); Keeper: a keeper's take-over;
// Auction: a vault's collateral and debt moved to an auction (Maker bark / bite).
enum class LiquidationMechanismKind : uint8_t { Engine = 0, Keeper = 1, Auction = 2 };

// Whether a liquidation was brought about by liquidations' own price impact, by the counterfactual of
// the same seed in which every liquidation executes off the book at the mark (liquidation.execution =
// "impact_free"; experiments/counterfactual.h): Endogenous when its account is not liquidated in that
// world, or only later than this liquidation's time. Unmeasured when the run had no such twin.
enum class Endogeneity : uint8_t { Exogenous = 0, Endogenous = 1, Unmeasured = 2 };

// How a run was measured against a counterfactual (RunSummary::counterfactual).
enum class CounterfactualKind : uint8_t { None = 0, ImpactFree = 1 };

struct TradeRecord {
  Time time;
  uint32_t market = 0;
  Price price;
  Quantity quantity;      // > 0
  int64_t buyer = kNoId;  // account ids
  int64_t seller = kNoId;
  uint8_t aggressor_is_buy = 0;
  int64_t liquidation = kNoId;  // liquidation id whose order this fill executed, if any
};

struct LiquidationRecord {
  int64_t id = 0;  // dense, in the order liquidations happened
  Time time;
  uint32_t account = 0;
  uint32_t market = 0;
  Quantity quantity;  // signed quantity removed from the account's position
  Price mark;         // mark at the trigger
  Price price;        // price the account's slice was closed at (take-over or average fill)
  LiquidationMechanismKind mechanism = LiquidationMechanismKind::Engine;
  int64_t keeper = kNoId;       // keeper account, keeper-driven only
  Amount reward;                // keeper reward (bonus value at mark), 0 for engine-driven
  int64_t mark_update = kNoId;  // sequence of the market's mark update that triggered it (MarkUpdateRecord)
  int64_t cause = kNoId;        // earlier liquidation whose fills moved that mark, or -1
  Endogeneity endogenous = Endogeneity::Unmeasured;  // set by the run when it has an impact-free twin
};

// One mark update of one market: what detection compared triggers against. A liquidation's
// (market, mark_update) names its row here.
struct MarkUpdateRecord {
  Time time;
  uint32_t market = 0;
  int64_t sequence = 0;  // per market, from 0; a liquidation's mark_update
  Price mark;
  Price index;
  Price oracle;
};

struct FundingRecord {
  Time time;
  uint32_t market = 0;
  Ratio rate;  // per interval, positive: longs pay shorts
  Price mark;
  Amount paid_by_longs;  // total transferred from longs (negative if longs received)
  Amount fee_residual;   // rounding residual kept by the protocol fee pool
};

struct AdlRecord {
  Time time;
  int64_t liquidation = kNoId;
  uint32_t account = 0;  // deleveraged counterparty
  uint32_t market = 0;
  Quantity quantity;      // signed quantity removed from the counterparty
  Price price;            // bankruptcy price of the liquidated account
  double rank_score = 0;  // the ranking's score at selection (dYdX's random start: the place in the order)
};

// A bankrupt account's loss after the insurance fund, spread over every open position of its market (Drift's
// resolve_perp_bankruptcy moves both sides' cumulative funding rate): each position paid per_coin x its
// size, rounded up; what the rounding collected beyond the loss went to the insurance fund.
struct SocialLossRecord {
  Time time;
  int64_t liquidation = kNoId;  // the liquidation that left the account bankrupt
  uint32_t account = 0;         // the bankrupt account
  uint32_t market = 0;
  Amount loss;         // the account's negative balance, > 0
  Amount fund_paid;    // the insurance fund's part
  Amount socialised;   // collected from the open positions (>= loss - fund_paid)
  Price per_coin;      // charge per coin of open position, rounded up
  Quantity open_base;  // total open position of the market's other accounts, longs plus shorts
};

struct KeeperTxRecord {
  Time submitted;
  Time executed;
  uint32_t keeper = 0;
  uint32_t account = 0;
  uint64_t priority_fee = 0;  // micro-dollars per transaction
  Amount gas_paid;
  uint8_t succeeded = 0;
  int64_t liquidation = kNoId;
};

// How one keeper transaction queued for block space (protocol/chain.h): row i of /events/keeper_tx_queue
// describes row i of /events/keeper_txs (both are written when the transaction is executed).
struct KeeperTxQueueRecord {
  Time ready;                  // when the keeper's transaction was ready (submitted + latency)
  Time first_block;            // the first block at or after `ready`: where it lands when blocks have room
  Time executed;               // the block that included it
  uint32_t blocks_waited = 0;  // full blocks it waited for: (executed - first_block) / block interval
  uint32_t position = 0;       // its place in the including block (0: first)
  Amount base_fee;             // base fee of that block (gas paid = base fee + priority fee)
};

// One block that had keeper transactions to include (blocks without any are not recorded).
struct BlockRecord {
  Time time;
  Amount base_fee;        // per liquidation transaction
  uint32_t included = 0;  // keeper transactions included
  uint32_t waiting = 0;   // keeper transactions still waiting for block space after this block
};

// One collateral auction, recorded when it ends (Maker Clipper: lot sold or tab raised; Flipper: deal).
// `id` is the bark's (bite's) liquidation id.
struct AuctionRecord {
  int64_t id = 0;
  uint32_t account = 0;  // the vault
  uint32_t market = 0;
  uint8_t kind = 0;  // 0 Dutch (Clipper), 1 English (Flipper), 2 store front (Comet), 3 debt (Flopper)
  Time kicked;
  Time ended;
  Quantity lot;            // collateral auctioned
  Quantity sold;           // collateral bought by keepers
  Quantity returned;       // collateral given back to the vault owner
  Amount due;              // the vault's debt taken over
  Amount tab;              // DAI wanted (debt + penalty)
  Amount raised;           // DAI received from keepers
  Amount shortfall;        // max(due - raised, 0): system debt (fund, then bad debt)
  Amount incentive;        // keeper incentives paid by the Vow (kick, redo)
  Price feed;              // the feed (mark) when it started
  int64_t winner = kNoId;  // the last buyer (Dutch) or the winning bidder (English); -1 for none
  uint32_t bids = 0;       // takes, tends and dents accepted
  uint32_t restarts = 0;   // Clipper redos, Flipper ticks
};

struct TimeseriesRow {
  Time time;
  Price reference;  // external reference price (market 0)
  Price index;
  Price oracle;
  Price mark;
  Price mid;  // order-book mid (0 when a side is empty)
  Price last;
  Amount insurance_fund;
  Quantity open_interest;  // total long quantity, market 0
  Amount bad_debt;
  Quantity bid_depth;  // resting quantity within the depth band below the mid
  Quantity ask_depth;
  Ratio funding_rate;             // latest funding rate applied
  Amount base_fee;                // the chain's base fee per liquidation transaction at this time
  int64_t keeper_txs_queued = 0;  // keeper transactions that found a block full and still wait
};

// One venue (a perpetual book, VenueId = market, or a spot venue) at a record time.
struct VenueSampleRecord {
  Time time;
  uint32_t venue = 0;
  uint32_t market = 0;  // the perpetual market, or the market whose asset the spot venue trades
  uint8_t kind = 0;     // 0 perpetual, 1 spot
  Price best_bid;       // 0 when the side is empty
  Price best_ask;
  Price price;         // the venue's price as the index reads it: mid, else last trade, else previous
  Quantity volume;     // traded since the previous sample
  Quantity bid_depth;  // resting within the market's depth band below the mid (0 without a mid)
  Quantity ask_depth;
  // Cumulative resting quantity within fixed distances of the mid (kVenueDepthBands), bounds included;
  // 0 without a mid. The depth profile that analysis/stylized_facts.py compares with Binance's bookDepth.
  Quantity bid_depth_half_pct;
  Quantity bid_depth_1pct;
  Quantity bid_depth_2pct;
  Quantity bid_depth_5pct;
  Quantity ask_depth_half_pct;
  Quantity ask_depth_1pct;
  Quantity ask_depth_2pct;
  Quantity ask_depth_5pct;
};

// The distances from the mid (fractions) of VenueSampleRecord's depth profile, in its column order.
inline constexpr double kVenueDepthBands[4] = {0.005, 0.01, 0.02, 0.05};

struct AccountFinal {
  uint32_t account = 0;
  uint8_t role = 0;  // AgentRole value
  uint8_t cross = 0;
  uint8_t emode = 0;  // Aave e-mode (ClearingHouse::set_emode)
  Amount balance;
  Amount deposits;
  Quantity position;  // market 0 (first market) position
  Amount equity;      // at final marks
  uint32_t liquidations = 0;
};

// One asset of the ledger at the end of the run: its scale and where its units are (protocol/ledger.h).
struct AssetFinal {
  uint32_t asset = 0;       // id; asset 0 is the quote (USD)
  uint8_t decimals = 0;     // base units per whole unit = 10^decimals
  uint8_t kind = 0;         // AssetKind value: 0 quote, 1 stablecoin, 2 coin, 3 debt share, 4 LP share
  uint32_t underlying = 0;  // debt and LP shares: the asset they are claims on (else the asset itself)
  int64_t brought_in =
      0;  // base units brought in from outside the protocol (minus the outside place's balance)
  int64_t in_places = 0;  // base units held by the protocol places other than the outside
  int64_t residual = 0;   // sum of every account's balance, places included: 0 when conserved
};

// A non-zero balance of a non-quote asset at the end of the run (quote balances are in AccountFinal).
struct HoldingFinal {
  uint32_t account = 0;
  uint32_t asset = 0;
  int64_t amount = 0;  // in the asset's base units
};

// One size of cascade tree and how many trees of that size the measurement window holds (the
// distribution behind the summary's cascade figures, for a CCDF on log-log axes).
struct CascadeSizeRecord {
  uint64_t size = 0;   // liquidations in the tree, >= 1
  uint64_t trees = 0;  // trees of that size, >= 1
};

// One option trade of the options venue (protocol/options_market.h): a position opened at the model
// mark at time 0 (liquidation -1) or a fill of an option liquidation's order.
struct OptionFillRecord {
  Time time;
  int64_t liquidation = kNoId;  // the option liquidation (OptionLiquidationRecord.id), or -1
  uint32_t account = 0;         // the writer (opens) or the liquidated member
  uint32_t counterparty = 0;
  uint32_t series = 0;
  uint8_t type = 0;  // 0 call, 1 put
  uint8_t side = 0;  // the account's side: 0 buy, 1 sell
  Price strike;
  Time expiry;
  Quantity quantity;  // contracts (coins of the underlying), > 0
  Price price;        // per contract
  Price mark;         // the model mark of the series at the fill
  Price underlying;
};

// One option liquidation, recorded when the member's portfolio is closed.
struct OptionLiquidationRecord {
  int64_t id = 0;
  Time trigger_time;
  Time time;  // the last fill
  uint32_t account = 0;
  Price underlying_at_trigger;
  Amount equity_at_trigger;       // at the model marks
  Amount requirement_at_trigger;  // the portfolio margin it failed
  Quantity contracts;             // closed, summed over series
  Amount gap;                     // sum over fills of (price - mark) x contracts against the account
  Amount equity_after;    // balance + contracts x marks when it ended (the balance when flat), before the fee
  Amount fee;             // to the insurance fund
  Amount insurance_paid;  // of the shortfall
  Amount bad_debt;        // of the shortfall the fund could not pay
};

// Identity of a run, written as root attributes of the run file.
struct RunMetadata {
  std::string liqsim_version;
  int schema_version = 3;  // analysis/run_file.h kRunFileSchemaVersion
  uint64_t seed = 0;
  std::string scenario_name;
  std::string scenario_toml;  // the full resolved scenario
  std::string mechanism;      // "engine" or "keeper"
  std::string same_time_order;
  std::string asset_symbols;  // the ledger's asset symbols in id order, comma-separated ("USD")
  // Market 0 replays a CSV: the time column of its first row in seconds (value x time_unit_seconds),
  // which is the run's time 0; epoch seconds when the CSV holds absolute timestamps.
  std::optional<double> replay_start_seconds;
};

// The run's figures, written as attributes of /summary and printed by the report. Liquidation figures
// (marked "window") count only what happened at or after the scenario's measure_from_seconds; the
// others describe the whole run or its end (docs/hdf5-schema.md, "/summary", says which is which).
struct RunSummary {
  uint64_t events_processed = 0;
  double wall_seconds = 0;
  Time measure_from;  // start of the measurement window
  Price reference_min, reference_max, mark_min, mark_max, mid_min, mid_max;
  Price initial_price;                // market 0's price at time 0 (the first value of its reference path)
  Price index_min, index_max;         // market 0's index
  Price spot_min;                     // lowest price of market 0's spot venues (0 without spot venues)
  double max_mark_index_gap = 0;      // max |mark - index| / index over the run
  uint64_t liquidation_count = 0;     // window
  uint64_t engine_liquidations = 0;   // window
  uint64_t keeper_liquidations = 0;   // window
  uint64_t auction_liquidations = 0;  // window: vaults barked or bitten into an auction
  Amount liquidated_notional;         // window: sum |quantity| * mark at trigger
  uint64_t cascade_generations = 0;   // window: 1 + max generation (0 when no liquidations)
  uint64_t largest_cascade = 0;       // window: size of the largest tree of liquidations
  double branching_ratio = 0;         // window: caused liquidations / all liquidations
  uint64_t cascade_count = 0;         // window: trees of liquidations
  double cascade_size_mean = 0;       // window: liquidations / trees
  uint64_t cascade_size_p50 = 0;      // window: nearest-rank percentiles of the tree sizes
  uint64_t cascade_size_p99 = 0;
  // Liquidatable episodes (window: by the time of their first liquidation): delay from the mark update
  // that first found the account liquidatable to its first liquidation, nearest-rank over nanoseconds.
  uint64_t liquidated_episodes = 0;
  double liquidation_delay_mean_seconds = 0;
  double liquidation_delay_p50_seconds = 0;
  double liquidation_delay_p99_seconds = 0;
  double liquidation_delay_max_seconds = 0;
  uint64_t unliquidated_episodes = 0;  // end: episodes still liquidatable, never liquidated
  Amount keeper_rewards;               // window
  Amount keeper_gas;                   // window: gas paid by keepers, failed transactions included
  Amount keeper_profit;                // window: keepers' equity net of deposits, end minus window start
  uint64_t keeper_failed_txs = 0;      // window
  Amount keeper_failed_gas;            // window: gas paid on failed transactions
  Amount insurance_fund_initial;
  Amount insurance_fund_min;
  Amount insurance_fund_final;
  uint64_t adl_count = 0;  // window
  Quantity adl_quantity;   // window
  Amount socialised_loss;  // window: bankrupt accounts' losses charged to open positions (SocialLossRecord)
  Amount bad_debt;         // at the end
  // Maker's debt auctions settled in the window (AuctionRecord kind 3): the DAI they raised, which
  // cancelled recorded bad debt, and the MKR minted for it (1e-8 MKR).
  uint64_t debt_auctions = 0;
  Amount debt_auction_raised;
  Quantity mkr_minted;
  Amount hunter_profit;  // end: liquidation hunters' equity net of deposits (the whole run)
  // End state: agent accounts that no liquidation is closing (no engine step pending).
  uint64_t unliquidated_underwater_accounts = 0;    // equity < 0 at the final marks
  Amount unliquidated_deficit;                      // -sum of their equity (>= 0)
  uint64_t liquidatable_unliquidated_accounts = 0;  // liquidatable at the final marks
  Amount liquidatable_unliquidated_notional;        // sum |size| * mark of their positions
  // Protocol loss (window) = insurance_fund_drawdown + bad_debt_in_window + unliquidated_deficit +
  // debt_auction_raised.
  Amount insurance_fund_drawdown;  // fund at the window start minus its lowest balance in the window
  Amount bad_debt_in_window;       // bad debt recorded in the window
  Amount protocol_loss;
  Amount total_deposits;
  Amount conservation_residual;  // must be 0
  double mean_slippage = 0;      // window: mean |price - mark| / mark over liquidations
  uint64_t accounts = 0;
  // Causal amplification (experiments/counterfactual.h): the same seed run again with every liquidation
  // executed off the book at the mark. All 0 when `counterfactual` is None.
  CounterfactualKind counterfactual = CounterfactualKind::None;
  uint64_t endogenous_liquidations = 0;  // window: liquidations tagged Endogenous
  // Extra fall of a price's trough, in percentage points of market 0's initial price:
  // 100 * (trough in the twin - trough here) / initial price.
  double amplification_mark_trough_pp = 0;
  double amplification_index_trough_pp = 0;
  double amplification_spot_trough_pp = 0;   // spot_min's, 0 without spot venues
  int64_t amplification_liquidations = 0;    // window: liquidation_count here minus the twin's
  Amount amplification_liquidated_notional;  // window: liquidated_notional here minus the twin's
  Amount amplification_protocol_loss;        // window: protocol_loss here minus the twin's
  Amount amplification_bad_debt;             // bad_debt here minus the twin's
  double slippage_p50 = 0;  // window: nearest-rank median of |price - mark| / mark over liquidations
  // The options venue ([options]; window, by the liquidation's close): option liquidations; their fills'
  // mark-to-execution gap |price - mark| / mark (nearest-rank); the gap in dollars against the members;
  // its share of their loss in liquidation (sum of gap / sum of (equity at trigger - balance once
  // closed)); the shortfall (balance once closed, less the fee, below 0) and the share of it the model
  // marks did not show (sum of (shortfall - max(0, -equity at trigger)) / sum of shortfall).
  uint64_t option_liquidations = 0;
  uint64_t option_liquidation_fills = 0;
  double option_gap_p50 = 0;
  double option_gap_p90 = 0;
  Amount option_gap;
  double option_gap_loss_share = 0;
  Amount option_shortfall;
  double option_gap_shortfall_share = 0;
};

class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void on_trade(const TradeRecord& r) = 0;
  virtual void on_liquidation(const LiquidationRecord& r) = 0;
  virtual void on_funding(const FundingRecord& r) = 0;
  virtual void on_adl(const AdlRecord& r) = 0;
  virtual void on_social_loss(const SocialLossRecord& r) = 0;
  virtual void on_keeper_tx(const KeeperTxRecord& r) = 0;
  virtual void on_keeper_tx_queue(const KeeperTxQueueRecord& r) = 0;
  virtual void on_block(const BlockRecord& r) = 0;
  virtual void on_auction(const AuctionRecord& r) = 0;
  virtual void on_timeseries(const TimeseriesRow& r) = 0;
  virtual void on_mark_update(const MarkUpdateRecord& r) = 0;
  // Every venue at every record time, in venue order after the time-series row.
  virtual void on_venue_sample(const VenueSampleRecord& r) = 0;
  // After the last event: the cascade-size distribution (in increasing size), every asset (in id
  // order), then every non-quote holding (in account, asset order), then every account's final state
  // (in id order).
  virtual void on_cascade_size(const CascadeSizeRecord& r) = 0;
  virtual void on_asset(const AssetFinal& r) = 0;
  virtual void on_holding(const HoldingFinal& r) = 0;
  virtual void on_account(const AccountFinal& r) = 0;
  // The options venue's trades and liquidations (runs with [options]); sinks that keep none ignore them.
  virtual void on_option_fill(const OptionFillRecord&) {}
  virtual void on_option_liquidation(const OptionLiquidationRecord&) {}
};

// Drops every record: the base of sinks that keep only some (override those), and the sink of runs whose
// summary is all that is wanted (the summary never reads the records back).
class DiscardingRecorder : public Recorder {
 public:
  void on_trade(const TradeRecord&) override {}
  void on_liquidation(const LiquidationRecord&) override {}
  void on_funding(const FundingRecord&) override {}
  void on_adl(const AdlRecord&) override {}
  void on_social_loss(const SocialLossRecord&) override {}
  void on_keeper_tx(const KeeperTxRecord&) override {}
  void on_keeper_tx_queue(const KeeperTxQueueRecord&) override {}
  void on_block(const BlockRecord&) override {}
  void on_auction(const AuctionRecord&) override {}
  void on_timeseries(const TimeseriesRow&) override {}
  void on_mark_update(const MarkUpdateRecord&) override {}
  void on_venue_sample(const VenueSampleRecord&) override {}
  void on_cascade_size(const CascadeSizeRecord&) override {}
  void on_asset(const AssetFinal&) override {}
  void on_holding(const HoldingFinal&) override {}
  void on_account(const AccountFinal&) override {}
};

// Keeps every record in memory, in arrival order: the sink of tests and of in-process runs (the CLI's
// `run` streams to the HDF5 file instead, experiments/hdf5_sink.h).
class RunLog : public Recorder {
 public:
  std::vector<TradeRecord> trades;
  std::vector<LiquidationRecord> liquidations;
  std::vector<FundingRecord> funding;
  std::vector<AdlRecord> adl;
  std::vector<SocialLossRecord> social_losses;
  std::vector<KeeperTxRecord> keeper_txs;
  std::vector<KeeperTxQueueRecord> keeper_tx_queue;
  std::vector<BlockRecord> blocks;
  std::vector<AuctionRecord> auctions;
  std::vector<TimeseriesRow> timeseries;
  std::vector<MarkUpdateRecord> mark_updates;
  std::vector<VenueSampleRecord> venue_samples;
  std::vector<CascadeSizeRecord> cascade_sizes;
  std::vector<AssetFinal> assets;
  std::vector<HoldingFinal> holdings;
  std::vector<AccountFinal> accounts;
  std::vector<OptionFillRecord> option_fills;
  std::vector<OptionLiquidationRecord> option_liquidations;

  void on_trade(const TradeRecord& r) override { trades.push_back(r); }
  void on_liquidation(const LiquidationRecord& r) override { liquidations.push_back(r); }
  void on_funding(const FundingRecord& r) override { funding.push_back(r); }
  void on_adl(const AdlRecord& r) override { adl.push_back(r); }
  void on_social_loss(const SocialLossRecord& r) override { social_losses.push_back(r); }
  void on_keeper_tx(const KeeperTxRecord& r) override { keeper_txs.push_back(r); }
  void on_keeper_tx_queue(const KeeperTxQueueRecord& r) override { keeper_tx_queue.push_back(r); }
  void on_block(const BlockRecord& r) override { blocks.push_back(r); }
  void on_auction(const AuctionRecord& r) override { auctions.push_back(r); }
  void on_timeseries(const TimeseriesRow& r) override { timeseries.push_back(r); }
  void on_mark_update(const MarkUpdateRecord& r) override { mark_updates.push_back(r); }
  void on_venue_sample(const VenueSampleRecord& r) override { venue_samples.push_back(r); }
  void on_cascade_size(const CascadeSizeRecord& r) override { cascade_sizes.push_back(r); }
  void on_asset(const AssetFinal& r) override { assets.push_back(r); }
  void on_holding(const HoldingFinal& r) override { holdings.push_back(r); }
  void on_account(const AccountFinal& r) override { accounts.push_back(r); }
  void on_option_fill(const OptionFillRecord& r) override { option_fills.push_back(r); }
  void on_option_liquidation(const OptionLiquidationRecord& r) override { option_liquidations.push_back(r); }
};

}  // namespace liqsim
