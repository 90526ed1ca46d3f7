#include "td/session.h"

#include <libpq-fe.h>
#include <poll.h>

#include <utility>

#include "base/strings.h"
#include "td/render.h"

namespace faultline::td {
namespace {

// libpq reports a FATAL error that closed the connection (an administrator shutdown) in its own
// result, without fields: "FATAL:  <message>\nserver closed the connection unexpectedly...".
// The server's primary message is the part after the severity, up to the first newline.
std::string ServerMessageOf(std::string_view text) {
  for (std::string_view severity : {"FATAL:  ", "ERROR:  ", "PANIC:  "}) {
    if (text.starts_with(severity)) {
      text.remove_prefix(severity.size());
      return std::string(text.substr(0, text.find('\n')));
    }
  }
  return std::string(Trim(text));
}

std::string TrimmedError(const PGconn* conn) {
  return conn ? ServerMessageOf(PQerrorMessage(conn)) : "out of memory";
}

SqlError ErrorFromResult(const PGresult* res) {
  SqlError e;
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
  const char* hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
  e.message = primary ? primary : ServerMessageOf(PQresultErrorMessage(res));
  if (state) e.sqlstate = state;
  if (detail) e.detail = detail;
  if (hint) e.hint = hint;
  // An error without SQLSTATE was made by libpq itself: the connection, not the statement. A
  // server error that also closed the connection (57P01) is still an error to match.
  e.connection_lost = !state;
  return e;
}

QueryRows RowsFromResult(const PGresult* res) {
  QueryRows out;
  int columns = PQnfields(res), rows = PQntuples(res);
  for (int c = 0; c < columns; ++c) out.columns.emplace_back(PQfname(res, c));
  out.rows.reserve(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    Row row;
    row.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(res, r, c)) {
        row.emplace_back("<null>");
      } else {
        row.push_back(RenderValue(
            PQftype(res, c),
            std::string_view(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c)))));
      }
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

bool LooksTransient(const SqlError& error) {
  if (error.connection_lost) return true;
  if (error.sqlstate.starts_with("08") || error.sqlstate.starts_with("57P0")) return true;
  for (const char* phrase :
       {"connection refused", "Connection refused", "connection reset", "Connection reset",
        "broken pipe", "Broken pipe", "server closed the connection",
        "terminating connection due to administrator command"}) {
    if (error.message.find(phrase) != std::string::npos) return true;
  }
  return false;
}

std::variant<Session, SqlError> Session::Connect(const std::string& url,
                                                 const std::string& database,
                                                 Clock::time_point deadline) {
  Session s;
  s.url_ = url;
  s.database_ = database;
  if (auto error = s.Open(deadline)) return *error;
  return s;
}

Session::Session(Session&& other) noexcept
    : url_(std::move(other.url_)),
      database_(std::move(other.database_)),
      conn_(std::exchange(other.conn_, nullptr)) {}

Session& Session::operator=(Session&& other) noexcept {
  if (this != &other) {
    if (conn_) PQfinish(conn_);
    url_ = std::move(other.url_);
    database_ = std::move(other.database_);
    conn_ = std::exchange(other.conn_, nullptr);
  }
  return *this;
}

Session::~Session() {
  if (conn_) PQfinish(conn_);
}

std::optional<SqlError> Session::Open(Clock::time_point deadline) {
  if (conn_) PQfinish(conn_);
  // The second dbname overrides the one inside the URL; an empty value is ignored by libpq.
  const char* keys[] = {"dbname", "dbname", "fallback_application_name", nullptr};
  const char* values[] = {url_.c_str(), database_.c_str(), "faultline-td", nullptr};
  conn_ = PQconnectStartParams(keys, values, /*expand_dbname=*/1);
  if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) {
    return SqlError{TrimmedError(conn_), "", {}, {}, true};
  }
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return SqlError{TrimmedError(conn_), "", {}, {}, true};
    if (!WaitSocket(state == PGRES_POLLING_WRITING, deadline)) {
      return SqlError{"timed out connecting to " + url_, "", {}, {}, true};
    }
    state = PQconnectPoll(conn_);
  }
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  return std::nullopt;
}

bool Session::WaitSocket(bool for_write, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{PQsocket(conn_), static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (n != 0) return true;  // ready, or an error that the next libpq call reports
  }
}

bool Session::healthy() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

std::optional<SqlError> Session::Reconnect(Clock::time_point deadline) { return Open(deadline); }

void Session::Cancel() {
  PGcancel* cancel = PQgetCancel(conn_);
  if (!cancel) return;
  char buf[256];
  PQcancel(cancel, buf, sizeof buf);
  PQfreeCancel(cancel);
}

QueryOutcome Session::Query(const std::string& sql, Clock::time_point deadline) {
  if (!healthy() || !PQsendQuery(conn_, sql.c_str())) {
    return SqlError{TrimmedError(conn_), "", {}, {}, true};
  }
  std::optional<QueryRows> rows;
  std::optional<SqlError> error;
  bool timed_out = false;
  while (true) {
    while (PQisBusy(conn_)) {
      if (!WaitSocket(false, deadline)) {
        if (timed_out) {
          // The server ignored the cancel: drop the connection; the next statement reconnects.
          PQfinish(conn_);
          conn_ = nullptr;
          return TimedOut{};
        }
        timed_out = true;
        Cancel();
        deadline = Clock::now() + std::chrono::seconds(5);
        continue;
      }
      if (!PQconsumeInput(conn_)) return SqlError{TrimmedError(conn_), "", {}, {}, true};
    }
    PGresult* res = PQgetResult(conn_);
    if (!res) break;
    switch (PQresultStatus(res)) {
      case PGRES_TUPLES_OK:
        rows = RowsFromResult(res);
        break;
      case PGRES_COMMAND_OK:
      case PGRES_EMPTY_QUERY:
        break;
      case PGRES_COPY_IN:
        PQputCopyEnd(conn_, "COPY FROM STDIN is not supported by faultline td");
        break;
      case PGRES_COPY_OUT: {
        char* data = nullptr;
        while (PQgetCopyData(conn_, &data, 0) > 0) PQfreemem(data);
        if (!error) error = SqlError{"COPY TO STDOUT is not supported by faultline td", "", {}, {}};
        break;
      }
      default:
        if (!error) error = ErrorFromResult(res);
    }
    PQclear(res);
  }
  if (timed_out) return TimedOut{};
  if (error) return *error;
  return rows ? std::move(*rows) : QueryRows{};
}

std::string Session::Address() const {
  if (!conn_) return "";
  return fmt::format("{}:{}", PQhost(conn_), PQport(conn_));
}

std::string Session::user() const { return conn_ ? PQuser(conn_) : ""; }

}  // namespace faultline::td
