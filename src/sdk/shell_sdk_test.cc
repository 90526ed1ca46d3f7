// Tests of `faultline sdk`: its argument parsing in-process, and the real binary per subcommand,
// for bad arguments, deduplication within an invocation, randomness and file handling.
#include "sdk/shell_sdk.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "base/strings.h"
#include "sdk/sdk_test_util.h"

namespace faultline::sdk {
namespace {

using properties::Evaluate;
using properties::Outcome;
using properties::PropertyBook;
using test_util::EnvChanges;
using test_util::ProgramResult;
using test_util::ReadSdkFile;
using test_util::RunProgram;
using test_util::SdkFile;
using test_util::TempDir;

TEST(ShellSdkArgs, Details) {
  Details d;
  EXPECT_TRUE(AddDetail("account=alice", d).ok());
  EXPECT_TRUE(AddDetail("count:=5", d).ok());
  EXPECT_TRUE(AddDetail("text=5", d).ok());  // KEY=TEXT is always a string
  EXPECT_TRUE(AddDetail("equation=a=b", d).ok());
  EXPECT_TRUE(AddDetail("empty=", d).ok());
  EXPECT_TRUE(AddDetail(R"(nested:={"a": [1, true]})", d).ok());
  EXPECT_TRUE(AddDetail(R"({"x": 1.5, "account": "bob"})", d).ok());  // replaces account
  EXPECT_EQ(ParseJson(d.to_json()),
            ParseJson(R"({"account":"bob","count":5,"text":"5","equation":"a=b","empty":"",)"
                      R"("nested":{"a":[1,true]},"x":1.5})"));
  for (const char* bad : {"novalue", "=x", ":=5", "k:=not json", "{bad", "[1,2]"}) {
    Status s = AddDetail(bad, d);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
  }
}

TEST(ShellSdkArgs, ConditionsAndPaths) {
  EXPECT_EQ(ParseCondition("true"), true);
  EXPECT_EQ(ParseCondition("false"), false);
  EXPECT_EQ(ParseCondition("1"), std::nullopt);
  EXPECT_EQ(ParseCondition("0"), std::nullopt);
  EXPECT_EQ(ParseCondition("True"), std::nullopt);
  EXPECT_EQ(ShellOutputPath("/a/x.jsonl", "/b"), "/a/x.jsonl");
  EXPECT_EQ(ShellOutputPath("", "/b"), "/b/sdk.jsonl");
  EXPECT_EQ(ShellOutputPath(nullptr, "/b"), "/b/sdk.jsonl");
  EXPECT_EQ(ShellOutputPath(nullptr, ""), "");
  EXPECT_EQ(ShellOutputPath(nullptr, nullptr), "");
  EXPECT_EQ(ShellStatePath("/a/x.jsonl"), "/a/x.jsonl.faultline-state");
}

// Runs `faultline sdk ARGS...` with its output in `dir`.
class ShellSdk : public ::testing::Test {
 protected:
  std::string output() const { return dir_.path() + "/cmd.sdk.jsonl"; }

  ProgramResult Sdk(const std::vector<std::string>& args, EnvChanges env = {}) {
    if (!env.count("ANTITHESIS_SDK_LOCAL_OUTPUT")) env["ANTITHESIS_SDK_LOCAL_OUTPUT"] = output();
    if (!env.count("ANTITHESIS_OUTPUT_DIR")) env["ANTITHESIS_OUTPUT_DIR"] = std::nullopt;
    if (!env.count("FAULTLINE_SEED")) env["FAULTLINE_SEED"] = std::nullopt;
    std::vector<std::string> argv = {std::string(FAULTLINE_BIN_DIR) + "/faultline", "sdk"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv, env, dir_.path());
  }

  // Runs the command, expects exit 0, and returns the one line it appended, parsed.
  std::optional<SdkLine> OneLine(const std::vector<std::string>& args) {
    size_t before = ReadSdkFile(output()).lines.size();
    ProgramResult r = Sdk(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    SdkFile file = ReadSdkFile(output());
    EXPECT_EQ(file.stats.garbage, 0u) << file.stats.first_garbage;
    EXPECT_EQ(file.lines.size(), before + 1) << Join(args, " ");
    if (file.lines.size() != before + 1) return std::nullopt;
    return file.lines.back();
  }

  TempDir dir_;
};

TEST_F(ShellSdk, EveryAssertionSubcommandWritesItsLine) {
  struct Case {
    std::vector<std::string> args;
    AssertKind kind;
    bool condition;
    const char* details;  // JSON
  } cases[] = {
      {{"always", "true", "a", "k=v"}, AssertKind::kAlways, true, R"({"k":"v"})"},
      {{"always-or-unreachable", "false", "b"}, AssertKind::kAlwaysOrUnreachable, false, "{}"},
      {{"sometimes", "true", "c", "n:=3", "-d", "m=x"},
       AssertKind::kSometimes,
       true,
       R"({"n":3,"m":"x"})"},
      {{"reachable", "d"}, AssertKind::kReachable, true, "{}"},
      {{"unreachable", "e", R"({"why":"test"})"},
       AssertKind::kUnreachable,
       false,
       R"({"why":"test"})"},
      {{"always-greater-than", "2", "1", "f"},
       AssertKind::kAlways,
       true,
       R"({"left":2,"right":1})"},
      {{"always-greater-than-or-equal-to", "-5", "-10", "g"},
       AssertKind::kAlways,
       true,
       R"({"left":-5,"right":-10})"},
      {{"always-less-than", "1.5", "1", "h", "unit=s"},
       AssertKind::kAlways,
       false,
       R"({"unit":"s","left":1.5,"right":1})"},
      {{"always-less-than-or-equal-to", "18446744073709551615", "-1", "i"},
       AssertKind::kAlways,
       false,
       R"({"left":18446744073709551615,"right":-1})"},
      {{"sometimes-greater-than", "3", "3", "j"},
       AssertKind::kSometimes,
       false,
       R"({"left":3,"right":3})"},
      {{"sometimes-greater-than-or-equal-to", "3", "3", "k"},
       AssertKind::kSometimes,
       true,
       R"({"left":3,"right":3})"},
      {{"sometimes-less-than", "0", "1e3", "l"},
       AssertKind::kSometimes,
       true,
       R"({"left":0,"right":1000.0})"},
      {{"sometimes-less-than-or-equal-to", "7", "3", "m"},
       AssertKind::kSometimes,
       false,
       R"({"left":7,"right":3})"},
      {{"always-some", "n", "leader=false", "follower=true", "-d", "term:=4"},
       AssertKind::kAlways,
       true,
       R"({"leader":false,"follower":true,"term":4})"},
      {{"sometimes-all", "o", "a=true", "b=false"},
       AssertKind::kSometimes,
       false,
       R"({"a":true,"b":false})"},
  };
  for (const Case& c : cases) {
    auto line = OneLine(c.args);
    ASSERT_TRUE(line) << Join(c.args, " ");
    const auto* a = std::get_if<Assertion>(&*line);
    ASSERT_NE(a, nullptr) << Join(c.args, " ");
    EXPECT_EQ(a->kind, c.kind) << Join(c.args, " ");
    EXPECT_TRUE(a->hit);
    EXPECT_EQ(a->condition, c.condition) << Join(c.args, " ");
    EXPECT_EQ(a->details, ParseJson(c.details)) << Join(c.args, " ");
  }
}

TEST_F(ShellSdk, ScriptVerdictsThroughThePropertyBook) {
  // One invocation of a script: one output file, many `faultline sdk` calls.
  const std::vector<std::vector<std::string>> calls = {
      {"declare", "reachable", "never reached in the script"},
      {"declare", "always-or-unreachable", "optional check"},
      {"always", "true", "count never negative"},
      {"always", "true", "count never negative"},
      {"sometimes", "false", "a retry happened"},
      {"sometimes", "true", "a retry happened"},
      {"unreachable", "crash path"},
  };
  for (const auto& call : calls) EXPECT_EQ(Sdk(call).exit_code, 0) << Join(call, " ");
  PropertyBook book;
  test_util::FeedBook(ReadSdkFile(output()), book);
  auto verdict = [&](const char* id) {
    const properties::Property* p = book.Find(id);
    EXPECT_NE(p, nullptr) << id;
    return p ? Evaluate(*p) : properties::Verdict{};
  };
  EXPECT_EQ(verdict("never reached in the script").outcome, Outcome::kFailed);
  EXPECT_EQ(verdict("never reached in the script").reason, "never reached");
  EXPECT_EQ(verdict("optional check").outcome, Outcome::kPassed);
  EXPECT_EQ(verdict("count never negative").outcome, Outcome::kPassed);
  EXPECT_EQ(book.Find("count never negative")->hits, 1u);  // deduplicated in the invocation
  EXPECT_EQ(verdict("a retry happened").outcome, Outcome::kPassed);
  EXPECT_EQ(verdict("crash path").outcome, Outcome::kFailed);
}

TEST_F(ShellSdk, OnePassingAndOneFailingLinePerInvocation) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Sdk({"always", "true", "m"}).exit_code, 0);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Sdk({"always", "false", "m"}).exit_code, 0);
  EXPECT_EQ(Sdk({"sometimes", "true", "m"}).exit_code, 0);  // another kind: its own lines
  EXPECT_EQ(Sdk({"declare", "always", "m"}).exit_code, 0);
  EXPECT_EQ(Sdk({"declare", "always", "m"}).exit_code, 0);
  SdkFile file = ReadSdkFile(output());
  ASSERT_EQ(file.lines.size(), 4u);
  EXPECT_TRUE(std::get<Assertion>(file.lines[0]).condition);
  EXPECT_FALSE(std::get<Assertion>(file.lines[1]).condition);
  EXPECT_EQ(std::get<Assertion>(file.lines[2]).kind, AssertKind::kSometimes);
  EXPECT_FALSE(std::get<Assertion>(file.lines[3]).hit);
  // A new invocation (another output file) writes again.
  EnvChanges other = {{"ANTITHESIS_SDK_LOCAL_OUTPUT", dir_.path() + "/other.jsonl"}};
  EXPECT_EQ(Sdk({"always", "true", "m"}, other).exit_code, 0);
  EXPECT_EQ(ReadSdkFile(dir_.path() + "/other.jsonl").lines.size(), 1u);
}

TEST_F(ShellSdk, SetupCompleteAndEvents) {
  auto setup = OneLine({"setup-complete", "nodes:=3"});
  ASSERT_TRUE(setup);
  EXPECT_EQ(std::get<SetupComplete>(*setup).details, ParseJson(R"({"nodes":3})"));
  auto bare = OneLine({"setup-complete"});
  ASSERT_TRUE(bare);
  EXPECT_TRUE(std::get<SetupComplete>(*bare).details.is_null());
  auto event = OneLine({"event", "backup taken", "size:=1024", "-d", "where=s3"});
  ASSERT_TRUE(event);
  EXPECT_EQ(std::get<UserEvent>(*event).name, "backup taken");
  EXPECT_EQ(std::get<UserEvent>(*event).details, ParseJson(R"({"size":1024,"where":"s3"})"));
  // Events are not deduplicated.
  EXPECT_TRUE(OneLine({"event", "backup taken"}));
}

TEST_F(ShellSdk, MessagesWithQuotesNewlinesAndBadBytesStayOneValidLine) {
  std::string message = "say \"hi\"\nthen \xff leave";
  auto line = OneLine({"reachable", message, "note=tab\there"});
  ASSERT_TRUE(line);
  const auto& a = std::get<Assertion>(*line);
  EXPECT_EQ(a.id, "say \"hi\"\nthen \xef\xbf\xbd leave");
  EXPECT_EQ(a.details["note"], "tab\there");
}

TEST_F(ShellSdk, LocationFromFlagsOrTheCallingScript) {
  auto flagged =
      OneLine({"reachable", "m1", "--file", "drive.sh", "--line", "7", "--function", "main"});
  ASSERT_TRUE(flagged);
  EXPECT_EQ(std::get<Assertion>(*flagged).location,
            ParseJson(R"({"file":"drive.sh","function":"main","class":"","begin_line":7,)"
                      R"("begin_column":0})"));

  std::string script = dir_.path() + "/parallel_driver_check.sh";
  ASSERT_TRUE(WriteFile(script, "\"$1\" sdk reachable 'from a script' --line \"$LINENO\"\n").ok());
  ProgramResult r = RunProgram({"/bin/bash", script, std::string(FAULTLINE_BIN_DIR) + "/faultline"},
                               {{"ANTITHESIS_SDK_LOCAL_OUTPUT", output()}}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  SdkFile file = ReadSdkFile(output());
  ASSERT_FALSE(file.lines.empty());
  const auto& a = std::get<Assertion>(file.lines.back());
  EXPECT_EQ(a.location["file"], script);
  EXPECT_EQ(a.location["begin_line"], 1);
}

TEST_F(ShellSdk, WithoutAnOutputNothingIsWrittenAndTheExitIsZero) {
  EnvChanges none = {{"ANTITHESIS_SDK_LOCAL_OUTPUT", std::nullopt}};
  EXPECT_EQ(Sdk({"always", "false", "m"}, none).exit_code, 0);
  EXPECT_EQ(Sdk({"setup-complete"}, none).exit_code, 0);
  EXPECT_EQ(Sdk({"event", "e"}, none).exit_code, 0);
  EXPECT_EQ(Sdk({"declare", "reachable", "m"}, none).exit_code, 0);
  EXPECT_FALSE(PathExists(output()));
  EXPECT_FALSE(PathExists(ShellStatePath(output())));
  // An unwritable output is a warning, never a failure of the script.
  ProgramResult r =
      Sdk({"always", "false", "m"}, {{"ANTITHESIS_SDK_LOCAL_OUTPUT", "/nonexistent/x.jsonl"}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
}

TEST_F(ShellSdk, FallsBackToTheOutputDir) {
  EnvChanges env = {{"ANTITHESIS_SDK_LOCAL_OUTPUT", std::nullopt},
                    {"ANTITHESIS_OUTPUT_DIR", dir_.path()}};
  EXPECT_EQ(Sdk({"reachable", "m"}, env).exit_code, 0);
  SdkFile file = ReadSdkFile(dir_.path() + "/sdk.jsonl");
  ASSERT_EQ(file.lines.size(), 1u);
  EXPECT_EQ(std::get<Assertion>(file.lines[0]).id, "m");
}

TEST_F(ShellSdk, RandomFollowsTheSeedAcrossTheCallsOfAnInvocation) {
  auto draws = [&](const std::string& out, int n, std::vector<std::string> extra = {}) {
    std::vector<std::string> values;
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> args = {"random"};
      args.insert(args.end(), extra.begin(), extra.end());
      ProgramResult r = Sdk(args, {{"FAULTLINE_SEED", "42"}, {"ANTITHESIS_SDK_LOCAL_OUTPUT", out}});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      values.push_back(std::string(Trim(r.out)));
    }
    return values;
  };
  std::vector<std::string> first = draws(dir_.path() + "/a.jsonl", 3);
  for (uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(first[i], std::to_string(internal::SeededDraw(42, i)));  // = a C++ process's
  }
  EXPECT_EQ(draws(dir_.path() + "/b.jsonl", 3), first);  // a replayed invocation
  for (const std::string& v : draws(dir_.path() + "/c.jsonl", 20, {"--below", "6"})) {
    EXPECT_LT(ParseUint(v).value_or(99), 6u) << v;
  }
  // Without a seed the numbers come from the operating system.
  EXPECT_NE(Trim(Sdk({"random"}).out), Trim(Sdk({"random"}).out));
}

TEST_F(ShellSdk, ChoicePicksAnOptionDeterministicallyUnderASeed) {
  auto choose = [&](const std::string& out) {
    std::string picks;
    for (int i = 0; i < 8; ++i) {
      ProgramResult r = Sdk({"choice", "read", "write", "scan"},
                            {{"FAULTLINE_SEED", "7"}, {"ANTITHESIS_SDK_LOCAL_OUTPUT", out}});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      std::string pick(Trim(r.out));
      EXPECT_TRUE(pick == "read" || pick == "write" || pick == "scan") << pick;
      picks += pick + " ";
    }
    return picks;
  };
  std::string first = choose(dir_.path() + "/a.jsonl");
  EXPECT_EQ(choose(dir_.path() + "/b.jsonl"), first);
}

TEST_F(ShellSdk, WrongArgumentsExitTwoWithUsageAndWriteNothing) {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"bogus"},
      {"always"},
      {"always", "true"},
      {"always", "maybe", "m"},
      {"always", "1", "m"},
      {"always", "true", ""},
      {"always", "true", "m", "novalue"},
      {"always", "true", "m", "-d", "k:=nope"},
      {"always", "true", "m", "--line", "seven"},
      {"always-less-than", "x", "1", "m"},
      {"always-less-than", "1", "m"},
      {"always-some", "m"},
      {"always-some", "m", "a=maybe"},
      {"sometimes-all", "m", "=true"},
      {"reachable"},
      {"event"},
      {"event", "antithesis_setup"},
      {"declare", "alwys", "m"},
      {"declare", "always"},
      {"random", "--below", "0"},
      {"random", "extra"},
      {"choice"},
      {"setup-complete", "{not json"},
  };
  for (const auto& args : bad) {
    ProgramResult r = Sdk(args);
    EXPECT_EQ(r.exit_code, 2) << "faultline sdk " << Join(args, " ") << "\n" << r.err;
    EXPECT_NE(r.err.find("faultline sdk"), std::string::npos) << Join(args, " ") << "\n" << r.err;
  }
  EXPECT_FALSE(PathExists(output()));
  ProgramResult typo = Sdk({"declare", "alwys", "m"});
  EXPECT_NE(typo.err.find("did you mean 'always'"), std::string::npos) << typo.err;
}

TEST_F(ShellSdk, HelpExitsZero) {
  ProgramResult top = Sdk({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("sometimes-greater-than-or-equal-to"), std::string::npos) << top.out;
  EXPECT_NE(top.out.find("ANTITHESIS_OUTPUT_DIR"), std::string::npos);
  ProgramResult sub = Sdk({"always", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("CONDITION"), std::string::npos) << sub.out;
}

}  // namespace
}  // namespace faultline::sdk
