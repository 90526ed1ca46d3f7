#include "sdk/protocol.h"

#include "base/json.h"
#include "base/strings.h"
#include "base/terminal.h"

namespace faultline::sdk {
namespace {

struct Screened {
  DropReason reason;
  std::string message;
};

// Looks at a line's bytes before the JSON parser does: invalid UTF-8 anywhere, nesting deeper than
// the cap, and the bare NaN/Infinity that some JSON writers emit. No allocation.
std::optional<Screened> Screen(std::string_view line) {
  if (size_t at = InvalidUtf8At(line); at != std::string_view::npos) {
    return Screened{DropReason::kInvalidUtf8,
                    fmt::format("invalid UTF-8 (byte 0x{:02x} at column {})",
                                static_cast<unsigned char>(line[at]), at + 1)};
  }
  if (JsonNestsDeeperThan(line, kMaxSdkLineDepth)) {
    return Screened{DropReason::kTooDeep,
                    fmt::format("nested deeper than {} levels", kMaxSdkLineDepth)};
  }
  // JSON has no NaN or Infinity, but some writers emit them bare: name that, not "not JSON".
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if ((c == 'N' || c == 'I') &&
               (line.substr(i).starts_with("NaN") || line.substr(i).starts_with("Infinity"))) {
      return Screened{DropReason::kNanOrInfinity,
                      "NaN or Infinity, which JSON does not allow (write null or a string)"};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kInvalidUtf8:
      return "invalid UTF-8";
    case DropReason::kTooLong:
      return "line too long";
    case DropReason::kTooDeep:
      return "nested too deeply";
    case DropReason::kNanOrInfinity:
      return "NaN or Infinity";
    case DropReason::kUnknownAssertType:
      return "unknown assert_type";
    case DropReason::kNotJson:
      return "not JSON";
    case DropReason::kNotProtocol:
      return "not a protocol line";
    case DropReason::kBeyondSizeCap:
      return "beyond the file size cap";
  }
  return "unknown";
}

Result<Assertion> ParseAssertion(const Json& body, DropReason* reason) {
  bool unknown_type = false;
  auto a = Assertion::FromJson(body, &unknown_type);
  if (reason) *reason = unknown_type ? DropReason::kUnknownAssertType : DropReason::kNotProtocol;
  return a;
}

Result<SdkLine> ParseSdkLine(std::string_view line, DropReason* reason) {
  auto reject = [&](DropReason why, std::string message) {
    if (reason) *reason = why;
    return Unexpected(std::move(message));
  };
  if (auto screened = Screen(line)) return reject(screened->reason, std::move(screened->message));
  Json j = ParseJson(line);
  if (j.is_discarded()) return reject(DropReason::kNotJson, "not JSON");
  if (!j.is_object()) return reject(DropReason::kNotProtocol, "not a JSON object");
  if (j.size() != 1) {
    return reject(DropReason::kNotProtocol,
                  fmt::format("{} top-level keys (expected exactly one)", j.size()));
  }
  auto it = j.begin();
  const std::string& key = it.key();
  Json& body = it.value();
  if (key == "antithesis_assert") {
    DropReason why = DropReason::kNotProtocol;
    auto a = ParseAssertion(body, &why);
    if (!a) return reject(why, a.error());
    return SdkLine(std::move(*a));
  }
  if (key == "antithesis_setup") {
    if (!body.is_object() || JsonString(body, "status") != "complete") {
      return reject(DropReason::kNotProtocol, "antithesis_setup without status 'complete'");
    }
    return SdkLine(SetupComplete{JsonMember(body, "details")});
  }
  if (key == "antithesis_guidance") return SdkLine(Guidance{std::move(body)});
  if (key == "antithesis_sdk") return SdkLine(SdkInfo{std::move(body)});
  return SdkLine(UserEvent{key, std::move(body)});
}

}  // namespace faultline::sdk
