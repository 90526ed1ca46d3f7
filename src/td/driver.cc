#include "td/driver.h"

#include <faultline/sdk.h>
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <iterator>

#include "base/duration.h"
#include "base/exit_codes.h"
#include "base/files.h"
#include "base/markup.h"
#include "base/rng.h"
#include "base/strings.h"
#include "base/terminal.h"
#include "td/parser.h"

namespace faultline::td {
namespace {

struct FileOutcome {
  std::string name;
  Millis elapsed{0};
  std::optional<std::string> failure;  // formatted, when the file failed
};

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The files to run: one picked from the list with the seed, or the arguments; then this shard's.
Result<std::vector<std::string>> SelectFiles(const TdOptions& o) {
  std::vector<std::string> files = o.files;
  if (!o.pick_from.empty()) {
    auto list = ReadCorpusList(o.pick_from);
    if (!list) return list;
    std::vector<std::string> candidates;
    for (const auto& entry : *list) {
      if (o.bucket.empty() || entry.starts_with(o.bucket + "/")) {
        candidates.push_back(Dirname(o.pick_from) + "/" + entry);
      }
    }
    if (candidates.empty()) {
      return Unexpected(fmt::format("{}: no file in bucket '{}'", o.pick_from, o.bucket));
    }
    // The same seed picks the same file, so a history replays.
    Rng rng(DeriveSeed(o.run.seed, "td pick-from"));
    files = {candidates[rng.Below(candidates.size())]};
  }
  if (o.shard_count == 0 || o.shard >= o.shard_count) {
    return Unexpected(
        fmt::format("--shard {} is not below --shard-count {}", o.shard, o.shard_count));
  }
  std::vector<std::string> mine;
  for (size_t i = 0; i < files.size(); ++i) {
    if (i % o.shard_count == o.shard) mine.push_back(files[i]);
  }
  return mine;
}

// Prints outside text (SQL, server messages, file names) to `err` with control characters
// escaped. Progress goes to `log` (often standard output, block-buffered in a file): it is
// flushed first, so that the two stay in order when they share a file.
void PrintError(std::FILE* log, std::FILE* err, std::string_view text) {
  if (log) std::fflush(log);
  std::string safe = ForTerminal(text, /*keep_newlines=*/true);
  std::fwrite(safe.data(), 1, safe.size(), err);
  std::fflush(err);
}

// Parses every file; prints every error of every file. Returns nullopt when any file is bad.
std::optional<std::vector<Script>> ParseAll(const std::vector<std::string>& files, std::FILE* err,
                                            bool* read_error) {
  std::vector<Script> scripts;
  size_t errors = 0, bad_files = 0;
  for (const auto& f : files) {
    std::string text;
    if (f == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      auto r = ReadFile(f);
      if (!r) {
        PrintError(nullptr, err, fmt::format("faultline td: {}\n", r.error()));
        *read_error = true;
        ++errors;
        ++bad_files;
        continue;
      }
      text = std::move(*r);
    }
    ParseResult parsed = ParseScript(f, text);
    errors += parsed.errors.size();
    bad_files += !parsed.errors.empty();
    PrintError(nullptr, err, FormatErrors(parsed));
    scripts.push_back(std::move(parsed.script));
  }
  if (errors) {
    // The files with errors, of the files given.
    fmt::print(err, "faultline td: {} error{} in {} of {} file{}\n", errors, errors == 1 ? "" : "s",
               bad_files, files.size(), files.size() == 1 ? "" : "s");
    return std::nullopt;
  }
  return scripts;
}

// Runs one file, and with --retry-file-once once more after a transient-looking failure.
FileOutcome RunFile(const TdOptions& o, const Script& script) {
  FileResult r = RunScript(script, o.run);
  FileOutcome out{script.name, r.elapsed, std::nullopt};
  if (r.failure && r.failure->transient && o.retry_file_once) {
    PrintError(o.run.log, o.err, FormatFailure(script, *r.failure));
    PrintError(o.run.log, o.err,
               fmt::format("faultline td: {}: the failure looks transient; running the file once "
                           "more\n",
                           script.name));
    faultline::reachable("td saw tolerated failure", {{"file", script.name}});
    r = RunScript(script, o.run);
    out.elapsed += r.elapsed;
  }
  if (r.failure) {
    out.failure = FormatFailure(script, *r.failure);
    if (!o.source.empty()) *out.failure += fmt::format("  source: {}\n", o.source);
  } else {
    faultline::reachable("td completed .td file", {{"file", script.name}});
  }
  return out;
}

Status WriteJunit(const TdOptions& o, const std::vector<FileOutcome>& outcomes) {
  size_t failures = 0;
  double total = 0;
  std::string cases;
  for (const auto& f : outcomes) {
    double seconds = static_cast<double>(f.elapsed.count()) / 1000.0;
    total += seconds;
    cases += fmt::format("    <testcase classname=\"td\" name=\"{}\" time=\"{:.3f}\"",
                         EscapeMarkup(f.name, Newlines::kAsEntity), seconds);
    if (!f.failure) {
      cases += "/>\n";
      continue;
    }
    ++failures;
    std::string first = f.failure->substr(0, f.failure->find('\n'));
    cases += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                         EscapeMarkup(first, Newlines::kAsEntity), EscapeMarkup(*f.failure));
  }
  std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"faultline "
      "td\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\"{}>\n{}  </testsuite>\n</testsuites>\n",
      outcomes.size(), failures, total,
      o.source.empty() ? ""
                       : fmt::format(" source=\"{}\"", EscapeMarkup(o.source, Newlines::kAsEntity)),
      cases);
  return WriteFileAtomic(o.junit_report, xml);
}

}  // namespace

Result<std::vector<std::string>> ReadCorpusList(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return Unexpected(text.error());
  std::vector<std::string> out;
  for (const auto& line : Split(*text, '\n')) {
    std::string_view entry = Trim(line);
    if (entry.empty() || entry[0] == '#') continue;
    out.emplace_back(entry);
  }
  return out;
}

int RunTd(const TdOptions& o) {
  auto files = SelectFiles(o);
  if (!files) {
    fmt::print(o.err, "faultline td: {}\n", files.error());
    return kExitUsage;
  }
  bool read_error = false;
  auto scripts = ParseAll(*files, o.err, &read_error);
  if (!scripts) return kExitUsage;
  if (o.check) {
    fmt::print(o.err, "faultline td: {} file{} parsed, no errors\n", scripts->size(),
               scripts->size() == 1 ? "" : "s");
    return kExitOk;
  }
  std::vector<FileOutcome> outcomes;
  size_t failed = 0;
  for (const Script& script : *scripts) {
    if (failed >= o.max_errors) break;
    outcomes.push_back(RunFile(o, script));
    const FileOutcome& f = outcomes.back();
    if (f.failure) {
      ++failed;
      PrintError(o.run.log, o.err, *f.failure);
    }
    if (o.run.log) {
      fmt::print(o.run.log, "faultline td: {}: {} in {}\n", ForTerminal(f.name),
                 f.failure ? "FAILED" : "ok", FormatElapsed(f.elapsed));
      std::fflush(o.run.log);
    }
  }
  if (!o.junit_report.empty()) {
    if (Status s = WriteJunit(o, outcomes); !s.ok()) {
      fmt::print(o.err, "faultline td: cannot write the JUnit report: {}\n", s.message());
    }
  }
  if (o.run.log) std::fflush(o.run.log);
  fmt::print(o.err, "faultline td: {} passed, {} failed{}\n", outcomes.size() - failed, failed,
             outcomes.size() < scripts->size()
                 ? fmt::format(", {} not run (--max-errors {})", scripts->size() - outcomes.size(),
                               o.max_errors)
                 : "");
  return failed ? kExitFailed : kExitOk;
}

}  // namespace faultline::td
