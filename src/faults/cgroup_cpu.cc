#include "faults/cgroup_cpu.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <set>

#include "base/files.h"
#include "base/strings.h"

namespace faultline::faults {
namespace {

constexpr int64_t kPeriodUs = 100000;
// How long a release keeps moving processes back and waiting for exiting ones to leave.
constexpr auto kReleaseTime = std::chrono::seconds(1);

// The path of `pid`'s cgroup in the hierarchy that holds `controller` ("" for v2), relative to
// the hierarchy's mount point; nullopt when the process is gone.
std::optional<std::string> CgroupOf(pid_t pid, bool v2) {
  auto text = ReadFile(fmt::format("/proc/{}/cgroup", pid));
  if (!text) return std::nullopt;
  for (const auto& line : Split(*text, '\n')) {
    // hierarchy-id:controllers:path
    auto parts = Split(line, ':');
    if (parts.size() < 3) continue;
    bool match = v2 ? parts[0] == "0" : false;
    if (!v2) {
      for (const auto& c : Split(parts[1], ',')) match |= c == "cpu";
    }
    if (match) {
      std::string path = line.substr(parts[0].size() + parts[1].size() + 2);
      return path;
    }
  }
  return std::nullopt;
}

Status MoveTo(const std::string& dir, pid_t pid) {
  return WriteFile(dir + "/cgroup.procs", std::to_string(pid));
}

}  // namespace

Result<std::unique_ptr<CgroupCpu>> CgroupCpu::Detect() {
  if (geteuid() != 0) {
    return Unexpected(
        "throttle needs root: it moves processes into a cgroup of the CPU "
        "controller (run faultline as root, or leave throttle out)");
  }
  std::string root = fmt::format("faultline-{}", getpid());
  if (access("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", W_OK) == 0) {
    return std::unique_ptr<CgroupCpu>(new CgroupCpu(root, "/sys/fs/cgroup/cpu", false));
  }
  auto controllers = ReadFile("/sys/fs/cgroup/cgroup.controllers");
  if (controllers && controllers->find("cpu") != std::string::npos) {
    return std::unique_ptr<CgroupCpu>(new CgroupCpu(root, "/sys/fs/cgroup", true));
  }
  return Unexpected(
      "throttle needs the cgroup CPU controller: neither "
      "/sys/fs/cgroup/cpu/cpu.cfs_quota_us (v1) nor a 'cpu' in "
      "/sys/fs/cgroup/cgroup.controllers (v2) is there");
}

CgroupCpu::~CgroupCpu() {
  // A limit whose release failed during the run is tried once more (its processes are gone by
  // now), so that no cgroup outlives faultline.
  std::vector<uint64_t> handles;
  for (const auto& [handle, limited] : limited_) handles.push_back(handle);
  for (uint64_t handle : handles) (void)Release(handle);
  rmdir((mount_ + "/" + root_).c_str());
}

Result<uint64_t> CgroupCpu::Limit(const std::string& name, const std::vector<pid_t>& pids,
                                  double share) {
  std::string parent = mount_ + "/" + root_;
  if (mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
    return Unexpected(Status::FromErrno("mkdir " + parent));
  }
  if (v2_) (void)WriteFile(parent + "/cgroup.subtree_control", "+cpu");
  uint64_t id = next_++;
  Limited l;
  l.dir = fmt::format("{}/{}-{}", parent, name, id);
  if (mkdir(l.dir.c_str(), 0755) != 0) return Unexpected(Status::FromErrno("mkdir " + l.dir));
  auto quota = static_cast<int64_t>(std::llround(share * kPeriodUs));
  quota = std::max<int64_t>(quota, 1000);  // the kernel's least quota is 1 ms
  Status set = v2_ ? WriteFile(l.dir + "/cpu.max", fmt::format("{} {}", quota, kPeriodUs))
                   : WriteFile(l.dir + "/cpu.cfs_period_us", std::to_string(kPeriodUs));
  if (set.ok() && !v2_) set = WriteFile(l.dir + "/cpu.cfs_quota_us", std::to_string(quota));
  if (!set.ok()) {
    rmdir(l.dir.c_str());
    return Unexpected(set.Context("cgroup cpu limit"));
  }
  for (pid_t pid : pids) {
    auto origin = CgroupOf(pid, v2_);
    if (!origin) continue;  // gone already
    if (MoveTo(l.dir, pid).ok()) l.origin[pid] = *origin;
  }
  if (l.origin.empty() && !pids.empty()) {
    rmdir(l.dir.c_str());
    return Unexpected(fmt::format("no process of '{}' could be moved into {}", name, l.dir));
  }
  limited_[id] = std::move(l);
  return id;
}

Status CgroupCpu::Release(uint64_t handle) {
  auto it = limited_.find(handle);
  if (it == limited_.end()) return Status::Error("unknown cpu limit");
  Limited l = std::move(it->second);
  limited_.erase(it);
  // The limit is lifted before anything moves: a task moved out of a cgroup whose quota is spent
  // can stay throttled for up to a second after the move (seen on Linux 6.18), and a healed
  // service must run at once.
  (void)(v2_ ? WriteFile(l.dir + "/cpu.max", fmt::format("max {}", kPeriodUs))
             : WriteFile(l.dir + "/cpu.cfs_quota_us", "-1"));
  // Every process now in the cgroup, the ones forked under the limit included, goes back. A
  // process that forks while the others move leaves its child behind (a database forking a
  // backend), and a task that is exiting keeps the cgroup busy for a moment: this repeats until
  // the cgroup can be removed, for at most kReleaseTime. A round that met only processes it had
  // moved before (exiting tasks, still listed, which no move takes out) waits a millisecond for
  // them to go; counting rounds instead ran out in microseconds on a loaded machine.
  std::string fallback = l.origin.empty() ? "/" : l.origin.begin()->second;
  std::set<pid_t> moved_before;
  auto deadline = std::chrono::steady_clock::now() + kReleaseTime;
  for (int round = 0;; ++round) {
    auto procs = ReadFile(l.dir + "/cgroup.procs");
    bool moved = false;
    for (const auto& line : Split(procs ? *procs : "", '\n')) {
      auto pid = ParseInt(line);
      if (!pid) continue;
      auto origin = l.origin.find(static_cast<pid_t>(*pid));
      bool ok = MoveTo(mount_ + (origin != l.origin.end() ? origin->second : fallback),
                       static_cast<pid_t>(*pid))
                    .ok();
      moved |= ok && moved_before.insert(static_cast<pid_t>(*pid)).second;
    }
    if (rmdir(l.dir.c_str()) == 0) return Status::Ok();
    if (errno != EBUSY || std::chrono::steady_clock::now() >= deadline) {
      Status failed =
          Status::FromErrno(fmt::format("rmdir {} (after {} round(s) of moving its processes "
                                        "back)",
                                        l.dir, round + 1));
      limited_[handle] = std::move(l);  // tried again when faultline ends
      return failed;
    }
    if (!moved) usleep(1000);
  }
}

}  // namespace faultline::faults
