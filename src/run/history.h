// History: one fresh bring-up of a scenario, one template, one seeded schedule of commands and
// faults, and one terminal check. It is a phase machine that wires the rooms together on the
// run's event loop:
//
//   preparing ──► starting (Topology brings services up) ──► setup (SetupGate) ──► running
//   (Composer, or ValidateSequence for `faultline validate`, over the CommandRunner; the
//   FaultSchedule injects) ──► tearing down (everything stopped) ──► done
//
// An error or an interrupt in any phase goes straight to tearing down. SDK output is followed by
// SdkIngest into the Timeline throughout. The history's folder is laid out by HistoryLayout.
// Owned by the Run; every method runs on the run's event-loop thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/history_layout.h"
#include "composer/composer.h"
#include "faults/config.h"
#include "faults/fault_schedule.h"
#include "faults/in_process.h"
#include "faults/link_network.h"
#include "process/event_loop.h"
#include "process/loop_clock.h"
#include "process/supervisor.h"
#include "run/command_runner.h"
#include "run/control_server.h"
#include "run/fault_commands.h"
#include "run/isolated_network.h"
#include "run/loopback_network.h"
#include "run/sdk_ingest.h"
#include "run/setup_gate.h"
#include "run/validate_sequence.h"
#include "scenario/scenario.h"
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
  const faults::FaultsConfig* faults = nullptr;  // the scenario's faults, parsed
  faults::CpuLimiter* cpu = nullptr;             // null: no throttle configured
  PreparedStore* prepared = nullptr;             // the run's reusable prepared folders, when any
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

class History {
 public:
  History(const RunContext& ctx, HistorySpec spec, Timeline::Listener listener);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Runs the history; `done` runs once, after teardown, on a later turn of the loop (never from
  // inside Start or Interrupt).
  void Start(std::function<void(HistoryResult)> done);
  // Ends early: kills what runs, tears down; `done` still runs.
  void Interrupt();
  // Gives up at once (a second interrupt: every process was already killed): ends the timeline
  // with history_end and returns the result as it stands; `done` never runs.
  HistoryResult Abandon();

 private:
  enum class Phase { kIdle, kStarting, kSetup, kRunning, kTearingDown, kDone };

  Status Prepare();
  Status PrepareFaults();
  Status PrepareCommands();
  void OnServicesUp(Status status);
  void OnSetup(SetupGate::Outcome outcome);
  void RunSchedule();
  void OnScheduleDone(composer::ComposerResult result);
  void OnInvocationEnd(int64_t id, ExitStatus status);
  void Fail(HistoryResult::Outcome outcome, std::string message);
  void Teardown();
  void Finish();

  RunContext ctx_;
  HistorySpec spec_;
  HistoryLayout layout_;
  // Declared in dependency order: each part may refer to the ones above it, and is destroyed
  // before them.
  LoopClock clock_;
  Timeline timeline_;
  std::unique_ptr<SdkIngest> sdk_;
  std::unique_ptr<SetupGate> gate_;
  std::unique_ptr<Topology> topology_;
  std::unique_ptr<LoopbackNetwork> network_;
  std::unique_ptr<faults::LinkNetwork> link_network_;  // the network seam over network_'s proxy
  std::unique_ptr<faults::InProcessFaults> in_process_;
  std::unique_ptr<IsolatedNetwork> isolated_;      // isolated mode
  faults::NetworkControl* net_control_ = nullptr;  // link_network_ or the isolated hub
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<CommandRunner> commands_;
  std::unique_ptr<SupervisedFaultCommands> fault_commands_;
  std::unique_ptr<faults::FaultSchedule> faults_;
  std::unique_ptr<composer::Composer> composer_;
  std::unique_ptr<ValidateSequence> sequence_;
  Phase phase_ = Phase::kIdle;
  bool interrupted_ = false;
  HistoryResult result_;
  std::function<void(HistoryResult)> done_;
  Timer later_;  // work moved out of a caller's stack (teardown after the schedule, `done`)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultline::run
