#include "td/runner.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cstdlib>

#include "base/files.h"
#include "base/strings.h"
#include "base/terminal.h"
#include "td/builtins.h"
#include "td/diagnostic.h"
#include "td/file_run.h"
#include "td/regex_util.h"

namespace faultline::td {

FileRun::FileRun(const RunConfig& config, uint64_t seed) : config_(config), rng_(seed) {
  state_.timeout = config.default_timeout;
  state_.max_tries = config.default_max_tries;
  for (const auto& [k, v] : config.args) state_.vars["arg." + k] = v;
}

Result<std::string> FileRun::Substitute(std::string_view text, bool regex_literal) const {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("${", i);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    std::string name(text.substr(open + 2, close - open - 2));
    std::string value;
    if (name.starts_with("env.")) {
      const char* env = std::getenv(name.c_str() + 4);
      if (!env)
        return Unexpected(fmt::format("unknown variable '{}' (not in the environment)", name));
      value = env;
    } else if (auto it = state_.vars.find(name); it != state_.vars.end()) {
      value = it->second;
    } else {
      return Unexpected(fmt::format("unknown variable '{}'", name));
    }
    out += regex_literal ? RegexEscape(value) : value;
    i = close + 1;
  }
  out.append(text.substr(i));
  return out;
}

std::string FileRun::ApplyRegex(const std::string& value) const {
  if (!state_.regex) return value;
  return std::regex_replace(value, *state_.regex, state_.regex_replacement);
}

Clock::time_point FileRun::Deadline() const { return Clock::now() + state_.timeout; }

std::variant<Session*, SqlError> FileRun::MainSession(Clock::time_point deadline) {
  if (!state_.session) return SqlError{"no session", "", {}, {}, true};
  if (!state_.session->healthy()) {
    if (auto error = state_.session->Reconnect(deadline)) return *error;
  }
  return &*state_.session;
}

std::string FileRun::FileConninfo() const {
  // Every parameter the main session uses, so that psql reaches the same database as the same
  // user with the same options.
  const char* keys[] = {"dbname", "dbname", nullptr};
  const char* values[] = {config_.url.c_str(), state_.database.c_str(), nullptr};
  PGconn* conn = PQconnectStartParams(keys, values, 1);
  std::string out;
  if (PQconninfoOption* opts = conn ? PQconninfo(conn) : nullptr) {
    for (auto* o = opts; o->keyword; ++o) {
      if (!o->val || !*o->val) continue;
      std::string v;
      for (const char* c = o->val; *c; ++c) {
        if (*c == '\'' || *c == '\\') v += '\\';
        v += *c;
      }
      out += fmt::format("{}{}='{}'", out.empty() ? "" : " ", o->keyword, v);
    }
    PQconninfoFree(opts);
  }
  if (conn) PQfinish(conn);
  return out;
}

void FileRun::Log(std::string_view line) const {
  if (!config_.log) return;
  // Source lines and server text may hold control characters; a terminal must not obey them.
  std::string safe = ForTerminal(line);
  std::fwrite(safe.data(), 1, safe.size(), config_.log);
  std::fputc('\n', config_.log);
  // Flushed per line: errors go to an unbuffered stream and must not overtake the progress.
  std::fflush(config_.log);
}

namespace {

std::string Quoted(const std::string& identifier) {
  return "\"" + identifier + "\"";  // our own names: [a-z0-9_] only
}

// Creates the file's temp folder, its database (unless --no-reset) and its main session, and
// defines the testdrive.* variables.
std::optional<Failure> Prepare(FileRun& run, uint64_t file_seed) {
  FileState& st = run.state();
  const RunConfig& config = run.config();
  auto temp = MakeTempDir("faultline-td");
  if (!temp) return Failure{{1, 1}, temp.error()};
  st.temp_dir = *temp;
  auto deadline = run.Deadline();
  auto admin = Session::Connect(config.url, "", deadline);
  if (auto* e = std::get_if<SqlError>(&admin)) {
    return Failure{{1, 1}, "cannot connect to " + config.url + ": " + e->message, {}, true};
  }
  Session& a = std::get<Session>(admin);
  if (config.reset) {
    st.database = fmt::format("faultline_td_{}", config.seed);
    for (const std::string& sql :
         {fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", Quoted(st.database)),
          fmt::format("CREATE DATABASE {}", Quoted(st.database))}) {
      auto r = QueryOnce(run, a, sql, Location{1, 1});
      if (auto* f = std::get_if<Failure>(&r)) {
        f->message = "clean start failed: " + f->message;
        return *f;
      }
    }
  }
  auto main = Session::Connect(config.url, st.database, deadline);
  if (auto* e = std::get_if<SqlError>(&main)) {
    return Failure{{1, 1}, "cannot connect: " + e->message, {}, true};
  }
  st.session = std::move(std::get<Session>(main));
  st.vars["testdrive.seed"] = std::to_string(config.seed);
  st.vars["testdrive.file-seed"] = std::to_string(file_seed);
  st.vars["testdrive.temp-dir"] = st.temp_dir;
  st.vars["testdrive.materialize-sql-addr"] = a.Address();
  st.vars["testdrive.materialize-user"] = a.user();
  st.vars["testdrive.database"] = st.database;
  st.vars["testdrive.default-timeout"] = std::to_string(config.default_timeout.count()) + "ms";
  return std::nullopt;
}

void Cleanup(FileRun& run) {
  FileState& st = run.state();
  st.connections.clear();
  st.session.reset();
  if (!st.database.empty()) {
    auto admin = Session::Connect(run.config().url, "", run.Deadline());
    if (auto* a = std::get_if<Session>(&admin)) {
      (void)a->Query(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", Quoted(st.database)),
                     run.Deadline());
    }
  }
  if (!st.temp_dir.empty()) (void)RemoveTree(st.temp_dir);
}

std::optional<Failure> RunCommand(FileRun& run, const Command& command) {
  return std::visit(
      [&](const auto& c) -> std::optional<Failure> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, SqlQuery>) {
          return RunQuery(run, c);
        } else if constexpr (std::is_same_v<T, SqlFailure>) {
          return RunExpectFailure(run, c);
        } else if constexpr (std::is_same_v<T, SqlExplain>) {
          return RunExplain(run, c);
        } else {
          return c.spec->run(run, c);
        }
      },
      command);
}

}  // namespace

FileResult RunScript(const Script& script, const RunConfig& config) {
  auto start = Clock::now();
  FileResult result;
  uint64_t file_seed = DeriveSeed(config.seed, script.name);
  FileRun run(config, file_seed);
  result.failure = Prepare(run, file_seed);
  for (size_t i = 0; !result.failure && i < script.commands.size(); ++i) {
    const Command& c = script.commands[i];
    const auto* builtin = std::get_if<Builtin>(&c);
    const Location& at = LocationOf(c);
    // As testdrive does, at run time: inside a skipped region only skip-end runs, and a skip-if
    // there is an error (a skip-if whose query said false opened no region, so it may be
    // followed by another).
    if (run.state().skipping && builtin && builtin->name == "skip-if") {
      result.failure = Failure{at, fmt::format("nested skip-if not allowed: the skip-if of line {} "
                                               "is still skipping (close it with skip-end)",
                                               run.state().skip_from.line)};
      break;
    }
    if (run.state().skipping && !(builtin && builtin->name == "skip-end")) continue;
    run.Log(fmt::format("{}:{}: {}", script.name, at.line, SourceLine(script.lines, at.line)));
    result.failure = RunCommand(run, c);
    ++result.commands_run;
  }
  Cleanup(run);
  result.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
  return result;
}

std::string FormatFailure(const Script& script, const Failure& failure) {
  std::string out = FormatDiagnostic(script.name, Diagnostic{failure.at, failure.message},
                                     SourceLine(script.lines, failure.at.line));
  for (const auto& d : failure.details) out += "  " + d + "\n";
  return out;
}

}  // namespace faultline::td
