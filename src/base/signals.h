// Signal names as users write them in scenario.yaml and as faultline prints them. Pure, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// Parses a signal name (SIGINT, INT, sigint) or number; nullopt when unknown.
std::optional<int> ParseSignal(std::string_view name);
// "SIGKILL"; "signal 40" for one without a name.
std::string SignalName(int signal);
// Whether the signal, by default, ends a process (SIGTERM, SIGINT, SIGKILL, SIGUSR1, ...): not
// SIGSTOP, SIGCONT, SIGCHLD, SIGWINCH and the other stop or ignore signals.
bool EndsAProcess(int signal);
// Whether SIGINT, SIGTERM or SIGHUP is pending for this thread (they are blocked while faultline
// runs, so long work without an event loop, like loading a huge scenario, asks here).
bool TerminationPending();

}  // namespace faultline
