// The fault catalog: one row per kind of fault, like td's builtins table. A row names the kind,
// the keys of its `faults:` entry, and the three functions that make it: how its configuration
// is parsed and checked, how the planner draws one fault of it (pure), and how that fault is
// injected and healed. Adding a kind is one row here and one file of those three functions.
// The table is constant; any thread may read it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/rng.h"
#include "faults/config.h"
#include "faults/injector.h"
#include "faults/parse.h"
#include "faults/plan.h"

namespace faultline::faults {

// The generators a kind's planner draws from (one per kind of decision).
struct PlanDraws {
  Rng& targets;
  Rng& params;
};

enum class Scope {
  kService,  // acts on one service; one such fault per service at a time, never a down one
  kNetwork,  // acts on flows between nodes
  kCustom,   // the scenario's own command
};

struct KindRow {
  std::string_view name;
  std::string_view summary;
  Scope scope = Scope::kService;
  std::vector<std::string> keys;
  // Fills `out.settings` from the entry; reports errors through `ctx`.
  void (*parse)(const scenario::ConfigNode& node, ParseContext& ctx, KindConfig& out) = nullptr;
  // One fault of this kind given the view, or nullopt when nothing may be targeted now.
  std::optional<FaultPlan> (*plan)(const KindConfig& kind, const PlannerView& view,
                                   PlanDraws& draws) = nullptr;
  // Puts the fault in force; the ActiveFault heals it.
  Result<std::unique_ptr<ActiveFault>> (*inject)(const FaultPlan& plan,
                                                 Injectors& injectors) = nullptr;
};

// Every built-in kind, in the order the docs list them; "custom" is the row of every fault the
// scenario declares under `custom:`.
const std::vector<KindRow>& Catalog();
const KindRow* FindKind(std::string_view name);

// The rows, each defined in its kind's file.
KindRow KillRow();
KindRow StopRow();
KindRow PauseRow();
KindRow ThrottleRow();
KindRow NetworkRow();
KindRow ClockRow();
KindRow DiskRow();
KindRow CustomRow();

// Helpers shared by the service kinds' planners: a target of `targets` that is up and has no
// fault in force, drawn from `rng`; nullopt when there is none.
std::optional<std::string> DrawServiceTarget(const std::vector<std::string>& targets,
                                             const PlannerView& view, Rng& rng);
// A duration drawn from `range`.
Millis DrawDuration(const DurationRange& range, Rng& rng);
double DrawNumber(const DoubleRange& range, Rng& rng);

}  // namespace faultline::faults
