// Test and benchmark helpers for report/: build a history's timeline event by event, as
// faultline and the fault schedule write it (docs/faults.md for the fault events), and write
// run folders (run.json, h<index>-seed<seed>/timeline.jsonl, logs, command output) to rebuild
// reports from. Header-only; used by report tests, the browser test and bench/report.
#pragma once

#include <string>
#include <vector>

#include "base/files.h"
#include "base/rng.h"
#include "report/report.h"
#include "timeline/timeline.h"

namespace faultline::report::testing {

// One history's events, with times in milliseconds.
class HistoryScript {
 public:
  HistoryScript(int index, uint64_t seed, std::string tmpl = "t")
      : index_(index), seed_(seed), tmpl_(std::move(tmpl)) {
    Add(0, EventType::kHistoryStart, {{"index", index}, {"seed", seed}, {"template", tmpl_}});
  }
  int index() const { return index_; }
  uint64_t seed() const { return seed_; }
  const std::vector<Event>& events() const { return events_; }

  HistoryScript& Add(double ms, EventType type, Json fields) {
    events_.push_back(Event::Of(static_cast<int64_t>(ms * 1000), type, std::move(fields)));
    return *this;
  }
  HistoryScript& Service(double ms, const std::string& name, int start = 1) {
    return Add(ms, EventType::kServiceStart, {{"service", name}, {"pid", 100}, {"start", start}});
  }
  HistoryScript& Healthy(double ms, const std::string& name) {
    return Add(ms, EventType::kServiceHealthy, {{"service", name}});
  }
  HistoryScript& ServiceExit(double ms, const std::string& name, bool expected,
                             const std::string& signal = "SIGKILL") {
    return Add(ms, EventType::kServiceExit,
               {{"service", name},
                {"signal", signal},
                {"expected", expected},
                {"reason", expected ? "teardown" : ""}});
  }
  HistoryScript& Setup(double ms) {
    return Add(ms, EventType::kSetupComplete, {{"via", "healthy"}});
  }
  HistoryScript& Swarm(std::vector<std::string> configured, std::vector<std::string> enabled) {
    return Add(events_.back().t_us / 1000.0, EventType::kFaultSwarm,
               {{"configured", configured}, {"enabled", enabled}});
  }
  HistoryScript& Command(double start, double end, int64_t id, const std::string& name,
                         int code = 0, const std::string& killed = "") {
    std::string command = tmpl_ + "/" + name;
    Add(start, EventType::kCommandStart,
        {{"id", id}, {"command", command}, {"prefix", name.substr(0, name.find('_') + 1)}});
    Json end_fields = {{"id", id}, {"command", command}, {"ms", end - start}};
    if (killed.empty()) {
      end_fields["code"] = code;
    } else {
      end_fields["signal"] = "SIGKILL";
      end_fields["killed"] = killed;
    }
    pending_.push_back({end, EventType::kCommandEnd, end_fields});
    return *this;
  }
  // An assertion from invocation `id` of `name` (written when the invocation is running).
  HistoryScript& Assert(double ms, int64_t id, const std::string& name, const std::string& property,
                        bool condition, Json details = Json::object(),
                        const std::string& type = "always") {
    Json a = {{"id", property},
              {"message", property},
              {"hit", true},
              {"condition", condition},
              {"must_hit", true},
              {"assert_type", type},
              {"display_type", type == "always" ? "Always" : "Sometimes"},
              {"details", std::move(details)},
              {"location", {{"file", "test/v1/t/" + name}, {"begin_line", 7}}}};
    return Add(ms, EventType::kAssert,
               {{"command", tmpl_ + "/" + name}, {"id", id}, {"assert", a}});
  }
  HistoryScript& FaultBegin(double ms, int64_t id, const std::string& kind,
                            std::vector<std::string> targets, Json params = Json::object()) {
    return Add(ms, EventType::kFault,
               {{"action", "begin"},
                {"id", id},
                {"kind", kind},
                {"targets", targets},
                {"params", std::move(params)},
                {"planned_ms", 1000}});
  }
  // `effect`: what the fault did while in force (a disk fault's {"failed_calls": N}), or null.
  HistoryScript& FaultHeal(double ms, int64_t id, const std::string& kind,
                           std::vector<std::string> targets, const std::string& reason = "planned",
                           Json effect = nullptr) {
    Json fields = {
        {"action", "heal"}, {"id", id}, {"kind", kind}, {"targets", targets}, {"reason", reason}};
    if (!effect.is_null()) fields["effect"] = std::move(effect);
    return Add(ms, EventType::kFault, std::move(fields));
  }
  HistoryScript& Terminal(double ms, const std::string& which) {
    Add(ms, EventType::kDecision, {{"what", "terminal"}, {"value", which}});
    return Add(ms, EventType::kFaults, {{"state", "off"}, {"reason", "terminal phase"}});
  }
  HistoryScript& End(double ms, int64_t invocations, const std::string& terminal = "eventually") {
    Flush(ms);
    return Add(ms, EventType::kHistoryEnd,
               {{"outcome", "completed"}, {"terminal", terminal}, {"invocations", invocations}});
  }
  // Writes every pending command end at or before `ms`, in time order.
  void Flush(double ms) {
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const auto& a, const auto& b) { return a.ms < b.ms; });
    std::vector<Pending> later;
    for (auto& p : pending_) {
      if (p.ms <= ms) {
        Add(p.ms, p.type, p.fields);
      } else {
        later.push_back(p);
      }
    }
    pending_ = std::move(later);
    std::stable_sort(events_.begin(), events_.end(),
                     [](const Event& a, const Event& b) { return a.t_us < b.t_us; });
  }

 private:
  struct Pending {
    double ms;
    EventType type;
    Json fields;
  };
  int index_;
  uint64_t seed_;
  std::string tmpl_;
  std::vector<Event> events_;
  std::vector<Pending> pending_;
};

inline RunMeta TestMeta(const std::string& run_dir, uint64_t seed, int histories) {
  return RunMeta{.scenario_name = "kv",
                 .scenario_dir = "scenarios/kv",
                 .run_dir = run_dir,
                 .seed = seed,
                 .histories = histories,
                 .jobs = 1,
                 .duration = "10s",
                 .started = "2026-01-01T00:00:00Z",
                 .ended = "2026-01-01T00:01:00Z"};
}

// Writes `h` as <run_dir>/h<index>-seed<seed>/timeline.jsonl; returns the history folder.
inline std::string WriteHistory(const std::string& run_dir, const HistoryScript& h) {
  std::string dir = fmt::format("{}/h{:03}-seed{}", run_dir, h.index(), h.seed());
  (void)MakeDirs(dir + "/logs");
  Timeline t;
  (void)t.Open(dir + "/timeline.jsonl");
  for (const auto& e : h.events()) t.RecordAt(e);
  t.Flush();
  return dir;
}

inline void WriteRunJson(const RunMeta& meta) {
  (void)WriteFile(meta.run_dir + "/run.json", MetaJson(meta).dump(2));
}

// A run of `histories` histories of about `events` timeline events each: one service that a
// kill fault restarts, up to four command slots, assertions (a rare failure of "balance >= 0" when
// pause is on), a swarm subset of {kill, pause, network} per history.
inline void WriteSyntheticRun(const std::string& run_dir, int histories, int events,
                              uint64_t seed = 1) {
  (void)MakeDirs(run_dir);
  WriteRunJson(TestMeta(run_dir, seed, histories));
  for (int i = 0; i < histories; ++i) {
    Rng rng(seed * 7919 + static_cast<uint64_t>(i));
    HistoryScript h(i, seed + static_cast<uint64_t>(i), "counter");
    h.Service(1, "kv").Healthy(50, "kv").Setup(60);
    std::vector<std::string> all = {"kill", "pause", "network"}, enabled;
    for (const auto& k : all) {
      if (rng.Chance(0.5)) enabled.push_back(k);
    }
    if (enabled.empty()) enabled.push_back(all[rng.Below(3)]);
    bool pause = std::find(enabled.begin(), enabled.end(), "pause") != enabled.end();
    h.Swarm(all, enabled);
    double t = 100;
    int64_t id = 0, fault = 0;
    std::vector<double> slot_free(4, t);
    // Each invocation writes about 4 events: start, two assertions, end.
    int invocations = std::max(1, (events - 10) / 4);
    for (int n = 0; n < invocations; ++n) {
      size_t slot = static_cast<size_t>(n % 4);
      double start = slot_free[slot] + static_cast<double>(rng.Between(1, 20));
      double end = start + static_cast<double>(rng.Between(20, 300));
      slot_free[slot] = end;
      ++id;
      std::string name = slot == 3 ? "anytime_ping.sh" : "parallel_driver_incr.sh";
      h.Flush(start);
      h.Command(start, end, id, name, rng.Between(0, 999) == 0 ? 1 : 0);
      bool bad = pause && rng.Between(0, 499) == 0;
      h.Assert(start + 5, id, name, "balance >= 0", !bad, {{"balance", bad ? -3 : 10}});
      h.Assert(end - 1, id, name, "an INCR is acknowledged", true, Json::object(), "sometimes");
      if (n % 50 == 10 && !enabled.empty()) {
        const std::string& kind = enabled[static_cast<size_t>(n / 50) % enabled.size()];
        ++fault;
        h.FaultBegin(start, fault, kind, {"kv"});
        h.FaultHeal(start + 400, fault, kind, {"kv"});
      }
      t = std::max(t, end);
    }
    double finish = *std::max_element(slot_free.begin(), slot_free.end()) + 10;
    h.Terminal(finish, "eventually");
    h.ServiceExit(finish + 5, "kv", true, "SIGTERM");
    h.End(finish + 10, invocations);
    std::string dir = WriteHistory(run_dir, h);
    (void)WriteFile(dir + "/logs/kv.log",
                    "=== faultline t=0.001s: start 1: kv\nkv: listening\n=== faultline t=0.050s: "
                    "healthy\nkv: serving\n");
  }
}

}  // namespace faultline::report::testing
