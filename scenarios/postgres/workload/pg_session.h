// PgSession: one libpq connection whose every step is bounded by a deadline, so that a workload
// command never hangs on a paused server or a partitioned link: it gives up, closes the socket and
// says how the statement ended (done, refused by the server, connection lost, timed out). Which
// of those makes a write indeterminate is the caller's call (see model.h).
// One owner thread per session.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgworkload {

using Clock = std::chrono::steady_clock;
using Row = std::vector<std::optional<std::string>>;  // nullopt: SQL NULL

struct PgResult {
  enum class Status {
    kOk,              // the server answered without an error
    kServerError,     // the server refused the statement; the connection may still be usable
    kConnectionLost,  // the connection broke (or the server ended it) before an answer
    kTimeout,         // no answer before the deadline; the connection was closed
  };
  Status status = Status::kOk;
  std::string sqlstate;  // the server's SQLSTATE for kServerError (and some kConnectionLost)
  std::string message;   // the error, one line, for anything but kOk
  std::string command_tag;
  std::vector<Row> rows;  // of the last statement that returned rows

  bool ok() const { return status == Status::kOk; }
  // "relation \"kv\" does not exist (SQLSTATE 42P01)", "timed out after 5s", ...
  std::string Describe() const;
};

// Whether `sqlstate` names a failure that faults cause and a retry can outlive: connection
// exceptions (08), operator intervention (57: shutdown, cancel), insufficient resources (53),
// transaction rollback (40: serialization, deadlock, recovery conflicts), lock not available
// (55P03) and system errors (58: I/O). Anything else means the workload or its schema is wrong.
bool IsTransientSqlState(std::string_view sqlstate);

class PgSession {
 public:
  // Connects to `conninfo` (libpq key=value or URL). Returns the session, or nullptr with the
  // reason in *error (the server's message, or "timed out after ...").
  static std::unique_ptr<PgSession> Connect(const std::string& conninfo, Clock::time_point deadline,
                                            std::string* error);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // Sends `sql` with text parameters $1.. (none: the simple query protocol, which allows several
  // `;`-separated statements) and waits for every result until `deadline`. On kTimeout and
  // kConnectionLost the connection is closed and usable() turns false.
  PgResult Exec(std::string_view sql, const std::vector<std::string>& params,
                Clock::time_point deadline);
  PgResult Exec(std::string_view sql, Clock::time_point deadline) {
    return Exec(sql, {}, deadline);
  }

  // Whether statements may still be sent.
  bool usable() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }
  // "127.0.0.1:5432", for messages.
  const std::string& address() const { return address_; }

 private:
  explicit PgSession(PGconn* conn);
  // Waits until the socket is readable (or writable); false at the deadline.
  bool Wait(bool for_write, Clock::time_point deadline) const;
  void Close();

  PGconn* conn_ = nullptr;
  std::string address_;
};

// A duration for messages: "250ms" below a second, "5s" or "5.5s" above.
std::string FormatSeconds(Clock::duration d);

}  // namespace pgworkload
