// report.json: the Report for machines (schema in README).
#include "base/exit_codes.h"
#include "report/analysis.h"
#include "report/report.h"

namespace faultline::report {
namespace {

using properties::Example;
using properties::Outcome;
using properties::Property;

const HistoryRow* RowOf(const Report& r, int index) {
  if (index < 0 || static_cast<size_t>(index) >= r.histories.size()) return nullptr;
  const HistoryRow& h = r.histories[static_cast<size_t>(index)];
  return h.index == index ? &h : nullptr;
}

Json ExampleJson(const Example& e, const Report& r) {
  Json j = {{"history", e.history},
            {"seed", e.seed},
            {"source", e.source},
            {"t", e.t},
            {"location", e.location},
            {"details", e.details},
            {"replay", ReplayOf(r, e.history, e.seed)}};
  if (const HistoryRow* h = RowOf(r, e.history)) {
    j["dir"] = h->dir;
    j["run_dir"] = h->run_dir.empty() ? r.meta.run_dir : h->run_dir;
  }
  return j;
}

Json HistoryJson(const Report& r, const HistoryRow& h) {
  Json j = {{"index", h.index},
            {"seed", h.seed},
            {"template", h.template_name},
            {"dir", h.dir},
            {"outcome", h.outcome},
            {"message", h.message},
            {"terminal", h.terminal},
            {"invocations", h.invocations},
            {"seconds", h.seconds},
            {"replay", ReplayOf(r, h.index, h.seed)}};
  if (!h.run_dir.empty()) j["run_dir"] = h.run_dir;
  if (const HistoryTrace* t = TraceOf(r, h.index)) {
    j["faults_injected"] = t->injected;
    if (t->has_swarm) {
      j["swarm"] = {{"configured", t->swarm_configured}, {"enabled", t->swarm_enabled}};
    }
  }
  return j;
}

Json AnalysisJson(const PropertyAnalysis& a, const Property& p) {
  Json j = {{"histories_failed", a.histories_failed}, {"histories_passed", a.histories_passed}};
  if (!a.hint_text.empty()) {
    const char* hint = a.hint == Hint::kNeverReached  ? "never_reached"
                       : a.hint == Hint::kNeverPassed ? "never_passed"
                       : a.hint == Hint::kRare        ? "rare"
                                                      : "often";
    j["hint"] = hint;
    j["hint_text"] = a.hint_text;
  }
  if (p.failures > 0 && (a.failing_with_swarm > 0 || !a.attribution_text.empty())) {
    Json kinds = Json::array();
    for (const auto& k : a.kinds) {
      kinds.push_back({{"kind", k.kind},
                       {"failing_on", k.failing_on},
                       {"failing", a.failing_with_swarm},
                       {"passing_on", k.passing_on},
                       {"passing", a.passing_with_swarm}});
    }
    j["attribution"] = {{"kinds", kinds},
                        {"only_when", a.required},
                        {"failing_without_faults", a.failing_without_faults},
                        {"text", a.attribution_text}};
  }
  return j;
}

Json PropertyJson(const Property& p, const Report& r) {
  auto v = properties::Evaluate(p);
  Json replays = Json::array();
  for (const auto& rs : r.replays) {
    if (rs.property == p.id) {
      replays.push_back({{"seed", rs.seed}, {"replays", rs.replays}, {"recurred", rs.recurred}});
    }
  }
  Json j = {{"id", p.id},
            {"kind", sdk::AssertKindName(p.kind)},
            {"display_type", p.display_type},
            {"builtin", p.builtin},
            {"status", v.outcome == Outcome::kFailed ? "failed" : "passed"},
            {"reached", v.reached},
            {"reason", v.reason},
            {"hits", p.hits},
            {"passes", p.passes},
            {"failures", p.failures},
            {"registered", p.registered},
            {"location", p.location},
            {"first_pass", p.first_pass ? ExampleJson(*p.first_pass, r) : Json()},
            {"first_fail", p.first_fail ? ExampleJson(*p.first_fail, r) : Json()},
            {"replays", replays}};
  j.update(AnalysisJson(Analyze(r, p), p));
  if (r.baseline) {
    j["baseline"] =
        FindingName(Classify(*r.baseline, p.id, v.outcome == Outcome::kFailed, v.reached));
  }
  return j;
}

Json BaselineJson(const Report& r) {
  Json findings = Json::object();
  for (Finding f : {Finding::kNewFailure, Finding::kStillFailing, Finding::kResolved,
                    Finding::kNewlyPassing, Finding::kMissing}) {
    findings[std::string(FindingName(f))] = Json::array();
  }
  for (const auto& c : ClassifyAll(*r.baseline, *r.book)) {
    if (c.finding != Finding::kPassing)
      findings[std::string(FindingName(c.finding))].push_back(c.id);
  }
  return {{"run_dir", r.baseline->run_dir}, {"findings", findings}};
}

}  // namespace

Json ReportJson(const Report& r) {
  Json histories = Json::array();
  for (const auto& h : r.histories) histories.push_back(HistoryJson(r, h));
  Json props = Json::array();
  int failed = 0, unreached = 0;
  if (r.book) {
    for (const Property* p : r.book->Sorted()) {
      auto v = properties::Evaluate(*p);
      failed += v.outcome == Outcome::kFailed;
      unreached += !v.reached;
      props.push_back(PropertyJson(*p, r));
    }
  }
  int total = static_cast<int>(props.size());
  int code = ExitCodeOf(r);
  const char* outcome = code == kExitOk            ? "passed"
                        : code == kExitFailed      ? "failed"
                        : code == kExitInterrupted ? "interrupted"
                                                   : "error";
  Json j = {{"faultline_version", "0.1.0"},
            {"schema", 1},
            {"run", MetaJson(r.meta)},
            {"outcome", outcome},
            {"exit_code", code},
            {"summary",
             {{"properties", total},
              {"failed", failed},
              {"passed", total - failed},
              {"unreached", unreached},
              {"histories", r.histories.size()},
              {"faults_injected", FaultsInjected(r)},
              {"fault_calls_failed", FaultCallsFailed(r)}}},
            {"problems", r.problems},
            {"warnings", Warnings(r)},
            {"histories", histories},
            {"properties", props}};
  if (r.baseline && r.book) j["baseline"] = BaselineJson(r);
  return j;
}

}  // namespace faultline::report
