#include "timeline/timeline.h"

#include <gtest/gtest.h>

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

TEST(Timeline, SkipsLinesThatAreNotEvents) {
  EXPECT_FALSE(Event::FromJsonLine("{\"t\":1}"));
  EXPECT_FALSE(Event::FromJsonLine("{\"t\":1,\"type\":\"nonsense\"}"));
  EXPECT_FALSE(Event::FromJsonLine("garbage"));
  EXPECT_TRUE(Event::FromJsonLine("{\"t\":1,\"type\":\"warning\",\"message\":\"x\"}"));
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
