// ServiceControl: the services of one history as the fault schedule acts on them. Topology
// implements it for real processes; the planner and schedule tests use a fake. Every call acts on
// every process of the service (its whole group, or its unit where units contain it), returns an
// error for an unknown service or one in the wrong state, and never blocks: ends arrive through
// the callbacks, on the history's event-loop thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"

namespace faultline::faults {

class ServiceControl {
 public:
  virtual ~ServiceControl() = default;

  // Whether the service is running and not paused, stopping or down: a fault may target it.
  virtual bool IsUp(const std::string& service) const = 0;
  // SIGKILL to every process of the service; `down` runs once it has ended. It stays down.
  virtual Status Kill(const std::string& service, std::function<void()> down) = 0;
  // The service's stop signal, its grace, then SIGKILL; `down` runs once it has ended.
  virtual Status Stop(const std::string& service, std::function<void()> down) = 0;
  // Starts a service that is down again (its launch hooks apply).
  virtual Status Restart(const std::string& service) = 0;
  // SIGSTOP / SIGCONT to every process of the service.
  virtual Status Pause(const std::string& service) = 0;
  virtual Status Resume(const std::string& service) = 0;
  // Every process of the service now (cgroups and libfiu act per process).
  virtual std::vector<pid_t> Processes(const std::string& service) const = 0;
};

}  // namespace faultline::faults
