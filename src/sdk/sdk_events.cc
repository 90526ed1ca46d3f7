#include "sdk/sdk_events.h"

namespace faultline::sdk {
namespace {

std::string_view AssertTypeOf(AssertKind kind) {
  switch (kind) {
    case AssertKind::kAlways:
    case AssertKind::kAlwaysOrUnreachable:
      return "always";
    case AssertKind::kSometimes:
      return "sometimes";
    case AssertKind::kReachable:
    case AssertKind::kUnreachable:
      break;
  }
  return "reachability";
}

struct EventOf {
  const Json& source;
  int64_t t_us;

  Event Make(EventType type) const {
    Event e;
    e.t_us = t_us;
    e.type = type;
    if (source.is_object()) e.fields = source;
    return e;
  }
  std::optional<Event> operator()(const Assertion& a) const {
    Event e = Make(EventType::kAssert);
    e.fields["assert"] = AssertionBody(a);
    return e;
  }
  std::optional<Event> operator()(const SetupComplete& s) const {
    Event e = Make(EventType::kSetupComplete);
    e.fields["via"] = "sdk";
    e.fields["details"] = s.details;
    return e;
  }
  std::optional<Event> operator()(const Guidance& g) const {
    Event e = Make(EventType::kGuidance);
    e.fields["guidance"] = g.body;
    return e;
  }
  std::optional<Event> operator()(const UserEvent& u) const {
    Event e = Make(EventType::kSdkEvent);
    e.fields["name"] = u.name;
    e.fields["details"] = u.details;
    return e;
  }
  std::optional<Event> operator()(const SdkInfo&) const { return std::nullopt; }
};

}  // namespace

Json AssertionBody(const Assertion& a) {
  return Json{{"assert_type", AssertTypeOf(a.kind)},
              {"display_type", a.display_type},
              {"condition", a.condition},
              {"hit", a.hit},
              {"must_hit", a.must_hit},
              {"id", a.id},
              {"message", a.message},
              {"location", a.location},
              {"details", a.details}};
}

std::optional<Event> ToTimelineEvent(const SdkLine& line, const Json& source, int64_t t_us) {
  return std::visit(EventOf{source, t_us}, line);
}

}  // namespace faultline::sdk
