#include "base/fatal.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "base/exit_codes.h"

namespace faultline {
namespace {

std::mutex& HookMutex() {
  static std::mutex m;
  return m;
}
std::map<int, std::function<void()>>& Hooks() {
  static std::map<int, std::function<void()>> hooks;
  return hooks;
}

}  // namespace

void Fatal(std::string_view message) {
  std::fprintf(stderr, "faultline: fatal: %.*s\n", static_cast<int>(message.size()),
               message.data());
  std::map<int, std::function<void()>> hooks;
  {
    std::lock_guard lock(HookMutex());
    hooks.swap(Hooks());
  }
  for (auto& [id, hook] : hooks) hook();
  std::fflush(nullptr);
  std::_Exit(kExitInfrastructure);
}

int AddFatalHook(std::function<void()> hook) {
  static int next_id = 0;
  std::lock_guard lock(HookMutex());
  int id = ++next_id;
  Hooks().emplace(id, std::move(hook));
  return id;
}

void RemoveFatalHook(int id) {
  std::lock_guard lock(HookMutex());
  Hooks().erase(id);
}

}  // namespace faultline
