#include "report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "base/temp_dir.h"
#include "timeline/timeline.h"

namespace faultline::report {
namespace {

using ::testing::HasSubstr;

RunMeta Meta() {
  RunMeta m;
  m.scenario_name = "kv";
  m.scenario_dir = "scenarios/my kv";
  m.run_dir = "/runs/x";
  m.seed = 7;
  m.histories = 2;
  m.duration = "10s";
  return m;
}

Event Ev(EventType type, Json fields, int64_t t_us = 0) {
  return Event::Of(t_us, type, std::move(fields));
}

TEST(Report, ReplayCommandNamesTheSeedAndFlags) {
  EXPECT_EQ(ReplayCommand(Meta(), 8), "faultline run 'scenarios/my kv' --seed 8 --duration 10s");
  RunMeta m = Meta();
  m.template_flag = "basic";
  m.duration.clear();
  EXPECT_EQ(ReplayCommand(m, 9), "faultline run 'scenarios/my kv' --seed 9 --template basic");
}

TEST(Report, ExitCodes) {
  properties::PropertyBook book;
  Report r;
  r.book = &book;
  r.histories.push_back({0, 7, "t", "d", "completed", "", "none", 3, 1.0});
  EXPECT_EQ(ExitCodeOf(r), 0);
  book.Add({0, 7}, Ev(EventType::kAssert, {{"command", "t/c"},
                                           {"id", 1},
                                           {"assert",
                                            {{"id", "x"},
                                             {"hit", true},
                                             {"condition", false},
                                             {"must_hit", true},
                                             {"assert_type", "always"}}}}));
  EXPECT_EQ(ExitCodeOf(r), 1);
  r.histories.push_back({1, 8, "t", "d", "setup_failed", "db never healthy", "none", 0, 1.0});
  EXPECT_EQ(ExitCodeOf(r), 3);
  r.interrupted = true;
  EXPECT_EQ(ExitCodeOf(r), 130);
}

TEST(Report, JsonAndSummaryPutFailuresFirstWithTheirReplay) {
  properties::PropertyBook book;
  book.Add({0, 7}, Ev(EventType::kAssert, {{"command", "t/c"},
                                           {"id", 1},
                                           {"assert",
                                            {{"id", "ok"},
                                             {"hit", true},
                                             {"condition", true},
                                             {"must_hit", true},
                                             {"assert_type", "always"}}}}));
  book.Add({1, 8}, Ev(EventType::kAssert,
                      {{"command", "t/parallel_driver_x"},
                       {"id", 4},
                       {"assert",
                        {{"id", "balance >= 0"},
                         {"hit", true},
                         {"condition", false},
                         {"must_hit", true},
                         {"assert_type", "always"},
                         {"location", {{"file", "w.cc"}, {"begin_line", 42}}},
                         {"details", {{"balance", -3}}}}}},
                      2500000));
  Report r;
  r.meta = Meta();
  r.book = &book;
  r.histories = {{0, 7, "t", "/runs/x/h000-seed7", "completed", "", "eventually", 10, 5.0},
                 {1, 8, "t", "/runs/x/h001-seed8", "completed", "", "finally", 12, 5.0}};
  r.replays.push_back({"balance >= 0", 8, 3, 2});
  Json j = ReportJson(r);
  EXPECT_EQ(j["outcome"], "failed");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["summary"]["failed"], 1);
  ASSERT_EQ(j["properties"].size(), 2u);
  const Json& bad = j["properties"][0];
  EXPECT_EQ(bad["id"], "balance >= 0");
  EXPECT_EQ(bad["status"], "failed");
  EXPECT_EQ(bad["first_fail"]["seed"], 8);
  EXPECT_EQ(bad["first_fail"]["t"], 2.5);
  EXPECT_EQ(bad["first_fail"]["replay"], "faultline run 'scenarios/my kv' --seed 8 --duration 10s");
  EXPECT_EQ(bad["replays"][0]["recurred"], 2);
  EXPECT_EQ(j["histories"][1]["terminal"], "finally");

  char* buf = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buf, &size);
  PrintSummary(out, r, false);
  std::fclose(out);
  std::string text(buf, size);
  free(buf);
  EXPECT_THAT(
      text,
      HasSubstr("FAIL  balance >= 0  [Always]  0 passed, 1 failed — false in 1 invocation(s)"));
  EXPECT_THAT(text,
              HasSubstr("first failure: history 1 (seed 8), t/parallel_driver_x #4 at 2.500s"));
  EXPECT_THAT(text, HasSubstr("at: w.cc:42"));
  EXPECT_THAT(text, HasSubstr("details: {\"balance\":-3}"));
  EXPECT_THAT(text, HasSubstr("replay: faultline run 'scenarios/my kv' --seed 8 --duration 10s"));
  EXPECT_THAT(text, HasSubstr("replayed seed 8 3 time(s): failed again 2 time(s)"));
  EXPECT_LT(text.find("FAIL"), text.find("pass  ok"));
  EXPECT_THAT(text,
              HasSubstr("FAILED: 2 properties, 1 failed; 2 histories, 22 command invocations"));
}

TEST(Report, RebuildsFromTimelines) {
  TempDir dir("report-test");
  ASSERT_TRUE(WriteFile(dir.path() + "/run.json", MetaJson(Meta()).dump()).ok());
  ASSERT_TRUE(MakeDirs(dir.path() + "/h000-seed7").ok());
  {
    Timeline t;
    ASSERT_TRUE(t.Open(dir.path() + "/h000-seed7/timeline.jsonl").ok());
    t.RecordAt(0, EventType::kHistoryStart, {{"index", 0}, {"seed", 7}, {"template", "t"}});
    t.RecordAt(1000, EventType::kSetupComplete, {{"via", "healthy"}});
    t.RecordAt(2000, EventType::kCommandStart, {{"id", 1}, {"command", "t/parallel_driver_a"}});
    t.RecordAt(3000, EventType::kCommandEnd,
               {{"id", 1}, {"command", "t/parallel_driver_a"}, {"code", 2}});
    t.RecordAt(4000, EventType::kHistoryEnd,
               {{"outcome", "completed"}, {"terminal", "none"}, {"invocations", 1}});
  }
  properties::PropertyBook book;
  auto r = Rebuild(dir.path(), book);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->histories.size(), 1u);
  EXPECT_EQ(r->histories[0].seed, 7u);
  EXPECT_EQ(r->histories[0].outcome, "completed");
  EXPECT_EQ(ExitCodeOf(*r), 1);
  EXPECT_EQ(properties::Evaluate(*book.Find("t/parallel_driver_a exits 0")).outcome,
            properties::Outcome::kFailed);
  EXPECT_EQ(r->meta.scenario_name, "kv");
  EXPECT_FALSE(Rebuild(dir.path() + "/nope", book).ok());
}

}  // namespace
}  // namespace faultline::report

namespace faultline::report {
namespace {

TEST(Report, KindConflictsAreWarnedAbout) {
  properties::PropertyBook book;
  auto line = [](const char* type) {
    return Event::Of(0, EventType::kAssert,
                     {{"command", "t/c"},
                      {"id", 1},
                      {"assert",
                       {{"id", "x"},
                        {"hit", true},
                        {"condition", true},
                        {"must_hit", true},
                        {"assert_type", type}}}});
  };
  book.Add({0, 1}, line("always"));
  book.Add({0, 1}, line("sometimes"));
  Report r;
  r.book = &book;
  ASSERT_EQ(Warnings(r).size(), 1u);
  EXPECT_EQ(Warnings(r)[0],
            "property 'x' was reported with more than one kind; the first seen (Always) counts");
  EXPECT_EQ(ReportJson(r)["warnings"][0], Warnings(r)[0]);
}

}  // namespace
}  // namespace faultline::report
