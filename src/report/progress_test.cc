#include "report/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faultline::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Event Ev(EventType type, Json fields) {
  Event e;
  e.type = type;
  e.fields = std::move(fields);
  return e;
}

struct Captured {
  char* buf = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buf, &size);
  ~Captured() {
    std::fclose(out);
    free(buf);
  }
  std::string Text() {
    std::fflush(out);
    return std::string(buf, size);
  }
};

class ProgressTest : public ::testing::Test {
 protected:
  Progress Make(FILE* out, ProgressStyle style) {
    return Progress(
        out, style, {.histories = 4, .jobs = 2, .history_estimate = Millis(20000)},
        [this] { return now_; }, [this] { return failing_; });
  }
  // History 0 reaches its driver phase with a fault in force and three commands run.
  void Drive(Progress& p) {
    p.HistoryStarted(0, 100, "counter");
    p.HistoryStarted(1, 101, "bulk\x1b[2J");
    p.HistoryEvent(0, Ev(EventType::kHistoryStart, {{"seed", 100}}));
    now_ = Millis(1000);
    p.HistoryEvent(0, Ev(EventType::kSetupComplete, {}));
    p.HistoryEvent(0, Ev(EventType::kDecision, {{"what", "budget"}, {"value", "20s"}}));
    p.HistoryEvent(1, Ev(EventType::kHistoryStart, {{"seed", 101}}));
    for (int i = 0; i < 3; ++i) p.HistoryEvent(0, Ev(EventType::kCommandEnd, {{"id", i}}));
    p.HistoryEvent(0, Ev(EventType::kFault, {{"action", "begin"}, {"id", 1}, {"kind", "kill"}}));
    p.HistoryEvent(0, Ev(EventType::kFault, {{"action", "begin"}, {"id", 2}, {"kind", "pause"}}));
    p.HistoryEvent(0, Ev(EventType::kFault, {{"action", "heal"}, {"id", 2}, {"kind", "pause"}}));
    now_ = Millis(13000);
    failing_ = 1;
  }
  Millis now_{0};
  int failing_ = 0;
};

TEST_F(ProgressTest, TheStatusLineSaysWhereTheRunStands) {
  Captured c;
  Progress p = Make(c.out, ProgressStyle::kLine);
  Drive(p);
  EXPECT_EQ(p.StatusLine(500),
            "faultline 0/4 done · h0 drivers 12s, h1 setup 12s · 0:13 elapsed, ~0:27 left · "
            "3 commands · 1 fault in force · 1 property failing");
  EXPECT_EQ(p.StatusLine(20), "faultline 0/4 done ·");
  // History 0 ends after 30 s: the estimate now comes from it.
  now_ = Millis(30000);
  p.HistoryEnded({.index = 0,
                  .seed = 100,
                  .template_name = "counter",
                  .outcome = "completed",
                  .terminal = "eventually",
                  .invocations = 3});
  EXPECT_THAT(p.StatusLine(500), HasSubstr("faultline 1/4 done · h1 setup 29s · 0:30 elapsed, "
                                           "~0:30 left · 3 commands · 0 faults in force"));
}

TEST_F(ProgressTest, OnATerminalOneLineIsRedrawnInPlace) {
  Captured c;
  Progress p = Make(c.out, ProgressStyle::kLine);
  Drive(p);
  p.Tick();
  now_ = Millis(14000);
  p.Tick();
  p.HistoryEnded({.index = 0,
                  .seed = 100,
                  .template_name = "counter",
                  .outcome = "completed",
                  .terminal = "eventually",
                  .invocations = 3});
  p.Finish();
  std::string text = c.Text();
  EXPECT_THAT(text, HasSubstr("\rfaultline 0/4 done · h0 drivers 12s"));
  EXPECT_THAT(text, HasSubstr("\rfaultline 0/4 done · h0 drivers 13s"));
  EXPECT_THAT(text,
              HasSubstr("\r\x1b[Khistory 0 (seed 100, template counter): completed, 3 invocations, "
                        "terminal eventually\n\rfaultline 1/4 done"));
  EXPECT_TRUE(text.ends_with("\r\x1b[K"));             // cleared before the summary
  EXPECT_EQ(text.find("\x1b[2J"), std::string::npos);  // outside text is made safe
  EXPECT_THAT(text, HasSubstr("\n"));
  // Every status line is erased before anything else is printed over it.
  size_t lines = 0;
  for (size_t pos = text.find("\rfaultline "); pos != std::string::npos;
       pos = text.find("\rfaultline ", pos + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 3u);
}

TEST_F(ProgressTest, WithoutATerminalPlainLines) {
  Captured c;
  Progress p = Make(c.out, ProgressStyle::kPlain);
  Drive(p);
  p.Tick();  // 13 s: not yet time for a status line
  now_ = Millis(31000);
  p.Tick();
  p.HistoryEvent(0, Ev(EventType::kDecision, {{"what", "terminal"}, {"value", "finally"}}));
  p.HistoryEnded({.index = 0,
                  .seed = 100,
                  .template_name = "counter",
                  .outcome = "completed",
                  .terminal = "finally",
                  .invocations = 3});
  p.Finish();
  std::string text = c.Text();
  EXPECT_EQ(text,
            "history 0 (seed 100, template counter): started\n"
            "history 1 (seed 101, template bulk\\x1b[2J): started\n"
            "history 0: drivers at 0:01\n"
            "progress: faultline 0/4 done · h0 drivers 30s, h1 setup 30s · 0:31 elapsed, ~0:20 "
            "left · 3 commands · 1 fault in force · 1 property failing\n"
            "history 0: finally at 0:31\n"
            "history 0 (seed 100, template counter): completed, 3 invocations, terminal finally\n");
  EXPECT_THAT(text, Not(HasSubstr("\r")));
}

}  // namespace
}  // namespace faultline::report
