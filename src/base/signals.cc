#include "base/signals.h"

#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <utility>

#include "base/strings.h"

namespace faultline {

std::optional<int> ParseSignal(std::string_view name) {
  static const std::pair<std::string_view, int> kSignals[] = {
      {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
      {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"STOP", SIGSTOP},
      {"CONT", SIGCONT}, {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"PWR", SIGPWR}};
  std::string upper;
  for (char c : name) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  std::string_view n = upper;
  if (n.starts_with("SIG")) n.remove_prefix(3);
  for (const auto& [sig_name, number] : kSignals) {
    if (sig_name == n) return number;
  }
  if (auto v = ParseInt(name); v && *v > 0 && *v < 65) return static_cast<int>(*v);
  return std::nullopt;
}

std::string SignalName(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", signal);
}

bool EndsAProcess(int signal) {
  switch (signal) {
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
    case SIGCONT:
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
      return false;
    default:
      return signal > 0 && signal < 65;
  }
}

bool TerminationPending() {
  sigset_t pending;
  if (sigpending(&pending) != 0) return false;
  return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1 ||
         sigismember(&pending, SIGHUP) == 1;
}

}  // namespace faultline
