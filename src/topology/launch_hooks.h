// LaunchHooks: what a service's start gets from the faults that act from inside its processes
// (libfaketime's clock, faultline's disk preload): extra environment, a preloaded library,
// a control file. Topology calls it at every start of a service, restarts included; the fault
// schedule implements it. Called on the history's event-loop thread.
#pragma once

#include <string>
#include <vector>

namespace faultline {

class LaunchHooks {
 public:
  virtual ~LaunchHooks() = default;
  // Adjusts the argv and "K=V" environment of `service` just before it starts.
  virtual void BeforeStart(const std::string& service, std::vector<std::string>& argv,
                           std::vector<std::string>& env) = 0;
};

}  // namespace faultline
