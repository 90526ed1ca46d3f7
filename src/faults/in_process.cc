#include "faults/in_process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/files.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "faults/preload/disk_control.h"

namespace faultline::faults {
namespace {

constexpr const char* kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
constexpr const char* kDiskPreload = "libfaultline-disk.so";
uint32_t BitOf(DiskKind kind) {
  switch (kind) {
    case DiskKind::kFsyncEio:
      return disk_bits::kFsyncEio;
    case DiskKind::kWriteEio:
      return disk_bits::kWriteEio;
    case DiskKind::kWriteEnospc:
      return disk_bits::kWriteEnospc;
    case DiskKind::kReadEio:
      return disk_bits::kReadEio;
    case DiskKind::kOpenEio:
      return disk_bits::kOpenEio;
  }
  return 0;
}

// Where faultline's build or installation put the disk preload: beside the binary, in
// ../lib/faultline/ of an installed tree, or (for tests, which are elsewhere) in the build's bin
// folder.
std::string DiskPreloadSource() {
  std::string beside = SelfExeDir() + "/" + kDiskPreload;
  if (access(beside.c_str(), R_OK) == 0) return beside;
  std::string installed = SelfExeDir() + "/../lib/faultline/" + kDiskPreload;
  if (access(installed.c_str(), R_OK) == 0) return installed;
#ifdef FAULTLINE_DISK_PRELOAD_FALLBACK
  if (access(FAULTLINE_DISK_PRELOAD_FALLBACK, R_OK) == 0) return FAULTLINE_DISK_PRELOAD_FALLBACK;
#endif
  return beside;
}

// Whether the process has the disk preload mapped.
bool HasDiskPreload(pid_t pid) {
  auto maps = ReadFile(fmt::format("/proc/{}/maps", pid));
  return maps && maps->find(kDiskPreload) != std::string::npos;
}

void AddPreload(std::vector<std::string>& vars, std::string_view lib) {
  for (auto& v : vars) {
    if (v.starts_with("LD_PRELOAD=")) {
      v += " ";
      v += lib;
      return;
    }
  }
  vars.push_back("LD_PRELOAD=" + std::string(lib));
}

}  // namespace

InProcessFaults::InProcessFaults(std::string dir, std::set<std::string> clock_targets,
                                 std::set<std::string> disk_targets)
    : dir_(std::move(dir)),
      clock_targets_(std::move(clock_targets)),
      disk_targets_(std::move(disk_targets)) {}

Status InProcessFaults::Check(bool clock, bool disk) {
  if (clock && access(kFaketime, R_OK) != 0) {
    return Status::Error(fmt::format(
        "the clock fault needs libfaketime ({}, Debian package 'faketime')", kFaketime));
  }
  if (disk && access(DiskPreloadSource().c_str(), R_OK) != 0) {
    return Status::Error(fmt::format(
        "the disk fault needs faultline's disk preload ({}), which is built with faultline",
        DiskPreloadSource()));
  }
  return Status::Ok();
}

std::string InProcessFaults::ClockFile(const std::string& service) const {
  return dir_ + "/" + service + ".faketime";
}

std::string InProcessFaults::DiskFile(const std::string& service) const {
  return dir_ + "/" + service + ".disk";
}

std::string InProcessFaults::DiskCounterFile(const std::string& service) const {
  return dir_ + "/" + service + ".disk-failed";
}

Status InProcessFaults::Prepare() {
  if (clock_targets_.empty() && disk_targets_.empty()) return Status::Ok();
  FL_RETURN_IF_ERROR(MakeDirs(dir_));
  // Services run as their own users and read their control files here.
  if (chmod(dir_.c_str(), 0755) != 0) return Status::FromErrno("chmod " + dir_);
  for (const auto& s : clock_targets_) FL_RETURN_IF_ERROR(SetClockOffset(s, Millis(0)));
  if (disk_targets_.empty()) return Status::Ok();
  // A copy in the history's folder, which every service user can read (faultline's own
  // folder may be one that only root can enter).
  auto preload = ReadFile(DiskPreloadSource());
  if (!preload) return preload.status();
  FL_RETURN_IF_ERROR(WriteFile(dir_ + "/" + kDiskPreload, *preload, 0644));
  DiskControlBlock off;
  for (const auto& s : disk_targets_) {
    FL_RETURN_IF_ERROR(WriteFile(
        DiskFile(s), std::string_view(reinterpret_cast<const char*>(&off), sizeof off), 0644));
    // Each process of the service, whichever user it runs as, counts its failed calls here.
    FL_RETURN_IF_ERROR(WriteFile(DiskCounterFile(s), std::string(sizeof(uint64_t), '\0'), 0666));
    if (chmod(DiskCounterFile(s).c_str(), 0666) != 0) {
      return Status::FromErrno("chmod " + DiskCounterFile(s));
    }
  }
  return Status::Ok();
}

void InProcessFaults::BeforeStart(const std::string& service, std::vector<std::string>& argv,
                                  std::vector<std::string>& env) {
  bool clock = clock_targets_.count(service) > 0;
  bool disk = disk_targets_.count(service) > 0;
  if (!clock && !disk) return;
  std::vector<std::string> vars;
  for (const auto& e : env) {
    if (e.starts_with("LD_PRELOAD=")) vars.push_back(e);
  }
  if (clock) {
    AddPreload(vars, kFaketime);
    vars.push_back("FAKETIME_TIMESTAMP_FILE=" + ClockFile(service));
    vars.push_back("FAKETIME_NO_CACHE=1");
    // Only the wall clock moves, as an NTP step or a skewed host would: timeouts measured on
    // the monotonic clock keep working.
    vars.push_back("FAKETIME_DONT_FAKE_MONOTONIC=1");
  }
  if (disk) {
    AddPreload(vars, dir_ + "/" + kDiskPreload);
    vars.push_back("FAULTLINE_DISK_CONTROL=" + DiskFile(service));
    vars.push_back("FAULTLINE_DISK_COUNTER=" + DiskCounterFile(service));
  }
  std::vector<std::string> wrapped = {"/usr/bin/env"};
  wrapped.insert(wrapped.end(), vars.begin(), vars.end());
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  argv = std::move(wrapped);
}

std::optional<uint64_t> InProcessFaults::DiskFailedCalls(const std::string& service) const {
  if (!disk_targets_.count(service)) return std::nullopt;
  UniqueFd fd(open(DiskCounterFile(service).c_str(), O_RDONLY | O_CLOEXEC));
  uint64_t failed = 0;
  if (!fd || pread(fd.get(), &failed, sizeof failed, 0) != static_cast<ssize_t>(sizeof failed)) {
    return std::nullopt;
  }
  return failed;
}

Status InProcessFaults::SetClockOffset(const std::string& service, Millis offset) {
  if (!clock_targets_.count(service)) {
    return Status::Error(fmt::format("service '{}' did not start with a fake clock", service));
  }
  // Written whole and renamed into place: a process reads the file on every clock call.
  std::string text = fmt::format("{:+.3f}\n", static_cast<double>(offset.count()) / 1000.0);
  return WriteFileAtomic(ClockFile(service), text);
}

Status InProcessFaults::SetDiskFaults(const std::string& service,
                                      const std::vector<DiskKind>& kinds, double probability) {
  if (!disk_targets_.count(service) || !services_) {
    return Status::Error(fmt::format("service '{}' did not start with the disk preload", service));
  }
  // A program that is static or clears its environment is not under the preload: say so rather
  // than call the fault in force. Checked before the write: a service that gives up at its first
  // failed call may be gone by the time a check after it looked, and the fault, written but
  // refused, would then fail every start of the service after it.
  if (!kinds.empty()) {
    auto processes = services_->Processes(service);
    if (std::none_of(processes.begin(), processes.end(), HasDiskPreload)) {
      return Status::Error(fmt::format(
          "no process of service '{}' has faultline's disk preload loaded (a static program, or "
          "one that starts its own programs with a clean environment)",
          service));
    }
  }
  DiskControlBlock block;
  for (DiskKind k : kinds) block.kinds |= BitOf(k);
  block.probability_ppm = static_cast<uint32_t>(std::clamp(probability, 0.0, 1.0) * 1e6 + 0.5);
  // In place: the preload has the file mapped.
  std::string path = DiskFile(service);
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd || pwrite(fd.get(), &block, sizeof block, 0) != static_cast<ssize_t>(sizeof block)) {
    return Status::FromErrno("write " + path);
  }
  return Status::Ok();
}

}  // namespace faultline::faults
