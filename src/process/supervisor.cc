#include "process/supervisor.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "base/fatal.h"
#include "base/signals.h"
#include "base/strings.h"
#include "process/guardian.h"
#include "process/spawn.h"

namespace faultline {
namespace {

constexpr const char* kSetpriv = "/usr/bin/setpriv";

// glibc 2.36's <sys/pidfd.h> lacks C++ linkage; the system call is all it wraps.
int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

std::string PathOf(const std::vector<std::string>& env) {
  for (const auto& e : env) {
    if (e.starts_with("PATH=")) return e.substr(5);
  }
  return "/usr/local/bin:/usr/bin:/bin";
}

// The argv that runs `argv` as `user`: setpriv changes uid, gid and groups, then execs, so the
// pid we watch is the program itself.
Result<std::vector<std::string>> AsUser(const std::string& user, std::vector<std::string> argv) {
  if (user.empty() || geteuid() != 0) return argv;
  passwd* pw = getpwnam(user.c_str());
  if (!pw) return Unexpected(fmt::format("user '{}' does not exist", user));
  if (pw->pw_uid == 0) return argv;
  std::vector<std::string> wrapped = {kSetpriv, fmt::format("--reuid={}", pw->pw_uid),
                                      fmt::format("--regid={}", pw->pw_gid), "--init-groups", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

}  // namespace

ExitStatus ExitStatus::FromWaitStatus(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) s.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
  return s;
}

std::string ExitStatus::Describe() const {
  if (signal != 0) return fmt::format("killed by {}", SignalName(signal));
  return fmt::format("exit {}", code);
}

Result<std::string> FindExecutable(const std::string& program, const std::string& path,
                                   const std::string& root) {
  auto executable = [&root](const std::string& p) {
    // Inside a unit's view, absolute symlinks would resolve against faultline's root; good
    // enough for the up-front check (the unit's own exec has the last word).
    std::string at = root + p;
    struct stat st {};
    return stat(at.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(at.c_str(), X_OK) == 0;
  };
  if (program.find('/') != std::string::npos) {
    if (executable(program)) return program;
    return Unexpected(fmt::format("'{}' is not an executable file", program));
  }
  for (const auto& dir : Split(path, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (executable(candidate)) return candidate;
  }
  return Unexpected(fmt::format("'{}' was not found in PATH ({})", program, path));
}

Supervisor::Supervisor(EventLoop& loop) : loop_(loop) {
  Guardian::Instance();
  // Daemons that double-fork stay our children, so they are reaped and stay in reach.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  loop_.OnChildSignal([this] { ReapOrphans(); });
  fatal_hook_ = AddFatalHook([this] {
    for (auto& [id, child] : children_) kill(-child.pid, SIGKILL);
  });
}

Supervisor::~Supervisor() {
  RemoveFatalHook(fatal_hook_);
  KillAll(/*run_callbacks=*/false);
  loop_.OnChildSignal(nullptr);
}

pid_t Supervisor::Pid(ChildId id) const {
  auto it = children_.find(id);
  return it == children_.end() ? -1 : it->second.pid;
}

Result<ChildId> Supervisor::Spawn(const SpawnSpec& spec, ExitCallback on_exit,
                                  const Placement& where) {
  if (spec.argv.empty()) return Unexpected("empty command");
  auto program = FindExecutable(spec.argv[0], PathOf(spec.env), where.root);
  if (!program) return Unexpected(program.error());
  std::vector<std::string> argv = spec.argv;
  argv[0] = *program;
  auto final_argv = AsUser(spec.user, std::move(argv));
  if (!final_argv) return Unexpected(final_argv.error());

  SpawnRequest request;
  request.argv = *final_argv;
  request.env = &spec.env;
  request.cwd = spec.cwd;
  request.stdout_path = spec.stdout_path;
  request.stderr_path = spec.stderr_path;
  request.stop_signal = spec.stop_signal;
  request.enter = where.enter;
  auto spawned = SpawnContained(request);
  if (!spawned) return Unexpected(spawned.error());
  pid_t pid = spawned->pid;
  UniqueFd pidfd(PidfdOpen(pid));
  if (!pidfd) {
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    Guardian::Instance().Remove(pid);
    return Unexpected(Status::FromErrno("pidfd_open"));
  }
  ChildId id = next_id_++;
  int fd = pidfd.get();
  children_[id] = Child{pid, std::move(pidfd), std::move(spawned->status), std::move(on_exit), 0};
  Status watched = loop_.Watch(fd, EPOLLIN, [this, id](uint32_t) { OnPidfd(id); });
  if (!watched.ok()) Fatal(watched.message());
  return id;
}

void Supervisor::OnPidfd(ChildId id) {
  auto it = children_.find(id);
  if (it == children_.end()) return;
  Child& c = it->second;
  siginfo_t info{};
  // Peek first: while the leader is an unreaped zombie its pid, which is also the group's id,
  // cannot be reused, so killing the rest of the group cannot hit a stranger.
  if (waitid(P_PIDFD, static_cast<id_t>(c.pidfd.get()), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      info.si_pid == 0) {
    return;
  }
  kill(-c.pid, SIGKILL);
  siginfo_t reaped{};
  waitid(P_PIDFD, static_cast<id_t>(c.pidfd.get()), &reaped, WEXITED);
  int wait_status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : info.si_status;
  ExitStatus status = ExitStatus::FromWaitStatus(ProgramWaitStatus(wait_status, c.status));
  loop_.Unwatch(c.pidfd.get());
  if (c.kill_timer) loop_.Cancel(c.kill_timer);
  Guardian::Instance().Remove(c.pid);
  ExitCallback cb = std::move(c.on_exit);
  children_.erase(it);
  // What was left of the group dies as our orphans: reap those already gone now, the rest on
  // their SIGCHLD.
  ReapOrphans();
  if (cb) cb(status);
}

void Supervisor::ReapOrphans() {
  std::set<pid_t> ours;
  for (const auto& [id, c] : children_) ours.insert(c.pid);
  ours.insert(Guardian::Instance().pid());
  while (true) {
    siginfo_t info{};
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
    // A watched child is reaped through its pidfd, on its own event.
    if (ours.count(info.si_pid)) return;
    waitpid(info.si_pid, nullptr, WNOHANG);
  }
}

void Supervisor::Stop(ChildId id, int signal, Millis grace) {
  auto it = children_.find(id);
  if (it == children_.end()) return;
  Child& c = it->second;
  SignalContained(c.pid, signal);
  if (signal != SIGKILL && signal != SIGCONT) SignalContained(c.pid, SIGCONT);
  if (signal == SIGKILL || c.kill_timer) return;
  pid_t pid = c.pid;
  c.kill_timer = loop_.After(grace, [this, id, pid] {
    auto again = children_.find(id);
    if (again == children_.end()) return;
    again->second.kill_timer = 0;
    SignalContained(pid, SIGKILL);
  });
}

void Supervisor::Signal(ChildId id, int signal) {
  auto it = children_.find(id);
  if (it != children_.end()) SignalContained(it->second.pid, signal);
}

std::vector<pid_t> Supervisor::Members(ChildId id) const {
  auto it = children_.find(id);
  if (it == children_.end()) return {};
  return ContainedProcesses(it->second.pid);
}

void Supervisor::KillAll(bool run_callbacks) {
  std::vector<pid_t> groups;
  for (auto& [id, c] : children_) {
    if (!run_callbacks) c.on_exit = nullptr;
    SignalContained(c.pid, SIGKILL);
    kill(-c.pid, SIGKILL);
    kill(-c.pid, SIGCONT);
    groups.push_back(c.pid);
  }
  while (!children_.empty()) {
    ChildId id = children_.begin()->first;
    Child& c = children_.begin()->second;
    siginfo_t info{};
    waitid(P_PIDFD, static_cast<id_t>(c.pidfd.get()), &info, WEXITED | WNOWAIT);
    OnPidfd(id);
  }
  // The rest of each group dies a moment later and, as orphans, becomes ours to reap; wait for
  // that (bounded), so that no zombie of ours remains when this returns.
  auto deadline = std::chrono::steady_clock::now() + Millis(2000);
  for (pid_t pgid : groups) {
    while (kill(-pgid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
      ReapOrphans();
      usleep(2000);
    }
  }
  ReapOrphans();
}

void KillAllDescendantGroups() {
  pid_t self = getpid();
  pid_t guardian = Guardian::Instance().pid();
  DIR* proc = opendir("/proc");
  if (!proc) return;
  std::vector<pid_t> children;
  while (dirent* e = readdir(proc)) {
    auto pid = ParseInt(e->d_name);
    if (!pid) continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(*pid));
    FILE* f = std::fopen(path, "re");
    if (!f) continue;
    char buf[512];
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    // The parent pid is the second field after the ")" that ends the command name.
    const char* close = std::strrchr(buf, ')');
    int ppid = 0;
    if (close && std::sscanf(close + 1, " %*c %d", &ppid) == 1 && ppid == self &&
        *pid != guardian) {
      children.push_back(static_cast<pid_t>(*pid));
    }
  }
  closedir(proc);
  for (pid_t pid : children) {
    pid_t pgid = getpgid(pid);
    if (pgid > 0 && pgid != getpgrp()) kill(-pgid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

}  // namespace faultline
