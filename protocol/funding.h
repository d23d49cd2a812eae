// Perpetual funding: premium index, its average over the interval, the clamped funding rate, caps,
// interval scaling and the payment of one position.
//
// Source: Binance USDⓈ-M funding FAQ (https://www.binance.com/en/support/faq/360033525031), protocols.md
// 1.1; Hyperliquid funding (https://hyperliquid.gitbook.io/hyperliquid-docs/trading/funding), protocols.md
// 2.2, is the same formula with the oracle in place of the index, paid hourly at 1/8 of the 8 h rate.
// Rates are Ratio (1e-9). A rate is not an account-side quantity, so rate arithmetic that must divide
// rounds to the NEAREST raw unit (ties toward +infinity); payments round in the protocol's favour.
#pragma once

#include <cstddef>
#include <optional>

#include "core/units.h"

namespace liqsim {

// Binance default interest rate I = 0.01% per 8 h and the dead-zone clamp +-0.05% (FAQ).
inline constexpr Ratio kDefaultInterestRate8h{100'000};
inline constexpr Ratio kDefaultFundingClamp{500'000};
// Binance cap multiplier: cap = 0.75 * MMR at max leverage (vector #9).
inline constexpr Ratio kBinanceFundingCapMultiplier{750'000'000};
// Hyperliquid caps the hourly rate at 4% (protocols.md 2.2).
inline constexpr Ratio kHyperliquidHourlyCap{40'000'000};

// Premium index P = [max(0, impact_bid - index) - max(0, index - impact_ask)] / index, rounded to
// nearest. index > 0. For Hyperliquid pass the oracle as `index` (vector #22).
Ratio premium_index(Price impact_bid, Price impact_ask, Price index);

// How the premium samples of one interval are averaged.
enum class PremiumWeighting {
  TimeWeighted,  // (1*P1 + 2*P2 + ... + n*Pn) / (1 + 2 + ... + n): Binance 8 h intervals (vector #10)
  Equal,         // (P1 + ... + Pn) / n: Binance 1 h intervals, Hyperliquid's hourly average
};

// Accumulates the premium samples of one funding interval (every 5 s on Binance and Hyperliquid).
// Contract: exact integer sums; average() rounds to nearest once; reset() starts the next interval.
class PremiumAverager {
 public:
  explicit PremiumAverager(PremiumWeighting weighting) : weighting_(weighting) {}

  void add(Ratio premium);
  // Weighted mean of the samples since the last reset, rounded to nearest; empty with no samples.
  std::optional<Ratio> average() const;
  size_t count() const { return count_; }
  void reset();

 private:
  PremiumWeighting weighting_;
  size_t count_ = 0;
  __int128 weighted_sum_ = 0;  // sum of w_i * P_i raw
  __int128 weight_total_ = 0;  // sum of w_i
};

// F = P + clamp(I - P, -clamp, +clamp), exact. clamp >= 0. Vectors #7, #8, #22.
Ratio funding_rate(Ratio average_premium, Ratio interest, Ratio clamp);

// clamp(f, -cap, +cap), exact. cap >= 0. Vector #9.
Ratio cap_funding(Ratio rate, Ratio cap);

// Binance's cap for the listed symbols: multiplier * MMR at max leverage (0.75 * 0.4% = 0.3% for
// BTCUSDT; vector #9), rounded DOWN.
Ratio funding_cap_from_mmr(Ratio mmr_at_max_leverage, Ratio multiplier = kBinanceFundingCapMultiplier);

// A rate quoted per `reference` interval restated per `interval`: rate * interval / reference, rounded
// to nearest. Binance's F_N = F / (8/N) is scale_funding_rate(F, N hours, 8 hours); Hyperliquid's
// hourly rate is scale_funding_rate(F_8h, 1 hour, 8 hours). reference > 0.
Ratio scale_funding_rate(Ratio rate, Time interval, Time reference);

// Hyperliquid's hourly rate from its 8 h rate: cap_funding(F_8h / 8, 4%). Vector #22.
Ratio hyperliquid_hourly_rate(Ratio rate_8h, Ratio hourly_cap = kHyperliquidHourlyCap);

// Signed funding the position PAYS for one interval: size * mark * rate (positive for a long when the
// rate is positive; negative means the position receives). Amount, one exact division.
// Default Round::Up (toward +infinity) favours the protocol on both sides: a payer pays the rounded-up
// amount and a receiver gets the rounded-down magnitude, so the sum over all positions is >= 0 and the
// residual belongs to the protocol (fee pool). Round::Down gives the opposite bound.
Amount funding_payment(Quantity size, Price mark, Ratio rate, Round round = Round::Up);

}  // namespace liqsim
