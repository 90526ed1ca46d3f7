// The upsert workload's commands (faultline-pg-workload MODE): what every mode shares. The
// configuration comes from the environment the scenario gives every command; servers are reached
// through the ports it names (the fault proxy's, for the workload). Each mode is a function that
// returns the process exit code: 0 when it ran, 1 when it could not do its job (a server that
// never answered, a table that is gone, a model that is missing), with the reason on stderr, and
// 2 for a configuration error.
// Single-threaded.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checker.h"
#include "model.h"
#include "pg_session.h"

namespace pgworkload {

using namespace std::chrono_literals;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kKeys = 64;  // k000 .. k063

// "k007".
std::string KeyName(int i);

enum class Server { kPrimary, kReplica, kSubscriber };
std::string_view ServerName(Server s);

struct Config {
  std::string host = "127.0.0.1";  // PGHOST: each server's host unless its own is set
  // PRIMARY_HOST, REPLICA_HOST, SUBSCRIBER_HOST (empty: `host`): one address for all three here,
  // a host name each on a compose network.
  std::string primary_host, replica_host, subscriber_host;
  std::string primary_host_for_subscriber;  // PRIMARY_HOST_FOR_SUBSCRIBER (empty: the primary's)
  std::string user = "postgres";
  std::string database = "postgres";
  int primary_port = 0;
  int replica_port = 0;
  int subscriber_port = 0;
  int primary_port_for_subscriber = 0;  // how the subscriber dials the primary (setup only)
  std::string model_path;
  Clock::duration driver_time = 5s;  // how long one driver invocation writes or reads
  Clock::duration reach_time = 45s;  // how long a server may stay unreachable before giving up
  Clock::duration check_time = 90s;  // the deadline of eventually_ and finally_
  std::string source = "manual";     // FAULTLINE_SOURCE: which invocation this is
  std::string stop_faults;           // ANTITHESIS_STOP_FAULTS

  int Port(Server s) const;
  const std::string& Host(Server s) const;
  std::string Conninfo(Server s, std::string_view application) const;
  std::string Address(Server s) const;  // "primary (127.0.0.1:5432)"
};

// Reads the configuration from the environment. Fails (false, *error) when a variable the mode
// needs is missing or malformed.
bool LoadConfig(Config* config, bool needs_subscriber_port, std::string* error);

// The outcome of one step against a server, as the caller must treat it.
enum class StepOutcome {
  kOk,
  kTransient,  // the server is away or busy (a fault): retry later
  kFatal,      // the schema or the setup is wrong: give up with the error
};
StepOutcome Classify(const PgResult& r);

// One server, connected on demand, remembering the last error for messages.
class Endpoint {
 public:
  Endpoint(const Config& config, Server server, std::string application)
      : config_(config), server_(server), application_(std::move(application)) {}
  // The session, connecting first when there is none; nullptr when the server did not answer
  // within `budget` (last_error() says why).
  PgSession* Get(Clock::duration budget);
  void Drop() { session_.reset(); }
  bool connected() const { return session_ && session_->usable(); }
  // Runs `sql` with a deadline; a lost or timed-out connection is dropped.
  PgResult Exec(std::string_view sql, const std::vector<std::string>& params,
                Clock::duration timeout);
  Server server() const { return server_; }
  std::string Address() const { return config_.Address(server_); }
  const std::string& last_error() const { return last_error_; }
  void set_last_error(std::string e) { last_error_ = std::move(e); }

 private:
  const Config& config_;
  Server server_;
  std::string application_;
  std::unique_ptr<PgSession> session_;
  std::string last_error_;
};

// Reads every key's counter and row in one snapshot; with `incarnation`, also the server's start
// time in the same statement (a server that restarted is a new incarnation).
StepOutcome ReadState(Endpoint& e, Clock::duration timeout, ServerState* out, std::string* error,
                      std::string* incarnation = nullptr);
// Reads the model token the setup stored on `e`; empty when the row is missing.
StepOutcome ReadToken(Endpoint& e, Clock::duration timeout, std::string* token, std::string* error);

// Keeps calling `step` (pausing between tries) until it returns kOk or kFatal or `budget` is
// spent; returns the last outcome.
StepOutcome Retry(Clock::duration budget, const std::function<StepOutcome()>& step);

// Opens the model and checks it against the primary's token: a model that is missing, or whose
// token is not the one setup stored, was reset since setup (an Unreachable property). kOk with
// *model set; kTransient when the primary did not answer within `budget`; kFatal when the command
// cannot go on (*error says why).
StepOutcome OpenModelChecked(const Config& config, Endpoint& primary, Clock::duration budget,
                             std::unique_ptr<Model>* model, std::string* error);

// Prints "faultline-pg-workload MODE: message" on stderr; returns kExitFailed.
int Fail(std::string_view mode, std::string_view message);
// Prints a progress line on stdout.
void Say(std::string_view mode, std::string_view message);
// Sleeps for `d`.
void Pause(Clock::duration d);

// The modes.
int RunSetup(const Config& config);
int RunWriter(const Config& config);
int RunReader(const Config& config);
int RunAnytime(const Config& config);
int RunEventually(const Config& config);
int RunFinally(const Config& config);

}  // namespace pgworkload
