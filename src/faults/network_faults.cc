// network: partitions of the shapes that find bugs, and byte-stream faults (latency, bandwidth,
// slicer, reset, down, timeout) or packet loss on the flows between two nodes, through
// NetworkControl (the per-link proxy in loopback mode, the hub in isolated mode).
#include <algorithm>
#include <array>
#include <set>

#include "faults/catalog.h"

namespace faultline::faults {
namespace {

constexpr std::array<std::pair<std::string_view, NetKind>, 8> kKinds = {{
    {"partition", NetKind::kPartition},
    {"latency", NetKind::kLatency},
    {"bandwidth", NetKind::kBandwidth},
    {"slicer", NetKind::kSlicer},
    {"reset", NetKind::kReset},
    {"down", NetKind::kDown},
    {"timeout", NetKind::kTimeout},
    {"packet-loss", NetKind::kLoss},
}};
constexpr std::array<std::pair<std::string_view, Shape>, 4> kShapes = {{
    {"isolate", Shape::kIsolate},
    {"majority", Shape::kMajority},
    {"bridge", Shape::kBridge},
    {"one-way", Shape::kOneWay},
}};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<std::string_view, E>, N>& table, E e) {
  for (const auto& [name, v] : table) {
    if (v == e) return name;
  }
  return "?";
}

void ParseLinks(const scenario::ConfigNode& v, ParseContext& ctx, NetworkConfig& c) {
  if (v.IsScalar() && v.scalar == "all") return;
  std::vector<std::string> declared;
  for (const auto& l : ctx.scenario().links) declared.push_back(l.Name());
  std::vector<const scenario::ConfigNode*> items;
  if (v.IsSequence()) {
    for (const auto& i : v.items) items.push_back(&i);
  } else {
    items.push_back(&v);
  }
  for (const auto* item : items) {
    auto name = ctx.Scalar(*item, "each link of the network fault");
    if (!name) continue;
    if (std::find(declared.begin(), declared.end(), *name) == declared.end()) {
      ctx.Error(item->pos,
                fmt::format("the network fault names the link '{}', which is not declared{}", *name,
                            declared.empty() ? std::string(" (the scenario declares no links)")
                                             : ParseContext::DidYouMean(*name, declared)));
      continue;
    }
    c.links.push_back(*name);
  }
}

void ParseNodes(const scenario::ConfigNode& v, ParseContext& ctx, NetworkConfig& c) {
  std::vector<std::string> names = {"workload"};
  for (const auto& s : ctx.scenario().services) names.push_back(s.name);
  if (!v.IsSequence()) {
    ctx.Error(v.pos, "network nodes must be a list of services (or workload)");
    return;
  }
  for (const auto& item : v.items) {
    auto name = ctx.Scalar(item, "each node of the network fault");
    if (!name) continue;
    if (std::find(names.begin(), names.end(), *name) == names.end()) {
      ctx.Error(item.pos, fmt::format("the network fault names the node '{}', which is not a "
                                      "service or the workload{}",
                                      *name, ParseContext::DidYouMean(*name, names)));
      continue;
    }
    c.nodes.push_back(*name);
  }
}

void Parse(const scenario::ConfigNode& n, ParseContext& ctx, KindConfig& out) {
  NetworkConfig c;
  ctx.ForEach(n, "the network fault", NetworkRow().keys,
              [&](const std::string& key, const scenario::ConfigNode& v) {
                if (key == "links") {
                  ParseLinks(v, ctx, c);
                } else if (key == "nodes") {
                  ParseNodes(v, ctx, c);
                } else if (key == "kinds") {
                  c.kinds = ctx.Choices<NetKind>(v, "network fault kind", kKinds);
                } else if (key == "partitions") {
                  c.shapes = ctx.Choices<Shape>(v, "partition shape", kShapes);
                } else if (key == "duration") {
                  if (auto r = ctx.Range(v, "network duration")) c.duration = *r;
                } else if (key == "latency") {
                  if (auto r = ctx.Range(v, "network latency")) c.latency = *r;
                } else if (key == "jitter") {
                  if (auto r = ctx.Range(v, "network jitter")) c.jitter = *r;
                } else if (key == "bandwidth") {
                  if (auto r = ctx.Integers(v, "network bandwidth (KB/s)", 1, 10000000)) {
                    c.bandwidth = *r;
                  }
                } else if (key == "loss") {
                  if (auto r = ctx.Numbers(v, "packet-loss rate", 0, 1)) c.loss = *r;
                }
              });
  if (ctx.scenario().links.empty() && ctx.scenario().services.size() < 2) {
    ctx.Error(n.pos, "the network fault has nothing to act on: declare 'links'");
  }
  out.settings = std::move(c);
}

// The flows the configuration allows, that the network can fault and that are free now.
std::vector<Flow> Candidates(const NetworkConfig& c, const PlannerView& view) {
  std::vector<Flow> out;
  auto in_links = [&](const Flow& f) {
    if (c.links.empty()) return true;
    for (const auto& l : c.links) {
      if (l == f.from + "->" + f.to || l == f.to + "->" + f.from) return true;
    }
    return false;
  };
  auto in_nodes = [&](const std::string& n) {
    return c.nodes.empty() || std::find(c.nodes.begin(), c.nodes.end(), n) != c.nodes.end();
  };
  for (const auto& f : view.flows) {
    if (view.busy_flows.count(f) || !in_links(f) || !in_nodes(f.from) || !in_nodes(f.to)) continue;
    out.push_back(f);
  }
  return out;
}

// Cuts every candidate flow from a node of `a` to a node of `b` (and back, unless `one_way`).
std::vector<Flow> Between(const std::vector<Flow>& candidates, const std::set<std::string>& a,
                          const std::set<std::string>& b, bool one_way) {
  std::vector<Flow> out;
  for (const auto& f : candidates) {
    bool forward = a.count(f.from) && b.count(f.to);
    bool backward = b.count(f.from) && a.count(f.to);
    if (forward || (!one_way && backward)) out.push_back(f);
  }
  return out;
}

std::vector<Flow> DrawPartition(const NetworkConfig& c, const std::vector<Flow>& candidates,
                                Rng& rng, Shape* shape) {
  std::set<std::string> node_set;
  for (const auto& f : candidates) node_set.insert({f.from, f.to});
  std::vector<std::string> nodes(node_set.begin(), node_set.end());
  std::vector<Shape> shapes;
  for (Shape s : c.shapes) {
    if (nodes.size() >= 3 || s == Shape::kIsolate || s == Shape::kOneWay) shapes.push_back(s);
  }
  if (shapes.empty()) shapes.push_back(Shape::kIsolate);
  // A drawn shape may cut nothing that exists (a bridge in a star of links): draw again.
  for (int attempt = 0; attempt < 8; ++attempt) {
    *shape = shapes[rng.Below(shapes.size())];
    std::vector<std::string> order = nodes;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
    std::set<std::string> a, b;
    std::vector<Flow> cut;
    switch (*shape) {
      case Shape::kIsolate:
      case Shape::kOneWay:
        a = {order[0]};
        b = std::set<std::string>(order.begin() + 1, order.end());
        if (*shape == Shape::kOneWay && rng.Below(2) == 0) std::swap(a, b);
        cut = Between(candidates, a, b, *shape == Shape::kOneWay);
        break;
      case Shape::kMajority: {
        size_t minority = 1 + rng.Below((order.size() - 1) / 2);
        a = std::set<std::string>(order.begin(), order.begin() + static_cast<long>(minority));
        b = std::set<std::string>(order.begin() + static_cast<long>(minority), order.end());
        cut = Between(candidates, a, b, false);
        break;
      }
      case Shape::kBridge: {
        // order[0] is the bridge; the rest split into two non-empty sides it both sees.
        size_t split = 1 + 1 + rng.Below(order.size() - 2);
        a = std::set<std::string>(order.begin() + 1, order.begin() + static_cast<long>(split));
        b = std::set<std::string>(order.begin() + static_cast<long>(split), order.end());
        cut = Between(candidates, a, b, false);
        break;
      }
    }
    if (!cut.empty()) return cut;
  }
  *shape = Shape::kIsolate;
  return Between(candidates, {nodes[0]}, std::set<std::string>(nodes.begin() + 1, nodes.end()),
                 false);
}

// One pair of nodes, and one direction of it or both.
std::vector<Flow> DrawPair(const std::vector<Flow>& candidates, Rng& rng) {
  const Flow& f = candidates[rng.Below(candidates.size())];
  Flow back{f.to, f.from};
  bool has_back = std::find(candidates.begin(), candidates.end(), back) != candidates.end();
  switch (rng.Below(3)) {
    case 0:
      return {f};
    case 1:
      return {has_back ? back : f};
    default:
      return has_back ? std::vector<Flow>{f, back} : std::vector<Flow>{f};
  }
}

net::FaultSpec DrawSpec(NetKind kind, const NetworkConfig& c, Rng& rng) {
  net::FaultSpec spec;
  switch (kind) {
    case NetKind::kLatency:
      spec.kind = net::FaultKind::kLatency;
      spec.latency = rng.Between(c.latency.lo, c.latency.hi).count();
      spec.jitter = rng.Between(c.jitter.lo, c.jitter.hi).count();
      break;
    case NetKind::kBandwidth:
      spec.kind = net::FaultKind::kBandwidth;
      spec.rate = rng.Between(c.bandwidth.lo, c.bandwidth.hi);
      break;
    case NetKind::kSlicer:
      spec.kind = net::FaultKind::kSlicer;
      spec.average_size = rng.Between(1, 512);
      spec.size_variation = spec.average_size / 2;
      spec.delay = rng.Between(0, 2000);
      break;
    case NetKind::kReset:
      spec.kind = net::FaultKind::kResetPeer;
      spec.timeout = rng.Between(0, 500);
      break;
    case NetKind::kDown:
      spec.kind = net::FaultKind::kDown;
      break;
    case NetKind::kTimeout:
      spec.kind = net::FaultKind::kTimeout;
      spec.timeout = 0;  // hold every byte until the fault heals
      break;
    case NetKind::kPartition:
    case NetKind::kLoss:
      break;
  }
  return spec;
}

std::optional<FaultPlan> Plan(const KindConfig& kind, const PlannerView& view, PlanDraws& draws) {
  const auto& c = kind.Get<NetworkConfig>();
  auto candidates = Candidates(c, view);
  if (candidates.empty()) return std::nullopt;
  std::vector<NetKind> kinds;
  for (NetKind k : c.kinds) {
    if (k != NetKind::kLoss || view.can_drop_packets) kinds.push_back(k);
  }
  if (kinds.empty()) return std::nullopt;
  NetworkParams p;
  p.kind = kinds[draws.params.Below(kinds.size())];
  FaultPlan plan;
  plan.described["fault"] = NameOf(kKinds, p.kind);
  if (p.kind == NetKind::kPartition) {
    p.flows = DrawPartition(c, candidates, draws.targets, &p.shape);
    plan.described["shape"] = NameOf(kShapes, p.shape);
  } else {
    p.flows = DrawPair(candidates, draws.targets);
    p.spec = DrawSpec(p.kind, c, draws.params);
    if (p.kind == NetKind::kLoss) {
      p.loss = DrawNumber(c.loss, draws.params);
      plan.described["rate"] = p.loss;
    } else {
      plan.described["attributes"] = net::AttributesJson(p.spec);
    }
  }
  std::set<std::string> touched;
  Json flows = Json::array();
  for (const auto& f : p.flows) {
    touched.insert({f.from, f.to});
    flows.push_back({f.from, f.to});
  }
  plan.described["flows"] = std::move(flows);
  plan.targets.assign(touched.begin(), touched.end());
  plan.duration = DrawDuration(c.duration, draws.params);
  plan.described["duration_ms"] = plan.duration.count();
  plan.params = std::move(p);
  return plan;
}

class NetworkFault : public ActiveFault {
 public:
  NetworkFault(NetworkControl& network, NetApplied applied)
      : network_(network), applied_(std::move(applied)) {}
  void Heal(std::function<void(Status)> healed) override {
    auto h = network_.Heal(applied_.handle);
    healed(h.status());
  }
  Json detail() const override { return applied_.detail; }

 private:
  NetworkControl& network_;
  NetApplied applied_;
};

Result<std::unique_ptr<ActiveFault>> Inject(const FaultPlan& plan, Injectors& in) {
  if (!in.network) return Unexpected("this history has no network to fault");
  const auto& p = std::get<NetworkParams>(plan.params);
  Result<NetApplied> applied = Unexpected("");
  if (p.kind == NetKind::kPartition) {
    applied = in.network->Cut(p.flows);
  } else if (p.kind == NetKind::kLoss) {
    applied = in.network->DropPackets(p.flows, p.loss);
  } else {
    applied = in.network->Impair(p.flows, p.spec);
  }
  if (!applied) return Unexpected(applied.status());
  return std::unique_ptr<ActiveFault>(
      std::make_unique<NetworkFault>(*in.network, std::move(*applied)));
}

}  // namespace

KindRow NetworkRow() {
  return {.name = "network",
          .summary =
              "partitions, latency, bandwidth, slicing, resets, down links, timeouts and "
              "packet loss between nodes",
          .scope = Scope::kNetwork,
          .keys = {"links", "nodes", "kinds", "partitions", "duration", "latency", "jitter",
                   "bandwidth", "loss"},
          .parse = Parse,
          .plan = Plan,
          .inject = Inject};
}

}  // namespace faultline::faults
