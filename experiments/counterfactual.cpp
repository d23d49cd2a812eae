#include "experiments/counterfactual.h"

#include <algorithm>

#include "core/check.h"

namespace liqsim {
namespace {

// The twin's sink: keeps each account's first liquidation time and drops every other record.
class FirstLiquidationWitness final : public DiscardingRecorder {
 public:
  explicit FirstLiquidationWitness(ImpactFreeReference& out) : out_(out) {}
  void on_liquidation(const LiquidationRecord& r) override {
    if (out_.first_liquidation.size() <= r.account) out_.first_liquidation.resize(r.account + 1, Time::max());
    Time& first = out_.first_liquidation[r.account];
    first = std::min(first, r.time);
  }

 private:
  ImpactFreeReference& out_;
};

// The price series whose troughs are compared: (trough in the summary, its amplification figure).
// A new simulated price (a spot venue's, an AMM's) is one more line.
struct TroughSeries {
  Price RunSummary::*trough;
  double RunSummary::*amplification_pp;
};
constexpr TroughSeries kTroughs[] = {
    {&RunSummary::mark_min, &RunSummary::amplification_mark_trough_pp},
    {&RunSummary::index_min, &RunSummary::amplification_index_trough_pp},
    {&RunSummary::spot_min, &RunSummary::amplification_spot_trough_pp},
};

}  // namespace

Endogeneity ImpactFreeReference::classify(uint32_t account, Time at) const {
  const Time first = account < first_liquidation.size() ? first_liquidation[account] : Time::max();
  return first > at ? Endogeneity::Endogenous : Endogeneity::Exogenous;
}

std::optional<CounterfactualKind> counterfactual_from_string(std::string_view name) {
  if (name == "impact_free") return CounterfactualKind::ImpactFree;
  return std::nullopt;
}

Scenario impact_free_twin(const Scenario& scenario) {
  Scenario twin = scenario;
  twin.liquidation.execution = "impact_free";
  return twin;
}

TwinRun run_impact_free_twin(const Scenario& scenario, const RunOptions& options) {
  auto reference = std::make_shared<ImpactFreeReference>();
  FirstLiquidationWitness witness(*reference);
  RunOptions twin_options = options;
  twin_options.impact_free_twin = nullptr;
  Simulation twin(impact_free_twin(scenario), twin_options, witness);
  twin.finish();
  TwinRun out;
  out.summary = twin.summary();
  out.reference = std::move(reference);
  return out;
}

void apply_amplification(RunSummary& measured, const RunSummary& twin) {
  LIQSIM_CHECK(measured.initial_price == twin.initial_price && measured.initial_price.raw() > 0,
               "a run and its impact-free twin start at the same positive price");
  measured.counterfactual = CounterfactualKind::ImpactFree;
  const double initial = to_double(measured.initial_price);
  for (const TroughSeries& series : kTroughs)
    measured.*series.amplification_pp =
        100.0 * (to_double(twin.*series.trough) - to_double(measured.*series.trough)) / initial;
  measured.amplification_liquidations = int64_t(measured.liquidation_count) - int64_t(twin.liquidation_count);
  measured.amplification_liquidated_notional = measured.liquidated_notional - twin.liquidated_notional;
  measured.amplification_protocol_loss = measured.protocol_loss - twin.protocol_loss;
  measured.amplification_bad_debt = measured.bad_debt - twin.bad_debt;
}

}  // namespace liqsim
