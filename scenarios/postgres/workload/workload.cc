#include "workload.h"

#include <faultline/sdk.h>
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace pgworkload {
namespace {

// The state of every key in one statement (one snapshot): counters, rows and the two joined.
constexpr const char* kStateQuery =
    "SELECT c.k, c.version, kv.v, kv.version FROM key_versions c LEFT JOIN kv ON kv.k = c.k "
    "ORDER BY c.k";
constexpr const char* kStateAndStartQuery =
    "SELECT c.k, c.version, kv.v, kv.version, pg_postmaster_start_time()::text "
    "FROM key_versions c LEFT JOIN kv ON kv.k = c.k ORDER BY c.k";

bool ParseInt64(std::string_view text, int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool PortFrom(const char* name, bool required, int* out, std::string* error) {
  const char* v = std::getenv(name);
  if (!v || !*v) {
    if (required)
      *error = fmt::format("{} is not set (the scenario's workload env names it)", name);
    return !required;
  }
  int64_t n = 0;
  if (!ParseInt64(v, &n) || n < 1 || n > 65535) {
    *error = fmt::format("{}='{}' is not a port number", name, v);
    return false;
  }
  *out = static_cast<int>(n);
  return true;
}

bool SecondsFrom(const char* name, Clock::duration* out, std::string* error) {
  const char* v = std::getenv(name);
  if (!v || !*v) return true;
  int64_t n = 0;
  if (!ParseInt64(v, &n) || n < 1 || n > 3600) {
    *error = fmt::format("{}='{}' is not a number of seconds (1..3600)", name, v);
    return false;
  }
  *out = std::chrono::seconds(n);
  return true;
}

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

std::string KeyName(int i) { return fmt::format("k{:03}", i); }

std::string_view ServerName(Server s) {
  switch (s) {
    case Server::kPrimary:
      return "primary";
    case Server::kReplica:
      return "replica";
    case Server::kSubscriber:
      return "subscriber";
  }
  return "?";
}

int Config::Port(Server s) const {
  switch (s) {
    case Server::kPrimary:
      return primary_port;
    case Server::kReplica:
      return replica_port;
    case Server::kSubscriber:
      return subscriber_port;
  }
  return 0;
}

const std::string& Config::Host(Server s) const {
  const std::string& own = s == Server::kPrimary   ? primary_host
                           : s == Server::kReplica ? replica_host
                                                   : subscriber_host;
  return own.empty() ? host : own;
}

std::string Config::Conninfo(Server s, std::string_view application) const {
  return fmt::format("host={} port={} user={} dbname={} connect_timeout=5 application_name={}",
                     Host(s), Port(s), user, database, application);
}

std::string Config::Address(Server s) const {
  return fmt::format("{} ({}:{})", ServerName(s), Host(s), Port(s));
}

bool LoadConfig(Config* c, bool needs_subscriber_port, std::string* error) {
  c->host = EnvOr("PGHOST", c->host);
  c->primary_host = EnvOr("PRIMARY_HOST", "");
  c->replica_host = EnvOr("REPLICA_HOST", "");
  c->subscriber_host = EnvOr("SUBSCRIBER_HOST", "");
  c->primary_host_for_subscriber = EnvOr("PRIMARY_HOST_FOR_SUBSCRIBER", "");
  c->user = EnvOr("PGUSER", c->user);
  c->database = EnvOr("PGDATABASE", c->database);
  c->model_path = EnvOr("MODEL", "");
  c->source = EnvOr("FAULTLINE_SOURCE", c->source);
  c->stop_faults = EnvOr("ANTITHESIS_STOP_FAULTS", "");
  if (c->model_path.empty()) {
    *error = "MODEL is not set (the path of the workload's model, in the history's folder)";
    return false;
  }
  return PortFrom("PRIMARY_PORT", true, &c->primary_port, error) &&
         PortFrom("REPLICA_PORT", true, &c->replica_port, error) &&
         PortFrom("SUBSCRIBER_PORT", true, &c->subscriber_port, error) &&
         PortFrom("PRIMARY_PORT_FOR_SUBSCRIBER", needs_subscriber_port,
                  &c->primary_port_for_subscriber, error) &&
         SecondsFrom("WORKLOAD_DRIVER_SECONDS", &c->driver_time, error) &&
         SecondsFrom("WORKLOAD_REACH_SECONDS", &c->reach_time, error) &&
         SecondsFrom("WORKLOAD_CHECK_SECONDS", &c->check_time, error);
}

StepOutcome Classify(const PgResult& r) {
  switch (r.status) {
    case PgResult::Status::kOk:
      return StepOutcome::kOk;
    case PgResult::Status::kConnectionLost:
    case PgResult::Status::kTimeout:
      return StepOutcome::kTransient;
    case PgResult::Status::kServerError:
      return IsTransientSqlState(r.sqlstate) ? StepOutcome::kTransient : StepOutcome::kFatal;
  }
  return StepOutcome::kFatal;
}

PgSession* Endpoint::Get(Clock::duration budget) {
  if (session_ && session_->usable()) return session_.get();
  session_.reset();
  std::string error;
  session_ =
      PgSession::Connect(config_.Conninfo(server_, application_), Clock::now() + budget, &error);
  if (!session_) last_error_ = fmt::format("cannot connect to {}: {}", Address(), error);
  return session_.get();
}

PgResult Endpoint::Exec(std::string_view sql, const std::vector<std::string>& params,
                        Clock::duration timeout) {
  PgSession* s = Get(std::min<Clock::duration>(timeout, 5s));
  if (!s) {
    PgResult r;
    r.status = PgResult::Status::kConnectionLost;
    r.message = last_error_;
    return r;
  }
  PgResult r = s->Exec(sql, params, Clock::now() + timeout);
  if (!r.ok()) {
    last_error_ = fmt::format("{}: {}", Address(), r.Describe());
    if (!s->usable()) session_.reset();
  }
  return r;
}

StepOutcome ReadState(Endpoint& e, Clock::duration timeout, ServerState* out, std::string* error,
                      std::string* incarnation) {
  PgResult r = e.Exec(incarnation ? kStateAndStartQuery : kStateQuery, {}, timeout);
  size_t columns = incarnation ? 5 : 4;
  StepOutcome o = Classify(r);
  if (o != StepOutcome::kOk) {
    *error = fmt::format("reading the keys on {}: {}", e.Address(), r.Describe());
    return o;
  }
  out->clear();
  for (const Row& row : r.rows) {
    KeyState s;
    if (row.size() != columns || !row[0] || !row[1] || !ParseInt64(*row[1], &s.counter) ||
        (row[3] && !ParseInt64(*row[3], &s.row_version))) {
      *error = fmt::format("{}: unexpected row in key_versions/kv", e.Address());
      return StepOutcome::kFatal;
    }
    s.value = row[2];
    (*out)[*row[0]] = s;
    if (incarnation) *incarnation = row[4].value_or("");
  }
  if (out->empty()) {
    *error =
        fmt::format("{}: key_versions is empty: the setup's counter rows are gone", e.Address());
    return StepOutcome::kFatal;
  }
  return StepOutcome::kOk;
}

StepOutcome ReadToken(Endpoint& e, Clock::duration timeout, std::string* token,
                      std::string* error) {
  PgResult r = e.Exec("SELECT value FROM workload_meta WHERE name = 'model_token'", {}, timeout);
  StepOutcome o = Classify(r);
  if (o != StepOutcome::kOk) {
    *error = fmt::format("reading the model token on {}: {}", e.Address(), r.Describe());
    return o;
  }
  *token = r.rows.empty() || !r.rows[0][0] ? "" : *r.rows[0][0];
  return StepOutcome::kOk;
}

StepOutcome Retry(Clock::duration budget, const std::function<StepOutcome()>& step) {
  auto deadline = Clock::now() + budget;
  Clock::duration pause = 100ms;
  while (true) {
    StepOutcome o = step();
    if (o != StepOutcome::kTransient || Clock::now() + pause >= deadline) return o;
    Pause(pause);
    pause = std::min<Clock::duration>(pause * 2, 1s);
  }
}

StepOutcome OpenModelChecked(const Config& config, Endpoint& primary, Clock::duration budget,
                             std::unique_ptr<Model>* out, std::string* error) {
  std::string token, read_error;
  StepOutcome o = Retry(budget, [&] { return ReadToken(primary, 10s, &token, &read_error); });
  if (o == StepOutcome::kFatal) {
    *error = read_error + " (did the setup command, first_, run?)";
    return o;
  }
  if (o == StepOutcome::kTransient) {
    *error = fmt::format("{} did not answer for {}: {}", primary.Address(), FormatSeconds(budget),
                         read_error);
    return o;
  }
  if (token.empty()) {
    *error = fmt::format("{} has no model token in workload_meta: the setup's data is gone",
                         primary.Address());
    return StepOutcome::kFatal;
  }
  std::string open_error;
  auto model = Model::Open(config.model_path, &open_error);
  if (!model || model->token() != token) {
    FAULTLINE_UNREACHABLE("the workload's model was reset since setup",
                          {{"model", config.model_path},
                           {"problem", model ? "its token is not the setup's" : open_error},
                           {"setup_token", token},
                           {"model_token", model ? model->token() : ""}});
    *error = model ? fmt::format(
                         "the model {} holds token {}, but setup stored {}: it was "
                         "reset since setup",
                         config.model_path, model->token(), token)
                   : open_error + ", although setup made it: it was reset since setup";
    return StepOutcome::kFatal;
  }
  *out = std::move(model);
  return StepOutcome::kOk;
}

int Fail(std::string_view mode, std::string_view message) {
  std::fprintf(stderr, "faultline-pg-workload %.*s: %.*s\n", static_cast<int>(mode.size()),
               mode.data(), static_cast<int>(message.size()), message.data());
  return kExitFailed;
}

void Say(std::string_view mode, std::string_view message) {
  std::printf("faultline-pg-workload %.*s: %.*s\n", static_cast<int>(mode.size()), mode.data(),
              static_cast<int>(message.size()), message.data());
  std::fflush(stdout);
}

void Pause(Clock::duration d) { std::this_thread::sleep_for(d); }

}  // namespace pgworkload
