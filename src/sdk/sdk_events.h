// SDK lines as timeline events: what the composer records for every line it reads from a command's
// or a service's SDK file, and what the property book consumes (an assertion becomes a kAssert
// event whose "assert" field is the antithesis_assert body). Pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>

#include "sdk/protocol.h"
#include "timeline/event.h"

namespace faultline::sdk {

// The antithesis_assert body of an assertion, rebuilt in the protocol's field names, so that
// Assertion::FromJson(AssertionBody(a)) gives `a` back.
Json AssertionBody(const Assertion& a);

// The timeline event that records `line` at `t_us`. `source` names where the line came from
// ({"command": "t/parallel_driver_x", "id": 4} or {"service": "db"}); its fields are copied into
// the event. kAssert gets "assert", kSdkEvent "name" and "details", kGuidance "guidance",
// kSetupComplete "via": "sdk" and "details". Returns nullopt for the informational antithesis_sdk
// line, which is no event.
std::optional<Event> ToTimelineEvent(const SdkLine& line, const Json& source, int64_t t_us);

}  // namespace faultline::sdk
