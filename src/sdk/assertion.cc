#include "sdk/assertion.h"

#include <fmt/format.h>

#include <optional>

namespace faultline::sdk {
namespace {

using Member = AssertionMembers::Member;

std::string Text(const Member& m) {
  return m.type == Member::Type::kString ? std::string(m.text) : std::string();
}

// A boolean member: absent gives `fallback` (an error without one), any other type an error.
Result<bool> Bool(const Member& m, const char* key, std::optional<bool> fallback) {
  if (m.type == Member::Type::kAbsent) {
    if (fallback) return *fallback;
    return Unexpected(fmt::format("antithesis_assert has no '{}'", key));
  }
  if (m.type != Member::Type::kBool) {
    return Unexpected(fmt::format("antithesis_assert '{}' is not a boolean", key));
  }
  return m.value;
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

Member MemberOf(const Json& v) {
  if (v.is_string()) {
    return {.type = Member::Type::kString, .text = v.get_ref<const std::string&>()};
  }
  if (v.is_boolean()) return {.type = Member::Type::kBool, .value = v.get<bool>()};
  return {.type = Member::Type::kOther};
}

}  // namespace

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

AssertionMembers::Member* AssertionMembers::Named(std::string_view key) {
  if (key == "id") return &id;
  if (key == "message") return &message;
  if (key == "display_type") return &display_type;
  if (key == "assert_type") return &assert_type;
  if (key == "hit") return &hit;
  if (key == "condition") return &condition;
  if (key == "must_hit") return &must_hit;
  return nullptr;
}

Result<Assertion> Assertion::FromMembers(const AssertionMembers& m, bool* unknown_type) {
  if (unknown_type) *unknown_type = false;
  Assertion a;
  a.message = Text(m.message);
  a.id = Text(m.id);
  if (a.id.empty()) a.id = a.message;
  if (a.message.empty()) a.message = a.id;
  if (a.id.empty()) return Unexpected("antithesis_assert has neither 'id' nor 'message'");
  a.display_type = Text(m.display_type);
  auto hit = Bool(m.hit, "hit", std::nullopt);
  if (!hit) return Unexpected(hit.error());
  a.hit = *hit;
  // Registrations carry condition false; some SDKs leave it out entirely.
  auto condition = Bool(m.condition, "condition", false);
  if (!condition) return Unexpected(condition.error());
  a.condition = *condition;
  std::string_view assert_type =
      m.assert_type.type == Member::Type::kString ? m.assert_type.text : std::string_view();
  std::optional<bool> default_must_hit;
  if (assert_type.empty() || m.must_hit.type == Member::Type::kAbsent) {
    // Infer must_hit from the display type when an SDK leaves it out.
    if (a.display_type.starts_with("AlwaysOrUnreachable") || a.display_type == "Unreachable") {
      default_must_hit = false;
    } else if (!a.display_type.empty()) {
      default_must_hit = true;
    }
  }
  auto must_hit = Bool(m.must_hit, "must_hit", default_must_hit);
  if (!must_hit) return Unexpected(must_hit.error());
  a.must_hit = *must_hit;
  auto kind = KindOf(assert_type, a.display_type, a.must_hit);
  if (!kind) {
    if (unknown_type) *unknown_type = true;
    return Unexpected(
        fmt::format("antithesis_assert has an unknown assert_type '{}'", assert_type));
  }
  a.kind = *kind;
  if (a.display_type.empty()) a.display_type = std::string(AssertKindName(a.kind));
  return a;
}

Result<Assertion> Assertion::FromJson(const Json& body, bool* unknown_type) {
  if (unknown_type) *unknown_type = false;
  if (!body.is_object()) return Unexpected("antithesis_assert is not an object");
  AssertionMembers members;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (auto* m = members.Named(it.key())) *m = MemberOf(it.value());
  }
  auto a = FromMembers(members, unknown_type);
  if (!a) return a;
  if (auto it = body.find("location"); it != body.end()) a->location = *it;
  if (auto it = body.find("details"); it != body.end()) a->details = *it;
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

}  // namespace faultline::sdk
