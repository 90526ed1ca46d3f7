#include "properties/property_book.h"

#include <gtest/gtest.h>

namespace faultline::properties {
namespace {

// An antithesis_assert event as the reader records it.
Event Assert(const std::string& id, const std::string& assert_type, bool must_hit, bool hit,
             bool condition, Json details = nullptr, const std::string& display = "") {
  Json body = {{"assert_type", assert_type},
               {"must_hit", must_hit},
               {"hit", hit},
               {"condition", condition},
               {"id", id},
               {"message", id},
               {"details", details}};
  if (!display.empty()) body["display_type"] = display;
  return Event::Of(0, EventType::kAssert,
                   {{"command", "t/parallel_driver_x"}, {"id", 4}, {"assert", body}});
}

Verdict VerdictOf(const PropertyBook& book, const std::string& id) {
  const Property* p = book.Find(id);
  EXPECT_NE(p, nullptr) << id;
  return p ? Evaluate(*p) : Verdict{};
}

constexpr HistoryRef kH0{0, 7};
constexpr HistoryRef kH1{1, 8};

TEST(PropertyBook, AlwaysPassesWhenHitAndNeverFalse) {
  PropertyBook book;
  book.Add(kH0, Assert("a", "always", true, true, true));
  book.Add(kH1, Assert("a", "always", true, true, true));
  auto v = VerdictOf(book, "a");
  EXPECT_EQ(v.outcome, Outcome::kPassed);
  EXPECT_TRUE(v.reached);
  EXPECT_EQ(book.Find("a")->passes, 2u);
}

TEST(PropertyBook, AlwaysFailsOnAnyFalseAndKeepsTheFirstFailingExample) {
  PropertyBook book;
  book.Add(kH0, Assert("a", "always", true, true, true));
  book.Add(kH1, Assert("a", "always", true, true, false, {{"balance", -3}}));
  book.Add(kH0, Assert("a", "always", true, true, false, {{"balance", -9}}));
  auto v = VerdictOf(book, "a");
  EXPECT_EQ(v.outcome, Outcome::kFailed);
  EXPECT_EQ(v.reason, "false in 2 invocation(s)");
  const Property* p = book.Find("a");
  ASSERT_TRUE(p->first_fail);
  EXPECT_EQ(p->first_fail->history, 1);
  EXPECT_EQ(p->first_fail->seed, 8u);
  EXPECT_EQ(p->first_fail->details["balance"], -3);
  EXPECT_EQ(p->first_fail->source, "t/parallel_driver_x #4");
  ASSERT_TRUE(p->first_pass);
  EXPECT_EQ(p->first_pass->history, 0);
}

TEST(PropertyBook, AlwaysNeverReachedFails) {
  PropertyBook book;
  book.Add(kH0, Assert("a", "always", true, false, false));  // registration only
  auto v = VerdictOf(book, "a");
  EXPECT_EQ(v.outcome, Outcome::kFailed);
  EXPECT_EQ(v.reason, "never reached");
  EXPECT_TRUE(book.Find("a")->registered);
}

TEST(PropertyBook, AlwaysOrUnreachable) {
  PropertyBook book;
  book.Add(kH0, Assert("unfound", "always", false, false, false));
  book.Add(kH0, Assert("ok", "always", false, true, true));
  book.Add(kH0, Assert("bad", "always", false, true, false));
  auto unfound = VerdictOf(book, "unfound");
  EXPECT_EQ(unfound.outcome, Outcome::kPassed);  // never hit is fine
  EXPECT_FALSE(unfound.reached);
  EXPECT_EQ(unfound.reason, "never reached");
  EXPECT_EQ(VerdictOf(book, "ok").outcome, Outcome::kPassed);
  EXPECT_EQ(VerdictOf(book, "bad").outcome, Outcome::kFailed);
}

TEST(PropertyBook, Sometimes) {
  PropertyBook book;
  book.Add(kH0, Assert("once", "sometimes", true, true, false));
  book.Add(kH1, Assert("once", "sometimes", true, true, true));
  book.Add(kH0, Assert("never-true", "sometimes", true, true, false));
  book.Add(kH0, Assert("never-hit", "sometimes", true, false, false));
  EXPECT_EQ(VerdictOf(book, "once").outcome, Outcome::kPassed);
  auto never_true = VerdictOf(book, "never-true");
  EXPECT_EQ(never_true.outcome, Outcome::kFailed);
  EXPECT_EQ(never_true.reason, "never true (false in 1 invocation(s))");
  auto never_hit = VerdictOf(book, "never-hit");
  EXPECT_EQ(never_hit.outcome, Outcome::kFailed);
  EXPECT_EQ(never_hit.reason, "never reached");
}

TEST(PropertyBook, Reachable) {
  PropertyBook book;
  book.Add(kH0, Assert("hit", "reachability", true, true, true));
  book.Add(kH0, Assert("unhit", "reachability", true, false, false));
  EXPECT_EQ(VerdictOf(book, "hit").outcome, Outcome::kPassed);
  EXPECT_EQ(VerdictOf(book, "unhit").outcome, Outcome::kFailed);
  EXPECT_EQ(VerdictOf(book, "unhit").reason, "never reached");
}

TEST(PropertyBook, UnreachableFailsWhenHitWhateverConditionSays) {
  PropertyBook book;
  book.Add(kH0, Assert("quiet", "reachability", false, false, false));
  // One SDK sends condition:true on Unreachable lines, another false: both are a hit.
  book.Add(kH0, Assert("hit-true", "reachability", false, true, true));
  book.Add(kH0, Assert("hit-false", "reachability", false, true, false));
  EXPECT_EQ(VerdictOf(book, "quiet").outcome, Outcome::kPassed);
  EXPECT_FALSE(VerdictOf(book, "quiet").reached);
  EXPECT_EQ(VerdictOf(book, "hit-true").outcome, Outcome::kFailed);
  EXPECT_EQ(VerdictOf(book, "hit-true").reason, "reached in 1 invocation(s)");
  EXPECT_EQ(VerdictOf(book, "hit-false").outcome, Outcome::kFailed);
}

TEST(PropertyBook, NumericFormsArriveAsAlwaysAndSometimesWithLeftAndRight) {
  PropertyBook book;
  book.Add(kH0, Assert("lag < 5", "always", true, true, true, {{"left", 3}, {"right", 5}},
                       "AlwaysLessThan"));
  book.Add(kH1, Assert("lag < 5", "always", true, true, false, {{"left", 9}, {"right", 5}},
                       "AlwaysLessThan"));
  book.Add(kH0, Assert("rows >= 10", "sometimes", true, true, true, {{"left", 12}, {"right", 10}},
                       "SometimesGreaterThanOrEqualTo"));
  auto lag = VerdictOf(book, "lag < 5");
  EXPECT_EQ(lag.outcome, Outcome::kFailed);
  EXPECT_EQ(book.Find("lag < 5")->first_fail->details["left"], 9);
  EXPECT_EQ(book.Find("lag < 5")->display_type, "AlwaysLessThan");
  EXPECT_EQ(VerdictOf(book, "rows >= 10").outcome, Outcome::kPassed);
}

TEST(PropertyBook, BooleanFormsCarryTheirNamedBooleans) {
  PropertyBook book;
  book.Add(kH0, Assert("some replica caught up", "always", true, true, false,
                       {{"r1", false}, {"r2", false}}, "AlwaysSome"));
  book.Add(kH0, Assert("all nodes up", "sometimes", true, true, true, {{"a", true}, {"b", true}},
                       "SometimesAll"));
  EXPECT_EQ(VerdictOf(book, "some replica caught up").outcome, Outcome::kFailed);
  EXPECT_EQ(book.Find("some replica caught up")->first_fail->details["r2"], false);
  EXPECT_EQ(VerdictOf(book, "all nodes up").outcome, Outcome::kPassed);
}

TEST(PropertyBook, RegistrationBeforeEvaluationKeepsItsLocation) {
  PropertyBook book;
  Event reg = Assert("a", "always", true, false, false);
  reg.assertion->location = {{"file", "w.cc"}, {"begin_line", 3}};
  book.Add(kH0, reg);
  book.Add(kH0, Assert("a", "always", true, true, true));
  EXPECT_EQ(book.Find("a")->location["file"], "w.cc");
  EXPECT_EQ(VerdictOf(book, "a").outcome, Outcome::kPassed);
}

TEST(PropertyBook, KindConflictsAreReported) {
  PropertyBook book;
  book.Add(kH0, Assert("a", "always", true, true, true));
  book.Add(kH0, Assert("a", "sometimes", true, true, true));
  EXPECT_EQ(book.kind_conflicts().count("a"), 1u);
}

Event Ev(EventType type, Json fields) {
  Event e;
  e.type = type;
  e.fields = std::move(fields);
  return e;
}

TEST(PropertyBook, BuiltinExitsZero) {
  PropertyBook book;
  book.Add(kH0, Ev(EventType::kHistoryStart, {}));
  book.Add(kH0, Ev(EventType::kCommandStart, {{"id", 1}, {"command", "t/parallel_driver_a"}}));
  book.Add(kH0, Ev(EventType::kCommandEnd,
                   {{"id", 1}, {"command", "t/parallel_driver_a"}, {"code", 0}}));
  book.Add(kH0, Ev(EventType::kCommandStart, {{"id", 2}, {"command", "t/parallel_driver_a"}}));
  book.Add(kH0, Ev(EventType::kCommandEnd,
                   {{"id", 2}, {"command", "t/parallel_driver_a"}, {"code", 3}}));
  // Killed by faultline: counts as neither.
  book.Add(kH0, Ev(EventType::kCommandStart, {{"id", 3}, {"command", "t/anytime_b"}}));
  book.Add(kH0, Ev(EventType::kCommandEnd,
                   {{"id", 3}, {"command", "t/anytime_b"}, {"signal", 9}, {"killed", "terminal"}}));
  EXPECT_EQ(VerdictOf(book, "t/parallel_driver_a exits 0").outcome, Outcome::kFailed);
  EXPECT_EQ(book.Find("t/parallel_driver_a exits 0")->first_fail->details["code"], 3);
  EXPECT_EQ(VerdictOf(book, "t/parallel_driver_a exits 0 at least once").outcome, Outcome::kPassed);
  EXPECT_EQ(VerdictOf(book, "t/anytime_b exits 0").outcome, Outcome::kPassed);
  EXPECT_FALSE(VerdictOf(book, "t/anytime_b exits 0").reached);
  EXPECT_EQ(VerdictOf(book, "t/anytime_b exits 0 at least once").outcome, Outcome::kPassed);
  EXPECT_EQ(VerdictOf(book, kCommandsFinishInTime).outcome, Outcome::kPassed);
}

TEST(PropertyBook, BuiltinExitsZeroAtLeastOnceFailsWhenEveryFinishFailed) {
  PropertyBook book;
  book.Add(kH0, Ev(EventType::kCommandStart, {{"id", 1}, {"command", "t/first_x"}}));
  book.Add(kH0, Ev(EventType::kCommandEnd, {{"id", 1}, {"command", "t/first_x"}, {"code", 1}}));
  EXPECT_EQ(VerdictOf(book, "t/first_x exits 0 at least once").outcome, Outcome::kFailed);
}

TEST(PropertyBook, BuiltinTimeoutSetupAndServiceExits) {
  PropertyBook book;
  book.Add(kH0, Ev(EventType::kHistoryStart, {}));
  book.Add(kH0, Ev(EventType::kSetupComplete, {{"via", "healthy"}}));
  book.Add(kH0, Ev(EventType::kCommandStart, {{"id", 1}, {"command", "t/serial_driver_h"}}));
  book.Add(kH0,
           Ev(EventType::kCommandEnd,
              {{"id", 1}, {"command", "t/serial_driver_h"}, {"signal", 9}, {"killed", "timeout"}}));
  book.Add(kH0, Ev(EventType::kServiceExit, {{"service", "db"}, {"code", 1}, {"expected", false}}));
  book.Add(kH0, Ev(EventType::kHistoryEnd, {}));
  book.Add(kH1, Ev(EventType::kHistoryStart, {}));
  book.Add(kH1, Ev(EventType::kSetupFailed, {{"unhealthy", {"db"}}}));
  book.Add(kH1, Ev(EventType::kHistoryEnd, {}));
  EXPECT_EQ(VerdictOf(book, kCommandsFinishInTime).outcome, Outcome::kFailed);
  EXPECT_EQ(book.Find(kCommandsFinishInTime)->first_fail->source, "t/serial_driver_h #1");
  EXPECT_EQ(VerdictOf(book, kSetupCompletes).outcome, Outcome::kFailed);
  EXPECT_EQ(book.Find(kSetupCompletes)->first_fail->history, 1);
  auto exits = VerdictOf(book, kNoUnexpectedServiceExits);
  EXPECT_EQ(exits.outcome, Outcome::kFailed);
  EXPECT_EQ(book.Find(kNoUnexpectedServiceExits)->first_fail->source, "service db");
  EXPECT_EQ(book.Find(kNoUnexpectedServiceExits)->passes, 1u);  // history 1 had none
  // The timed-out command is not judged by "exits 0".
  EXPECT_EQ(book.Find("t/serial_driver_h exits 0")->hits, 0u);
}

TEST(PropertyBook, SortedPutsFailingFirst) {
  PropertyBook book;
  book.Add(kH0, Assert("p1", "always", true, true, true));
  book.Add(kH0, Assert("f1", "always", true, true, false));
  book.Add(kH0, Assert("p2", "sometimes", true, true, true));
  auto sorted = book.Sorted();
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0]->id, "f1");
  EXPECT_EQ(sorted[1]->id, "p1");
  EXPECT_EQ(sorted[2]->id, "p2");
  EXPECT_TRUE(book.AnyFailed());
}

// Each configured fault kind is a sometimes: a kind that a run never injected fails, so the
// summary says which kinds the run did not exercise; a failed injection or heal fails its own.
TEST(PropertyBook, EveryConfiguredFaultKindMustBeInjectedSomewhere) {
  PropertyBook book;
  Event swarm{
      0, EventType::kFaultSwarm, {{"configured", {"kill", "pause"}}, {"enabled", {"kill"}}}};
  book.Add(kH0, swarm);
  book.Add(kH0, Event{1000,
                      EventType::kFault,
                      {{"action", "begin"}, {"id", 1}, {"kind", "kill"}, {"targets", {"db"}}}});
  book.Add(kH0, Event{2000,
                      EventType::kFault,
                      {{"action", "heal"}, {"id", 1}, {"kind", "kill"}, {"reason", "planned"}}});
  book.Add(kH0, Event{5000, EventType::kHistoryEnd, {{"outcome", "completed"}}});
  EXPECT_EQ(VerdictOf(book, "fault kill was injected").outcome, Outcome::kPassed);
  EXPECT_EQ(book.Find("fault kill was injected")->failures, 0u) << "the history injected it";
  // Pause was configured but this history's swarm left it out: no evidence either way.
  auto pause = VerdictOf(book, "fault pause was injected");
  EXPECT_EQ(pause.outcome, Outcome::kPassed);
  EXPECT_EQ(pause.reason, "no history's swarm enabled it");
  // A history that enabled pause and never injected it counts against it.
  Event swarm1{
      0, EventType::kFaultSwarm, {{"configured", {"kill", "pause"}}, {"enabled", {"pause"}}}};
  book.Add(kH1, swarm1);
  book.Add(kH1, Event{5000, EventType::kHistoryEnd, {{"outcome", "completed"}}});
  pause = VerdictOf(book, "fault pause was injected");
  EXPECT_EQ(pause.outcome, Outcome::kFailed);
  EXPECT_EQ(pause.reason, "never true (false in 1 invocation(s))");
  EXPECT_EQ(book.Find("fault pause was injected")->first_fail->seed, 8u);
  EXPECT_EQ(VerdictOf(book, kFaultsHealCleanly).outcome, Outcome::kPassed);
  book.Add(kH1, Event{3000,
                      EventType::kFault,
                      {{"action", "failed"}, {"id", 2}, {"kind", "kill"}, {"error", "gone"}}});
  EXPECT_EQ(VerdictOf(book, kFaultsHealCleanly).outcome, Outcome::kFailed);
  EXPECT_EQ(book.Find(kFaultsHealCleanly)->first_fail->seed, 8u);
}

Event Simple(EventType type, Json fields = Json::object()) {
  Event e;
  e.type = type;
  e.fields = std::move(fields);
  return e;
}

// A history that lost SDK output fails "SDK output was read whole", even when every line that was
// read passed: the lost one may have been the failing assertion.
TEST(PropertyBook, LostSdkOutputFailsTheRunAndIsWarnedPerFileAndReason) {
  PropertyBook book;
  book.Add(kH0, Simple(EventType::kHistoryStart));
  book.Add(kH0, Assert("a", "always", true, true, true));
  book.Add(kH0, Simple(EventType::kSdkSkipped,
                       {{"command", "t/singleton_driver_x"},
                        {"id", 3},
                        {"file", "/run/h0/sdk.jsonl"},
                        {"lines", 3},
                        {"reason", "line 2: invalid UTF-8 (byte 0xff at column 9)"},
                        {"reasons", {{"invalid UTF-8", 2}, {"NaN or Infinity", 1}}}}));
  book.Add(kH0, Simple(EventType::kHistoryEnd));
  book.Add(kH1, Simple(EventType::kHistoryStart));
  book.Add(kH1, Simple(EventType::kHistoryEnd));
  EXPECT_TRUE(book.AnyFailed());
  auto v = VerdictOf(book, kSdkReadWhole);
  EXPECT_EQ(v.outcome, Outcome::kFailed);
  const Property* p = book.Find(kSdkReadWhole);
  EXPECT_EQ(p->failures, 1u);
  EXPECT_EQ(p->passes, 1u);  // history 1 lost nothing
  EXPECT_EQ(p->first_fail->history, 0);
  ASSERT_EQ(book.Warnings().size(), 1u);
  EXPECT_EQ(book.Warnings()[0],
            "SDK output lost in history 0 (t/singleton_driver_x #3): 3 line(s) (1 NaN or "
            "Infinity, 2 invalid UTF-8) of /run/h0/sdk.jsonl could not be read; first: line 2: "
            "invalid UTF-8 (byte 0xff at column 9)");
}

TEST(PropertyBook, HistoriesThatLoseNothingPassSdkReadWhole) {
  PropertyBook book;
  book.Add(kH0, Simple(EventType::kHistoryStart));
  book.Add(kH0, Simple(EventType::kSetupComplete));
  book.Add(kH0, Assert("a", "always", true, true, true));
  book.Add(kH0, Simple(EventType::kHistoryEnd));
  EXPECT_FALSE(book.AnyFailed());
  EXPECT_EQ(VerdictOf(book, kSdkReadWhole).outcome, Outcome::kPassed);
  EXPECT_TRUE(book.Warnings().empty());
}

// Distinct ids past the cap are counted, not kept; the run fails and says why.
TEST(PropertyBook, PropertyIdsPastTheCapAreCountedAndFail) {
  PropertyBook book(BookLimits{.max_properties = 100});
  for (int i = 0; i < 1000; ++i) {
    book.Add(kH0, Assert(fmt::format("value {}", i), "always", true, true, i != 500));
  }
  book.Add(kH0, Assert("value 3", "always", true, true, false));  // a kept id still counts
  EXPECT_EQ(book.Sorted().size(), 101u);                          // 100 ids and the cap property
  EXPECT_EQ(VerdictOf(book, "value 3").outcome, Outcome::kFailed);
  EXPECT_EQ(book.Find("value 500"), nullptr);
  const Property* cap = book.Find(kPropertyIdsWithinCap);
  ASSERT_NE(cap, nullptr);
  EXPECT_EQ(Evaluate(*cap).outcome, Outcome::kFailed);
  EXPECT_EQ(cap->first_fail->details["first_id_past_cap"], "value 100");
  ASSERT_EQ(book.Warnings().size(), 1u);
  EXPECT_TRUE(book.Warnings()[0].starts_with(
      "900 assertion line(s) (1 failing) named property ids past the cap of 100 distinct ids"))
      << book.Warnings()[0];
}

// 300,000 distinct ids: memory stays bounded by the cap (10,000 ids by default).
TEST(PropertyBook, DefaultCapBoundsAFloodOfIds) {
  PropertyBook book;
  for (int i = 0; i < 300000; ++i)
    book.Add(kH0, Assert(fmt::format("id {}", i), "always", true, true, true));
  EXPECT_EQ(book.Sorted().size(), BookLimits{}.max_properties + 1);
}

TEST(PropertyBook, HugeDetailsAreSummarizedInExamples) {
  PropertyBook book(BookLimits{.max_example_details_bytes = 100});
  Json big = {{"blob", std::string(5000, 'x')}};
  book.Add(kH0, Assert("a", "always", true, true, false, big));
  const Property* p = book.Find("a");
  ASSERT_NE(p, nullptr);
  const Json& d = p->first_fail->details;
  EXPECT_TRUE(d.contains("faultline_summarized")) << d.dump();
  EXPECT_LE(d["start"].get<std::string>().size(), 100u);
  Json small = {{"v", 1}};
  book.Add(kH0, Assert("b", "always", true, true, false, small));
  EXPECT_EQ(book.Find("b")->first_fail->details, small);
}

// The payload a report's reader may skip, line by line, as AddAssertion would use it.
TEST(PayloadNeeds, KeepsWhatCanStillBecomeAnExampleOrTheLocation) {
  PayloadNeeds needs;
  auto body = [](const std::string& id, const std::string& type, bool hit, bool condition) {
    bool always = type == "always";
    auto a = sdk::Assertion::FromJson(Json{{"id", id},
                                           {"message", id},
                                           {"assert_type", type},
                                           {"must_hit", always},
                                           {"hit", hit},
                                           {"condition", condition},
                                           {"display_type", always ? "Always" : "Unreachable"}});
    EXPECT_TRUE(a.ok());
    return *a;
  };
  auto keeps = [](AssertPayload p, bool details, bool location) {
    return p.details == details && p.location == location;
  };
  // A registration, then the first pass without a location: both kept.
  EXPECT_TRUE(keeps(needs.Of(body("a", "always", false, false), false), true, true));
  EXPECT_TRUE(keeps(needs.Of(body("a", "always", true, true), false), true, true));
  // A later pass: its details are never read, its location is, until one is known.
  EXPECT_TRUE(keeps(needs.Of(body("a", "always", true, true), true), false, true));
  EXPECT_TRUE(keeps(needs.Of(body("a", "always", true, true), true), false, false));
  // A failure may be the first failing example, and marks the timeline: kept.
  EXPECT_TRUE(keeps(needs.Of(body("a", "always", true, false), true), true, true));
  // Reaching an unreachable is a failure whatever its condition says: kept every time.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(keeps(needs.Of(body("u", "reachability", true, true), true), true, true));
  }
  // Past its bound every line is kept.
  PayloadNeeds small(1);
  EXPECT_TRUE(keeps(small.Of(body("x", "always", true, true), true), true, true));
  EXPECT_TRUE(keeps(small.Of(body("x", "always", true, true), true), false, false));
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(keeps(small.Of(body("y", "always", true, true), true), true, true));
  }
}

}  // namespace
}  // namespace faultline::properties
