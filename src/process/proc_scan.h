// Reading the process table (/proc): which processes belong to a process group now. Used where
// the kernel must act per process (cgroups, libfiu controls). Any thread.
#pragma once

#include <sys/types.h>

#include <vector>

namespace faultline {

// Every live process whose process group is `pgid`, the leader first when it lives; empty for a
// group that has none.
std::vector<pid_t> ProcessesInGroup(pid_t pgid);

}  // namespace faultline
