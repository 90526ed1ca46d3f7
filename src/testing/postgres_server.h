// PostgresServer: a real PostgreSQL 15 for tests and benchmarks, started from
// /usr/lib/postgresql/15/bin as the `postgres` user (PostgreSQL refuses root) in a fresh temporary
// folder owned by postgres, listening on 127.0.0.1 on a free port, with its unix socket in that
// folder. The object owns the server: destruction stops it (fast shutdown, then SIGKILL of its
// process group and of every backend) and removes the folder. The postmaster also gets SIGKILL if
// the thread that started it dies, so a crashed test leaks nothing. One owner thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "process/child_process.h"

namespace faultline::testing {

struct PostgresOptions {
  std::string bin_dir = "/usr/lib/postgresql/15/bin";
  // Extra `-c name=value` settings. fsync is off by default: a killed server keeps its writes
  // in the page cache, and tests run several times faster.
  std::vector<std::string> settings = {"fsync=off"};
};

class PostgresServer {
 public:
  // Runs initdb and starts the server; returns it once it accepts connections, or an error
  // with the tail of its log.
  static Result<std::unique_ptr<PostgresServer>> Start(PostgresOptions options = {});
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  const std::string& host() const { return host_; }  // "127.0.0.1"
  int port() const { return port_; }
  // "postgresql://postgres@127.0.0.1:PORT/DATABASE": a libpq URL over TCP, no password.
  std::string Url(const std::string& database = "postgres") const;
  // "host:port", as testdrive's materialize-sql-addr.
  std::string Address() const;
  const std::string& root_dir() const { return root_; }  // holds data/, the socket, the log
  std::string data_dir() const { return root_ + "/data"; }
  pid_t pid() const { return postmaster_.pid(); }
  // The last lines of the server log.
  std::string LogTail(size_t lines = 20) const;

  // Stops the server: fast shutdown, then SIGKILL. OK once stopped; idempotent.
  Status Stop();
  // SIGKILLs the postmaster and every backend (a crash), then starts again on the same port and
  // data folder; returns once it accepts connections again.
  Status CrashAndRestart();

 private:
  explicit PostgresServer(PostgresOptions options) : options_(std::move(options)) {}
  Status InitDb();
  Status Launch(int port);
  Status WaitReady();
  void KillEverything();

  PostgresOptions options_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string root_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  ChildProcess postmaster_;
};

}  // namespace faultline::testing
