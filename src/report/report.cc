#include "report/report.h"

#include <algorithm>

#include "base/exit_codes.h"
#include "base/files.h"
#include "base/strings.h"

namespace faultline::report {

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

std::string ReplayOf(const Report& r, int index, uint64_t seed) {
  if (index >= 0 && static_cast<size_t>(index) < r.histories.size()) {
    const HistoryRow& h = r.histories[static_cast<size_t>(index)];
    if (h.index == index && h.seed == seed && !h.replay.empty()) return h.replay;
  }
  return ReplayCommand(r.meta, seed);
}

const HistoryTrace* TraceOf(const Report& r, int index) {
  if (index < 0 || static_cast<size_t>(index) >= r.traces.size()) return nullptr;
  const HistoryTrace& t = r.traces[static_cast<size_t>(index)];
  return t.index == index ? &t : nullptr;
}

std::vector<std::string> Warnings(const Report& r) {
  std::vector<std::string> out;
  if (r.book) {
    for (const auto& id : r.book->kind_conflicts()) {
      const properties::Property* p = r.book->Find(id);
      out.push_back(fmt::format(
          "property '{}' was reported with more than one kind; the first seen ({}) counts", id,
          p ? p->display_type : "?"));
    }
    for (auto& warning : r.book->Warnings()) out.push_back(std::move(warning));
  }
  out.insert(out.end(), r.read_warnings.begin(), r.read_warnings.end());
  return out;
}

std::string DescribeSeeds(std::vector<uint64_t> seeds) {
  std::sort(seeds.begin(), seeds.end());
  seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
  std::string out;
  for (size_t i = 0; i < seeds.size();) {
    size_t j = i;
    while (j + 1 < seeds.size() && seeds[j + 1] == seeds[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? std::to_string(seeds[i]) : fmt::format("{}-{}", seeds[i], seeds[j]);
    i = j + 1;
  }
  return out;
}

Result<std::vector<uint64_t>> ParseSeeds(std::string_view text, size_t max) {
  std::vector<uint64_t> out;
  for (const auto& item : Split(text, ',')) {
    size_t dash = item.find('-');
    auto lo = ParseUint(Trim(std::string_view(item).substr(0, dash)));
    auto hi =
        dash == std::string::npos ? lo : ParseUint(Trim(std::string_view(item).substr(dash + 1)));
    if (!lo || !hi) {
      return Unexpected(fmt::format(
          "'{}' is not a seed or a range of seeds (expected e.g. 100-199 or 3,17,40-42)", item));
    }
    if (*hi < *lo) return Unexpected(fmt::format("the range '{}' ends before it starts", item));
    if (*hi - *lo >= max || out.size() + (*hi - *lo) >= max) {
      return Unexpected(fmt::format("more than {} seeds", max));
    }
    for (uint64_t s = *lo;; ++s) {
      out.push_back(s);
      if (s == *hi) break;
    }
  }
  if (out.empty()) return Unexpected("no seeds given");
  return out;
}

std::map<std::string, int> FaultsInjected(const Report& r) {
  std::map<std::string, int> out;
  for (const auto& t : r.traces) {
    for (const auto& [kind, n] : t.injected) out[kind] += n;
  }
  return out;
}

std::map<std::string, int64_t> FaultCallsFailed(const Report& r) {
  std::map<std::string, int64_t> out;
  for (const auto& t : r.traces) {
    for (const auto& f : t.faults) {
      const Json& failed = JsonMember(f.effect, "failed_calls");
      if (failed.is_number_integer()) out[f.kind] += failed.get<int64_t>();
    }
  }
  return out;
}

Json MetaJson(const RunMeta& m) {
  Json j = {{"scenario", m.scenario_name}, {"scenario_dir", m.scenario_dir},
            {"run_dir", m.run_dir},        {"seed", m.seed},
            {"histories", m.histories},    {"jobs", m.jobs},
            {"duration", m.duration},      {"template", m.template_flag},
            {"started", m.started},        {"ended", m.ended},
            {"validate", m.validate}};
  if (!m.seeds.empty()) j["seeds"] = m.seeds;
  if (!m.merged_from.empty()) j["merged_from"] = m.merged_from;
  return j;
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
  m.seeds = JsonString(j, "seeds");
  const Json& merged = JsonMember(j, "merged_from");
  if (merged.is_array()) {
    for (const auto& d : merged) {
      if (d.is_string()) m.merged_from.push_back(d.get<std::string>());
    }
  }
  return m;
}

Status WriteReportFiles(const Report& r, const std::string& dir) {
  Status first;
  auto write = [&](const char* name, const std::string& text) {
    Status s = WriteFileAtomic(dir + "/" + name, text);
    if (!s.ok() && first.ok()) first = s;
  };
  write("report.json", ReportJson(r).dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  write("junit.xml", JunitXml(r));
  write("report.html", HtmlReport(r));
  return first;
}

}  // namespace faultline::report
