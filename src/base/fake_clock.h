// FakeClock: virtual time for tests of anything that runs on a Clock (the composer, the fault
// schedule). Time moves only when the test says so; due callbacks run in time order, ties in the
// order they were scheduled, so a schedule is checked over thousands of seeds in milliseconds.
// One thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "base/clock.h"

namespace faultline {

class FakeClock : public Clock {
 public:
  FakeClock() = default;
  FakeClock(const FakeClock&) = delete;
  FakeClock& operator=(const FakeClock&) = delete;
  ~FakeClock() override { *alive_ = false; }

  Millis Now() const override { return now_; }
  [[nodiscard]] Timer After(Millis delay, std::function<void()> cb) override {
    uint64_t seq = next_++;
    timers_[{now_ + std::max(delay, Millis(0)), seq}] = std::move(cb);
    return Timer([this, alive = alive_, at = now_ + std::max(delay, Millis(0)), seq] {
      if (*alive) timers_.erase({at, seq});
    });
  }

  // Runs the earliest pending callback if it is due by `limit`, moving Now() to its time.
  // Returns false when none is.
  bool RunNext(Millis limit = Millis::max()) {
    if (timers_.empty() || timers_.begin()->first.first > limit) return false;
    auto it = timers_.begin();
    now_ = it->first.first;
    auto cb = std::move(it->second);
    timers_.erase(it);
    cb();
    return true;
  }
  // Runs callbacks in time order until none is left or the next is after `limit`.
  void RunAll(Millis limit = Millis(int64_t{24} * 3600 * 1000)) {
    while (RunNext(limit)) {
    }
  }
  // Moves time forward by `d`, running every callback due on the way.
  void Advance(Millis d) {
    Millis until = now_ + d;
    RunAll(until);
    now_ = until;
  }
  size_t pending() const { return timers_.size(); }

 private:
  Millis now_{0};
  uint64_t next_ = 1;
  std::map<std::pair<Millis, uint64_t>, std::function<void()>> timers_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultline
