// faultline's disk preload: a library that faultline puts in front of a disk-fault target
// (LD_PRELOAD) so that its file system calls can fail while a disk fault is in force.
//
// The control is one small file per service (FAULTLINE_DISK_CONTROL), mapped shared and read on
// every call: faultline writes which kinds of call fail and at what probability, and every
// process of the service, forked or exec'd at any time, sees it at once. No thread, no FIFO, no
// answer to wait for. Each call it fails advances a counter shared by the service's processes
// (FAULTLINE_DISK_COUNTER, one uint64_t), which the fault's heal event reports.
//
// It is built without sanitizers and without libstdc++ (it loads into any program: a database
// server, a shell), and every symbol is hidden but the calls it wraps: a preload that exported
// helpers of its own would have them interposed by a program's own functions of the same name
// (libfiu's `hash_create` and PostgreSQL's, for example).
//
// Only calls on regular files and block devices fail (not pipes, sockets or terminals: a
// server's self-pipe or its client connections are not its disk), and opens of paths outside
// /proc, /sys and /dev.
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <type_traits>

#include "faults/preload/disk_control.h"

namespace {

using faultline::faults::DiskControlBlock;
namespace bits = faultline::faults::disk_bits;

DiskControlBlock g_off{};
const DiskControlBlock* g_control = nullptr;
uint64_t g_draws = 0;  // atomically advanced; each call's draw hashes its value

uint64_t g_uncounted = 0;
uint64_t* g_counter = nullptr;

// The file that the environment variable `env` names, mapped shared (`writable` or read-only),
// once per process: the first call maps it and publishes the mapping in `slot`, a racing call
// drops its own. `fallback` when there is no such file.
template <typename T>
T* MapOnce(T*& slot, T* fallback, const char* env, bool writable) {
  T* c = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);
  if (c) return c;
  T* mapped = fallback;
  if (const char* path = getenv(env)) {
    // The raw system call: open() is one of the wrapped calls.
    int fd = static_cast<int>(
        syscall(SYS_openat, AT_FDCWD, path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC));
    if (fd >= 0) {
      void* p = mmap(nullptr, sizeof(T), writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
                     fd, 0);
      syscall(SYS_close, fd);
      if (p != MAP_FAILED) mapped = static_cast<T*>(p);
    }
  }
  T* expected = nullptr;
  if (!__atomic_compare_exchange_n(&slot, &expected, mapped, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE)) {
    if (mapped != fallback) munmap(const_cast<std::remove_const_t<T>*>(mapped), sizeof(T));
    return expected;
  }
  return mapped;
}

const DiskControlBlock* Control() {
  return MapOnce(g_control, static_cast<const DiskControlBlock*>(&g_off), "FAULTLINE_DISK_CONTROL",
                 false);
}

// The counter of failed calls, or a private one when there is no file.
uint64_t* Counter() { return MapOnce(g_counter, &g_uncounted, "FAULTLINE_DISK_COUNTER", true); }

// A call is failed: counted, then `error` for errno.
int Failed(int error) {
  __atomic_add_fetch(Counter(), 1, __ATOMIC_RELAXED);
  return error;
}

// Which of `kinds` is on for this call, or 0: the call fails with that kind's error.
uint32_t Drawn(uint32_t kinds) {
  const DiskControlBlock* c = Control();
  uint32_t on = __atomic_load_n(&c->kinds, __ATOMIC_RELAXED) & kinds;
  if (on == 0) return 0;
  uint32_t ppm = __atomic_load_n(&c->probability_ppm, __ATOMIC_RELAXED);
  // splitmix64 over a shared counter started from the pid and the time.
  uint64_t z = __atomic_add_fetch(&g_draws, 0x9E3779B97F4A7C15ull, __ATOMIC_RELAXED);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  if (z % 1000000 >= ppm) return 0;
  // Both write kinds on: either error.
  if ((on & bits::kWriteEio) && (on & bits::kWriteEnospc)) {
    return (z >> 32) & 1 ? bits::kWriteEio : bits::kWriteEnospc;
  }
  return on & (~on + 1);  // the lowest kind that is on
}

bool IsDisk(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return false;
  return S_ISREG(st.st_mode) || S_ISBLK(st.st_mode);
}

bool IsDiskPath(const char* path) {
  if (path == nullptr) return false;
  static const char* const kNotDisk[] = {"/proc/", "/sys/", "/dev/"};
  for (const char* skip : kNotDisk) {
    if (strncmp(path, skip, strlen(skip)) == 0) return false;
  }
  return true;
}

// The error of a failing call on `fd`, or 0 when it goes through.
int FdError(int fd, uint32_t kinds) {
  uint32_t kind = Drawn(kinds);
  if (kind == 0 || !IsDisk(fd)) return 0;
  return Failed(kind == bits::kWriteEnospc ? ENOSPC : EIO);
}

template <typename F>
F Next(F& slot, const char* name) {
  F f = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);
  if (f) return f;
  f = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  __atomic_store_n(&slot, f, __ATOMIC_RELEASE);
  return f;
}

#define FL_NEXT(name)                             \
  static decltype(&::name) next_##name = nullptr; \
  auto real = Next(next_##name, #name)

constexpr uint32_t kWrites = bits::kWriteEio | bits::kWriteEnospc;

int OpenMode(int flags, va_list args) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(args, int) : 0;
}

// Resolves every wrapped call before main: a first call from a signal handler then does not
// need dlsym.
__attribute__((constructor)) void Start() {
  Control();
  Counter();
  struct timespec now {};
  clock_gettime(CLOCK_MONOTONIC, &now);
  __atomic_store_n(&g_draws,
                   (static_cast<uint64_t>(getpid()) << 32) ^ static_cast<uint64_t>(now.tv_nsec),
                   __ATOMIC_RELAXED);
}

}  // namespace

extern "C" {

#define FL_EXPORT __attribute__((visibility("default")))

FL_EXPORT int fsync(int fd) {
  FL_NEXT(fsync);
  if (int e = FdError(fd, bits::kFsyncEio)) return errno = e, -1;
  return real(fd);
}

FL_EXPORT int fdatasync(int fd) {
  FL_NEXT(fdatasync);
  if (int e = FdError(fd, bits::kFsyncEio)) return errno = e, -1;
  return real(fd);
}

FL_EXPORT ssize_t write(int fd, const void* buf, size_t n) {
  FL_NEXT(write);
  if (int e = FdError(fd, kWrites)) return errno = e, -1;
  return real(fd, buf, n);
}

FL_EXPORT ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  FL_NEXT(pwrite);
  if (int e = FdError(fd, kWrites)) return errno = e, -1;
  return real(fd, buf, n, off);
}

FL_EXPORT ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
  FL_NEXT(pwrite64);
  if (int e = FdError(fd, kWrites)) return errno = e, -1;
  return real(fd, buf, n, off);
}

FL_EXPORT ssize_t writev(int fd, const struct iovec* iov, int count) {
  FL_NEXT(writev);
  if (int e = FdError(fd, kWrites)) return errno = e, -1;
  return real(fd, iov, count);
}

FL_EXPORT ssize_t pwritev(int fd, const struct iovec* iov, int count, off_t off) {
  FL_NEXT(pwritev);
  if (int e = FdError(fd, kWrites)) return errno = e, -1;
  return real(fd, iov, count, off);
}

FL_EXPORT ssize_t pwritev64(int fd, const struct iovec* iov, int count, off64_t off) {
  FL_NEXT(pwritev64);
  if (int e = FdError(fd, kWrites)) return errno = e, -1;
  return real(fd, iov, count, off);
}

FL_EXPORT ssize_t read(int fd, void* buf, size_t n) {
  FL_NEXT(read);
  if (int e = FdError(fd, bits::kReadEio)) return errno = e, -1;
  return real(fd, buf, n);
}

FL_EXPORT ssize_t pread(int fd, void* buf, size_t n, off_t off) {
  FL_NEXT(pread);
  if (int e = FdError(fd, bits::kReadEio)) return errno = e, -1;
  return real(fd, buf, n, off);
}

FL_EXPORT ssize_t pread64(int fd, void* buf, size_t n, off64_t off) {
  FL_NEXT(pread64);
  if (int e = FdError(fd, bits::kReadEio)) return errno = e, -1;
  return real(fd, buf, n, off);
}

FL_EXPORT ssize_t readv(int fd, const struct iovec* iov, int count) {
  FL_NEXT(readv);
  if (int e = FdError(fd, bits::kReadEio)) return errno = e, -1;
  return real(fd, iov, count);
}

FL_EXPORT ssize_t preadv(int fd, const struct iovec* iov, int count, off_t off) {
  FL_NEXT(preadv);
  if (int e = FdError(fd, bits::kReadEio)) return errno = e, -1;
  return real(fd, iov, count, off);
}

FL_EXPORT ssize_t preadv64(int fd, const struct iovec* iov, int count, off64_t off) {
  FL_NEXT(preadv64);
  if (int e = FdError(fd, bits::kReadEio)) return errno = e, -1;
  return real(fd, iov, count, off);
}

FL_EXPORT int open(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  int mode = OpenMode(flags, args);
  va_end(args);
  FL_NEXT(open);
  if (IsDiskPath(path) && Drawn(bits::kOpenEio)) return errno = Failed(EIO), -1;
  return real(path, flags, mode);
}

FL_EXPORT int open64(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  int mode = OpenMode(flags, args);
  va_end(args);
  FL_NEXT(open64);
  if (IsDiskPath(path) && Drawn(bits::kOpenEio)) return errno = Failed(EIO), -1;
  return real(path, flags, mode);
}

FL_EXPORT int openat(int dir, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  int mode = OpenMode(flags, args);
  va_end(args);
  FL_NEXT(openat);
  if (IsDiskPath(path) && Drawn(bits::kOpenEio)) return errno = Failed(EIO), -1;
  return real(dir, path, flags, mode);
}

FL_EXPORT int openat64(int dir, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  int mode = OpenMode(flags, args);
  va_end(args);
  FL_NEXT(openat64);
  if (IsDiskPath(path) && Drawn(bits::kOpenEio)) return errno = Failed(EIO), -1;
  return real(dir, path, flags, mode);
}

}  // extern "C"
