#include "report/baseline.h"

#include <array>
#include <utility>

#include "base/files.h"
#include "report/report.h"

namespace faultline::report {
namespace {

struct FindingNames {
  Finding finding;
  std::string_view name;
  std::string_view label;
};
constexpr std::array<FindingNames, 6> kFindings = {{
    {Finding::kNewFailure, "new_failure", "new failure"},
    {Finding::kStillFailing, "still_failing", "still failing"},
    {Finding::kResolved, "resolved", "resolved"},
    {Finding::kNewlyPassing, "newly_passing", "newly passing"},
    {Finding::kPassing, "passing", "passing"},
    {Finding::kMissing, "missing", "missing"},
}};

}  // namespace

std::string_view FindingName(Finding f) {
  for (const auto& n : kFindings) {
    if (n.finding == f) return n.name;
  }
  return "?";
}

std::string_view FindingLabel(Finding f) {
  for (const auto& n : kFindings) {
    if (n.finding == f) return n.label;
  }
  return "?";
}

Finding Classify(const Baseline& b, const std::string& id, bool failed, bool reached) {
  auto it = b.properties.find(id);
  bool known = it != b.properties.end();
  if (failed) return known && it->second.failed ? Finding::kStillFailing : Finding::kNewFailure;
  if (known && it->second.failed) return Finding::kResolved;
  if (reached && (!known || !it->second.reached)) return Finding::kNewlyPassing;
  return Finding::kPassing;
}

std::vector<Classified> ClassifyAll(const Baseline& b, const properties::PropertyBook& book) {
  std::vector<Classified> out;
  for (const properties::Property* p : book.Sorted()) {
    auto v = properties::Evaluate(*p);
    out.push_back(
        {p->id, Classify(b, p->id, v.outcome == properties::Outcome::kFailed, v.reached)});
  }
  for (const auto& [id, verdict] : b.properties) {
    if (!book.Find(id)) out.push_back({id, Finding::kMissing});
  }
  return out;
}

Baseline BaselineFromReportJson(const Json& report, std::string run_dir) {
  Baseline b{.run_dir = std::move(run_dir)};
  const Json& props = JsonMember(report, "properties");
  if (!props.is_array()) return b;
  for (const auto& p : props) {
    std::string id = JsonString(p, "id");
    if (id.empty()) continue;
    b.properties[id] = {.failed = JsonString(p, "status") == "failed",
                        .reached = JsonBool(p, "reached", true)};
  }
  return b;
}

Result<Baseline> LoadBaseline(const std::string& run_dir) {
  if (auto text = ReadFile(run_dir + "/report.json")) {
    Json j = Json::parse(*text, nullptr, false);
    if (j.is_object() && JsonMember(j, "properties").is_array()) {
      return BaselineFromReportJson(j, run_dir);
    }
  }
  properties::PropertyBook book;
  auto rebuilt = Rebuild(run_dir, book);
  if (!rebuilt) return Unexpected("baseline: " + rebuilt.error());
  return BaselineFromReportJson(ReportJson(*rebuilt), run_dir);
}

}  // namespace faultline::report
