// Real-namespace tests of units and the hub (root only): host names and /etc/hosts, bind mounts,
// TCP through the hub's proxy, cuts of TCP and UDP in one direction or both, a measured packet
// loss rate, containment inside a unit, and nothing left on the host afterwards.
#include "unit/unit_set.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "base/files.h"
#include "base/strings.h"
#include "process/supervisor.h"
#include "unit/hub_network.h"

namespace faultline::unit {
namespace {

using std::chrono::steady_clock;

// A socket made in the network namespace `netns`.
UniqueFd SocketIn(int netns, int type) {
  static int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  EXPECT_EQ(setns(netns, CLONE_NEWNET), 0);
  UniqueFd fd(socket(AF_INET, type | SOCK_CLOEXEC, 0));
  EXPECT_EQ(setns(own, CLONE_NEWNET), 0);
  return fd;
}

sockaddr_in Addr(const std::string& ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

std::string HostLinks() {
  // Interface names (not their counters, which other engineers' traffic moves) and routes.
  std::string out;
  for (const auto& line : Split(ReadFile("/proc/net/dev").value_or(""), '\n')) {
    size_t colon = line.find(':');
    if (colon != std::string::npos) out += std::string(Trim(line.substr(0, colon))) + "\n";
  }
  return out + ReadFile("/proc/net/route").value_or("");
}

class UnitSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Status s = CheckIsolatedPrivileges(); !s.ok()) GTEST_SKIP() << s.message();
    dir_ = MakeTempDir("unit-test").value();
    ASSERT_TRUE(MakeDirs(dir_ + "/data").ok());
    ASSERT_TRUE(WriteFile(dir_ + "/data/hello", "from the host\n").ok());
    host_links_ = HostLinks();
    std::vector<UnitConfig> units = {
        {"alpha", {"alpha.cluster"}, {{"/opt/faultline-test/data", dir_ + "/data", true, {}}}},
        {"beta", {}, {}},
        {"workload", {}, {}}};
    auto set = UnitSet::Create(dir_ + "/units", units);
    ASSERT_TRUE(set.ok()) << set.error();
    units_ = std::move(*set);
    auto hub = HubNetwork::Start(*units_, 1, dir_ + "/units");
    ASSERT_TRUE(hub.ok()) << hub.error();
    hub_ = std::move(*hub);
  }
  void TearDown() override {
    hub_.reset();
    units_.reset();
    if (!dir_.empty()) {
      // Nothing of the hub or the units is left in the host's network configuration.
      EXPECT_EQ(HostLinks(), host_links_);
      auto mounts = ReadFile("/proc/self/mounts").value_or("");
      EXPECT_EQ(mounts.find(dir_), std::string::npos) << mounts;
      EXPECT_EQ(mounts.find("/opt/faultline-test"), std::string::npos) << mounts;
      EXPECT_FALSE(PathExists("/opt/faultline-test"));
      EXPECT_TRUE(RemoveTree(dir_).ok());
    }
  }
  int NetOf(const std::string& unit) { return units_->For(unit).enter.net; }

  // Runs `script` in `unit` and returns its output.
  std::string RunIn(const std::string& unit, const std::string& script) {
    Supervisor sup(loop_);
    SpawnSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.stdout_path = dir_ + "/out";
    spec.stderr_path = dir_ + "/out";
    (void)RemoveTree(dir_ + "/out");
    std::optional<ExitStatus> status;
    auto id = sup.Spawn(
        spec, [&](ExitStatus s) { status = s; }, units_->For(unit));
    EXPECT_TRUE(id.ok()) << id.error();
    loop_.RunUntil([&] { return status.has_value(); }, Millis(10000));
    return ReadFile(dir_ + "/out").value_or("");
  }

  // Whether a TCP connection from `from` to beta:7000 is accepted within `limit`.
  bool TcpConnects(const std::string& from, Millis limit) {
    UniqueFd c = SocketIn(NetOf(from), SOCK_STREAM | SOCK_NONBLOCK);
    sockaddr_in to = Addr(units_->Address("beta"), 7000);
    connect(c.get(), reinterpret_cast<sockaddr*>(&to), sizeof to);
    pollfd p{c.get(), POLLOUT, 0};
    if (poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(c.get(), SOL_SOCKET, SO_ERROR, &error, &len);
    return error == 0;
  }

  // Sends `count` datagrams from `from` to beta:9000 and returns how many arrived.
  int UdpDelivered(const std::string& from, int count) {
    UniqueFd rx = SocketIn(NetOf("beta"), SOCK_DGRAM | SOCK_NONBLOCK);
    int big = 4 << 20;
    setsockopt(rx.get(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    sockaddr_in any = Addr("0.0.0.0", 9000);
    EXPECT_EQ(bind(rx.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    UniqueFd tx = SocketIn(NetOf(from), SOCK_DGRAM);
    sockaddr_in to = Addr(units_->Address("beta"), 9000);
    int received = 0;
    char buf[64];
    auto drain = [&] {
      while (recv(rx.get(), buf, sizeof buf, 0) > 0) ++received;
    };
    for (int i = 0; i < count; ++i) {
      sendto(tx.get(), "datagram", 8, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      if (i % 100 == 99) drain();
    }
    auto deadline = steady_clock::now() + Millis(300);
    while (steady_clock::now() < deadline) {
      drain();
      usleep(1000);
    }
    return received;
  }

  EventLoop loop_;
  std::string dir_;
  std::string host_links_;
  std::unique_ptr<UnitSet> units_;
  std::unique_ptr<HubNetwork> hub_;
};

TEST_F(UnitSetTest, HostNamesHostsFileAndMounts) {
  std::string out = RunIn("alpha",
                          "hostname; getent hosts beta; getent hosts alpha.cluster; "
                          "cat /opt/faultline-test/data/hello; echo x > /opt/faultline-test/data/y "
                          "2>/dev/null || echo read-only; ls /opt | grep -c .");
  EXPECT_EQ(Split(out, '\n')[0], "alpha") << out;
  EXPECT_NE(out.find("198.18.2.2      beta"), std::string::npos) << out;
  EXPECT_NE(out.find("198.18.1.2      alpha alpha.cluster"), std::string::npos) << out;
  EXPECT_NE(out.find("from the host"), std::string::npos) << out;
  EXPECT_NE(out.find("read-only"), std::string::npos) << out;
  EXPECT_EQ(RunIn("beta", "hostname"), "beta\n");
  EXPECT_EQ(units_->Address("workload"), "198.18.3.2");
}

TEST_F(UnitSetTest, TcpBetweenUnitsCrossesTheProxyAndACutStopsIt) {
  UniqueFd listener = SocketIn(NetOf("beta"), SOCK_STREAM);
  sockaddr_in any = Addr("0.0.0.0", 7000);
  ASSERT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
  ASSERT_EQ(listen(listener.get(), 64), 0);
  EXPECT_TRUE(TcpConnects("alpha", Millis(5000)));
  // The client's handshake is with the hub's kernel; the proxy accepts a moment later.
  auto accepted = [&] {
    auto stats = hub_->proxy().Stats(HubNetwork::LinkName("alpha", "beta"));
    return stats ? stats->accepted : 0;
  };
  auto deadline = steady_clock::now() + Millis(5000);
  while (accepted() == 0 && steady_clock::now() < deadline) usleep(1000);
  EXPECT_EQ(accepted(), 1u) << "the connection went through the hub's proxy";
  EXPECT_TRUE(units_->PortAccepts("beta", 7000));
  faults::Flow ab{"alpha", "beta"};
  auto cut = hub_->Cut(std::span(&ab, 1));
  ASSERT_TRUE(cut.ok()) << cut.error();
  EXPECT_FALSE(TcpConnects("alpha", Millis(500))) << "alpha's SYN is dropped";
  EXPECT_TRUE(TcpConnects("workload", Millis(5000))) << "only alpha -> beta is cut";
  ASSERT_TRUE(hub_->Heal(cut->handle).ok());
  EXPECT_TRUE(TcpConnects("alpha", Millis(5000)));
}

TEST_F(UnitSetTest, ACutDropsUdpInItsDirectionOnly) {
  EXPECT_EQ(UdpDelivered("alpha", 200), 200);
  faults::Flow ab{"alpha", "beta"};
  auto cut = hub_->Cut(std::span(&ab, 1));
  ASSERT_TRUE(cut.ok()) << cut.error();
  EXPECT_EQ(UdpDelivered("alpha", 200), 0);
  EXPECT_EQ(UdpDelivered("workload", 200), 200);
  ASSERT_TRUE(hub_->Heal(cut->handle).ok());
  EXPECT_EQ(UdpDelivered("alpha", 200), 200);
}

TEST_F(UnitSetTest, PacketLossRateIsMeasuredWithinAFewPercent) {
  faults::Flow ab{"alpha", "beta"};
  auto loss = hub_->DropPackets(std::span(&ab, 1), 0.3);
  ASSERT_TRUE(loss.ok()) << loss.error();
  constexpr int kSent = 20000;
  int got = UdpDelivered("alpha", kSent);
  double measured = 1.0 - static_cast<double>(got) / kSent;
  EXPECT_NEAR(measured, 0.3, 0.03) << got << " of " << kSent << " arrived";
  ASSERT_TRUE(hub_->Heal(loss->handle).ok());
  EXPECT_EQ(UdpDelivered("alpha", 500), 500);
  EXPECT_FALSE(hub_->DropPackets(std::span(&ab, 1), 1.5).ok());
  faults::Flow self{"alpha", "alpha"};
  EXPECT_FALSE(hub_->Cut(std::span(&self, 1)).ok());
}

TEST_F(UnitSetTest, ASetsidDaemonDiesWithItsUnitsProcess) {
  Supervisor sup(loop_);
  SpawnSpec spec;
  spec.argv = {"sh", "-c", "setsid -f sleep 1000; echo up; exec sleep 1000"};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.stdout_path = dir_ + "/daemon.out";
  std::optional<ExitStatus> status;
  auto id = sup.Spawn(
      spec, [&](ExitStatus s) { status = s; }, units_->For("alpha"));
  ASSERT_TRUE(id.ok()) << id.error();
  std::vector<pid_t> members;
  auto deadline = steady_clock::now() + Millis(5000);
  // Two once the shell has said "up" and exec'd: for a moment before, setsid's parent (which
  // forks the daemon and exits) is a third.
  auto settled = [&] {
    members = sup.Members(*id);
    return members.size() == 2 &&
           ReadFile(dir_ + "/daemon.out").value_or("").find("up") != std::string::npos;
  };
  while (!settled() && steady_clock::now() < deadline) loop_.RunOnce(Millis(10));
  ASSERT_EQ(members.size(), 2u);
  sup.Stop(*id, SIGTERM, Millis(1000));
  ASSERT_TRUE(loop_.RunUntil([&] { return status.has_value(); }, Millis(5000)));
  deadline = steady_clock::now() + Millis(2000);
  auto alive = [&] {
    for (pid_t p : members) {
      if (kill(p, 0) == 0) return true;
    }
    return false;
  };
  while (alive() && steady_clock::now() < deadline) loop_.RunOnce(Millis(10));
  EXPECT_FALSE(alive());
}

TEST(HubRuleset, OneChainPerOrderedPairAndTheRedirect) {
  std::vector<UnitConfig> units = {{"a", {}, {}}, {"b", {}, {}}};
  std::string r = HubRuleset(units, 15001);
  EXPECT_NE(r.find("198.18.1.2 . 198.18.2.2 : jump p_1_2"), std::string::npos) << r;
  EXPECT_NE(r.find("redirect to :15001"), std::string::npos);
  EXPECT_EQ(PairRules(true, 0.5), "drop");
  EXPECT_EQ(PairRules(false, 0.25), "numgen random mod 1000000 < 250000 drop");
  EXPECT_EQ(PairRules(false, 0), "");
  EXPECT_EQ(HostsFile(units).find("198.18.2.2\tb\n") != std::string::npos, true);
}

}  // namespace
}  // namespace faultline::unit
