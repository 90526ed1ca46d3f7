// PropertyBook: turns timeline events into property verdicts, the SDK's own properties and the
// built-in ones (../shared/spec/test-composer.md), aggregated by id across every process, command,
// service and history of a run. Pure: events in, verdicts out; no I/O, no clock. Feed it events as
// they happen (a listener on each history's Timeline) or from timeline files (faultline report).
// Not thread-safe; one book per run, fed from the run's event-loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sdk/protocol.h"
#include "timeline/event.h"

namespace faultline::properties {

// Which history an event belongs to.
struct HistoryRef {
  int index = 0;      // position in the run, from 0
  uint64_t seed = 0;  // the history's seed: `faultline run --seed <seed>` replays it
};

// Where and when a property passed or failed first.
struct Example {
  int history = 0;
  uint64_t seed = 0;
  std::string source;  // "template/command #invocation" or "service name"
  double t = 0;        // seconds since the history began
  Json location;       // the SDK's location object, or null
  Json details;        // the SDK's details, or faultline's own for built-ins
};

enum class Outcome { kPassed, kFailed };

struct Verdict {
  Outcome outcome = Outcome::kPassed;
  bool reached = false;  // evaluated at least once (a registration alone is not reaching)
  std::string reason;    // why it failed, or a note ("never reached") when it passed unreached
};

struct Property {
  std::string id;
  std::string display_type;  // as the SDK named it ("AlwaysGreaterThan"), or the built-in's kind
  sdk::AssertKind kind = sdk::AssertKind::kAlways;
  bool builtin = false;
  bool registered = false;  // a catalog registration (hit:false) was seen
  uint64_t hits = 0;        // evaluation lines
  uint64_t passes = 0;      // evaluation lines that satisfied the property
  uint64_t failures = 0;    // evaluation lines that went against it
  std::optional<Example> first_pass;
  std::optional<Example> first_fail;
  Json location;
  uint64_t order = 0;  // first-seen order, for a stable report
};

// The verdict of a property per the protocol's table.
Verdict Evaluate(const Property& p);

// The names of the built-in properties.
inline constexpr const char* kSetupCompletes = "Setup completes";
inline constexpr const char* kNoUnexpectedServiceExits = "No unexpected service exits";
inline constexpr const char* kCommandsFinishInTime = "Commands finish within their timeout";
inline constexpr const char* kFaultsHealCleanly = "Faults are injected and healed as planned";
std::string ExitsZeroName(const std::string& command);
// "fault <kind> was injected": a sometimes per configured kind, so that a run that never
// exercised a kind says so.
std::string FaultInjectedName(const std::string& kind);
std::string ExitsZeroOnceName(const std::string& command);

class PropertyBook {
 public:
  // Feeds one event of history `h`. Events of one history arrive in timeline order; histories
  // may interleave.
  void Add(const HistoryRef& h, const Event& e);

  // Every property, failing ones first, then in first-seen order.
  std::vector<const Property*> Sorted() const;
  const Property* Find(const std::string& id) const;
  bool AnyFailed() const;
  // Ids whose lines disagreed on the kind (the first kind seen is kept).
  const std::set<std::string>& kind_conflicts() const { return kind_conflicts_; }

 private:
  Property& Get(const std::string& id, sdk::AssertKind kind, const std::string& display_type,
                bool builtin);
  void AddAssertion(const HistoryRef& h, const Event& e);
  void AddBuiltin(const HistoryRef& h, const Event& e);
  // Records one evaluation: `pass` says whether this line satisfied the property.
  void Evaluated(Property& p, bool pass, Example example);

  std::map<std::string, Property> properties_;
  std::set<std::string> kind_conflicts_;
  std::set<int> histories_with_unexpected_exit_;
  std::map<int, std::set<std::string>> faults_not_injected_;  // per history, so far
  uint64_t next_order_ = 0;
};

}  // namespace faultline::properties
