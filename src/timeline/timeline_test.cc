#include "timeline/timeline.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/files.h"
#include "base/temp_dir.h"

namespace faultline {
namespace {

// Equal values of equal types, all the way down (Json's == takes 1u for 1 and 1.0).
bool Same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key()) || !Same(it.value(), b[it.key()])) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

void ExpectBothParsersAgree(std::string_view line, const AssertPayloadFilter* filter = nullptr) {
  auto fast = Event::FromJsonLine(line, filter);
  auto reference = Event::FromJsonLineReference(line, filter);
  ASSERT_EQ(fast.has_value(), reference.has_value()) << line;
  if (!fast) return;
  EXPECT_EQ(fast->t_us, reference->t_us) << line;
  EXPECT_EQ(fast->type, reference->type) << line;
  EXPECT_TRUE(Same(fast->fields, reference->fields))
      << line << "\n  fast: " << fast->fields.dump()
      << "\n  reference: " << reference->fields.dump();
  ASSERT_EQ(fast->assertion.has_value(), reference->assertion.has_value()) << line;
  if (fast->assertion) {
    EXPECT_TRUE(Same(fast->assertion->ToJson(), reference->assertion->ToJson()))
        << line << "\n  fast: " << fast->assertion->ToJson().dump()
        << "\n  reference: " << reference->assertion->ToJson().dump();
  }
}

std::string Nested(int depth) {
  return R"({"t":1,"type":"warning","x":)" + std::string(depth - 1, '[') + "0" +
         std::string(depth - 1, ']') + "}";
}

TEST(Event, TheFastParserAgreesWithTheReferenceOnEveryKindOfLine) {
  const std::vector<std::string> lines = {
      R"({"index":0,"seed":1,"t":0.0,"template":"counter","type":"history_start"})",
      R"({"code":0,"command":"t/parallel_driver_a.sh","id":1,"ms":102.0,"t":0.206,"type":"command_end"})",
      R"({"assert":{"assert_type":"always","condition":true,"details":{"balance":10},"hit":true,"id":"b","location":{"begin_line":7,"file":"f"},"message":"b","must_hit":true},"command":"t/x","id":1,"t":0.109,"type":"assert"})",
      // numbers: signed, unsigned, past uint64, fractions, exponents, out of range, negative zero
      R"({"t":1,"type":"warning","a":-5,"b":18446744073709551615,"c":123456789012345678901234567890,"d":1.5e3,"e":-0,"f":0.1})",
      R"({"t":1,"type":"warning","a":1e400})",
      R"({"t":1,"type":"warning","a":-1e400})",
      R"({"t":5,"type":"warning"})",
      R"({"t":-2.5,"type":"warning"})",
      R"({"t":1e13,"type":"warning"})",
      R"({"t":"1","type":"warning"})",
      R"({"type":"warning"})",
      R"({"t":1,"type":"no_such_type"})",
      R"({"t":1,"type":7})",
      // strings: escapes, surrogate pairs, a lone surrogate, invalid UTF-8, a raw control character
      R"({"t":1,"type":"warning","message":"caf\u00e9 \ud83d\ude00 \" \\ \/ \n"})",
      R"({"t":1,"type":"warning","message":"\ud800"})",
      "{\"t\":1,\"type\":\"warning\",\"message\":\"\xff\xfe\"}",
      "{\"t\":1,\"type\":\"warning\",\"message\":\"a\tb\"}",
      // a raw control character at every position of an 8-byte word, and the last byte
      "{\"t\":1,\"type\":\"warning\",\"message\":\"abcdefgh\x01\"}",
      "{\"t\":1,\"type\":\"warning\",\"message\":\"abcdefghi\x1f\"}",
      "{\"t\":1,\"type\":\"warning\",\"message\":\"abcdefghij\x7f\xc3\xa9\xe2\x82\xac\"}",
      "{\"t\":1,\"type\":\"warning\",\"message\":\"\"}\n",
      "{\"t\":1,\"type\":\"warning\",\"message\":\"\xc3\xa9\"}",
      // structure: duplicates, trailing text, whitespace, other documents
      R"({"t":1,"type":"warning","a":1,"a":2,"t":3})",
      R"({"t":1,"type":"warning"} x)",
      R"({"t":1,"type":"warning"}  )",
      R"(  {"t":1,"type":"warning"})",
      R"({"t":1,"type":"warning"}{})",
      R"({"t":1,"type":"warning","a":[1,[2,{"b":null}],true,false]})",
      R"([1,2])",
      R"("text")",
      "",
      "{",
      R"({"t":1,"type":"warning","a":})",
      R"({"t":1,"type":"assert","assert":7})",
      R"({"t":1,"type":"assert","assert":{"id":"x","details":5,"location":"here"}})",
      R"({"t":1,"type":"sdk_event","assert":{"id":"x","details":{"d":1},"location":{}}})",
      // assertions: what the protocol infers, what it refuses, duplicates and unknown members
      R"({"t":1,"type":"assert","assert":{"message":"m","hit":true,"condition":true}})",
      R"({"t":1,"type":"assert","assert":{"id":"i","hit":false,"display_type":"AlwaysOrUnreachable"}})",
      R"({"t":1,"type":"assert","assert":{"id":"i","hit":true,"display_type":"Reachable","must_hit":7}})",
      R"({"t":1,"type":"assert","assert":{"id":"i","hit":true,"assert_type":"reachability","must_hit":false}})",
      R"({"t":1,"type":"assert","assert":{"id":"i","hit":"yes"}})",
      R"({"t":1,"type":"assert","assert":{"id":"i","hit":true,"assert_type":"often"}})",
      R"({"t":1,"type":"assert","assert":{"id":7,"message":"m","hit":true,"condition":null}})",
      R"({"t":1,"type":"assert","assert":{"id":"a","id":"b","hit":false,"hit":true,"condition":true}})",
      R"({"t":1,"type":"assert","assert":{"id":"a","hit":true,"details":null,"location":null,"x":[1]}})",
      R"({"t":1,"type":"assert","assert":{"id":"a","hit":true,"details":{"n":1e400}}})",
      R"({"t":1,"type":"assert","assert":{"id":"a","hit":true},"assert":{"id":"b","hit":false}})",
      R"({"t":1,"type":"assert","assert":{"id":"a","hit":true},"assert":5})",
  };
  for (const auto& line : lines) ExpectBothParsersAgree(line);
  // Depth: around the bound of both parsers.
  for (int depth : {2, 250, 297, 298, 299, 300, 301, 302, 400, 5000}) {
    ExpectBothParsersAgree(Nested(depth));
  }
  EXPECT_TRUE(Event::FromJsonLine(Nested(299)));
  EXPECT_FALSE(Event::FromJsonLine(Nested(302)));
}

TEST(Event, AFilterDropsTheAssertionPayloadInBothParsers) {
  std::vector<std::pair<sdk::Assertion, bool>> asked;
  AssertPayloadFilter filter = [&](const sdk::Assertion& assertion, bool has_location) {
    asked.emplace_back(assertion, has_location);
    return AssertPayload{.details = false, .location = assertion.id == "keep-location"};
  };
  for (std::string id : {"drop-both", "keep-location"}) {
    std::string line =
        R"({"assert":{"assert_type":"always","must_hit":true,"condition":true,"details":{"big":[1,2,3]},"hit":true,"id":")" +
        id + R"(","location":{"file":"f"}},"t":1,"type":"assert"})";
    ExpectBothParsersAgree(line, &filter);
    auto e = Event::FromJsonLine(line, &filter);
    ASSERT_TRUE(e);
    ASSERT_TRUE(e->assertion) << line;
    const sdk::Assertion& a = *e->assertion;
    EXPECT_TRUE(a.details.is_null()) << line;
    EXPECT_EQ(a.location.is_null(), id != "keep-location") << line;
    EXPECT_EQ(a.id, id);
  }
  // Asked once per parse (2 lines, each parsed by both parsers and once more), without the
  // payload.
  ASSERT_EQ(asked.size(), 6u);
  EXPECT_TRUE(asked[0].first.details.is_null());
  EXPECT_TRUE(asked[0].first.location.is_null());
  EXPECT_TRUE(asked[0].second);
  // Not an assert event: the filter is not asked and the payload stays.
  asked.clear();
  auto other = Event::FromJsonLine(
      R"({"assert":{"details":{"d":1},"id":"x"},"t":1,"type":"sdk_event"})", &filter);
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->fields["assert"].contains("details"));
  EXPECT_TRUE(asked.empty());
}

TEST(Event, AnAssertionIsTypedAndPrintsBackAsItsAssertField) {
  auto a = sdk::Assertion::FromJson({{"id", "balance >= 0"},
                                     {"hit", true},
                                     {"condition", false},
                                     {"assert_type", "always"},
                                     {"must_hit", true},
                                     {"details", {{"balance", -3}}},
                                     {"location", {{"file", "w.py"}, {"begin_line", 4}}}});
  ASSERT_TRUE(a.ok());
  Event e = Event::Assert(2500, {{"command", "t/parallel_driver_x"}, {"id", 3}}, *a);
  std::string line = e.ToJsonLine();
  EXPECT_NE(line.find(R"("assert":{"assert_type":"always")"), std::string::npos) << line;
  for (auto parsed : {Event::FromJsonLine(line), Event::FromJsonLineReference(line)}) {
    ASSERT_TRUE(parsed && parsed->assertion) << line;
    EXPECT_EQ(*parsed->assertion, *a);
    EXPECT_FALSE(parsed->fields.contains("assert"));  // the source fields only
    EXPECT_EQ(parsed->fields["id"], 3);
    EXPECT_EQ(parsed->ToJsonLine(), line);
  }
  // An "assert" that does not validate stays as written, untyped.
  auto bad = Event::FromJsonLine(R"({"t":1,"type":"assert","assert":{"id":"x"}})");
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->assertion);
  EXPECT_EQ(bad->fields["assert"]["id"], "x");
  EXPECT_EQ(Event::Of(0, EventType::kAssert, {{"assert", {{"id", "x"}}}}).assertion, std::nullopt);
}

TEST(Timeline, RoundTripsThroughItsFile) {
  TempDir dir("timeline-test");
  std::string path = dir.path() + "/timeline.jsonl";
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
}

// A SIGKILL of faultline right after Record returns keeps every event, each a whole line.
TEST(Timeline, EveryRecordedEventSurvivesSigkill) {
  TempDir dir("timeline-kill");
  std::string path = dir.path() + "/timeline.jsonl";
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
