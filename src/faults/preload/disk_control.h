// The control block that faultline's disk preload (disk_preload.cc) maps from each disk-fault
// target's control file, and that InProcessFaults writes. Plain data, shared by a C++ program
// and a preloaded library that links nothing but libc.
#pragma once

#include <stdint.h>

namespace faultline::faults {

namespace disk_bits {
// Which calls fail; a disk fault may switch on several.
constexpr uint32_t kFsyncEio = 1u << 0;     // fsync, fdatasync: EIO
constexpr uint32_t kWriteEio = 1u << 1;     // write, pwrite, writev, pwritev: EIO
constexpr uint32_t kWriteEnospc = 1u << 2;  // the same calls: ENOSPC
constexpr uint32_t kReadEio = 1u << 3;      // read, pread, readv, preadv: EIO
constexpr uint32_t kOpenEio = 1u << 4;      // open, openat: EIO
}  // namespace disk_bits

// The file holds exactly this block. The preload reads each field with a relaxed atomic load on
// every call, so faultline changes it in place (pwrite), never by renaming a new file over it.
struct DiskControlBlock {
  uint32_t kinds = 0;            // disk_bits of the calls that fail; 0: none
  uint32_t probability_ppm = 0;  // of each such call failing, in millionths
  uint32_t reserved[2] = {};
};
static_assert(sizeof(DiskControlBlock) == 16);

}  // namespace faultline::faults
