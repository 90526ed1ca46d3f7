#include "process/proc_scan.h"

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/files.h"

namespace faultline {
namespace {

// The process group in /proc/<pid>/stat: the fifth field, after "(comm)" which may hold spaces.
bool GroupOf(pid_t pid, pid_t* pgid, char* state) {
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return false;
  size_t close = text->rfind(')');
  if (close == std::string::npos) return false;
  int ppid = 0, group = 0;
  if (std::sscanf(text->c_str() + close + 1, " %c %d %d", state, &ppid, &group) != 3) return false;
  *pgid = group;
  return true;
}

}  // namespace

std::vector<pid_t> ProcessesInGroup(pid_t pgid) {
  std::vector<pid_t> out;
  if (pgid <= 0) return out;
  DIR* proc = opendir("/proc");
  if (!proc) return out;
  while (dirent* e = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    pid_t group = 0;
    char state = 0;
    if (GroupOf(static_cast<pid_t>(pid), &group, &state) && group == pgid && state != 'Z') {
      out.push_back(static_cast<pid_t>(pid));
    }
  }
  closedir(proc);
  std::sort(out.begin(), out.end(),
            [pgid](pid_t a, pid_t b) { return (a == pgid) != (b == pgid) ? a == pgid : a < b; });
  return out;
}

}  // namespace faultline
