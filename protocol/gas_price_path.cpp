#include "protocol/gas_price_path.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/check.h"
#include "market/csv_fields.h"

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
  const auto at = [&](size_t line, const std::string& column, const std::string& message) {
    return path + ":" + std::to_string(line) + ": column '" + column + "': " + message;
  };
  if (!(time_unit_seconds > 0.0) || !std::isfinite(time_unit_seconds))
    return path + ": time unit must be a positive number of seconds";
  if (!(wei_per_unit > 0.0) || !std::isfinite(wei_per_unit))
    return path + ": the gas price unit must be a positive number of wei";

  std::ifstream in(path);
  if (!in) return path + ": cannot open file";
  std::string line;
  if (!std::getline(in, line)) return path + ": empty file, expected a header row";
  const std::vector<std::string_view> header = csv_split_fields(line);
  const auto column_index = [&](const std::string& name) -> std::optional<size_t> {
    const auto it = std::find(header.begin(), header.end(), std::string_view(name));
    if (it == header.end()) return std::nullopt;
    return size_t(it - header.begin());
  };
  const std::optional<size_t> time_index = column_index(time_column);
  if (!time_index) return at(1, time_column, "not found in the header row");
  const std::optional<size_t> price_index = column_index(price_column);
  if (!price_index) return at(1, price_column, "not found in the header row");
  const double nanos_per_unit = time_unit_seconds * double(kNanosPerSecond);

  GasPriceSeries series;
  double first_time = 0.0;
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (csv_trim(line).empty()) continue;
    const std::vector<std::string_view> fields = csv_split_fields(line);
    for (const auto& [index, name] :
         {std::pair{*time_index, time_column}, std::pair{*price_index, price_column}})
      if (index >= fields.size())
        return at(line_number, name,
                  "missing (row has " + std::to_string(fields.size()) + " fields, header has " +
                      std::to_string(header.size()) + ")");
    const std::string_view time_text = fields[*time_index];
    const std::string_view price_text = fields[*price_index];
    const std::optional<double> time = csv_parse_number(time_text);
    if (!time) return at(line_number, time_column, "not a number: '" + std::string(time_text) + "'");
    const std::optional<double> price = csv_parse_number(price_text);
    if (!price) return at(line_number, price_column, "not a number: '" + std::string(price_text) + "'");
    if (*price < 0.0)
      return at(line_number, price_column, "gas price must be >= 0: '" + std::string(price_text) + "'");
    const double wei = std::round(*price * wei_per_unit);
    if (!(wei <= double(kMaxGasPriceWei)))
      return at(line_number, price_column, "gas price above 1e7 gwei: '" + std::string(price_text) + "'");
    if (*price > 0.0 && wei < 1.0)
      return at(line_number, price_column,
                "gas price rounds to 0 at 1 wei resolution: '" + std::string(price_text) + "'");
    if (series.empty()) first_time = *time;
    const double nanos = std::round((*time - first_time) * nanos_per_unit);
    if (!(std::fabs(nanos) < 9.0e18))
      return at(line_number, time_column, "time out of range: '" + std::string(time_text) + "'");
    const Time t(static_cast<int64_t>(nanos));
    if (!series.empty() && t <= series.back().first)
      return at(
          line_number, time_column,
          "time '" + std::string(time_text) + "' is not after the previous row's time (times must increase)");
    series.emplace_back(t, static_cast<int64_t>(wei));
  }
  if (series.empty()) return path + ": no data rows after the header";
  return series;
}

}  // namespace liqsim
