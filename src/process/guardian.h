// Guardian: makes sure no child process group outlives faultline, even when faultline itself is
// SIGKILLed or crashes. At start, faultline forks one small guardian process that holds the read
// end of a pipe; faultline tells it every process group it creates and every one it has reaped.
// When the pipe reaches end-of-file with groups still registered (faultline died without cleaning
// up), the guardian sends each group its stop signal, waits up to 1.5 s, then SIGKILLs what is left
// and exits. The guardian ignores SIGINT/SIGTERM/SIGHUP and lives in its own process group, so a
// Ctrl-C or a kill of faultline's group does not take it down first.
// Process-wide: one Guardian per process (Instance()); Add/Remove are thread-safe.
#pragma once

#include <sys/types.h>

#include <mutex>

#include "base/unique_fd.h"

namespace faultline {

class Guardian {
 public:
  // The process's guardian, forked on first use.
  static Guardian& Instance();

  // Registers a process group and the signal that should stop it gracefully.
  void Add(pid_t pgid, int stop_signal);
  // Unregisters a group that faultline has finished (all its processes are gone).
  void Remove(pid_t pgid);
  pid_t pid() const { return pid_; }

 private:
  Guardian();
  void Send(char op, pid_t pgid, int signal);

  std::mutex mu_;
  UniqueFd pipe_;  // write end; GUARDED_BY(mu_)
  pid_t pid_ = -1;
};

}  // namespace faultline
