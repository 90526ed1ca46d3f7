#include "report/baseline.h"

#include <gtest/gtest.h>

#include "base/temp_dir.h"
#include "report/report_test_util.h"

namespace faultline::report {
namespace {

using testing::HistoryScript;

TEST(Baseline, ClassifiesEveryCombination) {
  Baseline b{.run_dir = "old",
             .properties = {{"was failing", {.failed = true, .reached = true}},
                            {"was passing", {.failed = false, .reached = true}},
                            {"was unreached", {.failed = false, .reached = false}}}};
  EXPECT_EQ(Classify(b, "was passing", true, true), Finding::kNewFailure);
  EXPECT_EQ(Classify(b, "brand new", true, true), Finding::kNewFailure);
  EXPECT_EQ(Classify(b, "was failing", true, true), Finding::kStillFailing);
  EXPECT_EQ(Classify(b, "was failing", false, true), Finding::kResolved);
  EXPECT_EQ(Classify(b, "was unreached", false, true), Finding::kNewlyPassing);
  EXPECT_EQ(Classify(b, "brand new", false, true), Finding::kNewlyPassing);
  EXPECT_EQ(Classify(b, "brand new", false, false), Finding::kPassing);
  EXPECT_EQ(Classify(b, "was passing", false, true), Finding::kPassing);
  EXPECT_EQ(FindingName(Finding::kNewFailure), "new_failure");
  EXPECT_EQ(FindingLabel(Finding::kStillFailing), "still failing");
}

// Two runs of one scenario: the second fixes one bug and introduces another.
TEST(Baseline, FindingsAgainstAnEarlierRunInEveryFormat) {
  TempDir tmp("baseline-test");
  auto run = [&](const std::string& name, bool a_fails, bool b_fails, bool with_c) {
    std::string dir = tmp.path() + "/" + name;
    EXPECT_TRUE(MakeDirs(dir).ok());
    testing::WriteRunJson(testing::TestMeta(dir, 1, 1));
    HistoryScript h(0, 1);
    h.Setup(1).Command(10, 100, 1, "parallel_driver_x.sh");
    h.Assert(20, 1, "parallel_driver_x.sh", "a", !a_fails);
    h.Assert(21, 1, "parallel_driver_x.sh", "b", !b_fails);
    if (with_c) h.Assert(22, 1, "parallel_driver_x.sh", "c", true);
    h.End(200, 1);
    testing::WriteHistory(dir, h);
    return dir;
  };
  std::string old_dir = run("old", /*a_fails=*/true, /*b_fails=*/false, /*with_c=*/true);
  std::string new_dir = run("new", /*a_fails=*/false, /*b_fails=*/true, /*with_c=*/false);
  // The old run has no report.json yet: its verdicts are rebuilt from its timelines.
  auto b = LoadBaseline(old_dir);
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_TRUE(b->properties.at("a").failed);
  properties::PropertyBook old_book;
  auto old_report = Rebuild(old_dir, old_book);
  ASSERT_TRUE(old_report.ok());
  ASSERT_TRUE(WriteReportFiles(*old_report, old_dir).ok());
  b = LoadBaseline(old_dir);  // now from report.json
  ASSERT_TRUE(b.ok());

  properties::PropertyBook book;
  auto r = Rebuild(new_dir, book);
  ASSERT_TRUE(r.ok());
  r->baseline = *b;
  Json j = ReportJson(*r);
  const Json& findings = j["baseline"]["findings"];
  EXPECT_EQ(findings["new_failure"], Json::array({"b"}));
  EXPECT_EQ(findings["resolved"], Json::array({"a"}));
  EXPECT_EQ(findings["missing"], Json::array({"c"}));
  EXPECT_EQ(findings["still_failing"], Json::array());
  EXPECT_EQ(j["baseline"]["run_dir"], old_dir);
  for (const auto& p : j["properties"]) {
    if (p["id"] == "b") {
      EXPECT_EQ(p["baseline"], "new_failure");
    }
    if (p["id"] == "a") {
      EXPECT_EQ(p["baseline"], "resolved");
    }
  }
  std::string junit = JunitXml(*r);
  EXPECT_NE(junit.find("<property name=\"baseline\" value=\"new failure\"/>"), std::string::npos);
  std::string html = HtmlReport(*r);
  EXPECT_NE(html.find("<tr data-finding=\"new_failure\"><td><span class=\"finding new_failure\">"
                      "new failure</span></td><td class=\"n\">1</td>"),
            std::string::npos);
  char* buf = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buf, &size);
  PrintSummary(out, *r, false);
  std::fclose(out);
  std::string text(buf, size);
  free(buf);
  EXPECT_NE(text.find("FAIL  b  [Always]  0 passed, 1 failed — false in 1 invocation(s)  (new "
                      "failure)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  resolved (1):\n    a"), std::string::npos) << text;
  EXPECT_NE(text.find("  missing (1):\n    c"), std::string::npos) << text;
  EXPECT_FALSE(LoadBaseline(tmp.path() + "/nope").ok());
}

}  // namespace
}  // namespace faultline::report
