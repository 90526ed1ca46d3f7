#include "report/trace.h"

#include <gtest/gtest.h>

#include "report/report_test_util.h"

namespace faultline::report {
namespace {

using testing::HistoryScript;

HistoryTrace Fold(const HistoryScript& h) {
  properties::PropertyBook book;
  TraceBuilder b({h.index(), h.seed()}, book);
  for (const auto& e : h.events()) b.Add(e);
  return b.Finish();
}

TEST(Trace, PacksOverlappingCommandsIntoSlotsAndKeepsTheirOutcomes) {
  HistoryScript h(0, 5);
  h.Service(1, "kv").Healthy(10, "kv").Setup(20);
  h.Command(100, 500, 1, "parallel_driver_a.sh");     // slot 0
  h.Command(200, 300, 2, "parallel_driver_b.sh", 3);  // slot 1, exits 3
  h.Flush(350);
  h.Command(350, 900, 3, "anytime_c.sh", 0, "timeout");  // slot 1 again: 2 ended at 300
  h.Command(400, 450, 4, "anytime_d.sh");                // slot 2
  h.Terminal(950, "finally");
  h.End(1000, 4, "finally");
  HistoryTrace t = Fold(h);
  ASSERT_EQ(t.commands.size(), 4u);
  EXPECT_EQ(t.slots, 3);
  EXPECT_EQ(t.FindCommand(1)->slot, 0);
  EXPECT_EQ(t.FindCommand(2)->slot, 1);
  EXPECT_EQ(t.FindCommand(3)->slot, 1);
  EXPECT_EQ(t.FindCommand(4)->slot, 2);
  EXPECT_EQ(t.FindCommand(1)->outcome, CommandOutcome::kOk);
  EXPECT_EQ(t.FindCommand(2)->outcome, CommandOutcome::kFailed);
  EXPECT_EQ(t.FindCommand(2)->exit, "exit 3");
  EXPECT_EQ(t.FindCommand(3)->outcome, CommandOutcome::kTimeout);
  EXPECT_EQ(t.FindCommand(3)->exit, "SIGKILL (timeout)");
  EXPECT_EQ(t.setup_us, 20000);
  EXPECT_EQ(t.terminal_us, 950000);
  EXPECT_EQ(t.terminal, "finally");
  EXPECT_EQ(t.end_us, 1000000);
  // exit 3 fails "exits 0" (a mark); the timeout fails "Commands finish within their timeout".
  ASSERT_EQ(t.marks.size(), 2u);
  EXPECT_EQ(t.marks[0].property, "t/parallel_driver_b.sh exits 0");
  EXPECT_EQ(t.marks[0].command_id, 2);
  EXPECT_EQ(t.marks[0].source, "t/parallel_driver_b.sh #2");
  EXPECT_EQ(t.marks[1].property, properties::kCommandsFinishInTime);
}

TEST(Trace, FaultSpansSwarmAndInjectedCountsFollowTheContract) {
  HistoryScript h(2, 9);
  h.Service(1, "primary").Service(1, "replica").Setup(30);
  h.Swarm({"kill", "network", "pause"}, {"kill", "pause"});
  h.FaultBegin(100, 1, "pause", {"primary"}, {{"duration_ms", 200}});
  h.FaultHeal(300, 1, "pause", {"primary"});
  h.FaultBegin(400, 2, "kill", {"replica"}, {{"down_ms", 50}});
  h.ServiceExit(401, "replica", false);
  h.Service(450, "replica", 2);
  h.FaultHeal(450, 2, "kill", {"replica"});
  h.Add(500, EventType::kFault,
        {{"action", "failed"},
         {"id", 3},
         {"kind", "pause"},
         {"targets", {"replica"}},
         {"error", "no such process"}});
  h.FaultBegin(600, 4, "pause", {"primary"});  // never healed
  h.End(700, 0);
  HistoryTrace t = Fold(h);
  EXPECT_TRUE(t.has_swarm);
  EXPECT_TRUE(t.Enabled("pause"));
  EXPECT_FALSE(t.Enabled("network"));
  EXPECT_EQ(t.injected.at("pause"), 2);
  EXPECT_EQ(t.injected.at("kill"), 1);
  ASSERT_EQ(t.faults.size(), 4u);
  EXPECT_EQ(t.faults[0].begin_us, 100000);
  EXPECT_EQ(t.faults[0].end_us, 300000);
  EXPECT_EQ(t.faults[0].heal_reason, "planned");
  EXPECT_EQ(t.faults[0].params["duration_ms"], 200);
  EXPECT_EQ(t.faults[2].begin_us, -1);
  EXPECT_EQ(t.faults[2].error, "no such process");
  EXPECT_EQ(t.faults[3].end_us, -1);
  ASSERT_EQ(t.services.size(), 3u);
  EXPECT_TRUE(t.services[1].unexpected);
  EXPECT_EQ(t.services[2].start, 2);
  EXPECT_EQ(t.service_lanes, (std::vector<std::string>{"primary", "replica"}));
  // The unexpected exit is a property failure on the replica's lane; the failed fault a mark.
  ASSERT_GE(t.marks.size(), 2u);
  EXPECT_EQ(t.marks[0].property, properties::kNoUnexpectedServiceExits);
  EXPECT_EQ(t.marks[0].service, "replica");
  EXPECT_EQ(t.marks[1].kind, Mark::Kind::kFaultFailed);
}

TEST(Trace, CountsEachPropertyPerHistoryForAttribution) {
  HistoryScript h(0, 1);
  h.Setup(1);
  h.Command(10, 100, 1, "parallel_driver_x.sh");
  h.Assert(20, 1, "parallel_driver_x.sh", "balance >= 0", true);
  h.Assert(30, 1, "parallel_driver_x.sh", "balance >= 0", false, {{"balance", -1}});
  h.Assert(40, 1, "parallel_driver_x.sh", "sometimes seen", false, Json::object(), "sometimes");
  h.End(200, 1);
  HistoryTrace t = Fold(h);
  EXPECT_EQ(t.properties.at("balance >= 0").passes, 1u);
  EXPECT_EQ(t.properties.at("balance >= 0").failures, 1u);
  // A false Sometimes line is an evaluation, not a violation: counted, but no mark.
  EXPECT_EQ(t.properties.at("sometimes seen").failures, 1u);
  ASSERT_EQ(t.marks.size(), 1u);
  EXPECT_EQ(t.marks[0].property, "balance >= 0");
  EXPECT_EQ(t.marks[0].details["balance"], -1);
  EXPECT_EQ(t.marks[0].location["begin_line"], 7);
}

}  // namespace
}  // namespace faultline::report
