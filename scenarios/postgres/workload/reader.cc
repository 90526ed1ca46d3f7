// parallel_driver_ (read): reads every key from the replica and the subscriber, and checks that
// a session never sees a key go back to an older version than it already saw. A session is one
// server incarnation (its postmaster start time): reconnecting through the proxy keeps it, a
// restart of the server begins a new one, since a restarted standby or subscriber may come back
// at an older point (PostgreSQL promises nothing across a restart). "A replica read session saw
// a key advance" is asserted only by a session during which the model recorded new writes (and is
// not registered before main): a session with no write beside it (faultline validate runs one
// command at a time) had nothing to see move.
#include <faultline/sdk.h>
#include <fmt/format.h>

#include "model.h"
#include "workload.h"

namespace pgworkload {
namespace {

constexpr std::string_view kMode = "read";
// How often the reader asks the model whether drivers wrote.
constexpr auto kModelPoll = std::chrono::milliseconds(500);

struct Replica {
  Endpoint endpoint;
  std::string incarnation;
  ReadSession session;
  int64_t sessions = 0;
  int64_t writes_before = 0;  // the model's last write id when this session began
};

// The model's last write id, asked at most every kModelPoll.
class WriteWatch {
 public:
  explicit WriteWatch(Model& model) : model_(model) {}
  // False with *error when the model cannot be read.
  bool Last(int64_t* out, std::string* error) {
    auto now = Clock::now();
    if (!asked_ || now - asked_at_ >= kModelPoll) {
      if (!model_.LastWriteId(&last_, error)) return false;
      asked_ = true;
      asked_at_ = now;
    }
    *out = last_;
    return true;
  }

 private:
  Model& model_;
  bool asked_ = false;
  Clock::time_point asked_at_;
  int64_t last_ = 0;
};

// One read of `r`; false with *fatal set when the command must stop.
bool ReadOnce(Replica& r, WriteWatch& writes, bool* answered, std::string* fatal) {
  ServerState state;
  std::string error, incarnation;
  StepOutcome o = ReadState(r.endpoint, 5s, &state, &error, &incarnation);
  if (o == StepOutcome::kFatal) {
    *fatal = error;
    return false;
  }
  if (o == StepOutcome::kTransient) {
    r.endpoint.set_last_error(error);
    return true;
  }
  *answered = true;
  int64_t last_write = 0;
  if (!writes.Last(&last_write, fatal)) return false;
  if (incarnation != r.incarnation) {
    r.incarnation = incarnation;
    r.session.Reset();
    r.writes_before = last_write;
    ++r.sessions;
  }
  std::string server(ServerName(r.endpoint.server()));
  auto back = r.session.Observe(state);
  faultline::Array regressions;
  for (const auto& g : back) {
    regressions.add(faultline::Details{{"key", g.key}, {"seen", g.seen}, {"now", g.now}});
  }
  FAULTLINE_ALWAYS(back.empty(), "reads on a replica never go back in time",
                   {{"server", server},
                    {"server_started", incarnation},
                    {"first_key", back.empty() ? "" : back[0].key},
                    {"regressions", regressions}});
  auto torn = TornRows(state);
  FAULTLINE_ALWAYS(torn.empty(), "replica reads see whole transactions",
                   {{"server", server}, {"rows", faultline::Array(torn)}});
  // The function form, not the macro: a macro registers its property before main, and a
  // registered Sometimes that no session could reach (faultline validate runs one command at a
  // time, so no write runs beside a read) would fail as "never reached".
  if (last_write > r.writes_before) {
    faultline::sometimes(r.session.advances() > 0, "a replica read session saw a key advance",
                         {{"server", server},
                          {"reads", r.session.reads()},
                          {"writes_since_session_began", last_write - r.writes_before}});
  }
  return true;
}

}  // namespace

int RunReader(const Config& c) {
  std::string error;
  auto model = Model::Open(c.model_path, &error);
  if (!model) return Fail(kMode, error);
  WriteWatch writes(*model);
  std::vector<Replica> replicas;
  replicas.push_back({Endpoint(c, Server::kReplica, "faultline-read"), "", {}, 0, 0});
  replicas.push_back({Endpoint(c, Server::kSubscriber, "faultline-read"), "", {}, 0, 0});
  auto start = Clock::now();
  bool answered = false;
  int64_t reads = 0;
  std::string fatal;
  while (true) {
    auto now = Clock::now();
    if (now - start >= c.driver_time && (answered || now - start >= c.reach_time)) break;
    Replica& r = replicas[faultline::random_below(replicas.size())];
    if (!r.endpoint.connected() && !r.endpoint.Get(3s)) {
      Pause(std::chrono::milliseconds(100 + faultline::random_below(200)));
      continue;
    }
    if (!ReadOnce(r, writes, &answered, &fatal)) return Fail(kMode, fatal);
    ++reads;
    Pause(std::chrono::milliseconds(faultline::random_below(20)));
  }
  if (!answered) {
    return Fail(kMode,
                fmt::format("neither the replica nor the subscriber answered in {}: {}; {}",
                            FormatSeconds(Clock::now() - start), replicas[0].endpoint.last_error(),
                            replicas[1].endpoint.last_error()));
  }
  Say(kMode, fmt::format("{} reads; {} replica sessions, {} subscriber sessions", reads,
                         replicas[0].sessions, replicas[1].sessions));
  return kExitOk;
}

}  // namespace pgworkload
