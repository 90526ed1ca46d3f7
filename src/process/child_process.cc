#include "process/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "process/guardian.h"
#include "process/spawn.h"
#include "process/supervisor.h"

namespace faultline {

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      status_(std::move(other.status_)),
      exit_status_(std::exchange(other.exit_status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Kill();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    status_ = std::move(other.status_);
    exit_status_ = std::exchange(other.exit_status_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() { Kill(); }

Result<ChildProcess> ChildProcess::Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return Unexpected("spawn: empty argv");
  const char* path = getenv("PATH");
  auto program = FindExecutable(options.argv[0], path ? path : "/usr/bin:/bin");
  if (!program) return Unexpected(program.error());
  SpawnRequest request;
  request.argv = options.argv;
  request.argv[0] = *program;
  request.stdout_fd = options.stdout_fd;
  request.stderr_fd = options.stderr_fd;
  auto spawned = SpawnContained(request);
  if (!spawned) return Unexpected(spawned.error());
  ChildProcess child;
  child.pid_ = spawned->pid;
  child.status_ = std::move(spawned->status);
  child.pidfd_.Reset(static_cast<int>(syscall(SYS_pidfd_open, child.pid_, 0)));
  return child;
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  if (pid_ <= 0) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = ProgramWaitStatus(status, status_);
      return exit_status_;
    }
    if (r < 0 && errno != EINTR) {
      exit_status_ = 0;  // not our child any more (reaped elsewhere): nothing left to wait for
      return exit_status_;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (pidfd_) {
      pollfd p{pidfd_.get(), POLLIN, 0};
      poll(&p, 1, static_cast<int>(left.count()));
    } else {
      // Kernels without pidfd_open: a short sleep is the only portable wait with a deadline.
      usleep(10000);
    }
  }
}

void ChildProcess::SignalGroup(int signal) {
  if (pid_ > 0 && !exit_status_) SignalContained(pid_, signal);
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  // The group may outlive its leader (a forked helper), so signal it even after the leader exited.
  ::kill(-pid_, SIGKILL);
  if (!exit_status_) {
    SignalContained(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_status_ = ProgramWaitStatus(status, status_);
  }
  Guardian::Instance().Remove(pid_);
  pid_ = -1;
  pidfd_.Reset();
  status_.Reset();
}

std::string DescribeWaitStatus(int status) { return ExitStatus::FromWaitStatus(status).Describe(); }

}  // namespace faultline
