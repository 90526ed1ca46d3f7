#include "timeline/event.h"

#include <simdjson.h>

#include <array>
#include <cmath>
#include <string>
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

namespace {

// Splits an assertion's details and location off, asks the filter which to keep, and puts those
// back.
void FilterAssertion(Json& assertion, const AssertPayloadFilter& filter) {
  if (!assertion.is_object()) return;
  Json details, location;
  bool had_details = false, had_location = false;
  if (auto it = assertion.find("details"); it != assertion.end()) {
    details = std::move(*it);
    assertion.erase(it);
    had_details = true;
  }
  if (auto it = assertion.find("location"); it != assertion.end()) {
    location = std::move(*it);
    assertion.erase(it);
    had_location = true;
  }
  AssertPayload keep = filter(assertion, had_location);
  if (had_details && keep.details) assertion["details"] = std::move(details);
  if (had_location && keep.location) assertion["location"] = std::move(location);
}

// The line parsed by nlohmann's parser: the reference for what a timeline line means.
std::optional<Event> ParseWithNlohmann(std::string_view line, const AssertPayloadFilter* filter) {
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
  if (filter && e.type == EventType::kAssert) {
    if (auto it = e.fields.find("assert"); it != e.fields.end()) FilterAssertion(*it, *filter);
  }
  return e;
}

// One parsed value as the Json nlohmann's parser would make of it (non-negative integers unsigned,
// the last of duplicate keys kept); false where simdjson cannot tell (a number out of range): the
// caller then leaves the line to nlohmann's parser.
bool Convert(simdjson::dom::element v, Json& out) {
  using Type = simdjson::dom::element_type;
  switch (v.type()) {
    case Type::OBJECT:
      out = Json::object();
      for (auto [key, value] : simdjson::dom::object(v)) {
        if (!Convert(value, out[std::string(key)])) return false;
      }
      return true;
    case Type::ARRAY:
      out = Json::array();
      for (simdjson::dom::element item : simdjson::dom::array(v)) {
        out.push_back(Json());
        if (!Convert(item, out.back())) return false;
      }
      return true;
    case Type::STRING:
      out = std::string(std::string_view(v));
      return true;
    case Type::INT64: {
      int64_t i = int64_t(v);
      if (i >= 0) {
        out = static_cast<uint64_t>(i);
      } else {
        out = i;
      }
      return true;
    }
    case Type::UINT64:
      out = uint64_t(v);
      return true;
    case Type::DOUBLE:
      if (!std::isfinite(double(v))) return false;
      out = double(v);
      return true;
    case Type::BOOL:
      out = bool(v);
      return true;
    case Type::NULL_VALUE:
      out = nullptr;
      return true;
  }
  return false;
}

// A thread's simdjson parser, and the line copied with the padding simdjson reads past its end.
// Its depth bound is below kMaxEventDepth: a line simdjson accepts is never one that
// FromJsonLine's own bound would refuse, and deeper lines are left to that bound.
struct FastParser {
  FastParser() { ready = !parser.allocate(1 << 16, kMaxEventDepth - 1); }
  simdjson::dom::parser parser;
  bool ready = false;  // false: the allocation failed, every line goes to nlohmann's parser
  std::string padded;
};

// The line parsed by simdjson into the same Event; false to leave it to nlohmann's parser. With a
// filter, an assertion's details and location are converted only if the filter keeps them.
bool ParseFast(std::string_view line, const AssertPayloadFilter* filter, Event& e) {
  // Control characters are legal only as whitespace between tokens, which faultline never
  // writes; nlohmann's parser rejects them inside strings, simdjson does not.
  for (char c : line) {
    if (static_cast<unsigned char>(c) < 0x20) return false;
  }
  thread_local FastParser p;
  if (!p.ready) return false;
  p.padded.assign(line);
  p.padded.append(simdjson::SIMDJSON_PADDING, ' ');
  simdjson::dom::element doc;
  simdjson::dom::object top;
  if (p.parser.parse(p.padded.data(), line.size(), /*realloc_if_needed=*/false).get(doc) ||
      doc.get_object().get(top)) {
    return false;
  }
  Json fields = Json::object();
  std::optional<double> t;
  std::optional<std::string_view> type_name;
  simdjson::dom::element details, location;  // an assertion's, not yet converted (filter only)
  bool has_details = false, has_location = false;
  for (auto [key, v] : top) {
    if (key == "t") {
      double seconds;
      if (v.get_double().get(seconds)) return false;  // any number; not a number: nlohmann says
      t = seconds;
    } else if (key == "type") {
      std::string_view name;
      if (v.get_string().get(name)) return false;
      type_name = name;
    } else if (key == "assert" && filter && v.is_object()) {
      Json& out = fields["assert"];
      out = Json::object();
      has_details = has_location = false;
      for (auto [akey, av] : simdjson::dom::object(v)) {
        if (akey == "details") {
          details = av;
          has_details = true;
        } else if (akey == "location") {
          location = av;
          has_location = true;
        } else if (!Convert(av, out[std::string(akey)])) {
          return false;
        }
      }
    } else if (!Convert(v, fields[std::string(key)])) {
      return false;
    }
  }
  if (!t || !type_name || !(std::fabs(*t) < 1e12)) return false;
  auto type = EventTypeFromName(*type_name);
  if (!type) return false;
  if (has_details || has_location) {
    Json& assertion = fields["assert"];
    AssertPayload keep{};
    if (*type == EventType::kAssert) keep = (*filter)(assertion, has_location);
    if (has_details && keep.details && !Convert(details, assertion["details"])) return false;
    if (has_location && keep.location && !Convert(location, assertion["location"])) return false;
  }
  e.t_us = std::llround(*t * 1e6);
  e.type = *type;
  e.fields = std::move(fields);
  return true;
}

}  // namespace

std::optional<Event> Event::FromJsonLine(std::string_view line, const AssertPayloadFilter* filter) {
  Event e;
  if (ParseFast(line, filter, e)) return e;  // within its own depth bound
  return FromJsonLineReference(line, filter);
}

std::optional<Event> Event::FromJsonLineReference(std::string_view line,
                                                  const AssertPayloadFilter* filter) {
  // Timelines may be hand-edited: bound the depth before parsing (printing a deeply nested value
  // again recurses once per level), as the SDK reader does.
  if (JsonNestsDeeperThan(line, kMaxEventDepth)) return std::nullopt;
  return ParseWithNlohmann(line, filter);
}

}  // namespace faultline
