// Run: `faultline run` and `faultline validate` from flags to exit code. Loads the scenario and
// its templates (every problem at once), makes the run folder, runs N histories J at a time on one
// event loop (each isolated: its own folder, ports and processes), feeds every timeline into one
// property book, replays failing seeds when asked, and writes the report. SIGINT/SIGTERM end the
// histories cleanly (a second one kills at once); nothing started outlives the run.
// Runs on the main thread.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "base/duration.h"

namespace faultline::run {

struct RunOptions {
  std::string scenario_dir;
  std::optional<uint64_t> seed;  // history i runs with seed + i; random when absent
  std::string duration;          // overrides the scenario's driver-phase duration
  int histories = 1;
  int jobs = 1;
  std::string template_name;  // run only this template; chosen per seed otherwise
  std::string out = "runs";   // the run folder goes under this one
  int replay_failures = 0;    // replays of each failing property's first seed
  Millis sdk_poll{100};
  bool validate = false;
  bool color = false;
  std::string network;  // "loopback" or "isolated" overrides the scenario's `network:`
};

// Runs and returns the process exit code (base/exit_codes.h). Progress and the summary go to
// `out`; errors to `err`.
int Execute(const RunOptions& options, FILE* out, FILE* err);

}  // namespace faultline::run
