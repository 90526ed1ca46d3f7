// HubNetwork: a history's network in isolated mode, as the fault schedule breaks and mends it
// (faults::NetworkControl). Every TCP connection between two units is redirected in the hub
// (nft redirect) to the history's fault proxy, whose sockets live in the hub's network namespace;
// the proxy recovers the address the client dialed (SO_ORIGINAL_DST) and relays to it through
// the link of that ordered pair of units, so byte-stream faults (latency, bandwidth, ...) act on
// any pair. Cuts and packet loss are packet rules in the hub: each ordered pair (A sends to B) has
// a chain that every packet A sends to B passes, forwarded (UDP, ICMP) or relayed (both legs of a
// proxied connection, told apart by SO_MARK and conntrack marks), and a cut or a loss rate is a
// rule in that chain, changed in one atomic nftables transaction.
// Owned by the history; called on its event-loop thread (the proxy runs its own thread).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "faults/network_control.h"
#include "net/fault_proxy.h"
#include "unit/unit_set.h"

struct nft_ctx;

namespace faultline::unit {

// The nftables ruleset of a hub joining `units` (pure, for tests and for the history's folder):
// the per-pair chains, the maps that send packets to them, the redirect to `proxy_port` and the
// marks of the proxy's dials.
std::string HubRuleset(const std::vector<UnitConfig>& units, int proxy_port);
// The SO_MARK of the proxy's dials for connections from unit `dialer` to unit `server` (0-based).
uint32_t PairMark(size_t dialer, size_t server);
// The rules of one pair's chain: nothing, a drop, or a random drop at `loss` in (0, 1].
std::string PairRules(bool cut, double loss);

class HubNetwork : public faults::NetworkControl {
 public:
  // Loads the ruleset into the hub, starts the proxy in it and routes every ordered pair of
  // units through it. `seed` seeds the proxy's draws. Errors name the step.
  static Result<std::unique_ptr<HubNetwork>> Start(const UnitSet& units, uint64_t seed,
                                                   const std::string& dir);
  ~HubNetwork() override;

  // faults::NetworkControl
  std::vector<faults::Flow> Flows() const override;
  bool CanDropPackets() const override { return true; }
  Result<faults::NetApplied> Cut(std::span<const faults::Flow> flows) override;
  Result<faults::NetApplied> Impair(std::span<const faults::Flow> flows,
                                    const net::FaultSpec& spec) override;
  Result<faults::NetApplied> DropPackets(std::span<const faults::Flow> flows, double rate) override;
  Result<faults::NetApplied> Heal(faults::NetHandle handle) override;

  net::FaultProxy& proxy() { return *proxy_; }
  // The proxy link of connections that unit `dialer` opens to unit `server`.
  static std::string LinkName(const std::string& dialer, const std::string& server);

 private:
  struct Change {
    enum class Kind { kCut, kLoss, kImpair } kind = Kind::kCut;
    std::vector<std::pair<size_t, size_t>> pairs;  // (from, to) unit indices
    double rate = 0;
    std::vector<net::FaultId> proxy_faults;
  };
  struct PairState {
    int cuts = 0;
    std::map<faults::NetHandle, double> losses;
  };

  explicit HubNetwork(const UnitSet& units) : units_(units) {}
  Result<std::vector<std::pair<size_t, size_t>>> Resolve(std::span<const faults::Flow> flows) const;
  // Rewrites the chains of `pairs` from their state, in one transaction.
  Status Apply(const std::vector<std::pair<size_t, size_t>>& pairs);
  Status Nft(const std::string& commands);
  Json FlowsJson(const std::vector<std::pair<size_t, size_t>>& pairs) const;

  const UnitSet& units_;
  nft_ctx* nft_ = nullptr;
  std::unique_ptr<net::FaultProxy> proxy_;
  std::map<std::pair<size_t, size_t>, PairState> pairs_;
  std::map<faults::NetHandle, Change> changes_;
  faults::NetHandle next_handle_ = 1;
};

}  // namespace faultline::unit
