// A workload that uses every kind of assertion of the faultline SDK with known outcomes, for
// src/sdk/sdk_programs_test.cc: it runs this with ANTITHESIS_SDK_LOCAL_OUTPUT set and checks the
// verdicts that faultline's reader and property book draw from the file. Call sites that never
// run sit in functions nobody calls (extern and static) and behind a branch never taken; their
// registrations must still be in the file. Built with the header alone (no faultline_core).
#include <faultline/sdk.h>

#include <cstdint>
#include <string>

// Never called: its call sites are known only through their registrations before main.
void NeverCalled() {
  FAULTLINE_ALWAYS_OR_UNREACHABLE(false, "retry path keeps order");
  FAULTLINE_SOMETIMES(true, "recovery ran");
}

namespace {

// Never called either, and internal: the compiler may drop its code, not its registrations.
[[maybe_unused]] void AlsoNeverCalled() {
  FAULTLINE_REACHABLE("audit reached");
  FAULTLINE_UNREACHABLE("corruption detected");
  FAULTLINE_SOMETIMES_GREATER_THAN_OR_EQUAL_TO(64, 64, "full batch");
}

void Basic(int rounds) {
  for (int i = 0; i < rounds; ++i) {
    int64_t balance = 10 + i;
    FAULTLINE_ALWAYS(balance >= 0, "balance never negative", {{"balance", balance}});
    FAULTLINE_ALWAYS(i == 0, "ledger balanced", {{"round", i}});
    FAULTLINE_SOMETIMES(i == 1, "transfer sometimes succeeds", {{"round", i}});
    FAULTLINE_SOMETIMES(false, "leader elected");
  }
  FAULTLINE_ALWAYS_OR_UNREACHABLE(false, "overdraft refused", {{"amount", -5}});
  FAULTLINE_REACHABLE("transfer reached", {{"from", "alice"}, {"to", "bob"}});
  FAULTLINE_UNREACHABLE("panic handler", {{"why", "a test"}});
}

void Numeric() {
  int retries = 4;
  unsigned floor = 0;
  FAULTLINE_ALWAYS_LESS_THAN(10, 100, "latency under budget", {{"unit", "ms"}});
  FAULTLINE_ALWAYS_LESS_THAN_OR_EQUAL_TO(retries, 3, "retries at most three");
  FAULTLINE_ALWAYS_GREATER_THAN(5, 0, "balance above floor");
  FAULTLINE_ALWAYS_GREATER_THAN_OR_EQUAL_TO(-1, floor, "sequence not behind");  // -1 < 0u
  FAULTLINE_SOMETIMES_LESS_THAN(0.5, 1.0, "queue drains");
  FAULTLINE_SOMETIMES_LESS_THAN_OR_EQUAL_TO(7, 3, "lag small");
  FAULTLINE_SOMETIMES_GREATER_THAN(200u, 100, "throughput peaks");
}

void Boolean() {
  bool leader = false, follower = true;
  FAULTLINE_ALWAYS_SOME(FAULTLINE_NAMED_BOOLS(leader, follower), "some replica answers");
  FAULTLINE_SOMETIMES_ALL(FAULTLINE_NAMED_BOOLS(leader, follower), "all replicas caught up");
}

void Functions(int worker) {
  faultline::reachable("td completed .td file", {{"file", "basic.td"}});
  faultline::always(true, "worker " + std::to_string(worker) + " finished");
  faultline::sometimes(false, "function sometimes never true");
  faultline::always_greater_than(3, 2, "function numeric passes");
  faultline::sometimes_all({{"a", true}, {"b", true}}, "function bools pass");
  faultline::unreachable("function unreachable reached");
}

}  // namespace

int main(int argc, char**) {
  faultline::send_event("main_started", {{"argc", argc}});
  if (argc > 1000) NeverCalled();
  if (argc > 1000) FAULTLINE_ALWAYS(false, "branch never taken");
  Basic(3);
  Numeric();
  Boolean();
  Functions(3);
  faultline::setup_complete({{"phase", "done"}});
  faultline::send_event("main_finished");
  return 0;
}
