#include "sdk/sdk_events.h"

#include <gtest/gtest.h>

namespace faultline::sdk {
namespace {

const Json kSource = {{"command", "t/parallel_driver_x"}, {"id", 4}};

TEST(SdkEvents, AssertionBodyRoundTrips) {
  auto line = ParseSdkLine(
      R"({"antithesis_assert": {"condition": true, "must_hit": false, "hit": true, "id": "m",)"
      R"( "message": "m", "display_type": "Unreachable", "assert_type": "reachability",)"
      R"( "location": {"file": "x.py", "begin_line": 3}, "details": {"k": 1}}})");
  ASSERT_TRUE(line.ok()) << line.error();
  const auto& a = std::get<Assertion>(*line);
  auto again = Assertion::FromJson(AssertionBody(a));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->kind, AssertKind::kUnreachable);
  EXPECT_EQ(again->condition, a.condition);
  EXPECT_EQ(again->hit, a.hit);
  EXPECT_EQ(again->must_hit, a.must_hit);
  EXPECT_EQ(again->id, "m");
  EXPECT_EQ(again->display_type, "Unreachable");
  EXPECT_EQ(again->location, a.location);
  EXPECT_EQ(again->details, a.details);
}

TEST(SdkEvents, EveryLineTypeBecomesItsEvent) {
  auto event_of = [](std::string_view text) {
    auto line = ParseSdkLine(text);
    EXPECT_TRUE(line.ok()) << text;
    return ToTimelineEvent(*line, kSource, 1500);
  };
  auto assert_event = event_of(
      R"({"antithesis_assert":{"assert_type":"always","must_hit":true,"hit":true,"condition":true,"id":"m"}})");
  ASSERT_TRUE(assert_event);
  EXPECT_EQ(assert_event->type, EventType::kAssert);
  EXPECT_EQ(assert_event->t_us, 1500);
  EXPECT_EQ(assert_event->fields["command"], "t/parallel_driver_x");
  EXPECT_EQ(assert_event->fields["id"], 4);
  EXPECT_EQ(assert_event->fields["assert"]["id"], "m");

  auto setup = event_of(R"({"antithesis_setup":{"status":"complete","details":{"a":1}}})");
  ASSERT_TRUE(setup);
  EXPECT_EQ(setup->type, EventType::kSetupComplete);
  EXPECT_EQ(setup->fields["via"], "sdk");
  EXPECT_EQ(setup->fields["details"]["a"], 1);

  auto user = event_of(R"({"progress":{"done":3}})");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->type, EventType::kSdkEvent);
  EXPECT_EQ(user->fields["name"], "progress");
  EXPECT_EQ(user->fields["details"]["done"], 3);

  auto guidance = event_of(R"({"antithesis_guidance":{"guidance_type":"numeric","hit":false}})");
  ASSERT_TRUE(guidance);
  EXPECT_EQ(guidance->type, EventType::kGuidance);
  EXPECT_EQ(guidance->fields["guidance"]["guidance_type"], "numeric");

  EXPECT_FALSE(event_of(R"({"antithesis_sdk":{"language":{"name":"Go"}}})"));
}

}  // namespace
}  // namespace faultline::sdk
