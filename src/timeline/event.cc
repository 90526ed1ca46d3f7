#include "timeline/event.h"

#include <array>
#include <cmath>
#include <utility>

#include "base/json.h"
#include "base/strings.h"

namespace faultline {
namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 19> kNames = {{
    {EventType::kHistoryStart, "history_start"},
    {EventType::kDecision, "decision"},
    {EventType::kServiceStart, "service_start"},
    {EventType::kServiceHealthy, "service_healthy"},
    {EventType::kServiceExit, "service_exit"},
    {EventType::kSetupComplete, "setup_complete"},
    {EventType::kSetupFailed, "setup_failed"},
    {EventType::kCommandStart, "command_start"},
    {EventType::kCommandEnd, "command_end"},
    {EventType::kAssert, "assert"},
    {EventType::kSdkEvent, "sdk_event"},
    {EventType::kGuidance, "guidance"},
    {EventType::kSdkSkipped, "sdk_skipped"},
    {EventType::kFaults, "faults"},
    {EventType::kFault, "fault"},
    {EventType::kFaultSwarm, "fault_swarm"},
    {EventType::kQuietRequest, "quiet_request"},
    {EventType::kWarning, "warning"},
    {EventType::kHistoryEnd, "history_end"},
}};

}  // namespace

std::string_view EventTypeName(EventType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "unknown";
}

std::optional<EventType> EventTypeFromName(std::string_view name) {
  for (const auto& [t, n] : kNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

const Json& JsonMember(const Json& object, std::string_view key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string JsonString(const Json& object, std::string_view key, std::string_view fallback) {
  const Json& v = JsonMember(object, key);
  return v.is_string() ? v.get<std::string>() : std::string(fallback);
}

int64_t JsonInt(const Json& object, std::string_view key, int64_t fallback) {
  const Json& v = JsonMember(object, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) return static_cast<int64_t>(v.get<uint64_t>());
  return fallback;
}

bool JsonBool(const Json& object, std::string_view key, bool fallback) {
  const Json& v = JsonMember(object, key);
  return v.is_boolean() ? v.get<bool>() : fallback;
}

std::string Event::ToJsonLine() const {
  Json j = Json::object();
  // Seconds with microsecond precision read well in a timeline and round-trip exactly.
  j["t"] = static_cast<double>(t_us) / 1e6;
  j["type"] = EventTypeName(type);
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
  }
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<Event> Event::FromJsonLine(std::string_view line) {
  // Timelines may be hand-edited: bound the depth before parsing (printing a deeply nested value
  // again recurses once per level), as the SDK reader does.
  if (JsonNestsDeeperThan(line, kMaxEventDepth)) return std::nullopt;
  Json j = ParseJson(line);
  if (!j.is_object()) return std::nullopt;
  auto t = j.find("t");
  auto type = j.find("type");
  if (t == j.end() || !t->is_number() || type == j.end() || !type->is_string()) {
    return std::nullopt;
  }
  // Seconds since the history began; past ~30,000 years the microseconds overflow int64.
  if (!(std::fabs(t->get<double>()) < 1e12)) return std::nullopt;
  auto parsed_type = EventTypeFromName(type->get<std::string>());
  if (!parsed_type) return std::nullopt;
  Event e;
  e.t_us = std::llround(t->get<double>() * 1e6);
  e.type = *parsed_type;
  j.erase("t");
  j.erase("type");
  e.fields = std::move(j);
  return e;
}

}  // namespace faultline
