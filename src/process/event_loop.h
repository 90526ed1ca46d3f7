// EventLoop: the one epoll loop of a thread. Descriptors (pidfds, pipes, sockets, timerfds) and
// timers register callbacks; Run() dispatches until Stop(). Interrupt signals (SIGINT, SIGTERM,
// SIGHUP) arrive through a signalfd and are handled before any other ready event of the same
// wake-up, so Ctrl-C beats pending I/O. Signal state is process-wide: BlockSignals() must run in
// main() before any thread starts, so that every thread inherits the blocked mask.
// One EventLoop per thread; its methods must be called from that thread only.
#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "base/duration.h"
#include "base/status.h"
#include "base/unique_fd.h"

namespace faultline {

// Blocks SIGINT, SIGTERM, SIGHUP and SIGCHLD in the calling thread (and the threads it will start)
// and ignores SIGPIPE. Children get the default mask and dispositions back at spawn.
void BlockSignals();

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using FdCallback = std::function<void(uint32_t events)>;
  using TimerId = uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Calls `cb` with the epoll events whenever `fd` is ready for `events` (EPOLLIN, ...).
  // Fails when the descriptor cannot be watched (already watched, closed).
  Status Watch(int fd, uint32_t events, FdCallback cb);
  // Stops watching; safe to call from inside the descriptor's own callback.
  void Unwatch(int fd);

  // Runs `cb` once, `delay` from now (or at `when`). Returns an id for Cancel.
  TimerId After(Millis delay, std::function<void()> cb);
  TimerId At(Clock::time_point when, std::function<void()> cb);
  // Cancels a timer that has not fired; a no-op otherwise.
  void Cancel(TimerId id);

  // Called for SIGINT/SIGTERM/SIGHUP with the signal number. Without a handler, an interrupt
  // stops the loop.
  void OnInterrupt(std::function<void(int)> handler) { on_interrupt_ = std::move(handler); }
  // Called for SIGCHLD (children not watched through a pidfd, such as adopted orphans).
  void OnChildSignal(std::function<void()> handler) { on_child_ = std::move(handler); }

  // Dispatches events until Stop() is called.
  void Run();
  // Waits at most `max_wait` for events and dispatches the ready ones; returns after one round.
  void RunOnce(std::optional<Millis> max_wait);
  // Dispatches until `done()` is true, `timeout` passes or Stop() is called during it; returns
  // done(). A Stop() from before the call does not count.
  bool RunUntil(const std::function<bool()>& done, std::optional<Millis> timeout = std::nullopt);
  void Stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }
  // The interrupt signal received last, or 0.
  int interrupted() const { return interrupted_; }

  Clock::time_point Now() const { return Clock::now(); }

 private:
  void FireTimers();
  void ReadSignals();
  std::optional<Millis> NextTimeout(std::optional<Millis> cap) const;

  UniqueFd epoll_;
  UniqueFd signal_fd_;
  std::map<int, std::shared_ptr<FdCallback>> watched_;
  std::multimap<Clock::time_point, TimerId> timer_order_;
  std::map<TimerId, std::pair<Clock::time_point, std::function<void()>>> timers_;
  TimerId next_timer_ = 1;
  std::function<void(int)> on_interrupt_;
  std::function<void()> on_child_;
  bool stopped_ = false;
  int interrupted_ = 0;
};

}  // namespace faultline
