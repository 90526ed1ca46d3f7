// Baseline: findings against an earlier run. `--baseline OLD_RUN` loads the verdicts of OLD_RUN's
// properties, and every property of the new report is classified as a new failure, still
// failing, resolved, newly passing or passing; properties of the baseline that the new run no
// longer reports are "missing". A nightly job reads the findings to say what changed. Pure
// classification; LoadBaseline reads one run folder. Any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "properties/property_book.h"
#include "timeline/event.h"

namespace faultline::report {

struct BaselineProperty {
  bool failed = false;
  bool reached = false;
};

struct Baseline {
  std::string run_dir{};
  std::map<std::string, BaselineProperty> properties{};
};

enum class Finding {
  kNewFailure,    // fails now; passed in the baseline or was not in it
  kStillFailing,  // fails now and failed in the baseline
  kResolved,      // passes now, failed in the baseline
  kNewlyPassing,  // passes now (reached), and was not in the baseline or never reached there
  kPassing,       // passed in both: nothing to say
  kMissing,       // in the baseline, not reported now
};

// "new_failure", "still_failing", "resolved", "newly_passing", "passing", "missing".
std::string_view FindingName(Finding f);
// "new failure", "still failing", ...: for people.
std::string_view FindingLabel(Finding f);

// The finding for property `id` whose verdict now is (`failed`, `reached`).
Finding Classify(const Baseline& b, const std::string& id, bool failed, bool reached);

struct Classified {
  std::string id{};
  Finding finding{};
};
// Every property of `book` classified, in the book's order, then the missing ones.
std::vector<Classified> ClassifyAll(const Baseline& b, const properties::PropertyBook& book);

// The baseline in a report.json value (its "properties").
Baseline BaselineFromReportJson(const Json& report, std::string run_dir);
// Loads OLD_RUN's verdicts: from its report.json, or rebuilt from its timelines when that file
// is missing or unreadable. Fails when the folder is not a run.
Result<Baseline> LoadBaseline(const std::string& run_dir);

}  // namespace faultline::report
