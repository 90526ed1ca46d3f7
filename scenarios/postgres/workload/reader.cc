// parallel_driver_ (read): reads every key from the replica and the subscriber, and checks that
// a session never sees a key go back to an older version than it already saw. A session is one
// server incarnation (its postmaster start time): reconnecting through the proxy keeps it, a
// restart of the server begins a new one, since a restarted standby or subscriber may come back
// at an older point (PostgreSQL promises nothing across a restart).
#include <faultline/sdk.h>
#include <fmt/format.h>

#include "workload.h"

namespace pgworkload {
namespace {

constexpr std::string_view kMode = "read";

struct Replica {
  Endpoint endpoint;
  std::string incarnation;
  ReadSession session;
  int64_t sessions = 0;
};

// One read of `r`; false with *fatal set when the command must stop.
bool ReadOnce(Replica& r, bool* answered, std::string* fatal) {
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
  if (incarnation != r.incarnation) {
    r.incarnation = incarnation;
    r.session.Reset();
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
  FAULTLINE_SOMETIMES(r.session.advances() > 0, "a replica read session saw a key advance",
                      {{"server", server}, {"reads", r.session.reads()}});
  return true;
}

}  // namespace

int RunReader(const Config& c) {
  std::vector<Replica> replicas;
  replicas.push_back({Endpoint(c, Server::kReplica, "faultline-read"), "", {}, 0});
  replicas.push_back({Endpoint(c, Server::kSubscriber, "faultline-read"), "", {}, 0});
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
    if (!ReadOnce(r, &answered, &fatal)) return Fail(kMode, fatal);
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
