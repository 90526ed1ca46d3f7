// The fault schedule with fake services, network and controls, in virtual time, over many
// seeds: faults only while enabled and not quiet, healed within 100 ms of a quiet request and
// before the terminal phase, in reverse order, one per service at a time, never on a down
// service, the same timeline for the same seed.
#include "faults/fault_schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "base/fake_clock.h"
#include "faults/catalog.h"
#include "faults/fault_events.h"

namespace faultline::faults {
namespace {

constexpr int kSeeds = 300;

// Services whose kills and stops end a moment later and whose restarts take a while to be up.
class FakeServices : public ServiceControl {
 public:
  explicit FakeServices(FakeClock& clock) : clock_(clock) {
    for (const char* s : {"a", "b", "c"}) state_[s] = "up";
  }
  bool IsUp(const std::string& s) const override { return state_.at(s) == "up"; }
  Status Kill(const std::string& s, std::function<void()> down) override {
    return GoDown(s, Millis(1), std::move(down));
  }
  Status Stop(const std::string& s, std::function<void()> down) override {
    return GoDown(s, Millis(30), std::move(down));
  }
  Status Restart(const std::string& s) override {
    if (state_[s] != "down") return Fail("restart of " + s + " which is " + state_[s]);
    state_[s] = "starting";
    timers_.push_back(clock_.After(Millis(50), [this, s] {
      if (state_[s] == "starting") state_[s] = "up";
    }));
    return Status::Ok();
  }
  Status Pause(const std::string& s) override {
    if (state_[s] != "up") return Fail("pause of " + s + " which is " + state_[s]);
    state_[s] = "paused";
    return Status::Ok();
  }
  Status Resume(const std::string& s) override {
    if (state_[s] != "paused") return Fail("resume of " + s + " which is " + state_[s]);
    state_[s] = "up";
    return Status::Ok();
  }
  std::vector<pid_t> Processes(const std::string&) const override { return {1234}; }
  void ExplainExits(const std::string& s, const std::string& fault) override {
    explained_[s] = fault;
  }
  std::map<std::string, std::string> explained_;
  // Nothing is stopped, stopping or paused (a restart may still be coming up), and no fault
  // still explains exits.
  bool Whole() const {
    for (const auto& [s, st] : state_) {
      if (st != "up" && st != "starting") return false;
    }
    for (const auto& [s, fault] : explained_) {
      if (!fault.empty()) return false;
    }
    return true;
  }
  std::vector<std::string> violations;

 private:
  Status GoDown(const std::string& s, Millis after, std::function<void()> down) {
    if (state_[s] != "up") return Fail("fault on " + s + " which is " + state_[s]);
    state_[s] = "stopping";
    timers_.push_back(clock_.After(after, [this, s, down = std::move(down)] {
      state_[s] = "down";
      down();
    }));
    return Status::Ok();
  }
  Status Fail(std::string what) {
    violations.push_back(what);
    return Status::Error(std::move(what));
  }
  FakeClock& clock_;
  std::map<std::string, std::string> state_;
  std::vector<Timer> timers_;
};

class FakeNetwork : public NetworkControl {
 public:
  std::vector<Flow> Flows() const override {
    return {{"workload", "a"}, {"a", "workload"}, {"a", "b"}, {"b", "a"}};
  }
  bool CanDropPackets() const override { return true; }
  Result<NetApplied> Cut(std::span<const Flow>) override { return Add(); }
  Result<NetApplied> Impair(std::span<const Flow>, const net::FaultSpec&) override { return Add(); }
  Result<NetApplied> DropPackets(std::span<const Flow>, double) override { return Add(); }
  Result<NetApplied> Heal(NetHandle h) override {
    if (!in_force.erase(h)) return Unexpected("unknown");
    return NetApplied{h, {}};
  }
  std::set<NetHandle> in_force;

 private:
  Result<NetApplied> Add() {
    in_force.insert(next_);
    return NetApplied{next_++, {{"fake", true}}};
  }
  NetHandle next_ = 1;
};

class FakeInProcess : public InProcessControl {
 public:
  Status SetClockOffset(const std::string& s, Millis offset) override {
    offsets[s] = offset;
    return Status::Ok();
  }
  Status SetDiskFaults(const std::string& s, const std::vector<DiskKind>& kinds, double) override {
    disk[s] = !kinds.empty();
    return Status::Ok();
  }
  bool Whole() const {
    for (const auto& [s, o] : offsets) {
      if (o != Millis(0)) return false;
    }
    for (const auto& [s, on] : disk) {
      if (on) return false;
    }
    return true;
  }
  std::map<std::string, Millis> offsets;
  std::map<std::string, bool> disk;
};

class FakeCpu : public CpuLimiter {
 public:
  Result<uint64_t> Limit(const std::string&, const std::vector<pid_t>&, double) override {
    limited.insert(next_);
    return next_++;
  }
  Status Release(uint64_t h) override {
    return limited.erase(h) ? Status::Ok() : Status::Error("unknown");
  }
  std::set<uint64_t> limited;

 private:
  uint64_t next_ = 1;
};

class FakeCommands : public FaultCommands {
 public:
  explicit FakeCommands(FakeClock& clock) : clock_(clock) {}
  Status Run(const std::string&, const scenario::Argv& argv, Millis,
             std::function<void(Status)> done) override {
    ++runs;
    ran.push_back(argv.front().raw);
    timers_.push_back(clock_.After(Millis(5), [done] { done(Status::Ok()); }));
    return Status::Ok();
  }
  int runs = 0;
  std::vector<std::string> ran;

 private:
  FakeClock& clock_;
  std::vector<Timer> timers_;
};

FaultsConfig Config(const char* faults) {
  std::string text =
      "name: x\nservices:\n  a: {command: [run], port: auto}\n  b: {command: [run], port: "
      "auto}\n  c: {command: [run]}\nlinks:\n  - {from: workload, to: a}\n  - {from: a, to: "
      "b}\n" +
      std::string(faults);
  auto loaded = scenario::ParseScenario(text, "scenario.yaml", "/s");
  EXPECT_TRUE(loaded.scenario) << FormatDiagnostics(loaded.errors, loaded.source);
  auto parsed = ParseFaults(loaded.partial);
  EXPECT_TRUE(parsed.errors.empty()) << FormatDiagnostics(parsed.errors);
  return parsed.config;
}

const char* kAll = R"(faults:
  interval: 100ms..1s
  kill: {targets: [a, b, c], down: 0s..2s}
  stop: {targets: [a], down: 100ms..1s}
  pause: {targets: [b, c], duration: 100ms..2s}
  throttle: {targets: [c], duration: 100ms..2s}
  network: {kinds: [partition, latency, reset, packet-loss], duration: 100ms..3s}
  clock: {targets: [a], offset: -10s..10s, duration: 200ms..2s}
  disk: {targets: [b], duration: 100ms..2s}
  custom:
    promote: {command: [true], heal: [sh], duration: 100ms..1s}
)";

// One simulated history: faults on at 1 s, quiet periods at random times, the terminal phase at
// 30 s; every invariant is checked as the timeline is written.
struct Simulation {
  explicit Simulation(uint64_t seed, const FaultsConfig& config)
      : services(clock), commands(clock) {
    timeline.Start(Timeline::Clock::now());
    timeline.AddListener([this](const Event& e) { OnEvent(e); });
    schedule = std::make_unique<FaultSchedule>(
        config, seed, clock, timeline,
        Injectors{&services, &network, &in_process, &cpu, &commands, &clock});
    Rng world(DeriveSeed(seed, "test-world"));
    timers.push_back(clock.After(Millis(1000), [this] {
      enabled = true;
      schedule->Enable();
    }));
    for (int i = 0; i < 4; ++i) {
      Millis at(world.Between(int64_t{1500}, int64_t{28000}));
      Millis length(world.Between(int64_t{10}, int64_t{3000}));
      timers.push_back(clock.After(at, [this, length] {
        Millis asked = clock.Now();
        quiet_until = std::max(quiet_until, asked + length);
        schedule->Quiet(length, "test", [this, asked] {
          quiet_heal_ms.push_back((clock.Now() - asked).count());
          EXPECT_EQ(in_force, 0) << "healed while faults remain";
        });
      }));
    }
    timers.push_back(clock.After(Millis(30000), [this] {
      terminal = true;
      schedule->StopAndHeal([this] {
        healed_at_end = true;
        EXPECT_EQ(in_force, 0);
        EXPECT_TRUE(network.in_force.empty());
        EXPECT_TRUE(cpu.limited.empty());
        EXPECT_TRUE(in_process.Whole());
        EXPECT_TRUE(services.Whole());
      });
    }));
  }

  void OnEvent(const Event& e) {
    if (e.type == EventType::kFaultSwarm) swarm = e.fields;
    if (e.type != EventType::kFault) return;
    fault_events.push_back(e.fields.dump());
    std::string action = JsonString(e.fields, "action");
    int64_t id = JsonInt(e.fields, "id", 0);
    std::string kind = JsonString(e.fields, "kind");
    if (action == "begin") {
      EXPECT_TRUE(enabled) << "a fault before the schedule was enabled";
      EXPECT_FALSE(terminal) << "a fault in the terminal phase";
      EXPECT_GE(clock.Now(), quiet_until) << "a fault during a quiet period";
      ++in_force;
      ++begun[kind];
      order.push_back(id);
      const KindRow* row = FindKind(kind);
      if (row && row->scope == Scope::kService) {
        std::string target = e.fields["targets"][0];
        EXPECT_FALSE(faulted.count(target)) << "two faults on " << target;
        faulted[target] = id;
        if (kind == "disk") {
          EXPECT_EQ(services.explained_[target], "disk") << "a disk fault must explain exits";
        }
      }
    } else if (action == "heal") {
      --in_force;
      // Healing goes in reverse order of injection.
      if (JsonString(e.fields, "reason") != "planned") {
        EXPECT_EQ(order.back(), id) << "healed out of order";
      }
      order.erase(std::find(order.begin(), order.end(), id));
      for (auto it = faulted.begin(); it != faulted.end(); ++it) {
        if (it->second == id) {
          faulted.erase(it);
          break;
        }
      }
    } else {
      ADD_FAILURE() << e.ToJsonLine();
    }
  }

  void Run() { clock.RunAll(Millis(40000)); }

  FakeClock clock;
  Timeline timeline;
  FakeServices services;
  FakeNetwork network;
  FakeInProcess in_process;
  FakeCpu cpu;
  FakeCommands commands;
  std::unique_ptr<FaultSchedule> schedule;
  std::vector<Timer> timers;
  Millis quiet_until{0};
  bool enabled = false;
  bool terminal = false;
  bool healed_at_end = false;
  int in_force = 0;
  std::map<std::string, int> begun;
  std::map<std::string, int64_t> faulted;
  std::vector<int64_t> order;
  std::vector<int64_t> quiet_heal_ms;
  std::vector<std::string> fault_events;
  Json swarm;
};

TEST(FaultSchedule, InvariantsHoldOverManySeeds) {
  FaultsConfig config = Config(kAll);
  std::map<std::string, int> begun;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    Simulation sim(seed, config);
    sim.Run();
    ASSERT_TRUE(sim.healed_at_end) << "seed " << seed;
    EXPECT_TRUE(sim.services.violations.empty())
        << "seed " << seed << ": " << sim.services.violations.front();
    for (int64_t ms : sim.quiet_heal_ms) EXPECT_LE(ms, 100) << "seed " << seed;
    for (const auto& [k, n] : sim.begun) begun[k] += n;
    // The swarm subset is on the timeline, and only its kinds were injected.
    ASSERT_TRUE(sim.swarm.is_object());
    EXPECT_EQ(sim.swarm["configured"].size(), config.kinds.size());
    for (const auto& [k, n] : sim.begun) {
      EXPECT_NE(std::find(sim.swarm["enabled"].begin(), sim.swarm["enabled"].end(), k),
                sim.swarm["enabled"].end())
          << k;
    }
    std::map<std::string, int64_t> begun_here(sim.begun.begin(), sim.begun.end());
    EXPECT_EQ(sim.schedule->injected(), begun_here);
  }
  // Every configured kind was injected in some history.
  EXPECT_EQ(begun.size(), config.kinds.size());
}

TEST(FaultSchedule, SameSeedSameTimeline) {
  FaultsConfig config = Config(kAll);
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Simulation a(seed, config), b(seed, config);
    a.Run();
    b.Run();
    EXPECT_EQ(a.fault_events, b.fault_events) << "seed " << seed;
  }
}

TEST(FaultSchedule, CustomFaultsRunTheirCommandAndHeal) {
  FaultsConfig config = Config(
      "faults:\n  interval: 100ms\n  swarm: false\n  custom:\n    promote: {command: [true], "
      "heal: [sh], duration: 200ms}\n");
  Simulation sim(1, config);
  sim.Run();
  EXPECT_GT(sim.begun["promote"], 5);
  EXPECT_EQ(sim.commands.runs, 2 * sim.begun["promote"]);
  EXPECT_EQ(sim.commands.ran[0], "true");
  EXPECT_EQ(sim.commands.ran[1], "sh");
}

TEST(FaultSchedule, NothingConfiguredNothingInjected) {
  FaultsConfig none;
  FakeClock clock;
  Timeline timeline;
  std::vector<std::string> states;
  timeline.AddListener([&](const Event& e) {
    EXPECT_NE(e.type, EventType::kFault);
    EXPECT_NE(e.type, EventType::kFaultSwarm);
    if (e.type == EventType::kFaults) states.push_back(JsonString(e.fields, "state"));
  });
  FaultSchedule f(none, 1, clock, timeline, Injectors{});
  f.Enable();
  clock.Advance(Millis(60000));
  bool healed = false;
  f.StopAndHeal([&] { healed = true; });
  EXPECT_TRUE(healed);
  f.Enable();  // the terminal phase is final
  EXPECT_FALSE(f.injecting());
  EXPECT_EQ(states, (std::vector<std::string>{"on", "off"}));
}

TEST(FaultSchedule, QuietPeriodsMergeToTheLongestAndResumeByThemselves) {
  FaultsConfig none;
  FakeClock clock;
  Timeline timeline;
  std::vector<std::string> states;
  int quiet_requests = 0;
  timeline.AddListener([&](const Event& e) {
    if (e.type == EventType::kFaults) states.push_back(JsonString(e.fields, "state"));
    if (e.type == EventType::kQuietRequest) ++quiet_requests;
  });
  FaultSchedule f(none, 1, clock, timeline, Injectors{});
  f.Enable();
  int healed = 0;
  f.Quiet(Millis(150), "t/anytime_a #3", [&] { ++healed; });
  clock.Advance(Millis(20));
  f.Quiet(Millis(50), "t/anytime_a #4", [&] { ++healed; });  // ends earlier: merged
  EXPECT_EQ(healed, 2);
  EXPECT_FALSE(f.injecting());
  clock.Advance(Millis(100));
  EXPECT_FALSE(f.injecting());  // the first request still holds
  clock.Advance(Millis(40));
  EXPECT_TRUE(f.injecting());
  EXPECT_EQ(quiet_requests, 2);
  EXPECT_EQ(states, (std::vector<std::string>{"on", "quiet", "on"}));
}

TEST(FaultSchedule, AQuietRequestHealsAKillByRestartingOnceTheServiceIsDown) {
  FaultsConfig config = Config(
      "faults:\n  interval: 10ms\n  swarm: false\n  stop: {targets: [a], "
      "down: 10s}\n");
  FakeClock clock;
  Timeline timeline;
  FakeServices services(clock);
  FaultSchedule f(config, 1, clock, timeline, Injectors{.services = &services, .clock = &clock});
  f.Enable();
  clock.Advance(Millis(11));  // the stop begins; the service takes 30 ms to end
  ASSERT_EQ(f.in_force(), 1u);
  EXPECT_FALSE(services.IsUp("a"));
  Millis asked = clock.Now();
  std::optional<Millis> healed;
  f.Quiet(Millis(1000), "test", [&] { healed = clock.Now(); });
  EXPECT_FALSE(healed);  // waits for the end of the stop
  clock.Advance(Millis(100));
  ASSERT_TRUE(healed);
  EXPECT_LE(*healed - asked, Millis(100));
  EXPECT_EQ(f.in_force(), 0u);
  EXPECT_TRUE(services.violations.empty());
}

}  // namespace
}  // namespace faultline::faults
