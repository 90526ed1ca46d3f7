// End-to-end tests: the real faultline binary on fixture scenarios (tests/fixtures/), judged by
// its exit code, its output and the report.json it writes.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "base/files.h"
#include "base/json.h"
#include "base/strings.h"
#include "process/supervisor.h"
#include "tests/e2e_util.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

class E2E : public ::testing::Test, public e2e::Harness {};

TEST_F(E2E, PassingScenarioExitsZeroAndKeepsEverything) {
  // A variable of faultline's own environment must not shadow the scenario's workload env.
  setenv("KV_PORT", "1", 1);
  auto r = Faultline({"run", Fixture("pass"), "--seed", "3", "--duration", "1s"});
  unsetenv("KV_PORT");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  Json report = Report();
  EXPECT_EQ(report["outcome"], "passed");
  EXPECT_EQ(report["exit_code"], 0);
  ASSERT_EQ(report["histories"].size(), 1u);
  const Json& h = report["histories"][0];
  EXPECT_EQ(h["seed"], 3);
  EXPECT_EQ(h["outcome"], "completed");
  EXPECT_TRUE(h["terminal"] == "eventually" || h["terminal"] == "finally") << h.dump();
  EXPECT_GT(h["invocations"].get<int>(), 3);
  const Json* p = Property(report, "acknowledged increments survive");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ((*p)["status"], "passed");
  std::string dir = h["dir"];
  for (const char* f : {"/timeline.jsonl", "/scenario.resolved.json", "/logs/kv.log",
                        "/commands/000001-first_init.sh/stdout",
                        "/commands/000001-first_init.sh/stderr", "/services/kv/kv.log"}) {
    EXPECT_TRUE(PathExists(dir + f)) << dir + f;
  }
  EXPECT_THAT(ReadFile(dir + "/logs/kv.log").value(),
              HasSubstr("faultline-kv: listening on 127.0.0.1:"));
  EXPECT_TRUE(NothingLeft());
}

TEST_F(E2E, FailingPropertyExitsOneWithItsReplayCommand) {
  auto r = Faultline({"run", Fixture("fail"), "--seed", "5", "--duration", "1s"});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  Json report = Report();
  const Json* p = Property(report, "counter stays small");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ((*p)["status"], "failed");
  EXPECT_EQ(report["properties"][0]["id"], "counter stays small") << "failing properties first";
  std::string replay = (*p)["first_fail"]["replay"];
  EXPECT_EQ(replay, "faultline run " + Fixture("fail") + " --seed 5 --duration 1s");
  EXPECT_THAT(r.out, HasSubstr("FAIL  counter stays small"));
  EXPECT_THAT(r.out, HasSubstr("replay: " + replay));
  // `faultline report` rebuilds the same verdicts from the run folder.
  std::string run_dir = report["run"]["run_dir"];
  auto rebuilt = Faultline({"report", run_dir});
  EXPECT_EQ(rebuilt.code, 1);
  EXPECT_EQ(Report()["properties"], report["properties"]);
}

TEST_F(E2E, ReplayingASeedRepeatsItsDecisions) {
  ASSERT_EQ(Faultline({"run", Fixture("pass"), "--seed", "11", "--duration", "1s"}).code, 0);
  auto first = Decisions(Report()["histories"][0]["dir"]);
  ASSERT_EQ(Faultline({"run", Fixture("pass"), "--seed", "11", "--duration", "1s"}).code, 0);
  auto second = Decisions(Report()["histories"][0]["dir"]);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

TEST_F(E2E, TypoInTheScenarioNamesLineColumnAndSuggestion) {
  auto r = Faultline({"run", Fixture("typo")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("scenario.yaml:6:5: error: unknown key 'helthcheck' in service 'kv' "
                               "(did you mean 'healthcheck'?)"));
  EXPECT_THAT(r.err, HasSubstr("scenario.yaml:9:15: error: unknown placeholder field 'prot'"));
  EXPECT_THAT(r.err, HasSubstr("        ^\n"));
}

TEST_F(E2E, BadCommandsAreNamed) {
  auto r = Faultline({"run", Fixture("badcmd")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("paralel_driver_typo.sh: error: 'paralel_driver_typo.sh' does not "
                               "start with a Test Composer prefix"));
  EXPECT_THAT(r.err, HasSubstr("serial_driver_noexec.sh: error: command 'serial_driver_noexec.sh' "
                               "is not executable (run: chmod +x"));
}

TEST_F(E2E, ServiceThatNeverBecomesHealthyExitsThreeWithItsLogTail) {
  auto r = Faultline({"run", Fixture("unhealthy")});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.out, HasSubstr("service 'stuck' (started, not healthy)"));
  EXPECT_THAT(r.out, HasSubstr("| stuck: waiting for a disk that never comes"));
  EXPECT_EQ(Report()["histories"][0]["outcome"], "setup_failed");
  EXPECT_TRUE(NothingLeft());
}

TEST_F(E2E, HangingCommandIsKilledAtItsTimeoutAndFailsItsProperty) {
  auto r = Faultline({"run", Fixture("hang"), "--seed", "1"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  Json report = Report();
  const Json* p = Property(report, "Commands finish within their timeout");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ((*p)["status"], "failed");
  EXPECT_EQ((*p)["first_fail"]["source"], "t/serial_driver_hang.sh #1");
  EXPECT_EQ((*p)["first_fail"]["details"]["killed"], "timeout");
  int64_t ms = (*p)["first_fail"]["details"]["ms"];
  EXPECT_GE(ms, 1500);
  EXPECT_LT(ms, 4000);
  EXPECT_TRUE(NothingLeft());
}

TEST_F(E2E, HistoriesRunSideBySideIsolated) {
  auto r = Faultline({"run", Fixture("pass"), "--seed", "20", "--duration", "1s", "--histories",
                      "4", "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  Json report = Report();
  ASSERT_EQ(report["histories"].size(), 4u);
  std::set<int64_t> ports;
  std::set<std::string> dirs;
  for (int i = 0; i < 4; ++i) {
    const Json& h = report["histories"][i];
    EXPECT_EQ(h["seed"], 20 + i);
    EXPECT_EQ(h["outcome"], "completed");
    dirs.insert(h["dir"].get<std::string>());
    Json resolved =
        ParseJson(ReadFile(h["dir"].get<std::string>() + "/scenario.resolved.json").value());
    ports.insert(resolved["services"][0]["port"].get<int64_t>());
  }
  EXPECT_EQ(ports.size(), 4u) << "each history has its own port";
  EXPECT_EQ(dirs.size(), 4u);
  // Two at a time: the second history started before the first ended.
  auto started = [&](int i) {
    return JsonInt(Timeline(report["histories"][i]["dir"])[0].fields, "started_unix_ms", -1);
  };
  double first_seconds = report["histories"][0]["seconds"];
  EXPECT_GT(first_seconds, 1.0);
  EXPECT_LT(started(1), started(0) + static_cast<int64_t>(first_seconds * 1000));
  EXPECT_TRUE(NothingLeft());
}

TEST_F(E2E, ValidateRunsEachCommandOnceInComposerOrder) {
  auto r = Faultline({"validate", Fixture("pass")});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("VALID: 0 problem(s)"));
  auto starts = Starts(Report()["histories"][0]["dir"]);
  EXPECT_EQ(starts,
            (std::vector<std::string>{"basic/first_init.sh", "basic/parallel_driver_incr.sh",
                                      "basic/anytime_ping.sh", "basic/eventually_counter.sh",
                                      "basic/finally_counter.sh"}));
  EXPECT_EQ(Faultline({"validate", Fixture("typo")}).code, 1);
  EXPECT_EQ(Faultline({"validate", Fixture("unhealthy")}).code, 1);
  auto hang = Faultline({"validate", Fixture("hang")});
  EXPECT_EQ(hang.code, 1);
  EXPECT_THAT(
      hang.out,
      HasSubstr("problem: t/serial_driver_hang.sh did not finish within 1500ms and was killed"));
}

TEST_F(E2E, UsageErrorsExitTwo) {
  EXPECT_EQ(Faultline({"run"}).code, 2);
  EXPECT_EQ(Faultline({"run", Fixture("pass"), "--seed", "x"}).code, 2);
  EXPECT_EQ(Faultline({"run", Fixture("pass"), "--duration", "5 minutes"}).code, 2);
  auto t = Faultline({"run", Fixture("pass"), "--template", "basc"});
  EXPECT_EQ(t.code, 2);
  EXPECT_THAT(t.err, HasSubstr("no template named 'basc' (did you mean 'basic'?)"));
  auto c = Faultline({"rnu"});
  EXPECT_EQ(c.code, 2);
  EXPECT_THAT(c.err, HasSubstr("unknown command 'rnu' (did you mean 'run'?)"));
  EXPECT_EQ(Faultline({"run", FAULTLINE_SOURCE_DIR "/no-such-scenario"}).code, 2);
}

// The no-leak guarantee, on every way faultline can end.
class NoLeak : public E2E, public ::testing::WithParamInterface<int> {};

TEST_P(NoLeak, NothingOutlivesFaultline) {
  int signal = GetParam();
  auto started = StartBackground({"run", Fixture("long"), "--seed", "1"});
  ASSERT_TRUE(WaitForFile("driver-started", Millis(30000))) << "the driver never ran";
  EXPECT_FALSE(NothingLeft()) << "the scenario's processes are running";
  auto end = StopBackground(started, signal);
  if (signal == SIGKILL) {
    // faultline had no chance to clean up: its guardian must, within 2 seconds.
    auto deadline = std::chrono::steady_clock::now() + Millis(2000);
    while (!NothingLeft() && std::chrono::steady_clock::now() < deadline) usleep(20000);
  } else {
    EXPECT_EQ(end.code, 130) << end.out << end.err;
    EXPECT_THAT(end.out, HasSubstr("INTERRUPTED"));
  }
  EXPECT_TRUE(NothingLeft()) << LeftOver();
}

INSTANTIATE_TEST_SUITE_P(Signals, NoLeak, ::testing::Values(SIGINT, SIGTERM, SIGKILL),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST_F(E2E, StopFaultsExecutableRecordsAQuietPeriod) {
  auto r = Faultline({"run", Fixture("quiet"), "--seed", "1"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  int quiet = 0;
  for (const auto& e : Timeline(Report()["histories"][0]["dir"])) {
    if (e.type == EventType::kQuietRequest) {
      ++quiet;
      EXPECT_EQ(e.fields["seconds"], 0.2);
      EXPECT_THAT(JsonString(e.fields, "from"), HasSubstr("t/anytime_quiet.sh #"));
    }
  }
  EXPECT_GT(quiet, 0);
  // The anytime command checked the script's answers: 0 when healed, non-zero on bad input.
  EXPECT_EQ((*Property(Report(), "t/anytime_quiet.sh exits 0"))["status"], "passed");
}

TEST_F(E2E, SetupCompleteFromAServiceSdkLineAndServiceProperties) {
  auto r = Faultline({"run", Fixture("sdksetup"), "--seed", "1"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;  // a registered must-hit property is never reached
  Json report = Report();
  auto events = Timeline(report["histories"][0]["dir"]);
  const Event* setup = nullptr;
  int64_t healthy_at = -1;
  for (const auto& e : events) {
    if (e.type == EventType::kSetupComplete) setup = &e;
    if (e.type == EventType::kServiceHealthy) healthy_at = e.t_us;
  }
  ASSERT_NE(setup, nullptr);
  EXPECT_EQ(JsonString(setup->fields, "via"), "sdk");
  EXPECT_EQ(JsonString(setup->fields, "service"), "app");
  EXPECT_EQ(setup->fields["details"]["message"], "app is ready");
  EXPECT_GE(setup->t_us - healthy_at, 300000) << "setup waited for the SDK line, not health";
  const Json* never = Property(report, "app recovered a crashed transaction");
  ASSERT_NE(never, nullptr);
  EXPECT_EQ((*never)["status"], "failed");
  EXPECT_EQ((*never)["reason"], "never reached");
  EXPECT_EQ((*never)["location"]["begin_line"], 9);
  const Json* consistent = Property(report, "app state is consistent");
  ASSERT_NE(consistent, nullptr);
  EXPECT_EQ((*consistent)["status"], "passed");
  EXPECT_EQ((*consistent)["first_pass"]["source"], "service app");
  EXPECT_EQ((*consistent)["first_pass"]["details"]["rows"], 3);
  bool event = false, skipped = false;
  for (const auto& e : events) {
    event |= e.type == EventType::kSdkEvent && JsonString(e.fields, "name") == "app_event";
    skipped |= e.type == EventType::kSdkSkipped && JsonInt(e.fields, "lines", 0) == 1;
  }
  EXPECT_TRUE(event);
  EXPECT_TRUE(skipped) << "the garbage line is counted, not fatal";
}

TEST_F(E2E, ServiceUserWhoCannotReachTheRunFolderStillWorks) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  // The run folder sits under a folder that only root may enter.
  std::string locked = out_dir_ + "/locked";
  ASSERT_TRUE(MakeDirs(locked).ok());
  ASSERT_EQ(chmod(locked.c_str(), 0700), 0);
  auto b = StartBackground({"run", Fixture("asuser"), "--seed", "1", "--out", locked});
  auto r = StopBackground(b, 0);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::string dir = Report()["histories"][0]["dir"];
  EXPECT_EQ(dir.rfind(locked, 0), 0u) << dir;
  EXPECT_EQ(ReadFile(dir + "/services/store/prepared-by").value_or(""), "nobody\n");
  EXPECT_EQ(ReadFile(dir + "/services/store/run-by").value_or(""), "nobody\n");
  EXPECT_TRUE(PathExists(dir + "/timeline.jsonl"));
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST_F(E2E, ShippedExampleScenarioPassesOnBothTemplates) {
  std::string example = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/example";
  auto v = Faultline({"validate", example});
  ASSERT_EQ(v.code, 0) << v.out << v.err;
  auto r = Faultline(
      {"run", example, "--seed", "1", "--duration", "4s", "--histories", "3", "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  Json report = Report();
  std::set<std::string> templates;
  for (const auto& h : report["histories"]) templates.insert(h["template"].get<std::string>());
  EXPECT_EQ(templates, (std::set<std::string>{"bulk", "counter"}));
  // Seeds 1..3 lead with pause, network and kill: each history's first decision injects its lead.
  for (const char* id :
       {"acknowledged increments survive", "the counter is initialised", "fault kill was injected",
        "fault pause was injected", "fault network was injected"}) {
    const Json* p = Property(report, id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_EQ((*p)["status"], "passed") << id;
  }
  EXPECT_TRUE(NothingLeft());
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST_F(E2E, ReplayFailuresReportsHowOftenAFailureRecurs) {
  auto r = Faultline(
      {"run", Fixture("fail"), "--seed", "4", "--duration", "1s", "--replay-failures", "2"});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  Json report = Report();
  const Json* p = Property(report, "counter stays small");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ((*p)["replays"].size(), 1u);
  EXPECT_EQ((*p)["replays"][0]["seed"], 4);
  EXPECT_EQ((*p)["replays"][0]["replays"], 2);
  EXPECT_EQ((*p)["replays"][0]["recurred"], 2) << "this failure does not depend on timing";
  EXPECT_THAT(r.out, HasSubstr("replayed seed 4 2 time(s): failed again 2 time(s)"));
  std::string run_dir = report["run"]["run_dir"];
  EXPECT_TRUE(PathExists(run_dir + "/replays/seed4-1/timeline.jsonl"));
  EXPECT_TRUE(PathExists(run_dir + "/replays/seed4-2/timeline.jsonl"));
  // Replays do not count in the run's own verdicts: one history ran.
  EXPECT_EQ(report["histories"].size(), 1u);
  EXPECT_TRUE(NothingLeft());
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST_F(E2E, SetupLineBeforeHealthCountsOnceServicesAreHealthy) {
  auto r = Faultline({"run", Fixture("earlysetup"), "--seed", "1"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  int64_t healthy = -1, setup = -1, first_command = -1;
  for (const auto& e : Timeline(Report()["histories"][0]["dir"])) {
    if (e.type == EventType::kServiceHealthy) healthy = e.t_us;
    if (e.type == EventType::kSetupComplete) setup = e.t_us;
    if (e.type == EventType::kCommandStart && first_command < 0) first_command = e.t_us;
  }
  ASSERT_GE(healthy, 700000);
  EXPECT_GE(setup, healthy);
  EXPECT_GE(first_command, setup);
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST_F(E2E, LeanBinaryLoadsNoDatabaseOrHttpLibraryAndDelegates) {
  // `faultline sdk` runs once per assertion in shell commands: its start-up must stay cheap.
  std::string out = out_dir_ + "/.readelf";
  std::string cmd = fmt::format("readelf -d {}/faultline > {}", FAULTLINE_BIN_DIR, out);
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string needed = ReadFile(out).value_or("");
  EXPECT_THAT(needed, HasSubstr("libyaml-cpp"));
  EXPECT_EQ(needed.find("libpq"), std::string::npos) << needed;
  EXPECT_EQ(needed.find("httplib"), std::string::npos) << needed;
  EXPECT_EQ(needed.find("microhttpd"), std::string::npos) << needed;
  // The subcommands that need them run in faultline-full, transparently.
  auto td = Faultline({"td", "--check", FAULTLINE_SOURCE_DIR "/corpus/td/sql/dml.td"});
  EXPECT_EQ(td.code, 0) << td.err;
  auto proxy = Faultline({"proxy", "--help"});
  EXPECT_EQ(proxy.code, 0) << proxy.err;
  EXPECT_THAT(proxy.out, HasSubstr("toxiproxy"));
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

// A service command or prepare step that cannot be started ends the history as setup_failed and
// faultline exits 3 at once: for run, for several histories, and for validate (which exits 1).
TEST_F(E2E, UnstartableServiceEndsTheRunInsteadOfHanging) {
  const std::string templates = Fixture("unstartable") + "/test";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing", "command: [/nonexistent/program]"},
      {"directory", "command: [/tmp]"},
      {"not-executable", "command: [" + Fixture("unstartable") + "/README]"},
      {"empty", "command: [\"\"]"},
      {"prepare", "prepare: [/nonexistent/prepare]\n    command: [sleep, \"60\"]"},
  };
  for (const auto& [name, service] : cases) {
    std::string dir = out_dir_ + "/" + name;
    ASSERT_TRUE(MakeDirs(dir).ok());
    ASSERT_EQ(symlink(templates.c_str(), (dir + "/test").c_str()), 0);
    ASSERT_TRUE(WriteFile(dir + "/scenario.yaml",
                          "name: " + name + "\nservices:\n  a:\n    " + service + "\n")
                    .ok());
    auto run = Faultline({"run", dir, "--seed", "1", "--duration", "1s"});
    EXPECT_EQ(run.code, 3) << name << "\n" << run.out << run.err;
    EXPECT_EQ(Report()["histories"][0]["outcome"], "setup_failed") << name;
    auto several = Faultline({"run", dir, "--histories", "3", "--jobs", "2", "--duration", "1s"});
    EXPECT_EQ(several.code, 3) << name << "\n" << several.out << several.err;
    auto validate = Faultline({"validate", dir});
    EXPECT_EQ(validate.code, 1) << name << "\n" << validate.out << validate.err;
  }
  EXPECT_TRUE(NothingLeft());
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

// A second interrupt during a slow stop kills everything at once, and still writes the report
// that the summary names, with the history that was running.
TEST_F(E2E, SecondInterruptWritesTheReportItNames) {
  auto started = StartBackground({"run", Fixture("slowstop"), "--seed", "3"});
  ASSERT_TRUE(WaitForFile("driver-started", Millis(30000))) << "the driver never ran";
  kill(started.pid, SIGINT);
  usleep(300000);  // the service ignores SIGTERM: its stop now waits for the 60 s grace
  auto end = StopBackground(started, SIGINT);
  EXPECT_EQ(end.code, 130) << end.out << end.err;
  Json report = ReportNamedIn(end.out);
  ASSERT_EQ(report["histories"].size(), 1u) << report.dump();
  EXPECT_EQ(report["histories"][0]["outcome"], "interrupted");
  EXPECT_EQ(report["histories"][0]["seed"], 3);
  EXPECT_THAT(end.out, HasSubstr("1 histor"));
  EXPECT_TRUE(NothingLeft()) << LeftOver();
}

}  // namespace
}  // namespace faultline
