// first_: the schema on the primary and the subscriber, the publication and the subscription, the
// model with its token; returns once the replica and the subscriber have caught up, so that the
// drivers that start next find their tables everywhere.
#include <faultline/sdk.h>
#include <fmt/format.h>

#include "workload.h"

namespace pgworkload {
namespace {

constexpr std::string_view kMode = "setup";

// The tables, on the primary and (empty, filled by the subscription) on the subscriber.
constexpr const char* kTables = R"sql(
DROP TABLE IF EXISTS kv, key_versions, sentinel, workload_meta;
CREATE TABLE kv (k text PRIMARY KEY, v text NOT NULL, version bigint NOT NULL);
CREATE TABLE key_versions (k text PRIMARY KEY, version bigint NOT NULL);
CREATE TABLE sentinel (id int PRIMARY KEY, token text NOT NULL);
CREATE TABLE workload_meta (name text PRIMARY KEY, value text NOT NULL);
)sql";

constexpr const char* kPrimaryData = R"sql(
INSERT INTO key_versions SELECT format('k%s', lpad(i::text, 3, '0')), 0
  FROM generate_series(0, 63) AS i;
DROP PUBLICATION IF EXISTS faultline_pub;
CREATE PUBLICATION faultline_pub FOR TABLE kv, key_versions, sentinel, workload_meta;
)sql";

// Runs one step, retrying transient failures; on failure sets *error.
bool Step(Endpoint& e, std::string_view what, std::string_view sql,
          const std::vector<std::string>& params, Clock::duration budget, std::string* error) {
  PgResult last;
  StepOutcome o = Retry(budget, [&] {
    last = e.Exec(sql, params, 30s);
    return Classify(last);
  });
  if (o == StepOutcome::kOk) return true;
  *error = fmt::format("{} on {}: {}", what, e.Address(), last.Describe());
  return false;
}

bool CreateSchema(const Config& c, Endpoint& primary, Endpoint& subscriber,
                  const std::string& token, std::string* error) {
  // A subscription left from an earlier setup goes first: it holds a slot on the primary.
  return Step(subscriber, "dropping an old subscription",
              "DROP SUBSCRIPTION IF EXISTS faultline_sub", {}, c.reach_time, error) &&
         Step(primary, "dropping an old replication slot",
              "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
              "WHERE slot_name = 'faultline_sub' AND NOT active",
              {}, c.reach_time, error) &&
         Step(primary, "creating the tables", kTables, {}, c.reach_time, error) &&
         Step(primary, "filling the counters", kPrimaryData, {}, c.reach_time, error) &&
         Step(primary, "storing the model token",
              "INSERT INTO workload_meta (name, value) VALUES ('model_token', $1)", {token},
              c.reach_time, error) &&
         Step(subscriber, "creating the tables", kTables, {}, c.reach_time, error) &&
         Step(subscriber, "creating the subscription",
              fmt::format("CREATE SUBSCRIPTION faultline_sub CONNECTION 'host={} port={} "
                          "user={} dbname={} application_name=faultline_sub' "
                          "PUBLICATION faultline_pub",
                          c.primary_host_for_subscriber.empty() ? c.Host(Server::kPrimary)
                                                                : c.primary_host_for_subscriber,
                          c.primary_port_for_subscriber, c.user, c.database),
              {}, c.reach_time, error);
}

// Waits until `e` shows the token (and, on the subscriber, every table is synchronized).
bool WaitCaughtUp(const Config& c, Endpoint& e, const std::string& token, std::string* error) {
  std::string last = "no answer yet";
  StepOutcome o = Retry(c.check_time, [&] {
    std::string seen, read_error;
    StepOutcome r = ReadToken(e, 5s, &seen, &read_error);
    if (r != StepOutcome::kOk) {
      last = read_error;
      // Until the subscription's first sync the table may be missing on a replica: wait.
      return r == StepOutcome::kFatal && e.server() == Server::kPrimary ? r
                                                                        : StepOutcome::kTransient;
    }
    if (seen != token) {
      last = seen.empty() ? "the token has not arrived" : "an older token is there: " + seen;
      return StepOutcome::kTransient;
    }
    if (e.server() != Server::kSubscriber) return StepOutcome::kOk;
    PgResult sync = e.Exec(
        "SELECT count(*) FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid "
        "WHERE s.subname = 'faultline_sub' AND r.srsubstate NOT IN ('r', 's')",
        {}, 5s);
    if (!sync.ok() || sync.rows.empty() || sync.rows[0][0] != "0") {
      last = sync.ok() ? "tables still synchronizing" : sync.Describe();
      return StepOutcome::kTransient;
    }
    return StepOutcome::kOk;
  });
  if (o == StepOutcome::kOk) return true;
  *error = fmt::format("{} did not catch up with the setup within {}: {}", e.Address(),
                       FormatSeconds(c.check_time), last);
  return false;
}

}  // namespace

int RunSetup(const Config& c) {
  Endpoint primary(c, Server::kPrimary, "faultline-setup");
  Endpoint replica(c, Server::kReplica, "faultline-setup");
  Endpoint subscriber(c, Server::kSubscriber, "faultline-setup");
  std::string error;
  std::string token = fmt::format("{:016x}", faultline::get_random());
  auto model = Model::Create(c.model_path, token, &error);
  if (!model) return Fail(kMode, error);
  if (!CreateSchema(c, primary, subscriber, token, &error)) return Fail(kMode, error);
  for (Endpoint* e : {&replica, &subscriber}) {
    if (!WaitCaughtUp(c, *e, token, &error)) return Fail(kMode, error);
  }
  FAULTLINE_REACHABLE("the workload's setup completed", {{"token", token}});
  Say(kMode, fmt::format("schema, publication and subscription ready; model {} (token {})",
                         c.model_path, token));
  return kExitOk;
}

}  // namespace pgworkload
