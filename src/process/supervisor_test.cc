// Real-process tests of the supervisor: real children, real signals, real process groups.
#include "process/supervisor.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include "base/files.h"
#include "base/strings.h"
#include "base/temp_dir.h"
#include "process/spawn.h"

namespace faultline {
namespace {

using std::chrono::steady_clock;

class SupervisorTest : public ::testing::Test {
 protected:
  SpawnSpec Shell(const std::string& script) {
    SpawnSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.stdout_path = dir_ + "/out";
    spec.stderr_path = dir_ + "/out";
    return spec;
  }
  // Starts `spec` and runs the loop until it ends (at most 10 s).
  std::optional<ExitStatus> RunToEnd(Supervisor& sup, const SpawnSpec& spec) {
    std::optional<ExitStatus> status;
    auto id = sup.Spawn(spec, [&](ExitStatus s) { status = s; });
    EXPECT_TRUE(id.ok()) << id.error();
    loop_.RunUntil([&] { return status.has_value(); }, Millis(10000));
    return status;
  }
  // Output has no event of its own: poll the file while the loop runs.
  bool WaitForOutput(const std::string& text) {
    auto deadline = steady_clock::now() + Millis(5000);
    while (Out().find(text) == std::string::npos && steady_clock::now() < deadline) {
      loop_.RunOnce(Millis(10));
    }
    return Out().find(text) != std::string::npos;
  }
  static bool GroupAlive(pid_t pgid) { return kill(-pgid, 0) == 0; }
  std::string Out() { return ReadFile(dir_ + "/out").value(); }

  EventLoop loop_;
  TempDir tmp_{"supervisor-test"};
  const std::string dir_ = tmp_.path();
};

TEST_F(SupervisorTest, ExitCodeAndOutput) {
  Supervisor sup(loop_);
  auto status = RunToEnd(sup, Shell("echo hello; echo oops >&2; exit 3"));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(status->Describe(), "exit 3");
  EXPECT_EQ(Out(), "hello\noops\n");
  EXPECT_EQ(sup.running(), 0u);
}

TEST_F(SupervisorTest, ChildGetsItsOwnGroupDefaultSignalsAndDevNullStdin) {
  Supervisor sup(loop_);
  auto status =
      RunToEnd(sup, Shell("ps -o pid=,pgid= -p $$; grep -E '^Sig(Blk|Ign)' /proc/self/status;"
                          " cat; echo stdin-done"));
  ASSERT_TRUE(status);
  std::string out = Out();
  auto fields = Split(std::string(Trim(out.substr(0, out.find('\n')))), ' ');
  fields.erase(std::remove(fields.begin(), fields.end(), ""), fields.end());
  ASSERT_EQ(fields.size(), 2u) << out;
  EXPECT_EQ(fields[0], fields[1]) << "the child leads its own process group";
  EXPECT_NE(out.find("SigBlk:\t0000000000000000"), std::string::npos) << out;
  // SIGHUP, SIGINT, SIGPIPE and SIGTERM are back to their defaults (faultline ignores SIGPIPE).
  size_t ign = out.find("SigIgn:\t");
  ASSERT_NE(ign, std::string::npos);
  uint64_t ignored = std::stoull(out.substr(ign + 8, 16), nullptr, 16);
  for (int sig : {SIGHUP, SIGINT, SIGPIPE, SIGTERM}) {
    EXPECT_EQ(ignored & (uint64_t{1} << (sig - 1)), 0u) << "signal " << sig << " ignored: " << out;
  }
  EXPECT_NE(out.find("stdin-done"), std::string::npos);
}

TEST_F(SupervisorTest, StopSignalsTheWholeGroup) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  auto id = sup.Spawn(Shell("sleep 100 & sleep 100 & echo started; wait"),
                      [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok());
  pid_t pgid = sup.Pid(*id);
  ASSERT_TRUE(WaitForOutput("started"));
  sup.Stop(*id, SIGTERM, Millis(5000));
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(5000)));
  EXPECT_EQ(status->signal, SIGTERM);
  // The background sleeps die with the group and are reaped as orphans on their SIGCHLD.
  auto deadline = steady_clock::now() + Millis(2000);
  while (GroupAlive(pgid) && steady_clock::now() < deadline) loop_.RunOnce(Millis(10));
  EXPECT_FALSE(GroupAlive(pgid)) << "the background sleeps must be gone too";
}

TEST_F(SupervisorTest, GraceThenSigkill) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  // The shell and its sleep ignore SIGTERM: only SIGKILL after the grace ends them.
  auto id =
      sup.Spawn(Shell("trap '' TERM; echo ready; sleep 100"), [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(WaitForOutput("ready"));
  auto start = steady_clock::now();
  sup.Stop(*id, SIGTERM, Millis(300));
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(5000)));
  auto took = steady_clock::now() - start;
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_GE(took, Millis(290));
  EXPECT_LT(took, Millis(3000));
}

TEST_F(SupervisorTest, WhatALeaderLeavesBehindIsKilledWithIt) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  auto id = sup.Spawn(Shell("sleep 100 & echo started; sleep 0.5; exit 0"),
                      [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(WaitForOutput("started"));
  // The pids as faultline sees them (inside a PID namespace, $! would be the namespace's own).
  std::vector<pid_t> members = sup.Members(*id);
  EXPECT_GE(members.size(), 2u) << "the shell and its background sleep";
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(10000)));
  EXPECT_EQ(status->code, 0);
  // The background sleep was SIGKILLed with the child; it may linger as a zombie for a moment.
  auto alive = [&] {
    for (pid_t p : members) {
      auto stat = ReadFile(fmt::format("/proc/{}/stat", p));
      if (stat && stat->find(") Z ") == std::string::npos) return true;
    }
    return false;
  };
  auto deadline = steady_clock::now() + Millis(2000);
  while (alive() && steady_clock::now() < deadline) loop_.RunOnce(Millis(10));
  EXPECT_FALSE(alive());
}

TEST_F(SupervisorTest, PausedGroupStillStops) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  auto id = sup.Spawn(Shell("echo ready; sleep 100"), [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(WaitForOutput("ready"));
  sup.Signal(*id, SIGSTOP);
  sup.Stop(*id, SIGTERM, Millis(5000));
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(5000)));
  EXPECT_EQ(status->signal, SIGTERM);
}

TEST_F(SupervisorTest, RestartAfterAnExitIsAFreshGroup) {
  Supervisor sup(loop_);
  auto first = RunToEnd(sup, Shell("echo run >> " + dir_ + "/runs; exit 1"));
  auto second = RunToEnd(sup, Shell("echo run >> " + dir_ + "/runs; exit 0"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->code, 1);
  EXPECT_EQ(second->code, 0);
  EXPECT_EQ(ReadFile(dir_ + "/runs").value(), "run\nrun\n");
}

TEST_F(SupervisorTest, DropsPrivilegesToTheNamedUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop privileges";
  passwd* pw = getpwnam("nobody");
  ASSERT_NE(pw, nullptr);
  Supervisor sup(loop_);
  SpawnSpec spec = Shell("id -u; id -g");
  spec.user = "nobody";
  ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);
  auto status = RunToEnd(sup, spec);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0) << Out();
  EXPECT_EQ(Out(), fmt::format("{}\n{}\n", pw->pw_uid, pw->pw_gid));
}

TEST_F(SupervisorTest, MissingProgramIsAClearError) {
  Supervisor sup(loop_);
  SpawnSpec spec;
  spec.argv = {"no-such-program-here"};
  spec.env = {"PATH=/usr/bin:/bin"};
  auto id = sup.Spawn(spec, nullptr);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error(), "'no-such-program-here' was not found in PATH (/usr/bin:/bin)");
  spec.argv = {dir_};
  EXPECT_FALSE(sup.Spawn(spec, nullptr).ok());
  spec.argv = {"true"};
  spec.user = "no-such-user-here";
  if (geteuid() == 0) {
    EXPECT_FALSE(sup.Spawn(spec, nullptr).ok());
  }
}

TEST_F(SupervisorTest, DestructorKillsWhatIsStillRunning) {
  pid_t pgid = -1;
  {
    Supervisor sup(loop_);
    auto id = sup.Spawn(Shell("sleep 100 & sleep 100"), nullptr);
    ASSERT_TRUE(id.ok());
    pgid = sup.Pid(*id);
    EXPECT_TRUE(GroupAlive(pgid));
  }
  auto deadline = steady_clock::now() + Millis(2000);
  while (GroupAlive(pgid) && steady_clock::now() < deadline) usleep(10000);
  EXPECT_FALSE(GroupAlive(pgid));
}

TEST_F(SupervisorTest, StopAfterExitIsANoOp) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  auto id = sup.Spawn(Shell("exit 0"), [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok());
  loop_.RunUntil([&] { return status.has_value(); }, Millis(5000));
  sup.Stop(*id, SIGTERM, Millis(10));
  sup.Signal(*id, SIGSTOP);
  EXPECT_FALSE(sup.Running(*id));
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST(SetEnvVar, ReplacesByExactNameOrAppends) {
  std::vector<std::string> env = {"PATH=/bin", "KV_PORT=1", "KV_PORTS=x"};
  SetEnvVar(env, "KV_PORT", "4242");
  SetEnvVar(env, "NEW", "a=b");
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "KV_PORT=4242", "KV_PORTS=x", "NEW=a=b"}));
}

}  // namespace
}  // namespace faultline
