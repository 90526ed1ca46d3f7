#include "run/history.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/files.h"
#include "base/rng.h"
#include "base/signals.h"
#include "base/strings.h"
#include "process/spawn.h"

namespace faultline::run {
namespace {

using composer::Prefix;

Json SourceOfService(const std::string& service) { return {{"service", service}}; }

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An invocation's folder under commands/: its number, then the command's name.
std::string InvocationDir(int64_t id, const composer::Command& c) {
  return fmt::format("{:06}-{}", id, c.name);
}

}  // namespace

std::string_view OutcomeName(HistoryResult::Outcome outcome) {
  switch (outcome) {
    case HistoryResult::Outcome::kCompleted:
      return "completed";
    case HistoryResult::Outcome::kSetupFailed:
      return "setup_failed";
    case HistoryResult::Outcome::kError:
      return "error";
    case HistoryResult::Outcome::kInterrupted:
      return "interrupted";
  }
  return "?";
}

// The composer's clock: the run's event loop, in milliseconds since the history began.
class History::LoopClock : public composer::Clock {
 public:
  explicit LoopClock(EventLoop& loop) : loop_(loop), zero_(loop.Now()) {}
  Millis Now() override { return std::chrono::duration_cast<Millis>(loop_.Now() - zero_); }
  TimerId After(Millis delay, std::function<void()> cb) override {
    return loop_.After(delay, std::move(cb));
  }
  void Cancel(TimerId id) override { loop_.Cancel(id); }

 private:
  EventLoop& loop_;
  EventLoop::Clock::time_point zero_;
};

// `faultline validate`: every command once, one at a time, in composer order, each bounded by
// the command timeout. Problems are collected, not fatal.
class History::Sequence {
 public:
  Sequence(History& h, const composer::Template& t, Millis timeout) : h_(h), timeout_(timeout) {
    for (Prefix p :
         {Prefix::kFirst, Prefix::kParallelDriver, Prefix::kSerialDriver, Prefix::kSingletonDriver,
          Prefix::kAnytime, Prefix::kEventually, Prefix::kFinally}) {
      for (const auto* c : t.With(p)) order_.push_back(c);
    }
  }
  ~Sequence() {
    if (timer_) h_.ctx_.loop->Cancel(timer_);
  }
  void Start(std::function<void(composer::ComposerResult)> done) {
    done_ = std::move(done);
    Next();
  }
  void OnEnd(int64_t id, ExitStatus status) {
    if (id != current_) return;
    if (timer_) h_.ctx_.loop->Cancel(timer_);
    timer_ = 0;
    const composer::Command* c = order_[next_ - 1];
    auto ran = std::chrono::duration_cast<Millis>(h_.ctx_.loop->Now() - started_);
    h_.timeline_.Record(EventType::kCommandEnd,
                        composer::CommandEndFields(id, *c, {status.code, status.signal},
                                                   timed_out_ ? "timeout" : "", ran));
    if (timed_out_) {
      problems_.push_back(fmt::format("{} did not finish within {} and was killed", c->Id(),
                                      FormatDuration(timeout_)));
    } else if (!status.success()) {
      problems_.push_back(fmt::format("{} failed ({}); its output: {}", c->Id(), status.Describe(),
                                      h_.spec_.dir + "/commands/" + InvocationDir(id, *c)));
    }
    Next();
  }
  void Interrupt() {
    interrupted_ = true;
    if (current_) h_.Kill(current_);
  }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void Next() {
    current_ = 0;
    timed_out_ = false;
    if (interrupted_ || next_ >= order_.size()) {
      composer::ComposerResult r;
      r.reason = interrupted_ ? composer::EndReason::kInterrupted : composer::EndReason::kFinished;
      r.invocations = static_cast<int64_t>(next_);
      auto done = std::move(done_);
      done(r);
      return;
    }
    const composer::Command* c = order_[next_++];
    int64_t id = static_cast<int64_t>(next_);
    composer::Invocation inv{id, c, composer::InvocationSeed(h_.spec_.seed, *c, 1)};
    auto pid = h_.Launch(inv);
    if (!pid) {
      problems_.push_back(fmt::format("{} could not start: {}", c->Id(), pid.error()));
      Next();
      return;
    }
    current_ = id;
    started_ = h_.ctx_.loop->Now();
    h_.timeline_.Record(EventType::kCommandStart, composer::CommandStartFields(inv, *pid, 1));
    timer_ = h_.ctx_.loop->After(timeout_, [this, id] {
      timer_ = 0;
      timed_out_ = true;
      h_.Kill(id);
    });
  }

  History& h_;
  Millis timeout_;
  std::vector<const composer::Command*> order_;
  size_t next_ = 0;
  int64_t current_ = 0;
  EventLoop::Clock::time_point started_;
  bool timed_out_ = false;
  bool interrupted_ = false;
  EventLoop::TimerId timer_ = 0;
  std::vector<std::string> problems_;
  std::function<void(composer::ComposerResult)> done_;
};

History::History(const RunContext& ctx, HistorySpec spec, Timeline::Listener listener)
    : ctx_(ctx), spec_(std::move(spec)) {
  timeline_.AddListener(std::move(listener));
  result_.index = spec_.index;
  result_.seed = spec_.seed;
  result_.template_name = spec_.tmpl->name;
  result_.dir = spec_.dir;
  result_.terminal = "none";
}

History::~History() {
  *alive_ = false;
  if (poll_timer_) ctx_.loop->Cancel(poll_timer_);
  if (sdk_setup_timer_) ctx_.loop->Cancel(sdk_setup_timer_);
  composer_.reset();
  sequence_.reset();
  for (auto& [id, r] : running_) ctx_.supervisor->Stop(r.child, SIGKILL, Millis(0));
}

void History::Start(std::function<void(HistoryResult)> done) {
  done_ = std::move(done);
  Status prepared = Prepare();
  if (!prepared.ok()) {
    result_.outcome = HistoryResult::Outcome::kError;
    result_.message = prepared.message();
    Teardown();
    return;
  }
  poll_timer_ = ctx_.loop->After(ctx_.sdk_poll, [this] { PollSdk(); });
  topology_->Start([this, alive = alive_](Status s) {
    if (*alive) OnServicesUp(s);
  });
}

Status History::Prepare() {
  FL_RETURN_IF_ERROR(MakeDirs(spec_.dir + "/commands"));
  FL_RETURN_IF_ERROR(timeline_.Open(spec_.dir + "/timeline.jsonl"));
  timeline_.Start(ctx_.loop->Now());
  timeline_.Record(EventType::kHistoryStart, {{"index", spec_.index},
                                              {"seed", spec_.seed},
                                              {"template", spec_.tmpl->name},
                                              {"scenario", ctx_.scenario->name},
                                              {"validate", spec_.validate},
                                              {"started_unix_ms", UnixMillis()}});
  TopologyOptions options{spec_.dir, spec_.seed, ctx_.base_env};
  topology_ =
      std::make_unique<Topology>(*ctx_.scenario, options, *ctx_.loop, *ctx_.supervisor, timeline_);
  topology_->OnSdkFile([this](const std::string& path, const std::string& service) {
    service_readers_.push_back({std::make_unique<sdk::SdkFileReader>(path), service});
  });
  FL_RETURN_IF_ERROR(topology_->Prepare());
  FL_RETURN_IF_ERROR(RouteLinks());
  faults_ = std::make_unique<faults::FaultSchedule>(ctx_.scenario->faults, *ctx_.loop, timeline_);
  control_ = std::make_unique<ControlServer>(
      *ctx_.loop, [this](Millis d, const std::string& from, std::function<void()> reply) {
        faults_->Quiet(d, from, std::move(reply));
      });
  FL_RETURN_IF_ERROR(control_->Listen());
  stop_faults_path_ = spec_.dir + "/services/.faultline/stop-faults";
  FL_RETURN_IF_ERROR(control_->WriteStopFaultsScript(stop_faults_path_));
  auto env = topology_->WorkloadEnv();
  if (!env) return env.status();
  workload_env_ = std::move(*env);
  command_env_ = ctx_.base_env;
  for (const auto& e : workload_env_) {
    size_t eq = e.find('=');
    SetEnvVar(command_env_, e.substr(0, eq), e.substr(eq + 1));
  }
  for (const auto& s : ctx_.scenario->services) {
    // A service that writes SDK lines by hand uses $ANTITHESIS_OUTPUT_DIR/sdk.jsonl.
    service_readers_.push_back(
        {std::make_unique<sdk::SdkFileReader>(spec_.dir + "/services/.faultline/" + s.name +
                                              ".output/sdk.jsonl"),
         s.name});
  }
  return WriteResolvedScenario();
}

Status History::RouteLinks() {
  if (ctx_.scenario->links.empty()) return Status::Ok();
  // One proxy per history: its draws (toxicity, jitter) then depend on this history's seed only.
  auto proxy = net::FaultProxy::Start({DeriveSeed(spec_.seed, "proxy"), true});
  if (!proxy) return proxy.status().Context("fault proxy");
  proxy_ = std::move(*proxy);
  const auto& real = topology_->addresses().real_ports;
  for (const auto& link : ctx_.scenario->links) {
    net::LinkConfig config;
    config.name = link.Name();
    config.upstream = fmt::format("127.0.0.1:{}", real.at(link.to));
    auto made = proxy_->CreateLink(config);
    if (!made) return made.status().Context(fmt::format("link {}", link.Name()));
    topology_->RouteLink(link.from, link.to, made->port);
  }
  return Status::Ok();
}

Status History::WriteResolvedScenario() const {
  const auto& a = topology_->addresses();
  Json services = Json::array();
  for (const auto& s : ctx_.scenario->services) {
    Json command = Json::array();
    for (const auto& t : s.command) {
      auto r = scenario::ResolvePlaceholders(t.raw, s.name, a);
      command.push_back(r ? *r : t.raw);
    }
    Json env = Json::object();
    for (const auto& [k, t] : s.env) {
      auto r = scenario::ResolvePlaceholders(t.raw, s.name, a);
      env[k] = r ? *r : t.raw;
    }
    services.push_back({{"name", s.name},
                        {"port", a.real_ports.count(s.name) ? a.real_ports.at(s.name) : 0},
                        {"dir", a.dirs.at(s.name)},
                        {"user", s.user},
                        {"command", command},
                        {"env", env},
                        {"log", topology_->LogPath(s.name)}});
  }
  Json links = Json::array();
  for (const auto& l : ctx_.scenario->links) {
    links.push_back({{"from", l.from},
                     {"to", l.to},
                     {"proxy_port", a.PortFor(l.to, l.from)},
                     {"upstream_port", a.real_ports.at(l.to)}});
  }
  Json workload = Json::object();
  for (const auto& e : workload_env_) {
    size_t eq = e.find('=');
    workload[e.substr(0, eq)] = e.substr(eq + 1);
  }
  Json doc = {{"scenario", ctx_.scenario->name},
              {"scenario_dir", ctx_.scenario->dir},
              {"seed", spec_.seed},
              {"template", spec_.tmpl->name},
              {"services", services},
              {"links", links},
              {"workload_env", workload},
              {"stop_faults", stop_faults_path_}};
  return WriteFileAtomic(spec_.dir + "/scenario.resolved.json", doc.dump(2) + "\n");
}

void History::OnServicesUp(Status status) {
  if (tearing_down_) return;
  if (!status.ok()) {
    result_.outcome = HistoryResult::Outcome::kSetupFailed;
    result_.message = status.message();
    timeline_.Record(EventType::kSetupFailed,
                     {{"reason", status.message()}, {"unhealthy", topology_->Unhealthy()}});
    Teardown();
    return;
  }
  if (ctx_.scenario->setup_complete == scenario::SetupMode::kHealthy) {
    SetupComplete("healthy", Json::object(), nullptr);
    return;
  }
  // setup_complete: sdk — wait for the first antithesis_setup line, within what is left of the
  // setup timeout (the time services took to come up counts).
  PollSdk();
  if (early_setup_ && !setup_complete_) {
    SetupComplete("sdk", early_setup_->first, early_setup_->second);
  }
  if (setup_complete_ || tearing_down_) return;
  Millis used =
      std::chrono::duration_cast<Millis>(std::chrono::microseconds(timeline_.NowMicros()));
  Millis left = std::max(Millis(0), ctx_.scenario->setup_timeout - used);
  sdk_setup_timer_ = ctx_.loop->After(left, [this] {
    sdk_setup_timer_ = 0;
    if (setup_complete_) return;
    result_.outcome = HistoryResult::Outcome::kSetupFailed;
    result_.message =
        fmt::format("no process wrote setup complete (an antithesis_setup line) within {}",
                    FormatDuration(ctx_.scenario->setup_timeout));
    timeline_.Record(EventType::kSetupFailed,
                     {{"reason", result_.message}, {"unhealthy", topology_->Unhealthy()}});
    Teardown();
  });
}

void History::SetupComplete(const std::string& via, Json source, Json details) {
  if (setup_complete_) return;
  setup_complete_ = true;
  if (sdk_setup_timer_) ctx_.loop->Cancel(sdk_setup_timer_);
  sdk_setup_timer_ = 0;
  Json fields = {{"via", via}, {"details", std::move(details)}};
  for (auto it = source.begin(); it != source.end(); ++it) fields[it.key()] = it.value();
  timeline_.Record(EventType::kSetupComplete, std::move(fields));
  RunSchedule();
}

void History::RunSchedule() {
  auto done = [this, alive = alive_](composer::ComposerResult r) {
    if (*alive) OnScheduleDone(std::move(r));
  };
  if (spec_.validate) {
    sequence_ = std::make_unique<Sequence>(*this, *spec_.tmpl, spec_.options.command_timeout);
    sequence_->Start(done);
    return;
  }
  clock_ = std::make_unique<LoopClock>(*ctx_.loop);
  composer_ = std::make_unique<composer::Composer>(*spec_.tmpl, spec_.options, spec_.seed, *this,
                                                   *clock_, *faults_, timeline_);
  composer_->Start(done);
}

void History::OnScheduleDone(composer::ComposerResult r) {
  result_.terminal = r.terminal;
  result_.invocations = r.invocations;
  if (sequence_) result_.problems = sequence_->problems();
  if (r.reason == composer::EndReason::kLaunchFailed) {
    result_.outcome = HistoryResult::Outcome::kError;
    result_.message = r.message;
  } else if (r.reason == composer::EndReason::kInterrupted || interrupted_) {
    result_.outcome = HistoryResult::Outcome::kInterrupted;
  }
  // Let the teardown happen outside the composer's own call stack.
  ctx_.loop->After(Millis(0), [this, alive = alive_] {
    if (*alive) Teardown();
  });
}

Result<int> History::Launch(const composer::Invocation& inv) {
  const composer::Command& c = *inv.command;
  std::string dir = spec_.dir + "/commands/" + InvocationDir(inv.id, c);
  std::string output_dir = dir + "/output";
  // The commands/ folder exists: two plain mkdirs, no path walk (this runs per invocation).
  if (mkdir(dir.c_str(), 0755) != 0 || mkdir(output_dir.c_str(), 0755) != 0) {
    return Unexpected(Status::FromErrno("mkdir " + dir));
  }
  std::string sdk_file = dir + "/sdk.jsonl";
  std::string source = fmt::format("{} #{}", c.Id(), inv.id);
  // faultline's own variables are not in command_env_ (BaseEnv leaves them out).
  std::vector<std::string> env = command_env_;
  env.push_back("ANTITHESIS_SDK_LOCAL_OUTPUT=" + sdk_file);
  env.push_back("ANTITHESIS_OUTPUT_DIR=" + output_dir);
  env.push_back("ANTITHESIS_STOP_FAULTS=" + stop_faults_path_);
  env.push_back(fmt::format("FAULTLINE_SEED={}", inv.seed));
  env.push_back("FAULTLINE_SOURCE=" + source);
  env.push_back("FAULTLINE_HISTORY_DIR=" + spec_.dir);
  SpawnSpec spawn{{c.path}, std::move(env), c.dir, dir + "/stdout", dir + "/stderr", "", SIGKILL};
  int64_t id = inv.id;
  auto child = ctx_.supervisor->Spawn(spawn, [this, alive = alive_, id](ExitStatus status) {
    if (*alive) OnInvocationExit(id, status);
  });
  if (!child) return Unexpected(child.error());
  Running r;
  r.child = *child;
  r.command = c.Id();
  r.readers.push_back(std::make_unique<sdk::SdkFileReader>(sdk_file));
  r.readers.push_back(std::make_unique<sdk::SdkFileReader>(output_dir + "/sdk.jsonl"));
  running_[id] = std::move(r);
  return ctx_.supervisor->Pid(*child);
}

void History::Kill(int64_t id) {
  auto it = running_.find(id);
  if (it != running_.end()) ctx_.supervisor->Stop(it->second.child, SIGKILL, Millis(0));
}

void History::OnInvocationExit(int64_t id, ExitStatus status) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  Json source = {{"command", it->second.command}, {"id", id}};
  for (auto& reader : it->second.readers) FinalPoll(*reader, source);
  running_.erase(it);
  if (sequence_) {
    sequence_->OnEnd(id, status);
  } else if (composer_) {
    composer_->OnCommandEnd(id, composer::Outcome{status.code, status.signal});
  }
}

void History::FinalPoll(sdk::SdkFileReader& reader, const Json& source) {
  reader.Poll(/*final=*/true, [&](sdk::SdkLine&& line) { Ingest(source, std::move(line)); });
  const auto& st = reader.stats();
  if (st.garbage > 0 || st.bytes_skipped > 0) {
    Json fields = source;
    fields["file"] = reader.path();
    fields["lines"] = st.garbage;
    fields["reason"] = st.first_garbage;
    if (st.bytes_skipped) fields["bytes_skipped"] = st.bytes_skipped;
    timeline_.Record(EventType::kSdkSkipped, std::move(fields));
  }
}

void History::PollSdk() {
  if (poll_timer_) ctx_.loop->Cancel(poll_timer_);
  poll_timer_ = 0;
  for (auto& sr : service_readers_) {
    Json source = SourceOfService(sr.service);
    sr.reader->Poll(false, [&](sdk::SdkLine&& line) { Ingest(source, std::move(line)); });
  }
  for (auto& [id, r] : running_) {
    Json source = {{"command", r.command}, {"id", id}};
    for (auto& reader : r.readers) {
      reader->Poll(false, [&](sdk::SdkLine&& line) { Ingest(source, std::move(line)); });
    }
  }
  if (!tearing_down_) {
    poll_timer_ = ctx_.loop->After(ctx_.sdk_poll, [this] {
      poll_timer_ = 0;
      PollSdk();
    });
  }
}

void History::Ingest(const Json& source, sdk::SdkLine&& line) {
  auto with_source = [&](Json fields) {
    for (auto it = source.begin(); it != source.end(); ++it) fields[it.key()] = it.value();
    return fields;
  };
  if (auto* a = std::get_if<sdk::Assertion>(&line)) {
    timeline_.Record(EventType::kAssert, with_source({{"assert", a->ToJson()}}));
  } else if (auto* s = std::get_if<sdk::SetupComplete>(&line)) {
    bool sdk_mode = ctx_.scenario->setup_complete == scenario::SetupMode::kSdk;
    if (sdk_mode && !setup_complete_ && !early_setup_) {
      if (topology_->Unhealthy().empty()) {
        SetupComplete("sdk", source, s->details);
      } else {
        early_setup_.emplace(source, s->details);  // counts once every service is healthy
      }
    } else {
      const char* why = sdk_mode ? "a later setup-complete line was ignored"
                                 : "setup-complete line ignored (the scenario uses "
                                   "setup_complete: healthy)";
      timeline_.Record(EventType::kWarning, with_source({{"message", why}}));
    }
  } else if (auto* g = std::get_if<sdk::Guidance>(&line)) {
    timeline_.Record(EventType::kGuidance, with_source({{"guidance", g->body}}));
  } else if (auto* e = std::get_if<sdk::UserEvent>(&line)) {
    timeline_.Record(EventType::kSdkEvent,
                     with_source({{"name", e->name}, {"details", e->details}}));
  }
}

void History::Interrupt() {
  if (interrupted_) return;
  interrupted_ = true;
  result_.outcome = HistoryResult::Outcome::kInterrupted;
  if (composer_ && !composer_->finished()) {
    composer_->Interrupt();
  } else if (sequence_) {
    sequence_->Interrupt();
  } else {
    Teardown();
  }
}

void History::Teardown() {
  if (tearing_down_) return;
  tearing_down_ = true;
  if (sdk_setup_timer_) ctx_.loop->Cancel(sdk_setup_timer_);
  sdk_setup_timer_ = 0;
  if (faults_) faults_->Shutdown();
  for (auto& [id, r] : running_) ctx_.supervisor->Stop(r.child, SIGKILL, Millis(0));
  if (!topology_) {
    Finish();
    return;
  }
  topology_->Teardown([this, alive = alive_] {
    if (*alive) Finish();
  });
}

void History::Finish() {
  if (poll_timer_) ctx_.loop->Cancel(poll_timer_);
  poll_timer_ = 0;
  for (auto& sr : service_readers_) FinalPoll(*sr.reader, SourceOfService(sr.service));
  if (timeline_.count() > 0) {
    Json fields = {{"outcome", OutcomeName(result_.outcome)},
                   {"terminal", result_.terminal},
                   {"invocations", result_.invocations}};
    if (!result_.message.empty()) fields["message"] = result_.message;
    timeline_.Record(EventType::kHistoryEnd, std::move(fields));
  }
  timeline_.Flush();
  result_.seconds = static_cast<double>(timeline_.NowMicros()) / 1e6;
  control_.reset();
  proxy_.reset();  // joins the proxy's thread, closes its listeners and connections
  if (auto done = std::move(done_)) {
    done_ = nullptr;
    done(result_);
  }
}

}  // namespace faultline::run
