// In-process tests of the public header's pure parts: JSON text, details, comparisons, line
// builders and the seeded sequence. The header's writer and call sites are tested through real
// programs in sdk_programs_test.cc, since they read the environment once per process.
#include <faultline/sdk.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "base/json.h"
#include "base/rng.h"
#include "sdk/protocol.h"

namespace faultline::sdk {
namespace {

Json ParseValue(const Value& v) { return ParseJson(v.json()); }

std::string JsonString(std::string_view s) {
  std::string out;
  internal::AppendJsonString(out, s);
  return out;
}

TEST(SdkHeaderJson, StringsAreEscapedAndRoundTrip) {
  static constexpr char kControl[] = "nul \0 and \x01 \x1f \x7f";
  const std::string cases[] = {
      "plain",
      "quote \" backslash \\ slash /",
      "newline\n tab\t return\r backspace\b formfeed\f",
      std::string(kControl, sizeof kControl - 1),
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xa1",  // 2, 3 and 4-byte UTF-8
      "",
  };
  for (const std::string& s : cases) {
    std::string text = JsonString(s);
    Json j = ParseJson(text);
    ASSERT_FALSE(j.is_discarded()) << text;
    EXPECT_EQ(j.get<std::string>(), s) << text;
    EXPECT_EQ(text.find('\n'), std::string::npos) << "a raw newline would split the line";
  }
}

// `n` replacement characters (U+FFFD) in UTF-8.
std::string Fffd(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "\xef\xbf\xbd";
  return out;
}

TEST(SdkHeaderJson, InvalidUtf8BecomesReplacementCharacters) {
  struct Case {
    std::string in;
    std::string out;
  } cases[] = {
      {"a\xff"
       "b",
       "a" + Fffd(1) + "b"},          // a byte that never starts UTF-8
      {"\xc0\xaf", Fffd(2)},          // overlong '/'
      {"\xed\xa0\x80", Fffd(3)},      // a surrogate
      {"\xe2\x82", Fffd(2)},          // truncated at the end
      {"\xf4\x90\x80\x80", Fffd(4)},  // above U+10FFFF
  };
  for (const Case& c : cases) {
    Json j = ParseJson(JsonString(c.in));
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j.get<std::string>(), c.out);
  }
}

TEST(SdkHeaderJson, RandomBytesAlwaysGiveValidJson) {
  Rng rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng.Below(40), '\0');
    for (char& c : s) c = static_cast<char>(rng.Below(256));
    std::string text = JsonString(s);
    Json j = ParseJson(text);
    ASSERT_FALSE(j.is_discarded()) << "input #" << i;
  }
}

TEST(SdkHeaderValue, Numbers) {
  EXPECT_EQ(Value(std::numeric_limits<int64_t>::min()).json(), "-9223372036854775808");
  EXPECT_EQ(Value(std::numeric_limits<uint64_t>::max()).json(), "18446744073709551615");
  EXPECT_EQ(Value(static_cast<unsigned char>(200)).json(), "200");
  EXPECT_EQ(Value(short{-3}).json(), "-3");
  EXPECT_EQ(Value(0.1).json(), "0.1");
  EXPECT_EQ(ParseValue(Value(1e300)).get<double>(), 1e300);
  EXPECT_EQ(ParseValue(Value(1.0 / 3)).get<double>(), 1.0 / 3);  // round-trips exactly
  EXPECT_EQ(Value(1.5f).json(), "1.5");
  EXPECT_EQ(Value(std::nan("")).json(), "null");
  EXPECT_EQ(Value(-std::numeric_limits<double>::infinity()).json(), "null");
}

TEST(SdkHeaderValue, OtherTypes) {
  EXPECT_EQ(Value(true).json(), "true");
  EXPECT_EQ(Value(false).json(), "false");
  EXPECT_EQ(Value(nullptr).json(), "null");
  EXPECT_EQ(Value(static_cast<const char*>(nullptr)).json(), "null");
  EXPECT_EQ(Value('x').json(), "\"x\"");
  EXPECT_EQ(Value(std::string("a\"b")).json(), R"("a\"b")");
  EXPECT_EQ(Value(std::string_view("sv")).json(), "\"sv\"");
  EXPECT_EQ(Value().json(), "null");
}

TEST(SdkHeaderDetails, BracedListSetAndNesting) {
  Details d{{"b", 1}, {"a", "x"}, {"b", 2}};  // a repeated key keeps its last value, in place
  EXPECT_EQ(d.to_json(), R"({"b":2,"a":"x"})");
  d.set("nested", Details{{"k", true}}).set("list", Array{1, "two", nullptr});
  d.set("vector", Array(std::vector<double>{0.5, 2}));
  EXPECT_EQ(d.size(), 5u);
  Json j = ParseJson(d.to_json());
  EXPECT_EQ(j["nested"]["k"], true);
  EXPECT_EQ(j["list"], ParseJson(R"([1,"two",null])"));
  EXPECT_EQ(j["vector"], ParseJson("[0.5,2]"));
  EXPECT_EQ(Details().to_json(), "{}");
  EXPECT_TRUE(Details().empty());
}

TEST(SdkHeaderBools, AnyAllAndRanges) {
  Bools none{};
  EXPECT_FALSE(none.any());
  EXPECT_TRUE(none.all());
  Bools mixed{{"a", true}, {"b", false}};
  EXPECT_TRUE(mixed.any());
  EXPECT_FALSE(mixed.all());
  std::vector<std::pair<std::string, bool>> many;
  for (int i = 0; i < 25; ++i)
    many.emplace_back(fmt::format("b{}", i), true);  // past the inline ones
  Bools from_range(many);
  EXPECT_TRUE(from_range.all());
  EXPECT_EQ(from_range.end() - from_range.begin(), 25);
  Details d;
  from_range.add_to(d);
  EXPECT_EQ(d.size(), 25u);
  bool x = true, y = false;
  Bools named = FAULTLINE_NAMED_BOOLS(x, y, x && y);
  ASSERT_EQ(named.end() - named.begin(), 3);
  EXPECT_EQ(named.begin()[2].name, "x && y");
  EXPECT_FALSE(named.begin()[2].value);
}

TEST(SdkHeaderCompare, SignedUnsignedAndFloating) {
  using internal::Compare;
  using internal::Compares;
  EXPECT_TRUE(Compares(Compare::kLess, -1, 0u));  // -1 < 0u, unlike the built-in operator
  EXPECT_FALSE(Compares(Compare::kGreaterOrEqual, -1, 0u));
  EXPECT_TRUE(Compares(Compare::kGreater, std::numeric_limits<uint64_t>::max(), int64_t{-1}));
  EXPECT_TRUE(Compares(Compare::kLessOrEqual, 3u, 3));
  EXPECT_FALSE(Compares(Compare::kGreater, 3u, 3));
  EXPECT_TRUE(Compares(Compare::kLess, 2, 2.5));
  EXPECT_FALSE(Compares(Compare::kLessOrEqual, std::nan(""), 1.0));  // NaN compares false
  EXPECT_FALSE(Compares(Compare::kGreaterOrEqual, std::nan(""), 1.0));
}

TEST(SdkHeaderRandom, SeededDrawIsSplitMix64) {
  // The SplitMix64 reference sequence from state 0.
  EXPECT_EQ(internal::SeededDraw(0, 0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(internal::SeededDraw(0, 1), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(internal::SeededDraw(0, 2), 0x06c45d188009454fULL);
  EXPECT_EQ(internal::SeedFromText("42"), 42u);
  EXPECT_EQ(internal::SeedFromText("abc"), 0xe71fa2190541574bULL);  // FNV-1a 64
  EXPECT_EQ(internal::SeedFromText("42x"), internal::Fnv1a64("42x"));
}

internal::SiteInfo Site(internal::Kind kind) {
  return internal::SiteInfo{kind, "a \"message\"", "src/x.cc", "Fn", 12, 3};
}

TEST(SdkHeaderLines, AssertLinesParseBackToTheSameAssertion) {
  using internal::Kind;
  struct Case {
    Kind kind;
    AssertKind expected;
  } cases[] = {{Kind::kAlways, AssertKind::kAlways},
               {Kind::kAlwaysOrUnreachable, AssertKind::kAlwaysOrUnreachable},
               {Kind::kSometimes, AssertKind::kSometimes},
               {Kind::kReachable, AssertKind::kReachable},
               {Kind::kUnreachable, AssertKind::kUnreachable}};
  std::string details = R"({"n":5})";
  for (const Case& c : cases) {
    for (bool hit : {false, true}) {
      std::string text = internal::AssertLine(Site(c.kind), hit, hit, hit ? &details : nullptr);
      auto line = ParseSdkLine(text);
      ASSERT_TRUE(line.ok()) << line.error() << "\n" << text;
      const auto& a = std::get<Assertion>(*line);
      EXPECT_EQ(a.kind, c.expected) << text;
      EXPECT_EQ(a.hit, hit);
      EXPECT_EQ(a.condition, hit);
      EXPECT_EQ(a.id, "a \"message\"");
      EXPECT_EQ(a.message, a.id);
      EXPECT_EQ(a.display_type, internal::DisplayTypeOf(c.kind));
      EXPECT_EQ(a.location["file"], "src/x.cc");
      EXPECT_EQ(a.location["function"], "Fn");
      EXPECT_EQ(a.location["begin_line"], 12);
      EXPECT_EQ(a.location["begin_column"], 3);
      EXPECT_EQ(a.details, hit ? ParseJson(R"({"n":5})") : Json(nullptr));
    }
  }
}

TEST(SdkHeaderLines, OtherLines) {
  std::string phase = Details{{"phase", "done"}}.to_json();
  auto setup = ParseSdkLine(internal::SetupCompleteLine(&phase));
  ASSERT_TRUE(setup.ok());
  EXPECT_EQ(std::get<SetupComplete>(*setup).details["phase"], "done");
  auto bare = ParseSdkLine(internal::SetupCompleteLine(nullptr));
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(std::get<SetupComplete>(*bare).details.is_null());
  auto event = ParseSdkLine(internal::EventLine("progress \xff", R"({"done":3})"));
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(std::get<UserEvent>(*event).name, "progress \xef\xbf\xbd");
  EXPECT_EQ(std::get<UserEvent>(*event).details["done"], 3);
  auto info = ParseSdkLine(internal::SdkInfoLine());
  ASSERT_TRUE(info.ok());
  const Json& body = std::get<SdkInfo>(*info).body;
  EXPECT_EQ(body["language"]["name"], "C++");
  EXPECT_EQ(body["sdk_version"], FAULTLINE_SDK_VERSION);
  EXPECT_TRUE(internal::IsReservedKey("antithesis_setup"));
  EXPECT_FALSE(internal::IsReservedKey("my_event"));
}

}  // namespace
}  // namespace faultline::sdk
