// Cascade structure of a run's liquidations: which liquidation caused which, as a forest of trees
// rooted at liquidations that nothing earlier caused. Pure analysis over recorded liquidations.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/recorder.h"

namespace liqsim {

// Shape of the liquidation forest. Generation 0 is a root; a caused liquidation is one generation
// deeper than its cause.
struct CascadeStats {
  std::vector<uint32_t> generation;      // per liquidation, by index (== id)
  uint64_t generations = 0;              // 1 + max generation, 0 if there are no liquidations
  uint64_t largest_cascade = 0;          // liquidations in the largest tree
  uint64_t roots = 0;                    // liquidations with no cause
  double branching_ratio = 0;            // (N - roots) / N = mean children per liquidation; 0 if N == 0
  std::vector<uint64_t> per_generation;  // liquidations per generation, size == generations
};

// Liquidation i must have id == i and cause == kNoId or the id of an earlier liquidation; anything
// else is an invariant violation (the recorder produces dense ids and causal links only backwards).
CascadeStats analyze_cascades(std::span<const LiquidationRecord> liquidations);

}  // namespace liqsim
