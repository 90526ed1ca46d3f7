// FaultSchedule: a history's fault injection, as the composer and the quiet-period requests see
// it. It owns the on/off state (faults may run only after setup complete and the first_ command,
// never during a quiet period, never once the terminal phase begins) and records every change on
// the timeline. The injectors themselves (kills, pauses, network faults through the proxy, clock
// skew, disk errors) plug in behind Inject/HealAll; this class is where the seeded schedule lives.
// Owned by the history; runs on the history's event-loop thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "composer/fault_control.h"
#include "process/event_loop.h"
#include "scenario/scenario.h"
#include "timeline/timeline.h"

namespace faultline::faults {

class FaultSchedule : public composer::FaultControl {
 public:
  FaultSchedule(const scenario::Faults& spec, EventLoop& loop, Timeline& timeline);
  ~FaultSchedule() override;

  // Setup is complete and first_ has finished: injection may begin.
  void Enable() override;
  // The terminal phase: stop for good, heal everything, then call `healed`.
  void StopAndHeal(std::function<void()> healed) override;
  // A quiet period asked for through ANTITHESIS_STOP_FAULTS by `from`: stop, heal, inject nothing
  // for `duration` (overlapping requests merge to the longest), then resume by itself. `healed`
  // runs once the system is whole.
  void Quiet(Millis duration, const std::string& from, std::function<void()> healed);
  // Ends the schedule without waiting (history teardown).
  void Shutdown();

  bool injecting() const { return enabled_ && !stopped_ && !quiet_timer_; }

 private:
  void Record(const char* state, Json extra = Json::object());
  // Heals every fault in force; calls `healed` once done. No fault kind is wired yet, so there
  // is nothing to undo.
  void HealAll(std::function<void()> healed);

  const scenario::Faults& spec_;
  EventLoop& loop_;
  Timeline& timeline_;
  bool enabled_ = false;
  bool stopped_ = false;
  EventLoop::TimerId quiet_timer_ = 0;
  EventLoop::Clock::time_point quiet_until_{};
};

}  // namespace faultline::faults
