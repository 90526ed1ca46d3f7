// Analysis: what a report says about one property beyond its verdict. How many histories it
// failed and passed in; a hint for triage (a property that never passed points at the workload or
// setup, one that fails rarely is a likely real bug); and fault attribution: each history enables
// a subset of the fault kinds (swarm testing), so comparing the kinds that were on in the
// histories where the property failed with those where it passed can say "fails only when pause
// is on". Pure functions over a Report; any thread.
#pragma once

#include <string>
#include <vector>

#include "properties/property_book.h"
#include "report/report.h"

namespace faultline::report {

enum class Hint { kNone, kNeverReached, kNeverPassed, kRare, kOften };

// One fault kind against one property.
struct KindAttribution {
  std::string kind{};
  int failing_on = 0;  // failing histories (with a swarm subset) in which the kind was on
  int passing_on = 0;  // passing histories (with a swarm subset) in which the kind was on
};

struct PropertyAnalysis {
  int histories_failed = 0;  // histories with an evaluation that went against it
  int histories_passed = 0;  // histories that evaluated it and never against it
  Hint hint = Hint::kNone;   // for failing properties only
  std::string hint_text{};   // one sentence for people
  // Fault attribution, over the histories that recorded a swarm subset; passing histories count
  // only if they ran a template that failed the property (another template is other code).
  int failing_with_swarm = 0;
  int passing_with_swarm = 0;
  int failing_without_faults = 0;  // failing histories in which no fault began
  std::vector<KindAttribution> kinds{};
  std::vector<std::string> required{};  // on in every failing history, off in a passing one
  std::string attribution_text{};       // "fails only when pause is on", or why nothing is said
};

PropertyAnalysis Analyze(const Report& r, const properties::Property& p);

}  // namespace faultline::report
