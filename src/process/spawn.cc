#include "process/spawn.h"

#include <fcntl.h>
#include <spawn.h>

#include "process/guardian.h"

extern char** environ;

namespace faultline {
namespace {

// RAII for posix_spawn's attribute and file-action objects.
struct SpawnObjects {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnObjects() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnObjects() {
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }
};

void AddOutput(posix_spawn_file_actions_t* actions, int target, int fd, const std::string& path) {
  if (fd >= 0) {
    posix_spawn_file_actions_adddup2(actions, fd, target);
  } else {
    posix_spawn_file_actions_addopen(actions, target, path.empty() ? "/dev/null" : path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
}

}  // namespace

void SetEnvVar(std::vector<std::string>& env, std::string_view name, std::string_view value) {
  std::string entry = fmt::format("{}={}", name, value);
  for (auto& e : env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      e = std::move(entry);
      return;
    }
  }
  env.push_back(std::move(entry));
}

Result<pid_t> SpawnInGroup(const SpawnRequest& r) {
  if (r.argv.empty()) return Unexpected("empty command");
  SpawnObjects o;
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&o.attr, &empty);
  posix_spawnattr_setsigdefault(&o.attr, &all);
  // Its own process group, so that a Ctrl-C does not reach it and a stop reaches all of it.
  posix_spawnattr_setpgroup(&o.attr, 0);
  posix_spawnattr_setflags(&o.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_addopen(&o.actions, 0, "/dev/null", O_RDONLY, 0);
  AddOutput(&o.actions, 1, r.stdout_fd, r.stdout_path);
  if (r.stderr_fd < 0 && !r.stderr_path.empty() && r.stderr_path == r.stdout_path) {
    posix_spawn_file_actions_adddup2(&o.actions, 1, 2);
  } else {
    AddOutput(&o.actions, 2, r.stderr_fd, r.stderr_path);
  }
  if (!r.cwd.empty()) posix_spawn_file_actions_addchdir_np(&o.actions, r.cwd.c_str());

  std::vector<std::string> argv = r.argv;
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::vector<std::string> env_copy;
  std::vector<char*> c_env;
  char** envp = environ;
  if (r.env) {
    env_copy = *r.env;
    for (auto& e : env_copy) c_env.push_back(e.data());
    c_env.push_back(nullptr);
    envp = c_env.data();
  }
  pid_t pid = -1;
  int rc = posix_spawn(&pid, c_argv[0], &o.actions, &o.attr, c_argv.data(), envp);
  if (rc != 0)
    return Unexpected(Status::FromErrno(fmt::format("cannot start '{}'", r.argv[0]), rc));
  Guardian::Instance().Add(pid, r.stop_signal);
  return pid;
}

}  // namespace faultline
