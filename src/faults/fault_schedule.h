// FaultSchedule: a history's fault injection. It is the composer's FaultControl: faults begin
// only once the composer enables them (setup complete and first_ done), stop for quiet periods
// (ANTITHESIS_STOP_FAULTS: everything in force heals, nothing new for that long, overlapping
// requests merge to the longest, injection resumes by itself) and stop for good, healed, before
// the terminal command. While it injects, it asks the Planner for a fault at each drawn
// interval, puts it in force through its kind's injector, and heals it after its drawn duration.
// Healing is in reverse order of injection. Every begin, heal and failure is on the timeline
// (docs/faults.md), with this history's swarm subset at the start.
// Owned by the history; runs on the history's event-loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "composer/fault_control.h"
#include "faults/config.h"
#include "faults/injector.h"
#include "faults/planner.h"
#include "timeline/timeline.h"

namespace faultline::faults {

class FaultSchedule : public composer::FaultControl {
 public:
  // `config` and what `injectors` points to must outlive the schedule. Records fault_swarm.
  FaultSchedule(const FaultsConfig& config, uint64_t history_seed, Clock& clock, Timeline& timeline,
                Injectors injectors);
  ~FaultSchedule() override;
  FaultSchedule(const FaultSchedule&) = delete;
  FaultSchedule& operator=(const FaultSchedule&) = delete;

  // composer::FaultControl
  void Enable() override;
  void StopAndHeal(std::function<void()> healed) override;

  // A quiet period asked for by `from`: see above. `healed` runs once the system is whole.
  void Quiet(Millis duration, const std::string& from, std::function<void()> healed);
  // Makes the next decision now instead of when its timer is due (the decision to in-force
  // benchmark); then waits a drawn gap as usual. A no-op while not injecting.
  void DecideNow() {
    next_.Cancel();
    Decide();
  }
  // Ends the schedule at once (teardown): nothing new; what would outlive the history (a
  // cgroup) is undone, the rest goes with its processes.
  void Shutdown();

  bool injecting() const { return enabled_ && !stopped_ && !quiet_.armed(); }
  const Planner& planner() const { return planner_; }
  size_t in_force() const { return in_force_.size(); }
  // Faults begun so far, per kind.
  const std::map<std::string, int64_t>& injected() const { return injected_; }

 private:
  struct InForce {
    FaultPlan plan;
    std::unique_ptr<ActiveFault> active;
    Millis began{0};
    Timer heal_timer;
    bool healing = false;
    std::vector<std::function<void()>> when_healed;
  };

  void Record(const char* state, Json extra = Json::object());
  PlannerView View() const;
  void Arm();
  void Decide();
  void Begin(FaultPlan plan);
  // Heals one fault; `then` runs once it is healed (at once when it is not in force).
  void HealOne(int64_t id, const std::string& reason, std::function<void()> then);
  // Heals every fault in force, the last begun first; `healed` runs once all are.
  void HealAll(const std::string& reason, std::function<void()> healed);

  const FaultsConfig& config_;
  Clock& clock_;
  Timeline& timeline_;
  Injectors injectors_;
  Planner planner_;
  std::map<int64_t, InForce> in_force_;  // by id, the order faults began in
  std::map<std::string, int64_t> injected_;
  int64_t next_id_ = 1;
  bool enabled_ = false;
  bool stopped_ = false;
  Timer next_;   // the next decision
  Timer quiet_;  // the end of the quiet period
  Millis quiet_until_{0};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultline::faults
