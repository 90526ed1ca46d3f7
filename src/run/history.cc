#include "run/history.h"

#include "base/files.h"
#include "process/spawn.h"
#include "run/resolved_scenario.h"

namespace faultline::run {
namespace {

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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

History::History(const RunContext& ctx, HistorySpec spec, Timeline::Listener listener)
    : ctx_(ctx), spec_(std::move(spec)), layout_{spec_.dir}, clock_(*ctx_.loop) {
  timeline_.AddListener(std::move(listener));
  result_.index = spec_.index;
  result_.seed = spec_.seed;
  result_.template_name = spec_.tmpl->name;
  result_.dir = spec_.dir;
  result_.terminal = "none";
}

History::~History() { *alive_ = false; }

void History::Start(std::function<void(HistoryResult)> done) {
  done_ = std::move(done);
  phase_ = Phase::kStarting;
  if (Status prepared = Prepare(); !prepared.ok()) {
    Fail(HistoryResult::Outcome::kError, prepared.message());
    return;
  }
  topology_->Start([this, alive = alive_](Status s) {
    if (*alive) OnServicesUp(std::move(s));
  });
}

Status History::Prepare() {
  FL_RETURN_IF_ERROR(MakeDirs(layout_.Commands()));
  FL_RETURN_IF_ERROR(timeline_.Open(layout_.Timeline()));
  timeline_.Start(ctx_.loop->Now() - clock_.Now());
  timeline_.Record(EventType::kHistoryStart, {{"index", spec_.index},
                                              {"seed", spec_.seed},
                                              {"template", spec_.tmpl->name},
                                              {"scenario", ctx_.scenario->name},
                                              {"validate", spec_.validate},
                                              {"started_unix_ms", UnixMillis()}});
  gate_ = std::make_unique<SetupGate>(
      *ctx_.scenario, clock_, timeline_, [this] { return topology_->Unhealthy(); },
      [this](SetupGate::Outcome o) { OnSetup(std::move(o)); });
  sdk_ = std::make_unique<SdkIngest>(
      clock_, ctx_.sdk_poll, timeline_,
      [this](const Json& source, const Json& details) { gate_->SetupLine(source, details); });
  topology_ = std::make_unique<Topology>(
      *ctx_.scenario, TopologyOptions{layout_, spec_.seed, ctx_.base_env, ctx_.prepared},
      *ctx_.loop, *ctx_.supervisor, timeline_);
  topology_->OnSdkFile([this](const std::string& path, const std::string& service) {
    sdk_->Follow({path}, {{"service", service}});
  });
  for (const auto& s : ctx_.scenario->services) {
    // A service that writes SDK lines by hand uses $ANTITHESIS_OUTPUT_DIR/sdk.jsonl.
    sdk_->Follow({layout_.ServiceOutput(s.name) + "/sdk.jsonl"}, {{"service", s.name}});
  }
  if (ctx_.scenario->network == scenario::NetworkMode::kIsolated) {
    auto isolated = IsolatedNetwork::Start(*ctx_.scenario, *topology_, layout_, spec_.seed);
    if (!isolated) return isolated.status();
    isolated_ = std::move(*isolated);
  }
  FL_RETURN_IF_ERROR(topology_->Prepare());
  if (!isolated_) {
    auto network = LoopbackNetwork::Start(*ctx_.scenario, *topology_, spec_.seed);
    if (!network) return network.status();
    network_ = std::move(*network);
  }
  FL_RETURN_IF_ERROR(PrepareFaults());
  control_ = std::make_unique<ControlServer>(
      *ctx_.loop, [this](Millis d, const std::string& from, std::function<void()> reply) {
        faults_->Quiet(d, from, std::move(reply));
      });
  FL_RETURN_IF_ERROR(isolated_ ? control_->ListenIn(isolated_->units().hub_netns(),
                                                     isolated_->ControlAddress())
                               : control_->Listen());
  FL_RETURN_IF_ERROR(control_->WriteStopFaultsScript(layout_.StopFaults()));
  return PrepareCommands();
}

// The faults that must be in place before services start: libfaketime and the disk preload for
// the clock and disk targets of the kinds this history enables, and the network seam.
Status History::PrepareFaults() {
  std::set<std::string> clock_targets, disk_targets;
  if (!spec_.validate) {
    faults::Planner swarm(*ctx_.faults, spec_.seed);
    for (const auto* k : swarm.enabled()) {
      if (const auto* c = std::get_if<faults::ClockConfig>(&k->settings)) {
        clock_targets.insert(c->targets.begin(), c->targets.end());
      } else if (const auto* d = std::get_if<faults::DiskConfig>(&k->settings)) {
        disk_targets.insert(d->targets.begin(), d->targets.end());
      }
    }
  }
  in_process_ = std::make_unique<faults::InProcessFaults>(
      layout_.FaultControls(), std::move(clock_targets), std::move(disk_targets));
  FL_RETURN_IF_ERROR(in_process_->Prepare());
  in_process_->Attach(topology_.get());
  topology_->SetLaunchHooks(in_process_.get());
  if (isolated_) {
    net_control_ = &isolated_->hub();
  } else if (network_->proxy()) {
    link_network_ = std::make_unique<faults::LinkNetwork>(*network_->proxy(), ctx_.scenario->links);
    net_control_ = link_network_.get();
  }
  return Status::Ok();
}

Status History::PrepareCommands() {
  auto workload_env = topology_->WorkloadEnv();
  if (!workload_env) return workload_env.status();
  std::vector<std::string> env = ctx_.base_env;
  for (const auto& e : *workload_env) {
    size_t eq = e.find('=');
    SetEnvVar(env, e.substr(0, eq), e.substr(eq + 1));
  }
  fault_commands_ = std::make_unique<SupervisedFaultCommands>(*ctx_.supervisor, *topology_, clock_,
                                                              timeline_, layout_, env, spec_.seed);
  static const faults::FaultsConfig kNoFaults;
  faults_ = std::make_unique<faults::FaultSchedule>(
      spec_.validate ? kNoFaults : *ctx_.faults, spec_.seed, clock_, timeline_,
      faults::Injectors{.services = topology_.get(),
                        .network = net_control_,
                        .in_process = in_process_.get(),
                        .cpu = ctx_.cpu,
                        .commands = fault_commands_.get(),
                        .clock = &clock_});
  commands_ = std::make_unique<CommandRunner>(*ctx_.supervisor, *sdk_, layout_, std::move(env),
                                              layout_.StopFaults());
  if (isolated_) commands_->PlaceIn(isolated_->units().For("workload"));
  commands_->OnEnd([this](int64_t id, ExitStatus status) { OnInvocationEnd(id, status); });
  return WriteResolvedScenario(layout_, {.scenario = ctx_.scenario,
                                         .topology = topology_.get(),
                                         .seed = spec_.seed,
                                         .template_name = spec_.tmpl->name,
                                         .workload_env = std::move(*workload_env),
                                         .stop_faults = layout_.StopFaults()});
}

void History::OnServicesUp(Status status) {
  if (phase_ != Phase::kStarting) return;
  phase_ = Phase::kSetup;
  // A setup line written while the services came up counts now: read what is there first.
  if (status.ok()) sdk_->PollNow();
  if (phase_ == Phase::kSetup) gate_->ServicesUp(status);
}

void History::OnSetup(SetupGate::Outcome outcome) {
  if (phase_ != Phase::kSetup) return;
  if (!outcome.complete) {
    Fail(HistoryResult::Outcome::kSetupFailed, outcome.message);
    return;
  }
  RunSchedule();
}

void History::RunSchedule() {
  phase_ = Phase::kRunning;
  auto done = [this, alive = alive_](composer::ComposerResult r) {
    if (*alive) OnScheduleDone(std::move(r));
  };
  if (spec_.validate) {
    sequence_ =
        std::make_unique<ValidateSequence>(*spec_.tmpl, spec_.seed, spec_.options.command_timeout,
                                           *commands_, clock_, timeline_, layout_);
    sequence_->Start(done);
    return;
  }
  composer_ = std::make_unique<composer::Composer>(*spec_.tmpl, spec_.options, spec_.seed,
                                                   *commands_, clock_, *faults_, timeline_);
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
  // Tear down outside the composer's own call stack.
  later_ = clock_.After(Millis(0), [this] {
    later_ = Timer();
    Teardown();
  });
}

void History::OnInvocationEnd(int64_t id, ExitStatus status) {
  if (sequence_) {
    sequence_->OnEnd(id, status);
  } else if (composer_) {
    composer_->OnCommandEnd(id, composer::Outcome{status.code, status.signal});
  }
}

void History::Interrupt() {
  if (interrupted_) return;
  interrupted_ = true;
  result_.outcome = HistoryResult::Outcome::kInterrupted;
  if (phase_ == Phase::kRunning && composer_ && !composer_->finished()) {
    composer_->Interrupt();
  } else if (phase_ == Phase::kRunning && sequence_) {
    sequence_->Interrupt();
  } else {
    Teardown();
  }
}

HistoryResult History::Abandon() {
  done_ = nullptr;
  result_.outcome = HistoryResult::Outcome::kInterrupted;
  if (phase_ != Phase::kDone) {
    if (commands_) commands_->KillAll();
    Finish();
  }
  later_.Cancel();
  return result_;
}

void History::Fail(HistoryResult::Outcome outcome, std::string message) {
  if (!interrupted_) {
    result_.outcome = outcome;
    result_.message = std::move(message);
  }
  Teardown();
}

void History::Teardown() {
  if (phase_ == Phase::kTearingDown || phase_ == Phase::kDone) return;
  phase_ = Phase::kTearingDown;
  if (gate_) gate_->Cancel();
  if (faults_) faults_->Shutdown();
  if (commands_) commands_->KillAll();
  if (!topology_) {
    Finish();
    return;
  }
  topology_->Teardown([this, alive = alive_] {
    if (*alive) Finish();
  });
}

void History::Finish() {
  phase_ = Phase::kDone;
  if (sdk_) sdk_->FinishAll();
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
  network_.reset();  // joins the proxy's thread, closes its listeners and connections
  isolated_.reset();  // the hub's proxy, then the units' holders
  // `done` may free this history: call it from the loop, outside every caller's stack.
  later_ = clock_.After(Millis(0), [this] {
    later_ = Timer();
    if (auto done = std::move(done_)) {
      done_ = nullptr;
      done(result_);
    }
  });
}

}  // namespace faultline::run
