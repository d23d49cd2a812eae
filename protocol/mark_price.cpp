#include "protocol/mark_price.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.h"

namespace liqsim {
using Wide = __int128;

std::string_view mark_method_name(MarkMethod method) {
  switch (method) {
    case MarkMethod::Index:
      return "index";
    case MarkMethod::Last:
      return "last";
    case MarkMethod::IndexPlusBasis:
      return "index_plus_basis";
    case MarkMethod::BinanceMedian:
      return "binance_median";
    case MarkMethod::HyperliquidMedian:
      return "hyperliquid_median";
    case MarkMethod::Oracle:
      return "oracle";
    case MarkMethod::BitmexFairPrice:
      return "bitmex_fair_price";
  }
  LIQSIM_CHECK(false, "unknown MarkMethod");
}

std::optional<MarkMethod> mark_method_from_string(std::string_view name) {
  for (MarkMethod m :
       {MarkMethod::Index, MarkMethod::Last, MarkMethod::IndexPlusBasis, MarkMethod::BinanceMedian,
        MarkMethod::HyperliquidMedian, MarkMethod::Oracle, MarkMethod::BitmexFairPrice}) {
    if (mark_method_name(m) == name) return m;
  }
  return std::nullopt;
}

Price median_of_three(Price a, Price b, Price c) {
  return std::max(std::min(a, b), std::min(std::max(a, b), c));
}

Price clamp_to_book(Price last, std::optional<Price> bid, std::optional<Price> ask) {
  if (bid && ask) return median_of_three(*bid, *ask, last);
  if (bid) return std::max(last, *bid);
  if (ask) return std::min(last, *ask);
  return last;
}

Price funding_basis_price(Price index, Ratio last_funding_rate, Time until_funding, Time funding_interval) {
  LIQSIM_CHECK(funding_interval > Time(0), "funding interval must be positive");
  // Index * (interval*1e9 + rate_raw*until) / (interval*1e9): one exact division.
  const Wide den = Wide(funding_interval.raw()) * kRatioScale;
  const Wide factor = den + Wide(last_funding_rate.raw()) * until_funding.raw();
  Wide product = 0;
  // 2 * product + den must fit too (div_nearest). Beyond 128 bits (a price near $1e12 with a
  // week-long interval) the same formula in double, which differs from the exact one only in the
  // last micro-dollars of such a price.
  if (!__builtin_mul_overflow(Wide(index.raw()), factor, &product) && product < (Wide(1) << 125) &&
      product > -(Wide(1) << 125)) {
    return Price(div_nearest(product, den));
  }
  const double scaled = double(index.raw()) * (double(factor) / double(den));
  return Price(static_cast<int64_t>(std::clamp(std::round(scaled), 1.0, 9.2e18)));
}

Price binance_mark(Price index, Ratio last_funding_rate, Time until_funding, Time funding_interval,
                   Price ma_basis_price, Price contract_price) {
  const Price price1 = funding_basis_price(index, last_funding_rate, until_funding, funding_interval);
  return median_of_three(price1, ma_basis_price, contract_price);
}

Price hyperliquid_mark(Price oracle_plus_basis_ema, std::optional<Price> local_median,
                       std::optional<Price> external_perp_median, Price local_median_ema30) {
  if (local_median && external_perp_median)
    return median_of_three(oracle_plus_basis_ema, *local_median, *external_perp_median);
  if (local_median) return median_of_three(oracle_plus_basis_ema, *local_median, local_median_ema30);
  if (external_perp_median)
    return median_of_three(oracle_plus_basis_ema, *external_perp_median, local_median_ema30);
  return oracle_plus_basis_ema;
}

BasisMovingAverage::BasisMovingAverage(Time sample_interval, size_t window_samples)
    : interval_(sample_interval), window_(window_samples) {
  LIQSIM_CHECK(sample_interval > Time(0), "basis sample interval must be positive");
  LIQSIM_CHECK(window_samples > 0, "basis window must hold at least one sample");
}

size_t BasisMovingAverage::observe(Time now, Price basis) {
  size_t due = 1;
  if (next_due_) {
    LIQSIM_CHECK(now >= *next_due_ - interval_, "basis observations must not go back in time");
    if (now < *next_due_) return 0;
    due = static_cast<size_t>((now - *next_due_).raw() / interval_.raw()) + 1;
    next_due_ = *next_due_ + interval_ * static_cast<int64_t>(due);
  } else {
    next_due_ = now + interval_;
  }
  const size_t filled = std::min(due, window_);  // older fill-ins would be evicted at once
  for (size_t i = 0; i < filled; ++i) {
    samples_.push_back(basis);
    sum_ += basis.raw();
    if (samples_.size() > window_) {
      sum_ -= samples_.front().raw();
      samples_.pop_front();
    }
  }
  return due;
}

std::optional<Price> BasisMovingAverage::average() const {
  if (samples_.empty()) return std::nullopt;
  return Price(div_nearest(sum_, static_cast<Wide>(samples_.size())));
}

BasisEma::BasisEma(Time tau) : tau_seconds_(to_seconds(tau)) {
  LIQSIM_CHECK(tau > Time(0), "EMA time constant must be positive");
}

void BasisEma::observe(Time now, Price sample) {
  if (last_time_) {
    LIQSIM_CHECK(now >= *last_time_, "EMA observations must not go back in time");
    const double t = to_seconds(now - *last_time_);
    const double decay = std::exp(-t / tau_seconds_);
    numerator_ = numerator_ * decay + double(sample.raw()) * t;
    denominator_ = denominator_ * decay + t;
  }
  last_time_ = now;
  last_sample_ = sample;
}

std::optional<Price> BasisEma::value() const {
  if (!last_time_) return std::nullopt;
  if (denominator_ <= 0.0) return last_sample_;
  return Price(static_cast<int64_t>(std::floor(numerator_ / denominator_ + 0.5)));
}

}  // namespace liqsim
