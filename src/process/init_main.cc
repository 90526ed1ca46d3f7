// faultline-init: the first process of every PID namespace faultline makes, and the holder of a
// unit's namespaces. It is a small program of its own (no faultline library, no allocation after
// start-up beyond argv parsing), started by SpawnContained (process/spawn.h).
//
// As a PID namespace's init it joins the namespaces it is handed (a unit's network, UTS and mount
// namespaces), mounts a /proc of its own namespace, gives it System V IPC and (with --private-shm)
// a /dev/shm of its own, as a container has, so that shared memory a killed program leaves
// (PostgreSQL's segments, libfaketime's) ends with the namespace instead of staying on the host;
// starts the program, reaps every process of the namespace, forwards every signal it receives to
// all of them (kill(-1, sig) reaches processes that called setsid() too), and ends when the
// program ends, after writing the program's wait status to the status descriptor; the kernel then
// kills whatever is left in the namespace. It dies with faultline: PR_SET_PDEATHSIG sends it
// SIGKILL when faultline's spawning thread ends, and the lifeline pipe (whose only writer is
// faultline) reaching end-of-file ends it too.
//
// As a holder (--hold) it makes new namespaces (network, UTS with a host name, mount with bind
// mounts), configures an interface when asked on its control socket, and waits until that socket
// closes; while it runs, faultline enters its namespaces through /proc/PID/ns/*.
//
// Without root (--userns) it first makes a user namespace that maps the caller's ids to
// themselves, and a PID namespace below it, and runs as that namespace's init in a forked child.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct Mount {
  std::string source;
  std::string target;
  bool read_only = true;
};

struct Options {
  int status_fd = -1;
  int lifeline_fd = -1;
  int control_fd = -1;
  std::vector<std::pair<int, int>> enter;  // (fd, CLONE_NEW*) to join, in order
  bool proc = false;                       // a private /proc and IPC for this PID namespace
  bool private_shm = false;                // with proc: a /dev/shm of its own too
  bool userns = false;
  bool hold = false;
  bool new_net = false;
  bool new_mnt = false;
  bool forward = false;
  std::string hostname;  // non-empty: a new UTS namespace with this name
  std::string stage;     // an empty folder the holder may mount a tmpfs on
  std::vector<Mount> mounts;
  std::vector<std::string> argv;
};

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "faultline-init: %s: %s\n", what, std::strerror(errno));
  std::fflush(stderr);
  _exit(127);
}

void Say(int fd, const std::string& line) {
  if (fd < 0) return;
  std::string text = line + "\n";
  (void)!write(fd, text.data(), text.size());
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
    auto number = [&]() { return std::atoi(next().c_str()); };
    if (a == "--") {
      for (++i; i < argc; ++i) o->argv.emplace_back(argv[i]);
      break;
    } else if (a == "--status-fd") {
      o->status_fd = number();
    } else if (a == "--lifeline-fd") {
      o->lifeline_fd = number();
    } else if (a == "--control-fd") {
      o->control_fd = number();
    } else if (a == "--enter-net") {
      o->enter.emplace_back(number(), CLONE_NEWNET);
    } else if (a == "--enter-uts") {
      o->enter.emplace_back(number(), CLONE_NEWUTS);
    } else if (a == "--enter-mnt") {
      o->enter.emplace_back(number(), CLONE_NEWNS);
    } else if (a == "--proc") {
      o->proc = true;
    } else if (a == "--private-shm") {
      o->private_shm = true;
    } else if (a == "--userns") {
      o->userns = true;
    } else if (a == "--hold") {
      o->hold = true;
    } else if (a == "--new-net") {
      o->new_net = true;
    } else if (a == "--new-mnt") {
      o->new_mnt = true;
    } else if (a == "--forward") {
      o->forward = true;
    } else if (a == "--hostname") {
      o->hostname = next();
    } else if (a == "--stage") {
      o->stage = next();
    } else if (a == "--mount") {
      // SOURCE\tTARGET\t(ro|rw): tabs, since paths may hold colons.
      std::string spec = next();
      size_t t1 = spec.find('\t'), t2 = spec.rfind('\t');
      if (t1 == std::string::npos || t2 == t1) return false;
      o->mounts.push_back(
          {spec.substr(0, t1), spec.substr(t1 + 1, t2 - t1 - 1), spec.substr(t2 + 1) != "rw"});
    } else {
      std::fprintf(stderr, "faultline-init: unknown option '%s'\n", a.c_str());
      return false;
    }
  }
  return o->hold || !o->argv.empty();
}

// faultline is gone when the lifeline reads end-of-file.
bool LifelineCut(int fd) {
  if (fd < 0) return false;
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLIN)) != 0;
}

bool WriteText(const char* path, const std::string& text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

// ---- the unit's file view ----

bool Exists(const std::string& p) {
  struct stat st {};
  return lstat(p.c_str(), &st) == 0;
}

std::string Parent(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

// Replaces folder `dir` (in this mount namespace only) with a tmpfs that holds every entry it had,
// each bind-mounted from the original, so that missing mount targets can be made inside it
// without touching the host's files. `dir` must not be "/".
bool CoverFolder(const std::string& dir, std::vector<std::string>* ours) {
  int old = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (old < 0) return false;
  std::vector<std::pair<std::string, unsigned char>> entries;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") entries.emplace_back(name, e->d_type);
    }
    closedir(d);
  }
  struct stat st {};
  fstat(old, &st);
  char opts[32];
  std::snprintf(opts, sizeof opts, "mode=%o", st.st_mode & 07777);  // tmpfs reads it in octal
  if (mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) {
    close(old);
    return false;
  }
  ours->push_back(dir);
  for (const auto& [name, type] : entries) {
    std::string from = "/proc/self/fd/" + std::to_string(old) + "/" + name;
    std::string to = dir + "/" + name;
    if (type == DT_LNK) {
      char link[PATH_MAX];
      ssize_t n = readlink(from.c_str(), link, sizeof link - 1);
      if (n >= 0) {
        link[n] = '\0';
        (void)!symlink(link, to.c_str());
      }
      continue;
    }
    if (type == DT_DIR) {
      mkdir(to.c_str(), 0755);
    } else {
      int fd = open(to.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd >= 0) close(fd);
    }
    mount(from.c_str(), to.c_str(), nullptr, MS_BIND | MS_REC, nullptr);
  }
  close(old);
  return true;
}

bool Ours(const std::string& p, const std::vector<std::string>& ours) {
  for (const auto& o : ours) {
    if (p == o) return true;
  }
  return false;
}

// Makes `target` exist (a folder, or a file when `file`), creating what is missing only inside
// folders of our own tmpfs.
bool MakeTarget(const std::string& target, bool file, std::vector<std::string>* ours) {
  if (Exists(target)) return true;
  std::string parent = Parent(target);
  if (!Exists(parent) && !MakeTarget(parent, false, ours)) return false;
  if (!Ours(parent, *ours)) {
    if (parent == "/") {
      errno = EXDEV;  // the root cannot be covered; see MakeRoot
      return false;
    }
    if (!CoverFolder(parent, ours)) return false;
  }
  if (file) {
    int fd = open(target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    close(fd);
  } else if (mkdir(target.c_str(), 0755) != 0) {
    return false;
  }
  ours->push_back(target);
  return true;
}

// A target whose parent is "/" and missing from it (say /entrypoint.py): the unit gets a root of
// its own, a tmpfs at `stage` holding every entry of the host's root, and pivots into it.
bool MakeRoot(const std::string& stage, std::vector<std::string>* ours) {
  if (stage.empty()) {
    errno = ENOENT;
    return false;
  }
  if (mount("tmpfs", stage.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") != 0) return false;
  if (DIR* d = opendir("/")) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string from = "/" + name, to = stage + "/" + name;
      if (e->d_type == DT_LNK) {
        char link[PATH_MAX];
        ssize_t n = readlink(from.c_str(), link, sizeof link - 1);
        if (n >= 0) {
          link[n] = '\0';
          (void)!symlink(link, to.c_str());
        }
        continue;
      }
      if (e->d_type == DT_DIR) {
        mkdir(to.c_str(), 0755);
      } else {
        int fd = open(to.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (fd >= 0) close(fd);
      }
      mount(from.c_str(), to.c_str(), nullptr, MS_BIND | MS_REC, nullptr);
    }
    closedir(d);
  }
  std::string old = stage + "/.faultline-old-root";
  mkdir(old.c_str(), 0700);
  if (syscall(SYS_pivot_root, stage.c_str(), old.c_str()) != 0) return false;
  if (chdir("/") != 0) return false;
  umount2("/.faultline-old-root", MNT_DETACH);
  rmdir("/.faultline-old-root");
  ours->push_back("/");
  return true;
}

bool SetUpMounts(const Options& o, std::string* error) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    *error = std::string("make / a slave mount: ") + std::strerror(errno);
    return false;
  }
  std::vector<std::string> ours;
  for (const auto& m : o.mounts) {
    struct stat src {};
    if (stat(m.source.c_str(), &src) != 0) {
      *error = "mount source " + m.source + ": " + std::strerror(errno);
      return false;
    }
    bool file = !S_ISDIR(src.st_mode);
    bool made = MakeTarget(m.target, file, &ours);
    if (!made && errno == EXDEV && MakeRoot(o.stage, &ours)) {
      made = MakeTarget(m.target, file, &ours);
    }
    if (!made) {
      *error = "mount target " + m.target + ": " + std::strerror(errno);
      return false;
    }
    if (mount(m.source.c_str(), m.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0 ||
        (m.read_only && mount(nullptr, m.target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY,
                              nullptr) != 0)) {
      *error = "bind " + m.source + " on " + m.target + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

// ---- the unit's network, through the classic ioctls (no netlink needed for one interface) ----

// The interface name into an ifreq (zeroed, so the name stays terminated).
void NameInto(ifreq& ifr, const char* name) {
  std::memcpy(ifr.ifr_name, name, std::min(std::strlen(name), sizeof ifr.ifr_name - 1));
}

bool InterfaceUp(int sock, const char* name) {
  ifreq ifr{};
  NameInto(ifr, name);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) return false;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl(sock, SIOCSIFFLAGS, &ifr) == 0;
}

bool SetAddress(int sock, const char* name, const char* address, int prefix) {
  ifreq ifr{};
  NameInto(ifr, name);
  auto* sin = reinterpret_cast<sockaddr_in*>(&ifr.ifr_addr);
  sin->sin_family = AF_INET;
  if (inet_pton(AF_INET, address, &sin->sin_addr) != 1) return false;
  if (ioctl(sock, SIOCSIFADDR, &ifr) != 0) return false;
  sin->sin_addr.s_addr = htonl(prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix));
  return ioctl(sock, SIOCSIFNETMASK, &ifr) == 0;
}

bool DefaultRoute(int sock, const char* gateway) {
  rtentry rt{};
  auto* gw = reinterpret_cast<sockaddr_in*>(&rt.rt_gateway);
  gw->sin_family = AF_INET;
  if (inet_pton(AF_INET, gateway, &gw->sin_addr) != 1) return false;
  reinterpret_cast<sockaddr_in*>(&rt.rt_dst)->sin_family = AF_INET;
  reinterpret_cast<sockaddr_in*>(&rt.rt_genmask)->sin_family = AF_INET;
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  return ioctl(sock, SIOCADDRT, &rt) == 0;
}

// "addr IFACE ADDRESS PREFIX [GATEWAY]" or "lo".
std::string Configure(const std::string& line) {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return std::string("error socket: ") + std::strerror(errno);
  char iface[IFNAMSIZ] = {0}, address[64] = {0}, gateway[64] = {0};
  int prefix = 0;
  std::string reply = "ok";
  if (line == "lo") {
    if (!InterfaceUp(sock, "lo")) reply = std::string("error lo up: ") + std::strerror(errno);
  } else if (std::sscanf(line.c_str(), "addr %15s %63s %d %63s", iface, address, &prefix,
                         gateway) >= 3) {
    if (!SetAddress(sock, iface, address, prefix) || !InterfaceUp(sock, iface) ||
        (gateway[0] && !DefaultRoute(sock, gateway))) {
      reply = std::string("error ") + line + ": " + std::strerror(errno);
    }
  } else {
    reply = "error unknown request '" + line + "'";
  }
  close(sock);
  return reply;
}

[[noreturn]] void Hold(const Options& o) {
  int flags = (o.new_net ? CLONE_NEWNET : 0) | (o.hostname.empty() ? 0 : CLONE_NEWUTS) |
              (o.new_mnt ? CLONE_NEWNS : 0);
  std::string error;
  if (flags && unshare(flags) != 0) {
    error = std::string("unshare: ") + std::strerror(errno);
  } else if (!o.hostname.empty() && sethostname(o.hostname.data(), o.hostname.size()) != 0) {
    error = std::string("sethostname: ") + std::strerror(errno);
  } else if (o.new_mnt) {
    SetUpMounts(o, &error);
  }
  if (error.empty() && o.new_net) {
    std::string lo = Configure("lo");
    if (lo != "ok") error = lo.substr(6);
  }
  if (error.empty() && o.forward && !WriteText("/proc/sys/net/ipv4/ip_forward", "1")) {
    error = std::string("ip_forward: ") + std::strerror(errno);
  }
  if (!error.empty()) {
    Say(o.control_fd, "error " + error);
    _exit(1);
  }
  Say(o.control_fd, "ready");
  // Requests until faultline closes the socket (or dies: the lifeline, PDEATHSIG).
  std::string pending;
  char buf[512];
  while (true) {
    pollfd p[2] = {{o.control_fd, POLLIN, 0}, {o.lifeline_fd, POLLIN, 0}};
    int n = poll(p, o.lifeline_fd >= 0 ? 2 : 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (p[1].revents & (POLLIN | POLLHUP))) _exit(0);
    ssize_t got = read(o.control_fd, buf, sizeof buf);
    if (got <= 0) _exit(0);
    pending.append(buf, static_cast<size_t>(got));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      Say(o.control_fd, Configure(pending.substr(0, nl)));
      pending.erase(0, nl + 1);
    }
  }
}

// ---- the init of a PID namespace ----

pid_t StartProgram(const Options& o) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  // Its own process group inside the namespace, as faultline gives every child outside one.
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::fprintf(stderr, "faultline-init: cannot start '%s': %s\n", argv[0], std::strerror(rc));
    return -1;
  }
  return pid;
}

void ReportStatus(int fd, int status) {
  if (fd < 0) return;
  int32_t s = status;
  (void)!write(fd, &s, sizeof s);
}

[[noreturn]] void RunInit(const Options& o) {
  sigset_t all;
  sigfillset(&all);
  // faultline starts us with every signal blocked, so none sent before this point is lost (an
  // init ignores the signals it has no handler for); they wait in the signalfd.
  sigprocmask(SIG_BLOCK, &all, nullptr);
  int sfd = signalfd(-1, &all, SFD_CLOEXEC);
  if (sfd < 0) Die("signalfd");
  if (o.proc && getpid() == 1) {
    // A /proc that shows this namespace, so that $$ and /proc/$$ agree inside it.
    if (unshare(CLONE_NEWNS) == 0 &&
        mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) == 0) {
      mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
      // Shared memory of its own: System V segments and semaphores, POSIX message queues (the
      // IPC namespace) and POSIX shared memory (a tmpfs on /dev/shm, unless faultline says the
      // program needs paths in the host's), all freed by the kernel when the namespace's last
      // process ends, however it ends.
      if (unshare(CLONE_NEWIPC) != 0) {
        std::fprintf(stderr, "faultline-init: no IPC namespace of its own: %s\n",
                     std::strerror(errno));
      }
      if (o.private_shm &&
          mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0) {
        std::fprintf(stderr, "faultline-init: no /dev/shm of its own: %s\n", std::strerror(errno));
      }
    }
  }
  pid_t main_pid = StartProgram(o);
  if (main_pid < 0) {
    ReportStatus(o.status_fd, 127 << 8);
    _exit(127);
  }
  while (true) {
    pollfd p[2] = {{sfd, POLLIN, 0}, {o.lifeline_fd, POLLIN, 0}};
    int n = poll(p, o.lifeline_fd >= 0 ? 2 : 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Die("poll");
    // faultline is gone: ending here ends the namespace.
    if (p[1].revents & (POLLIN | POLLHUP)) _exit(1);
    signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) != sizeof si) continue;
    int sig = static_cast<int>(si.ssi_signo);
    if (sig != SIGCHLD) {
      // Every process of the namespace but this one, whatever its session or group.
      kill(-1, sig);
      continue;
    }
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == main_pid) {
        ReportStatus(o.status_fd, status);
        _exit(0);
      }
    }
  }
}

// Without root: a user namespace mapping our ids to themselves, and a PID namespace below it whose
// init is a forked child (the first process made after unshare). This process stays outside,
// passes signals on to that init, and ends with it.
[[noreturn]] void RunInUserNamespace(Options o) {
  uid_t uid = getuid();
  gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0) Die("unshare(user, pid)");
  WriteText("/proc/self/setgroups", "deny");
  WriteText("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1\n");
  WriteText("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1\n");
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  pid_t inner = fork();
  if (inner < 0) Die("fork");
  if (inner == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    RunInit(o);
  }
  int sfd = signalfd(-1, &all, SFD_CLOEXEC);
  if (sfd < 0) Die("signalfd");
  while (true) {
    signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) != sizeof si) continue;
    int sig = static_cast<int>(si.ssi_signo);
    if (sig != SIGCHLD) {
      kill(inner, sig);
      continue;
    }
    int status = 0;
    if (waitpid(inner, &status, WNOHANG) == inner)
      _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Dies with faultline; the lifeline check closes the race where faultline ended first.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: faultline-init [--status-fd N] [--lifeline-fd N] [--enter-net|uts|mnt FD]"
                 " [--proc [--private-shm]] [--userns] -- PROGRAM [ARG...]\n"
                 "       faultline-init --hold --control-fd N [--new-net] [--new-mnt] [--forward]"
                 " [--hostname NAME] [--stage DIR] [--mount 'SRC\\tDST\\tro|rw']...\n");
    return 2;
  }
  if (LifelineCut(o.lifeline_fd)) return 1;
  for (int fd : {o.status_fd, o.lifeline_fd, o.control_fd}) {
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  for (const auto& [fd, type] : o.enter) {
    if (setns(fd, type) != 0) Die("setns");
    close(fd);
  }
  if (o.hold) Hold(o);
  if (o.userns) RunInUserNamespace(o);
  RunInit(o);
}
