#include "report/analysis.h"

#include <gtest/gtest.h>

#include "report/report_test_util.h"

namespace faultline::report {
namespace {

using testing::HistoryScript;

// A report over `histories`, folded as Rebuild folds them.
struct Built {
  properties::PropertyBook book;
  Report r;
  explicit Built(const std::vector<HistoryScript>& histories) {
    for (const auto& h : histories) {
      TraceBuilder t({h.index(), h.seed()}, book);
      for (const auto& e : h.events()) t.Add(e);
      r.traces.push_back(t.Finish());
      r.histories.push_back({.index = h.index(), .seed = h.seed(), .outcome = "completed"});
    }
    r.book = &book;
  }
  PropertyAnalysis Of(const std::string& id) { return Analyze(r, *book.Find(id)); }
};

HistoryScript WithKinds(int i, std::vector<std::string> enabled, bool fails, bool faulted = true,
                        std::string tmpl = "t") {
  HistoryScript h(i, 100 + static_cast<uint64_t>(i), std::move(tmpl));
  h.Setup(1).Swarm({"kill", "network", "pause"}, enabled);
  if (faulted) h.FaultBegin(5, 1, enabled[0], {"kv"}).FaultHeal(8, 1, enabled[0], {"kv"});
  h.Command(10, 100, 1, "parallel_driver_x.sh");
  h.Assert(20, 1, "parallel_driver_x.sh", "durable", true);
  if (fails) h.Assert(30, 1, "parallel_driver_x.sh", "durable", false);
  return h.End(200, 1);
}

TEST(Analysis, SaysWhichFaultKindAFailureNeeds) {
  Built b({WithKinds(0, {"pause"}, true), WithKinds(1, {"kill", "pause"}, true),
           WithKinds(2, {"kill"}, false), WithKinds(3, {"network"}, false),
           WithKinds(4, {"pause", "network"}, false), WithKinds(5, {"kill", "network"}, false)});
  PropertyAnalysis a = b.Of("durable");
  EXPECT_EQ(a.histories_failed, 2);
  EXPECT_EQ(a.histories_passed, 4);
  EXPECT_EQ(a.failing_with_swarm, 2);
  EXPECT_EQ(a.passing_with_swarm, 4);
  EXPECT_EQ(a.required, (std::vector<std::string>{"pause"}));
  EXPECT_EQ(a.attribution_text,
            "fails only when pause is on (on in all 2 failing histories; off in 3 of 4 passing)");
  ASSERT_EQ(a.kinds.size(), 3u);
  EXPECT_EQ(a.kinds[0].kind, "kill");
  EXPECT_EQ(a.kinds[0].failing_on, 1);
  EXPECT_EQ(a.kinds[0].passing_on, 2);
  EXPECT_EQ(a.kinds[2].kind, "pause");
  EXPECT_EQ(a.kinds[2].failing_on, 2);
  EXPECT_EQ(a.kinds[2].passing_on, 1);
  // It passed in 4 of 6 histories: a rare failure, a likely real bug.
  EXPECT_EQ(a.hint, Hint::kRare);
  EXPECT_EQ(a.hint_text,
            "fails rarely (in 2 of 6 histories, 2 of 8 evaluations): a likely real bug");
}

// Histories of another template run other code: their kinds neither clear nor blame one.
TEST(Analysis, OnlyHistoriesOfAFailingTemplateAreComparedWith) {
  Built b({WithKinds(0, {"pause"}, true), WithKinds(1, {"kill"}, false, true, "other"),
           WithKinds(2, {"network"}, false, true, "other"),
           WithKinds(3, {"kill", "pause"}, false)});
  PropertyAnalysis a = b.Of("durable");
  EXPECT_EQ(a.histories_passed, 3);  // the hint still counts every history
  EXPECT_EQ(a.passing_with_swarm, 1);
  EXPECT_TRUE(a.required.empty());
  EXPECT_EQ(a.attribution_text,
            "pause is on in every failing history and in every passing one too: no kind tells "
            "them apart");
  Built alone({WithKinds(0, {"pause"}, true), WithKinds(1, {"kill"}, false, true, "other")});
  EXPECT_EQ(alone.Of("durable").attribution_text,
            "no passing history of the same template to compare with");
  Built one({WithKinds(0, {"pause"}, true), WithKinds(1, {"kill"}, false)});
  EXPECT_EQ(one.Of("durable").attribution_text,
            "fails only when pause is on (on in the one failing history; off in 1 of 1 passing)");
}

TEST(Analysis, AFailureWithoutFaultsIsNotBlamedOnThem) {
  Built b({WithKinds(0, {"pause"}, true, /*faulted=*/false), WithKinds(1, {"pause"}, true),
           WithKinds(2, {"kill"}, false)});
  PropertyAnalysis a = b.Of("durable");
  EXPECT_EQ(a.failing_without_faults, 1);
  EXPECT_EQ(a.attribution_text, "fails without faults: 1 of 2 failing histories injected no fault");
}

TEST(Analysis, NoKindExplainsAFailureSeenWithEachKindOff) {
  Built b({WithKinds(0, {"pause"}, true), WithKinds(1, {"kill"}, true),
           WithKinds(2, {"kill", "pause"}, false)});
  EXPECT_EQ(b.Of("durable").attribution_text,
            "no fault kind explains it: it failed with each kind off at least once");
  EXPECT_EQ(b.Of("durable").hint, Hint::kOften);
}

TEST(Analysis, APropertyThatNeverPassedPointsAtTheWorkload) {
  HistoryScript h(0, 1);
  h.Setup(1).Command(10, 100, 1, "parallel_driver_x.sh", 2);
  h.Assert(20, 1, "parallel_driver_x.sh", "configured", false);
  h.End(200, 1);
  Built b({h});
  PropertyAnalysis a = b.Of("configured");
  EXPECT_EQ(a.hint, Hint::kNeverPassed);
  EXPECT_EQ(a.hint_text,
            "never passed (1 failing evaluation(s) in 1 history): look at the workload or setup "
            "before suspecting a rare bug");
  // No swarm subset was recorded (no faults configured): attribution says nothing.
  EXPECT_TRUE(a.attribution_text.empty());
  EXPECT_TRUE(a.kinds.empty());
  EXPECT_EQ(b.Of("t/parallel_driver_x.sh exits 0").hint, Hint::kNeverPassed);
}

}  // namespace
}  // namespace faultline::report
