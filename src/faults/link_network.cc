#include "faults/link_network.h"

namespace faultline::faults {
namespace {

Json EventsJson(const std::vector<net::NetEvent>& events) {
  Json out = Json::array();
  for (const auto& e : events) {
    out.push_back({{"link", e.link},
                   {"direction", net::DirectionName(e.direction)},
                   {"kind", e.kind},
                   {"proxy_fault", e.fault}});
  }
  return out;
}

}  // namespace

LinkNetwork::LinkNetwork(net::FaultProxy& proxy, const std::vector<scenario::Link>& links)
    : proxy_(proxy), links_(links) {}

std::vector<Flow> LinkNetwork::Flows() const {
  std::vector<Flow> out;
  for (const auto& l : links_) {
    for (Flow f : {Flow{l.from, l.to}, Flow{l.to, l.from}}) {
      if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    }
  }
  return out;
}

Result<std::map<std::string, net::Direction>> LinkNetwork::Legs(std::span<const Flow> flows) const {
  std::map<std::string, net::Direction> legs;
  auto add = [&](const std::string& link, net::Direction d) {
    auto [it, fresh] = legs.emplace(link, d);
    if (!fresh && it->second != d) it->second = net::Direction::kBoth;
  };
  for (const auto& f : flows) {
    bool found = false;
    for (const auto& l : links_) {
      if (l.from == f.from && l.to == f.to) add(l.Name(), net::Direction::kUpstream);
      if (l.from == f.to && l.to == f.from) add(l.Name(), net::Direction::kDownstream);
      found |= (l.from == f.from && l.to == f.to) || (l.from == f.to && l.to == f.from);
    }
    if (!found) {
      return Unexpected(fmt::format(
          "no link carries traffic from {} to {} (declare it under links)", f.from, f.to));
    }
  }
  if (legs.empty()) return Unexpected("no flow to fault");
  return legs;
}

Result<NetApplied> LinkNetwork::Cut(std::span<const Flow> flows) {
  auto legs = Legs(flows);
  if (!legs) return Unexpected(legs.status());
  std::vector<net::PartitionLeg> parts;
  for (const auto& [link, d] : *legs) parts.push_back({link, d});
  auto p = proxy_.Partition(parts);
  if (!p) return Unexpected(p.status());
  NetHandle h = next_++;
  applied_[h] = {p->id};
  return NetApplied{h, {{"proxy", EventsJson(p->events)}}};
}

Result<NetApplied> LinkNetwork::Impair(std::span<const Flow> flows, const net::FaultSpec& spec) {
  auto legs = Legs(flows);
  if (!legs) return Unexpected(legs.status());
  NetHandle h = next_++;
  std::vector<net::NetEvent> events;
  for (const auto& [link, d] : *legs) {
    net::FaultSpec s = spec;
    // A down link refuses every connection, whichever way its bytes go.
    s.direction = spec.kind == net::FaultKind::kDown ? net::Direction::kBoth : d;
    auto f = proxy_.ApplyFault(link, s);
    if (!f) {
      (void)Heal(h);
      return Unexpected(f.status().Context(link));
    }
    applied_[h].push_back(f->id);
    events.push_back(f->event);
  }
  return NetApplied{h, {{"proxy", EventsJson(events)}}};
}

Result<NetApplied> LinkNetwork::DropPackets(std::span<const Flow>, double) {
  return Unexpected("packet loss needs the isolated network mode: loopback links are TCP streams");
}

Result<NetApplied> LinkNetwork::Heal(NetHandle handle) {
  auto it = applied_.find(handle);
  if (it == applied_.end()) return Unexpected("unknown network fault");
  std::vector<net::FaultId> ids = std::move(it->second);
  applied_.erase(it);
  std::vector<net::NetEvent> events;
  std::string error;
  for (net::FaultId id : ids) {
    auto healed = proxy_.Heal(id);
    if (healed) {
      events.insert(events.end(), healed->begin(), healed->end());
    } else {
      error = healed.error();
    }
  }
  if (!error.empty()) return Unexpected(error);
  return NetApplied{handle, {{"proxy", EventsJson(events)}}};
}

}  // namespace faultline::faults
