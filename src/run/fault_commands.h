// SupervisedFaultCommands: the custom faults' commands as real processes (faults::FaultCommands).
// Each runs with the workload's environment plus FAULTLINE_FAULT and FAULTLINE_SEED, its argv
// resolved from the workload's point of view, in the scenario folder, its output appended to
// logs/faults.log; one that fails or outlives its timeout is recorded on the timeline.
// Owned by the history; runs on its event-loop thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/history_layout.h"
#include "faults/injector.h"
#include "process/supervisor.h"
#include "timeline/timeline.h"
#include "topology/topology.h"

namespace faultline::run {

class SupervisedFaultCommands : public faults::FaultCommands {
 public:
  SupervisedFaultCommands(Supervisor& supervisor, const Topology& topology, Clock& clock,
                          Timeline& timeline, const HistoryLayout& layout,
                          std::vector<std::string> env, uint64_t seed);
  ~SupervisedFaultCommands() override;

  Status Run(const std::string& name, const scenario::Argv& argv, Millis timeout,
             std::function<void(Status)> done) override;

 private:
  struct Running {
    ChildId child = 0;
    Timer timeout;
    bool timed_out = false;
  };
  Supervisor& supervisor_;
  const Topology& topology_;
  Clock& clock_;
  Timeline& timeline_;
  const HistoryLayout& layout_;
  std::vector<std::string> env_;
  uint64_t seed_;
  uint64_t runs_ = 0;
  std::map<uint64_t, Running> running_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultline::run
