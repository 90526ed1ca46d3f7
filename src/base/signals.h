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

}  // namespace faultline
