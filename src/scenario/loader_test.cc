#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/signals.h"
#include "scenario/scenario.h"

namespace faultline::scenario {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSpecExample = R"(name: postgres
description: PostgreSQL primary, a streaming replica.
setup_complete: healthy
setup_timeout: 60s
duration: 60s
services:
  primary:
    prepare: [initdb, -D, "{dir}/data", -U, postgres, -A, trust]
    command: [postgres, -D, "{dir}/data", -p, "{port}", -k, "{dir}",
              -c, "listen_addresses=127.0.0.1"]
    user: postgres
    port: auto
    env: {LC_ALL: C}
    healthcheck: {command: [pg_isready, -h, 127.0.0.1, -p, "{port}"], interval: 250ms}
    stop_signal: SIGINT
    stop_grace: 10s
    compose: {image: "postgres:15"}
  replica:
    depends_on: [primary]
    prepare: [pg_basebackup, -h, 127.0.0.1, -p, "{primary.port}", -U, postgres,
              -D, "{dir}/data", -R, -X, stream]
    command: [postgres, -D, "{dir}/data", -p, "{port}", -k, "{dir}",
              -c, "listen_addresses=127.0.0.1"]
    user: postgres
    port: auto
    healthcheck: {command: [pg_isready, -h, 127.0.0.1, -p, "{port}"]}
links:
  - {from: replica, to: primary}
  - {from: workload, to: primary}
  - {from: workload, to: replica}
workload:
  env:
    PGHOST: 127.0.0.1
    PRIMARY_PORT: "{primary.port}"
    REPLICA_PORT: "{replica.port}"
  max_parallel_drivers: 4
  command_timeout: 120s
  compose: {image: "faultline-workload:latest"}
faults:
  interval: 2s..10s
  kill:    {targets: [primary, replica], down: 0s..5s}
  stop:    {targets: [replica], down: 1s..5s}
  pause:   {targets: [primary, replica], duration: 200ms..3s}
  network: {links: all, kinds: [partition, latency, bandwidth, reset, slicer], duration: 1s..8s}
  clock:   {targets: [replica], offset: -120s..120s}
  disk:    {targets: [primary], kinds: [fsync-eio], probability: 0.05}
)";

LoadResult Parse(const std::string& text) { return ParseScenario(text, "scenario.yaml", "/s"); }

std::string Errors(const LoadResult& r) { return FormatDiagnostics(r.errors, r.source); }

TEST(ScenarioLoader, LoadsTheSpecExample) {
  auto r = Parse(kSpecExample);
  ASSERT_TRUE(r.scenario) << Errors(r);
  const Scenario& s = *r.scenario;
  EXPECT_EQ(s.name, "postgres");
  ASSERT_EQ(s.services.size(), 2u);
  const Service& p = s.services[0];
  EXPECT_EQ(p.name, "primary");
  EXPECT_EQ(p.user, "postgres");
  EXPECT_TRUE(p.has_port);
  EXPECT_EQ(p.fixed_port, 0);
  EXPECT_EQ(p.stop_signal, SIGINT);
  EXPECT_EQ(p.stop_grace, Millis(10000));
  ASSERT_EQ(p.prepare.size(), 1u);
  EXPECT_EQ(p.prepare[0][2].raw, "{dir}/data");
  EXPECT_EQ(p.prepare[0][2].pos.line, 8);
  ASSERT_TRUE(p.healthcheck);
  EXPECT_EQ(p.healthcheck->interval, Millis(250));
  EXPECT_EQ(p.compose["image"], "postgres:15");
  EXPECT_EQ(s.services[1].depends_on, std::vector<std::string>{"primary"});
  ASSERT_EQ(s.links.size(), 3u);
  EXPECT_EQ(s.links[0].Name(), "replica->primary");
  EXPECT_EQ(s.workload.max_parallel_drivers, 4);
  EXPECT_EQ(s.workload.command_timeout, Millis(120000));
  // The faults section is kept as written, with positions, for the fault catalog to read.
  ASSERT_TRUE(s.faults.present());
  EXPECT_EQ(s.faults.node.entries.size(), 7u);
  const ConfigNode* kill = s.faults.node.Find("kill");
  ASSERT_NE(kill, nullptr);
  EXPECT_EQ(kill->key_pos.line, 41);
  EXPECT_EQ(kill->key_pos.column, 3);
  ASSERT_NE(kill->Find("targets"), nullptr);
  EXPECT_EQ(kill->Find("targets")->items[1].scalar, "replica");
  auto order = s.StartOrder();
  EXPECT_EQ(order[0]->name, "primary");
  EXPECT_EQ(order[1]->name, "replica");
}

TEST(ScenarioLoader, TypoInAKeyGetsLineColumnAndSuggestion) {
  auto r = Parse("name: x\nservices:\n  db:\n    comand: [sleep, 1]\n");
  ASSERT_FALSE(r.scenario);
  std::string e = Errors(r);
  EXPECT_THAT(e, HasSubstr("scenario.yaml:4:5: error: unknown key 'comand' in service 'db' (did "
                           "you mean 'command'?)"));
  EXPECT_THAT(e, HasSubstr("    comand: [sleep, 1]\n        ^\n"));
  EXPECT_THAT(e, HasSubstr("service 'db' has no 'command'"));
}

TEST(ScenarioLoader, ReportsEveryErrorAtOnce) {
  auto r = Parse(R"(name: x
servces: {}
services:
  a:
    command: [run, "{port}"]
    stop_grace: 10 seconds
    stop_signal: SIGNOPE
    depends_on: [b]
  b:
    command: [run]
    depends_on: [a]
links:
  - {from: workload, to: c}
)");
  ASSERT_FALSE(r.scenario);
  std::string e = Errors(r);
  EXPECT_THAT(
      e, HasSubstr("2:1: error: unknown key 'servces' in the scenario (did you mean 'services'?)"));
  EXPECT_THAT(e, HasSubstr("5:21: error: '{port}' is used, but service 'a' has no 'port'"));
  EXPECT_THAT(e, HasSubstr("6:17: error: stop_grace: '10 seconds' is not a duration"));
  EXPECT_THAT(e, HasSubstr("7:18: error: unknown signal 'SIGNOPE'"));
  EXPECT_THAT(e, HasSubstr("depends_on makes a cycle"));
  EXPECT_THAT(e, HasSubstr("a link's 'to' names 'c', which is not a service"));
  // The scenario as far as it was read, for the checks of other rooms (the fault catalog).
  EXPECT_EQ(r.partial.services.size(), 2u);
}

TEST(ScenarioLoader, PlaceholderErrorsPointInsideTheString) {
  auto r = Parse(
      "name: x\nservices:\n  primary:\n    command: [run, \"--port={primry.port}\"]\n    port: "
      "auto\n");
  ASSERT_FALSE(r.scenario);
  // Column of '{' inside the quoted string: the quote is column 20, '{' is 8 characters further.
  EXPECT_THAT(Errors(r), HasSubstr("4:28: error: placeholder names 'primry', which is not a "
                                   "service (did you mean 'primary'?)"));
  auto w = Parse("name: x\nservices:\n  db: {command: [run]}\nworkload:\n  env: {A: \"{dir}\"}\n");
  ASSERT_FALSE(w.scenario);
  EXPECT_THAT(Errors(w), HasSubstr("the workload has none"));
}

// libyaml's words, where it found the problem, and where the construct it was reading began.
TEST(ScenarioLoader, YamlSyntaxErrorsHaveAPosition) {
  auto r = Parse("name: x\nservices:\n  db: {command: [run\n");
  ASSERT_FALSE(r.scenario);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_EQ(r.errors[0].column, 1);
  EXPECT_EQ(r.errors[0].message,
            "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that "
            "starts at 3:17)");
  auto tab = Parse("name: x\nservices:\n  db:\n\tcommand: [run]\n");
  ASSERT_EQ(tab.errors.size(), 1u);
  EXPECT_THAT(Errors(tab), HasSubstr("scenario.yaml:4:1: error: invalid YAML: found character that "
                                     "cannot start any token"));
  EXPECT_THAT(Errors(tab), HasSubstr("\tcommand: [run]\n    ^\n"));
}

// An empty value is no value (as an unquoted ~ or null), placed just after its ':'.
TEST(ScenarioLoader, AnEmptyValueIsNoValue) {
  auto r = Parse("name:\nservices:\n  a: {command: [x], user: ~, port: null}\n");
  ASSERT_FALSE(r.scenario);
  std::string e = Errors(r);
  EXPECT_THAT(e, HasSubstr("scenario.yaml:1:6: error: name must be a single value"));
  EXPECT_THAT(e, HasSubstr("3:27: error: user must be a single value"));
  EXPECT_THAT(e, HasSubstr("3:36: error: port (or 'auto') must be a single value"));
  // Quoted, "null" is text.
  auto quoted = Parse("name: x\nservices:\n  a: {command: [x, \"null\", '~']}\n");
  ASSERT_TRUE(quoted.scenario) << Errors(quoted);
  EXPECT_EQ(quoted.scenario->services[0].command[1].raw, "null");
  EXPECT_EQ(quoted.scenario->services[0].command[2].raw, "~");
}

TEST(ScenarioLoader, ShapesThatAreWrong) {
  for (const char* text :
       {"", "[1,2]", "name: x\nservices: [a, b]\n", "name: x\nservices:\n  a: {command: run}\n",
        "name: x\nservices:\n  a: {command: []}\n",
        "name: x\nservices:\n  a: {command: [x], port: 70000}\n",
        "name: x\nservices:\n  a: {command: [x], healthcheck: {interval: 1ms}}\n",
        "name: x\nservices:\n  workload: {command: [x]}\n",
        "name: x\nservices:\n  a: {command: [x]}\nworkload: {max_parallel_drivers: 0}\n",
        "name: x\nservices:\n  a: {command: [x]}\nlinks:\n  - {from: a, to: a}\n",
        "name: x\nservices:\n  a: {command: [x]}\nfaults: [kill]\n",
        "name: x\nname: y\nservices:\n  a: {command: [x]}\n"}) {
    auto r = Parse(text);
    EXPECT_FALSE(r.scenario) << text;
    EXPECT_FALSE(r.errors.empty()) << text;
  }
}

TEST(ScenarioLoader, PrepareMayBeSeveralCommands) {
  auto r = Parse(
      "name: x\nservices:\n  a:\n    prepare: [[mkdir, \"{dir}/x\"], [touch, \"{dir}/x/y\"]]\n    "
      "command: [x]\n");
  ASSERT_TRUE(r.scenario) << Errors(r);
  EXPECT_EQ(r.scenario->services[0].prepare.size(), 2u);
}

TEST(ScenarioLoader, PreparedFoldersMayBeReusable) {
  auto r = Parse(
      "name: x\nservices:\n  a:\n    prepare: [initdb, \"{dir}/d\"]\n    prepared: reusable\n"
      "    command: [x]\n    port: auto\n  b:\n    depends_on: [a]\n"
      "    prepare: [copy, \"{a.port}\"]\n    prepared: reusable\n    command: [x]\n"
      "  c:\n    prepare: [y]\n    prepared: per-history\n    command: [x]\n");
  ASSERT_TRUE(r.scenario) << Errors(r);
  EXPECT_TRUE(r.scenario->services[0].reusable_prepared);
  EXPECT_TRUE(r.scenario->services[1].reusable_prepared);
  EXPECT_FALSE(r.scenario->services[2].reusable_prepared);
}

TEST(ScenarioLoader, AReusablePreparedFolderMustBeReproducible) {
  auto errors = [](const std::string& text) { return Errors(Parse(text)); };
  EXPECT_THAT(errors("name: x\nservices:\n  a: {command: [x], prepared: always}\n"),
              HasSubstr("prepared must be 'reusable' or 'per-history', not 'always'"));
  EXPECT_THAT(errors("name: x\nservices:\n  a: {command: [x], prepared: reusable}\n"),
              HasSubstr("scenario.yaml:3:31: error: service 'a' says 'prepared: reusable' but has "
                        "no 'prepare' step"));
  EXPECT_THAT(errors("name: x\nservices:\n  a: {command: [x], port: auto}\n"
                     "  b: {depends_on: [a], prepare: [y], prepared: reusable, command: [x]}\n"),
              HasSubstr("depends on 'a', whose folder is not reusable"));
  EXPECT_THAT(
      errors("name: x\nservices:\n  a: {prepare: [y, \"{history.seed}\"], prepared: reusable, "
             "command: [x]}\n"),
      HasSubstr("a reusable prepare step cannot use {history.seed}"));
}

TEST(ScenarioLoader, Signals) {
  EXPECT_EQ(ParseSignal("SIGINT"), SIGINT);
  EXPECT_EQ(ParseSignal("term"), SIGTERM);
  EXPECT_EQ(ParseSignal("9"), 9);
  EXPECT_FALSE(ParseSignal("SIGFOO"));
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
}

}  // namespace
}  // namespace faultline::scenario
