// The fault catalog reads `faults:` into typed configurations and reports every error with
// scenario.yaml:LINE:COL and what was expected.
#include "faults/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faultline::faults {
namespace {

using ::testing::HasSubstr;

constexpr const char* kServices = R"(name: x
services:
  primary: {command: [run], port: auto}
  replica: {command: [run], port: auto}
links:
  - {from: replica, to: primary}
  - {from: workload, to: primary}
)";

FaultsParse Parse(const std::string& faults) {
  auto loaded = scenario::ParseScenario(std::string(kServices) + faults, "scenario.yaml", "/s");
  EXPECT_TRUE(loaded.errors.empty()) << FormatDiagnostics(loaded.errors, loaded.source);
  return ParseFaults(loaded.partial);
}

std::string Errors(const FaultsParse& p) {
  std::string out;
  for (const auto& d : p.errors) out += FormatDiagnostic(d) + "\n";
  return out;
}

TEST(FaultCatalog, EveryKindIsARow) {
  std::vector<std::string> names;
  for (const auto& row : Catalog()) {
    names.emplace_back(row.name);
    EXPECT_TRUE(row.parse && row.plan && row.inject) << row.name;
    EXPECT_FALSE(row.keys.empty()) << row.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"kill", "stop", "pause", "throttle", "network",
                                             "clock", "disk", "custom"}));
}

TEST(FaultCatalog, TheDocumentedSectionParses) {
  auto p = Parse(R"(faults:
  interval: 1s..3s
  swarm: false
  kill:     {targets: [primary, replica], down: 0s..5s}
  stop:     {targets: [replica], down: 1s..5s}
  pause:    {targets: primary, duration: 200ms..3s}
  throttle: {targets: [primary], share: 0.05..0.5, duration: 1s..5s}
  network:
    links: [replica->primary]
    kinds: [partition, latency, bandwidth, slicer, reset, down, timeout]
    partitions: [isolate, one-way]
    duration: 1s..8s
    latency: 50ms..500ms
    jitter: 0ms..50ms
    bandwidth: 8..512
  clock:    {targets: [replica], offset: -120s..120s, duration: 2s..10s}
  disk:     {targets: [primary], kinds: [fsync-eio, write-enospc, read-eio], probability: 0.01..0.2}
  custom:
    restart-subscription:
      command: [sh, -c, "true"]
      heal: [sh, -c, "true"]
      duration: 1s..2s
      timeout: 5s
)");
  ASSERT_TRUE(p.errors.empty()) << Errors(p);
  const FaultsConfig& c = p.config;
  EXPECT_EQ(c.interval.lo, Millis(1000));
  EXPECT_FALSE(c.swarm);
  EXPECT_EQ(c.Names(), (std::vector<std::string>{"kill", "stop", "pause", "throttle", "network",
                                                 "clock", "disk", "restart-subscription"}));
  EXPECT_EQ(c.Find("kill")->Get<ProcessConfig>().targets.size(), 2u);
  EXPECT_EQ(c.Find("pause")->Get<ProcessConfig>().targets, std::vector<std::string>{"primary"});
  EXPECT_EQ(c.Find("pause")->Get<ProcessConfig>().duration.lo, Millis(200));
  EXPECT_DOUBLE_EQ(c.Find("throttle")->Get<ThrottleConfig>().share.hi, 0.5);
  const auto& n = c.Find("network")->Get<NetworkConfig>();
  EXPECT_EQ(n.links, std::vector<std::string>{"replica->primary"});
  EXPECT_EQ(n.kinds.size(), 7u);
  EXPECT_EQ(n.shapes, (std::vector<Shape>{Shape::kIsolate, Shape::kOneWay}));
  EXPECT_EQ(n.bandwidth.hi, 512);
  EXPECT_EQ(c.Find("clock")->Get<ClockConfig>().offset.lo, Millis(-120000));
  const auto& d = c.Find("disk")->Get<DiskConfig>();
  EXPECT_EQ(d.kinds.size(), 3u);
  EXPECT_DOUBLE_EQ(d.probability.lo, 0.01);
  const KindConfig* custom = c.Find("restart-subscription");
  ASSERT_NE(custom, nullptr);
  EXPECT_EQ(custom->row->name, "custom");
  EXPECT_EQ(custom->Get<CustomConfig>().heal.size(), 3u);
  EXPECT_EQ(custom->Get<CustomConfig>().timeout, Millis(5000));
  EXPECT_EQ(custom->pos.line, 26);
}

TEST(FaultCatalog, NoSectionNoFaults) {
  auto p = Parse("");
  EXPECT_TRUE(p.errors.empty());
  EXPECT_FALSE(p.config.any());
}

TEST(FaultCatalog, BadInputIsAnErrorAtItsLineAndColumn) {
  auto p = Parse(R"(faults:
  interval: 1ms
  kil: {targets: [primary]}
  kill: {targets: [primray], down: 5s..1s, dwon: 1s}
  pause: {duration: 1s}
  throttle: {targets: [primary], share: 0..2}
  network: {links: [replica->primay], kinds: [partitoin], nodes: [nobody], partitions: [ring]}
  disk: {targets: [primary], probability: 2, kinds: [fsync-eoi]}
  clock: {targets: [replica], offset: 10s..-10s}
  custom:
    promote: {command: [/nonexistent/promote.sh]}
    kill: {command: [true]}
    Bad_Name: {command: [true]}
    nothing: {heal: [true]}
)");
  std::string e = Errors(p);
  EXPECT_THAT(e, HasSubstr("scenario.yaml:9:13: error: faults interval must be at least 10ms"));
  EXPECT_THAT(e, HasSubstr("scenario.yaml:10:3: error: unknown key 'kil' in faults (did you mean "
                           "'kill'?)"));
  EXPECT_THAT(e, HasSubstr("scenario.yaml:11:20: error: the kill fault targets 'primray', which "
                           "is not a service (did you mean 'primary'?)"));
  EXPECT_THAT(e, HasSubstr("11:36: error: kill down: range '5s..1s' ends before it starts"));
  EXPECT_THAT(e, HasSubstr("11:44: error: unknown key 'dwon' in the kill fault (did you mean "
                           "'down'?)"));
  EXPECT_THAT(e, HasSubstr("12:10: error: the pause fault needs 'targets'"));
  EXPECT_THAT(e, HasSubstr("13:41: error: throttle share must be a number or a range"));
  EXPECT_THAT(e, HasSubstr("14:21: error: the network fault names the link 'replica->primay', "
                           "which is not declared (did you mean 'replica->primary'?)"));
  EXPECT_THAT(e, HasSubstr("unknown network fault kind 'partitoin' (did you mean 'partition'?)"));
  EXPECT_THAT(e, HasSubstr("the network fault names the node 'nobody'"));
  EXPECT_THAT(e, HasSubstr("unknown partition shape 'ring'"));
  EXPECT_THAT(e, HasSubstr("15:43: error: disk fault probability must be"));
  EXPECT_THAT(e, HasSubstr("unknown disk fault kind 'fsync-eoi' (did you mean 'fsync-eio'?)"));
  EXPECT_THAT(e, HasSubstr("16:39: error: clock offset: range '10s..-10s' ends before it starts"));
  EXPECT_THAT(e, HasSubstr("18:25: error: command of the custom fault 'promote': "
                           "'/nonexistent/promote.sh' is not a program that can be run"));
  EXPECT_THAT(e, HasSubstr("19:5: error: 'kill' is a built-in fault kind"));
  EXPECT_THAT(e, HasSubstr("20:5: error: 'Bad_Name' cannot name a custom fault"));
  EXPECT_THAT(e, HasSubstr("the custom fault 'nothing' needs a 'command'"));
}

TEST(FaultCatalog, ErrorsOfTheLoaderAndTheCatalogComeTogether) {
  auto loaded = scenario::ParseScenario(
      "name: x\nservices:\n  a: {command: [run], stop_signal: SIGNOPE}\nfaults:\n  kill: "
      "{targets: [b]}\n",
      "scenario.yaml", "/s");
  ASSERT_FALSE(loaded.scenario);
  auto p = ParseFaults(loaded.partial);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_THAT(p.errors[0].message, HasSubstr("targets 'b', which is not a service"));
  EXPECT_EQ(p.errors[0].line, 5);
}

}  // namespace
}  // namespace faultline::faults
