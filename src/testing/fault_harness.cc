#include "testing/fault_harness.h"

#include <unistd.h>

#include <set>

#include "base/files.h"

namespace faultline::testing {

FaultHarness::FaultHarness(std::string dir, std::string path)
    : layout_{std::move(dir)}, path_(std::move(path)) {
  timeline_.AddListener([this](const Event& e) {
    events_.push_back(e);
    if (on_event_) on_event_(e);
  });
}

FaultHarness::~FaultHarness() {
  if (schedule_) schedule_->Shutdown();
  if (topology_) {
    bool done = false;
    topology_->Teardown([&] { done = true; });
    loop_.RunUntil([&] { return done; }, Millis(20000));
  }
  schedule_.reset();
  commands_.reset();
  supervisor_.KillAll(false);
  isolated_.reset();  // the hub's proxy, then the units' holders
}

Status FaultHarness::Start(const std::string& yaml, uint64_t seed) {
  FL_RETURN_IF_ERROR(MakeDirs(layout_.root));
  auto loaded = scenario::ParseScenario(yaml, "scenario.yaml", layout_.root);
  auto parsed = faults::ParseFaults(loaded.partial);
  auto errors = loaded.errors;
  errors.insert(errors.end(), parsed.errors.begin(), parsed.errors.end());
  if (!errors.empty()) return Status::Error(FormatDiagnostics(errors, loaded.source));
  scenario_ = std::move(*loaded.scenario);
  config_ = std::move(parsed.config);
  clock_ = std::make_unique<LoopClock>(loop_);
  timeline_.Start(loop_.Now());
  std::vector<std::string> env = {"PATH=" + path_, "HOME=/tmp"};
  topology_ = std::make_unique<Topology>(scenario_, TopologyOptions{layout_, seed, env}, loop_,
                                         supervisor_, timeline_);
  if (scenario_.network == scenario::NetworkMode::kIsolated) {
    auto isolated = run::IsolatedNetwork::Start(scenario_, *topology_, layout_, seed);
    if (!isolated) return isolated.status();
    isolated_ = std::move(*isolated);
  }
  FL_RETURN_IF_ERROR(topology_->Prepare());
  if (isolated_) {
    net_ = &isolated_->hub();
  } else {
    auto network = run::LoopbackNetwork::Start(scenario_, *topology_, seed);
    if (!network) return network.status();
    network_ = std::move(*network);
    if (network_->proxy()) {
      link_network_ = std::make_unique<faults::LinkNetwork>(*network_->proxy(), scenario_.links);
      net_ = link_network_.get();
    }
  }
  faults::Planner swarm(config_, seed);
  std::set<std::string> clock_targets, disk_targets;
  bool throttle = false;
  for (const auto* k : swarm.enabled()) {
    if (const auto* c = std::get_if<faults::ClockConfig>(&k->settings)) {
      clock_targets.insert(c->targets.begin(), c->targets.end());
    } else if (const auto* d = std::get_if<faults::DiskConfig>(&k->settings)) {
      disk_targets.insert(d->targets.begin(), d->targets.end());
    }
    throttle |= k->name == "throttle";
  }
  FL_RETURN_IF_ERROR(faults::InProcessFaults::Check(!clock_targets.empty(), !disk_targets.empty()));
  in_process_ = std::make_unique<faults::InProcessFaults>(
      layout_.FaultControls(), std::move(clock_targets), std::move(disk_targets));
  FL_RETURN_IF_ERROR(in_process_->Prepare());
  in_process_->Attach(topology_.get());
  topology_->SetLaunchHooks(in_process_.get());
  if (throttle) {
    auto cpu = faults::CgroupCpu::Detect();
    if (!cpu) return cpu.status();
    cpu_ = std::move(*cpu);
  }
  commands_ = std::make_unique<run::SupervisedFaultCommands>(supervisor_, *topology_, *clock_,
                                                             timeline_, layout_, env, seed);
  injectors_ = faults::Injectors{.services = topology_.get(),
                                 .network = net_,
                                 .in_process = in_process_.get(),
                                 .cpu = cpu_.get(),
                                 .commands = commands_.get(),
                                 .clock = clock_.get()};
  schedule_ =
      std::make_unique<faults::FaultSchedule>(config_, seed, *clock_, timeline_, injectors_);
  std::optional<Status> up;
  topology_->Start([&](Status s) { up = s; });
  loop_.RunUntil([&] { return up.has_value(); }, Millis(30000));
  if (!up) return Status::Error("the services did not come up within 30 s");
  return *up;
}

bool FaultHarness::RunUntil(const std::function<bool()>& done, Millis limit) {
  return loop_.RunUntil(done, limit);
}

void FaultHarness::RunFor(Millis d) {
  bool done = false;
  Timer t = clock_->After(d, [&] { done = true; });
  loop_.RunUntil([&] { return done; }, d + Millis(1000));
}

std::vector<Event> FaultHarness::Faults(const std::string& action) const {
  std::vector<Event> out;
  for (const auto& e : events_) {
    if (e.type == EventType::kFault && JsonString(e.fields, "action") == action) out.push_back(e);
  }
  return out;
}

int FaultHarness::RealPort(const std::string& service) const {
  return topology_->addresses().real_ports.at(service);
}

int FaultHarness::PortFor(const std::string& service, const std::string& dialer) const {
  return topology_->addresses().PortFor(service, dialer);
}

}  // namespace faultline::testing
