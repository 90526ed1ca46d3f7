// The `$` builtins: the static table the parser validates against, and the function that runs
// each one. Every function returns its failure as data.
#include "td/builtins.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "base/duration.h"
#include "base/files.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "process/child_process.h"
#include "td/file_run.h"
#include "td/regex_util.h"

namespace faultline::td {
namespace {

using MaybeFailure = std::optional<Failure>;

// The substituted value of argument `key` (which the parser made sure is present when required).
Result<std::string> ArgValue(FileRun& run, const Builtin& b, const std::string& key) {
  const std::string* v = b.Arg(key);
  return run.Substitute(v ? *v : "");
}

Location ArgLocation(const Builtin& b, const std::string& key) {
  for (const auto& a : b.args) {
    if (a.key == key) return a.at;
  }
  return b.at;
}

// Runs `f` with the substituted value of `key`, turning a substitution error into a failure.
template <typename F>
MaybeFailure WithArg(FileRun& run, const Builtin& b, const std::string& key, F f) {
  auto v = ArgValue(run, b, key);
  if (!v) return Failure{ArgLocation(b, key), v.error()};
  return f(*v);
}

Result<std::string> BodySql(FileRun& run, const Builtin& b) {
  return run.Substitute(Join(b.body, "\n"));
}

MaybeFailure Set(FileRun& run, const Builtin& b) {
  for (const auto& a : b.args) {
    auto v = run.Substitute(a.value);
    if (!v) return Failure{a.at, v.error()};
    run.state().vars[a.key] = *v;
  }
  return std::nullopt;
}

MaybeFailure SetArgDefault(FileRun& run, const Builtin& b) {
  for (const auto& a : b.args) {
    auto v = run.Substitute(a.value);
    if (!v) return Failure{a.at, v.error()};
    run.state().vars.try_emplace("arg." + a.key, *v);
  }
  return std::nullopt;
}

// The single value of a one-row, one-column result of the builtin's body SQL.
std::variant<std::string, Failure> SingleValue(FileRun& run, const Builtin& b) {
  auto sql = BodySql(run, b);
  if (!sql) return Failure{b.at, sql.error()};
  auto session = run.MainSession(run.Deadline());
  if (auto* e = std::get_if<SqlError>(&session)) {
    return Failure{b.at, "cannot connect: " + e->message, {}, true};
  }
  auto r = QueryOnce(run, *std::get<Session*>(session), *sql, b.at);
  if (auto* f = std::get_if<Failure>(&r)) return *f;
  const auto& rows = std::get<QueryRows>(r);
  if (rows.rows.size() != 1 || rows.columns.size() != 1) {
    return Failure{b.at, fmt::format("'{}' needs exactly one row of one column, got {} rows of {}",
                                     b.name, rows.rows.size(), rows.columns.size())};
  }
  return rows.rows[0][0];
}

MaybeFailure SetFromSql(FileRun& run, const Builtin& b) {
  auto value = SingleValue(run, b);
  if (auto* f = std::get_if<Failure>(&value)) return *f;
  return WithArg(run, b, "var", [&](const std::string& var) -> MaybeFailure {
    run.state().vars[var] = std::get<std::string>(value);
    return std::nullopt;
  });
}

// Why `path` is not a path inside the file's temp folder (absolute, or with '..'), or nullopt.
std::optional<std::string> TempPathProblem(std::string_view path) {
  if (path.empty() || path[0] == '/' || path.find("..") != std::string::npos) {
    return fmt::format("path '{}' must be relative to the temp dir, without '..'", path);
  }
  return std::nullopt;
}

// A path inside the file's temp folder; absolute paths and '..' are refused.
Result<std::string> TempPath(FileRun& run, const std::string& path) {
  if (auto problem = TempPathProblem(path)) return Unexpected(*problem);
  return run.state().temp_dir + "/" + path;
}

Result<uint64_t> ParseMaxTries(std::string_view text) {
  auto n = ParseUint(text);
  if (!n || *n == 0) {
    return Unexpected(fmt::format("max-tries must be a positive integer, got '{}'", text));
  }
  return *n;
}

Result<uint64_t> ParseRepeat(std::string_view text) {
  auto n = ParseUint(text);
  if (!n) return Unexpected(fmt::format("repeat must be a non-negative integer, got '{}'", text));
  return *n;
}

// The value of `key` when it is known before the run (present, and without ${...}).
const std::string* StaticArg(const Builtin& b, const std::string& key) {
  const std::string* v = b.Arg(key);
  return v && v->find("${") == std::string::npos ? v : nullptr;
}

// A static check that `key`, when known, passes `parse`.
template <typename Parse>
std::optional<Diagnostic> CheckArg(const Builtin& b, const std::string& key, Parse parse) {
  const std::string* v = StaticArg(b, key);
  if (!v) return std::nullopt;
  auto r = parse(*v);
  if (!r) return Diagnostic{ArgLocation(b, key), r.error()};
  return std::nullopt;
}

Result<Millis> ParseTimeoutArg(std::string_view text) {
  if (text == "default") return Millis(0);
  return ParseDuration(text);
}

std::optional<Diagnostic> CheckTimeout(const Builtin& b) {
  return CheckArg(b, "duration", ParseTimeoutArg);
}
std::optional<Diagnostic> CheckMaxTries(const Builtin& b) {
  return CheckArg(b, "max-tries", ParseMaxTries);
}
std::optional<Diagnostic> CheckSleep(const Builtin& b) {
  return CheckArg(b, "duration", ParseDuration);
}
std::optional<Diagnostic> CheckTempFile(const Builtin& b) {
  auto path = CheckArg(b, "path", [](std::string_view p) -> Result<bool> {
    if (auto problem = TempPathProblem(p)) return Unexpected(*problem);
    return true;
  });
  if (path) return path;
  if (const std::string* c = StaticArg(b, "compression"); c && *c != "none") {
    return Diagnostic{ArgLocation(b, "compression"), "only compression=none is supported"};
  }
  return CheckArg(b, "repeat", ParseRepeat);
}

MaybeFailure SetFromFile(FileRun& run, const Builtin& b) {
  return WithArg(run, b, "path", [&](const std::string& path) -> MaybeFailure {
    // Relative paths name files in the temp dir (where file-append writes); absolute paths are
    // read as they are.
    std::string full = path.starts_with("/") ? path : run.state().temp_dir + "/" + path;
    auto text = ReadFile(full);
    if (!text) return Failure{ArgLocation(b, "path"), text.error()};
    return WithArg(run, b, "var", [&](const std::string& var) -> MaybeFailure {
      run.state().vars[var] = *text;
      return std::nullopt;
    });
  });
}

MaybeFailure SetRegex(FileRun& run, const Builtin& b) {
  return WithArg(run, b, "match", [&](const std::string& pattern) -> MaybeFailure {
    auto re = CompileRegex(pattern);
    if (!re) {
      auto why = CheckRegex(pattern, false);
      return Failure{ArgLocation(b, "match"), "invalid regex: " + why.value_or(pattern)};
    }
    auto replacement = ArgValue(run, b, "replacement");
    if (!replacement) return Failure{ArgLocation(b, "replacement"), replacement.error()};
    run.state().regex = std::move(re);
    run.state().regex_replacement = *replacement;
    return std::nullopt;
  });
}

MaybeFailure UnsetRegex(FileRun& run, const Builtin&) {
  run.state().regex.reset();
  return std::nullopt;
}

MaybeFailure SetSqlTimeout(FileRun& run, const Builtin& b) {
  return WithArg(run, b, "duration", [&](const std::string& text) -> MaybeFailure {
    Millis d = run.config().default_timeout;
    if (text != "default") {
      auto parsed = ParseDuration(text);
      if (!parsed) return Failure{ArgLocation(b, "duration"), parsed.error()};
      d = *parsed;
    }
    const std::string* force = b.Arg("force");
    // Never below the default unless forced: a slow machine raises the default for every file.
    if (d < run.config().default_timeout && !(force && *force == "true")) {
      d = run.config().default_timeout;
    }
    run.state().timeout = d;
    return std::nullopt;
  });
}

MaybeFailure SetMaxTries(FileRun& run, const Builtin& b) {
  return WithArg(run, b, "max-tries", [&](const std::string& text) -> MaybeFailure {
    auto n = ParseMaxTries(text);
    if (!n) return Failure{ArgLocation(b, "max-tries"), n.error()};
    run.state().max_tries = *n;
    return std::nullopt;
  });
}

MaybeFailure SkipIf(FileRun& run, const Builtin& b) {
  auto value = SingleValue(run, b);
  if (auto* f = std::get_if<Failure>(&value)) return *f;
  const auto& v = std::get<std::string>(value);
  if (v != "true" && v != "false") {
    return Failure{b.at, fmt::format("'skip-if' needs a boolean, got '{}'", v)};
  }
  run.state().skipping = v == "true";
  run.state().skip_from = b.at;
  if (run.state().skipping) run.Log("  skipping until skip-end");
  return std::nullopt;
}

MaybeFailure SkipEnd(FileRun& run, const Builtin&) {
  run.state().skipping = false;
  return std::nullopt;
}

MaybeFailure Nop(FileRun&, const Builtin&) { return std::nullopt; }

MaybeFailure Sleep(FileRun& run, const Builtin& b, bool random) {
  return WithArg(run, b, "duration", [&](const std::string& text) -> MaybeFailure {
    auto d = ParseDuration(text);
    if (!d) return Failure{ArgLocation(b, "duration"), d.error()};
    Millis sleep = random ? run.rng().Between(Millis(0), *d) : *d;
    run.Log(fmt::format("  sleeping for {}", FormatDuration(sleep)));
    std::this_thread::sleep_for(sleep);
    return std::nullopt;
  });
}

MaybeFailure FixedSleep(FileRun& run, const Builtin& b) { return Sleep(run, b, false); }
MaybeFailure RandomSleep(FileRun& run, const Builtin& b) { return Sleep(run, b, true); }

MaybeFailure PostgresConnect(FileRun& run, const Builtin& b) {
  auto name = ArgValue(run, b, "name");
  auto url = ArgValue(run, b, "url");
  if (!name) return Failure{ArgLocation(b, "name"), name.error()};
  if (!url) return Failure{ArgLocation(b, "url"), url.error()};
  run.state().connections.erase(*name);
  run.state().connection_urls[*name] = *url;
  return std::nullopt;
}

// The session for `connection=`: a name from postgres-connect, or a URL opened for this file.
std::variant<Session*, Failure> NamedSession(FileRun& run, const Builtin& b,
                                             const std::string& connection) {
  FileState& st = run.state();
  auto open = st.connections.find(connection);
  if (open != st.connections.end() && open->second.healthy()) return &open->second;
  std::string url = connection;
  if (auto it = st.connection_urls.find(connection); it != st.connection_urls.end()) {
    url = it->second;
  } else if (connection.find("://") == std::string::npos &&
             connection.find('=') == std::string::npos) {
    return Failure{ArgLocation(b, "connection"),
                   fmt::format("unknown connection '{}' (define it with postgres-connect, or give "
                               "a postgres:// URL)",
                               connection)};
  }
  auto s = Session::Connect(url, "", run.Deadline());
  if (auto* e = std::get_if<SqlError>(&s)) {
    return Failure{
        b.at, fmt::format("cannot connect to '{}': {}", connection, e->message), {}, true};
  }
  st.connections.erase(connection);
  return &st.connections.emplace(connection, std::move(std::get<Session>(s))).first->second;
}

MaybeFailure PostgresExecute(FileRun& run, const Builtin& b) {
  return WithArg(run, b, "connection", [&](const std::string& connection) -> MaybeFailure {
    auto session = NamedSession(run, b, connection);
    if (auto* f = std::get_if<Failure>(&session)) return *f;
    for (size_t i = 0; i < b.body.size(); ++i) {
      auto sql = run.Substitute(b.body[i]);
      Location at{b.at.line, 1};
      if (!sql) return Failure{at, sql.error()};
      auto r = QueryOnce(run, *std::get<Session*>(session), *sql, b.at);
      if (auto* f = std::get_if<Failure>(&r)) {
        f->details.insert(f->details.begin(), "statement: " + *sql);
        return *f;
      }
    }
    return std::nullopt;
  });
}

// psql's standard output, with trailing spaces of each line and trailing blank lines removed.
std::string NormalizeOutput(std::string_view text) {
  std::vector<std::string> lines;
  for (auto& l : Split(text, '\n')) {
    std::string_view v = l;
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.remove_suffix(1);
    lines.emplace_back(v);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return Join(lines, "\n");
}

MaybeFailure PsqlExecute(FileRun& run, const Builtin& b) {
  return WithArg(run, b, "command", [&](const std::string& command) -> MaybeFailure {
    std::string out_path = run.state().temp_dir + "/psql.out";
    std::string err_path = run.state().temp_dir + "/psql.err";
    UniqueFd out(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    UniqueFd err(::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!out || !err) return Failure{b.at, "cannot create psql output files in the temp dir"};
    auto child = ChildProcess::Spawn(
        {{"psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", run.FileConninfo(), "-c", command},
         out.get(),
         err.get()});
    if (!child) return Failure{b.at, child.error()};
    auto start = std::chrono::steady_clock::now();
    auto status = child->Wait(run.state().timeout);
    if (!status) {
      child->Kill();
      auto took = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
      return Failure{b.at, fmt::format("psql timed out after {} (timeout {})", FormatElapsed(took),
                                       FormatDuration(run.state().timeout))};
    }
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      auto text = ReadFile(err_path);
      return Failure{b.at,
                     fmt::format("psql failed ({})", DescribeWaitStatus(*status)),
                     {text ? std::string(Trim(*text)) : ""}};
    }
    auto got = ReadFile(out_path);
    auto want = run.Substitute(Join(b.body, "\n"));
    if (!want) return Failure{b.at, want.error()};
    std::string g = NormalizeOutput(got ? *got : ""), w = NormalizeOutput(*want);
    if (g == w) return std::nullopt;
    Failure f{b.at, "psql output did not match"};
    for (const auto& l : Split(w, '\n')) f.details.push_back("- " + l);
    for (const auto& l : Split(g, '\n')) f.details.push_back("+ " + l);
    return f;
  });
}

MaybeFailure FileAppend(FileRun& run, const Builtin& b) {
  return WithArg(run, b, "path", [&](const std::string& path) -> MaybeFailure {
    auto full = TempPath(run, path);
    if (!full) return Failure{ArgLocation(b, "path"), full.error()};
    if (const std::string* c = b.Arg("compression"); c && *c != "none") {
      return Failure{ArgLocation(b, "compression"), "only compression=none is supported"};
    }
    uint64_t repeat = 1;
    if (const std::string* r = b.Arg("repeat")) {
      auto n = ParseRepeat(*r);
      if (!n) return Failure{ArgLocation(b, "repeat"), n.error()};
      repeat = *n;
    }
    std::string chunk;
    for (const auto& line : b.body) {
      auto v = run.Substitute(line);
      if (!v) return Failure{b.at, v.error()};
      chunk += *v + "\n";
    }
    UniqueFd fd(::open(full->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd) return Failure{b.at, Status::FromErrno(*full).message()};
    for (uint64_t i = 0; i < repeat; ++i) {
      if (::write(fd.get(), chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) {
        return Failure{b.at, Status::FromErrno(*full).message()};
      }
    }
    return std::nullopt;
  });
}

MaybeFailure FileDelete(FileRun& run, const Builtin& b) {
  return WithArg(run, b, "path", [&](const std::string& path) -> MaybeFailure {
    auto full = TempPath(run, path);
    if (!full) return Failure{ArgLocation(b, "path"), full.error()};
    if (::unlink(full->c_str()) != 0) return Failure{b.at, Status::FromErrno(*full).message()};
    return std::nullopt;
  });
}

MaybeFailure RequiresService(FileRun&, const Builtin& b) {
  return Failure{b.at, fmt::format("'{}' requires {}, which faultline td does not provide "
                                   "(it runs against a PostgreSQL-wire server only)",
                                   b.name, b.spec->service)};
}

constexpr BuiltinSpec kBuiltins[] = {
    {"set", "*", "", BodyRule::kNone, Set, ""},
    {"set-arg-default", "*", "", BodyRule::kNone, SetArgDefault, ""},
    {"set-from-sql", "var", "var", BodyRule::kRequired, SetFromSql, ""},
    {"set-from-file", "var path", "var path", BodyRule::kNone, SetFromFile, ""},
    {"set-regex", "match replacement", "match", BodyRule::kNone, SetRegex, ""},
    {"unset-regex", "", "", BodyRule::kNone, UnsetRegex, ""},
    {"set-sql-timeout", "duration force", "duration", BodyRule::kNone, SetSqlTimeout, "",
     CheckTimeout},
    {"set-max-tries", "max-tries", "max-tries", BodyRule::kNone, SetMaxTries, "", CheckMaxTries},
    {"skip-if", "", "", BodyRule::kRequired, SkipIf, ""},
    {"skip-end", "", "", BodyRule::kNone, SkipEnd, ""},
    {"nop", "", "", BodyRule::kNone, Nop, ""},
    {"sleep-is-probably-flaky-i-have-justified-my-need-with-a-comment", "duration", "duration",
     BodyRule::kNone, FixedSleep, "", CheckSleep},
    {"random-sleep", "duration", "duration", BodyRule::kNone, RandomSleep, "", CheckSleep},
    {"postgres-connect", "name url", "name url", BodyRule::kNone, PostgresConnect, ""},
    {"postgres-execute", "connection", "connection", BodyRule::kRequired, PostgresExecute, ""},
    {"psql-execute", "command", "command", BodyRule::kOptional, PsqlExecute, ""},
    {"file-append", "path compression repeat", "path", BodyRule::kOptional, FileAppend, "",
     CheckTempFile},
    {"file-delete", "path", "path", BodyRule::kNone, FileDelete, "", CheckTempFile},
    // Families that need a service faultline does not have: parsed, and failed when run.
    {"kafka-", "*", "", BodyRule::kOptional, RequiresService, "Kafka"},
    {"schema-registry-", "*", "", BodyRule::kOptional, RequiresService, "a schema registry"},
    {"mysql-", "*", "", BodyRule::kOptional, RequiresService, "MySQL"},
    {"sql-server-", "*", "", BodyRule::kOptional, RequiresService, "SQL Server"},
    {"s3-", "*", "", BodyRule::kOptional, RequiresService, "S3"},
    {"kinesis-", "*", "", BodyRule::kOptional, RequiresService, "Kinesis"},
    {"fivetran-", "*", "", BodyRule::kOptional, RequiresService, "Fivetran"},
    {"duckdb-", "*", "", BodyRule::kOptional, RequiresService, "DuckDB"},
    {"persist-", "*", "", BodyRule::kOptional, RequiresService, "Materialize's persist layer"},
    {"webhook-append", "*", "", BodyRule::kOptional, RequiresService,
     "Materialize webhook sources"},
    {"http-request", "*", "", BodyRule::kOptional, RequiresService, "an HTTP service"},
    {"avro-ocf-", "*", "", BodyRule::kOptional, RequiresService, "Avro OCF support"},
    {"protobuf-compile-descriptors", "*", "", BodyRule::kOptional, RequiresService, "protoc"},
    {"check-consistency", "*", "", BodyRule::kOptional, RequiresService, "Materialize"},
    {"check-shard-tombstone", "*", "", BodyRule::kOptional, RequiresService, "Materialize"},
    {"version-check", "*", "", BodyRule::kOptional, RequiresService, "Materialize"},
    {"postgres-verify-slot", "*", "", BodyRule::kOptional, RequiresService,
     "PostgreSQL logical replication set up by Materialize"},
};

}  // namespace

const BuiltinSpec* FindBuiltin(std::string_view name) {
  for (const auto& b : kBuiltins) {
    if (b.name == name) return &b;
  }
  for (const auto& b : kBuiltins) {
    if (b.name.ends_with('-') && name.starts_with(b.name) && name.size() > b.name.size()) {
      return &b;
    }
  }
  return nullptr;
}

std::vector<std::string> BuiltinNames() {
  std::vector<std::string> out;
  for (const auto& b : kBuiltins) {
    if (!b.name.ends_with('-')) out.emplace_back(b.name);
  }
  return out;
}

}  // namespace faultline::td
