// Topology: one history's services. It gives every service a fresh folder and port, resolves the
// scenario's placeholders from each dialer's point of view, runs `prepare` once, starts services
// in dependency order (each once its dependencies are healthy), health-checks them, and tears them
// all down at the end. The fault schedule acts through Kill/Stop/Restart/Pause/Resume; every
// start, health change and exit is recorded on the history's timeline, with exits that faultline
// caused marked expected.
// Owned by the history; every method runs on the history's event-loop thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/history_layout.h"
#include "faults/service_control.h"
#include "process/event_loop.h"
#include "process/supervisor.h"
#include "scenario/placeholders.h"
#include "scenario/scenario.h"
#include "timeline/timeline.h"
#include "topology/launch_hooks.h"
#include "unit/unit_set.h"

namespace faultline {

class PreparedStore;

struct TopologyOptions {
  HistoryLayout layout;               // this history's folder (created by the caller)
  uint64_t seed = 0;                  // the history's seed, for {history.seed}
  std::vector<std::string> base_env;  // the environment every child starts from ("K=V")
  // Where reusable prepared folders come from (`prepared: reusable`): copied instead of
  // prepared. Null: every service runs its prepare steps.
  PreparedStore* prepared = nullptr;
  // Only these services start (empty: all of them); the others still get ports and folders, so
  // that placeholders resolve. PreparedStore's preparation starts the reusable services alone.
  std::set<std::string> only = {};
};

class Topology : public faults::ServiceControl {
 public:
  enum class State { kPending, kPreparing, kStarting, kHealthy, kStopping, kDown, kPaused };

  // Called when a service starts with a new SDK output file to follow.
  using SdkFileCallback = std::function<void(const std::string& path, const std::string& service)>;

  Topology(const scenario::Scenario& scenario, TopologyOptions options, EventLoop& loop,
           Supervisor& supervisor, Timeline& timeline);
  ~Topology() override;
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  // Allocates ports, creates folders (owned by each service's user) and resolves addresses.
  // No process runs yet. Fails when a port or folder cannot be had.
  Status Prepare();
  // Sets the port a dialer uses to reach a service through the fault proxy. Call after Prepare
  // and before Start.
  void RouteLink(const std::string& from, const std::string& to, int proxy_port);
  // Isolated mode: every service runs in its unit of `units` (prepare steps, health checks and
  // port probes too), and `{name.host}` is the unit's address. Call before Prepare.
  void PlaceInUnits(const unit::UnitSet* units) { units_ = units; }

  // Brings every service up; `done` runs once: OK when all are healthy, otherwise an error that
  // names the failing or unhealthy services with the tail of their logs. Gives up after the
  // scenario's setup_timeout.
  void Start(std::function<void(Status)> done);

  // What every start of a service gets from the faults that act from inside it (may be null).
  void SetLaunchHooks(LaunchHooks* hooks) { hooks_ = hooks; }

  // faults::ServiceControl: the fault hooks. Each fails for an unknown service or one in the
  // wrong state; exits they cause are recorded as expected.
  bool IsUp(const std::string& name) const override;
  Status Kill(const std::string& name, std::function<void()> down) override;
  Status Stop(const std::string& name, std::function<void()> down) override;
  Status Restart(const std::string& name) override;
  Status Pause(const std::string& name) override;
  Status Resume(const std::string& name) override;
  std::vector<pid_t> Processes(const std::string& name) const override;
  void ExplainExits(const std::string& name, const std::string& fault) override;
  State state(const std::string& name) const;

  // Stops every service (stop signal, grace, SIGKILL) in reverse start order; `done` runs once
  // all have ended.
  void Teardown(std::function<void()> done);

  void OnSdkFile(SdkFileCallback cb) { on_sdk_file_ = std::move(cb); }
  const scenario::Addresses& addresses() const { return addresses_; }
  // The workload's environment, resolved from the workload's point of view ("K=V").
  Result<std::vector<std::string>> WorkloadEnv() const;
  // Services that are not healthy now.
  std::vector<std::string> Unhealthy() const;
  // The last `lines` lines of a service's log.
  std::string LogTail(const std::string& name, size_t lines) const;
  std::string LogPath(const std::string& name) const;

 private:
  struct Service;
  Service* Find(const std::string& name);
  const Service* Find(const std::string& name) const;
  bool InScope(const Service& s) const;
  // Copies the reusable services' prepared folders from `snapshot`, then starts services.
  void UsePrepared(const std::map<std::string, std::string>& snapshot);
  void StartReadyServices();
  void RunPrepare(Service& s, size_t index);
  void Launch(Service& s);
  void OnExit(Service& s, ExitStatus status);
  void CheckHealth(Service& s);
  void BecameHealthy(Service& s);
  void FailStart(std::string message);
  void SetupTimedOut();
  Result<std::vector<std::string>> ResolveArgv(const scenario::Argv& argv,
                                               const std::string& viewpoint) const;
  Result<std::vector<std::string>> ServiceEnv(const Service& s, const std::string& sdk_file) const;
  void AppendLog(const Service& s, const std::string& line) const;
  void MaybeFinishTeardown();

  const scenario::Scenario& scenario_;
  TopologyOptions options_;
  EventLoop& loop_;
  Supervisor& supervisor_;
  Timeline& timeline_;
  scenario::Addresses addresses_;
  std::vector<std::unique_ptr<Service>> services_;  // in start order
  std::function<void(Status)> start_done_;
  EventLoop::TimerId setup_timer_ = 0;
  std::function<void()> teardown_done_;
  bool tearing_down_ = false;
  SdkFileCallback on_sdk_file_;
  LaunchHooks* hooks_ = nullptr;
  const unit::UnitSet* units_ = nullptr;
  Placement Where(const Service& s) const;
  Result<ChildId> SpawnIn(const Service& s, const SpawnSpec& spec,
                          Supervisor::ExitCallback on_exit);
  // Callbacks handed to the Supervisor check this: a child may end after the Topology is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultline
