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

enum class LiquidationMechanismKind : uint8_t { Engine = 0, Keeper = 1 };

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
  double rank_score = 0;  // profit x leverage score at selection
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
  Ratio funding_rate;  // latest funding rate applied
};

struct AccountFinal {
  uint32_t account = 0;
  uint8_t role = 0;  // AgentRole value
  uint8_t cross = 0;
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

// Identity of a run, written as root attributes of the run file.
struct RunMetadata {
  std::string liqsim_version;
  int schema_version = 2;  // analysis/run_file.h kRunFileSchemaVersion
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

// Whole-run figures, written as attributes of /summary and printed by the report.
struct RunSummary {
  uint64_t events_processed = 0;
  double wall_seconds = 0;
  Price reference_min, reference_max, mark_min, mark_max, mid_min, mid_max;
  double max_mark_index_gap = 0;  // max |mark - index| / index over the run
  uint64_t liquidation_count = 0;
  uint64_t engine_liquidations = 0;
  uint64_t keeper_liquidations = 0;
  Amount liquidated_notional;        // sum |quantity| * mark at trigger
  uint64_t cascade_generations = 0;  // 1 + max generation (0 when no liquidations)
  uint64_t largest_cascade = 0;      // size of the largest tree of liquidations
  double branching_ratio = 0;        // caused liquidations / all liquidations
  Amount keeper_rewards;
  Amount keeper_gas;
  Amount keeper_profit;  // keepers' final equity minus deposits
  Amount insurance_fund_initial;
  Amount insurance_fund_min;
  Amount insurance_fund_final;
  uint64_t adl_count = 0;
  Quantity adl_quantity;
  Amount bad_debt;
  Amount total_deposits;
  Amount conservation_residual;  // must be 0
  double mean_slippage = 0;      // mean |price - mark| / mark over liquidations
  uint64_t accounts = 0;
};

class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void on_trade(const TradeRecord& r) = 0;
  virtual void on_liquidation(const LiquidationRecord& r) = 0;
  virtual void on_funding(const FundingRecord& r) = 0;
  virtual void on_adl(const AdlRecord& r) = 0;
  virtual void on_keeper_tx(const KeeperTxRecord& r) = 0;
  virtual void on_timeseries(const TimeseriesRow& r) = 0;
  virtual void on_mark_update(const MarkUpdateRecord& r) = 0;
  // After the last event: every asset (in id order), then every non-quote holding (in account, asset
  // order), then every account's final state (in id order).
  virtual void on_asset(const AssetFinal& r) = 0;
  virtual void on_holding(const HoldingFinal& r) = 0;
  virtual void on_account(const AccountFinal& r) = 0;
};

// Keeps every record in memory, in arrival order: the sink of tests and of in-process runs (the CLI's
// `run` streams to the HDF5 file instead, experiments/hdf5_sink.h).
class RunLog : public Recorder {
 public:
  std::vector<TradeRecord> trades;
  std::vector<LiquidationRecord> liquidations;
  std::vector<FundingRecord> funding;
  std::vector<AdlRecord> adl;
  std::vector<KeeperTxRecord> keeper_txs;
  std::vector<TimeseriesRow> timeseries;
  std::vector<MarkUpdateRecord> mark_updates;
  std::vector<AssetFinal> assets;
  std::vector<HoldingFinal> holdings;
  std::vector<AccountFinal> accounts;

  void on_trade(const TradeRecord& r) override { trades.push_back(r); }
  void on_liquidation(const LiquidationRecord& r) override { liquidations.push_back(r); }
  void on_funding(const FundingRecord& r) override { funding.push_back(r); }
  void on_adl(const AdlRecord& r) override { adl.push_back(r); }
  void on_keeper_tx(const KeeperTxRecord& r) override { keeper_txs.push_back(r); }
  void on_timeseries(const TimeseriesRow& r) override { timeseries.push_back(r); }
  void on_mark_update(const MarkUpdateRecord& r) override { mark_updates.push_back(r); }
  void on_asset(const AssetFinal& r) override { assets.push_back(r); }
  void on_holding(const HoldingFinal& r) override { holdings.push_back(r); }
  void on_account(const AccountFinal& r) override { accounts.push_back(r); }
};

}  // namespace liqsim
