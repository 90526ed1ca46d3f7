#include "faults/in_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/files.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "process/proc_scan.h"

namespace faultline::faults {
namespace {

constexpr const char* kFaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
constexpr const char* kFiuRun = "/usr/lib/fiu/fiu_run_preload.so";
constexpr const char* kFiuPosix = "/usr/lib/fiu/fiu_posix_preload.so";
constexpr int kControlTimeoutMs = 500;

struct FailPoints {
  std::vector<const char*> names;
  int error;
};

FailPoints PointsOf(DiskKind kind) {
  switch (kind) {
    case DiskKind::kFsyncEio:
      return {{"posix/io/sync/fsync", "posix/io/sync/fdatasync"}, EIO};
    case DiskKind::kWriteEio:
    case DiskKind::kWriteEnospc:
      return {
          {"posix/io/rw/write", "posix/io/rw/pwrite", "posix/io/rw/writev", "posix/io/rw/pwritev"},
          kind == DiskKind::kWriteEio ? EIO : ENOSPC};
    case DiskKind::kReadEio:
      return {{"posix/io/rw/read", "posix/io/rw/pread", "posix/io/rw/readv", "posix/io/rw/preadv"},
              EIO};
    case DiskKind::kOpenEio:
      return {{"posix/io/oc/open"}, EIO};
  }
  return {{}, EIO};
}

// Every failure point a disk fault may switch on, for healing.
std::vector<const char*> AllPoints() {
  std::vector<const char*> all;
  for (DiskKind k :
       {DiskKind::kFsyncEio, DiskKind::kWriteEio, DiskKind::kReadEio, DiskKind::kOpenEio}) {
    for (const char* p : PointsOf(k).names) all.push_back(p);
  }
  return all;
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
  if (disk && (access(kFiuRun, R_OK) != 0 || access(kFiuPosix, R_OK) != 0)) {
    return Status::Error(fmt::format(
        "the disk fault needs libfiu's preload libraries ({}, Debian package 'fiu-utils')",
        kFiuPosix));
  }
  return Status::Ok();
}

std::string InProcessFaults::ClockFile(const std::string& service) const {
  return dir_ + "/" + service + ".faketime";
}

std::string InProcessFaults::FiuPrefix(const std::string& service) const {
  return dir_ + "/" + service + ".fiu";
}

Status InProcessFaults::Prepare() {
  if (clock_targets_.empty() && disk_targets_.empty()) return Status::Ok();
  FL_RETURN_IF_ERROR(MakeDirs(dir_));
  // Services run as their own users and make their control FIFOs here.
  if (chmod(dir_.c_str(), 01777) != 0) return Status::FromErrno("chmod " + dir_);
  for (const auto& s : clock_targets_) FL_RETURN_IF_ERROR(SetClockOffset(s, Millis(0)));
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
    AddPreload(vars, kFiuRun);
    AddPreload(vars, kFiuPosix);
    vars.push_back("FIU_CTRL_FIFO=" + FiuPrefix(service));
  }
  std::vector<std::string> wrapped = {"/usr/bin/env"};
  wrapped.insert(wrapped.end(), vars.begin(), vars.end());
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  argv = std::move(wrapped);
}

Status InProcessFaults::SetClockOffset(const std::string& service, Millis offset) {
  if (!clock_targets_.count(service)) {
    return Status::Error(fmt::format("service '{}' did not start with a fake clock", service));
  }
  // Written whole and renamed into place: a process reads the file on every clock call.
  std::string text = fmt::format("{:+.3f}\n", static_cast<double>(offset.count()) / 1000.0);
  return WriteFileAtomic(ClockFile(service), text);
}

Status InProcessFaults::Control(const std::string& service, pid_t pid,
                                const std::string& command) const {
  std::string base = fmt::format("{}-{}", FiuPrefix(service), pid);
  UniqueFd out(open((base + ".out").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!out) return Status::FromErrno("open " + base + ".out");
  // libfiu makes the FIFO before its control thread opens it for reading; until then a
  // non-blocking open for writing fails with ENXIO. Wait for the reader, within the timeout.
  int fd = -1;
  for (int waited = 0;; ++waited) {
    fd = open((base + ".in").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 || errno != ENXIO || waited >= kControlTimeoutMs) break;
    usleep(1000);
  }
  if (fd < 0) return Status::FromErrno("open " + base + ".in");
  UniqueFd in(fd);
  std::string line = command + "\n";
  if (write(in.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return Status::FromErrno("write " + base + ".in");
  }
  pollfd p{out.get(), POLLIN, 0};
  std::string reply;
  while (reply.find('\n') == std::string::npos) {
    int n = poll(&p, 1, kControlTimeoutMs);
    if (n <= 0)
      return Status::Error(fmt::format("process {} did not answer its libfiu control", pid));
    char buf[64];
    ssize_t r = read(out.get(), buf, sizeof buf);
    if (r > 0) {
      reply.append(buf, static_cast<size_t>(r));
    } else if (r == 0) {
      usleep(1000);  // the writer has not opened its end yet
    } else if (errno != EAGAIN) {
      return Status::FromErrno("read " + base + ".out");
    }
  }
  // A disable of a point that is not on answers -1: that is the state we want.
  if (!reply.starts_with("0") && !command.starts_with("disable")) {
    return Status::Error(fmt::format("libfiu refused '{}' in process {}: {}", command, pid, reply));
  }
  return Status::Ok();
}

Status InProcessFaults::SetDiskFaults(const std::string& service,
                                      const std::vector<DiskKind>& kinds, double probability) {
  if (!disk_targets_.count(service) || !services_) {
    return Status::Error(fmt::format("service '{}' did not start with libfiu", service));
  }
  std::vector<std::string> commands;
  for (const char* p : AllPoints()) commands.push_back(fmt::format("disable name={}", p));
  for (DiskKind k : kinds) {
    FailPoints points = PointsOf(k);
    for (const char* p : points.names) {
      commands.push_back(fmt::format("enable_random name={},probability={},failinfo={}", p,
                                     probability, points.error));
    }
  }
  int reached = 0;
  std::string last_error;
  for (pid_t host_pid : services_->Processes(service)) {
    // libfiu names the FIFO by getpid(): the id inside the service's own PID namespace.
    pid_t pid = InnermostPid(host_pid);
    // Processes without a control FIFO (a wrapper that has not exec'd yet, a helper that
    // cleared its environment) are not under libfiu.
    if (access(fmt::format("{}-{}.in", FiuPrefix(service), pid).c_str(), F_OK) != 0) continue;
    Status ok;
    for (const auto& c : commands) {
      ok = Control(service, pid, c);
      if (!ok.ok()) break;
    }
    if (ok.ok()) {
      ++reached;
    } else {
      last_error = ok.message();
    }
  }
  if (reached == 0) {
    return Status::Error(fmt::format("no process of service '{}' answered its libfiu control{}",
                                     service, last_error.empty() ? "" : ": " + last_error));
  }
  return Status::Ok();
}

}  // namespace faultline::faults
