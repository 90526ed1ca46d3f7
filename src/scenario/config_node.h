// ConfigNode: a YAML value as scenario.yaml wrote it, with the line and column of every value and
// key, for sections whose meaning belongs to another room (the fault catalog in src/faults/ reads
// `faults:` from it and reports its own errors at the right place). Plain values, built once by
// the loader; any thread may read them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/source_pos.h"

namespace faultline::scenario {

struct ConfigNode {
  struct Entry;  // a key and its value (first, second, as a map's pair)
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  std::string scalar;             // kScalar
  std::vector<ConfigNode> items;  // kSequence
  std::vector<Entry> entries;     // kMap, in file order
  SourcePos pos;                  // of the value
  SourcePos key_pos;              // of its key, for a map's entries

  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsMap() const { return kind == Kind::kMap; }
  // The entry `key` of a map, or null (also for a node that is not a map).
  const ConfigNode* Find(std::string_view key) const;
};

// A struct rather than std::pair: a pair of an incomplete type cannot be a vector's element.
struct ConfigNode::Entry {
  std::string first;
  ConfigNode second;
};

inline const ConfigNode* ConfigNode::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace faultline::scenario
