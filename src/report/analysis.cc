#include "report/analysis.h"

#include <algorithm>
#include <set>

#include "base/strings.h"

namespace faultline::report {
namespace {

using properties::Outcome;
using properties::Property;

// "a", "a and b", "a, b and c".
std::string EnglishList(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  if (items.size() == 1) return items[0];
  std::vector<std::string> head(items.begin(), items.end() - 1);
  return Join(head, ", ") + " and " + items.back();
}

void Triage(const Property& p, const properties::Verdict& v, PropertyAnalysis& a) {
  if (v.outcome != Outcome::kFailed) return;
  int evaluated = a.histories_failed + a.histories_passed;
  if (!v.reached) {
    a.hint = Hint::kNeverReached;
    a.hint_text =
        "never reached: the code that asserts it never ran, which points at the workload or "
        "setup";
  } else if (p.passes == 0 && p.kind != sdk::AssertKind::kUnreachable) {
    a.hint = Hint::kNeverPassed;
    a.hint_text = fmt::format(
        "never passed ({} failing evaluation(s) in {} histor{}): look at the workload or setup "
        "before suspecting a rare bug",
        p.failures, a.histories_failed, a.histories_failed == 1 ? "y" : "ies");
  } else {
    double history_share = evaluated > 0 ? double(a.histories_failed) / evaluated : 1.0;
    double line_share = p.hits > 0 ? double(p.failures) / double(p.hits) : 1.0;
    bool rare = evaluated > 1 ? history_share <= 0.5 : line_share <= 0.2;
    a.hint = rare ? Hint::kRare : Hint::kOften;
    a.hint_text = fmt::format("fails {} (in {} of {} histories, {} of {} evaluations){}",
                              rare ? "rarely" : "often", a.histories_failed, evaluated, p.failures,
                              p.hits, rare ? ": a likely real bug" : "");
  }
}

// Passing histories count only when they ran a template that also failed the property: another
// template exercises other code, so its fault kinds say nothing about this failure.
void Attribute(const Report& r, const Property& p, PropertyAnalysis& a) {
  std::vector<const HistoryTrace*> failing, passing;
  std::set<std::string> kinds, failing_templates;
  for (const auto& t : r.traces) {
    auto it = t.properties.find(p.id);
    if (it != t.properties.end() && t.has_swarm && it->second.failures > 0) {
      failing.push_back(&t);
      failing_templates.insert(t.template_name);
    }
  }
  for (const auto& t : r.traces) {
    auto it = t.properties.find(p.id);
    if (it == t.properties.end() || !t.has_swarm) continue;
    if (it->second.failures == 0 && failing_templates.count(t.template_name) > 0) {
      passing.push_back(&t);
    }
    if (it->second.failures > 0 || failing_templates.count(t.template_name) > 0) {
      kinds.insert(t.swarm_configured.begin(), t.swarm_configured.end());
    }
  }
  a.failing_with_swarm = static_cast<int>(failing.size());
  a.passing_with_swarm = static_cast<int>(passing.size());
  for (const auto* t : failing) a.failing_without_faults += t->injected.empty();
  for (const auto& kind : kinds) {
    KindAttribution k{.kind = kind};
    for (const auto* t : failing) k.failing_on += t->Enabled(kind);
    for (const auto* t : passing) k.passing_on += t->Enabled(kind);
    if (!failing.empty() && k.failing_on == a.failing_with_swarm &&
        k.passing_on < a.passing_with_swarm) {
      a.required.push_back(kind);
    }
    a.kinds.push_back(std::move(k));
  }
  if (failing.empty()) {
    if (!kinds.empty() && p.failures > 0) a.attribution_text = "no failing history recorded faults";
    return;
  }
  if (a.failing_without_faults > 0) {
    a.attribution_text = fmt::format(
        "fails without faults: {} of {} failing histor{} injected no fault",
        a.failing_without_faults, a.failing_with_swarm, a.failing_with_swarm == 1 ? "y" : "ies");
  } else if (!a.required.empty()) {
    int off = 0;  // passing histories with one of the required kinds off
    for (const auto* t : passing) {
      off += !std::all_of(a.required.begin(), a.required.end(),
                          [&](const std::string& kind) { return t->Enabled(kind); });
    }
    std::string on = a.failing_with_swarm == 1
                         ? "on in the one failing history"
                         : fmt::format("on in all {} failing histories", a.failing_with_swarm);
    a.attribution_text = fmt::format("fails only when {} {} on ({}; off in {} of {} passing)",
                                     EnglishList(a.required), a.required.size() == 1 ? "is" : "are",
                                     on, off, a.passing_with_swarm);
  } else if (a.passing_with_swarm == 0) {
    a.attribution_text = "no passing history of the same template to compare with";
  } else {
    std::vector<std::string> always_on;  // on in every failing history, and so in every passing
    for (const auto& k : a.kinds) {
      if (k.failing_on == a.failing_with_swarm) always_on.push_back(k.kind);
    }
    a.attribution_text =
        always_on.empty()
            ? "no fault kind explains it: it failed with each kind off at least once"
            : fmt::format(
                  "{} {} on in every failing history and in every passing one too: no "
                  "kind tells them apart",
                  EnglishList(always_on), always_on.size() == 1 ? "is" : "are");
  }
}

}  // namespace

PropertyAnalysis Analyze(const Report& r, const Property& p) {
  PropertyAnalysis a;
  for (const auto& t : r.traces) {
    auto it = t.properties.find(p.id);
    if (it == t.properties.end()) continue;
    ++(it->second.failures > 0 ? a.histories_failed : a.histories_passed);
  }
  auto v = properties::Evaluate(p);
  Triage(p, v, a);
  Attribute(r, p, a);
  return a;
}

}  // namespace faultline::report
