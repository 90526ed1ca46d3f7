// The PostgreSQL fixture: it starts as the postgres user on a free loopback port, serves
// queries, survives a crash-and-restart on the same port, and leaves no process or folder behind.
#include "testing/postgres_server.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "base/files.h"
#include "base/strings.h"

namespace faultline::testing {
namespace {

// Processes whose command line mentions `needle` (the data folder of a server).
std::vector<int> ProcessesMentioning(const std::string& needle) {
  std::vector<int> out;
  DIR* dir = opendir("/proc");
  while (dirent* e = readdir(dir)) {
    auto pid = ParseInt(e->d_name);
    if (!pid) continue;
    auto cmd = ReadFile(fmt::format("/proc/{}/cmdline", *pid));
    if (cmd && cmd->find(needle) != std::string::npos) out.push_back(static_cast<int>(*pid));
  }
  closedir(dir);
  return out;
}

std::string QueryOne(const std::string& url, const char* sql) {
  PGconn* c = PQconnectdb(url.c_str());
  std::string out = "<no connection>";
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, sql);
    out = PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) : PQerrorMessage(c);
    PQclear(r);
  }
  PQfinish(c);
  return out;
}

TEST(PostgresServer, StartsServesAndLeavesNothingBehind) {
  auto server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.error();
  PostgresServer& s = **server;
  EXPECT_EQ(s.host(), "127.0.0.1");
  EXPECT_GT(s.port(), 0);
  EXPECT_EQ(s.Url(), fmt::format("postgresql://postgres@127.0.0.1:{}/postgres", s.port()));
  EXPECT_EQ(QueryOne(s.Url(), "SELECT current_setting('server_version_num')::int / 10000"), "15");
  EXPECT_EQ(QueryOne(s.Url(), "SELECT current_user"), "postgres");
  std::string data = s.data_dir(), root = s.root_dir();
  // Keep a backend busy so that destruction must stop processes that are not in the
  // postmaster's process group.
  PGconn* busy = PQconnectdb(s.Url().c_str());
  ASSERT_EQ(PQstatus(busy), CONNECTION_OK);
  ASSERT_EQ(PQsendQuery(busy, "SELECT pg_sleep(60)"), 1);
  EXPECT_FALSE(ProcessesMentioning(data).empty());
  server->reset();
  PQfinish(busy);
  EXPECT_TRUE(ProcessesMentioning(data).empty());
  EXPECT_FALSE(PathExists(root));
}

TEST(PostgresServer, CrashAndRestartKeepsThePortAndCommittedData) {
  auto server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.error();
  PostgresServer& s = **server;
  int port = s.port();
  EXPECT_EQ(QueryOne(s.Url(), "SELECT count(*) FROM (SELECT 1) x"), "1");
  PGconn* c = PQconnectdb(s.Url().c_str());
  PQclear(PQexec(c, "CREATE TABLE kept AS SELECT 42 AS v"));
  PQfinish(c);
  pid_t before = s.pid();
  ASSERT_TRUE(s.CrashAndRestart().ok()) << s.LogTail();
  EXPECT_NE(s.pid(), before);
  EXPECT_EQ(s.port(), port);
  EXPECT_EQ(QueryOne(s.Url(), "SELECT v FROM kept"), "42");
  EXPECT_TRUE(s.Stop().ok());
  EXPECT_EQ(QueryOne(s.Url(), "SELECT 1"), "<no connection>");
  EXPECT_TRUE(ProcessesMentioning(s.data_dir()).empty());
}

}  // namespace
}  // namespace faultline::testing
