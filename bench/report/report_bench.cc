// Building every report of a large run: 100 histories of 10,000 timeline events each (issue 12's
// figure; override with --histories/--events). Prints, measured in one run:
//   - the baseline: reading every timeline.jsonl (what any report must do);
//   - rebuilding the report (timelines folded into the book and the traces, logs) and writing
//     every format (report.json, junit.xml, report.html), as `faultline report RUN_DIR` does;
//   - each format's size. Target: every report built in at most 2 s.
// With --keep DIR the run folder and its reports stay in DIR (bench/report.sh opens the HTML in
// Chromium to time its load).
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "report/report_test_util.h"

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long long FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace faultline;  // NOLINT: a benchmark's main
  int histories = 100, events = 10000;
  std::string keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--histories") histories = std::atoi(argv[i + 1]);
    if (flag == "--events") events = std::atoi(argv[i + 1]);
    if (flag == "--keep") keep = argv[i + 1];
  }
  report::TuneAllocatorForRebuild();  // as `faultline report` does
  std::string dir = keep.empty() ? MakeTempDir("report-bench").value() : keep;
  auto t0 = Clock::now();
  report::testing::WriteSyntheticRun(dir, histories, events);
  double generate = Since(t0);

  // Baseline: read every timeline.
  t0 = Clock::now();
  size_t read_events = 0;
  for (int i = 0; i < histories; ++i) {
    auto t = ReadTimeline(fmt::format("{}/h{:03}-seed{}/timeline.jsonl", dir, i, 1 + i));
    if (!t) {
      std::fprintf(stderr, "report_bench: %s\n", t.error().c_str());
      return 1;
    }
    read_events += t->events.size();
  }
  double read = Since(t0);

  t0 = Clock::now();
  properties::PropertyBook book;
  auto r = report::Rebuild(dir, book);
  if (!r) {
    std::fprintf(stderr, "report_bench: %s\n", r.error().c_str());
    return 1;
  }
  double rebuild = Since(t0);
  auto t1 = Clock::now();
  Status written = report::WriteReportFiles(*r, dir);
  double formats = Since(t1);
  double total = Since(t0);
  if (!written.ok()) {
    std::fprintf(stderr, "report_bench: %s\n", written.message().c_str());
    return 1;
  }
  long long timelines = 0;  // bytes of every timeline.jsonl: what the reports condense
  for (int i = 0; i < histories; ++i) {
    timelines += FileSize(fmt::format("{}/h{:03}-seed{}/timeline.jsonl", dir, i, 1 + i));
  }
  double html_mb = static_cast<double>(FileSize(dir + "/report.html")) / 1e6;
  double timelines_mb = static_cast<double>(timelines) / 1e6;
  std::printf("run: %d histories, %zu timeline events (%.1f per history), generated in %.2f s\n",
              histories, read_events, static_cast<double>(read_events) / histories, generate);
  std::printf("%-44s %7.3f s\n", "baseline, reading every timeline:", read);
  std::printf(
      "%-44s %7.3f s  ratio %.2f to the baseline; target <= 2 s (%.2f of it) %s\n",
      fmt::format("every report (rebuild {:.3f} s + formats {:.3f} s):", rebuild, formats).c_str(),
      total, total / read, total / 2.0, total <= 2.0 ? "MET" : "MISSED");
  std::printf("%-44s %7.2f MB\n", "baseline, the timelines on disk:", timelines_mb);
  std::printf("%-44s %7.2f MB  ratio %.3f to the timelines\n", "report.html:", html_mb,
              html_mb / timelines_mb);
  std::printf("%-44s %7.2f MB  ratio %.3f to the timelines\n",
              "report.json:", static_cast<double>(FileSize(dir + "/report.json")) / 1e6,
              static_cast<double>(FileSize(dir + "/report.json")) / 1e6 / timelines_mb);
  std::printf("%-44s %7.1f KB\n",
              "junit.xml:", static_cast<double>(FileSize(dir + "/junit.xml")) / 1e3);
  if (keep.empty()) (void)RemoveTree(dir);
  return 0;
}
