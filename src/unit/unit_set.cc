#include "unit/unit_set.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "base/files.h"
#include "base/strings.h"
#include "process/guardian.h"
#include "process/spawn.h"

namespace faultline::unit {

// One faultline-init --hold process and the control socket it answers on.
struct UnitSet::Holder {
  std::string name;
  pid_t pid = -1;
  UniqueFd control;
  UniqueFd net, uts, mnt;  // /proc/PID/ns/*

  ~Holder() {
    control.Reset();  // end-of-file: the holder ends by itself
    if (pid > 0) {
      kill(pid, SIGKILL);
      // The supervisor's orphan reaper may have reaped it already.
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      Guardian::Instance().Remove(pid);
    }
  }

  // Reads one reply line, waiting at most `limit`.
  Result<std::string> ReadLine(Millis limit) {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Unexpected("no answer within " + FormatDuration(limit));
      pollfd p{control.get(), POLLIN, 0};
      int n = poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) continue;
      char c;
      ssize_t got = read(control.get(), &c, 1);
      if (got <= 0) return Unexpected("it ended (see its log)");
      if (c == '\n') return line;
      line += c;
    }
  }
  Result<std::string> Ask(const std::string& request) {
    std::string text = request + "\n";
    if (write(control.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      return Unexpected(Status::FromErrno("write to the holder"));
    }
    return ReadLine(Millis(5000));
  }
};

namespace {

constexpr int kMaxUnits = 250;

Result<UniqueFd> OpenNamespace(pid_t pid, const char* which) {
  std::string path = fmt::format("/proc/{}/ns/{}", pid, which);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Unexpected(Status::FromErrno("open " + path));
  return fd;
}

std::string FindTool(const std::string& name) {
  auto found = FindExecutable(name, "/usr/sbin:/usr/bin:/sbin:/bin");
  return found ? *found : std::string();
}

// Waits for a contained child to end, at most `limit`; its program's wait status, or nullopt.
std::optional<int> WaitFor(Spawned& s, Millis limit) {
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, s.pid, 0)));
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    int status = 0;
    pid_t r = waitpid(s.pid, &status, WNOHANG);
    if (r == s.pid) {
      Guardian::Instance().Remove(s.pid);
      return ProgramWaitStatus(status, s.status);
    }
    if (r < 0 && errno != EINTR) return std::nullopt;
    auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(s.pid, SIGKILL);
      waitpid(s.pid, nullptr, 0);
      Guardian::Instance().Remove(s.pid);
      return std::nullopt;
    }
    pollfd p{pidfd.get(), POLLIN, 0};
    poll(&p, 1, static_cast<int>(left.count()));
  }
}

}  // namespace

std::string UnitAddress(size_t index) { return fmt::format("198.18.{}.2", index + 1); }
std::string HubAddress(size_t index) { return fmt::format("198.18.{}.1", index + 1); }

std::string HostsFile(const std::vector<UnitConfig>& units) {
  std::string out =
      "# faultline isolated mode: every unit of this history, by name and alias\n"
      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  for (size_t i = 0; i < units.size(); ++i) {
    out += UnitAddress(i) + "\t" + units[i].name;
    for (const auto& a : units[i].aliases) out += " " + a;
    out += "\n";
  }
  return out;
}

Status CheckIsolatedPrivileges() {
  std::vector<std::string> missing;
  if (geteuid() != 0) missing.push_back("root (network, mount and PID namespaces, veth pairs)");
  if (ChildContainment() != Containment::kPidNamespace && geteuid() == 0) {
    missing.push_back("PID namespaces (unshare(CLONE_NEWPID) failed)");
  }
  if (FindTool("ip").empty()) missing.push_back("the 'ip' tool (Debian package iproute2)");
  if (missing.empty()) return Status::Ok();
  return Status::Error(fmt::format(
      "isolated mode needs {}; run as root, or use loopback mode (network: loopback, or "
      "--network loopback), which needs no privileges",
      Join(missing, ", ")));
}

Result<std::unique_ptr<UnitSet>> UnitSet::Create(const std::string& dir,
                                                 std::vector<UnitConfig> units) {
  if (Status s = CheckIsolatedPrivileges(); !s.ok()) return Unexpected(s);
  if (units.size() > kMaxUnits) {
    return Unexpected(fmt::format("isolated mode holds at most {} units", kMaxUnits));
  }
  std::unique_ptr<UnitSet> set(new UnitSet());
  set->dir_ = dir;
  set->configs_ = std::move(units);
  for (Status s : {MakeDirs(dir), WriteFile(dir + "/hosts", HostsFile(set->configs_)),
                   WriteFile(dir + "/resolv.conf",
                             "# faultline isolated mode: names come from /etc/hosts only; no DNS "
                             "server exists inside a unit\noptions timeout:1 attempts:1\n")}) {
    if (!s.ok()) return Unexpected(s);
  }
  if (Status s = set->StartHolders(); !s.ok()) return Unexpected(s);
  if (Status s = set->WireNetwork(); !s.ok()) return Unexpected(s);
  return set;
}

UnitSet::~UnitSet() = default;

Status UnitSet::StartHolders() {
  auto start = [&](const std::string& name,
                   std::vector<std::string> options) -> Result<std::unique_ptr<Holder>> {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      return Unexpected(Status::FromErrno("socketpair"));
    }
    UniqueFd ours(pair[0]), theirs(pair[1]);
    auto h = std::make_unique<Holder>();
    h->name = name;
    options.insert(options.begin(), {"--hold", "--control-fd", std::to_string(theirs.get())});
    SpawnRequest r;
    r.init_options = std::move(options);
    r.keep_fds = {theirs.get()};
    r.stdout_path = dir_ + "/" + name + ".holder.log";
    r.stderr_path = r.stdout_path;
    r.stop_signal = SIGKILL;
    auto spawned = SpawnContained(r);
    if (!spawned) return Unexpected(spawned.error());
    h->pid = spawned->pid;
    h->control = std::move(ours);
    return h;
  };
  auto hub = start("hub", {"--new-net", "--forward"});
  if (!hub) return Status::Error("the hub: " + hub.error());
  hub_ = std::move(*hub);
  for (const auto& u : configs_) {
    std::string stage = dir_ + "/" + u.name + ".root";
    FL_RETURN_IF_ERROR(MakeDirs(stage));
    std::vector<std::string> options = {"--new-net", "--new-mnt", "--hostname",
                                        u.name,      "--stage",   stage};
    auto mount = [&](const std::string& source, const std::string& target, bool ro) {
      options.insert(options.end(),
                     {"--mount", source + "\t" + target + "\t" + (ro ? "ro" : "rw")});
    };
    mount(dir_ + "/hosts", "/etc/hosts", true);
    mount(dir_ + "/resolv.conf", "/etc/resolv.conf", true);
    for (const auto& m : u.mounts) mount(m.source, m.target, m.read_only);
    auto h = start(u.name, options);
    if (!h) return Status::Error(fmt::format("unit '{}': {}", u.name, h.error()));
    holders_.push_back(std::move(*h));
  }
  // Every holder sets itself up in parallel; collect their answers.
  std::vector<Holder*> all = {hub_.get()};
  for (auto& h : holders_) all.push_back(h.get());
  for (Holder* h : all) {
    auto ready = h->ReadLine(Millis(10000));
    if (!ready || *ready != "ready") {
      std::string why = ready ? ready->substr(std::min<size_t>(6, ready->size())) : ready.error();
      return Status::Error(fmt::format("unit '{}' could not be made: {}", h->name, why));
    }
    auto net = OpenNamespace(h->pid, "net");
    if (!net) return net.status();
    h->net = std::move(*net);
    if (h != hub_.get()) {
      auto uts = OpenNamespace(h->pid, "uts");
      auto mnt = OpenNamespace(h->pid, "mnt");
      if (!uts || !mnt) return Status::Error(uts ? mnt.error() : uts.error());
      h->uts = std::move(*uts);
      h->mnt = std::move(*mnt);
    }
  }
  hub_netns_.Reset(dup(hub_->net.get()));
  fcntl(hub_netns_.get(), F_SETFD, FD_CLOEXEC);
  return Status::Ok();
}

Status UnitSet::RunInHub(const std::vector<std::string>& argv, const std::string& log) const {
  SpawnRequest r;
  r.argv = argv;
  r.stdout_path = log;
  r.stderr_path = log;
  r.stop_signal = SIGKILL;
  r.enter.net = hub_->net.get();
  // Units' namespaces, for `ip link ... netns /proc/self/fd/N`.
  for (const auto& h : holders_) r.keep_fds.push_back(h->net.get());
  auto spawned = SpawnContained(r);
  if (!spawned) return spawned.status();
  auto status = WaitFor(*spawned, Millis(10000));
  if (status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return Status::Ok();
  auto text = ReadFileTail(log, 2000);
  return Status::Error(fmt::format(
      "'{}' failed ({}): {}", ShellJoin(argv),
      status ? ExitStatus::FromWaitStatus(*status).Describe() : "did not end within 10s",
      text ? std::string(Trim(*text)) : std::string()));
}

Status UnitSet::WireNetwork() {
  std::string ip = FindTool("ip");
  std::string batch;
  for (size_t i = 0; i < holders_.size(); ++i) {
    batch += fmt::format(
        "link add v{0} type veth peer name eth0 netns /proc/self/fd/{1}\n"
        "addr add {2}/24 dev v{0}\nlink set v{0} up\n",
        i + 1, holders_[i]->net.get(), HubAddress(i));
  }
  std::string plan = dir_ + "/hub.ip-batch";
  FL_RETURN_IF_ERROR(WriteFile(plan, batch));
  FL_RETURN_IF_ERROR(RunInHub({ip, "-batch", plan}, dir_ + "/hub.log").Context("the hub's veths"));
  for (size_t i = 0; i < holders_.size(); ++i) {
    auto reply = holders_[i]->Ask(fmt::format("addr eth0 {} 24 {}", UnitAddress(i), HubAddress(i)));
    if (!reply || *reply != "ok") {
      return Status::Error(fmt::format("unit '{}': its interface: {}", holders_[i]->name,
                                       reply ? *reply : reply.error()));
    }
  }
  return Status::Ok();
}

Placement UnitSet::For(const std::string& unit) const {
  for (const auto& h : holders_) {
    if (h->name != unit) continue;
    Placement p;
    p.enter = {h->net.get(), h->uts.get(), h->mnt.get()};
    p.root = fmt::format("/proc/{}/root", h->pid);
    return p;
  }
  return {};
}

std::string UnitSet::Address(const std::string& unit) const {
  for (size_t i = 0; i < configs_.size(); ++i) {
    if (configs_[i].name == unit) return UnitAddress(i);
  }
  return {};
}

pid_t UnitSet::HolderPid(const std::string& unit) const {
  for (const auto& h : holders_) {
    if (h->name == unit) return h->pid;
  }
  return -1;
}

pid_t UnitSet::hub_pid() const { return hub_ ? hub_->pid : -1; }

bool UnitSet::PortAccepts(const std::string& unit, int port) const {
  const Holder* holder = nullptr;
  for (const auto& h : holders_) {
    if (h->name == unit) holder = h.get();
  }
  std::string address = Address(unit);
  if (!holder || address.empty()) return false;
  // A socket belongs to the network namespace of the thread that makes it: make it in the
  // unit's, then come back.
  static int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (own < 0 || setns(holder->net.get(), CLONE_NEWNET) != 0) return false;
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (setns(own, CLONE_NEWNET) != 0) {
    std::perror("faultline: setns back to faultline's network namespace");
    std::abort();
  }
  if (!fd) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  return connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace faultline::unit
