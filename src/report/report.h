// Report: what a run found, for people and for machines. One Report value describes a finished
// (or interrupted) run, or several runs merged: its metadata, its histories and their traces, the
// property book, replay statistics, log excerpts around failures and, when asked, a baseline run
// to compare with. Every format renders from this one value: the terminal summary (summary.cc),
// report.json (json.cc, schema in README), junit.xml (junit.cc) and report.html (html.cc).
// Rebuild() computes it from run folders alone, so `faultline report RUN_DIR` rebuilds every
// format. Renderers are pure functions over the value; only Rebuild and WriteReportFiles do I/O.
#pragma once

#include <cstdio>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "properties/property_book.h"
#include "report/baseline.h"
#include "report/trace.h"
#include "timeline/event.h"

namespace faultline::report {

struct RunMeta {
  std::string scenario_name{};
  std::string scenario_dir{};  // as the user gave it, for replay commands
  std::string run_dir{};
  uint64_t seed = 0;  // history i ran with seed + i, unless `seeds` lists them
  int histories = 0;
  int jobs = 1;
  std::string duration{};       // the --duration flag as given, or empty
  std::string template_flag{};  // the --template flag as given, or empty
  std::string started{};        // ISO 8601, UTC
  std::string ended{};
  bool validate = false;
  std::string seeds{};                     // the --seeds flag as given ("100-199"), or empty
  std::vector<std::string> merged_from{};  // a merged report: the run folders it merges
};

struct HistoryRow {
  int index = 0;
  uint64_t seed = 0;
  std::string template_name{};
  std::string dir{};
  std::string outcome{};  // completed | setup_failed | error | interrupted
  std::string message{};
  std::string terminal{};
  int64_t invocations = 0;
  double seconds = 0;
  std::string run_dir{};  // the run folder that holds it (a merge holds several)
  std::string replay{};   // the command that runs it again; ReplayCommand(meta, seed) when empty
};

// How often a failing property failed again when its history's seed was run again.
struct ReplayStat {
  std::string property{};
  uint64_t seed = 0;
  int replays = 0;
  int recurred = 0;
};

// Lines of one file near a failure: the failing command's output, or a service log between the
// markers faultline writes into it (starts, health, exits) around the failure's time.
struct LogExcerpt {
  std::string title{};  // "stderr of counter/x.sh #12", "kv.log from t=4.200s (start 2)"
  std::string path{};   // the file, as a path relative to the report's folder when it can be
  std::vector<std::string> lines{};
  size_t omitted = 0;     // lines left out in the middle
  size_t omitted_at = 0;  // where, as an index into `lines`
};

struct Report {
  RunMeta meta{};
  std::vector<HistoryRow> histories{};
  std::vector<HistoryTrace> traces{};  // by history, in the order of `histories`; may be empty
  const properties::PropertyBook* book = nullptr;
  std::vector<ReplayStat> replays{};
  bool interrupted = false;
  std::vector<std::string> problems{};                    // validate: every problem found
  std::vector<std::string> read_warnings{};               // timeline lines that could not be read
  std::map<std::string, std::vector<LogExcerpt>> logs{};  // property id -> around its first failure
  std::optional<Baseline> baseline{};
};

// 130 interrupted, 3 a history could not run (setup failed, error), 1 a property failed, else 0.
int ExitCodeOf(const Report& r);
// The command that runs history `seed` again, alone.
std::string ReplayCommand(const RunMeta& meta, uint64_t seed);
// The replay command of history `index` of the report (its own run's flags in a merge).
std::string ReplayOf(const Report& r, int index, uint64_t seed);
// The trace of history `index`, or null when the report was built without traces.
const HistoryTrace* TraceOf(const Report& r, int index);
// What a reader should know that is neither a verdict nor a problem: property ids whose lines
// disagreed on the kind (the first kind seen counts), timeline lines that could not be read.
std::vector<std::string> Warnings(const Report& r);
// Seeds as ranges: {1,2,3,7,9,10} -> "1-3,7,9-10" (sorted; duplicates once).
std::string DescribeSeeds(std::vector<uint64_t> seeds);
// The inverse, for `--seeds`: "100-199", "3,17,40-42" -> the seeds in the order given. Fails on
// anything else (an empty item, a range whose end is below its start, more than `max` seeds).
Result<std::vector<uint64_t>> ParseSeeds(std::string_view text, size_t max = 1000000);
// Fault kind -> faults injected (begun), over every history.
std::map<std::string, int> FaultsInjected(const Report& r);
// Fault kind -> the calls its faults failed, over every history, for kinds that count them
// (disk: a fault that met no call of its kinds did nothing).
std::map<std::string, int64_t> FaultCallsFailed(const Report& r);

// report.json (json.cc).
Json ReportJson(const Report& r);
// The terminal summary (summary.cc); `color` adds ANSI colors. Outside text is made safe.
void PrintSummary(FILE* out, const Report& r, bool color);
// junit.xml: one test case per property (junit.cc).
std::string JunitXml(const Report& r);
// report.html: one self-contained page (html.cc).
std::string HtmlReport(const Report& r);
// Writes report.json, junit.xml and report.html into `dir`; the first error, if any.
Status WriteReportFiles(const Report& r, const std::string& dir);

Json MetaJson(const RunMeta& m);
RunMeta MetaFromJson(const Json& j);

// Rebuilds a report from a run folder: its run.json, every history's timeline.jsonl, the
// replays under replays/, and the logs around each failure. The book is filled from the
// timelines, history by history in index order, so the report does not depend on how the
// histories interleaved. A merged folder (run.json with merged_from) is merged again. Fails when
// the folder holds no run.
Result<Report> Rebuild(const std::string& run_dir, properties::PropertyBook& book);
// Merges runs into one report for `out_dir`: histories from every run in seed order (indices
// renumbered from 0), counts added up, each example keeping its seed and its run folder. The
// runs must be of one scenario; their flags may differ (each history replays with its own).
Result<Report> Merge(std::span<const std::string> run_dirs, const std::string& out_dir,
                     properties::PropertyBook& book);
// Sets the process's allocator for a rebuild, once at the start of a process that rebuilds
// (`faultline report`, its benchmark): a rebuild allocates and frees millions of small JSON
// values, and with glibc's fast bins on, every larger allocation first consolidates them (a
// quarter of the reading threads' time). Process-wide, so not done by Rebuild itself.
void TuneAllocatorForRebuild();

}  // namespace faultline::report
