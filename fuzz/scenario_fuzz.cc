// Fuzz target: scenario.yaml text. Every input either loads or gives diagnostics; never a crash,
// an uncaught exception, or a diagnostic without a message. The YAML tree under the loader gives
// positions inside the text only (libyaml counts characters and more line breaks than '\n').
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "faults/config.h"
#include "scenario/scenario.h"
#include "scenario/yaml_doc.h"

namespace {

using faultline::scenario::SourcePos;
using faultline::scenario::YamlDocument;
using faultline::scenario::YamlNode;

void CheckYamlPositions(const std::string& text) {
  std::vector<size_t> line_length{0};
  for (char c : text) {
    if (c == '\n') {
      line_length.push_back(0);
    } else {
      ++line_length.back();
    }
  }
  auto inside = [&](SourcePos p) {
    return p.line >= 1 && static_cast<size_t>(p.line) <= line_length.size() && p.column >= 1 &&
           static_cast<size_t>(p.column) <= line_length[p.line - 1] + 1;
  };
  auto doc = YamlDocument::Parse(text);
  if (const auto& e = doc.error()) {
    if (e->problem.empty() || !inside(e->pos)) std::abort();
    if (!e->context.empty() && !inside(e->context_pos)) std::abort();
    return;
  }
  // Aliases may make the tree a graph with cycles: a bounded walk.
  std::vector<YamlNode> todo;
  if (doc.root().IsDefined()) todo.push_back(doc.root());
  for (size_t visits = 0; !todo.empty() && visits < 20000; ++visits) {
    YamlNode n = todo.back();
    todo.pop_back();
    if (!inside(n.Pos())) std::abort();
    for (YamlNode item : n.items()) todo.push_back(item);
    for (const auto& [k, v] : n.entries()) {
      todo.push_back(k);
      todo.push_back(v);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  CheckYamlPositions(text);
  auto r = faultline::scenario::ParseScenario(text, "scenario.yaml", "/fuzz");
  for (const auto& d : r.errors) {
    if (d.message.empty()) std::abort();
  }
  // The faults section is the fault catalog's: it reads the partial scenario too.
  for (const auto& d : faultline::faults::ParseFaults(r.partial).errors) {
    if (d.message.empty() || d.line <= 0) std::abort();
  }
  if (r.scenario) (void)r.scenario->StartOrder();
  (void)faultline::FormatDiagnostics(r.errors, r.source);
  return 0;
}
