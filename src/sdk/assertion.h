// Assertion: one antithesis_assert body of the SDK protocol (../shared/spec/sdk-protocol.md),
// typed and validated. SDK lines and timeline lines both carry it; the protocol's rules for reading
// a body live in one place (Assertion::FromMembers), and each JSON parser that meets a body only
// says which members it found (AssertionMembers). Pure values, any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/json.h"
#include "base/status.h"

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

// The members of an antithesis_assert body that decide what it is, as a JSON parser found them
// (views into the parser's document, valid while it lives). details and location are the caller's
// to copy: a reader that does not need them never converts them.
struct AssertionMembers {
  struct Member {
    enum class Type { kAbsent, kString, kBool, kOther };
    Type type = Type::kAbsent;
    std::string_view text{};  // kString
    bool value = false;       // kBool
  };
  Member id, message, display_type, assert_type, hit, condition, must_hit;
  // The member named `key`, or null for details, location and keys the protocol does not define.
  Member* Named(std::string_view key);
};

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

  // Validates an antithesis_assert body; an error says which field is missing or mistyped, and
  // *unknown_type (when given) whether it is an assert_type (or display_type) that names no kind.
  static Result<Assertion> FromJson(const Json& body, bool* unknown_type = nullptr);
  // The same rules over a body's members, as any parser found them (location and details are
  // left null).
  static Result<Assertion> FromMembers(const AssertionMembers& members,
                                       bool* unknown_type = nullptr);
  // The antithesis_assert body in the protocol's field names, as the timeline records it:
  // FromJson(ToJson()) gives this assertion back.
  Json ToJson() const;

  bool operator==(const Assertion&) const = default;
};

}  // namespace faultline::sdk
