#include "pg_session.h"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>

namespace pgworkload {
namespace {

// libpq's messages end in a newline and may span lines ("server closed the connection
// unexpectedly\n\tThis probably means..."): keep one line.
std::string OneLine(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\t', ' ');
  return s;
}

int MillisUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1000));
}

}  // namespace

std::string FormatSeconds(Clock::duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{:.1f}s", static_cast<double>(ms) / 1000);
}

std::string PgResult::Describe() const {
  switch (status) {
    case Status::kOk:
      return "ok";
    case Status::kServerError:
    case Status::kConnectionLost:
      return sqlstate.empty() ? message : fmt::format("{} (SQLSTATE {})", message, sqlstate);
    case Status::kTimeout:
      return message;
  }
  return message;
}

bool IsTransientSqlState(std::string_view s) {
  if (s.size() != 5) return false;
  std::string_view cls = s.substr(0, 2);
  return cls == "08" || cls == "57" || cls == "53" || cls == "40" || cls == "58" || s == "55P03";
}

PgSession::PgSession(PGconn* conn) : conn_(conn) {
  address_ = fmt::format("{}:{}", PQhost(conn_) ? PQhost(conn_) : "?",
                         PQport(conn_) ? PQport(conn_) : "?");
}

PgSession::~PgSession() { Close(); }

void PgSession::Close() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

std::unique_ptr<PgSession> PgSession::Connect(const std::string& conninfo,
                                              Clock::time_point deadline, std::string* error) {
  PGconn* conn = PQconnectStart(conninfo.c_str());
  if (!conn) {
    *error = "out of memory";
    return nullptr;
  }
  if (PQstatus(conn) == CONNECTION_BAD) {
    *error = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return nullptr;
  }
  PostgresPollingStatusType poll_status = PGRES_POLLING_WRITING;
  while (true) {
    if (poll_status == PGRES_POLLING_OK) break;
    if (poll_status == PGRES_POLLING_FAILED) {
      *error = OneLine(PQerrorMessage(conn));
      PQfinish(conn);
      return nullptr;
    }
    pollfd pfd{PQsocket(conn),
               static_cast<short>(poll_status == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    int ready = 0;
    while (ready == 0) {
      if (Clock::now() >= deadline) {
        *error = "timed out while connecting";
        PQfinish(conn);
        return nullptr;
      }
      ready = poll(&pfd, 1, MillisUntil(deadline));
      if (ready < 0 && errno != EINTR) break;
      if (ready < 0) ready = 0;
    }
    poll_status = PQconnectPoll(conn);
  }
  // Results and notices would otherwise go to stderr unasked; the workload reports them itself.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgSession>(new PgSession(conn));
}

bool PgSession::Wait(bool for_write, Clock::time_point deadline) const {
  pollfd pfd{PQsocket(conn_), static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  while (Clock::now() < deadline) {
    int ready = poll(&pfd, 1, MillisUntil(deadline));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // let libpq find out what is wrong
  }
  return false;
}

PgResult PgSession::Exec(std::string_view sql, const std::vector<std::string>& params,
                         Clock::time_point deadline) {
  PgResult out;
  auto lost = [&](std::string message) {
    out.status = PgResult::Status::kConnectionLost;
    out.message = std::move(message);
    Close();
    return out;
  };
  auto timed_out = [&] {
    out.status = PgResult::Status::kTimeout;
    out.message = "no answer before the deadline; connection closed";
    Close();
    return out;
  };
  if (!usable()) return lost("not connected");
  std::string text(sql);
  int sent = 0;
  if (params.empty()) {
    sent = PQsendQuery(conn_, text.c_str());
  } else {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    sent = PQsendQueryParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  }
  if (!sent) return lost(OneLine(PQerrorMessage(conn_)));
  // Flush what libpq could not write at once (a partition can fill the socket buffer).
  PQsetnonblocking(conn_, 1);
  while (true) {
    int f = PQflush(conn_);
    if (f == 0) break;
    if (f < 0) return lost(OneLine(PQerrorMessage(conn_)));
    if (!Wait(true, deadline)) return timed_out();
  }
  while (true) {
    while (PQisBusy(conn_)) {
      if (!Wait(false, deadline)) return timed_out();
      if (!PQconsumeInput(conn_)) return lost(OneLine(PQerrorMessage(conn_)));
    }
    PGresult* r = PQgetResult(conn_);
    if (!r) break;
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK) {
      out.rows.clear();
      int n = PQntuples(r), cols = PQnfields(r);
      for (int i = 0; i < n; ++i) {
        Row row;
        for (int c = 0; c < cols; ++c) {
          if (PQgetisnull(r, i, c)) {
            row.push_back(std::nullopt);
          } else {
            row.push_back(std::string(PQgetvalue(r, i, c), PQgetlength(r, i, c)));
          }
        }
        out.rows.push_back(std::move(row));
      }
    }
    if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR || st == PGRES_BAD_RESPONSE) {
      // The first error wins; later results of the same batch are drained.
      if (out.status == PgResult::Status::kOk) {
        out.status = PgResult::Status::kServerError;
        const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        out.sqlstate = state ? state : "";
        out.message = OneLine(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
                                  ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
                                  : PQresultErrorMessage(r));
      }
    }
    const char* tag = PQcmdStatus(r);
    if (tag && *tag) out.command_tag = tag;
    PQclear(r);
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    // The server ended the session (a FATAL error, a shutdown): whatever it said, the
    // connection is gone.
    out.status = PgResult::Status::kConnectionLost;
    if (out.message.empty()) out.message = OneLine(PQerrorMessage(conn_));
    Close();
  }
  return out;
}

}  // namespace pgworkload
