// LoopClock: the real Clock (base/clock.h) over a thread's EventLoop, in milliseconds since the
// clock was made (a history's time zero). Its Timers cancel the loop's timers; they must not
// outlive the loop. One thread: the loop's.
#pragma once

#include "base/clock.h"
#include "process/event_loop.h"

namespace faultline {

class LoopClock : public Clock {
 public:
  explicit LoopClock(EventLoop& loop) : loop_(loop), zero_(loop.Now()) {}
  Millis Now() const override { return std::chrono::duration_cast<Millis>(loop_.Now() - zero_); }
  [[nodiscard]] Timer After(Millis delay, std::function<void()> cb) override {
    EventLoop::TimerId id = loop_.After(delay, std::move(cb));
    return Timer([loop = &loop_, id] { loop->Cancel(id); });
  }
  EventLoop& loop() const { return loop_; }

 private:
  EventLoop& loop_;
  EventLoop::Clock::time_point zero_;
};

}  // namespace faultline
