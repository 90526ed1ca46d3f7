// End-to-end tests of faultline on hostile input and hostile endings: SDK output it cannot read,
// a SIGKILL mid-run, scenario files that try to crash or hang it.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/files.h"
#include "base/json.h"
#include "tests/e2e_util.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Hardening : public ::testing::Test, public e2e::Harness {};

// A failing assertion that faultline could not read must not let the run pass.
TEST_F(Hardening, UnreadableSdkLinesFailTheRunAndAreWarned) {
  auto r = Faultline({"run", Fixture("sdkloss"), "--seed", "1", "--duration", "1s"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  Json report = Report();
  EXPECT_EQ(report["outcome"], "failed");
  const Json* p = Property(report, "SDK output was read whole");
  ASSERT_NE(p, nullptr) << report.dump(2);
  EXPECT_EQ((*p)["status"], "failed");
  ASSERT_FALSE(report["warnings"].empty());
  std::string warning = report["warnings"][0];
  EXPECT_THAT(warning, HasSubstr("SDK output lost in history 0"));
  EXPECT_THAT(warning, HasSubstr("3 line(s)"));
  EXPECT_THAT(warning, HasSubstr("1 NaN or Infinity, 1 invalid UTF-8, 1 unknown assert_type"));
  EXPECT_THAT(r.out, HasSubstr("warning: SDK output lost"));
  // The invalid byte reaches the terminal escaped, never raw.
  EXPECT_EQ(r.out.find('\xff'), std::string::npos);
}

// After SIGKILL of faultline the timeline holds every event it recorded, so `faultline report`
// counts the invocations that ran and names the history's real seed.
TEST_F(Hardening, ReportAfterSigkillHasTheInvocationsAndTheSeed) {
  auto started = StartBackground({"run", Fixture("long"), "--seed", "4242"});
  ASSERT_TRUE(WaitForFile("driver-started", Millis(30000))) << "the driver never ran";
  StopBackground(started, SIGKILL);
  std::string run_dir;
  for (const auto& entry : std::filesystem::directory_iterator(out_dir_)) {
    if (entry.is_directory()) run_dir = entry.path();
  }
  ASSERT_FALSE(run_dir.empty());
  auto rebuilt = Faultline({"report", run_dir});
  EXPECT_EQ(rebuilt.code, 130) << rebuilt.out << rebuilt.err;
  Json report = ParseJson(ReadFile(run_dir + "/report.json").value_or("{}"));
  ASSERT_EQ(report["histories"].size(), 1u) << report.dump(2);
  EXPECT_EQ(report["histories"][0]["seed"], 4242);
  EXPECT_GE(report["histories"][0]["invocations"].get<int>(), 1);
  EXPECT_THAT(rebuilt.out, Not(HasSubstr(" 0 command invocations")));
  // Let the guardian finish its cleanup before the harness removes the folder.
  auto deadline = std::chrono::steady_clock::now() + Millis(5000);
  while (!NothingLeft() && std::chrono::steady_clock::now() < deadline) usleep(20000);
}

// SIGINT while a huge scenario loads ends faultline at once with 130. The signal is made pending
// before faultline starts (pending signals survive exec), so it is there during the load whatever
// the machine's speed; the file ends with an error, so a load that ran to the end would exit 2.
TEST_F(Hardening, InterruptDuringLoadingExits130) {
  std::string dir = out_dir_ + "/big";
  ASSERT_TRUE(MakeDirs(dir + "/test/v1/t").ok());
  std::string text = "name: big\nservices:\n";
  for (int i = 0; i < 20000; ++i) text += fmt::format("  s{}: {{command: [sleep, \"600\"]}}\n", i);
  text += "unknown_key_that_fails_a_finished_load: 1\n";
  ASSERT_TRUE(WriteFile(dir + "/scenario.yaml", text).ok());
  std::string bin = std::string(FAULTLINE_BIN_DIR) + "/faultline";
  std::string err = out_dir_ + "/load.err";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    raise(SIGINT);
    execl(bin.c_str(), bin.c_str(), "run", dir.c_str(), "--out", out_dir_.c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 130) << ReadFile(err).value_or("");
  EXPECT_THAT(ReadFile(err).value_or(""), HasSubstr("interrupted while loading the scenario"));
}

// SIGINT or SIGTERM in each phase of a history ends faultline with 130, and the report.json the
// summary names exists and holds the history. The service marks the phase with a file: it runs
// (setup: its health check never passes), its setup has failed and its stop has begun, or the
// history has ended and its stop has begun (teardown); in the last two it ignores SIGTERM, and a
// first interrupt lets a stop already under way have its grace (3 s) before SIGKILL, as the
// message says ("again to kill at once": SecondInterruptWritesTheReportItNames). The driver
// phase is the leak suite's (leak_test.cc), loading is above.
struct Phase {
  const char* name;
  const char* scenario;  // {marker} is the file the service makes when the phase is reached
  const char* marker;
};

class InterruptInPhase : public Hardening,
                         public ::testing::WithParamInterface<std::tuple<Phase, int>> {};

TEST_P(InterruptInPhase, Exits130WithTheReportItNames) {
  auto [phase, signal] = GetParam();
  std::string dir = out_dir_ + "/" + phase.name;
  ASSERT_TRUE(MakeDirs(dir + "/test/v1/t").ok());
  ASSERT_TRUE(
      WriteFile(dir + "/test/v1/t/parallel_driver_ok.sh", "#!/bin/sh\nsleep 0.1\n", 0755).ok());
  ASSERT_TRUE(WriteFile(dir + "/scenario.yaml", phase.scenario).ok());
  auto b = StartBackground({"run", dir, "--seed", "5"});
  ASSERT_TRUE(WaitForFile(phase.marker, Millis(30000))) << phase.name << " was never reached";
  auto t0 = std::chrono::steady_clock::now();
  auto end = StopBackground(b, signal);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(end.code, 130) << end.out << end.err;
  EXPECT_LT(seconds, 10.0) << "more than the 3 s grace was waited for";
  Json report = ReportNamedIn(end.out);
  ASSERT_EQ(report["histories"].size(), 1u) << report.dump();
  EXPECT_EQ(report["histories"][0]["seed"], 5);
  auto deadline = std::chrono::steady_clock::now() + Millis(2000);
  while (!NothingLeft() && std::chrono::steady_clock::now() < deadline) usleep(20000);
  EXPECT_TRUE(NothingLeft()) << LeftOver();
}

constexpr Phase kPhases[] = {
    {"setup", R"(name: setup
setup_timeout: 10m
services:
  s:
    command: [sh, -c, "touch {dir}/phase-setup; exec sleep 600"]
    healthcheck: {command: ["false"], interval: 50ms}
)",
     "phase-setup"},
    {"failed_setup", R"(name: failed-setup
setup_timeout: 500ms
services:
  s:
    command: [sh, -c, "trap 'touch {dir}/phase-failed-setup' TERM; while :; do sleep 0.05; done"]
    healthcheck: {command: ["false"], interval: 50ms}
    stop_grace: 3s
)",
     "phase-failed-setup"},
    {"teardown", R"(name: teardown
duration: 1s
services:
  s:
    command: [sh, -c, "trap 'touch {dir}/phase-teardown' TERM; while :; do sleep 0.05; done"]
    stop_grace: 3s
)",
     "phase-teardown"},
};

INSTANTIATE_TEST_SUITE_P(Phases, InterruptInPhase,
                         ::testing::Combine(::testing::ValuesIn(kPhases),
                                            ::testing::Values(SIGINT, SIGTERM)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) + "_" +
                                  sigabbrev_np(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace faultline
