// CopyTree: a folder's contents copied into another, the way a prepared data folder must be: file
// modes and owners kept (PostgreSQL refuses a data folder that is not 0700 and its own), symlinks
// copied as links, file data shared when the file system can (a reflink, FICLONE), else copied in
// the kernel (copy_file_range), else read and written. Any thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace faultline {

struct CopyStats {
  int64_t files = 0;
  int64_t bytes = 0;
  int64_t reflinked = 0;  // files whose data was shared rather than copied
};

// Copies everything under `from` into the existing folder `to` (which keeps its own mode and
// owner). Fails on the first file that cannot be copied, naming it; what was copied stays.
Status CopyTree(const std::string& from, const std::string& to, CopyStats* stats = nullptr);

}  // namespace faultline
