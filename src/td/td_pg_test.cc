// The interpreter against a real PostgreSQL 15: every line kind, every builtin, rendering per
// type, error matching, variables, retries, the clean start, and the whole corpus.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "base/files.h"
#include "base/strings.h"
#include "td/driver.h"
#include "td/parser.h"
#include "td/td_pg_env.h"

namespace faultline::td {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Each evaluates its run expression once.
#define EXPECT_PASSES(expr)                                                 \
  do {                                                                      \
    const TdRun& passes_ = (expr);                                          \
    EXPECT_FALSE(passes_.result.failure) << passes_.failure << passes_.log; \
  } while (0)
#define EXPECT_FAILS_WITH(expr, text)                                                   \
  do {                                                                                  \
    const TdRun& fails_ = (expr);                                                       \
    ASSERT_TRUE(fails_.result.failure) << fails_.log;                                   \
    EXPECT_TRUE(Has(fails_.failure, text)) << fails_.failure << "\nwanted: " << (text); \
  } while (0)

TEST(TdPg, EveryLineKind) {
  auto run = RunTdText(R"(# a comment
> CREATE TABLE t (a int, b text)
> INSERT INTO t VALUES (1, 'x'), (2, NULL)
> SELECT a, b FROM t
a b
---
2 <null>
1 x
> SELECT a FROM t WHERE false
> SELECT a FROM t
2 values hashing to c20ad4d76fe97759aa27a0c99bff6710
! SELECT * FROM nope
contains:does not exist
? EXPLAIN (COSTS OFF) SELECT * FROM t
Seq Scan on t
$ nop
)");
  EXPECT_PASSES(run);
  EXPECT_EQ(run.result.commands_run, 8u);
}

TEST(TdPg, WrongRowsFailWithDiffAtTheCommand) {
  auto run = RunTdText("> SELECT 1\n1\n> SELECT * FROM (VALUES (1), (2)) v\n1\n3\n",
                       RunConfig{.default_max_tries = 2});
  EXPECT_FAILS_WITH(run, "test.td:3:1: error: rows did not match");
  EXPECT_TRUE(Has(run.failure, "  - 3\n")) << run.failure;
  EXPECT_TRUE(Has(run.failure, "  + 2\n")) << run.failure;
  EXPECT_TRUE(Has(run.failure, "    1\n")) << run.failure;
}

TEST(TdPg, RowCountHeaderAndHashMismatches) {
  RunConfig once{.default_max_tries = 1};
  EXPECT_FAILS_WITH(RunTdText("> SELECT 1\n1\n1\n", once), "wrong row count: expected 2, got 1");
  EXPECT_FAILS_WITH(RunTdText("> SELECT 1 AS a\nb\n---\n1\n", once), "column names did not match");
  EXPECT_FAILS_WITH(
      RunTdText("> SELECT 1\n1 values hashing to 00000000000000000000000000000000\n", once),
      "+ 1 values hashing to c4ca4238a0b923820dcc509a6f75849b");
  EXPECT_FAILS_WITH(RunTdText("> INSERT INTO nowhere VALUES (1)\n", once), "query failed");
}

TEST(TdPg, RendersEachTypeAsTestdrive) {
  auto run = RunTdText(R"(> SET TIME ZONE 'Asia/Kolkata'
> SELECT true, false, 1::int2, 2::int4, 3::int8, 4::oid, 1.50::numeric
true false 1 2 3 4 1.50
> SELECT 1.5::float4, 0.1::float8, 'NaN'::float8, 'Infinity'::float4, '-Infinity'::float8, 1e21::float8
1.5 0.1 NaN inf -inf 1000000000000000000000
> SELECT 'a b'::text, 'x'::varchar, 'y'::char(2), 'z'::"char", 'abc'::bytea, E'\\x0a'::bytea
"a b" x "y " 122 abc \n
> SELECT '2024-01-02'::date, '10:11:12.5'::time, '2024-01-02 03:04:05'::timestamp
2024-01-02 10:11:12.500 "2024-01-02 03:04:05"
> SELECT '2024-01-02 03:04:05.123456+00'::timestamptz
"2024-01-02 03:04:05.123456 UTC"
> SELECT '{"k": [1, {"z": null}]}'::jsonb, '{"b": 1,  "a": 2}'::json
{"k":[1,{"z":null}]} {"b":1,"a":2}
> SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, '3 days'::interval, ARRAY[1,2]
a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 "3 days" {1,2}
> SELECT NULL::int, ''::text
<null> ""
)");
  EXPECT_PASSES(run);
}

TEST(TdPg, EachErrorMatchingForm) {
  auto run = RunTdText(R"(> CREATE TABLE k (id int PRIMARY KEY)
> INSERT INTO k VALUES (1)
! INSERT INTO k VALUES (1)
contains:duplicate key
detail:(id)=(1)
! SELECT 1/0
exact:division by zero
! SELECT 1/0
regex:^div.*zero$
! SELECT nofunc()
contains:does not exist
hint:No function matches
! SELECT pg_sleep(10)
timeout
)",
                       RunConfig{.default_timeout = Millis(1000)});
  EXPECT_PASSES(run);
}

TEST(TdPg, ErrorMismatchesFail) {
  RunConfig once{.default_max_tries = 1};
  EXPECT_FAILS_WITH(RunTdText("! SELECT 1/0\ncontains:overflow\n", once),
                    "expected an error containing \"overflow\", got \"division by zero\"");
  EXPECT_FAILS_WITH(RunTdText("! SELECT 1/0\nexact:division by\n", once), "the exact error");
  EXPECT_FAILS_WITH(RunTdText("! SELECT 1\ncontains:x\n", once),
                    "query succeeded, but expected an error containing \"x\"");
  EXPECT_FAILS_WITH(RunTdText("! SELECT 1/0\ncontains:division\ndetail:x\n", once),
                    "expected a detail containing \"x\", got none");
  EXPECT_FAILS_WITH(RunTdText("! SELECT 1/0\ncontains:division\nhint:x\n", once),
                    "expected a hint containing \"x\", got none");
  // A timeout generous enough that the file's clean start never runs out on a loaded machine.
  EXPECT_FAILS_WITH(RunTdText("! SELECT pg_sleep(0.01)\ntimeout\n",
                              RunConfig{.default_timeout = Millis(5000), .default_max_tries = 1}),
                    "query succeeded, but expected a timeout");
}

TEST(TdPg, VariablesAndNamespaces) {
  setenv("TD_TEST_ENV", "from-env", 1);
  auto run = RunTdText(R"($ set name=first
$ set name=second
> SELECT '${name}', '${env.TD_TEST_ENV}', '${arg.given}'
second from-env cli
$ set-arg-default given=ignored fallback=default
> SELECT '${arg.given}', '${arg.fallback}'
cli default
$ set-from-sql var=n
SELECT 40 + 2
> SELECT ${n}
42
$ file-append path=data.txt
hello
$ set-from-file var=content path=data.txt
> SELECT length('${content}')
6
> SELECT '${testdrive.seed}', '${testdrive.materialize-sql-addr}' <> '', '${testdrive.temp-dir}' <> ''
7 true true
)",
                       RunConfig{.seed = 7, .args = {{"given", "cli"}}});
  EXPECT_PASSES(run);
  // set-arg-default defines a name only from where it runs on.
  EXPECT_FAILS_WITH(RunTdText("> SELECT '${arg.later}'\n$ set-arg-default later=x\n"),
                    "unknown variable 'arg.later'");
}

TEST(TdPg, SubstitutedVariablesMatchLiterallyInsideRegex) {
  auto literal = RunTdText(
      "$ set v=a.b\n> CREATE TABLE \"a.b\" (x int)\n"
      "! SELECT * FROM \"a.b\" WHERE nocol\nregex:^column \"nocol\" .*\n"
      "! SELECT * FROM \"a.b\".x\nregex:\"${v}\\.x\"|${v}\n");
  EXPECT_PASSES(literal);
  // "axb" would match the regex a.b, but not the literal "a.b" that ${v} stands for.
  auto no_wildcard = RunTdText("$ set v=a.b\n! SELECT * FROM axb\nregex:relation \"${v}\"\n",
                               RunConfig{.default_max_tries = 1});
  // The quotes and backslashes of the pattern are escaped inside the quoted pattern.
  EXPECT_FAILS_WITH(no_wildcard, "expected an error matching regex \"relation \\\"a\\\\.b\\\"\"");
}

TEST(TdPg, UnknownVariableFailsAtItsCommand) {
  auto run = RunTdText("> SELECT 1\n1\n> SELECT '${nope}'\n");
  EXPECT_FAILS_WITH(run, "test.td:3:1: error: unknown variable 'nope'");
}

TEST(TdPg, SetRegexReplacesValuesAndErrors) {
  auto run = RunTdText(R"($ set-regex match=[0-9]{4}-[0-9]{2}-[0-9]{2} replacement=<DATE>
> SELECT now()::date::text
<DATE>
! SELECT ('x' || now()::date::text)::int
contains:invalid input syntax for type integer: "x<DATE>"
$ unset-regex
> SELECT '2024-01-01'
2024-01-01
)");
  EXPECT_PASSES(run);
}

TEST(TdPg, ResultThatBecomesRightAfterADelayPassesWithRetries) {
  auto run = RunTdText(R"(> CREATE TABLE started AS SELECT clock_timestamp() AS t
> SELECT clock_timestamp() - t > interval '600 milliseconds' FROM started
true
)");
  EXPECT_PASSES(run);
  EXPECT_TRUE(Has(run.log, "  try 1: rows did not match; retrying in 50ms")) << run.log;
  EXPECT_TRUE(Has(run.log, "passed after")) << run.log;
}

TEST(TdPg, ResultThatNeverBecomesRightFailsAfterTheTimeoutWithTheDiff) {
  auto run = RunTdText("$ set-sql-timeout duration=1s force=true\n> SELECT 1\n2\n");
  EXPECT_FAILS_WITH(run, "test.td:2:1: error: rows did not match (after ");
  EXPECT_TRUE(Has(run.failure, "  + 1\n  - 2\n")) << run.failure;
  EXPECT_GE(run.result.elapsed.count(), 1000);
  EXPECT_LT(run.result.elapsed.count(), 2900);
}

TEST(TdPg, MaxTriesAndStatementsThatRunOnce) {
  EXPECT_FAILS_WITH(RunTdText("$ set-max-tries max-tries=3\n> SELECT 1\n2\n"), "(after 3 tries");
  // DDL must run once: its failure is reported without retrying.
  auto ddl = RunTdText("> CREATE TABLE once (a int)\n> CREATE TABLE once (a int)\n");
  EXPECT_FAILS_WITH(ddl, "already exists");
  EXPECT_FALSE(Has(ddl.failure, "tries")) << ddl.failure;
  EXPECT_FALSE(Has(ddl.log, "retrying")) << ddl.log;
}

TEST(TdPg, SqlTimeoutIsNeverLoweredUnlessForced) {
  RunConfig config{.default_timeout = Millis(2000)};
  EXPECT_PASSES(
      RunTdText("$ set-sql-timeout duration=100ms\n> SELECT pg_sleep(0.5)::text\n\"\"\n", config));
  EXPECT_FAILS_WITH(
      RunTdText("$ set-sql-timeout duration=300ms force=true\n> SELECT pg_sleep(1)::text\n\"\"\n",
                config),
      "statement timed out");
}

TEST(TdPg, SkipIfSkipsUntilSkipEnd) {
  auto run = RunTdText(R"($ skip-if
SELECT true
> SELECT 'never runs'
x
$ skip-end
$ skip-if
SELECT false
> SELECT 'runs'
runs
$ skip-end
)");
  EXPECT_PASSES(run);
  EXPECT_EQ(run.result.commands_run, 5u);
}

// Materialize's test-skip-if.td: a false skip-if runs what follows, a true one skips to the end of
// the file, and only a skip-if met while skipping is an error (at run time, where it is met).
TEST(TdPg, SkipIfNestingIsCheckedAtRunTimeAsTestdriveDoes) {
  auto run = RunTdText(R"($ skip-if
SELECT false;
! SELECT nonsense;
contains:column "nonsense" does not exist
$ skip-if
SELECT true;
> SELECT nonsense;
)");
  EXPECT_PASSES(run);
  EXPECT_EQ(run.result.commands_run, 3u);
  EXPECT_PASSES(RunTdText("$ skip-end\n> SELECT 1\n1\n"));
  auto nested = RunTdText("$ skip-if\nSELECT true\n> SELECT 1\n1\n$ skip-if\nSELECT true\n");
  EXPECT_FAILS_WITH(nested,
                    "test.td:5:1: error: nested skip-if not allowed: the skip-if of line 1");
}

TEST(TdPg, PostgresConnectAndExecute) {
  auto run = RunTdText(R"($ set-max-tries max-tries=1
$ postgres-connect name=other url=postgres://postgres@${testdrive.materialize-sql-addr}/postgres
$ postgres-execute connection=other
DROP TABLE IF EXISTS td_side
CREATE TABLE td_side (x int); INSERT INTO td_side VALUES (5)
$ postgres-execute connection=postgres://postgres@${testdrive.materialize-sql-addr}/postgres
INSERT INTO td_side VALUES (6)
> SELECT count(*) FROM td_side
0
$ postgres-execute connection=other
DROP TABLE td_side
)");
  // The side table lives in the postgres database, not in the file's own database.
  EXPECT_FAILS_WITH(run, "relation \"td_side\" does not exist");
  auto bad = RunTdText("$ postgres-execute connection=nobody\nSELECT 1\n");
  EXPECT_FAILS_WITH(bad, "unknown connection 'nobody'");
}

TEST(TdPg, PsqlExecuteComparesOutput) {
  auto run = RunTdText(R"(> CREATE TABLE p (a int)
> INSERT INTO p VALUES (7)
$ psql-execute command="SELECT a FROM p"
 a
---
 7
(1 row)
)");
  EXPECT_PASSES(run);
  EXPECT_FAILS_WITH(RunTdText("$ psql-execute command=\"SELECT 1 AS b\"\nwrong\n"),
                    "psql output did not match");
}

TEST(TdPg, FileAppendAndDelete) {
  auto run = RunTdText(R"($ file-append path=f.txt repeat=2
x
$ set-from-file var=c path=f.txt
> SELECT length('${c}')
4
$ file-delete path=f.txt
$ file-delete path=f.txt
)");
  EXPECT_FAILS_WITH(run, "test.td:7:1: error:");
  // A literal path outside the folder is a parse error (--check sees it); a substituted one is
  // refused when the file runs.
  EXPECT_FAILS_WITH(RunTdText("$ set p=../escape\n$ file-append path=${p}\nx\n"), "without '..'");
}

TEST(TdPg, SleepsAndNop) {
  auto run = RunTdText(
      "$ sleep-is-probably-flaky-i-have-justified-my-need-with-a-comment duration=200ms\n"
      "$ random-sleep duration=50ms\n$ nop\n");
  EXPECT_PASSES(run);
  EXPECT_GE(run.result.elapsed.count(), 200);
}

TEST(TdPg, BuiltinsThatNeedMissingServicesFailClearly) {
  for (const auto& [line, service] : std::vector<std::pair<std::string, std::string>>{
           {"$ kafka-ingest topic=t\nx\n", "Kafka"},
           {"$ schema-registry-publish s=1\n", "a schema registry"},
           {"$ mysql-execute name=m\nSELECT 1\n", "MySQL"},
           {"$ sql-server-connect name=s\n", "SQL Server"},
           {"$ s3-file-upload bucket=b\n", "S3"},
           {"$ webhook-append name=w\nx\n", "Materialize webhook"}}) {
    EXPECT_FAILS_WITH(RunTdText(line), "requires " + service);
  }
}

TEST(TdPg, EachFileStartsCleanUnlessNoReset) {
  const std::string text = "> CREATE TABLE clean (a int)\n";
  EXPECT_PASSES(RunTdText(text));
  EXPECT_PASSES(RunTdText(text));
  RunConfig no_reset{.reset = false};
  EXPECT_PASSES(RunTdText(text, no_reset));
  EXPECT_FAILS_WITH(RunTdText(text, no_reset), "already exists");
  EXPECT_PASSES(RunTdText("> DROP TABLE clean\n", no_reset));
}

TEST(TdPg, ConnectionLossIsTransientAndTheNextStatementReconnects) {
  auto run = RunTdText(R"($ set-max-tries max-tries=1
> SELECT pg_terminate_backend(pg_backend_pid())
)");
  ASSERT_TRUE(run.result.failure);
  EXPECT_TRUE(run.result.failure->transient) << run.failure;
  auto recovered = RunTdText(R"(! SELECT pg_terminate_backend(pg_backend_pid())
contains:terminating connection
> SELECT 1
1
)");
  EXPECT_PASSES(recovered);
}

// The manifest lists every corpus file once, each a .td file that exists, in three buckets.
TEST(TdCorpus, ManifestIsValid) {
  std::string root = std::string(FAULTLINE_SOURCE_DIR) + "/corpus/td";
  auto list = ReadCorpusList(root + "/manifest.txt");
  ASSERT_TRUE(list.ok()) << list.error();
  std::set<std::string> seen, buckets;
  for (const auto& entry : *list) {
    EXPECT_TRUE(entry.ends_with(".td")) << entry;
    EXPECT_TRUE(seen.insert(entry).second) << "listed twice: " << entry;
    EXPECT_TRUE(PathExists(root + "/" + entry)) << "missing: " << entry;
    buckets.insert(entry.substr(0, entry.find('/')));
  }
  EXPECT_EQ(buckets, (std::set<std::string>{"sql", "generate", "recovery"}));
  EXPECT_GE(list->size(), 40u);
}

TEST(TdCorpus, EveryFilePassesOnPostgres15) {
  std::string root = std::string(FAULTLINE_SOURCE_DIR) + "/corpus/td";
  auto list = ReadCorpusList(root + "/manifest.txt");
  ASSERT_TRUE(list.ok());
  for (const auto& entry : *list) {
    auto text = ReadFile(root + "/" + entry);
    ASSERT_TRUE(text.ok()) << entry;
    ParseResult parsed = ParseScript(entry, *text);
    ASSERT_TRUE(parsed.errors.empty()) << FormatErrors(parsed);
    RunConfig config{.url = SharedServer().Url(), .seed = 3, .log = nullptr};
    FileResult r = RunScript(parsed.script, config);
    EXPECT_FALSE(r.failure) << FormatFailure(parsed.script, *r.failure);
    EXPECT_LT(r.elapsed.count(), 10000) << entry;
  }
}

}  // namespace
}  // namespace faultline::td
