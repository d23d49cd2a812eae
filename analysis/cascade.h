// Cascade structure of a run's liquidations: which liquidation caused which, as a forest of trees
// rooted at liquidations that nothing earlier caused. Pure analysis over recorded liquidations.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/recorder.h"

namespace liqsim {

// The parent of a liquidation in the cascade forest. Without an impact-free twin (endogenous
// Unmeasured) it is the recorded cause: the liquidation whose book fills moved the mark that the
// liquidation needed (protocol/cause_tracker.h). With the twin, only an Endogenous liquidation (one the
// impact-free world does not have at that time) has a parent, its recorded cause; an Exogenous one is a
// root even when book fills moved its mark, since the same account is liquidated by then without any
// liquidation's price impact. So on that basis a child is a liquidation that liquidations' impact
// caused, and the branching ratio is the share of such liquidations that the attribution traced back.
inline int64_t cascade_parent(const LiquidationRecord& r) {
  return r.endogenous == Endogeneity::Exogenous ? kNoId : r.cause;
}

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

// The number of liquidations in each cascade tree (a root and everything it caused, transitively), in
// the order of the roots; the sizes sum to the number of liquidations. Same preconditions as
// analyze_cascades.
std::vector<uint64_t> cascade_sizes(std::span<const LiquidationRecord> liquidations);

// The same figures built one liquidation at a time, in id order, as a run records them: O(1) per
// liquidation and 8 bytes per liquidation (its generation and its tree) plus 8 per tree, no graph. The
// run's summary and the streaming run file use it; analyze_cascades (Boost.Graph) serves files read
// back. Both give the same generations and figures (tests/analysis/cascade_test.cpp).
class CascadeCounter {
 public:
  // Adds the next liquidation (id == count(), cause kNoId or an earlier id; anything else is an
  // invariant violation) and returns its generation.
  uint32_t add(const LiquidationRecord& r);
  uint64_t count() const { return generation_.size(); }
  uint32_t generation(int64_t id) const { return generation_[size_t(id)]; }
  uint64_t generations() const { return count() == 0 ? 0 : uint64_t(max_generation_) + 1; }
  uint64_t largest_cascade() const { return largest_; }
  uint64_t roots() const { return tree_size_.size(); }
  double branching_ratio() const { return count() == 0 ? 0.0 : double(count() - roots()) / double(count()); }
  // The size of every tree (liquidations in it), in the order of their roots.
  std::span<const uint64_t> tree_sizes() const { return tree_size_; }

 private:
  std::vector<uint32_t> generation_;  // per liquidation
  std::vector<uint32_t> tree_;        // per liquidation: its root's position among the roots
  std::vector<uint64_t> tree_size_;   // per root
  uint32_t max_generation_ = 0;
  uint64_t largest_ = 0;
};

}  // namespace liqsim
