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

#include "base/duration.h"
#include "base/status.h"

namespace faultline::faults {

inline constexpr Millis kFaultAftermath{10000};

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
  // Every process of the service now (cgroups act per process).
  virtual std::vector<pid_t> Processes(const std::string& service) const = 0;
  // While `fault` is not empty, an exit of the service that no call above caused is a
  // consequence of that fault in force on it (a database that gives up when its disk fails): it
  // is recorded as expected, with the fault as its reason, and the service's restart policy
  // still applies. An empty `fault` ends it after an aftermath of kFaultAftermath: a server's
  // answer to a failed disk (a crash, a recovery that fails in turn, its own timeouts before it
  // gives up) takes seconds to play out.
  virtual void ExplainExits(const std::string& service, const std::string& fault) = 0;
};

}  // namespace faultline::faults
