// FaultHarness: one history's services and fault schedule, wired the way a history wires them,
// inside a test or benchmark process: real processes, a real fault proxy for links (or, for a
// scenario with `network: isolated`, the units and their hub), the real injectors. Tests load a scenario, start its services, enable the schedule (or inject a plan
// directly) and watch the timeline and the processes. One thread: the caller's, which runs the
// loop through RunUntil.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "faults/cgroup_cpu.h"
#include "faults/config.h"
#include "faults/fault_schedule.h"
#include "faults/in_process.h"
#include "faults/link_network.h"
#include "process/event_loop.h"
#include "process/loop_clock.h"
#include "process/supervisor.h"
#include "run/fault_commands.h"
#include "run/isolated_network.h"
#include "run/loopback_network.h"
#include "timeline/timeline.h"
#include "topology/topology.h"

namespace faultline::testing {

class FaultHarness {
 public:
  // `dir`: a folder for the history (made); `path` is the services' PATH.
  FaultHarness(std::string dir, std::string path);
  ~FaultHarness();

  // Loads the scenario (every error is returned), prepares the history and starts its services;
  // OK once all are healthy. Faults are configured but not yet enabled.
  Status Start(const std::string& yaml, uint64_t seed = 1);
  // Runs the loop until `done()` or `limit`; returns done().
  bool RunUntil(const std::function<bool()>& done, Millis limit = Millis(20000));
  void RunFor(Millis d);

  // The fault events recorded so far with this action ("begin", "heal", "failed").
  std::vector<Event> Faults(const std::string& action) const;
  const std::vector<Event>& events() const { return events_; }
  // Called for every event as it is recorded.
  void OnEvent(std::function<void(const Event&)> cb) { on_event_ = std::move(cb); }

  faults::FaultSchedule& schedule() { return *schedule_; }
  const faults::FaultsConfig& config() const { return config_; }
  Topology& topology() { return *topology_; }
  // The network seam: the links' proxy (loopback mode) or the hub (network: isolated).
  faults::NetworkControl* network() { return net_; }
  bool isolated() const { return isolated_ != nullptr; }
  faults::Injectors& injectors() { return injectors_; }
  net::FaultProxy* proxy() { return network_ ? network_->proxy() : nullptr; }
  EventLoop& loop() { return loop_; }
  LoopClock& clock() { return *clock_; }
  const HistoryLayout& layout() const { return layout_; }
  // The real port of `service`, and the port `dialer` uses to reach it (a link's proxy).
  int RealPort(const std::string& service) const;
  int PortFor(const std::string& service, const std::string& dialer) const;

 private:
  HistoryLayout layout_;
  std::string path_;
  EventLoop loop_;
  Supervisor supervisor_{loop_};
  std::unique_ptr<LoopClock> clock_;
  Timeline timeline_;
  std::vector<Event> events_;
  std::function<void(const Event&)> on_event_;
  scenario::Scenario scenario_;
  faults::FaultsConfig config_;
  std::unique_ptr<Topology> topology_;
  std::unique_ptr<run::LoopbackNetwork> network_;
  std::unique_ptr<faults::LinkNetwork> link_network_;
  std::unique_ptr<run::IsolatedNetwork> isolated_;
  faults::NetworkControl* net_ = nullptr;
  std::unique_ptr<faults::InProcessFaults> in_process_;
  std::unique_ptr<faults::CgroupCpu> cpu_;
  std::unique_ptr<run::SupervisedFaultCommands> commands_;
  faults::Injectors injectors_;
  std::unique_ptr<faults::FaultSchedule> schedule_;
};

}  // namespace faultline::testing
