// Session: one libpq connection that runs SQL with a deadline and returns its outcome as data:
// rendered rows (see render.h), the server's error, or a timeout. A connection that breaks is
// reported as an error with connection_lost set; Reconnect() opens it again with the same
// parameters. Owns its PGconn. Not thread-safe; one owner thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/status.h"
#include "td/script.h"

struct pg_conn;

namespace faultline::td {

using Clock = std::chrono::steady_clock;

struct QueryRows {
  std::vector<std::string> columns;
  std::vector<Row> rows;  // rendered; NULL is "<null>"
};
struct SqlError {
  std::string message;  // the primary message only
  std::string sqlstate;
  std::optional<std::string> detail;
  std::optional<std::string> hint;
  bool connection_lost = false;  // the connection broke (no server error to match)
};
struct TimedOut {};

using QueryOutcome = std::variant<QueryRows, SqlError, TimedOut>;

// True for errors that a restart or a network fault causes: connection refused or reset, broken
// pipe, server closed the connection, administrator shutdown, SQLSTATE class 08 and 57P0x.
bool LooksTransient(const SqlError& error);

class Session {
 public:
  // Connects to the libpq URL or conninfo `url`; a non-empty `database` replaces its dbname.
  // Returns the connection, or an error (with connection_lost set) by `deadline`.
  static std::variant<Session, SqlError> Connect(const std::string& url,
                                                 const std::string& database,
                                                 Clock::time_point deadline);
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  // Runs `sql` (one statement or a ;-separated batch, simple protocol). Rows are those of the
  // last statement that returned rows; the first error wins. At `deadline` the statement is
  // cancelled and the outcome is TimedOut.
  QueryOutcome Query(const std::string& sql, Clock::time_point deadline);
  // True when the connection is usable (not broken by the server or the network).
  bool healthy() const;
  // Opens the connection again; returns nullopt on success.
  std::optional<SqlError> Reconnect(Clock::time_point deadline);
  // "host:port" of the server, as testdrive's materialize-sql-addr.
  std::string Address() const;
  std::string user() const;

 private:
  Session() = default;
  std::optional<SqlError> Open(Clock::time_point deadline);
  bool WaitSocket(bool for_write, Clock::time_point deadline);
  void Cancel();

  std::string url_;
  std::string database_;
  pg_conn* conn_ = nullptr;
};

}  // namespace faultline::td
