// Isolated mode end to end: the real faultline binary on scenarios whose services run in units
// (root only). Fixed ports in every unit with --jobs 2, host names, mounts, ANTITHESIS_STOP_FAULTS
// from inside a unit, bad input, and nothing left in the host's network configuration or mount
// table after a normal end, an error and SIGKILL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e_util.h"
#include "unit/unit_set.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

std::string HostNetwork() {
  // Interface names (not their counters, which other engineers' traffic moves) and routes.
  std::string out;
  for (const auto& line : Split(ReadFile("/proc/net/dev").value_or(""), '\n')) {
    size_t colon = line.find(':');
    if (colon != std::string::npos) out += std::string(Trim(line.substr(0, colon))) + "\n";
  }
  return out + ReadFile("/proc/net/route").value_or("");
}

class Isolated : public e2e::Harness, public ::testing::Test {
 protected:
  void SetUp() override {
    if (Status s = unit::CheckIsolatedPrivileges(); !s.ok()) GTEST_SKIP() << s.message();
    network_before_ = HostNetwork();
  }
  // Nothing of the run is left within 2 s: processes, holders, interfaces, routes, mounts.
  void ExpectNothingLeft() {
    auto deadline = std::chrono::steady_clock::now() + Millis(2000);
    auto clean = [&] {
      return NothingLeft() && HostNetwork() == network_before_ &&
             ReadFile("/proc/self/mounts").value_or("").find(out_dir_) == std::string::npos &&
             Holders().empty();
    };
    while (!clean() && std::chrono::steady_clock::now() < deadline) usleep(20000);
    EXPECT_TRUE(NothingLeft()) << LeftOver();
    EXPECT_EQ(HostNetwork(), network_before_);
    EXPECT_EQ(ReadFile("/proc/self/mounts").value_or("").find(out_dir_), std::string::npos);
    EXPECT_TRUE(Holders().empty());
  }
  // Unit holders of this test's runs that are still alive.
  std::vector<int> Holders() {
    std::vector<int> alive;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(out_dir_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().filename() != "units.json") continue;
      Json doc = Json::parse(ReadFile(it->path()).value_or("{}"), nullptr, false);
      std::vector<int> pids = {doc.value("hub", 0)};
      for (auto& [name, u] : doc["units"].items()) pids.push_back(u.value("pid", 0));
      for (int pid : pids) {
        auto stat = ReadFile(fmt::format("/proc/{}/stat", pid));
        if (pid > 0 && stat && stat->find(") Z ") == std::string::npos &&
            ReadFile(fmt::format("/proc/{}/cmdline", pid)).value_or("").find("--hold") !=
                std::string::npos) {
          alive.push_back(pid);
        }
      }
    }
    return alive;
  }
  std::string network_before_;
};

TEST_F(Isolated, FixedPortsHostNamesAndMountsWithTwoJobs) {
  auto r =
      Faultline({"run", Fixture("isolated"), "--seed", "1", "--histories", "2", "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  Json report = Report();
  EXPECT_EQ(report["summary"]["failed"], 0) << report.dump(2);
  const Json* dial = Property(report, "t/parallel_driver_dial.sh exits 0");
  ASSERT_NE(dial, nullptr) << report.dump(2);
  EXPECT_GT((*dial)["passes"].get<int>(), 0);
  EXPECT_EQ((*dial)["failures"], 0);
  ExpectNothingLeft();
}

TEST_F(Isolated, SigkillLeavesNothingBehind) {
  auto b = StartBackground({"run", Fixture("isolated"), "--seed", "1", "--duration", "60s"});
  ASSERT_TRUE(WaitForFile("driver-started", Millis(30000)));
  EXPECT_FALSE(Holders().empty());
  StopBackground(b, SIGKILL);
  ExpectNothingLeft();
}

TEST_F(Isolated, SigintEndsTheRunAndItsUnits) {
  auto b = StartBackground({"run", Fixture("isolated"), "--seed", "1", "--duration", "60s"});
  ASSERT_TRUE(WaitForFile("driver-started", Millis(30000)));
  auto end = StopBackground(b, SIGINT);
  EXPECT_EQ(end.code, 130) << end.out << end.err;
  ExpectNothingLeft();
}

TEST_F(Isolated, AServiceThatNeverComesUpIsAnErrorAndLeavesNothing) {
  auto r = Faultline({"run", Fixture("daemons-error"), "--seed", "1", "--network", "isolated"});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  ExpectNothingLeft();
}

TEST_F(Isolated, BadInputIsAClearErrorExitTwo) {
  auto r = Faultline({"run", Fixture("isolated-bad"), "--seed", "1"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("'Web_1' is not a valid host name"));
  EXPECT_THAT(r.err, HasSubstr("(lowercase letters, digits and '-', as in 'web-1')"));
  EXPECT_THAT(r.err, HasSubstr("ports 'client' and 'peer' of service 'Web_1' are both 2379"));
  EXPECT_THAT(r.err, HasSubstr("mount source 'no-such-folder' does not exist"));
  // The same names pass in loopback mode, where no host name is needed.
  r = Faultline({"run", Fixture("long"), "--network", "isolated", "--template", "nope"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
}

TEST_F(Isolated, WithoutRootItSaysWhatIsMissingAndThatLoopbackExists) {
  // faultline as nobody, through setpriv, in a folder nobody may write.
  chmod(out_dir_.c_str(), 0777);
  std::string err = out_dir_ + "/nobody.err";
  std::string command = fmt::format(
      "/usr/bin/setpriv --reuid=nobody --regid=nogroup --clear-groups {}/faultline run {} --seed 1 "
      "--out {} 2>{} >/dev/null",
      FAULTLINE_BIN_DIR, Fixture("isolated"), out_dir_, err);
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  std::string text = ReadFile(err).value_or("");
  EXPECT_THAT(text, HasSubstr("isolated mode needs root"));
  EXPECT_THAT(text, HasSubstr("use loopback mode (network: loopback, or --network loopback)"));
}

}  // namespace
}  // namespace faultline
