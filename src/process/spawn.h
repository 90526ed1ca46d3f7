// SpawnInGroup: the one place faultline starts a process. posix_spawn (never a hand-written
// fork/exec) into a new process group of its own, stdin from /dev/null, stdout/stderr to the
// given descriptors or files (appended), the default signal mask and dispositions, an optional
// working folder. The group is registered with the Guardian, so it cannot outlive faultline; the
// caller must call Guardian::Instance().Remove(pid) once it has reaped the leader.
// Any thread; signal state is process-wide (see EventLoop's BlockSignals).
#pragma once

#include <sys/types.h>

#include <csignal>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace faultline {

struct SpawnRequest {
  std::vector<std::string> argv;                  // argv[0] must be a path to an executable
  const std::vector<std::string>* env = nullptr;  // "K=V" entries; null: faultline's environment
  std::string cwd;                                // empty: faultline's
  int stdout_fd = -1;                             // used when >= 0
  int stderr_fd = -1;
  std::string stdout_path;    // else appended to this file; empty: /dev/null
  std::string stderr_path;    // equal to stdout_path: one shared descriptor
  int stop_signal = SIGTERM;  // what the Guardian sends if faultline dies
};

// Sets NAME=value in an environment of "NAME=value" entries, replacing any entry of that name
// (execve does not; getenv would find whichever comes first).
void SetEnvVar(std::vector<std::string>& env, std::string_view name, std::string_view value);

// Starts the process and returns its pid (also its process group id), or an error naming
// argv[0] and the system error.
Result<pid_t> SpawnInGroup(const SpawnRequest& request);

}  // namespace faultline
