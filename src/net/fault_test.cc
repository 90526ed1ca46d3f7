// Unit tests of fault specs: attribute parsing, validation and rendering, and of the relay's
// shaping of bytes into timed segments (no sockets).
#include "net/fault.h"

#include <gtest/gtest.h>

#include "net/relay.h"

namespace faultline::net {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

TEST(NetFaultSpecTest, ParsesEachKindsAttributes) {
  auto latency = SpecFromAttributes(FaultKind::kLatency, json{{"latency", 100}, {"jitter", 5}});
  ASSERT_TRUE(latency.ok()) << latency.error();
  EXPECT_EQ(latency->latency, 100);
  EXPECT_EQ(latency->jitter, 5);
  auto slicer = SpecFromAttributes(FaultKind::kSlicer, json{{"average_size", 64}});
  ASSERT_TRUE(slicer.ok());
  EXPECT_EQ(slicer->size_variation, 0) << "optional attributes default to 0";
  auto reset = SpecFromAttributes(FaultKind::kResetPeer, json::object());
  ASSERT_TRUE(reset.ok()) << "reset_peer's timeout is optional";
  auto down = SpecFromAttributes(FaultKind::kDown, nullptr);
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(AttributesJson(*latency), (json{{"latency", 100}, {"jitter", 5}}));
  EXPECT_EQ(AttributesJson(*down), json::object());
  auto whole = SpecFromAttributes(FaultKind::kBandwidth, json{{"rate", 10.0}});
  ASSERT_TRUE(whole.ok()) << "a float with no fraction is a whole number";
}

TEST(NetFaultSpecTest, ErrorsNameWhatWasWrong) {
  auto missing = SpecFromAttributes(FaultKind::kLatency, json{{"jitter", 5}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "missing required attribute 'latency' for latency");
  auto unknown = SpecFromAttributes(FaultKind::kLatency, json{{"latency", 1}, {"jiter", 5}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("did you mean 'jitter'"), std::string::npos) << unknown.error();
  auto negative = SpecFromAttributes(FaultKind::kLimitData, json{{"bytes", -1}});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().find("negative"), std::string::npos);
  EXPECT_FALSE(SpecFromAttributes(FaultKind::kBandwidth, json{{"rate", "fast"}}).ok());
  EXPECT_FALSE(SpecFromAttributes(FaultKind::kBandwidth, json{{"rate", 1.5}}).ok());
  EXPECT_FALSE(SpecFromAttributes(FaultKind::kBandwidth, json{{"rate", 1e300}}).ok());
  EXPECT_FALSE(SpecFromAttributes(FaultKind::kLatency, json::array()).ok());
  EXPECT_FALSE(
      SpecFromAttributes(FaultKind::kSlicer, json{{"average_size", 8}, {"size_variation", 8}})
          .ok());
  auto kind = ParseKind("latncy");
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.error().find("did you mean 'latency'"), std::string::npos);
  EXPECT_FALSE(ParseDirection("sideways").ok());
  EXPECT_EQ(*ParseDirection("both"), Direction::kBoth);
}

// A time near INT64_MAX would overflow the steady clock's nanoseconds and act as zero: every
// attribute has a bound, and a value past it is refused with the bound named.
TEST(NetFaultSpecTest, ValuesThatWouldOverflowAreRefused) {
  const int64_t big = INT64_MAX;
  for (auto [kind, name] :
       std::vector<std::pair<FaultKind, std::string>>{{FaultKind::kLatency, "latency"},
                                                      {FaultKind::kTimeout, "timeout"},
                                                      {FaultKind::kSlowClose, "delay"},
                                                      {FaultKind::kBandwidth, "rate"},
                                                      {FaultKind::kSlicer, "average_size"}}) {
    for (int64_t v : {big, big - 1, big / 1000, int64_t{1} << 62}) {
      auto spec = SpecFromAttributes(kind, json{{name, v}});
      ASSERT_FALSE(spec.ok()) << name << "=" << v;
      EXPECT_NE(spec.error().find("must be at most"), std::string::npos) << spec.error();
    }
  }
  auto jitter = SpecFromAttributes(FaultKind::kLatency, json{{"latency", 1}, {"jitter", big}});
  EXPECT_FALSE(jitter.ok());
  EXPECT_FALSE(SpecFromAttributes(FaultKind::kLatency, json{{"latency", 9.1e18}}).ok());
  EXPECT_TRUE(SpecFromAttributes(FaultKind::kLatency, json{{"latency", 360000000000}}).ok());
  EXPECT_TRUE(SpecFromAttributes(FaultKind::kLimitData, json{{"bytes", big}}).ok());
}

TEST(NetFaultSpecTest, MergeKeepsOtherAttributes) {
  auto spec = SpecFromAttributes(FaultKind::kLatency, json{{"latency", 100}, {"jitter", 5}});
  ASSERT_TRUE(MergeAttributes(*spec, json{{"latency", 7}}).ok());
  EXPECT_EQ(spec->latency, 7);
  EXPECT_EQ(spec->jitter, 5);
}

ToxicState Toxic(FaultKind kind, Clock::time_point now) {
  ToxicState t;
  t.spec.kind = kind;
  t.attached = now;
  t.cursor = now;
  t.rng = Rng(1);
  return t;
}

TEST(NetShapingTest, LatencyDelaysAndKeepsOrder) {
  auto now = Clock::now();
  Flow f;
  f.toxics.push_back(Toxic(FaultKind::kLatency, now));
  f.toxics[0].spec.latency = 100;
  f.toxics[0].spec.jitter = 50;
  Clock::time_point last{};
  for (int i = 0; i < 100; ++i) IngestBytes(f, "x", now);
  ASSERT_EQ(f.queue.size(), 100u);
  for (const auto& s : f.queue) {
    EXPECT_GE(s.due, now + milliseconds(50));
    EXPECT_LE(s.due, now + milliseconds(150));
    EXPECT_GE(s.due, last) << "jitter must not reorder bytes";
    last = s.due;
  }
  EXPECT_EQ(EofDue(f, now), std::max(now + milliseconds(100), last));
}

TEST(NetShapingTest, BandwidthPacesAtTheRate) {
  auto now = Clock::now();
  Flow f;
  f.toxics.push_back(Toxic(FaultKind::kBandwidth, now));
  f.toxics[0].spec.rate = 10;  // 10 KB/s: 10,000 bytes take one second
  IngestBytes(f, std::string(10000, 'b'), now);
  EXPECT_EQ(f.queued, 10000u);
  EXPECT_GT(f.queue.size(), 50u) << "paced in small pieces";
  EXPECT_EQ(f.queue.back().due, now + milliseconds(1000));
}

TEST(NetShapingTest, SlicerCutsAroundTheAverage) {
  auto now = Clock::now();
  Flow f;
  f.toxics.push_back(Toxic(FaultKind::kSlicer, now));
  f.toxics[0].spec.average_size = 10;
  f.toxics[0].spec.size_variation = 3;
  f.toxics[0].spec.delay = 1000;
  IngestBytes(f, std::string(1000, 's'), now);
  size_t total = 0;
  for (size_t i = 0; i < f.queue.size(); ++i) {
    EXPECT_LE(f.queue[i].data.size(), 13u);
    EXPECT_GE(f.queue[i].data.size(), 1u);
    EXPECT_EQ(f.queue[i].due, now + std::chrono::microseconds(1000 * i));
    total += f.queue[i].data.size();
  }
  EXPECT_EQ(total, 1000u);
}

TEST(NetShapingTest, LimitDataCutsAndCloses) {
  auto now = Clock::now();
  Flow f;
  f.toxics.push_back(Toxic(FaultKind::kLimitData, now));
  f.toxics[0].spec.bytes = 15;
  IngestBytes(f, std::string(10, 'a'), now);
  IngestBytes(f, std::string(10, 'b'), now);
  ASSERT_EQ(f.queue.size(), 2u);
  EXPECT_EQ(f.queue[1].data, std::string(5, 'b'));
  EXPECT_TRUE(f.queue[1].close_after);
  EXPECT_TRUE(f.toxics[0].exhausted);
}

TEST(NetShapingTest, TimeoutHoldsAndSlowCloseDelaysEof) {
  auto now = Clock::now();
  Flow f;
  f.toxics.push_back(Toxic(FaultKind::kSlowClose, now));
  f.toxics[0].spec.delay = 300;
  EXPECT_EQ(EofDue(f, now), now + milliseconds(300));
  EXPECT_FALSE(Holds(f));
  f.toxics.push_back(Toxic(FaultKind::kTimeout, now));
  EXPECT_TRUE(Holds(f));
  // What was read before the timeout came stays queued: a timeout loses nothing.
  IngestBytes(f, "kept", now);
  ASSERT_EQ(f.queue.size(), 1u);
  EXPECT_EQ(f.queue[0].data, "kept");
}

}  // namespace
}  // namespace faultline::net
