// throttle: a service gets a drawn share of one CPU for a drawn time (the cgroup CPU controller).
#include "faults/catalog.h"

namespace faultline::faults {
namespace {

void Parse(const scenario::ConfigNode& n, ParseContext& ctx, KindConfig& out) {
  ThrottleConfig c;
  bool has_targets = false;
  ctx.ForEach(n, "the throttle fault", ThrottleRow().keys,
              [&](const std::string& key, const scenario::ConfigNode& v) {
                if (key == "targets") {
                  has_targets = true;
                  c.targets = ctx.Targets(v, "throttle");
                } else if (key == "share") {
                  if (auto r = ctx.Numbers(v, "throttle share", 0.01, 1, true)) c.share = *r;
                } else if (auto r = ctx.Range(v, "throttle duration")) {
                  c.duration = *r;
                }
              });
  if (n.IsMap() && !has_targets) ctx.Error(n.pos, "the throttle fault needs 'targets'");
  out.settings = std::move(c);
}

std::optional<FaultPlan> Plan(const KindConfig& kind, const PlannerView& view, PlanDraws& draws) {
  const auto& c = kind.Get<ThrottleConfig>();
  auto target = DrawServiceTarget(c.targets, view, draws.targets);
  if (!target) return std::nullopt;
  FaultPlan plan;
  plan.targets = {*target};
  double share = DrawNumber(c.share, draws.params);
  plan.duration = DrawDuration(c.duration, draws.params);
  plan.params = ThrottleParams{share};
  plan.described = {{"share", share}, {"duration_ms", plan.duration.count()}};
  return plan;
}

class Throttled : public ActiveFault {
 public:
  Throttled(CpuLimiter& cpu, uint64_t handle) : cpu_(cpu), handle_(handle) {}
  void Heal(std::function<void(Status)> healed) override {
    healed(std::exchange(released_, true) ? Status::Ok() : cpu_.Release(handle_));
  }
  void Abandon() override {
    if (!std::exchange(released_, true)) (void)cpu_.Release(handle_);
  }

 private:
  CpuLimiter& cpu_;
  uint64_t handle_;
  bool released_ = false;
};

Result<std::unique_ptr<ActiveFault>> Inject(const FaultPlan& plan, Injectors& in) {
  if (!in.cpu) return Unexpected("no cgroup CPU controller to throttle with");
  const std::string& service = plan.targets.at(0);
  auto pids = in.services->Processes(service);
  if (pids.empty()) return Unexpected(fmt::format("service '{}' has no process", service));
  auto handle = in.cpu->Limit(service, pids, std::get<ThrottleParams>(plan.params).share);
  if (!handle) return Unexpected(handle.status());
  return std::unique_ptr<ActiveFault>(std::make_unique<Throttled>(*in.cpu, *handle));
}

}  // namespace

KindRow ThrottleRow() {
  return {.name = "throttle",
          .summary = "limit a service to a drawn share of one CPU for a drawn time (cgroups)",
          .scope = Scope::kService,
          .keys = {"targets", "share", "duration"},
          .parse = Parse,
          .plan = Plan,
          .inject = Inject};
}

}  // namespace faultline::faults
