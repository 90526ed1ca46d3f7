// The terminal summary: failing properties first, each with its first failing example, its
// triage hint, its fault attribution and the exact command that replays its history; then the
// findings against a baseline and one closing line. Every piece of outside text goes through
// ForTerminal, so nothing a workload prints can move the cursor or retitle the terminal.
#include "base/exit_codes.h"
#include "base/terminal.h"
#include "report/analysis.h"
#include "report/report.h"

namespace faultline::report {
namespace {

using properties::Example;
using properties::Outcome;
using properties::Property;

const char* Paint(bool color, const char* code) { return color ? code : ""; }
std::string Safe(std::string_view text) { return ForTerminal(text); }

std::string LocationText(const Json& location) {
  if (!location.is_object()) return {};
  std::string file = JsonString(location, "file");
  if (file.empty()) return {};
  int64_t line = JsonInt(location, "begin_line", 0);
  std::string function = JsonString(location, "function");
  std::string out = line > 0 ? fmt::format("{}:{}", file, line) : file;
  if (!function.empty()) out += fmt::format(" ({})", function);
  return out;
}

void PrintExample(FILE* out, const Report& r, const Example& e) {
  std::fprintf(out, "      first failure: history %d (seed %llu), %s%sat %.3fs\n", e.history,
               static_cast<unsigned long long>(e.seed), Safe(e.source).c_str(),
               e.source.empty() ? "" : " ", e.t);
  std::string where = LocationText(e.location);
  if (!where.empty()) std::fprintf(out, "      at: %s\n", Safe(where).c_str());
  if (!e.details.is_null() && !(e.details.is_object() && e.details.empty())) {
    std::string details = e.details.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (details.size() > 400) details = details.substr(0, 400) + "...";
    std::fprintf(out, "      details: %s\n", Safe(details).c_str());
  }
  std::fprintf(out, "      replay: %s\n", Safe(ReplayOf(r, e.history, e.seed)).c_str());
}

void PrintProperty(FILE* out, const Report& r, const Property& p, bool color) {
  auto v = properties::Evaluate(p);
  bool failed = v.outcome == Outcome::kFailed;
  std::string finding;
  if (r.baseline) {
    Finding f = Classify(*r.baseline, p.id, failed, v.reached);
    if (f != Finding::kPassing) finding = fmt::format("  ({})", FindingLabel(f));
  }
  std::fprintf(out, "%s%s%s  %s  [%s%s]", Paint(color, failed ? "\033[1;31m" : "\033[32m"),
               failed ? "FAIL" : "pass", Paint(color, "\033[0m"), Safe(p.id).c_str(),
               Safe(p.display_type).c_str(), p.builtin ? ", built-in" : "");
  std::fprintf(out, "  %llu passed, %llu failed", static_cast<unsigned long long>(p.passes),
               static_cast<unsigned long long>(p.failures));
  if (!v.reason.empty()) std::fprintf(out, " — %s", Safe(v.reason).c_str());
  std::fprintf(out, "%s\n", finding.c_str());
  if (!failed) return;
  PropertyAnalysis a = Analyze(r, p);
  if (!a.hint_text.empty()) std::fprintf(out, "      %s\n", a.hint_text.c_str());
  if (!a.attribution_text.empty()) {
    std::fprintf(out, "      faults: %s\n", Safe(a.attribution_text).c_str());
  }
  if (p.first_fail) {
    PrintExample(out, r, *p.first_fail);
  } else {
    std::string where = LocationText(p.location);
    if (!where.empty()) std::fprintf(out, "      declared at: %s\n", Safe(where).c_str());
    if (!r.histories.empty()) {
      const HistoryRow& h = r.histories[0];
      std::fprintf(out, "      replay: %s\n", Safe(ReplayOf(r, h.index, h.seed)).c_str());
    }
  }
  for (const auto& rs : r.replays) {
    if (rs.property == p.id) {
      std::fprintf(out, "      replayed seed %llu %d time(s): failed again %d time(s)\n",
                   static_cast<unsigned long long>(rs.seed), rs.replays, rs.recurred);
    }
  }
}

const char* OutcomeWord(int code, bool validate) {
  if (validate) return code == kExitOk ? "VALID" : "NOT VALID";
  return code == kExitOk            ? "PASSED"
         : code == kExitFailed      ? "FAILED"
         : code == kExitInterrupted ? "INTERRUPTED"
                                    : "ERROR";
}

// What the run reports besides properties: histories that could not run, validate's problems,
// and warnings.
void PrintProblems(FILE* out, const Report& r, bool color) {
  for (const auto& h : r.histories) {
    if (h.outcome == "setup_failed" || h.outcome == "error") {
      std::fprintf(out, "%sERROR%s history %d (seed %llu, template %s): %s\n",
                   Paint(color, "\033[1;31m"), Paint(color, "\033[0m"), h.index,
                   static_cast<unsigned long long>(h.seed), Safe(h.template_name).c_str(),
                   ForTerminal(h.message, /*keep_newlines=*/true).c_str());
    }
  }
  for (const auto& problem : r.problems) {
    std::fprintf(out, "problem: %s\n", ForTerminal(problem, true).c_str());
  }
  for (const auto& warning : Warnings(r)) std::fprintf(out, "warning: %s\n", Safe(warning).c_str());
}

void PrintFindings(FILE* out, const Report& r) {
  if (!r.baseline || !r.book) return;
  std::map<Finding, std::vector<std::string>> by;
  for (const auto& c : ClassifyAll(*r.baseline, *r.book)) by[c.finding].push_back(c.id);
  std::fprintf(out, "\nagainst baseline %s:", Safe(r.baseline->run_dir).c_str());
  bool any = false;
  for (Finding f : {Finding::kNewFailure, Finding::kStillFailing, Finding::kResolved,
                    Finding::kNewlyPassing, Finding::kMissing}) {
    if (by[f].empty()) continue;
    any = true;
    std::fprintf(out, "\n  %s (%zu):", std::string(FindingLabel(f)).c_str(), by[f].size());
    for (const auto& id : by[f]) std::fprintf(out, "\n    %s", Safe(id).c_str());
  }
  std::fprintf(out, "%s\n", any ? "" : " no change");
}

void PrintFaults(FILE* out, const Report& r) {
  auto injected = FaultsInjected(r);
  auto calls_failed = FaultCallsFailed(r);
  bool configured = false;
  for (const auto& t : r.traces) configured |= t.has_swarm;
  if (injected.empty() && !configured) return;
  std::string text;
  for (const auto& [kind, n] : injected) {
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", Safe(kind), n);
    if (auto it = calls_failed.find(kind); it != calls_failed.end()) {
      text += fmt::format(" ({} call{} failed)", it->second, it->second == 1 ? "" : "s");
    }
  }
  std::fprintf(out, "faults injected: %s\n", text.empty() ? "none" : text.c_str());
}

}  // namespace

void PrintSummary(FILE* out, const Report& r, bool color) {
  std::fprintf(out, "\n");
  PrintProblems(out, r, color);
  int code = ExitCodeOf(r);
  const char* paint = Paint(color, code == 0 ? "\033[1;32m" : "\033[1;31m");
  std::string dir = Safe(r.meta.run_dir);
  if (r.meta.validate) {
    int setup_failed = 0;
    for (const auto& h : r.histories) setup_failed += h.outcome != "completed";
    std::fprintf(out, "%s%s%s: %zu problem(s)%s; report: %s/report.json\n", paint,
                 OutcomeWord(code, true), Paint(color, "\033[0m"),
                 r.problems.size() + static_cast<size_t>(setup_failed),
                 setup_failed ? ", services did not come up" : "", dir.c_str());
    return;
  }
  int failed = 0, passed = 0;
  if (r.book) {
    for (const Property* p : r.book->Sorted()) {  // failing first
      bool failing = properties::Evaluate(*p).outcome == Outcome::kFailed;
      // A blank line between the failing properties and the rest.
      if (!failing && passed == 0 && failed > 0) std::fprintf(out, "\n");
      ++(failing ? failed : passed);
      PrintProperty(out, r, *p, color);
    }
  }
  PrintFindings(out, r);
  std::fprintf(out, "\n");
  PrintFaults(out, r);
  int64_t invocations = 0;
  for (const auto& h : r.histories) invocations += h.invocations;
  std::fprintf(out,
               "%s%s%s: %d properties, %d failed; %zu histor%s, %lld command invocations; "
               "report: %s/report.json\n",
               paint, OutcomeWord(code, false), Paint(color, "\033[0m"), passed + failed, failed,
               r.histories.size(), r.histories.size() == 1 ? "y" : "ies",
               static_cast<long long>(invocations), dir.c_str());
  // The line above ends with report.json's path (scripts read it); the other formats follow.
  std::fprintf(out, "  for people: %s/report.html; for CI: %s/junit.xml\n", dir.c_str(),
               dir.c_str());
}

}  // namespace faultline::report
