// fault_probe: a tiny service for the fault tests, built without sanitizers so that libfaketime
// and the disk preload can be loaded into it. It reports what a fault does to a process:
//   fault_probe clock OUT         every 20 ms appends "<wall ms> <monotonic ms>" to OUT
//   fault_probe fsync OUT FILE    every 20 ms fsyncs FILE and appends "<monotonic ms> ok|<errno>"
//   fault_probe spin              burns CPU until killed
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace {

long long Ms(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int Append(const char* path, const char* line) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return 1;
  ssize_t n = write(fd, line, strlen(line));
  close(fd);
  return n < 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && strcmp(argv[1], "clock") == 0) {
    for (;;) {
      char line[64];
      snprintf(line, sizeof line, "%lld %lld\n", Ms(CLOCK_REALTIME), Ms(CLOCK_MONOTONIC));
      if (Append(argv[2], line) != 0) return 1;
      usleep(20000);
    }
  }
  if (argc >= 4 && strcmp(argv[1], "fsync") == 0) {
    int fd = open(argv[3], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return 1;
    for (;;) {
      int r = fsync(fd);
      char line[64];
      snprintf(line, sizeof line, "%lld %s\n", Ms(CLOCK_MONOTONIC),
               r == 0 ? "ok" : strerror(errno));
      if (Append(argv[2], line) != 0) return 1;
      usleep(20000);
    }
  }
  if (argc >= 2 && strcmp(argv[1], "spin") == 0) {
    volatile unsigned long x = 0;
    for (;;) x = x + 1;
  }
  fprintf(stderr, "usage: fault_probe clock OUT | fsync OUT FILE | spin\n");
  return 2;
}
