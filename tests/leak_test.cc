// The leak suite: on every way faultline ends (a normal end, an error, SIGINT, SIGTERM, SIGKILL),
// daemons that double-fork, call setsid or setpgid, or ignore SIGTERM, started by a service and
// by a command, are all gone within 2 seconds, and the shared memory they made (POSIX and
// System V) never reaches the host. Scoped to this test's own run: a process counts
// when its environment names the test's folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "process/spawn.h"
#include "tests/e2e_util.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class Leak : public e2e::Harness, public ::testing::Test {
 protected:
  void SetUp() override {
    if (ChildContainment() == Containment::kProcessGroup) {
      GTEST_SKIP() << "children are contained by " << DescribeContainment(ChildContainment());
    }
  }
  // Nothing of the run is left within the contract's 2 seconds.
  void ExpectNothingLeftWithin2s() {
    auto deadline = std::chrono::steady_clock::now() + Millis(2000);
    while (!NothingLeft() && std::chrono::steady_clock::now() < deadline) usleep(20000);
    EXPECT_TRUE(NothingLeft()) << LeftOver();
  }
  // Starts the daemons scenario and waits until the service's and the command's daemons run.
  Background StartWithDaemons() {
    auto b = StartBackground({"run", Fixture("daemons"), "--seed", "1"});
    EXPECT_TRUE(WaitForFile("service-daemons", Millis(30000)));
    EXPECT_TRUE(WaitForFile("driver-started", Millis(30000)));
    // The service's three daemons and the command's three, at least.
    EXPECT_GE(Survivors().size(), 6u) << LeftOver();
    // Their shared memory is in namespaces of their own, even while they run.
    EXPECT_THAT(SharedMemoryOnHost(), IsEmpty());
    return b;
  }
};

TEST_F(Leak, NormalEnd) {
  auto b = StartWithDaemons();
  auto end = StopBackground(b, 0);
  EXPECT_EQ(end.code, 0) << end.out << end.err;
  ExpectNothingLeftWithin2s();
}

TEST_F(Leak, SetupError) {
  auto b = StartBackground({"run", Fixture("daemons-error"), "--seed", "1"});
  ASSERT_TRUE(WaitForFile("service-daemons", Millis(30000)));
  EXPECT_FALSE(NothingLeft());
  auto end = StopBackground(b, 0);
  EXPECT_EQ(end.code, 3) << end.out << end.err;
  EXPECT_THAT(end.out + end.err, HasSubstr("setup"));
  ExpectNothingLeftWithin2s();
}

class LeakOnSignal : public Leak, public ::testing::WithParamInterface<int> {};

TEST_P(LeakOnSignal, DaemonsDieWithFaultline) {
  int signal = GetParam();
  auto b = StartWithDaemons();
  auto end = StopBackground(b, signal);
  if (signal != SIGKILL) {
    EXPECT_EQ(end.code, 130) << end.out << end.err;
  }
  ExpectNothingLeftWithin2s();
}

INSTANTIATE_TEST_SUITE_P(Signals, LeakOnSignal, ::testing::Values(SIGINT, SIGTERM, SIGKILL),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

}  // namespace
}  // namespace faultline
