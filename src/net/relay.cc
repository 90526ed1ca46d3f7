#include "net/relay.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "net/socket.h"

namespace faultline::net {
namespace {

// A faulted flow stops reading once this much waits in its queue, so that a slow fault (bandwidth,
// latency) pushes back on the sender through TCP instead of growing without bound.
constexpr size_t kMaxQueued = 1 << 20;
constexpr size_t kReadChunk = 64 * 1024;
// Larger pipes mean fewer splice calls per megabyte; the kernel may refuse (per-user pipe limits),
// in which case the default 64 KiB stays.
constexpr int kPipeSize = 1 << 20;

using std::chrono::microseconds;
using std::chrono::milliseconds;

bool WouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

void Shape(ToxicState& t, std::vector<Segment>& segs);

// Splits [start, end) into slices of about average_size ± size_variation, evenly varying, as
// toxiproxy's slicer does: halve with a random shift until a piece is small enough.
void SliceOffsets(ToxicState& t, size_t start, size_t end, std::vector<size_t>& cuts) {
  const auto avg = static_cast<size_t>(t.spec.average_size);
  const auto var = static_cast<size_t>(t.spec.size_variation);
  if (end - start <= avg + var) {
    cuts.push_back(end);
    return;
  }
  int64_t shift =
      var == 0 ? 0 : t.rng.Between(-static_cast<int64_t>(var), static_cast<int64_t>(var));
  size_t mid = start + (end - start) / 2 + shift;
  SliceOffsets(t, start, mid, cuts);
  SliceOffsets(t, mid, end, cuts);
}

void ShapeLatency(ToxicState& t, std::vector<Segment>& segs) {
  for (auto& s : segs) {
    int64_t ms = t.spec.latency;
    if (t.spec.jitter > 0) ms += t.rng.Between(-t.spec.jitter, t.spec.jitter);
    // Jitter must not reorder bytes: a segment never overtakes the one before it.
    s.due = std::max(s.due + milliseconds(std::max<int64_t>(ms, 0)), t.cursor);
    t.cursor = s.due;
  }
}

void ShapeBandwidth(ToxicState& t, std::vector<Segment>& segs) {
  if (t.spec.rate <= 0) return;
  // Pieces of about 10 ms worth of bytes keep the pace smooth at any rate.
  const size_t piece = static_cast<size_t>(std::max<int64_t>(t.spec.rate * 10, 1));
  std::vector<Segment> out;
  for (auto& s : segs) {
    for (size_t off = 0; off < s.data.size(); off += piece) {
      size_t n = std::min(piece, s.data.size() - off);
      Clock::time_point start = std::max(s.due, t.cursor);
      // rate is bytes per millisecond (KB/s), so n bytes take n * 1000 / rate microseconds.
      t.cursor = start + microseconds(static_cast<int64_t>(n) * 1000 / t.spec.rate);
      out.push_back(Segment{s.data.substr(off, n), 0, t.cursor, false});
    }
  }
  segs = std::move(out);
}

void ShapeSlicer(ToxicState& t, std::vector<Segment>& segs) {
  std::vector<Segment> out;
  for (auto& s : segs) {
    std::vector<size_t> cuts;
    SliceOffsets(t, 0, s.data.size(), cuts);
    size_t begin = 0;
    for (size_t cut : cuts) {
      Clock::time_point due = std::max(s.due, t.cursor);
      t.cursor = due + microseconds(t.spec.delay);
      out.push_back(Segment{s.data.substr(begin, cut - begin), 0, due, false});
      begin = cut;
    }
  }
  segs = std::move(out);
}

void ShapeLimit(ToxicState& t, std::vector<Segment>& segs) {
  std::vector<Segment> out;
  for (auto& s : segs) {
    if (t.exhausted) break;
    int64_t left = t.spec.bytes - t.passed;
    if (static_cast<int64_t>(s.data.size()) >= left) {
      s.data.resize(static_cast<size_t>(std::max<int64_t>(left, 0)));
      s.close_after = true;
      t.exhausted = true;
    }
    t.passed += static_cast<int64_t>(s.data.size());
    out.push_back(std::move(s));
  }
  segs = std::move(out);
}

void Shape(ToxicState& t, std::vector<Segment>& segs) {
  switch (t.spec.kind) {
    case FaultKind::kLatency:
      return ShapeLatency(t, segs);
    case FaultKind::kBandwidth:
      return ShapeBandwidth(t, segs);
    case FaultKind::kSlicer:
      return ShapeSlicer(t, segs);
    case FaultKind::kLimitData:
      return ShapeLimit(t, segs);
    case FaultKind::kTimeout:  // holds its flow before anything is read (PumpFlow)
    case FaultKind::kResetPeer:
    case FaultKind::kSlowClose:
    case FaultKind::kDown:
      return;
  }
}

bool Exhausted(const Flow& f) {
  return std::any_of(f.toxics.begin(), f.toxics.end(),
                     [](const ToxicState& t) { return t.exhausted; });
}

bool EnsurePipe(Flow& f) {
  if (f.pipe_r.valid()) return true;
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return false;
  f.pipe_r.Reset(fds[0]);
  f.pipe_w.Reset(fds[1]);
  fcntl(fds[1], F_SETPIPE_SZ, kPipeSize);
  int size = fcntl(fds[1], F_GETPIPE_SZ);
  f.pipe_capacity = size > 0 ? static_cast<size_t>(size) : 65536;
  return true;
}

}  // namespace

// A timeout holds its flow whole: nothing is read, written or lost, and what the sender wrote
// arrives once it heals. (toxiproxy's timeout drops the bytes and lets the connection go on: the
// receiver then reads a stream with a hole in it, which no network can make of a TCP connection,
// and a replication protocol that trusts TCP skips what fell in the hole.)
bool Holds(const Flow& f) {
  return std::any_of(f.toxics.begin(), f.toxics.end(),
                     [](const ToxicState& t) { return t.spec.kind == FaultKind::kTimeout; });
}

void IngestBytes(Flow& f, std::string_view data, Clock::time_point now) {
  std::vector<Segment> segs;
  segs.push_back(Segment{std::string(data), 0, now, false});
  for (auto& t : f.toxics) {
    Shape(t, segs);
    if (segs.empty()) return;
  }
  for (auto& s : segs) {
    f.queued += s.data.size();
    f.queue.push_back(std::move(s));
  }
}

Clock::time_point EofDue(const Flow& f, Clock::time_point now) {
  Clock::time_point t = now;
  for (const auto& x : f.toxics) {
    switch (x.spec.kind) {
      case FaultKind::kLatency:
        t = std::max(t + milliseconds(x.spec.latency), x.cursor);
        break;
      case FaultKind::kBandwidth:
      case FaultKind::kSlicer:
        t = std::max(t, x.cursor);
        break;
      case FaultKind::kSlowClose:
        t += milliseconds(x.spec.delay);
        break;
      default:
        break;
    }
  }
  return t;
}

Connection::Connection(uint64_t id, uint64_t seq, UniqueFd client, bool splice)
    : id_(id), seq_(seq), splice_(splice), client_(std::move(client)) {
  flows_[0].src = client_.get();
  flows_[1].dst = client_.get();
}

void Connection::SetServer(UniqueFd server) {
  server_ = std::move(server);
  connecting_ = true;
  flows_[0].dst = server_.get();
  flows_[1].src = server_.get();
}

void Connection::OnEvents(Side side, uint32_t events) {
  Flow& reads = flows_[side == Side::kClient ? 0 : 1];
  Flow& writes = flows_[side == Side::kClient ? 1 : 0];
  // Errors and hang-ups surface through the next read or write, so they count as readiness.
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) reads.src_readable = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) writes.dst_writable = true;
}

bool Connection::FinishConnect() {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(server_.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return false;
  connecting_ = false;
  return true;
}

Connection::State Connection::Pump(Clock::time_point now, const std::array<bool, 2>& blocked,
                                   Clock::time_point* wake) {
  if (!server_.valid()) return State::kOpen;
  if (connecting_) {
    if (!flows_[0].dst_writable) return State::kOpen;
    if (!FinishConnect()) {
      // The upstream refused: the client sees a reset, as if the server itself had refused.
      Close(/*reset=*/true);
      return State::kDone;
    }
  }
  if (CheckTimers(now, wake) == State::kDone) return State::kDone;
  for (size_t d = 0; d < 2; ++d) {
    if (blocked[d]) continue;
    FlowResult r = PumpFlow(flows_[d], now, wake);
    if (r != FlowResult::kOk) {
      Close(r == FlowResult::kReset);
      return State::kDone;
    }
  }
  if (flows_[0].eof_sent && flows_[1].eof_sent) {
    Close(/*reset=*/false);
    return State::kDone;
  }
  return State::kOpen;
}

Connection::State Connection::CheckTimers(Clock::time_point now, Clock::time_point* wake) {
  for (auto& f : flows_) {
    for (auto& t : f.toxics) {
      bool timed = (t.spec.kind == FaultKind::kTimeout && t.spec.timeout > 0) ||
                   t.spec.kind == FaultKind::kResetPeer;
      if (!timed) continue;
      Clock::time_point at = t.attached + milliseconds(t.spec.timeout);
      if (at > now) {
        *wake = std::min(*wake, at);
        continue;
      }
      bool reset = t.spec.kind == FaultKind::kResetPeer;
      // A close with unread bytes would be a reset: what the timeout held is dropped with the
      // connection, and both sides see the FIN that toxiproxy's timeout sends.
      if (!reset) DiscardHeld();
      Close(reset);
      return State::kDone;
    }
  }
  return State::kOpen;
}

void Connection::DiscardHeld() {
  char buf[kReadChunk];
  for (auto& f : flows_) {
    if (!Holds(f)) continue;
    // Bounded: a socket's receive buffer, read until it is empty or its sender went on writing.
    for (int i = 0; i < 1024; ++i) {
      ssize_t n = recv(f.src, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0 || (n < 0 && errno == EINTR)) continue;
      break;
    }
  }
}

Connection::FlowResult Connection::PumpFlow(Flow& f, Clock::time_point now,
                                            Clock::time_point* wake) {
  FlowResult r = FlowResult::kOk;
  if (Holds(f)) return r;
  if (f.toxics.empty() && f.queue.empty() && splice_) {
    r = PumpSplice(f);
  } else {
    r = PumpQueue(f, now, wake);
  }
  if (r == FlowResult::kOk) PassEof(f, now, wake);
  return r;
}

Connection::FlowResult Connection::PumpSplice(Flow& f) {
  if (!EnsurePipe(f)) return FlowResult::kReset;
  constexpr unsigned kFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
  for (bool progress = true; progress;) {
    progress = false;
    if (f.pipe_bytes > 0 && f.dst_writable) {
      ssize_t n = splice(f.pipe_r.get(), nullptr, f.dst, nullptr, f.pipe_bytes, kFlags);
      if (n > 0) {
        f.pipe_bytes -= static_cast<size_t>(n);
        f.bytes += static_cast<uint64_t>(n);
        f.pipe_full = false;
        progress = true;
      } else if (n < 0 && WouldBlock(errno)) {
        f.dst_writable = false;
      } else if (n < 0 && errno != EINTR) {
        return FlowResult::kReset;
      }
    }
    if (f.src_readable && !f.src_eof && !f.pipe_full) {
      size_t room = f.pipe_capacity - f.pipe_bytes;
      if (room == 0) {
        f.pipe_full = true;
        continue;
      }
      ssize_t n = splice(f.src, nullptr, f.pipe_w.get(), nullptr, room, kFlags);
      if (n > 0) {
        f.pipe_bytes += static_cast<size_t>(n);
        progress = true;
      } else if (n == 0) {
        f.src_eof = true;
      } else if (WouldBlock(errno)) {
        // EAGAIN means "socket empty" only when the pipe is empty; otherwise the pipe may be out
        // of slots, so try the socket again after the next drain.
        if (f.pipe_bytes == 0) {
          f.src_readable = false;
        } else {
          f.pipe_full = true;
        }
      } else if (errno != EINTR) {
        return FlowResult::kReset;
      }
    }
  }
  if (f.src_eof) f.eof_due = Clock::time_point{};
  return FlowResult::kOk;
}

Connection::FlowResult Connection::WriteDue(Flow& f, Clock::time_point now, bool* progress) {
  while (!f.queue.empty() && f.dst_writable) {
    Segment& s = f.queue.front();
    if (s.due > now) break;
    if (s.offset < s.data.size()) {
      ssize_t n = send(f.dst, s.data.data() + s.offset, s.data.size() - s.offset, MSG_NOSIGNAL);
      if (n < 0) {
        if (WouldBlock(errno)) {
          f.dst_writable = false;
          break;
        }
        if (errno == EINTR) continue;
        return FlowResult::kReset;
      }
      s.offset += static_cast<size_t>(n);
      f.queued -= static_cast<size_t>(n);
      f.bytes += static_cast<uint64_t>(n);
      *progress = true;
      if (s.offset < s.data.size()) continue;
    }
    bool close = s.close_after;
    f.queue.pop_front();
    if (close) return FlowResult::kClose;
  }
  return FlowResult::kOk;
}

Connection::FlowResult Connection::PumpQueue(Flow& f, Clock::time_point now,
                                             Clock::time_point* wake) {
  // Bytes a splice left in the pipe before the first fault arrived go through the faults now.
  while (f.pipe_bytes > 0) {
    std::string buf(f.pipe_bytes, '\0');
    ssize_t n = read(f.pipe_r.get(), buf.data(), buf.size());
    if (n <= 0) return FlowResult::kReset;
    f.pipe_bytes -= static_cast<size_t>(n);
    f.pipe_full = false;
    IngestBytes(f, std::string_view(buf.data(), static_cast<size_t>(n)), now);
  }
  char buf[kReadChunk];
  for (bool progress = true; progress;) {
    progress = false;
    if (FlowResult r = WriteDue(f, now, &progress); r != FlowResult::kOk) return r;
    if (!f.src_readable || f.src_eof || f.queued >= kMaxQueued || Exhausted(f)) continue;
    ssize_t n = recv(f.src, buf, sizeof buf, 0);
    if (n > 0) {
      IngestBytes(f, std::string_view(buf, static_cast<size_t>(n)), now);
      progress = true;
    } else if (n == 0) {
      f.src_eof = true;
      f.eof_due = EofDue(f, now);
    } else if (WouldBlock(errno)) {
      f.src_readable = false;
    } else if (errno != EINTR) {
      return FlowResult::kReset;
    }
  }
  if (!f.queue.empty() && f.queue.front().due > now) *wake = std::min(*wake, f.queue.front().due);
  return FlowResult::kOk;
}

void Connection::PassEof(Flow& f, Clock::time_point now, Clock::time_point* wake) {
  if (!f.src_eof || f.eof_sent || !f.queue.empty() || f.pipe_bytes > 0 || Holds(f)) return;
  if (f.eof_due > now) {
    *wake = std::min(*wake, f.eof_due);
    return;
  }
  shutdown(f.dst, SHUT_WR);
  f.eof_sent = true;
}

void Connection::Attach(const ToxicState& toxic) {
  for (Direction d : {Direction::kUpstream, Direction::kDownstream}) {
    if (toxic.spec.Applies(d)) flows_[Index(d)].toxics.push_back(toxic);
  }
}

void Connection::Detach(FaultId fault, Clock::time_point now) {
  for (auto& f : flows_) {
    auto it = std::remove_if(f.toxics.begin(), f.toxics.end(),
                             [fault](const ToxicState& t) { return t.fault == fault; });
    if (it == f.toxics.end()) continue;
    f.toxics.erase(it, f.toxics.end());
    if (f.toxics.empty()) {
      // Healing restores full speed at once: nothing stays held by a fault that is gone.
      for (auto& s : f.queue) s.due = std::min(s.due, now);
      f.eof_due = std::min(f.eof_due, now);
    } else {
      f.eof_due = std::min(f.eof_due, EofDue(f, now));
    }
  }
}

bool Connection::HasToxic(FaultId fault) const {
  for (const auto& f : flows_) {
    for (const auto& t : f.toxics) {
      if (t.fault == fault) return true;
    }
  }
  return false;
}

void Connection::Close(bool reset) {
  if (reset) {
    if (client_) SetResetOnClose(client_.get());
    if (server_) SetResetOnClose(server_.get());
  }
  client_.Reset();
  server_.Reset();
  for (auto& f : flows_) {
    f.pipe_r.Reset();
    f.pipe_w.Reset();
  }
}

}  // namespace faultline::net
