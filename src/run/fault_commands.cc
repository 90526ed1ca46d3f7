#include "run/fault_commands.h"

#include "base/rng.h"
#include "base/strings.h"
#include "process/spawn.h"
#include "scenario/placeholders.h"

namespace faultline::run {

SupervisedFaultCommands::SupervisedFaultCommands(Supervisor& supervisor, const Topology& topology,
                                                 Clock& clock, Timeline& timeline,
                                                 const HistoryLayout& layout,
                                                 std::vector<std::string> env, uint64_t seed)
    : supervisor_(supervisor),
      topology_(topology),
      clock_(clock),
      timeline_(timeline),
      layout_(layout),
      env_(std::move(env)),
      seed_(seed) {}

SupervisedFaultCommands::~SupervisedFaultCommands() {
  *alive_ = false;
  for (auto& [id, r] : running_) supervisor_.Stop(r.child, SIGKILL, Millis(0));
}

Status SupervisedFaultCommands::Run(const std::string& name, const scenario::Argv& argv,
                                    Millis timeout, std::function<void(Status)> done) {
  std::vector<std::string> resolved;
  for (const auto& t : argv) {
    auto r = scenario::ResolvePlaceholders(t.raw, "workload", topology_.addresses());
    if (!r) return Status::Error(r.error());
    resolved.push_back(std::move(*r));
  }
  uint64_t id = ++runs_;
  std::vector<std::string> env = env_;
  SetEnvVar(env, "FAULTLINE_FAULT", name);
  SetEnvVar(env, "FAULTLINE_SEED",
            std::to_string(DeriveSeed(seed_, fmt::format("fault:{}:{}", name, id))));
  std::string log = layout_.Logs() + "/faults.log";
  SpawnSpec spec{.argv = resolved,
                 .env = std::move(env),
                 .cwd = topology_.addresses().scenario_dir,
                 .stdout_path = log,
                 .stderr_path = log,
                 .user = "",
                 .stop_signal = SIGKILL};
  std::string what = fmt::format("custom fault {}: {}", name, ShellJoin(resolved));
  auto child = supervisor_.Spawn(
      spec, [this, alive = alive_, id, what, done = std::move(done)](ExitStatus status) {
        if (!*alive) return;
        auto it = running_.find(id);
        bool timed_out = it != running_.end() && it->second.timed_out;
        if (it != running_.end()) running_.erase(it);
        if (status.success()) {
          done(Status::Ok());
          return;
        }
        std::string why = timed_out ? "did not finish within its timeout" : status.Describe();
        timeline_.Record(EventType::kWarning,
                         {{"message", fmt::format("{} {} (output in {})", what, why,
                                                  layout_.Logs() + "/faults.log")}});
        done(Status::Error(fmt::format("{} {}", what, why)));
      });
  if (!child) return Status::Error(child.error());
  Running r;
  r.child = *child;
  r.timeout = clock_.After(timeout, [this, id] {
    auto it = running_.find(id);
    if (it == running_.end()) return;
    it->second.timed_out = true;
    supervisor_.Stop(it->second.child, SIGKILL, Millis(0));
  });
  running_[id] = std::move(r);
  return Status::Ok();
}

}  // namespace faultline::run
