#include "process/spawn.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

#include "base/files.h"
#include "base/strings.h"
#include "process/guardian.h"
#include "process/proc_scan.h"

extern char** environ;

namespace faultline {
namespace {

// RAII for posix_spawn's attribute and file-action objects.
struct SpawnObjects {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnObjects() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnObjects() {
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }
};

void AddOutput(posix_spawn_file_actions_t* actions, int target, int fd, const std::string& path) {
  if (fd >= 0) {
    posix_spawn_file_actions_adddup2(actions, fd, target);
  } else {
    posix_spawn_file_actions_addopen(actions, target, path.empty() ? "/dev/null" : path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
}

std::string InitPath() {
  std::string beside = SelfExeDir() + "/faultline-init";
  if (access(beside.c_str(), X_OK) == 0) return beside;
#ifdef FAULTLINE_INIT_FALLBACK
  if (access(FAULTLINE_INIT_FALLBACK, X_OK) == 0) return FAULTLINE_INIT_FALLBACK;
#endif
  return {};
}

// The lifeline: a pipe whose write end only this process holds (close-on-exec, never closed), so
// that its read end, kept by every faultline-init, reaches end-of-file when faultline is gone.
int LifelineReadFd() {
  static int read_fd = [] {
    Guardian::Instance();  // forked first, so that it never holds the write end
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    return fds[0];  // fds[1] stays open for the life of the process
  }();
  return read_fd;
}

// This process's own PID namespace, to return to after making a child in a new one.
int OwnPidNamespaceFd() {
  static int fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  return fd;
}

// Makes the next child of the calling thread the first process of a new PID namespace, and puts
// the thread back afterwards. posix_spawn cannot ask for CLONE_NEWPID, but unshare(CLONE_NEWPID)
// changes only the namespace of the calling thread's future children, so posix_spawn stays the
// one way processes start.
class NewPidNamespaceForNextChild {
 public:
  NewPidNamespaceForNextChild() { ok_ = unshare(CLONE_NEWPID) == 0; }
  ~NewPidNamespaceForNextChild() {
    if (ok_ && setns(OwnPidNamespaceFd(), CLONE_NEWPID) != 0) {
      std::perror("faultline: setns back to the own PID namespace");
      std::abort();  // every later child would land in the wrong namespace
    }
  }
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

Containment Decide() {
  const char* forced = getenv("FAULTLINE_CONTAINMENT");
  if (forced && std::string_view(forced) == "groups") return Containment::kProcessGroup;
  if (InitPath().empty() || OwnPidNamespaceFd() < 0) return Containment::kProcessGroup;
  if (geteuid() == 0) {
    NewPidNamespaceForNextChild probe;
    if (probe.ok()) return Containment::kPidNamespace;
    return Containment::kProcessGroup;
  }
  // Unprivileged: ask faultline-init to try it once (unshare(CLONE_NEWUSER) needs a process with
  // one thread, which faultline may not be).
  std::vector<std::string> argv = {InitPath(), "--userns", "--", "/bin/true"};
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  SpawnObjects o;
  posix_spawn_file_actions_addopen(&o.actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, c_argv[0], &o.actions, &o.attr, c_argv.data(), environ) != 0) {
    return Containment::kProcessGroup;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? Containment::kUserPidNamespace
                                                       : Containment::kProcessGroup;
}

std::string NamespaceLink(pid_t pid, const char* which) {
  char path[64], link[64];
  std::snprintf(path, sizeof path, "/proc/%d/ns/%s", static_cast<int>(pid), which);
  ssize_t n = readlink(path, link, sizeof link - 1);
  if (n <= 0) return {};
  return std::string(link, static_cast<size_t>(n));
}

template <typename F>
void ForEachProcess(F f) {
  DIR* proc = opendir("/proc");
  if (!proc) return;
  while (dirent* e = readdir(proc)) {
    auto pid = ParseInt(e->d_name);
    if (pid && *pid > 0) f(static_cast<pid_t>(*pid));
  }
  closedir(proc);
}

pid_t ProcessGroupOf(pid_t pid) { return getpgid(pid); }

bool Stopped(pid_t pid) {
  auto stat = ReadFile(fmt::format("/proc/{}/stat", pid));
  if (!stat) return true;  // gone
  size_t close = stat->rfind(')');
  return close != std::string::npos && close + 2 < stat->size() &&
         (stat->at(close + 2) == 'T' || stat->at(close + 2) == 'Z');
}

}  // namespace

Containment ChildContainment() {
  static Containment c = Decide();
  return c;
}

std::string DescribeContainment(Containment c) {
  switch (c) {
    case Containment::kPidNamespace:
      return "PID namespaces";
    case Containment::kUserPidNamespace:
      return "user and PID namespaces";
    case Containment::kProcessGroup:
      return "process groups (a process that calls setsid() or setpgid() leaves its group: "
             "stop and pause signals miss it, and it survives SIGKILL of faultline)";
  }
  return "?";
}

void SetEnvVar(std::vector<std::string>& env, std::string_view name, std::string_view value) {
  std::string entry = fmt::format("{}={}", name, value);
  for (auto& e : env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      e = std::move(entry);
      return;
    }
  }
  env.push_back(std::move(entry));
}

namespace {

// Whether the program may need paths in the host's /dev/shm (a run folder there, its working
// folder): a /dev/shm of its own would hide them, so it keeps the host's (and only its System V
// IPC is its own).
bool MayNeedHostShm(const SpawnRequest& r) {
  auto names = [](std::string_view s) { return s.find("/dev/shm") != std::string_view::npos; };
  char cwd[PATH_MAX];
  if (names(r.cwd) || (r.cwd.empty() && getcwd(cwd, sizeof cwd) && names(cwd))) return true;
  for (const auto& a : r.argv) {
    if (names(a)) return true;
  }
  if (r.env) {
    for (const auto& e : *r.env) {
      if (names(e)) return true;
    }
  } else {
    for (char** e = environ; *e; ++e) {
      if (names(*e)) return true;
    }
  }
  return names(r.stdout_path) || names(r.stderr_path);
}

}  // namespace

Result<Spawned> SpawnContained(const SpawnRequest& r) {
  Containment mode = ChildContainment();
  bool init = mode != Containment::kProcessGroup;
  if (r.argv.empty() && r.init_options.empty()) return Unexpected("empty command");
  if ((r.enter.any() || !r.init_options.empty()) && mode != Containment::kPidNamespace) {
    return Unexpected("entering a unit needs root (PID, network and mount namespaces)");
  }
  SpawnObjects o;
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  // faultline-init starts with every signal blocked (an init drops the signals it has no handler
  // for; blocked ones wait) and gives the program the empty mask; a plain child gets it directly.
  posix_spawnattr_setsigmask(&o.attr, init ? &all : &empty);
  posix_spawnattr_setsigdefault(&o.attr, &all);
  // Its own process group, so that a Ctrl-C does not reach it and a stop reaches all of it.
  posix_spawnattr_setpgroup(&o.attr, 0);
  posix_spawnattr_setflags(&o.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_addopen(&o.actions, 0, "/dev/null", O_RDONLY, 0);
  AddOutput(&o.actions, 1, r.stdout_fd, r.stdout_path);
  if (r.stderr_fd < 0 && !r.stderr_path.empty() && r.stderr_path == r.stdout_path) {
    posix_spawn_file_actions_adddup2(&o.actions, 1, 2);
  } else {
    AddOutput(&o.actions, 2, r.stderr_fd, r.stderr_path);
  }
  if (!r.cwd.empty()) posix_spawn_file_actions_addchdir_np(&o.actions, r.cwd.c_str());
  // dup2 of a descriptor onto itself clears its close-on-exec flag: the child keeps it.
  auto keep = [&](int fd) { posix_spawn_file_actions_adddup2(&o.actions, fd, fd); };
  for (int fd : r.keep_fds) keep(fd);

  std::vector<std::string> argv;
  UniqueFd status_read, status_write;
  if (init) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return Unexpected(Status::FromErrno("pipe2"));
    status_read.Reset(fds[0]);
    status_write.Reset(fds[1]);
    int lifeline = LifelineReadFd();
    argv = {InitPath(), "--status-fd", std::to_string(status_write.get()), "--lifeline-fd",
            std::to_string(lifeline)};
    keep(status_write.get());
    keep(lifeline);
    if (mode == Containment::kUserPidNamespace) argv.push_back("--userns");
    for (auto [fd, flag] :
         {std::pair{r.enter.net, "--enter-net"}, std::pair{r.enter.uts, "--enter-uts"},
          std::pair{r.enter.mnt, "--enter-mnt"}}) {
      if (fd < 0) continue;
      argv.insert(argv.end(), {flag, std::to_string(fd)});
      keep(fd);
    }
    if (r.init_options.empty()) {
      argv.push_back("--proc");
      if (!MayNeedHostShm(r)) argv.push_back("--private-shm");
    }
    argv.insert(argv.end(), r.init_options.begin(), r.init_options.end());
    if (!r.argv.empty()) argv.push_back("--");
  }
  argv.insert(argv.end(), r.argv.begin(), r.argv.end());
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::vector<std::string> env_copy;
  std::vector<char*> c_env;
  char** envp = environ;
  if (r.env) {
    env_copy = *r.env;
    for (auto& e : env_copy) c_env.push_back(e.data());
    c_env.push_back(nullptr);
    envp = c_env.data();
  }
  pid_t pid = -1;
  int rc = 0;
  if (mode == Containment::kPidNamespace) {
    NewPidNamespaceForNextChild pidns;
    if (!pidns.ok()) return Unexpected(Status::FromErrno("unshare(CLONE_NEWPID)"));
    rc = posix_spawn(&pid, c_argv[0], &o.actions, &o.attr, c_argv.data(), envp);
  } else {
    rc = posix_spawn(&pid, c_argv[0], &o.actions, &o.attr, c_argv.data(), envp);
  }
  if (rc != 0) {
    std::string what = r.argv.empty() ? "faultline-init" : r.argv[0];
    return Unexpected(Status::FromErrno(fmt::format("cannot start '{}'", what), rc));
  }
  Guardian::Instance().Add(pid, r.stop_signal);
  return Spawned{pid, std::move(status_read)};
}

int ProgramWaitStatus(int child_wait_status, const UniqueFd& status) {
  if (!status) return child_wait_status;
  int32_t program = 0;
  // The init has ended: what it wrote is there, or nothing is.
  pollfd p{status.get(), POLLIN, 0};
  if (poll(&p, 1, 0) > 0 && read(status.get(), &program, sizeof program) == sizeof program) {
    return program;
  }
  return child_wait_status;
}

std::vector<pid_t> ContainedProcesses(pid_t pid) {
  std::vector<pid_t> out;
  if (ChildContainment() == Containment::kProcessGroup) {
    ForEachProcess([&](pid_t p) {
      if (ProcessGroupOf(p) == pid) out.push_back(p);
    });
    return out;
  }
  std::string ns = NamespaceLink(pid, "pid_for_children");
  if (ns.empty()) return out;
  ForEachProcess([&](pid_t p) {
    if (p == pid || NamespaceLink(p, "pid") != ns) return;
    if (InnermostPid(p) == 1) return;  // the namespace's init (under a user namespace)
    out.push_back(p);
  });
  return out;
}

void SignalContained(pid_t pid, int signal) {
  if (ChildContainment() == Containment::kProcessGroup) {
    kill(-pid, signal);
    return;
  }
  if (signal == SIGSTOP) {
    // SIGSTOP cannot be caught, so the init cannot pass it on: stop each process, then those that
    // were forked before their parent stopped, until every one is stopped and no new one appears.
    std::set<pid_t> seen;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < deadline) {
      bool fresh = false, running = false;
      for (pid_t p : ContainedProcesses(pid)) {
        if (seen.insert(p).second) {
          kill(p, SIGSTOP);
          fresh = true;
        } else if (!Stopped(p)) {
          running = true;
        }
      }
      if (!fresh && !running) break;
      if (!fresh) usleep(500);
    }
    return;
  }
  kill(pid, signal);
  if (signal == SIGCONT) {
    for (pid_t p : ContainedProcesses(pid)) kill(p, SIGCONT);
  }
}

}  // namespace faultline
