// NetworkControl: a history's network as the fault schedule breaks and mends it. Nodes are the
// scenario's services and "workload"; a Flow is what one node sends to another, whichever of the
// two dialed. Loopback mode implements it over the per-link fault proxy (only flows along declared
// links exist there); isolated mode over the hub that joins the units (every pair of units, and
// packets as well as TCP bytes). Every call is in force when it returns.
// Owned by the history; called on the history's event-loop thread.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "net/fault.h"
#include "timeline/event.h"

namespace faultline::faults {

struct Flow {
  std::string from;  // a service name or "workload"
  std::string to;
  auto operator<=>(const Flow&) const = default;
};

using NetHandle = uint64_t;

// What a change did, for the fault's timeline event (links touched, the proxy's own events).
struct NetApplied {
  NetHandle handle = 0;
  Json detail = Json::object();
};

class NetworkControl {
 public:
  virtual ~NetworkControl() = default;

  // Every flow this network can fault, in a stable order.
  virtual std::vector<Flow> Flows() const = 0;
  // Whether DropPackets works (a network that sees packets, not only TCP streams).
  virtual bool CanDropPackets() const = 0;

  // A partition: nothing passes along any of `flows` until healed, all cut at once. Connections
  // already open stall rather than reset (as a real partition does). Error: a flow it cannot
  // fault, or an empty set.
  virtual Result<NetApplied> Cut(std::span<const Flow> flows) = 0;
  // A byte-stream fault of the proxy (latency, bandwidth, slicer, reset_peer, timeout, limit_data,
  // slow_close, down) on the bytes of `flows`, on open and new connections; spec.direction is
  // ignored (each flow names its direction). Error: a flow it cannot fault, a bad spec.
  virtual Result<NetApplied> Impair(std::span<const Flow> flows, const net::FaultSpec& spec) = 0;
  // Drops each packet along `flows` with probability `rate` in (0, 1]. Error when
  // !CanDropPackets().
  virtual Result<NetApplied> DropPackets(std::span<const Flow> flows, double rate) = 0;
  // Ends one change; its events go in `detail`. Error: unknown handle.
  virtual Result<NetApplied> Heal(NetHandle handle) = 0;
};

}  // namespace faultline::faults
