#include "sdk/protocol.h"

#include "base/json.h"
#include "base/strings.h"
#include "base/terminal.h"

namespace faultline::sdk {
namespace {

Result<bool> BoolField(const Json& body, const char* key, std::optional<bool> fallback) {
  auto it = body.find(key);
  if (it == body.end()) {
    if (fallback) return *fallback;
    return Unexpected(fmt::format("antithesis_assert has no '{}'", key));
  }
  if (!it->is_boolean())
    return Unexpected(fmt::format("antithesis_assert '{}' is not a boolean", key));
  return it->get<bool>();
}

std::string StringField(const Json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Falls back on display_type when an SDK leaves out assert_type.
std::optional<AssertKind> KindOf(std::string_view assert_type, std::string_view display_type,
                                 bool must_hit) {
  if (assert_type == "always") {
    return must_hit ? AssertKind::kAlways : AssertKind::kAlwaysOrUnreachable;
  }
  if (assert_type == "sometimes") return AssertKind::kSometimes;
  if (assert_type == "reachability") {
    return must_hit ? AssertKind::kReachable : AssertKind::kUnreachable;
  }
  if (!assert_type.empty()) return std::nullopt;
  if (display_type.starts_with("AlwaysOrUnreachable")) return AssertKind::kAlwaysOrUnreachable;
  if (display_type.starts_with("Always")) return AssertKind::kAlways;
  if (display_type.starts_with("Sometimes")) return AssertKind::kSometimes;
  if (display_type == "Reachable") return AssertKind::kReachable;
  if (display_type == "Unreachable") return AssertKind::kUnreachable;
  return std::nullopt;
}

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

std::string_view AssertKindName(AssertKind kind) {
  switch (kind) {
    case AssertKind::kAlways:
      return "Always";
    case AssertKind::kAlwaysOrUnreachable:
      return "AlwaysOrUnreachable";
    case AssertKind::kSometimes:
      return "Sometimes";
    case AssertKind::kReachable:
      return "Reachable";
    case AssertKind::kUnreachable:
      return "Unreachable";
  }
  return "Always";
}

Result<Assertion> Assertion::FromJson(const Json& body) { return ParseAssertion(body, nullptr); }

Result<Assertion> ParseAssertion(const Json& body, DropReason* reason) {
  if (reason) *reason = DropReason::kNotProtocol;
  if (!body.is_object()) return Unexpected("antithesis_assert is not an object");
  Assertion a;
  a.message = StringField(body, "message");
  a.id = StringField(body, "id");
  if (a.id.empty()) a.id = a.message;
  if (a.message.empty()) a.message = a.id;
  if (a.id.empty()) return Unexpected("antithesis_assert has neither 'id' nor 'message'");
  a.display_type = StringField(body, "display_type");
  auto hit = BoolField(body, "hit", std::nullopt);
  if (!hit) return Unexpected(hit.error());
  a.hit = *hit;
  // Registrations carry condition false; some SDKs leave it out entirely.
  auto condition = BoolField(body, "condition", false);
  if (!condition) return Unexpected(condition.error());
  a.condition = *condition;
  std::string assert_type = StringField(body, "assert_type");
  std::optional<bool> default_must_hit;
  if (assert_type.empty() || !body.contains("must_hit")) {
    // Infer must_hit from the display type when an SDK leaves it out.
    if (a.display_type.starts_with("AlwaysOrUnreachable") || a.display_type == "Unreachable") {
      default_must_hit = false;
    } else if (!a.display_type.empty()) {
      default_must_hit = true;
    }
  }
  auto must_hit = BoolField(body, "must_hit", default_must_hit);
  if (!must_hit) return Unexpected(must_hit.error());
  a.must_hit = *must_hit;
  auto kind = KindOf(assert_type, a.display_type, a.must_hit);
  if (!kind) {
    if (reason) *reason = DropReason::kUnknownAssertType;
    return Unexpected(
        fmt::format("antithesis_assert has an unknown assert_type '{}'", assert_type));
  }
  a.kind = *kind;
  if (a.display_type.empty()) a.display_type = std::string(AssertKindName(a.kind));
  if (auto it = body.find("location"); it != body.end()) a.location = *it;
  if (auto it = body.find("details"); it != body.end()) a.details = *it;
  return a;
}

Json Assertion::ToJson() const {
  std::string_view assert_type = "always";
  if (kind == AssertKind::kSometimes) assert_type = "sometimes";
  if (kind == AssertKind::kReachable || kind == AssertKind::kUnreachable) {
    assert_type = "reachability";
  }
  return Json{{"assert_type", assert_type}, {"display_type", display_type},
              {"condition", condition},     {"hit", hit},
              {"must_hit", must_hit},       {"id", id},
              {"message", message},         {"location", location},
              {"details", details}};
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
