#include "timeline/event.h"

#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstring>
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
  if (assertion) j["assert"] = assertion->ToJson();
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Event Event::Of(int64_t t_us, EventType type, Json fields) {
  Event e{.t_us = t_us, .type = type, .fields = std::move(fields)};
  if (type != EventType::kAssert || !e.fields.is_object()) return e;
  if (auto it = e.fields.find("assert"); it != e.fields.end()) {
    if (auto a = sdk::Assertion::FromJson(*it)) {
      e.assertion = std::move(*a);
      e.fields.erase(it);
    }
  }
  return e;
}

Event Event::Assert(int64_t t_us, Json source, sdk::Assertion assertion) {
  Event e{.t_us = t_us, .type = EventType::kAssert, .fields = std::move(source)};
  e.assertion = std::move(assertion);
  return e;
}

namespace {

// Takes an assertion's details and location off, asks the filter which to keep, and puts those
// back.
void FilterAssertion(sdk::Assertion& a, const AssertPayloadFilter& filter) {
  Json details = std::exchange(a.details, nullptr);
  Json location = std::exchange(a.location, nullptr);
  AssertPayload keep = filter(a, !location.is_null());
  if (keep.details) a.details = std::move(details);
  if (keep.location) a.location = std::move(location);
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
  int64_t t_us = std::llround(t->get<double>() * 1e6);
  j.erase("t");
  j.erase("type");
  Event e = Event::Of(t_us, *parsed_type, std::move(j));
  if (filter && e.assertion) FilterAssertion(*e.assertion, *filter);
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

// Whether a byte of `s` is below 0x20, eight bytes at a time (a byte-wise loop was half of what
// reading a line cost besides simdjson): x - 0x20 borrows into a byte's top bit only where that
// byte is below 0x20 or follows one that is, and & ~x drops the bytes at or above 0x80.
bool HasControlCharacter(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    if ((x - kOnes * 0x20) & ~x & (kOnes * 0x80)) return true;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) < 0x20) return true;
  }
  return false;
}

// An assert event's "assert" member read by simdjson, as Event::Of and FilterAssertion read it
// from nlohmann's: the protocol's rules decide (Assertion::FromMembers), and details and location
// are converted only if the filter keeps them.
enum class FastAssertion { kTyped, kInvalid, kUndecided };
FastAssertion ParseAssertion(simdjson::dom::element body, const AssertPayloadFilter* filter,
                             bool& filtered, std::optional<sdk::Assertion>& out) {
  using Member = sdk::AssertionMembers::Member;
  using Type = simdjson::dom::element_type;
  simdjson::dom::object object;
  if (body.get_object().get(object)) return FastAssertion::kInvalid;
  sdk::AssertionMembers members;
  simdjson::dom::element details, location;
  bool has_details = false, has_location = false;
  for (auto [key, v] : object) {  // duplicate keys: the last counts, as in nlohmann's parser
    if (key == "details") {
      details = v;
      has_details = true;
    } else if (key == "location") {
      location = v;
      has_location = true;
    } else if (Member* m = members.Named(key)) {
      if (v.type() == Type::STRING) {
        *m = {.type = Member::Type::kString, .text = std::string_view(v)};
      } else if (v.type() == Type::BOOL) {
        *m = {.type = Member::Type::kBool, .value = bool(v)};
      } else {
        *m = {.type = Member::Type::kOther};
      }
    }
  }
  auto a = sdk::Assertion::FromMembers(members);
  if (!a) return FastAssertion::kInvalid;
  has_details = has_details && details.type() != Type::NULL_VALUE;
  has_location = has_location && location.type() != Type::NULL_VALUE;
  AssertPayload keep{};
  if (filter) {
    filtered = true;
    keep = (*filter)(*a, has_location);
  }
  if (has_details && keep.details && !Convert(details, a->details))
    return FastAssertion::kUndecided;
  if (has_location && keep.location && !Convert(location, a->location)) {
    return FastAssertion::kUndecided;
  }
  out = std::move(*a);
  return FastAssertion::kTyped;
}

// The line parsed by simdjson into the same Event; false to leave it to nlohmann's parser.
// `filtered` says whether the filter was asked (it must not be asked twice about a line).
bool ParseFast(std::string_view line, const AssertPayloadFilter* filter, Event& e, bool& filtered) {
  // Control characters are legal only as whitespace between tokens, which faultline never
  // writes; nlohmann's parser rejects them inside strings, simdjson does not.
  if (HasControlCharacter(line)) return false;
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
  simdjson::dom::element body;  // "assert", read once the type is known
  bool has_body = false;
  for (auto [key, v] : top) {
    if (key == "t") {
      double seconds;
      if (v.get_double().get(seconds)) return false;  // any number; not a number: nlohmann says
      t = seconds;
    } else if (key == "type") {
      std::string_view name;
      if (v.get_string().get(name)) return false;
      type_name = name;
    } else if (key == "assert") {
      body = v;
      has_body = true;
    } else if (!Convert(v, fields[std::string(key)])) {
      return false;
    }
  }
  if (!t || !type_name || !(std::fabs(*t) < 1e12)) return false;
  auto type = EventTypeFromName(*type_name);
  if (!type) return false;
  std::optional<sdk::Assertion> assertion;
  if (has_body) {
    FastAssertion read = *type == EventType::kAssert
                             ? ParseAssertion(body, filter, filtered, assertion)
                             : FastAssertion::kInvalid;
    if (read == FastAssertion::kUndecided) return false;
    if (read == FastAssertion::kInvalid && !Convert(body, fields["assert"])) return false;
  }
  e.t_us = std::llround(*t * 1e6);
  e.type = *type;
  e.fields = std::move(fields);
  e.assertion = std::move(assertion);
  return true;
}

}  // namespace

std::optional<Event> Event::FromJsonLine(std::string_view line, const AssertPayloadFilter* filter) {
  Event e{.fields = Json()};  // not an empty object: ParseFast gives it its fields
  bool filtered = false;
  if (ParseFast(line, filter, e, filtered)) return e;  // within its own depth bound
  // The filter has said what it keeps of this line: nlohmann's parser keeps all of it.
  return FromJsonLineReference(line, filtered ? nullptr : filter);
}

std::optional<Event> Event::FromJsonLineReference(std::string_view line,
                                                  const AssertPayloadFilter* filter) {
  // Timelines may be hand-edited: bound the depth before parsing (printing a deeply nested value
  // again recurses once per level), as the SDK reader does.
  if (JsonNestsDeeperThan(line, kMaxEventDepth)) return std::nullopt;
  return ParseWithNlohmann(line, filter);
}

}  // namespace faultline
