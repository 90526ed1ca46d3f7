// Planner: the pure, seeded half of the fault schedule. Given the scenario's fault
// configuration and a history's seed it draws, once, which kinds this history enables (swarm
// testing: a random subset, so that different histories try different mixes; the kind at
// seed mod kinds, its lead kind, is always in it, so consecutive seeds cover every kind), and
// then, each time it is asked, how long until the next decision and which fault to begin now
// (kind, targets, parameters, duration) given what the history looks like (PlannerView). No
// timers, no I/O: the same seed and the same views give the same plans, so it is tested over
// thousands of seeds without processes. One generator per kind of decision, so that one kind
// drawing more often never shifts another's choices. One thread.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "base/rng.h"
#include "faults/catalog.h"
#include "faults/config.h"
#include "faults/plan.h"

namespace faultline::faults {

class Planner {
 public:
  // `config` must outlive the planner.
  Planner(const FaultsConfig& config, uint64_t history_seed);

  // The kinds this history may inject, in configuration order.
  const std::vector<const KindConfig*>& enabled() const { return enabled_; }
  bool Enabled(std::string_view kind) const;
  // The time from now to the next decision, drawn from the configured interval.
  Millis NextGap();
  // The fault to begin now, or nullopt when no enabled kind may target anything in `view`.
  // The first draws cover the enabled kinds (the lead kind first, then those not drawn yet)
  // before any kind repeats, so a short history still exercises every kind it enables.
  std::optional<FaultPlan> Draw(const PlannerView& view);

 private:
  std::optional<FaultPlan> TryAmong(std::vector<const KindConfig*> left, const PlannerView& view);
  std::optional<FaultPlan> TryKind(const KindConfig* k, const PlannerView& view);

  const FaultsConfig& config_;
  std::vector<const KindConfig*> enabled_;
  const KindConfig* lead_ = nullptr;
  std::set<const KindConfig*> drawn_;
  Rng gap_;
  Rng kind_;
  Rng targets_;
  Rng params_;
};

}  // namespace faultline::faults
