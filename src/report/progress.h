// Progress: what `faultline run` shows while it runs. On a terminal, one status line redrawn in
// place (histories done of N, what each running history is doing and for how long, elapsed and
// remaining time, commands run, faults in force, properties failing so far); permanent lines
// (a history's end) scroll above it. Otherwise (a pipe, a file, NO_COLOR, --no-progress), plain
// log lines: each history's start, setup and terminal phase, its end, and a status line every
// 30 s. The Runner is its only caller: it hands over every timeline event with its history, the
// histories' ends, and calls Tick() from a timer. Outside text (template names) goes through
// ForTerminal. Not thread-safe; the run's event-loop thread.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "base/duration.h"
#include "report/report.h"
#include "timeline/event.h"

namespace faultline::report {

enum class ProgressStyle {
  kLine,   // a terminal: one status line, redrawn in place
  kPlain,  // anything else: log lines
};

struct ProgressPlan {
  int histories = 0;
  int jobs = 1;
  Millis history_estimate{0};  // a history's expected wall time, before any has finished
};

class Progress {
 public:
  using Now = std::function<Millis()>;   // time since the run began
  using Failing = std::function<int()>;  // properties failing so far

  Progress(FILE* out, ProgressStyle style, ProgressPlan plan, Now now, Failing failing);

  void HistoryStarted(int index, uint64_t seed, const std::string& template_name);
  // One timeline event of history `index`: phase changes, commands, faults.
  void HistoryEvent(int index, const Event& e);
  // Prints the history's line and forgets it.
  void HistoryEnded(const HistoryRow& row);
  // A line of its own (a replay's end, a warning), above the status line.
  void Line(const std::string& text);
  // Redraws the status line (terminal) or, every 30 s, prints it (plain).
  void Tick();
  // Clears the status line before the summary.
  void Finish();

  // The status line as it stands, at most `width` columns.
  std::string StatusLine(size_t width) const;

 private:
  struct Running {
    uint64_t seed = 0;
    std::string template_name;
    std::string phase = "starting";
    Millis phase_since{0};
    Millis started{0};
  };
  void SetPhase(int index, Running& h, std::string phase);
  void Permanent(const std::string& text);
  void Draw();
  size_t Width() const;

  FILE* out_;
  ProgressStyle style_;
  ProgressPlan plan_;
  Now now_;
  Failing failing_;
  std::map<int, Running> running_;
  std::set<std::pair<int, int64_t>> faults_in_force_;  // (history, fault id)
  int done_ = 0;
  Millis done_time_{0};  // summed wall time of the finished histories
  int64_t commands_ = 0;
  bool drawn_ = false;  // a status line is on screen
  Millis last_plain_{0};
};

}  // namespace faultline::report
