#include "compose/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "base/files.h"
#include "base/temp_dir.h"
#include "compose/compose_test_util.h"
#include "scenario/scenario.h"

namespace faultline::compose {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kTwoServices = R"(name: shop
services:
  db:
    command: [dbserver, --port, "{port}", --data, "{dir}/data"]
    port: 5432
    env: {DB_MODE: "cost $5"}
    healthcheck: {command: [dbping, -p, "{port}"], interval: 500ms}
    stop_signal: SIGINT
    stop_grace: 3s
    compose: {image: "shop/db:1.2"}
  app-server:
    depends_on: [db]
    command: [app, --listen, "0.0.0.0:{port}", --db, "{db.host}:{db.port}"]
    port: auto
    compose: {image: "shop/app:1.2", env: {EXTRA: "yes"}}
links:
  - {from: app-server, to: db}
  - {from: workload, to: app-server}
workload:
  env:
    APP: "http://{app-server.host}:{app-server.port}"
    STATE: "{history.dir}/workload"
  compose: {image: "shop-workload:7"}
faults:
  interval: 1s..2s
  kill: {targets: [db], down: 1s}
)";

scenario::Scenario Load(const std::string& text) {
  auto r = scenario::ParseScenario(text, "scenario.yaml", "/scn");
  EXPECT_TRUE(r.scenario.has_value()) << FormatDiagnostics(r.errors, text);
  return r.scenario ? *r.scenario : scenario::Scenario{};
}

Rendered RenderOk(const std::string& text, const std::vector<TemplateSource>& templates = {}) {
  auto r = Render(Load(text), templates);
  EXPECT_TRUE(r.rendered.has_value()) << FormatDiagnostics(r.errors, text);
  return r.rendered.value_or(Rendered{});
}

// Loads `text` as scenario.yaml in `dir` and renders it, errors and all.
RenderResult RenderText(const std::string& text, const std::string& dir = "/x") {
  auto loaded = scenario::ParseScenario(text, "scenario.yaml", dir);
  EXPECT_TRUE(loaded.scenario) << FormatDiagnostics(loaded.errors, text);
  return Render(loaded.scenario.value_or(scenario::Scenario{}), {});
}

std::string ErrorsOf(const std::string& text) {
  auto r = Render(Load(text), {});
  EXPECT_FALSE(r.rendered.has_value());
  return FormatDiagnostics(r.errors);
}

TEST(RenderCompose, EveryServiceFollowsThePlatformRules) {
  YAML::Node doc = YAML::Load(RenderOk(kTwoServices).compose);
  YAML::Node services = doc["services"];
  ASSERT_EQ(services.size(), 3u);  // db, app-server, workload
  for (const auto& kv : services) {
    std::string name = kv.first.as<std::string>();
    YAML::Node svc = kv.second;
    SCOPED_TRACE(name);
    EXPECT_EQ(svc["platform"].as<std::string>(), "linux/amd64");
    EXPECT_EQ(svc["container_name"].as<std::string>(), name);
    EXPECT_EQ(svc["hostname"].as<std::string>(), name);
    EXPECT_TRUE(svc["init"].as<bool>());
    EXPECT_EQ(svc["environment"]["NO_COLOR"].as<std::string>(), "1");
    EXPECT_FALSE(svc["logging"].IsDefined());
    EXPECT_FALSE(svc["pull_policy"].IsDefined());
    EXPECT_EQ(svc["healthcheck"]["test"][0].as<std::string>(), "CMD");
  }
  EXPECT_FALSE(doc["networks"].IsDefined());
  EXPECT_EQ(services["db"]["image"].as<std::string>(), "shop/db:1.2");
  EXPECT_EQ(services["app-server"]["image"].as<std::string>(), "shop/app:1.2");
}

TEST(RenderCompose, PlaceholdersResolveForAComposeNetwork) {
  YAML::Node services = YAML::Load(RenderOk(kTwoServices).compose)["services"];
  // Service names as hosts and real ports: the proxy port of the app-server -> db link is gone.
  EXPECT_EQ(services["app-server"]["command"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"app", "--listen", "0.0.0.0:7000", "--db", "db:5432"}));
  EXPECT_EQ(services["db"]["command"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"dbserver", "--port", "5432", "--data",
                                      "/var/lib/faultline/db/data"}));
  EXPECT_EQ(services["workload"]["environment"]["APP"].as<std::string>(), "http://app-server:7000");
  EXPECT_EQ(services["workload"]["environment"]["STATE"].as<std::string>(),
            "/var/lib/faultline/workload");
  EXPECT_EQ(services["app-server"]["environment"]["EXTRA"].as<std::string>(), "yes");
  EXPECT_EQ(services["db"]["expose"][0].as<std::string>(), "5432");
  EXPECT_EQ(services["db"]["stop_signal"].as<std::string>(), "SIGINT");
  EXPECT_EQ(services["db"]["stop_grace_period"].as<std::string>(), "3s");
}

TEST(RenderCompose, NothingIsLeftForTheShellToInterpolate) {
  std::string text = RenderOk(kTwoServices).compose;
  YAML::Node services = YAML::Load(text)["services"];
  // docker-compose reads "$$" as a literal '$'.
  EXPECT_EQ(services["db"]["environment"]["DB_MODE"].as<std::string>(), "cost $$5");
  EXPECT_EQ(text.find("${"), std::string::npos);
}

TEST(RenderCompose, HealthChecksAndDependenciesGateStartUp) {
  YAML::Node services = YAML::Load(RenderOk(kTwoServices).compose)["services"];
  EXPECT_EQ(services["db"]["healthcheck"]["test"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"CMD", "dbping", "-p", "5432"}));
  EXPECT_EQ(services["db"]["healthcheck"]["interval"].as<std::string>(), "500ms");
  // No check in scenario.yaml: faultline waits for the port, and so does the container.
  EXPECT_EQ(services["app-server"]["healthcheck"]["test"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/7000"}));
  EXPECT_EQ(services["app-server"]["depends_on"]["db"]["condition"].as<std::string>(),
            "service_healthy");
  for (const char* dep : {"db", "app-server"}) {
    EXPECT_EQ(services["workload"]["depends_on"][dep]["condition"].as<std::string>(),
              "service_healthy");
  }
}

TEST(RenderCompose, TheWorkloadHoldsTheTemplatesAndStaysAlive) {
  Rendered r = RenderOk(kTwoServices, {{"orders", "test/v1/orders"}, {"stock", "more/stock"}});
  YAML::Node workload = YAML::Load(r.compose)["services"]["workload"];
  EXPECT_EQ(workload["image"].as<std::string>(), "shop-workload:7");
  EXPECT_EQ(workload["command"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"sleep", "infinity"}));
  EXPECT_THAT(r.dockerfile, HasSubstr("FROM debian:bookworm-slim\n"));
  EXPECT_THAT(r.dockerfile, HasSubstr("COPY [\"bin/\", \"/usr/local/bin/\"]\n"));
  EXPECT_THAT(r.dockerfile,
              HasSubstr("COPY [\"test/v1/orders/\", \"/opt/antithesis/test/v1/orders/\"]\n"));
  EXPECT_THAT(r.dockerfile,
              HasSubstr("COPY [\"more/stock/\", \"/opt/antithesis/test/v1/stock/\"]\n"));
  EXPECT_THAT(r.dockerfile, HasSubstr("docker build -f Dockerfile.workload -t shop-workload:7 ."));
}

TEST(RenderCompose, PlatformFaultSettingsAreLeftOutWithAComment) {
  std::string text = RenderOk(kTwoServices).compose;
  EXPECT_THAT(text, HasSubstr("# Left out, because the platform configures its own faults: "
                              "faults.interval, faults.kill, links (faultline's fault proxy)."));
  EXPECT_FALSE(YAML::Load(text)["faults"].IsDefined());
}

TEST(RenderCompose, DockerComposeAcceptsTheFile) {
  TempDir dir("faultline-compose-test");
  Rendered r = RenderOk(kTwoServices, {{"orders", "test/v1/orders"}});
  auto check = DockerComposeConfig(r.compose, dir.path());
  EXPECT_TRUE(check.ok()) << check.message();
}

TEST(RenderCompose, AServiceWithoutAnImageIsAnErrorNamingIt) {
  std::string errors = ErrorsOf(R"(name: x
services:
  db:
    command: [db]
)");
  EXPECT_THAT(errors, HasSubstr("scenario.yaml:4:5: error: service 'db' has no compose.image"));
}

TEST(RenderCompose, AnUnderscoreInANameIsAnError) {
  std::string errors = ErrorsOf(R"(name: x
services:
  my_db:
    command: [db]
    compose: {image: db}
)");
  EXPECT_THAT(errors, HasSubstr("service 'my_db': the name is its host name and container name"));
}

TEST(RenderCompose, APlaceholderWithNoComposeMeaningIsAnError) {
  std::string errors = ErrorsOf(R"(name: x
services:
  db:
    command: [db, --seed, "{history.seed}"]
    compose: {image: db}
)");
  EXPECT_THAT(errors, HasSubstr("scenario.yaml:4:27: error: service 'db' command: {history.seed} "
                                "cannot be resolved for compose"));
}

TEST(RenderCompose, PrepareStepsNeedAComposeCommand) {
  std::string errors = ErrorsOf(R"(name: x
services:
  db:
    prepare: [initdb, "{dir}"]
    command: [db, "{dir}"]
    compose: {image: db, colour: blue}
)");
  EXPECT_THAT(errors, HasSubstr("service 'db' has prepare steps, which the platform does not run"));
  EXPECT_THAT(errors, HasSubstr("service 'db': unknown key compose.colour"));
}

TEST(RenderCompose, MountsGoIntoTheWorkloadImageOrAreAnError) {
  const char* text = R"(name: x
network: isolated
services:
  db:
    command: [db]
    compose: {image: "x-workload:latest"}
    mounts: {/etc/db.conf: conf/db.conf}
  other:
    command: [other]
    compose: {image: other}
    mounts: {/etc/other.conf: conf/other.conf}
)";
  TempDir dir("faultline-compose-mounts");
  ASSERT_TRUE(MakeDirs(dir.path() + "/conf").ok());
  ASSERT_TRUE(WriteFile(dir.path() + "/conf/db.conf", "").ok());
  ASSERT_TRUE(WriteFile(dir.path() + "/conf/other.conf", "").ok());
  auto r = RenderText(text, dir.path());
  ASSERT_EQ(r.errors.size(), 1u) << FormatDiagnostics(r.errors);
  EXPECT_THAT(r.errors[0].message, HasSubstr("service 'other': mounts /etc/other.conf, but the "
                                             "platform binds no host files"));
  std::string ok_text = text;
  ok_text.resize(ok_text.find("  other:"));
  auto ok = RenderText(ok_text, dir.path());
  ASSERT_TRUE(ok.rendered) << FormatDiagnostics(ok.errors);
  EXPECT_THAT(ok.rendered->dockerfile, HasSubstr("COPY [\"conf/db.conf\", \"/etc/db.conf\"]\n"));
}

TEST(RenderCompose, WorkloadPackagesGoIntoTheWorkloadImage) {
  auto render = [](const std::string& packages) {
    return RenderText(
        "name: x\nservices:\n  db: {command: [db], compose: {image: db}}\n"
        "workload:\n  compose: {packages: " +
        packages + "}\n");
  };
  auto ok = render("[etcd-client, postgresql-client-15]");
  ASSERT_TRUE(ok.rendered) << FormatDiagnostics(ok.errors);
  EXPECT_THAT(ok.rendered->dockerfile,
              HasSubstr("libnftables1 etcd-client postgresql-client-15 \\\n"));
  for (const char* bad : {"etcd-client", "[Etcd]", "[\"a; rm -rf /\"]", "[[etcd]]"}) {
    auto r = render(bad);
    ASSERT_EQ(r.errors.size(), 1u) << bad;
    EXPECT_THAT(r.errors[0].message, HasSubstr("compose.packages must be a list of Debian package"))
        << bad;
  }
}

TEST(RenderCompose, ComposePortChoosesAnAutoPort) {
  auto render = [](const std::string& port) {
    return RenderText(
        "name: x\nservices:\n  db:\n    command: [db, -p, \"{port}\"]\n"
        "    port: auto\n    compose: {image: db, port: " +
        port + "}\n");
  };
  auto ok = render("5432");
  ASSERT_TRUE(ok.rendered) << FormatDiagnostics(ok.errors);
  EXPECT_THAT(ok.rendered->compose, HasSubstr(R"(command: ["db", "-p", "5432"])"));
  for (const char* bad : {"0", "65536", "http", "[1]"}) {
    auto r = render(bad);
    ASSERT_EQ(r.errors.size(), 1u) << bad;
    EXPECT_THAT(r.errors[0].message, HasSubstr("compose.port must be a port number")) << bad;
  }
}

TEST(RenderCompose, EscapeDollarsDoublesEach) {
  EXPECT_EQ(EscapeDollars("a$b$$c"), "a$$b$$$$c");
  EXPECT_EQ(EscapeDollars("plain"), "plain");
}

}  // namespace
}  // namespace faultline::compose
