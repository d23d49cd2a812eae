#include "experiments/sweep_plan.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "analysis/run_file.h"
#include "core/rng.h"
#include "experiments/presets.h"
#include "experiments/scenario_schema.h"
#include "experiments/toml_values.h"
#include "experiments/version.h"

namespace liqsim {
namespace {

using schema::join;
using schema::kMaxSeed;
using schema::quote;
using schema::toml_float;
using toml_values::key_text;
using toml_values::toml_text;

constexpr size_t kMaxSweepFileBytes = size_t{4} << 20;
constexpr size_t kMaxProblemsShown = 40;

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    default:
      return "date or time";
  }
}

// A number as the loader should receive it: an integer literal when the value is a whole number that
// a double holds exactly (integer keys accept only those; number keys accept both), else a float
// literal that parses back to exactly `x`.
std::string number_text(double x) {
  if (std::isfinite(x) && x == std::trunc(x) && std::fabs(x) <= 9007199254740992.0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", x == 0 ? 0.0 : x);
    return buf;
  }
  return toml_float(x);
}

std::string overrides_text(const std::vector<ScenarioOverride>& set) {
  std::string out = "{";
  for (size_t k = 0; k < set.size(); ++k)
    out += (k > 0 ? ", " : "") + key_text(set[k].key) + " = " + set[k].value;
  return out + "}";
}

class SweepReader {
 public:
  explicit SweepReader(std::vector<ScenarioError>& errors) : errors_(errors) {}

  void add(std::string key, const toml::node* n, std::string problem, std::string allowed) {
    ScenarioError e;
    e.key = std::move(key);
    if (n != nullptr) {
      if (auto text = toml_text(*n)) e.value = text->size() > 80 ? text->substr(0, 77) + "..." : *text;
      e.line = static_cast<int>(n->source().begin.line);
      e.column = static_cast<int>(n->source().begin.column);
    }
    e.problem = std::move(problem);
    e.allowed = std::move(allowed);
    errors_.push_back(std::move(e));
  }

  // Every key of `table` that is not in `allowed`.
  void unknown_keys(const toml::table& table, const std::string& path,
                    std::initializer_list<const char*> allowed) {
    std::vector<std::string> names(allowed.begin(), allowed.end());
    for (auto&& [key, node] : table) {
      if (std::find(names.begin(), names.end(), key.str()) != names.end()) continue;
      ScenarioError e;
      e.key = path.empty() ? std::string(key.str()) : path + "." + std::string(key.str());
      if (auto text = toml_text(node)) e.value = text->size() > 80 ? text->substr(0, 77) + "..." : *text;
      e.problem = "unknown key";
      e.allowed = join(names, ", ");
      e.line = static_cast<int>(key.source().begin.line);
      e.column = static_cast<int>(key.source().begin.column);
      errors_.push_back(std::move(e));
    }
  }

  std::optional<int64_t> integer(const toml::table& table, const std::string& path, const char* key,
                                 int64_t lo, int64_t hi) {
    const toml::node* n = table.get(key);
    if (n == nullptr) return std::nullopt;
    const std::string name = path.empty() ? key : path + "." + key;
    const std::string allowed = "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    const auto* i = n->as_integer();
    if (i == nullptr) {
      add(name, n, "wrong type (" + type_name(*n) + ")", allowed);
      return std::nullopt;
    }
    if (i->get() < lo || i->get() > hi) {
      add(name, n, "out of range", allowed);
      return std::nullopt;
    }
    return i->get();
  }

  std::optional<double> number(const toml::table& table, const std::string& path, const char* key) {
    const toml::node* n = table.get(key);
    if (n == nullptr) return std::nullopt;
    const std::string name = path + "." + key;
    double x = 0;
    if (const auto* f = n->as_floating_point()) {
      x = f->get();
    } else if (const auto* i = n->as_integer()) {
      x = static_cast<double>(i->get());
    } else {
      add(name, n, "wrong type (" + type_name(*n) + ")", "a finite number");
      return std::nullopt;
    }
    if (!std::isfinite(x)) {
      add(name, n, "not finite", "a finite number");
      return std::nullopt;
    }
    return x;
  }

  std::optional<std::string> text(const toml::table& table, const std::string& path, const char* key,
                                  const std::string& allowed) {
    const toml::node* n = table.get(key);
    if (n == nullptr) return std::nullopt;
    const std::string name = path.empty() ? key : path + "." + key;
    const auto* s = n->as_string();
    if (s == nullptr) {
      add(name, n, "wrong type (" + type_name(*n) + ")", allowed);
      return std::nullopt;
    }
    return s->get();
  }

  std::optional<bool> flag(const toml::table& table, const std::string& path, const char* key) {
    const toml::node* n = table.get(key);
    if (n == nullptr) return std::nullopt;
    const auto* b = n->as_boolean();
    if (b == nullptr) {
      add(path.empty() ? key : path + "." + key, n, "wrong type (" + type_name(*n) + ")", "true | false");
      return std::nullopt;
    }
    return b->get();
  }

  // `keep`: a word or an array of words, each "summary" (nothing beyond the row), "timeseries",
  // "events" (every /events table), "all" or a table's name; the kept tables in the run file's order.
  std::vector<std::string> keep_list(const toml::node& node) {
    const std::vector<std::string> names = sweep_keep_names();
    const std::string allowed = "\"summary\", \"timeseries\", \"events\", \"all\" or a run-file table (" +
                                join(std::vector<std::string>(names.begin() + 1, names.end()), ", ") +
                                "), or an array of these";
    std::vector<const toml::node*> words;
    if (const auto* array = node.as_array()) {
      for (size_t k = 0; k < array->size(); ++k) words.push_back(array->get(k));
    } else {
      words.push_back(&node);
    }
    std::set<std::string> kept;
    for (size_t k = 0; k < words.size(); ++k) {
      const std::string path = node.is_array() ? "keep[" + std::to_string(k) + "]" : "keep";
      const auto* word = words[k]->as_string();
      if (word == nullptr) {
        add(path, words[k], "wrong type (" + type_name(*words[k]) + ")", allowed);
        continue;
      }
      const std::string& w = word->get();
      if (w == "summary") continue;
      if (w == "all") {
        kept.insert(names.begin(), names.end());
      } else if (w == "events") {
        for (const TableSpec& table : run_file_schema::tables()) {
          if (std::string_view(table.group) == "/events") kept.insert(table.name);
        }
      } else if (std::find(names.begin(), names.end(), w) != names.end()) {
        kept.insert(w);
      } else {
        add(path, words[k], "not a table a run file holds", allowed);
      }
    }
    std::vector<std::string> out;
    for (const std::string& name : names) {
      if (kept.count(name) > 0) out.push_back(name);
    }
    return out;
  }

  // A `set` table: scenario keys to values. Nested tables are dotted paths (`traders.count = 5` and
  // `"traders.count" = 5` mean the same key); any other value is one override.
  std::vector<ScenarioOverride> set_table(const toml::node& node, const std::string& path) {
    std::vector<ScenarioOverride> out;
    const auto* table = node.as_table();
    if (table == nullptr) {
      add(path, &node, "wrong type (" + type_name(node) + ")",
          "a table of scenario keys, e.g. { \"liquidation.mechanism\" = \"none\" }");
      return out;
    }
    std::set<std::string> seen;
    flatten(*table, "", path, out, seen);
    return out;
  }

 private:
  void flatten(const toml::table& table, const std::string& prefix, const std::string& path,
               std::vector<ScenarioOverride>& out, std::set<std::string>& seen) {
    for (auto&& [key, node] : table) {
      const std::string name =
          prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
      if (const auto* sub = node.as_table()) {
        flatten(*sub, name, path, out, seen);
        continue;
      }
      auto text = toml_text(node);
      if (!text) {
        add(path + "." + key_text(name), &node, "wrong type (" + type_name(node) + ")",
            "a value a scenario key takes (number, string, boolean, array)");
        continue;
      }
      if (!seen.insert(name).second) {
        add(path + "." + key_text(name), &node, "set twice", "each scenario key once");
        continue;
      }
      if (name == "seed") {
        add(path + "." + key_text(name), &node, "the sweep gives every run its seed (see `seed` and `seeds`)",
            "any scenario key but seed");
        continue;
      }
      out.push_back({name, *text});
    }
  }

  std::vector<ScenarioError>& errors_;
};

std::string axis_name(size_t axis, const std::string& key) {
  return "axes[" + std::to_string(axis) + "] (" + key + ")";
}

std::vector<std::string> shown(std::vector<std::string> problems) {
  if (problems.size() > kMaxProblemsShown) {
    const size_t more = problems.size() - kMaxProblemsShown;
    problems.resize(kMaxProblemsShown);
    problems.push_back("... and " + std::to_string(more) + " more");
  }
  return problems;
}

// The value a range takes at u in [0, 1].
double range_at(const SweepRange& r, double u) {
  return r.log ? r.from * std::pow(r.to / r.from, u) : r.from + u * (r.to - r.from);
}

SweepValue range_value(const SweepRange& r, double x) {
  if (r.integer) x = std::round(x);
  return {number_text(x), x};
}

// Grid values of a range: `steps` values from `from` to `to` inclusive (both exact), evenly spaced or
// with evenly spaced logarithms.
std::vector<SweepValue> grid_values(const SweepRange& r) {
  std::vector<SweepValue> out;
  const double last = double(r.steps - 1);
  for (uint64_t i = 0; i < r.steps; ++i) {
    double x;
    if (i == 0) {
      x = r.from;
    } else if (i + 1 == r.steps) {
      x = r.to;
    } else if (r.log) {
      x = r.from * std::pow(r.to / r.from, double(i) / last);
    } else {
      x = (double(r.steps - 1 - i) * r.from + double(i) * r.to) / last;
    }
    out.push_back(range_value(r, x));
  }
  return out;
}

}  // namespace

std::vector<std::string> sweep_keep_names() {
  std::vector<std::string> names = {"timeseries"};
  for (const TableSpec& table : run_file_schema::tables()) names.emplace_back(table.name);
  return names;
}

std::string keep_text(const std::vector<std::string>& keep) {
  std::string out = "[";
  for (size_t k = 0; k < keep.size(); ++k) out += (k > 0 ? ", " : "") + quote(keep[k]);
  return out + "]";
}

std::string_view design_name(SweepDesign design) {
  switch (design) {
    case SweepDesign::Grid:
      return "grid";
    case SweepDesign::Random:
      return "random";
    case SweepDesign::LatinHypercube:
      return "latin_hypercube";
  }
  return "grid";
}

SweepSpecResult parse_sweep_text(std::string_view text, const std::string& source_name,
                                 const std::string& source_dir) {
  if (auto problem = precheck_toml_text(text)) return std::vector<ScenarioError>{std::move(*problem)};
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    ScenarioError e;
    e.problem = "TOML syntax error: " + std::string(error.description());
    e.line = static_cast<int>(error.source().begin.line);
    e.column = static_cast<int>(error.source().begin.column);
    return std::vector<ScenarioError>{std::move(e)};
  }

  std::vector<ScenarioError> errors;
  SweepReader r(errors);
  SweepSpec spec;
  spec.text = std::string(text);
  spec.source_name = source_name;
  spec.source_dir = source_dir;
  r.unknown_keys(
      root, "",
      {"base", "seeds", "seed", "design", "points", "base_variant", "set", "axes", "variants", "keep"});

  const std::string preset_names = [] {
    std::vector<std::string> names;
    for (const Preset& preset : presets()) names.emplace_back(preset.name);
    return join(names, ", ");
  }();
  if (auto base = r.text(root, "", "base", "a preset name (" + preset_names + ") or a scenario file path")) {
    if (base->empty()) {
      r.add("base", root.get("base"), "empty",
            "a preset name (" + preset_names + ") or a scenario file path");
    }
    spec.base = *base;
  } else if (!root.contains("base")) {
    r.add("base", nullptr, "missing (required)",
          "a preset name (" + preset_names + ") or a scenario file path, relative to the sweep file");
  }
  if (auto seeds = r.integer(root, "", "seeds", 1, int64_t(kMaxSweepRuns))) spec.seeds = uint64_t(*seeds);
  if (auto seed = r.integer(root, "", "seed", 0, kMaxSeed)) spec.seed = uint64_t(*seed);
  const std::string designs = "\"grid\" | \"random\" | \"latin_hypercube\"";
  if (auto design = r.text(root, "", "design", designs)) {
    if (*design == "grid") {
      spec.design = SweepDesign::Grid;
    } else if (*design == "random") {
      spec.design = SweepDesign::Random;
    } else if (*design == "latin_hypercube") {
      spec.design = SweepDesign::LatinHypercube;
    } else {
      r.add("design", root.get("design"), "not one of the choices", designs);
    }
  }
  const bool sampled = spec.design != SweepDesign::Grid;
  if (const toml::node* points = root.get("points")) {
    if (!sampled) {
      r.add("points", points, "only for design = \"random\" or \"latin_hypercube\"",
            "no points with design = \"grid\" (every combination of the axes' values)");
    } else if (auto n = r.integer(root, "", "points", 1, int64_t(kMaxSweepRuns))) {
      spec.points = uint64_t(*n);
    }
  } else if (sampled) {
    r.add("points", nullptr,
          "missing (required by design = \"" + std::string(design_name(spec.design)) + "\")",
          "an integer in [1, " + std::to_string(kMaxSweepRuns) + "]");
  }
  if (auto base_variant = r.flag(root, "", "base_variant")) spec.base_variant = *base_variant;
  if (const toml::node* keep = root.get("keep")) spec.keep = r.keep_list(*keep);
  if (const toml::node* set = root.get("set")) {
    spec.set = r.set_table(*set, "set");
    spec.set_text = overrides_text(spec.set);
  } else {
    spec.set_text = "{}";
  }

  // [[axes]]
  if (const toml::node* axes = root.get("axes")) {
    const auto* array = axes->as_array();
    if (array == nullptr ||
        !std::all_of(array->begin(), array->end(), [](const toml::node& n) { return n.is_table(); })) {
      r.add("axes", axes, "wrong type (" + type_name(*axes) + ")", "an array of tables ([[axes]])");
    } else {
      for (size_t a = 0; a < array->size(); ++a) {
        const toml::table& table = *array->get(a)->as_table();
        const std::string path = "axes[" + std::to_string(a) + "]";
        r.unknown_keys(table, path, {"key", "values", "range"});
        SweepAxis axis;
        if (auto key = r.text(table, path, "key", "a dotted scenario key, e.g. traders.leverage.mean")) {
          axis.key = *key;
          if (axis.key.empty()) {
            r.add(path + ".key", table.get("key"), "empty",
                  "a dotted scenario key, e.g. traders.leverage.mean");
          } else if (axis.key == "seed") {
            r.add(path + ".key", table.get("key"),
                  "the sweep gives every run its seed (see `seed` and `seeds`)", "any scenario key but seed");
          }
        } else if (!table.contains("key")) {
          r.add(path + ".key", &table, "missing (required)",
                "a dotted scenario key, e.g. traders.leverage.mean");
        }
        const toml::node* values = table.get("values");
        const toml::node* range = table.get("range");
        if ((values == nullptr) == (range == nullptr)) {
          r.add(path, &table, values == nullptr ? "neither values nor range" : "both values and range",
                "one of values = [...] or range = { from, to, steps, scale }");
        } else if (values != nullptr) {
          const auto* list = values->as_array();
          if (list == nullptr) {
            r.add(path + ".values", values, "wrong type (" + type_name(*values) + ")", "an array of values");
          } else if (list->empty()) {
            r.add(path + ".values", values, "empty axis", "at least one value");
          } else {
            bool ok = true;
            for (size_t k = 0; k < list->size(); ++k) {
              const toml::node& element = *list->get(k);
              auto element_text = toml_text(element);
              if (!element_text) {
                r.add(path + ".values[" + std::to_string(k) + "]", &element,
                      "wrong type (" + type_name(element) + ")",
                      "values a scenario key takes (number, string, boolean, array)");
                ok = false;
                continue;
              }
              double column = double(k);
              if (const auto* i = element.as_integer()) column = double(i->get());
              if (const auto* f = element.as_floating_point()) column = f->get();
              if (const auto* b = element.as_boolean()) column = b->get() ? 1 : 0;
              axis.values.push_back({*element_text, column});
            }
            if (ok) axis.definition = "values = " + *toml_text(*values);
          }
        } else {
          const auto* range_table = range->as_table();
          const std::string range_path = path + ".range";
          if (range_table == nullptr) {
            r.add(range_path, range, "wrong type (" + type_name(*range) + ")",
                  "a table { from, to, steps, scale = \"linear\" | \"log\", integer }");
          } else {
            r.unknown_keys(*range_table, range_path, {"from", "to", "steps", "scale", "integer"});
            SweepRange spec_range;
            bool ok = true;
            auto from = r.number(*range_table, range_path, "from");
            auto to = r.number(*range_table, range_path, "to");
            for (const char* bound : {"from", "to"}) {
              if (!range_table->contains(bound)) {
                r.add(range_path + "." + bound, range_table, "missing (required)", "a finite number");
              }
            }
            ok = from && to;
            if (auto scale = r.text(*range_table, range_path, "scale", "\"linear\" | \"log\"")) {
              if (*scale == "log") {
                spec_range.log = true;
              } else if (*scale != "linear") {
                r.add(range_path + ".scale", range_table->get("scale"), "not one of the choices",
                      "\"linear\" | \"log\"");
                ok = false;
              }
            } else if (range_table->contains("scale")) {
              ok = false;
            }
            if (auto integer = r.flag(*range_table, range_path, "integer")) spec_range.integer = *integer;
            if (const toml::node* steps = range_table->get("steps")) {
              if (sampled) {
                r.add(range_path + ".steps", steps, "only for design = \"grid\"",
                      "no steps with design = \"" + std::string(design_name(spec.design)) +
                          "\" (`points` draws the values)");
                ok = false;
              } else if (auto n = r.integer(*range_table, range_path, "steps", 2, int64_t(kMaxSweepRuns))) {
                spec_range.steps = uint64_t(*n);
              } else {
                ok = false;
              }
            } else if (!sampled) {
              r.add(range_path + ".steps", range_table, "missing (required by design = \"grid\")",
                    "an integer in [2, " + std::to_string(kMaxSweepRuns) + "]");
              ok = false;
            }
            if (from && to) {
              spec_range.from = *from;
              spec_range.to = *to;
              if (*from == *to) {
                r.add(range_path, range_table, "from = to = " + number_text(*from) + ": an empty range",
                      "from != to (a single value: values = [x])");
                ok = false;
              } else if (spec_range.log && (*from <= 0 || *to <= 0)) {
                r.add(range_path, range_table, "scale = \"log\" with a bound <= 0", "from > 0 and to > 0");
                ok = false;
              }
            }
            if (ok) {
              axis.range = spec_range;
              axis.definition =
                  "range = {from = " + toml_float(spec_range.from) + ", to = " + toml_float(spec_range.to) +
                  (spec_range.steps > 0 ? ", steps = " + std::to_string(spec_range.steps) : "") +
                  ", scale = \"" + (spec_range.log ? "log" : "linear") + "\"" +
                  (spec_range.integer ? ", integer = true" : "") + "}";
            }
          }
        }
        spec.axes.push_back(std::move(axis));
      }
    }
  }
  // Keys: distinct axes, none named like another /metrics column; the sweep's set and the variants do
  // not change what an axis varies.
  std::map<std::string, size_t> axis_of_key;
  std::vector<std::string> reserved = {"run",      "point",  "seed_index", "variant",
                                       "run_seed", "status", "error"};
  for (const FieldSpec& field : run_file_schema::summary()) reserved.emplace_back(field.name);
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    const std::string& key = spec.axes[a].key;
    if (key.empty()) continue;
    if (std::find(reserved.begin(), reserved.end(), key) != reserved.end()) {
      r.add("axes[" + std::to_string(a) + "].key", nullptr, "names a /metrics column of its own",
            "a scenario key other than " + join(reserved, ", "));
    }
    const auto [it, inserted] = axis_of_key.emplace(key, a);
    if (!inserted) {
      r.add("axes[" + std::to_string(a) + "].key", nullptr,
            quote(key) + " is also " + axis_name(it->second, key), "each scenario key on one axis");
    }
  }
  for (const ScenarioOverride& o : spec.set) {
    if (auto it = axis_of_key.find(o.key); it != axis_of_key.end()) {
      r.add("set." + key_text(o.key), nullptr, "also varied by " + axis_name(it->second, o.key),
            "keys no axis varies");
    }
  }

  // [[variants]]
  if (const toml::node* variants = root.get("variants")) {
    const auto* array = variants->as_array();
    if (array == nullptr ||
        !std::all_of(array->begin(), array->end(), [](const toml::node& n) { return n.is_table(); })) {
      r.add("variants", variants, "wrong type (" + type_name(*variants) + ")",
            "an array of tables ([[variants]])");
    } else {
      std::map<std::string, size_t> index_of_name;
      if (spec.base_variant) index_of_name.emplace("base", SIZE_MAX);
      for (size_t v = 0; v < array->size(); ++v) {
        const toml::table& table = *array->get(v)->as_table();
        const std::string path = "variants[" + std::to_string(v) + "]";
        r.unknown_keys(table, path, {"name", "set"});
        SweepVariant variant;
        const std::string names = "a non-empty name, distinct from the other variants'";
        if (auto name = r.text(table, path, "name", names)) {
          variant.name = *name;
          const bool control = std::any_of(name->begin(), name->end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
          });
          if (name->empty() || control) {
            r.add(path + ".name", table.get("name"), name->empty() ? "empty" : "control characters", names);
          } else if (const auto [it, inserted] = index_of_name.emplace(*name, v); !inserted) {
            r.add(path + ".name", table.get("name"),
                  "duplicate variant name (also " +
                      (it->second == SIZE_MAX ? std::string("the base variant, base_variant = true")
                                              : "variants[" + std::to_string(it->second) + "]") +
                      ")",
                  names);
          }
        } else if (!table.contains("name")) {
          r.add(path + ".name", &table, "missing (required)", names);
        }
        if (const toml::node* set = table.get("set")) {
          variant.set = r.set_table(*set, path + ".set");
          for (const ScenarioOverride& o : variant.set) {
            if (auto it = axis_of_key.find(o.key); it != axis_of_key.end()) {
              r.add(path + ".set." + key_text(o.key), nullptr,
                    "also varied by " + axis_name(it->second, o.key), "keys no axis varies");
            }
          }
        }
        variant.set_text = overrides_text(variant.set);
        spec.variants.push_back(std::move(variant));
      }
    }
  }
  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(), [](const ScenarioError& a, const ScenarioError& b) {
      const int line_a = a.line > 0 ? a.line : INT_MAX;
      const int line_b = b.line > 0 ? b.line : INT_MAX;
      return line_a != line_b ? line_a < line_b : a.column < b.column;
    });
    return errors;
  }
  return spec;
}

SweepSpecResult parse_sweep_file(const std::string& path) {
  namespace fs = std::filesystem;
  const auto fail = [&](std::string problem) {
    ScenarioError e;
    e.value = path;
    e.problem = std::move(problem);
    return std::vector<ScenarioError>{std::move(e)};
  };
  std::error_code ec;
  if (!fs::exists(path, ec)) return fail("sweep file not found");
  if (fs::is_directory(path, ec)) return fail("a directory, not a sweep file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("sweep file cannot be opened for reading");
  std::string text;
  char chunk[65536];
  while (text.size() <= kMaxSweepFileBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    text.append(chunk, size_t(in.gcount()));
  }
  if (in.bad()) return fail("error while reading the sweep file");
  if (text.size() > kMaxSweepFileBytes)
    return fail("larger than 4 MiB; allowed: a sweep file of at most that size");
  std::string dir = fs::path(path).parent_path().string();
  return parse_sweep_text(text, path, dir.empty() ? "." : dir);
}

uint64_t sweep_run_seed(uint64_t sweep_seed, uint64_t point, uint64_t seed_index) {
  // Points and seed indices are below 2^32 (kMaxSweepRuns): one entity id holds both.
  return stream_seed(sweep_seed, StreamKind::SweepRunSeed, (point << 32) | seed_index) >> 1;
}

std::variant<SweepPlan, std::vector<std::string>> SweepPlan::expand(SweepSpec spec) {
  SweepPlan plan;
  plan.spec_ = std::move(spec);
  const SweepSpec& s = plan.spec_;
  std::vector<std::string> problems;
  if (plan.variants() == 0) {
    problems.push_back(
        "base_variant = false and no [[variants]]: the design yields zero runs; allowed: "
        "base_variant = true, or at least one [[variants]]");
  }
  const size_t axes = s.axes.size();
  // The run count first: nothing is expanded for a design that is refused.
  unsigned __int128 point_count = s.design == SweepDesign::Grid ? 1 : s.points;
  if (s.design == SweepDesign::Grid) {
    for (const SweepAxis& axis : s.axes) {
      point_count *= axis.range ? axis.range->steps : axis.values.size();
      if (point_count > kMaxSweepRuns) point_count = kMaxSweepRuns + 1;  // saturate
    }
  }
  const unsigned __int128 runs = point_count * s.seeds * plan.variants();
  if (runs > kMaxSweepRuns) {
    problems.push_back("the design yields " +
                       (point_count > kMaxSweepRuns
                            ? std::string("more than ") + std::to_string(kMaxSweepRuns)
                            : std::to_string(uint64_t(runs))) +
                       " runs (points x seeds x variants); allowed: at most " +
                       std::to_string(kMaxSweepRuns) + " per sweep file");
    return problems;
  }
  if (s.design == SweepDesign::Grid) {
    plan.grid_values_.resize(axes);
    unsigned __int128 points = 1;
    for (size_t a = 0; a < axes; ++a) {
      const SweepAxis& axis = s.axes[a];
      std::vector<SweepValue> values = axis.range ? grid_values(*axis.range) : axis.values;
      std::map<std::string, size_t> first;
      for (size_t k = 0; k < values.size(); ++k) {
        if (const auto [it, inserted] = first.emplace(values[k].toml, k); !inserted) {
          problems.push_back(axis_name(a, axis.key) + ": value " + values[k].toml +
                             " appears twice (positions " + std::to_string(it->second) + " and " +
                             std::to_string(k) +
                             (axis.range && axis.range->integer ? ", after rounding to integers" : "") +
                             "); allowed: distinct values");
          break;
        }
      }
      if (values.empty())
        problems.push_back(axis_name(a, axis.key) + ": empty axis; allowed: at least one value");
      points *= values.size();
      plan.grid_values_[a] = std::move(values);
    }
    plan.points_ = uint64_t(points);
    plan.strides_.assign(axes, 1);
    for (size_t a = axes; a-- > 1;) {
      plan.strides_[a - 1] = plan.strides_[a] * std::max<uint64_t>(plan.grid_values_[a].size(), 1);
    }
  } else {
    plan.drawn_.resize(axes);
    plan.points_ = s.points;
    const uint64_t n = s.points;
    for (size_t a = 0; a < axes; ++a) {
      const SweepAxis& axis = s.axes[a];
      if (!axis.range && axis.values.empty()) {
        problems.push_back(axis_name(a, axis.key) + ": empty axis; allowed: at least one value");
        continue;
      }
      Rng rng(s.seed, StreamKind::SweepDesign, a);
      std::vector<double>& out = plan.drawn_[a];
      out.reserve(n);
      const auto range_point = [&](double u) {
        const double x = range_at(*axis.range, u);
        return axis.range->integer ? std::round(x) : x;
      };
      if (s.design == SweepDesign::Random) {
        for (uint64_t i = 0; i < n; ++i) {
          out.push_back(axis.range ? range_point(rng.uniform01())
                                   : double(rng.uniform_below(axis.values.size())));
        }
      } else {
        // Latin hypercube: a random permutation assigns one of n equal strata to each point; a range
        // axis takes a uniform position inside its stratum, a values axis the value whose share of
        // the strata holds it (each value n / count times, +-1).
        std::vector<uint64_t> stratum(n);
        for (uint64_t i = 0; i < n; ++i) stratum[i] = i;
        for (uint64_t i = n; i-- > 1;) std::swap(stratum[i], stratum[rng.uniform_below(i + 1)]);
        for (uint64_t i = 0; i < n; ++i) {
          if (axis.range) {
            out.push_back(range_point((double(stratum[i]) + rng.uniform01()) / double(n)));
          } else {
            out.push_back(double((unsigned __int128)stratum[i] * axis.values.size() / n));
          }
        }
      }
    }
  }
  if (problems.empty() && plan.runs() == 0) {
    problems.push_back("the design yields zero runs; allowed: at least one point, seed and variant");
  }
  if (!problems.empty()) return shown(std::move(problems));
  return plan;
}

uint32_t SweepPlan::variants() const {
  return uint32_t(spec_.variants.size()) + (spec_.base_variant ? 1 : 0);
}

SweepRun SweepPlan::run(uint64_t index) const {
  SweepRun r;
  r.run = index;
  const uint32_t v = variants();
  r.variant = uint32_t(index % v);
  const uint64_t rest = index / v;
  r.seed_index = uint32_t(rest % spec_.seeds);
  r.point = rest / spec_.seeds;
  r.run_seed = sweep_run_seed(spec_.seed, r.point, r.seed_index);
  return r;
}

uint64_t SweepPlan::grid_index(uint64_t point, size_t axis) const {
  return (point / strides_[axis]) % grid_values_[axis].size();
}

SweepValue SweepPlan::value(uint64_t point, size_t axis) const {
  if (spec_.design == SweepDesign::Grid) return grid_values_[axis][grid_index(point, axis)];
  const double x = drawn_[axis][point];
  const SweepAxis& a = spec_.axes[axis];
  return a.range ? SweepValue{number_text(x), x} : a.values[size_t(x)];
}

size_t SweepPlan::axis_value_count(size_t axis) const {
  return spec_.design == SweepDesign::Grid ? grid_values_[axis].size() : drawn_[axis].size();
}

std::vector<SweepValue> SweepPlan::axis_values(size_t axis) const {
  std::vector<SweepValue> out;
  const size_t count = axis_value_count(axis);
  for (size_t k = 0; k < count; ++k) {
    out.push_back(spec_.design == SweepDesign::Grid ? grid_values_[axis][k] : value(k, axis));
  }
  return out;
}

std::string SweepPlan::axis_values_text(size_t axis) const {
  std::string out = "[";
  const size_t count = axis_value_count(axis);
  for (size_t k = 0; k < count; ++k) {
    out += (k > 0 ? ", " : "") +
           (spec_.design == SweepDesign::Grid ? grid_values_[axis][k].toml : value(k, axis).toml);
  }
  return out + "]";
}

std::string SweepPlan::variant_name(uint32_t variant) const {
  if (spec_.base_variant) return variant == 0 ? "base" : spec_.variants[variant - 1].name;
  return spec_.variants[variant].name;
}

std::string SweepPlan::variant_set_text(uint32_t variant) const {
  if (spec_.base_variant) return variant == 0 ? "{}" : spec_.variants[variant - 1].set_text;
  return spec_.variants[variant].set_text;
}

std::vector<ScenarioOverride> SweepPlan::overrides(uint64_t point, uint32_t variant) const {
  std::vector<ScenarioOverride> out;
  for (size_t a = 0; a < spec_.axes.size(); ++a) out.push_back({spec_.axes[a].key, value(point, a).toml});
  if (!(spec_.base_variant && variant == 0)) {
    const SweepVariant& v = spec_.variants[variant - (spec_.base_variant ? 1 : 0)];
    out.insert(out.end(), v.set.begin(), v.set.end());
  }
  return out;
}

ScenarioResult SweepPlan::scenario(const SweepRun& run) const {
  ScenarioResult loaded =
      load_scenario_text(base_toml_, "sweep base", base_dir_, overrides(run.point, run.variant));
  if (auto* scenario = std::get_if<Scenario>(&loaded)) scenario->seed = run.run_seed;
  return loaded;
}

std::vector<std::string> SweepPlan::resolve(unsigned threads) {
  // An error is about an override's key when it names the key, a part of its value (`key[2]`,
  // `key.sub`) or a table the override created on its way (`traders.levrage` for an unknown
  // `traders.levrage.mean`).
  const auto key_matches = [](const std::string& error_key, const std::string& key) {
    const auto within = [](const std::string& inner, const std::string& outer) {
      return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
             (inner[outer.size()] == '.' || inner[outer.size()] == '[');
    };
    return !error_key.empty() && (error_key == key || within(error_key, key) || within(key, error_key));
  };
  const auto plain = [](ScenarioError e) {
    e.line = 0;  // positions are in the resolved text, not in the sweep file
    e.column = 0;
    if (e.problem.rfind("--set: ", 0) == 0) e.problem.erase(0, 7);
    return e;
  };
  // "axes[1] (market_makers.level_size) = 0: out of range; allowed: ..." when the error is about the
  // key itself, else the overridden key and value, then the error.
  const auto about = [&](const std::string& where, const ScenarioOverride& o, const ScenarioError& e) {
    ScenarioError shown_error = plain(e);
    if (shown_error.key == o.key) {
      shown_error.key.clear();
      shown_error.value.clear();
    }
    return where + " = " + o.value + ": " + shown_error.message();
  };
  // Problems are listed once: an unknown key once whatever the value that came with it.
  const auto once_key = [](const std::string& where, const ScenarioError& e, const std::string& message) {
    return e.problem == "unknown key" ? where + ": unknown key " + e.key : message;
  };

  // The base with the sweep's set, once.
  ScenarioResult base;
  std::string base_source;
  if (find_preset(spec_.base) != nullptr) {
    base_source = "preset " + spec_.base;
    base = load_preset(spec_.base, spec_.set);
  } else {
    std::filesystem::path file(spec_.base);
    if (file.is_relative()) file = std::filesystem::path(spec_.source_dir) / file;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      std::vector<std::string> names;
      for (const Preset& preset : presets()) names.emplace_back(preset.name);
      return {"base = " + quote(spec_.base) +
              ": neither a preset nor a scenario file; allowed: a preset name (" + join(names, ", ") +
              ") or a scenario file path, relative to the sweep file's folder"};
    }
    base_source = file.string();
    base = load_scenario_file(base_source, spec_.set);
  }
  if (auto* errors = std::get_if<std::vector<ScenarioError>>(&base)) {
    // Problems of the base itself keep their positions in it; with a valid base, the set caused them.
    const bool base_valid =
        !spec_.set.empty() && std::holds_alternative<Scenario>(find_preset(spec_.base) != nullptr
                                                                   ? load_preset(spec_.base)
                                                                   : load_scenario_file(base_source));
    std::vector<std::string> problems;
    for (const ScenarioError& e : *errors) {
      const auto o = std::find_if(spec_.set.begin(), spec_.set.end(),
                                  [&](const ScenarioOverride& x) { return key_matches(e.key, x.key); });
      if (o != spec_.set.end()) {
        problems.push_back(about("set." + o->key, *o, e));
      } else if (base_valid) {
        problems.push_back("set " + spec_.set_text + ": " + plain(e).message());
      } else {
        problems.push_back("base " + base_source + ": " + e.message());
      }
    }
    return shown(std::move(problems));
  }
  const Scenario& base_scenario = std::get<Scenario>(base);
  base_toml_ = to_toml(base_scenario);
  base_dir_ = base_scenario.source_dir.empty() ? "." : base_scenario.source_dir;

  // Every (point, variant) scenario: seeds change nothing the validator checks.
  const uint32_t variant_count = variants();
  const uint64_t scenarios = points_ * variant_count;
  std::vector<std::vector<std::pair<std::string, std::string>>> found(scenarios);  // (once key, message)
  const auto check = [&](uint64_t k) {
    const uint64_t point = k / variant_count;
    const uint32_t variant = uint32_t(k % variant_count);
    ScenarioResult loaded =
        load_scenario_text(base_toml_, "sweep base", base_dir_, overrides(point, variant));
    const auto* errors = std::get_if<std::vector<ScenarioError>>(&loaded);
    if (errors == nullptr) return;
    const SweepVariant* declared = spec_.base_variant && variant == 0
                                       ? nullptr
                                       : &spec_.variants[variant - (spec_.base_variant ? 1 : 0)];
    for (const ScenarioError& e : *errors) {
      std::string problem;
      std::string once;
      for (size_t a = 0; a < spec_.axes.size() && problem.empty(); ++a) {
        if (key_matches(e.key, spec_.axes[a].key)) {
          problem = about(axis_name(a, spec_.axes[a].key), {spec_.axes[a].key, value(point, a).toml}, e);
          once = once_key(axis_name(a, spec_.axes[a].key), e, problem);
        }
      }
      if (problem.empty() && declared != nullptr) {
        const auto o = std::find_if(declared->set.begin(), declared->set.end(),
                                    [&](const ScenarioOverride& x) { return key_matches(e.key, x.key); });
        if (o != declared->set.end()) {
          problem = about("variants[" + std::to_string(variant - (spec_.base_variant ? 1 : 0)) + "] (" +
                              declared->name + ") set." + o->key,
                          *o, e);
        }
      }
      if (problem.empty()) {
        // A problem of the combination (a cross-field rule): name the point's values and the variant.
        std::vector<std::string> values;
        for (size_t a = 0; a < spec_.axes.size(); ++a)
          values.push_back(spec_.axes[a].key + " = " + value(point, a).toml);
        problem = "point " + std::to_string(point) + (values.empty() ? "" : " (" + join(values, ", ") + ")") +
                  ", variant " + variant_name(variant) + ": " + plain(e).message();
      }
      if (once.empty()) once = problem;
      found[k].emplace_back(std::move(once), std::move(problem));
    }
  };
  const unsigned workers = unsigned(std::max<uint64_t>(1, std::min<uint64_t>(threads, scenarios)));
  if (workers <= 1) {
    for (uint64_t k = 0; k < scenarios; ++k) check(k);
  } else {
    std::vector<std::thread> pool;
    for (unsigned w = 0; w < workers; ++w) {
      pool.emplace_back([&, w] {
        for (uint64_t k = w; k < scenarios; k += workers) check(k);
      });
    }
    for (std::thread& t : pool) t.join();
  }
  std::vector<std::string> problems;
  std::set<std::string> seen;
  for (const auto& list : found) {
    for (const auto& [once, problem] : list) {
      if (seen.insert(once).second) problems.push_back(problem);
    }
  }
  if (!problems.empty()) {
    base_toml_.clear();
    return shown(std::move(problems));
  }

  // The plan digest: everything that decides the runs and the output's columns.
  std::string canonical;
  const auto item = [&](std::string_view name, std::string_view value) {
    canonical += std::string(name) + " " + std::to_string(value.size()) + "\n" + std::string(value) + "\n";
  };
  item("liqsim sweep plan, schema_version", std::to_string(kSweepSchemaVersion));
  item("liqsim_version", kLiqsimVersion);
  item("base_scenario", base_toml_);
  item("design", design_name(spec_.design));
  item("points", std::to_string(points_));
  item("seeds", std::to_string(spec_.seeds));
  item("seed", std::to_string(spec_.seed));
  for (size_t a = 0; a < spec_.axes.size(); ++a) {
    item("axis key", spec_.axes[a].key);
    item("axis values", axis_values_text(a));
  }
  for (uint32_t v = 0; v < variant_count; ++v) {
    item("variant name", variant_name(v));
    item("variant set", variant_set_text(v));
  }
  item("keep", keep_text(spec_.keep));
  for (const FieldSpec& field : run_file_schema::summary()) {
    item("summary field", std::string(field.name) + " " + std::to_string(int(field.type)));
  }
  digest_ = sha256_hex(canonical);
  return {};
}

}  // namespace liqsim
