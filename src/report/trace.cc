#include "report/trace.h"

#include <algorithm>
#include <array>
#include <span>

namespace faultline::report {
namespace {

using properties::Property;

std::string ExitText(const Json& f) {
  const Json& signal = JsonMember(f, "signal");
  std::string out = signal.is_string() ? signal.get<std::string>()
                                       : fmt::format("exit {}", JsonInt(f, "code", -1));
  std::string killed = JsonString(f, "killed");
  if (!killed.empty()) out += fmt::format(" ({})", killed);
  return out;
}

std::string ServiceExitText(const Json& f) {
  const Json& signal = JsonMember(f, "signal");
  std::string out = signal.is_string() ? "killed by " + signal.get<std::string>()
                                       : fmt::format("exit {}", JsonInt(f, "code", -1));
  std::string reason = JsonString(f, "reason");
  if (!reason.empty()) out += fmt::format(" ({})", reason);
  return out;
}

std::vector<std::string> Strings(const Json& array) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const auto& v : array) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// Whether a line that goes against a property of this kind is a violation the moment it is
// written (an Always that was false), rather than one evaluation among many (a Sometimes).
bool FailsAtOnce(const Property& p) {
  return p.kind == sdk::AssertKind::kAlways || p.kind == sdk::AssertKind::kAlwaysOrUnreachable ||
         p.kind == sdk::AssertKind::kUnreachable;
}

}  // namespace

bool HistoryTrace::Enabled(const std::string& kind) const {
  return !has_swarm ||
         std::find(swarm_enabled.begin(), swarm_enabled.end(), kind) != swarm_enabled.end();
}

const CommandBar* HistoryTrace::FindCommand(int64_t id) const {
  // Bars are appended at their start, and ids grow with the start: binary search by id.
  auto it = std::lower_bound(commands.begin(), commands.end(), id,
                             [](const CommandBar& b, int64_t v) { return b.id < v; });
  if (it != commands.end() && it->id == id) return &*it;
  for (const auto& b : commands) {
    if (b.id == id) return &b;  // ids out of order (a hand-edited timeline)
  }
  return nullptr;
}

struct TraceBuilder::State {
  properties::HistoryRef ref;
  HistoryTrace trace;
  properties::PropertyBook* book = nullptr;
  std::map<std::string, PropertyCounts> before;  // the book's counts when the history began
  std::map<int64_t, size_t> open_commands;       // invocation id -> index in trace.commands
  std::map<std::string, int> command_index;
  std::vector<bool> slot_busy;
  std::map<std::string, int> lanes;
  std::map<int, size_t> open_service;     // lane -> index in trace.services
  std::map<int64_t, size_t> fault_index;  // fault id -> index in trace.faults
  int64_t last_us = 0;

  int Lane(const std::string& service) {
    auto [it, inserted] = lanes.try_emplace(service, static_cast<int>(trace.service_lanes.size()));
    if (inserted) trace.service_lanes.push_back(service);
    return it->second;
  }
  int TakeSlot() {
    for (size_t i = 0; i < slot_busy.size(); ++i) {
      if (!slot_busy[i]) {
        slot_busy[i] = true;
        return static_cast<int>(i);
      }
    }
    slot_busy.push_back(true);
    trace.slots = static_cast<int>(slot_busy.size());
    return trace.slots - 1;
  }
  void AddMark(Mark m) {
    if (trace.marks.size() >= HistoryTrace::kMaxMarks) {
      ++trace.marks_dropped;
      return;
    }
    trace.marks.push_back(std::move(m));
  }

  void CommandStart(const Event& e);
  void CommandEnd(const Event& e);
  void ServiceEvent(const Event& e);
  void Fault(const Event& e);
  void FaultsState(const Event& e);
  // A property an event may evaluate, with its failures before the event.
  struct Watched {
    std::string id;
    const Property* property = nullptr;  // null until the book has it
    uint64_t failures = 0;
  };
  void PropertyMarks(const Event& e, std::span<Watched> watched);
  void Other(const Event& e);
};

TraceBuilder::TraceBuilder(properties::HistoryRef ref, properties::PropertyBook& book)
    : s_(std::make_unique<State>()) {
  s_->ref = ref;
  s_->book = &book;
  for (const Property* p : book.Sorted()) {
    s_->before[p->id] = {.passes = p->passes, .failures = p->failures};
  }
  s_->trace.index = ref.index;
  s_->trace.seed = ref.seed;
}
TraceBuilder::~TraceBuilder() = default;
TraceBuilder::TraceBuilder(TraceBuilder&&) noexcept = default;
TraceBuilder& TraceBuilder::operator=(TraceBuilder&&) noexcept = default;

void TraceBuilder::State::CommandStart(const Event& e) {
  std::string name = JsonString(e.fields, "command");
  auto [it, inserted] =
      command_index.try_emplace(name, static_cast<int>(trace.command_names.size()));
  if (inserted) trace.command_names.push_back(name);
  CommandBar bar{.id = JsonInt(e.fields, "id", 0),
                 .command = it->second,
                 .slot = TakeSlot(),
                 .start_us = e.t_us,
                 .end_us = -1};
  open_commands[bar.id] = trace.commands.size();
  trace.commands.push_back(std::move(bar));
}

void TraceBuilder::State::CommandEnd(const Event& e) {
  auto it = open_commands.find(JsonInt(e.fields, "id", -1));
  if (it == open_commands.end()) return;
  CommandBar& bar = trace.commands[it->second];
  open_commands.erase(it);
  slot_busy[static_cast<size_t>(bar.slot)] = false;
  bar.end_us = e.t_us;
  bar.exit = ExitText(e.fields);
  std::string killed = JsonString(e.fields, "killed");
  bool zero = JsonInt(e.fields, "code", -1) == 0 && JsonMember(e.fields, "signal").is_null();
  bar.outcome = killed == "timeout" ? CommandOutcome::kTimeout
                : !killed.empty()   ? CommandOutcome::kKilled
                : zero              ? CommandOutcome::kOk
                                    : CommandOutcome::kFailed;
}

void TraceBuilder::State::ServiceEvent(const Event& e) {
  int lane = Lane(JsonString(e.fields, "service"));
  auto open = open_service.find(lane);
  if (e.type == EventType::kServiceStart) {
    open_service[lane] = trace.services.size();
    trace.services.push_back({.lane = lane,
                              .start = static_cast<int>(JsonInt(e.fields, "start", 1)),
                              .start_us = e.t_us});
  } else if (open == open_service.end()) {
    return;
  } else if (e.type == EventType::kServiceHealthy) {
    ServiceSpan& s = trace.services[open->second];
    if (s.healthy_us < 0) s.healthy_us = e.t_us;
  } else if (e.type == EventType::kServiceExit) {
    ServiceSpan& s = trace.services[open->second];
    s.end_us = e.t_us;
    s.exit = ServiceExitText(e.fields);
    s.unexpected = !JsonBool(e.fields, "expected", true);
    open_service.erase(open);
  }
}

void TraceBuilder::State::Fault(const Event& e) {
  const Json& f = e.fields;
  int64_t id = JsonInt(f, "id", -1);
  std::string action = JsonString(f, "action");
  auto it = fault_index.find(id);
  if (action == "begin" || it == fault_index.end()) {
    FaultSpan span{.id = id,
                   .kind = JsonString(f, "kind"),
                   .targets = Strings(JsonMember(f, "targets")),
                   .params = JsonMember(f, "params")};
    for (const auto& t : span.targets) Lane(t);
    it = fault_index.insert_or_assign(id, trace.faults.size()).first;
    trace.faults.push_back(std::move(span));
  }
  FaultSpan& span = trace.faults[it->second];
  if (action == "begin") {
    span.begin_us = e.t_us;
    ++trace.injected[span.kind];
  } else if (action == "heal") {
    span.end_us = e.t_us;
    span.heal_reason = JsonString(f, "reason");
    span.effect = JsonMember(f, "effect");
  } else if (action == "failed") {
    span.error = JsonString(f, "error");
    if (span.begin_us >= 0 && span.end_us < 0) span.end_us = e.t_us;
    AddMark({.kind = Mark::Kind::kFaultFailed,
             .t_us = e.t_us,
             .source = "fault " + span.kind,
             .message = span.error,
             .details = f});
  }
}

void TraceBuilder::State::FaultsState(const Event& e) {
  std::string state = JsonString(e.fields, "state");
  if (JsonBool(e.fields, "configured", true)) trace.faults_configured = true;
  if (!trace.quiet.empty() && trace.quiet.back().end_us < 0) trace.quiet.back().end_us = e.t_us;
  if (state == "off" || state == "quiet") {
    trace.quiet.push_back(
        {.begin_us = e.t_us, .state = state, .reason = JsonString(e.fields, "reason")});
  }
}

void TraceBuilder::State::PropertyMarks(const Event& e, std::span<Watched> watched) {
  for (Watched& w : watched) {
    const Property* p = w.property ? w.property : book->Find(w.id);
    if (!p || p->failures == w.failures || !FailsAtOnce(*p)) continue;
    Mark m{.kind = Mark::Kind::kPropertyFailed,
           .t_us = e.t_us,
           .property = w.id,
           .command_id =
               JsonMember(e.fields, "command").is_string() ? JsonInt(e.fields, "id", -1) : -1,
           .service = JsonString(e.fields, "service")};
    std::string command = JsonString(e.fields, "command");
    m.source = !m.service.empty() ? "service " + m.service
               : !command.empty() ? fmt::format("{} #{}", command, m.command_id)
                                  : "faultline";
    if (e.assertion) {
      m.message = e.assertion->message;
      m.details = e.assertion->details;
      m.location = e.assertion->location;
    } else if (e.type == EventType::kCommandEnd) {
      m.message = ExitText(e.fields);
      m.details = e.fields;
    } else if (e.type == EventType::kServiceExit) {
      m.message = ServiceExitText(e.fields);
      m.details = e.fields;
    } else {
      m.message = JsonString(e.fields, "reason");
      m.details = e.fields;
    }
    AddMark(std::move(m));
  }
}

void TraceBuilder::State::Other(const Event& e) {
  const Json& f = e.fields;
  switch (e.type) {
    case EventType::kHistoryStart:
      trace.template_name = JsonString(f, "template");
      break;
    case EventType::kSetupComplete:
      if (trace.setup_us < 0) trace.setup_us = e.t_us;
      break;
    case EventType::kDecision:
      if (JsonString(f, "what") == "terminal") {
        trace.terminal_us = e.t_us;
        trace.terminal = JsonString(f, "value");
      }
      break;
    case EventType::kFaultSwarm:
      trace.has_swarm = true;
      trace.faults_configured = true;
      trace.swarm_configured = Strings(JsonMember(f, "configured"));
      trace.swarm_enabled = Strings(JsonMember(f, "enabled"));
      break;
    case EventType::kQuietRequest:
      AddMark({.kind = Mark::Kind::kQuietRequest,
               .t_us = e.t_us,
               .source = JsonString(f, "from"),
               .message = fmt::format("faults stopped for {}s", JsonInt(f, "seconds", 0)),
               .details = f});
      break;
    case EventType::kWarning:
      AddMark({.kind = Mark::Kind::kWarning,
               .t_us = e.t_us,
               .message = JsonString(f, "message"),
               .details = f});
      break;
    case EventType::kHistoryEnd:
      if (trace.terminal.empty()) trace.terminal = JsonString(f, "terminal");
      break;
    default:
      break;
  }
}

void TraceBuilder::Add(const Event& e) {
  State& s = *s_;
  ++s.trace.events;
  s.last_us = std::max(s.last_us, e.t_us);
  // The properties this event may evaluate (at most two), with their failures so far.
  std::array<State::Watched, 2> watched;
  size_t n = 0;
  auto note = [&](std::string id) {
    const Property* p = s.book->Find(id);
    watched[n++] = {.id = std::move(id), .property = p, .failures = p ? p->failures : 0};
  };
  switch (e.type) {
    case EventType::kAssert:
      if (e.assertion) note(e.assertion->id);
      break;
    case EventType::kCommandEnd:
      note(properties::ExitsZeroName(JsonString(e.fields, "command")));
      note(properties::kCommandsFinishInTime);
      break;
    case EventType::kServiceExit:
      note(properties::kNoUnexpectedServiceExits);
      break;
    case EventType::kSetupFailed:
      note(properties::kSetupCompletes);
      break;
    default:
      break;
  }
  s.book->Add(s.ref, e);
  if (n > 0) s.PropertyMarks(e, std::span(watched.data(), n));
  switch (e.type) {
    case EventType::kCommandStart:
      s.CommandStart(e);
      break;
    case EventType::kCommandEnd:
      s.CommandEnd(e);
      break;
    case EventType::kServiceStart:
    case EventType::kServiceHealthy:
    case EventType::kServiceExit:
      s.ServiceEvent(e);
      break;
    case EventType::kFault:
      s.Fault(e);
      break;
    case EventType::kFaults:
      s.FaultsState(e);
      break;
    default:
      s.Other(e);
  }
}

HistoryTrace TraceBuilder::Finish() {
  State& s = *s_;
  HistoryTrace& t = s.trace;
  t.end_us = s.last_us;
  for (auto& bar : t.commands) {
    if (bar.end_us < 0) bar.end_us = t.end_us;
  }
  for (auto& span : t.services) {
    if (span.end_us < 0) span.end_us = t.end_us;
  }
  if (!t.quiet.empty() && t.quiet.back().end_us < 0) t.quiet.back().end_us = t.end_us;
  for (const Property* p : s.book->Sorted()) {
    auto was = s.before.find(p->id);
    PropertyCounts now{.passes = p->passes, .failures = p->failures};
    if (was != s.before.end()) {
      now.passes -= was->second.passes;
      now.failures -= was->second.failures;
    }
    if (now.passes + now.failures > 0) t.properties[p->id] = now;
  }
  return std::move(t);
}

}  // namespace faultline::report
