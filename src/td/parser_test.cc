#include "td/parser.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "base/strings.h"
#include "td/builtins.h"
#include "td/lexer.h"

namespace faultline::td {
namespace {

ParseResult Parse(std::string_view text) { return ParseScript("t.td", text); }

template <typename T>
const T& Nth(const ParseResult& r, size_t i) {
  EXPECT_TRUE(r.errors.empty()) << FormatErrors(r);
  return std::get<T>(r.script.commands.at(i));
}

TEST(TdParser, QueryWithRowsNullsQuotesAndEscapes) {
  auto r = Parse("> SELECT 1\n1 <null> \"a b\" \"\" \"x\\ty\\\"\"\n2 \\c 3\n");
  const auto& q = Nth<SqlQuery>(r, 0);
  EXPECT_EQ(q.sql, "SELECT 1");
  EXPECT_EQ(q.at.line, 1);
  const auto& rows = std::get<ExpectedRows>(q.expected);
  EXPECT_FALSE(rows.header);
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[0], (Row{"1", "<null>", "a b", "", "x\ty\""}));
  EXPECT_EQ(rows.rows[1], (Row{"2", "\\c", "3"}));
}

TEST(TdParser, HeaderWhenSecondLineIsDashes) {
  auto r = Parse("> SELECT 1 AS a\na\n---\n1\n");
  const auto& rows = std::get<ExpectedRows>(Nth<SqlQuery>(r, 0).expected);
  ASSERT_TRUE(rows.header);
  EXPECT_EQ(*rows.header, Row{"a"});
  EXPECT_EQ(rows.rows, std::vector<Row>{Row{"1"}});
  auto zero = Parse("> SELECT 1 AS a WHERE false\na\n----\n");
  EXPECT_TRUE(std::get<ExpectedRows>(Nth<SqlQuery>(zero, 0).expected).rows.empty());
}

TEST(TdParser, HashLine) {
  auto r = Parse("> SELECT 1\n3 values hashing to 202cb962ac59075b964b07152d234b70\n");
  const auto& h = std::get<ExpectedHash>(Nth<SqlQuery>(r, 0).expected);
  EXPECT_EQ(h.row_count, 3u);
  EXPECT_EQ(h.md5, "202cb962ac59075b964b07152d234b70");
  auto bad = Parse("> SELECT 1\n3 values hashing to xyz\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].at.line, 2);
}

TEST(TdParser, ContinuationLinesBlankLinesAndComments) {
  auto r = Parse("# comment\n\n> SELECT a,\n    b\n  FROM t\n\n# inside\n1 2\n\n> SELECT 2\n");
  const auto& q = Nth<SqlQuery>(r, 0);
  EXPECT_EQ(q.sql, "SELECT a,\n    b\n  FROM t");
  EXPECT_EQ(std::get<ExpectedRows>(q.expected).rows, std::vector<Row>{(Row{"1", "2"})});
  EXPECT_EQ(Nth<SqlQuery>(r, 1).at.line, 10);
}

TEST(TdParser, BackslashEscapesASigilInABody) {
  auto r = Parse("> SELECT '>'\n\\>\n");
  EXPECT_EQ(std::get<ExpectedRows>(Nth<SqlQuery>(r, 0).expected).rows[0], Row{">"});
}

TEST(TdParser, ErrorSpecs) {
  auto r = Parse(
      "! SELECT 1\ncontains:foo bar\n! SELECT 2\nexact:x\ndetail:d\nhint:h\n"
      "! SELECT 3\nregex:a.*${v}\n! SELECT 4\ntimeout\n");
  const auto& c = Nth<SqlFailure>(r, 0);
  EXPECT_EQ(c.match, ErrorMatch::kContains);
  EXPECT_EQ(c.text, "foo bar");
  const auto& e = Nth<SqlFailure>(r, 1);
  EXPECT_EQ(e.match, ErrorMatch::kExact);
  EXPECT_EQ(e.detail, "d");
  EXPECT_EQ(e.hint, "h");
  EXPECT_EQ(Nth<SqlFailure>(r, 2).match, ErrorMatch::kRegex);
  EXPECT_EQ(Nth<SqlFailure>(r, 3).match, ErrorMatch::kTimeout);
}

TEST(TdParser, ExplainKeepsBlankLinesInside) {
  auto r = Parse("? EXPLAIN SELECT 1\nResult\n\n  x\n\n\n> SELECT 1\n1\n");
  EXPECT_EQ(Nth<SqlExplain>(r, 0).expected, "Result\n\n  x");
}

TEST(TdParser, BuiltinArgumentsQuotesBracesAndContinuation) {
  auto r = Parse(
      "$ set a=1 b=\"two words\" schema={\"type\": [1, 2]}\n"
      "$ set c={\n  \"x\": 1\n  }\n");
  const auto& b = Nth<Builtin>(r, 0);
  EXPECT_EQ(b.name, "set");
  ASSERT_EQ(b.args.size(), 3u);
  EXPECT_EQ(*b.Arg("b"), "two words");
  EXPECT_EQ(*b.Arg("schema"), "{\"type\": [1, 2]}");
  EXPECT_EQ(b.args[2].at.column, 25);
  EXPECT_EQ(*Nth<Builtin>(r, 1).Arg("c"), "{\n  \"x\": 1\n  }");
}

TEST(TdParser, UnsupportedServiceBuiltinsParse) {
  auto r = Parse("$ kafka-ingest topic=t format=bytes\nhello\n$ mysql-connect name=m url=x\n");
  EXPECT_EQ(Nth<Builtin>(r, 0).spec->service, "Kafka");
  EXPECT_EQ(Nth<Builtin>(r, 1).spec->service, "MySQL");
}

struct BadCase {
  const char* text;
  int line;
  int column;
  const char* message;
};

TEST(TdParser, ReportsEveryErrorAtItsPosition) {
  const BadCase cases[] = {
      {"SELECT 1\n", 1, 1, "expected a command"},
      {"> SELECT 1\n\"unterminated\n", 2, 1, "unterminated quoted field"},
      {"! SELECT 1\n", 1, 1, "expected 'contains:'"},
      {"! SELECT 1\nnope\n", 2, 1, "expected 'contains:'"},
      {"! SELECT 1\ncontains:x\nextra\n", 3, 1, "unexpected line"},
      {"! SELECT 1\nregex:(\n", 2, 7, "invalid regex"},
      {"$ sett a=1\n", 1, 3, "unknown builtin 'sett' (did you mean 'set'?)"},
      {"$ set-regex match=a match=b\n", 1, 21, "given twice"},
      {"$ set-sql-timeout duraton=1s\n", 1, 19, "did you mean 'duration'"},
      {"$ set-sql-timeout\n", 1, 1, "needs the argument 'duration='"},
      {"$ set A=1\n", 1, 7, "invalid argument name"},
      {"$ set a\n", 1, 7, "expected key=value"},
      {"$ set a={\n", 1, 9, "'{' is never closed"},
      {"$ nop\nbody\n", 2, 1, "takes no body"},
      {"$ set-from-sql var=x\n", 1, 1, "needs a body"},
      {">\n", 1, 1, "expected SQL after '>'"},
      {"! SELECT 1/0\ndivision by zero\n", 2, 1,
       "(a bare message is the older form: write 'contains:division by zero')"},
      // What the run would reject, known before it: --check reports it.
      {"$ set-sql-timeout duration=-1s\n", 1, 19, "is not a duration"},
      {"$ set-sql-timeout duration=99999999999h\n", 1, 19, "longer than the longest duration"},
      {"$ set-max-tries max-tries=-3\n", 1, 17, "max-tries must be a positive integer"},
      {"$ set-max-tries max-tries=0\n", 1, 17, "max-tries must be a positive integer"},
      {"$ random-sleep duration=-5ms\n", 1, 16, "is not a duration"},
      {"$ file-append path=../escape.txt\nx\n", 1, 15, "must be relative to the temp dir"},
      {"$ file-append path=/etc/passwd\nx\n", 1, 15, "must be relative to the temp dir"},
      {"$ file-append path=a.txt repeat=-1\nx\n", 1, 26, "repeat must be a non-negative"},
      {"$ file-append path=a.txt compression=gzip\nx\n", 1, 26, "only compression=none"},
      {"$ file-delete path=../../x\n", 1, 15, "must be relative to the temp dir"},
      {"$\n", 1, 1, "expected a builtin name"},
  };
  for (const auto& c : cases) {
    auto r = Parse(c.text);
    ASSERT_FALSE(r.errors.empty()) << c.text;
    EXPECT_EQ(r.errors[0].at.line, c.line) << c.text;
    EXPECT_EQ(r.errors[0].at.column, c.column) << c.text;
    EXPECT_NE(r.errors[0].message.find(c.message), std::string::npos)
        << c.text << " gave: " << r.errors[0].message;
  }
}

TEST(TdParser, CollectsAllErrorsOfAFileWithCaret) {
  auto r = Parse("bad\n> SELECT 1\n$ nosuch\n! SELECT 2\nwhat\n");
  ASSERT_EQ(r.errors.size(), 3u);
  std::string text = FormatErrors(r);
  EXPECT_NE(text.find("t.td:1:1: error: expected a command"), std::string::npos) << text;
  EXPECT_NE(text.find("t.td:3:3: error: unknown builtin 'nosuch'\n$ nosuch\n  ^\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("t.td:5:1: error:"), std::string::npos) << text;
}

TEST(TdLexer, SplitArgumentsRejectsUnbalanced) {
  LexError e;
  EXPECT_FALSE(SplitArguments("a=]", &e));
  EXPECT_EQ(e.offset, 2u);
  EXPECT_FALSE(SplitArguments("a=\"x", &e));
  auto ok = SplitArguments("a=[1, {2}] b=\"c d\"", &e);
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)[0].text, "a=[1, {2}]");
  EXPECT_EQ((*ok)[1].text, "b=c d");
}

// Each file of the fuzz seed corpus of malformed input names the first error it must give on its
// first line: "# expect: LINE:COL: TEXT".
TEST(TdParser, MalformedCorpusGivesTheExpectedErrors) {
  std::string dir = std::string(FAULTLINE_SOURCE_DIR) + "/fuzz/corpus/td_parse";
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.path().string().ends_with(".td")) continue;
    auto text = ReadFile(entry.path());
    ASSERT_TRUE(text.ok());
    std::string first = text->substr(0, text->find('\n'));
    if (!first.starts_with("# expect: ")) continue;
    auto parts = Split(first.substr(10), ':');
    ASSERT_GE(parts.size(), 3u) << entry.path();
    auto r = ParseScript(entry.path().filename(), *text);
    ASSERT_FALSE(r.errors.empty()) << entry.path();
    EXPECT_EQ(r.errors[0].at.line, ParseInt(parts[0])) << entry.path();
    EXPECT_EQ(r.errors[0].at.column, ParseInt(parts[1])) << entry.path();
    std::string want(Trim(first.substr(10 + parts[0].size() + parts[1].size() + 2)));
    EXPECT_NE(r.errors[0].message.find(want), std::string::npos)
        << entry.path() << ": " << r.errors[0].message;
    ++checked;
  }
  EXPECT_GE(checked, 10u);
}

// testdrive pairs skip-if and skip-end at run time, not when parsing: a skip-if whose query says
// false opens nothing, so two skip-ifs in a row (Materialize's test-skip-if.td) and a lone
// skip-end are valid files.
TEST(TdParser, SkipIfPairingIsLeftToRunTime) {
  EXPECT_TRUE(Parse("$ skip-if\nSELECT false\n! SELECT nonsense\ncontains:nonsense\n$ skip-if\n"
                    "SELECT true\n> SELECT nonsense\n")
                  .errors.empty());
  EXPECT_TRUE(Parse("$ skip-end\n").errors.empty());
}

// Values that come from ${...} are only known when the file runs; the parser leaves them be.
TEST(TdParser, SubstitutedArgumentsAreCheckedWhenRun) {
  EXPECT_TRUE(Parse("$ set-max-tries max-tries=${n}\n$ file-append path=${p}\nx\n").errors.empty());
  EXPECT_TRUE(Parse("$ set-sql-timeout duration=default\n").errors.empty());
}

}  // namespace
}  // namespace faultline::td
