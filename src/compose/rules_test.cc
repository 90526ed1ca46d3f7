#include "compose/rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "base/temp_dir.h"
#include "compose/compose_test_util.h"
#include "compose/render_dir.h"

namespace faultline::compose {
namespace {

using ::testing::HasSubstr;

std::string Findings(const std::string& text) {
  std::string out;
  for (const auto& d : CheckPlatformRules(text, "docker-compose.yaml")) out += FormatWarning(d);
  return out;
}

constexpr const char* kGood = R"(services:
  db:
    image: db:1
    platform: linux/amd64
    container_name: db
    hostname: db
    init: true
    command: [db, --listen, 0.0.0.0]
    environment: {NO_COLOR: "1", PRICE: "$$5"}
    healthcheck: {test: [CMD, dbping, -h, 127.0.0.1]}
)";

TEST(PlatformRules, AFileThatFollowsEveryRuleHasNoFinding) { EXPECT_EQ(Findings(kGood), ""); }

TEST(PlatformRules, EachBrokenRuleIsAWarningNamingTheServiceAndKey) {
  std::string f = Findings(R"(networks:
  back: {internal: true}
services:
  my_db:
    build: .
    platform: linux/arm64
    container_name: mydb
    hostname: db
    logging: {driver: none}
    pull_policy: always
    environment: {PASSWORD: "${PW}", HOST: 127.0.0.1}
    depends_on: [other]
  other:
    image: x
    platform: linux/amd64
    container_name: other
    hostname: other
    init: true
    environment: [NO_COLOR=1]
    healthcheck: {test: [CMD, "true"]}
    depends_on: {my_db: {condition: service_started}}
)");
  for (const char* expected : {
           "docker-compose.yaml:2:20: warning: network 'back': the platform rejects internal "
           "networks",
           "service 'my_db': the platform needs names that are host names",
           "service 'my_db' has no image",
           ":6:15: warning: service 'my_db': platform must be linux/amd64",
           "service 'my_db': hostname and container_name must both be given and equal",
           "service 'my_db': init must be true",
           "service 'my_db': environment should set NO_COLOR=1",
           ":9:14: warning: service 'my_db': the platform rejects 'logging'",
           "service 'my_db': the platform rejects 'pull_policy'",
           "service 'my_db': the platform rejects 'build'",
           "service 'my_db' has no healthcheck.test",
           "service 'my_db': depends_on as a list starts it before",
           ":11:29: warning: services.my_db.environment.PASSWORD: '${PW}' takes a value from the "
           "shell",
           "service 'my_db' environment HOST names '127.0.0.1'",
           "service 'other': depends_on my_db should have condition: service_healthy",
       }) {
    EXPECT_THAT(f, HasSubstr(expected));
  }
}

TEST(PlatformRules, NotACompseFileIsOneFinding) {
  EXPECT_THAT(Findings("services: [a"), HasSubstr("not valid YAML"));
  EXPECT_THAT(Findings("- a\n"), HasSubstr("a compose file is a map with a 'services' map"));
}

// What `faultline validate` prints: a shipped scenario's committed file breaks no rule.
TEST(PlatformRules, ShippedScenariosRenderWithoutFindings) {
  for (const auto& dir : ShippedScenarios()) {
    SCOPED_TRACE(dir);
    std::string out;
    for (const auto& d : CheckRenderedFile(dir)) out += FormatWarning(d);
    EXPECT_EQ(out, "");
  }
}

TEST(PlatformRules, ValidateWarnsAboutAMissingOrStaleFile) {
  TempDir dir("faultline-rules-test");
  ASSERT_TRUE(WriteFile(dir.path() + "/scenario.yaml",
                        "name: t\nservices:\n  db:\n    command: [db]\n"
                        "    compose: {image: \"db:1\"}\n")
                  .ok());
  ASSERT_TRUE(MakeDirs(dir.path() + "/test/v1/a").ok());
  ASSERT_TRUE(WriteFile(dir.path() + "/test/v1/a/parallel_driver_a", "#!/bin/sh\n", 0755).ok());
  std::string missing;
  for (const auto& d : CheckRenderedFile(dir.path())) missing += FormatWarning(d);
  EXPECT_THAT(missing, HasSubstr("no docker-compose.yaml for the platform"));
  ASSERT_TRUE(WriteFile(dir.path() + "/docker-compose.yaml", kGood).ok());
  std::string stale;
  for (const auto& d : CheckRenderedFile(dir.path())) stale += FormatWarning(d);
  EXPECT_THAT(stale, HasSubstr("out of date with scenario.yaml"));
}

}  // namespace
}  // namespace faultline::compose
