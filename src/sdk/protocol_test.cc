#include "sdk/protocol.h"

#include <gtest/gtest.h>

namespace faultline::sdk {
namespace {

TEST(SdkProtocol, ParsesTheSpecsAssertionLine) {
  auto line = ParseSdkLine(
      R"({"antithesis_assert":{"assert_type":"always","display_type":"Always","condition":true,)"
      R"("hit":true,"must_hit":true,"id":"balance never negative","message":"balance never negative",)"
      R"("location":{"file":"workload.cc","function":"Transfer","class":"","begin_line":42,)"
      R"("begin_column":5},"details":{"balance":17}}})");
  ASSERT_TRUE(line.ok()) << line.error();
  const auto& a = std::get<Assertion>(*line);
  EXPECT_EQ(a.id, "balance never negative");
  EXPECT_EQ(a.kind, AssertKind::kAlways);
  EXPECT_TRUE(a.hit);
  EXPECT_TRUE(a.condition);
  EXPECT_EQ(a.details["balance"], 17);
  EXPECT_EQ(a.location["begin_line"], 42);
}

TEST(SdkProtocol, KindComesFromAssertTypeAndMustHit) {
  struct Case {
    const char* assert_type;
    bool must_hit;
    AssertKind kind;
  } cases[] = {{"always", true, AssertKind::kAlways},
               {"always", false, AssertKind::kAlwaysOrUnreachable},
               {"sometimes", true, AssertKind::kSometimes},
               {"reachability", true, AssertKind::kReachable},
               {"reachability", false, AssertKind::kUnreachable}};
  for (const auto& c : cases) {
    Json body = {{"assert_type", c.assert_type},
                 {"must_hit", c.must_hit},
                 {"hit", true},
                 {"condition", true},
                 {"id", "x"},
                 {"message", "x"}};
    auto a = Assertion::FromJson(body);
    ASSERT_TRUE(a.ok()) << a.error();
    EXPECT_EQ(a->kind, c.kind) << c.assert_type << " " << c.must_hit;
  }
}

TEST(SdkProtocol, OtherTopLevelKeys) {
  auto setup = ParseSdkLine(R"({"antithesis_setup":{"status":"complete","details":{"a":1}}})");
  ASSERT_TRUE(setup.ok());
  EXPECT_EQ(std::get<SetupComplete>(*setup).details["a"], 1);
  auto event = ParseSdkLine(R"({"my_event":{"k":"v"}})");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(std::get<UserEvent>(*event).name, "my_event");
  auto info = ParseSdkLine(
      R"({"antithesis_sdk":{"language":{"name":"Go","version":"1.22"},"sdk_version":"0.4.0","protocol_version":"1.1.0"}})");
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(std::holds_alternative<SdkInfo>(*info));
  auto guidance = ParseSdkLine(R"({"antithesis_guidance":{"guidance_type":"numeric"}})");
  ASSERT_TRUE(guidance.ok());
  EXPECT_TRUE(std::holds_alternative<Guidance>(*guidance));
}

TEST(SdkProtocol, RejectsLinesThatAreNotProtocol) {
  for (const char* bad :
       {"", "not json", "[1,2]", "17", R"({"a":1,"b":2})", "{}",
        R"({"antithesis_assert":{"hit":true}})", R"({"antithesis_assert":{"id":"x","hit":"yes"}})",
        R"({"antithesis_assert":{"id":"x","hit":true,"assert_type":"maybe","must_hit":true}})",
        R"({"antithesis_setup":{"status":"started"}})",
        R"({"antithesis_assert":{"id":"x","hit":tr)"}) {
    EXPECT_FALSE(ParseSdkLine(bad).ok()) << bad;
  }
}

TEST(SdkProtocol, IdFallsBackToMessage) {
  auto a = Assertion::FromJson(
      {{"message", "m"}, {"hit", false}, {"assert_type", "sometimes"}, {"must_hit", true}});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->id, "m");
  EXPECT_FALSE(a->condition);
}

}  // namespace
}  // namespace faultline::sdk

namespace faultline::sdk {
namespace {

TEST(SdkProtocol, MistypedFieldsAreRejectedNotThrown) {
  EXPECT_FALSE(ParseSdkLine(R"({"antithesis_setup":{"status":5}})").ok());
  EXPECT_FALSE(ParseSdkLine(R"({"antithesis_setup":"complete"})").ok());
  EXPECT_FALSE(ParseSdkLine(R"({"antithesis_assert":{"id":5,"hit":true}})").ok());
  EXPECT_FALSE(
      ParseSdkLine(
          R"({"antithesis_assert":{"id":"x","hit":true,"must_hit":"no","assert_type":"always"}})")
          .ok());
}

TEST(SdkProtocol, AssertionToJsonRoundTrips) {
  // The Python SDK's shape: spaces, no details on registrations, condition true on Unreachable.
  auto line = ParseSdkLine(
      R"({"antithesis_assert": {"condition": true, "must_hit": false, "hit": true, "id": "m",)"
      R"( "message": "m", "display_type": "Unreachable", "assert_type": "reachability",)"
      R"( "location": {"file": "x.py", "begin_line": 3}, "details": {"k": 1}}})");
  ASSERT_TRUE(line.ok()) << line.error();
  const auto& a = std::get<Assertion>(*line);
  for (AssertKind kind :
       {AssertKind::kAlways, AssertKind::kAlwaysOrUnreachable, AssertKind::kSometimes,
        AssertKind::kReachable, AssertKind::kUnreachable}) {
    Assertion b = a;
    b.kind = kind;
    b.must_hit = kind == AssertKind::kAlways || kind == AssertKind::kSometimes ||
                 kind == AssertKind::kReachable;
    auto again = Assertion::FromJson(b.ToJson());
    ASSERT_TRUE(again.ok()) << again.error();
    EXPECT_EQ(again->kind, kind);
    EXPECT_EQ(again->condition, b.condition);
    EXPECT_EQ(again->hit, b.hit);
    EXPECT_EQ(again->must_hit, b.must_hit);
    EXPECT_EQ(again->id, "m");
    EXPECT_EQ(again->display_type, "Unreachable");
    EXPECT_EQ(again->location, a.location);
    EXPECT_EQ(again->details, a.details);
  }
}

}  // namespace
}  // namespace faultline::sdk
