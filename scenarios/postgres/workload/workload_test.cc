// faultline-pg-workload against real PostgreSQL servers: a primary (wal_level=logical) and a
// subscriber, with the primary standing in for the streaming replica. The binary runs as the test
// commands run it (environment in, exit code, stdout/stderr and SDK lines out). Covers the whole
// flow, a loss the check must name, and bad input: a server down at start, a table dropped under
// the workload, a model reset since setup. None of those may pass a "converges" property.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/files.h"
#include "base/strings.h"
#include "model.h"
#include "testing/postgres_server.h"
#include "timeline/event.h"

extern char** environ;

namespace pgworkload {
namespace {

using faultline::Json;
using ::testing::HasSubstr;

struct Invocation {
  int code = -1;
  std::string out;
  std::string err;
  std::vector<Json> asserts;  // the antithesis_assert bodies the run wrote

  // Evaluations of the property `message` whose condition was `condition` (hit lines only).
  int Count(const std::string& message, bool condition) const {
    int n = 0;
    for (const Json& a : asserts) {
      if (a.value("message", "") == message && a.value("hit", false) &&
          a.value("condition", !condition) == condition) {
        ++n;
      }
    }
    return n;
  }
  const Json* First(const std::string& message, bool condition) const {
    for (const Json& a : asserts) {
      if (a.value("message", "") == message && a.value("hit", false) &&
          a.value("condition", !condition) == condition) {
        return &a;
      }
    }
    return nullptr;
  }
  std::string Describe() const {
    return fmt::format("exit {}\n--- stdout\n{}--- stderr\n{}", code, out, err);
  }
};

// A port nothing listens on: bound, then closed.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class WorkloadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    faultline::testing::PostgresOptions primary;
    primary.settings = {"fsync=off", "wal_level=logical"};
    auto p = faultline::testing::PostgresServer::Start(primary);
    ASSERT_TRUE(p.ok()) << p.error();
    primary_ = p->release();
    auto s = faultline::testing::PostgresServer::Start();
    ASSERT_TRUE(s.ok()) << s.error();
    subscriber_ = s->release();
  }
  static void TearDownTestSuite() {
    delete subscriber_;
    delete primary_;
  }

  void SetUp() override {
    ASSERT_NE(primary_, nullptr);
    dir_ = faultline::MakeTempDir("pg-workload-test").value();
    env_ = {{"PGHOST", "127.0.0.1"},
            {"PRIMARY_PORT", std::to_string(primary_->port())},
            {"REPLICA_PORT", std::to_string(primary_->port())},
            {"SUBSCRIBER_PORT", std::to_string(subscriber_->port())},
            {"PRIMARY_PORT_FOR_SUBSCRIBER", std::to_string(primary_->port())},
            {"MODEL", dir_ + "/workload/model.sqlite"},
            {"WORKLOAD_DRIVER_SECONDS", "2"},
            {"WORKLOAD_REACH_SECONDS", "3"},
            {"WORKLOAD_CHECK_SECONDS", "20"}};
  }
  void TearDown() override { (void)faultline::RemoveTree(dir_); }

  struct Started {
    pid_t pid = -1;
    std::string out, err, sdk;
  };
  Invocation Workload(const std::string& mode) { return Wait(Start(mode)); }

  Started Start(const std::string& mode) {
    int n = runs_++;
    std::string out = fmt::format("{}/{}-{}.out", dir_, n, mode);
    std::string err = fmt::format("{}/{}-{}.err", dir_, n, mode);
    std::string sdk = fmt::format("{}/{}-{}.sdk.jsonl", dir_, n, mode);
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
      std::string entry = *e;
      if (!entry.starts_with("ANTITHESIS_") && !entry.starts_with("FAULTLINE_")) {
        env.push_back(entry);
      }
    }
    for (const auto& [k, v] : env_) env.push_back(k + "=" + v);
    env.push_back("ANTITHESIS_SDK_LOCAL_OUTPUT=" + sdk);
    env.push_back(fmt::format("FAULTLINE_SEED={}", 1000 + n));
    std::string binary = std::string(FAULTLINE_BIN_DIR) + "/faultline-pg-workload";
    std::vector<char*> argv = {binary.data(), const_cast<char*>(mode.c_str()), nullptr};
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    Started started{-1, out, err, sdk};
    EXPECT_EQ(
        posix_spawn(&started.pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    return started;
  }

  Invocation Wait(const Started& started) {
    const std::string &out = started.out, &err = started.err, &sdk = started.sdk;
    Invocation r;
    int status = 0;
    waitpid(started.pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = faultline::ReadFile(out).value_or("");
    r.err = faultline::ReadFile(err).value_or("");
    for (const auto& line : faultline::Split(faultline::ReadFile(sdk).value_or(""), '\n')) {
      Json j = Json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("antithesis_assert"))
        r.asserts.push_back(j["antithesis_assert"]);
    }
    return r;
  }

  static void Sql(const faultline::testing::PostgresServer& s, const std::string& sql) {
    PGconn* c = PQconnectdb(s.Url().c_str());
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        << sql << ": " << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }

  static faultline::testing::PostgresServer* primary_;
  static faultline::testing::PostgresServer* subscriber_;
  std::string dir_;
  std::map<std::string, std::string> env_;
  int runs_ = 0;
};

faultline::testing::PostgresServer* WorkloadTest::primary_ = nullptr;
faultline::testing::PostgresServer* WorkloadTest::subscriber_ = nullptr;

TEST_F(WorkloadTest, SetupWritesReadsAndChecksPassWithData) {
  Invocation setup = Workload("setup");
  ASSERT_EQ(setup.code, 0) << setup.Describe();
  Invocation write = Workload("write");
  ASSERT_EQ(write.code, 0) << write.Describe();
  EXPECT_THAT(write.out, HasSubstr("acknowledged"));
  EXPECT_GT(write.Count("a write was acknowledged by the primary", true), 0);
  Invocation read = Workload("read");
  ASSERT_EQ(read.code, 0) << read.Describe();
  EXPECT_EQ(read.Count("reads on a replica never go back in time", false), 0);
  EXPECT_GT(read.Count("reads on a replica never go back in time", true), 0);
  // No write ran beside this read: its sessions had nothing to see move, and say nothing of it.
  EXPECT_EQ(read.Count("a replica read session saw a key advance", true), 0) << read.Describe();
  EXPECT_EQ(read.Count("a replica read session saw a key advance", false), 0) << read.Describe();
  Invocation anytime = Workload("anytime");
  ASSERT_EQ(anytime.code, 0) << anytime.Describe();
  EXPECT_GT(anytime.Count("acknowledged upserts survive on the primary", true), 0);
  EXPECT_GT(anytime.Count("the primary was checked against acknowledged writes", true), 0);
  EXPECT_GT(anytime.Count("the subscription streams from the primary", true), 0);
  EXPECT_GT(anytime.Count("reads work on the subscriber", true), 0);
  for (const char* mode : {"eventually", "finally"}) {
    Invocation check = Workload(mode);
    ASSERT_EQ(check.code, 0) << mode << ": " << check.Describe();
    for (const char* p :
         {"acknowledged upserts survive on the primary",
          "the primary holds only values the workload wrote", "replica converges to the primary",
          "subscriber converges to the primary", "subscriber convergence was checked with data"}) {
      EXPECT_EQ(check.Count(p, true), 1) << mode << ": " << p << "\n" << check.Describe();
      EXPECT_EQ(check.Count(p, false), 0) << mode << ": " << p << "\n" << check.Describe();
    }
  }
  std::string error;
  auto model = Model::Open(env_["MODEL"], &error);
  ASSERT_TRUE(model) << error;
  ModelCounts counts;
  ASSERT_TRUE(model->Counts(&counts, &error)) << error;
  EXPECT_GT(counts.ok, 0);
}

TEST_F(WorkloadTest, ConcurrentWritersKeepEveryKeyExplained) {
  // Writers racing on the same keys: every upsert and delete must leave the row its version
  // says (a delete that missed a row inserted concurrently once left stale rows behind).
  ASSERT_EQ(Workload("setup").code, 0);
  env_["WORKLOAD_DRIVER_SECONDS"] = "4";
  std::vector<Started> writers;
  for (int i = 0; i < 3; ++i) writers.push_back(Start("write"));
  Started reader = Start("read");
  for (const auto& w : writers) {
    Invocation r = Wait(w);
    EXPECT_EQ(r.code, 0) << r.Describe();
  }
  Invocation read = Wait(reader);
  EXPECT_EQ(read.code, 0) << read.Describe();
  EXPECT_EQ(read.Count("replica reads see whole transactions", false), 0) << read.Describe();
  // Writers ran beside it: the read sessions saw keys move.
  EXPECT_GT(read.Count("a replica read session saw a key advance", true), 0) << read.Describe();
  Invocation check = Workload("finally");
  ASSERT_EQ(check.code, 0) << check.Describe();
  for (const char* p : {"acknowledged upserts survive on the primary",
                        "the primary holds only values the workload wrote"}) {
    EXPECT_EQ(check.Count(p, false), 0) << p << "\n" << check.Describe();
    EXPECT_EQ(check.Count(p, true), 1) << p << "\n" << check.Describe();
  }
}

TEST_F(WorkloadTest, ALostAcknowledgedWriteIsNamedWithItsKeyAndValue) {
  ASSERT_EQ(Workload("setup").code, 0);
  ASSERT_EQ(Workload("write").code, 0);
  // Undo the last write of one key behind the workload's back, as a lost commit would.
  Sql(*primary_,
      "WITH last AS (SELECT k FROM key_versions WHERE version > 1 ORDER BY k LIMIT 1) "
      "UPDATE key_versions SET version = version - 1 WHERE k IN (SELECT k FROM last)");
  Invocation check = Workload("finally");
  EXPECT_EQ(check.code, 0) << check.Describe();
  const Json* lost = check.First("acknowledged upserts survive on the primary", false);
  ASSERT_NE(lost, nullptr) << check.Describe();
  const Json& d = (*lost)["details"];
  EXPECT_THAT(d.value("key", ""), testing::StartsWith("k0"));
  EXPECT_FALSE(d.value("value", "").empty());
  EXPECT_THAT(d.value("why", ""), HasSubstr("below this acknowledged write's version"));
  EXPECT_THAT(check.out, HasSubstr("LOST: key " + d.value("key", "")));
}

TEST_F(WorkloadTest, AServerDownAtStartFailsClearlyAndNeverConverges) {
  ASSERT_EQ(Workload("setup").code, 0);
  int closed = ClosedPort();
  env_["REPLICA_PORT"] = std::to_string(closed);
  env_["WORKLOAD_CHECK_SECONDS"] = "4";
  Invocation check = Workload("eventually");
  EXPECT_EQ(check.code, 1) << check.Describe();
  EXPECT_THAT(check.err + check.out, HasSubstr(fmt::format("replica (127.0.0.1:{})", closed)));
  EXPECT_EQ(check.Count("replica converges to the primary", true), 0) << check.Describe();
  EXPECT_EQ(check.Count("replica converges to the primary", false), 1) << check.Describe();

  env_["PRIMARY_PORT"] = std::to_string(closed);
  Invocation write = Workload("write");
  EXPECT_EQ(write.code, 1) << write.Describe();
  EXPECT_THAT(write.err, HasSubstr(fmt::format("primary (127.0.0.1:{})", closed)));
  Invocation finally = Workload("finally");
  EXPECT_EQ(finally.code, 1) << finally.Describe();
  EXPECT_EQ(finally.Count("replica converges to the primary", true), 0);
  EXPECT_EQ(finally.Count("subscriber converges to the primary", true), 0);
}

TEST_F(WorkloadTest, ATableDroppedUnderTheWorkloadFailsEveryCommand) {
  ASSERT_EQ(Workload("setup").code, 0);
  ASSERT_EQ(Workload("write").code, 0);
  Sql(*primary_, "DROP TABLE kv");
  Invocation write = Workload("write");
  EXPECT_EQ(write.code, 1) << write.Describe();
  EXPECT_THAT(write.err, HasSubstr("relation \"kv\" does not exist"));
  Invocation read = Workload("read");  // the "replica" is the primary here
  EXPECT_EQ(read.code, 1) << read.Describe();
  EXPECT_THAT(read.err, HasSubstr("kv"));
  for (const char* mode : {"anytime", "finally"}) {
    Invocation check = Workload(mode);
    EXPECT_EQ(check.code, 1) << mode << ": " << check.Describe();
    EXPECT_THAT(check.err, HasSubstr("relation \"kv\" does not exist")) << mode;
    EXPECT_EQ(check.Count("replica converges to the primary", true), 0) << mode;
    EXPECT_EQ(check.Count("subscriber converges to the primary", true), 0) << mode;
  }
}

TEST_F(WorkloadTest, AModelResetSinceSetupIsUnreachable) {
  ASSERT_EQ(Workload("setup").code, 0);
  std::string error;
  ASSERT_TRUE(Model::Create(env_["MODEL"], "not-the-setup-token", &error)) << error;
  Invocation anytime = Workload("anytime");
  EXPECT_EQ(anytime.code, 1) << anytime.Describe();
  EXPECT_THAT(anytime.err, HasSubstr("reset since setup"));
  EXPECT_EQ(anytime.Count("the workload's model was reset since setup", false), 1);
  ASSERT_EQ(unlink(env_["MODEL"].c_str()), 0);
  Invocation write = Workload("write");
  EXPECT_EQ(write.code, 1) << write.Describe();
  EXPECT_EQ(write.Count("the workload's model was reset since setup", false), 1);
}

TEST_F(WorkloadTest, CommandsBeforeSetupSayWhatIsMissing) {
  Sql(*primary_, "DROP TABLE IF EXISTS workload_meta");
  Invocation write = Workload("write");
  EXPECT_EQ(write.code, 1) << write.Describe();
  EXPECT_THAT(write.err, HasSubstr("did the setup command, first_, run?"));
  env_.erase("MODEL");
  Invocation bad = Workload("read");
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.err, HasSubstr("MODEL is not set"));
}

}  // namespace
}  // namespace pgworkload
