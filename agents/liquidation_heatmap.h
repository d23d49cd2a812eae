// A liquidation-cluster estimate built only from public data (the mark and the open interest), as
// public "liquidation heatmaps" (Coinglass, Hyblock) build theirs: every increase of the open interest
// is taken as positions opened at the current mark, both sides (a unit of open interest is one long and
// one short), spread over an assumed leverage mix, each at the price where that leverage is liquidated;
// a mark crossing a level removes its mass (liquidated or stopped), and each side is then scaled to the
// open interest (closed elsewhere) or topped up at the mark (re-opened). No account's state is read: the
// strategic populations that use it (agents/liquidation_hunter.h, LeveragedTraders' pre-emptive exits)
// document it as their information set.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace liqsim {

struct LiquidationHeatmapParams {
  std::vector<double> leverages = {3, 5, 10, 20, 50};         // assumed leverage mix, each > 1
  std::vector<double> weights = {0.3, 0.3, 0.25, 0.1, 0.05};  // its shares (normalised)
  double maintenance_rate = 0.005;  // liquidation at entry x (1 -+ 1/leverage +- maintenance_rate)
  double bucket = 0.0025;           // relative width of a price level (log buckets)
  double initial_spread = 0.05;     // the open interest seen first was entered uniformly within +-this
};

// Every problem with the parameters, naming `prefix.key`, the value and what is allowed.
std::vector<std::string> validate(const LiquidationHeatmapParams& p, const std::string& prefix);

// The cascade a cluster would set off, as the estimate predicts it: the price reaches the nearest
// level of the side within the approach distance (`first`), the liquidations there sell (buy) their
// mass into a book of the observed depth, which moves the price to levels further out, and so on until
// no new mass is reached (`end`). `mass` is the coins liquidated along the way.
struct CascadeEstimate {
  double first = 0;
  double end = 0;
  double mass = 0;
};

class LiquidationHeatmap {
 public:
  explicit LiquidationHeatmap(LiquidationHeatmapParams params);

  // One observation of the public feeds: mark ($ per coin, > 0) and open interest (coins, >= 0).
  void observe(double mark, double open_interest);

  // Coins of estimated long (short) liquidations at levels within [lo, hi].
  double long_mass(double lo, double hi) const;
  double short_mass(double lo, double hi) const;
  double total_long() const;
  double total_short() const;

  // The downward cascade from `mark` through long levels (upward through short ones when `down` is
  // false): nullopt when no level lies within `approach` (a fraction of the mark). `depth` is the
  // book's coins per unit of relative price move on the side the liquidations hit (> 0); each level's
  // mass counts `amplifier` times (a risk-averse reader's pessimism, >= 1); the move stops at
  // `max_move` from the mark.
  std::optional<CascadeEstimate> cascade(double mark, bool down, double depth, double approach,
                                         double amplifier = 1.0, double max_move = 0.5) const;

 private:
  int64_t bucket_of(double price) const;
  double price_of(int64_t bucket) const;  // the level's centre
  // Positions entered at `entry`: long_coins long, short_coins short, over the leverage mix.
  void open_at(double entry, double long_coins, double short_coins);
  static void scale_to(std::map<int64_t, double>& side, double target);

  LiquidationHeatmapParams params_;
  double log_step_ = 0;
  std::map<int64_t, double> longs_, shorts_;  // bucket -> coins
  std::optional<double> last_open_interest_;
};

}  // namespace liqsim
