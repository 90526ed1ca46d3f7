// fault_bench: the time from a fault's decision to the fault being in force, per kind, beside
// the same operation done directly, in one run. Each kind runs in a history of its own (the
// real topology, fault proxy and injectors, through testing::FaultHarness); the schedule makes
// its decision on demand (FaultSchedule::DecideNow), and the clock stops when the kernel or the
// proxy shows the fault:
//   kill, stop   every process of the service has ended (zombie or gone);
//   pause        every process of the service is stopped (state T in /proc);
//   throttle     the service's processes are in the limit's cgroup (root only);
//   network      the proxy has applied it (its calls return once the fault is in force);
//   partition (hub)  isolated mode (root only): the hub's drop rules between two units are in
//                place (its calls return once they are; target 5 ms);
//   clock        the offset file the service's libfaketime reads is in place;
//   disk         the service's disk-preload control file holds the fault (read on every call).
// The direct operation: kill(2) of a plain child, waited for the same way; SIGSTOP likewise;
// the proxy's own Partition/ApplyFault call on the same link. Target: 10 ms at most for process
// and network faults. Every loop is bounded in count and in time.
// Usage: fault_bench [--rounds N (default 20)]
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "base/files.h"
#include "testing/fault_harness.h"

extern char** environ;

namespace faultline {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kPollLimit = std::chrono::seconds(5);
constexpr Millis kSettleLimit{20000};

double MsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

char ProcState(pid_t pid) {
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return 'X';  // gone
  size_t close = text->rfind(')');
  return close == std::string::npos || close + 2 >= text->size() ? '?' : (*text)[close + 2];
}

// Busy-polls (bounded) until `done()`; false when the limit passed first.
bool PollUntil(const std::function<bool()>& done) {
  auto deadline = SteadyClock::now() + kPollLimit;
  while (!done()) {
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

bool AllIn(const std::vector<pid_t>& pids, const char* states) {
  for (pid_t p : pids) {
    if (!std::strchr(states, ProcState(p))) return false;
  }
  return true;
}

struct Figures {
  std::vector<double> ms;
  int failed = 0;
  std::string Describe() const {
    if (ms.empty()) return "no sample";
    std::vector<double> s = ms;
    std::sort(s.begin(), s.end());
    auto at = [&](double q) {
      return s[std::min(s.size() - 1, static_cast<size_t>(q * s.size()))];
    };
    char buf[128];
    std::snprintf(buf, sizeof buf, "median %7.3f ms  p90 %7.3f ms  max %7.3f ms", at(0.5), at(0.9),
                  s.back());
    return buf;
  }
  double Median() const {
    std::vector<double> s = ms;
    std::sort(s.begin(), s.end());
    return s.empty() ? 0 : s[s.size() / 2];
  }
};

std::string Bin() { return FAULTLINE_BIN_DIR; }

// One kind's history: the scenario, what "in force" means, and how it is measured.
struct KindBench {
  const char* name;
  bool needs_root = false;
  double target_ms = 0;  // the median's target; 0: none
  // Polls until the fault is in force, given the service's processes before the decision.
  std::function<bool(testing::FaultHarness&, const std::vector<pid_t>&)> in_force;
};

const char* kSleeper = R"(services:
  s: {command: [sh, -c, "sleep 600 & sleep 600 & wait"]}
)";

std::string Scenario(const char* kind, const char* services, const char* fault) {
  return std::string("name: bench-") + kind + "\n" + services + "faults:\n  interval: 1h\n  " +
         fault + "\n";
}

Figures MeasureKind(const KindBench& k, const std::string& yaml, int rounds,
                    const std::string& dir) {
  Figures f;
  testing::FaultHarness h(dir, Bin() + ":/usr/bin:/bin");
  if (Status s = h.Start(yaml); !s.ok()) {
    std::fprintf(stderr, "%s: %s\n", k.name, s.message().c_str());
    f.failed = rounds;
    return f;
  }
  h.schedule().Enable();
  auto settle_limit = SteadyClock::now() + std::chrono::seconds(120);
  for (int i = 0; i < rounds && SteadyClock::now() < settle_limit; ++i) {
    // Whole again: nothing in force, the service up and its processes all there.
    bool settled = h.RunUntil(
        [&] {
          return h.schedule().in_force() == 0 && h.topology().IsUp("s") &&
                 h.topology().Processes("s").size() >= 1;
        },
        kSettleLimit);
    if (!settled) break;
    h.RunFor(Millis(30));  // let a restarted service finish starting its children
    std::vector<pid_t> before = h.topology().Processes("s");
    size_t began = h.Faults("begin").size();
    auto t0 = SteadyClock::now();
    h.schedule().DecideNow();
    bool ok = h.Faults("begin").size() > began && k.in_force(h, before);
    double ms = MsSince(t0);
    if (ok) {
      f.ms.push_back(ms);
    } else {
      ++f.failed;
      auto failed = h.Faults("failed");
      if (!failed.empty()) std::fprintf(stderr, "  %s\n", failed.back().ToJsonLine().c_str());
    }
  }
  return f;
}

// The direct operation on a plain child: `signal` sent with kill(2), then the same wait.
Figures MeasureDirectSignal(int signal, const char* states, int rounds) {
  Figures f;
  for (int i = 0; i < rounds; ++i) {
    pid_t pid = 0;
    const char* argv[] = {"sleep", "600", nullptr};
    // The child gets default dispositions and no blocked signal (the harness's loop blocks the
    // signals it reads through a signalfd, and a spawned child would inherit that mask).
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int spawned = posix_spawnp(&pid, "sleep", nullptr, &attr, const_cast<char**>(argv), environ);
    posix_spawnattr_destroy(&attr);
    if (spawned != 0) {
      ++f.failed;
      continue;
    }
    PollUntil([&] { return ProcState(pid) == 'S'; });
    auto t0 = SteadyClock::now();
    kill(pid, signal);
    bool ok = PollUntil([&] { return std::strchr(states, ProcState(pid)) != nullptr; });
    double ms = MsSince(t0);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    if (ok) {
      f.ms.push_back(ms);
    } else {
      ++f.failed;
    }
  }
  return f;
}

// The proxy's own call on the same link, healed after each sample.
Figures MeasureDirectProxy(bool partition, int rounds, const std::string& dir) {
  Figures f;
  testing::FaultHarness h(dir, Bin() + ":/usr/bin:/bin");
  if (Status s = h.Start(std::string("name: bench-proxy\n") + R"(services:
  kv:
    command: [faultline-kv, --port, "{port}", --data, "{dir}"]
    port: auto
links:
  - {from: workload, to: kv}
)");
      !s.ok() || !h.proxy()) {
    f.failed = rounds;
    return f;
  }
  net::FaultProxy& proxy = *h.proxy();
  const std::string link = "workload->kv";
  for (int i = 0; i < rounds; ++i) {
    auto t0 = SteadyClock::now();
    net::FaultId id = 0;
    bool ok = false;
    if (partition) {
      std::vector<net::PartitionLeg> legs = {{link, net::Direction::kBoth}};
      auto applied = proxy.Partition(legs);
      ok = applied.ok();
      if (ok) id = applied->id;
    } else {
      net::FaultSpec spec;
      spec.kind = net::FaultKind::kLatency;
      spec.direction = net::Direction::kBoth;
      spec.latency = 50;
      auto applied = proxy.ApplyFault(link, spec);
      ok = applied.ok();
      if (ok) id = applied->id;
    }
    double ms = MsSince(t0);
    if (ok) {
      f.ms.push_back(ms);
      (void)proxy.Heal(id);
    } else {
      ++f.failed;
    }
  }
  return f;
}

int Main(int argc, char** argv) {
  int rounds = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--rounds") rounds = std::clamp(std::atoi(argv[i + 1]), 1, 1000);
  }
  auto dir = MakeTempDir("faultline-fault-bench");
  if (!dir.ok()) {
    std::fprintf(stderr, "fault_bench: %s\n", dir.status().message().c_str());
    return 2;
  }
  chmod(dir->c_str(), 0755);
  const bool root = geteuid() == 0;
  auto gone = [](testing::FaultHarness&, const std::vector<pid_t>& before) {
    return PollUntil([&] { return AllIn(before, "ZX"); });
  };
  auto stopped = [](testing::FaultHarness&, const std::vector<pid_t>& before) {
    return PollUntil([&] { return AllIn(before, "T"); });
  };
  auto returned = [](testing::FaultHarness&, const std::vector<pid_t>&) { return true; };
  auto limited = [](testing::FaultHarness&, const std::vector<pid_t>& before) {
    return PollUntil([&] {
      for (pid_t p : before) {
        auto cg = ReadFile("/proc/" + std::to_string(p) + "/cgroup").value_or("");
        if (cg.find("faultline-") == std::string::npos) return false;
      }
      return true;
    });
  };
  const std::string kv = R"(services:
  s:
    command: [faultline-kv, --port, "{port}", --data, "{dir}"]
    port: auto
links:
  - {from: workload, to: s}
)";
  const std::string probe_fsync = std::string(R"(services:
  s: {command: [fault_probe, fsync, "{dir}/log", "{dir}/file"]}
)");
  const std::string probe_clock = std::string(R"(services:
  s: {command: [fault_probe, clock, "{dir}/log"]}
)");
  std::printf("fault decision to in force, %d rounds per kind (machine: %ld cores)\n", rounds,
              sysconf(_SC_NPROCESSORS_ONLN));
  int status = 0;
  int n = 0;
  // One kind: its figures, then the direct operation's (when there is one).
  auto run = [&](const KindBench& k, const std::string& yaml,
                 const std::function<Figures()>& direct, const char* direct_name) {
    ++n;
    if (k.needs_root && !root) {
      std::printf("%-18s skipped (needs root)\n", k.name);
      return;
    }
    Figures f = MeasureKind(k, yaml, rounds, *dir + "/k" + std::to_string(n));
    std::printf("%-18s %s", k.name, f.Describe().c_str());
    if (f.failed) std::printf("  (%d round(s) not in force)", f.failed);
    if (k.target_ms > 0) {
      bool met = !f.ms.empty() && f.Median() <= k.target_ms;
      std::printf("  target <= %g ms: %s", k.target_ms, met ? "met" : "MISSED");
      if (!met) status = 1;
    }
    std::printf("\n");
    if (!direct) return;
    Figures d = direct();
    std::printf("  %-16s %s", "direct", d.Describe().c_str());
    if (!d.ms.empty() && d.Median() > 0) {
      std::printf("  (%s; faultline/direct %.1fx)", direct_name, f.Median() / d.Median());
    }
    std::printf("\n");
  };
  run(
      {"kill", false, 10, gone}, Scenario("kill", kSleeper, "kill: {targets: [s], down: 50ms}"),
      [&] { return MeasureDirectSignal(SIGKILL, "ZX", rounds); }, "kill(SIGKILL) of a child");
  run(
      {"stop", false, 10, gone}, Scenario("stop", kSleeper, "stop: {targets: [s], down: 50ms}"),
      [&] { return MeasureDirectSignal(SIGTERM, "ZX", rounds); }, "kill(SIGTERM) of a child");
  run(
      {"pause", false, 10, stopped},
      Scenario("pause", kSleeper, "pause: {targets: [s], duration: 50ms}"),
      [&] { return MeasureDirectSignal(SIGSTOP, "T", rounds); }, "kill(SIGSTOP) of a child");
  run({"throttle", true, 0, limited},
      Scenario("throttle", kSleeper, "throttle: {targets: [s], share: 0.5, duration: 50ms}"),
      nullptr, nullptr);
  run(
      {"network partition", false, 10, returned},
      Scenario("partition", kv.c_str(), "network: {kinds: [partition], duration: 50ms}"),
      [&] { return MeasureDirectProxy(true, rounds, *dir + "/direct-partition"); },
      "FaultProxy::Partition");
  run(
      {"network latency", false, 10, returned},
      Scenario("latency", kv.c_str(), "network: {kinds: [latency], duration: 50ms}"),
      [&] { return MeasureDirectProxy(false, rounds, *dir + "/direct-latency"); },
      "FaultProxy::ApplyFault");
  // Isolated mode: a partition between two units is rules in the hub (issue target: 5 ms).
  const std::string units = R"(network: isolated
services:
  s: {command: [sleep, "600"]}
  t: {command: [sleep, "600"]}
)";
  run({"partition (hub)", true, 5, returned},
      Scenario("hub", units.c_str(),
               "network: {nodes: [s, t], kinds: [partition], partitions: [isolate], "
               "duration: 50ms}"),
      nullptr, nullptr);
  run({"clock", false, 0, returned},
      Scenario("clock", probe_clock.c_str(),
               "clock: {targets: [s], offset: 10s..60s, duration: 50ms, modes: [jump]}"),
      nullptr, nullptr);
  run({"disk", false, 0, returned},
      Scenario("disk", probe_fsync.c_str(),
               "disk: {targets: [s], kinds: [fsync-eio], probability: 0.5, duration: 50ms}"),
      nullptr, nullptr);
  (void)RemoveTree(*dir);
  return status;
}

}  // namespace
}  // namespace faultline

int main(int argc, char** argv) { return faultline::Main(argc, argv); }
