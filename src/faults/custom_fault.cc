// custom: the scenario's own faults ("promote the replica", "drop the replication slot"): a
// command run when the fault begins and an optional heal command run when it heals, through
// FaultCommands (resolved from the workload's point of view, with the workload's environment).
#include <unistd.h>

#include <cstdlib>

#include "base/files.h"
#include "base/strings.h"
#include "faults/catalog.h"
#include "process/supervisor.h"

namespace faultline::faults {
namespace {

// The program a command starts must exist when it can be known at load time: a plain name is
// looked up in PATH (faultline's folder first), a path relative to the scenario folder.
void CheckProgram(const scenario::Text& program, ParseContext& ctx, std::string_view what) {
  std::string name = program.raw;
  const std::string kScenarioDir = "{scenario.dir}";
  if (name.starts_with(kScenarioDir)) name = ctx.scenario().dir + name.substr(kScenarioDir.size());
  if (name.find('{') != std::string::npos) return;  // resolved per history
  if (!name.empty() && name.front() != '/' && name.find('/') != std::string::npos) {
    name = ctx.scenario().dir + "/" + name;
  }
  const char* path = std::getenv("PATH");
  auto found = FindExecutable(name, SelfExeDir() + ":" + (path ? path : "/usr/bin:/bin"));
  if (!found) {
    ctx.Error(program.pos, fmt::format("{}: '{}' is not a program that can be run ({})", what,
                                       program.raw, found.error()));
  }
}

void Parse(const scenario::ConfigNode& n, ParseContext& ctx, KindConfig& out) {
  CustomConfig c;
  std::string where = fmt::format("the custom fault '{}'", out.name);
  bool has_command = false;
  ctx.ForEach(n, where, CustomRow().keys,
              [&](const std::string& key, const scenario::ConfigNode& v) {
                if (key == "command" || key == "heal") {
                  auto argv = ctx.Argv(v, fmt::format("{} of {}", key, where));
                  if (!argv) return;
                  CheckProgram(argv->front(), ctx, fmt::format("{} of {}", key, where));
                  (key == "command" ? c.command : c.heal) = std::move(*argv);
                  has_command |= key == "command";
                } else if (key == "duration") {
                  if (auto r = ctx.Range(v, fmt::format("duration of {}", where))) c.duration = *r;
                } else if (auto d = ctx.Duration(v, fmt::format("timeout of {}", where))) {
                  if (*d <= Millis(0)) {
                    ctx.Error(v.pos, fmt::format("timeout of {} must be more than 0s", where));
                  } else {
                    c.timeout = *d;
                  }
                }
              });
  if (n.IsMap() && !has_command) ctx.Error(n.pos, fmt::format("{} needs a 'command'", where));
  out.settings = std::move(c);
}

std::optional<FaultPlan> Plan(const KindConfig& kind, const PlannerView& view, PlanDraws& draws) {
  if (view.active.count(kind.name)) return std::nullopt;  // one at a time
  FaultPlan plan;
  plan.duration = DrawDuration(kind.Get<CustomConfig>().duration, draws.params);
  plan.described = {{"duration_ms", plan.duration.count()}};
  return plan;
}

// Heals by running the heal command (when there is one) and waiting for it.
class CustomFault : public ActiveFault {
 public:
  CustomFault(FaultCommands& commands, const KindConfig& kind) : commands_(commands), kind_(kind) {}
  void Heal(std::function<void(Status)> healed) override {
    const auto& c = kind_.Get<CustomConfig>();
    if (c.heal.empty()) {
      healed(Status::Ok());
      return;
    }
    Status started = commands_.Run(kind_.name, c.heal, c.timeout, healed);
    if (!started.ok()) healed(started);
  }

 private:
  FaultCommands& commands_;
  const KindConfig& kind_;
};

Result<std::unique_ptr<ActiveFault>> Inject(const FaultPlan& plan, Injectors& in) {
  if (!in.commands) return Unexpected("no runner for custom fault commands");
  const auto& c = plan.kind->Get<CustomConfig>();
  // The command's own outcome is recorded by the runner; a failure to start is the fault's.
  Status started = in.commands->Run(plan.kind->name, c.command, c.timeout, [](Status) {});
  if (!started.ok()) return Unexpected(started);
  return std::unique_ptr<ActiveFault>(std::make_unique<CustomFault>(*in.commands, *plan.kind));
}

}  // namespace

KindRow CustomRow() {
  return {.name = "custom",
          .summary = "the scenario's own faults: a command, and a heal command after `duration`",
          .scope = Scope::kCustom,
          .keys = {"command", "heal", "duration", "timeout"},
          .parse = Parse,
          .plan = Plan,
          .inject = Inject};
}

}  // namespace faultline::faults
