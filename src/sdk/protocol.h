// The SDK protocol's lines (../shared/spec/sdk-protocol.md): one JSON object per line with exactly
// one top-level key. ParseSdkLine turns a line into a typed SdkLine or says why it is not one;
// Assertion::FromJson validates an antithesis_assert body. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "base/status.h"
#include "timeline/event.h"

namespace faultline::sdk {

// What an assertion promises, from assert_type and must_hit (display_type only names it).
enum class AssertKind {
  kAlways,               // always, must_hit: hit at least once and never false
  kAlwaysOrUnreachable,  // always, !must_hit: never false
  kSometimes,            // sometimes: true at least once
  kReachable,            // reachability, must_hit: hit at least once
  kUnreachable,          // reachability, !must_hit: never hit, whatever condition says
};
std::string_view AssertKindName(AssertKind kind);

struct Assertion {
  std::string id;  // the property's identity; equals message in every SDK
  std::string message;
  std::string display_type;  // "Always", "AlwaysGreaterThan", ...: kept for the report
  AssertKind kind = AssertKind::kAlways;
  bool hit = false;  // false: a catalog registration, not an evaluation
  bool condition = false;
  bool must_hit = false;
  Json location;  // the SDK's location object, or null
  Json details;   // object or null

  // Validates an antithesis_assert body; an error says which field is missing or mistyped.
  static Result<Assertion> FromJson(const Json& body);
  // The antithesis_assert body in the protocol's field names, as the timeline records it:
  // FromJson(ToJson()) gives this assertion back.
  Json ToJson() const;
};

struct SetupComplete {
  Json details;
};
struct Guidance {
  Json body;
};
struct UserEvent {
  std::string name;
  Json details;
};
struct SdkInfo {
  Json body;
};

using SdkLine = std::variant<Assertion, SetupComplete, Guidance, UserEvent, SdkInfo>;

// Parses one line (without its newline). An error says why the line is not protocol: not JSON,
// not an object, not exactly one key, or a malformed assertion.
Result<SdkLine> ParseSdkLine(std::string_view line);

}  // namespace faultline::sdk
