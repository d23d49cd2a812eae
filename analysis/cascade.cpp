#include "analysis/cascade.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/property_map/property_map.hpp>

#include "core/check.h"

namespace liqsim {
namespace {

using CascadeGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using Vertex = boost::graph_traits<CascadeGraph>::vertex_descriptor;
using Edge = boost::graph_traits<CascadeGraph>::edge_descriptor;

// Labels every vertex reached from a root with its depth and the root it hangs from.
class TreeLabeler : public boost::default_bfs_visitor {
 public:
  TreeLabeler(std::vector<uint32_t>& depth, std::vector<Vertex>& root) : depth_(&depth), root_(&root) {}

  void tree_edge(Edge e, const CascadeGraph& g) const {
    const Vertex from = boost::source(e, g);
    const Vertex to = boost::target(e, g);
    (*depth_)[to] = (*depth_)[from] + 1;
    (*root_)[to] = (*root_)[from];
  }

 private:
  std::vector<uint32_t>* depth_;
  std::vector<Vertex>* root_;
};

}  // namespace

CascadeStats analyze_cascades(std::span<const LiquidationRecord> liquidations) {
  const size_t n = liquidations.size();
  CascadeGraph graph(n);
  std::vector<Vertex> roots;
  for (size_t i = 0; i < n; ++i) {
    const LiquidationRecord& r = liquidations[i];
    LIQSIM_CHECK(r.id == static_cast<int64_t>(i), "liquidation ids must be dense and in order");
    const int64_t parent = cascade_parent(r);
    if (parent == kNoId) {
      roots.push_back(i);
      continue;
    }
    LIQSIM_CHECK(parent >= 0 && parent < r.id, "a liquidation's cause must be an earlier liquidation");
    boost::add_edge(static_cast<Vertex>(parent), i, graph);
  }

  CascadeStats stats;
  stats.generation.assign(n, 0);
  std::vector<Vertex> root_of(n);
  std::vector<boost::default_color_type> color(n, boost::white_color);
  auto color_map = boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, graph));
  boost::queue<Vertex> queue;
  for (Vertex root : roots) {
    root_of[root] = root;
    boost::breadth_first_visit(graph, root, queue, TreeLabeler(stats.generation, root_of), color_map);
  }

  std::vector<uint64_t> tree_size(n, 0);
  for (size_t i = 0; i < n; ++i) {
    ++tree_size[root_of[i]];
    const uint64_t g = stats.generation[i];
    if (g + 1 > stats.per_generation.size()) stats.per_generation.resize(g + 1, 0);
    ++stats.per_generation[g];
  }
  stats.generations = stats.per_generation.size();
  stats.largest_cascade = n == 0 ? 0 : *std::max_element(tree_size.begin(), tree_size.end());
  stats.roots = roots.size();
  stats.branching_ratio = n == 0 ? 0.0 : double(n - roots.size()) / double(n);
  return stats;
}

std::vector<uint64_t> cascade_sizes(std::span<const LiquidationRecord> liquidations) {
  // Causes point backwards, so one pass in id order knows the tree of every cause.
  std::vector<uint64_t> sizes;
  std::vector<size_t> tree(liquidations.size());
  for (size_t i = 0; i < liquidations.size(); ++i) {
    const LiquidationRecord& r = liquidations[i];
    LIQSIM_CHECK(r.id == static_cast<int64_t>(i), "liquidation ids must be dense and in order");
    const int64_t parent = cascade_parent(r);
    if (parent == kNoId) {
      tree[i] = sizes.size();
      sizes.push_back(0);
    } else {
      LIQSIM_CHECK(parent >= 0 && parent < r.id, "a liquidation's cause must be an earlier liquidation");
      tree[i] = tree[size_t(parent)];
    }
    ++sizes[tree[i]];
  }
  return sizes;
}

uint32_t CascadeCounter::add(const LiquidationRecord& r) {
  LIQSIM_CHECK(r.id == static_cast<int64_t>(count()), "liquidation ids must be dense and in order");
  uint32_t generation = 0;
  uint32_t tree = 0;
  const int64_t parent = cascade_parent(r);
  if (parent == kNoId) {
    tree = uint32_t(tree_size_.size());
    tree_size_.push_back(0);
  } else {
    LIQSIM_CHECK(parent >= 0 && parent < r.id, "a liquidation's cause must be an earlier liquidation");
    generation = generation_[size_t(parent)] + 1;
    tree = tree_[size_t(parent)];
  }
  generation_.push_back(generation);
  tree_.push_back(tree);
  largest_ = std::max(largest_, ++tree_size_[tree]);
  max_generation_ = std::max(max_generation_, generation);
  return generation;
}

}  // namespace liqsim
