// The Test Composer rules, checked over many seeds with a fake launcher and virtual time: no
// process runs, so hundreds of histories take milliseconds.
#include "composer/composer.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <queue>

#include "base/fake_clock.h"

namespace faultline::composer {
namespace {

struct Span {
  int64_t id;
  std::string name;
  Prefix prefix;
  Millis start;
  Millis end{-1};
  bool killed = false;
};

// Runs each command for a duration chosen by a rule (by name), reporting its end to the composer.
class FakeLauncher : public CommandLauncher {
 public:
  FakeLauncher(FakeClock& clock, std::function<Millis(const Command&)> duration)
      : clock_(clock), duration_(std::move(duration)) {}
  void Attach(Composer* c) { composer_ = c; }

  Result<int> Launch(const Invocation& inv) override {
    spans_.push_back({inv.id, inv.command->name, inv.command->prefix, clock_.Now()});
    seeds_.push_back(inv.seed);
    Millis d = duration_(*inv.command);
    if (d >= Millis(0)) {
      ends_[inv.id] = clock_.After(d, [this, id = inv.id] { End(id, Outcome{0, 0}, false); });
    }
    return static_cast<int>(1000 + inv.id);
  }
  void Kill(int64_t id) override {
    ends_.erase(id);
    // A killed group ends a moment later.
    kills_.push_back(clock_.After(Millis(1), [this, id] { End(id, Outcome{-1, 9}, true); }));
  }
  const std::vector<Span>& spans() const { return spans_; }
  const std::vector<uint64_t>& seeds() const { return seeds_; }

 private:
  void End(int64_t id, Outcome o, bool killed) {
    for (auto& s : spans_) {
      if (s.id == id && s.end < Millis(0)) {
        s.end = clock_.Now();
        s.killed = killed;
      }
    }
    ends_.erase(id);
    composer_->OnCommandEnd(id, o);
  }
  FakeClock& clock_;
  std::function<Millis(const Command&)> duration_;
  Composer* composer_ = nullptr;
  std::vector<Span> spans_;
  std::vector<uint64_t> seeds_;
  std::map<int64_t, Timer> ends_;
  std::vector<Timer> kills_;
};

class FakeFaults : public FaultControl {
 public:
  explicit FakeFaults(FakeClock& clock) : clock_(clock) {}
  void Enable() override { enabled_at = clock_.Now(); }
  void StopAndHeal(std::function<void()> healed) override {
    heal_requested_at = clock_.Now();
    heal_ = clock_.After(Millis(10), std::move(healed));
  }
  std::optional<Millis> enabled_at, heal_requested_at;

 private:
  FakeClock& clock_;
  Timer heal_;
};

Template MakeTemplate(const std::vector<std::string>& names) {
  Template t;
  t.name = "t";
  for (const auto& n : names) {
    auto p = PrefixOf(n);
    EXPECT_TRUE(p) << n;
    t.commands.push_back(Command{"t", n, "/fake/" + n, "/fake", *p});
  }
  return t;
}

// One simulated history.
struct History {
  std::vector<Span> spans;
  std::vector<uint64_t> seeds;
  std::vector<Event> events;
  ComposerResult result;
  std::optional<Millis> faults_enabled, heal_requested;
  bool done = false;

  std::vector<Span> Of(Prefix p) const {
    std::vector<Span> out;
    for (const auto& s : spans) {
      if (s.prefix == p) out.push_back(s);
    }
    return out;
  }
  std::vector<std::string> Decisions() const {
    std::vector<std::string> out;
    for (const auto& e : events) {
      if (e.type == EventType::kDecision) out.push_back(e.fields.dump());
      if (e.type == EventType::kCommandStart) {
        out.push_back(fmt::format("{}@{}", JsonString(e.fields, "command"), e.t_us));
      }
    }
    return out;
  }
};

Millis DefaultDuration(const Command& c) {
  // Names carry their behaviour: "hang" never ends by itself, "slow" takes 3 s, others 100-400 ms.
  if (c.name.find("hang") != std::string::npos) return Millis(-1);
  if (c.name.find("slow") != std::string::npos) return Millis(3000);
  return Millis(100 + 100 * static_cast<int64_t>(c.name.size() % 4));
}

History Simulate(const Template& t, uint64_t seed, ComposerOptions options = {},
                 std::function<Millis(const Command&)> duration = DefaultDuration) {
  FakeClock clock;
  FakeLauncher launcher(clock, duration);
  FakeFaults faults(clock);
  Timeline timeline;
  History h;
  timeline.AddListener([&](const Event& e) {
    Event copy = e;
    copy.t_us = clock.Now().count() * 1000;  // virtual time on the timeline
    h.events.push_back(copy);
  });
  if (options.budget.hi == Millis(60000)) options.budget = {Millis(5000), Millis(10000)};
  options.command_timeout = std::min(options.command_timeout, Millis(20000));
  Composer composer(t, options, seed, launcher, clock, faults, timeline);
  launcher.Attach(&composer);
  composer.Start([&](ComposerResult r) {
    h.result = r;
    h.done = true;
  });
  clock.RunAll();
  h.spans = launcher.spans();
  h.seeds = launcher.seeds();
  h.faults_enabled = faults.enabled_at;
  h.heal_requested = faults.heal_requested_at;
  EXPECT_TRUE(h.done) << "seed " << seed;
  for (const auto& s : h.spans) EXPECT_GE(s.end, s.start) << s.name << " never ended";
  return h;
}

bool Overlap(const Span& a, const Span& b) { return a.start < b.end && b.start < a.end; }

constexpr int kSeeds = 200;

TEST(Composer, ExactlyOneFirstRunsAloneBeforeEverything) {
  Template t = MakeTemplate(
      {"first_a", "first_b", "first_c", "parallel_driver_x", "anytime_y", "eventually_z"});
  std::map<std::string, int> chosen;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    History h = Simulate(t, seed);
    auto firsts = h.Of(Prefix::kFirst);
    ASSERT_EQ(firsts.size(), 1u) << "seed " << seed;
    ++chosen[firsts[0].name];
    for (const auto& s : h.spans) {
      if (s.prefix != Prefix::kFirst) {
        ASSERT_GE(s.start, firsts[0].end) << s.name;
      }
    }
    // Faults begin only after first_ has finished.
    ASSERT_TRUE(h.faults_enabled);
    EXPECT_GE(*h.faults_enabled, firsts[0].end);
  }
  EXPECT_EQ(chosen.size(), 3u) << "every first_ command is chosen in some history";
}

TEST(Composer, SerialDriversNeverOverlapAnotherDriver) {
  Template t = MakeTemplate({"parallel_driver_a", "parallel_driver_bb", "serial_driver_s",
                             "serial_driver_tt", "anytime_q"});
  int serial_runs = 0, max_parallel = 0;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    History h = Simulate(t, seed);
    for (const auto& s : h.Of(Prefix::kSerialDriver)) {
      ++serial_runs;
      for (const auto& o : h.spans) {
        if (o.id != s.id && IsDriver(o.prefix)) {
          ASSERT_FALSE(Overlap(s, o))
              << "seed " << seed << ": " << s.name << " overlaps " << o.name;
        }
      }
    }
    for (const auto& s : h.Of(Prefix::kParallelDriver)) {
      int at_once = 0;
      for (const auto& o : h.Of(Prefix::kParallelDriver))
        at_once += o.start <= s.start && s.start < o.end;
      max_parallel = std::max(max_parallel, at_once);
      ASSERT_LE(at_once, 4);
    }
  }
  EXPECT_GT(serial_runs, 0);
  EXPECT_EQ(max_parallel, 4) << "parallel drivers reach the configured bound";
}

TEST(Composer, ASingletonIsTheOnlyDriverOfItsHistory) {
  Template t = MakeTemplate(
      {"singleton_driver_one", "parallel_driver_p", "serial_driver_s", "anytime_a", "finally_f"});
  int singleton_histories = 0, other_histories = 0;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    History h = Simulate(t, seed);
    auto singles = h.Of(Prefix::kSingletonDriver);
    if (singles.empty()) {
      ++other_histories;
      continue;
    }
    ++singleton_histories;
    ASSERT_EQ(singles.size(), 1u);
    for (const auto& s : h.spans) {
      ASSERT_FALSE(s.prefix == Prefix::kParallelDriver || s.prefix == Prefix::kSerialDriver)
          << "seed " << seed;
      // Only anytime commands run beside it.
      if (s.id != singles[0].id && Overlap(s, singles[0])) {
        ASSERT_EQ(s.prefix, Prefix::kAnytime);
      }
    }
  }
  EXPECT_GT(singleton_histories, 0);
  EXPECT_GT(other_histories, 0);
}

TEST(Composer, AnytimeNeverOverlapsFirst) {
  Template t = MakeTemplate({"first_slow", "anytime_a", "anytime_bb", "parallel_driver_p"});
  for (uint64_t seed = 0; seed < 50; ++seed) {
    History h = Simulate(t, seed);
    auto first = h.Of(Prefix::kFirst);
    ASSERT_EQ(first.size(), 1u);
    auto anytime = h.Of(Prefix::kAnytime);
    EXPECT_FALSE(anytime.empty());
    for (const auto& a : anytime) ASSERT_FALSE(Overlap(a, first[0])) << "seed " << seed;
  }
}

TEST(Composer, EventuallyKillsEverythingRunningAfterHealing) {
  Template t = MakeTemplate({"parallel_driver_hang", "anytime_hang", "eventually_check"});
  ComposerOptions options;
  options.command_timeout = Millis(600000);
  for (uint64_t seed = 0; seed < 30; ++seed) {
    History h = Simulate(t, seed, options);
    auto ev = h.Of(Prefix::kEventually);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(h.result.terminal, "eventually");
    ASSERT_TRUE(h.heal_requested);
    EXPECT_LE(*h.heal_requested, ev[0].start) << "faults are healed before eventually_ starts";
    for (const auto& s : h.spans) {
      if (s.id == ev[0].id) continue;
      EXPECT_TRUE(s.killed) << s.name << " was still running and must have been killed";
      EXPECT_LE(s.end, ev[0].start);
    }
    // Killed commands are an expected outcome, marked as such on the timeline.
    for (const auto& e : h.events) {
      if (e.type == EventType::kCommandEnd &&
          JsonString(e.fields, "command") != "t/eventually_check") {
        EXPECT_EQ(JsonString(e.fields, "killed"), "terminal");
      }
    }
  }
}

TEST(Composer, EventuallyOnlyAfterADriverStarted) {
  // Only anytime commands: no driver ever starts, so eventually_ never runs.
  Template t = MakeTemplate({"anytime_a", "eventually_e"});
  for (uint64_t seed = 0; seed < 20; ++seed) {
    History h = Simulate(t, seed);
    EXPECT_TRUE(h.Of(Prefix::kEventually).empty());
    EXPECT_EQ(h.result.terminal, "none");
  }
}

TEST(Composer, FinallyRunsAloneOnlyWhenNothingWasKilled) {
  Template t = MakeTemplate({"parallel_driver_p", "serial_driver_s", "anytime_a", "finally_f"});
  for (uint64_t seed = 0; seed < 50; ++seed) {
    History h = Simulate(t, seed);
    auto fin = h.Of(Prefix::kFinally);
    ASSERT_EQ(fin.size(), 1u) << "seed " << seed;
    for (const auto& s : h.spans) {
      if (s.id == fin[0].id) continue;
      EXPECT_FALSE(s.killed);
      EXPECT_LE(s.end, fin[0].start) << "drivers and anytime commands finish before finally_";
    }
    ASSERT_TRUE(h.heal_requested);
    EXPECT_LE(*h.heal_requested, fin[0].start);
  }
  // A driver that hangs past its timeout is killed: finally_ must not run.
  Template hanging = MakeTemplate({"parallel_driver_hang", "finally_f"});
  ComposerOptions options;
  options.command_timeout = Millis(2000);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    History h = Simulate(hanging, seed, options);
    EXPECT_TRUE(h.Of(Prefix::kFinally).empty()) << "seed " << seed;
    EXPECT_TRUE(h.result.anything_killed_by_timeout);
    EXPECT_EQ(h.result.terminal, "none");
  }
}

TEST(Composer, FinallySkippedWhenADrainingCommandTimesOut) {
  // The driver is still running at the end of the budget and then outlives its timeout.
  Template t = MakeTemplate({"serial_driver_hang", "finally_f"});
  ComposerOptions options;
  options.budget = {Millis(1000), Millis(1000)};
  options.command_timeout = Millis(5000);
  History h = Simulate(t, 1, options);
  EXPECT_TRUE(h.Of(Prefix::kFinally).empty());
  ASSERT_EQ(h.Of(Prefix::kSerialDriver).size(), 1u);
  EXPECT_TRUE(h.Of(Prefix::kSerialDriver)[0].killed);
  EXPECT_EQ(h.result.terminal, "none");
}

TEST(Composer, NeverBothEventuallyAndFinallyAndBothHappen) {
  Template t = MakeTemplate({"parallel_driver_p", "eventually_e", "finally_f"});
  int eventually = 0, finally = 0;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    History h = Simulate(t, seed);
    size_t e = h.Of(Prefix::kEventually).size(), f = h.Of(Prefix::kFinally).size();
    ASSERT_EQ(e + f, 1u) << "seed " << seed;
    eventually += static_cast<int>(e);
    finally += static_cast<int>(f);
    // The terminal command is the last thing that runs.
    const Span& last = h.spans.back();
    EXPECT_TRUE(last.prefix == Prefix::kEventually || last.prefix == Prefix::kFinally);
  }
  EXPECT_GT(eventually, 0);
  EXPECT_GT(finally, 0);
}

TEST(Composer, CommandsAreKilledAtTheirTimeout) {
  Template t = MakeTemplate({"parallel_driver_hang"});
  ComposerOptions options;
  options.command_timeout = Millis(1500);
  options.budget = {Millis(4000), Millis(4000)};
  History h = Simulate(t, 3, options);
  bool saw_timeout = false;
  for (const auto& e : h.events) {
    if (e.type == EventType::kCommandEnd && JsonString(e.fields, "killed") == "timeout") {
      saw_timeout = true;
      EXPECT_EQ(JsonInt(e.fields, "ms", 0), 1501);  // the timeout, plus the kill taking 1 ms
    }
  }
  EXPECT_TRUE(saw_timeout);
}

TEST(Composer, SameSeedSameDecisionsDifferentSeedDifferentOnes) {
  Template t = MakeTemplate({"first_a", "first_b", "parallel_driver_p", "parallel_driver_qq",
                             "serial_driver_s", "singleton_driver_one", "anytime_x", "eventually_e",
                             "finally_f"});
  for (uint64_t seed : {1, 2, 3, 99}) {
    History a = Simulate(t, seed), b = Simulate(t, seed);
    EXPECT_EQ(a.Decisions(), b.Decisions()) << "seed " << seed;
    EXPECT_EQ(a.seeds, b.seeds);
  }
  EXPECT_NE(Simulate(t, 1).Decisions(), Simulate(t, 2).Decisions());
}

TEST(Composer, EveryDecisionIsOnTheTimeline) {
  Template t = MakeTemplate({"first_a", "first_b", "parallel_driver_p", "eventually_e"});
  History h = Simulate(t, 5);
  std::set<std::string> what;
  for (const auto& e : h.events) {
    if (e.type == EventType::kDecision) what.insert(JsonString(e.fields, "what"));
  }
  EXPECT_EQ(what, (std::set<std::string>{"first", "budget", "parallel_drivers", "terminal",
                                         "eventually"}));
}

TEST(Composer, InvocationSeedsDependOnCommandAndCountNotOnTiming) {
  Template t = MakeTemplate({"parallel_driver_p"});
  // Different durations change how many invocations fit, never the seed of the n-th one.
  History fast = Simulate(t, 8, {}, [](const Command&) { return Millis(50); });
  History slow = Simulate(t, 8, {}, [](const Command&) { return Millis(70); });
  size_t n = std::min(fast.seeds.size(), slow.seeds.size());
  ASSERT_GT(n, 10u);
  // With one command, the n-th invocation is the same in both.
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(fast.seeds[i], slow.seeds[i]);
}

TEST(Composer, InterruptKillsEverythingAndEnds) {
  Template t = MakeTemplate({"parallel_driver_hang", "anytime_hang", "finally_f"});
  FakeClock clock;
  FakeLauncher launcher(clock, DefaultDuration);
  FakeFaults faults(clock);
  Timeline timeline;
  ComposerOptions options;
  Composer composer(t, options, 1, launcher, clock, faults, timeline);
  launcher.Attach(&composer);
  std::optional<ComposerResult> result;
  composer.Start([&](ComposerResult r) { result = r; });
  clock.RunAll(Millis(2000));
  ASSERT_FALSE(result);
  EXPECT_GT(composer.running(), 0u);
  composer.Interrupt();
  clock.RunAll();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->reason, EndReason::kInterrupted);
  EXPECT_EQ(composer.running(), 0u);
  for (const auto& s : launcher.spans()) EXPECT_TRUE(s.killed);
}

}  // namespace
}  // namespace faultline::composer
