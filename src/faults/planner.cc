#include "faults/planner.h"

namespace faultline::faults {

Planner::Planner(const FaultsConfig& config, uint64_t history_seed)
    : config_(config),
      gap_(DeriveSeed(history_seed, "faults:gap")),
      kind_(DeriveSeed(history_seed, "faults:kind")),
      targets_(DeriveSeed(history_seed, "faults:targets")),
      params_(DeriveSeed(history_seed, "faults:params")) {
  // Each kind is on with probability 1/2, and the kind at (seed mod kinds) always is: a run of
  // as many consecutive seeds as there are kinds enables every kind at least once.
  Rng swarm(DeriveSeed(history_seed, "faults:swarm"));
  const size_t n = config.kinds.size();
  for (size_t i = 0; i < n; ++i) {
    bool on = swarm.Chance(0.5);
    bool lead = i == history_seed % n;
    if (!config.swarm || on || lead) enabled_.push_back(&config.kinds[i]);
    if (lead) lead_ = &config.kinds[i];
  }
}

bool Planner::Enabled(std::string_view kind) const {
  for (const auto* k : enabled_) {
    if (k->name == kind) return true;
  }
  return false;
}

Millis Planner::NextGap() { return gap_.Between(config_.interval.lo, config_.interval.hi); }

std::optional<FaultPlan> Planner::Draw(const PlannerView& view) {
  // Coverage first, so that a short history still exercises its kinds: the lead kind (the one
  // this seed always enables), then the enabled kinds not drawn yet, then any enabled kind.
  std::vector<const KindConfig*> fresh;
  std::vector<const KindConfig*> rest;
  for (const KindConfig* k : enabled_) {
    if (k == lead_) continue;
    (drawn_.count(k) ? rest : fresh).push_back(k);
  }
  if (lead_ && !drawn_.count(lead_)) {
    if (auto plan = TryKind(lead_, view)) return plan;
  } else if (lead_) {
    rest.push_back(lead_);
  }
  if (auto plan = TryAmong(fresh, view)) return plan;
  return TryAmong(rest, view);
}

std::optional<FaultPlan> Planner::TryAmong(std::vector<const KindConfig*> left,
                                           const PlannerView& view) {
  while (!left.empty()) {
    size_t i = kind_.Below(left.size());
    if (auto plan = TryKind(left[i], view)) return plan;
    left.erase(left.begin() + static_cast<long>(i));
  }
  return std::nullopt;
}

std::optional<FaultPlan> Planner::TryKind(const KindConfig* k, const PlannerView& view) {
  PlanDraws draws{targets_, params_};
  auto plan = k->row->plan(*k, view, draws);
  if (plan) {
    plan->kind = k;
    drawn_.insert(k);
  }
  return plan;
}

}  // namespace faultline::faults
