// The table of `$` builtins: for each name, the argument keys it takes, whether it takes a body,
// and the function that runs it. The parser validates a builtin line against its entry; the
// runner calls the entry's function. Builtins that need a service faultline does not have
// (Kafka, a schema registry, MySQL, ...) have entries that accept any arguments and, when run,
// fail with "requires ...". The table is static and immutable; any thread may read it.
#pragma once

#include <optional>
#include <string_view>

#include "td/diagnostic.h"
#include "td/script.h"

namespace faultline::td {

class FileRun;   // runner.cc: the state of one file's run
struct Failure;  // runner.h

enum class BodyRule { kNone, kOptional, kRequired };

struct BuiltinSpec {
  std::string_view name;      // a name, or a prefix ending in '-' for a family ("kafka-")
  std::string_view keys;      // accepted keys, space-separated; "*" for any key
  std::string_view required;  // required keys, space-separated
  BodyRule body = BodyRule::kNone;
  // Runs the builtin; returns the failure as data, or nullopt when it passed.
  std::optional<Failure> (*run)(FileRun& run, const Builtin& builtin) = nullptr;
  std::string_view service;  // non-empty: the service this builtin requires and faultline lacks
  // Checks what can be known before running: argument values without ${...} that the run would
  // reject (a negative timeout, a path outside the temp folder). nullopt when nothing is wrong.
  // The parser calls it, so `faultline td --check` reports these as it reports syntax errors.
  std::optional<Diagnostic> (*check)(const Builtin& builtin) = nullptr;
};

// The entry for `name` (exact name first, then family prefix), or nullptr.
const BuiltinSpec* FindBuiltin(std::string_view name);
// The names of every supported builtin, for "did you mean".
std::vector<std::string> BuiltinNames();

}  // namespace faultline::td
