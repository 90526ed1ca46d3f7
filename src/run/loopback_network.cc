#include "run/loopback_network.h"

#include "base/rng.h"

namespace faultline::run {

Result<std::unique_ptr<LoopbackNetwork>> LoopbackNetwork::Start(const scenario::Scenario& scenario,
                                                                Topology& topology, uint64_t seed) {
  std::unique_ptr<LoopbackNetwork> network(new LoopbackNetwork());
  if (scenario.links.empty()) return network;
  // One proxy per history: its draws (toxicity, jitter) then depend on this history's seed only.
  auto proxy = net::FaultProxy::Start({DeriveSeed(seed, "proxy"), true});
  if (!proxy) return Unexpected(proxy.status().Context("fault proxy"));
  network->proxy_ = std::move(*proxy);
  const auto& real = topology.addresses().real_ports;
  for (const auto& link : scenario.links) {
    net::LinkConfig config;
    config.name = link.Name();
    config.upstream = fmt::format("127.0.0.1:{}", real.at(link.to));
    auto made = network->proxy_->CreateLink(config);
    if (!made) return Unexpected(made.status().Context(fmt::format("link {}", link.Name())));
    topology.RouteLink(link.from, link.to, made->port);
  }
  return network;
}

// Joins the proxy's thread and closes its listeners and connections.
LoopbackNetwork::~LoopbackNetwork() = default;

}  // namespace faultline::run
