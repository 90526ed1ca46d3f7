// Isolated mode end to end: the real faultline binary on scenarios whose services run in units
// (root only). Fixed ports in every unit with --jobs 2, host names, mounts, ANTITHESIS_STOP_FAULTS
// from inside a unit, bad input, and nothing left in the host's network configuration or mount
// table after a normal end, an error and SIGKILL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/json.h"
#include "tests/e2e_util.h"
#include "unit/unit_set.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

std::string HostNetwork() {
  // Interface names (not their counters, which other engineers' traffic moves) and routes.
  std::string out;
  for (const auto& line : Split(ReadFile("/proc/net/dev").value_or(""), '\n')) {
    size_t colon = line.find(':');
    if (colon != std::string::npos) out += std::string(Trim(line.substr(0, colon))) + "\n";
  }
  out += ReadFile("/proc/net/route").value_or("");
  // The host's nftables tables and named network namespaces (a unit's are never named, and its
  // rules live in the hub's namespace).
  for (const char* command : {"nft list tables 2>&1", "ip netns list 2>&1"}) {
    if (FILE* f = popen(command, "r")) {
      char buf[512];
      while (fgets(buf, sizeof buf, f)) out += buf;
      pclose(f);
    }
  }
  return out;
}

class Isolated : public e2e::Harness, public ::testing::Test {
 protected:
  void SetUp() override {
    if (Status s = unit::CheckIsolatedPrivileges(); !s.ok()) GTEST_SKIP() << s.message();
    network_before_ = HostNetwork();
  }
  // Nothing of the run is left within 2 s: processes, holders, interfaces, routes, mounts.
  void ExpectNothingLeft() {
    auto deadline = std::chrono::steady_clock::now() + Millis(2000);
    auto clean = [&] {
      return NothingLeft() && HostNetwork() == network_before_ &&
             ReadFile("/proc/self/mounts").value_or("").find(out_dir_) == std::string::npos &&
             Holders().empty();
    };
    while (!clean() && std::chrono::steady_clock::now() < deadline) usleep(20000);
    EXPECT_TRUE(NothingLeft()) << LeftOver();
    EXPECT_EQ(HostNetwork(), network_before_);
    EXPECT_EQ(ReadFile("/proc/self/mounts").value_or("").find(out_dir_), std::string::npos);
    EXPECT_TRUE(Holders().empty());
  }
  // Unit holders of this test's runs that are still alive.
  std::vector<int> Holders() {
    std::vector<int> alive;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(out_dir_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().filename() != "units.json") continue;
      Json doc = ParseJson(ReadFile(it->path()).value_or("{}"));
      std::vector<int> pids = {doc.value("hub", 0)};
      for (auto& [name, u] : doc["units"].items()) pids.push_back(u.value("pid", 0));
      for (int pid : pids) {
        auto stat = ReadFile(fmt::format("/proc/{}/stat", pid));
        if (pid > 0 && stat && stat->find(") Z ") == std::string::npos &&
            ReadFile(fmt::format("/proc/{}/cmdline", pid)).value_or("").find("--hold") !=
                std::string::npos) {
          alive.push_back(pid);
        }
      }
    }
    return alive;
  }
  std::string network_before_;
};

TEST_F(Isolated, FixedPortsHostNamesAndMountsWithTwoJobs) {
  auto r =
      Faultline({"run", Fixture("isolated"), "--seed", "1", "--histories", "2", "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  Json report = Report();
  EXPECT_EQ(report["summary"]["failed"], 0) << report.dump(2);
  const Json* dial = Property(report, "t/parallel_driver_dial.sh exits 0");
  ASSERT_NE(dial, nullptr) << report.dump(2);
  EXPECT_GT((*dial)["passes"].get<int>(), 0);
  EXPECT_EQ((*dial)["failures"], 0);
  ExpectNothingLeft();
}

TEST_F(Isolated, SigkillLeavesNothingBehind) {
  auto b = StartBackground({"run", Fixture("isolated"), "--seed", "1", "--duration", "60s"});
  ASSERT_TRUE(WaitForFile("driver-started", Millis(30000)));
  EXPECT_FALSE(Holders().empty());
  StopBackground(b, SIGKILL);
  ExpectNothingLeft();
}

TEST_F(Isolated, SigintEndsTheRunAndItsUnits) {
  auto b = StartBackground({"run", Fixture("isolated"), "--seed", "1", "--duration", "60s"});
  ASSERT_TRUE(WaitForFile("driver-started", Millis(30000)));
  auto end = StopBackground(b, SIGINT);
  EXPECT_EQ(end.code, 130) << end.out << end.err;
  ExpectNothingLeft();
}

TEST_F(Isolated, ExecRunsACommandInsideAUnitOfARunningHistory) {
  auto b = StartBackground({"run", Fixture("isolated"), "--seed", "1", "--duration", "60s"});
  ASSERT_TRUE(WaitForFile("driver-started", Millis(30000)));
  std::string history;
  for (const auto& run : std::filesystem::directory_iterator(out_dir_)) {
    if (!run.is_directory()) continue;
    for (const auto& h : std::filesystem::directory_iterator(run.path())) {
      if (h.path().filename().string().starts_with("h000")) history = run.path().string() + "/h000";
    }
  }
  ASSERT_FALSE(history.empty());
  std::string out = out_dir_ + "/exec.out";
  std::string command = fmt::format(
      "{}/faultline exec {} web2 -- sh -c 'hostname; getent hosts web1.cluster' > {} 2>&1",
      FAULTLINE_BIN_DIR, history, out);
  EXPECT_EQ(std::system(command.c_str()), 0) << ReadFile(out).value_or("");
  EXPECT_THAT(ReadFile(out).value_or(""), HasSubstr("web2\n198.18.1.2      web1 web1.cluster"));
  command =
      fmt::format("{}/faultline exec {} nosuch -- true 2> {}", FAULTLINE_BIN_DIR, history, out);
  EXPECT_NE(std::system(command.c_str()), 0);
  EXPECT_THAT(ReadFile(out).value_or(""), HasSubstr("has no unit 'nosuch' (its units: "));
  StopBackground(b, SIGINT);
  ExpectNothingLeft();
}

// The fault schedule acts through the hub: partitions (of every drawn shape) and packet loss
// among every pair of units, declared link or not, begin and heal with nothing failed, and the
// run leaves nothing behind.
TEST_F(Isolated, FaultScheduleCutsAndDropsAmongAnyPairOfUnits) {
  auto r = Faultline({"run", Fixture("isolated-faults"), "--seed", "3"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  Json report = Report();
  ASSERT_EQ(report["histories"].size(), 1u) << report.dump(2);
  std::map<int64_t, std::string> begun;  // id -> fault
  std::set<int64_t> healed;
  std::set<std::string> faults, undeclared;
  for (const auto& e : Timeline(report["histories"][0]["dir"])) {
    if (e.type != EventType::kFault) continue;
    std::string action = JsonString(e.fields, "action");
    int64_t id = JsonInt(e.fields, "id", -1);
    EXPECT_NE(action, "failed") << e.ToJsonLine();
    if (action == "begin") {
      EXPECT_EQ(JsonString(e.fields, "kind"), "network") << e.ToJsonLine();
      begun[id] = JsonString(e.fields["params"], "fault");
      faults.insert(begun[id]);
      for (const auto& flow : e.fields["params"]["flows"]) {
        std::string from = flow[0], to = flow[1];
        EXPECT_NE(from, "workload") << e.ToJsonLine();
        EXPECT_NE(to, "workload") << e.ToJsonLine();
        // c->a is the one declared link: every other pair exists only in isolated mode.
        if (!((from == "c" && to == "a") || (from == "a" && to == "c"))) {
          undeclared.insert(from + "->" + to);
        }
      }
    } else if (action == "heal") {
      EXPECT_TRUE(begun.count(id)) << "healed before it began: " << e.ToJsonLine();
      healed.insert(id);
    }
  }
  EXPECT_TRUE(faults.count("partition"))
      << Join(std::vector<std::string>(faults.begin(), faults.end()), ",");
  EXPECT_TRUE(faults.count("packet-loss"))
      << Join(std::vector<std::string>(faults.begin(), faults.end()), ",");
  EXPECT_FALSE(undeclared.empty());
  for (const auto& [id, fault] : begun) EXPECT_TRUE(healed.count(id)) << "never healed: " << id;
  ExpectNothingLeft();
}

// The shipped etcd scenario: three real etcd members on the same fixed ports, found by host name,
// and a driver that writes through etcd0:2379, etcd1:2379 and etcd2:2379 while partitions isolate
// one member at a time. Lined up with the partitions on the timeline, the driver's writes show
// that the isolated member commits nothing while the majority keeps committing; the finally_
// command shows the cluster whole again after the heal.
TEST_F(Isolated, EtcdMajorityCommitsWhileTheIsolatedMemberCannotAndTheClusterHeals) {
  if (access("/usr/bin/etcd", X_OK) != 0) GTEST_SKIP() << "etcd-server is not installed";
  auto r = Faultline({"run", std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/etcd", "--seed", "1"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  Json report = Report();
  for (const char* id : {"every member is healthy once faults heal",
                         "every member serves the last write after faults heal",
                         "every member holds the same keys"}) {
    const Json* p = Property(report, id);
    ASSERT_NE(p, nullptr) << id << "\n" << report.dump(2);
    EXPECT_GT((*p)["passes"].get<int>(), 0) << id;
    EXPECT_EQ((*p)["failures"], 0) << id;
  }
  std::string dir = report["histories"][0]["dir"];
  auto events = Timeline(dir);
  ASSERT_FALSE(events.empty());
  const int64_t started_ms = JsonInt(events[0].fields, "started_unix_ms", -1);
  struct Partition {
    std::string isolated;
    int64_t begin_ms = 0, heal_ms = -1;
  };
  std::map<int64_t, Partition> partitions;  // by fault id
  for (const auto& e : events) {
    if (e.type != EventType::kFault) continue;
    std::string action = JsonString(e.fields, "action");
    EXPECT_NE(action, "failed") << e.ToJsonLine();
    int64_t at_ms = started_ms + e.t_us / 1000, id = JsonInt(e.fields, "id", -1);
    if (action == "begin") {
      EXPECT_EQ(JsonString(e.fields["params"], "shape"), "isolate") << e.ToJsonLine();
      // The isolated member is the one in every flow cut.
      std::map<std::string, int> seen;
      for (const auto& flow : e.fields["params"]["flows"]) {
        seen[flow[0].get<std::string>()]++;
        seen[flow[1].get<std::string>()]++;
      }
      for (const auto& [node, n] : seen) {
        if (n == static_cast<int>(e.fields["params"]["flows"].size())) {
          partitions[id].isolated = node;
        }
      }
      EXPECT_EQ(e.fields["params"]["flows"].size(), 4u) << e.ToJsonLine();
      partitions[id].begin_ms = at_ms;
    } else if (action == "heal") {
      partitions[id].heal_ms = at_ms;
    }
  }
  ASSERT_FALSE(partitions.empty()) << "no partition began";
  struct Write {
    std::string member;
    bool ok = false;
    int64_t start_ms = 0, end_ms = 0;
  };
  std::vector<Write> writes;
  for (const auto& c : std::filesystem::directory_iterator(dir + "/commands")) {
    if (c.path().filename().string().find("singleton_driver_writes") == std::string::npos) continue;
    for (const auto& line : Split(ReadFile(c.path().string() + "/sdk.jsonl").value_or(""), '\n')) {
      Json j = ParseJson(line);
      if (!j.is_object() || !j.contains("etcd_write")) continue;
      const Json& w = j["etcd_write"];
      writes.push_back({w["member"], w["ok"], w["start_ms"], w["end_ms"]});
    }
  }
  ASSERT_FALSE(writes.empty());
  int windows_checked = 0;
  for (const auto& [id, p] : partitions) {
    ASSERT_FALSE(p.isolated.empty()) << "fault " << id;
    ASSERT_GT(p.heal_ms, p.begin_ms) << "fault " << id << " never healed";
    // Writes wholly inside the partition (after a margin for the rule to be in force): none
    // commits through the isolated member.
    int through_isolated = 0, majority_ok = 0;
    for (const auto& w : writes) {
      if (w.start_ms < p.begin_ms + 200 || w.end_ms > p.heal_ms) continue;
      if (w.member == p.isolated) {
        ++through_isolated;
        EXPECT_FALSE(w.ok) << "a write through the isolated " << w.member << " committed at "
                           << w.start_ms - started_ms << " ms";
      } else if (w.start_ms >= p.begin_ms + 2500 && w.ok) {
        // After time for a new election, should the isolated member have led.
        ++majority_ok;
      }
    }
    if (p.heal_ms - p.begin_ms < 4500) continue;  // cut short by the end of the run
    // A round of the driver takes a second or two (the isolated member's write waits for its
    // timeout) and a loaded machine stretches it: a window without a write through the isolated
    // member shows nothing about it.
    if (through_isolated == 0) continue;
    ++windows_checked;
    // At least one majority write commits in the window, not necessarily one through each
    // member (the rounds are long, above).
    EXPECT_GT(majority_ok, 0) << "fault " << id
                              << ": the majority did not keep committing (isolated " << p.isolated
                              << ")";
  }
  EXPECT_GT(windows_checked, 0);
  ExpectNothingLeft();
}

// A platform config as a team writes it by hand: three etcd members (the image's own entrypoint,
// ETCD_* variables, 0.0.0.0 listeners, fixed ports, host names, data on a bind mount) and a client
// built from a Dockerfile whose entrypoint signals setup complete and whose templates it copies
// under /opt/antithesis/test/v1/. Imported, it runs here unchanged in isolated mode; rendered
// back, every service equals the original in each key the platform reads.
std::string EtcdMember(int i) {
  std::string m = R"(  etcd@:
    image: bitnami/etcd:3.5
    container_name: etcd@
    hostname: etcd@
    environment:
      ETCD_NAME: etcd@
      ETCD_DATA_DIR: /bitnami/etcd/data
      ETCD_LISTEN_CLIENT_URLS: http://0.0.0.0:2379
      ETCD_ADVERTISE_CLIENT_URLS: http://etcd@:2379
      ETCD_LISTEN_PEER_URLS: http://0.0.0.0:2380
      ETCD_INITIAL_ADVERTISE_PEER_URLS: http://etcd@:2380
      ETCD_INITIAL_CLUSTER: etcd0=http://etcd0:2380,etcd1=http://etcd1:2380,etcd2=http://etcd2:2380
      ETCD_INITIAL_CLUSTER_STATE: new
      ETCD_INITIAL_CLUSTER_TOKEN: platform-etcd
      ALLOW_NONE_AUTHENTICATION: "yes"
    ports: ["2379", "2380"]
    volumes: ["etcd@-data:/bitnami/etcd"]
    healthcheck:
      test: ["CMD", "etcdctl", "endpoint", "health"]
      interval: 1s
      timeout: 3s
)";
  std::string out;
  for (char c : m) out += c == '@' ? std::string(1, static_cast<char>('0' + i)) : std::string(1, c);
  return out;
}

constexpr const char* kEtcdClient = R"(  client:
    image: example/etcd-client:1
    build: {context: ./client}
    container_name: client
    hostname: client
    environment: {ETCD_ENDPOINTS: "http://etcd0:2379,http://etcd1:2379,http://etcd2:2379"}
    depends_on:
      etcd0: {condition: service_healthy}
      etcd1: {condition: service_healthy}
      etcd2: {condition: service_healthy}
)";

// A YAML value as one line, whatever its style (flow or block, quoted or not).
std::string Canonical(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  std::vector<std::string> parts;
  if (n.IsSequence()) {
    for (const auto& item : n) parts.push_back(Canonical(item));
    return fmt::format("[{}]", Join(parts, ", "));
  }
  if (n.IsMap()) {
    for (const auto& kv : n) parts.push_back(kv.first.Scalar() + ": " + Canonical(kv.second));
    std::sort(parts.begin(), parts.end());
    return fmt::format("{{{}}}", Join(parts, ", "));
  }
  return "";
}

// The keys of a compose service that the platform reads, normalized where compose allows two
// spellings of one thing: `ports` and `expose` both give the container's ports (the platform
// publishes none), `depends_on` as its names and conditions, and NO_COLOR, which rendering adds
// by the platform's rules, left out.
std::map<std::string, std::string> PlatformKeys(const YAML::Node& svc) {
  std::map<std::string, std::string> out;
  for (const char* key :
       {"image", "container_name", "hostname", "entrypoint", "command", "user", "volumes"}) {
    if (svc[key]) out[key] = Canonical(svc[key]);
  }
  std::map<std::string, std::string> env;
  for (const auto& kv : svc["environment"]) {
    if (kv.first.as<std::string>() != "NO_COLOR") {
      env[kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
  }
  for (const auto& [k, v] : env) out["environment." + k] = v;
  std::set<std::string> ports;
  for (const char* key : {"ports", "expose"}) {
    for (const auto& p : svc[key]) ports.insert(p.as<std::string>());
  }
  out["ports"] = Join(std::vector<std::string>(ports.begin(), ports.end()), ",");
  for (const auto& kv : svc["depends_on"]) {
    out["depends_on." + kv.first.as<std::string>()] = kv.second["condition"].as<std::string>();
  }
  if (const YAML::Node health = svc["healthcheck"]) {
    for (const char* key : {"test", "interval", "timeout"}) {
      if (health[key]) out[std::string("healthcheck.") + key] = Canonical(health[key]);
    }
  }
  return out;
}

TEST_F(Isolated, AnImportedEtcdClusterRunsHereAndRendersBackTheSameServices) {
  if (access("/usr/bin/etcd", X_OK) != 0) GTEST_SKIP() << "etcd-server is not installed";
  std::string dir = out_dir_ + "/platform";
  auto write = [&](const std::string& rel, const std::string& text) {
    std::string path = dir + "/" + rel;
    ASSERT_TRUE(MakeDirs(path.substr(0, path.rfind('/'))).ok());
    ASSERT_TRUE(WriteFile(path, text, 0755).ok());
  };
  std::string compose = "services:\n" + EtcdMember(0) + EtcdMember(1) + EtcdMember(2) +
                        kEtcdClient +
                        "volumes:\n  etcd0-data: {}\n  etcd1-data: {}\n  etcd2-data: {}\n";
  write("docker-compose.yaml", compose);
  write("client/Dockerfile",
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends etcd-client\n"
        "COPY entrypoint.sh /entrypoint.sh\n"
        "COPY test/ /opt/antithesis/test/v1/etcd/\n"
        "ENTRYPOINT [\"/entrypoint.sh\"]\n");
  // Setup is complete once every member answers; the line is the one the official SDKs write.
  write("client/entrypoint.sh",
        "#!/bin/bash\n"
        "for ((i = 0; i < 240; i++)); do\n"
        "  etcdctl --endpoints \"$ETCD_ENDPOINTS\" --command-timeout 2s endpoint health \\\n"
        "    >/dev/null 2>&1 && break\n"
        "  sleep 0.25\n"
        "done\n"
        "echo '{\"antithesis_setup\": {\"status\": \"complete\", \"details\": null}}' \\\n"
        "  >> \"$ANTITHESIS_SDK_LOCAL_OUTPUT\"\n"
        "exec sleep infinity\n");
  write(
      "client/test/parallel_driver_put.sh",
      "#!/bin/bash\n"
      "# Writes through each member by host name on the fixed port and reads it back (a key\n"
      "# of its own: drivers run side by side, each in a PID namespace of its own, so $$ is no\n"
      "# name).\n"
      "id=$(cat /proc/sys/kernel/random/uuid)\n"
      "for ((i = 0; i < 10; i++)); do\n"
      "  for m in etcd0 etcd1 etcd2; do\n"
      "    v=\"$m-$i-$id\"\n"
      "    etcdctl --endpoints \"http://$m:2379\" --command-timeout 2s put \"k/$id/$m/$i\" \"$v\" "
      "\\\n"
      "      >/dev/null || exit 1\n"
      "    got=$(etcdctl --endpoints \"http://$m:2379\" --command-timeout 2s get \\\n"
      "      --print-value-only \"k/$id/$m/$i\") || { echo \"get through $m failed\" >&2; "
      "continue; }\n"
      "    [ \"$got\" = \"$v\" ] && ok=true || ok=false\n"
      "    faultline sdk always \"$ok\" \"a write reads back through its member\" member=$m \\\n"
      "      got=\"$got\" want=\"$v\"\n"
      "  done\n"
      "done\n");
  write("client/test/finally_members.sh",
        "#!/bin/bash\n"
        "n=$(etcdctl --endpoints http://etcd1:2379 member list | grep -c started)\n"
        "[ \"$n\" = 3 ] && ok=true || ok=false\n"
        "faultline sdk always \"$ok\" \"the cluster has three started members\" members=$n\n");

  auto imported =
      Faultline({"import-compose", dir + "/docker-compose.yaml", "-o", dir + "/scenario"});
  ASSERT_EQ(imported.code, 0) << imported.out << imported.err;
  std::string scenario_yaml = ReadFile(dir + "/scenario/scenario.yaml").value_or("");
  EXPECT_EQ(scenario_yaml.find("TODO"), std::string::npos) << scenario_yaml;

  auto run = Faultline({"run", dir + "/scenario", "--seed", "1", "--duration", "20s"});
  ASSERT_EQ(run.code, 0) << run.out << run.err << "\n" << scenario_yaml;
  Json report = Report();
  EXPECT_EQ(report["summary"]["failed"], 0) << report.dump(2);
  for (const char* id :
       {"a write reads back through its member", "the cluster has three started members"}) {
    const Json* p = Property(report, id);
    ASSERT_NE(p, nullptr) << id << "\n" << report.dump(2);
    EXPECT_GT((*p)["passes"].get<int>(), 0) << id;
    EXPECT_EQ((*p)["failures"], 0) << id;
  }
  // Each member wrote its data in its named volume, a folder of the history's own.
  std::string history = report["histories"][0]["dir"];
  for (const char* m : {"etcd0", "etcd1", "etcd2"}) {
    EXPECT_TRUE(IsDirectory(fmt::format("{}/units/volumes/{}/{}-data/data/member", history, m, m)))
        << m;
  }

  auto rendered = Faultline({"render-compose", dir + "/scenario", "-o", dir + "/rendered"});
  ASSERT_EQ(rendered.code, 0) << rendered.out << rendered.err;
  YAML::Node original = YAML::Load(compose)["services"];
  YAML::Node back = YAML::LoadFile(dir + "/rendered/docker-compose.yaml")["services"];
  EXPECT_EQ(Canonical(YAML::Load(compose)["volumes"]),
            Canonical(YAML::LoadFile(dir + "/rendered/docker-compose.yaml")["volumes"]));
  for (const auto& kv : original) {
    std::string name = kv.first.as<std::string>();
    SCOPED_TRACE(name);
    ASSERT_TRUE(back[name]) << name << " is not rendered";
    auto rendered = PlatformKeys(back[name]);
    // Rendering gives a service without a health check the platform's least one (`true`).
    if (!kv.second["healthcheck"]) {
      EXPECT_EQ(rendered["healthcheck.test"], "[CMD, true]");
      std::erase_if(rendered, [](const auto& e) { return e.first.starts_with("healthcheck."); });
    }
    EXPECT_EQ(PlatformKeys(kv.second), rendered);
  }
  ExpectNothingLeft();
}

TEST_F(Isolated, AServiceThatNeverComesUpIsAnErrorAndLeavesNothing) {
  auto r = Faultline({"run", Fixture("daemons-error"), "--seed", "1", "--network", "isolated"});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  ExpectNothingLeft();
}

TEST_F(Isolated, BadInputIsAClearErrorExitTwo) {
  auto r = Faultline({"run", Fixture("isolated-bad"), "--seed", "1"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("'Web_1' is not a valid host name"));
  EXPECT_THAT(r.err, HasSubstr("(lowercase letters, digits and '-', as in 'web-1')"));
  EXPECT_THAT(r.err, HasSubstr("ports 'client' and 'peer' of service 'Web_1' are both 2379"));
  EXPECT_THAT(r.err, HasSubstr("mount source 'no-such-folder' does not exist"));
  // The same names pass in loopback mode, where no host name is needed.
  r = Faultline({"run", Fixture("long"), "--network", "isolated", "--template", "nope"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
}

TEST_F(Isolated, WithoutRootItSaysWhatIsMissingAndThatLoopbackExists) {
  // faultline as nobody, through setpriv, in a folder nobody may write, on a copy of the fixture
  // that nobody may read (the source tree may be in a folder only root can enter).
  chmod(out_dir_.c_str(), 0777);
  std::string fixture = out_dir_ + "/fixture";
  std::filesystem::copy(Fixture("isolated"), fixture, std::filesystem::copy_options::recursive);
  ASSERT_EQ(std::system(fmt::format("chmod -R a+rX {}", fixture).c_str()), 0);
  std::string err = out_dir_ + "/nobody.err";
  std::string command = fmt::format(
      "/usr/bin/setpriv --reuid=nobody --regid=nogroup --clear-groups {}/faultline run {} --seed 1 "
      "--out {} 2>{} >/dev/null",
      FAULTLINE_BIN_DIR, fixture, out_dir_, err);
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  std::string text = ReadFile(err).value_or("");
  EXPECT_THAT(text, HasSubstr("isolated mode needs root"));
  EXPECT_THAT(text, HasSubstr("use loopback mode (network: loopback, or --network loopback)"));
}

}  // namespace
}  // namespace faultline
