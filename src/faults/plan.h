// FaultPlan: one fault the planner decided, with everything drawn for it (targets, parameters,
// duration), and PlannerView: what the planner may know of the history when it decides. Plain
// values; the planner is pure, so both are built and read on one thread without I/O.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "base/duration.h"
#include "faults/config.h"
#include "faults/network_control.h"
#include "net/fault.h"
#include "timeline/event.h"

namespace faultline::faults {

struct ThrottleParams {
  double share = 1;  // of one CPU
};
struct NetworkParams {
  NetKind kind = NetKind::kPartition;
  Shape shape = Shape::kIsolate;  // partitions only
  std::vector<Flow> flows;        // what is cut, impaired or dropped
  net::FaultSpec spec;            // byte-stream faults
  double loss = 0;                // packet loss rate
};
struct ClockParams {
  Millis offset{0};    // where the service's clock ends up, relative to real time
  bool drift = false;  // reached in small steps over the duration, rather than in one jump
};
struct DiskParams {
  std::vector<DiskKind> kinds;
  double probability = 1;
};
using PlanParams =
    std::variant<std::monostate, ThrottleParams, NetworkParams, ClockParams, DiskParams>;

struct FaultPlan {
  const KindConfig* kind = nullptr;
  std::vector<std::string> targets;  // services, or every node a network fault touches
  Millis duration{0};                // from begin to heal
  PlanParams params;
  Json described = Json::object();  // the draws as the timeline shows them (docs/faults.md)
};

struct PlannerView {
  // Whether a service is up and not stopping or paused (a fault may target it).
  std::function<bool(const std::string&)> up = [](const std::string&) { return true; };
  std::set<std::string> busy;     // services that have a fault of theirs in force
  std::vector<Flow> flows;        // flows the network can fault
  std::set<Flow> busy_flows;      // flows that have a network fault in force
  bool can_drop_packets = false;  // the network sees packets (isolated mode)
  std::set<std::string> active;   // kinds with a fault in force (a custom fault runs once)
};

}  // namespace faultline::faults
