#include "run/command_runner.h"

#include <sys/stat.h>

#include "process/spawn.h"

namespace faultline::run {

CommandRunner::CommandRunner(Supervisor& supervisor, SdkIngest& sdk, const HistoryLayout& layout,
                             std::vector<std::string> env, std::string stop_faults)
    : supervisor_(supervisor),
      sdk_(sdk),
      layout_(layout),
      env_(std::move(env)),
      stop_faults_(std::move(stop_faults)) {}

CommandRunner::~CommandRunner() {
  *alive_ = false;
  for (auto& [id, r] : running_) supervisor_.Stop(r.child, SIGKILL, Millis(0));
}

Result<int> CommandRunner::Launch(const composer::Invocation& inv) {
  const composer::Command& c = *inv.command;
  std::string dir = layout_.Invocation(inv.id, c.name);
  std::string output_dir = dir + "/output";
  // The commands/ folder exists: two plain mkdirs, no path walk (this runs per invocation).
  if (mkdir(dir.c_str(), 0755) != 0 || mkdir(output_dir.c_str(), 0755) != 0) {
    return Unexpected(Status::FromErrno("mkdir " + dir));
  }
  std::string sdk_file = dir + "/sdk.jsonl";
  // faultline's own variables are not in env_ (the run's base environment leaves them out).
  std::vector<std::string> env = env_;
  env.push_back("ANTITHESIS_SDK_LOCAL_OUTPUT=" + sdk_file);
  env.push_back("ANTITHESIS_OUTPUT_DIR=" + output_dir);
  env.push_back("ANTITHESIS_STOP_FAULTS=" + stop_faults_);
  env.push_back(fmt::format("FAULTLINE_SEED={}", inv.seed));
  env.push_back(fmt::format("FAULTLINE_SOURCE={} #{}", c.Id(), inv.id));
  env.push_back("FAULTLINE_HISTORY_DIR=" + layout_.root);
  SpawnSpec spawn{.argv = {c.path},
                  .env = std::move(env),
                  .cwd = c.dir,
                  .stdout_path = dir + "/stdout",
                  .stderr_path = dir + "/stderr",
                  .user = "",
                  .stop_signal = SIGKILL};
  int64_t id = inv.id;
  auto child = supervisor_.Spawn(
      spawn,
      [this, alive = alive_, id](ExitStatus status) {
        if (*alive) Exited(id, status);
      },
      where_);
  if (!child) return Unexpected(child.error());
  SdkIngest::FileSet files =
      sdk_.Follow({sdk_file, output_dir + "/sdk.jsonl"}, {{"command", c.Id()}, {"id", id}});
  running_[id] = Running{*child, files};
  return supervisor_.Pid(*child);
}

void CommandRunner::Kill(int64_t id) {
  auto it = running_.find(id);
  if (it != running_.end()) supervisor_.Stop(it->second.child, SIGKILL, Millis(0));
}

void CommandRunner::KillAll() {
  for (auto& [id, r] : running_) supervisor_.Stop(r.child, SIGKILL, Millis(0));
}

void CommandRunner::Exited(int64_t id, ExitStatus status) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  SdkIngest::FileSet files = it->second.sdk;
  running_.erase(it);
  sdk_.Finish(files);
  if (on_end_) on_end_(id, status);
}

}  // namespace faultline::run
