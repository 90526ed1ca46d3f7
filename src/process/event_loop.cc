#include "process/event_loop.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/fatal.h"

namespace faultline {
namespace {

sigset_t LoopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGCHLD);
  return set;
}

}  // namespace

void BlockSignals() {
  sigset_t set = LoopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

EventLoop::EventLoop() : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_) Fatal(Status::FromErrno("epoll_create1").message());
  // The signals must be blocked for the signalfd to see them; blocking them here as well keeps a
  // loop that a test creates without BlockSignals() working.
  sigset_t set = LoopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal_fd_.Reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd_) Fatal(Status::FromErrno("signalfd").message());
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = signal_fd_.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, signal_fd_.get(), &ev) != 0) {
    Fatal(Status::FromErrno("epoll_ctl(signalfd)").message());
  }
}

EventLoop::~EventLoop() {
  // A pending callback may own an object (a finished history) whose destructor cancels its own
  // timers or unwatches its descriptors here: take each table out before destroying what it
  // holds, so that those calls find an empty table instead of one half destroyed.
  while (!timers_.empty() || !watched_.empty()) {
    auto timers = std::move(timers_);
    auto watched = std::move(watched_);
    timers_.clear();
    watched_.clear();
    timer_order_.clear();
  }
}

Status EventLoop::Watch(int fd, uint32_t events, FdCallback cb) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Status::FromErrno("epoll_ctl(ADD)");
  }
  watched_[fd] = std::make_shared<FdCallback>(std::move(cb));
  return Status::Ok();
}

void EventLoop::Unwatch(int fd) {
  if (watched_.erase(fd) > 0) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

EventLoop::TimerId EventLoop::After(Millis delay, std::function<void()> cb) {
  return At(Clock::now() + delay, std::move(cb));
}

EventLoop::TimerId EventLoop::At(Clock::time_point when, std::function<void()> cb) {
  TimerId id = next_timer_++;
  timers_[id] = {when, std::move(cb)};
  timer_order_.emplace(when, id);
  return id;
}

void EventLoop::Cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  auto [lo, hi] = timer_order_.equal_range(it->second.first);
  for (auto o = lo; o != hi; ++o) {
    if (o->second == id) {
      timer_order_.erase(o);
      break;
    }
  }
  timers_.erase(it);
}

std::optional<Millis> EventLoop::NextTimeout(std::optional<Millis> cap) const {
  std::optional<Millis> wait = cap;
  if (!timer_order_.empty()) {
    auto until = std::chrono::ceil<Millis>(timer_order_.begin()->first - Clock::now());
    if (until < Millis(0)) until = Millis(0);
    if (!wait || until < *wait) wait = until;
  }
  return wait;
}

void EventLoop::FireTimers() {
  auto now = Clock::now();
  // Fire only timers due now; timers that callbacks add run on a later round.
  std::vector<TimerId> due;
  for (auto it = timer_order_.begin(); it != timer_order_.end() && it->first <= now; ++it) {
    due.push_back(it->second);
  }
  for (TimerId id : due) {
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;  // cancelled by an earlier callback
    auto cb = std::move(it->second.second);
    Cancel(id);
    cb();
  }
}

void EventLoop::ReadSignals() {
  signalfd_siginfo info{};
  while (read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) {
      if (on_child_) on_child_();
      continue;
    }
    interrupted_ = sig;
    if (on_interrupt_) {
      on_interrupt_(sig);
    } else {
      stopped_ = true;
    }
  }
}

void EventLoop::RunOnce(std::optional<Millis> max_wait) {
  auto wait = NextTimeout(max_wait);
  epoll_event events[64];
  int n = epoll_wait(epoll_.get(), events, 64, wait ? static_cast<int>(wait->count()) : -1);
  if (n < 0 && errno != EINTR) Fatal(Status::FromErrno("epoll_wait").message());
  // Interrupts first, whatever else is ready.
  for (int i = 0; i < n; ++i) {
    if (events[i].data.fd == signal_fd_.get()) ReadSignals();
  }
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    if (fd == signal_fd_.get()) continue;
    auto it = watched_.find(fd);
    if (it == watched_.end()) continue;  // unwatched by an earlier callback of this round
    auto cb = it->second;                // keeps the callback alive if it unwatches itself
    (*cb)(events[i].events);
  }
  FireTimers();
}

void EventLoop::Run() {
  stopped_ = false;
  while (!stopped_) RunOnce(std::nullopt);
}

bool EventLoop::RunUntil(const std::function<bool()>& done, std::optional<Millis> timeout) {
  // Without a timeout the deadline is effectively never.
  const auto deadline = Clock::now() + timeout.value_or(Millis(int64_t{1} << 40));
  stopped_ = false;
  while (!done() && !stopped_) {
    auto left = std::chrono::ceil<Millis>(deadline - Clock::now());
    if (left <= Millis(0)) break;
    RunOnce(timeout ? std::optional<Millis>(left) : std::nullopt);
  }
  return done();
}

}  // namespace faultline
