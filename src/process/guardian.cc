#include "process/guardian.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fatal.h"
#include "base/status.h"

namespace faultline {
namespace {

struct Record {
  char op;  // 'a' add, 'r' remove
  int32_t pgid;
  int32_t signal;
};

constexpr int kMaxGroups = 8192;

// Runs in the forked child: only raw system calls, no allocation, no locks (another thread of
// faultline may have held a lock at fork time).
[[noreturn]] void GuardianMain(int read_fd) {
  struct Group {
    int32_t pgid;
    int32_t signal;
  };
  static Group groups[kMaxGroups];
  int count = 0;
  Record r;
  while (true) {
    long n = syscall(SYS_read, read_fd, &r, sizeof r);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<long>(sizeof r)) break;  // EOF (faultline is gone) or a torn record
    if (r.op == 'a' && count < kMaxGroups) {
      groups[count++] = {r.pgid, r.signal};
    } else if (r.op == 'r') {
      for (int i = 0; i < count; ++i) {
        if (groups[i].pgid == r.pgid) {
          groups[i] = groups[--count];
          break;
        }
      }
    }
  }
  if (count == 0) syscall(SYS_exit_group, 0);
  for (int i = 0; i < count; ++i) {
    syscall(SYS_kill, -groups[i].pgid, groups[i].signal);
    syscall(SYS_kill, -groups[i].pgid, SIGCONT);  // a paused group must run to see the signal
  }
  // Up to 1.5 s for graceful ends, checking every 50 ms, then SIGKILL for the rest.
  for (int tick = 0; tick < 30; ++tick) {
    bool any = false;
    for (int i = 0; i < count; ++i) any |= syscall(SYS_kill, -groups[i].pgid, 0) == 0;
    if (!any) syscall(SYS_exit_group, 0);
    struct timespec ts = {0, 50 * 1000 * 1000};
    syscall(SYS_nanosleep, &ts, nullptr);
  }
  for (int i = 0; i < count; ++i) syscall(SYS_kill, -groups[i].pgid, SIGKILL);
  syscall(SYS_exit_group, 0);
  __builtin_unreachable();
}

}  // namespace

Guardian& Guardian::Instance() {
  static Guardian* guardian = new Guardian();  // never destroyed: it must outlive every child
  return *guardian;
}

Guardian::Guardian() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) Fatal(Status::FromErrno("pipe2").message());
  pid_t pid = fork();
  if (pid < 0) Fatal(Status::FromErrno("fork (guardian)").message());
  if (pid == 0) {
    syscall(SYS_setpgid, 0, 0);
    struct sigaction ign;
    std::memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaction(sig, &ign, nullptr);
    int keep = fds[0];
    if (keep != 3) {
      syscall(SYS_dup2, keep, 3);
      keep = 3;
    }
    syscall(SYS_close_range, 4, ~0U, 0);
    int devnull = static_cast<int>(syscall(SYS_open, "/dev/null", O_RDWR));
    for (int fd = 0; fd <= 2; ++fd) syscall(SYS_dup2, devnull, fd);
    if (devnull > 3) syscall(SYS_close, devnull);
    prctl(PR_SET_NAME, "faultline-guard");
    GuardianMain(keep);
  }
  close(fds[0]);
  pipe_.Reset(fds[1]);
  pid_ = pid;
}

void Guardian::Send(char op, pid_t pgid, int signal) {
  Record r{op, pgid, signal};
  std::lock_guard lock(mu_);
  // Records are smaller than PIPE_BUF, so each write is atomic.
  while (write(pipe_.get(), &r, sizeof r) < 0 && errno == EINTR) {
  }
}

void Guardian::Add(pid_t pgid, int stop_signal) { Send('a', pgid, stop_signal); }
void Guardian::Remove(pid_t pgid) { Send('r', pgid, 0); }

}  // namespace faultline
