// The scenario as one history resolved it (scenario.resolved.json in the history's folder): each
// service's real port, folder, user, command and environment, each link's proxy and upstream
// ports, the workload's environment. For people reading a run, and for tools that replay one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/history_layout.h"
#include "base/status.h"
#include "scenario/scenario.h"
#include "topology/topology.h"

namespace faultline::run {

struct ResolvedScenarioInputs {
  const scenario::Scenario* scenario = nullptr;
  const Topology* topology = nullptr;
  uint64_t seed = 0;
  std::string template_name;
  std::vector<std::string> workload_env;  // "K=V"
  std::string stop_faults;
};

// Writes layout.ResolvedScenario(); an error when the file cannot be written.
Status WriteResolvedScenario(const HistoryLayout& layout, const ResolvedScenarioInputs& in);

}  // namespace faultline::run
