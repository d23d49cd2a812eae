// Random streams: one fully specified generator (xoshiro256**, Blackman & Vigna 2018) seeded by
// SplitMix64 from (master seed, stream kind, entity id), and our own distributions over it.
//
// Contract: a stream's draws depend only on its three seed parts, never on creation order, threads
// or the clock, and the distributions below are defined here (no std:: distributions, whose output
// differs between standard libraries). tests/core/rng_test.cpp freezes a reference sequence.
#pragma once

#include <cstdint>

namespace liqsim {

// What a stream is used for. Adding a kind never changes the draws of existing kinds.
enum class StreamKind : uint64_t {
  ExternalPrice = 1,
  VenueQuoteNoise = 2,
  NoiseTrader = 3,
  MarketMaker = 4,
  LeveragedTrader = 5,
  Keeper = 6,
  EventOrdering = 7,
  Population = 8,
  Oracle = 9,
  SweepDesign = 10,
  SweepRunSeed = 11,  // the seed of each run of a sweep (experiments/sweep_plan)
  LiquidityProvider = 12,
  ValueTrader = 13,
  Arbitrageur = 14,
  Deleveraging = 15,  // dYdX's random start of the deleveraging iteration, per liquidation
  Episode = 16,  // the seed of each episode of a game played on fresh seeds (experiments/keeper_entry_game)
  Hunter = 17,   // liquidation hunters' decision times (agents/liquidation_hunter)
  PreemptiveTrader = 18,  // which leveraged traders deleverage pre-emptively (agents/leveraged_trader)
  OptionWriter = 19,  // each option writer's capital, strategy, series and size (experiments/options_venue)
};

// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix.
uint64_t splitmix64_mix(uint64_t x);
// Seed of the stream (master, kind, entity): mixes each part in turn, so neighbouring ids decorrelate.
uint64_t stream_seed(uint64_t master_seed, StreamKind kind, uint64_t entity_id);

class Rng {
 public:
  explicit Rng(uint64_t seed);
  Rng(uint64_t master_seed, StreamKind kind, uint64_t entity_id)
      : Rng(stream_seed(master_seed, kind, entity_id)) {}
  // A generator with the given raw xoshiro256** state (for the published reference sequence).
  static Rng from_state(uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3);

  uint64_t next_u64();
  // Uniform integer in [0, n), n > 0, unbiased (Lemire 2019 multiply-shift with rejection).
  uint64_t uniform_below(uint64_t n);
  // Uniform integer in [lo, hi], lo <= hi.
  int64_t uniform_int(int64_t lo, int64_t hi);
  // Uniform double in [0, 1) with 53 random bits.
  double uniform01();
  // Uniform double in (0, 1]: safe inside log().
  double uniform01_open_low();
  bool bernoulli(double p);
  // Standard normal by the Marsaglia polar method; the spare value is cached in the stream.
  double normal();
  double exponential(double rate);
  // Poisson count: inversion by sequential search for mean < 30, otherwise the PTRS transformed
  // rejection of Hörmann (1993).
  uint64_t poisson(double mean);
  double lognormal(double mu, double sigma);

 private:
  uint64_t s_[4];
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace liqsim
