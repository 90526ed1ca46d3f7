// disk: system calls of every process of a service fail at a drawn probability: fsync and
// fdatasync with EIO, writes with ENOSPC or EIO, reads with EIO, opens with EIO (faultline's
// disk preload, loaded when the service starts; InProcessControl switches it through the
// service's control file).
#include <algorithm>
#include <array>
#include <optional>

#include "faults/catalog.h"

namespace faultline::faults {
namespace {

constexpr std::array<std::pair<std::string_view, DiskKind>, 5> kKinds = {{
    {"fsync-eio", DiskKind::kFsyncEio},
    {"write-eio", DiskKind::kWriteEio},
    {"write-enospc", DiskKind::kWriteEnospc},
    {"read-eio", DiskKind::kReadEio},
    {"open-eio", DiskKind::kOpenEio},
}};

void Parse(const scenario::ConfigNode& n, ParseContext& ctx, KindConfig& out) {
  DiskConfig c;
  bool has_targets = false;
  ctx.ForEach(n, "the disk fault", DiskRow().keys,
              [&](const std::string& key, const scenario::ConfigNode& v) {
                if (key == "targets") {
                  has_targets = true;
                  c.targets = ctx.Targets(v, "disk");
                } else if (key == "kinds") {
                  c.kinds = ctx.Choices<DiskKind>(v, "disk fault kind", kKinds);
                } else if (key == "probability") {
                  if (auto r = ctx.Numbers(v, "disk fault probability", 0, 1)) c.probability = *r;
                } else if (auto r = ctx.Range(v, "disk duration")) {
                  c.duration = *r;
                }
              });
  if (n.IsMap() && !has_targets) ctx.Error(n.pos, "the disk fault needs 'targets'");
  out.settings = std::move(c);
}

std::optional<FaultPlan> Plan(const KindConfig& kind, const PlannerView& view, PlanDraws& draws) {
  const auto& c = kind.Get<DiskConfig>();
  if (c.kinds.empty()) return std::nullopt;
  auto target = DrawServiceTarget(c.targets, view, draws.targets);
  if (!target) return std::nullopt;
  FaultPlan plan;
  plan.targets = {*target};
  DiskParams p;
  // A non-empty subset of the configured kinds.
  for (DiskKind k : c.kinds) {
    if (draws.params.Below(2) == 0) p.kinds.push_back(k);
  }
  if (p.kinds.empty()) p.kinds.push_back(c.kinds[draws.params.Below(c.kinds.size())]);
  p.probability = DrawNumber(c.probability, draws.params);
  plan.duration = DrawDuration(c.duration, draws.params);
  Json names = Json::array();
  for (DiskKind k : p.kinds) {
    for (const auto& [name, v] : kKinds) {
      if (v == k) names.push_back(name);
    }
  }
  plan.described = {
      {"kinds", names}, {"probability", p.probability}, {"duration_ms", plan.duration.count()}};
  plan.params = std::move(p);
  return plan;
}

// While it is in force, an exit of the service is the fault's doing (a server that gives up
// when its disk fails), not an unexpected one. Its heal event says how many calls it failed, so
// that a fault that met no call of its kinds (a quiet server) is told apart from one that bit.
class DiskFault : public ActiveFault {
 public:
  DiskFault(InProcessControl& control, ServiceControl* services, std::string service,
            std::optional<uint64_t> failed_before)
      : control_(control),
        services_(services),
        service_(std::move(service)),
        failed_before_(failed_before) {}
  void Heal(std::function<void(Status)> healed) override {
    if (services_) services_->ExplainExits(service_, "");
    healed(control_.SetDiskFaults(service_, {}, 0));
  }
  Json effect() const override {
    auto failed = control_.DiskFailedCalls(service_);
    if (!failed || !failed_before_) return nullptr;
    return {{"failed_calls", *failed - std::min(*failed, *failed_before_)}};
  }

 private:
  InProcessControl& control_;
  ServiceControl* services_;
  std::string service_;
  std::optional<uint64_t> failed_before_;
};

Result<std::unique_ptr<ActiveFault>> Inject(const FaultPlan& plan, Injectors& in) {
  if (!in.in_process) return Unexpected("no in-process fault control");
  const auto& p = std::get<DiskParams>(plan.params);
  const std::string& target = plan.targets.at(0);
  auto failed_before = in.in_process->DiskFailedCalls(target);
  // Before the write: the service's first failed call may end it at once.
  if (in.services) in.services->ExplainExits(target, "disk");
  if (Status s = in.in_process->SetDiskFaults(target, p.kinds, p.probability); !s.ok()) {
    if (in.services) in.services->ExplainExits(target, "");
    return Unexpected(s);
  }
  return std::unique_ptr<ActiveFault>(
      std::make_unique<DiskFault>(*in.in_process, in.services, target, failed_before));
}

}  // namespace

KindRow DiskRow() {
  return {.name = "disk",
          .summary =
              "fsync, write, read or open calls of a service fail at a drawn probability "
              "(faultline's disk preload)",
          .scope = Scope::kService,
          .keys = {"targets", "kinds", "probability", "duration"},
          .parse = Parse,
          .plan = Plan,
          .inject = Inject};
}

}  // namespace faultline::faults
