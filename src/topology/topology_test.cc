// Real-process tests of a history's services: ordering, health, failures, faults, teardown.
#include "topology/topology.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/files.h"
#include "base/strings.h"
#include "base/temp_dir.h"
#include "topology/ports.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

class TopologyTest : public ::testing::Test {
 protected:
  void SetUp() override { chmod(dir_.c_str(), 0755); }

  // Loads a scenario from YAML; the test fails on any error.
  void Load(const std::string& yaml) {
    auto r = scenario::ParseScenario(yaml, "scenario.yaml", dir_);
    ASSERT_TRUE(r.scenario) << FormatDiagnostics(r.errors, r.source);
    scenario_ = std::move(*r.scenario);
    TopologyOptions options;
    options.layout.root = dir_ + "/h";
    options.seed = 7;
    options.base_env = {"PATH=/usr/bin:/bin"};
    ASSERT_TRUE(MakeDirs(options.layout.root).ok());
    timeline_.AddListener([this](const Event& e) { events_.push_back(e); });
    topology_ = std::make_unique<Topology>(scenario_, options, loop_, supervisor_, timeline_);
    ASSERT_TRUE(topology_->Prepare().ok());
  }
  std::optional<Status> StartAndWait(Millis limit = Millis(10000)) {
    std::optional<Status> result;
    topology_->Start([&](Status s) { result = s; });
    loop_.RunUntil([&] { return result.has_value(); }, limit);
    return result;
  }
  void TeardownAndWait() {
    bool done = false;
    topology_->Teardown([&] { done = true; });
    EXPECT_TRUE(loop_.RunUntil([&] { return done; }, Millis(15000)));
  }
  std::vector<Event> Of(EventType type, const std::string& service = "") {
    std::vector<Event> out;
    for (const auto& e : events_) {
      if (e.type == type && (service.empty() || JsonString(e.fields, "service") == service)) {
        out.push_back(e);
      }
    }
    return out;
  }
  // Runs the loop for `d` (services keep running meanwhile).
  void RunFor(Millis d) {
    auto end = std::chrono::steady_clock::now() + d;
    loop_.RunUntil([&] { return std::chrono::steady_clock::now() >= end; }, d);
  }

  TempDir tmp_{"topology-test"};
  const std::string dir_ = tmp_.path();
  EventLoop loop_;
  Supervisor supervisor_{loop_};
  Timeline timeline_;
  std::vector<Event> events_;
  scenario::Scenario scenario_;
  std::unique_ptr<Topology> topology_;
};

constexpr const char* kTwoServices = R"(name: t
setup_timeout: 10s
services:
  a:
    command: [sh, -c, "echo port={port} dir={dir}; sleep 0.2; touch ready; exec sleep 100"]
    healthcheck: {command: [test, -f, "{dir}/ready"], interval: 20ms}
    port: auto
  b:
    depends_on: [a]
    prepare: [sh, -c, "echo prepared > prepared.txt"]
    command: [sh, -c, "echo a={a.port}; cat prepared.txt; exec sleep 100"]
    stop_signal: SIGINT
)";

TEST_F(TopologyTest, StartsInDependencyOrderOnceHealthy) {
  Load(kTwoServices);
  auto result = StartAndWait();
  ASSERT_TRUE(result && result->ok()) << (result ? result->message() : "timeout");
  auto a_healthy = Of(EventType::kServiceHealthy, "a");
  auto b_start = Of(EventType::kServiceStart, "b");
  ASSERT_EQ(a_healthy.size(), 1u);
  ASSERT_EQ(b_start.size(), 1u);
  EXPECT_GE(b_start[0].t_us, a_healthy[0].t_us);
  int port = topology_->addresses().real_ports.at("a");
  RunFor(Millis(100));
  std::string a_log = ReadFile(topology_->LogPath("a")).value();
  EXPECT_THAT(a_log, HasSubstr(fmt::format("port={} dir={}/h/services/a", port, dir_)));
  std::string b_log = ReadFile(topology_->LogPath("b")).value();
  EXPECT_THAT(b_log, HasSubstr(fmt::format("a={}", port)));
  EXPECT_THAT(b_log, HasSubstr("prepared"));
  TeardownAndWait();
  auto exits = Of(EventType::kServiceExit);
  ASSERT_EQ(exits.size(), 2u);
  for (const auto& e : exits) {
    EXPECT_TRUE(JsonBool(e.fields, "expected", false));
    EXPECT_EQ(JsonString(e.fields, "reason"), "teardown");
  }
  // b stops with its stop_signal, a with SIGTERM.
  EXPECT_EQ(JsonString(Of(EventType::kServiceExit, "b")[0].fields, "signal"), "SIGINT");
  EXPECT_EQ(JsonString(Of(EventType::kServiceExit, "a")[0].fields, "signal"), "SIGTERM");
}

TEST_F(TopologyTest, NeverHealthyEndsWithItsNameAndLogTail) {
  Load(R"(name: t
setup_timeout: 700ms
services:
  stuck:
    command: [sh, -c, "echo listening soon, honest; exec sleep 100"]
    healthcheck: {command: ["false"], interval: 50ms}
)");
  auto result = StartAndWait();
  ASSERT_TRUE(result);
  ASSERT_FALSE(result->ok());
  EXPECT_THAT(result->message(), HasSubstr("setup did not complete within 700ms"));
  EXPECT_THAT(result->message(), HasSubstr("service 'stuck' (started, not healthy)"));
  EXPECT_THAT(result->message(), HasSubstr("| listening soon, honest"));
  TeardownAndWait();
}

TEST_F(TopologyTest, HangingHealthCheckAttemptIsCutAtItsTimeout) {
  Load(R"(name: t
setup_timeout: 5s
services:
  s:
    command: [sh, -c, "exec sleep 100"]
    healthcheck: {command: [sh, -c, "test -f {dir}/second && exit 0; touch {dir}/second; exec sleep 100"], interval: 20ms, timeout: 200ms}
)");
  auto start = std::chrono::steady_clock::now();
  auto result = StartAndWait();
  ASSERT_TRUE(result && result->ok()) << (result ? result->message() : "timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, Millis(3000));
  TeardownAndWait();
}

TEST_F(TopologyTest, FailedPrepareAndMissingProgramAreErrors) {
  Load(R"(name: t
services:
  s:
    prepare: [sh, -c, "echo cannot initialise; exit 4"]
    command: [sleep, "100"]
)");
  auto result = StartAndWait();
  ASSERT_TRUE(result);
  EXPECT_THAT(
      result->message(),
      HasSubstr(
          "service 's': prepare step 'sh -c 'echo cannot initialise; exit 4'' failed (exit 4)"));
  TeardownAndWait();
}

TEST_F(TopologyTest, ExitDuringStartupFailsTheStart) {
  Load(R"(name: t
services:
  s:
    command: [sh, -c, "exit 2"]
    port: auto
)");
  auto result = StartAndWait();
  ASSERT_TRUE(result);
  EXPECT_THAT(result->message(), HasSubstr("service 's' exited during start-up (exit 2)"));
  TeardownAndWait();
}

TEST_F(TopologyTest, KillRestartAndUnexpectedExit) {
  Load(R"(name: t
services:
  s:
    command: [sh, -c, "exec sleep 100"]
  crashy:
    command: [sh, -c, "if [ -f {dir}/started ]; then exec sleep 100; fi; touch {dir}/started; sleep 0.3; exit 9"]
    restart: on-failure
)");
  auto result = StartAndWait();
  ASSERT_TRUE(result && result->ok());
  ASSERT_TRUE(topology_->Kill("s", nullptr).ok());
  loop_.RunUntil([&] { return topology_->state("s") == Topology::State::kDown; }, Millis(5000));
  auto exit = Of(EventType::kServiceExit, "s");
  ASSERT_EQ(exit.size(), 1u);
  EXPECT_TRUE(JsonBool(exit[0].fields, "expected", false));
  EXPECT_EQ(JsonString(exit[0].fields, "signal"), "SIGKILL");
  EXPECT_EQ(JsonString(exit[0].fields, "reason"), "killed by a fault");
  EXPECT_FALSE(topology_->Kill("s", nullptr).ok());
  ASSERT_TRUE(topology_->Restart("s").ok());
  loop_.RunUntil([&] { return topology_->state("s") == Topology::State::kHealthy; }, Millis(5000));
  EXPECT_EQ(Of(EventType::kServiceStart, "s").size(), 2u);
  // crashy exits by itself: unexpected, and restarted by its policy.
  loop_.RunUntil([&] { return Of(EventType::kServiceStart, "crashy").size() == 2; }, Millis(5000));
  auto crash = Of(EventType::kServiceExit, "crashy");
  ASSERT_EQ(crash.size(), 1u);
  EXPECT_FALSE(JsonBool(crash[0].fields, "expected", true));
  EXPECT_EQ(JsonInt(crash[0].fields, "code", -1), 9);
  ASSERT_TRUE(topology_->Pause("s").ok());
  EXPECT_EQ(topology_->state("s"), Topology::State::kPaused);
  ASSERT_TRUE(topology_->Resume("s").ok());
  TeardownAndWait();
}

TEST_F(TopologyTest, ServiceRunsAsItsUserInAFolderItOwns) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  Load(R"(name: t
services:
  s:
    user: nobody
    prepare: [sh, -c, "id -un > {dir}/prepared-by"]
    command: [sh, -c, "id -un > {dir}/run-by; echo $ANTITHESIS_SDK_LOCAL_OUTPUT > {dir}/sdk; exec sleep 100"]
)");
  auto result = StartAndWait();
  ASSERT_TRUE(result && result->ok()) << result->message();
  std::string dir = topology_->addresses().dirs.at("s");
  auto deadline = std::chrono::steady_clock::now() + Millis(3000);
  while (!PathExists(dir + "/sdk") && std::chrono::steady_clock::now() < deadline) {
    loop_.RunOnce(Millis(10));  // a file appearing has no event of its own
  }
  RunFor(Millis(50));
  EXPECT_EQ(ReadFile(dir + "/prepared-by").value(), "nobody\n");
  EXPECT_EQ(ReadFile(dir + "/run-by").value(), "nobody\n");
  struct stat st {};
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, getpwnam("nobody")->pw_uid);
  std::string sdk = std::string(Trim(ReadFile(dir + "/sdk").value()));
  EXPECT_THAT(sdk, HasSubstr("/services/.faultline/s-1.sdk.jsonl"));
  ASSERT_EQ(stat(sdk.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, getpwnam("nobody")->pw_uid);
  TeardownAndWait();
}

TEST_F(TopologyTest, PortHealthWithoutCommandAndWorkloadEnv) {
  Load(R"(name: t
services:
  web:
    command: [sh, -c, "exec sleep 100"]
    port: auto
links:
  - {from: workload, to: web}
workload:
  env: {URL: "http://{web.host}:{web.port}/", REAL: "{web.real_port}"}
)");
  int port = topology_->addresses().real_ports.at("web");
  topology_->RouteLink("workload", "web", 4242);
  auto env = topology_->WorkloadEnv();
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(*env,
            (std::vector<std::string>{"URL=http://127.0.0.1:4242/", fmt::format("REAL={}", port)}));
  // Nothing listens on the port (sleep does not): never healthy.
  scenario_.setup_timeout = Millis(400);
  auto result = StartAndWait();
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->ok());
  TeardownAndWait();
}

}  // namespace
}  // namespace faultline
