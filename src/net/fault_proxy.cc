#include "net/fault_proxy.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <thread>
#include <unordered_map>

#include "base/rng.h"
#include "base/unique_fd.h"
#include "net/relay.h"
#include "net/socket.h"

namespace faultline::net {
namespace {

// epoll_event.data.u64 is a tag in the top byte and a link or connection id below it, so that an
// event for a connection that an earlier event of the same batch destroyed finds nothing.
enum Tag : uint64_t {
  kTagWake = 1,
  kTagTimer = 2,
  kTagListener = 3,
  kTagClient = 4,
  kTagServer = 5,
  kTagTransparent = 6
};
constexpr int kTagShift = 56;
constexpr uint64_t kIdMask = (uint64_t{1} << kTagShift) - 1;
constexpr Clock::time_point kNever = Clock::time_point::max();

uint64_t Key(Tag tag, uint64_t id) { return (static_cast<uint64_t>(tag) << kTagShift) | id; }

struct LinkState {
  uint64_t id = 0;
  std::string name;
  sockaddr_in listen{};  // bound address, real port once bound
  sockaddr_in upstream{};
  std::string upstream_text;
  UniqueFd listener;
  bool enabled = true;
  bool own_listener = true;
  uint32_t mark = 0;
  int down_faults = 0;
  uint64_t next_seq = 0;
  std::set<uint64_t> conns;
  std::array<int, 2> blocked{};  // partitions holding each flow
  LinkStats stats;               // upstream/downstream: of closed connections only
};

struct ConnEntry {
  std::unique_ptr<Connection> conn;
  uint64_t link = 0;
  Clock::time_point scheduled = kNever;
  std::optional<sockaddr_in> upstream;  // a redirected connection's original destination
};

struct TransparentListener {
  UniqueFd fd;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> routes;  // (client, server) -> link id
};

struct FaultState {
  uint64_t link = 0;
  FaultSpec spec;
};

struct PartitionState {
  std::vector<std::pair<uint64_t, Direction>> legs;  // link id, direction
};

nlohmann::json EventParams(const FaultSpec& spec) {
  nlohmann::json p = AttributesJson(spec);
  p["toxicity"] = spec.toxicity;
  return p;
}

}  // namespace

nlohmann::json NetEvent::ToJson(std::chrono::steady_clock::time_point origin) const {
  double t_ms = std::chrono::duration<double, std::milli>(time - origin).count();
  return {{"event", action == Action::kBegun ? "fault_begun" : "fault_healed"},
          {"t_ms", t_ms},
          {"kind", kind},
          {"link", link},
          {"direction", DirectionName(direction)},
          {"params", params},
          {"fault", fault}};
}

class FaultProxy::Loop {
 public:
  Loop(ProxyOptions options, UniqueFd epoll, UniqueFd wake, UniqueFd timer)
      : options_(options),
        epoll_(std::move(epoll)),
        wake_(std::move(wake)),
        timer_(std::move(timer)) {}

  ~Loop() {
    if (thread_.joinable()) {
      Call([this] { running_ = false; });
      thread_.join();
    }
    // The thread is gone: what it owned is ours to close.
    conns_.clear();
    transparent_.clear();
    links_.clear();
  }

  Status Init() {
    FL_RETURN_IF_ERROR(Register(wake_.get(), EPOLLIN, Key(kTagWake, 0)));
    FL_RETURN_IF_ERROR(Register(timer_.get(), EPOLLIN, Key(kTagTimer, 0)));
    std::promise<Status> entered;
    auto ready = entered.get_future();
    int netns = options_.netns_fd;
    thread_ = std::thread([this, netns, &entered] {
      // A network namespace is a property of the thread: every socket this thread makes from now
      // on is the hub's, and nothing else of faultline moves.
      if (netns >= 0 && setns(netns, CLONE_NEWNET) != 0) {
        entered.set_value(Status::FromErrno("setns (the hub's network namespace)"));
        return;
      }
      entered.set_value(Status::Ok());
      Run();
    });
    Status s = ready.get();
    if (!s.ok()) thread_.join();
    return s;
  }

  // Runs `fn` on the loop thread and returns its result once it has run.
  template <typename F>
  auto Call(F fn) -> std::invoke_result_t<F&> {
    std::packaged_task<std::invoke_result_t<F&>()> task(std::move(fn));
    auto done = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      commands_.emplace_back([&task] { task(); });
    }
    uint64_t one = 1;
    if (write(wake_.get(), &one, sizeof one) < 0) {
      std::perror("faultline: proxy: eventfd write");
    }
    return done.get();
  }

  Result<LinkInfo> CreateLink(const LinkConfig& config);
  Result<uint16_t> ListenTransparent(const std::string& listen,
                                     const std::vector<TransparentRoute>& routes);
  Status RemoveLink(std::string_view name);
  Result<LinkInfo> GetLink(std::string_view name);
  Result<LinkStats> Stats(std::string_view name);
  Status SetLinkEnabled(std::string_view name, bool enabled);
  Result<AppliedFault> ApplyFault(std::string_view link, const FaultSpec& spec);
  Result<NetEvent> UpdateFault(FaultId id, const FaultSpec& spec);
  Result<AppliedPartition> Partition(std::span<const PartitionLeg> legs);
  Result<std::vector<NetEvent>> Heal(FaultId id);
  std::vector<NetEvent> HealAll();

 private:
  void Run();
  void RunCommands();
  void OnEvent(const epoll_event& ev);
  void Accept(LinkState& link);
  void AcceptTransparent(TransparentListener& t);
  void Adopt(LinkState& link, int fd, std::optional<sockaddr_in> upstream, Clock::time_point now);
  void ShedConnection(int listener);
  void Dial(LinkState& link, uint64_t conn_id);
  void PumpConn(uint64_t conn_id);
  void DestroyConn(uint64_t conn_id);
  void CloseAll(LinkState& link);
  void Schedule(ConnEntry& entry, uint64_t conn_id, Clock::time_point wake);
  void FireTimers();
  void ArmTimer();
  Status UpdateListener(LinkState& link);
  void AttachFault(LinkState& link, FaultId id, const FaultSpec& spec);
  void AttachTo(ConnEntry& entry, const LinkState& link, FaultId id, const FaultSpec& spec,
                Clock::time_point now);
  void Unblocked(LinkState& link);
  Status Register(int fd, uint32_t events, uint64_t key);
  LinkState* FindLink(std::string_view name);
  NetEvent MakeEvent(NetEvent::Action action, FaultId id, const LinkState& link,
                     const FaultSpec& spec, Clock::time_point now) const;

  const ProxyOptions options_;
  UniqueFd epoll_, wake_, timer_;
  std::thread thread_;

  std::mutex mu_;
  std::deque<std::function<void()>> commands_;  // GUARDED_BY(mu_)

  // Everything below belongs to the loop thread (and to the destructor after the join).
  bool running_ = true;
  uint64_t next_link_ = 1, next_conn_ = 1;
  FaultId next_fault_ = 1;
  std::map<uint64_t, std::unique_ptr<LinkState>> links_;
  std::unordered_map<uint64_t, ConnEntry> conns_;
  std::map<FaultId, FaultState> faults_;
  std::map<FaultId, PartitionState> partitions_;
  std::map<uint64_t, TransparentListener> transparent_;
  uint64_t next_transparent_ = 1;
  using Timer = std::pair<Clock::time_point, uint64_t>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  Clock::time_point armed_ = kNever;
  UniqueFd spare_{open("/dev/null", O_RDONLY | O_CLOEXEC)};  // see ShedConnection
};

// ---- the loop ----

void FaultProxy::Loop::Run() {
  epoll_event events[256];
  Clock::time_point last_event = Clock::now();
  while (running_) {
    // Poll without sleeping while the last event is recent, then sleep.
    int n = 0;
    while ((n = epoll_wait(epoll_.get(), events, 256, 0)) == 0 &&
           Clock::now() - last_event < options_.busy_poll) {
      sched_yield();  // a sender or receiver waiting for this core goes first
    }
    if (n == 0) n = epoll_wait(epoll_.get(), events, 256, -1);
    if (n > 0) last_event = Clock::now();
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("faultline: proxy: epoll_wait");
      break;
    }
    for (int i = 0; i < n && running_; ++i) OnEvent(events[i]);
  }
}

void FaultProxy::Loop::RunCommands() {
  uint64_t count;
  if (read(wake_.get(), &count, sizeof count) < 0 && errno != EAGAIN) {
    std::perror("faultline: proxy: eventfd read");
  }
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(commands_);
  }
  for (auto& command : batch) command();
}

void FaultProxy::Loop::OnEvent(const epoll_event& ev) {
  uint64_t tag = ev.data.u64 >> kTagShift;
  uint64_t id = ev.data.u64 & kIdMask;
  switch (tag) {
    case kTagWake:
      return RunCommands();
    case kTagTimer:
      return FireTimers();
    case kTagListener: {
      auto it = links_.find(id);
      if (it != links_.end()) Accept(*it->second);
      return;
    }
    case kTagTransparent: {
      auto it = transparent_.find(id);
      if (it != transparent_.end()) AcceptTransparent(it->second);
      return;
    }
    case kTagClient:
    case kTagServer: {
      auto it = conns_.find(id);
      if (it == conns_.end()) return;
      it->second.conn->OnEvents(tag == kTagClient ? Side::kClient : Side::kServer, ev.events);
      return PumpConn(id);
    }
    default:
      return;
  }
}

Status FaultProxy::Loop::Register(int fd, uint32_t events, uint64_t key) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = key;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Status::FromErrno("epoll_ctl");
  }
  return Status::Ok();
}

void FaultProxy::Loop::Accept(LinkState& link) {
  Clock::time_point now = Clock::now();
  while (true) {
    int fd = accept4(link.listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) return ShedConnection(link.listener.get());
      if (errno != EAGAIN && errno != EWOULDBLOCK) std::perror("faultline: proxy: accept");
      return;
    }
    Adopt(link, fd, std::nullopt, now);
  }
}

void FaultProxy::Loop::AcceptTransparent(TransparentListener& t) {
  Clock::time_point now = Clock::now();
  while (true) {
    int fd = accept4(t.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) return ShedConnection(t.fd.get());
      if (errno != EAGAIN && errno != EWOULDBLOCK) std::perror("faultline: proxy: accept");
      return;
    }
    auto peer = PeerAddress(fd);
    auto dialed = OriginalDestination(fd);
    auto route = peer && dialed ? t.routes.find({peer->sin_addr.s_addr, dialed->sin_addr.s_addr})
                                : t.routes.end();
    LinkState* link = nullptr;
    if (route != t.routes.end()) {
      auto it = links_.find(route->second);
      if (it != links_.end()) link = it->second.get();
    }
    // No route, or the link is down: refused, as a closed port would be.
    if (!link || !link->enabled || link->down_faults > 0) {
      SetResetOnClose(fd);
      close(fd);
      continue;
    }
    Adopt(*link, fd, *dialed, now);
  }
}

void FaultProxy::Loop::Adopt(LinkState& link, int fd, std::optional<sockaddr_in> upstream,
                             Clock::time_point now) {
  SetNoDelay(fd);
  uint64_t id = next_conn_++;
  ConnEntry& entry = conns_[id];
  entry.conn = std::make_unique<Connection>(id, link.next_seq++, UniqueFd(fd), options_.splice);
  entry.link = link.id;
  entry.upstream = upstream;
  link.conns.insert(id);
  ++link.stats.accepted;
  for (const auto& [fault_id, fault] : faults_) {
    if (fault.link == link.id) AttachTo(entry, link, fault_id, fault.spec, now);
  }
  constexpr uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  if (!Register(fd, kEvents, Key(kTagClient, id)).ok()) return DestroyConn(id);
  // Across a partition the connection would not be established: dial once it heals.
  if (link.blocked[0] == 0 && link.blocked[1] == 0) Dial(link, id);
}

void FaultProxy::Loop::ShedConnection(int listener) {
  // Out of descriptors: the listener is level-triggered and would wake the loop forever. Give
  // up the spare descriptor to accept the waiting connection and reset it, then take it back.
  std::perror("faultline: proxy: accept (connection reset)");
  spare_.Reset();
  UniqueFd shed(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (shed) SetResetOnClose(shed.get());
  shed.Reset();
  spare_.Reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
}

void FaultProxy::Loop::Dial(LinkState& link, uint64_t conn_id) {
  ConnEntry& entry = conns_.at(conn_id);
  auto server = DialTcp(entry.upstream ? *entry.upstream : link.upstream, link.mark);
  if (!server) {
    entry.conn->Close(/*reset=*/true);
    return DestroyConn(conn_id);
  }
  int fd = server->get();
  entry.conn->SetServer(std::move(*server));
  constexpr uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  if (!Register(fd, kEvents, Key(kTagServer, conn_id)).ok()) {
    entry.conn->Close(/*reset=*/true);
    return DestroyConn(conn_id);
  }
  PumpConn(conn_id);
}

void FaultProxy::Loop::PumpConn(uint64_t conn_id) {
  auto it = conns_.find(conn_id);
  if (it == conns_.end()) return;
  ConnEntry& entry = it->second;
  const LinkState& link = *links_.at(entry.link);
  std::array<bool, 2> blocked = {link.blocked[0] > 0, link.blocked[1] > 0};
  Clock::time_point wake = kNever;
  if (entry.conn->Pump(Clock::now(), blocked, &wake) == Connection::State::kDone) {
    return DestroyConn(conn_id);
  }
  if (wake != kNever) Schedule(entry, conn_id, wake);
}

void FaultProxy::Loop::DestroyConn(uint64_t conn_id) {
  auto it = conns_.find(conn_id);
  if (it == conns_.end()) return;
  LinkState& link = *links_.at(it->second.link);
  link.stats.upstream += it->second.conn->flow(Direction::kUpstream).bytes;
  link.stats.downstream += it->second.conn->flow(Direction::kDownstream).bytes;
  link.conns.erase(conn_id);
  conns_.erase(it);  // closing the sockets also takes them out of the epoll set
}

void FaultProxy::Loop::CloseAll(LinkState& link) {
  std::vector<uint64_t> ids(link.conns.begin(), link.conns.end());
  for (uint64_t id : ids) DestroyConn(id);
}

void FaultProxy::Loop::Schedule(ConnEntry& entry, uint64_t conn_id, Clock::time_point wake) {
  if (wake >= entry.scheduled) return;
  entry.scheduled = wake;
  timers_.emplace(wake, conn_id);
  ArmTimer();
}

void FaultProxy::Loop::ArmTimer() {
  Clock::time_point next = timers_.empty() ? kNever : timers_.top().first;
  if (next == armed_) return;
  armed_ = next;
  itimerspec spec{};
  if (next != kNever) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(next.time_since_epoch()).count();
    // A zero it_value would disarm the timer; a deadline at the epoch means "now".
    if (ns <= 0) ns = 1;
    spec.it_value.tv_sec = ns / 1000000000;
    spec.it_value.tv_nsec = ns % 1000000000;
  }
  timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &spec, nullptr);
}

void FaultProxy::Loop::FireTimers() {
  uint64_t expirations;
  if (read(timer_.get(), &expirations, sizeof expirations) < 0 && errno != EAGAIN) {
    std::perror("faultline: proxy: timerfd read");
  }
  armed_ = kNever;
  Clock::time_point now = Clock::now();
  while (!timers_.empty() && timers_.top().first <= now) {
    auto [at, conn_id] = timers_.top();
    timers_.pop();
    auto it = conns_.find(conn_id);
    // Only the earliest timer of a connection is live; later ones are stale copies.
    if (it == conns_.end() || it->second.scheduled != at) continue;
    it->second.scheduled = kNever;
    PumpConn(conn_id);
  }
  ArmTimer();
}

// ---- commands, run on the loop thread ----

LinkState* FaultProxy::Loop::FindLink(std::string_view name) {
  for (auto& [id, link] : links_) {
    if (link->name == name) return link.get();
  }
  return nullptr;
}

Status FaultProxy::Loop::UpdateListener(LinkState& link) {
  bool want = link.enabled && link.down_faults == 0;
  if (!link.own_listener) {
    // Its connections come from a transparent listener, which refuses them while it is down.
    if (!want) CloseAll(link);
    return Status::Ok();
  }
  if (want && !link.listener) {
    auto fd = ListenTcp(link.listen);
    if (!fd) return fd.status().Context("link " + link.name);
    link.listener = std::move(*fd);
    return Register(link.listener.get(), EPOLLIN, Key(kTagListener, link.id));
  }
  if (!want && link.listener) {
    link.listener.Reset();  // close() also leaves the epoll set
    CloseAll(link);
  }
  return Status::Ok();
}

Result<LinkInfo> FaultProxy::Loop::CreateLink(const LinkConfig& config) {
  if (config.name.empty()) return Unexpected("a link needs a name");
  if (FindLink(config.name)) return Unexpected("link '" + config.name + "' exists");
  auto link = std::make_unique<LinkState>();
  link->id = next_link_++;
  link->name = config.name;
  link->enabled = config.enabled;
  link->own_listener = config.own_listener;
  link->mark = config.mark;
  if (config.own_listener) {
    auto listen = ResolveAddress(config.listen);
    if (!listen) return Unexpected("listen: " + listen.error());
    auto upstream = ResolveAddress(config.upstream);
    if (!upstream) return Unexpected("upstream: " + upstream.error());
    link->upstream = *upstream;
    link->upstream_text = config.upstream;
    // Bind even a disabled link once, so that it owns a fixed port from the start.
    auto fd = ListenTcp(*listen);
    if (!fd) return Unexpected(fd.status().Context("link " + config.name));
    auto bound = LocalAddress(fd->get());
    if (!bound) return Unexpected(bound.error());
    link->listen = *bound;
    if (config.enabled) {
      link->listener = std::move(*fd);
      Status s = Register(link->listener.get(), EPOLLIN, Key(kTagListener, link->id));
      if (!s.ok()) return Unexpected(s);
    }
  }
  LinkState& ref = *link;
  links_[ref.id] = std::move(link);
  return LinkInfo{ref.name, ref.own_listener ? FormatAddress(ref.listen) : "",
                  ntohs(ref.listen.sin_port), ref.upstream_text, ref.enabled};
}

Result<uint16_t> FaultProxy::Loop::ListenTransparent(const std::string& listen,
                                                     const std::vector<TransparentRoute>& routes) {
  auto addr = ResolveAddress(listen);
  if (!addr) return Unexpected("listen: " + addr.error());
  TransparentListener t;
  for (const auto& r : routes) {
    LinkState* link = FindLink(r.link);
    if (!link) return Unexpected(fmt::format("unknown link '{}'", r.link));
    t.routes[{r.client, r.server}] = link->id;
  }
  auto fd = ListenTcp(*addr);
  if (!fd) return Unexpected(fd.status().Context("transparent listener"));
  auto bound = LocalAddress(fd->get());
  if (!bound) return Unexpected(bound.error());
  t.fd = std::move(*fd);
  uint64_t id = next_transparent_++;
  Status s = Register(t.fd.get(), EPOLLIN, Key(kTagTransparent, id));
  if (!s.ok()) return Unexpected(s);
  transparent_[id] = std::move(t);
  return ntohs(bound->sin_port);
}

Status FaultProxy::Loop::RemoveLink(std::string_view name) {
  LinkState* link = FindLink(name);
  if (!link) return Status::Error(fmt::format("unknown link '{}'", name));
  uint64_t id = link->id;
  link->listener.Reset();
  CloseAll(*link);
  std::erase_if(faults_, [id](const auto& f) { return f.second.link == id; });
  for (auto& [pid, partition] : partitions_) {
    std::erase_if(partition.legs, [id](const auto& leg) { return leg.first == id; });
  }
  std::erase_if(partitions_, [](const auto& p) { return p.second.legs.empty(); });
  for (auto& [tid, t] : transparent_) {
    std::erase_if(t.routes, [id](const auto& r) { return r.second == id; });
  }
  links_.erase(id);
  return Status::Ok();
}

Result<LinkInfo> FaultProxy::Loop::GetLink(std::string_view name) {
  LinkState* link = FindLink(name);
  if (!link) return Unexpected(fmt::format("unknown link '{}'", name));
  return LinkInfo{link->name, FormatAddress(link->listen), ntohs(link->listen.sin_port),
                  link->upstream_text, link->enabled};
}

Result<LinkStats> FaultProxy::Loop::Stats(std::string_view name) {
  LinkState* link = FindLink(name);
  if (!link) return Unexpected(fmt::format("unknown link '{}'", name));
  LinkStats stats = link->stats;
  stats.open = link->conns.size();
  for (uint64_t id : link->conns) {
    const Connection& c = *conns_.at(id).conn;
    stats.upstream += c.flow(Direction::kUpstream).bytes;
    stats.downstream += c.flow(Direction::kDownstream).bytes;
  }
  return stats;
}

Status FaultProxy::Loop::SetLinkEnabled(std::string_view name, bool enabled) {
  LinkState* link = FindLink(name);
  if (!link) return Status::Error(fmt::format("unknown link '{}'", name));
  link->enabled = enabled;
  return UpdateListener(*link);
}

NetEvent FaultProxy::Loop::MakeEvent(NetEvent::Action action, FaultId id, const LinkState& link,
                                     const FaultSpec& spec, Clock::time_point now) const {
  // `down` closes the whole link: it has no direction of its own.
  Direction d = spec.kind == FaultKind::kDown ? Direction::kBoth : spec.direction;
  return NetEvent{action, std::string(KindName(spec.kind)), link.name, d, EventParams(spec), id,
                  now};
}

void FaultProxy::Loop::AttachTo(ConnEntry& entry, const LinkState& link, FaultId id,
                                const FaultSpec& spec, Clock::time_point now) {
  (void)link;
  if (spec.kind == FaultKind::kDown) return;
  uint64_t seq = entry.conn->seq();
  if (!ToxicityDraw(options_.seed, id, seq, spec.toxicity)) return;
  ToxicState t;
  t.fault = id;
  t.spec = spec;
  t.rng = Rng(DeriveSeed(DeriveSeed(DeriveSeed(options_.seed, id), seq), "shape"));
  t.attached = now;
  t.cursor = now;
  entry.conn->Attach(t);
}

void FaultProxy::Loop::AttachFault(LinkState& link, FaultId id, const FaultSpec& spec) {
  if (spec.kind == FaultKind::kDown) {
    ++link.down_faults;
    Status s = UpdateListener(link);  // closing never fails
    (void)s;
    return;
  }
  Clock::time_point now = Clock::now();
  std::vector<uint64_t> ids(link.conns.begin(), link.conns.end());
  for (uint64_t conn_id : ids) {
    AttachTo(conns_.at(conn_id), link, id, spec, now);
    PumpConn(conn_id);
  }
}

namespace {

Status CheckToxicity(double toxicity) {
  if (!(toxicity >= 0.0 && toxicity <= 1.0)) {
    return Status::Error(fmt::format("toxicity must be between 0 and 1, got {}", toxicity));
  }
  return Status::Ok();
}

}  // namespace

Result<AppliedFault> FaultProxy::Loop::ApplyFault(std::string_view name, const FaultSpec& spec) {
  LinkState* link = FindLink(name);
  if (!link) return Unexpected(fmt::format("unknown link '{}'", name));
  if (Status s = CheckToxicity(spec.toxicity); !s.ok()) return Unexpected(s);
  FaultId id = next_fault_++;
  faults_[id] = FaultState{link->id, spec};
  AttachFault(*link, id, spec);
  return AppliedFault{id, MakeEvent(NetEvent::Action::kBegun, id, *link, spec, Clock::now())};
}

Result<NetEvent> FaultProxy::Loop::UpdateFault(FaultId id, const FaultSpec& spec) {
  auto it = faults_.find(id);
  if (it == faults_.end()) return Unexpected(fmt::format("unknown fault {}", id));
  if (it->second.spec.kind != spec.kind) {
    return Unexpected(fmt::format("fault {} is {}, not {}", id, KindName(it->second.spec.kind),
                                  KindName(spec.kind)));
  }
  if (Status s = CheckToxicity(spec.toxicity); !s.ok()) return Unexpected(s);
  LinkState& link = *links_.at(it->second.link);
  it->second.spec = spec;
  if (spec.kind != FaultKind::kDown) {
    // Detach and attach in one command: no byte moves between the old spec and the new one.
    Clock::time_point now = Clock::now();
    for (uint64_t conn_id : link.conns) conns_.at(conn_id).conn->Detach(id, now);
    AttachFault(link, id, spec);
  }
  return MakeEvent(NetEvent::Action::kBegun, id, link, spec, Clock::now());
}

Result<AppliedPartition> FaultProxy::Loop::Partition(std::span<const PartitionLeg> legs) {
  if (legs.empty()) return Unexpected("a partition needs at least one link");
  PartitionState state;
  for (const auto& leg : legs) {
    LinkState* link = FindLink(leg.link);
    if (!link) return Unexpected(fmt::format("unknown link '{}'", leg.link));
    state.legs.emplace_back(link->id, leg.direction);
  }
  // Every leg in one loop command: no byte crosses any leg once the first is blocked.
  FaultId id = next_fault_++;
  AppliedPartition applied{id, {}};
  Clock::time_point now = Clock::now();
  for (const auto& [link_id, direction] : state.legs) {
    LinkState& link = *links_.at(link_id);
    for (Direction d : {Direction::kUpstream, Direction::kDownstream}) {
      if (direction == Direction::kBoth || direction == d) ++link.blocked[Connection::Index(d)];
    }
    applied.events.push_back(NetEvent{NetEvent::Action::kBegun, "partition", link.name, direction,
                                      nlohmann::json::object(), id, now});
  }
  partitions_[id] = std::move(state);
  return applied;
}

void FaultProxy::Loop::Unblocked(LinkState& link) {
  std::vector<uint64_t> ids(link.conns.begin(), link.conns.end());
  bool open = link.blocked[0] == 0 && link.blocked[1] == 0;
  for (uint64_t conn_id : ids) {
    auto it = conns_.find(conn_id);
    if (it == conns_.end()) continue;
    if (!it->second.conn->dialed()) {
      if (open) Dial(link, conn_id);
    } else {
      PumpConn(conn_id);
    }
  }
}

Result<std::vector<NetEvent>> FaultProxy::Loop::Heal(FaultId id) {
  Clock::time_point now = Clock::now();
  std::vector<NetEvent> events;
  if (auto it = faults_.find(id); it != faults_.end()) {
    FaultState fault = it->second;
    faults_.erase(it);
    LinkState& link = *links_.at(fault.link);
    events.push_back(MakeEvent(NetEvent::Action::kHealed, id, link, fault.spec, now));
    if (fault.spec.kind == FaultKind::kDown) {
      --link.down_faults;
      if (Status s = UpdateListener(link); !s.ok()) return Unexpected(s);
      return events;
    }
    std::vector<uint64_t> ids(link.conns.begin(), link.conns.end());
    for (uint64_t conn_id : ids) {
      conns_.at(conn_id).conn->Detach(id, now);
      PumpConn(conn_id);
    }
    return events;
  }
  auto it = partitions_.find(id);
  if (it == partitions_.end()) return Unexpected(fmt::format("unknown fault {}", id));
  PartitionState state = std::move(it->second);
  partitions_.erase(it);
  for (const auto& [link_id, direction] : state.legs) {
    LinkState& link = *links_.at(link_id);
    for (Direction d : {Direction::kUpstream, Direction::kDownstream}) {
      if (direction == Direction::kBoth || direction == d) --link.blocked[Connection::Index(d)];
    }
    events.push_back(NetEvent{NetEvent::Action::kHealed, "partition", link.name, direction,
                              nlohmann::json::object(), id, now});
  }
  for (const auto& [link_id, direction] : state.legs) Unblocked(*links_.at(link_id));
  return events;
}

std::vector<NetEvent> FaultProxy::Loop::HealAll() {
  std::vector<FaultId> ids;
  for (const auto& [id, f] : faults_) ids.push_back(id);
  for (const auto& [id, p] : partitions_) ids.push_back(id);
  std::vector<NetEvent> events;
  for (FaultId id : ids) {
    auto healed = Heal(id);
    if (healed) events.insert(events.end(), healed->begin(), healed->end());
  }
  return events;
}

// ---- the public face: each call is one command on the loop ----

Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(ProxyOptions options) {
  // A peer that vanishes mid-write must be an EPIPE for the relay, not a signal for the process.
  std::signal(SIGPIPE, SIG_IGN);
  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) return Unexpected(Status::FromErrno("epoll_create1"));
  UniqueFd wake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake) return Unexpected(Status::FromErrno("eventfd"));
  UniqueFd timer(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!timer) return Unexpected(Status::FromErrno("timerfd_create"));
  auto loop = std::make_unique<Loop>(options, std::move(epoll), std::move(wake), std::move(timer));
  if (Status s = loop->Init(); !s.ok()) return Unexpected(s);
  return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(loop)));
}

FaultProxy::FaultProxy(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}
FaultProxy::~FaultProxy() = default;

Result<LinkInfo> FaultProxy::CreateLink(const LinkConfig& config) {
  return loop_->Call([&] { return loop_->CreateLink(config); });
}
Result<uint16_t> FaultProxy::ListenTransparent(const std::string& listen,
                                               const std::vector<TransparentRoute>& routes) {
  return loop_->Call([&] { return loop_->ListenTransparent(listen, routes); });
}
Status FaultProxy::RemoveLink(std::string_view name) {
  return loop_->Call([&] { return loop_->RemoveLink(name); });
}
Result<LinkInfo> FaultProxy::GetLink(std::string_view name) {
  return loop_->Call([&] { return loop_->GetLink(name); });
}
Result<LinkStats> FaultProxy::Stats(std::string_view name) {
  return loop_->Call([&] { return loop_->Stats(name); });
}
Status FaultProxy::SetLinkEnabled(std::string_view name, bool enabled) {
  return loop_->Call([&] { return loop_->SetLinkEnabled(name, enabled); });
}
Result<AppliedFault> FaultProxy::ApplyFault(std::string_view link, const FaultSpec& spec) {
  return loop_->Call([&] { return loop_->ApplyFault(link, spec); });
}
Result<NetEvent> FaultProxy::UpdateFault(FaultId id, const FaultSpec& spec) {
  return loop_->Call([&] { return loop_->UpdateFault(id, spec); });
}
Result<AppliedPartition> FaultProxy::Partition(std::span<const PartitionLeg> legs) {
  return loop_->Call([&] { return loop_->Partition(legs); });
}
Result<std::vector<NetEvent>> FaultProxy::Heal(FaultId id) {
  return loop_->Call([&] { return loop_->Heal(id); });
}
std::vector<NetEvent> FaultProxy::HealAll() {
  return loop_->Call([&] { return loop_->HealAll(); });
}

bool FaultProxy::ToxicityDraw(uint64_t seed, FaultId fault, uint64_t conn_seq, double toxicity) {
  if (toxicity >= 1.0) return true;
  if (toxicity <= 0.0) return false;
  Rng rng(DeriveSeed(DeriveSeed(seed, fault), conn_seq));
  return rng.Chance(toxicity);
}

}  // namespace faultline::net
