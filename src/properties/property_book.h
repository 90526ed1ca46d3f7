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
#include <unordered_map>
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
  // A built-in sometimes that nothing evaluated has no verdict, for this reason.
  std::string unevaluated_reason = "no invocation finished on its own";
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

// Whether an evaluation line satisfied a property of this kind.
bool Satisfies(sdk::AssertKind kind, bool condition);

// The names of the built-in properties.
inline constexpr const char* kSetupCompletes = "Setup completes";
inline constexpr const char* kNoUnexpectedServiceExits = "No unexpected service exits";
inline constexpr const char* kCommandsFinishInTime = "Commands finish within their timeout";
inline constexpr const char* kFaultsHealCleanly = "Faults are injected and healed as planned";
// Fails when a line of SDK output could not be read (sdk_skipped): what was lost may have been a
// failing assertion, so a run that lost output cannot pass.
inline constexpr const char* kSdkReadWhole = "SDK output was read whole";
// Registered only when the SDK reports more distinct property ids than the book keeps; fails then.
inline constexpr const char* kPropertyIdsWithinCap = "Property ids stay within the cap";
std::string ExitsZeroName(const std::string& command);
// "fault <kind> was injected": a sometimes per configured kind, so that a run that never
// exercised a kind says so.
std::string FaultInjectedName(const std::string& kind);
std::string ExitsZeroOnceName(const std::string& command);

// SDK output that a history could not read, one entry per file (an sdk_skipped event).
struct SdkLoss {
  int history = 0;
  std::string source;  // as in Example
  std::string file;
  uint64_t lines = 0;
  uint64_t bytes_skipped = 0;
  Json reasons;       // {"invalid UTF-8": 2, ...}, or null when the event did not say
  std::string first;  // the first dropped line's reason, with its line number
};

// The book's bounds. Property ids are meant to name a few hundred properties; an SDK that puts
// values into its messages makes one id per line, and the book would grow without end. Past
// max_properties the lines of new ids are counted, not kept, and kPropertyIdsWithinCap fails.
struct BookLimits {
  size_t max_properties = 10000;             // distinct SDK property ids kept
  size_t max_example_details_bytes = 16384;  // an example's details beyond this are summarized
  size_t max_sdk_losses = 200;               // SdkLoss entries kept (the rest are counted)
};

// Which parts of an assertion's line a book fed the lines of a run in order still needs, said
// before the line is parsed whole: once a property has its first passing example, the details of
// its later passes are never read, nor their location once one is known. A report's reader asks
// it for every assert line that validates and skips the rest of the line's payload unparsed. It
// mirrors AddAssertion: the kind is the first line's, an id's first pass is kept. Bounded: past
// `max_ids` distinct ids every line is kept whole.
class PayloadNeeds {
 public:
  explicit PayloadNeeds(size_t max_ids = BookLimits{}.max_properties) : max_ids_(max_ids) {}
  AssertPayload Of(const sdk::Assertion& assertion, bool has_location);

 private:
  struct Seen {
    sdk::AssertKind kind = sdk::AssertKind::kAlways;
    bool passed = false;
    bool has_location = false;
  };
  size_t max_ids_;
  std::unordered_map<std::string, Seen> seen_;
};

class PropertyBook {
 public:
  explicit PropertyBook(BookLimits limits = {}) : limits_(limits) {}
  // It holds pointers into its own properties (moving keeps them valid, copying would not).
  PropertyBook(const PropertyBook&) = delete;
  PropertyBook& operator=(const PropertyBook&) = delete;
  PropertyBook(PropertyBook&&) = default;
  PropertyBook& operator=(PropertyBook&&) = default;

  // Feeds one event of history `h`. Events of one history arrive in timeline order; histories
  // may interleave.
  void Add(const HistoryRef& h, const Event& e);

  // Every property, failing ones first, then in first-seen order.
  std::vector<const Property*> Sorted() const;
  const Property* Find(const std::string& id) const;
  bool AnyFailed() const;
  // Ids whose lines disagreed on the kind (the first kind seen is kept).
  const std::set<std::string>& kind_conflicts() const { return kind_conflicts_; }
  // SDK output that could not be read, in the order it was reported.
  const std::vector<SdkLoss>& sdk_losses() const { return sdk_losses_; }
  // What the report should warn about besides verdicts: lost SDK output, ids past the cap.
  std::vector<std::string> Warnings() const;

 private:
  Property& Get(const std::string& id, sdk::AssertKind kind, const std::string& display_type,
                bool builtin);
  void AddAssertion(const HistoryRef& h, const Event& e);
  void AddBuiltin(const HistoryRef& h, const Event& e);
  // The built-ins of a command_start or command_end event's command, created on first use.
  struct CommandProperties {
    Property* exits_zero = nullptr;
    Property* exits_zero_once = nullptr;
  };
  CommandProperties& ForCommand(const Json& fields);
  void AddSdkSkipped(const HistoryRef& h, const Event& e);
  // Counts a line of an id past the cap; false if `id` is past it.
  bool WithinCap(const HistoryRef& h, const Event& e, const sdk::Assertion& a);
  Example MakeBoundedExample(const HistoryRef& h, const Event& e, Json location,
                             const Json& details) const;
  // Records one evaluation: `pass` says whether this line satisfied the property. `example()`
  // gives the Example, called only when it is the property's first pass or first failure.
  template <typename MakeExample>
  void Evaluated(Property& p, bool pass, MakeExample&& example);

  std::map<std::string, Property> properties_;
  std::map<std::string, CommandProperties, std::less<>> by_command_;  // into properties_
  Property* in_time_ = nullptr;                                        // kCommandsFinishInTime
  std::set<std::string> kind_conflicts_;
  std::set<int> histories_with_unexpected_exit_;
  std::map<int, std::set<std::string>> faults_not_injected_;  // per history, so far
  std::set<int> histories_with_sdk_loss_;
  uint64_t next_order_ = 0;
  BookLimits limits_;
  size_t sdk_properties_ = 0;       // distinct SDK ids kept
  uint64_t lines_over_cap_ = 0;     // assertion lines of ids past the cap
  uint64_t failures_over_cap_ = 0;  // ... of which went against their property
  std::vector<SdkLoss> sdk_losses_;
  uint64_t sdk_losses_not_kept_ = 0;
};

}  // namespace faultline::properties
