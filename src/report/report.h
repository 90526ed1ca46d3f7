// Report: what a run found, for people and for machines. One Report value describes a finished
// (or interrupted) run — its metadata, its histories, the property book, replay statistics — and
// is printed as a terminal summary (failing properties first, each with its first failing example
// and the exact command that replays its history) and written as report.json (schema in README).
// `faultline report RUN_DIR` rebuilds it from the run's timelines. Pure functions over values.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "properties/property_book.h"
#include "timeline/event.h"

namespace faultline::report {

struct RunMeta {
  std::string scenario_name;
  std::string scenario_dir;  // as the user gave it, for replay commands
  std::string run_dir;
  uint64_t seed = 0;  // history i ran with seed + i
  int histories = 0;
  int jobs = 1;
  std::string duration;       // the --duration flag as given, or empty
  std::string template_flag;  // the --template flag as given, or empty
  std::string started;        // ISO 8601, UTC
  std::string ended;
  bool validate = false;
};

struct HistoryRow {
  int index = 0;
  uint64_t seed = 0;
  std::string template_name;
  std::string dir;
  std::string outcome;  // completed | setup_failed | error | interrupted
  std::string message;
  std::string terminal;
  int64_t invocations = 0;
  double seconds = 0;
};

// How often a failing property failed again when its history's seed was run again.
struct ReplayStat {
  std::string property;
  uint64_t seed = 0;
  int replays = 0;
  int recurred = 0;
};

struct Report {
  RunMeta meta;
  std::vector<HistoryRow> histories;
  const properties::PropertyBook* book = nullptr;
  std::vector<ReplayStat> replays;
  bool interrupted = false;
  std::vector<std::string> problems;  // validate: every problem found
};

// 130 interrupted, 3 a history could not run (setup failed, error), 1 a property failed, else 0.
int ExitCodeOf(const Report& r);
// The command that runs history `seed` again, alone.
std::string ReplayCommand(const RunMeta& meta, uint64_t seed);
Json ReportJson(const Report& r);
// What a reader should know that is neither a verdict nor a problem: property ids whose lines
// disagreed on the kind (the first kind seen counts).
std::vector<std::string> Warnings(const Report& r);
// The terminal summary; `color` adds ANSI colors.
void PrintSummary(FILE* out, const Report& r, bool color);

Json MetaJson(const RunMeta& m);
RunMeta MetaFromJson(const Json& j);

// Rebuilds a report from a run folder: its run.json and every history's timeline.jsonl. The book
// is filled from the timelines. Fails when the folder holds no run.
Result<Report> Rebuild(const std::string& run_dir, properties::PropertyBook& book);

}  // namespace faultline::report
