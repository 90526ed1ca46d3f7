// HistoryTrace: what a report draws of one history, folded from its timeline events: service
// lifetimes, command invocations packed into slots, fault spans on their targets, the fault
// schedule's state, property failures as marks, the phases (setup complete, terminal command),
// the swarm subset of fault kinds, and each property's pass and fail counts in this history (for
// fault attribution). TraceBuilder folds events one at a time, so a history never has to be held
// as events; the trace keeps what a timeline draws, not every event. Pure values; one builder per
// history, fed from one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "properties/property_book.h"
#include "timeline/event.h"

namespace faultline::report {

enum class CommandOutcome { kOk, kFailed, kTimeout, kKilled, kUnfinished };

struct CommandBar {
  int64_t id = 0;   // the invocation's id in its history
  int command = 0;  // index into HistoryTrace::command_names
  int slot = 0;     // the lane among the command slots, from 0
  int64_t start_us = 0;
  int64_t end_us = 0;
  CommandOutcome outcome = CommandOutcome::kUnfinished;
  std::string exit{};  // "exit 0", "exit 3", "SIGKILL", with "(timeout)" etc.
};

// One start of a service, to its exit (or the end of the history).
struct ServiceSpan {
  int lane = 0;  // index into HistoryTrace::service_lanes
  int start = 1;
  int64_t start_us = 0;
  int64_t healthy_us = -1;
  int64_t end_us = -1;
  std::string exit{};  // how it ended: "killed by SIGKILL", "exit 1", or empty
  bool unexpected = false;
};

// One fault, from begin to heal (docs/faults.md).
struct FaultSpan {
  int64_t id = 0;
  std::string kind{};
  std::vector<std::string> targets{};
  Json params{};
  int64_t begin_us = -1;  // -1 when only a failure was recorded
  int64_t end_us = -1;    // -1 while in force at the end of the timeline
  std::string heal_reason{};
  Json effect{};        // what it did while in force (a disk fault's failed calls), or null
  std::string error{};  // the injection or heal failed
};

// A stretch of the history when the schedule injected nothing ("off" or "quiet").
struct QuietSpan {
  int64_t begin_us = 0;
  int64_t end_us = -1;
  std::string state{};
  std::string reason{};
};

// Something a reader should find on the timeline: a property that went wrong, a fault that
// could not be injected, a warning.
struct Mark {
  enum class Kind { kPropertyFailed, kFaultFailed, kWarning, kQuietRequest };
  Kind kind = Kind::kPropertyFailed;
  int64_t t_us = 0;
  std::string property{};  // kPropertyFailed: the property's id
  std::string source{};    // "template/command #12" or "service kv"
  int64_t command_id = -1;
  std::string service{};
  std::string message{};  // the assertion's message, the warning, the error
  Json details{};
  Json location{};
};

// A property's evaluations within one history.
struct PropertyCounts {
  uint64_t passes = 0;
  uint64_t failures = 0;
};

struct HistoryTrace {
  int index = 0;
  uint64_t seed = 0;
  std::string template_name{};
  int64_t setup_us = -1;     // setup complete
  int64_t terminal_us = -1;  // the terminal decision
  std::string terminal{};    // eventually | finally | none
  int64_t end_us = 0;        // the history's last event
  std::vector<std::string> service_lanes{};
  std::vector<ServiceSpan> services{};
  std::vector<std::string> command_names{};
  std::vector<CommandBar> commands{};
  int slots = 0;
  std::vector<FaultSpan> faults{};
  std::vector<QuietSpan> quiet{};
  std::vector<Mark> marks{};
  size_t marks_dropped = 0;        // marks beyond kMaxMarks, counted only
  bool faults_configured = false;  // the scenario configures faults (a `faults` event said so)
  bool has_swarm = false;
  std::vector<std::string> swarm_configured{};
  std::vector<std::string> swarm_enabled{};
  std::map<std::string, int> injected{};  // fault kind -> faults that began
  std::map<std::string, PropertyCounts> properties{};
  size_t events = 0;

  static constexpr size_t kMaxMarks = 2000;
  // Whether `kind` was enabled by this history's swarm subset (every kind when no subset).
  bool Enabled(const std::string& kind) const;
  // The command bar of invocation `id`, or null.
  const CommandBar* FindCommand(int64_t id) const;
};

// Folds one history's events into its trace and into `book`, the run's property book, which it
// feeds itself (a history's own counts are the book's growth while the history is folded, so
// histories must be folded one after another into one book).
class TraceBuilder {
 public:
  TraceBuilder(properties::HistoryRef ref, properties::PropertyBook& book);
  ~TraceBuilder();
  TraceBuilder(TraceBuilder&&) noexcept;
  TraceBuilder& operator=(TraceBuilder&&) noexcept;

  // Feeds one event to the book and folds it; events arrive in timeline order.
  void Add(const Event& e);
  // Closes what is still open at the last event's time and returns the trace.
  HistoryTrace Finish();

 private:
  struct State;
  std::unique_ptr<State> s_{};
};

}  // namespace faultline::report
