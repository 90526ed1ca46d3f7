// The PostgreSQL server that every test of td_pg_test shares (started once by a gtest
// Environment, stopped after the last test), and helpers to run .td text against it.
#pragma once

#include <string>

#include "td/runner.h"
#include "testing/postgres_server.h"

namespace faultline::td {

testing::PostgresServer& SharedServer();

struct TdRun {
  FileResult result;
  std::string log;      // progress lines
  std::string failure;  // FormatFailure, when it failed
};

// Parses `text` (which must parse) and runs it against the shared server with a 3s SQL timeout
// unless `config` says otherwise (its url and log are filled in).
TdRun RunTdText(const std::string& text, RunConfig config = {});

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs `faultline td ARGS` (the built binary) with `stdin_text` as standard input.
CliRun RunCli(const std::vector<std::string>& args, const std::string& stdin_text = "",
              const std::string& env = "");

}  // namespace faultline::td
