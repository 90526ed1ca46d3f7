// Tests of the public header through real programs built with it alone (tests/sdk/programs/):
// the verdicts that faultline's reader and property book draw from their files, registrations
// before main, file handling, threads and seeded randomness; and the official SDKs' shapes
// (tests/sdk/fixtures/) giving the same verdicts as ours.
#include <faultline/sdk.h>
#include <gtest/gtest.h>

#include <set>

#include "base/json.h"
#include "base/strings.h"
#include "sdk/sdk_test_util.h"

namespace faultline::sdk {
namespace {

using properties::Evaluate;
using properties::Outcome;
using properties::PropertyBook;
using properties::Verdict;
using test_util::EnvChanges;
using test_util::FeedBook;
using test_util::ReadSdkFile;
using test_util::RunProgram;
using test_util::SdkFile;
using test_util::TempDir;

std::string Program(const char* name) {
  return std::string(FAULTLINE_SDK_PROGRAM_DIR) + "/sdk_" + name;
}

std::string Fixture(const std::string& name) {
  return std::string(FAULTLINE_SOURCE_DIR) + "/tests/sdk/fixtures/" + name;
}

// Runs `program` with its SDK output in `dir`; returns the output file's path.
std::string RunWithOutput(const TempDir& dir, const char* program,
                          const std::vector<std::string>& args = {}, EnvChanges env = {}) {
  std::string output = dir.path() + "/sdk.jsonl";
  env["ANTITHESIS_SDK_LOCAL_OUTPUT"] = output;
  std::vector<std::string> argv = {Program(program)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = RunProgram(argv, env, dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return output;
}

struct Expected {
  const char* id;
  Outcome outcome;
  bool reached;
  const char* reason;
  bool registered;  // macros register before main; the function forms do not
};

constexpr Outcome kPass = Outcome::kPassed;
constexpr Outcome kFail = Outcome::kFailed;

// What tests/sdk/programs/every_kind.cc must produce.
const Expected kEveryKind[] = {
    {"balance never negative", kPass, true, "", true},
    {"ledger balanced", kFail, true, "false in 1 invocation(s)", true},
    {"retry path keeps order", kPass, false, "never reached", true},
    {"overdraft refused", kFail, true, "false in 1 invocation(s)", true},
    {"transfer sometimes succeeds", kPass, true, "", true},
    {"leader elected", kFail, true, "never true (false in 1 invocation(s))", true},
    {"recovery ran", kFail, false, "never reached", true},
    {"transfer reached", kPass, true, "", true},
    {"audit reached", kFail, false, "never reached", true},
    {"corruption detected", kPass, false, "never reached", true},
    {"panic handler", kFail, true, "reached in 1 invocation(s)", true},
    {"latency under budget", kPass, true, "", true},
    {"retries at most three", kFail, true, "false in 1 invocation(s)", true},
    {"balance above floor", kPass, true, "", true},
    {"sequence not behind", kFail, true, "false in 1 invocation(s)", true},
    {"queue drains", kPass, true, "", true},
    {"lag small", kFail, true, "never true (false in 1 invocation(s))", true},
    {"throughput peaks", kPass, true, "", true},
    {"full batch", kFail, false, "never reached", true},
    {"some replica answers", kPass, true, "", true},
    {"all replicas caught up", kFail, true, "never true (false in 1 invocation(s))", true},
    {"branch never taken", kFail, false, "never reached", true},
    {"td completed .td file", kPass, true, "", false},
    {"worker 3 finished", kPass, true, "", false},
    {"function sometimes never true", kFail, true, "never true (false in 1 invocation(s))", false},
    {"function numeric passes", kPass, true, "", false},
    {"function bools pass", kPass, true, "", false},
    {"function unreachable reached", kFail, true, "reached in 1 invocation(s)", false},
    {properties::kSetupCompletes, kPass, true, "", false},  // built in, from setup_complete()
};
constexpr size_t kMacroCallSites = 22;  // every FAULTLINE_ macro call in every_kind.cc

std::string Describe(const Verdict& v) {
  return fmt::format("{} reached={} reason='{}'", v.outcome == kPass ? "passed" : "failed",
                     v.reached, v.reason);
}

TEST(SdkPrograms, EveryKindGivesExactlyTheExpectedVerdicts) {
  TempDir dir;
  SdkFile file = ReadSdkFile(RunWithOutput(dir, "every_kind"));
  EXPECT_EQ(file.stats.garbage, 0u) << file.stats.first_garbage;
  PropertyBook book;
  FeedBook(file, book);
  std::set<std::string> expected_ids, ids;
  for (const Expected& e : kEveryKind) expected_ids.insert(e.id);
  for (const properties::Property* p : book.Sorted()) ids.insert(p->id);
  EXPECT_EQ(ids, expected_ids);
  for (const Expected& e : kEveryKind) {
    const properties::Property* p = book.Find(e.id);
    ASSERT_NE(p, nullptr) << e.id;
    Verdict v = Evaluate(*p);
    EXPECT_EQ(v.outcome, e.outcome) << e.id << ": " << Describe(v);
    EXPECT_EQ(v.reached, e.reached) << e.id << ": " << Describe(v);
    EXPECT_EQ(v.reason, e.reason) << e.id;
    EXPECT_EQ(p->registered, e.registered) << e.id;
    if (!p->builtin) {
      EXPECT_NE(JsonString(p->location, "file").find("every_kind.cc"), std::string::npos)
          << e.id << ": " << p->location;
    }
  }
  // Details reach the examples: the user's, and the operands and booleans of the rich forms.
  EXPECT_EQ(book.Find("balance never negative")->first_pass->details["balance"], 10);
  EXPECT_EQ(book.Find("ledger balanced")->first_fail->details["round"], 1);
  const Json& latency = book.Find("latency under budget")->first_pass->details;
  EXPECT_EQ(latency, ParseJson(R"({"unit":"ms","left":10,"right":100})"));
  EXPECT_EQ(book.Find("sequence not behind")->first_fail->details["left"], -1);
  const Json& replicas = book.Find("some replica answers")->first_pass->details;
  EXPECT_EQ(replicas, ParseJson(R"({"leader":false,"follower":true})"));
  EXPECT_EQ(book.Find("transfer reached")->location["function"], "Basic");
  EXPECT_EQ(book.Find("td completed .td file")->location["function"], "Functions");
  EXPECT_EQ(book.Find("retry path keeps order")->location["function"], "NeverCalled");
}

TEST(SdkPrograms, EveryCallSiteIsRegisteredBeforeMainAndOnlyOnce) {
  TempDir dir;
  SdkFile file = ReadSdkFile(RunWithOutput(dir, "every_kind"));
  ASSERT_FALSE(file.lines.empty());
  EXPECT_TRUE(std::holds_alternative<SdkInfo>(file.lines.front()));
  size_t main_started = file.lines.size();
  std::vector<std::string> registered;
  for (size_t i = 0; i < file.lines.size(); ++i) {
    if (auto* u = std::get_if<UserEvent>(&file.lines[i]); u && u->name == "main_started") {
      main_started = std::min(main_started, i);
    }
    if (auto* a = std::get_if<Assertion>(&file.lines[i])) {
      if (!a->hit) {
        registered.push_back(a->id);
        EXPECT_LT(i, main_started) << "registration of '" << a->id << "' after main started";
      } else {
        EXPECT_GT(i, main_started) << "evaluation of '" << a->id << "' before main";
      }
    }
  }
  EXPECT_EQ(registered.size(), kMacroCallSites);
  EXPECT_EQ(std::set<std::string>(registered.begin(), registered.end()).size(), kMacroCallSites);
}

TEST(SdkPrograms, SetupCompleteAndEvents) {
  TempDir dir;
  SdkFile file = ReadSdkFile(RunWithOutput(dir, "every_kind", {"x"}));
  int setups = 0;
  std::vector<std::string> events;
  for (const SdkLine& line : file.lines) {
    if (auto* s = std::get_if<SetupComplete>(&line)) {
      ++setups;
      EXPECT_EQ(s->details, ParseJson(R"({"phase":"done"})"));
    }
    if (auto* u = std::get_if<UserEvent>(&line)) {
      events.push_back(u->name);
      if (u->name == "main_started") {
        EXPECT_EQ(u->details["argc"], 2);
      }
      if (u->name == "main_finished") {
        EXPECT_EQ(u->details, Json::object());
      }
    }
  }
  EXPECT_EQ(setups, 1);
  EXPECT_EQ(events, (std::vector<std::string>{"main_started", "main_finished"}));
}

TEST(SdkPrograms, WithoutTheVariableNothingIsWritten) {
  TempDir dir;
  auto result = RunProgram(
      {Program("every_kind")},
      {{"ANTITHESIS_SDK_LOCAL_OUTPUT", std::nullopt}, {"ANTITHESIS_OUTPUT_DIR", dir.path()}},
      dir.path());
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.err, "");
  EXPECT_FALSE(PathExists(dir.path() + "/sdk.jsonl"));  // no fallback in the header

  auto empty =
      RunProgram({Program("every_kind")}, {{"ANTITHESIS_SDK_LOCAL_OUTPUT", ""}}, dir.path());
  EXPECT_EQ(empty.exit_code, 0);
}

TEST(SdkPrograms, AnUnopenableFileIsReportedOnceAndTheProgramRuns) {
  TempDir dir;
  auto result = RunProgram(
      {Program("every_kind")},
      {{"ANTITHESIS_SDK_LOCAL_OUTPUT", dir.path() + "/missing-folder/sdk.jsonl"}}, dir.path());
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find("cannot open"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("cannot open"), result.err.rfind("cannot open")) << result.err;
}

TEST(SdkPrograms, AppendsAndNeverTruncates) {
  TempDir dir;
  std::string output = dir.path() + "/sdk.jsonl";
  ASSERT_TRUE(WriteFile(output, "{\"written_before\":{}}\n").ok());
  RunWithOutput(dir, "every_kind");
  RunWithOutput(dir, "every_kind");
  SdkFile file = ReadSdkFile(output);
  ASSERT_FALSE(file.lines.empty());
  auto* first = std::get_if<UserEvent>(&file.lines.front());
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->name, "written_before");
  int infos = 0, registrations = 0;
  for (const SdkLine& line : file.lines) {
    infos += std::holds_alternative<SdkInfo>(line);
    if (auto* a = std::get_if<Assertion>(&line)) registrations += !a->hit;
  }
  EXPECT_EQ(infos, 2);
  EXPECT_EQ(registrations, static_cast<int>(2 * kMacroCallSites));
  // Two processes in one book: counts are per invocation, verdicts unchanged.
  PropertyBook book;
  FeedBook(file, book);
  EXPECT_EQ(book.Find("ledger balanced")->failures, 2u);
  EXPECT_EQ(Evaluate(*book.Find("ledger balanced")).reason, "false in 2 invocation(s)");
  EXPECT_EQ(Evaluate(*book.Find("audit reached")).reason, "never reached");
}

// Per call site (id), how many passing and failing lines, and how many registrations.
struct SiteCount {
  int passes = 0;
  int failures = 0;
  int registrations = 0;
};

TEST(SdkPrograms, EightThreadsWriteOnePassAndOneFailLinePerCallSite) {
  TempDir dir;
  SdkFile file = ReadSdkFile(RunWithOutput(dir, "threads"));
  EXPECT_EQ(file.stats.garbage, 0u) << file.stats.first_garbage;
  std::map<std::string, SiteCount> sites;
  int events = 0;
  for (const SdkLine& line : file.lines) {
    if (auto* a = std::get_if<Assertion>(&line)) {
      SiteCount& c = sites[a->id];
      if (!a->hit) {
        ++c.registrations;
      } else {
        ++(a->condition ? c.passes : c.failures);
      }
    }
    if (auto* u = std::get_if<UserEvent>(&line)) {
      ++events;
      EXPECT_EQ(u->details["payload"].get<std::string>().size(), 10000u);
    }
  }
  EXPECT_EQ(events, 8 * 25);
  const char* macros[] = {"threads: alternating always", "threads: alternating sometimes",
                          "threads: numeric", "threads: bools"};
  for (const char* id : macros) {
    EXPECT_EQ(sites[id].passes, 1) << id;
    EXPECT_EQ(sites[id].failures, 1) << id;
    EXPECT_EQ(sites[id].registrations, 1) << id;
  }
  EXPECT_EQ(sites["threads: function form"].passes, 1);
  EXPECT_EQ(sites["threads: function form"].failures, 1);
  EXPECT_EQ(sites["threads: function form"].registrations, 0);
  EXPECT_EQ(sites.size(), 5u);
}

TEST(SdkPrograms, TwoProcessesOfEightThreadsOnOneFileNeverInterleave) {
  TempDir dir;
  std::string output = dir.path() + "/sdk.jsonl";
  EnvChanges env = {{"ANTITHESIS_SDK_LOCAL_OUTPUT", output}};
  auto a = test_util::StartProgram({Program("threads")}, env, dir.path(), "a");
  auto b = test_util::StartProgram({Program("threads")}, env, dir.path(), "b");
  EXPECT_EQ(test_util::FinishProgram(a).exit_code, 0);
  EXPECT_EQ(test_util::FinishProgram(b).exit_code, 0);
  auto text = ReadFile(output);
  ASSERT_TRUE(text.ok());
  ASSERT_FALSE(text->empty());
  EXPECT_EQ(text->back(), '\n');
  std::vector<std::string> lines = Split(*text, '\n');
  lines.pop_back();  // after the last newline
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_TRUE(ParseSdkLine(lines[i]).ok()) << "line " << i + 1 << ": " << lines[i].substr(0, 200);
  }
  int events = 0;
  for (const std::string& line : lines) events += line.rfind("{\"threads_event\"", 0) == 0;
  EXPECT_EQ(events, 2 * 8 * 25);
}

TEST(SdkPrograms, SeededRandomnessReplays) {
  TempDir dir;
  auto draw = [&](std::optional<std::string> seed) {
    auto r = RunProgram({Program("random"), "5"}, {{"FAULTLINE_SEED", seed}}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  std::string first = draw("42");
  EXPECT_EQ(draw("42"), first);
  EXPECT_NE(draw("43"), first);
  EXPECT_NE(draw(std::nullopt), draw(std::nullopt));
  std::vector<std::string> lines = Split(first, '\n');
  ASSERT_GE(lines.size(), 7u);
  for (uint64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(lines[i], std::to_string(internal::SeededDraw(42, i))) << "draw " << i;
  }
  EXPECT_LT(ParseUint(lines[5]).value_or(99), 10u);
  EXPECT_TRUE(lines[6] == "read" || lines[6] == "write" || lines[6] == "scan") << lines[6];
}

// The official SDKs' shapes: each fixture gives, for every property it holds, the verdict that
// our own program's output gives.
class SdkFixtures : public ::testing::TestWithParam<const char*> {};

TEST_P(SdkFixtures, GiveTheSameVerdictsAsOurs) {
  TempDir dir;
  PropertyBook ours;
  FeedBook(ReadSdkFile(RunWithOutput(dir, "every_kind")), ours);

  SdkFile fixture = ReadSdkFile(Fixture(std::string(GetParam()) + ".jsonl"));
  EXPECT_EQ(fixture.stats.garbage, 0u) << fixture.stats.first_garbage;
  EXPECT_GT(fixture.stats.lines, 20u);
  PropertyBook theirs;
  FeedBook(fixture, theirs);
  size_t compared = 0;
  for (const properties::Property* p : theirs.Sorted()) {
    if (p->builtin) continue;
    const properties::Property* mine = ours.Find(p->id);
    ASSERT_NE(mine, nullptr) << p->id;
    Verdict a = Evaluate(*p), b = Evaluate(*mine);
    EXPECT_EQ(a.outcome, b.outcome) << p->id << ": " << Describe(a) << " vs ours " << Describe(b);
    EXPECT_EQ(a.reached, b.reached) << p->id;
    EXPECT_EQ(a.reason, b.reason) << p->id;
    EXPECT_EQ(p->kind, mine->kind) << p->id;
    EXPECT_TRUE(p->registered) << p->id;
    ++compared;
  }
  EXPECT_GE(compared, 11u);  // the five kinds, each passing and failing
  EXPECT_TRUE(theirs.kind_conflicts().empty());
}

INSTANTIATE_TEST_SUITE_P(OfficialShapes, SdkFixtures,
                         ::testing::Values("cpp", "go", "python", "rust"));

}  // namespace
}  // namespace faultline::sdk
