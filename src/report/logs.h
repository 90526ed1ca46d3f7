// Log excerpts for a report: the lines a person reads first when a property fails, taken from the
// history's folder: the failing command's stderr and stdout, and each service's log between the
// markers faultline writes into it ("=== faultline t=4.200s: start 2", "... healthy",
// "... exited: killed by SIGKILL") around the failure's time. Service logs carry no time per
// line, so the window is the stretch between the markers that enclose the failure. Reads files;
// any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "properties/property_book.h"
#include "report/report.h"

namespace faultline::report {

// The lines of a service log around `t_seconds`: from the last marker at or before it to the
// first marker after it, at most `max_lines` (the middle left out); a shorter window is filled
// with the lines before it. `title` names the window.
LogExcerpt ServiceLogWindow(std::string_view text, double t_seconds, size_t max_lines);

// Every excerpt for the failure `e` of a history (its row and trace), with paths relative to
// `report_dir`.
std::vector<LogExcerpt> FailureLogs(const HistoryRow& row, const HistoryTrace* trace,
                                    const properties::Example& e, const std::string& report_dir);

}  // namespace faultline::report
