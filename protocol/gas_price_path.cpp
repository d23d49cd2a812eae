#include "protocol/gas_price_path.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "market/time_value_csv.h"

namespace liqsim {

GasPricePath GasPricePath::constant(Amount fee) {
  LIQSIM_CHECK(fee.raw() >= 0, "a base fee is not negative");
  GasPricePath path;
  path.kind_ = Kind::Constant;
  path.fee_ = fee;
  return path;
}

GasPricePath GasPricePath::spike(Amount fee, GasSpike spike) {
  LIQSIM_CHECK(fee.raw() >= 0, "a base fee is not negative");
  LIQSIM_CHECK(spike.duration > Time(0) && spike.ramp >= Time(0) && spike.ramp + spike.ramp <= spike.duration,
               "a spike lasts longer than its two ramps");
  LIQSIM_CHECK(spike.multiple.raw() > 0, "a spike's multiple is positive");
  GasPricePath path;
  path.kind_ = Kind::Spike;
  path.fee_ = fee;
  path.spike_ = spike;
  return path;
}

GasPricePath GasPricePath::replay(GasReplay replay) {
  LIQSIM_CHECK(!replay.series.empty(), "a gas replay needs at least one point");
  LIQSIM_CHECK(replay.gas_per_transaction > 0, "a transaction uses gas");
  for (size_t i = 0; i < replay.series.size(); ++i) {
    LIQSIM_CHECK(replay.series[i].second >= 0 && replay.series[i].second <= kMaxGasPriceWei,
                 "gas prices are within [0, kMaxGasPriceWei]");
    LIQSIM_CHECK(i == 0 || replay.series[i - 1].first < replay.series[i].first,
                 "gas replay times are strictly increasing");
  }
  GasPricePath path;
  path.kind_ = Kind::Replay;
  path.replay_ = std::move(replay);
  return path;
}

Ratio GasPricePath::multiple(Time t) const {
  const Ratio one(kRatioScale);
  if (kind_ != Kind::Spike) return one;
  const GasSpike& s = spike_;
  const Time end = s.start + s.duration;
  if (t < s.start || t >= end) return one;
  // The trapezoid's height at t as the fraction num / den in [0, 1].
  int64_t num = 1, den = 1;
  if (t < s.start + s.ramp) {
    num = (t - s.start).raw();
    den = s.ramp.raw();
  } else if (t >= end - s.ramp) {
    num = (end - t).raw();
    den = s.ramp.raw();
  }
  return one + Ratio(mul_div((s.multiple - one).raw(), num, den, Round::Down));
}

std::optional<int64_t> GasPricePath::gas_price_wei(Time t) const {
  if (kind_ != Kind::Replay) return std::nullopt;
  const GasPriceSeries& series = replay_.series;
  // The last point at or before t (the first point when t precedes the series).
  const auto after = std::upper_bound(series.begin(), series.end(), t,
                                      [](Time x, const std::pair<Time, int64_t>& p) { return x < p.first; });
  const size_t i = after == series.begin() ? 0 : size_t(after - series.begin()) - 1;
  const auto& [t0, w0] = series[i];
  if (t <= t0 || i + 1 == series.size() || replay_.interpolation == GasInterpolation::Step) return w0;
  const auto& [t1, w1] = series[i + 1];
  return w0 + mul_div(w1 - w0, (t - t0).raw(), (t1 - t0).raw(), Round::Down);
}

Amount GasPricePath::base_fee(Time t, Price eth_price) const {
  switch (kind_) {
    case Kind::Constant:
      return fee_;
    case Kind::Spike:
      return apply(fee_, multiple(t), Round::Up);
    case Kind::Replay:
      break;
  }
  LIQSIM_CHECK(eth_price.raw() > 0, "the ETH price of a gas replay is positive");
  const __int128 gas_wei = __int128(*gas_price_wei(t)) * replay_.gas_per_transaction;  // <= 3e23
  if (gas_wei == 0) return Amount(0);
  // fee = gas_wei x eth_price / 1e18, clamped at kMaxBaseFeeRaw (checked before multiplying).
  const __int128 limit = __int128(kMaxBaseFeeRaw) * kWeiPerEth;
  if (__int128(eth_price.raw()) > limit / gas_wei) return Amount(kMaxBaseFeeRaw);
  return Amount(
      std::min<int64_t>(div_round(gas_wei * eth_price.raw(), kWeiPerEth, Round::Up), kMaxBaseFeeRaw));
}

std::variant<GasPriceSeries, std::string> load_gas_price_csv(const std::string& path,
                                                             const std::string& time_column,
                                                             const std::string& price_column,
                                                             double time_unit_seconds, double wei_per_unit) {
  if (!(wei_per_unit > 0.0) || !std::isfinite(wei_per_unit))
    return path + ": the gas price unit must be a positive number of wei";
  const auto wei_of = [wei_per_unit](double price) { return std::round(price * wei_per_unit); };
  TimeValueCsvSpec spec;
  spec.time_column = time_column;
  spec.value_column = price_column;
  spec.time_unit_seconds = time_unit_seconds;
  spec.value_rule = CsvValueRule::NonNegative;
  spec.value_name = "gas price";
  spec.check = [&](double price) -> std::optional<std::string> {
    const double wei = wei_of(price);
    if (!(wei <= double(kMaxGasPriceWei))) return "gas price above 1e7 gwei";
    if (price > 0.0 && wei < 1.0) return "gas price rounds to 0 at 1 wei resolution";
    return std::nullopt;
  };
  auto read = read_time_value_csv(path, spec);
  if (auto* error = std::get_if<std::string>(&read)) return std::move(*error);

  GasPriceSeries series;
  series.reserve(std::get<TimeValueRows>(read).size());
  for (const TimeValueRow& row : std::get<TimeValueRows>(read))
    series.emplace_back(row.time, static_cast<int64_t>(wei_of(row.value)));
  return series;
}

}  // namespace liqsim
