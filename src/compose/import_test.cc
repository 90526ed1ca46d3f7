#include "compose/import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>

#include "base/files.h"
#include "compose/compose_test_util.h"
#include "compose/render.h"
#include "compose/render_dir.h"
#include "scenario/scenario.h"

namespace faultline::compose {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A platform config as users write it: three etcd members with fixed ports, 0.0.0.0 listeners
// and ETCD_* variables, and a client built from a context whose entrypoint signals setup.
constexpr const char* kEtcd = R"(services:
  etcd0:
    image: bitnami/etcd:3.5
    container_name: etcd0
    hostname: etcd0
    environment:
      ETCD_NAME: etcd0
      ETCD_LISTEN_CLIENT_URLS: http://0.0.0.0:2379
      ETCD_ADVERTISE_CLIENT_URLS: http://etcd0:2379
      ETCD_LISTEN_PEER_URLS: http://0.0.0.0:2380
      ETCD_INITIAL_ADVERTISE_PEER_URLS: http://etcd0:2380
      ETCD_INITIAL_CLUSTER: etcd0=http://etcd0:2380,etcd1=http://etcd1:2380,etcd2=http://etcd2:2380
      ALLOW_NONE_AUTHENTICATION: "yes"
    ports: ["2379", "2380"]
    healthcheck:
      test: ["CMD", "etcdctl", "endpoint", "health"]
      interval: 1s
      timeout: 3s
  etcd1:
    image: bitnami/etcd:3.5
    hostname: etcd1
    environment: [ETCD_NAME=etcd1, "ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379"]
    expose: [2379, 2380]
    healthcheck: {test: "etcdctl endpoint health"}
  etcd2:
    image: bitnami/etcd:3.5
    hostname: etcd2.cluster
    environment: {ETCD_NAME: etcd2, PRICE: "$$5 {x}"}
    ports: ["12379:2379/tcp"]
  client:
    build: {context: ./client}
    depends_on:
      etcd0: {condition: service_healthy}
      etcd1: {condition: service_started}
      etcd2: {condition: service_healthy}
    volumes: ["./resources:/opt/antithesis/resources:ro", "data:/var/data", "tmpfs-x"]
    entrypoint: ["/entrypoint.py"]
    cap_add: [NET_ADMIN]
)";

std::optional<std::string> ReadOptional(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return std::nullopt;
  return *text;
}

// The compose file's folder, on disk, for the tests that read build contexts and load the result
// (the loader checks that mount sources exist).
class ImportDir : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("faultline-import-test");
    ASSERT_TRUE(dir.ok()) << dir.error();
    dir_ = *dir;
    Write("client/Dockerfile",
          "FROM python:3.11-slim\n"
          "RUN pip install etcd3 \\\n    requests\n"
          "COPY entrypoint.py /entrypoint.py\n"
          "COPY [\"tests/bank/\", \"/opt/antithesis/test/v1/bank/\"]\n"
          "COPY --chown=root lib.py util.py /opt/lib/\n"
          "COPY conf /etc/client\n");
    Write("client/entrypoint.py", "print('{\"antithesis_setup\": {\"status\": \"complete\"}}')\n");
    Write("client/tests/bank/parallel_driver_transfer.sh", "#!/bin/sh\n");
    Write("client/lib.py", "");
    Write("client/util.py", "");
    Write("client/conf/client.ini", "");
    Write("resources/x", "");
  }
  void TearDown() override { (void)RemoveTree(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    std::string path = dir_ + "/" + rel;
    ASSERT_TRUE(MakeDirs(path.substr(0, path.rfind('/'))).ok());
    ASSERT_TRUE(WriteFile(path, text, 0755).ok());
  }
  ImportResult Import(const std::string& text) {
    ImportInput in{.text = text,
                   .file = "docker-compose.yaml",
                   .compose_dir = dir_,
                   .out_dir = dir_,
                   .images = {},
                   .read_file = ReadOptional,
                   .is_dir = [](const std::string& p) { return IsDirectory(p); }};
    in.images.entries.push_back({"bitnami/etcd", {"etcd"}});
    return ImportCompose(in);
  }
  std::string dir_;
};

// For inputs that read no file.
ImportResult Import(const std::string& text, ImageMap images = {}) {
  if (images.entries.empty()) images.entries.push_back({"bitnami/etcd", {"etcd"}});
  ImportInput in{.text = text,
                 .file = "docker-compose.yaml",
                 .compose_dir = "/cfg",
                 .out_dir = "/cfg",
                 .images = std::move(images)};
  return ImportCompose(in);
}

std::string TodosOf(const ImportResult& r) {
  std::string out;
  for (const auto& t : r.todos) out += t.service + ": " + t.message + "\n";
  return out;
}

TEST_F(ImportDir, EtcdClusterBecomesAnIsolatedScenario) {
  auto r = Import(kEtcd);
  ASSERT_TRUE(r.scenario_yaml) << FormatDiagnostics(r.errors);
  auto loaded = scenario::ParseScenario(*r.scenario_yaml, "scenario.yaml", dir_);
  ASSERT_TRUE(loaded.scenario) << FormatDiagnostics(loaded.errors, *r.scenario_yaml) << "\n"
                               << *r.scenario_yaml;
  const scenario::Scenario& s = *loaded.scenario;
  EXPECT_EQ(s.network, scenario::NetworkMode::kIsolated);
  EXPECT_TRUE(scenario::CheckIsolated(s).empty());
  EXPECT_EQ(s.setup_complete, scenario::SetupMode::kSdk) << "entrypoint.py signals setup";
  ASSERT_EQ(s.services.size(), 4u);
  const scenario::Service* etcd0 = s.FindService("etcd0");
  ASSERT_NE(etcd0, nullptr);
  ASSERT_EQ(etcd0->command.size(), 1u);
  EXPECT_EQ(etcd0->command[0].raw, "etcd");
  ASSERT_EQ(etcd0->ports.size(), 2u);
  EXPECT_EQ(etcd0->ports[0].fixed, 2379);
  EXPECT_EQ(etcd0->ports[1].fixed, 2380);
  EXPECT_EQ(etcd0->env[1].first, "ETCD_LISTEN_CLIENT_URLS");
  EXPECT_EQ(etcd0->env[1].second.raw, "http://0.0.0.0:2379");
  ASSERT_TRUE(etcd0->healthcheck);
  EXPECT_EQ(etcd0->healthcheck->command[0].raw, "etcdctl");
  EXPECT_EQ(etcd0->healthcheck->interval, Millis(1000));
  EXPECT_EQ(etcd0->healthcheck->timeout, Millis(3000));
  const scenario::Service* etcd1 = s.FindService("etcd1");
  EXPECT_EQ(etcd1->env[0].second.raw, "etcd1");
  EXPECT_EQ(etcd1->healthcheck->command[0].raw, "sh");
  EXPECT_EQ(etcd1->ports.size(), 2u);
  const scenario::Service* etcd2 = s.FindService("etcd2");
  EXPECT_EQ(etcd2->hostname_aliases, std::vector<std::string>{"etcd2.cluster"});
  EXPECT_EQ(etcd2->env[1].second.raw, "$5 {{x}}") << "'$$' is '$'; braces are not placeholders";
  EXPECT_EQ(etcd2->ports[0].fixed, 2379) << "the container's port, not the host's";
  const scenario::Service* client = s.FindService("client");
  EXPECT_EQ(client->command[0].raw, "/entrypoint.py");
  EXPECT_EQ(client->depends_on, (std::vector<std::string>{"etcd0", "etcd1", "etcd2"}));
}

TEST_F(ImportDir, DockerfileCopiesAreMountedAtTheSamePath) {
  auto r = Import(kEtcd);
  ASSERT_TRUE(r.scenario_yaml) << FormatDiagnostics(r.errors);
  YAML::Node doc = YAML::Load(*r.scenario_yaml);
  YAML::Node mounts = doc["services"]["client"]["mounts"];
  EXPECT_EQ(mounts["/entrypoint.py"].as<std::string>(), "client/entrypoint.py");
  EXPECT_EQ(mounts["/opt/antithesis/test/v1/bank"].as<std::string>(), "client/tests/bank");
  EXPECT_EQ(mounts["/opt/lib/lib.py"].as<std::string>(), "client/lib.py");
  EXPECT_EQ(mounts["/opt/lib/util.py"].as<std::string>(), "client/util.py");
  EXPECT_EQ(mounts["/etc/client"].as<std::string>(), "client/conf") << "a folder's contents";
  EXPECT_EQ(mounts["/opt/antithesis/resources"].as<std::string>(), "resources");
  // The templates are the workload's too, and discovery finds them through test/v1/.
  EXPECT_EQ(doc["workload"]["mounts"]["/opt/antithesis/test/v1/bank"].as<std::string>(),
            "client/tests/bank");
  ASSERT_EQ(r.template_links.size(), 1u);
  EXPECT_EQ(r.template_links[0].link, "test/v1/bank");
  EXPECT_EQ(r.template_links[0].target, "../../client/tests/bank");
}

TEST_F(ImportDir, WhatCannotBeMappedIsATodoNeverAGuess) {
  auto r = Import(std::string(kEtcd) + "  web:\n    image: nginx:1.25\n");
  ASSERT_TRUE(r.scenario_yaml) << FormatDiagnostics(r.errors);
  std::string todos = TodosOf(r);
  EXPECT_THAT(todos, HasSubstr("web: image 'nginx:1.25' has no local program in the mapping file"));
  EXPECT_THAT(todos, HasSubstr("client: key 'cap_add' is not imported"));
  EXPECT_THAT(todos, HasSubstr("client: volume 'tmpfs-x' is not a bind mount"));
  EXPECT_THAT(todos, Not(HasSubstr("data:/var/data"))) << "a named volume is imported";
  EXPECT_EQ(YAML::Load(*r.scenario_yaml)["services"]["client"]["volumes"]["data"].as<std::string>(),
            "/var/data");
  EXPECT_THAT(todos, HasSubstr("client: depends_on etcd1 has condition service_started"));
  EXPECT_THAT(*r.scenario_yaml, HasSubstr("# TODO(import): web: image 'nginx:1.25' has no local "
                                          "program in the mapping file"));
  YAML::Node web = YAML::Load(*r.scenario_yaml)["services"]["web"];
  EXPECT_THAT(web["command"][2].as<std::string>(), HasSubstr("exit 1"))
      << "an unmapped service fails loudly when run";
}

// What cannot be imported is one error each, naming the file, the line and column, and why.
TEST(ImportCompose, EachUnimportableConstructIsOneErrorAtItsPlace) {
  struct Case {
    const char* what;
    const char* compose;
    const char* error;
  };
  const Case kCases[] = {
      {"interpolation",
       "services:\n  db:\n    image: bitnami/etcd\n    environment:\n"
       "      PASSWORD: ${DB_PASSWORD}\n",
       "docker-compose.yaml:5:17: error: services.db.environment.PASSWORD: '${DB_PASSWORD}' is "
       "interpolated from the user's shell"},
      {"extends", "services:\n  db:\n    image: bitnami/etcd\n    extends: {service: x}\n",
       "docker-compose.yaml:4:14: error: service 'db' uses extends"},
      {"a name that is no host name", "services:\n  my_db:\n    image: bitnami/etcd\n",
       "service 'my_db': isolated mode makes the name a host name"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.what);
    auto r = Import(c.compose);
    EXPECT_FALSE(r.scenario_yaml);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_THAT(FormatDiagnostic(r.errors[0]), HasSubstr(c.error));
  }
}

TEST(ImportCompose, AnchorsAndAliasesAreErrorsAtEachUse) {
  auto anchors = Import(
      "x-env: &env {A: b}\nservices:\n  db:\n    image: bitnami/etcd\n"
      "    environment: *env\n");
  EXPECT_FALSE(anchors.scenario_yaml);
  ASSERT_EQ(anchors.errors.size(), 2u);
  EXPECT_EQ(anchors.errors[0].line, 1);
  EXPECT_THAT(anchors.errors[0].message, HasSubstr("YAML anchors and aliases are not imported"));
  EXPECT_EQ(anchors.errors[1].line, 5);
}

TEST(ImportCompose, BadYamlIsAnErrorWithItsPosition) {
  auto r = Import("services:\n  db: [unclosed\n");
  EXPECT_FALSE(r.scenario_yaml);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_GT(r.errors[0].line, 0);
  EXPECT_FALSE(Import("just a string\n").scenario_yaml);
}

TEST(ImportCompose, ImageMapFindsTagThenImage) {
  auto parsed = ParseImageMap(
      "bitnami/etcd: [etcd]\nbitnami/etcd:3.4: [etcd-3.4]\n"
      "localhost:5000/kv: []\n",
      "images.yaml");
  ASSERT_TRUE(parsed.errors.empty()) << FormatDiagnostics(parsed.errors);
  EXPECT_EQ(*parsed.map.Find("bitnami/etcd:3.4"), std::vector<std::string>{"etcd-3.4"});
  EXPECT_EQ(*parsed.map.Find("bitnami/etcd:3.5"), std::vector<std::string>{"etcd"});
  EXPECT_TRUE(parsed.map.Find("localhost:5000/kv:1")->empty());
  EXPECT_EQ(parsed.map.Find("localhost:5000/other"), nullptr);
  auto bad = ParseImageMap("bitnami/etcd: etcd\n", "images.yaml");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_THAT(FormatDiagnostic(bad.errors[0]),
              HasSubstr("images.yaml:1:15: error: image 'bitnami/etcd' must map to a list"));
}

TEST(ImportCompose, SplitWordsFollowsShellQuoting) {
  EXPECT_EQ(*SplitWords(R"(sh -c "echo 'a b'" x\ y '')"),
            (std::vector<std::string>{"sh", "-c", "echo 'a b'", "x y", ""}));
  EXPECT_FALSE(SplitWords("say 'unterminated"));
}

// Render a shipped scenario, import the result, and render that again: every key the platform
// reads comes back the same.
TEST(ImportCompose, RoundTripOfEachShippedScenario) {
  for (const auto& dir : ShippedScenarios()) {
    SCOPED_TRACE(dir);
    auto first = RenderDir(dir);
    ASSERT_TRUE(first.rendered) << FormatDiagnostics(first.errors, first.source);
    // A rendered command is written out in full: each image's own entrypoint is not needed.
    ImageMap images;
    for (const auto& kv : YAML::Load(first.rendered->compose)["services"]) {
      images.entries.push_back({kv.second["image"].as<std::string>(), {}});
    }
    auto imported = Import(first.rendered->compose, images);
    ASSERT_TRUE(imported.scenario_yaml) << FormatDiagnostics(imported.errors);
    EXPECT_EQ(TodosOf(imported), "");
    auto loaded = scenario::ParseScenario(*imported.scenario_yaml, "scenario.yaml", dir);
    ASSERT_TRUE(loaded.scenario) << FormatDiagnostics(loaded.errors, *imported.scenario_yaml);
    EXPECT_TRUE(scenario::CheckIsolated(*loaded.scenario).empty());
    auto second = Render(*loaded.scenario, {});
    ASSERT_TRUE(second.rendered) << FormatDiagnostics(second.errors);
    YAML::Node a = YAML::Load(first.rendered->compose)["services"];
    YAML::Node b = YAML::Load(second.rendered->compose)["services"];
    ASSERT_EQ(a.size(), b.size());
    for (const auto& kv : a) {
      std::string svc = kv.first.as<std::string>();
      SCOPED_TRACE(svc);
      for (const char* key : {"image", "platform", "container_name", "hostname", "init", "user",
                              "entrypoint", "command", "environment", "expose", "depends_on",
                              "stop_signal", "stop_grace_period", "networks"}) {
        EXPECT_EQ(YAML::Dump(kv.second[key]), YAML::Dump(b[svc][key])) << key;
      }
      for (const char* key : {"test", "interval", "timeout"}) {
        EXPECT_EQ(YAML::Dump(kv.second["healthcheck"][key]), YAML::Dump(b[svc]["healthcheck"][key]))
            << "healthcheck." << key;
      }
    }
  }
}

}  // namespace
}  // namespace faultline::compose
