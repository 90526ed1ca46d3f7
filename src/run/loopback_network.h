// LoopbackNetwork: a history's network in loopback mode. Every service listens on 127.0.0.1;
// every declared link (from -> to) gets a listener of the history's own fault proxy, and the
// dialer's `{to.port}` resolves to it, so that traffic crosses the proxy and can be faulted.
// Owned by the history; made and used on the history's event-loop thread (the proxy runs its own).
#pragma once

#include <cstdint>
#include <memory>

#include "base/status.h"
#include "net/fault_proxy.h"
#include "scenario/scenario.h"
#include "topology/topology.h"

namespace faultline::run {

class LoopbackNetwork {
 public:
  // Starts the proxy (only when the scenario has links) and routes every link through it. Call
  // after Topology::Prepare and before Topology::Start. Errors name the link that failed.
  static Result<std::unique_ptr<LoopbackNetwork>> Start(const scenario::Scenario& scenario,
                                                        Topology& topology, uint64_t seed);
  ~LoopbackNetwork();

  // The history's proxy, or null when the scenario has no links.
  net::FaultProxy* proxy() const { return proxy_.get(); }

 private:
  LoopbackNetwork() = default;
  std::unique_ptr<net::FaultProxy> proxy_;
};

}  // namespace faultline::run
