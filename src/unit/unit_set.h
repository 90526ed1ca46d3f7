// UnitSet: one history's units and the hub that joins them (isolated mode). A unit is a network,
// UTS and mount namespace held by one faultline-init process (--hold): its own host name, one
// interface (eth0, 198.18.N.2/24) on a veth pair whose other end (vN, 198.18.N.1) is in the hub's
// network namespace, a default route to the hub and nothing else, so no packet can leave the
// history's network. Every unit's /etc/hosts names every unit (and its aliases), its
// /etc/resolv.conf asks no server, and its declared bind mounts are in place (read-only unless
// `:rw`). Processes run in a unit by joining its namespaces (Placement), each in a PID namespace
// of its own. Nothing is global: the namespaces live as long as their holders (and the processes
// that joined them), and every holder dies with faultline.
// Owned by the history; its methods run on the history's event-loop thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"
#include "process/supervisor.h"
#include "scenario/scenario.h"

namespace faultline::unit {

struct UnitConfig {
  std::string name;  // the host name: a service's name, or "workload"
  std::vector<std::string> aliases;
  std::vector<scenario::MountSpec> mounts;
};

// The address plan: unit `index` (0-based, in the order given) is 198.18.(index+1).2/24, its
// hub side 198.18.(index+1).1. Pure.
std::string UnitAddress(size_t index);
std::string HubAddress(size_t index);
// The /etc/hosts every unit sees.
std::string HostsFile(const std::vector<UnitConfig>& units);

// Why isolated mode cannot run here (not root, no ip binary, no namespaces), naming what is
// missing and that loopback mode needs none of it; OK when it can.
Status CheckIsolatedPrivileges();

class UnitSet {
 public:
  // Makes the hub and every unit, their network and file views, in `dir` (the history's units
  // folder: hosts file, interface plan, staging folders). Errors name the unit and the step.
  static Result<std::unique_ptr<UnitSet>> Create(const std::string& dir,
                                                 std::vector<UnitConfig> units);
  // Ends every holder; the namespaces end with the last process in them.
  ~UnitSet();
  UnitSet(const UnitSet&) = delete;
  UnitSet& operator=(const UnitSet&) = delete;

  // Where processes of `unit` run (its namespaces, its file view). Empty for an unknown unit.
  Placement For(const std::string& unit) const;
  // The unit's address ("198.18.3.2"); empty for an unknown unit.
  std::string Address(const std::string& unit) const;
  // The holder's pid (for `faultline exec`), or -1.
  pid_t HolderPid(const std::string& unit) const;
  pid_t hub_pid() const;
  // The hub's network namespace, for the proxy's thread and the firewall.
  int hub_netns() const { return hub_netns_.get(); }
  // Whether something in `unit` accepts TCP on its own address at `port` (a probe made inside the
  // unit's network namespace).
  bool PortAccepts(const std::string& unit, int port) const;
  // The units, in address order.
  const std::vector<UnitConfig>& units() const { return configs_; }
  // Runs `argv` in the hub's network namespace (as `ip` or `nft`), waiting at most 10 s; its
  // output goes to `log`. Errors quote the log's tail.
  Status RunInHub(const std::vector<std::string>& argv, const std::string& log) const;

  struct Holder;

 private:
  UnitSet() = default;
  Status StartHolders();
  Status WireNetwork();

  std::string dir_;
  std::vector<UnitConfig> configs_;
  std::vector<std::unique_ptr<Holder>> holders_;  // one per unit, in the same order
  std::unique_ptr<Holder> hub_;
  UniqueFd hub_netns_;
};

}  // namespace faultline::unit
