// CommandRunner: a history's invocations as real processes (the composer's CommandLauncher).
// Each runs in its own folder under commands/ (HistoryLayout), with the workload's environment
// plus its own SDK file, output folder, seed and the stop-faults executable; its SDK files are
// followed while it runs and read whole when it ends, before its end is reported.
// Owned by the history; runs on the history's event-loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/history_layout.h"
#include "composer/command_launcher.h"
#include "process/supervisor.h"
#include "run/sdk_ingest.h"

namespace faultline::run {

class CommandRunner : public composer::CommandLauncher {
 public:
  // Every end of an invocation, after its SDK output was read; ends that Kill caused included.
  using EndCallback = std::function<void(int64_t id, ExitStatus status)>;

  // `env` is the environment every command starts from ("K=V": faultline's, overlaid with the
  // workload's); `stop_faults` the ANTITHESIS_STOP_FAULTS executable.
  CommandRunner(Supervisor& supervisor, SdkIngest& sdk, const HistoryLayout& layout,
                std::vector<std::string> env, std::string stop_faults);
  ~CommandRunner() override;
  CommandRunner(const CommandRunner&) = delete;
  CommandRunner& operator=(const CommandRunner&) = delete;

  void OnEnd(EndCallback cb) { on_end_ = std::move(cb); }
  // Isolated mode: every command runs in the workload's unit.
  void PlaceIn(Placement where) { where_ = std::move(where); }

  // composer::CommandLauncher
  Result<int> Launch(const composer::Invocation& invocation) override;
  void Kill(int64_t id) override;

  // SIGKILLs every invocation that runs; their ends arrive as usual.
  void KillAll();
  size_t running() const { return running_.size(); }

 private:
  struct Running {
    ChildId child = 0;
    SdkIngest::FileSet sdk = 0;
  };
  void Exited(int64_t id, ExitStatus status);

  Supervisor& supervisor_;
  SdkIngest& sdk_;
  const HistoryLayout& layout_;
  std::vector<std::string> env_;
  std::string stop_faults_;
  std::map<int64_t, Running> running_;
  EndCallback on_end_;
  Placement where_;
  // Exit callbacks handed to the Supervisor check this: an invocation may end after we are gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultline::run
