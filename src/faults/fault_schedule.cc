#include "faults/fault_schedule.h"

#include "faults/fault_events.h"

namespace faultline::faults {

FaultSchedule::FaultSchedule(const FaultsConfig& config, uint64_t history_seed, Clock& clock,
                             Timeline& timeline, Injectors injectors)
    : config_(config),
      clock_(clock),
      timeline_(timeline),
      injectors_(injectors),
      planner_(config, history_seed) {
  if (!config_.any()) return;
  FaultSwarm swarm{config_.Names(), {}};
  for (const auto* k : planner_.enabled()) swarm.enabled.push_back(k->name);
  timeline_.Record(EventType::kFaultSwarm, swarm.Fields());
}

FaultSchedule::~FaultSchedule() {
  *alive_ = false;
  Shutdown();
}

void FaultSchedule::Record(const char* state, Json extra) {
  extra["state"] = state;
  timeline_.Record(EventType::kFaults, std::move(extra));
}

void FaultSchedule::Enable() {
  if (enabled_ || stopped_) return;
  enabled_ = true;
  Record("on", {{"configured", config_.any()}});
  Arm();
}

void FaultSchedule::Arm() {
  next_.Cancel();
  if (!injecting() || !config_.any()) return;
  next_ = clock_.After(planner_.NextGap(), [this] {
    next_ = Timer();
    Decide();
  });
}

PlannerView FaultSchedule::View() const {
  PlannerView v;
  ServiceControl* services = injectors_.services;
  v.up = [services](const std::string& s) { return services && services->IsUp(s); };
  if (injectors_.network) {
    v.flows = injectors_.network->Flows();
    v.can_drop_packets = injectors_.network->CanDropPackets();
  }
  for (const auto& [id, f] : in_force_) {
    v.active.insert(f.plan.kind->name);
    if (f.plan.kind->row->scope == Scope::kService) {
      v.busy.insert(f.plan.targets.begin(), f.plan.targets.end());
    }
    if (const auto* n = std::get_if<NetworkParams>(&f.plan.params)) {
      v.busy_flows.insert(n->flows.begin(), n->flows.end());
    }
  }
  return v;
}

void FaultSchedule::Decide() {
  if (!injecting()) return;
  if (auto plan = planner_.Draw(View())) Begin(std::move(*plan));
  Arm();
}

void FaultSchedule::Begin(FaultPlan plan) {
  int64_t id = next_id_++;
  auto active = plan.kind->row->inject(plan, injectors_);
  if (!active) {
    timeline_.Record(EventType::kFault,
                     FaultFailed{id, plan.kind->name, plan.targets, active.error()}.Fields());
    return;
  }
  ++injected_[plan.kind->name];
  timeline_.Record(EventType::kFault, FaultBegun{.id = id,
                                                 .kind = plan.kind->name,
                                                 .targets = plan.targets,
                                                 .params = plan.described,
                                                 .planned = plan.duration,
                                                 .detail = (*active)->detail()}
                                          .Fields());
  InForce f;
  f.began = clock_.Now();
  f.active = std::move(*active);
  f.heal_timer = clock_.After(plan.duration, [this, id] {
    in_force_.at(id).heal_timer = Timer();
    HealOne(id, "planned", [] {});
  });
  f.plan = std::move(plan);
  in_force_.emplace(id, std::move(f));
}

void FaultSchedule::HealOne(int64_t id, const std::string& reason, std::function<void()> then) {
  auto it = in_force_.find(id);
  if (it == in_force_.end()) {
    then();
    return;
  }
  InForce& f = it->second;
  f.when_healed.push_back(std::move(then));
  if (f.healing) return;  // already on its way: wait with the others
  f.healing = true;
  f.heal_timer.Cancel();
  f.active->Heal([this, alive = alive_, id, reason](Status s) {
    if (!*alive) return;
    auto it = in_force_.find(id);
    if (it == in_force_.end()) return;
    InForce done = std::move(it->second);
    in_force_.erase(it);
    const std::string& kind = done.plan.kind->name;
    if (s.ok()) {
      timeline_.Record(EventType::kFault, FaultHealed{.id = id,
                                                      .kind = kind,
                                                      .targets = done.plan.targets,
                                                      .reason = reason,
                                                      .lasted = clock_.Now() - done.began,
                                                      .effect = done.active->effect()}
                                              .Fields());
    } else {
      timeline_.Record(EventType::kFault,
                       FaultFailed{id, kind, done.plan.targets, "heal: " + s.message()}.Fields());
    }
    for (auto& cb : done.when_healed) cb();
  });
}

void FaultSchedule::HealAll(const std::string& reason, std::function<void()> healed) {
  if (in_force_.empty()) {
    healed();
    return;
  }
  // The last begun first; each heal waits for the one before it.
  int64_t last = in_force_.rbegin()->first;
  HealOne(last, reason, [this, alive = alive_, reason, healed = std::move(healed)]() mutable {
    if (*alive) HealAll(reason, std::move(healed));
  });
}

void FaultSchedule::StopAndHeal(std::function<void()> healed) {
  quiet_.Cancel();
  next_.Cancel();
  bool was_running = enabled_ && !stopped_;
  stopped_ = true;
  if (was_running) Record("off", {{"reason", "terminal phase"}});
  HealAll("terminal", std::move(healed));
}

void FaultSchedule::Quiet(Millis duration, const std::string& from, std::function<void()> healed) {
  timeline_.Record(EventType::kQuietRequest,
                   {{"seconds", static_cast<double>(duration.count()) / 1000.0}, {"from", from}});
  Millis until = clock_.Now() + duration;
  if (!stopped_ && until > quiet_until_) {
    // Overlapping requests merge to the longest.
    quiet_until_ = until;
    next_.Cancel();
    quiet_ = clock_.After(duration, [this] {
      quiet_ = Timer();
      if (enabled_ && !stopped_) {
        Record("on", {{"reason", "quiet period over"}});
        Arm();
      }
    });
    if (enabled_) {
      Record("quiet", {{"until_s", static_cast<double>(timeline_.NowMicros()) / 1e6 +
                                       static_cast<double>(duration.count()) / 1e3}});
    }
  }
  HealAll("quiet", std::move(healed));
}

void FaultSchedule::Shutdown() {
  quiet_.Cancel();
  next_.Cancel();
  stopped_ = true;
  for (auto it = in_force_.rbegin(); it != in_force_.rend(); ++it) {
    InForce& f = it->second;
    f.active->Abandon();
    timeline_.Record(EventType::kFault, FaultHealed{it->first, f.plan.kind->name, f.plan.targets,
                                                    "teardown", clock_.Now() - f.began}
                                            .Fields());
  }
  in_force_.clear();
}

}  // namespace faultline::faults
