#include "timeline/timeline.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/files.h"

namespace faultline {
namespace {

TEST(Timeline, RoundTripsThroughItsFile) {
  auto dir = MakeTempDir("timeline-test");
  ASSERT_TRUE(dir.ok());
  std::string path = *dir + "/timeline.jsonl";
  std::vector<Event> seen;
  {
    Timeline t;
    ASSERT_TRUE(t.Open(path).ok());
    t.AddListener([&](const Event& e) { seen.push_back(e); });
    t.RecordAt(1500000, EventType::kCommandStart, {{"id", 3}, {"command", "t/parallel_driver_a"}});
    t.RecordAt(2000001, EventType::kCommandEnd, {{"id", 3}, {"code", 0}});
    t.Flush();
  }
  ASSERT_EQ(seen.size(), 2u);
  auto file = ReadTimeline(path);
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->events.size(), 2u);
  EXPECT_EQ(file->events[0].type, EventType::kCommandStart);
  EXPECT_EQ(file->events[0].t_us, 1500000);
  EXPECT_EQ(file->events[1].t_us, 2000001);
  EXPECT_EQ(file->events[0].fields["command"], "t/parallel_driver_a");
  EXPECT_FALSE(file->events[0].fields.contains("type"));
  EXPECT_TRUE(RemoveTree(*dir).ok());
}

// A SIGKILL of faultline right after Record returns keeps every event, each a whole line.
TEST(Timeline, EveryRecordedEventSurvivesSigkill) {
  auto dir = MakeTempDir("timeline-kill");
  ASSERT_TRUE(dir.ok());
  std::string path = *dir + "/timeline.jsonl";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Timeline t;
    if (!t.Open(path).ok()) _exit(2);
    t.RecordAt(1, EventType::kHistoryStart, {{"seed", 77}, {"index", 0}});
    for (int i = 0; i < 100; ++i) {
      t.RecordAt(10 + i, EventType::kCommandStart, {{"id", i}, {"command", "t/c"}});
    }
    raise(SIGKILL);
    _exit(3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  auto file = ReadTimeline(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->skipped_lines, 0u);
  ASSERT_EQ(file->events.size(), 101u);
  EXPECT_EQ(file->events[0].fields["seed"], 77);
  EXPECT_EQ(file->events[100].fields["id"], 99);
  EXPECT_TRUE(RemoveTree(*dir).ok());
}

TEST(Timeline, SkipsLinesThatAreNotEvents) {
  EXPECT_FALSE(Event::FromJsonLine("{\"t\":1}"));
  EXPECT_FALSE(Event::FromJsonLine("{\"t\":1,\"type\":\"nonsense\"}"));
  EXPECT_FALSE(Event::FromJsonLine("garbage"));
  EXPECT_TRUE(Event::FromJsonLine("{\"t\":1,\"type\":\"warning\",\"message\":\"x\"}"));
}

TEST(Timeline, HostileLinesAreSkippedNotFatal) {
  std::string deep = "{\"t\":1,\"type\":\"warning\",\"x\":" + std::string(200000, '[') +
                     std::string(200000, ']') + "}";
  EXPECT_FALSE(Event::FromJsonLine(deep));
  EXPECT_FALSE(Event::FromJsonLine("{\"t\":1e300,\"type\":\"warning\"}"));
  EXPECT_TRUE(Event::FromJsonLine("{\"t\":3600.5,\"type\":\"warning\"}"));
}

TEST(Timeline, EveryTypeHasAName) {
  for (int i = 0; i <= static_cast<int>(EventType::kHistoryEnd); ++i) {
    auto type = static_cast<EventType>(i);
    auto name = EventTypeName(type);
    ASSERT_NE(name, "unknown");
    EXPECT_EQ(EventTypeFromName(name), type);
  }
}

}  // namespace
}  // namespace faultline
