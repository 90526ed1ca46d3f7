// Eight threads hammer the same call sites of the faultline SDK (macros and function forms), and
// send long events, for src/sdk/sdk_programs_test.cc: every line in the file must parse, each call
// site must have written exactly one passing and one failing line, and every event its own line.
// Built with the header alone (no faultline_core).
#include <faultline/sdk.h>

#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 8;
constexpr int kIterations = 20000;
constexpr int kEventsPerThread = 25;

void Hammer(int thread) {
  const std::string payload(10000, static_cast<char>('a' + thread));  // lines far above PIPE_BUF
  for (int i = 0; i < kIterations; ++i) {
    bool even = (i + thread) % 2 == 0;
    FAULTLINE_ALWAYS(even, "threads: alternating always", {{"thread", thread}, {"i", i}});
    FAULTLINE_SOMETIMES(!even, "threads: alternating sometimes", {{"thread", thread}});
    FAULTLINE_ALWAYS_LESS_THAN(i % 3, 2, "threads: numeric", {{"thread", thread}});
    FAULTLINE_SOMETIMES_ALL(FAULTLINE_NAMED_BOOLS(even, i % 5 == 0), "threads: bools");
    faultline::always(even, "threads: function form", {{"thread", thread}});
    if (i % (kIterations / kEventsPerThread) == 0) {
      faultline::send_event("threads_event", {{"thread", thread}, {"i", i}, {"payload", payload}});
    }
  }
}

}  // namespace

int main() {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(Hammer, t);
  for (auto& t : threads) t.join();
  return 0;
}
