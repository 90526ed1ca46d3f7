#include "unit/hub_network.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "base/files.h"
#include "base/rng.h"
#include "base/strings.h"

namespace faultline::unit {
namespace {

constexpr const char* kTable = "ip faultline";
constexpr int kProxyPort = 15001;

std::string Chain(size_t from, size_t to) { return fmt::format("p_{}_{}", from + 1, to + 1); }

uint32_t AddressValue(size_t index) {
  in_addr a{};
  inet_pton(AF_INET, UnitAddress(index).c_str(), &a);
  return a.s_addr;
}

// Runs `fn` with the calling thread in the hub's network namespace: libnftables talks netlink
// through a socket of the thread's namespace.
template <typename F>
auto InHub(int hub, F fn) {
  static int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (setns(hub, CLONE_NEWNET) != 0) std::perror("faultline: setns (the hub)");
  auto result = fn();
  if (setns(own, CLONE_NEWNET) != 0) {
    std::perror("faultline: setns back to faultline's network namespace");
    std::abort();
  }
  return result;
}

}  // namespace

uint32_t PairMark(size_t dialer, size_t server) {
  return 0x0F000000u | static_cast<uint32_t>((dialer + 1) << 12) |
         static_cast<uint32_t>(server + 1);
}

std::string PairRules(bool cut, double loss) {
  if (cut) return "drop";
  if (loss <= 0) return "";
  auto threshold = static_cast<uint64_t>(std::llround(std::min(loss, 1.0) * 1000000.0));
  return fmt::format("numgen random mod 1000000 < {} drop", threshold);
}

std::string HubRuleset(const std::vector<UnitConfig>& units, int proxy_port) {
  size_t n = units.size();
  std::vector<std::string> addresses, wire, ctleg, markleg;
  std::string chains;
  for (size_t i = 0; i < n; ++i) addresses.push_back(UnitAddress(i));
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      chains += fmt::format("  chain {} {{\n  }}\n", Chain(a, b));
      // a sends to b: on the wire (forwarded, or a connection a dialed, before the redirect) ...
      wire.push_back(fmt::format("{} . {} : jump {}", UnitAddress(a), UnitAddress(b), Chain(a, b)));
      // ... as the server of a connection b dialed (packets a sends to the proxy's dial) ...
      ctleg.push_back(fmt::format("{:#x} : jump {}", PairMark(b, a), Chain(a, b)));
      // ... and as the client of a connection a dialed (the proxy's dial sends a's bytes to b).
      markleg.push_back(fmt::format("{:#x} : jump {}", PairMark(a, b), Chain(a, b)));
    }
  }
  auto elements = [](const std::vector<std::string>& e) {
    return e.empty() ? std::string() : fmt::format(" elements = {{ {} }};", Join(e, ", "));
  };
  return fmt::format(
      "table {0} {{\n"
      "  set units {{ type ipv4_addr;{1} }}\n"
      "{2}"
      "  map wire {{ type ipv4_addr . ipv4_addr : verdict;{3} }}\n"
      "  map ctleg {{ type mark : verdict;{4} }}\n"
      "  map markleg {{ type mark : verdict;{5} }}\n"
      "  chain from_units {{\n    type filter hook prerouting priority -150; policy accept;\n"
      "    ip saddr . ip daddr vmap @wire\n    ct mark vmap @ctleg\n  }}\n"
      "  chain to_proxy {{\n    type nat hook prerouting priority dstnat; policy accept;\n"
      "    ip protocol tcp ip saddr @units ip daddr @units redirect to :{6}\n  }}\n"
      "  chain proxy_dials {{\n    type filter hook output priority -150; policy accept;\n"
      "    meta mark != 0 ct mark set meta mark\n  }}\n"
      "  chain to_units {{\n    type filter hook postrouting priority 300; policy accept;\n"
      "    meta mark vmap @markleg\n    ct status dnat ip saddr . ip daddr vmap @wire\n  }}\n"
      "}}\n",
      kTable, elements(addresses), chains, elements(wire), elements(ctleg), elements(markleg),
      proxy_port);
}

std::string HubNetwork::LinkName(const std::string& dialer, const std::string& server) {
  return dialer + "->" + server;
}

Result<std::unique_ptr<HubNetwork>> HubNetwork::Start(const UnitSet& units, uint64_t seed,
                                                      const std::string& dir) {
  std::unique_ptr<HubNetwork> hub(new HubNetwork(units));
  hub->nft_ = InHub(units.hub_netns(), [] { return nft_ctx_new(NFT_CTX_DEFAULT); });
  if (!hub->nft_) return Unexpected("nftables: cannot make a context");
  nft_ctx_buffer_output(hub->nft_);
  nft_ctx_buffer_error(hub->nft_);
  std::string ruleset = HubRuleset(units.units(), kProxyPort);
  if (Status s = WriteFile(dir + "/hub.nft", ruleset); !s.ok()) return Unexpected(s);
  if (Status s = hub->Nft(ruleset); !s.ok()) return Unexpected(s.Context("the hub's rules"));
  auto proxy = net::FaultProxy::Start({DeriveSeed(seed, "proxy"), true, units.hub_netns()});
  if (!proxy) return Unexpected(proxy.status().Context("the hub's proxy"));
  hub->proxy_ = std::move(*proxy);
  const auto& all = units.units();
  std::vector<net::TransparentRoute> routes;
  for (size_t a = 0; a < all.size(); ++a) {
    for (size_t b = 0; b < all.size(); ++b) {
      if (a == b) continue;
      net::LinkConfig link;
      link.name = LinkName(all[a].name, all[b].name);
      link.own_listener = false;
      link.mark = PairMark(a, b);
      auto made = hub->proxy_->CreateLink(link);
      if (!made) return Unexpected(made.status().Context("link " + link.name));
      routes.push_back({AddressValue(a), AddressValue(b), link.name});
    }
  }
  auto port = hub->proxy_->ListenTransparent(fmt::format("0.0.0.0:{}", kProxyPort), routes);
  if (!port) return Unexpected(port.status().Context("the hub's proxy"));
  return hub;
}

HubNetwork::~HubNetwork() {
  proxy_.reset();
  if (nft_) nft_ctx_free(nft_);
}

Status HubNetwork::Nft(const std::string& commands) {
  int rc =
      InHub(units_.hub_netns(), [&] { return nft_run_cmd_from_buffer(nft_, commands.c_str()); });
  std::string error = nft_ctx_get_error_buffer(nft_) ? nft_ctx_get_error_buffer(nft_) : "";
  if (rc != 0) return Status::Error("nftables: " + std::string(Trim(error)));
  return Status::Ok();
}

std::vector<faults::Flow> HubNetwork::Flows() const {
  std::vector<faults::Flow> out;
  const auto& all = units_.units();
  for (const auto& a : all) {
    for (const auto& b : all) {
      if (a.name != b.name) out.push_back({a.name, b.name});
    }
  }
  return out;
}

Result<std::vector<std::pair<size_t, size_t>>> HubNetwork::Resolve(
    std::span<const faults::Flow> flows) const {
  if (flows.empty()) return Unexpected("no flow to fault");
  const auto& all = units_.units();
  auto index = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].name == name) return i;
    }
    return std::nullopt;
  };
  std::vector<std::pair<size_t, size_t>> out;
  for (const auto& f : flows) {
    auto a = index(f.from), b = index(f.to);
    if (!a || !b || *a == *b) {
      return Unexpected(fmt::format("no flow {} -> {} in this hub", f.from, f.to));
    }
    out.emplace_back(*a, *b);
  }
  return out;
}

Json HubNetwork::FlowsJson(const std::vector<std::pair<size_t, size_t>>& pairs) const {
  Json out = Json::array();
  for (auto [a, b] : pairs) {
    out.push_back({{"from", units_.units()[a].name}, {"to", units_.units()[b].name}});
  }
  return out;
}

Status HubNetwork::Apply(const std::vector<std::pair<size_t, size_t>>& pairs) {
  std::string commands;
  for (auto pair : pairs) {
    const PairState& s = pairs_[pair];
    double keep = 1.0;
    for (const auto& [handle, rate] : s.losses) keep *= 1.0 - rate;
    std::string chain = Chain(pair.first, pair.second);
    commands += fmt::format("flush chain {} {}\n", kTable, chain);
    std::string rules = PairRules(s.cuts > 0, 1.0 - keep);
    if (!rules.empty()) commands += fmt::format("add rule {} {} {}\n", kTable, chain, rules);
  }
  // One buffer is one transaction: every pair changes at once.
  return Nft(commands);
}

Result<faults::NetApplied> HubNetwork::Cut(std::span<const faults::Flow> flows) {
  auto pairs = Resolve(flows);
  if (!pairs) return Unexpected(pairs.error());
  for (auto p : *pairs) ++pairs_[p].cuts;
  if (Status s = Apply(*pairs); !s.ok()) {
    for (auto p : *pairs) --pairs_[p].cuts;
    return Unexpected(s);
  }
  faults::NetHandle h = next_handle_++;
  changes_[h] = Change{Change::Kind::kCut, *pairs, 0, {}};
  return faults::NetApplied{h, {{"flows", FlowsJson(*pairs)}, {"packets", "dropped"}}};
}

Result<faults::NetApplied> HubNetwork::DropPackets(std::span<const faults::Flow> flows,
                                                   double rate) {
  if (!(rate > 0 && rate <= 1)) {
    return Unexpected(fmt::format("a packet loss rate must be in (0, 1], not {}", rate));
  }
  auto pairs = Resolve(flows);
  if (!pairs) return Unexpected(pairs.error());
  faults::NetHandle h = next_handle_++;
  for (auto p : *pairs) pairs_[p].losses[h] = rate;
  if (Status s = Apply(*pairs); !s.ok()) {
    for (auto p : *pairs) pairs_[p].losses.erase(h);
    return Unexpected(s);
  }
  changes_[h] = Change{Change::Kind::kLoss, *pairs, rate, {}};
  return faults::NetApplied{h, {{"flows", FlowsJson(*pairs)}, {"rate", rate}}};
}

Result<faults::NetApplied> HubNetwork::Impair(std::span<const faults::Flow> flows,
                                              const net::FaultSpec& spec) {
  auto pairs = Resolve(flows);
  if (!pairs) return Unexpected(pairs.error());
  Change change{Change::Kind::kImpair, *pairs, 0, {}};
  Json events = Json::array();
  const auto& all = units_.units();
  for (auto [a, b] : *pairs) {
    // a's bytes to b: upstream of the connections a dials, downstream of those b dials.
    for (auto [link, direction] :
         {std::pair{LinkName(all[a].name, all[b].name), net::Direction::kUpstream},
          std::pair{LinkName(all[b].name, all[a].name), net::Direction::kDownstream}}) {
      net::FaultSpec s = spec;
      s.direction = direction;
      auto applied = proxy_->ApplyFault(link, s);
      if (!applied) {
        for (auto id : change.proxy_faults) (void)proxy_->Heal(id);
        return Unexpected(applied.error());
      }
      change.proxy_faults.push_back(applied->id);
      events.push_back(applied->event.ToJson(applied->event.time));
    }
  }
  faults::NetHandle h = next_handle_++;
  changes_[h] = std::move(change);
  return faults::NetApplied{h, {{"flows", FlowsJson(*pairs)}, {"proxy", events}}};
}

Result<faults::NetApplied> HubNetwork::Heal(faults::NetHandle handle) {
  auto it = changes_.find(handle);
  if (it == changes_.end()) return Unexpected(fmt::format("unknown network change {}", handle));
  Change change = std::move(it->second);
  changes_.erase(it);
  Json detail = {{"flows", FlowsJson(change.pairs)}};
  if (change.kind == Change::Kind::kImpair) {
    Json events = Json::array();
    for (auto id : change.proxy_faults) {
      auto healed = proxy_->Heal(id);
      if (!healed) continue;
      for (const auto& e : *healed) events.push_back(e.ToJson(e.time));
    }
    detail["proxy"] = events;
    return faults::NetApplied{handle, detail};
  }
  for (auto p : change.pairs) {
    if (change.kind == Change::Kind::kCut) {
      --pairs_[p].cuts;
    } else {
      pairs_[p].losses.erase(handle);
    }
  }
  if (Status s = Apply(change.pairs); !s.ok()) return Unexpected(s);
  return faults::NetApplied{handle, detail};
}

}  // namespace faultline::unit
