// Supervisor: starts children and watches them until they end. Every child is spawned by
// SpawnContained (process/spawn.h): as root in a PID namespace of its own whose init is
// faultline-init, otherwise in its own process group; with stdin from /dev/null, stdout/stderr
// appended to files, the default signal mask and dispositions, and (when faultline runs as root
// and a user is named) dropped to that user through setpriv. Exits arrive through pidfds in the
// caller's EventLoop. Stop = the stop signal to every process of the child, a grace period, then
// SIGKILL. When a child's program exits, whatever is left of it is killed too: nothing a child
// started may outlive it, setsid() daemons included. Every child is registered with the Guardian
// and dies with faultline, even when faultline is SIGKILLed.
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
#include "process/spawn.h"

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

// Where a child runs: faultline's own namespaces, or a unit's.
struct Placement {
  EnterNamespaces enter;  // a unit's namespaces to run in (root only)
  // With `enter.mnt`, the folder that shows the unit's file view (/proc/PID/root of its holder),
  // where argv[0] is looked up; empty: faultline's own view.
  std::string root;
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
  Result<ChildId> Spawn(const SpawnSpec& spec, ExitCallback on_exit,
                        const Placement& where = Placement());
  // Sends `signal` to every process of the child (and SIGCONT, so a paused child sees it);
  // SIGKILLs them all if the child is still alive after `grace`. A no-op for a child that ended.
  void Stop(ChildId id, int signal, Millis grace);
  // Sends `signal` to every process of the child, those that called setsid() included: SIGSTOP
  // pauses them all, SIGCONT resumes them. A no-op for a child that has ended.
  void Signal(ChildId id, int signal);
  // Every process of the child now (its program and what it started; not faultline-init).
  // Empty for a child that has ended.
  std::vector<pid_t> Members(ChildId id) const;
  // SIGKILLs every group now and waits for each leader; exit callbacks run when asked.
  void KillAll(bool run_callbacks = true);

  bool Running(ChildId id) const { return children_.count(id) > 0; }
  pid_t Pid(ChildId id) const;
  size_t running() const { return children_.size(); }

 private:
  struct Child {
    pid_t pid = -1;
    UniqueFd pidfd;
    UniqueFd status;  // faultline-init's report of the program's wait status
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
// when no executable file of that name exists. With `root`, paths are looked up below it (a
// unit's file view) and returned as seen from inside it.
Result<std::string> FindExecutable(const std::string& program, const std::string& path,
                                   const std::string& root = "");

// Kills the process groups of every process whose parent is this process (orphans adopted as
// subreaper included) and reaps them. The last line of defence at exit.
void KillAllDescendantGroups();

}  // namespace faultline
