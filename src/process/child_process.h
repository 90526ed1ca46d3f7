// ChildProcess: one child that its owner waits for synchronously (no event loop), started by
// SpawnContained (a PID namespace of its own as root, else a process group of its own), with
// stdin from /dev/null and the caller's choice of stdout/stderr. The object owns the child: its
// destructor SIGKILLs every process of it and reaps it, and it dies with faultline. Used by
// `faultline td` (psql) and the PostgreSQL test fixture; the Supervisor is the event-loop twin. Not
// thread-safe; one owner. Signal dispositions are process-wide: the child gets default dispositions
// and an empty mask.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

namespace faultline {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  int stdout_fd = -1;             // -1: /dev/null
  int stderr_fd = -1;             // -1: /dev/null
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  // Starts the child in a new process group. Returns the running child, or an error naming argv[0].
  static Result<ChildProcess> Spawn(const SpawnOptions& options);

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !exit_status_; }
  // Waits until the child exits or `timeout` passes. Returns the wait status (as waitpid gives it)
  // or nullopt on timeout. Waits on a pidfd, never by polling.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Sends `signal` to every process of the child; a no-op once the child was reaped.
  void SignalGroup(int signal);
  // SIGKILLs the group and reaps the child. Idempotent.
  void Kill();

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd status_;  // faultline-init's report of the program's wait status
  std::optional<int> exit_status_;
};

// A readable description of a wait status: "exit 1", "killed by SIGKILL".
std::string DescribeWaitStatus(int status);

}  // namespace faultline
