// Builds a world from a validated Scenario and runs it to the end: the composition root of a run.
#pragma once

#include <memory>
#include <string>

#include "agents/agent_context.h"
#include "core/recorder.h"
#include "experiments/scenario.h"
#include "protocol/clearing_house.h"

namespace liqsim {

struct ImpactFreeReference;  // experiments/counterfactual.h

struct RunOptions {
  bool progress = false;           // print progress on stderr (the CLI sets this when stderr is a tty)
  bool check_every_event = false;  // run the conservation check after every event (tests)
  // The run's impact-free twin (experiments/counterfactual.h): when set, each liquidation is tagged
  // Endogenous or Exogenous against it as it is recorded, and cascades are counted on that basis.
  std::shared_ptr<const ImpactFreeReference> impact_free_twin;
};

struct RunResult {
  RunMetadata metadata;
  RunLog log;
  RunSummary summary;
};

// One run that can be built, stepped, inspected and reset: the base for bindings and for agents that
// learn across episodes. It owns its copy of the scenario and everything the run builds; several may
// live in one process (one per thread). Stepping in any chunks gives exactly the run of one call.
// Its records go to a sink: its own in-memory RunLog (log()), or a Recorder the caller chooses (the CLI
// streams them to the run file, experiments/hdf5_sink.h). The summary never reads the records back.
class Simulation {
 public:
  // The scenario must be valid (experiments/scenario_loader). Records go to the in-memory log().
  explicit Simulation(Scenario scenario, RunOptions options = {});
  // Records go to `sink`, which must outlive the simulation; log() is then not available. After
  // reset() the replayed run records to the same sink: a sink that takes one run (the run file) wants
  // a new Simulation instead.
  Simulation(Scenario scenario, RunOptions options, Recorder& sink);
  ~Simulation();
  Simulation(Simulation&&) noexcept;
  Simulation& operator=(Simulation&&) noexcept;

  // Processes every event at or before min(until, end of the run) and returns that time; now() is the
  // time of the last event processed.
  Time run_until(Time until);
  // Runs to the end, checks conservation and records the final account states; idempotent.
  void finish();
  // Back to time zero: the same scenario and seed replay the same run.
  void reset();

  Time now() const;
  Time end() const;
  bool finished() const;
  const Scenario& scenario() const { return scenario_; }
  // Read-only views of the run so far. log() only without a caller's sink.
  const RunLog& log() const;
  const ClearingHouse& clearing_house() const;
  RunSummary summary() const;  // whole-run figures so far (final accounts once finished)

  // The outside agent's door (the gym-style environment, python/liqsim/env.py, docs/python.md): the
  // public view and book of a market, and an order for an account under outside control, routed at now()
  // as an agent's order is (fills applied to the ledger before it returns). The account must be a
  // liquidation hunter's ([[hunters]] with max_position = 0 never acts by itself); others are refused
  // (std::invalid_argument), so an outside learner trades only for its own account.
  MarketView view(MarketId m) const;
  const OrderBook& book(MarketId m) const;
  SubmitResult submit_external(MarketId m, const OrderRequest& order);

  // The run file's root attributes for this scenario (`scenario_toml`: the resolved scenario text).
  RunMetadata metadata(const std::string& scenario_toml) const;

  // finish(), then the records, the summary and the metadata; the log moves out (it is empty when the
  // records went to a caller's sink).
  RunResult result(const std::string& scenario_toml);

 private:
  struct State;
  Scenario scenario_;
  RunOptions options_;
  Recorder* sink_ = nullptr;  // the caller's sink, or none: the in-memory log
  std::unique_ptr<State> state_;
};

// `scenario_toml` is the resolved scenario text stored in the run file. The scenario must already be
// valid (experiments/scenario_loader); invalid values here are invariant violations.
RunResult run_simulation(const Scenario& scenario, const std::string& scenario_toml,
                         const RunOptions& options);

}  // namespace liqsim
