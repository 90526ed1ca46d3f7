// Every fault kind against real processes, through the schedule and the real injectors: a killed
// service restarts after its down time; a paused group is really stopped and resumes; a
// throttled service gets less CPU; network faults reach the right link and direction and heal;
// a child's clock moves by the drawn offset and comes back; a child's fsync fails with EIO while
// the disk fault is on; a custom fault's command and heal run. Each is on the timeline.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "base/files.h"
#include "base/strings.h"
#include "process/spawn.h"
#include "testing/fault_harness.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Bin() { return FAULTLINE_BIN_DIR; }

class FaultKinds : public ::testing::Test {
 protected:
  FaultKinds() {
    auto dir = MakeTempDir("fault-kinds");
    EXPECT_TRUE(dir.ok());
    dir_ = *dir;
    chmod(dir_.c_str(), 0755);
    h_ = std::make_unique<testing::FaultHarness>(dir_ + "/h", Bin() + ":/usr/bin:/bin");
  }
  ~FaultKinds() override {
    h_.reset();
    (void)RemoveTree(dir_);
  }
  // Tests of FaultKindsInBothModes run their scenarios in isolated mode too.
  virtual bool Isolated() const { return false; }
  void Start(const std::string& yaml) {
    std::string text = yaml;
    if (Isolated()) text.insert(text.find('\n') + 1, "network: isolated\n");
    Status s = h_->Start(text);
    ASSERT_TRUE(s.ok()) << s.message();
    if (Isolated()) {
      ASSERT_TRUE(h_->isolated());
    }
  }
  // Enables the schedule and waits for the first fault to begin and then to heal.
  void InjectOnce(Millis limit = Millis(20000)) {
    h_->schedule().Enable();
    ASSERT_TRUE(h_->RunUntil([&] { return !h_->Faults("begin").empty(); }, limit))
        << "no fault began";
    ASSERT_TRUE(h_->RunUntil([&] { return !h_->Faults("heal").empty(); }, limit))
        << "the fault never healed";
    EXPECT_TRUE(h_->Faults("failed").empty()) << h_->Faults("failed")[0].ToJsonLine();
  }
  // The service's program (not the init of its PID namespace, when it has one): the first of
  // its processes.
  pid_t ServicePid(const std::string& service) {
    // An init starts its program a moment after it starts itself.
    h_->RunUntil([&] { return !h_->topology().Processes(service).empty(); }, Millis(2000));
    auto processes = h_->topology().Processes(service);
    if (!processes.empty()) return *std::min_element(processes.begin(), processes.end());
    for (auto it = h_->events().rbegin(); it != h_->events().rend(); ++it) {
      if (it->type == EventType::kServiceStart && JsonString(it->fields, "service") == service) {
        return static_cast<pid_t>(JsonInt(it->fields, "pid", 0));
      }
    }
    return 0;
  }
  double Seconds(const Event& e) { return static_cast<double>(e.t_us) / 1e6; }

  std::string dir_;
  std::unique_ptr<testing::FaultHarness> h_;
};

// The same tests with the services in isolated units (network: isolated), which needs root.
class FaultKindsInBothModes : public FaultKinds, public ::testing::WithParamInterface<std::string> {
 protected:
  bool Isolated() const override { return GetParam() == "isolated"; }
  void SetUp() override {
    if (Isolated() && geteuid() != 0) GTEST_SKIP() << "isolated mode needs root";
  }
};

INSTANTIATE_TEST_SUITE_P(Modes, FaultKindsInBothModes, ::testing::Values("loopback", "isolated"),
                         [](const auto& info) { return info.param; });

char ProcState(pid_t pid) {
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return '?';
  size_t close = text->rfind(')');
  return close == std::string::npos || close + 2 >= text->size() ? '?' : (*text)[close + 2];
}

// libfaketime's shared memory objects (faketime_shm_PID, sem.faketime_sem_PID) in the host's
// /dev/shm changed at or after `since`: each preloaded process makes a pair and only a normal
// exit removes it, so a killed service would leave them here without a /dev/shm of its own.
std::vector<std::string> FaketimeObjectsOnHostSince(time_t since) {
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::directory_iterator("/dev/shm")) {
    std::string name = e.path().filename();
    struct stat st {};
    if (name.find("faketime_") != std::string::npos && stat(e.path().c_str(), &st) == 0 &&
        st.st_ctime >= since) {
      found.push_back(name);
    }
  }
  return found;
}

// utime + stime of a process, in clock ticks.
long CpuTicks(pid_t pid) {
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return -1;
  auto fields = Split(text->substr(text->rfind(')') + 2), ' ');
  return std::stol(fields[11]) + std::stol(fields[12]);
}

TEST_P(FaultKindsInBothModes, KilledServiceRestartsAfterItsDownTime) {
  Start(R"(name: k
services:
  s: {command: [sleep, "600"]}
faults:
  interval: 100ms
  kill: {targets: [s], down: 700ms}
)");
  pid_t first = ServicePid("s");
  InjectOnce();
  const Event begin = h_->Faults("begin")[0];
  EXPECT_EQ(begin.fields["kind"], "kill");
  EXPECT_EQ(begin.fields["targets"][0], "s");
  EXPECT_EQ(begin.fields["params"]["down_ms"], 700);
  const Event* exit = nullptr;
  const Event* restart = nullptr;
  for (const auto& e : h_->events()) {
    if (e.type == EventType::kServiceExit) exit = &e;
    if (e.type == EventType::kServiceStart && JsonInt(e.fields, "start", 0) == 2) restart = &e;
  }
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->fields["signal"], "SIGKILL");
  EXPECT_TRUE(JsonBool(exit->fields, "expected", false));
  EXPECT_EQ(exit->fields["reason"], "killed by a fault");
  ASSERT_NE(restart, nullptr) << "the service did not start again";
  EXPECT_GE(Seconds(*restart) - Seconds(begin), 0.69);
  EXPECT_NE(ServicePid("s"), first);
  EXPECT_EQ(kill(first, 0), -1) << "the killed process is still there";
  EXPECT_EQ(h_->Faults("heal")[0].fields["reason"], "planned");
}

TEST_P(FaultKindsInBothModes, PausedGroupIsReallyStoppedAndResumes) {
  Start(R"(name: p
services:
  s: {command: [sh, -c, "sleep 600 & sleep 600 & wait"]}
faults:
  interval: 100ms
  pause: {targets: [s], duration: 800ms}
)");
  auto processes = [&] { return h_->topology().Processes("s"); };
  ASSERT_TRUE(h_->RunUntil([&] { return processes().size() == 3; }));
  std::vector<char> during;
  h_->OnEvent([&](const Event& e) {
    if (e.type == EventType::kFault && JsonString(e.fields, "action") == "begin") {
      for (pid_t p : processes()) during.push_back(ProcState(p));
    }
  });
  InjectOnce();
  EXPECT_EQ(during, (std::vector<char>{'T', 'T', 'T'}));
  for (pid_t p : processes()) EXPECT_NE(ProcState(p), 'T') << p;
  EXPECT_EQ(h_->Faults("heal")[0].fields["kind"], "pause");
  EXPECT_GE(JsonInt(h_->Faults("heal")[0].fields, "ms", 0), 790);
}

TEST_P(FaultKindsInBothModes, ThrottledServiceGetsLessCpu) {
  if (geteuid() != 0) GTEST_SKIP() << "throttle needs root (cgroups)";
  Start(R"(name: t
services:
  s: {command: [fault_probe, spin]}
faults:
  interval: 1500ms
  throttle: {targets: [s], share: 0.1, duration: 2s}
)");
  pid_t pid = ServicePid("s");
  const long hz = sysconf(_SC_CLK_TCK);
  auto share_over = [&](Millis window) {
    long before = CpuTicks(pid);
    auto t0 = std::chrono::steady_clock::now();
    h_->RunFor(window);
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return static_cast<double>(CpuTicks(pid) - before) / static_cast<double>(hz) / elapsed;
  };
  double free_share = share_over(Millis(1000));
  h_->schedule().Enable();
  ASSERT_TRUE(h_->RunUntil([&] { return !h_->Faults("begin").empty(); }));
  auto cgroup = ReadFile("/proc/" + std::to_string(pid) + "/cgroup").value_or("");
  EXPECT_THAT(cgroup, HasSubstr(fmt::format("faultline-{}/s-", getpid())));
  double throttled = share_over(Millis(1500));
  ASSERT_TRUE(h_->RunUntil([&] { return !h_->Faults("heal").empty(); }));
  // No second throttle may begin while the healed share is measured.
  bool stopped = false;
  h_->schedule().StopAndHeal([&] { stopped = true; });
  ASSERT_TRUE(h_->RunUntil([&] { return stopped; }));
  ASSERT_EQ(h_->Faults("begin").size(), 1u);
  // The limit bounds the share from above whatever else the machine runs; the free share is
  // only comparable when the machine had a core to give (ctest runs other tests beside this).
  EXPECT_LT(throttled, 0.2) << "free " << free_share;
  if (free_share > 0.4) {
    EXPECT_LT(throttled, free_share / 2) << "free " << free_share;
  }
  // Healed: back in its own cgroup, and the limit's cgroup is gone.
  cgroup = ReadFile("/proc/" + std::to_string(pid) + "/cgroup").value_or("");
  EXPECT_THAT(cgroup, Not(HasSubstr("faultline-")));
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(
           fmt::format("/sys/fs/cgroup/cpu/faultline-{}", getpid()), ec)) {
    if (e.is_directory()) ADD_FAILURE() << "left behind: " << e.path();
  }
  double after = share_over(Millis(700));
  if (free_share > 0.4) {
    EXPECT_GT(after, 0.2) << "free " << free_share << ", throttled " << throttled << ", state "
                          << ProcState(pid) << ", cgroup "
                          << ReadFile("/proc/" + std::to_string(pid) + "/cgroup").value_or("gone");
  }
}

// A client of faultline-kv through the workload -> kv link's proxy.
class KvClient {
 public:
  explicit KvClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~KvClient() { close(fd_); }
  bool Send(const std::string& line) {
    std::string l = line + "\n";
    return connected_ && write(fd_, l.data(), l.size()) == static_cast<ssize_t>(l.size());
  }
  // The next reply line within `wait`, or "" (nothing came, or the connection ended).
  std::string Reply(testing::FaultHarness& h, Millis wait) {
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (got.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 10) > 0) {
        char buf[256];
        ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0) return "";
        got.append(buf, static_cast<size_t>(n));
      }
      h.RunFor(Millis(1));
    }
    return got.substr(0, got.find('\n'));
  }
  bool connected() const { return connected_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

constexpr const char* kKv = R"(name: n
services:
  kv:
    command: [faultline-kv, --port, "{port}", --data, "{dir}"]
    port: auto
links:
  - {from: workload, to: kv}
)";

TEST_F(FaultKinds, ACutReachesTheRightDirectionAndHeals) {
  Start(kKv);
  auto* net = h_->network();
  ASSERT_NE(net, nullptr);
  int proxy = h_->PortFor("kv", "workload");
  int direct = h_->RealPort("kv");
  // Requests cut (workload -> kv): the server never sees the SET until the cut heals.
  KvClient c(proxy);
  ASSERT_EQ((c.Send("PING"), c.Reply(*h_, Millis(5000))), "PONG");
  std::vector<faults::Flow> up = {{"workload", "kv"}};
  auto cut = net->Cut(up);
  ASSERT_TRUE(cut.ok()) << cut.error();
  c.Send("SET k1 v1");
  EXPECT_EQ(c.Reply(*h_, Millis(300)), "");
  KvClient d(direct);
  d.Send("GET k1");
  EXPECT_EQ(d.Reply(*h_, Millis(2000)), "NOTFOUND");
  ASSERT_TRUE(net->Heal(cut->handle).ok());
  EXPECT_EQ(c.Reply(*h_, Millis(5000)), "OK");  // the held bytes move on at the heal
  // Replies cut (kv -> workload): the SET lands, its answer waits.
  std::vector<faults::Flow> down = {{"kv", "workload"}};
  cut = net->Cut(down);
  ASSERT_TRUE(cut.ok());
  c.Send("SET k2 v2");
  EXPECT_EQ(c.Reply(*h_, Millis(300)), "");
  d.Send("GET k2");
  EXPECT_EQ(d.Reply(*h_, Millis(2000)), "VALUE v2");
  ASSERT_TRUE(net->Heal(cut->handle).ok());
  EXPECT_EQ(c.Reply(*h_, Millis(5000)), "OK");
  EXPECT_FALSE(net->DropPackets(up, 0.5).ok()) << "loopback links cannot drop packets";
}

TEST_F(FaultKinds, ImpairmentsReachTheirLinkAndDirection) {
  Start(kKv);
  auto* net = h_->network();
  int proxy = h_->PortFor("kv", "workload");
  auto rtt = [&](KvClient& c) {
    auto t0 = std::chrono::steady_clock::now();
    c.Send("PING");
    std::string r = c.Reply(*h_, Millis(5000));
    EXPECT_EQ(r, "PONG");
    return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
  };
  KvClient c(proxy);
  EXPECT_LT(rtt(c), Millis(150));
  net::FaultSpec latency{.kind = net::FaultKind::kLatency, .latency = 250};
  for (faults::Flow f : {faults::Flow{"workload", "kv"}, faults::Flow{"kv", "workload"}}) {
    std::vector<faults::Flow> flows = {f};
    auto applied = net->Impair(flows, latency);
    ASSERT_TRUE(applied.ok()) << applied.error();
    // The detail names the link and the direction of its bytes.
    EXPECT_EQ(applied->detail["proxy"][0]["link"], "workload->kv");
    EXPECT_EQ(applied->detail["proxy"][0]["direction"],
              f.from == "workload" ? "upstream" : "downstream");
    EXPECT_GE(rtt(c), Millis(240));
    ASSERT_TRUE(net->Heal(applied->handle).ok());
    EXPECT_LT(rtt(c), Millis(150));
  }
  // Down: new connections are refused or closed at once; healed, they work again.
  std::vector<faults::Flow> both = {{"workload", "kv"}, {"kv", "workload"}};
  auto down = net->Impair(both, net::FaultSpec{.kind = net::FaultKind::kDown});
  ASSERT_TRUE(down.ok());
  {
    KvClient refused(proxy);
    refused.Send("PING");
    EXPECT_EQ(refused.Reply(*h_, Millis(500)), "");
  }
  ASSERT_TRUE(net->Heal(down->handle).ok());
  KvClient again(proxy);
  EXPECT_EQ((again.Send("PING"), again.Reply(*h_, Millis(5000))), "PONG");
  // Reset: an open connection is reset.
  auto reset = net->Impair(both, net::FaultSpec{.kind = net::FaultKind::kResetPeer, .timeout = 0});
  ASSERT_TRUE(reset.ok());
  again.Send("PING");
  EXPECT_EQ(again.Reply(*h_, Millis(1000)), "");
  ASSERT_TRUE(net->Heal(reset->handle).ok());
}

TEST_F(FaultKinds, TheScheduleDrawsNetworkFaultsAndHealsThem) {
  Start(std::string(kKv) + R"(faults:
  interval: 100ms
  network: {kinds: [partition, latency, bandwidth, slicer, reset, down, timeout], duration: 300ms}
)");
  h_->schedule().Enable();
  ASSERT_TRUE(h_->RunUntil([&] { return h_->Faults("heal").size() >= 5; }, Millis(30000)));
  for (const auto& e : h_->Faults("begin")) {
    EXPECT_EQ(e.fields["kind"], "network");
    EXPECT_FALSE(e.fields["detail"]["proxy"].empty()) << e.ToJsonLine();
  }
  bool healed = false;
  h_->schedule().StopAndHeal([&] { healed = true; });
  ASSERT_TRUE(h_->RunUntil([&] { return healed; }));
  // Whatever was drawn, the link works once everything is healed.
  KvClient c(h_->PortFor("kv", "workload"));
  EXPECT_EQ((c.Send("PING"), c.Reply(*h_, Millis(5000))), "PONG");
}

// In isolated mode the schedule's network faults reach any pair of units through the hub, not
// only declared links, and packet loss is one of them.
TEST_F(FaultKinds, InIsolatedModeNetworkFaultsReachAnyPairOfUnits) {
  if (geteuid() != 0) GTEST_SKIP() << "isolated mode needs root";
  Start(R"(name: i
network: isolated
services:
  a: {command: [sleep, "600"]}
  b: {command: [sleep, "600"]}
  c: {command: [sleep, "600"]}
faults:
  interval: 100ms
  network: {kinds: [partition, packet-loss, latency], duration: 200ms}
)");
  ASSERT_TRUE(h_->isolated());
  ASSERT_NE(h_->network(), nullptr);
  EXPECT_TRUE(h_->network()->CanDropPackets());
  h_->schedule().Enable();
  ASSERT_TRUE(h_->RunUntil([&] { return h_->Faults("heal").size() >= 8; }, Millis(30000)));
  std::set<std::string> faults;
  std::set<std::string> nodes;
  for (const auto& e : h_->Faults("begin")) {
    faults.insert(e.fields["params"]["fault"].get<std::string>());
    for (const auto& t : e.fields["targets"]) nodes.insert(t.get<std::string>());
  }
  EXPECT_TRUE(faults.count("partition")) << "drew " << ::testing::PrintToString(faults);
  EXPECT_TRUE(faults.count("packet-loss")) << "drew " << ::testing::PrintToString(faults);
  // No link is declared: the pairs are the units themselves.
  EXPECT_GE(nodes.size(), 3u) << ::testing::PrintToString(nodes);
  EXPECT_TRUE(h_->Faults("failed").empty()) << h_->Faults("failed")[0].ToJsonLine();
  bool healed = false;
  h_->schedule().StopAndHeal([&] { healed = true; });
  ASSERT_TRUE(h_->RunUntil([&] { return healed; }));
  for (const char* s : {"a", "b", "c"}) EXPECT_TRUE(h_->topology().IsUp(s)) << s;
}

TEST_P(FaultKindsInBothModes, AChildsClockMovesByTheOffsetAndComesBack) {
  time_t since = time(nullptr) - 1;
  std::string out = dir_ + "/clock.txt";
  Start(fmt::format(R"(name: c
services:
  s: {{command: [fault_probe, clock, "{}"]}}
faults:
  interval: 600ms
  clock: {{targets: [s], offset: 3600s, modes: [jump], duration: 1s}}
)",
                    out));
  InjectOnce();
  h_->RunFor(Millis(300));
  // wall - monotonic, per line: constant while the clock is real.
  std::vector<std::pair<long long, long long>> lines;  // monotonic ms, skew ms
  std::istringstream in(ReadFile(out).value_or(""));
  long long wall = 0, mono = 0;
  while (in >> wall >> mono) lines.emplace_back(mono, wall - mono);
  ASSERT_GT(lines.size(), 20u);
  long long base = lines.front().second;
  int shifted = 0, real_after = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    long long off = lines[i].second - base;
    if (off > 3599000 && off < 3601000) ++shifted;
    if (shifted > 0 && std::llabs(off) < 100) ++real_after;
  }
  EXPECT_GT(shifted, 20) << "the clock never moved by 3600 s";
  EXPECT_GT(real_after, 3) << "the clock did not come back";
  EXPECT_EQ(h_->Faults("begin")[0].fields["params"]["offset_ms"], 3600000);
  if (ChildContainment() != Containment::kProcessGroup) {
    EXPECT_THAT(FaketimeObjectsOnHostSince(since), ::testing::IsEmpty());
  }
}

TEST_P(FaultKindsInBothModes, AChildsFsyncFailsWithEioWhileTheDiskFaultIsOn) {
  std::string out = dir_ + "/fsync.txt";
  Start(fmt::format(R"(name: d
services:
  s: {{command: [fault_probe, fsync, "{}", "{}/data"]}}
faults:
  interval: 500ms
  disk: {{targets: [s], kinds: [fsync-eio], probability: 1, duration: 800ms}}
)",
                    out, dir_));
  InjectOnce();
  int ok_before = 0, eio = 0, ok_after = 0;
  auto count = [&] {
    std::istringstream in(ReadFile(out).value_or(""));
    std::string line;
    ok_before = eio = ok_after = 0;
    while (std::getline(in, line)) {
      bool is_eio = line.find("Input/output error") != std::string::npos;
      bool is_ok = line.ends_with(" ok");
      if (is_eio) ++eio;
      if (is_ok) (eio ? ok_after : ok_before)++;
    }
    return ok_after > 3;
  };
  // A loaded machine may take a while to schedule the probe after the heal.
  h_->RunUntil(count, Millis(5000));
  EXPECT_GT(ok_before, 0);
  EXPECT_GT(eio, 10) << "fsync never failed";
  EXPECT_GT(ok_after, 3) << "fsync did not recover after the heal";
  // The heal event counts the calls the fault failed: every EIO the probe saw, and no more (the
  // probe's other calls are writes and opens, which this fault does not touch).
  auto heals = h_->Faults("heal");
  ASSERT_EQ(heals.size(), 1u);
  EXPECT_EQ(JsonInt(JsonMember(heals[0].fields, "effect"), "failed_calls", -1), eio)
      << heals[0].fields.dump();
}

// A server that gives up when its disk fails: its exit during the disk fault is the fault's
// doing (expected, with the fault as its reason, no "unexpected exit"), and its restart policy
// still brings it back.
TEST_P(FaultKindsInBothModes, AnExitDuringADiskFaultIsItsDoingAndTheServiceRestarts) {
  ASSERT_TRUE(WriteFile(dir_ + "/file", "x").ok());  // before the service's first sync
  Start(fmt::format(R"(name: e
services:
  s:
    command: [sh, -c, "while sync {0}/file; do sleep 0.02; done; exit 3"]
    restart: on-failure
faults:
  interval: 300ms
  disk: {{targets: [s], kinds: [fsync-eio], probability: 1, duration: 600ms}}
)",
                    dir_));
  InjectOnce();
  std::optional<Event> exit;
  bool restarted = false;
  ASSERT_TRUE(h_->RunUntil(
      [&] {
        for (const auto& e : h_->events()) {
          if (e.type == EventType::kServiceExit && !exit) exit = e;
          if (e.type == EventType::kServiceStart && JsonInt(e.fields, "start", 0) >= 2) {
            restarted = true;
          }
        }
        return exit && restarted;
      },
      Millis(5000)))
      << "the service did not exit and start again";
  EXPECT_EQ(exit->fields["code"], 3);
  EXPECT_TRUE(JsonBool(exit->fields, "expected", false)) << exit->ToJsonLine();
  EXPECT_EQ(exit->fields["reason"], "ended during a disk fault");
}

TEST_P(FaultKindsInBothModes, ACustomFaultRunsItsCommandAndItsHeal) {
  std::string out = dir_ + "/custom.txt";
  Start(fmt::format(R"(name: u
services:
  s: {{command: [sleep, "600"]}}
faults:
  interval: 100ms
  custom:
    promote:
      command: [sh, -c, "echo begin $FAULTLINE_FAULT >> {0}"]
      heal: [sh, -c, "echo heal >> {0}"]
      duration: 300ms
)",
                    out));
  InjectOnce();
  EXPECT_EQ(ReadFile(out).value_or(""), "begin promote\nheal\n");
  EXPECT_EQ(h_->Faults("begin")[0].fields["kind"], "promote");
}

TEST_P(FaultKindsInBothModes, AQuietRequestHealsWithin100Milliseconds) {
  Start(R"(name: q
services:
  s: {command: [sleep, "600"]}
faults:
  interval: 100ms
  pause: {targets: [s], duration: 30s}
)");
  h_->schedule().Enable();
  ASSERT_TRUE(h_->RunUntil([&] { return !h_->Faults("begin").empty(); }));
  // SIGSTOP takes effect once the kernel next schedules the process.
  ASSERT_TRUE(h_->RunUntil([&] { return ProcState(ServicePid("s")) == 'T'; }, Millis(500)));
  auto asked = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> healed;
  h_->schedule().Quiet(Millis(2000), "test", [&] { healed = std::chrono::steady_clock::now(); });
  ASSERT_TRUE(h_->RunUntil([&] { return healed.has_value(); }, Millis(1000)));
  EXPECT_LE(*healed - asked, Millis(100));
  EXPECT_NE(ProcState(ServicePid("s")), 'T');
  EXPECT_EQ(h_->Faults("heal")[0].fields["reason"], "quiet");
  // Nothing new during the quiet period.
  h_->RunFor(Millis(1500));
  EXPECT_EQ(h_->Faults("begin").size(), 1u);
}

}  // namespace
}  // namespace faultline
