// Real-process tests of containment: daemons that double-fork, setsid, setpgid and ignore SIGTERM
// are stopped, paused and killed with the child that started them.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include "base/files.h"
#include "base/strings.h"
#include "process/child_process.h"
#include "process/spawn.h"
#include "process/supervisor.h"

namespace faultline {
namespace {

using std::chrono::steady_clock;

// A shell line that leaves a daemon behind: it double-forks, calls setsid (through setsid(1)),
// ignores SIGTERM and writes its pid to `pidfile`.
std::string Daemon(const std::string& pidfile) {
  return "( setsid sh -c 'trap \"\" TERM; echo $$ > " + pidfile + ".tmp; mv " + pidfile + ".tmp " +
         pidfile + "; exec sleep 1000' & ) ";
}

class ContainmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ChildContainment() == Containment::kProcessGroup) {
      GTEST_SKIP() << "children are contained by " << DescribeContainment(ChildContainment());
    }
    dir_ = MakeTempDir("containment-test").value();
  }
  void TearDown() override {
    if (!dir_.empty()) {
      ASSERT_TRUE(RemoveTree(dir_).ok());
    }
  }
  SpawnSpec Shell(const std::string& script) {
    SpawnSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.stdout_path = dir_ + "/out";
    spec.stderr_path = dir_ + "/out";
    return spec;
  }
  // The pid the daemon wrote, as faultline sees it (its host pid, found through /proc).
  std::optional<pid_t> WaitForDaemon(const std::string& pidfile) {
    auto deadline = steady_clock::now() + Millis(5000);
    while (steady_clock::now() < deadline) {
      loop_.RunOnce(Millis(10));
      if (PathExists(pidfile)) break;
    }
    return PathExists(pidfile) ? std::optional<pid_t>(0) : std::nullopt;
  }
  // Waits (at most 2 s, the contract) until no process of `members` is alive.
  bool AllGone(const std::vector<pid_t>& members) {
    auto deadline = steady_clock::now() + Millis(2000);
    while (steady_clock::now() < deadline) {
      bool any = false;
      for (pid_t p : members) {
        auto stat = ReadFile(fmt::format("/proc/{}/stat", p));
        any |= stat && stat->find(") Z ") == std::string::npos;
      }
      if (!any) return true;
      loop_.RunOnce(Millis(10));
    }
    return false;
  }
  static char State(pid_t p) {
    auto stat = ReadFile(fmt::format("/proc/{}/stat", p));
    if (!stat) return '?';
    return stat->at(stat->rfind(')') + 2);
  }

  EventLoop loop_;
  std::string dir_;
};

TEST_F(ContainmentTest, ProgramIsTheSecondProcessOfItsOwnNamespaceWithItsOwnProc) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  auto id = sup.Spawn(Shell("echo pid=$$; ps -o pid=,pgid= -p $$; exit 4"),
                      [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok()) << id.error();
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(10000)));
  EXPECT_EQ(status->code, 4);
  std::string out = ReadFile(dir_ + "/out").value();
  EXPECT_NE(out.find("pid=2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("2       2"), std::string::npos)
      << "ps sees the namespace's own /proc: " << out;
}

TEST_F(ContainmentTest, SetsidDaemonDiesWhenItsStarterEnds) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  std::string pidfile = dir_ + "/daemon.pid";
  // The daemon outlives its starter's program, which waits until the daemon is up, then exits.
  auto id = sup.Spawn(Shell(Daemon(pidfile) + "; while [ ! -f " + pidfile +
                            " ]; do sleep 0.01; "
                            "done; sleep 0.2; exit 0"),
                      [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(WaitForDaemon(pidfile));
  std::vector<pid_t> members = sup.Members(*id);
  EXPECT_GE(members.size(), 2u) << "the shell and the daemon's sleep";
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(10000)));
  EXPECT_EQ(status->code, 0);
  EXPECT_TRUE(AllGone(members));
}

TEST_F(ContainmentTest, StopReachesASetsidDaemonThatIgnoresSigterm) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  std::string pidfile = dir_ + "/daemon.pid";
  auto id =
      sup.Spawn(Shell(Daemon(pidfile) + "; exec sleep 1000"), [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(WaitForDaemon(pidfile));
  std::vector<pid_t> members = sup.Members(*id);
  ASSERT_GE(members.size(), 2u);
  sup.Stop(*id, SIGTERM, Millis(300));
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(10000)));
  EXPECT_EQ(status->signal, SIGTERM) << "the program's own end is reported";
  EXPECT_TRUE(AllGone(members)) << "the daemon ignored SIGTERM and left its session";
}

TEST_F(ContainmentTest, PauseStopsEveryProcessAndResumeContinuesThem) {
  Supervisor sup(loop_);
  std::string pidfile = dir_ + "/daemon.pid";
  auto id = sup.Spawn(Shell(Daemon(pidfile) + "; (setsid sleep 1000 &); exec sleep 1000"), nullptr);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(WaitForDaemon(pidfile));
  std::vector<pid_t> members;
  auto deadline = steady_clock::now() + Millis(5000);
  while ((members = sup.Members(*id)).size() < 3 && steady_clock::now() < deadline) {
    loop_.RunOnce(Millis(10));
  }
  ASSERT_GE(members.size(), 3u);
  sup.Signal(*id, SIGSTOP);
  members = sup.Members(*id);  // short-lived helpers of the start-up may have ended meanwhile
  EXPECT_GE(members.size(), 3u);
  for (pid_t p : members) EXPECT_EQ(State(p), 'T') << p;
  sup.Signal(*id, SIGCONT);
  deadline = steady_clock::now() + Millis(2000);
  auto any_stopped = [&] {
    for (pid_t p : members) {
      if (State(p) == 'T') return true;
    }
    return false;
  };
  while (any_stopped() && steady_clock::now() < deadline) loop_.RunOnce(Millis(5));
  EXPECT_FALSE(any_stopped());
  sup.KillAll(false);
  EXPECT_TRUE(AllGone(members));
}

TEST_F(ContainmentTest, SigkillOfTheChildEndsItsWholeNamespace) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  std::string pidfile = dir_ + "/daemon.pid";
  auto id =
      sup.Spawn(Shell(Daemon(pidfile) + "; exec sleep 1000"), [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(WaitForDaemon(pidfile));
  std::vector<pid_t> members = sup.Members(*id);
  sup.Stop(*id, SIGKILL, Millis(0));
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(10000)));
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_TRUE(AllGone(members));
  EXPECT_TRUE(sup.Members(*id).empty());
}

TEST_F(ContainmentTest, ChildProcessKillEndsItsDaemonsToo) {
  std::string pidfile = dir_ + "/daemon.pid";
  std::vector<pid_t> members;
  {
    auto child = ChildProcess::Spawn({{"sh", "-c", Daemon(pidfile) + "; exec sleep 1000"}, -1, -1});
    ASSERT_TRUE(child.ok()) << child.error();
    auto deadline = steady_clock::now() + Millis(5000);
    while (!PathExists(pidfile) && steady_clock::now() < deadline) usleep(10000);
    members = ContainedProcesses(child->pid());
    EXPECT_GE(members.size(), 2u);
  }
  EXPECT_TRUE(AllGone(members));
}

// Shared memory is the namespace's own: a POSIX object and a System V segment made inside never
// appear on the host, and are gone with the namespace.
TEST_F(ContainmentTest, SharedMemoryMadeInsideStaysInside) {
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  std::string name = fmt::format("faultline-containment-{}", getpid());
  // The path is put together inside: a command line naming the host's /dev/shm keeps it (below).
  auto id =
      sup.Spawn(Shell(fmt::format("d=/dev; echo x > $d/shm/{0} && ipcmk -M 7654321 >/dev/null "
                                  "&& test -f $d/shm/{0} && grep -q ' 7654321 ' /proc/sysvipc/shm",
                                  name)),
                [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok()) << id.error();
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(10000)));
  EXPECT_EQ(status->code, 0) << ReadFile(dir_ + "/out").value_or("");
  EXPECT_FALSE(PathExists("/dev/shm/" + name));
  EXPECT_EQ(ReadFile("/proc/sysvipc/shm").value_or("").find(" 7654321 "), std::string::npos);
}

// A program that names a path in the host's /dev/shm (a run folder there) keeps the host's
// /dev/shm, so the path is there; its System V IPC is still its own.
TEST_F(ContainmentTest, AProgramThatNamesAPathInTheHostsShmSeesIt) {
  std::string host = fmt::format("/dev/shm/faultline-containment-host-{}", getpid());
  ASSERT_TRUE(MakeDirs(host).ok());
  Supervisor sup(loop_);
  std::optional<ExitStatus> status;
  auto spec = Shell("test -d \"$RUN_FOLDER\" && echo seen > \"$RUN_FOLDER/out\"");
  spec.env.push_back("RUN_FOLDER=" + host);
  auto id = sup.Spawn(spec, [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(id.ok()) << id.error();
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(10000)));
  EXPECT_EQ(status->code, 0) << ReadFile(dir_ + "/out").value_or("");
  EXPECT_EQ(ReadFile(host + "/out").value_or(""), "seen\n");
  EXPECT_TRUE(RemoveTree(host).ok());
}

}  // namespace
}  // namespace faultline
