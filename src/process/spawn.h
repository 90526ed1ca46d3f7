// SpawnContained: the one place faultline starts a process, and the fence that keeps everything
// a child starts inside it. posix_spawn (never a hand-written fork/exec) into a new process group,
// stdin from /dev/null, stdout/stderr to the given descriptors or files (appended), the default
// signal mask and dispositions, an optional working folder.
//
// How a child is contained (Containment(), decided once per process):
//  - kPidNamespace (root): the child is faultline-init, the first process of a new PID namespace,
//    which starts the program, reaps, forwards signals to every process of the namespace, and dies
//    with faultline (PR_SET_PDEATHSIG and a lifeline pipe); when it ends the kernel kills every
//    process left in the namespace, including those that called setsid() or setpgid().
//  - kUserPidNamespace (no root, user namespaces allowed): the same below a user namespace that
//    maps faultline's ids to themselves.
//  - kProcessGroup (neither, or FAULTLINE_CONTAINMENT=groups): the program itself in its own
//    process group. A process that leaves the group (setsid, setpgid) escapes signals to the group
//    and, after SIGKILL of faultline, the Guardian; faultline as subreaper still reaps it.
// Every child is registered with the Guardian; the caller calls Guardian::Instance().Remove(pid)
// once it has reaped it. Any thread may spawn, but the thread that spawns must outlive the child
// (PR_SET_PDEATHSIG follows the parent thread). Signal state is process-wide (see BlockSignals).
#pragma once

#include <sys/types.h>

#include <csignal>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

namespace faultline {

enum class Containment { kPidNamespace, kUserPidNamespace, kProcessGroup };

// How this process contains its children (see above); decided on first use.
Containment ChildContainment();
// "PID namespaces", "user and PID namespaces" or "process groups (...: what is not contained)".
std::string DescribeContainment(Containment c);

// Namespaces a child joins before its program starts (a unit's), as descriptors of
// /proc/PID/ns/* that the caller keeps open until the spawn returns; -1: stay in faultline's.
struct EnterNamespaces {
  int net = -1;
  int uts = -1;
  int mnt = -1;
  bool any() const { return net >= 0 || uts >= 0 || mnt >= 0; }
};

struct SpawnRequest {
  std::vector<std::string> argv;                  // argv[0] must be a path to an executable
  const std::vector<std::string>* env = nullptr;  // "K=V" entries; null: faultline's environment
  std::string cwd;                                // empty: faultline's
  int stdout_fd = -1;                             // used when >= 0
  int stderr_fd = -1;
  std::string stdout_path;    // else appended to this file; empty: /dev/null
  std::string stderr_path;    // equal to stdout_path: one shared descriptor
  int stop_signal = SIGTERM;  // what the Guardian sends if faultline dies
  EnterNamespaces enter;      // needs kPidNamespace
  // Options for faultline-init before its "--" (a unit holder's --hold ...); with them, argv may
  // be empty. Needs kPidNamespace.
  std::vector<std::string> init_options;
  std::vector<int> keep_fds;  // descriptors the child keeps, under the same numbers
};

struct Spawned {
  pid_t pid = -1;   // the child: faultline-init, or the program itself (kProcessGroup)
  UniqueFd status;  // faultline-init writes the program's wait status here before it ends
};

// Sets NAME=value in an environment of "NAME=value" entries, replacing any entry of that name
// (execve does not; getenv would find whichever comes first).
void SetEnvVar(std::vector<std::string>& env, std::string_view name, std::string_view value);

// Starts the child and returns it, or an error naming argv[0] and the system error.
Result<Spawned> SpawnContained(const SpawnRequest& request);

// The program's wait status (as waitpid gives it), from the child's own wait status and what
// faultline-init wrote on `status` (nothing when the init itself was killed).
int ProgramWaitStatus(int child_wait_status, const UniqueFd& status);

// Every process of the child `pid` now: the processes of its PID namespace but its init, or the
// members of its process group. Empty once it has ended.
std::vector<pid_t> ContainedProcesses(pid_t pid);
// Sends `signal` to every process of the child `pid`: SIGKILL ends its namespace at once, SIGSTOP
// stops each process (until no new one appears), any other signal reaches all of them through
// the init (kill(-1) inside the namespace) or through the group.
void SignalContained(pid_t pid, int signal);

}  // namespace faultline
