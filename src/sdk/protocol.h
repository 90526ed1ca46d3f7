// The SDK protocol's lines (../shared/spec/sdk-protocol.md): one JSON object per line with exactly
// one top-level key. ParseSdkLine turns a line into a typed SdkLine or says why it is not one;
// Assertion::FromJson validates an antithesis_assert body. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "base/status.h"
#include "sdk/assertion.h"
#include "timeline/event.h"

namespace faultline::sdk {

// Why a line of SDK output could not be used. Every dropped line is counted under one reason, so a
// report can say exactly what was lost (a failing assertion may be among it).
enum class DropReason {
  kInvalidUtf8,        // a byte that is not part of valid UTF-8
  kTooLong,            // longer than the reader's line cap
  kTooDeep,            // arrays/objects nested deeper than kMaxSdkLineDepth
  kNanOrInfinity,      // NaN or Infinity, which JSON does not have
  kUnknownAssertType,  // an assert_type (or display_type) that names no known kind
  kNotJson,            // any other JSON syntax error
  kNotProtocol,        // JSON, but not a protocol line (not an object, several keys, bad fields)
  kBeyondSizeCap,      // bytes past the reader's file size cap (counted in bytes, not lines)
};
inline constexpr int kDropReasonCount = 8;
// A short name for reports: "invalid UTF-8", "nested too deeply", ...
std::string_view DropReasonName(DropReason reason);

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

// Lines nested deeper than this are rejected before they are parsed: a parser and a printer of
// JSON recurse once per level, and an SDK has no business nesting hundreds of levels.
inline constexpr int kMaxSdkLineDepth = 256;

// Assertion::FromJson, and on failure the class of the problem in *reason (when given).
Result<Assertion> ParseAssertion(const Json& body, DropReason* reason);

// Parses one line (without its newline). An error says why the line is not protocol: not JSON,
// not an object, not exactly one key, or a malformed assertion; `reason`, when given, receives the
// class of the problem.
Result<SdkLine> ParseSdkLine(std::string_view line, DropReason* reason = nullptr);

}  // namespace faultline::sdk
