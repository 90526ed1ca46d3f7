#include "faults/fault_schedule.h"

namespace faultline::faults {

FaultSchedule::FaultSchedule(const scenario::Faults& spec, EventLoop& loop, Timeline& timeline)
    : spec_(spec), loop_(loop), timeline_(timeline) {}

FaultSchedule::~FaultSchedule() { Shutdown(); }

void FaultSchedule::Record(const char* state, Json extra) {
  extra["state"] = state;
  timeline_.Record(EventType::kFaults, std::move(extra));
}

void FaultSchedule::Enable() {
  if (enabled_ || stopped_) return;
  enabled_ = true;
  Record("on", {{"configured", spec_.any()}});
}

void FaultSchedule::HealAll(std::function<void()> healed) { healed(); }

void FaultSchedule::StopAndHeal(std::function<void()> healed) {
  if (quiet_timer_) loop_.Cancel(quiet_timer_);
  quiet_timer_ = 0;
  bool was_running = enabled_ && !stopped_;
  stopped_ = true;
  if (was_running) Record("off", {{"reason", "terminal phase"}});
  HealAll(std::move(healed));
}

void FaultSchedule::Quiet(Millis duration, const std::string& from, std::function<void()> healed) {
  timeline_.Record(EventType::kQuietRequest,
                   {{"seconds", static_cast<double>(duration.count()) / 1000.0}, {"from", from}});
  auto until = loop_.Now() + duration;
  if (!stopped_ && until > quiet_until_) {
    // Overlapping requests merge to the longest.
    quiet_until_ = until;
    if (quiet_timer_) loop_.Cancel(quiet_timer_);
    quiet_timer_ = loop_.At(until, [this] {
      quiet_timer_ = 0;
      if (enabled_ && !stopped_) Record("on", {{"reason", "quiet period over"}});
    });
    if (enabled_)
      Record("quiet", {{"until_s", static_cast<double>(timeline_.NowMicros()) / 1e6 +
                                       static_cast<double>(duration.count()) / 1e3}});
  }
  HealAll(std::move(healed));
}

void FaultSchedule::Shutdown() {
  if (quiet_timer_) loop_.Cancel(quiet_timer_);
  quiet_timer_ = 0;
  stopped_ = true;
}

}  // namespace faultline::faults
