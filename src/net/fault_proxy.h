// FaultProxy: the fault proxy's C++ control interface. It owns one thread running one epoll loop
// that accepts on every link's listener, dials the link's upstream and relays bytes both ways,
// applying the faults in force per direction, to new and to already-open connections alike.
//
// Every public method is thread-safe and may be called from any thread except the proxy's own
// (a call would wait on itself): it queues a command, wakes the loop through an eventfd, and
// returns only once the loop has carried it out, so a fault is in force when ApplyFault returns.
// Each change is reported as a NetEvent for the timeline. The destructor stops the loop, joins the
// thread and closes every descriptor. Creating a FaultProxy makes the process ignore SIGPIPE.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "net/fault.h"

namespace faultline::net {

using FaultId = uint64_t;

struct ProxyOptions {
  uint64_t seed = 0;  // toxicity, jitter and slicing draws derive from it
  // Unfaulted flows move bytes with splice() through a pipe, never copying them to user space.
  // false copies them through a buffer instead (slower; kept to measure the difference).
  bool splice = true;
  // The network namespace the loop thread runs in (a unit hub's, as /proc/PID/ns/net opened by
  // the caller and kept open until Start returns); -1: the caller's. Every socket of the proxy,
  // listeners and dials alike, then lives there.
  int netns_fd = -1;
  // After it handled an event the loop polls for the next one this long before it sleeps in
  // epoll_wait: a request and its answer cross the proxy tens of microseconds apart, and waking
  // a sleeping thread costs about as much again on a virtual machine. Zero: sleep at once.
  std::chrono::microseconds busy_poll{50};
};

struct LinkConfig {
  std::string name;
  std::string listen = "127.0.0.1:0";  // port 0: the kernel picks a free port
  std::string upstream;                // host:port, resolved when the link is created
  bool enabled = true;                 // false: created with its listener closed
  // false: no listener of its own; connections come from a transparent listener's routes
  // (ListenTransparent) and dial the address the client dialed.
  bool own_listener = true;
  uint32_t mark = 0;  // SO_MARK of the link's dials (non-zero needs CAP_NET_ADMIN)
};

// Which link takes a redirected connection: from `client` (its peer address) to `server` (the
// address it dialed), both IPv4 in network byte order.
struct TransparentRoute {
  uint32_t client = 0;
  uint32_t server = 0;
  std::string link;
};

struct LinkInfo {
  std::string name;
  std::string listen;  // the bound address, "127.0.0.1:PORT"
  uint16_t port = 0;
  std::string upstream;
  bool enabled = true;
};

struct LinkStats {
  uint64_t accepted = 0;    // connections accepted since the link was made
  uint64_t open = 0;        // connections open now
  uint64_t upstream = 0;    // bytes relayed client to server by closed and open connections
  uint64_t downstream = 0;  // bytes relayed server to client
};

// One change of the network, for the timeline.
struct NetEvent {
  enum class Action { kBegun, kHealed };
  Action action = Action::kBegun;
  std::string kind;  // "latency", ..., "down", "partition"
  std::string link;
  Direction direction = Direction::kBoth;
  nlohmann::json params;  // the kind's attributes, plus toxicity
  FaultId fault = 0;
  std::chrono::steady_clock::time_point time;

  // {"event": "fault_begun"|"fault_healed", "t_ms": <since origin>, "kind", "link", "direction",
  //  "params", "fault"}.
  nlohmann::json ToJson(std::chrono::steady_clock::time_point origin) const;
};

struct AppliedFault {
  FaultId id = 0;
  NetEvent event;
};

// One link of a partition: its flows in `direction` (both, or one for an asymmetric partition)
// are blackholed: nothing is read or written, nothing is lost, and new connections wait to be
// dialed until the partition heals.
struct PartitionLeg {
  std::string link;
  Direction direction = Direction::kBoth;
};

struct AppliedPartition {
  FaultId id = 0;
  std::vector<NetEvent> events;  // one per leg, all with the same time
};

class FaultProxy {
 public:
  // Starts the loop thread. Returns an error when epoll, eventfd or timerfd cannot be made.
  static Result<std::unique_ptr<FaultProxy>> Start(ProxyOptions options);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Binds the link's listener and returns its bound address. Errors: a name that exists, an
  // address that does not parse or resolve, a port that cannot be bound.
  Result<LinkInfo> CreateLink(const LinkConfig& config);
  // Binds a listener for connections that a firewall redirected to it (nft redirect) and hands
  // each to the link its route names, which dials the connection's original destination; a
  // connection with no route is reset. Returns the bound port. Errors: the address cannot be
  // bound, a route names an unknown link.
  Result<uint16_t> ListenTransparent(const std::string& listen,
                                     const std::vector<TransparentRoute>& routes);
  // Closes the link's listener and its connections and forgets its faults. Error: unknown link.
  Status RemoveLink(std::string_view name);
  Result<LinkInfo> GetLink(std::string_view name);
  Result<LinkStats> Stats(std::string_view name);
  // toxiproxy's "enabled": false closes the listener (new connections are refused) and the open
  // connections; true binds the same address again. Not a fault: no event.
  Status SetLinkEnabled(std::string_view name, bool enabled);

  // Puts a fault in force on the link, for open connections and new ones, and returns its id and
  // the "begun" event. Errors: unknown link, toxicity outside [0, 1].
  Result<AppliedFault> ApplyFault(std::string_view link, const FaultSpec& spec);
  // Replaces a fault's spec in place (same id); connections draw toxicity again. Returns the
  // "begun" event of the new spec. Errors: unknown id, kind changed, toxicity outside [0, 1].
  Result<NetEvent> UpdateFault(FaultId id, const FaultSpec& spec);
  // Blackholes every leg at once and returns the partition's id. Errors: unknown link, empty set.
  Result<AppliedPartition> Partition(std::span<const PartitionLeg> legs);
  // Ends a fault or a partition (every leg at once) and returns its "healed" events. Bytes held by
  // the fault move at once; healthy connections stay open. Error: unknown id.
  Result<std::vector<NetEvent>> Heal(FaultId id);
  // Ends every fault and partition; returns their "healed" events.
  std::vector<NetEvent> HealAll();

  // Whether connection number `conn_seq` of a link is subject to fault `fault` of `toxicity` under
  // `seed`: the draw the proxy makes, exposed so tests and tools can predict it.
  static bool ToxicityDraw(uint64_t seed, FaultId fault, uint64_t conn_seq, double toxicity);

  class Loop;

 private:
  explicit FaultProxy(std::unique_ptr<Loop> loop);
  std::unique_ptr<Loop> loop_;
};

}  // namespace faultline::net
