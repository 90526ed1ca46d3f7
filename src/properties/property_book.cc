#include "properties/property_book.h"

#include <algorithm>

namespace faultline::properties {
namespace {

using sdk::AssertKind;

std::string SourceOf(const Json& fields) {
  std::string service = JsonString(fields, "service");
  if (!service.empty()) return "service " + service;
  std::string command = JsonString(fields, "command");
  int64_t id = JsonInt(fields, "id", JsonInt(fields, "invocation", -1));
  return id >= 0 ? fmt::format("{} #{}", command, id) : command;
}

Example MakeExample(const HistoryRef& h, const Event& e, Json location, Json details) {
  return Example{h.index,
                 h.seed,
                 SourceOf(e.fields),
                 static_cast<double>(e.t_us) / 1e6,
                 std::move(location),
                 std::move(details)};
}

// Whether an evaluation line satisfied a property of this kind.
bool Satisfies(AssertKind kind, bool condition) {
  switch (kind) {
    case AssertKind::kAlways:
    case AssertKind::kAlwaysOrUnreachable:
    case AssertKind::kSometimes:
      return condition;
    case AssertKind::kReachable:
      return true;
    case AssertKind::kUnreachable:
      return false;  // reaching it is the failure, whatever condition says
  }
  return false;
}

}  // namespace

std::string FaultInjectedName(const std::string& kind) { return "fault " + kind + " was injected"; }

std::string ExitsZeroName(const std::string& command) { return command + " exits 0"; }
std::string ExitsZeroOnceName(const std::string& command) {
  return command + " exits 0 at least once";
}

Verdict Evaluate(const Property& p) {
  Verdict v;
  v.reached = p.hits > 0;
  auto fail = [&](std::string reason) {
    v.outcome = Outcome::kFailed;
    v.reason = std::move(reason);
    return v;
  };
  switch (p.kind) {
    case AssertKind::kAlways:
      if (p.failures > 0) return fail(fmt::format("false in {} invocation(s)", p.failures));
      if (p.hits == 0) return fail("never reached");
      return v;
    case AssertKind::kAlwaysOrUnreachable:
      if (p.failures > 0) return fail(fmt::format("false in {} invocation(s)", p.failures));
      if (p.hits == 0) v.reason = "never reached";
      return v;
    case AssertKind::kSometimes:
      if (p.passes > 0) return v;
      if (p.hits == 0) {
        // A built-in "exits 0 at least once" whose every invocation was killed has no verdict.
        if (p.builtin) {
          v.reason = "no invocation finished on its own";
          return v;
        }
        return fail("never reached");
      }
      return fail(fmt::format("never true (false in {} invocation(s))", p.failures));
    case AssertKind::kReachable:
      if (p.hits == 0) return fail("never reached");
      return v;
    case AssertKind::kUnreachable:
      if (p.hits > 0) return fail(fmt::format("reached in {} invocation(s)", p.hits));
      v.reason = "never reached";
      return v;
  }
  return v;
}

Property& PropertyBook::Get(const std::string& id, AssertKind kind, const std::string& display_type,
                            bool builtin) {
  auto [it, inserted] = properties_.try_emplace(id);
  Property& p = it->second;
  if (inserted) {
    p.id = id;
    p.kind = kind;
    p.display_type = display_type;
    p.builtin = builtin;
    p.order = next_order_++;
  } else if (p.kind != kind) {
    kind_conflicts_.insert(id);
  }
  return p;
}

void PropertyBook::Evaluated(Property& p, bool pass, Example example) {
  ++p.hits;
  if (pass) {
    ++p.passes;
    if (!p.first_pass) p.first_pass = std::move(example);
  } else {
    ++p.failures;
    if (!p.first_fail) p.first_fail = std::move(example);
  }
}

void PropertyBook::Add(const HistoryRef& h, const Event& e) {
  if (e.type == EventType::kAssert) {
    AddAssertion(h, e);
  } else {
    AddBuiltin(h, e);
  }
}

void PropertyBook::AddAssertion(const HistoryRef& h, const Event& e) {
  auto a = sdk::Assertion::FromJson(JsonMember(e.fields, "assert"));
  if (!a) return;  // the reader validated it; a hand-edited timeline may not be
  Property& p = Get(a->id, a->kind, a->display_type, /*builtin=*/false);
  if (p.location.is_null() && !a->location.is_null()) p.location = a->location;
  if (!a->hit) {
    p.registered = true;
    return;
  }
  Evaluated(p, Satisfies(p.kind, a->condition), MakeExample(h, e, a->location, a->details));
}

void PropertyBook::AddBuiltin(const HistoryRef& h, const Event& e) {
  const Json& f = e.fields;
  switch (e.type) {
    case EventType::kHistoryStart:
      Get(kSetupCompletes, AssertKind::kAlways, "Always", true).registered = true;
      Get(kNoUnexpectedServiceExits, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true)
          .registered = true;
      Get(kCommandsFinishInTime, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true)
          .registered = true;
      break;
    case EventType::kSetupComplete:
      Evaluated(Get(kSetupCompletes, AssertKind::kAlways, "Always", true), true,
                MakeExample(h, e, nullptr, JsonMember(f, "details")));
      break;
    case EventType::kSetupFailed:
      Evaluated(Get(kSetupCompletes, AssertKind::kAlways, "Always", true), false,
                MakeExample(h, e, nullptr, {{"unhealthy", JsonMember(f, "unhealthy")}}));
      break;
    case EventType::kServiceExit:
      if (!JsonBool(f, "expected", true)) {
        histories_with_unexpected_exit_.insert(h.index);
        Evaluated(Get(kNoUnexpectedServiceExits, AssertKind::kAlwaysOrUnreachable,
                      "AlwaysOrUnreachable", true),
                  false, MakeExample(h, e, nullptr, f));
      }
      break;
    case EventType::kHistoryEnd:
      // A configured kind this history never injected counts against "fault <kind> was
      // injected", so a run in which it never happened fails it, with the histories counted.
      for (const auto& kind : faults_not_injected_[h.index]) {
        Evaluated(Get(FaultInjectedName(kind), AssertKind::kSometimes, "Sometimes", true), false,
                  MakeExample(h, e, nullptr, {{"kind", kind}}));
      }
      faults_not_injected_.erase(h.index);
      if (!histories_with_unexpected_exit_.count(h.index)) {
        Evaluated(Get(kNoUnexpectedServiceExits, AssertKind::kAlwaysOrUnreachable,
                      "AlwaysOrUnreachable", true),
                  true, MakeExample(h, e, nullptr, nullptr));
      }
      break;
    case EventType::kCommandStart: {
      std::string command = JsonString(f, "command");
      Get(ExitsZeroName(command), AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true)
          .registered = true;
      Get(ExitsZeroOnceName(command), AssertKind::kSometimes, "Sometimes", true).registered = true;
      break;
    }
    case EventType::kCommandEnd: {
      std::string command = JsonString(f, "command");
      std::string killed = JsonString(f, "killed");
      Property& in_time =
          Get(kCommandsFinishInTime, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true);
      Evaluated(in_time, killed != "timeout", MakeExample(h, e, nullptr, f));
      // An invocation that faultline killed (timeout, terminal phase, fault) counts as neither.
      if (!killed.empty()) break;
      bool zero = JsonInt(f, "code", -1) == 0 && JsonMember(f, "signal").is_null();
      Evaluated(Get(ExitsZeroName(command), AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable",
                    true),
                zero, MakeExample(h, e, nullptr, f));
      Evaluated(Get(ExitsZeroOnceName(command), AssertKind::kSometimes, "Sometimes", true), zero,
                MakeExample(h, e, nullptr, f));
      break;
    }
    case EventType::kFaultSwarm:
      for (const auto& kind : JsonMember(f, "configured")) {
        if (!kind.is_string()) continue;
        Get(FaultInjectedName(kind.get<std::string>()), AssertKind::kSometimes, "Sometimes", true)
            .registered = true;
        faults_not_injected_[h.index].insert(kind.get<std::string>());
      }
      Get(kFaultsHealCleanly, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true)
          .registered = true;
      break;
    case EventType::kFault: {
      std::string action = JsonString(f, "action");
      Property& clean =
          Get(kFaultsHealCleanly, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true);
      if (action == "begin") {
        Evaluated(Get(FaultInjectedName(JsonString(f, "kind")), AssertKind::kSometimes, "Sometimes",
                      true),
                  true, MakeExample(h, e, nullptr, f));
      } else if (action == "heal") {
        Evaluated(clean, true, MakeExample(h, e, nullptr, f));
      } else if (action == "failed") {
        Evaluated(clean, false, MakeExample(h, e, nullptr, f));
      }
      break;
    }
    default:
      break;
  }
}

std::vector<const Property*> PropertyBook::Sorted() const {
  std::vector<const Property*> out;
  out.reserve(properties_.size());
  for (const auto& [id, p] : properties_) out.push_back(&p);
  std::stable_sort(out.begin(), out.end(), [](const Property* a, const Property* b) {
    bool fa = Evaluate(*a).outcome == Outcome::kFailed;
    bool fb = Evaluate(*b).outcome == Outcome::kFailed;
    if (fa != fb) return fa;
    return a->order < b->order;
  });
  return out;
}

const Property* PropertyBook::Find(const std::string& id) const {
  auto it = properties_.find(id);
  return it == properties_.end() ? nullptr : &it->second;
}

bool PropertyBook::AnyFailed() const {
  return std::any_of(properties_.begin(), properties_.end(), [](const auto& kv) {
    return Evaluate(kv.second).outcome == Outcome::kFailed;
  });
}

}  // namespace faultline::properties
