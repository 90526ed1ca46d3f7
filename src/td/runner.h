// The runner: executes one parsed Script against a PostgreSQL-wire server and returns its
// verdict as data (a Failure, or none). Each file starts clean in a database of its own (created
// before the file, dropped after it) unless RunConfig::reset is false. Progress lines (each
// command, each retry) go to RunConfig::log. One thread per run; runs share nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "td/script.h"

namespace faultline::td {

using Millis = std::chrono::milliseconds;

struct RunConfig {
  std::string url;  // libpq URL or conninfo of the server
  uint64_t seed = 0;
  bool reset = true;  // a fresh database per file
  Millis default_timeout{30000};
  Millis initial_backoff{50};
  double backoff_factor = 1.5;
  uint64_t default_max_tries = 0;           // 0: unlimited
  std::map<std::string, std::string> args;  // --var NAME=VALUE, read as ${arg.NAME}
  std::FILE* log = stdout;
};

// Why a file failed: where, what, and the lines that show it (a row diff, the error seen).
struct Failure {
  Failure() = default;
  Failure(Location where, std::string what, std::vector<std::string> lines = {},
          bool looks_transient = false)
      : at(where),
        message(std::move(what)),
        details(std::move(lines)),
        transient(looks_transient) {}

  Location at;
  std::string message;
  std::vector<std::string> details;
  bool transient = false;  // looks like a restart or network fault (see LooksTransient)
};

struct FileResult {
  std::optional<Failure> failure;  // none: the file passed
  Millis elapsed{0};
  size_t commands_run = 0;
};

// Runs `script` from its first command until its first failure.
FileResult RunScript(const Script& script, const RunConfig& config);

// The failure as a compiler-style diagnostic with its source line, then its details indented.
std::string FormatFailure(const Script& script, const Failure& failure);

}  // namespace faultline::td
