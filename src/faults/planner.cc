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
    if (!config.swarm || on || i == history_seed % n) enabled_.push_back(&config.kinds[i]);
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
  std::vector<const KindConfig*> left = enabled_;
  while (!left.empty()) {
    size_t i = kind_.Below(left.size());
    const KindConfig* k = left[i];
    PlanDraws draws{targets_, params_};
    if (auto plan = k->row->plan(*k, view, draws)) {
      plan->kind = k;
      return plan;
    }
    left.erase(left.begin() + static_cast<long>(i));
  }
  return std::nullopt;
}

}  // namespace faultline::faults
