#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/temp_dir.h"
#include "report/logs.h"
#include "report/report_test_util.h"

namespace faultline::report {
namespace {

using ::testing::HasSubstr;
using testing::HistoryScript;

// History `seed` of one run: "rare" fails in seeds divisible by 3, pause on in odd seeds.
HistoryScript History(int index, uint64_t seed) {
  HistoryScript h(index, seed, "counter");
  bool pause = seed % 2 == 1;
  h.Service(1, "kv").Healthy(5, "kv").Setup(10);
  h.Swarm({"kill", "pause"},
          pause ? std::vector<std::string>{"pause"} : std::vector<std::string>{"kill"});
  h.FaultBegin(20, 1, pause ? "pause" : "kill", {"kv"})
      .FaultHeal(40, 1, pause ? "pause" : "kill", {"kv"});
  h.Command(50, 150, 1, "parallel_driver_x.sh");
  h.Assert(60, 1, "parallel_driver_x.sh", "rare", seed % 3 != 0, {{"seed", seed}});
  h.Assert(70, 1, "parallel_driver_x.sh", "always fine", true);
  h.ServiceExit(200, "kv", true, "SIGTERM");
  return h.End(210, 1);
}

class RebuildTest : public ::testing::Test {
 protected:
  // A run folder holding the histories of `seeds`, indexed from 0.
  std::string Run(const std::string& name, std::vector<uint64_t> seeds) {
    std::string dir = tmp_ + "/" + name;
    EXPECT_TRUE(MakeDirs(dir).ok());
    RunMeta meta = testing::TestMeta(dir, seeds[0], static_cast<int>(seeds.size()));
    meta.seeds = DescribeSeeds(seeds);
    testing::WriteRunJson(meta);
    for (size_t i = 0; i < seeds.size(); ++i) {
      testing::WriteHistory(dir, History(static_cast<int>(i), seeds[i]));
    }
    return dir;
  }
  // report.json without what names folders, which differ between runs by construction.
  static Json WithoutFolders(Json j) {
    j.erase("run");
    for (auto& h : j["histories"]) {
      h.erase("dir");
      h.erase("run_dir");
    }
    for (auto& p : j["properties"]) {
      for (const char* ex : {"first_pass", "first_fail"}) {
        if (p[ex].is_object()) {
          p[ex].erase("dir");
          p[ex].erase("run_dir");
        }
      }
    }
    return j;
  }
  TempDir dir_{"rebuild-test"};
  const std::string tmp_ = dir_.path();
};

TEST_F(RebuildTest, AMergedReportEqualsTheReportOfOneRunOverTheSameSeeds) {
  std::string whole = Run("whole", {100, 101, 102, 103, 104, 105});
  // Split across two machines by seed range, the second listed first.
  std::string a = Run("a", {100, 101, 102});
  std::string b = Run("b", {103, 104, 105});
  properties::PropertyBook whole_book, merged_book;
  auto one = Rebuild(whole, whole_book);
  ASSERT_TRUE(one.ok()) << one.error();
  std::vector<std::string> runs = {b, a};
  auto merged = Merge(runs, tmp_ + "/merged", merged_book);
  ASSERT_TRUE(merged.ok()) << merged.error();
  EXPECT_EQ(WithoutFolders(ReportJson(*merged)), WithoutFolders(ReportJson(*one)));

  // Counts add up, seeds are kept, and examples keep the folder of the run they came from.
  const properties::Property* rare = merged_book.Find("rare");
  ASSERT_NE(rare, nullptr);
  EXPECT_EQ(rare->failures, 2u);  // seeds 102 and 105
  EXPECT_EQ(rare->passes, 4u);
  ASSERT_TRUE(rare->first_fail);
  EXPECT_EQ(rare->first_fail->seed, 102u);
  EXPECT_EQ(rare->first_fail->history, 2);
  Json j = ReportJson(*merged);
  const Json* p = nullptr;
  for (const auto& prop : j["properties"]) {
    if (prop["id"] == "rare") p = &prop;
  }
  ASSERT_NE(p, nullptr);
  EXPECT_EQ((*p)["first_fail"]["run_dir"], a);
  EXPECT_EQ((*p)["first_fail"]["dir"], a + "/h002-seed102");
  EXPECT_EQ((*p)["first_fail"]["replay"], "faultline run scenarios/kv --seed 102 --duration 10s");
  ASSERT_EQ(j["histories"].size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(j["histories"][i]["seed"], 100 + i);
    EXPECT_EQ(j["histories"][i]["index"], i);
    EXPECT_EQ(j["histories"][i]["run_dir"], i < 3 ? a : b);
  }
  EXPECT_EQ(j["run"]["seeds"], "100-105");
  EXPECT_EQ(j["run"]["merged_from"], Json::array({b, a}));
  EXPECT_EQ(j["summary"]["faults_injected"], Json({{"kill", 3}, {"pause", 3}}));
  // The merge's attribution sees both runs: "rare" failed in 102 (kill) and 105 (pause).
  EXPECT_EQ((*p)["attribution"]["text"],
            "no fault kind explains it: it failed with each kind off at least once");
  // A merged folder rebuilds by merging again.
  ASSERT_TRUE(MakeDirs(tmp_ + "/merged").ok());
  ASSERT_TRUE(WriteFileAtomic(tmp_ + "/merged/run.json", MetaJson(merged->meta).dump()).ok());
  properties::PropertyBook again_book;
  auto again = Rebuild(tmp_ + "/merged", again_book);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(ReportJson(*again), ReportJson(*merged));
}

// The reader skips the payload of passes the book no longer needs: the book it builds is the one
// that every event, whole, would build (counts, examples with their details and location, the
// location of a property first seen without one).
TEST_F(RebuildTest, SkippingPayloadsBuildsTheSameBookAsEveryEventWhole) {
  std::string dir = tmp_ + "/whole";
  ASSERT_TRUE(MakeDirs(dir).ok());
  std::vector<uint64_t> seeds = {3, 4, 5, 6, 7, 9};
  RunMeta meta = testing::TestMeta(dir, seeds[0], static_cast<int>(seeds.size()));
  meta.seeds = DescribeSeeds(seeds);
  testing::WriteRunJson(meta);
  for (size_t i = 0; i < seeds.size(); ++i) {
    HistoryScript h = History(static_cast<int>(i), seeds[i]);
    // A property whose first lines have no location, and passes with details that differ.
    for (int k = 0; k < 4; ++k) {
      Json a = {{"id", "late location"},
                {"message", "late location"},
                {"hit", true},
                {"condition", k != 2 || seeds[i] != 5},
                {"must_hit", true},
                {"assert_type", "always"},
                {"display_type", "Always"},
                {"details", {{"k", k}, {"seed", seeds[i]}}}};
      if (i > 0 || k == 3) a["location"] = {{"file", "f"}, {"begin_line", 10 + k}};
      h.Add(80 + k, EventType::kAssert,
            {{"command", "counter/parallel_driver_x.sh"}, {"id", 1}, {"assert", a}});
    }
    testing::WriteHistory(dir, h);
  }
  properties::PropertyBook rebuilt;
  ASSERT_TRUE(Rebuild(dir, rebuilt));
  properties::PropertyBook whole;
  for (size_t i = 0; i < seeds.size(); ++i) {
    auto t = ReadTimeline(fmt::format("{}/h{:03}-seed{}/timeline.jsonl", dir, i, seeds[i]));
    ASSERT_TRUE(t);
    for (const Event& e : t->events) whole.Add({static_cast<int>(i), seeds[i]}, e);
  }
  auto example = [](const std::optional<properties::Example>& e) {
    return e ? Json{{"history", e->history},   {"seed", e->seed},
                    {"source", e->source},     {"t", e->t},
                    {"location", e->location}, {"details", e->details}}
             : Json();
  };
  ASSERT_EQ(rebuilt.Sorted().size(), whole.Sorted().size());
  for (const properties::Property* p : whole.Sorted()) {
    const properties::Property* r = rebuilt.Find(p->id);
    ASSERT_NE(r, nullptr) << p->id;
    EXPECT_EQ(r->hits, p->hits) << p->id;
    EXPECT_EQ(r->passes, p->passes) << p->id;
    EXPECT_EQ(r->failures, p->failures) << p->id;
    EXPECT_EQ(r->location, p->location) << p->id;
    EXPECT_EQ(example(r->first_pass), example(p->first_pass)) << p->id;
    EXPECT_EQ(example(r->first_fail), example(p->first_fail)) << p->id;
  }
  const properties::Property* late = rebuilt.Find("late location");
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(late->location["begin_line"], 13);
  EXPECT_EQ(late->first_fail->details["seed"], 5);
}

TEST_F(RebuildTest, MergeRefusesRunsOfAnotherScenario) {
  std::string a = Run("a", {1});
  std::string b = Run("b", {2});
  RunMeta other = testing::TestMeta(b, 2, 1);
  other.scenario_name = "other";
  testing::WriteRunJson(other);
  properties::PropertyBook book;
  std::vector<std::string> runs = {a, b};
  auto r = Merge(runs, tmp_ + "/m", book);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("ran scenario 'other'"));
  std::vector<std::string> missing = {a, tmp_ + "/nope"};
  EXPECT_THAT(Merge(missing, tmp_ + "/m", book).error(),
              HasSubstr("is not a faultline run folder"));
}

TEST_F(RebuildTest, HistoriesAreReadInIndexOrderBeyondAThousand) {
  std::string dir = tmp_ + "/big";
  ASSERT_TRUE(MakeDirs(dir).ok());
  testing::WriteRunJson(testing::TestMeta(dir, 0, 2));
  testing::WriteHistory(dir, History(1000, 1000));
  testing::WriteHistory(dir, History(101, 101));
  properties::PropertyBook book;
  auto r = Rebuild(dir, book);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->histories.size(), 2u);
  EXPECT_EQ(r->histories[0].index, 101);
  EXPECT_EQ(r->histories[1].index, 1000);
}

TEST_F(RebuildTest, ReplaysAreCountedFromTheReplayFolders) {
  std::string dir = Run("r", {3, 4});
  // Seed 3 failed "rare"; it was replayed twice, failing again once.
  for (int k = 1; k <= 2; ++k) {
    HistoryScript h(0, 3, "counter");
    h.Setup(1).Command(10, 20, 1, "parallel_driver_x.sh");
    h.Assert(15, 1, "parallel_driver_x.sh", "rare", k == 2);
    h.End(30, 1);
    std::string replay = fmt::format("{}/replays/seed3-{}", dir, k);
    ASSERT_TRUE(MakeDirs(replay).ok());
    Timeline t;
    ASSERT_TRUE(t.Open(replay + "/timeline.jsonl").ok());
    for (const auto& e : h.events()) t.RecordAt(e);
  }
  properties::PropertyBook book;
  auto r = Rebuild(dir, book);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->replays.size(), 1u);
  EXPECT_EQ(r->replays[0].property, "rare");
  EXPECT_EQ(r->replays[0].seed, 3u);
  EXPECT_EQ(r->replays[0].replays, 2);
  EXPECT_EQ(r->replays[0].recurred, 1);
}

TEST_F(RebuildTest, LogsAroundTheFirstFailure) {
  std::string dir = Run("logs", {3});
  std::string h = dir + "/h000-seed3";
  ASSERT_TRUE(MakeDirs(h + "/commands/000001-parallel_driver_x.sh").ok());
  ASSERT_TRUE(WriteFile(h + "/commands/000001-parallel_driver_x.sh/stderr",
                        "connecting\nbalance went negative: -3\n")
                  .ok());
  std::string log = "=== faultline t=0.001s: start 1: kv\nrecovering\n";
  for (int i = 0; i < 100; ++i) log += fmt::format("line {}\n", i);
  log += "=== faultline t=0.200s: exited: killed by SIGTERM\nafter\n";
  ASSERT_TRUE(WriteFile(h + "/logs/kv.log", log).ok());
  properties::PropertyBook book;
  auto r = Rebuild(dir, book);
  ASSERT_TRUE(r.ok());
  const auto& logs = r->logs.at("rare");
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].title, "stderr of counter/parallel_driver_x.sh #1");
  EXPECT_EQ(logs[0].path, "h000-seed3/commands/000001-parallel_driver_x.sh/stderr");
  EXPECT_EQ(logs[0].lines.back(), "balance went negative: -3");
  EXPECT_EQ(logs[1].title, "kv.log around t=0.060s: from t=0.001s to t=0.200s");
  EXPECT_EQ(logs[1].path, "h000-seed3/logs/kv.log");
  EXPECT_EQ(logs[1].lines.size(), 40u);
  EXPECT_EQ(logs[1].lines.front(), "=== faultline t=0.001s: start 1: kv");
  EXPECT_EQ(logs[1].lines.back(), "=== faultline t=0.200s: exited: killed by SIGTERM");
  EXPECT_EQ(logs[1].omitted, 63u);  // 103 lines in the window, 40 kept
  EXPECT_EQ(logs[1].omitted_at, 13u);
}

TEST(LogWindow, PicksTheStretchBetweenTheMarkersAroundTheTime) {
  std::string log =
      "before\n=== faultline t=1.000s: start 1\na\nb\n=== faultline t=2.000s: exited\n"
      "=== faultline t=3.000s: start 2\nc\n";
  LogExcerpt x = ServiceLogWindow(log, 1.5, 4);
  EXPECT_EQ(x.lines, (std::vector<std::string>{"=== faultline t=1.000s: start 1", "a", "b",
                                               "=== faultline t=2.000s: exited"}));
  EXPECT_EQ(x.title, "around t=1.500s: from t=1.000s to t=2.000s");
  // Two lines after the last marker: the window takes one line from before it.
  x = ServiceLogWindow(log, 3.5, 3);
  EXPECT_EQ(x.lines, (std::vector<std::string>{"=== faultline t=2.000s: exited",
                                               "=== faultline t=3.000s: start 2", "c"}));
  EXPECT_EQ(x.title, "around t=3.500s: from t=2.000s to the end");
  x = ServiceLogWindow(log, 0.5, 40);
  EXPECT_EQ(x.lines.front(), "before");
  EXPECT_EQ(x.omitted, 0u);
}

}  // namespace
}  // namespace faultline::report
