// The fault schedule's timeline events as typed values (docs/faults.md, "Timeline events"):
// each knows its fields, so every writer spells an event the same way and readers (properties,
// reports) have one place that says what is in it. Plain values; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/duration.h"
#include "timeline/event.h"

namespace faultline::faults {

struct FaultSwarm {
  std::vector<std::string> configured;
  std::vector<std::string> enabled;
  Json Fields() const;
};

struct FaultBegun {
  int64_t id = 0;
  std::string kind;
  std::vector<std::string> targets;
  Json params = Json::object();
  Millis planned{0};
  Json detail = nullptr;  // what the network did, when it is a network fault
  Json Fields() const;
};

struct FaultHealed {
  int64_t id = 0;
  std::string kind;
  std::vector<std::string> targets;
  std::string reason;  // "planned", "quiet", "terminal", "teardown"
  Millis lasted{0};
  Json effect = nullptr;  // what it did while in force (ActiveFault::effect), when known
  Json Fields() const;
};

struct FaultFailed {
  int64_t id = 0;
  std::string kind;
  std::vector<std::string> targets;
  std::string error;
  Json Fields() const;
};

// Reads a `fault` event's kind and action ("begin", "heal", "failed"); nullopt for other events.
struct FaultAction {
  std::string action;
  std::string kind;
};
std::optional<FaultAction> FaultActionOf(const Event& e);

}  // namespace faultline::faults
