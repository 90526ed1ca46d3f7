// faultline's disk preload in real programs (sh, cat, sync), switched through InProcessFaults:
// each kind fails the calls it names on files and nothing else (pipes, /dev), a probability
// fails about that share of calls, a heal makes every call work again, and a service whose
// processes lack the preload is an error, not a fault in force.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "base/files.h"
#include "base/strings.h"
#include "faults/in_process.h"

namespace faultline::faults {
namespace {

using ::testing::HasSubstr;

// The service's processes, as the schedule would see them.
class FakeServices : public ServiceControl {
 public:
  std::map<std::string, std::vector<pid_t>> pids;
  bool IsUp(const std::string&) const override { return true; }
  Status Kill(const std::string&, std::function<void()>) override { return Status::Ok(); }
  Status Stop(const std::string&, std::function<void()>) override { return Status::Ok(); }
  Status Restart(const std::string&) override { return Status::Ok(); }
  Status Pause(const std::string&) override { return Status::Ok(); }
  Status Resume(const std::string&) override { return Status::Ok(); }
  std::vector<pid_t> Processes(const std::string& s) const override {
    auto it = pids.find(s);
    return it == pids.end() ? std::vector<pid_t>{} : it->second;
  }
  void ExplainExits(const std::string&, const std::string&) override {}
};

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class DiskPreload : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("disk-preload");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    faults_ = std::make_unique<InProcessFaults>(dir_ + "/faults", std::set<std::string>{},
                                                std::set<std::string>{"s"});
    ASSERT_TRUE(InProcessFaults::Check(false, true).ok())
        << InProcessFaults::Check(false, true).message();
    Status prepared = faults_->Prepare();
    ASSERT_TRUE(prepared.ok()) << prepared.message();
    faults_->Attach(&services_);
    // The service: a process that holds the preload while the test runs its commands.
    service_ = Spawn({"sleep", "60"}, false);
    ASSERT_GT(service_, 0);
    services_.pids["s"] = {service_};
    for (int i = 0; i < 200 && !Mapped(service_); ++i) usleep(5000);
  }
  void TearDown() override {
    if (service_ > 0) {
      kill(service_, SIGKILL);
      waitpid(service_, nullptr, 0);
    }
    (void)RemoveTree(dir_);
  }

  static bool Mapped(pid_t pid) {
    return ReadFile("/proc/" + std::to_string(pid) + "/maps")
               .value_or("")
               .find("libfaultline-disk.so") != std::string::npos;
  }

  // Starts `argv` as the service would start (the launch hooks' argv and environment).
  pid_t Spawn(std::vector<std::string> argv, bool capture, int* out_fd = nullptr) {
    std::vector<std::string> env = {"PATH=/usr/bin:/bin"};
    faults_->BeforeStart("s", argv, env);
    int fds[2] = {-1, -1};
    if (capture && pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
      if (capture) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
      }
      std::vector<char*> a, e;
      for (auto& s : argv) a.push_back(s.data());
      for (auto& s : env) e.push_back(s.data());
      a.push_back(nullptr);
      e.push_back(nullptr);
      execve(a[0], a.data(), e.data());
      _exit(127);
    }
    if (capture) {
      close(fds[1]);
      *out_fd = fds[0];
    }
    return pid;
  }

  // Runs a shell script as a process of the service would.
  Outcome Sh(const std::string& script) {
    int fd = -1;
    pid_t pid = Spawn({"/bin/sh", "-c", script}, true, &fd);
    Outcome o;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) o.output.append(buf, static_cast<size_t>(n));
    close(fd);
    int status = 0;
    waitpid(pid, &status, 0);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return o;
  }

  void Set(std::vector<DiskKind> kinds, double probability = 1.0) {
    Status s = faults_->SetDiskFaults("s", kinds, probability);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  std::string File(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
  FakeServices services_;
  std::unique_ptr<InProcessFaults> faults_;
  pid_t service_ = -1;
};

TEST_F(DiskPreload, TheServiceRunsWithThePreloadAndNothingFailsWhileNoFaultIsOn) {
  EXPECT_TRUE(Mapped(service_));
  Outcome o = Sh(fmt::format("echo data > {0} && cat {0} && sync {0}", File("a")));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.output, "data\n");
}

TEST_F(DiskPreload, WriteEnospcFailsWritesToFilesButNotToPipes) {
  Set({DiskKind::kWriteEnospc});
  // The shell's own output goes to a pipe and still arrives.
  Outcome o = Sh(fmt::format("echo through-the-pipe; echo data | cat > {}", File("b")));
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("through-the-pipe"));
  EXPECT_THAT(o.output, HasSubstr("No space left on device"));
  Set({});
  o = Sh(fmt::format("echo data > {0} && cat {0}", File("b")));
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.output, "data\n");
}

TEST_F(DiskPreload, ReadEioFailsReadsOfFilesAndHealingEndsIt) {
  ASSERT_TRUE(WriteFile(File("c"), "data\n").ok());
  Set({DiskKind::kReadEio});
  Outcome o = Sh(fmt::format("cat {}", File("c")));
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("Input/output error"));
  // A pipe is not a disk: the shell reads its here-document through one.
  o = Sh("echo piped | cat");
  EXPECT_EQ(o.output, "piped\n");
  Set({});
  EXPECT_EQ(Sh(fmt::format("cat {}", File("c"))).output, "data\n");
}

TEST_F(DiskPreload, OpenEioFailsOpensOfFilesButNotOfDevices) {
  ASSERT_TRUE(WriteFile(File("d"), "data\n").ok());
  Set({DiskKind::kOpenEio});
  Outcome o = Sh(fmt::format("cat {}", File("d")));
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("Input/output error"));
  o = Sh("cat /dev/null && echo devices-open");
  EXPECT_EQ(o.output, "devices-open\n");
}

TEST_F(DiskPreload, FsyncEioFailsFsyncOnly) {
  Set({DiskKind::kFsyncEio});
  Outcome o = Sh(fmt::format("echo data > {0} && cat {0} && sync {0}", File("e")));
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("data\n"));  // the write and the read went through
  EXPECT_THAT(o.output, HasSubstr("Input/output error"));
}

TEST_F(DiskPreload, AProbabilityFailsAboutThatShareOfCalls) {
  Set({DiskKind::kWriteEio}, 0.5);
  Outcome o = Sh(fmt::format(
      "n=0; i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo x >> {} 2>/dev/null || n=$((n+1)); "
      "done; echo $n",
      File("f")));
  int failed = std::stoi(o.output);
  // 400 draws at 0.5: outside 140..260 is more than six standard deviations away.
  EXPECT_GT(failed, 140) << o.output;
  EXPECT_LT(failed, 260) << o.output;
  // Every failed call was counted, across the shell and its children, and nothing else.
  EXPECT_EQ(faults_->DiskFailedCalls("s"), static_cast<uint64_t>(failed));
}

TEST_F(DiskPreload, AServiceWithoutThePreloadIsAnError) {
  services_.pids["s"] = {getpid()};  // this test binary has no preload
  Status s = faults_->SetDiskFaults("s", {DiskKind::kFsyncEio}, 1.0);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("disk preload"));
  // A refused fault is not written: the processes that do have the preload (a service that ended
  // at its first failed call, and restarts) keep a healthy disk.
  Outcome o = Sh("echo x > " + File("f") + " && sync " + File("f") + " && echo synced");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.output, "synced\n");
  // Healing needs no process.
  EXPECT_TRUE(faults_->SetDiskFaults("s", {}, 0).ok());
}

}  // namespace
}  // namespace faultline::faults
