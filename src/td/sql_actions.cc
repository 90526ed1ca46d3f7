// The three SQL line kinds (>, !, ?) and the retry loop they share. Each attempt's outcome is
// judged into a Verdict; the loop retries a wrong verdict with exponential backoff until it is
// right, the SQL timeout passes or the try limit is reached, as testdrive does.
#include <fmt/format.h>

#include <thread>

#include "base/duration.h"
#include "base/strings.h"
#include "td/compare.h"
#include "td/file_run.h"
#include "td/regex_util.h"

namespace faultline::td {
namespace {

struct Verdict {
  Verdict(bool pass, std::string why = "", std::vector<std::string> lines = {},
          std::optional<SqlError> seen = std::nullopt)
      : passed(pass), reason(std::move(why)), details(std::move(lines)), error(std::move(seen)) {}

  bool passed = false;
  std::string reason;  // why not, in a few words
  std::vector<std::string> details;
  std::optional<SqlError> error;  // the server error seen, for the transient check
};

using Judge = std::function<Verdict(QueryOutcome&)>;

std::string UpperFirstWord(std::string_view sql, size_t* end) {
  size_t i = 0;
  // Skip whitespace and comments before the statement's first keyword.
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (sql.compare(i, 2, "--") == 0) {
      size_t nl = sql.find('\n', i);
      i = nl == std::string_view::npos ? sql.size() : nl + 1;
    } else if (sql.compare(i, 2, "/*") == 0) {
      size_t close = sql.find("*/", i + 2);
      i = close == std::string_view::npos ? sql.size() : close + 2;
    } else {
      break;
    }
  }
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  }
  *end = i;
  return word;
}

// Statements that must run once under '>' (testdrive: DDL, SET, DISCARD, FETCH, EXPLAIN).
bool QueryRunsOnce(std::string_view sql) {
  size_t end = 0;
  std::string word = UpperFirstWord(sql, &end);
  if (word == "ALTER") {
    std::string rest(sql.substr(end));
    for (auto& c : rest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return rest.find(" RENAME ") != std::string::npos;
  }
  for (const char* w : {"CREATE", "DROP", "SET", "DISCARD", "FETCH", "EXPLAIN"}) {
    if (word == w) return true;
  }
  return false;
}

// Statements that must run once under '!': a retried COMMIT or ROLLBACK would start succeeding.
bool FailureRunsOnce(std::string_view sql) {
  size_t end = 0;
  std::string word = UpperFirstWord(sql, &end);
  return word == "COMMIT" || word == "ROLLBACK" || word == "FETCH";
}

Verdict ErrorVerdict(SqlError error, std::string_view what) {
  Verdict v(false, fmt::format("{}: {}", what, error.message));
  if (error.detail) v.details.push_back("DETAIL: " + *error.detail);
  if (error.hint) v.details.push_back("HINT: " + *error.hint);
  v.error = std::move(error);
  return v;
}

struct RetryPlan {
  Location at;
  const std::string* sql;
  bool retry = true;
  bool timeout_passes = false;  // '! ... timeout'
};

std::optional<Failure> RetryLoop(FileRun& run, const RetryPlan& plan, const Judge& judge) {
  const FileState& st = run.state();
  auto start = Clock::now();
  auto deadline = start + st.timeout;
  double backoff_ms = static_cast<double>(run.config().initial_backoff.count());
  auto elapsed = [&] {
    return FormatElapsed(std::chrono::duration_cast<Millis>(Clock::now() - start));
  };
  for (uint64_t tries = 1;; ++tries) {
    QueryOutcome outcome;
    // A try that starts at the deadline (after the last backoff) still gets a moment to run, so
    // that the failure shows the last result rather than a timeout of a query never given time.
    auto grace = std::min<Clock::duration>(st.timeout, std::chrono::seconds(1));
    auto try_deadline = plan.timeout_passes ? deadline : std::max(deadline, Clock::now() + grace);
    auto session = run.MainSession(try_deadline);
    if (auto* s = std::get_if<Session*>(&session)) {
      outcome = (*s)->Query(*plan.sql, try_deadline);
    } else {
      outcome = std::get<SqlError>(session);
    }
    bool timed_out = std::holds_alternative<TimedOut>(outcome);
    if (timed_out && plan.timeout_passes) return std::nullopt;
    Verdict v = timed_out ? Verdict{false, fmt::format("statement timed out after {} (timeout {})",
                                                       elapsed(), FormatDuration(st.timeout))}
                          : judge(outcome);
    if (v.passed) {
      if (tries > 1) run.Log(fmt::format("  passed after {} tries in {}", tries, elapsed()));
      return std::nullopt;
    }
    bool out_of_time = Clock::now() >= deadline;
    if (out_of_time && plan.timeout_passes) return std::nullopt;
    if (!plan.retry || out_of_time || (st.max_tries && tries >= st.max_tries)) {
      std::string message = v.reason;
      if (tries > 1) message += fmt::format(" (after {} tries in {})", tries, elapsed());
      return Failure{plan.at, message, v.details, v.error && LooksTransient(*v.error)};
    }
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    auto sleep = std::min(Millis(static_cast<int64_t>(backoff_ms)), left);
    run.Log(fmt::format("  try {}: {}; retrying in {}", tries, v.reason, FormatDuration(sleep)));
    std::this_thread::sleep_for(sleep);
    // Never past the statement's timeout: the next delay stays a finite, representable time
    // whatever the factor (a NaN factor, which fails every comparison, leaves the delay as is).
    double next = backoff_ms * run.config().backoff_factor;
    if (next > backoff_ms) backoff_ms = std::min(next, static_cast<double>(st.timeout.count()));
  }
}

Verdict JudgeRows(FileRun& run, const SqlQuery& q, const std::vector<Row>& expected_rows,
                  const std::optional<Row>& header, QueryRows& actual) {
  for (auto& row : actual.rows) {
    for (auto& f : row) f = run.ApplyRegex(f);
  }
  if (header && *header != actual.columns) {
    return Verdict{false,
                   "column names did not match",
                   {"- " + FormatRow(*header), "+ " + FormatRow(actual.columns)}};
  }
  SortRows(actual.rows);
  if (const auto* hash = std::get_if<ExpectedHash>(&q.expected)) {
    std::string md5 = HashRows(actual.rows);
    if (actual.rows.size() == hash->row_count && md5 == hash->md5) return Verdict{true};
    return Verdict{false,
                   "hash did not match",
                   {fmt::format("- {} values hashing to {}", hash->row_count, hash->md5),
                    fmt::format("+ {} values hashing to {}", actual.rows.size(), md5)}};
  }
  if (expected_rows == actual.rows) return Verdict{true};
  std::string reason = expected_rows.size() == actual.rows.size()
                           ? "rows did not match"
                           : fmt::format("wrong row count: expected {}, got {}",
                                         expected_rows.size(), actual.rows.size());
  return Verdict{false, reason, DiffRows(expected_rows, actual.rows)};
}

// ${...} in every expected field; returns the first unknown variable's failure.
std::optional<Failure> SubstituteRows(FileRun& run, Location at, std::vector<Row>& rows) {
  for (auto& row : rows) {
    for (auto& f : row) {
      auto v = run.Substitute(f);
      if (!v) return Failure{at, v.error()};
      f = std::move(*v);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Failure> RunQuery(FileRun& run, const SqlQuery& q) {
  auto sql = run.Substitute(q.sql);
  if (!sql) return Failure{q.at, sql.error()};
  std::vector<Row> expected;
  std::optional<Row> header;
  if (const auto* rows = std::get_if<ExpectedRows>(&q.expected)) {
    expected = rows->rows;
    if (auto f = SubstituteRows(run, q.at, expected)) return f;
    SortRows(expected);
    if (rows->header) {
      std::vector<Row> h = {*rows->header};
      if (auto f = SubstituteRows(run, q.at, h)) return f;
      header = h[0];
    }
  }
  RetryPlan plan{q.at, &*sql, !QueryRunsOnce(*sql)};
  return RetryLoop(run, plan, [&](QueryOutcome& outcome) {
    if (auto* e = std::get_if<SqlError>(&outcome)) return ErrorVerdict(*e, "query failed");
    return JudgeRows(run, q, expected, header, std::get<QueryRows>(outcome));
  });
}

namespace {

// `text` in double quotes, with the quotes and backslashes inside escaped, so a message that holds
// quotes of its own still reads unambiguously: "column \"x\" does not exist".
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

struct ErrorMatcher {
  ErrorMatch match;
  std::string text;
  std::optional<std::regex> regex;
  std::string Describe() const {
    switch (match) {
      case ErrorMatch::kContains:
        return "an error containing " + Quoted(text);
      case ErrorMatch::kExact:
        return "the exact error " + Quoted(text);
      case ErrorMatch::kRegex:
        return "an error matching regex " + Quoted(text);
      case ErrorMatch::kTimeout:
        return "a timeout";
    }
    return "";
  }
  bool Matches(const std::string& message) const {
    switch (match) {
      case ErrorMatch::kContains:
        return message.find(text) != std::string::npos;
      case ErrorMatch::kExact:
        return message == text;
      case ErrorMatch::kRegex:
        return std::regex_search(message, *regex);
      case ErrorMatch::kTimeout:
        return false;  // an error is not a timeout
    }
    return false;
  }
};

Verdict JudgeError(FileRun& run, const SqlFailure& f, const ErrorMatcher& m,
                   QueryOutcome& outcome) {
  auto* error = std::get_if<SqlError>(&outcome);
  if (!error) return Verdict{false, "query succeeded, but expected " + m.Describe()};
  std::string message = run.ApplyRegex(error->message);
  // A lost connection can still carry the server's reason (57P01), which a test may expect.
  if (!m.Matches(message) && error->connection_lost) {
    return ErrorVerdict(*error, "connection failed");
  }
  if (!m.Matches(message)) {
    return Verdict{
        false, fmt::format("expected {}, got {}", m.Describe(), Quoted(message)), {}, *error};
  }
  auto field = [&](const char* name, const std::optional<std::string>& want,
                   const std::optional<std::string>& got) -> std::optional<Verdict> {
    if (!want) return std::nullopt;
    if (!got)
      return Verdict{false,
                     fmt::format("expected a {} containing {}, got none", name, Quoted(*want))};
    if (got->find(*want) == std::string::npos) {
      return Verdict{false, fmt::format("expected a {} containing {}, got {}", name, Quoted(*want),
                                        Quoted(*got))};
    }
    return std::nullopt;
  };
  if (auto v = field("detail", f.detail, error->detail)) return *v;
  if (auto v = field("hint", f.hint, error->hint)) return *v;
  return Verdict{true};
}

}  // namespace

std::optional<Failure> RunExpectFailure(FileRun& run, const SqlFailure& f) {
  auto sql = run.Substitute(f.sql);
  if (!sql) return Failure{f.at, sql.error()};
  ErrorMatcher m{f.match, "", std::nullopt};
  auto text = run.Substitute(f.text, f.match == ErrorMatch::kRegex);
  if (!text) return Failure{f.text_at, text.error()};
  m.text = *text;
  if (f.match == ErrorMatch::kRegex) {
    m.regex = CompileRegex(m.text);
    if (!m.regex) return Failure{f.text_at, "invalid regex after substitution: " + m.text};
  }
  SqlFailure expanded = f;
  for (auto* field : {&expanded.detail, &expanded.hint}) {
    if (!*field) continue;
    auto v = run.Substitute(**field);
    if (!v) return Failure{f.at, v.error()};
    *field = *v;
  }
  RetryPlan plan{f.at, &*sql, !FailureRunsOnce(*sql), f.match == ErrorMatch::kTimeout};
  return RetryLoop(run, plan,
                   [&](QueryOutcome& outcome) { return JudgeError(run, expanded, m, outcome); });
}

std::optional<Failure> RunExplain(FileRun& run, const SqlExplain& e) {
  auto sql = run.Substitute(e.sql);
  if (!sql) return Failure{e.at, sql.error()};
  auto expected = run.Substitute(e.expected);
  if (!expected) return Failure{e.at, expected.error()};
  auto trim_lines = [](const std::string& text) {
    std::vector<std::string> lines;
    for (const auto& l : Split(text, '\n')) {
      std::string_view v = l;
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      lines.emplace_back(v);
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    return Join(lines, "\n");
  };
  std::string want = trim_lines(*expected);
  RetryPlan plan{e.at, &*sql, true};
  return RetryLoop(run, plan, [&](QueryOutcome& outcome) {
    if (auto* err = std::get_if<SqlError>(&outcome)) return ErrorVerdict(*err, "query failed");
    std::vector<std::string> lines;
    for (const auto& row : std::get<QueryRows>(outcome).rows) {
      lines.push_back(run.ApplyRegex(row.empty() ? "" : row[0]));
    }
    std::string got = trim_lines(Join(lines, "\n"));
    if (got == want) return Verdict{true};
    Verdict v{false, "output did not match"};
    for (const auto& l : Split(want, '\n')) v.details.push_back("- " + l);
    for (const auto& l : Split(got, '\n')) v.details.push_back("+ " + l);
    return v;
  });
}

std::variant<QueryRows, Failure> QueryOnce(FileRun& run, Session& session, const std::string& sql,
                                           Location at) {
  auto start = Clock::now();
  QueryOutcome outcome = session.Query(sql, run.Deadline());
  if (auto* rows = std::get_if<QueryRows>(&outcome)) return std::move(*rows);
  if (auto* e = std::get_if<SqlError>(&outcome)) {
    Verdict v = ErrorVerdict(*e, "query failed");
    return Failure{at, v.reason, v.details, LooksTransient(*e)};
  }
  auto took = std::chrono::duration_cast<Millis>(Clock::now() - start);
  return Failure{at, fmt::format("statement timed out after {} (timeout {})", FormatElapsed(took),
                                 FormatDuration(run.state().timeout))};
}

}  // namespace faultline::td
