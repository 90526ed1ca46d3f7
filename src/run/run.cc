#include "run/run.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <tuple>

#include "base/exit_codes.h"
#include "base/files.h"
#include "base/rng.h"
#include "base/strings.h"
#include "composer/templates.h"
#include "faults/cgroup_cpu.h"
#include "faults/config.h"
#include "faults/in_process.h"
#include "process/loop_clock.h"
#include "process/supervisor.h"
#include "properties/property_book.h"
#include "report/progress.h"
#include "report/report.h"
#include "run/history.h"
#include "topology/prepared_store.h"
#include "unit/unit_set.h"

extern char** environ;

namespace faultline::run {
namespace {

using composer::Template;

std::string NowIso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string RunFolderName(const std::string& scenario, uint64_t seed, bool validate,
                          std::string seeds) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  if (validate) return fmt::format("{}-{}-validate", stamp, scenario);
  if (seeds.empty()) return fmt::format("{}-{}-seed{}", stamp, scenario, seed);
  std::replace(seeds.begin(), seeds.end(), ',', '_');
  if (seeds.size() > 40) seeds = seeds.substr(0, 40) + "_etc";
  return fmt::format("{}-{}-seeds{}", stamp, scenario, seeds);
}

// faultline's own environment, with its folder first in PATH so that commands can call
// `faultline sdk` and scenarios can name programs built beside faultline.
std::vector<std::string> BaseEnv() {
  std::vector<std::string> env;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (entry.starts_with("PATH=")) {
      path = entry.substr(5);
    } else if (!entry.starts_with("ANTITHESIS_") && !entry.starts_with("FAULTLINE_")) {
      env.push_back(std::move(entry));
    }
  }
  env.push_back("PATH=" + SelfExeDir() + ":" + path);
  return env;
}

// Whether `uid`/`gid` may traverse every folder from / down to `path`.
bool UserCanReach(const std::string& path, uid_t uid, gid_t gid) {
  std::filesystem::path p = std::filesystem::absolute(path);
  std::filesystem::path walk = "/";
  for (const auto& part : p) {
    if (part == "/") continue;
    walk /= part;
    struct stat st {};
    if (stat(walk.c_str(), &st) != 0) return true;  // not created yet: we will create it 0755
    mode_t bit = st.st_uid == uid ? S_IXUSR : st.st_gid == gid ? S_IXGRP : S_IXOTH;
    if (!(st.st_mode & bit)) return false;
  }
  return true;
}

class Runner {
 public:
  Runner(const RunOptions& options, FILE* out, FILE* err)
      : options_(options), out_(out), err_(err), supervisor_(loop_) {}
  int Execute();

 private:
  bool Load();
  bool Prepare();
  bool PrepareFaults();
  void StartNext();
  void OnHistoryDone(HistoryResult result);
  void OnInterrupt(int signal);
  std::unique_ptr<History> MakeHistory(int index, uint64_t seed, const Template* t,
                                       const std::string& dir, properties::PropertyBook* book);
  void ReplayFailures();
  int Finish();
  std::string HistoryDir(const std::string& name);
  void MoveHome(const HistoryResult& r);
  report::HistoryRow RowOf(const HistoryResult& r);
  uint64_t SeedOf(int index) const;
  void StartProgress();
  void Tick();
  // The final report: rebuilt from the run folder, so it is what `faultline report` gives, plus
  // what only the run knows (an interrupt, validate's problems); the live one if that fails.
  report::Report FinalReport();

  RunOptions options_;
  FILE* out_;
  FILE* err_;
  EventLoop loop_;
  LoopClock clock_{loop_};
  Supervisor supervisor_;
  scenario::Scenario scenario_;
  std::vector<Template> templates_;
  std::vector<const Template*> eligible_;
  RunContext ctx_;
  composer::ComposerOptions composer_options_;
  report::Report report_;
  properties::PropertyBook book_;
  properties::PropertyBook final_book_;  // the final report's, filled from the run folder
  std::unique_ptr<report::Progress> progress_;
  Timer tick_;
  std::map<int, std::unique_ptr<History>> active_;
  int next_index_ = 0;
  int limit_ = 0;
  bool CheckNetworkMode();
  bool stop_launching_ = false;
  int interrupts_ = 0;
  std::unique_ptr<PreparedStore> prepared_;  // reusable prepared folders, when any
  faults::FaultsConfig faults_;
  std::unique_ptr<faults::CgroupCpu> cpu_;    // when a throttle fault is configured
  std::string scratch_;                       // a reachable temp folder, when needed
  std::map<std::string, std::string> homes_;  // temp history folder -> its place in the run
};

bool Runner::CheckNetworkMode() {
  if (options_.network == "isolated") scenario_.network = scenario::NetworkMode::kIsolated;
  if (options_.network == "loopback") scenario_.network = scenario::NetworkMode::kLoopback;
  if (scenario_.network != scenario::NetworkMode::kIsolated) return true;
  if (!options_.network.empty()) {
    // The loader checked host names only when the file itself asked for isolated mode.
    auto errors = scenario::CheckIsolated(scenario_);
    if (!errors.empty()) {
      auto text = ReadFile(scenario_.file);
      std::fputs(FormatDiagnostics(errors, text ? *text : "").c_str(), err_);
      report_.problems.push_back(
          fmt::format("{} has {} error(s) for isolated mode", scenario_.file, errors.size()));
      return false;
    }
  }
  if (Status s = unit::CheckIsolatedPrivileges(); !s.ok()) {
    std::fprintf(err_, "faultline: %s\n", s.message().c_str());
    report_.problems.push_back(s.message());
    return false;
  }
  return true;
}

bool Runner::Load() {
  auto loaded = scenario::LoadScenario(options_.scenario_dir);
  if (loaded.interrupted) {
    std::fputs("faultline: interrupted while loading the scenario\n", err_);
    interrupts_ = 1;
    return false;
  }
  // The faults section is the fault catalog's to read; its errors join the loader's, in order.
  auto parsed = faults::ParseFaults(loaded.partial);
  if (!parsed.errors.empty()) {
    loaded.errors.insert(loaded.errors.end(), parsed.errors.begin(), parsed.errors.end());
    std::stable_sort(loaded.errors.begin(), loaded.errors.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
    loaded.scenario.reset();
  }
  faults_ = std::move(parsed.config);
  if (loaded.scenario) {
    // The network mode that will run (a --network flag overrides the file) decides whether
    // histories share ports.
    if (options_.network == "isolated") loaded.scenario->network = scenario::NetworkMode::kIsolated;
    if (options_.network == "loopback") loaded.scenario->network = scenario::NetworkMode::kLoopback;
    if (auto e = scenario::CheckFixedPortsForJobs(*loaded.scenario, options_.jobs)) {
      loaded.errors.push_back(*e);
      loaded.scenario.reset();
    }
  }
  if (!loaded.scenario) {
    std::fputs(FormatDiagnostics(loaded.errors, loaded.source).c_str(), err_);
    report_.problems.push_back(fmt::format(
        "{} has {} error(s)", loaded.errors.empty() ? options_.scenario_dir : loaded.errors[0].file,
        loaded.errors.size()));
    return false;
  }
  scenario_ = std::move(*loaded.scenario);
  if (!CheckNetworkMode()) return false;
  auto discovery = composer::DiscoverTemplates(scenario_);
  if (!discovery.errors.empty()) {
    std::fputs(FormatDiagnostics(discovery.errors).c_str(), err_);
    report_.problems.push_back(fmt::format("{} template error(s)", discovery.errors.size()));
    return false;
  }
  templates_ = std::move(discovery.templates);
  for (const auto& t : templates_) {
    if (options_.template_name.empty() || t.name == options_.template_name) eligible_.push_back(&t);
  }
  if (eligible_.empty()) {
    std::vector<std::string> names;
    for (const auto& t : templates_) names.push_back(t.name);
    std::string message = fmt::format("faultline: no template named '{}'", options_.template_name);
    if (auto s = Suggest(options_.template_name, names))
      message += fmt::format(" (did you mean '{}'?)", *s);
    std::fprintf(err_, "%s; the scenario has: %s\n", message.c_str(), Join(names, ", ").c_str());
    return false;
  }
  if (!options_.duration.empty()) {
    auto d = ParseDurationRange(options_.duration);
    if (!d) {
      std::fprintf(err_, "faultline: --duration: %s\n", d.error().c_str());
      return false;
    }
    scenario_.duration = *d;
  }
  return true;
}

std::string Runner::HistoryDir(const std::string& name) {
  std::string home = report_.meta.run_dir + "/" + name;
  if (scratch_.empty()) return home;
  std::string dir = scratch_ + "/" + name;
  homes_[dir] = home;
  return dir;
}

// What the configured fault kinds need from this machine, checked once before any history.
bool Runner::PrepareFaults() {
  if (options_.validate) return true;
  bool clock = false, disk = false, throttle = false;
  for (const auto& k : faults_.kinds) {
    clock |= k.name == "clock";
    disk |= k.name == "disk";
    throttle |= k.name == "throttle";
  }
  Status libs = faults::InProcessFaults::Check(clock, disk);
  if (!libs.ok()) {
    std::fprintf(err_, "faultline: %s\n", libs.message().c_str());
    return false;
  }
  if (throttle) {
    auto cpu = faults::CgroupCpu::Detect();
    if (!cpu) {
      std::fprintf(err_, "faultline: %s\n", cpu.error().c_str());
      return false;
    }
    cpu_ = std::move(*cpu);
  }
  return true;
}

bool Runner::Prepare() {
  uint64_t seed = !options_.seeds.empty() ? options_.seeds[0]
                  : options_.seed         ? *options_.seed
                                          : OsSeed() % 1000000000;
  report_.meta = {.scenario_name = scenario_.name,
                  .scenario_dir = options_.scenario_dir,
                  .seed = seed,
                  .histories = options_.histories,
                  .jobs = options_.jobs,
                  .duration = options_.duration,
                  .template_flag = options_.template_name,
                  .started = NowIso(),
                  .validate = options_.validate,
                  .seeds = options_.seeds_flag};
  std::string base = options_.out + "/" +
                     RunFolderName(scenario_.name, seed, options_.validate, options_.seeds_flag);
  if (Status s = MakeDirs(options_.out); !s.ok()) {
    std::fprintf(err_, "faultline: cannot make the run folder: %s\n", s.message().c_str());
    return false;
  }
  // Two runs started in the same second with the same seed get distinct folders.
  std::string run_dir = base;
  for (int n = 2; mkdir(run_dir.c_str(), 0755) != 0; ++n) {
    if (errno != EEXIST || n > 1000) {
      std::fprintf(err_, "faultline: cannot make the run folder %s: %s\n", run_dir.c_str(),
                   std::strerror(errno));
      return false;
    }
    run_dir = fmt::format("{}-{}", base, n);
  }
  report_.meta.run_dir = RealPath(run_dir).value();
  // Services that drop to another user need to reach their folders; when that user cannot reach
  // the run folder, histories run in a temporary folder and move into the run folder at the end.
  for (const auto& s : scenario_.services) {
    passwd* pw = s.user.empty() || geteuid() != 0 ? nullptr : getpwnam(s.user.c_str());
    if (pw && !UserCanReach(report_.meta.run_dir, pw->pw_uid, pw->pw_gid) && scratch_.empty()) {
      auto tmp = MakeTempDir("faultline");
      if (!tmp) {
        std::fprintf(err_, "faultline: %s\n", tmp.error().c_str());
        return false;
      }
      chmod(tmp->c_str(), 0755);
      scratch_ = *tmp;
    }
  }
  (void)WriteFileAtomic(report_.meta.run_dir + "/run.json",
                        report::MetaJson(report_.meta).dump(2) + "\n");
  if (!PrepareFaults()) return false;
  ctx_ = RunContext{.loop = &loop_,
                    .supervisor = &supervisor_,
                    .scenario = &scenario_,
                    .base_env = BaseEnv(),
                    .sdk_poll = options_.sdk_poll,
                    .faults = &faults_,
                    .cpu = cpu_.get()};
  if (PreparedStore::Wanted(scenario_)) {
    // Beside the histories, so that every service user reaches it; removed when the run ends.
    prepared_ = std::make_unique<PreparedStore>(
        scenario_, (scratch_.empty() ? report_.meta.run_dir : scratch_) + "/.prepared",
        ctx_.base_env, loop_, supervisor_);
    ctx_.prepared = prepared_.get();
  }
  composer_options_.max_parallel_drivers = scenario_.workload.max_parallel_drivers;
  composer_options_.command_timeout = scenario_.workload.command_timeout;
  composer_options_.budget = scenario_.duration;
  std::string seeds =
      options_.seeds_flag.empty() ? fmt::format("seed {}", seed) : "seeds " + options_.seeds_flag;
  std::fprintf(out_, "faultline: %s %s (%s), %s, %d histor%s, %d at a time -> %s\n",
               options_.validate ? "validating" : "running", scenario_.name.c_str(),
               options_.scenario_dir.c_str(), seeds.c_str(), options_.histories,
               options_.histories == 1 ? "y" : "ies", options_.jobs, report_.meta.run_dir.c_str());
  std::fflush(out_);
  return true;
}

std::unique_ptr<History> Runner::MakeHistory(int index, uint64_t seed, const Template* t,
                                             const std::string& dir,
                                             properties::PropertyBook* book) {
  HistorySpec spec{index, seed, t, dir, composer_options_, options_.validate};
  properties::HistoryRef ref{index, seed};
  // The main histories also feed the progress line; replays have books of their own.
  report::Progress* progress = book == &book_ ? progress_.get() : nullptr;
  return std::make_unique<History>(ctx_, spec, [book, ref, progress](const Event& e) {
    book->Add(ref, e);
    if (progress) progress->HistoryEvent(ref.index, e);
  });
}

uint64_t Runner::SeedOf(int index) const {
  if (!options_.seeds.empty()) return options_.seeds[static_cast<size_t>(index)];
  return report_.meta.seed + static_cast<uint64_t>(index);
}

void Runner::StartProgress() {
  Millis estimate = scenario_.duration.hi + scenario_.setup_timeout / 4;
  report::ProgressPlan plan{
      .histories = limit_, .jobs = options_.jobs, .history_estimate = estimate};
  auto failing = [this] {
    int n = 0;
    for (const auto* p : book_.Sorted()) {
      if (properties::Evaluate(*p).outcome != properties::Outcome::kFailed) break;
      ++n;
    }
    return n;
  };
  progress_ = std::make_unique<report::Progress>(
      out_, options_.progress ? report::ProgressStyle::kLine : report::ProgressStyle::kPlain, plan,
      [this] { return clock_.Now(); }, failing);
  Tick();
}

void Runner::Tick() {
  progress_->Tick();
  // Redrawn four times a second on a terminal; plain lines only need an occasional look.
  tick_ = clock_.After(options_.progress ? Millis(250) : Millis(1000), [this] { Tick(); });
}

void Runner::StartNext() {
  while (!stop_launching_ && next_index_ < limit_ &&
         static_cast<int>(active_.size()) < options_.jobs) {
    int index = next_index_++;
    uint64_t seed = SeedOf(index);
    // Consecutive seeds take the templates in turn: a fair share, and a seed alone names its
    // template, so `--seed S` replays history S exactly.
    const Template* t = eligible_[seed % eligible_.size()];
    std::string dir = HistoryDir(fmt::format("h{:03}-seed{}", index, seed));
    auto history = MakeHistory(index, seed, t, dir, &book_);
    History* h = history.get();
    active_[index] = std::move(history);
    progress_->HistoryStarted(index, seed, t->name);
    h->Start([this](HistoryResult r) { OnHistoryDone(std::move(r)); });
  }
  if (active_.empty()) loop_.Stop();
}

void Runner::MoveHome(const HistoryResult& r) {
  auto home = homes_.find(r.dir);
  if (home == homes_.end()) return;
  std::error_code ec;
  std::filesystem::rename(r.dir, home->second, ec);
  if (ec) {
    // Another file system: copy, then remove the temporary copy.
    std::filesystem::copy(
        r.dir, home->second,
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks,
        ec);
    (void)RemoveTree(r.dir);
  }
}

report::HistoryRow Runner::RowOf(const HistoryResult& r) {
  std::string dir = homes_.count(r.dir) ? homes_[r.dir] : r.dir;
  return report::HistoryRow{.index = r.index,
                            .seed = r.seed,
                            .template_name = r.template_name,
                            .dir = dir,
                            .outcome = std::string(OutcomeName(r.outcome)),
                            .message = r.message,
                            .terminal = r.terminal,
                            .invocations = r.invocations,
                            .seconds = r.seconds};
}

void Runner::OnHistoryDone(HistoryResult r) {
  MoveHome(r);
  report_.histories.push_back(RowOf(r));
  for (const auto& p : r.problems) report_.problems.push_back(p);
  progress_->HistoryEnded(report_.histories.back());
  if (r.outcome == HistoryResult::Outcome::kSetupFailed ||
      r.outcome == HistoryResult::Outcome::kError) {
    stop_launching_ = true;  // the environment is broken; more histories would say the same
  }
  std::fflush(out_);
  // The History object is still on the stack of its own callback: free it on the next round.
  auto it = active_.find(r.index);
  if (it != active_.end()) {
    std::shared_ptr<History> finished = std::move(it->second);
    active_.erase(it);
    loop_.After(Millis(0), [finished] {});
  }
  StartNext();
}

void Runner::OnInterrupt(int signal) {
  ++interrupts_;
  report_.interrupted = true;
  stop_launching_ = true;
  if (interrupts_ == 1) {
    progress_->Finish();
    std::fprintf(err_, "\nfaultline: %s: stopping the histories (again to kill at once)\n",
                 signal == SIGINT ? "interrupted" : "terminated");
    for (auto& [i, h] : active_) h->Interrupt();
    if (prepared_) prepared_->Shutdown();
    // Nothing left to wait for: end now rather than on a history that will never report.
    if (active_.empty()) loop_.Stop();
    return;
  }
  supervisor_.KillAll(/*run_callbacks=*/false);
  loop_.Stop();
}

void Runner::ReplayFailures() {
  if (options_.replay_failures <= 0 || report_.interrupted) return;
  std::map<uint64_t, std::vector<std::string>> by_seed;
  for (const auto* p : book_.Sorted()) {
    if (properties::Evaluate(*p).outcome == properties::Outcome::kFailed && p->first_fail) {
      by_seed[p->first_fail->seed].push_back(p->id);
    }
  }
  int index = options_.histories;
  for (const auto& [seed, ids] : by_seed) {
    if (report_.interrupted) break;
    const Template* t = eligible_[seed % eligible_.size()];
    std::map<std::string, int> recurred;
    for (int k = 0; k < options_.replay_failures && !report_.interrupted; ++k) {
      properties::PropertyBook replay_book;
      std::string dir = HistoryDir(fmt::format("replays/seed{}-{}", seed, k + 1));
      int replay_index = index++;
      active_[replay_index] = MakeHistory(replay_index, seed, t, dir, &replay_book);
      std::optional<HistoryResult> result;
      active_[replay_index]->Start([&](HistoryResult r) { result = std::move(r); });
      // An interrupt reaches the replay through active_, like any history.
      loop_.RunUntil([&] { return result.has_value(); });
      std::shared_ptr<History> finished = std::move(active_[replay_index]);
      active_.erase(replay_index);
      loop_.After(Millis(0), [finished] {});
      if (result) MoveHome(*result);
      for (const auto& id : ids) {
        const auto* p = replay_book.Find(id);
        recurred[id] += p && properties::Evaluate(*p).outcome == properties::Outcome::kFailed;
      }
      progress_->Line(fmt::format("replay {} of seed {} done", k + 1, seed));
    }
    for (const auto& id : ids) {
      report_.replays.push_back({id, seed, options_.replay_failures, recurred[id]});
    }
  }
}

report::Report Runner::FinalReport() {
  auto rebuilt = report::Rebuild(report_.meta.run_dir, final_book_);
  if (!rebuilt) {
    std::fprintf(err_, "faultline: the report covers what the run saw live: %s\n",
                 rebuilt.error().c_str());
    return report_;
  }
  report::Report r = std::move(*rebuilt);
  r.meta = report_.meta;
  r.interrupted = report_.interrupted;
  r.problems = report_.problems;
  return r;
}

int Runner::Finish() {
  tick_.Cancel();
  if (progress_) progress_->Finish();
  report_.meta.ended = NowIso();
  std::sort(report_.histories.begin(), report_.histories.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  report_.book = &book_;
  (void)WriteFileAtomic(report_.meta.run_dir + "/run.json",
                        report::MetaJson(report_.meta).dump(2) + "\n");
  report::Report final = FinalReport();
  if (!options_.baseline.empty()) {
    auto baseline = report::LoadBaseline(options_.baseline);
    if (baseline) {
      final.baseline = std::move(*baseline);
    } else {
      std::fprintf(err_, "faultline: --baseline: %s\n", baseline.error().c_str());
    }
  }
  Status written = report::WriteReportFiles(final, report_.meta.run_dir);
  if (!written.ok()) std::fprintf(err_, "faultline: %s\n", written.message().c_str());
  report::PrintSummary(out_, final, options_.color);
  prepared_.reset();
  if (!scratch_.empty()) (void)RemoveTree(scratch_);
  int code = report::ExitCodeOf(final);
  // validate answers one question, "is this scenario ready?": yes (0) or no (1).
  if (options_.validate && code != kExitOk && code != kExitInterrupted) return kExitFailed;
  return code;
}

int Runner::Execute() {
  if (!Load()) {
    if (interrupts_ > 0) return kExitInterrupted;
    return options_.validate ? kExitFailed : kExitUsage;
  }
  if (!Prepare()) return kExitInfrastructure;
  loop_.OnInterrupt([this](int sig) { OnInterrupt(sig); });
  limit_ = options_.histories;
  StartProgress();
  StartNext();
  loop_.Run();
  if (interrupts_ > 1) {
    // A second interrupt: everything was killed; the histories that were still running end
    // where they stood, and the report covers them too.
    for (auto& [index, h] : active_) {
      HistoryResult r = h->Abandon();
      MoveHome(r);
      report_.histories.push_back(RowOf(r));
    }
    active_.clear();
    Finish();
    return kExitInterrupted;
  }
  ReplayFailures();
  return Finish();
}

}  // namespace

int Execute(const RunOptions& options, FILE* out, FILE* err) {
  return Runner(options, out, err).Execute();
}

}  // namespace faultline::run
