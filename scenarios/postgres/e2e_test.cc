// End-to-end: the real faultline binary on scenarios/postgres, short enough for CI. One history of
// the upsert template with faults (kills of every server, connection resets, pauses, failing
// fsyncs on the primary) must hold every property, with data in every check, and leave
// indeterminate writes in the model; the unsafe variant (synchronous_commit=off, kills of the
// primary) must fail "acknowledged upserts survive on the primary", naming the lost key and
// value, the history and the replay command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>

#include "base/files.h"
#include "base/strings.h"
#include "model.h"
#include "tests/e2e_util.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

// Faults dense enough that a 20 s history sees several of each kind. While the disk fault is
// on, every fsync of the primary fails: a COMMIT in flight then ends in a PANIC (its outcome
// unknown to the client), and the transactions beside it are cut.
constexpr const char* kFaults = R"(
faults:
  interval: 1s..2s
  swarm: false
  kill: {targets: [primary, replica, subscriber], down: 0s..1s}
  pause: {targets: [primary, subscriber], duration: 200ms..1s}
  network: {links: all, kinds: [reset, latency], duration: 500ms..2s, latency: 20ms..100ms}
  disk: {targets: [primary], kinds: [fsync-eio], probability: 1, duration: 300ms..1s}
)";

class PostgresScenario : public ::testing::Test, public e2e::Harness {
 protected:
  static std::string Scenario(const std::string& sub = "") {
    return std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/postgres" + sub;
  }
  // The shipped scenario with `faults` instead of its own (or its own, changed by `edit`), and
  // only the upsert template.
  std::string WithFaults(const std::string& faults,
                         std::function<void(std::string&)> edit = nullptr) {
    std::string dir = out_dir_ + "/scenario";
    EXPECT_TRUE(MakeDirs(dir + "/test/v1").ok());
    std::string yaml = ReadFile(Scenario("/scenario.yaml")).value();
    size_t at = yaml.find("\nfaults:");
    if (edit) {
      edit(yaml);
    } else if (at != std::string::npos) {
      yaml.resize(at + 1);
    }
    EXPECT_TRUE(WriteFile(dir + "/scenario.yaml", yaml + faults).ok());
    EXPECT_EQ(symlink(Scenario("/test/v1/upsert").c_str(), (dir + "/test/v1/upsert").c_str()), 0);
    // The custom faults' scripts ({scenario.dir}/faults/).
    EXPECT_EQ(symlink(Scenario("/faults").c_str(), (dir + "/faults").c_str()), 0);
    chmod(out_dir_.c_str(), 0755);
    return dir;
  }
  static void ExpectPassed(const Json& report, const std::string& id) {
    const Json* p = Property(report, id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_EQ((*p)["status"], "passed") << id << ": " << p->dump(2);
  }
};

TEST_F(PostgresScenario, OneHistoryWithFaultsHoldsEveryPropertyWithData) {
  auto r = Faultline({"run", WithFaults(kFaults), "--seed", "11", "--duration", "20s"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  Json report = Report();
  ASSERT_EQ(report["histories"].size(), 1u);
  const Json& h = report["histories"][0];
  EXPECT_EQ(h["outcome"], "completed") << h.dump();
  for (const char* id :
       {"acknowledged upserts survive on the primary",
        "the primary was checked against acknowledged writes",
        "the primary holds only values the workload wrote", "replica converges to the primary",
        "replica convergence was checked with data", "subscriber converges to the primary",
        "subscriber convergence was checked with data", "reads on a replica never go back in time",
        "a replica read session saw a key advance", "replica reads see whole transactions",
        "the workload's model was reset since setup", "No unexpected service exits"}) {
    ExpectPassed(report, id);
  }
  std::string dir = h["dir"];
  int kills = 0, resets = 0, disks = 0;
  int64_t failed_fsyncs = 0;
  for (const Event& e : Timeline(dir)) {
    if (e.type != EventType::kFault) continue;
    std::string action = JsonString(e.fields, "action"), kind = JsonString(e.fields, "kind");
    if (action == "heal" && kind == "disk") {
      failed_fsyncs += JsonInt(JsonMember(e.fields, "effect"), "failed_calls", 0);
    }
    if (action != "begin") continue;
    kills += kind == "kill";
    disks += kind == "disk";
    resets += JsonMember(e.fields, "params").dump().find("reset") != std::string::npos;
  }
  EXPECT_GT(kills, 0);
  EXPECT_GT(resets, 0);
  EXPECT_GT(disks, 0);
  // The disk faults bit (their heal events count the fsyncs they failed), the primary's failed
  // fsyncs were PANICs, and it came back from each.
  ASSERT_GT(failed_fsyncs, 0) << disks << " disk faults met no fsync of the primary";
  EXPECT_THAT(ReadFile(dir + "/logs/primary.log").value_or(""), HasSubstr("Input/output error"));
  // Faults broke connections after COMMIT was sent: the model knows those writes may or may not
  // have happened, and the checks above allowed for both.
  std::string error;
  auto model = pgworkload::Model::Open(dir + "/workload/model.sqlite", &error);
  ASSERT_TRUE(model) << error;
  pgworkload::ModelCounts counts;
  ASSERT_TRUE(model->Counts(&counts, &error)) << error;
  EXPECT_GT(counts.ok, 100);
  // Every COMMIT sent while the disk fault is on ends in a PANIC. (Failed writes, a transaction
  // cut before its COMMIT, depend on where the other writers are at that moment: not asserted.)
  EXPECT_GT(counts.indeterminate, 0) << "ok " << counts.ok << ", failed " << counts.failed;
  // Every server started from the run's prepared copy.
  for (const char* s : {"primary", "replica", "subscriber"}) {
    EXPECT_THAT(ReadFile(dir + "/logs/" + s + ".log").value_or(""),
                HasSubstr("prepared folder copied from"))
        << s;
  }
  EXPECT_TRUE(NothingLeft()) << LeftOver();
}

// The shipped faults section, every kind on in the one history (no swarm) and decisions every
// 1-2 s: each kind is injected and healed as planned, and every property still holds.
TEST_F(PostgresScenario, TheShippedFaultsInjectEveryKindAndEveryPropertyHolds) {
  auto every_kind = [](std::string& yaml) {
    const std::string interval = "\nfaults:\n  interval: 2s..8s\n";
    size_t at = yaml.find(interval);
    ASSERT_NE(at, std::string::npos) << "the shipped faults section changed its interval";
    yaml.replace(at, interval.size(), "\nfaults:\n  interval: 1s..2s\n  swarm: false\n");
  };
  std::string dir = WithFaults("", every_kind);
  auto r = Faultline({"run", dir, "--seed", "5", "--duration", "30s"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  Json report = Report();
  for (const char* kind :
       {"kill", "stop", "pause", "throttle", "network", "clock", "disk", "restart-subscription"}) {
    ExpectPassed(report, std::string("fault ") + kind + " was injected");
  }
  for (const char* id :
       {"Faults are injected and healed as planned", "acknowledged upserts survive on the primary",
        "replica converges to the primary", "subscriber converges to the primary",
        "subscriber convergence was checked with data", "reads on a replica never go back in time",
        "No unexpected service exits"}) {
    ExpectPassed(report, id);
  }
  EXPECT_TRUE(NothingLeft()) << LeftOver();
}

TEST_F(PostgresScenario, TheUnsafeVariantLosesAcknowledgedWritesAndSaysWhich) {
  auto r = Faultline({"run", Scenario("/unsafe"), "--seed", "1", "--duration", "30s"});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  Json report = Report();
  const Json* p = Property(report, "acknowledged upserts survive on the primary");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ((*p)["status"], "failed") << p->dump(2);
  const Json& fail = (*p)["first_fail"];
  std::string key = JsonString(fail["details"], "key");
  std::string value = JsonString(fail["details"], "value");
  EXPECT_THAT(key, ::testing::MatchesRegex("k0[0-9][0-9]"));
  EXPECT_FALSE(value.empty());
  EXPECT_EQ(fail["seed"], 1);
  EXPECT_THAT(JsonString(fail, "replay"), HasSubstr("faultline run"));
  EXPECT_THAT(JsonString(fail, "replay"), HasSubstr("--seed 1"));
  // The terminal summary names them too.
  EXPECT_THAT(r.out, HasSubstr(key));
  EXPECT_THAT(r.out, HasSubstr(value));
  EXPECT_TRUE(NothingLeft()) << LeftOver();
}

}  // namespace
}  // namespace faultline
