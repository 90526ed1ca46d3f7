// clock: a service's wall clock jumps or drifts by a drawn offset while it runs (libfaketime,
// preloaded when the service starts; InProcessControl writes the offset its processes read).
#include <algorithm>
#include <array>

#include "faults/catalog.h"

namespace faultline::faults {
namespace {

constexpr Millis kDriftStep{100};

void Parse(const scenario::ConfigNode& n, ParseContext& ctx, KindConfig& out) {
  ClockConfig c;
  bool has_targets = false;
  ctx.ForEach(n, "the clock fault", ClockRow().keys,
              [&](const std::string& key, const scenario::ConfigNode& v) {
                if (key == "targets") {
                  has_targets = true;
                  c.targets = ctx.Targets(v, "clock");
                } else if (key == "offset") {
                  if (auto r = ctx.Offset(v, "clock offset")) c.offset = *r;
                } else if (key == "modes") {
                  constexpr std::array<std::pair<std::string_view, bool>, 2> kModes = {
                      {{"jump", false}, {"drift", true}}};
                  auto modes = ctx.Choices<bool>(v, "clock mode", kModes);
                  if (modes.empty()) return;
                  c.jump = std::find(modes.begin(), modes.end(), false) != modes.end();
                  c.drift = std::find(modes.begin(), modes.end(), true) != modes.end();
                } else if (auto r = ctx.Range(v, "clock duration")) {
                  c.duration = *r;
                }
              });
  if (n.IsMap() && !has_targets) ctx.Error(n.pos, "the clock fault needs 'targets'");
  out.settings = std::move(c);
}

std::optional<FaultPlan> Plan(const KindConfig& kind, const PlannerView& view, PlanDraws& draws) {
  const auto& c = kind.Get<ClockConfig>();
  auto target = DrawServiceTarget(c.targets, view, draws.targets);
  if (!target) return std::nullopt;
  FaultPlan plan;
  plan.targets = {*target};
  ClockParams p;
  p.offset = Millis(draws.params.Between(c.offset.lo.count(), c.offset.hi.count()));
  p.drift = c.jump && c.drift ? draws.params.Below(2) == 0 : c.drift;
  plan.duration = DrawDuration(c.duration, draws.params);
  plan.described = {{"offset_ms", p.offset.count()},
                    {"mode", p.drift ? "drift" : "jump"},
                    {"duration_ms", plan.duration.count()}};
  plan.params = p;
  return plan;
}

// A jump sets the offset at once; a drift moves it there in steps over the fault's duration.
class ClockFault : public ActiveFault {
 public:
  ClockFault(Injectors& in, std::string service, ClockParams p, Millis duration)
      : in_(in), service_(std::move(service)), p_(p), duration_(duration) {}
  Status Start() {
    if (!p_.drift || duration_ <= kDriftStep)
      return in_.in_process->SetClockOffset(service_, p_.offset);
    Step(Millis(0));
    return Status::Ok();
  }
  void Heal(std::function<void(Status)> healed) override {
    step_.Cancel();
    healed(in_.in_process->SetClockOffset(service_, Millis(0)));
  }
  void Abandon() override { step_.Cancel(); }

 private:
  void Step(Millis elapsed) {
    Millis at = std::min(elapsed, duration_);
    (void)in_.in_process->SetClockOffset(service_, p_.offset * at.count() / duration_.count());
    if (at >= duration_) return;
    step_ = in_.clock->After(kDriftStep, [this, elapsed] { Step(elapsed + kDriftStep); });
  }
  Injectors& in_;
  std::string service_;
  ClockParams p_;
  Millis duration_;
  Timer step_;
};

Result<std::unique_ptr<ActiveFault>> Inject(const FaultPlan& plan, Injectors& in) {
  if (!in.in_process) return Unexpected("no in-process fault control");
  auto fault = std::make_unique<ClockFault>(in, plan.targets.at(0),
                                            std::get<ClockParams>(plan.params), plan.duration);
  if (Status s = fault->Start(); !s.ok()) return Unexpected(s);
  return std::unique_ptr<ActiveFault>(std::move(fault));
}

}  // namespace

KindRow ClockRow() {
  return {.name = "clock",
          .summary = "a service's wall clock jumps or drifts by a drawn offset (libfaketime)",
          .scope = Scope::kService,
          .keys = {"targets", "offset", "modes", "duration"},
          .parse = Parse,
          .plan = Plan,
          .inject = Inject};
}

}  // namespace faultline::faults
