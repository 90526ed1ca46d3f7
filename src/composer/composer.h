// Composer: runs one template for one history under the Test Composer rules
// (../shared/spec/test-composer.md). It decides what runs when — the first_ command, how many
// parallel drivers at once and which, when a serial or singleton driver runs alone, anytime_
// commands beside them, and which terminal command ends the history — drawing every decision from
// generators seeded by the history's seed and writing it to the timeline. It never touches a
// process itself: it acts through three small seams (a launcher, a clock and the fault control),
// so every rule is tested with fakes. Owned by the history; single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "base/clock.h"
#include "base/duration.h"
#include "base/rng.h"
#include "base/status.h"
#include "composer/command_launcher.h"
#include "composer/fault_control.h"
#include "composer/templates.h"
#include "timeline/timeline.h"

namespace faultline::composer {

// Time and timers: base/clock.h (the run's event loop, or virtual time in tests).
using faultline::Clock;

struct ComposerOptions {
  int max_parallel_drivers = 4;
  Millis command_timeout{120000};
  DurationRange budget{Millis(60000), Millis(60000)};  // the driver phase
  DurationRange anytime_gap{Millis(0), Millis(500)};   // pause between anytime_ invocations
};

// Why a history ended.
enum class EndReason { kFinished, kInterrupted, kLaunchFailed };

struct ComposerResult {
  EndReason reason = EndReason::kFinished;
  std::string terminal;  // "eventually", "finally" or "none"
  std::string message;   // for kLaunchFailed: what could not start
  int64_t invocations = 0;
  bool anything_killed_by_timeout = false;
};

// What the timeline records of an invocation, shared by the Composer and `faultline validate`.
// The n-th run of a command gets the same seed in every replay, whatever ran before it.
uint64_t InvocationSeed(uint64_t history_seed, const Command& command, int64_t nth);
Json CommandStartFields(const Invocation& invocation, int pid, int64_t nth);
// `killed` is why faultline killed it ("timeout", "terminal", "interrupt"), or empty.
Json CommandEndFields(int64_t id, const Command& command, Outcome outcome, std::string_view killed,
                      Millis ran);

class Composer {
 public:
  Composer(const Template& tmpl, ComposerOptions options, uint64_t seed, CommandLauncher& launcher,
           Clock& clock, FaultControl& faults, Timeline& timeline);
  ~Composer();

  // Begins the history (setup is complete). `done` runs once, when the history is over.
  void Start(std::function<void(ComposerResult)> done);
  // Reports the end of an invocation started by the launcher.
  void OnCommandEnd(int64_t id, Outcome outcome);
  // Ends the history early: kills everything running; `done` runs once they have ended.
  void Interrupt();

  bool finished() const { return phase_ == Phase::kDone; }
  size_t running() const { return running_.size(); }

 private:
  enum class Phase { kIdle, kFirst, kDrivers, kDraining, kKilling, kTerminal, kDone };
  struct Running {
    const Command* command = nullptr;
    Millis started{0};
    Timer timeout;
    std::string killed;  // why faultline killed it: "timeout", "terminal", "interrupt"
  };

  bool Launch(const Command* c);
  void EnterDriverPhase();
  void FillDrivers();
  void ScheduleAnytime();
  void EndDriverPhase();
  void ChooseTerminal();
  void KillAllRunning(const std::string& why);
  void AfterRunningDrained();
  void RunTerminal();
  void Finish(EndReason reason, std::string message = "");
  size_t CountRunning(Prefix p) const;
  const Command* Pick(Rng& rng, const std::vector<const Command*>& from, const char* what);
  void Decide(const char* what, Json value);

  const Template& tmpl_;
  ComposerOptions options_;
  uint64_t seed_;
  CommandLauncher& launcher_;
  Clock& clock_;
  FaultControl& faults_;
  Timeline& timeline_;
  // One generator per kind of decision, so that how many times one kind draws (which depends on
  // process timing) never shifts another kind's choices.
  Rng plan_rng_;
  Rng driver_rng_;
  Rng anytime_rng_;
  Phase phase_ = Phase::kIdle;
  std::map<int64_t, Running> running_;
  std::map<std::string, int64_t> per_command_count_;
  int64_t next_id_ = 1;
  int parallel_target_ = 1;
  const Command* serial_next_ = nullptr;  // a serial driver waiting for the others to end
  bool singleton_mode_ = false;
  bool any_driver_started_ = false;
  bool any_killed_ = false;
  bool interrupted_ = false;
  std::string terminal_;  // "eventually" | "finally" | "none"
  Timer budget_timer_;
  Timer anytime_timer_;
  ComposerResult result_;
  std::function<void(ComposerResult)> done_;
};

}  // namespace faultline::composer
