// Clock and Timer: time and one-shot callbacks, as every room that schedules things sees them.
// The real clock runs on the thread's EventLoop (process/loop_clock.h); tests use FakeClock
// (base/fake_clock.h), whose time moves only when the test says so, so schedules are checked over
// thousands of seeds in virtual time. A Timer is the RAII handle of one pending callback: dropping
// or reassigning it cancels the callback, so no owner hand-cancels ids.
// A Clock and its Timers belong to one thread.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "base/duration.h"

namespace faultline {

class Timer {
 public:
  Timer() = default;
  // `cancel` undoes the pending callback; it is called at most once, and not after Release().
  explicit Timer(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Timer(Timer&& other) noexcept : cancel_(std::exchange(other.cancel_, nullptr)) {}
  Timer& operator=(Timer&& other) noexcept {
    if (this != &other) {
      Cancel();
      cancel_ = std::exchange(other.cancel_, nullptr);
    }
    return *this;
  }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { Cancel(); }

  // Cancels the callback if it has not run; a no-op otherwise. Safe inside the callback itself.
  void Cancel() {
    if (auto c = std::exchange(cancel_, nullptr)) c();
  }
  // Whether this handle still holds a callback (pending, or fired without being reset).
  bool armed() const { return cancel_ != nullptr; }

 private:
  std::function<void()> cancel_;
};

class Clock {
 public:
  virtual ~Clock() = default;
  // Time since this clock's zero.
  virtual Millis Now() const = 0;
  // Runs `cb` once, `delay` from now (at once on a later turn for delay <= 0), unless the
  // returned Timer is dropped or cancelled first.
  [[nodiscard]] virtual Timer After(Millis delay, std::function<void()> cb) = 0;
};

}  // namespace faultline
