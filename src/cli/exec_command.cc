// `faultline exec RUN_DIR/hNNN UNIT -- COMMAND...`: runs a command inside a unit of a running
// isolated-mode history (its network, UTS and mount namespaces), as `docker exec` does for a
// container: `faultline exec runs/x/h000 etcd0 -- sh` gives a shell that sees etcd0's host name,
// address, /etc/hosts and mounts.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/exit_codes.h"
#include "base/files.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "timeline/event.h"

namespace faultline::cli {
namespace {

// The history folder: the path itself, or the one folder of RUN_DIR whose name starts with it
// (`runs/x/h000` for `runs/x/h000-seed7`).
std::string HistoryFolder(const std::string& given) {
  if (PathExists(given + "/units/units.json")) return given;
  std::string parent = given.substr(0, given.find_last_of('/') + 1);
  std::string prefix = given.substr(parent.size());
  if (DIR* d = opendir(parent.empty() ? "." : parent.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.starts_with(prefix) && PathExists(parent + name + "/units/units.json")) {
        closedir(d);
        return parent + name;
      }
    }
    closedir(d);
  }
  return {};
}

// Runs `command` in a child (the first process that enters the PID namespace joined) and returns
// exits with its exit code, 128+N for signal N, as a shell does. The terminal's SIGINT and SIGQUIT
// reach the child, which is in the same process group; this process only waits.
[[noreturn]] void RunAndWait(std::vector<char*>& command) {
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  pid_t child = fork();
  if (child < 0) {
    std::fprintf(stderr, "faultline exec: fork: %s\n", std::strerror(errno));
    _exit(kExitUsage);
  }
  if (child == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execvp(command[0], command.data());
    std::fprintf(stderr, "faultline exec: cannot run '%s': %s\n", command[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) _exit(kExitUsage);
  }
  // _exit: exit-time handlers (a leak checker's, which stops the world by pid) would run in a
  // process whose children live in another PID namespace; nothing is left to flush.
  std::fflush(nullptr);
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

}  // namespace

int ExecMain(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto dashes = std::find(args.begin(), args.end(), "--");
  if (args.size() < 4 || dashes != args.begin() + 2 || dashes + 1 == args.end()) {
    std::fprintf(stderr,
                 "usage: faultline exec RUN_DIR/hNNN UNIT -- COMMAND [ARG...]\n"
                 "runs COMMAND inside UNIT (a service, or 'workload') of a running history in "
                 "isolated mode\n");
    return kExitUsage;
  }
  std::string history = HistoryFolder(args[0]), unit = args[1];
  if (history.empty()) {
    std::fprintf(stderr,
                 "faultline exec: %s is not the folder of a history in isolated mode "
                 "(it has no units/units.json)\n",
                 args[0].c_str());
    return kExitUsage;
  }
  Json doc = Json::parse(ReadFile(history + "/units/units.json").value_or("{}"), nullptr, false);
  if (!doc.is_object() || !doc["units"].contains(unit)) {
    std::vector<std::string> names;
    if (doc.is_object()) {
      for (auto& [name, u] : doc["units"].items()) names.push_back(name);
    }
    std::fprintf(stderr, "faultline exec: %s has no unit '%s' (its units: %s)\n", history.c_str(),
                 unit.c_str(), Join(names, ", ").c_str());
    return kExitUsage;
  }
  int pid = doc["units"][unit].value("pid", 0);
  // The pid must still be that unit's holder, not a stranger that got its number.
  std::string cmdline = ReadFile(fmt::format("/proc/{}/cmdline", pid)).value_or("");
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  if (cmdline.find("--hold") == std::string::npos ||
      cmdline.find("--hostname " + unit + " ") == std::string::npos) {
    std::fprintf(stderr, "faultline exec: the history in %s is no longer running\n",
                 history.c_str());
    return kExitUsage;
  }
  // The unit's PID namespace too (its holder is that namespace's init), so whatever the command
  // starts ends with the unit, as every process of a unit does.
  for (const char* ns : {"net", "uts", "mnt", "pid"}) {
    std::string path = fmt::format("/proc/{}/ns/{}", pid, ns);
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, 0) != 0) {
      std::fprintf(stderr, "faultline exec: cannot enter %s: %s (entering a unit needs root)\n",
                   path.c_str(), std::strerror(errno));
      return kExitUsage;
    }
    close(fd);
  }
  std::vector<char*> command;
  for (auto it = dashes + 1; it != args.end(); ++it) command.push_back(it->data());
  command.push_back(nullptr);
  RunAndWait(command);
}
}  // namespace faultline::cli
