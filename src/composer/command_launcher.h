// CommandLauncher: how the composer starts and kills invocations, the seam it owns. The history's
// command runner implements it with real processes; composer tests with a fake in virtual time.
// Called on the history's event-loop thread.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "composer/templates.h"

namespace faultline::composer {

// One run of one command.
struct Invocation {
  int64_t id = 0;  // 1, 2, ... in launch order within the history
  const Command* command = nullptr;
  uint64_t seed = 0;  // FAULTLINE_SEED for this invocation
};

// How an invocation ended, as the launcher saw it.
struct Outcome {
  int code = -1;   // exit code, when it exited
  int signal = 0;  // the signal that ended it, or 0
};

// Starts and kills invocations. The launcher must report every end through
// Composer::OnCommandEnd, including ends that Kill caused.
class CommandLauncher {
 public:
  virtual ~CommandLauncher() = default;
  // Starts the invocation; returns its pid, or an error when it could not start.
  virtual Result<int> Launch(const Invocation& invocation) = 0;
  // Kills the invocation's whole process group.
  virtual void Kill(int64_t id) = 0;
};

}  // namespace faultline::composer
