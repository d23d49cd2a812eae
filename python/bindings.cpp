// liqsim._core: the Python bindings (pybind11), a thin layer over experiments/ and analysis/. Scenarios
// load through the scenario loader (presets, text, files, --set overrides), runs go through Simulation
// and run_simulation, sweeps through the sweep plan, runner and file of `liqsim sweep`. Record tables
// leave as numpy structured arrays whose fields are the run file's schema (run_file_schema), so a field
// added there appears here without a change; the package in python/liqsim/ turns them into DataFrames.
// Every long computation releases the GIL and checks for Ctrl-C between steps; HDF5 is only called with
// the GIL held (the library is not thread-safe, and h5py calls it only under the GIL).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "analysis/cascade.h"
#include "analysis/run_file.h"
#include "experiments/hdf5_sink.h"
#include "experiments/keeper_entry_game.h"
#include "experiments/output_file.h"
#include "experiments/presets.h"
#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "experiments/sweep_file.h"
#include "experiments/sweep_plan.h"
#include "experiments/sweep_runner.h"
#include "experiments/version.h"

namespace py = pybind11;

namespace liqsim {
namespace {

// A run is stepped in this many pieces when a call spans all of it, so Ctrl-C is seen between pieces
// (stepping does not change the run).
constexpr int64_t kInterruptSteps = 100;

// ----------------------------------------------------------------------------------------------------
// Scenarios

std::vector<ScenarioOverride> to_overrides(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<ScenarioOverride> overrides;
  overrides.reserve(pairs.size());
  for (const auto& [key, value] : pairs) overrides.push_back({key, value});
  return overrides;
}

py::dict error_dict(const ScenarioError& e) {
  py::dict d;
  d["key"] = e.key;
  d["value"] = e.value;
  d["allowed"] = e.allowed;
  d["problem"] = e.problem;
  d["line"] = e.line;
  d["column"] = e.column;
  d["message"] = e.message();
  return d;
}

// A Scenario, or the list of its problems (each a dict; the package raises them as one exception).
py::object scenario_or_errors(ScenarioResult loaded) {
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&loaded)) {
    py::list out;
    for (const ScenarioError& e : *errors) out.append(error_dict(e));
    return out;
  }
  return py::cast(std::get<Scenario>(std::move(loaded)));
}

// ----------------------------------------------------------------------------------------------------
// Record tables as numpy structured arrays, described by the run file's schema

const char* numpy_format(FieldType type) {
  switch (type) {
    case FieldType::I64:
      return "<i8";
    case FieldType::U64:
      return "<u8";
    case FieldType::U32:
      return "<u4";
    case FieldType::U8:
      return "u1";
    case FieldType::F64:
      return "<f8";
  }
  return "";
}

// The records as a numpy structured array (a copy) whose fields are `fields`, at their offsets in the
// in-memory record: the stored numbers, exactly.
py::array records_array(std::span<const FieldSpec> fields, size_t record_size, const void* data,
                        size_t rows) {
  py::list names, formats, offsets;
  for (const FieldSpec& field : fields) {
    names.append(field.name);
    formats.append(numpy_format(field.type));
    offsets.append(field.offset);
  }
  py::dict description;
  description["names"] = names;
  description["formats"] = formats;
  description["offsets"] = offsets;
  description["itemsize"] = record_size;
  const py::dtype dtype = py::dtype::from_args(description);
  return py::array(dtype, {py::ssize_t(rows)}, {py::ssize_t(record_size)}, data);
}

template <class Record>
py::array vector_array(std::span<const FieldSpec> fields, const std::vector<Record>& rows) {
  return records_array(fields, sizeof(Record), rows.data(), rows.size());
}

// The run file's /events/liquidations rows: each record with its cascade generation.
std::vector<LiquidationRow> liquidation_rows(const std::vector<LiquidationRecord>& records) {
  CascadeCounter counter;
  std::vector<LiquidationRow> rows;
  rows.reserve(records.size());
  for (const LiquidationRecord& r : records) rows.push_back({r, counter.add(r)});
  return rows;
}

// Every table of a run file by name ("timeseries" and the names of run_file_schema::tables()), from an
// in-memory log. A schema table this does not know is an error naming it, so a new table cannot be
// silently missing.
py::array log_table(const RunLog& log, const std::string& name) {
  if (name == "timeseries") return vector_array(run_file_schema::timeseries(), log.timeseries);
  for (const TableSpec& table : run_file_schema::tables()) {
    if (name != table.name) continue;
    if (name == "liquidations") {
      const std::vector<LiquidationRow> rows = liquidation_rows(log.liquidations);
      return vector_array(table.fields, rows);
    }
    if (name == "trades") return vector_array(table.fields, log.trades);
    if (name == "funding") return vector_array(table.fields, log.funding);
    if (name == "mark_updates") return vector_array(table.fields, log.mark_updates);
    if (name == "adl") return vector_array(table.fields, log.adl);
    if (name == "social_losses") return vector_array(table.fields, log.social_losses);
    if (name == "keeper_txs") return vector_array(table.fields, log.keeper_txs);
    if (name == "keeper_tx_queue") return vector_array(table.fields, log.keeper_tx_queue);
    if (name == "blocks") return vector_array(table.fields, log.blocks);
    if (name == "auctions") return vector_array(table.fields, log.auctions);
    if (name == "cascade_sizes") return vector_array(table.fields, log.cascade_sizes);
    if (name == "venue_timeseries") return vector_array(table.fields, log.venue_samples);
    if (name == "option_fills") return vector_array(table.fields, log.option_fills);
    if (name == "option_liquidations") return vector_array(table.fields, log.option_liquidations);
    if (name == "assets") return vector_array(table.fields, log.assets);
    if (name == "holdings") return vector_array(table.fields, log.holdings);
    if (name == "accounts") return vector_array(table.fields, log.accounts);
    throw std::logic_error("liqsim._core: schema table '" + name + "' has no in-memory records here");
  }
  throw py::key_error("no table '" + name + "'");
}

std::vector<std::string> table_names() {
  std::vector<std::string> names = {"timeseries"};
  for (const TableSpec& table : run_file_schema::tables()) names.push_back(table.name);
  return names;
}

const char* type_name(FieldType type) {
  switch (type) {
    case FieldType::I64:
      return "int64";
    case FieldType::U64:
      return "uint64";
    case FieldType::U32:
      return "uint32";
    case FieldType::U8:
      return "uint8";
    case FieldType::F64:
      return "float64";
  }
  return "";
}

py::list field_list(std::span<const FieldSpec> fields) {
  py::list out;
  for (const FieldSpec& f : fields) {
    out.append(py::make_tuple(f.name, type_name(f.type), f.units, f.scale_exponent, f.description));
  }
  return out;
}

// {table: {"group", "description", "field_units", "fields": [(name, type, units, exponent, description)]}}
py::dict schema_dict() {
  py::dict out;
  const auto add = [&](const std::string& name, const std::string& group, const std::string& description,
                       std::span<const FieldSpec> fields) {
    py::dict table;
    table["group"] = group;
    table["description"] = description;
    table["field_units"] = run_file_schema::field_units(fields);
    table["fields"] = field_list(fields);
    out[py::str(name)] = table;
  };
  add("timeseries", "/timeseries", "one sample per row, every record interval",
      run_file_schema::timeseries());
  for (const TableSpec& t : run_file_schema::tables()) add(t.name, t.group, t.description, t.fields);
  add("summary", "/summary", "whole-run figures", run_file_schema::summary());
  return out;
}

// The summary as stored in /summary: every field of run_file_schema::summary(), its stored number.
py::dict summary_raw(const RunSummary& summary) {
  py::dict out;
  const char* base = reinterpret_cast<const char*>(&summary);
  for (const FieldSpec& f : run_file_schema::summary()) {
    const char* at = base + f.offset;
    switch (f.type) {
      case FieldType::I64: {
        int64_t v;
        std::memcpy(&v, at, 8);
        out[f.name] = v;
        break;
      }
      case FieldType::U64: {
        uint64_t v;
        std::memcpy(&v, at, 8);
        out[f.name] = v;
        break;
      }
      case FieldType::U32: {
        uint32_t v;
        std::memcpy(&v, at, 4);
        out[f.name] = v;
        break;
      }
      case FieldType::U8: {
        uint8_t v;
        std::memcpy(&v, at, 1);
        out[f.name] = v;
        break;
      }
      case FieldType::F64: {
        double v;
        std::memcpy(&v, at, 8);
        out[f.name] = v;
        break;
      }
    }
  }
  return out;
}

py::dict metadata_dict(const RunMetadata& m) {
  py::dict out;
  out["liqsim_version"] = m.liqsim_version;
  out["schema_version"] = m.schema_version;
  out["seed"] = m.seed;
  out["scenario_name"] = m.scenario_name;
  out["scenario_toml"] = m.scenario_toml;
  out["mechanism"] = m.mechanism;
  out["same_time_order"] = m.same_time_order;
  out["asset_symbols"] = m.asset_symbols;
  return out;
}

// ----------------------------------------------------------------------------------------------------
// Runs

// A finished run held in memory: what a run file would hold.
struct RunData {
  RunMetadata metadata;
  RunLog log;
  RunSummary summary;
};

// Raises KeyboardInterrupt (or whatever a signal handler raised) at a safe point. Needs the GIL.
void check_signals() {
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

// Runs `simulation` to min(until, end) in pieces, without the GIL, checking for Ctrl-C in between.
Time step_to(Simulation& simulation, Time until) {
  const Time stop = std::min(until, simulation.end());
  const int64_t piece = std::max<int64_t>(1, simulation.end().raw() / kInterruptSteps);
  Time reached = simulation.now();
  while (true) {
    const Time next = Time(std::min(stop.raw(), std::max(reached.raw(), simulation.now().raw()) + piece));
    {
      py::gil_scoped_release release;
      reached = simulation.run_until(next);
    }
    if (reached >= stop) return reached;
    check_signals();
  }
}

// The stepping API: one Simulation recording to its own log, guarded by a mutex so that a call from a
// second Python thread waits while a step runs without the GIL. The mutex is only ever waited for
// without the GIL (lock()), so a step that takes the GIL back between pieces cannot deadlock.
class PySimulation {
 public:
  PySimulation(const Scenario& scenario, bool check_every_event)
      : simulation_(scenario, options(check_every_event)), toml_(to_toml(scenario)) {}

  int64_t run_until(int64_t until_ns) {
    const auto lock = acquire();
    return step_to(simulation_, Time(until_ns)).raw();
  }
  void finish() {
    const auto lock = acquire();
    step_to(simulation_, simulation_.end());
    py::gil_scoped_release release;
    simulation_.finish();
  }
  void reset() {
    const auto lock = acquire();
    py::gil_scoped_release release;
    simulation_.reset();
  }
  int64_t now() {
    const auto lock = acquire();
    return simulation_.now().raw();
  }
  int64_t end() {
    const auto lock = acquire();
    return simulation_.end().raw();
  }
  bool finished() {
    const auto lock = acquire();
    return simulation_.finished();
  }
  py::dict summary() {
    const auto lock = acquire();
    return summary_raw(simulation_.summary());
  }
  double wall_seconds() {
    const auto lock = acquire();
    return simulation_.summary().wall_seconds;
  }
  Scenario scenario() { return simulation_.scenario(); }
  py::array table(const std::string& name) {
    const auto lock = acquire();
    return log_table(simulation_.log(), name);
  }
  py::dict metadata() {
    const auto lock = acquire();
    return metadata_dict(simulation_.metadata(toml_));
  }
  // finish(), then a copy of everything recorded: the simulation stays as it is (reset() replays it).
  RunData result() {
    const auto lock = acquire();
    step_to(simulation_, simulation_.end());
    py::gil_scoped_release release;
    simulation_.finish();
    return RunData{simulation_.metadata(toml_), simulation_.log(), simulation_.summary()};
  }

  // Read-only views of the clearing house.
  uint32_t market_count() {
    const auto lock = acquire();
    return simulation_.clearing_house().market_count();
  }
  std::vector<int64_t> marks() {
    const auto lock = acquire();
    const ClearingHouse& ch = simulation_.clearing_house();
    std::vector<int64_t> out;
    for (uint32_t m = 0; m < ch.market_count(); ++m) out.push_back(ch.mark(MarketId(m)).raw());
    return out;
  }
  py::dict ledger_totals() {
    const auto lock = acquire();
    const ClearingHouse& ch = simulation_.clearing_house();
    const Ledger& ledger = ch.ledger();
    py::dict out;
    out["insurance_fund"] = ledger.insurance_fund().raw();
    out["fee_pool"] = ledger.fee_pool().raw();
    out["gas_paid"] = ledger.gas_paid().raw();
    out["bad_debt"] = ledger.bad_debt().raw();
    out["total_deposits"] = ledger.external_deposits().raw();
    out["conservation_residual"] = ledger.conservation_residual().raw();
    std::vector<int64_t> open_interest;
    for (uint32_t m = 0; m < ch.market_count(); ++m)
      open_interest.push_back(ledger.open_interest(MarketId(m)).raw());
    out["open_interest"] = open_interest;
    return out;
  }
  // The outside agent's door (python/liqsim/env.py): public market data and orders for an account under
  // outside control (Simulation::submit_external refuses any other).
  py::dict view(uint32_t market) {
    const auto lock = acquire();
    const MarketView v = simulation_.view(MarketId(market));
    py::dict out;
    out["fundamental"] = v.fundamental.raw();
    out["index"] = v.index.raw();
    out["oracle"] = v.oracle.raw();
    out["mark"] = v.mark.raw();
    out["last"] = v.last.raw();
    out["tick"] = v.tick.raw();
    out["best_bid"] = v.best_bid ? py::object(py::int_(v.best_bid->raw())) : py::object(py::none());
    out["best_ask"] = v.best_ask ? py::object(py::int_(v.best_ask->raw())) : py::object(py::none());
    out["open_interest"] = v.open_interest.raw();
    return out;
  }
  // Resting quantity (raw) of the book's bids at or above `bound` (side "bid") or asks at or below it.
  int64_t depth(uint32_t market, const std::string& side, int64_t bound) {
    const auto lock = acquire();
    if (side != "bid" && side != "ask") throw py::value_error("side must be \"bid\" or \"ask\"");
    return simulation_.book(MarketId(market))
        .depth_within(side == "bid" ? Side::Buy : Side::Sell, Price(bound))
        .raw();
  }
  // An immediate-or-cancel order at `limit` (raw, on the tick grid) for the outside agent's account;
  // returns the quantity filled (raw).
  int64_t submit_ioc(uint32_t account, uint32_t market, const std::string& side, int64_t quantity,
                     int64_t limit, bool reduce_only) {
    const auto lock = acquire();
    if (side != "buy" && side != "sell") throw py::value_error("side must be \"buy\" or \"sell\"");
    OrderRequest order;
    order.owner = AccountId(account);
    order.side = side == "buy" ? Side::Buy : Side::Sell;
    order.type = OrderType::ImmediateOrCancel;
    order.limit = Price(limit);
    order.quantity = Quantity(quantity);
    order.reduce_only = reduce_only;
    // Simulation::submit_external's std::invalid_argument reaches Python as ValueError.
    return simulation_.submit_external(MarketId(market), order).filled.raw();
  }
  // One account's own state (raw): what an agent knows of itself.
  py::dict own_account(uint32_t account) {
    const auto lock = acquire();
    const ClearingHouse& ch = simulation_.clearing_house();
    if (account >= ch.ledger().account_count()) throw py::value_error("no such account");
    const AccountId id(account);
    py::dict out;
    out["equity"] = ch.equity(id).raw();
    out["deposits"] = ch.ledger().account(id).deposits.raw();
    out["balance"] = ch.ledger().account(id).balance.raw();
    std::vector<int64_t> position;
    for (uint32_t m = 0; m < ch.market_count(); ++m)
      position.push_back(ch.ledger().position(id, MarketId(m)).size.raw());
    out["position"] = position;
    return out;
  }

  uint32_t account_count() {
    const auto lock = acquire();
    return simulation_.clearing_house().ledger().account_count();
  }
  // Every account (places included), raw stored units: one numpy array per column; positions and
  // open notionals are (accounts x markets).
  py::dict accounts() {
    const auto lock = acquire();
    const ClearingHouse& ch = simulation_.clearing_house();
    const Ledger& ledger = ch.ledger();
    const size_t n = ledger.account_count();
    const size_t markets = ch.market_count();
    py::array_t<uint32_t> account(n);
    py::array_t<uint8_t> role(n), cross(n), in_liquidation(n), liquidatable(n);
    py::array_t<int64_t> balance(n), deposits(n), equity(n), maintenance(n);
    py::array_t<uint32_t> liquidations(n);
    py::array_t<int64_t> position({n, markets}), open_notional({n, markets});
    auto a_account = account.mutable_unchecked<1>();
    auto a_role = role.mutable_unchecked<1>();
    auto a_cross = cross.mutable_unchecked<1>();
    auto a_in = in_liquidation.mutable_unchecked<1>();
    auto a_liquidatable = liquidatable.mutable_unchecked<1>();
    auto a_balance = balance.mutable_unchecked<1>();
    auto a_deposits = deposits.mutable_unchecked<1>();
    auto a_equity = equity.mutable_unchecked<1>();
    auto a_maintenance = maintenance.mutable_unchecked<1>();
    auto a_liquidations = liquidations.mutable_unchecked<1>();
    auto a_position = position.mutable_unchecked<2>();
    auto a_open = open_notional.mutable_unchecked<2>();
    {
      py::gil_scoped_release release;
      for (size_t i = 0; i < n; ++i) {
        const AccountId id(static_cast<uint32_t>(i));
        const AccountState& state = ledger.account(id);
        const Health health = ch.health(id);
        a_account(i) = uint32_t(i);
        a_role(i) = static_cast<uint8_t>(state.role);
        a_cross(i) = state.mode == MarginMode::Cross ? 1 : 0;
        a_in(i) = state.in_liquidation ? 1 : 0;
        a_balance(i) = state.balance.raw();
        a_deposits(i) = state.deposits.raw();
        a_equity(i) = health.value.raw();
        a_maintenance(i) = health.requirement.raw();
        a_liquidations(i) = state.liquidations;
        for (size_t m = 0; m < markets; ++m) {
          const Position& p = ledger.position(id, MarketId(static_cast<uint32_t>(m)));
          a_position(i, m) = p.size.raw();
          a_open(i, m) = p.open_notional.raw();
        }
        // ClearingHouse::liquidatable, with the health already computed
        a_liquidatable(i) = ledger.has_position(id) && health.below_requirement() ? 1 : 0;
      }
    }
    py::dict out;
    out["account"] = account;
    out["role"] = role;
    out["cross"] = cross;
    out["balance"] = balance;
    out["deposits"] = deposits;
    out["equity"] = equity;
    out["maintenance"] = maintenance;
    out["liquidatable"] = liquidatable;
    out["in_liquidation"] = in_liquidation;
    out["liquidations"] = liquidations;
    out["position"] = position;
    out["open_notional"] = open_notional;
    return out;
  }
  // One account, raw stored units.
  py::dict account(int64_t index) {
    const auto lock = acquire();
    const ClearingHouse& ch = simulation_.clearing_house();
    const Ledger& ledger = ch.ledger();
    if (index < 0 || index >= int64_t(ledger.account_count())) {
      throw py::index_error("account " + std::to_string(index) + " out of range; allowed: [0, " +
                            std::to_string(ledger.account_count()) + ")");
    }
    const AccountId id(static_cast<uint32_t>(index));
    const AccountState& state = ledger.account(id);
    const Health health = ch.health(id);
    std::vector<int64_t> position, open_notional;
    for (uint32_t m = 0; m < ch.market_count(); ++m) {
      position.push_back(ledger.position(id, MarketId(m)).size.raw());
      open_notional.push_back(ledger.position(id, MarketId(m)).open_notional.raw());
    }
    py::dict out;
    out["account"] = index;
    out["role"] = static_cast<int>(state.role);
    out["cross"] = state.mode == MarginMode::Cross;
    out["balance"] = state.balance.raw();
    out["deposits"] = state.deposits.raw();
    out["equity"] = health.value.raw();
    out["maintenance"] = health.requirement.raw();
    out["liquidatable"] = ledger.has_position(id) && health.below_requirement();
    out["in_liquidation"] = state.in_liquidation;
    out["liquidations"] = int(state.liquidations);
    out["position"] = position;
    out["open_notional"] = open_notional;
    return out;
  }

 private:
  std::unique_lock<std::mutex> acquire() {
    std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
    if (!lock.try_lock()) {
      py::gil_scoped_release release;
      lock.lock();
    }
    return lock;
  }
  static RunOptions options(bool check_every_event) {
    RunOptions o;
    o.check_every_event = check_every_event;
    return o;
  }

  std::mutex mutex_;
  Simulation simulation_;
  std::string toml_;
};

RunData run_scenario(const Scenario& scenario, bool check_every_event) {
  RunOptions options;
  options.check_every_event = check_every_event;
  Simulation simulation(scenario, options);
  step_to(simulation, simulation.end());
  RunResult result;
  {
    py::gil_scoped_release release;
    result = simulation.result(to_toml(scenario));
  }
  return RunData{std::move(result.metadata), std::move(result.log), result.summary};
}

// ----------------------------------------------------------------------------------------------------
// Sweeps

// The problems of a sweep file before anything runs, as `liqsim sweep` prints them.
struct SweepProblems {
  std::vector<std::string> messages;
};

// Reads, expands and validates a sweep (the code of `liqsim sweep`), runs its pending runs on `jobs`
// threads into the sweep file `out` (created, or resumed), and returns (runs done now, failed now,
// failed before). `path` is a sweep file, or empty for `text` (named `source_name`, relative files
// from `source_dir`). Problems before any run raise; failed runs are rows with their error.
py::tuple run_sweep(const std::string& path, const std::string& text, const std::string& source_name,
                    const std::string& source_dir, unsigned jobs, const std::string& out, bool overwrite,
                    bool resume) {
  SweepSpecResult parsed =
      path.empty() ? parse_sweep_text(text, source_name, source_dir) : parse_sweep_file(path);
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&parsed)) {
    SweepProblems problems;
    for (const ScenarioError& e : *errors) problems.messages.push_back(e.message());
    throw problems;
  }
  auto expanded = SweepPlan::expand(std::get<SweepSpec>(std::move(parsed)));
  if (auto* list = std::get_if<std::vector<std::string>>(&expanded)) throw SweepProblems{*list};
  SweepPlan& plan = std::get<SweepPlan>(expanded);
  std::vector<std::string> problems;
  {
    py::gil_scoped_release release;
    problems = plan.resolve(jobs);
  }
  if (!problems.empty()) throw SweepProblems{problems};

  std::optional<SweepFile> file;
  if (resume) {
    auto opened = SweepFile::resume(out, plan);
    if (auto* problem = std::get_if<std::string>(&opened)) throw SweepProblems{{"resume: " + *problem}};
    file.emplace(std::get<SweepFile>(std::move(opened)));
  } else {
    if (const std::optional<std::string> problem = check_output_path(out, overwrite)) {
      throw SweepProblems{{"out '" + out + "': " + *problem}};
    }
    auto created = SweepFile::create(out, plan, overwrite);
    if (auto* problem = std::get_if<std::string>(&created)) {
      throw std::runtime_error("could not create '" + out + "': " + *problem);
    }
    file.emplace(std::get<SweepFile>(std::move(created)));
  }

  uint64_t done = 0, failed = 0;
  {
    // Kept tables (`keep`): each run's own file beside the sweep file, stored into /runs at the end.
    const std::string kept_folder =
        plan.spec().keep.empty() || file->kept_stored() ? std::string() : file->kept_folder();
    SweepRunner runner(plan, file->pending(), jobs, simulate_run, kept_folder);
    try {
      while (!runner.finished()) {
        std::vector<SweepOutcome> batch;
        {
          py::gil_scoped_release release;
          batch = runner.wait(std::chrono::milliseconds(200));
        }
        for (const SweepOutcome& outcome : batch) {
          if (!outcome.kept_error.empty())
            throw std::runtime_error("writing the kept tables of run " + std::to_string(outcome.run) + ": " +
                                     outcome.kept_error);
          if (auto problem = file->write(outcome))
            throw std::runtime_error("writing '" + out + "': " + *problem);
          ++done;
          if (outcome.status == SweepRunStatus::Failed) ++failed;
        }
        if (!batch.empty()) {
          if (auto problem = file->flush()) throw std::runtime_error("writing '" + out + "': " + *problem);
        }
        check_signals();
      }
    } catch (...) {
      // Ctrl-C or a write error: no further run starts; what finished is in the file (resume=True
      // runs the rest). The runner's destructor waits for the runs in progress.
      runner.stop();
      file->close();
      throw;
    }
  }
  if (auto problem = file->close()) throw std::runtime_error("closing '" + out + "': " + *problem);
  if (auto problem = file->store_kept_runs())
    throw std::runtime_error("storing the kept tables in '" + out + "': " + *problem);
  return py::make_tuple(done, failed, file->failed_before());
}

}  // namespace
}  // namespace liqsim

PYBIND11_MODULE(_core, m) {
  using namespace liqsim;
  m.doc() = "liqsim's compiled core; use the liqsim package (python/liqsim) instead.";
  m.attr("version") = std::string(kLiqsimVersion);
  m.attr("run_file_schema_version") = kRunFileSchemaVersion;

  static py::exception<SweepProblems> sweep_problems(m, "SweepProblems", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const SweepProblems& e) {
      py::list messages;
      for (const std::string& s : e.messages) messages.append(s);
      PyErr_SetObject(sweep_problems.ptr(), messages.ptr());
    }
  });

  py::class_<Scenario>(m, "Scenario", "A validated scenario (experiments/scenario.h)")
      .def_property_readonly("toml", [](const Scenario& s) { return to_toml(s); })
      .def_property_readonly("name", [](const Scenario& s) { return s.name; })
      .def_property_readonly("seed", [](const Scenario& s) { return s.seed; })
      .def_property_readonly("duration_seconds", [](const Scenario& s) { return s.duration_seconds; })
      .def_property_readonly("source_dir", [](const Scenario& s) { return s.source_dir; })
      .def_property_readonly("market_symbols",
                             [](const Scenario& s) {
                               std::vector<std::string> out;
                               for (const MarketSpec& market : s.markets) out.push_back(market.symbol);
                               return out;
                             })
      .def("with_seed",
           [](const Scenario& s, uint64_t seed) {
             Scenario copy = s;
             copy.seed = seed;
             return copy;
           })
      .def("estimate", [](const Scenario& s) {
        const RunCostEstimate cost = estimate_run_cost(s);
        py::dict out;
        out["events"] = cost.events;
        out["memory_bytes"] = cost.memory_bytes;
        out["events_driver"] = cost.events_driver;
        out["memory_driver"] = cost.memory_driver;
        return out;
      });

  m.def("presets", [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Preset& p : presets()) out.emplace_back(std::string(p.name), std::string(p.description));
    return out;
  });
  m.def("parse_override", [](const std::string& text) -> std::optional<std::pair<std::string, std::string>> {
    auto o = parse_override(text);
    if (!o) return std::nullopt;
    return std::make_pair(o->key, o->value);
  });
  m.def("load_preset",
        [](const std::string& name, const std::vector<std::pair<std::string, std::string>>& o) {
          return scenario_or_errors(load_preset(name, to_overrides(o)));
        });
  m.def("load_text",
        [](const std::string& text, const std::string& source_name, const std::string& source_dir,
           const std::vector<std::pair<std::string, std::string>>& o) {
          return scenario_or_errors(load_scenario_text(text, source_name, source_dir, to_overrides(o)));
        });
  m.def("load_file", [](const std::string& path, const std::vector<std::pair<std::string, std::string>>& o) {
    return scenario_or_errors(load_scenario_file(path, to_overrides(o)));
  });

  m.def("schema", &schema_dict);
  m.def("table_names", &table_names);

  py::class_<RunData>(m, "RunData", "A finished run in memory: metadata, records and summary")
      .def_property_readonly("metadata", [](const RunData& r) { return metadata_dict(r.metadata); })
      .def_property_readonly("summary", [](const RunData& r) { return summary_raw(r.summary); })
      .def_property_readonly("wall_seconds", [](const RunData& r) { return r.summary.wall_seconds; })
      .def("table", [](const RunData& r, const std::string& name) { return log_table(r.log, name); })
      .def("write", [](const RunData& r, const std::string& path, bool overwrite) {
        // With the GIL held: HDF5 (Debian's serial build) is not thread-safe, and h5py calls it only
        // while holding the GIL, so no h5py call can run meanwhile.
        std::optional<std::string> problem = check_output_path(path, overwrite);
        if (!problem) problem = write_run_file(path, r.metadata, r.log, r.summary, overwrite);
        if (problem) throw std::runtime_error("could not write '" + path + "': " + *problem);
      });

  m.def("run", &run_scenario, py::arg("scenario"), py::arg("check_every_event") = false);

  py::class_<PySimulation>(m, "Simulation")
      .def(py::init<const Scenario&, bool>(), py::arg("scenario"), py::arg("check_every_event") = false,
           py::call_guard<py::gil_scoped_release>())
      .def("run_until", &PySimulation::run_until)
      .def("finish", &PySimulation::finish)
      .def("reset", &PySimulation::reset)
      .def_property_readonly("now", &PySimulation::now)
      .def_property_readonly("end", &PySimulation::end)
      .def_property_readonly("finished", &PySimulation::finished)
      .def_property_readonly("wall_seconds", &PySimulation::wall_seconds)
      .def_property_readonly("scenario", &PySimulation::scenario)
      .def("summary", &PySimulation::summary)
      .def("table", &PySimulation::table)
      .def("metadata", &PySimulation::metadata)
      .def("result", &PySimulation::result)
      .def_property_readonly("market_count", &PySimulation::market_count)
      .def("marks", &PySimulation::marks)
      .def("view", &PySimulation::view)
      .def("depth", &PySimulation::depth)
      .def("submit_ioc", &PySimulation::submit_ioc)
      .def("own_account", &PySimulation::own_account)
      .def("ledger_totals", &PySimulation::ledger_totals)
      .def_property_readonly("account_count", &PySimulation::account_count)
      .def("accounts", &PySimulation::accounts)
      .def("account", &PySimulation::account);

  m.def("run_sweep", &run_sweep, py::arg("path"), py::arg("text"), py::arg("source_name"),
        py::arg("source_dir"), py::arg("jobs"), py::arg("out"), py::arg("overwrite"), py::arg("resume"));
  m.def("default_jobs", [] { return std::max(1u, std::thread::hardware_concurrency()); });

  // The keeper free-entry game (experiments/keeper_entry_game.h) on a scenario, without the GIL.
  m.def(
      "keeper_entry_game",
      [](const Scenario& s, double entry_cost, int initial_keepers, int max_keepers, int max_episodes,
         int stable_episodes, bool fresh_seeds, int seeds_per_episode) {
        KeeperEntryGameParams p;
        p.entry_cost = entry_cost;
        p.initial_keepers = initial_keepers;
        p.max_keepers = max_keepers;
        p.max_episodes = max_episodes;
        p.stable_episodes = stable_episodes;
        p.fresh_seeds = fresh_seeds;
        p.seeds_per_episode = seeds_per_episode;
        if (!(seeds_per_episode >= 1 && seeds_per_episode <= 1000 && max_keepers >= 1 &&
              max_keepers <= 10'000 && initial_keepers >= 0 && initial_keepers <= max_keepers &&
              max_episodes >= 1 && max_episodes <= 100'000 && stable_episodes >= 1 &&
              stable_episodes <= max_episodes && entry_cost >= 0 && entry_cost <= 1e12))
          throw py::value_error(
              "keeper_entry_game: need 1 <= max_keepers <= 10000, 0 <= initial_keepers <= max_keepers, 1 <= "
              "max_episodes <= 100000, 1 <= stable_episodes <= max_episodes, 0 <= entry_cost <= 1e12, 1 <= "
              "seeds_per_episode <= 1000");
        KeeperEntryGameResult r;
        {
          py::gil_scoped_release release;
          r = play_keeper_entry(p, s.seed, scenario_episode_runner(s));
        }
        py::list episodes;
        for (const KeeperEpisode& e : r.episodes) {
          py::dict row;
          row["episode"] = e.episode;
          row["seed"] = e.seed;
          row["active"] = e.active;
          row["mean_profit"] = e.mean_profit;
          row["min_profit"] = e.profits.empty() ? 0.0 : *std::min_element(e.profits.begin(), e.profits.end());
          row["profits"] = e.profits;
          row["liquidations"] = e.liquidations;
          row["mean_delay_seconds"] = e.mean_delay_seconds;
          row["protocol_loss"] = e.protocol_loss;
          row["bad_debt"] = e.bad_debt;
          episodes.append(row);
        }
        py::dict out;
        out["converged"] = r.converged;
        out["criterion"] = r.criterion;
        out["equilibrium_keepers"] = r.equilibrium_keepers;
        out["episodes"] = episodes;
        return out;
      },
      py::arg("scenario"), py::arg("entry_cost"), py::arg("initial_keepers"), py::arg("max_keepers"),
      py::arg("max_episodes"), py::arg("stable_episodes"), py::arg("fresh_seeds"),
      py::arg("seeds_per_episode"));
}
