// kill, stop and pause: faults that act on every process of one service, through ServiceControl.
#include <memory>

#include "faults/catalog.h"

namespace faultline::faults {
namespace {

void ParseProcess(const scenario::ConfigNode& n, ParseContext& ctx, KindConfig& out,
                  const char* range_key) {
  ProcessConfig c;
  bool has_targets = false;
  std::vector<std::string> keys = {"targets", range_key};
  ctx.ForEach(n, fmt::format("the {} fault", out.name), keys,
              [&](const std::string& key, const scenario::ConfigNode& v) {
                if (key == "targets") {
                  has_targets = true;
                  c.targets = ctx.Targets(v, out.name);
                } else if (auto r = ctx.Range(v, fmt::format("{} {}", out.name, key))) {
                  c.duration = *r;
                }
              });
  if (n.IsMap() && !has_targets) {
    ctx.Error(n.pos, fmt::format("the {} fault needs 'targets'", out.name));
  }
  out.settings = std::move(c);
}

std::optional<FaultPlan> PlanProcess(const KindConfig& kind, const PlannerView& view,
                                     PlanDraws& draws, const char* key) {
  const auto& c = kind.Get<ProcessConfig>();
  auto target = DrawServiceTarget(c.targets, view, draws.targets);
  if (!target) return std::nullopt;
  FaultPlan plan;
  plan.targets = {*target};
  plan.duration = DrawDuration(c.duration, draws.params);
  plan.described = {{key, plan.duration.count()}};
  return plan;
}

// kill and stop: the service is down until the fault heals, then it starts again. A heal that
// comes before the service has ended (a stop still in its grace) waits for the end.
class DownFault : public ActiveFault {
 public:
  struct State {
    ServiceControl* services = nullptr;
    std::string service;
    bool down = false;
    bool abandoned = false;
    std::function<void(Status)> restart_when_down;
  };
  explicit DownFault(std::shared_ptr<State> state) : state_(std::move(state)) {}
  static std::function<void()> OnDown(std::shared_ptr<State> state) {
    return [state] {
      state->down = true;
      if (state->abandoned) return;
      if (auto healed = std::move(state->restart_when_down)) {
        state->restart_when_down = nullptr;
        healed(state->services->Restart(state->service));
      }
    };
  }
  void Heal(std::function<void(Status)> healed) override {
    if (state_->down) {
      healed(state_->services->Restart(state_->service));
    } else {
      state_->restart_when_down = std::move(healed);
    }
  }
  void Abandon() override { state_->abandoned = true; }

 private:
  std::shared_ptr<State> state_;
};

template <bool kStop>
Result<std::unique_ptr<ActiveFault>> InjectDown(const FaultPlan& plan, Injectors& in) {
  auto state = std::make_shared<DownFault::State>();
  state->services = in.services;
  state->service = plan.targets.at(0);
  Status s = kStop ? in.services->Stop(state->service, DownFault::OnDown(state))
                   : in.services->Kill(state->service, DownFault::OnDown(state));
  if (!s.ok()) return Unexpected(s);
  return std::unique_ptr<ActiveFault>(std::make_unique<DownFault>(state));
}

class PauseFault : public ActiveFault {
 public:
  PauseFault(ServiceControl& services, std::string service)
      : services_(services), service_(std::move(service)) {}
  void Heal(std::function<void(Status)> healed) override { healed(services_.Resume(service_)); }

 private:
  ServiceControl& services_;
  std::string service_;
};

Result<std::unique_ptr<ActiveFault>> InjectPause(const FaultPlan& plan, Injectors& in) {
  if (Status s = in.services->Pause(plan.targets.at(0)); !s.ok()) return Unexpected(s);
  return std::unique_ptr<ActiveFault>(
      std::make_unique<PauseFault>(*in.services, plan.targets.at(0)));
}

}  // namespace

KindRow KillRow() {
  return {
      .name = "kill",
      .summary = "SIGKILL every process of a service; it starts again after `down`",
      .scope = Scope::kService,
      .keys = {"targets", "down"},
      .parse = [](const auto& n, auto& ctx, auto& out) { ParseProcess(n, ctx, out, "down"); },
      .plan = [](const auto& k, const auto& v, auto& d) { return PlanProcess(k, v, d, "down_ms"); },
      .inject = InjectDown<false>};
}

KindRow StopRow() {
  return {
      .name = "stop",
      .summary =
          "stop a service gracefully (its stop signal, then SIGKILL after the grace); "
          "it starts again after `down`",
      .scope = Scope::kService,
      .keys = {"targets", "down"},
      .parse = [](const auto& n, auto& ctx, auto& out) { ParseProcess(n, ctx, out, "down"); },
      .plan = [](const auto& k, const auto& v, auto& d) { return PlanProcess(k, v, d, "down_ms"); },
      .inject = InjectDown<true>};
}

KindRow PauseRow() {
  return {
      .name = "pause",
      .summary = "SIGSTOP every process of a service; SIGCONT after `duration`",
      .scope = Scope::kService,
      .keys = {"targets", "duration"},
      .parse = [](const auto& n, auto& ctx, auto& out) { ParseProcess(n, ctx, out, "duration"); },
      .plan = [](const auto& k, const auto& v,
                 auto& d) { return PlanProcess(k, v, d, "duration_ms"); },
      .inject = InjectPause};
}

}  // namespace faultline::faults
