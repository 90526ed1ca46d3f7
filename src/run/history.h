// History: one fresh bring-up of a scenario, one template, one seeded schedule of commands and
// faults, and one terminal check. It wires the rooms together on the run's event loop: the
// Topology brings services up, SDK files are followed into the Timeline, the Composer (or, for
// `faultline validate`, a plain sequence) decides what runs, the FaultSchedule decides faults,
// and everything ends in teardown. Its folder holds the timeline, the resolved scenario, service
// logs and folders, and every invocation's stdout, stderr and SDK file.
// Owned by the Run; every method runs on the run's event-loop thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "composer/composer.h"
#include "faults/fault_schedule.h"
#include "net/fault_proxy.h"
#include "process/event_loop.h"
#include "process/supervisor.h"
#include "run/control_server.h"
#include "scenario/scenario.h"
#include "sdk/file_reader.h"
#include "timeline/timeline.h"
#include "topology/topology.h"

namespace faultline::run {

// What every history of a run shares.
struct RunContext {
  EventLoop* loop = nullptr;
  Supervisor* supervisor = nullptr;
  const scenario::Scenario* scenario = nullptr;
  std::vector<std::string> base_env;  // faultline's environment, faultline's folder first in PATH
  Millis sdk_poll{100};               // how often growing SDK files are read
};

struct HistorySpec {
  int index = 0;
  uint64_t seed = 0;
  const composer::Template* tmpl = nullptr;
  std::string dir;  // the history's folder (created by History)
  composer::ComposerOptions options;
  // `faultline validate`: every command once, in composer order, no faults.
  bool validate = false;
};

struct HistoryResult {
  enum class Outcome { kCompleted, kSetupFailed, kError, kInterrupted };
  int index = 0;
  uint64_t seed = 0;
  std::string template_name;
  std::string dir;
  Outcome outcome = Outcome::kCompleted;
  std::string message;   // what failed, for kSetupFailed and kError
  std::string terminal;  // "eventually", "finally" or "none"
  int64_t invocations = 0;
  double seconds = 0;                 // from the history's start to the end of its teardown
  std::vector<std::string> problems;  // validate: each command that did not exit 0
};
std::string_view OutcomeName(HistoryResult::Outcome outcome);

class History : public composer::CommandLauncher {
 public:
  History(const RunContext& ctx, HistorySpec spec, Timeline::Listener listener);
  ~History() override;
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Runs the history; `done` runs once, after teardown.
  void Start(std::function<void(HistoryResult)> done);
  // Ends early: kills what runs, tears down; `done` still runs.
  void Interrupt();

  // composer::CommandLauncher
  Result<int> Launch(const composer::Invocation& invocation) override;
  void Kill(int64_t id) override;

 private:
  class LoopClock;
  class Sequence;
  struct Running {
    ChildId child = 0;
    std::string command;
    std::vector<std::unique_ptr<sdk::SdkFileReader>> readers;
  };
  struct ServiceReader {
    std::unique_ptr<sdk::SdkFileReader> reader;
    std::string service;
  };

  Status Prepare();
  // Puts every link of the scenario behind this history's fault proxy.
  Status RouteLinks();
  Status WriteResolvedScenario() const;
  void OnServicesUp(Status status);
  void SetupComplete(const std::string& via, Json source, Json details);
  void RunSchedule();
  void OnScheduleDone(composer::ComposerResult result);
  void OnInvocationExit(int64_t id, ExitStatus status);
  void PollSdk();
  void Ingest(const Json& source, sdk::SdkLine&& line);
  void FinalPoll(sdk::SdkFileReader& reader, const Json& source);
  void Teardown();
  void Finish();

  RunContext ctx_;
  HistorySpec spec_;
  Timeline timeline_;
  std::unique_ptr<Topology> topology_;
  std::unique_ptr<net::FaultProxy> proxy_;  // only when the scenario has links
  std::unique_ptr<faults::FaultSchedule> faults_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<LoopClock> clock_;
  std::unique_ptr<composer::Composer> composer_;
  std::unique_ptr<Sequence> sequence_;
  std::vector<std::string> workload_env_;  // the scenario's workload env, resolved
  std::vector<std::string> command_env_;   // faultline's environment overlaid with workload_env_
  std::string stop_faults_path_;
  std::map<int64_t, Running> running_;
  std::vector<ServiceReader> service_readers_;
  EventLoop::TimerId poll_timer_ = 0;
  EventLoop::TimerId sdk_setup_timer_ = 0;
  bool setup_complete_ = false;
  // A setup-complete line that arrived before every service was healthy; it counts once they are.
  std::optional<std::pair<Json, Json>> early_setup_;
  bool tearing_down_ = false;
  bool interrupted_ = false;
  HistoryResult result_;
  std::function<void(HistoryResult)> done_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultline::run
