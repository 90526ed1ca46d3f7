// IsolatedNetwork: a history's network in isolated mode: one unit per service and one for the
// workload (unit/unit_set.h), joined by the hub whose proxy and packet rules the fault schedule
// acts through (unit/hub_network.h, a faults::NetworkControl). Every pair of units can be faulted,
// not only declared links; `{name.port}` is a service's real port, since every connection between
// units crosses the proxy already.
// Owned by the history; made and used on the history's event-loop thread.
#pragma once

#include <cstdint>
#include <memory>

#include "base/history_layout.h"
#include "base/status.h"
#include "scenario/scenario.h"
#include "topology/topology.h"
#include "unit/hub_network.h"
#include "unit/unit_set.h"

namespace faultline::run {

class IsolatedNetwork {
 public:
  // Makes the units and the hub and places the topology's services in them. Call before
  // Topology::Prepare. Errors name the unit or the step that failed.
  static Result<std::unique_ptr<IsolatedNetwork>> Start(const scenario::Scenario& scenario,
                                                        Topology& topology,
                                                        const HistoryLayout& layout, uint64_t seed);
  // Stops the proxy, then ends the units' holders.
  ~IsolatedNetwork();

  unit::UnitSet& units() const { return *units_; }
  unit::HubNetwork& hub() const { return *hub_; }
  // The address of the hub that every unit reaches (for ANTITHESIS_STOP_FAULTS).
  std::string ControlAddress() const { return unit::HubAddress(0); }

 private:
  IsolatedNetwork() = default;
  std::unique_ptr<unit::UnitSet> units_;
  std::unique_ptr<unit::HubNetwork> hub_;
};

}  // namespace faultline::run
