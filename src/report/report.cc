#include "report/report.h"

#include <dirent.h>

#include <algorithm>

#include "base/exit_codes.h"
#include "base/files.h"
#include "base/strings.h"
#include "base/terminal.h"
#include "timeline/timeline.h"

namespace faultline::report {
namespace {

using properties::Evaluate;
using properties::Example;
using properties::Outcome;
using properties::Property;

Json ExampleJson(const Example& e, const RunMeta& meta) {
  return {{"history", e.history},
          {"seed", e.seed},
          {"source", e.source},
          {"t", e.t},
          {"location", e.location},
          {"details", e.details},
          {"replay", ReplayCommand(meta, e.seed)}};
}

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

const char* Paint(bool color, const char* code) { return color ? code : ""; }

void PrintProperty(FILE* out, const Report& r, const Property& p, bool color) {
  auto v = Evaluate(p);
  bool failed = v.outcome == Outcome::kFailed;
  std::fprintf(out, "%s%s%s  %s  [%s%s]", Paint(color, failed ? "\033[1;31m" : "\033[32m"),
               failed ? "FAIL" : "pass", Paint(color, "\033[0m"), p.id.c_str(),
               p.display_type.c_str(), p.builtin ? ", built-in" : "");
  std::fprintf(out, "  %llu passed, %llu failed", static_cast<unsigned long long>(p.passes),
               static_cast<unsigned long long>(p.failures));
  if (!v.reason.empty()) std::fprintf(out, " — %s", v.reason.c_str());
  std::fprintf(out, "\n");
  if (!failed) return;
  if (p.first_fail) {
    const Example& e = *p.first_fail;
    std::fprintf(out, "      first failure: history %d (seed %llu), %s%sat %.3fs\n", e.history,
                 static_cast<unsigned long long>(e.seed), e.source.c_str(),
                 e.source.empty() ? "" : " ", e.t);
    std::string where = LocationText(e.location);
    if (!where.empty()) std::fprintf(out, "      at: %s\n", where.c_str());
    if (!e.details.is_null() && !(e.details.is_object() && e.details.empty())) {
      std::string details = e.details.dump(-1, ' ', false, Json::error_handler_t::replace);
      if (details.size() > 400) details = details.substr(0, 400) + "...";
      std::fprintf(out, "      details: %s\n", details.c_str());
    }
    std::fprintf(out, "      replay: %s\n", ReplayCommand(r.meta, e.seed).c_str());
  } else {
    std::string where = LocationText(p.location);
    if (!where.empty()) std::fprintf(out, "      declared at: %s\n", where.c_str());
    if (!r.histories.empty()) {
      std::fprintf(out, "      replay: %s\n", ReplayCommand(r.meta, r.histories[0].seed).c_str());
    }
  }
  for (const auto& rs : r.replays) {
    if (rs.property == p.id) {
      std::fprintf(out, "      replayed seed %llu %d time(s): failed again %d time(s)\n",
                   static_cast<unsigned long long>(rs.seed), rs.replays, rs.recurred);
    }
  }
}

}  // namespace

int ExitCodeOf(const Report& r) {
  if (r.interrupted) return kExitInterrupted;
  for (const auto& h : r.histories) {
    if (h.outcome == "setup_failed" || h.outcome == "error") return kExitInfrastructure;
  }
  if (!r.problems.empty()) return kExitFailed;
  if (r.book && r.book->AnyFailed()) return kExitFailed;
  return kExitOk;
}

std::string ReplayCommand(const RunMeta& meta, uint64_t seed) {
  std::vector<std::string> argv = {"faultline", meta.validate ? "validate" : "run",
                                   meta.scenario_dir};
  if (!meta.validate) {
    argv.insert(argv.end(), {"--seed", std::to_string(seed)});
    if (!meta.duration.empty()) argv.insert(argv.end(), {"--duration", meta.duration});
    if (!meta.template_flag.empty()) argv.insert(argv.end(), {"--template", meta.template_flag});
  }
  return ShellJoin(argv);
}

Json MetaJson(const RunMeta& m) {
  return {{"scenario", m.scenario_name}, {"scenario_dir", m.scenario_dir},
          {"run_dir", m.run_dir},        {"seed", m.seed},
          {"histories", m.histories},    {"jobs", m.jobs},
          {"duration", m.duration},      {"template", m.template_flag},
          {"started", m.started},        {"ended", m.ended},
          {"validate", m.validate}};
}

RunMeta MetaFromJson(const Json& j) {
  RunMeta m;
  m.scenario_name = JsonString(j, "scenario");
  m.scenario_dir = JsonString(j, "scenario_dir");
  m.run_dir = JsonString(j, "run_dir");
  const Json& seed = JsonMember(j, "seed");
  m.seed = seed.is_number_unsigned() ? seed.get<uint64_t>()
                                     : static_cast<uint64_t>(JsonInt(j, "seed", 0));
  m.histories = static_cast<int>(JsonInt(j, "histories", 0));
  m.jobs = static_cast<int>(JsonInt(j, "jobs", 1));
  m.duration = JsonString(j, "duration");
  m.template_flag = JsonString(j, "template");
  m.started = JsonString(j, "started");
  m.ended = JsonString(j, "ended");
  m.validate = JsonBool(j, "validate", false);
  return m;
}

namespace {

Json HistoryJson(const HistoryRow& h, const RunMeta& meta) {
  return {{"index", h.index},
          {"seed", h.seed},
          {"template", h.template_name},
          {"dir", h.dir},
          {"outcome", h.outcome},
          {"message", h.message},
          {"terminal", h.terminal},
          {"invocations", h.invocations},
          {"seconds", h.seconds},
          {"replay", ReplayCommand(meta, h.seed)}};
}

Json PropertyJson(const Property& p, const Report& r) {
  auto v = Evaluate(p);
  Json replays = Json::array();
  for (const auto& rs : r.replays) {
    if (rs.property == p.id) {
      replays.push_back({{"seed", rs.seed}, {"replays", rs.replays}, {"recurred", rs.recurred}});
    }
  }
  return {{"id", p.id},
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
          {"first_pass", p.first_pass ? ExampleJson(*p.first_pass, r.meta) : Json()},
          {"first_fail", p.first_fail ? ExampleJson(*p.first_fail, r.meta) : Json()},
          {"replays", replays}};
}

const char* OutcomeWord(int code, bool validate) {
  if (validate) return code == kExitOk ? "VALID" : "NOT VALID";
  return code == kExitOk            ? "PASSED"
         : code == kExitFailed      ? "FAILED"
         : code == kExitInterrupted ? "INTERRUPTED"
                                    : "ERROR";
}

// What the run reports besides properties: histories that could not run, validate's problems,
// and properties whose lines disagreed on their kind.
void PrintProblems(FILE* out, const Report& r, bool color) {
  for (const auto& h : r.histories) {
    if (h.outcome == "setup_failed" || h.outcome == "error") {
      std::fprintf(out, "%sERROR%s history %d (seed %llu, template %s): %s\n",
                   Paint(color, "\033[1;31m"), Paint(color, "\033[0m"), h.index,
                   static_cast<unsigned long long>(h.seed), h.template_name.c_str(),
                   h.message.c_str());
    }
  }
  for (const auto& problem : r.problems) std::fprintf(out, "problem: %s\n", problem.c_str());
  for (const auto& warning : Warnings(r)) {
    std::fprintf(out, "warning: %s\n", ForTerminal(warning).c_str());
  }
}

}  // namespace

std::vector<std::string> Warnings(const Report& r) {
  std::vector<std::string> out;
  if (!r.book) return out;
  for (const auto& id : r.book->kind_conflicts()) {
    const Property* p = r.book->Find(id);
    out.push_back(fmt::format(
        "property '{}' was reported with more than one kind; the first seen ({}) counts", id,
        p ? p->display_type : "?"));
  }
  for (auto& warning : r.book->Warnings()) out.push_back(std::move(warning));
  return out;
}

Json ReportJson(const Report& r) {
  Json histories = Json::array();
  for (const auto& h : r.histories) histories.push_back(HistoryJson(h, r.meta));
  Json props = Json::array();
  int failed = 0, unreached = 0;
  if (r.book) {
    for (const Property* p : r.book->Sorted()) {
      auto v = Evaluate(*p);
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
  return {{"faultline_version", "0.1.0"},
          {"schema", 1},
          {"run", MetaJson(r.meta)},
          {"outcome", outcome},
          {"exit_code", code},
          {"summary",
           {{"properties", total},
            {"failed", failed},
            {"passed", total - failed},
            {"unreached", unreached},
            {"histories", r.histories.size()}}},
          {"problems", r.problems},
          {"warnings", Warnings(r)},
          {"histories", histories},
          {"properties", props}};
}

void PrintSummary(FILE* out, const Report& r, bool color) {
  std::fprintf(out, "\n");
  PrintProblems(out, r, color);
  int code = ExitCodeOf(r);
  const char* paint = Paint(color, code == 0 ? "\033[1;32m" : "\033[1;31m");
  if (r.meta.validate) {
    int setup_failed = 0;
    for (const auto& h : r.histories) setup_failed += h.outcome != "completed";
    std::fprintf(out, "%s%s%s: %zu problem(s)%s; report: %s/report.json\n", paint,
                 OutcomeWord(code, true), Paint(color, "\033[0m"),
                 r.problems.size() + static_cast<size_t>(setup_failed),
                 setup_failed ? ", services did not come up" : "", r.meta.run_dir.c_str());
    return;
  }
  int failed = 0, passed = 0;
  if (r.book) {
    auto sorted = r.book->Sorted();  // failing first
    for (const Property* p : sorted) {
      bool failing = Evaluate(*p).outcome == Outcome::kFailed;
      // A blank line between the failing properties and the rest.
      if (!failing && passed == 0 && failed > 0) std::fprintf(out, "\n");
      ++(failing ? failed : passed);
      PrintProperty(out, r, *p, color);
    }
  }
  int64_t invocations = 0;
  for (const auto& h : r.histories) invocations += h.invocations;
  std::fprintf(out,
               "\n%s%s%s: %d properties, %d failed; %zu histor%s, %lld command invocations; "
               "report: %s/report.json\n",
               paint, OutcomeWord(code, false), Paint(color, "\033[0m"), passed + failed, failed,
               r.histories.size(), r.histories.size() == 1 ? "y" : "ies",
               static_cast<long long>(invocations), r.meta.run_dir.c_str());
}

Result<Report> Rebuild(const std::string& run_dir, properties::PropertyBook& book) {
  auto meta_text = ReadFile(run_dir + "/run.json");
  if (!meta_text)
    return Unexpected(
        fmt::format("{} is not a faultline run folder: {}", run_dir, meta_text.error()));
  Json meta = Json::parse(*meta_text, nullptr, false);
  if (!meta.is_object()) return Unexpected(fmt::format("{}/run.json is not valid JSON", run_dir));
  Report r;
  r.meta = MetaFromJson(meta);
  r.meta.run_dir = run_dir;
  std::vector<std::string> dirs;
  if (DIR* d = opendir(run_dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 1 && name[0] == 'h' &&
          PathExists(run_dir + "/" + name + "/timeline.jsonl")) {
        dirs.push_back(name);
      }
    }
    closedir(d);
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& name : dirs) {
    auto timeline = ReadTimeline(run_dir + "/" + name + "/timeline.jsonl");
    if (!timeline) return Unexpected(timeline.error());
    HistoryRow row;
    row.dir = run_dir + "/" + name;
    row.outcome = "interrupted";  // unless the timeline says how it ended
    properties::HistoryRef ref;
    int64_t started = 0;  // invocations, for a timeline cut short (faultline was killed)
    for (const auto& e : timeline->events) {
      started += e.type == EventType::kCommandStart;
      if (e.type == EventType::kHistoryStart) {
        row.index = static_cast<int>(JsonInt(e.fields, "index", 0));
        const Json& seed = JsonMember(e.fields, "seed");
        row.seed = seed.is_number_unsigned() ? seed.get<uint64_t>()
                                             : static_cast<uint64_t>(JsonInt(e.fields, "seed", 0));
        row.template_name = JsonString(e.fields, "template");
        ref = {row.index, row.seed};
      } else if (e.type == EventType::kHistoryEnd) {
        row.outcome = JsonString(e.fields, "outcome", "completed");
        row.message = JsonString(e.fields, "message");
        row.terminal = JsonString(e.fields, "terminal");
        row.invocations = JsonInt(e.fields, "invocations", 0);
        row.seconds = static_cast<double>(e.t_us) / 1e6;
      }
      book.Add(ref, e);
    }
    if (row.outcome == "interrupted") row.invocations = started;
    r.histories.push_back(row);
  }
  r.book = &book;
  r.interrupted = std::any_of(r.histories.begin(), r.histories.end(),
                              [](const HistoryRow& h) { return h.outcome == "interrupted"; });
  return r;
}

}  // namespace faultline::report
