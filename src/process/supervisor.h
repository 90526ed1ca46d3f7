// Supervisor: starts children and watches them until they end. Every child is spawned with
// posix_spawn into its own process group, with stdin from /dev/null, stdout/stderr appended to
// files, the default signal mask and dispositions, and (when faultline runs as root and a user is
// named) dropped to that user through setpriv. Exits arrive through pidfds in the caller's
// EventLoop. Stop = the stop signal to the whole group, a grace period, then SIGKILL to the group.
// When a child's leader exits, whatever is left of its group is killed too: nothing a child
// started may outlive it. Every group is registered with the Guardian, so none outlives faultline
// even when faultline is SIGKILLed.
// Owned by one thread (the one that runs its EventLoop); not thread-safe.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/duration.h"
#include "base/status.h"
#include "base/unique_fd.h"
#include "process/event_loop.h"

namespace faultline {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is searched in the PATH of `env` when it has no '/'
  std::vector<std::string> env;   // "NAME=value", the child's whole environment
  std::string cwd;                // empty: faultline's own
  std::string stdout_path;        // appended to; empty: /dev/null
  std::string stderr_path;        // appended to; empty: /dev/null; equal to stdout_path: shared
  std::string user;               // when running as root: run as this user (empty: stay)
  int stop_signal = SIGTERM;      // what the Guardian sends if faultline dies
};

struct ExitStatus {
  int code = -1;   // exit code when the child exited
  int signal = 0;  // the signal that ended it, or 0
  bool success() const { return signal == 0 && code == 0; }
  // From a status as waitpid reports it.
  static ExitStatus FromWaitStatus(int status);
  // "exit 3", "killed by SIGKILL".
  std::string Describe() const;
};

using ChildId = uint64_t;

class Supervisor {
 public:
  using ExitCallback = std::function<void(ExitStatus)>;

  explicit Supervisor(EventLoop& loop);
  // Kills every group still running (SIGKILL) and reaps it.
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts a child; `on_exit` runs on the loop once it has ended and been reaped (its group
  // killed). Fails when the program cannot be found or started, or the user does not exist.
  Result<ChildId> Spawn(const SpawnSpec& spec, ExitCallback on_exit);
  // Sends `signal` to the child's group (and SIGCONT, so a paused group sees it); SIGKILLs the
  // group if it is still alive after `grace`. A no-op for a child that has ended.
  void Stop(ChildId id, int signal, Millis grace);
  // Sends `signal` to the child's group (pause with SIGSTOP, resume with SIGCONT).
  void Signal(ChildId id, int signal);
  // SIGKILLs every group now and waits for each leader; exit callbacks run when asked.
  void KillAll(bool run_callbacks = true);

  bool Running(ChildId id) const { return children_.count(id) > 0; }
  pid_t Pid(ChildId id) const;
  size_t running() const { return children_.size(); }

 private:
  struct Child {
    pid_t pid = -1;
    UniqueFd pidfd;
    ExitCallback on_exit;
    EventLoop::TimerId kill_timer = 0;
  };
  void OnPidfd(ChildId id);
  void ReapOrphans();

  EventLoop& loop_;
  std::map<ChildId, Child> children_;
  ChildId next_id_ = 1;
  int fatal_hook_ = 0;
};

// Finds `program` in the colon-separated `path` (or returns it when it holds a '/'); an error
// when no executable file of that name exists.
Result<std::string> FindExecutable(const std::string& program, const std::string& path);

// Kills the process groups of every process whose parent is this process (orphans adopted as
// subreaper included) and reaps them. The last line of defence at exit.
void KillAllDescendantGroups();

}  // namespace faultline
