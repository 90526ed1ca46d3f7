// report.html in a real browser: Debian's headless Chromium, driven over its DevTools protocol
// by tests/browser/report_page.py, opens a report that `faultline report` rebuilt from a run
// folder with failing and passing properties, faults, and a property message, a detail value and
// a log line that carry <script> and <img onerror> payloads. The DOM must show the failing
// property first, timelines with the expected marks, details on a click, and the payloads as
// text that ran nothing. The screenshot is kept in the build tree (tests/report_browser.png).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/report_test_util.h"
#include "tests/e2e_util.h"

namespace faultline {
namespace {

using report::testing::HistoryScript;
using ::testing::HasSubstr;

const std::string kScript = "<script>window.__pwned='script'</script>";
const std::string kImg = "<img src=x onerror=\"window.__pwned='img'\">";

// Three histories with a swarm subset each; "no acknowledged write is lost" fails only in the
// one with pause on, and says so with payloads in its message and details.
void WriteFixture(const std::string& dir) {
  ASSERT_TRUE(MakeDirs(dir).ok());
  report::testing::WriteRunJson(report::testing::TestMeta(dir, 40, 3));
  const std::vector<std::vector<std::string>> kinds = {{"kill"}, {"pause"}, {"kill", "network"}};
  for (int i = 0; i < 3; ++i) {
    HistoryScript h(i, 40 + static_cast<uint64_t>(i), "bank");
    h.Service(1, "primary").Service(2, "replica").Healthy(300, "primary").Healthy(350, "replica");
    h.Setup(360).Swarm({"kill", "network", "pause"}, kinds[static_cast<size_t>(i)]);
    h.Command(400, 1200, 1, "first_schema.sh");
    int64_t id = 1;
    for (int n = 0; n < 12; ++n) {
      double start = 1300 + n * 700.0;
      h.Flush(start);
      h.Command(start, start + 650, ++id, "parallel_driver_transfer.sh");
      h.Command(start + 100, start + 400, ++id, "anytime_balance.sh");
      bool lost = i == 1 && n == 7;
      h.Assert(start + 300, id - 1, "parallel_driver_transfer.sh",
               "no acknowledged write is lost " + kScript, !lost,
               {{"missing_rows", lost ? 3 : 0}, {"note", kImg}});
      h.Assert(start + 350, id, "anytime_balance.sh", "balances add up", true);
    }
    const std::string& kind = kinds[static_cast<size_t>(i)][0];
    h.FaultBegin(3000, 1, kind, {"primary"}, {{"duration_ms", 2500}});
    h.FaultHeal(5500, 1, kind, {"primary"});
    if (i == 2) {
      h.FaultBegin(6000, 2, "network", {"primary", "replica"},
                   {{"fault", "partition"}, {"shape", "isolate"}});
      h.FaultHeal(8000, 2, "network", {"primary", "replica"});
    }
    h.Terminal(9800, "eventually");
    h.Command(9810, 10300, ++id, "eventually_consistent.sh");
    h.ServiceExit(10400, "primary", true, "SIGTERM").ServiceExit(10400, "replica", true, "SIGTERM");
    h.End(10500, id);
    std::string hdir = report::testing::WriteHistory(dir, h);
    ASSERT_TRUE(WriteFile(hdir + "/logs/primary.log",
                          "=== faultline t=0.001s: start 1: primary\nready\n"
                          "=== faultline t=0.300s: healthy\nwal: fsync " +
                              kScript + "\nclient said " + kImg + "\n")
                    .ok());
  }
}

Json OpenInChromium(const std::string& html, const std::string& png,
                    const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {
      "/usr/bin/python3",
      std::string(FAULTLINE_SOURCE_DIR) + "/tests/browser/report_page.py",
      html,
      "--screenshot",
      png,
      "--height",
      "2600"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::string out_path = png + ".json";
  std::string command = ShellJoin(argv) + " >" + ShellQuote(out_path);
  int rc = std::system(command.c_str());
  EXPECT_EQ(rc, 0) << command;
  auto text = ReadFile(out_path);
  return text ? Json::parse(*text, nullptr, false) : Json();
}

TEST(ReportBrowser, FailingFirstTimelinesClickDetailsAndPayloadsStayText) {
  ASSERT_TRUE(PathExists("/usr/bin/chromium")) << "chromium is in the Makefile's DEPS";
  e2e::Harness harness;
  auto tmp = MakeTempDir("report-browser");
  ASSERT_TRUE(tmp.ok());
  std::string run = *tmp + "/run";
  WriteFixture(run);
  e2e::Outcome rebuilt = harness.Faultline({"report", run});
  EXPECT_EQ(rebuilt.code, 1) << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr("faults: fails only when pause is on"));

  std::string png = std::string(FAULTLINE_BIN_DIR) + "/../tests/report_browser.png";
  Json page = OpenInChromium(
      run + "/report.html", png,
      {"--click",
       ".history .mk-fail",
       "--eval",
       "firstIsFailing=document.querySelector('.prop, .prop-pass').classList.contains('fail')",
       "--eval",
       "firstId=document.querySelector('.prop .pid').textContent",
       "--eval",
       "timelines=document.querySelectorAll('svg.tl').length",
       "--eval",
       "failMarks=document.querySelectorAll('svg.tl .mk-fail').length",
       "--eval",
       "faultBars=document.querySelectorAll('svg.tl .fb').length",
       "--eval",
       "faultShades=document.querySelectorAll('svg.tl .fo').length",
       "--eval",
       "networkBars=document.querySelectorAll('svg.tl .fb.f-network').length",
       "--eval",
       "okBars=document.querySelectorAll('svg.tl .b-ok').length",
       "--eval",
       "setupLines=document.querySelectorAll('svg.tl .pl-setup').length",
       "--eval",
       "terminalLines=document.querySelectorAll('svg.tl .pl-terminal').length",
       "--eval",
       "serviceLanes=[...document.querySelectorAll('svg.tl .ln')].map(e => "
       "e.textContent).join(',')",
       "--eval",
       "attribution=document.querySelector('.prop .attribution').textContent",
       "--eval",
       "replay=document.querySelector('.prop .replay code').textContent",
       "--eval",
       "details=document.querySelector('.prop pre.details').textContent",
       "--eval",
       "log=document.querySelector('.prop pre.log').textContent",
       "--eval",
       "pwned=typeof window.__pwned",
       "--eval",
       "images=document.querySelectorAll('img').length",
       "--eval",
       "scripts=document.scripts.length",
       "--eval",
       "handlers=document.querySelectorAll('[onerror],[onload],[onclick]').length"});
  ASSERT_TRUE(page.is_object()) << "no answer from the browser";
  const Json& c = page["checks"];
  EXPECT_EQ(c["firstIsFailing"], true);
  EXPECT_EQ(c["firstId"], "no acknowledged write is lost " + kScript);
  EXPECT_EQ(c["timelines"], 3);
  EXPECT_EQ(c["failMarks"], 1);
  EXPECT_EQ(c["faultBars"], 4);
  EXPECT_EQ(c["networkBars"], 1);
  EXPECT_EQ(c["faultShades"], 5);  // one per target lane: 1 + (1 + 2) + 1
  EXPECT_GE(c["okBars"].get<int>(), 3 * 20);
  EXPECT_EQ(c["setupLines"], 3);
  EXPECT_EQ(c["terminalLines"], 3);
  EXPECT_THAT(c["serviceLanes"].get<std::string>(), HasSubstr("faults,primary,replica,commands 1"));
  EXPECT_THAT(
      c["attribution"].get<std::string>(),
      HasSubstr("fails only when pause is on (on in the one failing history; off in 2 of 2"));
  EXPECT_EQ(c["replay"], "faultline run scenarios/kv --seed 41 --duration 10s");
  // The payloads render as text and run nothing.
  EXPECT_THAT(c["details"].get<std::string>(), HasSubstr(R"("note": "<img src=x onerror=)"));
  EXPECT_THAT(c["log"].get<std::string>(), HasSubstr("wal: fsync " + kScript));
  EXPECT_THAT(c["log"].get<std::string>(), HasSubstr("client said " + kImg));
  EXPECT_EQ(c["pwned"], "undefined");
  EXPECT_EQ(c["images"], 0);
  EXPECT_EQ(c["scripts"], 1);
  EXPECT_EQ(c["handlers"], 0);
  // A click on the failure mark shows its details.
  ASSERT_EQ(page["clicks"].size(), 1u);
  EXPECT_EQ(page["clicks"][0]["found"], true);
  std::string shown = page["clicks"][0]["detail"].is_string() ? page["clicks"][0]["detail"] : "";
  EXPECT_THAT(shown, HasSubstr("FAILED: no acknowledged write is lost " + kScript));
  EXPECT_THAT(shown, HasSubstr("bank/parallel_driver_transfer.sh #16 at 6.500s"));
  EXPECT_THAT(shown, HasSubstr("\"missing_rows\":3"));
  EXPECT_TRUE(page["console"].empty()) << page["console"].dump();
  EXPECT_TRUE(PathExists(png));
  (void)RemoveTree(*tmp);
}

}  // namespace
}  // namespace faultline
