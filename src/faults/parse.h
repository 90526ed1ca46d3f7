// ParseContext: the helpers every kind's parser uses to read its part of `faults:` from the
// scenario's ConfigNodes, each reporting a compiler-style error at the value's line and column
// (unknown keys with "did you mean"). Used while ParseFaults runs; one thread.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/diagnostic.h"
#include "faults/config.h"
#include "scenario/config_node.h"
#include "scenario/scenario.h"

namespace faultline::faults {

class ParseContext {
 public:
  using Node = scenario::ConfigNode;
  ParseContext(const scenario::Scenario& scenario, std::vector<Diagnostic>& errors)
      : scenario_(scenario), errors_(errors) {}

  const scenario::Scenario& scenario() const { return scenario_; }
  void Error(scenario::SourcePos pos, std::string message);

  // Checks that `node` is a mapping whose keys are all in `known` and calls `each` per entry.
  // Returns false (after an error) when it is not a mapping.
  bool ForEach(const Node& node, std::string_view where, std::span<const std::string> known,
               const std::function<void(const std::string&, const Node&)>& each);
  std::optional<std::string> Scalar(const Node& n, std::string_view what);
  std::optional<Millis> Duration(const Node& n, std::string_view what);
  // "a..b" or a single duration; `min` is the least value allowed.
  std::optional<DurationRange> Range(const Node& n, std::string_view what, Millis min = Millis(0));
  // "-120s..120s", "5s", "-2s".
  std::optional<OffsetRange> Offset(const Node& n, std::string_view what);
  // Numbers "a..b" or one number, each within (lo, hi] (or [lo, hi] when `lo_inclusive`).
  std::optional<DoubleRange> Numbers(const Node& n, std::string_view what, double lo, double hi,
                                     bool lo_inclusive = false);
  std::optional<IntRange> Integers(const Node& n, std::string_view what, int64_t lo, int64_t hi);
  // A list of services (a single name is a list of one); each must exist.
  std::vector<std::string> Targets(const Node& n, std::string_view kind);
  // A list of names from `choices`; unknown ones are errors with a suggestion.
  template <typename E>
  std::vector<E> Choices(const Node& n, std::string_view what,
                         std::span<const std::pair<std::string_view, E>> choices);
  std::optional<scenario::Argv> Argv(const Node& n, std::string_view what);
  // Names the suggestion for `word` among `names`, as " (did you mean 'x'?)" or "".
  static std::string DidYouMean(std::string_view word, std::span<const std::string> names);

 private:
  std::vector<std::string> NameList(const Node& n, std::string_view what);
  std::optional<std::string> Choice(const Node& item, std::string_view what,
                                    const std::vector<std::string>& names);

  const scenario::Scenario& scenario_;
  std::vector<Diagnostic>& errors_;
};

template <typename E>
std::vector<E> ParseContext::Choices(const Node& n, std::string_view what,
                                     std::span<const std::pair<std::string_view, E>> choices) {
  std::vector<std::string> names;
  for (const auto& [name, e] : choices) names.emplace_back(name);
  std::vector<E> out;
  if (!n.IsSequence()) {
    Error(n.pos, fmt::format("{} must be a list, like [{}]", what, names.front()));
    return out;
  }
  for (const auto& item : n.items) {
    auto name = Choice(item, what, names);
    if (!name) continue;
    for (const auto& [cname, e] : choices) {
      if (cname == *name) out.push_back(e);
    }
  }
  if (n.items.empty()) Error(n.pos, fmt::format("{} must name at least one", what));
  return out;
}

}  // namespace faultline::faults
