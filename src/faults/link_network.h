// LinkNetwork: the NetworkControl of loopback mode, over the history's fault proxy. Its flows are
// the two directions of every declared link (from -> to): bytes from `from` to `to` are the
// link's upstream, bytes back its downstream. A cut blackholes the matching directions of every
// link at once (one proxy partition); an impairment applies the proxy fault per link and
// direction. Packet loss needs a network that sees packets (isolated mode).
// Owned by the history; called on its event-loop thread (the proxy runs its own).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "faults/network_control.h"
#include "net/fault_proxy.h"
#include "scenario/scenario.h"

namespace faultline::faults {

class LinkNetwork : public NetworkControl {
 public:
  // `proxy` holds one link per scenario link, named Link::Name(); it must outlive this.
  LinkNetwork(net::FaultProxy& proxy, const std::vector<scenario::Link>& links);

  std::vector<Flow> Flows() const override;
  bool CanDropPackets() const override { return false; }
  Result<NetApplied> Cut(std::span<const Flow> flows) override;
  Result<NetApplied> Impair(std::span<const Flow> flows, const net::FaultSpec& spec) override;
  Result<NetApplied> DropPackets(std::span<const Flow> flows, double rate) override;
  Result<NetApplied> Heal(NetHandle handle) override;

 private:
  // Each link a set of flows touches, with the direction(s) of its bytes they name.
  Result<std::map<std::string, net::Direction>> Legs(std::span<const Flow> flows) const;

  net::FaultProxy& proxy_;
  std::vector<scenario::Link> links_;
  std::map<NetHandle, std::vector<net::FaultId>> applied_;
  NetHandle next_ = 1;
};

}  // namespace faultline::faults
