// TOML values as scenario-override text, shared by the sweep and game files (experiments/ only: the
// composition root is the only place that parses files).
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "experiments/schema_vocabulary.h"

namespace liqsim::toml_values {

using schema::quote;
using schema::toml_float;

inline bool bare_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

inline std::string key_text(std::string_view key) { return bare_key(key) ? std::string(key) : quote(key); }

// The TOML text of a value, complete (never shortened), that parses back to the same value; nothing
// for dates and times, which no scenario key takes.
inline std::optional<std::string> toml_text(const toml::node& n) {
  if (const auto* s = n.as_string()) return quote(s->get());
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return toml_float(f->get());
  if (const auto* b = n.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (const auto* array = n.as_array()) {
    std::string out = "[";
    for (size_t k = 0; k < array->size(); ++k) {
      auto element = toml_text(*array->get(k));
      if (!element) return std::nullopt;
      out += (k > 0 ? ", " : "") + *element;
    }
    return out + "]";
  }
  if (const auto* table = n.as_table()) {
    std::string out = "{";
    bool first = true;
    for (auto&& [key, value] : *table) {
      auto element = toml_text(value);
      if (!element) return std::nullopt;
      out += (first ? "" : ", ") + key_text(key.str()) + " = " + *element;
      first = false;
    }
    return out + "}";
  }
  return std::nullopt;
}

}  // namespace liqsim::toml_values
