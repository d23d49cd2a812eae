#include "protocol/mark_engine.h"

namespace liqsim {

MarkEngine::MarkEngine(MarkMethod method, Time basis_sample_interval, size_t basis_window_samples)
    : method_(method),
      basis_ma_(basis_sample_interval, basis_window_samples),
      oracle_basis_ema_(seconds(150)),
      local_median_ema_(seconds(30)) {}

Price MarkEngine::update(const MarkInputs& in) {
  // Every method keeps the basis average current, so switching methods in a counterfactual changes
  // only the formula, not the state.
  if (in.mid) basis_ma_.observe(in.now, *in.mid - in.index);
  const Price last = in.last_trade.value_or(in.mid.value_or(in.index));
  const Price ma_basis_price = in.index + basis_ma_.average().value_or(Price(0));
  Price mark = in.index;
  switch (method_) {
    case MarkMethod::Index:
      mark = in.index;
      break;
    case MarkMethod::Last:
      mark = last;
      break;
    case MarkMethod::IndexPlusBasis:
      mark = ma_basis_price;
      break;
    case MarkMethod::Oracle:
      mark = in.oracle;
      break;
    case MarkMethod::BitmexFairPrice:
      mark = funding_basis_price(in.index, in.last_funding_rate, in.until_funding, in.funding_interval);
      break;
    case MarkMethod::BinanceMedian:
      mark = binance_mark(in.index, in.last_funding_rate, in.until_funding, in.funding_interval,
                          ma_basis_price, clamp_to_book(last, in.bid, in.ask));
      break;
    case MarkMethod::HyperliquidMedian: {
      if (in.mid) oracle_basis_ema_.observe(in.now, *in.mid - in.oracle);
      std::optional<Price> local;
      if (in.bid && in.ask) local = median_of_three(*in.bid, *in.ask, last);
      if (local) local_median_ema_.observe(in.now, *local);
      const Price basis = oracle_basis_ema_.value().value_or(Price(0));
      mark = hyperliquid_mark(in.oracle + basis, local, std::nullopt,
                              local_median_ema_.value().value_or(in.oracle));
      break;
    }
  }
  return mark.raw() <= 0 ? in.tick : mark;
}

}  // namespace liqsim
