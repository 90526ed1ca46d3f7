// Real-socket tests of FaultProxy: every fault kind in each direction on new and already-open
// connections, toxicity, partitions, half-close and reset propagation, healing, 1,000 connections.
// Timing assertions use lower bounds that the fault guarantees and generous upper bounds, so that
// a loaded 2-core machine under sanitizers does not make them flaky.
#include "net/fault_proxy.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "net/net_test_util.h"

namespace faultline::net {
namespace {

using testing::CloseWithReset;
using testing::Connect;
using testing::CountOpenFds;
using testing::MsSince;
using testing::ReadFor;
using testing::TestClock;
using testing::TestServer;
using testing::WriteAll;

struct Pair {
  UniqueFd client, server;
};

class ProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto proxy = FaultProxy::Start(ProxyOptions{42});
    ASSERT_TRUE(proxy.ok()) << proxy.error();
    proxy_ = std::move(*proxy);
    auto info = proxy_->CreateLink(LinkConfig{"db", "127.0.0.1:0", server_.address(), true});
    ASSERT_TRUE(info.ok()) << info.error();
    port_ = info->port;
  }

  Pair Open() {
    Pair p;
    p.client = Connect(port_);
    EXPECT_TRUE(p.client.valid()) << "connect: " << strerror(errno);
    p.server = server_.Accept();
    EXPECT_TRUE(p.server.valid()) << "the proxy did not dial the upstream";
    return p;
  }

  // Sends a byte each way, so that both flows are established and relaying (spliced).
  static void Warm(Pair& p) {
    ASSERT_TRUE(WriteAll(p.client.get(), "h"));
    ASSERT_EQ(ReadFor(p.server.get(), 1, 5000).data, "h");
    ASSERT_TRUE(WriteAll(p.server.get(), "H"));
    ASSERT_EQ(ReadFor(p.client.get(), 1, 5000).data, "H");
  }

  FaultId Apply(const FaultSpec& spec, std::string_view link = "db") {
    auto applied = proxy_->ApplyFault(link, spec);
    EXPECT_TRUE(applied.ok()) << applied.error();
    return applied.ok() ? applied->id : 0;
  }

  TestServer server_;
  std::unique_ptr<FaultProxy> proxy_;
  uint16_t port_ = 0;
};

FaultSpec Spec(FaultKind kind, Direction dir) {
  FaultSpec s;
  s.kind = kind;
  s.direction = dir;
  switch (kind) {
    case FaultKind::kLatency:
      s.latency = 600;
      break;
    case FaultKind::kBandwidth:
      s.rate = 50;  // 50 KB/s
      break;
    case FaultKind::kSlicer:
      s.average_size = 16;
      s.size_variation = 4;
      s.delay = 10000;  // 10 ms
      break;
    case FaultKind::kTimeout:
      s.timeout = 500;
      break;
    case FaultKind::kResetPeer:
      s.timeout = 300;
      break;
    case FaultKind::kLimitData:
      s.bytes = 100;
      break;
    case FaultKind::kSlowClose:
      s.delay = 600;
      break;
    case FaultKind::kDown:
      break;
  }
  return s;
}

class ProxyFaultKindTest
    : public ProxyTest,
      public ::testing::WithParamInterface<std::tuple<FaultKind, Direction, bool>> {};

// Each checks a fault's effect from `from` to `to` (its direction) and that `to` -> `from` is
// spared; `before` is a time no later than the moment the fault reached the connection.
void CheckLatency(int from, int to, TestClock::time_point) {
  auto t = TestClock::now();
  ASSERT_TRUE(WriteAll(from, "ping"));
  EXPECT_EQ(ReadFor(to, 4, 5000).data, "ping");
  EXPECT_GE(MsSince(t), 590);
  t = TestClock::now();
  ASSERT_TRUE(WriteAll(to, "pong"));
  EXPECT_EQ(ReadFor(from, 4, 5000).data, "pong");
  EXPECT_LT(MsSince(t), 450) << "the other direction must not be delayed";
}

void CheckBandwidth(int from, int to, TestClock::time_point) {
  std::string big(40000, 'b');
  auto t = TestClock::now();
  ASSERT_TRUE(WriteAll(from, big));
  EXPECT_EQ(ReadFor(to, big.size(), 10000).data.size(), big.size());
  EXPECT_GE(MsSince(t), 700);  // 40 KB at 50 KB/s is 800 ms
  t = TestClock::now();
  ASSERT_TRUE(WriteAll(to, big));
  EXPECT_EQ(ReadFor(from, big.size(), 10000).data.size(), big.size());
  EXPECT_LT(MsSince(t), 500) << "the other direction must not be paced";
}

void CheckSlicer(int from, int to, TestClock::time_point) {
  std::string data(160, 's');
  auto t = TestClock::now();
  ASSERT_TRUE(WriteAll(from, data));
  auto r = ReadFor(to, data.size(), 5000);
  EXPECT_EQ(r.data, data);
  EXPECT_GE(r.reads, 3) << "slices should arrive apart";
  EXPECT_GE(MsSince(t), 50);  // at least 8 slices, 10 ms apart
  ASSERT_TRUE(WriteAll(to, data));
  EXPECT_EQ(ReadFor(from, data.size(), 5000).data, data);
}

void CheckTimeout(int from, int to, TestClock::time_point before) {
  ASSERT_TRUE(WriteAll(from, "lost"));
  EXPECT_TRUE(ReadFor(to, 4, 200).data.empty()) << "a timeout holds every byte";
  ASSERT_TRUE(WriteAll(to, "free"));
  EXPECT_EQ(ReadFor(from, 4, 5000).data, "free") << "the other direction flows";
  EXPECT_TRUE(ReadFor(to, 0, 5000).eof);
  EXPECT_TRUE(ReadFor(from, 0, 5000).eof);
  EXPECT_GE(MsSince(before), 450);
}

void CheckResetPeer(int from, int to, TestClock::time_point before) {
  EXPECT_TRUE(ReadFor(to, 0, 5000).reset);
  EXPECT_TRUE(ReadFor(from, 0, 5000).reset);
  EXPECT_GE(MsSince(before), 250);
}

void CheckLimitData(int from, int to, TestClock::time_point) {
  ASSERT_TRUE(WriteAll(from, std::string(150, 'l')));
  auto r = ReadFor(to, 0, 5000);
  EXPECT_EQ(r.data.size(), 100u);
  EXPECT_TRUE(r.eof);
  EXPECT_TRUE(ReadFor(from, 0, 5000).eof) << "limit_data closes the whole connection";
}

void CheckSlowClose(int from, int to, TestClock::time_point) {
  auto t = TestClock::now();
  ASSERT_TRUE(WriteAll(from, "x"));
  EXPECT_EQ(ReadFor(to, 1, 5000).data, "x");
  EXPECT_LT(MsSince(t), 450) << "bytes are not delayed, only the close";
  t = TestClock::now();
  shutdown(from, SHUT_WR);
  EXPECT_TRUE(ReadFor(to, 0, 5000).eof);
  EXPECT_GE(MsSince(t), 590);
}

void CheckEffect(FaultKind kind, int from, int to, TestClock::time_point before) {
  switch (kind) {
    case FaultKind::kLatency:
      return CheckLatency(from, to, before);
    case FaultKind::kBandwidth:
      return CheckBandwidth(from, to, before);
    case FaultKind::kSlicer:
      return CheckSlicer(from, to, before);
    case FaultKind::kTimeout:
      return CheckTimeout(from, to, before);
    case FaultKind::kResetPeer:
      return CheckResetPeer(from, to, before);
    case FaultKind::kLimitData:
      return CheckLimitData(from, to, before);
    case FaultKind::kSlowClose:
      return CheckSlowClose(from, to, before);
    case FaultKind::kDown:
      return;  // not directional: DownRefusesNewConnections...
  }
}

TEST_P(ProxyFaultKindTest, ActsInItsDirectionOnNewAndOpenConnections) {
  auto [kind, dir, open_before] = GetParam();
  Pair p;
  auto before = TestClock::now();
  if (open_before) Warm(p = Open());
  Apply(Spec(kind, dir));
  if (!open_before) p = Open();
  bool up = dir == Direction::kUpstream;
  CheckEffect(kind, up ? p.client.get() : p.server.get(), up ? p.server.get() : p.client.get(),
              before);
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, ProxyFaultKindTest,
    ::testing::Combine(::testing::Values(FaultKind::kLatency, FaultKind::kBandwidth,
                                         FaultKind::kSlicer, FaultKind::kTimeout,
                                         FaultKind::kResetPeer, FaultKind::kLimitData,
                                         FaultKind::kSlowClose),
                       ::testing::Values(Direction::kUpstream, Direction::kDownstream),
                       ::testing::Bool()),
    [](const auto& info) {
      return std::string(KindName(std::get<0>(info.param))) + "_" +
             std::string(DirectionName(std::get<1>(info.param))) +
             (std::get<2>(info.param) ? "_open" : "_new");
    });

TEST_F(ProxyTest, RelaysBothWaysAndCountsBytes) {
  Pair p = Open();
  Warm(p);
  std::string big(1 << 20, 'z');
  std::thread writer([&] { EXPECT_TRUE(WriteAll(p.client.get(), big)); });
  EXPECT_EQ(ReadFor(p.server.get(), big.size(), 10000).data, big);
  writer.join();
  auto stats = proxy_->Stats("db");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->accepted, 1u);
  EXPECT_EQ(stats->open, 1u);
  EXPECT_EQ(stats->upstream, big.size() + 1);
  EXPECT_EQ(stats->downstream, 1u);
}

TEST_F(ProxyTest, DownRefusesNewConnectionsAndClosesOpenOnes) {
  Pair p = Open();
  Warm(p);
  FaultId id = Apply(Spec(FaultKind::kDown, Direction::kBoth));
  EXPECT_TRUE(ReadFor(p.client.get(), 0, 5000).eof);
  EXPECT_FALSE(Connect(port_).valid());
  EXPECT_EQ(errno, ECONNREFUSED);
  ASSERT_TRUE(proxy_->Heal(id).ok());
  Warm(p = Open());
}

TEST_F(ProxyTest, ApplyAndHealReportEvents) {
  FaultSpec spec = Spec(FaultKind::kLatency, Direction::kUpstream);
  spec.jitter = 5;
  auto applied = proxy_->ApplyFault("db", spec);
  ASSERT_TRUE(applied.ok());
  const NetEvent& e = applied->event;
  EXPECT_EQ(e.action, NetEvent::Action::kBegun);
  EXPECT_EQ(e.kind, "latency");
  EXPECT_EQ(e.link, "db");
  EXPECT_EQ(e.direction, Direction::kUpstream);
  EXPECT_EQ(e.params["latency"], 600);
  EXPECT_EQ(e.params["jitter"], 5);
  EXPECT_EQ(e.params["toxicity"], 1.0);
  auto json = e.ToJson(e.time - std::chrono::milliseconds(10));
  EXPECT_EQ(json["event"], "fault_begun");
  EXPECT_NEAR(json["t_ms"].get<double>(), 10.0, 0.001);
  EXPECT_EQ(json["direction"], "upstream");
  auto healed = proxy_->Heal(applied->id);
  ASSERT_TRUE(healed.ok());
  ASSERT_EQ(healed->size(), 1u);
  EXPECT_EQ((*healed)[0].action, NetEvent::Action::kHealed);
  EXPECT_EQ((*healed)[0].fault, applied->id);
  EXPECT_FALSE(proxy_->Heal(applied->id).ok()) << "healing twice is an error";
  EXPECT_FALSE(proxy_->ApplyFault("nope", spec).ok());
  spec.toxicity = 1.5;
  EXPECT_FALSE(proxy_->ApplyFault("db", spec).ok());
}

TEST_F(ProxyTest, ToxicitySplitsConnectionsAsDrawn) {
  FaultSpec spec = Spec(FaultKind::kLatency, Direction::kDownstream);
  spec.latency = 1500;
  spec.toxicity = 0.5;
  FaultId id = Apply(spec);
  constexpr int kConns = 16;
  std::vector<Pair> pairs;
  std::set<int> expected_slow;
  for (int i = 0; i < kConns; ++i) {
    pairs.push_back(Open());
    if (FaultProxy::ToxicityDraw(42, id, static_cast<uint64_t>(i), 0.5)) expected_slow.insert(i);
  }
  ASSERT_GT(expected_slow.size(), 0u);
  ASSERT_LT(expected_slow.size(), static_cast<size_t>(kConns));
  for (auto& p : pairs) ASSERT_TRUE(WriteAll(p.server.get(), "d"));
  // Whatever arrives within 600 ms was spared; the slow ones need 1,500 ms.
  std::set<int> fast;
  auto start = TestClock::now();
  while (MsSince(start) < 600) {
    std::vector<pollfd> waiting;
    std::vector<int> index;
    for (int i = 0; i < kConns; ++i) {
      if (fast.count(i)) continue;
      waiting.push_back(pollfd{pairs[i].client.get(), POLLIN, 0});
      index.push_back(i);
    }
    if (waiting.empty()) break;
    int left = std::max(1, 600 - static_cast<int>(MsSince(start)));
    if (poll(waiting.data(), waiting.size(), left) <= 0) continue;
    for (size_t k = 0; k < waiting.size(); ++k) {
      if (waiting[k].revents & POLLIN) fast.insert(index[k]);
    }
  }
  for (int i = 0; i < kConns; ++i) {
    EXPECT_EQ(fast.count(i) == 0, expected_slow.count(i) == 1) << "connection " << i;
    EXPECT_EQ(ReadFor(pairs[i].client.get(), 1, 5000).data, "d");
  }
}

TEST_F(ProxyTest, UpdateFaultChangesItInPlace) {
  Pair p = Open();
  Warm(p);
  FaultSpec spec = Spec(FaultKind::kLatency, Direction::kUpstream);
  spec.latency = 5000;
  FaultId id = Apply(spec);
  spec.latency = 300;
  ASSERT_TRUE(proxy_->UpdateFault(id, spec).ok());
  auto t = TestClock::now();
  ASSERT_TRUE(WriteAll(p.client.get(), "u"));
  EXPECT_EQ(ReadFor(p.server.get(), 1, 4000).data, "u");
  EXPECT_GE(MsSince(t), 250);
  EXPECT_LT(MsSince(t), 4000);
  spec.kind = FaultKind::kBandwidth;
  EXPECT_FALSE(proxy_->UpdateFault(id, spec).ok()) << "the kind cannot change";
}

TEST_F(ProxyTest, HealingRestoresFullSpeedWithoutDroppingConnections) {
  Pair p = Open();
  Warm(p);
  FaultId slow = Apply([] {
    FaultSpec s = Spec(FaultKind::kBandwidth, Direction::kBoth);
    s.rate = 20;  // 20 KB/s
    return s;
  }());
  ASSERT_TRUE(WriteAll(p.client.get(), std::string(5000, 'a')));
  auto held = ReadFor(p.server.get(), 5000, 100);
  EXPECT_LT(held.data.size(), 5000u) << "bandwidth should hold most of it";
  ASSERT_TRUE(proxy_->Heal(slow).ok());
  EXPECT_EQ(ReadFor(p.server.get(), 5000 - held.data.size(), 2000).data.size(),
            5000 - held.data.size());
  // 16 MiB each way would take over 13 minutes at 20 KB/s; at full speed it takes well under 10 s.
  std::string big(16 << 20, 'f');
  auto t = TestClock::now();
  std::thread writer([&] { EXPECT_TRUE(WriteAll(p.client.get(), big)); });
  EXPECT_EQ(ReadFor(p.server.get(), big.size(), 20000).data.size(), big.size());
  writer.join();
  EXPECT_LT(MsSince(t), 10000);
  auto stats = proxy_->Stats("db");
  EXPECT_EQ(stats->open, 1u) << "the healthy connection stays open";
}

// A timeout without a deadline is a black hole that a connection outlives: what the sender
// wrote during it arrives after the heal, whole and in order, never a stream with a hole.
TEST_F(ProxyTest, ATimeoutHoldsBytesAndHealingDeliversThemInOrder) {
  Pair p = Open();
  Warm(p);
  FaultSpec spec = Spec(FaultKind::kTimeout, Direction::kDownstream);
  spec.timeout = 0;
  FaultId id = Apply(spec);
  std::string during(200000, '\0');
  for (size_t i = 0; i < during.size(); ++i) during[i] = static_cast<char>('a' + i % 26);
  std::thread writer([&] { EXPECT_TRUE(WriteAll(p.server.get(), during + "end")); });
  EXPECT_TRUE(ReadFor(p.client.get(), 1, 300).data.empty()) << "nothing crosses while it holds";
  ASSERT_TRUE(WriteAll(p.client.get(), "up"));
  EXPECT_EQ(ReadFor(p.server.get(), 2, 5000).data, "up") << "the other direction flows";
  ASSERT_TRUE(proxy_->Heal(id).ok());
  auto r = ReadFor(p.client.get(), during.size() + 3, 10000);
  writer.join();
  EXPECT_EQ(r.data.size(), during.size() + 3);
  EXPECT_TRUE(r.data == during + "end") << "the held bytes arrive whole and in order";
}

TEST_F(ProxyTest, HealAllEndsEveryFault) {
  Pair p = Open();
  Warm(p);
  Apply(Spec(FaultKind::kLatency, Direction::kUpstream));
  Apply(Spec(FaultKind::kTimeout, Direction::kDownstream));
  std::vector<PartitionLeg> legs = {{"db", Direction::kBoth}};
  ASSERT_TRUE(proxy_->Partition(legs).ok());
  EXPECT_EQ(proxy_->HealAll().size(), 3u);
  Warm(p);
}

class ProxyPartitionTest : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    auto info = proxy_->CreateLink(LinkConfig{"other", "127.0.0.1:0", other_.address(), true});
    ASSERT_TRUE(info.ok());
    other_port_ = info->port;
  }
  Pair OpenOther() {
    Pair p;
    p.client = Connect(other_port_);
    p.server = other_.Accept();
    return p;
  }
  TestServer other_;
  uint16_t other_port_ = 0;
};

TEST_F(ProxyPartitionTest, BlackholesAsymmetricallyAndHealsAtomically) {
  Pair a = Open(), b = OpenOther();
  Warm(a);
  Warm(b);
  std::vector<PartitionLeg> legs = {{"db", Direction::kBoth}, {"other", Direction::kUpstream}};
  auto part = proxy_->Partition(legs);
  ASSERT_TRUE(part.ok()) << part.error();
  ASSERT_EQ(part->events.size(), 2u);
  EXPECT_EQ(part->events[0].kind, "partition");
  EXPECT_EQ(part->events[0].time, part->events[1].time);
  // Sent right after the call returned: every leg already holds.
  ASSERT_TRUE(WriteAll(a.client.get(), "a-up"));
  ASSERT_TRUE(WriteAll(a.server.get(), "a-dn"));
  ASSERT_TRUE(WriteAll(b.client.get(), "b-up"));
  ASSERT_TRUE(WriteAll(b.server.get(), "b-dn"));
  EXPECT_EQ(ReadFor(b.client.get(), 4, 5000).data, "b-dn") << "the open direction flows";
  EXPECT_TRUE(ReadFor(a.server.get(), 4, 300).data.empty());
  EXPECT_TRUE(ReadFor(a.client.get(), 4, 10).data.empty());
  EXPECT_TRUE(ReadFor(b.server.get(), 4, 10).data.empty());
  // A new connection across the partition is not established upstream.
  UniqueFd late = Connect(port_);
  ASSERT_TRUE(late.valid());
  EXPECT_FALSE(server_.Accept(300).valid());
  auto healed = proxy_->Heal(part->id);
  ASSERT_TRUE(healed.ok());
  EXPECT_EQ(healed->size(), 2u);
  // Nothing was lost: a partition holds bytes, as TCP retransmission would deliver them.
  EXPECT_EQ(ReadFor(a.server.get(), 4, 5000).data, "a-up");
  EXPECT_EQ(ReadFor(a.client.get(), 4, 5000).data, "a-dn");
  EXPECT_EQ(ReadFor(b.server.get(), 4, 5000).data, "b-up");
  Pair dialed{std::move(late), server_.Accept()};
  ASSERT_TRUE(dialed.server.valid()) << "the waiting connection is dialed on heal";
  Warm(dialed);
}

TEST_F(ProxyPartitionTest, UnknownLinkChangesNothing) {
  std::vector<PartitionLeg> legs = {{"db", Direction::kBoth}, {"nope", Direction::kBoth}};
  EXPECT_FALSE(proxy_->Partition(legs).ok());
  Pair p = Open();
  Warm(p);
}

class ProxyHalfCloseTest : public ProxyTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ProxyHalfCloseTest, ShutdownPassesThroughEachWay) {
  if (GetParam()) {
    FaultSpec s = Spec(FaultKind::kLatency, Direction::kBoth);
    s.latency = 1;  // forces the faulted (queued) path instead of splice
    Apply(s);
  }
  Pair p = Open();
  Warm(p);
  ASSERT_TRUE(WriteAll(p.client.get(), "req"));
  shutdown(p.client.get(), SHUT_WR);
  auto r = ReadFor(p.server.get(), 0, 5000);
  EXPECT_EQ(r.data, "req");
  EXPECT_TRUE(r.eof);
  // The other direction still works after the client's half-close.
  ASSERT_TRUE(WriteAll(p.server.get(), "resp"));
  shutdown(p.server.get(), SHUT_WR);
  r = ReadFor(p.client.get(), 0, 5000);
  EXPECT_EQ(r.data, "resp");
  EXPECT_TRUE(r.eof);
}

TEST_P(ProxyHalfCloseTest, ResetPassesThroughEachWay) {
  if (GetParam()) {
    FaultSpec s = Spec(FaultKind::kLatency, Direction::kBoth);
    s.latency = 1;
    Apply(s);
  }
  Pair p = Open();
  Warm(p);
  CloseWithReset(p.client);
  EXPECT_TRUE(ReadFor(p.server.get(), 0, 5000).reset);
  Pair q = Open();
  Warm(q);
  CloseWithReset(q.server);
  EXPECT_TRUE(ReadFor(q.client.get(), 0, 5000).reset);
}

INSTANTIATE_TEST_SUITE_P(SpliceAndQueue, ProxyHalfCloseTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "queued" : "spliced"; });

TEST_F(ProxyTest, RefusedUpstreamResetsTheClient) {
  server_.Close();
  UniqueFd c = Connect(port_);
  ASSERT_TRUE(c.valid());
  auto r = ReadFor(c.get(), 0, 5000);
  EXPECT_TRUE(r.reset || r.eof);
  EXPECT_FALSE(r.timed_out);
}

TEST_F(ProxyTest, LinkErrors) {
  EXPECT_FALSE(proxy_->CreateLink(LinkConfig{"db", "127.0.0.1:0", server_.address(), true}).ok());
  EXPECT_FALSE(proxy_->CreateLink(LinkConfig{"x", "127.0.0.1:0", "no-port", true}).ok());
  EXPECT_FALSE(proxy_
                   ->CreateLink(LinkConfig{"x", "127.0.0.1:" + std::to_string(port_),
                                           server_.address(), true})
                   .ok())
      << "the port is taken";
  EXPECT_FALSE(proxy_->RemoveLink("nope").ok());
  EXPECT_TRUE(proxy_->RemoveLink("db").ok());
  EXPECT_FALSE(Connect(port_).valid());
}

TEST(ProxyCopyTest, RelaysWithoutSplice) {
  TestServer server;
  auto proxy = FaultProxy::Start(ProxyOptions{7, /*splice=*/false});
  ASSERT_TRUE(proxy.ok());
  auto info = (*proxy)->CreateLink(LinkConfig{"copy", "127.0.0.1:0", server.address(), true});
  ASSERT_TRUE(info.ok());
  Pair p{Connect(info->port), server.Accept()};
  std::string big(1 << 20, 'c');
  std::thread writer([&] { EXPECT_TRUE(WriteAll(p.server.get(), big)); });
  EXPECT_EQ(ReadFor(p.client.get(), big.size(), 10000).data, big);
  writer.join();
  shutdown(p.server.get(), SHUT_WR);
  EXPECT_TRUE(ReadFor(p.client.get(), 0, 5000).eof);
}

TEST(ProxyScaleTest, ThousandConcurrentConnectionsWithoutLeaks) {
  size_t fds_before = CountOpenFds();
  {
    TestServer server;
    auto proxy = FaultProxy::Start(ProxyOptions{7});
    ASSERT_TRUE(proxy.ok());
    auto info = (*proxy)->CreateLink(LinkConfig{"many", "127.0.0.1:0", server.address(), true});
    ASSERT_TRUE(info.ok());
    constexpr int kConns = 1000;
    std::vector<Pair> pairs(kConns);
    for (auto& p : pairs) {
      p.client = Connect(info->port);
      ASSERT_TRUE(p.client.valid()) << strerror(errno);
    }
    for (auto& p : pairs) {
      p.server = server.Accept();
      ASSERT_TRUE(p.server.valid());
    }
    auto request = [](int i) { return fmt::format("request-{:04d}", i); };
    for (int i = 0; i < kConns; ++i) ASSERT_TRUE(WriteAll(pairs[i].client.get(), request(i)));
    // Accept order may differ from connect order: echo whatever each server side got.
    for (auto& p : pairs) {
      auto r = ReadFor(p.server.get(), request(0).size(), 5000);
      ASSERT_EQ(r.data.size(), request(0).size());
      ASSERT_TRUE(WriteAll(p.server.get(), "echo:" + r.data));
    }
    for (int i = 0; i < kConns; ++i) {
      std::string want = "echo:" + request(i);
      ASSERT_EQ(ReadFor(pairs[i].client.get(), want.size(), 5000).data, want);
    }
    auto stats = (*proxy)->Stats("many");
    EXPECT_EQ(stats->accepted, static_cast<uint64_t>(kConns));
    EXPECT_EQ(stats->open, static_cast<uint64_t>(kConns));
  }
  EXPECT_EQ(CountOpenFds(), fds_before) << "every socket, pipe and loop descriptor is closed";
}

}  // namespace
}  // namespace faultline::net
