#include "topology/topology.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "base/files.h"
#include "base/rng.h"
#include "base/signals.h"
#include "base/strings.h"
#include "process/spawn.h"
#include "topology/ports.h"
#include "topology/prepared_store.h"
#include "topology/tree_copy.h"

namespace faultline {

struct Topology::Service {
  const scenario::Service* spec = nullptr;
  State state = State::kPending;
  std::string dir;         // {dir}
  std::string output_dir;  // ANTITHESIS_OUTPUT_DIR
  std::string log_path;
  std::string health_log_path;
  int port = 0;
  bool drop = false;  // run as spec->user
  uid_t uid = 0;
  gid_t gid = 0;
  std::optional<ChildId> child;
  std::optional<ChildId> health_child;
  EventLoop::TimerId health_timer = 0;
  EventLoop::TimerId health_deadline = 0;
  EventLoop::TimerId restart_timer = 0;
  int starts = 0;
  bool copied = false;         // its folder is a copy of the run's prepared one: skip prepare
  bool exit_expected = false;  // the next exit was caused by faultline
  std::string exit_reason;
  // A fault that may end it (ExplainExits): in force, or healed less than kFaultAftermath ago
  // (since `explained_healed`).
  std::string exit_explained_by;
  std::optional<std::chrono::steady_clock::time_point> explained_healed;
  std::function<void()> on_down;  // a fault waits for this exit
};

namespace {

constexpr size_t kLogTailLines = 20;

std::string_view StateName(Topology::State s) {
  switch (s) {
    case Topology::State::kPending:
      return "waiting for its dependencies";
    case Topology::State::kPreparing:
      return "preparing";
    case Topology::State::kStarting:
      return "started, not healthy";
    case Topology::State::kHealthy:
      return "healthy";
    case Topology::State::kStopping:
      return "stopping";
    case Topology::State::kDown:
      return "down";
    case Topology::State::kPaused:
      return "paused";
  }
  return "?";
}

}  // namespace

Topology::Topology(const scenario::Scenario& scenario, TopologyOptions options, EventLoop& loop,
                   Supervisor& supervisor, Timeline& timeline)
    : scenario_(scenario),
      options_(std::move(options)),
      loop_(loop),
      supervisor_(supervisor),
      timeline_(timeline) {
  for (const scenario::Service* spec : scenario_.StartOrder()) {
    auto s = std::make_unique<Service>();
    s->spec = spec;
    services_.push_back(std::move(s));
  }
}

Topology::~Topology() {
  *alive_ = false;
  if (setup_timer_) loop_.Cancel(setup_timer_);
  for (auto& s : services_) {
    for (auto timer : {s->health_timer, s->health_deadline, s->restart_timer}) {
      if (timer) loop_.Cancel(timer);
    }
    // Children still running are killed by the Supervisor; their callbacks must not reach us.
    if (s->child) supervisor_.Stop(*s->child, SIGKILL, Millis(0));
    if (s->health_child) supervisor_.Stop(*s->health_child, SIGKILL, Millis(0));
  }
}

Topology::Service* Topology::Find(const std::string& name) {
  for (auto& s : services_) {
    if (s->spec->name == name) return s.get();
  }
  return nullptr;
}

const Topology::Service* Topology::Find(const std::string& name) const {
  for (const auto& s : services_) {
    if (s->spec->name == name) return s.get();
  }
  return nullptr;
}

Status Topology::Prepare() {
  const HistoryLayout& layout = options_.layout;
  FL_RETURN_IF_ERROR(MakeDirs(layout.Logs()));
  // Service folders live in a data root that every service user can reach; the caller moves
  // them into the run folder when the history ends.
  FL_RETURN_IF_ERROR(MakeDirs(layout.Private()));
  chmod(layout.Services().c_str(), 0755);
  chmod(layout.Private().c_str(), 0755);
  const std::string& h = layout.root;
  addresses_.history_dir = h;
  addresses_.history_seed = options_.seed;
  addresses_.scenario_dir = scenario_.dir;
  for (auto& s : services_) {
    const auto& spec = *s->spec;
    s->dir = layout.ServiceDir(spec.name);
    s->output_dir = layout.ServiceOutput(spec.name);
    s->log_path = layout.ServiceLog(spec.name);
    s->health_log_path = layout.HealthLog(spec.name);
    FL_RETURN_IF_ERROR(MakeDirs(s->dir));
    FL_RETURN_IF_ERROR(MakeDirs(s->output_dir));
    if (!spec.user.empty() && geteuid() == 0) {
      passwd* pw = getpwnam(spec.user.c_str());
      if (!pw)
        return Status::Error(
            fmt::format("service '{}': user '{}' does not exist", spec.name, spec.user));
      s->drop = true;
      s->uid = pw->pw_uid;
      s->gid = pw->pw_gid;
      FL_RETURN_IF_ERROR(ChownTree(s->dir, s->uid, s->gid));
      FL_RETURN_IF_ERROR(ChownTree(s->output_dir, s->uid, s->gid));
    }
    if (spec.has_port) {
      if (spec.fixed_port) {
        // Another process on the port would answer the health check for the service.
        if (PortAccepts(spec.fixed_port)) {
          return Status::Error(fmt::format(
              "service '{}': its fixed port {} is already taken by another process on this "
              "machine (stop it, or use 'port: auto')",
              spec.name, spec.fixed_port));
        }
        s->port = spec.fixed_port;
      } else {
        auto port = AllocatePort();
        if (!port) return port.status().Context(fmt::format("service '{}'", spec.name));
        s->port = *port;
      }
      addresses_.real_ports[spec.name] = s->port;
    }
    for (const auto& named : spec.ports) {
      int port = named.fixed;
      if (port == 0) {
        auto fresh = AllocatePort();
        if (!fresh) return fresh.status().Context(fmt::format("service '{}'", spec.name));
        port = *fresh;
      }
      addresses_.named_ports[{spec.name, named.name}] = port;
    }
    if (units_) addresses_.hosts[spec.name] = units_->Address(spec.name);
    addresses_.dirs[spec.name] = s->dir;
  }
  return Status::Ok();
}

Placement Topology::Where(const Service& s) const {
  return units_ ? units_->For(s.spec->name) : Placement();
}

Result<ChildId> Topology::SpawnIn(const Service& s, const SpawnSpec& spec,
                                  Supervisor::ExitCallback on_exit) {
  return supervisor_.Spawn(spec, std::move(on_exit), Where(s));
}

void Topology::RouteLink(const std::string& from, const std::string& to, int proxy_port) {
  addresses_.link_ports[{from, to}] = proxy_port;
}

Result<std::vector<std::string>> Topology::ResolveArgv(const scenario::Argv& argv,
                                                       const std::string& viewpoint) const {
  std::vector<std::string> out;
  for (const auto& t : argv) {
    auto r = ResolvePlaceholders(t.raw, viewpoint, addresses_);
    if (!r)
      return Unexpected(
          fmt::format("{}:{}:{}: {}", scenario_.file, t.pos.line, t.pos.column, r.error()));
    out.push_back(std::move(*r));
  }
  return out;
}

Result<std::vector<std::string>> Topology::ServiceEnv(const Service& s,
                                                      const std::string& sdk_file) const {
  std::vector<std::string> env = options_.base_env;
  auto set = [&env](std::string_view key, std::string_view value) { SetEnvVar(env, key, value); };
  if (s.drop) {
    passwd* pw = getpwuid(s.uid);
    if (pw) {
      set("HOME", pw->pw_dir);
      set("USER", pw->pw_name);
      set("LOGNAME", pw->pw_name);
    }
  }
  set("ANTITHESIS_SDK_LOCAL_OUTPUT", sdk_file);
  set("ANTITHESIS_OUTPUT_DIR", s.output_dir);
  set("FAULTLINE_SEED",
      fmt::format("{}", DeriveSeed(options_.seed,
                                   "service:" + s.spec->name + ":" + std::to_string(s.starts))));
  for (const auto& [key, text] : s.spec->env) {
    auto v = ResolvePlaceholders(text.raw, s.spec->name, addresses_);
    if (!v) return Unexpected(v.error());
    set(key, *v);
  }
  return env;
}

Result<std::vector<std::string>> Topology::WorkloadEnv() const {
  std::vector<std::string> env;
  for (const auto& [key, text] : scenario_.workload.env) {
    auto v = ResolvePlaceholders(text.raw, "workload", addresses_);
    if (!v) return Unexpected(v.error());
    env.push_back(key + "=" + *v);
  }
  return env;
}

void Topology::AppendLog(const Service& s, const std::string& line) const {
  int fd = open(s.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  std::string text =
      fmt::format("=== faultline t={:.3f}s: {}\n", timeline_.NowMicros() / 1e6, line);
  (void)!write(fd, text.data(), text.size());
  close(fd);
}

void Topology::Start(std::function<void(Status)> done) {
  start_done_ = std::move(done);
  setup_timer_ = loop_.After(scenario_.setup_timeout, [this] {
    setup_timer_ = 0;
    SetupTimedOut();
  });
  bool reuse = options_.prepared && std::any_of(services_.begin(), services_.end(),
                                                [](auto& s) { return s->spec->reusable_prepared; });
  if (!reuse) {
    StartReadyServices();
    return;
  }
  // The setup timeout runs meanwhile: a preparation that hangs fails setup like a service would.
  options_.prepared->Acquire([this, alive = alive_](Result<const PreparedStore::Snapshot*> r) {
    if (!*alive || !start_done_) return;
    if (!r) {
      FailStart(r.error());
      return;
    }
    UsePrepared((*r)->dirs);
  });
}

bool Topology::InScope(const Service& s) const {
  return options_.only.empty() || options_.only.count(s.spec->name) > 0;
}

void Topology::UsePrepared(const std::map<std::string, std::string>& snapshot) {
  for (auto& s : services_) {
    auto from = snapshot.find(s->spec->name);
    if (from == snapshot.end()) continue;
    auto began = loop_.Now();
    CopyStats stats;
    Status copied = CopyTree(from->second, s->dir, &stats);
    if (!copied.ok()) {
      FailStart(fmt::format("service '{}': copying its prepared folder: {}", s->spec->name,
                            copied.message()));
      return;
    }
    s->copied = true;
    auto ms = std::chrono::duration_cast<Millis>(loop_.Now() - began).count();
    AppendLog(*s, fmt::format("prepared folder copied from {} ({} files, {:.1f} MB, {} shared by "
                              "reflink) in {} ms",
                              from->second, stats.files, static_cast<double>(stats.bytes) / 1e6,
                              stats.reflinked, ms));
  }
  StartReadyServices();
}

void Topology::StartReadyServices() {
  if (!start_done_) return;
  bool all_healthy = true;
  for (auto& s : services_) {
    if (!InScope(*s)) continue;
    all_healthy &= s->state == State::kHealthy;
    if (s->state != State::kPending) continue;
    bool ready =
        std::all_of(s->spec->depends_on.begin(), s->spec->depends_on.end(),
                    [&](const std::string& d) { return Find(d)->state == State::kHealthy; });
    if (!ready) continue;
    s->state = State::kPreparing;
    RunPrepare(*s, 0);
    if (!start_done_) return;  // the prepare step failed at once
  }
  if (all_healthy) {
    if (setup_timer_) loop_.Cancel(setup_timer_);
    setup_timer_ = 0;
    auto done = std::move(start_done_);
    start_done_ = nullptr;
    done(Status::Ok());
  }
}

void Topology::RunPrepare(Service& s, size_t index) {
  if (s.copied || index >= s.spec->prepare.size()) {
    Launch(s);
    return;
  }
  auto argv = ResolveArgv(s.spec->prepare[index], s.spec->name);
  auto env = ServiceEnv(s, "/dev/null");
  if (!argv || !env) {
    FailStart(fmt::format("service '{}': {}", s.spec->name, argv ? env.error() : argv.error()));
    return;
  }
  AppendLog(s, "prepare: " + ShellJoin(*argv));
  SpawnSpec spec{*argv, *env, s.dir, s.log_path, s.log_path, s.drop ? s.spec->user : "", SIGKILL};
  auto id = SpawnIn(s, spec, [this, alive = alive_, &s, index, argv = *argv](ExitStatus status) {
    if (!*alive) return;
    s.child.reset();
    if (tearing_down_) {
      s.state = State::kDown;
      MaybeFinishTeardown();
      return;
    }
    if (!status.success()) {
      FailStart(fmt::format("service '{}': prepare step '{}' failed ({})", s.spec->name,
                            ShellJoin(argv), status.Describe()));
      return;
    }
    RunPrepare(s, index + 1);
  });
  if (!id) {
    FailStart(fmt::format("service '{}': prepare step: {}", s.spec->name, id.error()));
    return;
  }
  s.child = *id;
}

void Topology::Launch(Service& s) {
  auto argv = ResolveArgv(s.spec->command, s.spec->name);
  ++s.starts;
  std::string sdk_file = options_.layout.ServiceSdkFile(s.spec->name, s.starts);
  auto env = ServiceEnv(s, sdk_file);
  if (!argv || !env) {
    FailStart(fmt::format("service '{}': {}", s.spec->name, argv ? env.error() : argv.error()));
    return;
  }
  if (hooks_) hooks_->BeforeStart(s.spec->name, *argv, *env);
  // The SDK truncates or appends; create it now, owned by the service's user, so either works.
  (void)WriteFile(sdk_file, "");
  if (s.drop) (void)!chown(sdk_file.c_str(), s.uid, s.gid);
  if (on_sdk_file_) on_sdk_file_(sdk_file, s.spec->name);
  AppendLog(s, fmt::format("start {}: {}", s.starts, ShellJoin(*argv)));
  SpawnSpec spec{
      *argv, *env, s.dir, s.log_path, s.log_path, s.drop ? s.spec->user : "", s.spec->stop_signal};
  auto id = SpawnIn(s, spec, [this, alive = alive_, &s](ExitStatus status) {
    if (*alive) OnExit(s, status);
  });
  if (!id) {
    FailStart(fmt::format("service '{}': {}", s.spec->name, id.error()));
    return;
  }
  s.child = *id;
  s.state = State::kStarting;
  s.exit_expected = false;
  timeline_.Record(EventType::kServiceStart,
                   {{"service", s.spec->name}, {"pid", supervisor_.Pid(*id)}, {"start", s.starts}});
  CheckHealth(s);
}

void Topology::OnExit(Service& s, ExitStatus status) {
  s.child.reset();
  if (s.health_timer) loop_.Cancel(s.health_timer);
  s.health_timer = 0;
  if (s.health_child) supervisor_.Stop(*s.health_child, SIGKILL, Millis(0));
  auto now = std::chrono::steady_clock::now();
  bool aftermath = s.explained_healed && now - *s.explained_healed < faults::kFaultAftermath;
  bool explained = !s.exit_expected && !tearing_down_ && !s.exit_explained_by.empty() &&
                   (!s.explained_healed || aftermath);
  bool expected = s.exit_expected || tearing_down_ || explained;
  Json fields = {{"service", s.spec->name}, {"expected", expected}};
  if (status.signal) {
    fields["signal"] = SignalName(status.signal);
  } else {
    fields["code"] = status.code;
  }
  if (expected) {
    if (tearing_down_) {
      fields["reason"] = "teardown";
    } else if (explained && s.explained_healed) {
      fields["reason"] = fmt::format(
          "ended {:.1f} s after a {} fault healed",
          std::chrono::duration<double>(now - *s.explained_healed).count(), s.exit_explained_by);
    } else if (explained) {
      fields["reason"] = fmt::format("ended during a {} fault", s.exit_explained_by);
    } else {
      fields["reason"] = s.exit_reason;
    }
  }
  timeline_.Record(EventType::kServiceExit, fields);
  AppendLog(s, fmt::format("exited: {}{}", status.Describe(), expected ? "" : " (unexpected)"));
  s.state = State::kDown;
  if (auto down = std::move(s.on_down)) {
    s.on_down = nullptr;
    down();
  }
  if (tearing_down_) {
    MaybeFinishTeardown();
    return;
  }
  if (start_done_) {
    FailStart(
        fmt::format("service '{}' exited during start-up ({})", s.spec->name, status.Describe()));
    return;
  }
  if ((!expected || explained) && s.spec->restart == scenario::Restart::kOnFailure) {
    s.restart_timer = loop_.After(Millis(1000), [this, &s] {
      s.restart_timer = 0;
      if (s.state == State::kDown && !tearing_down_) Launch(s);
    });
  }
}

void Topology::CheckHealth(Service& s) {
  if (s.state != State::kStarting && s.state != State::kPaused) return;
  const auto& hc = s.spec->healthcheck;
  if (!hc || hc->command.empty()) {
    // Without a health command, a service with a port is healthy once the port accepts; one
    // without a port, once it runs.
    if (!s.spec->has_port ||
        (units_ ? units_->PortAccepts(s.spec->name, s.port) : PortAccepts(s.port))) {
      BecameHealthy(s);
    } else {
      s.health_timer = loop_.After(hc ? hc->interval : Millis(100), [this, &s] {
        s.health_timer = 0;
        CheckHealth(s);
      });
    }
    return;
  }
  auto argv = ResolveArgv(hc->command, s.spec->name);
  auto env = ServiceEnv(s, "/dev/null");
  if (!argv || !env) {
    FailStart(fmt::format("service '{}': {}", s.spec->name, argv ? env.error() : argv.error()));
    return;
  }
  SpawnSpec spec{
      *argv,  *env, s.dir, s.health_log_path, s.health_log_path, s.drop ? s.spec->user : "",
      SIGKILL};
  auto id = SpawnIn(s, spec, [this, alive = alive_, &s](ExitStatus status) {
    if (!*alive) return;
    s.health_child.reset();
    if (s.health_deadline) loop_.Cancel(s.health_deadline);
    s.health_deadline = 0;
    if (tearing_down_) {
      MaybeFinishTeardown();
      return;
    }
    if (s.state != State::kStarting) return;
    if (status.success()) {
      BecameHealthy(s);
      return;
    }
    s.health_timer = loop_.After(s.spec->healthcheck->interval, [this, &s] {
      s.health_timer = 0;
      CheckHealth(s);
    });
  });
  if (!id) {
    FailStart(fmt::format("service '{}': health check: {}", s.spec->name, id.error()));
    return;
  }
  s.health_child = *id;
  // An attempt that hangs counts as a failed one.
  ChildId health = *id;
  s.health_deadline = loop_.After(hc->timeout, [this, &s, health] {
    s.health_deadline = 0;
    supervisor_.Stop(health, SIGKILL, Millis(0));
  });
}

void Topology::BecameHealthy(Service& s) {
  s.state = State::kHealthy;
  timeline_.Record(EventType::kServiceHealthy, {{"service", s.spec->name}});
  AppendLog(s, "healthy");
  StartReadyServices();
}

void Topology::FailStart(std::string message) {
  if (!start_done_) return;
  if (setup_timer_) loop_.Cancel(setup_timer_);
  setup_timer_ = 0;
  auto done = std::move(start_done_);
  start_done_ = nullptr;
  done(Status::Error(std::move(message)));
}

void Topology::SetupTimedOut() {
  std::string message = fmt::format("setup did not complete within {}; not healthy:",
                                    FormatDuration(scenario_.setup_timeout));
  for (const auto& s : services_) {
    if (!InScope(*s) || s->state == State::kHealthy) continue;
    message += fmt::format("\n  service '{}' ({}); last lines of {}:\n", s->spec->name,
                           StateName(s->state), s->log_path);
    for (const auto& line : Split(LogTail(s->spec->name, kLogTailLines), '\n')) {
      if (!line.empty()) message += "    | " + line + "\n";
    }
  }
  FailStart(message);
}

std::string Topology::LogTail(const std::string& name, size_t lines) const {
  const Service* s = Find(name);
  if (!s) return {};
  auto text = ReadFileTail(s->log_path, 64 * 1024);
  return text ? TailLines(*text, lines) : std::string();
}

std::string Topology::LogPath(const std::string& name) const {
  const Service* s = Find(name);
  return s ? s->log_path : std::string();
}

std::vector<std::string> Topology::Unhealthy() const {
  std::vector<std::string> out;
  for (const auto& s : services_) {
    if (InScope(*s) && s->state != State::kHealthy) out.push_back(s->spec->name);
  }
  return out;
}

Topology::State Topology::state(const std::string& name) const {
  const Service* s = Find(name);
  return s ? s->state : State::kDown;
}

bool Topology::IsUp(const std::string& name) const {
  const Service* s = Find(name);
  return s && s->child && s->state == State::kHealthy;
}

Status Topology::Kill(const std::string& name, std::function<void()> down) {
  Service* s = Find(name);
  if (!s || !s->child || s->state == State::kStopping) {
    return Status::Error(fmt::format("service '{}' is not running", name));
  }
  s->exit_expected = true;
  s->exit_reason = "killed by a fault";
  s->state = State::kStopping;
  s->on_down = std::move(down);
  supervisor_.Stop(*s->child, SIGKILL, Millis(0));
  return Status::Ok();
}

Status Topology::Stop(const std::string& name, std::function<void()> down) {
  Service* s = Find(name);
  if (!s || !s->child || s->state == State::kStopping) {
    return Status::Error(fmt::format("service '{}' is not running", name));
  }
  s->exit_expected = true;
  s->exit_reason = "stopped by a fault";
  s->state = State::kStopping;
  s->on_down = std::move(down);
  supervisor_.Stop(*s->child, s->spec->stop_signal, s->spec->stop_grace);
  return Status::Ok();
}

std::vector<pid_t> Topology::Processes(const std::string& name) const {
  const Service* s = Find(name);
  if (!s || !s->child) return {};
  return supervisor_.Members(*s->child);
}

void Topology::ExplainExits(const std::string& name, const std::string& fault) {
  Service* s = Find(name);
  if (!s) return;
  if (fault.empty()) {
    if (!s->exit_explained_by.empty()) s->explained_healed = std::chrono::steady_clock::now();
  } else {
    s->exit_explained_by = fault;
    s->explained_healed.reset();
  }
}

Status Topology::Restart(const std::string& name) {
  Service* s = Find(name);
  if (!s || s->state != State::kDown)
    return Status::Error(fmt::format("service '{}' is not down", name));
  Launch(*s);
  return Status::Ok();
}

Status Topology::Pause(const std::string& name) {
  Service* s = Find(name);
  if (!s || !s->child || s->state == State::kPaused) {
    return Status::Error(fmt::format("service '{}' is not running", name));
  }
  supervisor_.Signal(*s->child, SIGSTOP);
  s->state = State::kPaused;
  return Status::Ok();
}

Status Topology::Resume(const std::string& name) {
  Service* s = Find(name);
  if (!s || !s->child || s->state != State::kPaused) {
    return Status::Error(fmt::format("service '{}' is not paused", name));
  }
  supervisor_.Signal(*s->child, SIGCONT);
  s->state = State::kHealthy;
  return Status::Ok();
}

void Topology::Teardown(std::function<void()> done) {
  tearing_down_ = true;
  teardown_done_ = std::move(done);
  if (setup_timer_) loop_.Cancel(setup_timer_);
  setup_timer_ = 0;
  start_done_ = nullptr;
  // Reverse start order: dependents stop before what they depend on.
  for (auto it = services_.rbegin(); it != services_.rend(); ++it) {
    Service& s = **it;
    for (auto* timer : {&s.health_timer, &s.restart_timer}) {
      if (*timer) loop_.Cancel(*timer);
      *timer = 0;
    }
    if (s.health_child) supervisor_.Stop(*s.health_child, SIGKILL, Millis(0));
    if (s.child) {
      s.state = State::kStopping;
      supervisor_.Stop(*s.child, s.spec->stop_signal, s.spec->stop_grace);
    } else {
      s.state = State::kDown;
    }
  }
  MaybeFinishTeardown();
}

void Topology::MaybeFinishTeardown() {
  if (!teardown_done_) return;
  for (const auto& s : services_) {
    if (s->child || s->health_child) return;
  }
  auto done = std::move(teardown_done_);
  teardown_done_ = nullptr;
  done();
}

}  // namespace faultline
