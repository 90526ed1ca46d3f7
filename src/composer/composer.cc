#include "composer/composer.h"

#include <algorithm>
#include <vector>

#include "base/signals.h"

namespace faultline::composer {

uint64_t InvocationSeed(uint64_t history_seed, const Command& command, int64_t nth) {
  return DeriveSeed(history_seed, fmt::format("{}#{}", command.Id(), nth));
}

Json CommandStartFields(const Invocation& inv, int pid, int64_t nth) {
  return {{"id", inv.id},
          {"command", inv.command->Id()},
          {"prefix", PrefixName(inv.command->prefix)},
          {"pid", pid},
          {"invocation", nth},
          {"seed", inv.seed}};
}

Json CommandEndFields(int64_t id, const Command& command, Outcome outcome, std::string_view killed,
                      Millis ran) {
  Json fields = {{"id", id}, {"command", command.Id()}};
  if (outcome.signal) {
    fields["signal"] = SignalName(outcome.signal);
  } else {
    fields["code"] = outcome.code;
  }
  if (!killed.empty()) fields["killed"] = killed;
  fields["ms"] = ran.count();
  return fields;
}

Composer::Composer(const Template& tmpl, ComposerOptions options, uint64_t seed,
                   CommandLauncher& launcher, Clock& clock, FaultControl& faults,
                   Timeline& timeline)
    : tmpl_(tmpl),
      options_(options),
      seed_(seed),
      launcher_(launcher),
      clock_(clock),
      faults_(faults),
      timeline_(timeline),
      plan_rng_(DeriveSeed(seed, "plan")),
      driver_rng_(DeriveSeed(seed, "drivers")),
      anytime_rng_(DeriveSeed(seed, "anytime")) {}

Composer::~Composer() {
  // The timers cancel themselves.
}

void Composer::Decide(const char* what, Json value) {
  timeline_.Record(EventType::kDecision, {{"what", what}, {"value", std::move(value)}});
}

const Command* Composer::Pick(Rng& rng, const std::vector<const Command*>& from, const char* what) {
  const Command* c = from[rng.Below(from.size())];
  if (what) Decide(what, c->name);
  return c;
}

size_t Composer::CountRunning(Prefix p) const {
  return static_cast<size_t>(std::count_if(running_.begin(), running_.end(), [p](const auto& kv) {
    return kv.second.command->prefix == p;
  }));
}

void Composer::Start(std::function<void(ComposerResult)> done) {
  done_ = std::move(done);
  auto firsts = tmpl_.With(Prefix::kFirst);
  if (firsts.empty()) {
    EnterDriverPhase();
    return;
  }
  phase_ = Phase::kFirst;
  Launch(Pick(plan_rng_, firsts, "first"));
}

bool Composer::Launch(const Command* c) {
  int64_t id = next_id_++;
  int64_t nth = ++per_command_count_[c->Id()];
  Invocation inv{id, c, InvocationSeed(seed_, *c, nth)};
  auto pid = launcher_.Launch(inv);
  if (!pid) {
    Finish(EndReason::kLaunchFailed, fmt::format("cannot start {}: {}", c->Id(), pid.error()));
    return false;
  }
  Running r{c, clock_.Now(), Timer(), ""};
  r.timeout = clock_.After(options_.command_timeout, [this, id] {
    auto it = running_.find(id);
    if (it == running_.end()) return;
    it->second.timeout = Timer();
    if (it->second.killed.empty()) it->second.killed = "timeout";
    any_killed_ = true;
    result_.anything_killed_by_timeout = true;
    launcher_.Kill(id);
  });
  running_[id] = std::move(r);
  any_driver_started_ |= IsDriver(c->prefix);
  timeline_.Record(EventType::kCommandStart, CommandStartFields(inv, *pid, nth));
  return true;
}

void Composer::OnCommandEnd(int64_t id, Outcome outcome) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  Running r = std::move(it->second);
  running_.erase(it);
  r.timeout.Cancel();
  timeline_.Record(EventType::kCommandEnd,
                   CommandEndFields(id, *r.command, outcome, r.killed, clock_.Now() - r.started));

  switch (phase_) {
    case Phase::kFirst:
      EnterDriverPhase();
      break;
    case Phase::kDrivers:
      if (singleton_mode_ && r.command->prefix == Prefix::kSingletonDriver) {
        EndDriverPhase();
      } else if (r.command->prefix == Prefix::kAnytime) {
        ScheduleAnytime();
      } else {
        FillDrivers();
      }
      break;
    case Phase::kDraining:
    case Phase::kKilling:
      if (running_.empty()) AfterRunningDrained();
      break;
    case Phase::kTerminal:
      Finish(EndReason::kFinished);
      break;
    case Phase::kIdle:
    case Phase::kDone:
      break;
  }
}

void Composer::EnterDriverPhase() {
  phase_ = Phase::kDrivers;
  faults_.Enable();
  auto parallel = tmpl_.With(Prefix::kParallelDriver);
  auto serial = tmpl_.With(Prefix::kSerialDriver);
  auto singletons = tmpl_.With(Prefix::kSingletonDriver);
  if (!singletons.empty()) {
    // A singleton is chosen as often as any one driver command would be.
    size_t total = parallel.size() + serial.size() + singletons.size();
    singleton_mode_ = plan_rng_.Below(total) < singletons.size();
    Decide("mode", singleton_mode_ ? "singleton" : "drivers");
  }
  if (singleton_mode_) {
    // The singleton is the only driver; its exit ends the driver phase.
    if (!Launch(Pick(plan_rng_, singletons, "singleton"))) return;
  } else {
    Millis budget = plan_rng_.Between(options_.budget.lo, options_.budget.hi);
    Decide("budget", FormatDuration(budget));
    budget_timer_ = clock_.After(budget, [this] {
      budget_timer_ = Timer();
      EndDriverPhase();
    });
    if (!parallel.empty()) {
      parallel_target_ = static_cast<int>(driver_rng_.Between(1, options_.max_parallel_drivers));
      Decide("parallel_drivers", parallel_target_);
    }
    FillDrivers();
  }
  ScheduleAnytime();
}

void Composer::FillDrivers() {
  if (phase_ != Phase::kDrivers || singleton_mode_) return;
  auto parallel = tmpl_.With(Prefix::kParallelDriver);
  auto serial = tmpl_.With(Prefix::kSerialDriver);
  while (phase_ == Phase::kDrivers) {
    size_t parallel_running = CountRunning(Prefix::kParallelDriver);
    if (CountRunning(Prefix::kSerialDriver) > 0) return;  // a serial driver runs alone
    if (serial_next_) {
      if (parallel_running > 0) return;  // wait for the parallel drivers to end
      const Command* c = serial_next_;
      serial_next_ = nullptr;
      if (Launch(c) && !parallel.empty()) {
        // After each serial driver, a new concurrency level for the parallel ones.
        parallel_target_ = static_cast<int>(driver_rng_.Between(1, options_.max_parallel_drivers));
        Decide("parallel_drivers", parallel_target_);
      }
      return;
    }
    if (parallel.empty() && serial.empty()) return;
    if (!parallel.empty() && parallel_running >= static_cast<size_t>(parallel_target_)) return;
    bool pick_serial =
        parallel.empty() ||
        (!serial.empty() && driver_rng_.Below(parallel.size() + serial.size()) < serial.size());
    if (pick_serial) {
      serial_next_ = Pick(driver_rng_, serial, nullptr);
      continue;
    }
    if (!Launch(Pick(driver_rng_, parallel, nullptr))) return;
  }
}

void Composer::ScheduleAnytime() {
  auto anytime = tmpl_.With(Prefix::kAnytime);
  if (phase_ != Phase::kDrivers || anytime.empty() || anytime_timer_.armed() ||
      CountRunning(Prefix::kAnytime) > 0) {
    return;
  }
  Millis gap = anytime_rng_.Between(options_.anytime_gap.lo, options_.anytime_gap.hi);
  anytime_timer_ = clock_.After(gap, [this, anytime] {
    anytime_timer_ = Timer();
    if (phase_ == Phase::kDrivers) Launch(Pick(anytime_rng_, anytime, nullptr));
  });
}

void Composer::ChooseTerminal() {
  bool can_eventually = tmpl_.Has(Prefix::kEventually) && any_driver_started_;
  bool can_finally = tmpl_.Has(Prefix::kFinally) && !any_killed_;
  if (can_eventually && can_finally) {
    terminal_ = plan_rng_.Below(2) == 0 ? "eventually" : "finally";
  } else if (can_eventually) {
    terminal_ = "eventually";
  } else if (can_finally) {
    terminal_ = "finally";
  } else {
    terminal_ = "none";
  }
  Decide("terminal", terminal_);
}

void Composer::EndDriverPhase() {
  if (phase_ != Phase::kDrivers) return;
  budget_timer_.Cancel();
  anytime_timer_.Cancel();
  serial_next_ = nullptr;
  ChooseTerminal();
  if (terminal_ == "finally") {
    // Nothing new starts; what runs may finish (bounded by the command timeout).
    phase_ = Phase::kDraining;
  } else {
    phase_ = Phase::kKilling;
    KillAllRunning("terminal");
  }
  if (running_.empty()) AfterRunningDrained();
}

void Composer::KillAllRunning(const std::string& why) {
  std::vector<int64_t> ids;
  for (auto& [id, r] : running_) {
    if (r.killed.empty()) r.killed = why;
    ids.push_back(id);
  }
  // The launcher may report an end from inside Kill; iterate over a copy.
  for (int64_t id : ids) launcher_.Kill(id);
}

void Composer::AfterRunningDrained() {
  if (phase_ != Phase::kDraining && phase_ != Phase::kKilling) return;
  if (interrupted_) {
    Finish(EndReason::kInterrupted);
    return;
  }
  if (terminal_ == "finally" && any_killed_) {
    // A drained command outlived its timeout: finally_ runs only when nothing was killed.
    terminal_ = "none";
    Decide("terminal", "none (a command was killed while draining)");
  }
  if (terminal_ == "none") {
    Finish(EndReason::kFinished);
    return;
  }
  phase_ = Phase::kTerminal;
  faults_.StopAndHeal([this] { RunTerminal(); });
}

void Composer::RunTerminal() {
  if (phase_ != Phase::kTerminal || !running_.empty()) return;
  auto list = tmpl_.With(terminal_ == "eventually" ? Prefix::kEventually : Prefix::kFinally);
  Launch(Pick(plan_rng_, list, terminal_ == "eventually" ? "eventually" : "finally"));
}

void Composer::Interrupt() {
  if (phase_ == Phase::kDone || phase_ == Phase::kIdle) return;
  interrupted_ = true;
  budget_timer_.Cancel();
  anytime_timer_.Cancel();
  terminal_ = "none";
  phase_ = Phase::kKilling;
  KillAllRunning("interrupt");
  if (running_.empty()) AfterRunningDrained();
}

void Composer::Finish(EndReason reason, std::string message) {
  if (phase_ == Phase::kDone) return;
  phase_ = Phase::kDone;
  budget_timer_.Cancel();
  anytime_timer_.Cancel();
  if (reason == EndReason::kLaunchFailed && !running_.empty()) {
    KillAllRunning("interrupt");
  }
  result_.reason = reason;
  result_.terminal = terminal_.empty() ? "none" : terminal_;
  result_.message = std::move(message);
  result_.invocations = next_id_ - 1;
  if (auto done = std::move(done_)) {
    done_ = nullptr;
    done(result_);
  }
}

}  // namespace faultline::composer
