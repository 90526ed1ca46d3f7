// The `faultline td` driver: picks the files (arguments, --pick-from, --shard), parses every one
// of them before running any, runs them one after another with the runner, retries a file once
// after a transient-looking failure when asked, and writes the summary, the JUnit report and the
// SDK lines. Returns an exit code from base/exit_codes.h. Main thread only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "base/status.h"
#include "td/runner.h"

namespace faultline::td {

struct TdOptions {
  std::vector<std::string> files;  // "-" reads a script from standard input
  bool check = false;              // parse only
  RunConfig run;
  size_t max_errors = 10;    // stop after this many failed files
  std::string junit_report;  // path, or empty
  uint64_t shard = 0;
  uint64_t shard_count = 1;
  std::string source;  // shown beside failures, and in the JUnit report
  bool retry_file_once = false;
  std::string pick_from;  // a list of .td paths (a corpus manifest)
  std::string bucket;     // with pick_from: only entries under this folder
  std::FILE* err = stderr;
};

// Runs `faultline td`; returns 0 when every file passed, 1 when one failed, 2 on bad input.
int RunTd(const TdOptions& options);

// Reads a corpus list: one path per line relative to the list's folder, '#' comments and blank
// lines skipped. Returns the paths as given, or an error naming the list.
Result<std::vector<std::string>> ReadCorpusList(const std::string& path);

}  // namespace faultline::td
