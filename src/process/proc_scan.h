// Reading the process table (/proc) where the kernel's view of a process matters to a fault.
// Any thread.
#pragma once

#include <sys/types.h>

namespace faultline {

// The id that process `pid` (as this process sees it) has in its own, innermost PID namespace:
// what getpid() returns inside it (which init and namespace tools need). `pid` itself when
// it shares our namespace; -1 when it has ended.
pid_t InnermostPid(pid_t pid);

}  // namespace faultline
