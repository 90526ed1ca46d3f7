// Event: one line of a history's timeline (timeline.jsonl). Every room that observes something
// (a service started, a command ended, an SDK assertion arrived, a fault began) records an Event;
// properties and reports are computed from events alone, so a report can be rebuilt from a
// finished run's folder. Events are plain values; any thread may build one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"
#include "sdk/assertion.h"

namespace faultline {

enum class EventType {
  kHistoryStart,    // seed, template, scenario, budget_ms
  kDecision,        // what, value: one draw of the history's generator
  kServiceStart,    // service, pid, start (1-based count)
  kServiceHealthy,  // service
  kServiceExit,     // service, pid, code | signal, expected (bool), reason
  kSetupComplete,   // via ("sdk" | "healthy"), source, details
  kSetupFailed,     // reason, unhealthy [names]
  kCommandStart,    // id, command ("template/name"), prefix, pid, seed
  kCommandEnd,      // id, command, code | signal, killed ("timeout" | "terminal" | absent), ms
  kAssert,          // source fields, assert: the antithesis_assert object (Event::assertion)
  kSdkEvent,        // source fields, name, details
  kGuidance,        // source fields, guidance: the antithesis_guidance object
  kSdkSkipped,      // file, lines, reason: SDK output that could not be read
  kFaults,          // state ("on" | "off" | "quiet"), reason, seconds
  kFault,       // action ("begin" | "heal" | "failed"), id, kind, targets, params (docs/faults.md)
  kFaultSwarm,  // configured [kinds], enabled [kinds]: this history's share of the fault kinds
  kQuietRequest,  // seconds, from
  kWarning,       // message
  kHistoryEnd,    // reason, ms
};

std::string_view EventTypeName(EventType type);

// Field accessors that never throw: a missing field, a field of another type or a non-object
// gives the default. Timelines may be hand-edited; reading one must not crash.
std::string JsonString(const Json& object, std::string_view key, std::string_view fallback = "");
int64_t JsonInt(const Json& object, std::string_view key, int64_t fallback);
bool JsonBool(const Json& object, std::string_view key, bool fallback);
// The member, or null.
const Json& JsonMember(const Json& object, std::string_view key);
std::optional<EventType> EventTypeFromName(std::string_view name);

// Timeline lines nested deeper than this are not events (faultline writes at most the SDK's bound,
// kMaxSdkLineDepth = 256, plus its own few levels).
inline constexpr int kMaxEventDepth = 300;

// Which parts of an assert event's assertion a reader keeps. A report that already holds a
// property's first passing example needs neither the details nor the location of its later passes,
// and skipping them while parsing is most of what reading a long timeline costs.
struct AssertPayload {
  bool details = true;
  bool location = true;
};
// Asked once per assert event whose assertion validates, with the assertion (its details and
// location still null) and whether the line gives it a location (a non-null one).
using AssertPayloadFilter =
    std::function<AssertPayload(const sdk::Assertion& assertion, bool has_location)>;

struct Event {
  int64_t t_us = 0;  // time since the history began, in microseconds
  EventType type = EventType::kWarning;
  Json fields = Json::object();  // the type's fields (see the list above)
  // An assert event's assertion, validated and typed; its fields then hold only the source
  // fields. Empty for every other type, and for an assert line whose "assert" does not validate
  // (a hand-edited timeline): its fields keep that as written, and properties skip it.
  std::optional<sdk::Assertion> assertion{};

  // The event of a timeline line's fields: an assert event's "assert" becomes its assertion.
  static Event Of(int64_t t_us, EventType type, Json fields);
  // An assert event from `source` (the source fields: command and id, or service).
  static Event Assert(int64_t t_us, Json source, sdk::Assertion assertion);

  // One compact JSON object: {"t":<seconds>,"type":"<name>",<fields...>} (an assertion is its
  // "assert" field).
  std::string ToJsonLine() const;
  // Parses a line written by ToJsonLine; nullopt for anything else. With a filter, an assert
  // event's assertion keeps only the payload the filter asks for.
  static std::optional<Event> FromJsonLine(std::string_view line,
                                           const AssertPayloadFilter* filter = nullptr);
  // The same by nlohmann's parser alone: what a line means. FromJsonLine parses with simdjson and
  // leaves to this whatever simdjson cannot decide; the two always agree (tests, fuzz target).
  static std::optional<Event> FromJsonLineReference(std::string_view line,
                                                    const AssertPayloadFilter* filter = nullptr);
};

}  // namespace faultline
