#include "properties/property_book.h"

#include <algorithm>

#include "base/strings.h"

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

}  // namespace

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
        // A built-in "exits 0 at least once" whose every invocation was killed has no verdict,
        // nor a "fault <kind> was injected" whose kind no history enabled.
        if (p.builtin) {
          v.reason = p.unevaluated_reason;
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

template <typename MakeExample>
void PropertyBook::Evaluated(Property& p, bool pass, MakeExample&& example) {
  ++p.hits;
  if (pass) {
    ++p.passes;
    if (!p.first_pass) p.first_pass = example();
  } else {
    ++p.failures;
    if (!p.first_fail) p.first_fail = example();
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
  if (!e.assertion) return;  // an "assert" that does not validate (a hand-edited timeline)
  const sdk::Assertion& a = *e.assertion;
  Property* known = nullptr;  // one lookup for an id already seen, the common case
  if (auto it = properties_.find(a.id); it != properties_.end()) known = &it->second;
  if (!known && !WithinCap(h, e, a)) return;
  Property& p = known ? *known : Get(a.id, a.kind, a.display_type, /*builtin=*/false);
  if (p.kind != a.kind) kind_conflicts_.insert(a.id);
  if (p.location.is_null() && !a.location.is_null()) p.location = a.location;
  if (!a.hit) {
    p.registered = true;
    return;
  }
  // Only the first pass and the first failure are kept: Evaluated builds (and bounds) just those.
  Evaluated(p, Satisfies(p.kind, a.condition),
            [&] { return MakeBoundedExample(h, e, a.location, a.details); });
}

bool PropertyBook::WithinCap(const HistoryRef& h, const Event& e, const sdk::Assertion& a) {
  if (sdk_properties_ < limits_.max_properties) {
    ++sdk_properties_;
    return true;
  }
  ++lines_over_cap_;
  if (!a.hit) return false;
  bool pass = Satisfies(a.kind, a.condition);
  if (!pass) ++failures_over_cap_;
  Property& cap = Get(kPropertyIdsWithinCap, AssertKind::kAlwaysOrUnreachable,
                      "AlwaysOrUnreachable", /*builtin=*/true);
  if (!cap.first_fail) {
    Json details = {{"cap", limits_.max_properties}, {"first_id_past_cap", a.id}};
    Evaluated(cap, false, [&] { return MakeBoundedExample(h, e, a.location, details); });
  } else {
    ++cap.hits;
    ++cap.failures;
  }
  return false;
}

Example PropertyBook::MakeBoundedExample(const HistoryRef& h, const Event& e, Json location,
                                         const Json& details) const {
  if (details.is_null()) return MakeExample(h, e, std::move(location), nullptr);
  std::string text = details.dump();
  if (text.size() <= limits_.max_example_details_bytes) {
    return MakeExample(h, e, std::move(location), details);
  }
  size_t full = text.size();
  size_t keep = std::min<size_t>(1024, limits_.max_example_details_bytes);
  // Cut on a UTF-8 boundary: the start stays a valid JSON string.
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  text.resize(keep);
  Json summary = {{"faultline_summarized",
                   fmt::format("details of {} bytes, beyond the {}-byte limit; their start is kept",
                               full, limits_.max_example_details_bytes)},
                  {"start", std::move(text)}};
  return MakeExample(h, e, std::move(location), std::move(summary));
}

void PropertyBook::AddSdkSkipped(const HistoryRef& h, const Event& e) {
  const Json& f = e.fields;
  histories_with_sdk_loss_.insert(h.index);
  Evaluated(Get(kSdkReadWhole, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true),
            false, [&] { return MakeBoundedExample(h, e, nullptr, f); });
  if (sdk_losses_.size() >= limits_.max_sdk_losses) {
    ++sdk_losses_not_kept_;
    return;
  }
  const Json& reasons = JsonMember(f, "reasons");
  sdk_losses_.push_back(
      SdkLoss{.history = h.index,
              .source = SourceOf(f),
              .file = JsonString(f, "file"),
              .lines = static_cast<uint64_t>(JsonInt(f, "lines", 0)),
              .bytes_skipped = static_cast<uint64_t>(JsonInt(f, "bytes_skipped", 0)),
              .reasons = reasons.is_object() ? reasons : Json(),
              .first = JsonString(f, "reason")});
}

std::vector<std::string> PropertyBook::Warnings() const {
  std::vector<std::string> out;
  for (const SdkLoss& loss : sdk_losses_) {
    std::vector<std::string> parts;
    if (loss.reasons.is_object()) {
      for (const auto& [reason, count] : loss.reasons.items()) {
        parts.push_back(
            fmt::format("{} {}", count.is_number() ? count.get<uint64_t>() : 0, reason));
      }
    }
    std::string what = fmt::format("{} line(s)", loss.lines);
    if (!parts.empty()) what += " (" + Join(parts, ", ") + ")";
    if (loss.bytes_skipped > 0)
      what += fmt::format(" and {} byte(s) past the size cap", loss.bytes_skipped);
    out.push_back(
        fmt::format("SDK output lost in history {} ({}): {} of {} could not be read; "
                    "first: {}",
                    loss.history, loss.source, what, loss.file, loss.first));
  }
  if (sdk_losses_not_kept_ > 0) {
    out.push_back(
        fmt::format("SDK output lost in {} more file(s) (see the timelines' "
                    "sdk_skipped events)",
                    sdk_losses_not_kept_));
  }
  if (lines_over_cap_ > 0) {
    out.push_back(fmt::format(
        "{} assertion line(s) ({} failing) named property ids past the cap of {} distinct ids; "
        "they were counted, not kept. An id names a property: keep values out of messages and "
        "put them in details",
        lines_over_cap_, failures_over_cap_, limits_.max_properties));
  }
  return out;
}

PropertyBook::CommandProperties& PropertyBook::ForCommand(const Json& fields) {
  const Json& c = JsonMember(fields, "command");
  std::string_view command = c.is_string() ? std::string_view(c.get_ref<const std::string&>()) : "";
  auto it = by_command_.find(command);
  if (it == by_command_.end()) {
    std::string name(command);
    CommandProperties props{
        .exits_zero = &Get(ExitsZeroName(name), AssertKind::kAlwaysOrUnreachable,
                           "AlwaysOrUnreachable", true),
        .exits_zero_once =
            &Get(ExitsZeroOnceName(name), AssertKind::kSometimes, "Sometimes", true)};
    it = by_command_.emplace(std::move(name), props).first;
  }
  return it->second;
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
      Get(kSdkReadWhole, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true).registered =
          true;
      break;
    case EventType::kSdkSkipped:
      AddSdkSkipped(h, e);
      break;
    case EventType::kSetupComplete:
      Evaluated(Get(kSetupCompletes, AssertKind::kAlways, "Always", true), true, [&] { return MakeExample(h, e, nullptr, JsonMember(f, "details")); });
      break;
    case EventType::kSetupFailed:
      Evaluated(Get(kSetupCompletes, AssertKind::kAlways, "Always", true), false, [&] { return MakeExample(h, e, nullptr, {{"unhealthy", JsonMember(f, "unhealthy")}}); });
      break;
    case EventType::kServiceExit:
      if (!JsonBool(f, "expected", true)) {
        histories_with_unexpected_exit_.insert(h.index);
        Evaluated(Get(kNoUnexpectedServiceExits, AssertKind::kAlwaysOrUnreachable,
                      "AlwaysOrUnreachable", true),
                  false, [&] { return MakeExample(h, e, nullptr, f); });
      }
      break;
    case EventType::kHistoryEnd:
      // An enabled kind this history never injected counts against "fault <kind> was
      // injected", so a run in which it never happened fails it, with the histories counted.
      // A kind the history's swarm left out is no evidence either way: a run of one seed (the
      // replay of a failure) must not fail for the kinds that seed did not draw.
      for (const auto& kind : faults_not_injected_[h.index]) {
        Evaluated(Get(FaultInjectedName(kind), AssertKind::kSometimes, "Sometimes", true), false, [&] { return MakeExample(h, e, nullptr, {{"kind", kind}}); });
      }
      faults_not_injected_.erase(h.index);
      if (!histories_with_unexpected_exit_.count(h.index)) {
        Evaluated(Get(kNoUnexpectedServiceExits, AssertKind::kAlwaysOrUnreachable,
                      "AlwaysOrUnreachable", true),
                  true, [&] { return MakeExample(h, e, nullptr, nullptr); });
      }
      if (!histories_with_sdk_loss_.count(h.index)) {
        Evaluated(Get(kSdkReadWhole, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true),
                  true, [&] { return MakeExample(h, e, nullptr, nullptr); });
      }
      break;
    case EventType::kCommandStart: {
      CommandProperties& command = ForCommand(f);
      command.exits_zero->registered = true;
      command.exits_zero_once->registered = true;
      break;
    }
    case EventType::kCommandEnd: {
      CommandProperties& command = ForCommand(f);
      const Json& killed = JsonMember(f, "killed");
      if (!in_time_) {
        in_time_ = &Get(kCommandsFinishInTime, AssertKind::kAlwaysOrUnreachable,
                        "AlwaysOrUnreachable", true);
      }
      Evaluated(*in_time_, killed != "timeout", [&] { return MakeExample(h, e, nullptr, f); });
      // An invocation that faultline killed (timeout, terminal phase, fault) counts as neither.
      if (killed.is_string() && !killed.get_ref<const std::string&>().empty()) break;
      bool zero = JsonInt(f, "code", -1) == 0 && JsonMember(f, "signal").is_null();
      Evaluated(*command.exits_zero, zero, [&] { return MakeExample(h, e, nullptr, f); });
      Evaluated(*command.exits_zero_once, zero, [&] { return MakeExample(h, e, nullptr, f); });
      break;
    }
    case EventType::kFaultSwarm:
      for (const auto& kind : JsonMember(f, "configured")) {
        if (!kind.is_string()) continue;
        Property& p = Get(FaultInjectedName(kind.get<std::string>()), AssertKind::kSometimes,
                          "Sometimes", true);
        p.registered = true;
        p.unevaluated_reason = "no history's swarm enabled it";
      }
      for (const auto& kind : JsonMember(f, "enabled")) {
        if (kind.is_string()) faults_not_injected_[h.index].insert(kind.get<std::string>());
      }
      Get(kFaultsHealCleanly, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true)
          .registered = true;
      break;
    case EventType::kFault: {
      std::string action = JsonString(f, "action");
      Property& clean =
          Get(kFaultsHealCleanly, AssertKind::kAlwaysOrUnreachable, "AlwaysOrUnreachable", true);
      if (action == "begin") {
        std::string kind = JsonString(f, "kind");
        Evaluated(Get(FaultInjectedName(kind), AssertKind::kSometimes, "Sometimes", true), true, [&] { return MakeExample(h, e, nullptr, f); });
        if (auto it = faults_not_injected_.find(h.index); it != faults_not_injected_.end()) {
          it->second.erase(kind);
        }
      } else if (action == "heal") {
        Evaluated(clean, true, [&] { return MakeExample(h, e, nullptr, f); });
      } else if (action == "failed") {
        Evaluated(clean, false, [&] { return MakeExample(h, e, nullptr, f); });
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

AssertPayload PayloadNeeds::Of(const sdk::Assertion& a, bool has_location) {
  auto it = seen_.find(a.id);
  if (it == seen_.end()) {
    if (seen_.size() >= max_ids_) return {};
    it = seen_.emplace(a.id, Seen{.kind = a.kind}).first;  // the first line's kind is kept
  }
  Seen& seen = it->second;
  AssertPayload keep{};
  if (a.hit && a.condition && seen.kind != AssertKind::kUnreachable && seen.passed) {
    keep.details = false;
    keep.location = !seen.has_location;
  }
  if (a.hit && Satisfies(seen.kind, a.condition)) seen.passed = true;
  seen.has_location = seen.has_location || has_location;
  return keep;
}

}  // namespace faultline::properties
