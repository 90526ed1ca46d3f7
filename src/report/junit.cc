// junit.xml: one test case per property, so CI systems list properties as tests. A failing
// property's <failure> carries its first failing example and the command that replays it; a
// property that passed without being reached is <skipped>; a history that could not run is an
// <error>. Outside text is made valid XML: control characters become visible escapes.
#include <cstdio>

#include "base/markup.h"
#include "report/analysis.h"
#include "report/report.h"

namespace faultline::report {
namespace {

using properties::Outcome;
using properties::Property;

// XML 1.0 attribute values and text (base/markup.h).
std::string Xml(std::string_view text) { return EscapeMarkup(text, Newlines::kAsEntity); }
std::string XmlText(std::string_view text) { return EscapeMarkup(text); }

std::string FailureBody(const Report& r, const Property& p, const PropertyAnalysis& a) {
  std::string body = properties::Evaluate(p).reason + "\n";
  if (!a.hint_text.empty()) body += a.hint_text + "\n";
  if (!a.attribution_text.empty()) body += "faults: " + a.attribution_text + "\n";
  if (p.first_fail) {
    const auto& e = *p.first_fail;
    body += fmt::format("first failure: history {} (seed {}), {} at {:.3f}s\n", e.history, e.seed,
                        e.source, e.t);
    std::string file = JsonString(e.location, "file");
    if (!file.empty())
      body += fmt::format("at: {}:{}\n", file, JsonInt(e.location, "begin_line", 0));
    if (!e.details.is_null() && !(e.details.is_object() && e.details.empty())) {
      body += "details: " + e.details.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    }
    body += "replay: " + ReplayOf(r, e.history, e.seed) + "\n";
  } else if (!r.histories.empty()) {
    body += "replay: " + ReplayOf(r, r.histories[0].index, r.histories[0].seed) + "\n";
  }
  for (const auto& rs : r.replays) {
    if (rs.property == p.id) {
      body += fmt::format("replayed seed {} {} time(s): failed again {} time(s)\n", rs.seed,
                          rs.replays, rs.recurred);
    }
  }
  return body;
}

std::string TestCase(const Report& r, const Property& p) {
  auto v = properties::Evaluate(p);
  std::string classname =
      fmt::format("faultline.{}{}", r.meta.scenario_name, p.builtin ? ".builtin" : "");
  std::string out = fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
                                Xml(classname), Xml(p.id));
  std::string file = JsonString(p.location, "file");
  if (!file.empty()) {
    out += fmt::format(" file=\"{}\" line=\"{}\"", Xml(file), JsonInt(p.location, "begin_line", 0));
  }
  out += ">\n";
  std::string finding;
  if (r.baseline) {
    finding = FindingLabel(Classify(*r.baseline, p.id, v.outcome == Outcome::kFailed, v.reached));
    out += fmt::format(
        "      <properties><property name=\"baseline\" value=\"{}\"/></properties>\n", finding);
  }
  if (v.outcome == Outcome::kFailed) {
    PropertyAnalysis a = Analyze(r, p);
    out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", Xml(v.reason),
                       Xml(p.display_type), XmlText(FailureBody(r, p, a)));
  } else if (!v.reached) {
    out += fmt::format("      <skipped message=\"{}\"/>\n", Xml(v.reason));
  }
  out += fmt::format("      <system-out>{} passed, {} failed{}</system-out>\n", p.passes,
                     p.failures, finding.empty() ? "" : "; against the baseline: " + finding);
  return out + "    </testcase>\n";
}

}  // namespace

std::string JunitXml(const Report& r) {
  std::string cases;
  int tests = 0, failures = 0, skipped = 0, errors = 0;
  double seconds = 0;
  for (const auto& h : r.histories) {
    seconds += h.seconds;
    if (h.outcome != "setup_failed" && h.outcome != "error") continue;
    ++tests;
    ++errors;
    cases += fmt::format(
        "    <testcase classname=\"faultline.{}.histories\" name=\"history {} (seed {}) runs\" "
        "time=\"{:.3f}\">\n      <error message=\"{}\" type=\"{}\">{}\nreplay: {}</error>\n"
        "    </testcase>\n",
        Xml(r.meta.scenario_name), h.index, h.seed, h.seconds, Xml(h.outcome), Xml(h.outcome),
        XmlText(h.message), XmlText(ReplayOf(r, h.index, h.seed)));
  }
  if (!r.problems.empty()) {
    ++tests;
    ++failures;
    std::string text;
    for (const auto& p : r.problems) text += p + "\n";
    cases += fmt::format(
        "    <testcase classname=\"faultline.{}\" name=\"validate\" time=\"0\">\n"
        "      <failure message=\"{} problem(s)\" type=\"validate\">{}</failure>\n"
        "    </testcase>\n",
        Xml(r.meta.scenario_name), r.problems.size(), XmlText(text));
  }
  if (r.book) {
    for (const Property* p : r.book->Sorted()) {
      auto v = properties::Evaluate(*p);
      ++tests;
      failures += v.outcome == Outcome::kFailed;
      skipped += v.outcome != Outcome::kFailed && !v.reached;
      cases += TestCase(r, *p);
    }
  }
  std::string props =
      fmt::format("      <property name=\"seeds\" value=\"{}\"/>\n",
                  Xml(r.meta.seeds.empty() ? std::to_string(r.meta.seed) : r.meta.seeds));
  props += fmt::format("      <property name=\"run_dir\" value=\"{}\"/>\n", Xml(r.meta.run_dir));
  for (const auto& [kind, n] : FaultsInjected(r)) {
    props +=
        fmt::format("      <property name=\"faults_injected.{}\" value=\"{}\"/>\n", Xml(kind), n);
  }
  if (r.baseline) {
    props +=
        fmt::format("      <property name=\"baseline\" value=\"{}\"/>\n", Xml(r.baseline->run_dir));
  }
  std::string counts = fmt::format(
      "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
      "time=\"{:.3f}\"",
      tests, failures, errors, skipped, seconds);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"faultline\" {}>\n", counts);
  out += fmt::format(
      "  <testsuite name=\"{}\" {}{}>\n", Xml(r.meta.scenario_name), counts,
      r.meta.started.empty() ? "" : fmt::format(" timestamp=\"{}\"", Xml(r.meta.started)));
  out += "    <properties>\n" + props + "    </properties>\n";
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace faultline::report
