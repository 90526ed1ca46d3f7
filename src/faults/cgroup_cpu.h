// CgroupCpu: the CpuLimiter over the kernel's cgroup CPU controller, v1 (cpu.cfs_quota_us, the
// layout of these machines) or v2 (cpu.max), whichever the machine mounts. Each limit is a cgroup
// of its own under faultline-<pid>/ in the controller's hierarchy; Release moves every process
// back to the cgroup it came from and removes the folder, so nothing stays behind.
// One thread (the history's); cgroups are process-wide kernel state.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "faults/injector.h"

namespace faultline::faults {

class CgroupCpu : public CpuLimiter {
 public:
  // Finds a writable CPU controller; an error that says what is missing (no controller, not
  // root) otherwise.
  static Result<std::unique_ptr<CgroupCpu>> Detect();
  ~CgroupCpu() override;

  Result<uint64_t> Limit(const std::string& name, const std::vector<pid_t>& pids,
                         double share) override;
  Status Release(uint64_t handle) override;
  bool v2() const { return v2_; }

 private:
  CgroupCpu(std::string root, std::string mount, bool v2)
      : root_(std::move(root)), mount_(std::move(mount)), v2_(v2) {}
  struct Limited {
    std::string dir;
    std::map<pid_t, std::string> origin;  // each process's cgroup before the limit
  };
  std::string root_;   // faultline-<pid> inside the hierarchy, made on first use
  std::string mount_;  // the hierarchy's mount point
  bool v2_ = false;
  std::map<uint64_t, Limited> limited_;
  uint64_t next_ = 1;
};

}  // namespace faultline::faults
