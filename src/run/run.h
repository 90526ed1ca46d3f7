// Run: `faultline run` and `faultline validate` from flags to exit code. Loads the scenario and
// its templates (every problem at once), makes the run folder, runs N histories J at a time on one
// event loop (each isolated: its own folder, ports and processes), feeds every timeline into one
// property book, shows progress (report/progress.h), replays failing seeds when asked, and writes
// every report (report.json, junit.xml, report.html), rebuilt from the run folder so that they
// equal what `faultline report RUN_DIR` gives. SIGINT/SIGTERM end the
// histories cleanly (a second one kills at once); nothing started outlives the run.
// Runs on the main thread.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/duration.h"

namespace faultline::run {

struct RunOptions {
  std::string scenario_dir;
  std::optional<uint64_t> seed;  // history i runs with seed + i; random when absent
  std::vector<uint64_t> seeds;   // --seeds: history i runs seeds[i] (histories = seeds.size())
  std::string seeds_flag;        // --seeds as given ("100-199"), for the report
  std::string duration;          // overrides the scenario's driver-phase duration
  int histories = 1;
  int jobs = 1;
  std::string template_name;  // run only this template; chosen per seed otherwise
  std::string out = "runs";   // the run folder goes under this one
  int replay_failures = 0;    // replays of each failing property's first seed
  Millis sdk_poll{100};
  bool validate = false;
  bool color = false;
  bool progress = false;  // a status line redrawn in place; plain lines otherwise
  std::string baseline;   // --baseline OLD_RUN: findings against it in every report
  std::string network;  // "loopback" or "isolated" overrides the scenario's `network:`
};

// Runs and returns the process exit code (base/exit_codes.h). Progress and the summary go to
// `out`; errors to `err`.
int Execute(const RunOptions& options, FILE* out, FILE* err);

}  // namespace faultline::run
