#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/report_test_util.h"

namespace faultline::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Summary, OutsideTextCannotDriveTheTerminalAndFaultsArePrintedPerKind) {
  testing::HistoryScript h(0, 1);
  h.Setup(1).Swarm({"kill", "pause", "disk"}, {"kill", "pause", "disk"});
  h.FaultBegin(2, 1, "kill", {"kv"}).FaultHeal(3, 1, "kill", {"kv"});
  h.FaultBegin(4, 2, "kill", {"kv"}).FaultHeal(5, 2, "kill", {"kv"});
  h.FaultBegin(6, 3, "pause", {"kv"}).FaultHeal(7, 3, "pause", {"kv"});
  // Disk faults count the calls they failed in their heal events.
  h.FaultBegin(8, 4, "disk", {"kv"})
      .FaultHeal(9, 4, "disk", {"kv"}, "planned", {{"failed_calls", 12}});
  h.FaultBegin(10, 5, "disk", {"kv"})
      .FaultHeal(11, 5, "disk", {"kv"}, "planned", {{"failed_calls", 0}});
  h.Command(10, 20, 1, "parallel_driver_x.sh");
  h.Assert(15, 1, "parallel_driver_x.sh", "evil \x1b]0;owned\x07\x1b[2J", false,
           {{"v", "\x1b[31mred"}});
  h.End(30, 1);
  properties::PropertyBook book;
  Report r;
  r.meta = testing::TestMeta("/runs/\x1b[Kx", 1, 1);
  TraceBuilder t({0, 1}, book);
  for (const auto& e : h.events()) t.Add(e);
  r.traces.push_back(t.Finish());
  r.histories.push_back({.index = 0, .seed = 1, .outcome = "completed", .invocations = 1});
  r.book = &book;
  char* buf = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buf, &size);
  PrintSummary(out, r, /*color=*/false);
  std::fclose(out);
  std::string text(buf, size);
  free(buf);
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, Not(HasSubstr("\x07")));
  EXPECT_THAT(text, HasSubstr("FAIL  evil \\x1b]0;owned\\x07\\x1b[2J  [Always]"));
  EXPECT_THAT(text, HasSubstr("details: {\"v\":\"\\u001b[31mred\"}"));
  EXPECT_THAT(text, HasSubstr("faults injected: disk 2 (12 calls failed), kill 2, pause 1\n"));
  EXPECT_THAT(text, HasSubstr("report: /runs/\\x1b[Kx/report.json"));
  EXPECT_THAT(ReportJson(r)["summary"]["faults_injected"],
              Json({{"disk", 2}, {"kill", 2}, {"pause", 1}}));
  EXPECT_THAT(ReportJson(r)["summary"]["fault_calls_failed"], Json({{"disk", 12}}));
}

}  // namespace
}  // namespace faultline::report
