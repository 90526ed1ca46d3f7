// Fatal(): the reaction to a broken invariant. Prints "faultline: fatal: ...", runs the registered
// emergency hooks (the supervisor registers one that kills every child process group) and exits
// with code 3. Hooks run on the thread that calls Fatal; they must not call Fatal themselves.
#pragma once

#include <functional>
#include <string_view>

namespace faultline {

[[noreturn]] void Fatal(std::string_view message);

// Registers a hook that Fatal() runs before exiting. Returns an id for RemoveFatalHook.
int AddFatalHook(std::function<void()> hook);
void RemoveFatalHook(int id);

}  // namespace faultline
