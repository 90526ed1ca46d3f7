// PreparedStore: a run's reusable prepared folders (`prepared: reusable` in scenario.yaml).
//
// `initdb` and a base backup dominate a history's start-up, and they produce the same folder in
// every history. The first history that needs the folders asks the store; the store then makes
// them once, in a folder of its own: it prepares the reusable services and starts each until it
// is healthy, in dependency order (so that a preparation that needs another service running,
// such as a replica's base backup of its primary, finds it), then stops them all cleanly and keeps
// their folders. Every history copies those folders into its own (CopyTree: a reflink where the
// file system has them) instead of preparing. Copies of a primary and of a backup taken from it
// stay a consistent pair, which a fresh backup of each history's own primary would also be.
//
// The snapshot is keyed by what the preparation depends on: each reusable service's prepare and
// start commands with their placeholders left unresolved (ports and folders differ per history,
// so they are not part of it), its user and environment, the executables they run (path, size,
// modification time) and the scenario files they name (content). The preparation runs on ports
// and in a folder of its own, so no history's value can end up in the copied folders; a value a
// service needs per history (the port a replica dials) belongs on its command line.
//
// Owned by the run, which outlives every history that asked; used on the run's event-loop thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/duration.h"
#include "base/status.h"
#include "process/event_loop.h"
#include "process/supervisor.h"
#include "scenario/scenario.h"
#include "timeline/timeline.h"

namespace faultline {

class Topology;

class PreparedStore {
 public:
  struct Snapshot {
    std::string key;                          // hex SHA-256 of what the preparation depends on
    std::map<std::string, std::string> dirs;  // service -> its prepared folder, to copy from
    Millis took{0};                           // how long the preparation ran
  };
  using Ready = std::function<void(Result<const Snapshot*>)>;

  // `root` is where the preparation runs and the folders are kept: a folder that every service
  // user can reach, created here and removed with the store.
  PreparedStore(const scenario::Scenario& scenario, std::string root,
                std::vector<std::string> base_env, EventLoop& loop, Supervisor& supervisor);
  ~PreparedStore();
  PreparedStore(const PreparedStore&) = delete;
  PreparedStore& operator=(const PreparedStore&) = delete;

  // Whether any service of `scenario` declares a reusable prepared folder.
  static bool Wanted(const scenario::Scenario& scenario);

  // Calls `ready` once the snapshot exists: at once (inside this call) when it does, after the
  // preparation otherwise (the first call starts it). When the preparation failed, every caller
  // gets the same error, naming the service and showing the tail of its log.
  void Acquire(Ready ready);
  // Stops a preparation under way (an interrupted run); waiting callers get an error.
  void Shutdown();

  // The snapshot's key, and the text it digests (one line per input), for logs and tests.
  const std::string& key() const { return key_; }
  const std::string& key_inputs() const { return key_inputs_; }

 private:
  void Build();
  void OnBuilt(Status status);
  void Finish(Result<Snapshot> result);

  const scenario::Scenario& scenario_;
  std::string root_;
  std::vector<std::string> base_env_;
  EventLoop& loop_;
  Supervisor& supervisor_;
  std::string key_;
  std::string key_inputs_;
  std::optional<Result<Snapshot>> result_;
  std::vector<Ready> waiting_;
  Timeline timeline_;  // the preparation's own (in root_/<key>/timeline.jsonl)
  std::unique_ptr<Topology> builder_;
  bool stopping_ = false;  // the builder's teardown has begun
  EventLoop::Clock::time_point started_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The key inputs of `scenario`'s reusable services: one line per input, as PreparedStore
// digests them. `path` is the PATH that executables are looked up in.
std::string PreparedKeyInputs(const scenario::Scenario& scenario, const std::string& path);

}  // namespace faultline
