// The planner over thousands of seeds, without processes: same seed, same schedule; no fault on
// a down or busy service; every configured kind reachable; the swarm subset; partition shapes.
#include "faults/planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

namespace faultline::faults {
namespace {

constexpr int kSeeds = 2000;

FaultsConfig Config(const std::string& faults, const std::string& services = "") {
  std::string text =
      "name: x\nservices:\n  a: {command: [run], port: auto}\n  b: {command: [run], port: "
      "auto}\n  c: {command: [run], port: auto}\n" +
      services +
      "links:\n  - {from: workload, to: a}\n  - {from: a, to: b}\n  - {from: b, to: c}\n" + faults;
  auto loaded = scenario::ParseScenario(text, "scenario.yaml", "/s");
  EXPECT_TRUE(loaded.scenario) << FormatDiagnostics(loaded.errors, loaded.source);
  auto parsed = ParseFaults(loaded.partial);
  EXPECT_TRUE(parsed.errors.empty()) << FormatDiagnostics(parsed.errors);
  return parsed.config;
}

const char* kAll = R"(faults:
  kill: {targets: [a, b, c]}
  stop: {targets: [a]}
  pause: {targets: [b, c]}
  throttle: {targets: [c]}
  network: {kinds: [partition, latency, bandwidth, slicer, reset, down, timeout, packet-loss]}
  clock: {targets: [a]}
  disk: {targets: [b]}
  custom:
    promote: {command: [sh, -c, "true"]}
)";

std::vector<Flow> LoopbackFlows() {
  return {{"workload", "a"}, {"a", "workload"}, {"a", "b"}, {"b", "a"}, {"b", "c"}, {"c", "b"}};
}

std::vector<Flow> Mesh(const std::vector<std::string>& nodes) {
  std::vector<Flow> out;
  for (const auto& x : nodes) {
    for (const auto& y : nodes) {
      if (x != y) out.push_back({x, y});
    }
  }
  return out;
}

std::string Describe(const std::optional<FaultPlan>& p) {
  if (!p) return "none";
  Json j = {{"kind", p->kind->name},
            {"targets", p->targets},
            {"ms", p->duration.count()},
            {"params", p->described}};
  return j.dump();
}

TEST(Planner, SameSeedSameSchedule) {
  FaultsConfig config = Config(kAll);
  PlannerView view;
  view.flows = LoopbackFlows();
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    Planner p1(config, seed), p2(config, seed);
    ASSERT_EQ(p1.enabled(), p2.enabled());
    for (int i = 0; i < 20; ++i) {
      ASSERT_EQ(p1.NextGap(), p2.NextGap());
      ASSERT_EQ(Describe(p1.Draw(view)), Describe(p2.Draw(view))) << "seed " << seed;
    }
  }
  // And different seeds give different schedules.
  Planner a(config, 1), b(config, 2);
  std::string sa, sb;
  for (int i = 0; i < 20; ++i) {
    sa += Describe(a.Draw(view));
    sb += Describe(b.Draw(view));
  }
  EXPECT_NE(sa, sb);
}

TEST(Planner, SwarmEnablesANonEmptySubsetThatVaries) {
  FaultsConfig config = Config(kAll);
  std::map<std::string, int> enabled;
  std::set<size_t> sizes;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    Planner p(config, seed);
    ASSERT_FALSE(p.enabled().empty());
    sizes.insert(p.enabled().size());
    for (const auto* k : p.enabled()) ++enabled[k->name];
  }
  EXPECT_EQ(enabled.size(), config.kinds.size());  // every kind is on in some histories
  for (const auto& [kind, n] : enabled) {
    EXPECT_GT(n, kSeeds / 4) << kind;  // about half of them
    EXPECT_LT(n, kSeeds * 3 / 4) << kind;
  }
  EXPECT_GT(sizes.size(), 4u);
  // Any run of consecutive seeds as long as the kinds enables every kind at least once.
  for (uint64_t first = 0; first < 100; ++first) {
    std::set<std::string> covered;
    for (uint64_t seed = first; seed < first + config.kinds.size(); ++seed) {
      Planner p(config, seed);
      for (const auto* k : p.enabled()) covered.insert(k->name);
    }
    EXPECT_EQ(covered.size(), config.kinds.size()) << "seeds from " << first;
  }
  config.swarm = false;
  EXPECT_EQ(Planner(config, 7).enabled().size(), config.kinds.size());
}

TEST(Planner, EveryConfiguredKindIsReachable) {
  FaultsConfig config = Config(kAll);
  PlannerView view;
  view.flows = LoopbackFlows();
  view.can_drop_packets = true;
  std::set<std::string> kinds, network;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    Planner p(config, seed);
    for (int i = 0; i < 10; ++i) {
      auto plan = p.Draw(view);
      ASSERT_TRUE(plan);
      kinds.insert(plan->kind->name);
      if (plan->kind->name == "network") network.insert(plan->described["fault"]);
    }
  }
  EXPECT_EQ(kinds.size(), config.kinds.size());
  EXPECT_EQ(network.size(), 8u);
}

TEST(Planner, FirstDrawsCoverTheEnabledKindsLeadKindFirst) {
  FaultsConfig config = Config(kAll);
  PlannerView view;
  view.flows = LoopbackFlows();
  view.can_drop_packets = true;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    Planner p(config, seed);
    const size_t n = p.enabled().size();
    std::set<std::string> first;
    for (size_t i = 0; i < n; ++i) {
      auto plan = p.Draw(view);
      ASSERT_TRUE(plan);
      if (i == 0) {
        EXPECT_EQ(plan->kind, &config.kinds[seed % config.kinds.size()]) << "seed " << seed;
      }
      first.insert(plan->kind->name);
    }
    ASSERT_EQ(first.size(), n) << "seed " << seed << ": a kind repeated before all were drawn";
  }
  // Consecutive seeds, one decision each, inject every configured kind.
  std::set<std::string> kinds;
  for (uint64_t seed = 100; seed < 100 + config.kinds.size(); ++seed) {
    kinds.insert(Planner(config, seed).Draw(view)->kind->name);
  }
  EXPECT_EQ(kinds.size(), config.kinds.size());
}

TEST(Planner, NeverTargetsADownOrBusyService) {
  FaultsConfig config = Config(kAll);
  const std::vector<std::string> services = {"a", "b", "c"};
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    Rng world(seed);
    Planner p(config, seed);
    for (int i = 0; i < 10; ++i) {
      std::set<std::string> down;
      PlannerView view;
      view.flows = LoopbackFlows();
      for (const auto& s : services) {
        if (world.Chance(0.3)) down.insert(s);
        if (world.Chance(0.3)) view.busy.insert(s);
      }
      view.up = [&](const std::string& s) { return !down.count(s); };
      auto plan = p.Draw(view);
      if (!plan || plan->kind->row->scope != Scope::kService) continue;
      ASSERT_EQ(plan->targets.size(), 1u);
      EXPECT_FALSE(down.count(plan->targets[0])) << "seed " << seed;
      EXPECT_FALSE(view.busy.count(plan->targets[0])) << "seed " << seed;
    }
  }
}

TEST(Planner, NothingToTargetMeansNoFault) {
  FaultsConfig config = Config("faults:\n  kill: {targets: [a]}\n  pause: {targets: [b]}\n");
  PlannerView view;
  view.up = [](const std::string&) { return false; };
  for (uint64_t seed = 0; seed < 200; ++seed) EXPECT_FALSE(Planner(config, seed).Draw(view));
}

TEST(Planner, PacketLossOnlyWhereTheNetworkSeesPackets) {
  FaultsConfig config = Config("faults:\n  network: {kinds: [packet-loss]}\n");
  PlannerView view;
  view.flows = LoopbackFlows();
  EXPECT_FALSE(Planner(config, 1).Draw(view));
  view.can_drop_packets = true;
  auto plan = Planner(config, 1).Draw(view);
  ASSERT_TRUE(plan);
  double rate = std::get<NetworkParams>(plan->params).loss;
  EXPECT_GE(rate, 0.05);
  EXPECT_LE(rate, 0.3);
}

// Partitions over a full mesh of five nodes: each shape cuts what it promises.
TEST(Planner, PartitionShapesCutWhatTheyPromise) {
  FaultsConfig config = Config("faults:\n  network: {kinds: [partition]}\n",
                               "  d: {command: [run]}\n  e: {command: [run]}\n");
  std::vector<std::string> nodes = {"a", "b", "c", "d", "e"};
  PlannerView view;
  view.flows = Mesh(nodes);
  std::map<Shape, int> seen;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    auto plan = Planner(config, seed).Draw(view);
    ASSERT_TRUE(plan);
    const auto& p = std::get<NetworkParams>(plan->params);
    ++seen[p.shape];
    std::set<Flow> cut(p.flows.begin(), p.flows.end());
    ASSERT_FALSE(cut.empty());
    // Who can still send to whom.
    auto reach = [&](const std::string& x, const std::string& y) { return !cut.count({x, y}); };
    int symmetric = 0, one_way = 0;
    for (const auto& f : p.flows) (cut.count({f.to, f.from}) ? symmetric : one_way)++;
    switch (p.shape) {
      case Shape::kIsolate: {
        EXPECT_EQ(cut.size(), 8u);  // one node, both ways, to each of four others
        EXPECT_EQ(one_way, 0);
        break;
      }
      case Shape::kOneWay:
        EXPECT_EQ(cut.size(), 4u);
        EXPECT_EQ(symmetric, 0);
        break;
      case Shape::kMajority: {
        EXPECT_EQ(one_way, 0);
        // A minority of 1 or 2 nodes: 1*4*2 or 2*3*2 flows.
        EXPECT_TRUE(cut.size() == 8u || cut.size() == 12u) << cut.size();
        break;
      }
      case Shape::kBridge: {
        EXPECT_EQ(one_way, 0);
        // Some node reaches every other node: the bridge.
        bool bridge = false;
        for (const auto& x : nodes) {
          bool all = true;
          for (const auto& y : nodes) all &= x == y || (reach(x, y) && reach(y, x));
          bridge |= all;
        }
        EXPECT_TRUE(bridge) << Describe(plan);
        break;
      }
    }
  }
  EXPECT_EQ(seen.size(), 4u);
}

// In loopback mode only declared links carry traffic; a drawn partition always cuts some.
TEST(Planner, PartitionsOnLoopbackLinksAlwaysCutSomething) {
  FaultsConfig config = Config("faults:\n  network: {kinds: [partition]}\n");
  PlannerView view;
  view.flows = LoopbackFlows();
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    auto plan = Planner(config, seed).Draw(view);
    ASSERT_TRUE(plan);
    for (const auto& f : std::get<NetworkParams>(plan->params).flows) {
      EXPECT_NE(std::find(view.flows.begin(), view.flows.end(), f), view.flows.end());
    }
    EXPECT_FALSE(std::get<NetworkParams>(plan->params).flows.empty());
  }
}

TEST(Planner, DrawsStayInTheirRanges) {
  FaultsConfig config = Config(R"(faults:
  kill: {targets: [a], down: 100ms..200ms}
  throttle: {targets: [b], share: 0.1..0.2}
  clock: {targets: [c], offset: -5s..5s, duration: 1s..2s}
  network: {kinds: [latency], latency: 10ms..20ms, jitter: 1ms..2ms, duration: 3s..4s}
)");
  PlannerView view;
  view.flows = LoopbackFlows();
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    Planner p(config, seed);
    Millis gap = p.NextGap();
    EXPECT_GE(gap, Millis(2000));
    EXPECT_LE(gap, Millis(10000));
    auto plan = p.Draw(view);
    ASSERT_TRUE(plan);
    const std::string& kind = plan->kind->name;
    if (kind == "kill") {
      EXPECT_GE(plan->duration, Millis(100));
      EXPECT_LE(plan->duration, Millis(200));
    } else if (kind == "throttle") {
      double share = std::get<ThrottleParams>(plan->params).share;
      EXPECT_GE(share, 0.1);
      EXPECT_LE(share, 0.2);
    } else if (kind == "clock") {
      Millis offset = std::get<ClockParams>(plan->params).offset;
      EXPECT_GE(offset, Millis(-5000));
      EXPECT_LE(offset, Millis(5000));
    } else if (kind == "network") {
      const auto& spec = std::get<NetworkParams>(plan->params).spec;
      EXPECT_GE(spec.latency, 10);
      EXPECT_LE(spec.latency, 20);
      EXPECT_GE(plan->duration, Millis(3000));
    }
  }
}

}  // namespace
}  // namespace faultline::faults
