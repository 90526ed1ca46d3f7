// FileRun: the state of one file's run, shared by the SQL actions (sql_actions.cc) and the
// builtins (builtins.cc): variables, the regex replacement, the SQL timeout and try limit, the
// main session and named connections, the skip flag. Internal to src/td/. One thread.
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <string>

#include "base/rng.h"
#include "base/status.h"
#include "td/runner.h"
#include "td/session.h"

namespace faultline::td {

struct FileState {
  std::map<std::string, std::string> vars;  // "name", "arg.name", "testdrive.name"
  std::optional<std::regex> regex;          // $ set-regex
  std::string regex_replacement;
  Millis timeout{0};
  uint64_t max_tries = 0;                              // 0: unlimited
  std::map<std::string, std::string> connection_urls;  // $ postgres-connect
  std::map<std::string, Session> connections;          // opened on first use
  bool skipping = false;
  Location skip_from;  // the skip-if that set `skipping`
  std::string temp_dir;
  std::string database;  // the file's own database; empty with --no-reset
  std::optional<Session> session;
};

class FileRun {
 public:
  FileRun(const RunConfig& config, uint64_t seed);

  FileState& state() { return state_; }
  const RunConfig& config() const { return config_; }
  Rng& rng() { return rng_; }

  // `text` with each ${name} replaced; with `regex_literal` the values are regex-escaped so they
  // match themselves. Returns the unknown variable's error.
  Result<std::string> Substitute(std::string_view text, bool regex_literal = false) const;
  // The value after $ set-regex replacement.
  std::string ApplyRegex(const std::string& value) const;
  // The deadline of a statement starting now.
  Clock::time_point Deadline() const;
  // The main session, reconnected if it broke; the connection error otherwise.
  std::variant<Session*, SqlError> MainSession(Clock::time_point deadline);
  // A conninfo string for the file's database (every parameter of the main session).
  std::string FileConninfo() const;
  void Log(std::string_view line) const;

 private:
  const RunConfig& config_;
  FileState state_;
  Rng rng_;
};

// The SQL actions, each returning its failure as data (nullopt: passed).
std::optional<Failure> RunQuery(FileRun& run, const SqlQuery& query);
std::optional<Failure> RunExpectFailure(FileRun& run, const SqlFailure& failure);
std::optional<Failure> RunExplain(FileRun& run, const SqlExplain& explain);

// Runs `sql` once on `session` (no retries) and returns its rows or a failure at `at`.
std::variant<QueryRows, Failure> QueryOnce(FileRun& run, Session& session, const std::string& sql,
                                           Location at);

}  // namespace faultline::td
