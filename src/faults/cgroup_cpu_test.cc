#include "faults/cgroup_cpu.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/files.h"

namespace faultline::faults {
namespace {

std::string CgroupLines(pid_t pid) {
  return ReadFile("/proc/" + std::to_string(pid) + "/cgroup").value_or("");
}

// A group that forks all the time (a database starting backends) is under the limit while its
// processes move back: children forked meanwhile land in the limit's cgroup after it was read.
// Release still takes every one back and removes the cgroup, each of many times.
TEST(CgroupCpu, ReleaseTakesBackAGroupThatForksWhileItMoves) {
  if (geteuid() != 0) GTEST_SKIP() << "cgroups need root";
  auto cpu = CgroupCpu::Detect();
  if (!cpu.ok()) GTEST_SKIP() << cpu.error();
  pid_t forker = fork();
  ASSERT_GE(forker, 0);
  if (forker == 0) {
    execl("/bin/sh", "sh", "-c", "while :; do /bin/true; done", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string before = CgroupLines(forker);
  for (int i = 0; i < 20; ++i) {
    auto handle = (*cpu)->Limit("forker", {forker}, 0.5);
    ASSERT_TRUE(handle.ok()) << handle.error();
    usleep(20000);
    Status released = (*cpu)->Release(*handle);
    EXPECT_TRUE(released.ok()) << "round " << i << ": " << released.message();
    EXPECT_EQ(CgroupLines(forker), before) << "round " << i;
  }
  kill(forker, SIGKILL);
  waitpid(forker, nullptr, 0);
}

}  // namespace
}  // namespace faultline::faults
