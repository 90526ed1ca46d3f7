// How a planned fault is put in force and undone. Each kind's injector (one file per kind, named
// in the catalog) turns a FaultPlan into an ActiveFault through the means in Injectors: the
// service and network seams, the in-process controls (libfaketime, the disk preload), the CPU
// throttle and the scenario's own fault commands. Everything runs on the history's event-loop
// thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "faults/config.h"
#include "faults/network_control.h"
#include "faults/service_control.h"
#include "scenario/scenario.h"

namespace faultline::faults {

class ActiveFault {
 public:
  virtual ~ActiveFault() = default;
  // Undoes the fault; `healed` runs once it is undone (at once for most kinds), with an error
  // when it could not be.
  virtual void Heal(std::function<void(Status)> healed) = 0;
  // The history ends: undo only what would outlive it (a cgroup); its processes are going.
  virtual void Abandon() {}
  // What the fault did, for its begin event (network changes), or null.
  virtual Json detail() const { return nullptr; }
  // What the fault did while in force, for its heal event (the calls a disk fault failed), or
  // null. Asked once the fault is healed.
  virtual Json effect() const { return nullptr; }
};

// Faults that act from inside a service's processes: libfaketime's clock and the disk preload's
// failing calls. Set up for a service when it starts (LaunchHooks), switched while it runs.
class InProcessControl {
 public:
  virtual ~InProcessControl() = default;
  // Moves the service's clock to real time + `offset` (0 heals).
  virtual Status SetClockOffset(const std::string& service, Millis offset) = 0;
  // Makes the calls of `kinds` fail with `probability` in every process of the service; an
  // empty `kinds` switches them back.
  virtual Status SetDiskFaults(const std::string& service, const std::vector<DiskKind>& kinds,
                               double probability) = 0;
  // How many calls the disk preload has failed in the service's processes since it started;
  // nullopt when that is not known.
  virtual std::optional<uint64_t> DiskFailedCalls(const std::string& /*service*/) const {
    return std::nullopt;
  }
};

// Limits the CPU of a set of processes to a share of one CPU (cgroup v1 or v2).
class CpuLimiter {
 public:
  virtual ~CpuLimiter() = default;
  // Puts `pids` (and what they fork later) under the limit; returns a handle for Release.
  virtual Result<uint64_t> Limit(const std::string& name, const std::vector<pid_t>& pids,
                                 double share) = 0;
  // Lifts the limit and leaves nothing behind (the processes return to their own cgroups).
  virtual Status Release(uint64_t handle) = 0;
};

// Runs the scenario's own fault commands (custom faults), resolved from the workload's point of
// view with the workload's environment.
class FaultCommands {
 public:
  virtual ~FaultCommands() = default;
  // Starts `argv` for fault `name`; `done` runs once with OK or why it failed (a non-zero exit,
  // killed after `timeout`). Error when it cannot start.
  virtual Status Run(const std::string& name, const scenario::Argv& argv, Millis timeout,
                     std::function<void(Status)> done) = 0;
};

struct Injectors {
  ServiceControl* services = nullptr;
  NetworkControl* network = nullptr;  // null: the history has no network to fault
  InProcessControl* in_process = nullptr;
  CpuLimiter* cpu = nullptr;  // null: no cgroup CPU controller here
  FaultCommands* commands = nullptr;
  Clock* clock = nullptr;
};

}  // namespace faultline::faults
