// The real binary's reports and progress: the status line under a pseudo-terminal (redrawn in
// place) and plain lines without one, with NO_COLOR or with --no-progress; --seeds runs exactly
// the seeds named; every run folder gets report.json, junit.xml and report.html, which
// `faultline report` rebuilds unchanged; runs split by seed range merge into one report; and
// --baseline classifies properties against an earlier run.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#include <algorithm>
#include <map>

#include "base/json.h"
#include "tests/e2e_util.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ReportE2E : public ::testing::Test, public e2e::Harness {
 protected:
  // Runs faultline with its stdout and stderr on a new pseudo-terminal; returns all it wrote.
  e2e::Outcome OnTerminal(std::vector<std::string> args, std::vector<std::string> env_extra = {}) {
    e2e::Outcome o;
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    EXPECT_GE(master, 0);
    EXPECT_EQ(grantpt(master), 0);
    EXPECT_EQ(unlockpt(master), 0);
    winsize ws{.ws_row = 40, .ws_col = 200, .ws_xpixel = 0, .ws_ypixel = 0};
    ioctl(master, TIOCSWINSZ, &ws);
    std::string slave = ptsname(master);
    args.insert(args.begin(), std::string(FAULTLINE_BIN_DIR) + "/faultline");
    args.insert(args.end(), {"--out", out_dir_});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
      if (!std::string_view(*e).starts_with("NO_COLOR=")) env.emplace_back(*e);
    }
    env.insert(env.end(), env_extra.begin(), env_extra.end());
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, slave.c_str(), O_RDWR | O_NOCTTY, 0);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    // Read until the child is gone and the terminal has nothing more (EIO once no one holds it).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    int status = 0;
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{.fd = master, .events = POLLIN, .revents = 0};
      if (poll(&p, 1, 100) > 0) {
        char buf[4096];
        ssize_t n = read(master, buf, sizeof buf);
        if (n > 0) {
          o.out.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (exited) break;
      }
      if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = true;
      if (exited && poll(&p, 1, 0) <= 0) break;
    }
    if (!exited) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "faultline did not end in time";
    }
    close(master);
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return o;
  }

  static size_t Count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
  }

  static std::string RunDirOf(const std::string& out) {
    size_t arrow = out.find(" -> ");
    if (arrow == std::string::npos) return {};
    size_t end = out.find_first_of("\r\n", arrow);
    return out.substr(arrow + 4, end - arrow - 4);
  }
};

TEST_F(ReportE2E, OnATerminalTheStatusLineIsRedrawnInPlace) {
  auto r = OnTerminal({"run", Fixture("pass"), "--seed", "3", "--duration", "2s", "--histories",
                       "2", "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.out;
  // At 4 redraws a second over two 2-second histories, the line was drawn many times, each time
  // returning to the start of the line and clearing what was left of the last one.
  EXPECT_GE(Count(r.out, "\rfaultline 0/2 done · h0 "), 3u) << r.out;
  EXPECT_GE(Count(r.out, "\x1b[K"), 4u);
  EXPECT_THAT(r.out, HasSubstr("elapsed, ~"));
  EXPECT_THAT(r.out, HasSubstr(" commands · 0 faults in force · 0 properties failing"));
  EXPECT_THAT(r.out, HasSubstr("\r\x1b[Khistory 0 (seed 3, template "));
  EXPECT_THAT(r.out, HasSubstr("\rfaultline 1/2 done"));
  EXPECT_THAT(r.out, HasSubstr("PASSED\x1b[0m: "));
  // Plain lines are not printed when the status line says it all.
  EXPECT_THAT(r.out, Not(HasSubstr("): started")));
  EXPECT_TRUE(NothingLeft()) << LeftOver();
}

TEST_F(ReportE2E, PlainLinesWithoutATerminalWithNoColorOrNoProgress) {
  auto piped = Faultline({"run", Fixture("pass"), "--seed", "3", "--duration", "1s"});
  auto no_color =
      OnTerminal({"run", Fixture("pass"), "--seed", "3", "--duration", "1s"}, {"NO_COLOR=1"});
  auto no_progress =
      OnTerminal({"run", Fixture("pass"), "--seed", "3", "--duration", "1s", "--no-progress"});
  for (const auto* r : {&piped, &no_color, &no_progress}) {
    ASSERT_EQ(r->code, 0) << r->out << r->err;
    EXPECT_THAT(r->out, HasSubstr("history 0 (seed 3, template basic): started"));
    EXPECT_THAT(r->out, HasSubstr("history 0: drivers at 0:0"));
    EXPECT_THAT(r->out, HasSubstr("history 0 (seed 3, template basic): completed"));
    EXPECT_THAT(r->out, Not(HasSubstr("\x1b[K"))) << r->out;
    EXPECT_THAT(r->out, Not(HasSubstr("done · h0")));
  }
  // NO_COLOR and a pipe get no escape at all; --no-progress on a terminal keeps the colours.
  EXPECT_THAT(piped.out, Not(HasSubstr("\x1b")));
  EXPECT_THAT(no_color.out, Not(HasSubstr("\x1b")));
  // The terminal turns "\n" into "\r\n"; the pipe has no carriage return at all.
  EXPECT_THAT(piped.out, Not(HasSubstr("\r")));
}

TEST_F(ReportE2E, SeedsRunExactlyThoseSeedsAndMergedRunsAddUp) {
  auto a = Faultline({"run", Fixture("pass"), "--seeds", "10-11", "--duration", "1s"});
  ASSERT_EQ(a.code, 0) << a.out << a.err;
  std::string run_a = RunDirOf(a.out);
  EXPECT_THAT(a.out, HasSubstr("seeds 10-11, 2 histories"));
  auto b = Faultline({"run", Fixture("pass"), "--seeds", "12,14", "--duration", "1s"});
  ASSERT_EQ(b.code, 0) << b.out << b.err;
  std::string run_b = RunDirOf(b.out);
  Json ja = ParseJson(ReadFile(run_a + "/report.json").value());
  Json jb = ParseJson(ReadFile(run_b + "/report.json").value());
  std::vector<uint64_t> seeds;
  for (const auto& h : jb["histories"]) seeds.push_back(h["seed"]);
  EXPECT_EQ(seeds, (std::vector<uint64_t>{12, 14}));
  EXPECT_EQ(jb["run"]["seeds"], "12,14");
  for (const char* f : {"/report.json", "/junit.xml", "/report.html"}) {
    EXPECT_TRUE(PathExists(run_a + f)) << f;
  }
  // `faultline report` rebuilds the very same report.json from the folder.
  std::string before = ReadFile(run_a + "/report.json").value();
  auto rebuilt = Faultline({"report", run_a});
  EXPECT_EQ(rebuilt.code, 0) << rebuilt.err;
  EXPECT_EQ(ReadFile(run_a + "/report.json").value(), before);

  std::string merged = out_dir_ + "/merged";
  auto m = Faultline({"report", "--merge", run_b, run_a, "--out", merged});
  ASSERT_EQ(m.code, 0) << m.out << m.err;
  Json jm = ParseJson(ReadFile(merged + "/report.json").value());
  seeds.clear();
  for (const auto& h : jm["histories"]) seeds.push_back(h["seed"]);
  EXPECT_EQ(seeds, (std::vector<uint64_t>{10, 11, 12, 14}));
  EXPECT_EQ(jm["run"]["seeds"], "10-12,14");
  EXPECT_EQ(jm["histories"][0]["run_dir"], run_a);
  EXPECT_EQ(jm["histories"][3]["run_dir"], run_b);
  EXPECT_EQ(jm["summary"]["properties"], ja["summary"]["properties"]);
  for (const auto& p : jm["properties"]) {
    uint64_t passes = 0, failures = 0;
    for (const Json* j : {&ja, &jb}) {
      if (const Json* q = Property(*j, p["id"])) {
        passes += (*q)["passes"].get<uint64_t>();
        failures += (*q)["failures"].get<uint64_t>();
      }
    }
    EXPECT_EQ(p["passes"], passes) << p["id"];
    EXPECT_EQ(p["failures"], failures) << p["id"];
    if (p["first_pass"].is_object()) {
      EXPECT_EQ(p["first_pass"]["run_dir"], p["first_pass"]["seed"] <= 11 ? run_a : run_b);
    }
  }
  EXPECT_TRUE(PathExists(merged + "/report.html"));
  EXPECT_TRUE(PathExists(merged + "/junit.xml"));
  EXPECT_THAT(m.out, HasSubstr("PASSED: "));

  auto both = Faultline({"run", Fixture("pass"), "--seeds", "1-2", "--seed", "4"});
  EXPECT_EQ(both.code, 2);
  auto bad = Faultline({"run", Fixture("pass"), "--seeds", "9-3"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--seeds: the range '9-3' ends before it starts"));
  auto no_out = Faultline({"report", "--merge", run_a, run_b});
  EXPECT_EQ(no_out.code, 2);
  EXPECT_THAT(no_out.err, HasSubstr("--merge needs --out DIR"));
}

TEST_F(ReportE2E, BaselineFindingsOnRunAndReport) {
  auto old_run = Faultline({"run", Fixture("pass"), "--seed", "3", "--duration", "1s"});
  ASSERT_EQ(old_run.code, 0) << old_run.err;
  std::string old_dir = RunDirOf(old_run.out);
  auto failing =
      Faultline({"run", Fixture("fail"), "--seed", "5", "--duration", "1s", "--baseline", old_dir});
  ASSERT_EQ(failing.code, 1) << failing.out << failing.err;
  EXPECT_THAT(failing.out, HasSubstr("against baseline " + old_dir + ":"));
  EXPECT_THAT(failing.out, HasSubstr("  new failure (1):\n    counter stays small"));
  std::string new_dir = RunDirOf(failing.out);
  Json j = ParseJson(ReadFile(new_dir + "/report.json").value());
  EXPECT_EQ(j["baseline"]["findings"]["new_failure"], Json::array({"counter stays small"}));
  // The same findings from `faultline report RUN --baseline OLD`, in every format.
  auto again = Faultline({"report", new_dir, "--baseline", old_dir});
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.out, HasSubstr("  new failure (1):\n    counter stays small"));
  EXPECT_THAT(ReadFile(new_dir + "/junit.xml").value(),
              HasSubstr("<property name=\"baseline\" value=\"new failure\"/>"));
  EXPECT_THAT(ReadFile(new_dir + "/report.html").value(),
              HasSubstr("<span class=\"finding new_failure\">new failure</span>"));
  auto missing = Faultline({"run", Fixture("pass"), "--baseline", out_dir_ + "/nope"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_THAT(missing.err, HasSubstr("is not a faultline run folder"));
}

// A property that only a paused server breaks (tests/fixtures/pausefail): every format says so,
// and what it says agrees with the histories' own timelines (which kinds each swarm enabled,
// where the property failed).
TEST_F(ReportE2E, FaultAttributionNamesTheKindAFailureNeeds) {
  auto run = Faultline(
      {"run", Fixture("pausefail"), "--seeds", "11-14,17,18", "--jobs", "2", "--no-progress"});
  ASSERT_EQ(run.code, 1) << run.out << run.err;
  std::string dir = RunDirOf(run.out);
  const std::string id = "kv answers within 500 ms";
  Json j = ParseJson(ReadFile(dir + "/report.json").value());
  int failing = 0, passing_without_pause = 0;
  std::map<std::string, int> begun;
  for (const auto& h : j["histories"]) {
    auto timeline = ReadTimeline(h["dir"].get<std::string>() + "/timeline.jsonl");
    ASSERT_TRUE(timeline) << h["dir"];
    bool pause_on = false, pause_begun = false, failed = false, passed = false;
    for (const auto& e : timeline->events) {
      if (e.type == EventType::kFaultSwarm) {
        for (const auto& k : e.fields["enabled"]) pause_on |= k == "pause";
      } else if (e.type == EventType::kFault && e.fields["action"] == "begin") {
        ++begun[e.fields["kind"].get<std::string>()];
        pause_begun |= e.fields["kind"] == "pause";
      } else if (e.assertion && e.assertion->id == id) {
        (e.assertion->condition ? passed : failed) = true;
      }
    }
    // The fixture's bug: only a pause makes kv miss its deadline.
    if (failed) {
      EXPECT_TRUE(pause_on && pause_begun) << h["dir"];
    }
    failing += failed;
    passing_without_pause += passed && !failed && !pause_on;
    EXPECT_EQ(h["faults_injected"].value("pause", 0),
              std::count_if(timeline->events.begin(), timeline->events.end(), [](const Event& e) {
                return e.type == EventType::kFault && e.fields["action"] == "begin" &&
                       e.fields["kind"] == "pause";
              }));
  }
  // These seeds give both: histories whose swarm leaves pause off (12, 14, 18: kill alone) and
  // failures under pause (11, 13, 17 lead with pause). A new swarm draw may need other seeds.
  ASSERT_GT(failing, 0) << "no history failed; pick seeds whose swarm enables pause";
  ASSERT_GT(passing_without_pause, 0) << "every history enabled pause; pick other seeds";

  const Json* p = Property(j, id);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ((*p)["status"], "failed");
  const Json& attribution = (*p)["attribution"];
  EXPECT_EQ(attribution["only_when"], Json::array({"pause"})) << attribution.dump(2);
  EXPECT_THAT(attribution["text"].get<std::string>(), HasSubstr("fails only when pause is on"));
  EXPECT_EQ(j["summary"]["faults_injected"]["pause"], begun["pause"]);
  EXPECT_EQ(j["summary"]["faults_injected"]["kill"], begun["kill"]);
  // The same words in the terminal summary, junit.xml and report.html, with the faults per kind.
  EXPECT_THAT(run.out, HasSubstr("faults: fails only when pause is on"));
  EXPECT_THAT(run.out, HasSubstr(fmt::format("faults injected: kill {}, pause {}", begun["kill"],
                                             begun["pause"])));
  std::string junit = ReadFile(dir + "/junit.xml").value();
  EXPECT_THAT(junit, HasSubstr("faults: fails only when pause is on"));
  EXPECT_THAT(junit,
              HasSubstr(fmt::format("<property name=\"faults_injected.pause\" value=\"{}\"/>",
                                    begun["pause"])));
  std::string html = ReadFile(dir + "/report.html").value();
  EXPECT_THAT(html, HasSubstr("Faults: fails only when pause is on"));
  // Each pause is a bar in the faults lane and a shaded span on kv's lane.
  EXPECT_EQ(Count(html, "<rect class=\"m fb f-pause\""), static_cast<size_t>(begun["pause"]));
  EXPECT_EQ(Count(html, "<rect class=\"fo f-pause\""), static_cast<size_t>(begun["pause"]));
}

// Outside text from a real run: a command file name with markup, an assertion's id, message,
// location and details, and service and command output lines, each with markup and terminal
// controls. The page runs nothing of it (one script, the page's own; no element from it), junit.xml
// parses, and no control byte reaches a report or the terminal.
TEST_F(ReportE2E, OutsideTextFromARealRunIsEscapedInEveryFormat) {
  std::string sc = out_dir_ + "/hostile";
  ASSERT_TRUE(MakeDirs(sc + "/test/v1/t").ok());
  ASSERT_TRUE(WriteFileAtomic(sc + "/scenario.yaml", R"(name: hostile
duration: 1s
services:
  svc:
    command: [sh, -c, "printf '<script>window.__pwned=1</script> \\033[2J svc log\\n'; exec sleep 600"]
)")
                  .ok());
  // (faultline refuses control characters in file names; markup it takes.)
  std::string command = sc + "/test/v1/t/parallel_driver_<img src=x onerror=alert(1)>.sh";
  ASSERT_TRUE(WriteFileAtomic(command, R"(#!/bin/sh
printf '%s\n' '{"antithesis_assert":{"assert_type":"always","must_hit":true,"display_type":"Always","condition":false,"hit":true,"id":"<script>window.__pwned=1</script>\u001b[2J id","message":"<script>window.__pwned=1</script>\u001b[2J id","location":{"file":"<img src=x onerror=alert(2)>.c","function":"</title><script>x()</script>","class":"","begin_line":3,"begin_column":0},"details":{"<b>k</b>":"<img src=x onerror=alert(3)>\u001b]0;pwn\u0007"}}}' >>"$ANTITHESIS_OUTPUT_DIR/sdk.jsonl"
echo '<script>window.__pwned=2</script> command stdout'
sleep 0.2
)")
                  .ok());
  ASSERT_EQ(chmod(command.c_str(), 0755), 0);
  auto run = Faultline({"run", sc, "--seed", "1", "--no-progress"});
  ASSERT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_EQ((run.out + run.err).find('\x1b'), std::string::npos) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("FAIL  <script>window.__pwned=1</script>\\x1b[2J id"));
  std::string dir = RunDirOf(run.out);
  std::string html = ReadFile(dir + "/report.html").value();
  std::string junit = ReadFile(dir + "/junit.xml").value();
  for (const std::string* text : {&html, &junit}) {
    EXPECT_EQ(text->find('\x1b'), std::string::npos);
    EXPECT_EQ(text->find('\x07'), std::string::npos);
  }
  EXPECT_EQ(Count(html, "<script"), 1u);  // the page's own
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>k"), std::string::npos);
  // Every payload is on the page, as text.
  for (const char* shown :
       {"&lt;img src=x onerror=alert(1)&gt;", "&lt;img src=x onerror=alert(2)&gt;",
        "&lt;img src=x onerror=alert(3)&gt;", "&lt;/title&gt;&lt;script&gt;x()",
        "window.__pwned=1&lt;/script&gt;\\x1b[2J id",
        "window.__pwned=2&lt;/script&gt; command stdout"}) {
    EXPECT_THAT(html, HasSubstr(shown));
  }
  EXPECT_THAT(html, HasSubstr("svc log"));
  xmlDoc* doc = xmlReadMemory(junit.data(), static_cast<int>(junit.size()), "junit.xml", "UTF-8",
                              XML_PARSE_NONET);
  ASSERT_NE(doc, nullptr) << junit;
  xmlFreeDoc(doc);
  EXPECT_THAT(junit, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  // report.json keeps the text as it was (JSON strings carry any character safely).
  Json j = ParseJson(ReadFile(dir + "/report.json").value());
  EXPECT_NE(Property(j, "<script>window.__pwned=1</script>\x1b[2J id"), nullptr);
}

}  // namespace
}  // namespace faultline
