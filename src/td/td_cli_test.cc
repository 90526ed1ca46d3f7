// `faultline td` as users run it: the built binary, its flags, exit codes and reports.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/json.h"
#include "base/rng.h"
#include "base/strings.h"
#include "td/td_pg_env.h"

namespace faultline::td {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class TdCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("td-cli-files").value(); }
  void TearDown() override { (void)RemoveTree(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    (void)MakeDirs(path.substr(0, path.rfind('/')));
    EXPECT_TRUE(WriteFile(path, text).ok());
    return path;
  }
  std::string Url() const { return SharedServer().Url(); }
  std::string dir_;
};

TEST_F(TdCli, CheckListsEveryErrorOfEveryFileWithCaret) {
  auto a = Write("a.td", "oops\n> SELECT 1\n");
  auto b = Write("b.td", "> SELECT 1\n$ sleep duration=1s\n! SELECT 2\n");
  auto r = RunCli({"--check", a, b});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Has(r.err, a + ":1:1: error: expected a command")) << r.err;
  EXPECT_TRUE(Has(r.err, b + ":2:3: error: unknown builtin 'sleep'\n$ sleep duration=1s\n  ^\n"))
      << r.err;
  EXPECT_TRUE(Has(r.err, b + ":3:1: error:")) << r.err;
  EXPECT_TRUE(Has(r.err, "3 errors in 2 of 2 files")) << r.err;
}

// --check reports what the run would refuse for static reasons, and counts the files with errors.
TEST_F(TdCli, CheckCatchesStaticFailuresAndCountsFilesWithErrors) {
  auto good = Write("good.td", "> SELECT 1\n1\n");
  auto bad = Write("bad.td",
                   "$ set-sql-timeout duration=-1s\n$ set-max-tries max-tries=-2\n"
                   "$ file-append path=../../outside.txt\nx\n");
  auto r = RunCli({"--check", good, bad, Write("good2.td", "> SELECT 2\n2\n")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Has(r.err, bad + ":1:19: error: '-1s' is not a duration")) << r.err;
  EXPECT_TRUE(Has(r.err, bad + ":2:17: error: max-tries must be a positive integer")) << r.err;
  EXPECT_TRUE(Has(r.err, bad + ":3:15: error: path '../../outside.txt' must be relative")) << r.err;
  EXPECT_TRUE(Has(r.err, "3 errors in 1 of 3 files")) << r.err;
}

// A factor that is not a number from 1 to 100 would make the retry delay negative or endless.
TEST_F(TdCli, BackoffFactorMustBeAFiniteNumberFromOneToAHundred) {
  for (const char* factor : {"nan", "inf", "1e308", "-1", "0.5"}) {
    auto r = RunCli({"--url", Url(), "--backoff-factor", factor, "-"}, "> SELECT 1\n1\n");
    EXPECT_EQ(r.exit_code, 2) << factor << ": " << r.err;
    EXPECT_TRUE(Has(r.err, "--backoff-factor must be a number from 1 to 100")) << r.err;
  }
  EXPECT_EQ(RunCli({"--url", Url(), "--backoff-factor", "100", "-"}, "> SELECT 1\n1\n").exit_code,
            0);
}

// With standard output and standard error in one file, each failure comes after the progress
// lines of its file and before the next file's.
TEST_F(TdCli, ProgressAndErrorsKeepTheirOrderInOneFile) {
  auto a = Write("a.td", "> SELECT 1\n2\n");
  auto b = Write("b.td", "> SELECT 3\n3\n");
  std::string both = dir_ + "/both";
  std::string command =
      fmt::format("{}/faultline td --url '{}' --default-max-tries 1 {} {} >{} 2>&1 </dev/null",
                  FAULTLINE_BIN_DIR, Url(), a, b, both);
  ASSERT_EQ(WEXITSTATUS(std::system(command.c_str())), 1);
  std::string text = ReadFile(both).value();
  size_t a_line = text.find(a + ":1: > SELECT 1");
  size_t a_error = text.find(a + ":1:1: error: rows did not match");
  size_t a_done = text.find("faultline td: " + a + ": FAILED");
  size_t b_line = text.find(b + ":1: > SELECT 3");
  size_t summary = text.find("1 passed, 1 failed");
  ASSERT_NE(a_line, std::string::npos) << text;
  EXPECT_LT(a_line, a_error) << text;
  EXPECT_LT(a_error, a_done) << text;
  EXPECT_LT(a_done, b_line) << text;
  EXPECT_LT(b_line, summary) << text;
  EXPECT_NE(summary, std::string::npos) << text;
}

// Control characters of a file (ESC, CR) reach the terminal escaped.
TEST_F(TdCli, OutsideTextIsEscapedForTheTerminal) {
  auto r =
      RunCli({"--url", Url(), "--default-max-tries", "1", "-"}, "> SELECT '\x1b]0;owned\x07'\nx\n");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_TRUE(Has(r.out, "\\x1b]0;owned\\x07")) << r.out;
}

TEST_F(TdCli, CheckAcceptsTheCorpusAndBuiltinsOfMissingServices) {
  auto k = Write("k.td", "$ kafka-create-topic topic=t\n$ s3-file-upload bucket=b key=k\nx\n");
  auto r = RunCli({"--check", k, std::string(FAULTLINE_SOURCE_DIR) + "/corpus/td/sql/joins.td"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "2 files parsed, no errors")) << r.err;
}

TEST_F(TdCli, RunsStandardInputAndGivesExitCodes) {
  auto ok = RunCli({"--url", Url(), "-"}, "> SELECT 1\n1\n");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(Has(ok.out, "-:1: > SELECT 1")) << ok.out;
  auto bad = RunCli({"--url", Url(), "--default-max-tries", "1", "-"}, "> SELECT 1\n2\n");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(Has(bad.err, "-:1:1: error: rows did not match\n> SELECT 1\n^\n  + 1\n  - 2\n"))
      << bad.err;
  EXPECT_TRUE(Has(bad.err, "0 passed, 1 failed")) << bad.err;
}

TEST_F(TdCli, UsageErrorsExitTwo) {
  EXPECT_EQ(RunCli({"-"}, "> SELECT 1\n1\n").exit_code, 2);  // no URL
  EXPECT_EQ(RunCli({"--url", Url(), "--bogus", "-"}).exit_code, 2);
  EXPECT_EQ(RunCli({"--url", Url(), "--var", "novalue", "-"}).exit_code, 2);
  EXPECT_EQ(RunCli({"--url", Url(), "--default-timeout", "soon", "-"}).exit_code, 2);
  EXPECT_EQ(RunCli({"--url", Url(), dir_ + "/missing.td"}).exit_code, 2);
}

TEST_F(TdCli, MaterializeUrlAliasVarAndSeed) {
  auto r = RunCli({"--materialize-url", Url(), "--var", "x=y", "--seed", "42", "-q", "-"},
                  "> SELECT '${arg.x}', '${testdrive.seed}'\ny 42\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");  // --quiet
}

TEST_F(TdCli, JunitReportAndMaxErrors) {
  auto pass = Write("pass.td", "> SELECT 1\n1\n");
  auto fail1 = Write("fail1.td", "> SELECT 1\n2\n");
  auto fail2 = Write("fail2.td", "> SELECT 1\n3\n");
  std::string junit = dir_ + "/junit.xml";
  auto r =
      RunCli({"--url", Url(), "--default-max-tries", "1", "--max-errors", "1", "--junit-report",
              junit, "--source", "https://example.invalid/corpus", pass, fail1, fail2});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "1 passed, 1 failed, 1 not run (--max-errors 1)")) << r.err;
  EXPECT_TRUE(Has(r.err, "source: https://example.invalid/corpus")) << r.err;
  auto xml = ReadFile(junit);
  ASSERT_TRUE(xml.ok());
  EXPECT_TRUE(Has(*xml, "tests=\"2\" failures=\"1\"")) << *xml;
  EXPECT_TRUE(Has(*xml, "<failure message=\"" + fail1 + ":1:1: error: rows did not match\""))
      << *xml;
}

// The report's names and messages come from outside (file names, query results): whatever bytes
// they hold, the report is well-formed XML (libxml2 reads it back) and says what they were.
TEST_F(TdCli, JunitReportIsWellFormedWhateverTheNamesAndMessagesHold) {
  auto nasty = Write("bad\xff<&\"\x1b[2J.td", "> SELECT E'<script>\\x01</script>'\nother\n");
  std::string junit = dir_ + "/junit.xml";
  auto r = RunCli({"--url", Url(), "--default-max-tries", "1", "--junit-report", junit, nasty});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto xml = ReadFile(junit);
  ASSERT_TRUE(xml.ok());
  xmlDoc* doc = xmlReadMemory(xml->data(), static_cast<int>(xml->size()), "junit.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  ASSERT_NE(doc, nullptr) << *xml;
  xmlFreeDoc(doc);
  EXPECT_TRUE(Has(*xml, "bad\\xff&lt;&amp;&quot;\\x1b[2J.td")) << *xml;
  EXPECT_TRUE(Has(*xml, "&lt;script&gt;\\x01&lt;/script&gt;")) << *xml;
}

TEST_F(TdCli, ShardsTakeEveryNthFile) {
  std::vector<std::string> files;
  for (int i = 0; i < 5; ++i) files.push_back(Write(fmt::format("s{}.td", i), "$ nop\n"));
  std::vector<std::string> args = {"--check", "--shard", "1", "--shard-count", "2"};
  args.insert(args.end(), files.begin(), files.end());
  auto r = RunCli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "2 files parsed")) << r.err;
  EXPECT_EQ(RunCli({"--check", "--shard", "2", "--shard-count", "2", files[0]}).exit_code, 2);
}

TEST_F(TdCli, PickFromChoosesOneFileWithTheSeed) {
  std::string list = Write("list.txt", "# corpus\nsql/a.td\nsql/b.td\ngen/c.td\n");
  Write("sql/a.td", "> SELECT 'a'\na\n");
  Write("sql/b.td", "> SELECT 'b'\nb\n");
  Write("gen/c.td", "> SELECT 'c'\nc\n");
  std::set<std::string> picked;
  for (int seed = 1; seed <= 12; ++seed) {
    auto r = RunCli({"--url", Url(), "--pick-from", list, "--seed", std::to_string(seed)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto again = RunCli({"--url", Url(), "--pick-from", list, "--seed", std::to_string(seed)});
    size_t at = r.out.find("faultline td: ");
    ASSERT_NE(at, std::string::npos) << r.out;
    std::string line = r.out.substr(at, r.out.find(':', at + 14) - at);
    EXPECT_TRUE(Has(again.out, line)) << "seed " << seed << " picked differently";
    picked.insert(line);
  }
  EXPECT_EQ(picked.size(), 3u);
  auto bucket =
      RunCli({"--url", Url(), "--pick-from", list, "--bucket", "gen"}, "", "FAULTLINE_SEED=5");
  EXPECT_EQ(bucket.exit_code, 0) << bucket.err;
  EXPECT_TRUE(Has(bucket.out, "gen/c.td: ok")) << bucket.out;
}

// A file that kills its own connection on its first run only: a transient-looking failure.
std::string FlakyFile(const std::string& table) {
  return fmt::format(
      "> CREATE TABLE IF NOT EXISTS {0} (n int)\n> INSERT INTO {0} VALUES (1)\n"
      "$ set-max-tries max-tries=1\n"
      "> SELECT CASE WHEN count(*) = 1 THEN pg_terminate_backend(pg_backend_pid()) ELSE true END "
      "FROM {0}\ntrue\n",
      table);
}

std::vector<std::string> SdkIds(const std::string& path) {
  std::vector<std::string> ids;
  auto text = ReadFile(path);
  if (!text) return ids;
  for (const auto& line : Split(*text, '\n')) {
    if (line.empty()) continue;
    auto j = ParseJson(line);
    if (!j.contains("antithesis_assert")) continue;  // the SDK's antithesis_sdk line
    EXPECT_EQ(j["antithesis_assert"]["display_type"], "Reachable");
    ids.push_back(j["antithesis_assert"]["id"]);
  }
  return ids;
}

TEST_F(TdCli, RetryFileOnceToleratesATransientFailureAndWritesSdkLines) {
  std::string table = fmt::format("td_flaky_{}", OsSeed() % 1000000);
  auto flaky = Write("flaky.td", FlakyFile(table));
  std::string sdk = dir_ + "/sdk.jsonl";
  auto r = RunCli({"--url", Url(), "--no-reset", "--retry-file-once", flaky}, "",
                  "ANTITHESIS_SDK_LOCAL_OUTPUT=" + sdk);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "the failure looks transient; running the file once more")) << r.err;
  EXPECT_EQ(SdkIds(sdk),
            (std::vector<std::string>{"td saw tolerated failure", "td completed .td file"}));
  // Without the flag the same failure fails the run.
  std::string table2 = table + "_b";
  auto once = RunCli({"--url", Url(), "--no-reset", Write("f2.td", FlakyFile(table2))});
  EXPECT_EQ(once.exit_code, 1);
  EXPECT_TRUE(Has(once.err, "terminating connection due to administrator command")) << once.err;
  // A failure that repeats on the second run exits non-zero.
  std::string sdk2 = dir_ + "/sdk2.jsonl";
  auto always = Write("always.td",
                      "$ set-max-tries max-tries=1\n"
                      "> SELECT pg_terminate_backend(pg_backend_pid())\n");
  auto twice = RunCli({"--url", Url(), "--retry-file-once", always}, "",
                      "ANTITHESIS_SDK_LOCAL_OUTPUT=" + sdk2);
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_EQ(SdkIds(sdk2), (std::vector<std::string>{"td saw tolerated failure"}));
  RunCli({"--url", Url(), "--no-reset", "-"},
         fmt::format("> DROP TABLE {}\n> DROP TABLE {}\n", table, table2));
}

}  // namespace
}  // namespace faultline::td
