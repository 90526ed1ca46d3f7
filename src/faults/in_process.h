// InProcessFaults: the clock and disk faults that act from inside a service's processes. When a
// clock or disk target starts, LaunchHooks puts libfaketime or faultline's disk preload
// (faults/preload/) in front of its program (through /usr/bin/env, so that a user-dropping
// wrapper such as setpriv is not preloaded itself) with a control file in the history's folder
// that its processes read on every call: the clock offset (FAKETIME_TIMESTAMP_FILE, only the
// wall clock moves) and which file system calls fail at what probability (a DiskControlBlock).
// Every process of the service sees a change at once, whether it was forked or exec'd, before or
// after the fault began.
// Owned by the history; runs on the history's event-loop thread.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "faults/injector.h"
#include "faults/service_control.h"
#include "topology/launch_hooks.h"

namespace faultline::faults {

class InProcessFaults : public InProcessControl, public LaunchHooks {
 public:
  // `dir`: the history's fault-control folder; the targets start preloaded in this history.
  InProcessFaults(std::string dir, std::set<std::string> clock_targets,
                  std::set<std::string> disk_targets);

  // Whether the libraries the configured kinds need are installed; an error naming the missing
  // file and the Debian package otherwise.
  static Status Check(bool clock, bool disk);
  // Makes the folder (every service user may create its FIFOs there) and the clock files.
  Status Prepare();
  void Attach(ServiceControl* services) { services_ = services; }

  // LaunchHooks
  void BeforeStart(const std::string& service, std::vector<std::string>& argv,
                   std::vector<std::string>& env) override;
  // InProcessControl
  Status SetClockOffset(const std::string& service, Millis offset) override;
  Status SetDiskFaults(const std::string& service, const std::vector<DiskKind>& kinds,
                       double probability) override;
  std::optional<uint64_t> DiskFailedCalls(const std::string& service) const override;

  std::string ClockFile(const std::string& service) const;
  // The disk preload's control file of a service (a DiskControlBlock).
  std::string DiskFile(const std::string& service) const;
  // The count of calls the preload failed in the service's processes (a uint64_t that each
  // process advances; writable by every service user).
  std::string DiskCounterFile(const std::string& service) const;

 private:
  std::string dir_;
  std::set<std::string> clock_targets_;
  std::set<std::string> disk_targets_;
  ServiceControl* services_ = nullptr;
};

}  // namespace faultline::faults
