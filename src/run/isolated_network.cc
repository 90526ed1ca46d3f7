#include "run/isolated_network.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/files.h"

namespace faultline::run {

Result<std::unique_ptr<IsolatedNetwork>> IsolatedNetwork::Start(const scenario::Scenario& scenario,
                                                                Topology& topology,
                                                                const HistoryLayout& layout,
                                                                uint64_t seed) {
  std::vector<unit::UnitConfig> configs;
  for (const auto& s : scenario.services) {
    configs.push_back({s.name, s.hostname_aliases, s.mounts});
    // Each volume: an empty folder of this history's, mounted read-write at its path.
    for (const auto& [name, path] : s.volumes) {
      std::string dir = fmt::format("{}/volumes/{}/{}", layout.Units(), s.name, name);
      if (Status made = MakeDirs(dir); !made.ok()) return Unexpected(made);
      configs.back().mounts.push_back(
          {.target = path, .source = dir, .read_only = false, .pos = {}});
    }
  }
  configs.push_back({"workload", scenario.workload.hostname_aliases, scenario.workload.mounts});
  std::unique_ptr<IsolatedNetwork> n(new IsolatedNetwork());
  auto units = unit::UnitSet::Create(layout.Units(), std::move(configs));
  if (!units) return Unexpected(units.status());
  n->units_ = std::move(*units);
  auto hub = unit::HubNetwork::Start(*n->units_, seed, layout.Units());
  if (!hub) return Unexpected(hub.status());
  n->hub_ = std::move(*hub);
  // Who holds which unit, for `faultline exec RUN_DIR/hNNN UNIT -- ...`.
  Json holders = Json::object();
  for (const auto& u : n->units_->units()) {
    holders[u.name] = {{"pid", n->units_->HolderPid(u.name)},
                       {"address", n->units_->Address(u.name)}};
  }
  Json doc = {{"hub", n->units_->hub_pid()}, {"units", holders}};
  if (Status s = WriteFileAtomic(layout.Units() + "/units.json", doc.dump(2) + "\n"); !s.ok()) {
    return Unexpected(s);
  }
  topology.PlaceInUnits(n->units_.get());
  return n;
}

IsolatedNetwork::~IsolatedNetwork() {
  hub_.reset();
  units_.reset();
}

}  // namespace faultline::run
