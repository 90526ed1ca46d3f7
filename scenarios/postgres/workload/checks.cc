// anytime_, eventually_ and finally_: the model against the primary, and the replica and the
// subscriber against the primary.
//
// - anytime_ (faults on): reads work on each server and replication is connected (Sometimes),
//   and the primary still holds every acknowledged write (Always; only losses are judged, since
//   drivers keep writing while it looks).
// - eventually_ (faults healed, drivers killed): asks for a quiet period, checks the primary fully,
//   then writes a unique sentinel on the primary, waits until both replicas show it and compares
//   every key; a difference (a late commit can land after the sentinel) starts another round,
//   until the deadline.
// - finally_ (every command ended on its own): the same checks, comparing until the states agree
//   or the deadline passes, without a sentinel.
#include <faultline/sdk.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>

#include "workload.h"

extern char** environ;

namespace pgworkload {
namespace {

constexpr size_t kDetailLimit = 10;  // items listed in a property's details

std::string WriteValue(const Write& w) {
  return w.op == Op::kDelete ? std::string("(delete)") : w.value;
}

void ReportPrimaryVerdict(std::string_view mode, const PrimaryVerdict& v, bool judged_all) {
  faultline::Array lost;
  for (size_t i = 0; i < v.losses.size() && i < kDetailLimit; ++i) {
    const Loss& l = v.losses[i];
    lost.add(faultline::Details{{"key", l.write.key},
                                {"value", WriteValue(l.write)},
                                {"version", l.write.version},
                                {"found", DescribeState(l.found)},
                                {"why", l.why}});
  }
  const Loss* first = v.losses.empty() ? nullptr : &v.losses.front();
  FAULTLINE_ALWAYS(v.losses.empty(), "acknowledged upserts survive on the primary",
                   {{"key", first ? first->write.key : ""},
                    {"value", first ? WriteValue(first->write) : ""},
                    {"version", first ? first->write.version : 0},
                    {"found", first ? DescribeState(first->found) : ""},
                    {"why", first ? first->why : ""},
                    {"batch", first ? first->write.batch : ""},
                    {"lost_count", v.losses.size()},
                    {"lost", lost},
                    {"acknowledged_writes", v.acknowledged}});
  FAULTLINE_SOMETIMES(v.keys_with_acknowledged > 0,
                      "the primary was checked against acknowledged writes",
                      {{"keys", v.keys_with_acknowledged}, {"acknowledged", v.acknowledged}});
  for (const Loss& l : v.losses) {
    Say(mode, fmt::format("LOST: key {} value {} (version {}, batch {}): {}; the primary holds {}",
                          l.write.key, WriteValue(l.write), l.write.version, l.write.batch, l.why,
                          DescribeState(l.found)));
  }
  if (!judged_all) return;
  faultline::Array strange;
  for (size_t i = 0; i < v.unexplained.size() && i < kDetailLimit; ++i) {
    const Unexplained& u = v.unexplained[i];
    strange.add(
        faultline::Details{{"key", u.key}, {"found", DescribeState(u.found)}, {"why", u.why}});
  }
  FAULTLINE_ALWAYS(v.unexplained.empty(), "the primary holds only values the workload wrote",
                   {{"count", v.unexplained.size()}, {"keys", strange}});
  for (const Unexplained& u : v.unexplained) {
    Say(mode, fmt::format("UNEXPLAINED: key {}: {}", u.key, u.why));
  }
}

// Reads the model, then the primary (in that order: every write acknowledged before the model
// was read has committed before the primary is read), and reports the verdict.
StepOutcome CheckPrimaryOnce(std::string_view mode, Model& model, Endpoint& primary,
                             PrimaryCheckOptions options, std::string* error) {
  std::vector<Write> writes;
  if (!model.LoadApplicable(&writes, error)) return StepOutcome::kFatal;
  ServerState state;
  StepOutcome o = ReadState(primary, 10s, &state, error);
  if (o != StepOutcome::kOk) return o;
  PrimaryVerdict v = CheckPrimary(writes, state, options);
  ReportPrimaryVerdict(mode, v, options.judge_unexplained);
  return StepOutcome::kOk;
}

StepOutcome ReadSentinel(Endpoint& e, std::string* token, std::string* error) {
  PgResult r = e.Exec("SELECT token FROM sentinel WHERE id = 1", {}, 5s);
  StepOutcome o = Classify(r);
  if (o != StepOutcome::kOk) {
    *error = fmt::format("reading the sentinel on {}: {}", e.Address(), r.Describe());
    return o;
  }
  *token = r.rows.empty() || !r.rows[0][0] ? "" : *r.rows[0][0];
  return StepOutcome::kOk;
}

// One replica's convergence, as the check goes.
struct Target {
  explicit Target(Endpoint e) : endpoint(std::move(e)) {}
  Endpoint endpoint;
  bool converged = false;
  bool with_data = false;
  std::vector<std::string> differences;
  std::string problem;  // why the last round could not compare
  int rounds = 0;
};

bool HasData(const ServerState& s) {
  for (const auto& [k, state] : s) {
    if (state.counter > 0) return true;
  }
  return false;
}

class Convergence {
 public:
  Convergence(const Config& c, Endpoint& primary, bool sentinel)
      : c_(c), primary_(primary), sentinel_(sentinel) {
    targets_.emplace_back(Endpoint(c, Server::kReplica, "faultline-check"));
    targets_.emplace_back(Endpoint(c, Server::kSubscriber, "faultline-check"));
  }
  // Runs rounds until every target agrees with the primary or the deadline passes. False (with
  // *error) when the primary itself could not be read or the schema is gone.
  bool Run(Clock::time_point deadline, std::string* error);
  void Report(std::string_view mode) const;
  // Whether some target could not be compared at all (unreachable, sentinel never arrived).
  bool incomplete() const {
    return std::any_of(targets_.begin(), targets_.end(),
                       [](const Target& t) { return !t.converged && !t.problem.empty(); });
  }

 private:
  StepOutcome WriteSentinel(Clock::time_point deadline, std::string* token, std::string* error);
  // Waits until `t` shows `token`; false (t.problem set) at the deadline.
  bool AwaitSentinel(Target& t, const std::string& token, Clock::time_point deadline);
  void Compare(Target& t, const ServerState& primary);

  const Config& c_;
  Endpoint& primary_;
  bool sentinel_;
  std::vector<Target> targets_;
};

StepOutcome Convergence::WriteSentinel(Clock::time_point deadline, std::string* token,
                                       std::string* error) {
  *token = fmt::format("sentinel-{:016x}", faultline::get_random());
  PgResult last;
  StepOutcome o = Retry(deadline - Clock::now(), [&] {
    last = primary_.Exec(
        "INSERT INTO sentinel (id, token) VALUES (1, $1) "
        "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token",
        {*token}, 10s);
    return Classify(last);
  });
  if (o != StepOutcome::kOk) {
    *error = fmt::format("writing the sentinel on {}: {}", primary_.Address(), last.Describe());
  }
  return o;
}

bool Convergence::AwaitSentinel(Target& t, const std::string& token, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    std::string seen, error;
    StepOutcome o = ReadSentinel(t.endpoint, &seen, &error);
    if (o == StepOutcome::kOk && seen == token) return true;
    t.problem = o == StepOutcome::kOk
                    ? fmt::format("the sentinel {} did not arrive (it shows '{}')", token, seen)
                    : error;
    if (o == StepOutcome::kFatal) return false;
    Pause(100ms);
  }
  return false;
}

void Convergence::Compare(Target& t, const ServerState& primary) {
  ServerState other;
  std::string error;
  StepOutcome o = ReadState(t.endpoint, 10s, &other, &error);
  if (o != StepOutcome::kOk) {
    t.problem = error;
    return;
  }
  t.problem.clear();
  t.differences = Differences(primary, other, std::string(ServerName(t.endpoint.server())));
  t.converged = t.differences.empty();
  t.with_data = HasData(primary);
}

bool Convergence::Run(Clock::time_point deadline, std::string* error) {
  bool pending = true;
  while (pending && Clock::now() < deadline) {
    std::string token;
    if (sentinel_) {
      StepOutcome o = WriteSentinel(deadline, &token, error);
      if (o != StepOutcome::kOk) return false;
    }
    std::vector<bool> arrived(targets_.size(), true);
    for (size_t i = 0; i < targets_.size(); ++i) {
      if (!targets_[i].converged && sentinel_) {
        arrived[i] = AwaitSentinel(targets_[i], token, deadline);
      }
    }
    ServerState primary;
    StepOutcome o =
        Retry(deadline - Clock::now(), [&] { return ReadState(primary_, 10s, &primary, error); });
    if (o != StepOutcome::kOk) return false;
    for (size_t i = 0; i < targets_.size(); ++i) {
      Target& t = targets_[i];
      // Without the sentinel, equal states prove nothing: replication may be stopped.
      if (t.converged || !arrived[i]) continue;
      ++t.rounds;
      Compare(t, primary);
    }
    pending =
        std::any_of(targets_.begin(), targets_.end(), [](const Target& t) { return !t.converged; });
    if (pending) Pause(sentinel_ ? 100ms : 250ms);
  }
  return true;
}

void Convergence::Report(std::string_view mode) const {
  for (const Target& t : targets_) {
    bool replica = t.endpoint.server() == Server::kReplica;
    faultline::Details d{{"server", std::string(ServerName(t.endpoint.server()))},
                         {"rounds", t.rounds},
                         {"problem", t.problem},
                         {"differences", t.differences.size()}};
    faultline::Array shown;
    for (size_t i = 0; i < t.differences.size() && i < kDetailLimit; ++i) {
      shown.add(t.differences[i]);
    }
    d.set("first_differences", shown);
    if (replica) {
      FAULTLINE_ALWAYS(t.converged, "replica converges to the primary", d);
      FAULTLINE_SOMETIMES(t.converged && t.with_data, "replica convergence was checked with data");
    } else {
      FAULTLINE_ALWAYS(t.converged, "subscriber converges to the primary", d);
      FAULTLINE_SOMETIMES(t.converged && t.with_data,
                          "subscriber convergence was checked with data");
    }
    std::string name(ServerName(t.endpoint.server()));
    if (t.converged) {
      Say(mode, fmt::format("{} agrees with the primary after {} round(s)", name, t.rounds));
      continue;
    }
    Say(mode,
        fmt::format(
            "{} did NOT converge to the primary within {}: {}", name, FormatSeconds(c_.check_time),
            t.problem.empty() ? std::to_string(t.differences.size()) + " keys differ" : t.problem));
    for (const auto& line : t.differences) Say(mode, "  " + line);
  }
}

// ANTITHESIS_STOP_FAULTS N: faults stop and heal, and stay off for N seconds.
void AskForQuiet(std::string_view mode, const Config& c) {
  if (c.stop_faults.empty()) return;
  std::string seconds =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(c.check_time).count());
  char* argv[] = {const_cast<char*>(c.stop_faults.c_str()), seconds.data(), nullptr};
  pid_t pid = 0;
  int status = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv, environ) != 0 ||
      waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Say(mode, fmt::format("asking for a quiet period ({} {}) failed; checking anyway",
                          c.stop_faults, seconds));
  }
}

// A subscription that a fault disabled stays disabled if its heal never ran: enable it.
StepOutcome EnableSubscription(const Config& c, std::string* error) {
  Endpoint subscriber(c, Server::kSubscriber, "faultline-check");
  PgResult last;
  StepOutcome o = Retry(c.check_time / 3, [&] {
    last = subscriber.Exec("ALTER SUBSCRIPTION faultline_sub ENABLE", {}, 10s);
    return Classify(last);
  });
  if (o != StepOutcome::kOk) {
    *error =
        fmt::format("enabling the subscription on {}: {}", subscriber.Address(), last.Describe());
  }
  return o;
}

// eventually_ and finally_.
int RunFinalCheck(const Config& c, std::string_view mode, bool sentinel) {
  auto deadline = Clock::now() + c.check_time;
  if (sentinel) AskForQuiet(mode, c);
  Endpoint primary(c, Server::kPrimary, "faultline-check");
  std::string error;
  std::unique_ptr<Model> model;
  if (OpenModelChecked(c, primary, c.check_time / 2, &model, &error) != StepOutcome::kOk) {
    return Fail(mode, error);
  }
  ModelCounts counts;
  if (!model->Counts(&counts, &error)) return Fail(mode, error);
  Say(mode, fmt::format("model: {} acknowledged, {} failed, {} indeterminate, {} pending writes "
                        "(a pending write's driver was killed before it learned the outcome)",
                        counts.ok, counts.failed, counts.indeterminate, counts.pending));
  StepOutcome o = Retry(deadline - Clock::now(), [&] {
    return CheckPrimaryOnce(mode, *model, primary, {.judge_unexplained = true}, &error);
  });
  if (o != StepOutcome::kOk) return Fail(mode, error);
  // A subscriber that cannot be reached fails its convergence below, with the reason.
  bool enabled = EnableSubscription(c, &error) != StepOutcome::kFatal;
  if (!enabled) return Fail(mode, error);
  Convergence convergence(c, primary, sentinel);
  if (!convergence.Run(deadline, &error)) return Fail(mode, error);
  convergence.Report(mode);
  if (convergence.incomplete()) {
    return Fail(mode, "a replica could not be compared with the primary (see above)");
  }
  return kExitOk;
}

}  // namespace

int RunAnytime(const Config& c) {
  constexpr std::string_view kMode = "anytime";
  Endpoint primary(c, Server::kPrimary, "faultline-anytime");
  std::string error;
  std::unique_ptr<Model> model;
  StepOutcome opened = OpenModelChecked(c, primary, 3s, &model, &error);
  if (opened == StepOutcome::kFatal) return Fail(kMode, error);
  if (opened == StepOutcome::kOk) {
    StepOutcome o = CheckPrimaryOnce(kMode, *model, primary, {}, &error);
    if (o == StepOutcome::kFatal) return Fail(kMode, error);
    FAULTLINE_SOMETIMES(o == StepOutcome::kOk, "reads work on the primary");
  }
  PgResult streams = primary.Exec(
      "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'", {}, 3s);
  bool replica_streams = false, subscription_streams = false;
  for (const Row& row : streams.rows) {
    replica_streams |= row[0] == "replica";
    subscription_streams |= row[0] == "faultline_sub";
  }
  FAULTLINE_SOMETIMES(replica_streams, "the replica streams from the primary");
  FAULTLINE_SOMETIMES(subscription_streams, "the subscription streams from the primary");
  for (Server s : {Server::kReplica, Server::kSubscriber}) {
    Endpoint e(c, s, "faultline-anytime");
    ServerState state;
    StepOutcome o = ReadState(e, 3s, &state, &error);
    if (o == StepOutcome::kFatal) return Fail(kMode, error);
    if (s == Server::kReplica) {
      FAULTLINE_SOMETIMES(o == StepOutcome::kOk, "reads work on the replica");
    } else {
      FAULTLINE_SOMETIMES(o == StepOutcome::kOk, "reads work on the subscriber");
    }
  }
  return kExitOk;
}

int RunEventually(const Config& c) { return RunFinalCheck(c, "eventually", true); }
int RunFinally(const Config& c) { return RunFinalCheck(c, "finally", false); }

}  // namespace pgworkload
