// Causal amplification: a run measured against its impact-free twin, the same scenario and seed with
// liquidation.execution = "impact_free" (every liquidation order fills in full at the mark off the
// book, so the same accounts are closed but no liquidation moves a price). The twin runs first, in
// memory, keeping only each account's first liquidation time; the measured run then tags each of its
// liquidations Endogenous or Exogenous as it records it (core/recorder.h Endogeneity), and its summary
// gets the differences (RunSummary::amplification_*). docs/ARCHITECTURE.md, "Causal amplification".
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/recorder.h"
#include "experiments/scenario.h"
#include "experiments/simulation.h"

namespace liqsim {

// What the measured run needs of its impact-free twin.
struct ImpactFreeReference {
  // By account id: the time of the account's first liquidation in the impact-free world; absent (or
  // Time::max()) when it was never liquidated there.
  std::vector<Time> first_liquidation;

  // A liquidation of `account` at time `at` is Endogenous when the impact-free world does not liquidate
  // that account by then (never, or only later), Exogenous otherwise.
  Endogeneity classify(uint32_t account, Time at) const;
};

// The names `--counterfactual` and a sweep's `counterfactual` accept ("impact_free"), and their kinds.
std::optional<CounterfactualKind> counterfactual_from_string(std::string_view name);
inline constexpr std::string_view kCounterfactualChoices = "impact_free";

// The scenario's impact-free twin: everything the same, liquidation.execution = "impact_free".
Scenario impact_free_twin(const Scenario& scenario);

struct TwinRun {
  RunSummary summary;
  std::shared_ptr<const ImpactFreeReference> reference;
};

// Runs the impact-free twin of `scenario` to its end in memory; its records are not kept, only each
// account's first liquidation time. Pass `reference` to the measured run as RunOptions::impact_free_twin.
TwinRun run_impact_free_twin(const Scenario& scenario, const RunOptions& options);

// Fills the amplification figures of `measured` (which ran with the twin's reference) from the twin's
// summary: counterfactual = ImpactFree, the extra fall of each price's trough in percentage points of
// market 0's initial price, 100 * (twin trough - measured trough) / initial price (mark, index; a new
// price series is one line of the table in counterfactual.cpp), and measured minus twin for
// liquidations, liquidated notional, protocol loss and bad debt.
void apply_amplification(RunSummary& measured, const RunSummary& twin);

}  // namespace liqsim
