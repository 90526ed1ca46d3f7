#include "run/resolved_scenario.h"

#include "base/files.h"
#include "scenario/placeholders.h"

namespace faultline::run {
namespace {

Json ResolvedService(const scenario::Service& s, const Topology& topology) {
  const auto& a = topology.addresses();
  // Load-time validation resolved every placeholder already; keep the raw text if one does not.
  auto resolve = [&](const scenario::Text& t) {
    auto r = scenario::ResolvePlaceholders(t.raw, s.name, a);
    return r ? *r : t.raw;
  };
  Json command = Json::array();
  for (const auto& t : s.command) command.push_back(resolve(t));
  Json env = Json::object();
  for (const auto& [k, t] : s.env) env[k] = resolve(t);
  return {{"name", s.name},
          {"port", a.real_ports.count(s.name) ? a.real_ports.at(s.name) : 0},
          {"dir", a.dirs.at(s.name)},
          {"user", s.user},
          {"command", command},
          {"env", env},
          {"log", topology.LogPath(s.name)}};
}

}  // namespace

Status WriteResolvedScenario(const HistoryLayout& layout, const ResolvedScenarioInputs& in) {
  const auto& a = in.topology->addresses();
  Json services = Json::array();
  for (const auto& s : in.scenario->services) services.push_back(ResolvedService(s, *in.topology));
  Json links = Json::array();
  for (const auto& l : in.scenario->links) {
    links.push_back({{"from", l.from},
                     {"to", l.to},
                     {"proxy_port", a.PortFor(l.to, l.from)},
                     {"upstream_port", a.real_ports.at(l.to)}});
  }
  Json workload = Json::object();
  for (const auto& e : in.workload_env) {
    size_t eq = e.find('=');
    workload[e.substr(0, eq)] = e.substr(eq + 1);
  }
  Json doc = {{"scenario", in.scenario->name},
              {"scenario_dir", in.scenario->dir},
              {"seed", in.seed},
              {"template", in.template_name},
              {"services", services},
              {"links", links},
              {"workload_env", workload},
              {"stop_faults", in.stop_faults}};
  return WriteFileAtomic(layout.ResolvedScenario(), doc.dump(2) + "\n");
}

}  // namespace faultline::run
