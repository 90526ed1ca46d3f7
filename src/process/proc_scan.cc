#include "process/proc_scan.h"

#include <sstream>
#include <string>

#include "base/files.h"

namespace faultline {

pid_t InnermostPid(pid_t pid) {
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/status");
  if (!text) return -1;
  // "NSpid:\t<outermost>\t...\t<innermost>" (kernel 4.1 and later).
  size_t at = text->find("\nNSpid:");
  if (at == std::string::npos) return pid;
  std::istringstream line(text->substr(at + 7, text->find('\n', at + 1) - at - 7));
  pid_t last = -1;
  for (pid_t p; line >> p;) last = p;
  return last > 0 ? last : pid;
}

}  // namespace faultline
