// Order statistics of integer samples (liquidation delays in nanoseconds, cascade sizes), exact: no
// interpolation, no floating point before the result.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/check.h"

namespace liqsim {

// The nearest-rank percentile of a sorted sample: the smallest value with at least `percent`% of the
// sample at or below it, sorted[ceil(percent * n / 100) - 1] (Hyndman & Fan 1996, definition 1; NIST
// Engineering Statistics Handbook 7.2.6.2). Always one of the sample's values; the 100th is the
// maximum. An empty sample gives T{}.
template <class T>
T nearest_rank(std::span<const T> sorted, uint32_t percent) {
  LIQSIM_CHECK(percent >= 1 && percent <= 100, "a percentile is in [1, 100]");
  if (sorted.empty()) return T{};
  const uint64_t n = sorted.size();
  const uint64_t rank = (uint64_t(percent) * n + 99) / 100;  // ceil(percent * n / 100), >= 1
  return sorted[size_t(rank - 1)];
}

// (value, how many times it occurs) for every distinct value of the sample, in increasing value.
template <class T>
std::vector<std::pair<T, uint64_t>> value_counts(std::vector<T> sample) {
  std::sort(sample.begin(), sample.end());
  std::vector<std::pair<T, uint64_t>> out;
  for (const T& x : sample) {
    if (out.empty() || out.back().first != x)
      out.emplace_back(x, 1);
    else
      ++out.back().second;
  }
  return out;
}

}  // namespace liqsim
