// The chain's base fee over time: what one keeper liquidation transaction pays before its priority fee.
// Three paths (docs/ARCHITECTURE.md, "The chain"):
// - constant: the same fee at every block (the default);
// - spike: the constant fee times a multiple over a window, a trapezoid in time: up linearly over
//   `ramp`, flat at `multiple`, down linearly over `ramp`, back to the fee after `duration`;
// - replay: a recorded gas price (wei per gas unit) from a CSV file, converted to dollars per
//   transaction as gas price x gas units per transaction x the ETH price (Ethereum's fee: gas used x gas
//   price, paid in ETH).
// Every value is exact fixed point; each function states its rounding (up: the fee is rounded against
// the keeper who pays it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/units.h"

namespace liqsim {

constexpr int64_t kWeiPerGwei = 1'000'000'000;
constexpr int64_t kWeiPerEth = 1'000'000'000'000'000'000;
// Largest gas price a replay may hold: 1e7 gwei (the highest recorded Ethereum prices are a few
// thousand gwei), so gas price x gas units x ETH price stays inside 128 bits.
constexpr int64_t kMaxGasPriceWei = 10'000'000 * kWeiPerGwei;
// Largest base fee of one transaction: $1e12, the validator's bound on any dollar value; a replay whose
// conversion exceeds it (a market-priced ETH far beyond its start) is clamped there.
constexpr int64_t kMaxBaseFeeRaw = 1'000'000'000'000 * kAmountScale;

// A recorded gas price: (time since the start of the run, wei per gas unit), times strictly increasing.
using GasPriceSeries = std::vector<std::pair<Time, int64_t>>;

enum class GasInterpolation : uint8_t {
  Step,    // the last point at or before t
  Linear,  // straight line between neighbouring points, rounded toward zero wei (down)
};

struct GasSpike {
  Time start;
  Time duration;   // from start until the fee is back at its base, > 0
  Time ramp;       // rise time and fall time each, 2 * ramp <= duration
  Ratio multiple;  // the fee's multiple on the flat top, > 0
};

struct GasReplay {
  GasPriceSeries series;  // at least one point
  GasInterpolation interpolation = GasInterpolation::Step;
  int64_t gas_per_transaction = 0;  // gas units of one liquidation transaction, > 0
};

class GasPricePath {
 public:
  // The same fee at every block.
  static GasPricePath constant(Amount fee);
  // `fee` outside the spike, `fee` x the spike's multiple on its top.
  static GasPricePath spike(Amount fee, GasSpike spike);
  // A recorded gas price in wei, converted with the ETH price given to base_fee().
  static GasPricePath replay(GasReplay replay);

  // Base fee of one liquidation transaction at `t` (>= 0), in micro-dollars, rounded up. `eth_price`
  // (micro-dollars per ETH, > 0) is read by the replay path only:
  //   fee = ceil(wei(t) x gas_per_transaction x eth_price / 1e18), at most kMaxBaseFeeRaw.
  // Spike: fee x m(t) rounded up, m(t) = 1 + (multiple - 1) x (the trapezoid's height at t, in [0, 1]),
  // the height's fraction rounded toward zero at 1e-9.
  Amount base_fee(Time t, Price eth_price) const;
  // The spike's multiple at t (1 outside it), at 1e-9; 1 for the other paths.
  Ratio multiple(Time t) const;
  // The replay's gas price at t in wei (step or linear); nothing for the other paths.
  std::optional<int64_t> gas_price_wei(Time t) const;
  bool needs_eth_price() const { return kind_ == Kind::Replay; }

 private:
  enum class Kind : uint8_t { Constant, Spike, Replay };
  Kind kind_ = Kind::Constant;
  Amount fee_;
  GasSpike spike_{};
  GasReplay replay_;
};

// Reads a gas price series from a CSV file with a header row. The time column holds numbers in units of
// time_unit_seconds and is re-based so the first row is time 0; times must be strictly increasing. The
// price column holds gas prices in units of `wei_per_unit` wei (1 for wei, 1e9 for gwei), finite, >= 0,
// at most kMaxGasPriceWei, and a positive price must not round to 0 wei. Blank lines are skipped.
// Read by read_time_value_csv (market/time_value_csv.h). Returns the series, or an error naming the
// file, the line, the column and the value.
std::variant<GasPriceSeries, std::string> load_gas_price_csv(const std::string& path,
                                                             const std::string& time_column,
                                                             const std::string& price_column,
                                                             double time_unit_seconds, double wei_per_unit);

}  // namespace liqsim
