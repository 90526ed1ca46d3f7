#include "td/td_pg_env.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

#include "base/files.h"
#include "base/strings.h"
#include "td/parser.h"

namespace faultline::td {
namespace {

std::unique_ptr<testing::PostgresServer>& Server() {
  static std::unique_ptr<testing::PostgresServer> server;
  return server;
}

class SharedServerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto s = testing::PostgresServer::Start();
    ASSERT_TRUE(s.ok()) << s.error();
    Server() = std::move(*s);
  }
  void TearDown() override { Server().reset(); }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedServerEnvironment);

}  // namespace

testing::PostgresServer& SharedServer() { return *Server(); }

TdRun RunTdText(const std::string& text, RunConfig config) {
  ParseResult parsed = ParseScript("test.td", text);
  EXPECT_TRUE(parsed.errors.empty()) << FormatErrors(parsed);
  config.url = SharedServer().Url();
  if (config.default_timeout == RunConfig{}.default_timeout) config.default_timeout = Millis(3000);
  if (config.seed == 0) config.seed = 1;
  char* buf = nullptr;
  size_t len = 0;
  FILE* log = open_memstream(&buf, &len);
  config.log = log;
  TdRun run;
  run.result = RunScript(parsed.script, config);
  std::fclose(log);
  run.log.assign(buf, len);
  std::free(buf);
  if (run.result.failure) run.failure = FormatFailure(parsed.script, *run.result.failure);
  return run;
}

CliRun RunCli(const std::vector<std::string>& args, const std::string& stdin_text,
              const std::string& env) {
  auto dir = MakeTempDir("td-cli");
  EXPECT_TRUE(dir.ok());
  std::string in = *dir + "/in", out = *dir + "/out", err = *dir + "/err";
  EXPECT_TRUE(WriteFile(in, stdin_text).ok());
  std::vector<std::string> argv = {std::string(FAULTLINE_BIN_DIR) + "/faultline", "td"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string command = fmt::format("{} {} <{} >{} 2>{}", env, ShellJoin(argv), in, out, err);
  int status = std::system(command.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out).value();
  r.err = ReadFile(err).value();
  (void)RemoveTree(*dir);
  return r;
}

}  // namespace faultline::td
