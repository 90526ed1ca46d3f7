// Connection: one relayed TCP connection of the fault proxy, client side and server side, and its
// two flows (upstream: client to server; downstream: server to client). A flow with no fault on it
// moves bytes with splice() through a pipe, never copying them to user space; a flow with faults
// reads into a queue of timed segments that the faults shape (delay, pace, slice, drop, cut).
// A Connection owns its sockets and pipes. Only the proxy's loop thread touches it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "base/rng.h"
#include "base/unique_fd.h"
#include "net/fault.h"

namespace faultline::net {

using Clock = std::chrono::steady_clock;
using FaultId = uint64_t;

// A fault as attached to one flow of one connection, with the state its shaping needs.
struct ToxicState {
  FaultId fault = 0;
  FaultSpec spec;
  Rng rng{0};
  Clock::time_point attached{};
  Clock::time_point cursor{};  // latency: last due time; bandwidth, slicer: next free slot
  int64_t passed = 0;          // limit_data: bytes let through so far
  bool exhausted = false;      // limit_data: the limit is reached
};

struct Segment {
  std::string data;
  size_t offset = 0;
  Clock::time_point due{};
  bool close_after = false;  // limit_data: close the connection once this is written
};

struct Flow {
  int src = -1;  // not owned: the Connection owns both sockets
  int dst = -1;
  bool src_readable = false;  // edge-triggered readiness, cleared on EAGAIN
  bool dst_writable = false;
  bool src_eof = false;
  bool eof_sent = false;
  Clock::time_point eof_due{};
  UniqueFd pipe_r, pipe_w;  // splice path, made on first use
  size_t pipe_bytes = 0;
  size_t pipe_capacity = 0;
  bool pipe_full = false;
  std::deque<Segment> queue;  // faulted path
  size_t queued = 0;
  std::vector<ToxicState> toxics;
  uint64_t bytes = 0;  // relayed to dst so far
};

enum class Side { kClient = 0, kServer = 1 };

class Connection {
 public:
  enum class State { kOpen, kDone };

  // With `splice` false, unfaulted flows are copied through user space too (for comparison).
  Connection(uint64_t id, uint64_t seq, UniqueFd client, bool splice = true);

  uint64_t id() const { return id_; }
  // The connection's number on its link (0, 1, ...), from which toxicity draws are derived.
  uint64_t seq() const { return seq_; }
  int client_fd() const { return client_.get(); }
  int server_fd() const { return server_.get(); }
  bool dialed() const { return server_.valid(); }
  // Hands over the server socket of a connect in progress.
  void SetServer(UniqueFd server);
  // Records epoll readiness of one side's socket.
  void OnEvents(Side side, uint32_t events);
  // Moves whatever can move now. `blocked[d]` holds flow d still (a partition). Returns kDone when
  // the connection has ended (closed or reset) and should be destroyed; otherwise lowers *wake to
  // the next time it needs to run again, if any.
  State Pump(Clock::time_point now, const std::array<bool, 2>& blocked, Clock::time_point* wake);
  // Attaches a fault to the flows it applies to; it shapes bytes read from now on.
  void Attach(const ToxicState& toxic);
  // Detaches a fault; when a flow has none left, what it still holds is released at once.
  void Detach(FaultId fault, Clock::time_point now);
  bool HasToxic(FaultId fault) const;
  // Ends the connection: with `reset`, both sides see RST, otherwise FIN.
  // Reads and drops what a timeout holds in the sockets, before a close.
  void DiscardHeld();
  void Close(bool reset);
  const Flow& flow(Direction d) const { return flows_[Index(d)]; }

  static size_t Index(Direction d) { return d == Direction::kUpstream ? 0 : 1; }

 private:
  enum class FlowResult { kOk, kReset, kClose };

  FlowResult PumpFlow(Flow& f, Clock::time_point now, Clock::time_point* wake);
  FlowResult PumpSplice(Flow& f);
  FlowResult PumpQueue(Flow& f, Clock::time_point now, Clock::time_point* wake);
  FlowResult WriteDue(Flow& f, Clock::time_point now, bool* progress);
  void PassEof(Flow& f, Clock::time_point now, Clock::time_point* wake);
  State CheckTimers(Clock::time_point now, Clock::time_point* wake);
  bool FinishConnect();

  uint64_t id_;
  uint64_t seq_;
  bool splice_;
  UniqueFd client_;
  UniqueFd server_;
  bool connecting_ = false;
  std::array<Flow, 2> flows_;
};

// Runs `data`, read at `now`, through the flow's faults and appends the result to its queue.
void IngestBytes(Flow& f, std::string_view data, Clock::time_point now);
// When an EOF read at `now` may be passed on, after the faults that delay it.
Clock::time_point EofDue(const Flow& f, Clock::time_point now);
// Whether a fault holds the flow whole (a timeout): nothing is read from it, written or lost.
bool Holds(const Flow& f);

}  // namespace faultline::net
